"""`derive plot`: every point of the CSV against what PyTorch and Keras report for the same block or network
built in them (the bottleneck by torch modules after torchvision and by keras.applications' own
`_inverted_res_block`; MobileNetV2 by keras.applications and torchvision with each width multiplier), the
figure compiled by TeX with its labels and legend in the PDF, and each bad input one error line (exit 2).
Needs torch, keras and TeX (missing: a failure under CI=true, else a skip)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess

import pytest
from helpers.frameworks import need_torchvision
from helpers.reference_models import (
    keras_application,
    keras_mobilenetv2_block,
    keras_report,
    torch_mobilenetv2_block,
    torch_report,
)
from helpers.rendering_cases import HOSTILE, compiled, need, pdftotext, tex_ready

from derive.cli import main

ALPHAS = "0.35,0.5,0.75,1,1.3,1.4"


def plot(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(["plot", *argv])
    out, err = capsys.readouterr()
    return status, out, err


def table(capsys, *argv: str) -> list[dict[str, str]]:
    status, out, err = plot(capsys, *argv, "--format", "csv")
    assert (status, err) == (0, ""), err
    return list(csv.DictReader(io.StringIO(out)))


# -- the figures, against the frameworks ------------------------------------------------------------
@pytest.mark.frameworks
@pytest.mark.parametrize("convention", ["pytorch", "keras"])
def test_bottleneck_parameters_against_t_per_input_width(capsys, convention):
    """--x t=1..6 --series C_in=8,16,24 under each framework's convention: t = 1 has no expansion, C_in = 16
    = C_out a residual add; every point is the built block's own count."""
    rows = table(capsys, "mobilenetv2-block", "--x", "t=1..6", "--series", "C_in=8,16,24", "--set", "C_out=16",
                 "--convention", convention, "--y", "all", "--y", "trainable", "--y", "non_trainable")
    assert [(r["C_in"], r["t"]) for r in rows] == [(c, str(t)) for c in ("8", "16", "24") for t in range(1, 7)]
    for row in rows:
        c_in, t = int(row["C_in"]), int(row["t"])
        if convention == "pytorch":
            report = torch_report(torch_mobilenetv2_block(c_in, t, 16), (c_in, 8, 8))
            expected = (report["parameters"], report["trainable"], report["parameters"] - report["trainable"])
        else:
            report = keras_report(keras_mobilenetv2_block((8, 8, c_in), t, 16))
            expected = (report["total"], report["trainable"], report["non_trainable"])
        assert (int(row["all"]), int(row["trainable"]), int(row["non_trainable"])) == expected, row


@pytest.mark.frameworks
def test_bottleneck_macs_and_parameters_against_height(capsys):
    """MACs against H (odd sizes too: a stride of 2 gives ⌈H/2⌉) with a line per stride, beside the
    parameters: the multiply-accumulates PyTorch's forward hooks see."""
    rows = table(capsys, "mobilenetv2-block", "--x", "H=7,14,15,28", "--series", "s=1,2", "--set", "C_in=16",
                 "--set", "t=6", "--set", "C_out=24", "--set", "W=20", "--y", "macs", "--y", "all",
                 "--convention", "pytorch")
    assert len(rows) == 8 and list(rows[0]) == ["H", "s", "macs", "all"]
    for row in rows:
        H, s = int(row["H"]), int(row["s"])
        report = torch_report(torch_mobilenetv2_block(16, 6, 24, 3, s), (16, H, 20))
        assert (int(row["macs"]), int(row["all"])) == (report["macs"], report["parameters"]), row


@pytest.mark.frameworks
def test_output_width_from_the_input_width_per_line(capsys):
    """An x range naming the series' size (`C_out=C_in..2*C_in`): each line has its own x values."""
    rows = table(capsys, "mobilenetv2-block", "--x", "C_out=C_in..C_in+3", "--series", "C_in=4,9", "--set", "t=2")
    assert [(r["C_in"], r["C_out"]) for r in rows] == [("4", str(c)) for c in range(4, 8)] + \
        [("9", str(c)) for c in range(9, 13)]
    for row in rows:
        report = torch_report(torch_mobilenetv2_block(int(row["C_in"]), 2, int(row["C_out"])), (int(row["C_in"]), 5, 5))
        assert int(row["all"]) == report["parameters"], row  # paper = PyTorch's parameters for this block


@pytest.mark.frameworks
def test_mobilenetv2_against_alpha_is_keras_applications(capsys):
    """MobileNetV2's parameters against the width multiplier under Keras' convention (its rounding of the
    widths), each point keras.applications.MobileNetV2(alpha=…, weights=None, input_shape=(224, 224, 3))."""
    rows = table(capsys, "mobilenetv2", "--x", f"alpha={ALPHAS}", "--convention", "keras",
                 "--option", "keras_rounding=true", "--y", "all", "--y", "non_trainable", "--y", "macs")
    assert [r["alpha"] for r in rows] == ALPHAS.split(",")
    for row in rows:
        report = keras_report(keras_application("MobileNetV2", 224, 224, float(row["alpha"])))
        assert (int(row["all"]), int(row["non_trainable"]), int(row["macs"])) == \
            (report["total"], report["non_trainable"], report["macs"]), row


