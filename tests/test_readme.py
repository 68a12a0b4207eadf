"""The README shows real output: every `$ derive ...` example is run and compared, character for character."""

from __future__ import annotations

import ast
import json
import re
import shlex
from pathlib import Path

import pytest

import derive
from derive.cli import main

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```(\w+)\n(.*?)```", README, flags=re.S)


def examples():
    """(command, shown output, the block after it) for every `$ derive` line of a console block."""
    for index, (kind, body) in enumerate(BLOCKS):
        if kind != "console":
            continue
        chunks = re.split(r"^\$ ", body, flags=re.M)[1:]
        for chunk in chunks:
            command, _, output = chunk.partition("\n")
            following = BLOCKS[index + 1] if index + 1 < len(BLOCKS) else ("", "")
            yield command, output, following


CASES = list(examples())


def run(capsys, command: str) -> str:
    argv = shlex.split(command)
    assert argv[0] == "derive"
    main(argv[1:])
    out, err = capsys.readouterr()
    return out + err


@pytest.mark.parametrize("command,shown,following", CASES, ids=[c[0][:60] for c in CASES])
def test_console_example_is_real_output(capsys, command, shown, following):
    actual = run(capsys, command)
    if shown:
        assert actual == shown
    else:  # the output is quoted in part in the next block: a piece of Markdown, or a `"key": {...}` of the JSON total
        kind, fragment = following
        if kind in ("markdown", "md"):
            assert fragment in actual
            return
        assert kind == "json"
        quoted = json.loads("{" + fragment + "}")
        total = json.loads(actual)["total"]
        assert {key: total[key] for key in quoted} == quoted


def test_python_example_comments_are_true():
    (code,) = [body for kind, body in BLOCKS if kind == "python"]
    scope: dict = {}
    for line in code.splitlines():
        statement, _, comment = line.partition("  #")
        if not statement.strip():
            continue
        exec(statement, scope)  # the README's own example code, not user input
        try:
            expected = ast.literal_eval(comment.strip())
        except (ValueError, SyntaxError):
            continue
        assert eval(statement.strip(), scope) == expected, line


def test_images_are_there():
    """Every picture the README shows is in the repository, a PNG (the pages of `derive show mobilenetv2
    --format pdf`, made with `pdftoppm -png -r 72`)."""
    root = Path(__file__).resolve().parents[1]
    images = re.findall(r'<img src="([^"]+)"', README) + re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README)
    assert images
    for image in images:
        assert (root / image).read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), image


def _network_rows():
    """(network, numbers in its row) for each row of a README table that starts with a built-in network's name
    at its defaults (no sizes or options in the first cell but the name and its reference names)."""
    from derive.library import catalog

    networks = {name for name, e in catalog().items() if e.target}
    for line in README.splitlines():
        cell = line.split("|")[1].strip() if line.startswith("| `") else ""
        names = re.findall(r"`([^`]+)`", cell)
        if not names or names[0] not in networks or re.sub(r"\(`[^`]+`\)|`[^`]+`|[ ,/]", "", cell.replace("and", "")):
            continue  # not a network, or a cell with sizes or several networks (`vgg11` / `vgg11-bn`)
        yield names[0], {int(n.replace(",", "")) for n in re.findall(r"\d[\d,]{3,}", line)}


ROWS = list(_network_rows())


def test_the_network_tables_give_derives_figures():
    """Each network's row in the README's tables shows the parameters derive gives at the defaults (and its
    MACs, when the row has a MACs column at 224×224 and the network's default is 224×224): the tables are
    written by hand, so they are held to the code here, as the console examples are."""
    assert len(ROWS) >= 15
    for name, numbers in ROWS:
        d = derive.show(name)
        assert d.total["all"].value in numbers, (name, d.total["all"].value, sorted(numbers))


def test_api_example_is_real_output():
    """The README's `curl … /api/show -d '{…}' | jq .total.all.value` answers the number under it, asked of
    the function a worker of `derive serve` runs for that request (derive/web/jobs.py)."""
    from derive.web.jobs import answer

    (body, path, shown), = re.findall(r"curl -s localhost:8000/api/show -d '(\{.*?\})' \| jq (\S+)\n# (\S+)\n", README)
    result = answer("show", json.loads(body))
    assert result.status == 200
    value = json.loads(result.body)
    for key in path.strip(".").split("."):
        value = value[key]
    assert str(value) == shown


def test_course_walkthrough_files_are_real_output(tmp_path, capsys):
    """The course kit's walk-through quotes two files the commands above it write, `key.csv` and a student's
    feedback: the same commands (without the PDFs) write them, byte for byte, and the roster it shows is the
    file it names."""
    root = Path(__file__).resolve().parents[1]
    section = README[README.index("## The course kit"):README.index("## The library")]
    blocks = re.findall(r"```(\w+)\n(.*?)```", section, flags=re.S)
    (exercise,) = [c for c, _, _ in CASES if c.startswith("derive exercise") and "--students" in c]
    (grade,) = [c for c, _, _ in CASES if c.startswith("derive grade")]
    roster, key_csv = [body for kind, body in blocks if kind == "csv"]
    (feedback,) = [body for kind, body in blocks if kind == "markdown"]
    assert (root / "examples/course/roster.csv").read_text(encoding="utf-8") == roster
    out = tmp_path / "course"

    def moved(command: str) -> list[str]:
        argv = shlex.split(command)[1:]
        argv = [str(root / a) if a.startswith("examples/") else a for a in argv]
        argv = [str(out / a.removeprefix("out/course/")) if a.startswith("out/course/") else a for a in argv]
        return [str(out) if a == "out/course" else a for a in argv] + ["--no-pdf"]

    assert main(moved(exercise)) == 0
    assert main(moved(grade)) == 0
    capsys.readouterr()
    assert (out / "key.csv").read_text(encoding="utf-8") == key_csv
    name = re.match(r"# Feedback for (\S+)\n", feedback).group(1)
    assert (out / "grades" / "feedback" / f"{name}.md").read_text(encoding="utf-8") == feedback
