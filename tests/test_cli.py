"""The command line as a user meets it: output, exit statuses, one-line errors, atomic files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import derive
from derive.cli import main

SLIDE = ["--set", "C_in=3", "--set", "t=6", "--set", "C_out=3"]


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_names_every_builtin(capsys):
    status, out, _ = run(capsys, "list")
    assert status == 0
    assert "mobilenetv2-block" in out and "mobilenetv1-block" in out
    status, out, _ = run(capsys, "list", "--format", "json")
    assert {entry["name"] for entry in json.loads(out)} >= {"mobilenetv2-block", "mobilenetv1-block"}


def test_show_text_has_table_closed_form_and_other_conventions(capsys):
    status, out, _ = run(capsys, "show", "mobilenetv2-block", *SLIDE)
    assert status == 0
    assert "C_in·t·(C_in + C_out + k² + 4) + 2·C_out = 3·6·(3 + 3 + 3² + 4) + 2·3 = 348" in out
    assert "3·3·18" in out and "162" in out  # the depthwise weights, substituted
    assert "426 (348 trainable + 78 non-trainable" in out  # what Keras would say
    assert "348, plus 81 in buffers" in out  # what PyTorch would say


def test_show_json_is_the_contract(capsys):
    status, out, _ = run(capsys, "show", "mobilenetv2-block", *SLIDE, "--convention", "keras", "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["convention"] == "keras"
    assert (data["total"]["all"]["value"], data["total"]["non_trainable"]["value"]) == (426, 78)


def test_bias_option(capsys):
    status, out, _ = run(capsys, "show", "mobilenetv2-block", *SLIDE, "--convention", "keras",
                         "--option", "bias=true", "--format", "json")
    assert json.loads(out)["total"]["all"]["value"] == 465


def test_output_file_is_written_whole(tmp_path, capsys):
    target = tmp_path / "d.json"
    status, out, _ = run(capsys, "show", "mobilenetv2-block", *SLIDE, "--format", "json", "-o", str(target))
    assert status == 0 and out == ""
    assert json.loads(target.read_text())["total"]["all"]["value"] == 348
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]  # no temporary file left behind


BAD = {
    "unknown symbol": (["show", "mobilenetv2-block", "--set", "n=3"], "--set n: unknown symbol 'n'"),
    "zero channels": (["show", "mobilenetv2-block", "--set", "C_in=0"], "--set C_in: C_in (input channels) must be a positive integer"),
    "negative channels": (["show", "mobilenetv2-block", "--set", "C_out=-4"], "must be a positive integer"),
    "fractional channels": (["show", "mobilenetv2-block", "--set", "C_in=7/2"], "must be a positive integer, got 7/2"),
    "decimal channels": (["show", "mobilenetv2-block", "--set", "C_in=2.5"], "--set C_in=2.5"),
    "no equals": (["show", "mobilenetv2-block", "--set", "C_in"], "--set C_in: expected NAME=VALUE"),
    "no value": (["show", "mobilenetv2-block", "--set", "C_in="], "expected NAME=VALUE"),
    "no name": (["show", "mobilenetv2-block", "--set", "=3"], "is not a name"),
    "twice": (["show", "mobilenetv2-block", "--set", "t=2", "--set", "t=3"], "t is set twice"),
    "garbage value": (["show", "mobilenetv2-block", "--set", "C_in=3+"], "--set C_in=3+"),
    "code in value": (["show", "mobilenetv2-block", "--set", "C_in=__import__('os').system('touch pwned')"], "--set C_in="),
    "unknown name in value": (["show", "mobilenetv2-block", "--set", "C_out=C_inn"], "unknown name 'C_inn'"),
    "self reference": (["show", "mobilenetv2-block", "--set", "C_out=C_out+1"], "C_out"),
    "loop": (["show", "mobilenetv2-block", "--set", "C_out=C_in", "--set", "C_in=C_out"], "refer to each other"),
    "unknown target": (["show", "mobilenetv2-blok"], "unknown target 'mobilenetv2-blok'; did you mean 'mobilenetv2-block'?"),
    "unknown convention": (["show", "mobilenetv2-block", "--convention", "tf"], "--convention"),
    "unknown format": (["show", "mobilenetv2-block", "--format", "docx"], "--format"),
    "unknown option": (["show", "mobilenetv2-block", "--option", "se=true"], "unknown option 'se'"),
    "bad option value": (["show", "mobilenetv2-block", "--option", "bias=maybe"], "bias must be true or false"),
    "no command": ([], "usage"),
    "output dir missing": (["show", "mobilenetv2-block", "-o", "/nonexistent/dir/x.json"], "does not exist"),
}


@pytest.mark.parametrize("argv,message", BAD.values(), ids=BAD.keys())
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    status, out, err = run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert err.startswith("derive: error: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert message in err
    assert list(tmp_path.iterdir()) == []  # nothing written, nothing run


def test_console_script_end_to_end(tmp_path):
    """The real process: exit status 2 and no traceback on bad input, the table on good input."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    bad = subprocess.run([sys.executable, "-m", "derive", "show", "mobilenetv2-block", "--set", "C_in=x"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.startswith("derive: error: --set C_in=x: ")
    good = subprocess.run([sys.executable, "-m", "derive", "show", "mobilenetv2-block", *SLIDE],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert good.returncode == 0 and "= 348" in good.stdout


def test_console_script_exits_early_with_everything_written(tmp_path):
    """`derive.cli.entry` ends with os._exit: what it wrote is whole, its status is main's."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    derive_ = [sys.executable, "-m", "derive"]
    big = subprocess.run([*derive_, "show", "mobilenetv2", "--format", "json"], capture_output=True, text=True,
                         env=env, cwd=tmp_path)
    assert big.returncode == 0 and len(big.stdout) > 100_000  # more than a pipe holds at once
    assert json.loads(big.stdout)["total"]["all"]["value"] == derive.show("mobilenetv2").total["all"].value
    written = subprocess.run([*derive_, "show", "mobilenetv2", "--format", "markdown", "-o", "out.md"],
                             capture_output=True, text=True, env=env, cwd=tmp_path)
    assert written.returncode == 0 and written.stdout == ""
    assert (tmp_path / "out.md").read_text(encoding="utf-8") == derive.render(derive.show("mobilenetv2"), "markdown")
    wrong = subprocess.run([*derive_, "check", "mobilenetv2-block", *SLIDE, "--part", "depthwise", "--claim",
                            "(3*3*18)*18 + 2*18"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert wrong.returncode == 1 and "depthwise" in wrong.stdout
    reader = subprocess.Popen([*derive_, "show", "mobilenetv2", "--format", "json"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=env, cwd=tmp_path)
    assert reader.stdout.read(10) == b"{\n  \"targe"  # then the reader goes away
    reader.stdout.close()
    assert reader.wait(timeout=60) in (0, 1) and b"Traceback" not in reader.stderr.read()


@pytest.mark.parametrize("argv,absent", [(["--help"], ("sympy", "jinja2")), (["list"], ("sympy",))])
def test_quick_commands_import_little(argv, absent):
    """`derive --help` and `derive list` answer without importing what only a derivation needs."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    code = ("import sys\nfrom derive.cli import main\ntry:\n    main(%r)\nexcept SystemExit:\n    pass\n"
            "print(sorted(m for m in %r if m in sys.modules))" % (argv, absent))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert result.stdout.splitlines()[-1] == "[]"
