"""A slide's diagram in rows of boxes (`bands`), left to right: a box in the column of its depth, the
main path in a band's first row, each branch in a row under it. A band holds as many columns as fit
in the width given; it ends only where no branch goes on past it, so a branch is drawn whole. The
labels keep their size: a diagram too wide is wrapped into more bands, never shrunk."""

from __future__ import annotations

GAP = 3  # characters between two columns (the arrow between them, 4 mm)


def bands(nodes: list[dict], edges: list[dict], lanes: list[list[dict]], depth: list[int], width: int) -> list[dict]:
    """The bands, each with its columns and its boxes in a grid (`grid`, a row per lane row, None where
    empty); each node gets its `band`, `row` and `col`, each edge `across` (from one band to another)."""
    index = {n["id"]: i for i, n in enumerate(nodes)}
    columns = max(depth) + 1
    row_of = {n["id"]: 0 for n in nodes if n["main"]}
    spans = []  # (from, to): the columns a lane leaves and rejoins at, which no band may end between
    taken: dict[int, list[tuple[int, int]]] = {}
    joins = {e["source"]: index[e["target"]] for e in edges if e["kind"] == "in"}
    for lane in lanes:
        first, last = depth[index[lane[0]["id"]]], depth[index[lane[-1]["id"]]]
        leave = depth[index[lane[0]["from"]]]
        join = depth[joins[lane[-1]["id"]]] if lane[-1]["id"] in joins else last
        spans.append((leave, join))
        row = 1
        while any(not (last < a or first > b) for a, b in taken.get(row, ())):
            row += 1
        taken.setdefault(row, []).append((first, last))
        for n in lane:
            row_of[n["id"]] = row
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
