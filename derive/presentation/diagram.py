"""A block diagram as data, drawn from the block graph: which boxes to draw, the main path through them,
the branches beside it and the edges between them; the LaTeX templates (latex/common.tex.j2) lay it out
with TikZ, svg.py places it in pixels for an SVG (the same bands, diagram_layout.py).

A box is one layer (`by` "layer"), a run of layers that read one another in a line (`by` "box": a
convolution with its batch norm and activation, a squeeze-and-excitation branch), or, for a network, one
part (`by` "stage": the stem, each stage with its row of the published table and ×n, the head). The
boxes keep the graph: a box reads the boxes its first layer reads.

The main path is the longest from the input to the output, where a join (an add, a multiply) continues
the input of its own shape (a multiply's feature map, not the squeeze-and-excitation's 1×1 scale); the
other boxes are branches, in runs (`lanes`) beside it: a projection shortcut, an SE branch. Edges:
`chain` (one box to the next on the main path or in a lane), `skip` (the main path to itself further
on: a residual connection, drawn round), `out` (from the main path into a lane), `in` (from a lane back
into it); an edge into an add of another shape is `mismatch` (the code's add would fail; a conditional
add's inputs compared where its condition holds: an add there only if C_in = C_out is an identity)."""

from __future__ import annotations

import math
from collections import Counter

from ..derivation import Derivation, LayerRow
from ..numeric import substituted
from .diagram_labels import item, lines, math_chars, table, table_chars
from .diagram_layout import bands, height, pages

MERGED = ("norm", "activation")  # families that join the box of the layer they follow, alone after it
MOST = 60  # boxes, at most: a bigger graph is not drawn
JOINS = ("add", "multiply", "subtract")  # a join alone: on a slide a circle with its sign


def diagram(v: dict, d: Derivation, layers: int = 16, collapse: bool = False, width: int | None = None) -> dict | None:
    """What to draw, for the templates to lay out: one box per layer up to `layers` layers (unless
    `collapse`), else per run of layers, per part for a network. `width`: the characters a row of boxes
    may take, for a slide's rows (latex/common.tex.j2 `diagram_rows`)."""
    rows = d.layers
    if not rows:
        return None
    branch: set[int] = set()
    if d.stages:
        by, boxes = "stage", _parts(rows)
    elif not collapse and len(rows) <= layers:
        by, boxes = "layer", [[i] for i in range(len(rows))]
    else:
        layer_of = {"input": 0, **{row.name: i for i, row in enumerate(rows, 1)}}
        on_main, _ = _longest(*_reads(rows, [[i] for i in range(len(rows))], layer_of, d.substitution))
        by, boxes = "box", _runs(rows, {i - 1 for i in on_main})
        branch = {i for i in range(len(rows)) if i + 1 not in on_main}  # a branch's run is named for its part
    if len(boxes) + 1 > MOST:
        return None
    stages = {s.name: s for s in d.stages}
    groups = {g["name"]: g for g in v.get("groups") or v.get("parts", ())}  # each part's `all`
    values = d.substitution
    nodes = [{"id": "n0", "name": "input", "op": "input", "ops": [], "lines": [], "shape": v["input_shape"],
              "part": None, "all": None, "condition": None, "repeat": 1, "table": None, "layers": [], "join": False,
              "chars": max(5, math_chars(v["input_shape"]))}]
    box_of = {"input": 0}
    sizes = Counter(row.part for row in rows)
    for b, members in enumerate(boxes, 1):
        first = rows[members[0]]
        for i in members:
            box_of[rows[i].name] = b
        parts = {rows[i].part for i in members}
        part = parts.pop() if len(parts) == 1 else None
        stage = stages.get(part) if by == "stage" else None
        whole = by == "stage" or (by == "box" and part is not None and len(members) == sizes[part] > 1)
        items = [] if stage is not None else [item(rows[i], values) for i in members]
        node = {"id": f"n{b}", "name": part if whole or (part is not None and members[0] in branch) else first.name, "op": first.op if by != "stage" else "part",
                "ops": items, "lines": lines(items), "shape": v["layers"][members[-1]]["shape"], "part": part,
                "all": _count(v, members, part if whole else None, groups), "condition": v["layers"][members[0]]["condition"],
                "repeat": stage.repeat if stage is not None else 1,
                "table": table(stage.table) if stage is not None and stage.table else None,
                "layers": [v["layers"][i] for i in members]}
        node["join"] = by != "stage" and len(members) == 1 and first.op in JOINS and len(first.sources) > 1
        node["chars"] = 2 if node["join"] else max([math_chars(node["shape"]), math.ceil(len(node["name"] or "") * 1.15) + (4 if node["repeat"] > 1 else 0)]  # typewriter: wider
                            + [sum(it["chars"] for it in line) + 2 * (len(line) - 1) for line in node["lines"]]
                            + [table_chars(node["table"]), len(str((node["all"] or {}).get("value") or "")) + 2])
        nodes.append(node)
    reads, joins = _reads(rows, boxes, box_of, values)
    main, depth = _main(nodes, reads, joins)
    lanes = _lanes(nodes, reads, main)
    _lane_rows(lanes, nodes, depth)
    edges = _edges(nodes, reads, joins, main)
    skips = _skips(edges)
    spans = _spans(nodes, by, groups)
    out = {"by": by, "nodes": nodes, "edges": edges, "lanes": lanes, "skips": skips, "parts": spans,
           "widths": [name for name in d.values if by == "stage" and name.startswith("c_")],  # the stages' c
           "mismatch": any(e["mismatch"] for e in edges)}
    out["grid"] = _grid(nodes, depth)
    if width is not None:
        out["bands"] = bands(nodes, edges, lanes, depth, width)
        out["pages"] = pages(out["bands"], nodes, edges)
        out["height"] = round(height([b for b in out["bands"] if b["page"] == 0]))
        # labels at 9 pt, or larger where the diagram is narrow and low enough for it (on one frame)
        widest = max(b["chars"] for b in out["bands"])
        out["font"], points = "footnotesize", 9
        for font, size in (("small", 10), ("normalsize", 11), ("large", 12)):
            if len(out["pages"]) == 1 and widest * size <= width * 9 and out["height"] * size <= 36 * 9:
                out["font"], points = font, size
        out["height"] = round(out["height"] * points / 9)
    return out


