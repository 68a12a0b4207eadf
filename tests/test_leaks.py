"""Issue 14's leaks: Markdown code spans in the PDFs' symbol list, ⌊ ⌋ ⌈ ⌉ in LaTeX text, `check --format json`
keeping the claim as written, `-o` files with the mode a shell redirect gives."""

from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import subprocess
import sys

import pytest
import sympy

from derive.cli import main
from derive.presentation.escaping import Safe, code_spans_to_tex, tex

from helpers.rendering_cases import ROOT, compiled, katex, pdftotext

PY = [sys.executable, "-m", "derive"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.chdir(ROOT):
        status = main(list(argv))
    return status, out.getvalue()


# -- LaTeX text ------------------------------------------------------------------------------------------
def test_code_spans_of_a_meaning_are_set_in_typewriter_not_printed_as_backticks():
    assert code_spans_to_tex("parameter `expand_ratio` of f_g()") == r"parameter \texttt{expand\_ratio} of f\_g()"
    assert code_spans_to_tex("``a`b`` $x$ *y* \\input") == \
        r"\texttt{a\textasciigrave{}b} \$x\$ *y* \textbackslash{}input"  # nothing else is markup
    assert code_spans_to_tex(Safe(r"\x")) == r"\x"


def test_the_pasted_codes_symbols_read_as_code_in_the_pdf(tmp_path):
    status, source = run("show", "examples/forum_bottleneck.py", "--format", "tex")
    assert status == 0
    text = " ".join(pdftotext(compiled(source), tmp_path).split())
    assert "parameter expand of bottleneck_block()" in text and "n_out, used in the code" in text
    assert "`" not in text and "‘" not in text


def test_floor_and_ceiling_print_in_latex_text(tmp_path):
    assert "?" not in tex("⌈H/s⌉ ⌊x⌋ ′ ″ ⊙ ⊕")
    source = ("\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\usepackage{lmodern}\n\\begin{document}\n"
              + tex("output ⌈H/s⌉ × ⌊W/2⌋") + "\n\\end{document}\n")
    assert "output ⌈H/s⌉ × ⌊W/2⌋" in pdftotext(compiled(source), tmp_path)


# -- check --format json ------------------------------------------------------------------------------------
SLIDE = ["mobilenetv2-block", "--set", "C_in=3", "--set", "t=6", "--set", "C_out=3"]
CLAIMS = [  # (claim, --part, the claim as a plain formula)
    ("1*1*3*18 + 2*18 + 3*3*18*18", "expand", "1*1*3*18 + 2*18 + 3*3*18*18"),
    ("(3*3*18)*18 + 2*18", "depthwise", "(3*3*18)*18 + 2*18"),
    ("1x1x3 x18 + 2 x 18", "expand", "1*1*3*18 + 2*18"),
    ("k²·C_in·t + 2·C_in·t", "depthwise", "k**2*C_in*t + 2*C_in*t"),
    ("-3 + 2^-(1+1)*4 + ceil(7/2)", None, "-3 + 2**-(1 + 1)*4 + ceiling(7/2)"),
]


@pytest.mark.parametrize("claim,part,formula", CLAIMS)
def test_check_json_keeps_the_claim_as_written(claim, part, formula):
    status, out = run("check", *SLIDE, "--claim", claim, *(["--part", part] if part else []), "--format", "json")
    data = json.loads(out)
    claimed = data["claimed"]
    assert set(claimed) == {"formula", "expr", "latex", "value"}
    assert claimed["formula"] == formula
    names = {name: sympy.Symbol(name) for name in json.loads(run("show", *SLIDE, "--format", "json")[1])["symbols"]}
    values = {names[n]: v for n, v in {"C_in": 3, "t": 6, "C_out": 3, "k": 3, "s": 1}.items()}
    read = sympy.sympify(claimed["formula"], locals=names)
    assert read.subs(values) == sympy.sympify(claimed["expr"], locals=names) == claimed["value"]
    assert status == (0 if data["correct"] else 1)
    assert katex([(claimed["latex"], False)]) == [None]


def test_check_json_of_a_symbolic_claim_has_no_value_while_a_symbol_is_unbound():
    _, out = run("check", "mobilenetv2-block", "--part", "depthwise", "--claim", "k^2*C_in*t + 2*C_in*t",
                 "--format", "json")
    claimed = json.loads(out)["claimed"]
    assert claimed == {"formula": "k**2*C_in*t + 2*C_in*t", "expr": "3**2*C_in*t + 2*C_in*t",
                       "latex": r"k^{2} \cdot C_{\mathrm{in}} \cdot t + 2 \cdot C_{\mathrm{in}} \cdot t", "value": None}


# -- -o ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("mask", [0o022, 0o077, 0o002])
def test_output_files_get_the_mode_a_redirect_gives(tmp_path, mask):
    script = (f"umask {mask:03o}; \"$@\" show {' '.join(SLIDE)} > redirect.txt"
              f" && \"$@\" show {' '.join(SLIDE)} -o option.txt"
              f" && \"$@\" show {' '.join(SLIDE)} --format markdown -o folder/")
    (tmp_path / "folder").mkdir()
    subprocess.run(["sh", "-c", script, "sh", *PY], cwd=tmp_path, env=ENV, check=True, capture_output=True)
    modes = {path: stat.S_IMODE(os.stat(tmp_path / path).st_mode)
             for path in ("redirect.txt", "option.txt", "folder/mobilenetv2-block.md")}
    assert set(modes.values()) == {0o666 & ~mask}, modes
