"""`derive show --format svg`: the block diagram as a standalone SVG for the web page, laid out as a
slide's TikZ diagram is (the same boxes, lanes, columns and edges; derive/presentation/svg.py places
them). Read back with xml.etree: it parses, its viewBox holds everything, no two boxes overlap, every
edge leaves its source's border and ends with its arrowhead on its target's; user text is escaped and
nothing in it can run or fetch; laid out by headless Chromium, every line of text lies inside its box."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import derive
from derive.blocks import Block, Node
from derive.cli import main
from derive.derivation import bind
from derive.derivation import derive as derive_block
from derive.layers import Activation, BatchNorm, Conv2D, Dense, Shape
from derive.presentation import svg
from derive.presentation.formats import SHOW, SVG_DIAGRAM
from derive.presentation.render import render
from derive.presentation.views import view
from derive.symbols import SymbolTable, sym
from helpers import browser
from helpers.rendering_cases import need

ROOT = Path(__file__).resolve().parents[1]
NS = "{http://www.w3.org/2000/svg}"
CASES = {  # case -> (target, values): blocks, a branch, SE, networks by stages, pasted code, every block symbolic
    "mobilenetv2-block": ("mobilenetv2-block", {"C_in": 3, "t": 6, "C_out": 3}),
    "mobilenetv2-block-symbolic": ("mobilenetv2-block", {}),  # the expansion and the residual conditional
    "mobilenetv1-block": ("mobilenetv1-block", {"C_in": 32, "C_out": 64, "H": 112, "W": 112}),
    "resnet-basic-projection": ("resnet-basic", {"C_in": 64, "C_out": 128, "s": 2}),
    "resnet-basic-symbolic": ("resnet-basic", {}),  # the projection only if C_in ≠ C_out: dashed
    "mbconv-se": ("mbconv", {"C_in": 16, "t": 6, "C_out": 24, "s": 2}),
    "mobilenetv3-block": ("mobilenetv3-block", {"C_in": 16, "C_exp": 64, "C_out": 24, "s": 2}),
    "mobilenetv2": ("mobilenetv2", {}),
    "efficientnet-b0": ("efficientnet-b0", {}),
    "transformer-encoder": ("transformer-encoder", {"d_model": 512, "d_ff": 2048, "L": 196}),  # nested skips
    "shufflenet-unit-s2": ("shufflenet-unit", {"C_in": 24, "C_out": 116, "s": 2}),  # two bands
    "keras-inverted-res-block": ("tests/data/keras_inverted_res_block.py", {"C_in": 16}),
    "torch-resnet": ("tests/data/torch_resnet.py", {}),  # three bands
    "forum-bottleneck": ("examples/forum_bottleneck.py", {"C_in": 3, "n_out": 3}),  # an add of other shapes
    "separable-stack": ("examples/separable_stack.toml", {"C_in": 3, "C_out": 32}),  # skips from band to band
    "densenet121": ("densenet121", {}),
    **{f"{name}-symbolic": (name, {}) for name in ("mobilenetv3-block", "resnet-bottleneck", "mbconv", "fused-mbconv",
                                                   "convnext-block", "transformer-encoder", "shufflenet-unit", "fire",
                                                   "dense-layer", "transition", "vit-encoder", "gpt-block")},
}


def derived(case: str):
    target, values = CASES[case]
    return derive.show(str(ROOT / target) if "/" in target else target, **values)


def parsed(text: str) -> ET.Element:
    root = ET.fromstring(text)
    assert root.tag == f"{NS}svg"
    return root


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", text)]


def points(d: str) -> list[tuple[float, float]]:
    values = numbers(d)
    return list(zip(values[::2], values[1::2]))


class Box:
    def __init__(self, element: ET.Element) -> None:
        self.id, self.name = element.get("data-node"), element.get("data-name")
        self.lane, self.column = int(element.get("data-lane")), int(element.get("data-column"))
        self.band = int(element.get("data-band"))
        self.dashed = element.get("stroke-dasharray") is not None
        if element.tag == f"{NS}circle":
            cx, cy, r = (float(element.get(k)) for k in ("cx", "cy", "r"))
            self.circle = (cx, cy, r)
            self.left, self.top, self.right, self.bottom = cx - r, cy - r, cx + r, cy + r
        else:
            self.circle = None
            x, y, w, h = (float(element.get(k)) for k in ("x", "y", "width", "height"))
            self.left, self.top, self.right, self.bottom = x, y, x + w, y + h

    def on_border(self, x: float, y: float, tol: float = 0.15) -> bool:
        if self.circle:
            cx, cy, r = self.circle
            return abs(((x - cx) ** 2 + (y - cy) ** 2) ** 0.5 - r) <= tol
        inside_x, inside_y = self.left - tol <= x <= self.right + tol, self.top - tol <= y <= self.bottom + tol
        return (inside_y and (abs(x - self.left) <= tol or abs(x - self.right) <= tol)) or \
            (inside_x and (abs(y - self.top) <= tol or abs(y - self.bottom) <= tol))

    def crosses(self, a, b, margin: float = 0.5) -> bool:
        """Whether the segment a–b (horizontal or vertical) runs through this box's inside."""
        (ax, ay), (bx, by) = a, b
        left, right, top, bottom = self.left + margin, self.right - margin, self.top + margin, self.bottom - margin
        if ay == by:
            return top < ay < bottom and min(ax, bx) < right and max(ax, bx) > left
        if ax == bx:
            return left < ax < right and min(ay, by) < bottom and max(ay, by) > top
        return False


