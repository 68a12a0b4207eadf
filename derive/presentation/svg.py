"""The block diagram placed for SVG (`--format svg`): where every box, edge and label goes, in pixels.

A slide's diagram (diagram.py) is laid out by TikZ; an SVG's must be placed here. The diagram is the
same data, laid out the same way: its bands from diagram_layout.py (left to right, the main path in a
band's first row, each branch in a row under it, a band ending only where no branch goes on past it),
each box in the column of its depth and the row of its lane, centred in its cell; the same edges as a
slide's (latex/common.tex.j2 `diagram_rows`): `chain` straight on (or, into the next band, down, back
and into it), `out` down from the main path and into a branch, `in` out of a branch and up into a join,
`skip` round above the band at its level (and round the right from one band to another), labelled;
an add of inputs of other shapes red and dashed, a conditional box and its edges dashed.

What the boxes say comes from a template (svg/labels.j2, the words), measured here with DejaVu Sans'
advance widths, so that each box fits its text; svg/diagram.svg.j2 writes the SVG. One picture, no
pages: the bands wrap at `width` pixels (a web page's column).
"""

from __future__ import annotations

import math
import unicodedata

from .diagram import MOST
from .diagram_layout import GAP, bands
from .escaping import markup_text
from .templating import get_template

WORDS = "svg/labels.j2"  # what each box and skip says, as [style, text] pieces (text flavour: nothing escaped)

FONT, SIGN_FONT, LABEL_FONT = 13, 14, 11  # px: a box's text, a join's sign, a skip's label
LINE = 16  # a line of a box
PAD_X, PAD_Y = 7, 4  # inside a box, round its text
RADIUS = 9  # a join's circle
CHAR = 8  # px per character of diagram_layout's widths: a band's width in characters, GAP characters between columns
COLUMN_GAP = GAP * CHAR  # between two columns: the arrow between them
ROW_GAP = 22  # between a band's rows (the main path, the branches under it)
BAND_GAP = 26  # between two bands, under any skips over the second
SKIP_Y, LEVEL = 12, 17  # a skip's line above its band: the first level, and each further one
LABEL_H, LABEL_RISE = 13, 4  # a skip label's height, and its baseline's height over its line
BASELINE = 12.5  # a line of text's baseline under the top of its line (13 px text centred in 16)
SIGN_DROP = 4.8  # a join's sign's baseline under its circle's centre (the + and × centred on it)
TURN = 9  # how far a chain into the next band runs past its box, below its band, before the next box
ROUND = 12  # a skip from one band into another runs down this far right of everything
MARGIN = 5
CORNER = 4  # an edge's rounded corners
HEAD, HEAD_W = 7.5, 3.6  # an arrowhead's length and half its width
MONO = 0.602  # DejaVu Sans Mono's advance, in em

# DejaVu Sans' advance widths in thousandths of an em: ASCII from the space on, then the other
# characters a diagram writes (signs, brackets, Greek, superscripts); anything else is guessed.
_ASCII = (
    "318 401 460 838 636 950 780 275 390 390 500 838 318 361 318 337 636 636 636 636 636 636 636 636 636 636 "
    "337 337 838 838 838 531 1000 684 686 698 770 632 575 775 752 295 295 656 557 863 748 787 603 787 695 635 "
    "611 732 684 989 685 611 685 390 337 390 838 500 500 613 635 550 635 615 352 635 634 278 278 579 278 974 "
    "634 612 635 635 411 521 392 634 592 818 592 592 525 636 337 636 838")
ADVANCE = {chr(32 + i): int(w) for i, w in enumerate(_ASCII.split())}
ADVANCE.update({"×": 838, "·": 318, "−": 838, "→": 838, "≠": 838, "≤": 838, "≥": 838, "⌈": 390, "⌉": 390,
                "⌊": 390, "⌋": 390, "α": 659, "β": 638, "γ": 592, "δ": 612, "ε": 541, "μ": 636, "σ": 634,
                "θ": 612, "λ": 592, "π": 602, "ᵀ": 385, "…": 1000, "√": 637, "∈": 871, "±": 838, "′": 227,
                "Σ": 632, "Δ": 684, "—": 1000, "–": 500, **{c: 401 for c in "⁰¹²³⁴⁵⁶⁷⁸⁹"}})


