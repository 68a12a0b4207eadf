"""The matrix of issue 14's "Must show": every built-in block (with its structural options both ways), three
networks with and without --detail, three pasted files, a TOML spec and `check` verdicts, each in every
format, run through the command line in this process (tests/test_matrix.py judges them).

What it measures: each `tex`, `slide` and `latex` output compiled (the snippet inside a bare article with
amsmath) with TeX's log read for Overfull and Underfull \\hbox warnings; the text of each PDF; each Markdown
laid out by headless Chromium at a forum's 690 px (tests/helpers/browser.py). Compilations run two at a
time, once per process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from derive.cli import main

from . import browser
from .rendering_cases import ROOT, need, tex_ready

BOTTLENECK = ["--set", "C_mid=64", "--set", "C_out=256", "--set", "H=56", "--set", "W=56"]
SLIDE = ["--set", "C_in=3", "--set", "t=6", "--set", "C_out=3"]
SHOW: dict[str, list[str]] = {
    "mobilenetv2-block": ["mobilenetv2-block", *SLIDE],
    "mobilenetv2-block-keras-bias": ["mobilenetv2-block", *SLIDE, "--convention", "keras", "--option", "bias=true"],
    "mobilenetv1-block": ["mobilenetv1-block", "--set", "C_in=32", "--set", "C_out=64", "--set", "H=112",
                          "--set", "W=112"],
    **{f"mobilenetv3-block-se-{se}": ["mobilenetv3-block", "--set", "C_in=16", "--set", "C_exp=64", "--set",
                                      "C_out=24", "--set", "s=2", "--set", "H=56", "--set", "W=56",
                                      "--option", f"se={se}"] for se in ("true", "false")},
    "resnet-basic-projection": ["resnet-basic", "--set", "C_in=64", "--set", "C_out=128", "--set", "s=2",
                                "--set", "H=56", "--set", "W=56"],
    "resnet-basic-identity": ["resnet-basic", "--set", "C_in=64", "--set", "C_out=64", "--set", "H=56",
                              "--set", "W=56"],
    "resnet-bottleneck-projection": ["resnet-bottleneck", "--set", "C_in=64", *BOTTLENECK],
    "resnet-bottleneck-identity": ["resnet-bottleneck", "--set", "C_in=256", *BOTTLENECK],
    **{f"mbconv-se-{se}": ["mbconv", "--set", "C_in=16", "--set", "t=6", "--set", "C_out=24", "--set", "s=2",
                           "--set", "H=112", "--set", "W=112", "--option", f"se={se}"] for se in ("true", "false")},
    **{f"fused-mbconv-t{t}": ["fused-mbconv", "--set", "C_in=24", "--set", f"t={t}", "--set", "C_out=48",
                              "--set", "H=56", "--set", "W=56"] for t in (1, 4)},
    **{f"convnext-block-layer-scale-{on}": ["convnext-block", "--set", "C=96", "--set", "H=56", "--set", "W=56",
                                            "--option", f"layer_scale={on}"] for on in ("true", "false")},
    **{f"transformer-encoder-norm-first-{on}": ["transformer-encoder", "--set", "d_model=512", "--set", "heads=8",
                                                "--set", "d_ff=2048", "--set", "L=196", "--option",
                                                f"norm_first={on}"] for on in ("true", "false")},
    "dense-layer": ["dense-layer", "--set", "C_in=64", "--set", "k=32", "--set", "H=56", "--set", "W=56"],
    "transition": ["transition", "--set", "C_in=256", "--set", "C_out=128", "--set", "H=56", "--set", "W=56"],
    "fire": ["fire", "--set", "C_in=96", "--set", "s_1x1=16", "--set", "e_1x1=64", "--set", "e_3x3=64",
             "--set", "H=54", "--set", "W=54"],
    **{f"shufflenet-unit-s{s}": ["shufflenet-unit", "--set", f"C_in={c}", "--set", "C_out=116", "--set", f"s={s}",
                                 "--set", "H=56", "--set", "W=56"] for s, c in ((1, 116), (2, 24))},
    **{f"{net}{detail}": [net, *(["--detail"] if detail else [])]
       for net in ("mobilenetv2", "resnet50", "efficientnet-b0") for detail in ("", "-detail")},
    "vit-encoder": ["vit-encoder", "--set", "d_model=768", "--set", "L=197"],
    "gpt-block-no-bias": ["gpt-block", "--set", "d_model=768", "--set", "L=1024", "--option", "bias=false"],
    # (bert-base and gpt2 not yet: their vocabularies, five digits, are written ungrouped inside formulas)
    **{f"vit-b16{detail}": ["vit-b16", *(["--detail"] if detail else [])] for detail in ("", "-detail")},
    "forum-bottleneck-keras": ["examples/forum_bottleneck.py", "--set", "C_in=3", "--set", "n_out=3",
                               "--convention", "keras"],
    "inverted-residual-pytorch": ["examples/inverted_residual.py", "--set", "inp=3", "--set", "oup=3",
                                  "--convention", "pytorch"],
    "attention-block": ["examples/attention_block.py"],
    "separable-stack-toml": ["examples/separable_stack.toml", "--set", "C_in=3", "--set", "C_out=32",
                             "--set", "H=32", "--set", "W=32"],
}
CHECK: dict[str, list[str]] = {  # the forum's depthwise counted as a full convolution, and the right answer
    "check-wrong": ["mobilenetv2-block", *SLIDE, "--part", "depthwise", "--claim", "(3*3*18)*18 + 2*18"],
    "check-right": ["mobilenetv2-block", *SLIDE, "--claim", "1*1*3*18 + 2*18 + 3*3*18 + 2*18 + 1*1*18*3 + 2*3"],
}
SHOW_FORMATS = ("text", "json", "markdown", "latex", "tex", "slide", "pdf")
CHECK_FORMATS = ("text", "json", "markdown")
COMPILED = ("tex", "slide", "latex")  # the LaTeX sources; `pdf` is derive's own compilation of `tex`
SNIPPET_DOCUMENT = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n%s\\end{document}\n"
SLACK = 1.0  # pt: an Overfull \hbox up to this is invisible
TOTALS = ("trainable", "non_trainable", "all", "buffers", "macs")


def cells() -> list[tuple[str, str]]:
    return [(case, fmt) for case in SHOW for fmt in SHOW_FORMATS] + \
        [(case, fmt) for case in CHECK for fmt in CHECK_FORMATS]


@cache
def output(case: str, fmt: str) -> tuple[int, str | bytes, str]:
    """(exit status, output, standard error) of `derive show|check CASE --format FMT`, run from the repo."""
    command = ["check", *CHECK[case]] if case in CHECK else ["show", *SHOW[case]]
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory(prefix="derive-matrix-") as tmp, contextlib.chdir(ROOT):
        pdf = Path(tmp) / "out.pdf"
        argv = [*command, "--format", fmt, *(["-o", str(pdf)] if fmt == "pdf" else [])]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
        return status, pdf.read_bytes() if fmt == "pdf" else out.getvalue(), err.getvalue()


def totals(case: str) -> dict[str, int]:
    """The case's nonzero totals, from its JSON (a check: the expected count)."""
    data = json.loads(output(case, "json")[1])
    if case in CHECK:
        return {"expected": data["expected"]["value"]}
    return {name: data["total"][name]["value"] for name in TOTALS if data["total"][name]["value"]}