def boxes_of(root: ET.Element) -> list[Box]:
    return [Box(e) for e in root.iter() if e.get("data-node")]


def edges_of(root: ET.Element) -> list[dict]:
    out = []
    for g in root.iter(f"{NS}g"):
        if g.get("data-edge") is None:
            continue
        line, head = g.findall(f"{NS}path")
        label = g.find(f"{NS}text")
        out.append({"kind": g.get("data-edge"), "source": g.get("data-from"), "target": g.get("data-to"),
                    "style": g.get("data-style"), "line": points(line.get("d")), "head": points(head.get("d")),
                    "label": None if label is None else "".join(label.itertext()),
                    "label_at": None if label is None else (float(label.get("x")), float(label.get("y")))})
    return out


def svg_of(case: str, cache: dict = {}) -> str:  # noqa: B006 - one rendering per case for the module
    if case not in cache:
        cache[case] = render(derived(case), "svg")
    return cache[case]


@pytest.mark.parametrize("case", CASES)
def test_the_svg_draws_the_slides_diagram(case):
    """The boxes in their order, their names, lanes and columns, the edges and their kinds: the slide's
    (TikZ) diagram data, item for item; a conditional box and its edges dashed, an add of other shapes red."""
    d = derived(case)
    slide = view(d, SHOW["slide"])["slide_diagram"]
    root = parsed(svg_of(case))
    boxes = boxes_of(root)
    assert [(b.id, b.name, b.lane, b.column) for b in boxes] == \
        [(n["id"], n["name"], n["lane"], n["column"]) for n in slide["nodes"]]
    assert [b.dashed for b in boxes] == [bool(n["condition"]) for n in slide["nodes"]]
    assert [(b.id, b.circle is not None) for b in boxes] == [(n["id"], n["join"]) for n in slide["nodes"]]
    edges = edges_of(root)
    assert [(e["source"], e["target"], e["kind"]) for e in edges] == \
        [(e["source"], e["target"], e["kind"]) for e in slide["edges"]]
    nodes = {n["id"]: n for n in slide["nodes"]}
    for e, expected in zip(edges, slide["edges"]):
        conditional = (expected["kind"] == "out" and nodes[expected["target"]]["condition"]) or \
            (expected["kind"] == "in" and expected["condition"])
        assert e["style"] == ("wrong" if expected["mismatch"] else "maybe" if conditional else None), e
    skips = {(s["source"], s["target"]): s for s in slide["skips"]}
    for e in edges:
        if e["kind"] == "skip":
            s = skips[(e["source"], e["target"])]
            words = ["shapes differ"] if s["mismatch"] else ["identity"] if s["residual"] else []
            said = e["label"] or ""  # the condition in plain Unicode here, in LaTeX on the slide
            assert said.startswith(", ".join(words)) and ("if " in said) == bool(s["condition"]), (said, s)


