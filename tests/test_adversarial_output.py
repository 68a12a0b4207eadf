"""Issue 12, the output side, attacked as the real process (tests/helpers/adversary.py): `--templates`
runs nothing and reads nothing outside its folder, a template's failure is one line naming it and its
line, LaTeX compiles when every size is a number, Markdown makes no mentions or links, TeX prints
what it is given, `--title` is bounded."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from helpers.adversary import CANARY, assert_bounded, attack

ROOT = Path(__file__).resolve().parents[1]
TOUCH = f"touch {CANARY}"
SHOW = ("show", "mobilenetv2-block", "--set", "C_in=3", "--set", "t=6", "--set", "C_out=3")

# -- --templates: Jinja's sandbox ----------------------------------------------------------------------
ESCAPES = {  # ways out of a template to Python, each refused by the sandbox
    "cycler-globals": "{{ cycler.__init__.__globals__.os.system('" + TOUCH + "') }}",
    "lipsum-globals": "{{ lipsum.__globals__['os'].system('" + TOUCH + "') }}",
    "subclasses": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "format-string": "{{ '{0.__class__.__init__.__globals__}'.format(cycler) }}",
    "joiner-globals": "{{ joiner.__init__.__globals__.os.popen('" + TOUCH + "').read() }}",
    "namespace-mutation": "{% set ns = namespace() %}{{ ns.__init__.__globals__ }}",
    "dict-mutation": "{% set d = {} %}{% do d.update({'a': 1}) %}{{ d }}",
    "huge-string": "{{ 'x' * 1000000000 }}",
    "huge-power": "{{ 10 ** 100000000 }}",
    "power-tower": "{{ ((10 ** 200) ** 200) ** 200 }}",
    "nested-loops": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "doubling-concat": ("{% set ns = namespace(s='ab') %}"
                        "{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"),
    "wide-filter": "{{ 'x'|center(1000000000) }}",
    "wide-method": "{{ 'x'.ljust(1000000000) }}",
    "wide-format": "{{ '{:>999999999}'.format(1) }}",
    "wide-percent": "{{ '%999999999d' % 1 }}",
    "wide-format-filter": "{{ '%999999999d'|format(1) }}",
    "many-slices": "{{ [1]|slice(1000000000)|list|length }}",
    "deep-indent": "{{ 'a\\nb'|indent(1000000000) }}",
    "squaring": "{% set ns = namespace(x=10 ** 100) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}",
}
FLAVOURS = {  # the template overridden, the format it writes, how a statement is written in it
    "text": ("text/show.txt.j2", "text"),
    "markdown": ("markdown/show.md.j2", "markdown"),
    "latex": ("latex/show.tex.j2", "latex"),
    "explanation": ("explain/conv2d.md.j2", "markdown"),
    "svg": ("svg/diagram.svg.j2", "svg"),
}


def _in_flavour(source: str, flavour: str) -> str:
    if flavour != "latex":
        return source
    return source.replace("{{", r"\VAR{").replace("}}", "}").replace("{%", r"\BLOCK{").replace("%}", "}")


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("escape", ESCAPES)
def test_a_template_cannot_reach_python(escape, flavour, tmp_path):
    name, fmt = FLAVOURS[flavour]
    result = attack([*SHOW, "--format", fmt, "--templates", "t"], tmp_path,
                    files={f"t/{name}": "first line\n" + _in_flavour(ESCAPES[escape], flavour) + "\n"})
    assert_bounded(result)
    assert result.status == 2 and not result.out
    assert result.err.startswith(f"derive: error: t/{name}:2: ")
    refusals = ("unsafe", "immutable", "more than", "no attribute", "over 1,000,000")
    assert any(word in result.err for word in refusals), result.err


def _symlinked(tmp_path: Path, target: str, link: str = "t/text/show.txt.j2") -> None:
    path = tmp_path / link
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


@pytest.mark.parametrize("case", ["file-out", "folder-out", "include-out", "dotdot", "absolute"])
def test_a_template_reads_nothing_outside_its_folder(case, tmp_path):
    (tmp_path / "secret.txt").write_text("SECRET\n")
    files: dict[str, str] = {}
    if case == "file-out":
        _symlinked(tmp_path, "/etc/passwd")
    elif case == "folder-out":
        (tmp_path / "outside" / "text").mkdir(parents=True)
        (tmp_path / "outside" / "text" / "show.txt.j2").write_text("SECRET {{ title }}\n")
        _symlinked(tmp_path, str(tmp_path / "outside" / "text"), "t/text")
    elif case == "include-out":
        files["t/text/show.txt.j2"] = '{% include "leak.j2" %}\n'
        _symlinked(tmp_path, str(tmp_path / "secret.txt"), "t/leak.j2")
    elif case == "dotdot":
        files["t/text/show.txt.j2"] = '{% include "../secret.txt" %}\n'
    else:
        files["t/text/show.txt.j2"] = '{% include "' + str(tmp_path / "secret.txt") + '" %}\n'
    result = attack([*SHOW, "--templates", "t"], tmp_path, files=files)
    assert_bounded(result)
    assert result.status == 2 and "SECRET" not in result.out + result.err and "root:" not in result.out
    assert "leads outside the templates folder" in result.err or "not found" in result.err, result.err


def test_a_symlink_inside_the_folder_is_followed(tmp_path):
    files = {"t/mine.j2": "MINE {{ title }}\n"}
    (tmp_path / "t" / "text").mkdir(parents=True)
    (tmp_path / "t" / "text" / "show.txt.j2").symlink_to("../mine.j2")
    result = attack([*SHOW, "--templates", "t"], tmp_path, files=files)
    assert_bounded(result)
    assert result.status == 0 and result.out.startswith("MINE MobileNetV2")


def test_a_fifo_or_a_huge_template_is_refused(tmp_path):
    (tmp_path / "t" / "text").mkdir(parents=True)
    os.mkfifo(tmp_path / "t" / "text" / "show.txt.j2")
    result = attack([*SHOW, "--templates", "t"], tmp_path, timeout=20)
    assert_bounded(result)
    assert result.status == 2 and "is not a regular file" in result.err
    big = tmp_path / "big"
    result = attack([*SHOW, "--templates", "t"], big, files={"t/text/show.txt.j2": "{# " + "x" * 200_000 + " #}"})
    assert_bounded(result)
    assert result.status == 2 and "over 100,000 bytes" in result.err


BROKEN = {  # a broken template -> the line it names and the gist of the message
    "syntax": ("ok\n{% if %}\n", 2, "Expected an expression"),
    "undefined": ("ok\n\n{{ nothing_here }}\n", 3, "'nothing_here' is undefined"),
    "zero-division": ("{{ 1 / 0 }}\n", 1, "ZeroDivisionError: division by zero"),
    "missing-include": ("a\n{% include 'nope.j2' %}\n", 2, "template 'nope.j2' not found"),
    "self-include": ("{% include 'text/show.txt.j2' %}\n", 1, "nested too deeply"),
    "recursive-macro": ("{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}\n", 1, "nested too deeply"),
    "security": ("{{ title.__class__ }}\n", 1, "unsafe"),
    "control-in-message": ("{{ nothing\x1b[31m }}\n", 1, ""),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_template_is_one_line_naming_it(case, tmp_path):
    source, line, gist = BROKEN[case]
    result = attack([*SHOW, "--templates", "t"], tmp_path, files={"t/text/show.txt.j2": source})
    assert_bounded(result)
    assert result.status == 2 and not result.out
    assert result.err.startswith("derive: error: t/text/show.txt.j2:"), result.err
    if case not in ("recursive-macro", "control-in-message"):
        assert result.err.startswith(f"derive: error: t/text/show.txt.j2:{line}: "), result.err
    assert gist in result.err and result.err.count("\n") == 1


def test_a_broken_built_in_include_names_the_user_template(tmp_path):
    """An override of latex/common.tex.j2 that the built-in show.tex.j2 imports: the error names it."""
    result = attack([*SHOW, "--format", "latex", "--templates", "t"], tmp_path,
                    files={"t/latex/common.tex.j2": "ok\n\\VAR{1 // 0}\n"})
    assert_bounded(result)
    assert result.status == 2 and result.err.startswith("derive: error: t/latex/common.tex.j2:2: ZeroDivisionError")


def test_overrides_still_work(tmp_path):
    files = {"t/text/show.txt.j2": "{{ title }}: {{ total.all.value }} parameters\n",
             "t/explain/conv2d.md.j2": ("My convolution\n"
                                        "Mine: {{ first.name|code }} {% for x in [1, 2] %}{{ x }}{% endfor %}\n")}
    text = attack([*SHOW, "--templates", "t"], tmp_path, files=files)
    assert_bounded(text)
    assert text.status == 0 and text.out == "MobileNetV2 bottleneck: 348 parameters\n"
    markdown = attack([*SHOW, "--format", "markdown", "--templates", "t"], tmp_path)
    assert_bounded(markdown)
    assert markdown.status == 0 and "- **My convolution.** Mine: `expand` 12" in markdown.out


# -- LaTeX when every size is a number ------------------------------------------------------------------
NUMERIC = {
    "torch": ("net.py", "import torch.nn as nn\nmodel = nn.Sequential(nn.Conv2d(8, 8, 1), nn.Conv2d(8, 8, 1))\n"),
    "keras": ("net.py", ("import keras\nfrom keras import layers\nmodel = keras.Sequential(["
                         "keras.Input((8, 8, 3)), layers.Conv2D(8, 3), layers.Dense(4)])\n")),
}


@pytest.mark.parametrize("case", NUMERIC)
def test_latex_has_no_blank_line_in_align(case, tmp_path):
    name, source = NUMERIC[case]
    result = attack(["show", name, "--format", "latex"], tmp_path, files={name: source})
    assert_bounded(result)
    assert result.status == 0
    inside = result.out.split(r"\begin{align*}")[1].split(r"\end{align*}")[0]
    assert "\n\n" not in inside


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="TeX is not installed")
@pytest.mark.parametrize("case", NUMERIC)
def test_an_all_numeric_block_compiles(case, tmp_path):
    name, source = NUMERIC[case]
    result = attack(["show", name, "--format", "pdf", "-o", "out.pdf"], tmp_path, files={name: source}, timeout=180)
    assert result.status == 0, result.err
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


# -- Markdown for forums, TeX, titles -------------------------------------------------------------------
def test_markdown_makes_no_mention_or_link(tmp_path):
    title = "Ping @everyone and @octocat: see https://evil.example/x, www.evil.example or me@evil.example"
    result = attack([*SHOW, "--format", "markdown", "--title", title], tmp_path)
    assert_bounded(result)
    heading = result.out.splitlines()[0]
    assert result.status == 0 and heading.startswith("### Ping @\u200beveryone and @\u200boctocat")
    assert "https:\u200b//evil.example/x" in heading and "www\u200b.evil" in heading and "me@\u200bevil" in heading
    assert heading.replace("\u200b", "") == "### " + title


SPEC = (ROOT / "examples" / "separable_stack.toml").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["text", "markdown", "latex", "tex", "svg"])
def test_bidi_controls_never_reach_the_output(fmt, tmp_path):
    spec = SPEC.replace('title = "Depthwise-separable stack"', 'title = "Stack \u202eevil\u2066 by @me"')
    result = attack(["show", "spec.toml", "--format", fmt, "--title", "Mine \u202e\u200f,,!"]
                    if fmt != "text" else ["show", "spec.toml"], tmp_path, files={"spec.toml": spec})
    assert_bounded(result)
    assert result.status == 0
    assert not any(c in result.out for c in "\u202e\u2066\u200f")
    if fmt == "text":
        assert result.out.startswith("Stack evil by @me (spec), paper convention\n")


def test_tex_prints_two_commas_and_no_ligature(tmp_path):
    result = attack([*SHOW, "--format", "latex", "--title", "a,,b,,,c"], tmp_path)
    assert_bounded(result)
    assert result.status == 0 and result.out.startswith("% a,{},b,{},{},c:")


@pytest.mark.parametrize("fmt", ["pdf", "markdown", "text"])
def test_title_is_capped(fmt, tmp_path):
    result = attack([*SHOW, "--format", fmt, "--title", "\\" * 20_000, "-o", "out"], tmp_path)
    assert_bounded(result)
    assert result.status == 2 and result.err == (
        "derive: error: --title: a title of at most 200 characters (this one has 20,000)\n")
    assert not (tmp_path / "out").exists()


def test_a_title_of_200_characters_is_fine(tmp_path):
    result = attack([*SHOW, "--format", "latex", "--title", "\\" * 200], tmp_path)
    assert_bounded(result)
    assert result.status == 0 and result.out.startswith("% " + r"\textbackslash{}" * 200 + ":")
