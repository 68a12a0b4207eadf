"""`derive serve`'s JSON API against the command line: every answer the command's output byte for byte,
every refusal its one line.

Each case is written as the command's arguments (`show mobilenetv2-block --set C_in=3 --format json`);
`body_of` turns them into the request the page would send (a file's text pasted as `source`), the
command runs in-process (`cli.main`, in a folder where the file is `pasted.py`, so that even the places
in its errors are the same) and the server (tests/helpers/server.py, a real `derive serve` subprocess)
answers the request. Also: the limits (413 over 256 KB, declared or chunked; the Host check; the time
limit, after which the worker is replaced), the hostile-input corpus replayed through the API, and the
page's headers.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from derive import cli
from derive.conventions import CONVENTIONS
from derive.presentation.formats import SHOW

from helpers.server import ROOT, need_web, running, wait_healthy

SLIDE = ("--set", "C_in=3", "--set", "t=6", "--set", "C_out=3")
TEXT_FORMATS = [f for f in SHOW if f != "pdf"]  # every format but the compiled one (svg once it exists)
PASTED = {".py": "pasted.py", ".toml": "pasted.toml"}


def run_cli(argv: list[str], folder: Path | None = None) -> tuple[int, str, str]:
    """`derive ARGV` in-process, in `folder` (the command's status, standard output and error)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(folder or ROOT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(argv)
    return status, out.getvalue(), err.getvalue()


def body_of(argv: list[str]) -> tuple[str, dict, str | None]:
    """(endpoint, request body, pasted file name) for the command's `argv`; a file target becomes its
    text as `source`, to be compared with the command run on it as `pasted.py` / `pasted.toml`."""
    args = cli.build_parser().parse_args(argv)
    body: dict = {"convention": args.convention, "format": args.format}
    pasted = None
    if args.target.endswith((".py", ".toml")):
        path = Path(args.target)
        pasted = PASTED[path.suffix]
        body.update(source=path.read_bytes().decode("utf-8", "surrogateescape"),
                    kind="toml" if path.suffix == ".toml" else "python")
    else:
        body["target"] = args.target
    if args.entry is not None:
        body["entry"] = args.entry
    for key, given in (("set", args.values), ("options", args.options), ("args", args.args)):
        if given:
            body[key] = dict(item.split("=", 1) for item in given)
    if args.command == "show":
        body.update(title=args.title, math=args.math)
    else:
        body.update(claim=args.claim, part=args.part, count=args.count)
        del body["format"]
    return args.command, body, pasted


def cli_as_pasted(argv: list[str], pasted: str | None, folder: Path) -> tuple[int, str, str]:
    """The command with its file target copied to `folder` as `pasted`."""
    if pasted is None:
        return run_cli(argv, folder)
    source = Path(argv[1])
    shutil.copyfile(source, folder / pasted)
    return run_cli([argv[0], pasted, *argv[2:]], folder)


def same_as_cli(server, argv: list[str], folder: Path) -> None:
    """The server's answer to `argv`'s request is the command's output (200), or its error line (422)."""
    endpoint, body, pasted = body_of(argv)
    status, out, err = cli_as_pasted(argv, pasted, folder)
    code, headers, answer = server.post(f"/api/{endpoint}", body)
    if status in (0, 1):
        assert code == 200, (argv, answer[:300])
        assert answer.decode("utf-8") == out, argv
        fmt = body.get("format", "json")
        assert headers["content-type"].startswith({"json": "application/json", "svg": "image/svg+xml"}
                                                  .get(fmt, "text/plain; charset=utf-8")), (fmt, headers)
    else:
        assert code == 422, (argv, answer[:300])
        assert json.loads(answer) == {"error": err.strip().splitlines()[-1]}, argv


BLOCKS = [["show", "mobilenetv2-block", *SLIDE], ["show", "mobilenetv1-block"],
          ["show", "mobilenetv2-block", "--set", "C_in=16", "--set", "s=2", "--set", "H=56", "--set", "W=56"]]


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
@pytest.mark.parametrize("convention", CONVENTIONS)
def test_show_equals_the_command(server, tmp_path, fmt, convention):
    for argv in BLOCKS:
        same_as_cli(server, [*argv, "--format", fmt, "--convention", convention], tmp_path)


def builtin_cases() -> list[list[str]]:
    """Every built-in target once, the formats and conventions taken in turn."""
    import derive

    return [["show", name, "--format", TEXT_FORMATS[i % len(TEXT_FORMATS)], "--convention",
             tuple(CONVENTIONS)[i % len(CONVENTIONS)]] for i, name in enumerate(derive.list_targets())]


@pytest.mark.parametrize("argv", builtin_cases(), ids=lambda argv: f"{argv[1]}-{argv[3]}-{argv[5]}")
def test_every_builtin(server, tmp_path, argv):
    """Every built-in as the command shows it; a network the command takes over half a second for may meet the
    server's 2 s limit on a busy machine, and then says so in the limit's line."""
    import time

    start = time.perf_counter()
    status, out, err = run_cli(argv, tmp_path)
    seconds = time.perf_counter() - start
    endpoint, body, _ = body_of(argv)
    code, _, answer = server.post("/api/show", body)
    if code == 422 and json.loads(answer)["error"].startswith("derive: error: took longer than 2 s") and seconds > 0.5:
        return
    if status == 0:
        assert (code, answer.decode()) == (200, out)
    else:  # a format a target does not have (an svg of more boxes than a diagram draws)
        assert (code, json.loads(answer)["error"]) == (422, err.strip())


def test_options_titles_and_math(server, tmp_path):
    for argv in (["show", "mobilenetv2-block", *SLIDE, "--option", "bias=true", "--convention", "keras"],
                 ["show", "mobilenetv2-block", *SLIDE, "--format", "markdown", "--math", "plain"],
                 ["show", "mobilenetv2-block", *SLIDE, "--format", "markdown", "--title", "<b>&\"x\"</b> $\\x"],
                 ["show", "mobilenetv2-block", "--set", "C_in=2*t", "--format", "json"]):
        same_as_cli(server, argv, tmp_path)


def test_networks(server, tmp_path):
    for argv in (["show", "mobilenetv2", "--format", "json"], ["show", "mobilenetv2", "--set", "alpha=1/2"],
                 ["show", "resnet18", "--format", "markdown", "--convention", "keras"]):
        same_as_cli(server, argv, tmp_path)


def test_pasted_code(server, tmp_path):
    files = [*sorted((ROOT / "examples").glob("*.py")), *sorted((ROOT / "examples").glob("*.toml")),
             *sorted((ROOT / "tests" / "data").glob("*.py"))]
    assert len(files) >= 10
    for path in files:
        for fmt in ("json", "markdown"):
            same_as_cli(server, ["show", str(path), "--format", fmt], tmp_path)


def test_pasted_with_sizes_entries_and_arguments(server, tmp_path):
    forum, keras = str(ROOT / "examples" / "forum_bottleneck.py"), str(ROOT / "tests" / "data" / "keras_autoencoder.py")
    for argv in (["show", forum, "--convention", "keras", "--format", "json"],
                 ["show", forum, "--set", "H=32", "--format", "markdown"],
                 ["show", str(ROOT / "examples" / "mobilenetv2_block.toml"), *SLIDE, "--format", "latex"],
                 ["show", keras, "--entry", "nosuch"], ["show", forum, "--arg", "zz=3"]):
        same_as_cli(server, argv, tmp_path)


def test_errors_are_the_command_s_line(server, tmp_path):
    for argv in (["show", "mobilenetv2-block", "--set", "C_in=x"], ["show", "nosuch"],
                 ["show", "mobilenetv2-block", "--set", "zz=3"], ["show", "mobilenetv2-block", "--option", "bias=maybe"],
                 ["show", "mobilenetv2-block", "--entry", "x"], ["show", "mobilenetv2-block", "--math", "plain"],
                 ["show", "mobilenetv2-block", "--title", "x" * 300, "--format", "markdown"]):
        same_as_cli(server, argv, tmp_path)


def test_check(server, tmp_path):
    for claim in ("348", "(3*3*18)*18 + 2*18", "C_in*t*(C_in + C_out + k**2 + 4) + 2*C_out", "9*C_in", "x +"):
        same_as_cli(server, ["check", "mobilenetv2-block", *SLIDE, "--claim", claim, "--format", "json"], tmp_path)
    same_as_cli(server, ["check", "mobilenetv2-block", *SLIDE, "--claim", "198", "--part", "depthwise",
                         "--format", "json"], tmp_path)


def test_list(server, tmp_path):
    status, out, _ = run_cli(["list", "--format", "json"])
    code, headers, answer = server.get("/api/list")
    assert (code, answer.decode()) == (200, out)
    shutil.copyfile(ROOT / "examples" / "forum_bottleneck.py", tmp_path / "pasted.py")
    status, out, _ = run_cli(["list", "pasted.py", "--format", "json"], tmp_path)
    code, _, answer = server.post("/api/list", {"source": (tmp_path / "pasted.py").read_text(), "kind": "python"})
    assert (status, code, answer.decode()) == (0, 200, out)


SLIDE_BODY = {"target": "mobilenetv2-block", "set": {"C_in": "3", "t": "6", "C_out": "3"}}


@pytest.mark.parametrize("body", [{**SLIDE_BODY, "convention": "keras", "title": "<b>x</b>"},
                                  {"target": "mobilenetv2", "set": {"alpha": "3/4"}},
                                  {"source": (ROOT / "examples" / "forum_bottleneck.py").read_text(), "kind": "python"},
                                  {"target": "resnet152"}],
                         ids=["slide", "mobilenetv2", "pasted", "resnet152"])
def test_page_is_the_parts(server, body):
    code, _, answer = server.post("/api/page", body)
    assert code == 200
    page = json.loads(answer)
    assert set(page) == {"show", "markdown", "latex", "svg", "others"}
    for fmt in ("json", "markdown", "latex", "svg"):
        code, _, shown = server.post("/api/show", {**body, "format": fmt})
        if fmt == "svg" and code == 422:  # no diagram (too many boxes): null on the page
            assert json.loads(shown)["error"].startswith("derive: error: --format svg: no diagram") and page["svg"] is None
            continue
        assert code == 200
        assert (page["show"] if fmt == "json" else page[fmt]) == (json.loads(shown) if fmt == "json" else shown.decode())
    for convention in CONVENTIONS:
        _, _, shown = server.post("/api/show", {**body, "convention": convention})
        assert page["others"][convention] == json.loads(shown)["total"]["all"]


def test_page_slide_figures(server):
    page = json.loads(server.post("/api/page", {**SLIDE_BODY, "convention": "pytorch"})[2])
    assert {c: page["others"][c]["value"] for c in CONVENTIONS} == {"paper": 348, "pytorch": 348, "keras": 426}
    assert page["show"]["convention"] == "pytorch" and page["svg"].startswith("<svg")


def test_pdf(server, tmp_path):
    """The PDF is compiled from the TeX `--format tex` writes (the same view, compiled), as the command's is."""
    from helpers.rendering_cases import need

    need(shutil.which("pdflatex") is not None and shutil.which("pdftotext") is not None, "TeX and pdftotext")
    code, headers, answer = server.post("/api/show", {**SLIDE_BODY, "format": "pdf"}, timeout=120)
    assert code == 200 and headers["content-type"] == "application/pdf" and answer.startswith(b"%PDF")
    (tmp_path / "api.pdf").write_bytes(answer)
    assert run_cli(["show", "mobilenetv2-block", *SLIDE, "--format", "pdf", "-o", "cli.pdf"], tmp_path)[0] == 0
    texts = [subprocess.run(["pdftotext", name, "-"], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
             for name in ("api.pdf", "cli.pdf")]
    assert texts[0] == texts[1] and "348" in texts[0]


def test_request_errors(server):
    for body, what in ((b"{", "not JSON"), (b"[]", "a JSON object is expected"), ({"target": 3}, "target must be"),
                       ({}, "give one of target"), ({"target": "x.py"}, "built-in name"),
                       ({"target": "mobilenetv2-block", "format": "doc"}, "format must be one of"),
                       ({"target": "mobilenetv2-block", "set": {"C_in": 1.5}}, "C_in must be text or an integer"),
                       ({"target": "mobilenetv2-block", "bogus": 1}, "unknown field 'bogus'"),
                       (b"\xff", "not UTF-8")):
        code, headers, answer = server.post("/api/show", body)
        assert code == 422 and headers["content-type"] == "application/json", (body, answer)
        line = json.loads(answer)["error"]
        assert line.startswith("derive: error: request: ") and what in line and "\n" not in line, line


def test_too_large(server):
    big = {"source": "x = 1\n" * 50_000, "kind": "python"}
    code, _, answer = server.post("/api/show", big)
    assert code == 413 and json.loads(answer) == {"error": "derive: error: request: larger than 262,144 bytes"}
    code, _, answer = server.post("/api/show", iter([b'{"source": "', b"a" * 200_000, b"a" * 100_000, b'"}']))
    assert code == 413 and json.loads(answer) == {"error": "derive: error: request: larger than 262,144 bytes"}
    assert server.get("/healthz")[0] == 200


def test_not_found_is_json(server):
    for method, path, status in (("GET", "/nope", 404), ("GET", "/api/show", 405), ("DELETE", "/api/list", 405),
                                 ("GET", "/static/../pyproject.toml", 404), ("GET", "/static/nope.js", 404)):
        code, headers, answer = server.request(method, path)
        assert code == status and headers["content-type"] == "application/json", (path, answer)
        line = json.loads(answer)["error"]
        assert line.startswith(f"derive: error: request: {method} /") and "\n" not in line, line


def test_static_files(server):
    folder = ROOT / "derive" / "web" / "static"
    files = [path for path in folder.rglob("*") if path.is_file()]
    assert any(path.suffix == ".woff2" for path in files) and (folder / "page.js").is_file()
    for path in files:
        code, headers, answer = server.get(f"/static/{path.relative_to(folder).as_posix()}")
        assert (code, answer) == (200, path.read_bytes()), path
        media = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".woff2": "font/woff2"}
        assert headers["content-type"] == media.get(path.suffix, headers["content-type"]), (path, headers)
        assert headers["x-content-type-options"] == "nosniff"
    code, headers, _ = server.get("/static/page.js")
    code, again, answer = server.get("/static/page.js", headers={"If-None-Match": headers["etag"]})
    assert (code, answer) == (304, b"")


def test_host_header(server):
    for host in ("evil.example", "evil.example:80", "127.0.0.1.evil.example", ""):
        code, _, answer = server.get("/", headers={"Host": host})
        assert code == 400, host
    for host in ("127.0.0.1", "localhost", f"localhost:{server.port}", "[::1]:80"):
        assert server.get("/healthz", headers={"Host": host})[0] == 200, host


def test_headers_on_the_page(server):
    code, headers, answer = server.get("/")
    assert code == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert "script-src 'self';" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"].split("script-src")[1].split(";")[0]
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    health = json.loads(server.get("/healthz")[2])
    assert health["ok"] is True and isinstance(health["tex"], bool)


def test_time_limit_replaces_the_worker():
    with running("--job-seconds", "0.05", "--workers", "1") as slow:
        code, _, answer = slow.post("/api/show", {"target": "mobilenetv2", "set": {"alpha": "3/4"}})
        assert code == 422
        assert json.loads(answer) == {"error": "derive: error: took longer than 0.05 s and was stopped "
                                               "(the input is too large or too complex)"}
        wait_healthy(slow)
        answers = [slow.post("/api/show", {"target": "mobilenetv1-block", "set": {"C_in": str(n)}}) for n in (1, 2, 3)]
        assert any(code == 200 for code, _, _ in answers), answers  # a block takes ~15 ms (the limit 50 ms)
        assert slow.process.poll() is None


# -- the hostile-input corpus (tests/test_hostile.py), through the API ------------------------------------
def hostile_cases():
    from test_hostile import corpus

    return corpus()


HOSTILE = hostile_cases()
SLOW = 0.3  # s: a case the command itself takes this long over may meet the server's 2 s limit on a busy machine


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_hostile_corpus(server, tmp_path, case):
    """Each case answered as the command answers it (200 with its output, or 422 with its line: the file
    pasted is the command's `pasted.py`), never a traceback, the server answering after it."""
    import time

    from derive.readers import _TOML_HEADER

    argv = list(case.argv)
    if case.text is not None:
        data = case.text.encode("utf-8", "surrogatepass") if isinstance(case.text, str) else case.text
        toml = case.suffix == ".toml" or (case.stdin and _TOML_HEADER.search(data.decode("utf-8", "replace")))
        path = tmp_path / ("pasted.toml" if toml else "pasted.py")
        path.write_bytes(data)
        argv[argv.index("-" if case.stdin else "FILE")] = str(path)
    endpoint, body, pasted = body_of(argv)
    start = time.perf_counter()
    status, out, err = run_cli([argv[0], pasted or argv[1], *argv[2:]], tmp_path)
    seconds = time.perf_counter() - start
    sent = json.dumps(body).encode("utf-8")
    code, _, answer = server.post(f"/api/{endpoint}", sent)
    if len(sent) > 256 * 1024:
        assert (status, code) == (2, 413), case.name
    elif status == 0:
        assert (code, answer.decode("utf-8")) == (200, out), case.name
    else:
        assert code == 422, (case.name, answer[:300])
        line = json.loads(answer)["error"]
        if line.startswith("derive: error: took longer than 2 s"):
            assert seconds > SLOW, (case.name, seconds, err)
        else:
            assert line == err.strip().splitlines()[-1], case.name
    assert not any("Traceback" in line for line in server.log), server.log[-20:]
    assert server.get("/healthz")[0] == 200


# -- the processes: workers replaced when they die, all gone after Ctrl-C -----------------------------------
def descendants(pid: int) -> set[int]:
    """Every process below `pid` (the fork server and the workers under the server)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def living(pids: set[int]) -> dict[int, str]:
    """Those of `pids` still running (not zombies: a container's init may be slow to reap), with their command."""
    alive = {}
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                alive[pid] = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            pass
    return alive


def workers_of(server) -> set[int]:
    return {pid for pid in descendants(server.process.pid)
            if "forkserver" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1] != str(server.process.pid)}


def kill(pids: set[int]) -> None:
    """SIGKILL, and wait until they are gone (reaped by the fork server: the server can tell)."""
    import signal
    import time

    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_dead_workers_are_replaced_and_ctrl_c_ends_them_all():
    import threading
    import time

    from helpers.server import stop

    with running("--workers", "2", "--job-seconds", "30") as own:
        first = workers_of(own)
        assert len(first) == 2, first
        kill(first)  # killed while idle: once they are gone, the next jobs go to their replacements
        for n in (5, 6, 7):
            code, _, answer = own.post("/api/show", {"target": "mobilenetv1-block", "set": {"C_in": str(n)}})
            assert code == 200, answer
        answers = []
        asking = threading.Thread(target=lambda: answers.append(own.post("/api/page", {"target": "efficientnet-b7"})))
        asking.start()
        time.sleep(0.4)  # the job is running (it takes over a second): its worker is killed under it (the other too)
        kill(workers_of(own))
        asking.join(60)
        code, _, answer = answers[0]
        assert code == 422 and json.loads(answer)["error"] == (
            "derive: error: the worker stopped (signal SIGKILL) and was replaced (the input is too large or too complex)")
        wait_healthy(own)
        code, _, answer = own.post("/api/show", {"target": "mobilenetv1-block", "set": {"C_in": "8"}})
        assert code == 200, answer
        deadline = time.monotonic() + 30
        while len(workers_of(own)) != 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers_of(own)) == 2
        everything = descendants(own.process.pid)
        assert stop(own.process) in (0, 130)
        deadline = time.monotonic() + 10
        while living(everything) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not living(everything), "processes left after Ctrl-C"
        assert not any("Traceback" in line for line in own.log), own.log