@pytest.mark.parametrize("case", ["mobilenetv2-block", "resnet-basic-projection", "mbconv-se"])
def test_the_bands_are_the_slides_where_the_widths_agree(case):
    """Here the SVG's bands (planned on its boxes' measured widths, 880 px) fall where the slide's do."""
    slide = view(derived(case), SHOW["slide"])["slide_diagram"]
    assert [b.band for b in boxes_of(parsed(svg_of(case)))] == [n["band"] for n in slide["nodes"]]


@pytest.mark.parametrize("case", CASES)
def test_the_geometry_holds(case):
    """Inside the viewBox; no two boxes overlap; columns left to right and the main path above its
    branches in each band, bands one under the other, each at most 800 px wide unless a branch spans it;
    each edge leaves its source's border and its arrowhead's tip is on its target's border, pointing
    into it, and no edge runs through a box on its way; each skip's label over no box."""
    root = parsed(svg_of(case))
    left, top, width, height = numbers(root.get("viewBox"))
    assert (float(root.get("width")), float(root.get("height"))) == (width, height)
    right, bottom = left + width, top + height
    boxes = boxes_of(root)
    by_id = {b.id: b for b in boxes}
    for b in boxes:
        assert left <= b.left and b.right <= right and top <= b.top and b.bottom <= bottom, b.id
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            apart = a.right + 8 <= b.left or b.right + 8 <= a.left or a.bottom + 8 <= b.top or b.bottom + 8 <= a.top
            assert apart, (a.id, b.id)
            if a.band == b.band and a.column < b.column:
                assert a.right < b.left, (a.id, b.id)
            if a.band == b.band and a.lane < b.lane:
                assert a.bottom < b.top, (a.id, b.id)
            if a.band < b.band:
                assert a.bottom < b.top, (a.id, b.id)
    spans = []  # the columns a branch leaves from and comes back in at: no band ends between them
    for e in edges_of(root):
        if e["kind"] == "out":
            last = e["target"]
            while (after := [n for n in edges_of(root) if n["kind"] == "chain" and n["source"] == last
                             and by_id[n["target"]].lane == by_id[last].lane > 0]):
                last = after[0]["target"]
            back = [n["target"] for n in edges_of(root) if n["kind"] == "in" and n["source"] == last]
            spans.append((by_id[e["source"]].column, by_id[back[0] if back else last].column))
    for band in {b.band for b in boxes}:
        members = [b for b in boxes if b.band == band]
        columns = sorted({b.column for b in members})
        if max(b.right for b in members) - min(b.left for b in members) > SVG_DIAGRAM["width"]:  # only if it cannot end sooner
            assert all(any(a <= c < z for a, z in spans) for c in columns[:-1]), (band, columns, spans)
    for e in edges_of(root):
        source, target = by_id[e["source"]], by_id[e["target"]]
        line, (tip, *_) = e["line"], e["head"]
        assert source.on_border(*line[0]), (e, "source")
        assert target.on_border(*tip), (e, "target")
        (x0, y0), (x1, y1) = line[-1], tip  # the shaft ends inside its head, which points into the box
        assert target.left - 8 <= x0 <= target.right + 8 and target.top - 8 <= y0 <= target.bottom + 8, e
        assert ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5 <= 8, e
        for x, y in line + e["head"]:
            assert left <= x <= right and top <= y <= bottom, e
        for a, b in zip(line, line[1:]):  # the corners' curves run through their corners: segments all
            for box in boxes:
                if box not in (source, target):
                    assert not box.crosses(a, b), (e["source"], e["target"], box.id)
        if e["label"]:
            x, y = e["label_at"]
            half = svg.measure("text", e["label"], svg.LABEL_FONT) / 2
            assert left <= x - half and x + half <= right and top <= y - svg.LABEL_H, e
            for box in boxes:
                assert x + half <= box.left or x - half >= box.right or y <= box.top or y - svg.LABEL_H >= box.bottom, \
                    (e["label"], box.id)


