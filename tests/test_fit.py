"""Outputs that fit and add up (issue 14): long formulas broken over lines that keep the expression and
fit the page (TeX's log and pdftotext of the compiled document), a network's stage rows adding up to
the stage, stage formulas with positive terms, `--math plain` without LaTeX, one thousands style per
document, shapes bracketed, plain numbers outside math."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import sympy

import derive
from derive.cli import main
from derive.presentation import breaking
from derive.presentation.printing import contract, printer
from derive.presentation.render import render
from helpers.rendering_cases import need, pdftotext, tex_ready

ROOT = Path(__file__).resolve().parents[1]
BARE_ARTICLE = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n%s\\end{document}\n"
WIDE = [  # the cases whose formulas ran off the page (the 277–937 pt)
    ("mobilenetv2", {}),
    ("transformer-encoder", {"d_model": 512, "heads": 8, "d_ff": 2048, "L": 196}),
    ("examples/forum_bottleneck.py", {"C_in": 3, "n_out": 3}),
    ("efficientnet-b0", {}),
]


def shown(target: str, sizes: dict, convention: str = "paper"):
    if target.endswith(".py"):
        from derive.api import derive_target, load

        return derive_target(load(str(ROOT / target)), convention, {}, {k: str(v) for k, v in sizes.items()})
    return derive.show(target, convention=convention, **sizes)


def tex_log(source: str, tmp: Path) -> tuple[str, bytes]:
    """pdflatex's log of `source` (twice, for longtable's widths) and the PDF."""
    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    (tmp / "doc.tex").write_text(source, encoding="utf-8")
    for _ in range(2):
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", "doc.tex"], cwd=tmp,
                       capture_output=True, timeout=120, check=False)
    return (tmp / "doc.log").read_text(encoding="latin-1"), (tmp / "doc.pdf").read_bytes()


def boxes_over_a_point(log: str) -> list[str]:
    return [m.group(0) for m in re.finditer(r"(Overfull|Underfull) \\hbox \((\d+\.?\d*)pt too \w+\)[^\n]*", log)
            if float(m.group(2)) > 1]


# -- formulas broken over lines ----------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["tex", "latex"])
@pytest.mark.parametrize("target,sizes", WIDE, ids=[t for t, _ in WIDE])
def test_every_formula_fits_and_every_total_is_on_the_page(target, sizes, fmt, tmp_path):
    d = shown(target, sizes, "keras" if target.endswith(".py") else "paper")
    text = render(d, fmt)
    log, pdf = tex_log(BARE_ARTICLE % text if fmt == "latex" else text, tmp_path)
    assert boxes_over_a_point(log) == []
    words = " ".join(pdftotext(pdf, tmp_path).split())
    grouped = lambda value: f"{value:,}".replace(",", " ")  # a thin space, as pdftotext gives it  # noqa: E731
    assert grouped(d.total["all"].value) in words  # the result, its value on the page
    for part in d.parts:
        if part.counts["all"].value is not None:
            assert grouped(part.counts["all"].value) in words, part.name


@pytest.mark.parametrize("target,sizes", WIDE, ids=[t for t, _ in WIDE])
def test_breaking_keeps_the_expression(target, sizes):
    """Cut at its top-level + and = only: the pieces of the closed form (printed as sympy reads it back)
    add up to the whole, and the pieces of the LaTeX, put back together, are the LaTeX."""
    d = shown(target, sizes)
    plain = contract(d.symbols, d.substitution).plain(d.total["all"].formula)
    names = {name: sympy.Symbol(name) for name in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", plain)}
    names.update(ceiling=sympy.ceiling, floor=sympy.floor, Max=sympy.Max, Min=sympy.Min)
    lines = breaking.lines(plain, 24, 0, len)
    assert len(lines) > 1
    total = sympy.Integer(0)
    for op, text in lines:
        piece = sympy.sympify(text, locals=names)  # each a whole sum of terms: a cut inside brackets fails here
        total += -piece if op == "-" else piece
    assert sympy.expand(total - sympy.sympify(plain, locals=names)) == 0
    latex = render(d, "latex")
    for line in re.findall(r"^N &= (.*?)\\\\$", latex, flags=re.M):
        assert breaking.width(line) <= 56


def test_the_terminal_breaks_a_long_total_under_its_label():
    text = render(derive.show("efficientnet-b0"), "text")
    block = text[text.index("\nparameters:"):text.index("\nMACs:")].strip("\n").splitlines()
    assert len(block) > 3 and all(len(line) <= 100 for line in block)
    assert all(line.startswith(" " * 16) for line in block[1:]) and block[-1].strip() == "= 5,288,548"


@pytest.mark.parametrize("target,sizes", WIDE, ids=[t for t, _ in WIDE])
def test_each_broken_line_is_within_the_limit(target, sizes):
    d = shown(target, sizes)
    latex = printer("latex", {i.symbol: i.latex for i in d.symbols.infos})(d.total["all"].formula)
    for limit in (40, 54, 72):
        for op, text in breaking.lines(latex, limit):
            assert breaking.width(text) + (breaking.INDENT if op in "+-" and op else 0) <= limit or r"\left(" not in text, text


def test_markdown_displays_long_formulas_in_aligned_lines():
    text = render(derive.show("mobilenetv2"), "markdown")
    display = re.search(r"\$\$\n\\begin\{aligned\}\nN &= (.*?)\n\\end\{aligned\}\n\$\$", text, flags=re.S)
    assert display, "the closed form is not broken over lines"
    lines = display.group(1).split("\\\\\n")
    assert len(lines) > 3 and lines[-1].strip() == "&= 3{,}504{,}872"
    assert all(breaking.width(re.sub(r"^\s*&(\\quad\{\} )?", "", line)) <= 54 for line in lines)
    assert "$54 c_{1}" not in text  # the MACs formula displayed too, not a six-line inline blob


# -- a network's stages add up -------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_detail_rows_add_up_to_each_stage(fmt):
    d = derive.show("mobilenetv2")
    text = render(d, fmt, detail=True)
    rows: dict[str, list[int]] = {}
    if fmt == "markdown":
        headers = dict(re.findall(r"^\*\*(stage\d)\*\*: .*?([\d,]+)$", text, flags=re.M))
        stage = None
        for line in text.splitlines():
            if (m := re.match(r"\*\*(\w+)\*\*", line)):
                stage = m.group(1)
            elif line.startswith("| ") and stage in headers and not line.startswith("| layer") and "--:" not in line:
                rows.setdefault(stage, []).append(int(line.rstrip(" |").rsplit("|", 1)[1].strip().replace(",", "")))
    else:
        headers = {m.group(1): m.group(2) for m in re.finditer(r"^  (stage\d)\s.*\s([\d,]+)$", text, flags=re.M)}
        stage = None
        for line in text.splitlines()[:text.splitlines().index("per part (parameters):")]:
            if (m := re.match(r"(stage\d)\s", line)):
                stage = m.group(1)
            elif line.startswith("stem") or line.startswith("head") or line.startswith("classifier"):
                stage = None
            if stage and re.search(r"\s([\d,]+)$", line):
                rows.setdefault(stage, []).append(int(line.rsplit(None, 1)[1].replace(",", "")))
    assert set(headers) == {f"stage{i}" for i in range(1, 8)}
    for name, header in headers.items():
        assert sum(rows[name]) == int(header.replace(",", "")), name
    assert int(headers["stage3"].replace(",", "")) == 39_696
    assert "×2" in text  # stage3's blocks 2–3, shown once for both


def test_stage_headers_are_torchvisions_figures():
    from helpers.reference_models import torch_mobilenetv2

    model = torch_mobilenetv2()
    blocks = list(model.features)
    torch_stages, at = {}, 1  # features[0] is the stem; then the blocks, stage by stage
    for i, n in enumerate([1, 2, 3, 4, 3, 3, 1], start=1):
        torch_stages[f"stage{i}"] = sum(p.numel() for block in blocks[at:at + n] for p in block.parameters())
        at += n
    d = derive.show("mobilenetv2", convention="pytorch")
    shown_stages = dict(re.findall(r"^\| (stage\d) \|(?:[^|]*\|){6} ([\d,]+) \|", render(d, "markdown"), flags=re.M))
    assert {name: int(value.replace(",", "")) for name, value in shown_stages.items()} == torch_stages


@pytest.mark.parametrize("network", ["mobilenetv2", "resnet50", "efficientnet-b0", "efficientnet-b7"])
def test_stage_formulas_have_positive_terms(network):
    d = derive.show(network)
    text, numbers = printer("text"), printer("text", values=d.substitution)
    for stage in d.stages:
        count = {p.name: p for p in d.parts}[stage.name].counts["all"]
        for written in (text.written(count), numbers.written(count)):
            written = re.sub(r"\(n_\w+ [-−] 1\)", "", written)  # a stage of n_i blocks (depth a symbol): first + (n_i − 1) × block
            assert "-" not in written and "−" not in written, (stage.name, written)
        if stage.repeat > 1:  # first block + (n − 1) × one of the others
            assert count.first.value + (stage.repeat - 1) * stage.block["all"].value == count.value
    latex = render(d, "latex")
    for line in re.findall(r"^(?:N_\{\\text\{stage\d\}\}| ) &=.*$", latex, flags=re.M):
        line = re.sub(r"\\left\(n_\{\w+\} - 1\\right\)", "", line.replace(r"\text{", ""))
        assert "-" not in line, line


@pytest.mark.parametrize("fmt", ["text", "markdown", "tex", "latex"])
def test_networks_have_a_stage_table_in_every_format(fmt):
    text = render(derive.show("resnet50"), fmt)
    assert re.search(r"stage3\b.*\b6\b.*14(×|\$\\times\$)14(×|\$\\times\$)1024", text), fmt


# -- --math plain --------------------------------------------------------------------------------------
PLAIN_CASES = [("mobilenetv2-block", {"C_in": 3, "t": 6, "C_out": 3}), ("mobilenetv2", {}),
               ("transformer-encoder", {"d_model": 512, "heads": 8, "d_ff": 2048, "L": 196}),
               ("examples/forum_bottleneck.py", {"C_in": 3, "n_out": 3})]


@pytest.mark.parametrize("target,sizes", PLAIN_CASES, ids=[t for t, _ in PLAIN_CASES])
def test_math_plain_has_no_latex(target, sizes):
    text = render(shown(target, sizes), "markdown", math="plain")
    assert "$" not in text
    code = re.findall(r"```text\n(.*?)```", text, flags=re.S) + re.findall(r"`([^`\n]+)`", text)
    assert code and not [c for c in code if "\\" in c]
    assert "\\left" not in text and "\\cdot" not in text and "\\mathrm" not in text


def test_math_plain_writes_unicode_formulas(capsys):
    assert main(["show", "mobilenetv2-block", "--set", "C_in=3", "--set", "t=6", "--set", "C_out=3",
                 "--format", "markdown", "--math", "plain"]) == 0
    out = capsys.readouterr().out
    assert "| expand | `C_in·t·(C_in + 2)` | `3·6·(3 + 2)` | 90 |" in out
    assert "N = C_in·t·(C_in + C_out + k² + 4) + 2·C_out" in out and "γ (scale)" in out


@pytest.mark.parametrize("fmt", ["text", "json", "latex", "tex"])
def test_math_plain_is_refused_where_it_means_nothing(fmt, capsys):
    assert main(["show", "mobilenetv2-block", "--format", fmt, "--math", "plain"]) == 2
    assert "--math" in capsys.readouterr().err


# -- one thousands style, brackets, plain numbers ------------------------------------------------------
@pytest.mark.parametrize("fmt", ["tex", "latex", "markdown", "text"])
def test_one_thousands_separator_per_document(fmt):
    text = render(derive.show("mobilenetv2"), fmt)
    commas = re.findall(r"\d(?:,|\{,\})\d{3}\b", text)
    thin = re.findall(r"\d\\,\d{3}\b", text)
    if fmt in ("tex", "latex"):
        assert thin and not commas
    else:
        assert commas and not thin


def test_a_shape_with_a_sum_is_bracketed():
    H, W = sympy.Symbol("H"), sympy.Symbol("W")
    assert printer("text").shape((H - 2, W - 2, sympy.Integer(18))) == "(H - 2)×(W - 2)×18"
    d = shown("examples/forum_bottleneck.py", {"C_in": 3, "n_out": 3}, "keras")
    assert r"\left(H - 2\right) \times \left(W - 2\right) \times 18" in render(d, "tex")


def test_plain_numbers_are_not_math():
    for target, sizes in PLAIN_CASES:
        text = render(shown(target, sizes), "markdown")
        assert not re.findall(r"\$[\d{},]+\$", text), target


def test_no_heading_is_the_last_line_of_a_page(tmp_path):
    """Every section heading has its first lines with it on the page (pdftotext, page by page)."""
    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    for target, sizes in WIDE[:2]:
        _, pdf = tex_log(render(shown(target, sizes), "tex"), tmp_path)
        pages = pdftotext(pdf, tmp_path).split("\f")
        for page in pages:
            lines = [line for line in page.splitlines() if line.strip()]
            tail = lines[-3:-1]  # the page number is the last line
            assert not set(tail) & {"Stage by stage", "Layer by layer", "Adding up", "Result", "Conventions"}, tail
        assert len([line for line in pages[-2].splitlines() if line.strip()]) > 15  # the last page is not nearly empty