@pytest.mark.frameworks
def test_mobilenetv2_against_alpha_is_torchvisions(capsys):
    """The same under PyTorch's convention against torchvision's own mobilenet_v2(width_mult=…): its
    parameters, and the MACs of a forward pass at 224 × 224."""
    rows = table(capsys, "mobilenetv2", "--x", f"alpha={ALPHAS}", "--convention", "pytorch", "--y", "all",
                 "--y", "macs")
    models = need_torchvision().models
    for row in rows:
        report = torch_report(models.mobilenet_v2(width_mult=float(row["alpha"])).eval(), (3, 224, 224))
        assert (int(row["all"]), int(row["macs"])) == (report["parameters"], report["macs"]), row


# -- the figure ----------------------------------------------------------------------------------
def pasted(figure: str, tmp_path) -> str:
    """The text of the PDF of an article holding `figure` with the preamble its first lines ask for (and
    T1 fonts), its spaces normalised: pdftotext may cut a centred title's line where TeX spaced it."""
    preamble = re.search(r"^%\s+(\\usepackage\{pgfplots\}.*)$", figure, re.MULTILINE).group(1)
    source = (f"\\documentclass{{article}}\n\\usepackage[T1]{{fontenc}}\n{preamble}\n"
              f"\\begin{{document}}\n{figure}\\end{{document}}\n")
    return " ".join(pdftotext(compiled(source), tmp_path).split())


BOTTLENECK = ("mobilenetv2-block", "--x", "t=1..8", "--series", "C_in=16,32,64", "--set", "C_out=32")


def test_the_figure_compiles_where_its_comment_says(capsys, tmp_path):
    """The .tex is a figure to paste: a document with the preamble its first lines name compiles it, and the
    PDF holds the axis labels, the legend and the title."""
    status, out, err = plot(capsys, *BOTTLENECK)
    assert (status, err) == (0, "")
    text = pasted(out, tmp_path)
    for words in ("expansion factor t", "parameters (thousands)", "Cin = 16", "Cin = 32", "Cin = 64",
                  "MobileNetV2 bottleneck (Cout = 32)"):
        assert words in text, words
    assert out.count("\\addplot") == 3 and out.count("\\addlegendentry") == 3


