"""Run derive as the real process on an adversarial input and hold it to issue 12's bounds.

`attack(argv, ...)` runs `python -m derive ARGV` in a fresh directory (with an optional file written
first, standard input given or closed, and a canary path that must never appear) and returns what it
did: exit status, standard output and error, and the child's CPU time and peak memory from
`os.wait4` on it alone (its `ru_utime + ru_stime` and `ru_maxrss`). The child is started by a small
launcher (`LAUNCHER`, a Python without its site packages) that forks it and reports `wait4`: Linux counts in
a child's `ru_maxrss` the memory of the process it was exec'd from, so a child forked from pytest itself
(150 MiB and more once the suite is collected) would be charged pytest's memory; from the launcher, ~10 MiB. `assert_bounded(result)` checks the bounds
every attack must keep: at most `SECONDS` of CPU and `MEBIBYTES` of memory, an exit status of 0, 1, 2
or 3, no traceback, error output of one line `derive: error: ...` (warnings aside) without raw control
characters, and no canary.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SECONDS = 3.0  # CPU time of the child, per attack: the command's own budget (2.5 s) and the way out
MEBIBYTES = 300  # peak resident memory of the child
CANARY = "CANARY"  # a file an attack would create if anything in it ran
ROOT = Path(__file__).resolve().parents[2]
# Forks the command (argv[2:]), waits for it and writes its wait status, CPU seconds and ru_maxrss (KiB) to the
# file descriptor argv[1].
LAUNCHER = """import os, sys
fd = int(sys.argv[1])
pid = os.fork()
if pid == 0:
    os.close(fd)
    os.execv(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
os.write(fd, f"{status} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss}".encode())
"""


@dataclass(frozen=True)
class Result:
    argv: tuple[str, ...]
    status: int
    out: str
    err: str
    seconds: float  # CPU, user + system
    wall: float
    mebibytes: float
    canary: bool


def attack(argv: list[str] | tuple[str, ...], directory: Path, *, files: dict[str, str | bytes] | None = None,
           stdin: bytes | None = b"", close_stdin: bool = False, timeout: float = 60.0) -> Result:
    """Run `derive ARGV` in `directory` (files written there first); `stdin=None` leaves it a pipe that is
    never written, `close_stdin` runs the child with standard input closed."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in (files or {}).items():
        path = directory / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KERAS_BACKEND": "torch"}
    report, writer = os.pipe()
    command = [sys.executable, "-S", "-c", LAUNCHER, str(writer), sys.executable, "-m", "derive", *argv]
    started = time.monotonic()
    process = subprocess.Popen(command, cwd=directory, env=env,
                               stdin=subprocess.DEVNULL if close_stdin else subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               preexec_fn=(lambda: os.close(0)) if close_stdin else None,
                               pass_fds=(writer,), start_new_session=True)
    os.close(writer)
    outputs: dict[str, bytes] = {}

    def drain(name: str, stream) -> None:
        outputs[name] = stream.read()

    readers = [threading.Thread(target=drain, args=(name, stream), daemon=True)
               for name, stream in (("out", process.stdout), ("err", process.stderr))]
    for reader in readers:
        reader.start()
    if process.stdin is not None:
        with contextlib.suppress(BrokenPipeError):
            if stdin:
                process.stdin.write(stdin)
            process.stdin.close()
    timer = threading.Timer(timeout, lambda: os.killpg(process.pid, signal.SIGKILL))  # launcher and child
    timer.start()
    try:
        process.wait()
    finally:
        timer.cancel()
    with os.fdopen(report, "rb") as reported:
        fields = reported.read().split()
    if fields:  # the child's own usage, not a sum over children
        process.returncode = os.waitstatus_to_exitcode(int(fields[0]))
        cpu, kib = float(fields[1]), int(fields[2])
    else:  # killed at the timeout, with its launcher
        cpu, kib = timeout, 0
    for reader in readers:
        reader.join()
    result = Result(tuple(argv), process.returncode, outputs["out"].decode("utf-8", "replace"),
                    outputs["err"].decode("utf-8", "replace"), cpu,
                    time.monotonic() - started, kib / 1024, (directory / CANARY).exists())
    _log(result)
    return result


def _log(result: Result) -> None:
    """With DERIVE_ATTACK_LOG set (bench/adversarial.py sets it), one JSON line per attack: what `make
    bench` reports as the slowest and largest cases of the corpus."""
    path = os.environ.get("DERIVE_ATTACK_LOG")
    if not path:
        return
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rpartition(" ")[0]
    line = {"test": test, "argv": [a[:60] for a in result.argv[:8]], "status": result.status,
            "seconds": round(result.seconds, 3), "mebibytes": round(result.mebibytes, 1)}
    with open(path, "a", encoding="utf-8") as log:
        log.write(json.dumps(line) + "\n")


def assert_bounded(result: Result, statuses: tuple[int, ...] = (0, 1, 2, 3)) -> None:
    where = " ".join(result.argv)[:200]
    assert result.status in statuses, f"{where}: exit {result.status}\n{result.err[-2000:]}"
    assert "Traceback" not in result.err, f"{where}: a traceback\n{result.err[-2000:]}"
    assert result.seconds <= SECONDS, f"{where}: {result.seconds:.2f} s of CPU (limit {SECONDS} s)"
    assert result.mebibytes <= MEBIBYTES, f"{where}: {result.mebibytes:.0f} MiB (limit {MEBIBYTES} MiB)"
    assert not result.canary, f"{where}: the canary file was created"
    errors = [line for line in result.err.splitlines() if not line.startswith("derive: warning: ")]
    if result.status == 2:
        assert len(errors) == 1 and errors[0].startswith("derive: error: "), f"{where}: {result.err[-2000:]!r}"
    for line in errors:
        assert not any(ord(c) < 32 or ord(c) == 127 for c in line), f"{where}: raw control characters {line!r}"
