"""Issue 14's matrix: every built-in block (structural options both ways), three networks with and without
--detail, three pasted files, a TOML spec and `check` verdicts, in every format (tests/helpers/matrix.py).
Every output is made; every `tex`, `slide` and `latex` output compiles with no Overfull \\hbox over 1 pt
and no Underfull \\hbox (TeX's log); every PDF's text holds every total of the case's JSON; every
Markdown renders with KaTeX and lays out in headless Chromium at 690 px with nothing wider than the post;
every document writes its thousands one way and carries no command line."""

from __future__ import annotations

import pytest

import derive

from helpers.matrix import (CHECK, COMPILED, SEPARATED, SHOW, cells, command_line, compiled_all, figure, layouts,
                            output, pdf_text, separator_styles, totals)


@pytest.mark.parametrize("case,fmt", cells())
def test_every_case_renders_in_every_format(case, fmt):
    status, out, err = output(case, fmt)
    assert status == (1 if case == "check-wrong" else 0), err
    assert out, (case, fmt)
    if fmt == "pdf":
        assert out.startswith(b"%PDF")
    if fmt in ("text", "markdown") or (fmt == "pdf" and case in SHOW):
        text = pdf_text(out) if fmt == "pdf" else out
        missing = {name: v for name, v in totals(case).items() if not figure(v).search(text)}
        assert not missing, f"{case} --format {fmt} does not show {missing}"


@pytest.mark.parametrize("case,fmt", [(case, fmt) for case in SHOW for fmt in COMPILED])
def test_latex_compiles_without_bad_boxes_and_shows_every_total(case, fmt):
    done = compiled_all()[case, fmt]
    assert done.error is None, done.error
    assert not done.overfull, f"Overfull \\hbox: {', '.join(f'{pt:g}pt' for pt in done.overfull)} too wide"
    assert not done.underfull, f"Underfull \\hbox: badness {', '.join(map(str, done.underfull))}"
    missing = {name: v for name, v in totals(case).items() if not figure(v).search(done.text)}
    assert not missing, f"the PDF's text does not show {missing}"


@pytest.mark.parametrize("case,fmt", [(case, fmt) for case, fmt in cells() if fmt in SEPARATED])
def test_one_thousands_separator_per_document(case, fmt):
    styles = separator_styles(output(case, fmt)[1])
    assert len(styles) <= 1, styles


@pytest.mark.parametrize("case,fmt", [(case, fmt) for case, fmt in cells() if fmt in SEPARATED])
def test_documents_carry_no_command_line(case, fmt):
    assert not command_line(output(case, fmt)[1])


@pytest.mark.parametrize("case", [*SHOW, *CHECK])
def test_markdown_fits_a_forum_post(case):
    layout = layouts()[case]
    assert not layout.errors, f"KaTeX: {layout.errors}"
    assert layout.fits, layout.describe()


def test_the_matrix_covers_every_built_in_block_and_its_structural_options():
    """A new block in `derive list` (not a network: no `target` function) joins the matrix, its switches other than
    `bias`, `hard_swish` and `stride_3x3` (which change counts or where the stride sits, not the
    structure) both ways."""
    blocks = {name for name, e in derive.list_targets().items() if e.target is None}  # a network has a `target`
    shown = {argv[0]: argv for argv in SHOW.values()}
    assert blocks <= set(shown), blocks - set(shown)
    for name in blocks:
        for option in set(derive.list_targets()[name].options) - {"bias", "hard_swish", "stride_3x3"}:
            tried = {a for argv in SHOW.values() if argv[0] == name for a in argv if a.startswith(option + "=")}
            assert tried == {f"{option}=true", f"{option}=false"}, (name, option, tried)
