"""A block diagram as data: which nodes to draw, on which path, and the edges between them; the LaTeX
templates (latex/common.tex.j2) lay it out."""

from __future__ import annotations


def diagram(v: dict, sources: list[tuple[str, ...]], layers: int, parts: int,
             rows: int | None = None) -> dict | None:
    """What to draw, for the templates to lay out.

    Nodes: the input, then one per layer (or one per part, when there are more than `layers` layers or
    a part has more than `rows`). The main path is the longest from the input to the output; other
    nodes (a projection shortcut, say) are branches, in runs (`lanes`) beside it. Edges: `chain`
    (one node to the next on the main path or in a lane), `skip` (the main path to itself further on:
    a residual connection), `out` (from the main path into a lane), `in` (from a lane back into it).
    Also the parts' spans and the main nodes in columns, one per part (for a slide)."""
    longest = max((len(g["layers"]) for g in v["groups"]), default=0)
    by_layer = len(v["layers"]) <= layers and (rows is None or longest <= rows)
    if not by_layer and len(v["groups"]) > parts:
        return None
    nodes = [{"id": "n0", "name": "input", "op": "input", "signature": "", "shape": v["input_shape"],
              "part": None, "all": None, "layers": [], "condition": None}]
    if by_layer:
        for i, layer in enumerate(v["layers"], 1):
            nodes.append({"id": f"n{i}", "name": layer["name"], "op": layer["op"], "signature": layer["signature"],
                          "shape": layer["shape"], "part": layer["part"], "all": layer["all"], "layers": [layer],
                          "condition": layer["condition"]})
        ids = {"input": "n0", **{layer["name"]: f"n{i}" for i, layer in enumerate(v["layers"], 1)}}
        if all(name in ids for names in sources for name in names):
            reads = [()] + [tuple(ids[name] for name in names) for names in sources]
        else:  # a chain, and a residual add reads the input
            reads = [()] + [(f"n{i - 1}",) + (("n0",) if n["op"] == "add" and i > 1 else ())
                            for i, n in enumerate(nodes[1:], 1)]
    else:
        for i, group in enumerate(v["groups"], 1):
            nodes.append({"id": f"n{i}", "name": group["name"], "op": "part", "signature": "",
                          "shape": group["layers"][-1]["shape"], "part": group["part"], "all": group["all"],
                          "layers": group["layers"], "condition": None})
        reads = [()] + [(f"n{i - 1}",) for i in range(1, len(nodes))]
    index = {node["id"]: i for i, node in enumerate(nodes)}
    # the main path: the longest from the input to the last node
    depth, best = [0] * len(nodes), [None] * len(nodes)
    for i in range(1, len(nodes)):
        for source in reads[i]:
            j = index[source]
            if best[i] is None or depth[j] + 1 > depth[i]:
                depth[i], best[i] = depth[j] + 1, j
    main, i = [], len(nodes) - 1
    while i is not None:
        main.append(i)
        i = best[i]
    main = set(main)
    lanes: list[list[dict]] = []
    previous_main = None
    for i, node in enumerate(nodes):
        node["main"] = i in main
        if node["main"]:
            node["prev"] = None if previous_main is None else nodes[previous_main]["id"]
            previous_main = i
            continue
        first_source = index[reads[i][0]]
        if lanes and lanes[-1][-1]["id"] == nodes[first_source]["id"]:
            node["prev"] = lanes[-1][-1]["id"]
            lanes[-1].append(node)
        else:
            node["prev"] = None
            lanes.append([node])
    main_ids = [nodes[i]["id"] for i in sorted(main)]
    for lane in lanes:  # a lane starts beside the main node after the one it leaves from
        leave = index[reads[index[lane[0]["id"]]][0]]
        after = [m for m in sorted(main) if m > leave]
        lane[0]["beside"] = nodes[after[0]]["id"] if after else main_ids[-1]
    edges = []
    for i, node in enumerate(nodes):
        for source in reads[i]:
            j = index[source]
            if node["main"] and nodes[j]["main"]:
                kind = "chain" if node["prev"] == source else "skip"
            elif not node["main"] and node.get("prev") == source:
                kind = "chain"
            elif not node["main"]:
                kind = "out"
            else:
                kind = "in"
            edges.append({"source": source, "target": node["id"], "kind": kind,
                          "condition": node["condition"] if kind == "skip" else None})
    skips = sorted((e for e in edges if e["kind"] == "skip"), key=lambda e: index[e["target"]] - index[e["source"]])
    for k, skip in enumerate(skips):  # nested skips go round each other, each further out
        span = range(index[skip["source"]], index[skip["target"]] + 1)
        inside = [o["level"] for o in skips[:k] if index[o["source"]] in span or index[o["target"]] in span]
        skip["level"] = 1 + max(inside) if inside else 0
        skip["residual"] = nodes[index[skip["target"]]]["op"] == "add"
    spans = []
    if by_layer:
        for group in v["groups"]:
            if group["part"] is not None:
                members = [n["id"] for n in nodes[1:] if n["part"] == group["part"]]
                spans.append({"name": group["part"], "id": f"p{len(spans)}", "members": members,
                              "main": [m for m in members if nodes[index[m]]["main"]],
                              "first": members[0], "last": members[-1], "all": group["all"]})
    columns: list[list[dict]] = []  # the main nodes in runs of one part (a node outside the parts alone)
    for node in nodes:
        if not node["main"]:
            continue
        if columns and by_layer and node["part"] is not None and columns[-1][-1]["part"] == node["part"]:
            columns[-1].append(node)
        else:
            columns.append([node])
        node["column"] = len(columns) - 1
    for edge in edges:  # on a slide: down a column, or across from one column to the next
        source, target = nodes[index[edge["source"]]], nodes[index[edge["target"]]]
        edge["across"] = edge["kind"] == "chain" and source["main"] and source["column"] != target["column"]
    return {"by": "layer" if by_layer else "part", "nodes": nodes, "edges": edges, "lanes": lanes,
            "skips": skips, "parts": spans, "columns": columns}