def _lane_rows(lanes: list[list[dict]], nodes: list[dict], depth: list[int]) -> None:
    """Each box's `lane`: 0 on the main path, else the first lane beside it whose boxes do not overlap
    this run's depths."""
    index = {n["id"]: i for i, n in enumerate(nodes)}
    for n in nodes:
        n["lane"] = 0
    taken: dict[int, list[tuple[int, int]]] = {}
    for lane in lanes:
        first, last = depth[index[lane[0]["id"]]], depth[index[lane[-1]["id"]]]
        row = 1
        while any(not (last < a or first > b) for a, b in taken.get(row, ())):
            row += 1
        taken.setdefault(row, []).append((first, last))
        for n in lane:
            n["lane"] = row


def _grid(nodes: list[dict], depth: list[int]) -> list[list[dict | None]]:
    """The boxes by depth (a row each, top to bottom) and lane (a column each, the main path first)."""
    lanes = 1 + max(n["lane"] for n in nodes)
    grid: list[list[dict | None]] = [[None] * lanes for _ in range(max(depth) + 1)]
    for i, n in enumerate(nodes):
        grid[depth[i]][n["lane"]] = n
    return grid


def _count(v: dict, members: list[int], part: str | None, groups: dict) -> dict | None:
    """The box's parameters: its part's (as counted there, n copies of a repeated block included) or
    its one layer's."""
    if part is not None and part in groups:
        return groups[part]["all"]
    if len(members) == 1:
        return v["layers"][members[0]].get("all")
    known = [v["layers"][i]["all"]["value"] for i in members]
    return None if None in known else {"value": sum(known), "formula": None}


def _parts(rows: tuple[LayerRow, ...]) -> list[list[int]]:
    """The layers in runs of one part (a layer outside the parts alone)."""
    boxes: list[list[int]] = []
    for i, row in enumerate(rows):
        if boxes and row.part is not None and rows[boxes[-1][-1]].part == row.part:
            boxes[-1].append(i)
        else:
            boxes.append([i])
    return boxes


def _runs(rows: tuple[LayerRow, ...], main: set[int]) -> list[list[int]]:
    """The layers in runs that read one another in a line, each read by the next alone: a norm or
    activation after the layer it follows (conv + BN + ReLU, add + layer norm), and off the main path
    (indices in `main`) the layers of one part (a squeeze-and-excitation branch)."""
    readers = Counter(name for row in rows for name in row.sources)
    boxes: list[list[int]] = []
    for i, row in enumerate(rows):
        if boxes:
            last, head = rows[boxes[-1][-1]], rows[boxes[-1][0]]
            if (row.sources == (last.name,) and readers[last.name] == 1 and row.condition == last.condition
                    and (row.layer.family in MERGED
                         or (row.part is not None and row.part == head.part and not {i, boxes[-1][-1]} & main))):
                boxes[-1].append(i)
                continue
        boxes.append([i])
    return boxes


def _reads(rows, boxes, box_of, values) -> tuple[list[tuple[int, ...]], list[tuple[bool, ...]]]:
    """Which boxes each box reads (its first layer's sources), and for each whether that input has the
    join's own shape (all True but at a join)."""
    reads: list[tuple[int, ...]] = [()]
    joins: list[tuple[bool, ...]] = [()]
    for b, members in enumerate(boxes, 1):
        row = rows[members[0]]
        known = [box_of.get(name) for name in row.sources]
        if not known or None in known or any(k >= b for k in known):  # a chain, when the sources are not all drawn
            reads.append((b - 1,))
            joins.append((True,))
            continue
        reads.append(tuple(known))
        if len(known) > 1 and len(row.inputs) == len(known):
            given = {**values, **_equalities(row.condition, values)}  # a join there only if C_in = C_out: one shape
            joins.append(tuple(_same(shape.dims, row.output.dims, given) for shape in row.inputs))
        else:
            joins.append(tuple(True for _ in known))
    return reads, joins