def figure(value: int) -> re.Pattern:
    """`value` in any one thousands style: none, `,`, a space (plain, thin, no-break), or TeX's `{,}`, `\\,`, `\\;`, `~`."""
    groups = f"{value:,}".split(",")
    separator = r"(?P<s>,|\{,\}|\\[,;]|~|[ \u2009\u202f\u00a0]|)" if len(groups) > 1 else ""
    return re.compile(r"(?<![\d,.])" + groups[0] + separator + "(?P=s)".join(groups[1:]) + r"(?!\d)")


# One thousands style per document: a comma (`3,504,872`, in math `3{,}504{,}872`), a thin space (`3\\,504\\,872`,
# U+2009, U+202F) or none (five digits and more run together).
GROUPED = re.compile(r"(?<![\d.])\d{1,3}(?:(,|\{,\}|\\,|\\;|~|\u2009|\u202f)\d{3})+(?!\d)")
BARE = re.compile(r"(?<![\d.,{}])\d{5,}(?!\d)")
SEPARATED = ("markdown", "tex", "slide", "latex")


def separator_styles(text: str) -> dict[str, list[str]]:
    """Style -> the first few numbers written in it."""
    found: dict[str, list[str]] = {}
    for m in GROUPED.finditer(text):
        found.setdefault("comma" if m.group(1) in (",", "{,}") else "thin space", []).append(m.group())
    for m in BARE.finditer(text):
        found.setdefault("none", []).append(m.group())
    return {style: numbers[:3] for style, numbers in found.items()}