def test_the_edges_route_as_on_a_slide():
    """mobilenetv2-block: a chain straight on, the skip up from the input, over, down into the add's
    circle; resnet-basic: out of the input down and into the shortcut, out of it and up into the add;
    mobilenetv2: the chain into the next band down under the first and back into the stage's west."""
    block = {(e["source"], e["target"]): e for e in edges_of(parsed(svg_of("mobilenetv2-block")))}
    boxes = {b.id: b for b in boxes_of(parsed(svg_of("mobilenetv2-block")))}
    chain = block[("n0", "n1")]["line"]
    assert len(chain) == 2 and chain[0][1] == chain[1][1] == pytest.approx((boxes["n0"].top + boxes["n0"].bottom) / 2, abs=0.1)
    skip = block[("n0", "n4")]["line"]
    assert skip[0] == pytest.approx(((boxes["n0"].left + boxes["n0"].right) / 2, boxes["n0"].top), abs=0.1)
    assert max(y for _, y in skip) <= boxes["n4"].top and min(y for _, y in skip) < min(b.top for b in boxes.values())
    resnet = {(e["source"], e["target"]): e for e in edges_of(parsed(svg_of("resnet-basic-projection")))}
    rb = {b.id: b for b in boxes_of(parsed(svg_of("resnet-basic-projection")))}
    out, into = resnet[("n0", "n3")], resnet[("n3", "n4")]
    assert out["kind"] == "out" and out["line"][0][1] == rb["n0"].bottom and out["head"][0][0] == rb["n3"].left
    assert into["kind"] == "in" and into["line"][0][0] == rb["n3"].right and into["head"][0][1] == rb["n4"].bottom
    network = parsed(svg_of("mobilenetv2"))
    nb = {b.id: b for b in boxes_of(network)}
    (across,) = [e for e in edges_of(network) if nb[e["source"]].band != nb[e["target"]].band]
    first = [b for b in nb.values() if b.band == 0]
    assert across["kind"] == "chain" and min(y for _, y in across["line"]) == across["line"][0][1]
    assert max(y for _, y in across["line"]) > max(b.bottom for b in first)  # under the first band
    assert across["head"][0][0] == nb[across["target"]].left


def test_a_conditional_residual_is_an_identity_where_it_is_drawn():
    """mobilenetv2-block, every size a symbol: the add is there only if C_in = C_out, so its inputs have one
    shape there: an identity, not red; the expansion (only if t ≠ 1) dashed, and the add's circle."""
    root = parsed(svg_of("mobilenetv2-block-symbolic"))
    (skip,) = [e for e in edges_of(root) if e["kind"] == "skip"]
    assert skip["label"] == "identity, if C_in = C_out" and skip["style"] is None
    assert [b.dashed for b in boxes_of(root)] == [False, True, False, False, True]
    bound = parsed(render(derive.show("mobilenetv2-block", C_in=3, t=6, C_out=4), "svg"))  # 3 ≠ 4: no add at all
    assert [e["kind"] for e in edges_of(bound)] == ["chain"] * 3


def test_mobilenetv2_block_reads_as_the_slide():
    """What the boxes say: names in monospace, the layers' words from the template, shapes in Unicode."""
    root = parsed(svg_of("mobilenetv2-block"))
    lines = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    assert lines == ["input", "H×W×3", "expand", "conv 1×1", "BN, relu6", "H×W×18", "depthwise 3×3", "BN, relu6",
                     "H×W×18", "project", "conv 1×1", "BN", "H×W×3", "+", "identity"]
    assert root.find(f"{NS}title").text == "MobileNetV2 bottleneck"
    strided = ["".join(t.itertext()) for t in parsed(svg_of("resnet-basic-projection")).iter(f"{NS}text")]
    assert "conv 3×3, stride 2" in strided and "⌈H/2⌉×⌈W/2⌉×128" in strided
    network = ["".join(t.itertext()) for t in parsed(svg_of("mobilenetv2")).iter(f"{NS}text")]
    assert "stage2 ×2" in network and "t = 6, c = 24" in network and "13,968" in network  # thousands grouped


