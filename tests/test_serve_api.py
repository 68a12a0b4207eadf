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
from pathlib import Path

import pytest

from derive import cli
from derive.conventions import CONVENTIONS
from derive.presentation.formats import SHOW

from helpers.server import ROOT, running, wait_healthy

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
    files = sorted((ROOT / "examples").glob("*.py")) + sorted((ROOT / "examples").glob("*.toml"))
    assert len(files) >= 5
    for path in files:
        for fmt in ("json", "markdown"):
            same_as_cli(server, ["show", str(path), "--format", fmt], tmp_path)


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


def test_page_is_the_parts(server):
    body = {"target": "mobilenetv2-block", "set": {"C_in": "3", "t": "6", "C_out": "3"}, "convention": "keras"}
    code, _, answer = server.post("/api/page", body)
    assert code == 200
    page = json.loads(answer)
    for fmt in ("json", "markdown", "latex"):
        _, _, shown = server.post("/api/show", {**body, "format": fmt})
        assert (page["show"] if fmt == "json" else page[fmt]) == (json.loads(shown) if fmt == "json" else shown.decode())
    assert page["svg"] is None if "svg" not in SHOW else page["svg"].startswith("<svg")
    for convention in CONVENTIONS:
        _, _, shown = server.post("/api/show", {**body, "convention": convention})
        assert page["others"][convention] == json.loads(shown)["total"]["all"]
    assert page["others"]["keras"]["value"] == 426 and page["others"]["paper"]["value"] == 348


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