def test_pdf_goes_to_out_cut_to_the_figure(capsys, tmp_path, monkeypatch):
    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    monkeypatch.chdir(tmp_path)
    status, out, err = plot(capsys, "mobilenetv2", "--x", f"alpha={ALPHAS}", "--y", "all", "--y", "macs",
                            "--format", "pdf")
    assert (status, out, err) == (0, "", "derive: wrote out/mobilenetv2-plot.pdf\n")
    pdf = (tmp_path / "out" / "mobilenetv2-plot.pdf").read_bytes()
    text = " ".join(pdftotext(pdf, tmp_path).split())
    for words in ("width multiplier α", "parameters (millions)", "MACs (millions)", "MobileNetV2"):
        assert words in text, words
    info = subprocess.run(["pdfinfo", "out/mobilenetv2-plot.pdf"], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert width < 400 and height < 250  # the figure's size (12 cm wide at most, and a margin), not A4's


def test_a_hostile_title_is_printed_not_run(capsys, tmp_path):
    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    title = HOSTILE + " ], title={x}, =HYPERLINK(\"x\") $x$ *a* <script> ../../x"
    target = tmp_path / "t.pdf"
    status, out, err = plot(capsys, *BOTTLENECK, "--title", title, "--format", "pdf", "-o", str(target))
    assert (status, out, err) == (0, "", "")
    text = pdftotext(target.read_bytes(), tmp_path)
    assert " ".join(text.split()).startswith(title), text
    assert "root:x:0:0" not in text


def test_keras_convention_is_in_the_y_label_and_the_ticks_do_not_crowd(capsys):
    """Under Keras' convention the label says whose count; 1.3 and 1.4 are too close for a tick each in a
    half-width panel, so pgfplots chooses the ticks there, and a tick at each alpha in a full-width one."""
    _, one, _ = plot(capsys, "mobilenetv2", "--x", f"alpha={ALPHAS}", "--convention", "keras")
    assert "ylabel={parameters\\\\(Keras, millions)}" in one and f"xtick={{{ALPHAS}}}" in one
    _, two, _ = plot(capsys, "mobilenetv2", "--x", f"alpha={ALPHAS}", "--y", "all", "--y", "macs")
    assert "groupplot" in two and "xtick=" not in two and "ylabel={MACs\\\\(millions)}" in two


# -- bad input: one line, exit 2, nothing written ----------------------------------------------------
ERRORS = [
    (["--x", "t=1..x"], "derive: error: --x t=1..x: 1:4: unknown name 'x'"),
    (["--x", "q=1..3"], "derive: error: --x q=1..3: unknown symbol 'q' (this target has C_in, t, C_out, k, s, H, W)"),
    (["--x", "t=1..3", "--set", "t=3"], ("derive: error: --x t=1..3: t is both along the x axis and set (--set t=3): "
                                        "drop one")),
    (["--x", "t=1..3", "--y", "macs"], ("derive: error: --y macs: macs stays a formula in H, W: give them with --set "
                                       "NAME=VALUE or along an axis")),
    (["--x", "t=1..1000", "--series", "k=1,3,5"], ("derive: error: --x t=1..1000: more than 2,000 points: fewer x "
                                                      "values or fewer series")),
    (["--x", "t=1..3", "--series", "C_out=t,2*t"], ("derive: error: --series C_out=t,2*t: a series is one value per "
                                                  "line, so its range cannot name t, the x axis's size")),
    (["--x", "t=1..3", "--series", "t=2,4"], ("derive: error: --series t=2,4: t is already along the x axis: a series "
                                             "is another size")),
    (["--x", "t=0"], "derive: error: --x t=0: no positive value"),
    (["--x", "t=1,2.5"], "derive: error: --x t=1,2.5: 1:3: decimal numbers are not allowed here"),
]


@pytest.mark.parametrize("argv,line", ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_bad_input_is_one_line(capsys, tmp_path, argv, line):
    target = tmp_path / "plot.csv"
    status, out, err = plot(capsys, "mobilenetv2-block", "--set", "C_in=8", "--set", "C_out=8", *argv,
                            "--format", "csv", "-o", str(target))
    assert (status, out, err) == (2, "", line + "\n")
    assert not target.exists()


def test_sizes_that_are_not_whole_numbers(capsys):
    """A width multiplier of 1/3 is written 0.3333333333 (a spreadsheet reads it), 0.35 exactly; a series of
    them is named in LaTeX math in the legend."""
    rows = table(capsys, "mobilenetv2", "--x", "alpha=1/3,0.35")
    assert [r["alpha"] for r in rows] == ["0.3333333333", "0.35"]
    _, tex, _ = plot(capsys, "mobilenetv2", "--x", "H=96,128", "--series", "alpha=0.35,1/2", "--y", "macs")
    assert "\\addlegendentry{$\\alpha = 0.35$}" in tex and "\\addlegendentry{$\\alpha = 0.5$}" in tex


def test_a_folder_holds_target_plot_csv(capsys, tmp_path):
    status, out, err = plot(capsys, *BOTTLENECK, "--format", "csv", "-o", f"{tmp_path}/")
    assert (status, out, err) == (0, "", f"derive: wrote {tmp_path}/mobilenetv2-block-plot.csv\n")
    assert (tmp_path / "mobilenetv2-block-plot.csv").read_text().startswith("t,C_in,all\n1,16,")


def test_four_panels_and_an_all_zero_one_compile(capsys, tmp_path):
    """Every --y at once: a 2 × 2 groupplot; non-trainable parameters are 0 under the paper's convention, an
    axis from 0 to 1 rather than pgfplots' complaint about an empty range."""
    status, out, err = plot(capsys, *BOTTLENECK, "--set", "H=28", "--set", "W=28", "--y", "all", "--y", "trainable",
                            "--y", "non_trainable", "--y", "macs")
    assert (status, err) == (0, "") and "group size=2 by 2" in out and out.count("ymax=1") == 1
    text = pasted(out, tmp_path)
    for words in ("non-trainable parameters", "trainable parameters", "(thousands)", "MACs", "(millions)"):
        assert words in text, words


def test_counts_beyond_pgfplots_are_for_the_csv(capsys):
    status, out, err = plot(capsys, "mobilenetv2-block", "--x", "t=1..3", "--set", "C_in=10**15", "--set",
                            "C_out=10**15")
    assert (status, out) == (2, "")
    assert err == "derive: error: --y all: all reaches 1e+30, more than pgfplots can draw: --format csv\n"
    rows = table(capsys, "mobilenetv2-block", "--x", "t=1..3", "--set", "C_in=10**15", "--set", "C_out=10**15")
    assert len(rows) == 3 and all(int(r["all"]) > 10**30 for r in rows)


def test_without_tex_a_pdf_is_exit_3_and_nothing_written(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    monkeypatch.chdir(tmp_path)
    status, out, err = plot(capsys, *BOTTLENECK, "--format", "pdf")
    assert (status, out) == (3, "") and err.startswith("derive: error: --format pdf: TeX is not installed")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.frameworks
def test_a_size_set_as_a_formula_in_the_series(capsys):
    """`--set C_in=2*t` with t along the series: each line's x range (`C_out=C_in..C_in+2`) is known once its
    t is; every point is PyTorch's count of that block."""
    rows = table(capsys, "mobilenetv2-block", "--x", "C_out=C_in..C_in+2", "--set", "C_in=2*t", "--series", "t=1,3")
    assert [(r["t"], r["C_out"]) for r in rows] == [("1", "2"), ("1", "3"), ("1", "4"), ("3", "6"), ("3", "7"),
                                                   ("3", "8")]
    for row in rows:
        t, c_out = int(row["t"]), int(row["C_out"])
        assert int(row["all"]) == torch_report(torch_mobilenetv2_block(2 * t, t, c_out), (2 * t, 4, 4))["parameters"]