HOSTILE = ['<script>alert(1)</script>', 'a & b', 'say "hi" \'there\'', ']]><x/>', '<img src=x onerror=alert(1)>',
           'javascript:alert(1)', '<![CDATA[x]]>', '&amp; &lt;', 'url(#x)']


def hostile_block():
    """Layers and parts named with markup and XML's own tricks. The readers refuse such names (a layer's or
    a part's name is letters, digits, _ . -), so the block is built as a library user could build it."""
    symbols = SymbolTable.of(["C_in", "C_out", "H", "W"])
    nodes = []
    for i, name in enumerate(HOSTILE):
        nodes += [Node(name, Conv2D(sym("C_out"), 3, 1)), Node(f"bn{i}", BatchNorm())]
    nodes += [Node("fc", Dense(4), "<b>head</b> & ]]>"), Node("relu", Activation("relu"), "<b>head</b> & ]]>")]
    block = Block("hostile", "</title><script>alert(1)</script>", symbols, Shape(sym("C_in"), (sym("H"), sym("W"))),
                  tuple(nodes))
    return derive_block(block, "paper", bind(symbols, {}, {}), "hostile")


def inert(out: str) -> ET.Element:
    """The SVG parsed; no script, no event handler, no link, no style sheet, nothing fetched."""
    root = parsed(out)
    assert {e.tag for e in root.iter()} <= {f"{NS}{tag}" for tag in ("svg", "title", "g", "rect", "circle", "path",
                                                                       "text", "tspan")}
    for element in root.iter():
        for attribute, value in element.attrib.items():
            assert not attribute.lower().startswith("on") and "href" not in attribute.lower(), attribute
            if attribute != "data-name":  # a name, said as it is (escaped), is only ever text
                assert "url(" not in value and "javascript:" not in value.lower(), (attribute, value)
    assert "<script" not in out and "<![CDATA[" not in out and "<!" not in out and "<?" not in out
    assert "<style" not in out and " style=" not in out and "<foreignObject" not in out
    return root


def test_hostile_names_come_out_escaped_and_inert():
    """Each name said as text, in its box and its data-name, escaped; the title too."""
    out = render(hostile_block(), "svg")
    root = inert(out)
    assert root.find(f"{NS}title").text == "</title><script>alert(1)</script>"
    texts = ["".join(t.itertext()) for t in root.iter(f"{NS}text")]
    names = [b.name for b in boxes_of(root)]
    for name in [*HOSTILE, "<b>head</b> & ]]>"]:
        assert name in texts and name in names, name
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "a &amp; b" in out


def test_hostile_titles_come_out_escaped(tmp_path, capsys):
    """A spec's title and --title, with markup and characters no XML may hold: the SVG parses and says them."""
    spec = tmp_path / "spec.toml"
    spec.write_text('[block]\ntitle = "</title><script>alert(1)</script> & \\uFFFE"\ninput = ["H", "W", "C_in"]\n\n'
                    '[[layers]]\nname = "conv"\nop = "conv2d"\nfilters = 4\nkernel = 1\n', encoding="utf-8")
    assert main(["show", str(spec), "--format", "svg"]) == 0
    root = inert(capsys.readouterr().out)
    assert root.find(f"{NS}title").text == "</title><script>alert(1)</script> & "
    assert main(["show", str(spec), "--format", "svg", "--title", '<script>x</script> & "t" \u202e\x7f']) == 0
    root = inert(capsys.readouterr().out)
    assert root.find(f"{NS}title").text == '<script>x</script> & "t" '