def test_without_the_web_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # `import uvicorn` fails as it does without the extra
    status, out, err = run_cli(["serve", "--port", "0"])
    assert (status, out, err) == (3, "", "derive: error: serve: needs the web extra: pip install 'derive[web]'\n")


def test_any_host_warns(monkeypatch):
    need_web()
    import derive.web.app

    started = []
    monkeypatch.setattr(derive.web.app, "serve", lambda *args: started.append(args))
    status, _, err = run_cli(["serve", "--host", "0.0.0.0", "--port", "0", "--allow-host", "box.local"])
    assert status == 0 and started == [("0.0.0.0", 0, False, ("box.local",), 2, 2.0, 280)]
    assert err.startswith("derive: warning: serve: --host 0.0.0.0 ") and err.count("\n") == 1
    monkeypatch.undo()
    for argv in (["--port", "70000"], ["--workers", "0"], ["--host", "no such host"]):
        status, _, err = run_cli(["serve", *argv])
        assert status == 2 and err.startswith("derive: error: ") and err.count("\n") == 1, err


def test_out_of_memory_is_the_command_s_line():
    """A worker that runs out of its address space answers with the command's memory line (naming its own
    limit), exits, and is replaced. (A limit of 100 MiB here, so that a long pasted Sequential reaches it.)"""
    source = "import torch.nn as nn\nmodel = nn.Sequential(" + "nn.Linear(8, 8), nn.ReLU(), " * 3000 + ")\n"
    with running("--worker-mib", "100", "--job-seconds", "60", "--workers", "1") as small:
        code, _, answer = small.post("/api/show", {"source": source, "format": "markdown"}, timeout=120)
        assert (code, json.loads(answer)) == (422, {"error": "derive: error: needed more than the 100 MiB of memory "
                                                             "derive allows itself (the input is too large or too complex)"})
        code, _, answer = small.post("/api/show", {**SLIDE_BODY, "format": "text"})
        assert code == 200 and "348" in answer.decode()
        assert not any("Traceback" in line for line in small.log), small.log


def test_workers_that_cannot_start_are_one_line(tmp_path):
    """Too little memory for a worker to warm up: exit 3 and one line, before anything listens."""
    need_web()
    done = subprocess.run([sys.executable, "-m", "derive", "serve", "--port", "0", "--worker-mib", "64"], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (3, "")
    assert done.stderr == ("derive: error: serve: the workers did not start: needed more than the 64 MiB of memory "
                           "derive allows itself (the input is too large or too complex)\n")


def test_a_job_whose_client_went_away_is_dropped():
    """Once a worker is free, a job whose client has gone away (the page dropped it) is not run."""
    import asyncio
    from types import SimpleNamespace

    need_web()
    from derive.web.pool import Pool

    class Untouchable:
        def __getattr__(self, name):
            raise AssertionError(f"the worker was asked ({name})")

    async def scenario():
        pool = Pool(1)
        worker = SimpleNamespace(process=SimpleNamespace(is_alive=lambda: True), conn=Untouchable())
        pool.idle.put_nowait(worker)

        async def gone():
            return True

        answer = await pool.run("show", SLIDE_BODY, json.dumps(SLIDE_BODY), gone)
        assert answer.status == 499 and pool.idle.get_nowait() is worker and not pool.cache.items

    asyncio.run(scenario())