# What belongs to the command line, not to a student's document (issue 14: "bind H and W for a number",
# "derive show … --option bias=true").
COMMAND_LINE = re.compile(r"derive (?:show|check|list)|--(?:set|option|detail|format|convention|claim|part|entry|arg)\b"
                          r"|bind [A-Za-z_]+(?: and [A-Za-z_]+)? for a number")


def command_line(text: str) -> list[str]:
    return [text[max(0, m.start() - 40):m.end() + 20].replace("\n", " ") for m in COMMAND_LINE.finditer(text)][:3]


# -- TeX ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Compiled:
    pdf: bytes
    text: str  # pdftotext
    overfull: tuple[float, ...]  # pt too wide, over SLACK
    underfull: tuple[int, ...]  # badness
    error: str | None
    warnings: tuple[str, ...] = ()  # each bad box: TeX's warning and the source lines it names


HBOX = re.compile(r"^(Overfull|Underfull) \\hbox \((?:([\d.]+)pt too wide|badness (\d+))\)(?:.*?lines? (\d+)(?:--(\d+))?)?",
                  re.M)


def compile_with_log(source: str) -> Compiled:
    """latexmk as `derive show --format pdf` runs it (no shell escape, paranoid file access), keeping the log."""
    with tempfile.TemporaryDirectory(prefix="derive-matrix-tex-") as tmp:
        directory = Path(tmp)
        (directory / "main.tex").write_text(source, encoding="utf-8")
        env = {**os.environ, "openin_any": "p", "openout_any": "p", "shell_escape": "f", "TEXMFOUTPUT": tmp}
        done = subprocess.run(["latexmk", "-norc", "-pdf", "-silent", "-no-shell-escape", "-interaction=nonstopmode",
                               "-halt-on-error", "main.tex"], cwd=directory, env=env, capture_output=True,
                              text=True, timeout=300, stdin=subprocess.DEVNULL)
        log = (directory / "main.log").read_text(encoding="utf-8", errors="replace") \
            if (directory / "main.log").is_file() else ""
        pdf = directory / "main.pdf"
        if done.returncode != 0 or not pdf.is_file():
            return Compiled(b"", "", (), (), f"exit {done.returncode}: {log[-1500:] or done.stdout[-1500:]}")
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        over = tuple(float(m.group(2)) for m in HBOX.finditer(log) if m.group(1) == "Overfull"
                     and float(m.group(2)) > SLACK)
        under = tuple(int(m.group(3)) for m in HBOX.finditer(log) if m.group(1) == "Underfull")
        lines = source.splitlines()
        warnings = tuple(f"{m.group(0)}: {' / '.join(lines[int(m.group(4)) - 1:int(m.group(5) or m.group(4))])[:160]}"
                         if m.group(4) else m.group(0) for m in HBOX.finditer(log)
                         if m.group(1) == "Underfull" or float(m.group(2)) > SLACK)
        return Compiled(pdf.read_bytes(), text, over, under, None, warnings)


def latex_source(case: str, fmt: str) -> str:
    text = output(case, fmt)[1]
    return SNIPPET_DOCUMENT % text if fmt == "latex" else text


@cache
def compiled_all() -> dict[tuple[str, str], Compiled]:
    """Every LaTeX output of the matrix compiled, two at a time."""
    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    keys = [(case, fmt) for case in SHOW for fmt in COMPILED]
    sources = [latex_source(case, fmt) for case, fmt in keys]  # in this thread: the CLI is not thread-safe
    with ThreadPoolExecutor(max_workers=max(2, min(4, os.cpu_count() or 2))) as pool:
        return dict(zip(keys, pool.map(compile_with_log, sources)))


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True,
                          check=True).stdout.decode("utf-8")


# -- Markdown in a browser ---------------------------------------------------------------------------------
@cache
def layouts() -> dict[str, browser.Layout]:
    """Every Markdown output of the matrix laid out at 690 px (one Chromium run)."""
    cases = [*SHOW, *CHECK]
    texts = [output(case, "markdown")[1] for case in cases]
    return dict(zip(cases, browser.layouts(texts)))
