"""A slide's diagram, and an SVG's (svg.py, its widths measured in pixels), in rows of boxes (`bands`),
left to right: a box in the column of its depth, the
main path in a band's first row, each branch in a row under it. A band holds as many columns as fit
in the width given; it ends only where no branch goes on past it, so a branch is drawn whole. The
labels keep their size: a diagram too wide is wrapped into more bands, never shrunk."""

from __future__ import annotations

GAP = 3  # characters between two columns (the arrow between them, 4 mm)
LINE_MM, BOX_MM, ROW_MM, BAND_MM, LEVEL_MM = 3.9, 1.6, 4, 5, 4  # heights: a line at 9 pt, a box's frame, the gaps


def bands(nodes: list[dict], edges: list[dict], lanes: list[list[dict]], depth: list[int], width: int) -> list[dict]:
    """The bands, each with its columns and its boxes in a grid (`grid`, a row per lane row, None where
    empty); each node gets its `band`, `row` and `col`, each edge `across` (from one band to another)."""
    index = {n["id"]: i for i, n in enumerate(nodes)}
    columns = max(depth) + 1
    row_of = {n["id"]: n["lane"] for n in nodes}
    spans = []  # (from, to): the columns a lane leaves and rejoins at, which no band may end between
    joins = {e["source"]: index[e["target"]] for e in edges if e["kind"] == "in"}
    for lane in lanes:
        last = depth[index[lane[-1]["id"]]]
        leave = depth[index[lane[0]["from"]]]
        spans.append((leave, depth[joins[lane[-1]["id"]]] if lane[-1]["id"] in joins else last))
    wide = [0] * columns
    for i, n in enumerate(nodes):
        wide[depth[i]] = max(wide[depth[i]], n["chars"])
    cuts = [all(not (a <= c < b) for a, b in spans) for c in range(columns)]  # a band may end after column c
    plan = _plan(wide, cuts, width)
    band_of = {c: b for b, cols in enumerate(plan) for c in cols}
    out = []
    for b, cols in enumerate(plan):
        height = 1 + max((row_of[n["id"]] for i, n in enumerate(nodes) if band_of[depth[i]] == b), default=0)
        grid: list[list[dict | None]] = [[None] * len(cols) for _ in range(height)]
        for i, n in enumerate(nodes):
            if band_of[depth[i]] == b:
                n["band"], n["row"], n["col"] = b, row_of[n["id"]], depth[i] - cols[0]
                grid[n["row"]][n["col"]] = n
        out.append({"id": f"b{b}", "grid": grid, "chars": sum(wide[c] for c in cols) + GAP * (len(cols) - 1),
                    "levels": 0, "last": b == len(plan) - 1})
    for band in out:
        band["height"] = round(sum(max((_lines(n) for n in row if n), default=0) * LINE_MM + BOX_MM for row in band["grid"]) \
            + ROW_MM * (len(band["grid"]) - 1))  # mm
    for e in edges:
        e["across"] = nodes[index[e["source"]]]["band"] != nodes[index[e["target"]]]["band"]
        if e["kind"] == "skip":  # drawn above the band it comes into
            band = out[nodes[index[e["target"]]]["band"]]
            band["levels"] = max(band["levels"], e["level"] + 1)
    return out


def _plan(wide: list[int], cuts: list[bool], width: int) -> list[list[int]]:
    """The columns in bands: the fewest bands each at most `width` wide (if any number can be), ending
    only where a band may end, and of those the plan whose widest band is narrowest."""
    columns = len(wide)
    ends = [c for c in range(columns) if cuts[c] or c == columns - 1]
    starts = [0] * (columns + 1)
    for c in range(columns):
        starts[c + 1] = starts[c] + wide[c]

    def span(a: int, b: int) -> int:  # columns a..b as one band
        return starts[b + 1] - starts[a] + GAP * (b - a)

    best = {e: (span(0, e), None) for e in ends}  # one band: (widest, previous end)
    plans = [best]
    while plans[-1][columns - 1][0] > width and len(plans) < len(ends):
        last, step = plans[-1], {}
        for e in ends:
            options = [(max(last[p][0], span(p + 1, e)), p) for p in ends if p < e and p in last]
            if options:
                step[e] = min(options)
        plans.append(step)
    k = min(range(len(plans)), key=lambda i: (plans[i][columns - 1][0] > width, plans[i][columns - 1][0] if
                                              plans[i][columns - 1][0] > width else 0, i))
    bounds, e = [], columns - 1
    for level in range(k, -1, -1):
        p = plans[level][e][1]
        bounds.append((0 if p is None else p + 1, e))
        if p is None:
            break
        e = p
    return [list(range(a, b + 1)) for a, b in reversed(bounds)]


def _lines(n: dict) -> int:
    """How many lines a box has on a slide (latex/common.tex.j2 `box`)."""
    if n.get("join"):
        return 1
    table = n["table"]
    if table:
        return 3 + len(table["block"] or ()) + len(table["lines"])
    wraps = sum(1 for line in n["lines"] for it in line if it["wrap"] and it["stride"])
    return 2 + len(n["lines"]) + wraps + (1 if n["condition"] else 0)


def height(bands: list[dict]) -> float:
    """The diagram's height in millimetres, roughly: its bands, the gaps and the skips over them."""
    return sum(b["height"] + (BAND_MM if i else 0) + LEVEL_MM * b["levels"] + (3 if b["levels"] and not i else 0)
               for i, b in enumerate(bands))


PAGE_MM = 66  # the height a frame gives a diagram under its title, with room for a line under it


def pages(bands: list[dict], nodes: list[dict], edges: list[dict]) -> list[dict]:
    """The bands on frames, as many to a frame as fit in `PAGE_MM`: a diagram taller than a frame goes on
    over the next (each node gets its `page`; an edge between two frames is drawn as a stub on each)."""
    out: list[dict] = []
    used = 0.0
    for i, band in enumerate(bands):
        tall = band["height"] + LEVEL_MM * band["levels"] + (BAND_MM if out and out[-1]["bands"] else 3)
        if out and used + tall > PAGE_MM:
            out.append({"bands": []})
            used = 3 + LEVEL_MM * band["levels"] + band["height"]
        else:
            if not out:
                out.append({"bands": []})
            used += tall
        out[-1]["bands"].append(band)
    if len(out) > 1:  # as many frames, the bands shared out evenly (no frame with one band left over)
        share = -(-len(bands) // len(out))
        out = [{"bands": bands[i:i + share]} for i in range(0, len(bands), share)]
    for k, page in enumerate(out):
        for band in page["bands"]:
            band["page"] = k
    index = {n["id"]: n for n in nodes}
    for n in nodes:
        n["page"] = bands[n["band"]]["page"]
    for e in edges:
        e["pages"] = [index[e["source"]]["page"], index[e["target"]]["page"]]
    for k, page in enumerate(out):
        page["ids"] = [n["id"] for n in nodes if n["page"] == k]
    return out
