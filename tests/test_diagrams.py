"""Diagrams drawn from the block graph (derive/presentation/diagram.py, latex/common.tex.j2): a projection
shortcut is a branch joined at the add, an identity a skip, an add of two shapes marked, a
squeeze-and-excitation a branch joined by a multiply, a network a chart of its stages with ×n; labels
with the values put in; and, compiled, every golden case's slide sets its diagram's labels at 9 pt or
more after any shrinking, splits no word, and no diagram overfills or underfills a line."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest

import derive
from derive.cli import main
from derive.presentation.formats import SHOW
from derive.presentation.render import render
from derive.presentation.views import view

from helpers.rendering_cases import ROOT, need, tex_ready
from test_golden import SHOWN

PROJECTION = dict(C_in=64, C_mid=64, C_out=256, H=56, W=56)
IDENTITY = dict(C_in=256, C_mid=64, C_out=256, H=56, W=56)


def diagrams(d) -> list[dict]:
    """The article's diagram and the slide's, as the views give them to the templates."""
    return [view(d, SHOW["tex"])["diagram"], view(d, SHOW["slide"])["slide_diagram"]]


def named(diagram: dict) -> dict[str, dict]:
    return {n["name"]: n for n in diagram["nodes"]}


def edges(diagram: dict) -> dict[tuple[str, str], dict]:
    """(source name, target name) -> the edge."""
    names = {n["id"]: n["name"] for n in diagram["nodes"]}
    return {(names[e["source"]], names[e["target"]]): e for e in diagram["edges"]}


# -- the graph -------------------------------------------------------------------------------------
def test_a_projection_shortcut_is_a_branch_from_the_input_joined_at_the_add():
    for diagram in diagrams(derive.show("resnet-bottleneck", **PROJECTION)):
        nodes, by_pair = named(diagram), edges(diagram)
        first = "shortcut"  # the branch's first box: the convolution (per layer) or the part (a run)
        last = "shortcut_bn" if diagram["by"] == "layer" else "shortcut"
        assert not nodes[first]["main"] and not nodes[last]["main"] and nodes["add"]["main"]
        assert by_pair[("input", first)]["kind"] == "out"
        assert by_pair[(last, "add")]["kind"] == "in"
        main_into_add = [e for (s, t), e in by_pair.items() if t == "add" and s != last]
        assert [e["kind"] for e in main_into_add] == ["chain"]
        assert not diagram["skips"] and len(diagram["lanes"]) == 1
        assert not any(e["mismatch"] for e in diagram["edges"])


def test_an_identity_shortcut_is_a_skip_round_the_block():
    for diagram in diagrams(derive.show("resnet-bottleneck", **IDENTITY)):
        skip = edges(diagram)[("input", "add")]
        assert skip["kind"] == "skip" and skip["residual"] and not skip["mismatch"]
        assert not diagram["lanes"] and all(n["main"] for n in diagram["nodes"])


def test_the_forum_codes_add_of_two_shapes_is_marked_not_drawn_as_an_identity():
    d = derive.show(str(ROOT / "examples" / "forum_bottleneck.py"), convention="keras", C_in=3, n_out=3)
    for diagram in diagrams(d):
        skip = edges(diagram)[("input", named(diagram)["add"]["name"])]
        assert skip["kind"] == "skip" and skip["mismatch"] and diagram["mismatch"]
    assert "{shapes differ}" in render(d, "slide") and "{identity}" not in render(d, "slide")
    assert "dashed red: an add of inputs whose shapes differ" in render(d, "tex")


@pytest.mark.parametrize("target,values", [
    ("mbconv", dict(C_in=16, t=6, C_out=24, s=2, H=112, W=112)),
    ("mobilenetv3-block", dict(C_in=16, C_exp=64, C_out=24, s=2, H=112, W=112)),
])
def test_squeeze_and_excitation_is_a_side_branch_joined_by_a_multiply(target, values):
    for diagram in diagrams(derive.show(target, **values)):
        multiply = next(n for n in diagram["nodes"] if n["op"] == "multiply")
        assert multiply["main"]
        (lane,) = diagram["lanes"]
        assert {n["part"] for n in lane} == {"se"} and not any(n["main"] for n in lane)
        into = [e for e in diagram["edges"] if e["target"] == multiply["id"]]
        assert sorted(e["kind"] for e in into) == ["chain", "in"]
        assert next(e for e in into if e["kind"] == "in")["source"] == lane[-1]["id"]
    slide = view(derive.show(target, **values), SHOW["slide"])["slide_diagram"]
    assert len(slide["lanes"][0]) == 1  # on a slide the branch is one box


@pytest.mark.parametrize("network", ["mobilenetv2", "resnet50", "efficientnet-b0"])
def test_a_network_is_a_chart_of_its_stages_with_their_repeats(network):
    d = derive.show(network)
    parts = [p.name for p in d.parts]
    for diagram in diagrams(d):
        assert diagram["by"] == "stage"
        assert [n["name"] for n in diagram["nodes"][1:]] == parts  # a box per part, not per layer
        for stage in d.stages:
            node = named(diagram)[stage.name]
            assert node["repeat"] == stage.repeat
            assert {p["name"]: p["value"] for p in node["table"]["pairs"]}.items() >= \
                {k: str(v) for k, v in stage.table.items() if k != "block"}.items()
    slide = render(d, "slide")
    repeated = [s for s in d.stages if s.repeat > 1]
    assert repeated and all(f"\\texttt{{{s.name}}} ${{\\times}}\\,{s.repeat}$" in slide for s in repeated)
    assert ".expand" not in slide and "relu6}" not in slide.split("\\begin{tikzpicture}")[1].split("\\end{tikzpicture}")[0]


def test_labels_carry_the_bound_values():
    slide = render(derive.show("mobilenetv2-block", C_in=3, t=6, C_out=3), "slide")
    assert r"depthwise 3{$\times$}3}" in slide and "k{$\\times$}k" not in slide and "/s" not in slide
    strided = render(derive.show("mbconv", C_in=16, t=6, C_out=24, s=2, H=112, W=112), "slide")
    assert r"\mbox{depthwise 3{$\times$}3,}\\\mbox{stride 2}" in strided
    tex = render(derive.show("resnet-bottleneck", **PROJECTION), "tex")
    figure = tex.split("\\begin{tikzpicture}")[1].split("\\end{tikzpicture}")[0]
    assert r"\mbox{conv 1{$\times$}1}" in figure and "/s" not in figure and "/1" not in figure


# -- compiled: every golden case's slide and worked solution ----------------------------------------
def _pdflatex(source: str, directory: Path) -> tuple[str, Path]:
    """TeX's log and the PDF, one run of pdflatex (the layout is the same on the next)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "main.tex").write_text(source, encoding="utf-8")
    subprocess.run([shutil.which("pdflatex") or "pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                    "-no-shell-escape", "main.tex"], cwd=directory, capture_output=True, timeout=180)
    return (directory / "main.log").read_text(encoding="utf-8", errors="replace"), directory / "main.pdf"


@cache
def _compiled(case: str, fmt: str, root: str) -> tuple[str, str, str]:
    """(source, log, text) of a golden case in `fmt`, compiled under `root`."""
    out = Path(root) / f"{case}.{fmt}.tex"
    assert main(["show", *SHOWN[case], "--format", fmt, "-o", str(out)]) == 0
    source = out.read_text(encoding="utf-8")
    log, pdf = _pdflatex(source, Path(root) / f"{case}-{fmt}")
    assert pdf.is_file(), log[-2000:]
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return source, log, text


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    root = str(tmp_path_factory.mktemp("diagrams"))
    return lambda case, fmt: _compiled(case, fmt, root)


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # the golden cases' paths are the checkout's


BOX = re.compile(r"^(Overfull|Underfull) \\hbox \((?:([\d.]+)pt too wide|badness \d+)\) "
                 r"(?:in paragraph at lines (\d+)--(\d+)|detected at line (\d+))", re.M)


def _boxes(log: str, source: str, everywhere: bool) -> list[str]:
    """The over- or underfull lines over 1 pt, in the diagram (its tikzpicture) or `everywhere`."""
    lines = source.splitlines()
    first = next((i for i, line in enumerate(lines, 1) if "\\begin{tikzpicture}" in line), None)
    last = next((i for i, line in enumerate(lines, 1) if "\\end{tikzpicture}" in line), None)
    found = []
    for m in BOX.finditer(log):
        if m.group(1) == "Overfull" and float(m.group(2)) <= 1:
            continue
        at = int(m.group(3) or m.group(5))
        end = int(m.group(4) or m.group(5))
        if everywhere or (first is not None and first <= end and at <= last):
            found.append(m.group(0))
    return found


@pytest.mark.parametrize("case", sorted(SHOWN))
def test_every_slides_diagram_labels_are_9pt_or_more_and_no_word_is_split(case, built):
    source, log, text = built(case, "slide")
    sizes = re.findall(r"derive diagram: width ([\d.]+)pt, line ([\d.]+)pt, labels ([\d.]+)pt", log)
    assert sizes, "the slide draws its diagram (on a frame or more) and says how big"
    for size in sizes:
        width, line, labels = (float(x) for x in size)
        effective = labels * min(1.0, line / width)  # \fitwidth shrinks what is wider than the line
        assert effective >= 9, f"{case}: labels at {effective:.2f} pt ({width:.0f} pt wide in {line:.0f})"
    for height in re.findall(r"derive diagram: height ([\d.]+)pt", log):
        assert float(height) <= 200, f"{case}: a diagram {height} pt tall does not fit under a frame's title"
    assert "font=\\scriptsize" not in source and "\\tiny" not in source  # no label set smaller than the boxes
    split = [row for row in text.splitlines() if re.search(r"[A-Za-z]-$", row.strip())]
    assert not split, f"{case}: words split over lines: {split}"
    assert _boxes(log, source, everywhere=True) == [], case


@pytest.mark.parametrize("case", sorted(SHOWN))
def test_no_diagram_in_a_worked_solution_overfills_or_underfills_a_line(case, built):
    source, log, text = built(case, "tex")
    assert "\\begin{tikzpicture}" in source
    assert _boxes(log, source, everywhere=False) == [], case
    split = [row for row in text.splitlines() if re.search(r"\b(pa|stage\d\.\d)-$", row.strip())]
    assert not split, split