def test_too_many_boxes_is_one_error_line(tmp_path, capsys):
    """More boxes than a diagram draws (diagram.MOST): one line, exit 2, nothing written."""
    spec = tmp_path / "deep.toml"
    spec.write_text('[block]\ntitle = "deep"\ninput = ["H", "W", "C_in"]\n\n' + "".join(
        f'[[layers]]\nname = "conv{i}"\nop = "conv2d"\nfilters = 8\nkernel = 1\n\n' for i in range(70)),
        encoding="utf-8")
    assert main(["show", str(spec), "--format", "svg", "-o", str(tmp_path / "x.svg")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == ("derive: error: --format svg: no diagram: its layers make more than 60 boxes, "
                                 "and a diagram draws at most 60\n")
    assert not (tmp_path / "x.svg").exists()


def test_the_command_line_writes_svg_files(tmp_path, capsys, monkeypatch):
    """`-o x.svg` and `-o folder/` (folder/<target>.svg), the same bytes as on standard output."""
    monkeypatch.chdir(tmp_path)
    args = ["show", "mobilenetv2-block", "--set", "C_in=3", "--set", "t=6", "--set", "C_out=3", "--format", "svg"]
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert main([*args, "-o", "x.svg"]) == 0
    (tmp_path / "folder").mkdir()
    assert main([*args, "-o", "folder/"]) == 0
    assert capsys.readouterr().err == "derive: wrote folder/mobilenetv2-block.svg\n"
    assert (tmp_path / "x.svg").read_text(encoding="utf-8") == printed == \
        (tmp_path / "folder" / "mobilenetv2-block.svg").read_text(encoding="utf-8")
    assert printed == render(derived("mobilenetv2-block"), "svg")


MEASURE = """
const out = [];
for (const svg of document.querySelectorAll("svg")) {
  const boxes = [...svg.querySelectorAll("[data-node]")].map((e) => [e.getAttribute("data-node"), e.getBBox()]);
  const view = svg.viewBox.baseVal;
  for (const text of svg.querySelectorAll("text")) {
    const t = text.getBBox(), cx = t.x + t.width / 2, cy = t.y + t.height / 2;
    const home = boxes.find(([id, b]) => b.x <= cx && cx <= b.x + b.width && b.y <= cy && cy <= b.y + b.height);
    out.push({svg: out.length, text: text.textContent, box: home ? home[0] : null,
              inside: home ? t.x >= home[1].x + 1 && t.x + t.width <= home[1].x + home[1].width - 1 : null,
              view: t.x >= view.x && t.x + t.width <= view.x + view.width && t.y >= view.y
                    && t.y + t.height <= view.y + view.height});
  }
}
const pre = document.createElement("pre");
pre.id = "measured";
pre.textContent = JSON.stringify(out);
document.body.appendChild(pre);
"""


def test_chromium_sets_every_label_inside_its_box():
    """Laid out by headless Chromium in DejaVu Sans (as the page sets it): every line of a box's text lies
    inside the box, every skip's label over no box, and everything inside the viewBox."""
    need(browser.chromium() is not None, "Chromium (apt-get install chromium)")
    cases = ["mobilenetv2-block", "resnet-basic-symbolic", "mbconv-se", "mobilenetv2", "transformer-encoder",
             "torch-resnet", "forum-bottleneck"]
    pictures = "".join(f"<div>{svg_of(case)}</div>" for case in cases)
    measured = browser.measure(f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{pictures}'
                               f"<script>{MEASURE}</script></body></html>", timeout=120)
    labels = {"identity", "shapes differ"}
    assert len(measured) > 60
    for m in measured:
        assert m["view"], m
        if m["text"] in labels:
            assert m["box"] is None, m
        else:
            assert m["box"] is not None and m["inside"], m


def test_the_page_gets_the_diagram_or_null():
    """/api/page's `svg` (derive/web/jobs.py, called as a worker calls it): a network's by its stages, the
    command's bytes; none (null, the rest of the page still answered) where `--format svg` is an error."""
    from derive.web.jobs import answer

    done = answer("page", {"target": "mobilenetv2"})
    assert done.status == 200 and json.loads(done.body)["svg"] == render(derived("mobilenetv2"), "svg")
    deep = '[block]\ntitle = "deep"\ninput = ["H", "W", "C_in"]\n\n' + "".join(
        f'[[layers]]\nname = "conv{i}"\nop = "conv2d"\nfilters = 8\nkernel = 1\n\n' for i in range(70))
    done = answer("page", {"source": deep, "kind": "toml"})
    page = json.loads(done.body)
    assert done.status == 200 and page["svg"] is None and page["show"]["total"]["all"]["formula"]
    done = answer("show", {"source": deep, "kind": "toml", "format": "svg"})
    assert done.status == 422 and json.loads(done.body)["error"].startswith("derive: error: --format svg: no diagram")
