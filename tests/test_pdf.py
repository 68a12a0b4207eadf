"""TeX: every LaTeX output the tests produce compiles; the PDF holds the figures and a hostile title as
text; TeX runs locked down (no shell escape, no reading outside its directory, a time limit); a missing
or failing TeX is exit status 3 with a useful message. Needs TeX (fails under CI=true without it)."""

from __future__ import annotations

import shutil

import pytest

import derive.presentation.pdf
from derive.cli import main
from derive.errors import ToolError
from derive.presentation.render import render

from helpers.rendering_cases import HOSTILE, cases, compiled, need, pdftotext, slide, synthetic, tex_ready

CASES = cases()
SLIDE_ARGS = ["show", "mobilenetv2-block", "--set", "C_in=3", "--set", "t=6", "--set", "C_out=3"]
SNIPPET_DOCUMENT = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n%s\\end{document}\n"


@pytest.mark.parametrize("fmt", ["tex", "slide", "latex"])
@pytest.mark.parametrize("case", CASES)
def test_every_latex_output_compiles(case, fmt):
    """`tex` and `slide` as they are; the `latex` snippet pasted into a bare article with amsmath."""
    d, title = CASES[case]
    text = render(d, fmt, title=title)
    pdf = compiled(SNIPPET_DOCUMENT % text if fmt == "latex" else text)
    assert pdf.startswith(b"%PDF-")


def test_pdf_goes_to_out_and_holds_the_figures(tmp_path, monkeypatch, capsys):
    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    monkeypatch.chdir(tmp_path)
    status = main([*SLIDE_ARGS, "--format", "pdf"])
    out, err = capsys.readouterr()
    assert (status, out, err) == (0, "", "derive: wrote out/mobilenetv2-block.pdf\n")
    text = pdftotext((tmp_path / "out" / "mobilenetv2-block.pdf").read_bytes(), tmp_path)
    for figure in ("348", "162", "90", "198", "60", "426", "81", "2 916", "H × W × 18"):
        assert figure in text, figure
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["mobilenetv2-block.pdf"]


def test_pdf_to_a_path_is_written_whole(tmp_path, capsys):
    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    target = tmp_path / "answer.pdf"
    status = main([*SLIDE_ARGS, "--format", "pdf", "--convention", "keras", "-o", str(target)])
    out, err = capsys.readouterr()
    assert (status, out, err) == (0, "", "")
    assert target.read_bytes().startswith(b"%PDF-") and [p.name for p in tmp_path.iterdir()] == ["answer.pdf"]
    assert "Total params 426" in pdftotext(target.read_bytes(), tmp_path)


def test_a_hostile_title_is_printed_not_run(tmp_path, capsys):
    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    target = tmp_path / "t.pdf"
    status = main([*SLIDE_ARGS, "--format", "pdf", "--title", HOSTILE, "-o", str(target)])
    assert status == 0, capsys.readouterr().err
    text = pdftotext(target.read_bytes(), tmp_path)
    assert text.splitlines()[0] == HOSTILE
    assert "root:x:0:0" not in text and "/bin/" not in text


def test_a_hostile_layer_name_is_printed_not_run(tmp_path):
    text = pdftotext(compiled(render(synthetic(), "tex")), tmp_path)
    assert HOSTILE in text and "root:x:0:0" not in text


def test_tex_cannot_read_outside_its_directory():
    """Even TeX that escaping would never produce cannot read /etc/passwd (openin_any=p)."""
    need(tex_ready(), "TeX")
    source = "\\documentclass{article}\n\\begin{document}\n\\input{/etc/passwd}\n\\end{document}\n"
    with pytest.raises(ToolError) as caught:
        derive.presentation.pdf.compile_tex(source)
    assert caught.value.exit_status == 3
    assert "/etc/passwd" in str(caught.value) and "root:x" not in str(caught.value)


def test_shell_escape_is_off():
    need(tex_ready(), "TeX")
    source = ("\\documentclass{article}\n\\begin{document}\n\\immediate\\write18{touch pwned}\n"
              "\\IfFileExists{pwned}{\\errmessage{shell escape ran}}{ok}\n\\end{document}\n")
    assert derive.presentation.pdf.compile_tex(source).startswith(b"%PDF-")


def test_tex_errors_are_exit_3_with_the_log(tmp_path, capsys):
    need(tex_ready(), "TeX")
    (tmp_path / "tex").mkdir()
    (tmp_path / "tex" / "show.tex.j2").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\VAR{title} \\nosuchcommand\n\\end{document}\n")
    status = main([*SLIDE_ARGS, "--format", "pdf", "--templates", str(tmp_path), "-o", str(tmp_path / "x.pdf")])
    _, err = capsys.readouterr()
    assert status == 3
    assert err.startswith("derive: error: --format pdf: latexmk failed") or err.startswith(
        "derive: error: --format pdf: pdflatex failed")
    assert "Undefined control sequence" in err and "\\nosuchcommand" in err
    assert not (tmp_path / "x.pdf").exists()


def test_tex_that_never_ends_is_stopped():
    need(tex_ready(), "TeX")
    with pytest.raises(ToolError, match="took longer than 3 s"):
        derive.presentation.pdf.compile_tex("\\documentclass{article}\n\\begin{document}\n\\def\\x{\\x}\\x\n\\end{document}\n",
                               timeout=3)


def test_without_tex_exit_3_names_the_packages(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    monkeypatch.chdir(tmp_path)
    status = main([*SLIDE_ARGS, "--format", "pdf"])
    _, err = capsys.readouterr()
    assert status == 3
    assert err == ("derive: error: --format pdf: TeX is not installed (no pdflatex); on Debian or Ubuntu: "
                   "apt-get install texlive-latex-recommended texlive-pictures latexmk lmodern\n")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_render_pdf_returns_bytes():
    need(tex_ready(), "TeX")
    assert render(slide(), "pdf").startswith(b"%PDF-")


def test_a_hostile_title_in_a_spec_is_printed_not_run(tmp_path, capsys):
    """A spec's title is user text too (its names are restricted to letters, digits, `_ . -` by the reader)."""
    import re

    from helpers.rendering_cases import ROOT

    example = ROOT / "examples" / "mobilenetv2_block.toml"
    if not example.is_file():
        pytest.skip("no example spec")
    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    spec = tmp_path / "spec.toml"
    title = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    spec.write_text(re.sub(r"(?m)^title = .*$", lambda _: f'title = "{title}"', example.read_text(encoding="utf-8"),
                           count=1), encoding="utf-8")
    target = tmp_path / "spec.pdf"
    status = main(["show", str(spec), "--set", "C_in=3", "--set", "t=6", "--set", "C_out=3", "--format", "pdf",
                   "-o", str(target)])
    assert status == 0, capsys.readouterr().err
    text = pdftotext(target.read_bytes(), tmp_path)
    assert text.startswith(HOSTILE) and "348" in text and "root:x:0:0" not in text