def _advance(c: str) -> int:
    if c in ADVANCE:
        return ADVANCE[c]
    return 1000 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 700


def measure(style: str, text: str, size: float = FONT) -> float:
    """How wide `text` is set in a piece of this style at `size` px (a join's sign at its own), in px."""
    if style == "name":
        return MONO * size * len(text)
    return (SIGN_FONT if style == "sign" else size) * sum(map(_advance, text)) / 1000


def _pieces(line: list) -> list[dict]:
    """A line's pieces as the SVG prints them (escaping.markup_text: what XML can hold, nothing invisible)."""
    return [{"style": style, "text": markup_text(str(text))} for style, text in line if text != ""]


def placed(drawn: dict | None, width: int, templates: str | None = None) -> dict | None:
    """The diagram `drawn` (diagram.py's, without a slide's bands) placed in bands at most `width` px
    wide (wider only where a branch spans the band, which is drawn whole): each box's `x`, `y`, `w`,
    `h` and its text's lines, each edge's path (`d`, SVG path data) and arrowhead (`head`), each skip's
    label; the whole's viewBox (`left`, `top`, `width`, `height`). None for no diagram."""
    if drawn is None:
        return None
    nodes, edges, skips = drawn["nodes"], drawn["edges"], drawn["skips"]
    words: dict[str, list] = {n["id"]: [] for n in nodes}
    labels: list[list] = [[] for _ in skips]
    get_template(WORDS, "text", templates).render(nodes=nodes, skips=skips, boxes=words, labels=labels)
    boxes = {}
    for n in nodes:
        lines = [_pieces(line) for line in words[n["id"]]]
        if n["join"]:
            w = h = 2 * RADIUS
        else:
            w = math.ceil(max([sum(measure(p["style"], p["text"]) for p in line) for line in lines] + [0]) + 2 * PAD_X)
            h = LINE * max(len(lines), 1) + 2 * PAD_Y
        boxes[n["id"]] = {"id": n["id"], "name": n["name"], "w": w, "h": h, "lines": lines, "join": n["join"],
                          "dashed": bool(n["condition"]), "lane": n["lane"], "column": n["column"]}
        n["chars"] = math.ceil(w / CHAR)  # the band plan's widths: these boxes', as set
    planned = bands(nodes, edges, drawn["lanes"], [n["column"] for n in nodes], max(1, width // CHAR))
    reach = [0] * len(planned)  # skip levels over each band: those coming into it and those leaving it
    index = {n["id"]: n for n in nodes}
    for s in skips:
        for end in (s["source"], s["target"]):
            band = index[end]["band"]
            reach[band] = max(reach[band], s["level"] + 1)
    frames = _place(planned, boxes, reach)
    right = max(b["x"] + b["w"] for b in boxes.values())
    drawn_edges = [_edge(e, boxes, index, frames, right) for e in edges]
    at = {id(e): i for i, e in enumerate(edges)}
    for s, label in zip(skips, labels):
        drawn_edges[at[id(s)]]["label"] = _pieces(label) or None
    return _framed(list(boxes.values()), drawn_edges)


def _place(planned: list[dict], boxes: dict, reach: list[int]) -> list[dict]:
    """Each band's boxes in its grid: columns as wide as their widest box, rows as tall as their
    tallest, `COLUMN_GAP` and `ROW_GAP` between; the bands one under the other, with room over each for
    the skips at its levels. Each box gets `x`, `y` (its top left), `cx`, `cy`; each band its frame."""
    frames = []
    top = MARGIN
    for b, band in enumerate(planned):
        grid = band["grid"]
        above = SKIP_Y + LEVEL * (reach[b] - 1) + LABEL_H if reach[b] else 0
        top += above if b == 0 else BAND_GAP + above
        columns = len(grid[0]) if grid else 0
        col_w = [max((boxes[row[c]["id"]]["w"] for row in grid if row[c]), default=0) for c in range(columns)]
        row_h = [max((boxes[n["id"]]["h"] for n in row if n), default=0) for row in grid]
        xs = [MARGIN + sum(col_w[:c]) + COLUMN_GAP * c for c in range(columns)]
        ys = [top + sum(row_h[:r]) + ROW_GAP * r for r in range(len(grid))]
        for r, row in enumerate(grid):
            for c, n in enumerate(row):
                if n is None:
                    continue
                box = boxes[n["id"]]
                box["cx"], box["cy"] = xs[c] + col_w[c] / 2, ys[r] + row_h[r] / 2
                box["x"], box["y"] = box["cx"] - box["w"] / 2, box["cy"] - box["h"] / 2
                box["band"] = b
        bottom = ys[-1] + row_h[-1] if grid else top
        frames.append({"top": top, "bottom": bottom, "right": xs[-1] + col_w[-1] if columns else MARGIN})
        top = bottom
    for box in boxes.values():
        box["lines"] = [{"x": box["cx"], "pieces": line,
                         "y": box["cy"] + SIGN_DROP if box["join"] else box["y"] + PAD_Y + LINE * i + BASELINE}
                        for i, line in enumerate(box["lines"])]
    return frames


def _edge(e: dict, boxes: dict, index: dict, frames: list[dict], right: float) -> dict:
    """One edge's path, as a slide draws it (latex/common.tex.j2 `diagram_rows`), and how it is drawn:
    `wrong` (red, dashed: an add of inputs of other shapes), `maybe` (dashed: a box there only if
    its condition holds), else plain."""
    s, t = boxes[e["source"]], boxes[e["target"]]
    kind = e["kind"]
    target_node = index[e["target"]]
    style = "wrong" if e["mismatch"] else None
    if kind == "chain" and not e["across"]:
        if abs(s["cy"] - t["cy"]) < 0.5:
            points = [(s["x"] + s["w"], s["cy"]), (t["x"], t["cy"])]
        else:
            middle = (s["x"] + s["w"] + t["x"]) / 2
            points = [(s["x"] + s["w"], s["cy"]), (middle, s["cy"]), (middle, t["cy"]), (t["x"], t["cy"])]
    elif kind == "chain":
        below = frames[s["band"]]["bottom"] + TURN
        points = [(s["x"] + s["w"], s["cy"]), (s["x"] + s["w"] + TURN, s["cy"]), (s["x"] + s["w"] + TURN, below),
                  (t["x"] - TURN, below), (t["x"] - TURN, t["cy"]), (t["x"], t["cy"])]
    elif kind == "out":
        style = style or ("maybe" if target_node["condition"] else None)
        if t["x"] <= s["cx"] <= t["x"] + t["w"]:
            points = [(s["cx"], s["y"] + s["h"]), (s["cx"], t["y"])]
        else:
            side = t["x"] if t["cx"] > s["cx"] else t["x"] + t["w"]
            points = [(s["cx"], s["y"] + s["h"]), (s["cx"], t["cy"]), (side, t["cy"])]
    elif kind == "in":
        style = style or ("maybe" if e["condition"] else None)
        if s["x"] <= t["cx"] <= s["x"] + s["w"]:
            points = [(t["cx"], s["y"]), (t["cx"], t["y"] + t["h"])]
        else:
            side = s["x"] + s["w"] if t["cx"] > s["cx"] else s["x"]
            points = [(side, s["cy"]), (t["cx"], s["cy"]), (t["cx"], t["y"] + t["h"])]
    else:  # a skip, round the top of its band (from another band: up, round the right, down, over)
        rise = SKIP_Y + LEVEL * e["level"]
        over = frames[t["band"]]["top"] - rise
        if e["across"]:
            first = frames[s["band"]]["top"] - rise
            x = right + ROUND + LEVEL * e["level"]
            points = [(s["cx"], s["y"]), (s["cx"], first), (x, first), (x, over), (t["cx"], over), (t["cx"], t["y"])]
        else:
            points = [(s["cx"], s["y"]), (s["cx"], over), (t["cx"], over), (t["cx"], t["y"])]
    (ax, ay), (bx, by) = points[-2], points[-1]
    length = math.hypot(bx - ax, by - ay) or 1
    ux, uy = (bx - ax) / length, (by - ay) / length
    head = [(bx, by), (bx - HEAD * ux - HEAD_W * uy, by - HEAD * uy + HEAD_W * ux),
            (bx - HEAD * ux + HEAD_W * uy, by - HEAD * uy - HEAD_W * ux)]
    shaft = points[:-1] + [(bx - (HEAD - 2) * ux, by - (HEAD - 2) * uy)]  # the line stops inside its head
    out = {"kind": kind, "source": e["source"], "target": e["target"], "style": style, "points": points,
           "d": _path(shaft), "head": "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in head) + " Z", "label": None}
    if kind == "skip":
        (ux0, y), (ux1, _) = points[-3], points[-2]
        out["label_at"] = ((ux0 + ux1) / 2, y - LABEL_RISE)
    return out


def _path(points: list[tuple[float, float]]) -> str:
    """SVG path data through `points`, its corners rounded."""
    out = [f"M{_n(points[0][0])} {_n(points[0][1])}"]
    for (ax, ay), (bx, by), (cx, cy) in zip(points, points[1:], points[2:]):
        first, second = math.hypot(bx - ax, by - ay), math.hypot(cx - bx, cy - by)
        r = min(CORNER, first / 2, second / 2)
        if r < 0.5:
            out.append(f"L{_n(bx)} {_n(by)}")
            continue
        inx, iny = bx - r * (bx - ax) / first, by - r * (by - ay) / first
        outx, outy = bx + r * (cx - bx) / second, by + r * (cy - by) / second
        out.append(f"L{_n(inx)} {_n(iny)} Q{_n(bx)} {_n(by)} {_n(outx)} {_n(outy)}")
    out.append(f"L{_n(points[-1][0])} {_n(points[-1][1])}")
    return " ".join(out)


def _n(v: float) -> str:
    """A coordinate to a tenth of a pixel, as short as it goes (12, 12.5, never -0)."""
    text = f"{v:.1f}"
    text = text[:-2] if text.endswith(".0") else text
    return "0" if text == "-0" else text


def _framed(boxes: list[dict], edges: list[dict]) -> dict:
    """Everything in one frame: the labels placed, the picture's size from all it draws (boxes, paths,
    labels) with a margin round it, the numbers printed."""
    xs, ys = [], []
    for b in boxes:
        xs += [b["x"], b["x"] + b["w"]]
        ys += [b["y"], b["y"] + b["h"]]
    for e in edges:
        xs += [x for x, _ in e["points"]]
        ys += [y for _, y in e["points"]]
        if e["label"]:
            x, y = e.pop("label_at")
            wide = sum(measure(p["style"], p["text"], LABEL_FONT) for p in e["label"])
            e["label"] = {"x": _n(x), "y": _n(y), "pieces": e["label"]}
            xs += [x - wide / 2, x + wide / 2]
            ys.append(y - LABEL_H)
        e.pop("label_at", None)
        e.pop("points")
    left, top = min(0, min(xs) - MARGIN), min(0, min(ys) - MARGIN)  # a chain into the next band turns left of it
    width, height = max(xs) + MARGIN - left, max(ys) + MARGIN - top
    for b in boxes:
        for key in ("x", "y", "w", "h", "cx", "cy"):
            b[key] = _n(b[key])
        b["r"] = _n(RADIUS)
        for line in b["lines"]:
            line["x"], line["y"] = _n(line["x"]), _n(line["y"])
    return {"boxes": boxes, "edges": edges, "left": _n(left), "top": _n(top),
            "width": _n(width), "height": _n(height),
            "font": FONT, "sign_font": SIGN_FONT, "label_font": LABEL_FONT}


def undrawn(d) -> str:
    """Why a derivation has no diagram (diagram.py draws none): the error's one line."""
    if not d.layers:
        return "no diagram: the target has no layers to draw"
    return f"no diagram: its layers make more than {MOST} boxes, and a diagram draws at most {MOST}"
