"""Issue 12, files and streams: each attack run as the real `derive` process (tests/helpers/adversary.py).

Capped reads of regular files only (targets, claim files, standard input), `-o` writing regular files
only (umask, kept mode, never the input, `FOLDER/`, long names), standard streams closed or full,
control characters escaped in error lines, and the command's CPU budget.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.helpers.adversary import ROOT, Result, assert_bounded, attack

SIZES = ("--set", "C_in=3", "--set", "t=6", "--set", "C_out=3")
BLOCK = ("show", "mobilenetv2-block", *SIZES)
ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0
AS_NOBODY = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")  # root writes anywhere


def can_run_as_nobody() -> bool:
    if not ROOT_USER:
        return True
    if shutil.which("setpriv") is None:
        return False
    probe = subprocess.run([*AS_NOBODY, sys.executable, "-c", "import os, derive; print(os.getuid())"],
                           capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd="/")
    return probe.returncode == 0 and probe.stdout.strip() == "65534"


def error_line(result: Result) -> str:
    assert_bounded(result)
    assert result.status == 2 and result.out == "", result.err
    return result.err


def run_with(argv: list[str], directory: Path, *, stdout=subprocess.DEVNULL, close_stdout: bool = False,
             nobody: bool = False) -> Result:
    """`derive ARGV` with standard output sent to `stdout` (a file object) or closed; `nobody`: as the
    user nobody (for a root test run)."""

    def before() -> None:
        if close_stdout:
            os.close(1)

    env = {**os.environ, "PYTHONPATH": str(ROOT), "KERAS_BACKEND": "torch"}
    started = time.monotonic()
    process = subprocess.Popen([*(AS_NOBODY if nobody else ()), sys.executable, "-m", "derive", *argv],
                               cwd=directory, env=env,
                               stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE,
                               preexec_fn=before)
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.stderr.close()
    return Result(tuple(argv), os.waitstatus_to_exitcode(status), "", err.decode("utf-8", "replace"),
                  usage.ru_utime + usage.ru_stime, time.monotonic() - started, usage.ru_maxrss / 1024, False)


# -- reading: regular files only, at most the limit -----------------------------------------------------
def test_claim_file_dev_zero_is_refused_before_reading(tmp_path):
    err = error_line(attack(["check", "mobilenetv2-block", *SIZES, "--claim-file", "/dev/zero"], tmp_path))
    assert err == "derive: error: --claim-file /dev/zero: is a character device, not a file\n"


@pytest.mark.parametrize("argv,message", [
    (["check", "mobilenetv2-block", *SIZES, "--claim-file", "pipe.txt"], "--claim-file pipe.txt: is a FIFO"),
    (["show", "pipe.py"], "pipe.py: is a FIFO (named pipe), not a file"),
    (["show", "pipe.toml"], "pipe.toml: is a FIFO (named pipe), not a file"),
], ids=["claim-file", "python target", "toml target"])
def test_a_fifo_is_refused_never_waited_on(tmp_path, argv, message):
    tmp_path.mkdir(exist_ok=True)
    os.mkfifo(tmp_path / argv[-1])
    result = attack(argv, tmp_path, timeout=20)
    assert message in error_line(result) and result.wall < 15


@pytest.mark.parametrize("argv,message", [
    (["check", "mobilenetv2-block", *SIZES, "--claim-file", "folder"], "--claim-file folder: is a directory"),
    (["show", "folder.py"], "folder.py: is a directory, not a file"),
], ids=["claim-file", "target"])
def test_a_directory_is_refused(tmp_path, argv, message):
    (tmp_path / argv[-1]).mkdir(parents=True)
    assert message in error_line(attack(argv, tmp_path))


def test_a_1_mb_claim_file_is_refused_fast(tmp_path):
    result = attack(["check", "mobilenetv2-block", *SIZES, "--claim-file", "big.txt"], tmp_path,
                    files={"big.txt": "expansion: 90\n" * 75_000})
    assert error_line(result) == "derive: error: big.txt: larger than 100,000 bytes\n"
    assert result.seconds < 1.5 and result.mebibytes < 150


@pytest.mark.parametrize("stdin,message", [
    (b"a" * 1_000_000, "<stdin>: file too large (over 200 KB)"),
    (b"\x00" * 300_000, "<stdin>: file too large (over 200 KB)"),
], ids=["1 MB of text", "NUL bytes"])
def test_standard_input_is_read_with_a_cap(tmp_path, stdin, message):
    assert message in error_line(attack(["show", "-"], tmp_path, stdin=stdin))


def test_standard_input_closed(tmp_path):
    err = error_line(attack(["show", "-"], tmp_path, close_stdin=True))
    assert err == "derive: error: <stdin>: standard input is closed\n"


def test_claim_file_from_closed_standard_input(tmp_path):
    err = error_line(attack(["check", "mobilenetv2-block", *SIZES, "--claim-file", "-"], tmp_path, close_stdin=True))
    assert err == "derive: error: --claim-file -: standard input is closed\n"


# -- standard output: full, closed, gone ----------------------------------------------------------------
@pytest.mark.parametrize("argv", [["list"], list(BLOCK), ["show", "mobilenetv2", "--format", "json"]],
                         ids=["list", "show", "show, larger than a buffer"])
def test_standard_output_full(tmp_path, argv):
    with open("/dev/full", "wb") as full:
        err = error_line(run_with(argv, tmp_path, stdout=full))
    assert err == "derive: error: standard output: cannot write: No space left on device\n"


def test_standard_output_closed(tmp_path):
    err = error_line(run_with(list(BLOCK), tmp_path, close_stdout=True))
    assert err == "derive: error: standard output: standard output is closed\n"


def test_standard_output_gone_is_quiet(tmp_path):
    """A reader that went away (`| head -1` before derive writes): status 1, nothing said, as before."""
    read, write = os.pipe()
    os.close(read)
    with os.fdopen(write, "wb") as broken:
        result = run_with(["show", "mobilenetv2", "--format", "json"], tmp_path, stdout=broken)
    assert_bounded(result)
    assert result.status == 1 and result.err == ""


# -- -o: regular files only ------------------------------------------------------------------------------
@pytest.mark.parametrize("output,message", [
    ("/proc/version", "-o /proc/version: '/proc' is not a folder for files (a kernel file system)"),
    ("/sys/derive.txt", "-o /sys/derive.txt: '/sys' is not a folder for files"),
    ("/dev/null", "-o /dev/null: is a character device: derive writes regular files only"),
    ("missing/x.txt", "-o missing/x.txt: directory 'missing' does not exist"),
    ("missing/", "-o missing/: no such folder (a trailing / names a folder, which must exist)"),
    ("a" * 256, f"-o {'a' * 256}: the file name is longer than 255 bytes"),
], ids=["/proc/version", "/sys", "/dev/null", "missing folder", "missing folder/", "256-character name"])
def test_output_refused(tmp_path, output, message):
    assert message in error_line(attack([*BLOCK, "-o", output], tmp_path))
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    assert list(tmp_path.iterdir()) == []


def test_output_onto_a_fifo_is_refused_and_the_fifo_stays(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    assert "-o pipe: is a FIFO (named pipe): derive writes regular files only" in \
        error_line(attack([*BLOCK, "-o", "pipe"], tmp_path))
    assert stat.S_ISFIFO(os.lstat(tmp_path / "pipe").st_mode)


@pytest.mark.parametrize("link", ["/proc/self/fd/1", "/dev/null", "/dev/zero"])
def test_output_onto_a_symlink_to_a_special_file_is_refused(tmp_path, link):
    (tmp_path / "link").symlink_to(link)
    err = error_line(attack([*BLOCK, "-o", "link"], tmp_path))
    assert "-o link: is " in err and "derive writes regular files only" in err
    assert os.readlink(tmp_path / "link") == link


@pytest.mark.parametrize("output,message", [
    ("locked/x.txt", "-o locked/x.txt: cannot write: Permission denied"),
    ("locked/", "-o locked/mobilenetv2-block.txt: cannot write: Permission denied"),
    ("/etc/passwd", "-o /etc/passwd: cannot write: Permission denied"),
], ids=["folder", "folder/", "a system file"])
def test_output_into_an_unwritable_folder(output, message):
    """As a user who may not write there (root runs the child as nobody: root writes anywhere)."""
    if not can_run_as_nobody():
        pytest.skip("running as root, and the child cannot be run as nobody here")
    folder = Path(tempfile.mkdtemp(prefix="derive-io-"))
    try:
        folder.chmod(0o755)
        (folder / "locked").mkdir(mode=0o555)
        (folder / "locked").chmod(0o555)
        before = Path("/etc/passwd").read_bytes()
        assert message in error_line(run_with([*BLOCK, "-o", output], folder, nobody=ROOT_USER))
        assert list((folder / "locked").iterdir()) == [] and Path("/etc/passwd").read_bytes() == before
    finally:
        (folder / "locked").chmod(0o755)
        shutil.rmtree(folder)


def test_output_with_a_250_character_name(tmp_path):
    name = "n" * 250
    result = attack([*BLOCK, "-o", name], tmp_path)
    assert_bounded(result)
    assert result.status == 0 and result.err == ""
    assert [p.name for p in tmp_path.iterdir()] == [name] and "= 348" in (tmp_path / name).read_text()


def test_output_new_file_takes_the_umask(tmp_path):
    mask = os.umask(0o022)
    os.umask(mask)
    result = attack([*BLOCK, "-o", "new.txt"], tmp_path)
    assert_bounded(result)
    assert result.status == 0
    assert stat.S_IMODE(os.stat(tmp_path / "new.txt").st_mode) == 0o666 & ~mask


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_output_keeps_an_existing_files_mode(tmp_path, mode):
    existing = tmp_path / "old.txt"
    existing.write_text("old\n")
    existing.chmod(mode)
    result = attack([*BLOCK, "-o", "old.txt"], tmp_path)
    assert_bounded(result)
    assert result.status == 0 and "= 348" in existing.read_text()
    assert stat.S_IMODE(os.stat(existing).st_mode) == mode
    assert [p.name for p in tmp_path.iterdir()] == ["old.txt"]


@pytest.mark.parametrize("output", ["block.py", "./block.py", "same.py"], ids=["itself", "./itself", "hard link"])
def test_output_never_overwrites_the_input(tmp_path, output):
    code = "from torch import nn\nmodel = nn.Conv2d(3, 8, 1)\n"
    tmp_path.mkdir(exist_ok=True)
    (tmp_path / "block.py").write_text(code)
    if output == "same.py":
        os.link(tmp_path / "block.py", tmp_path / "same.py")
    err = error_line(attack(["show", "block.py", "-o", output], tmp_path))
    assert f"-o {output}: is the input block.py: derive does not overwrite its input" in err
    assert (tmp_path / "block.py").read_text() == code


def test_output_to_a_folder_with_a_trailing_slash(tmp_path):
    (tmp_path / "folder").mkdir(parents=True)
    result = attack([*BLOCK, "--format", "markdown", "-o", "folder/"], tmp_path)
    assert_bounded(result)
    assert result.status == 0 and result.err == "derive: wrote folder/mobilenetv2-block.md\n"
    assert [p.name for p in (tmp_path / "folder").iterdir()] == ["mobilenetv2-block.md"]


def test_pdf_when_out_is_a_file(tmp_path):
    err = error_line(attack([*BLOCK, "--format", "pdf"], tmp_path, files={"out": "a file\n"}))
    assert err == ("derive: error: --format pdf: 'out' is not a folder, so the PDF has nowhere to go: "
                   "give -o FILE\n")
    assert (tmp_path / "out").read_text() == "a file\n"


# -- error lines: control characters escaped -------------------------------------------------------------
@pytest.mark.parametrize("argv,shown", [
    ([*BLOCK, "--option", "x\n\x1b[31m=1"], "--option x\\n\\x1b[31m=1: 'x\\n\\x1b[31m' is not a name"),
    (["show", "a\nb\x1b[2J.py"], "a\\nb\\x1b[2J.py: no such file"),
    (["check", "mobilenetv2-block", *SIZES, "--claim-file", "c\r\x1b]0;pwned\x07"],
     "--claim-file c\\r\\x1b]0;pwned\\x07: no such file"),
    ([*BLOCK, "-o", "missing\n/x\x1b.txt"], "-o missing\\n/x\\x1b.txt: directory 'missing\\n' does not exist"),
    (["show", "\u202eyp.txt"], "'\\u202eyp.txt'"),
    ([*BLOCK, "--set", "C_in=\x9b31m"], "\\x9b31m"),
], ids=["--option", "target", "--claim-file", "-o", "bidi override", "C1 control"])
def test_control_characters_are_escaped_in_error_lines(tmp_path, argv, shown):
    err = error_line(attack(argv, tmp_path))
    assert shown in err
    assert not any(c in err[:-1] for c in "\n\r\x1b\x07\x9b\u202e")


# -- the command's budget ------------------------------------------------------------------------------
def test_a_long_claim_is_stopped_within_the_budget(tmp_path):
    """`**8` took ~10 s before issue 12: the claim's cost is known before it is built, so it is refused at
    once, within the corpus bound."""
    result = attack(["check", "mobilenetv2-block", "--claim", "(C_in+t+k+C_out+1)**8"], tmp_path)
    assert_bounded(result)
    assert result.status == 2  # the cost model refuses it before anything is multiplied out
    assert result.err == "derive: error: --claim: 1:1: expression too large (over 256 terms once multiplied out)\n"


def test_the_5000_module_bench_file_is_within_the_budget(tmp_path):
    """The budget grows with the target file: the largest ordinary input the README times still passes."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from run import sequential_code
    finally:
        sys.path.remove(str(ROOT / "bench"))
    result = attack(["show", "seq.py"], tmp_path, files={"seq.py": sequential_code(5000)})
    assert result.status == 0 and "Traceback" not in result.err, result.err[-500:]


def test_the_budget_is_the_commands_not_the_librarys():
    """`cli.main` in-process (the tests, a notebook) arms no timer and no memory limit."""
    import resource
    import signal

    from derive.cli import main

    assert main(["list"]) == 0
    assert signal.getitimer(signal.ITIMER_PROF) == (0.0, 0.0) and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY


@pytest.mark.parametrize("raised,message", [
    ("memory", ("derive: error: needed more than the 280 MiB of memory derive allows itself "
                "(the input is too large or too complex)\n")),
    ("cpu", "derive: error: took longer than 2.5 s of CPU time and was stopped (the input is too large or too complex)\n"),
    ("wall", "derive: error: took longer than 300 s and was stopped\n"),
], ids=["MemoryError", "CPU timer", "wall-clock timer"])
def test_over_budget_is_one_line(monkeypatch, capsys, raised, message):
    """What the limits raise (`RLIMIT_AS` → MemoryError, the SIGPROF timer → OverBudget) is one line, exit 2."""
    from derive import budget, cli

    def over(args):
        if raised == "memory":
            raise MemoryError
        (budget._cpu if raised == "cpu" else budget._wall)(0, None)

    monkeypatch.setattr(cli, "run", over)
    assert cli.main(["list"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == message