def _equalities(condition, values) -> dict:
    """What a layer's condition says is equal, where it says it of a symbol (`C_in = C_out`: C_in is
    C_out), with the values put in; nothing for a disjunction."""
    if condition is None or condition.either:
        return {}
    return {lhs: substituted(rhs, values) for lhs, relation, rhs in condition.clauses
            if relation == "=" and getattr(lhs, "is_Symbol", False) and lhs not in values}


def _same(a, b, values) -> bool:
    """Whether two shapes are one, with the values put in (C_in and C_out are one when both are 256)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        d = substituted(x - y, values)
        if d != 0 and d.expand() != 0:
            return False
    return True


def _longest(reads, joins) -> tuple[set[int], list[int]]:
    """The main path: from the last box back, at each box the longest-reached of the inputs of its own
    shape. Also each box's depth (its column, left to right)."""
    depth, best = [0] * len(reads), [None] * len(reads)
    for i in range(1, len(reads)):
        depth[i] = 1 + max(depth[j] for j in reads[i])
        chosen = [j for j, same in zip(reads[i], joins[i]) if same] or list(reads[i])
        best[i] = max(chosen, key=lambda j: depth[j])
    main, i = set(), len(reads) - 1
    while i is not None:
        main.add(i)
        i = best[i]
    return main, depth


def _main(nodes, reads, joins) -> tuple[set[int], list[int]]:
    """The main path and the depths (`_longest`), marked on the nodes."""
    main, depth = _longest(reads, joins)
    previous = None
    for i, node in enumerate(nodes):
        node["main"] = i in main
        node["column"] = depth[i]
        if node["main"]:
            node["prev"] = previous
            previous = node["id"]
    return main, depth


def _lanes(nodes, reads, main) -> list[list[dict]]:
    """The boxes off the main path in runs, each run beside the main box after the one it leaves from."""
    lanes: list[list[dict]] = []
    main_sorted = sorted(main)
    for i, node in enumerate(nodes):
        if node["main"]:
            continue
        source = reads[i][0]
        if lanes and lanes[-1][-1]["id"] == nodes[source]["id"]:
            node["prev"] = lanes[-1][-1]["id"]
            lanes[-1].append(node)
        else:
            node["prev"] = None
            after = [m for m in main_sorted if m > source]
            node["beside"] = nodes[after[0]]["id"] if after else nodes[main_sorted[-1]]["id"]
            node["from"] = nodes[source]["id"]
            lanes.append([node])
    return lanes


def _edges(nodes, reads, joins, main) -> list[dict]:
    edges = []
    for i, node in enumerate(nodes):
        for source, same in zip(reads[i], joins[i]):
            src = nodes[source]
            if node["main"] and src["main"]:
                kind = "chain" if node["prev"] == src["id"] else "skip"
            elif not node["main"] and node.get("prev") == src["id"]:
                kind = "chain"
            elif not node["main"]:
                kind = "out"
            else:
                kind = "in"
            edges.append({"source": src["id"], "target": node["id"], "kind": kind,
                          "condition": node["condition"] if kind in ("skip", "in") else None,
                          "mismatch": not same and node["op"] in ("add", "subtract", "average", "maximum", "minimum"),
                          "join": node["op"] if len(reads[i]) > 1 else None,
                          "from": source, "to": i})
    return edges


def _skips(edges) -> list[dict]:
    """The skips, nested ones each further out (`level`), and whether each is a residual connection."""
    skips = sorted((e for e in edges if e["kind"] == "skip"), key=lambda e: e["to"] - e["from"])
    for k, skip in enumerate(skips):
        span = range(skip["from"], skip["to"] + 1)
        inside = [o["level"] for o in skips[:k] if o["from"] in span or o["to"] in span]
        skip["level"] = 1 + max(inside) if inside else 0
        skip["residual"] = skip["join"] == "add"
    return skips


def _spans(nodes, by, groups) -> list[dict]:
    """The parts framed round their boxes, when a box is one layer."""
    if by != "layer":
        return []
    spans: list[dict] = []
    for node in nodes[1:]:
        part = node["part"]
        if part is None:
            continue
        if spans and spans[-1]["name"] == part and spans[-1]["members"][-1] == f"n{int(node['id'][1:]) - 1}":
            span = spans[-1]
        else:
            span = {"name": part, "id": f"p{len(spans)}", "members": [], "main": [],
                    "all": groups[part]["all"] if part in groups else None}
            spans.append(span)
        span["members"].append(node["id"])
        if node["main"]:
            span["main"].append(node["id"])
    for span in spans:
        span["first"], span["last"] = span["members"][0], span["members"][-1]
    return spans
