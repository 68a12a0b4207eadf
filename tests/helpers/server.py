"""A `derive serve` for the tests: started as the user starts it (`python -m derive serve --port 0`) in a
temporary folder, its URL read from the line it prints once it listens, stopped with Ctrl-C (SIGINT) at
the end; and a small HTTP client over http.client. `server` is a session-wide fixture (a plugin of
tests/conftest.py), `running(...)` starts one with options of its own. Without Starlette and uvicorn
the tests skip, but fail under CI=true (`need`).
"""

from __future__ import annotations

import contextlib
import http.client
import importlib.util
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest

from .rendering_cases import need

ROOT = Path(__file__).resolve().parents[2]
STARTUP = 60.0  # seconds: the workers import derive and warm up first


def need_web() -> None:
    need(all(importlib.util.find_spec(name) for name in ("starlette", "uvicorn")), "the web extra (starlette, uvicorn)")


class Server:
    """A running `derive serve`: its base URL (no trailing slash), its process and what it said."""

    def __init__(self, url: str, process: subprocess.Popen, log: list[str]) -> None:
        self.url = url
        self.process = process
        self.log = log
        parts = urlsplit(url)
        self.host, self.port = parts.hostname, parts.port

    def request(self, method: str, path: str, body: bytes | str | dict | None = None,
                headers: dict[str, str] | None = None, timeout: float = 30.0) -> tuple[int, dict, bytes]:
        """(status, headers with lower-case names, body); a dict body is sent as JSON."""
        if isinstance(body, dict):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode("utf-8")
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def post(self, path: str, body, **kwargs) -> tuple[int, dict, bytes]:
        return self.request("POST", path, body, **kwargs)

    def get(self, path: str, **kwargs) -> tuple[int, dict, bytes]:
        return self.request("GET", path, **kwargs)


@contextlib.contextmanager
def running(*options: str, cwd: str | Path | None = None) -> Iterator[Server]:
    """`derive serve --port 0 OPTIONS` until the block ends."""
    need_web()
    with contextlib.ExitStack() as stack:
        folder = cwd or stack.enter_context(tempfile.TemporaryDirectory(prefix="derive-serve-"))
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
        process = subprocess.Popen([sys.executable, "-m", "derive", "serve", "--port", "0", *options], cwd=folder,
                                   env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, text=True)
        log: list[str] = []
        found = threading.Event()

        def read() -> None:  # everything the server says, kept; the URL line wakes the test up
            for line in process.stderr:
                log.append(line.rstrip("\n"))
                if line.startswith("derive: serving on "):
                    found.set()
            found.set()

        threading.Thread(target=read, daemon=True).start()
        try:
            if not found.wait(STARTUP) or not any(line.startswith("derive: serving on ") for line in log):
                raise AssertionError(f"derive serve did not start within {STARTUP:g} s: {log}")
            url = next(line for line in log if line.startswith("derive: serving on ")).split()[-1].rstrip("/")
            yield Server(url, process, log)
        finally:
            stop(process)


def stop(process: subprocess.Popen, grace: float = 10.0) -> int:
    """Ctrl-C, as a user stops it; killed if it does not end within `grace` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    """One `derive serve` shared by the tests of a session."""
    with running() as started:
        yield started


def wait_healthy(server: Server, seconds: float = 30.0) -> None:
    """Until /healthz answers 200 (after a worker was replaced, say)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if server.get("/healthz")[0] == 200:
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError("derive serve stopped answering /healthz")
        time.sleep(0.1)
