"""Rendering: a `Derivation` in, text (or PDF bytes) out, through the Jinja templates in `templates/`.

Python prepares values (formulas printed in the style each format needs); the templates hold every
word and the layout. `--templates DIR` puts a user's directory in front of the built-in one, so any
template can be overridden by name. JSON is the derivation's own `to_dict()`.

The text format sees `view(d, "text")`. Markdown and the LaTeX formats see `document(d)`: the same in
LaTeX style (every formula `Safe`, symbol names checked by `escaping.math_name`), plus what a worked
solution needs: layers grouped by part, the figures under every convention, a diagram to draw, and
the explanations (`templates/explain/*.md.j2`, chosen by the operations present) already rendered.
"""

from __future__ import annotations

import json
from collections import ChainMap
from collections.abc import Callable, Mapping

from .derivation import COUNTED, Count, Derivation, Later
from .errors import InputError
from .numeric import substituted
from .printing import printer
from .records import frozen
from .templating import get_template
from .templating import render as render_lazily

FORMATS = ("text", "json", "markdown", "latex", "tex", "slide", "pdf")
TEMPLATE = {
    "text": "text/show.txt.j2",
    "markdown": "markdown/show.md.j2",
    "latex": "latex/show.tex.j2",
    "tex": "tex/show.tex.j2",
    "slide": "slide/show.tex.j2",
    "pdf": "tex/show.tex.j2",
}
PARAMETER_FREE = ("pool2d", "global_pool2d", "dropout", "flatten", "concatenate")
CONVOLUTIONS = ("conv2d", "depthwise_conv2d", "separable_conv2d", "dense")
NORMS = ("batch_norm", "layer_norm", "group_norm")
# How many nodes a diagram draws one per layer before it draws one per part instead (and at most).
# A slide stacks each part's layers in a column: at most `rows` of them.
ARTICLE_DIAGRAM = {"layers": 16, "parts": 20}
SLIDE_DIAGRAM = {"layers": 11, "parts": 8, "rows": 4}


def _identity(text: str) -> str:
    return text


class Lazy(Mapping):
    """A dict whose callable values are computed on first use: a template reads few of the many
    formulas a view offers (every bucket of every layer), and printing them is most of the cost."""

    def __init__(self, items: dict) -> None:
        self._items = items

    def __getitem__(self, key: str):
        value = self._items[key]
        if callable(value):
            value = self._items[key] = value()
        return value

    def __setitem__(self, key: str, value) -> None:
        self._items[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self):
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


class Shown(Mapping):
    """A count as a template sees it: `formula` (as written), `expr` (the numbers put in), `value`,
    `closed` (a closed form, not terms as written), `unbound` (the symbols a number waits for) and, in
    LaTeX, `eq` (formula = numbers = value), each printed on first use; and fixed `extra` entries
    (a term's label, kind, bucket). One small object per count: a view holds one for every bucket of
    every layer, and a template reads few of them."""

    __slots__ = ("count", "how", "extra", "_done")

    def __init__(self, count: Count, how: "Styling", extra: Mapping | None = None) -> None:
        self.count, self.how, self.extra, self._done = count, how, extra or {}, {}

    def _keys(self) -> tuple[str, ...]:
        return ("formula", "expr", "value", "closed", "unbound", *(("eq",) if self.how.names is not None else ()))

    def __getitem__(self, key: str):
        if key in self._done:
            return self._done[key]
        if key in self.extra:
            return self.extra[key]
        if key not in self._keys():
            raise KeyError(key)
        how, count = self.how, self.count
        if key == "formula":
            value = how.mark(count.written(how.style, how.names))
        elif key == "expr":
            value = how.mark(count.written(how.style, how.names, how.subs))
        elif key == "value":
            value = count.value
        elif key == "closed":
            value = count.products is None
        elif key == "unbound":
            waiting = sorted(count.formula.free_symbols - set(how.subs), key=how.order.get)
            value = [how.mark(printer(how.style, how.names)(s)) for s in waiting]
        else:
            value = _equation(self)
        self._done[key] = value
        return value

    def __iter__(self):
        return iter((*self._keys(), *self.extra))

    def __len__(self) -> int:
        return len(self._keys()) + len(self.extra)


@frozen
class Styling:
    """How a view prints: the style, the symbols' names, the values put in for `expr`, how text is
    marked (LaTeX: `Safe`), and the symbols' order (for `unbound`)."""

    style: str
    names: Mapping | None
    subs: Mapping
    mark: Callable[[str], str]
    order: Mapping


def view(d: Derivation, style: str) -> dict:
    """What every template sees: the derivation with its formulas printed in `style`."""
    if style == "latex":
        from .escaping import Safe, math_name

        mark = Safe
        names = {info.symbol: math_name(info.latex, info.name) for info in d.symbols.infos}
    else:
        mark, names = _identity, None
    how = Styling(style, names, d.substitution, mark, {info.symbol: i for i, info in enumerate(d.symbols.infos)})

    def show(count: Count, **extra) -> Shown:
        return Shown(count, how, extra)

    def term(t) -> Shown:
        return show(Count(t.term.size, t.value, (t.term.factors,)),
                    label=t.term.label, kind=t.term.kind, bucket=t.bucket)

    layers = []
    for row in d.layers:
        layers.append(Lazy({
            "name": row.name, "op": row.op, "signature": row.signature, "part": row.part,
            "condition": None if row.condition is None else mark(d.condition_text(row.condition, style, names)),
            "terms": [term(t) for t in row.terms if t.bucket is not None],
            **{key: show(row.counts[key]) for key in (*COUNTED, "macs")},
            "all": show(Later(lambda row=row: _counted(row))),
        }))
    return {
        "target": d.target, "title": d.title, "convention": d.convention, "options": d.options,
        "symbols": [{"name": i.name, "meaning": i.meaning, "latex": names[i.symbol] if names else i.latex}
                    for i in d.symbols.infos],
        "values": [{"name": name, "value": mark(printer(style, names)(value)),
                    **({"latex": names[d.symbols[name].symbol]} if names else {})}
                   for name, value in d.values.items()],
        "layers": layers,
        "parts": [{"name": p.name, **{key: show(c) for key, c in p.counts.items()}} for p in d.parts],
        "total": {key: show(c) for key, c in d.total.items()},
        "others": {name: {key: show(c) for key, c in totals.items()} for name, totals in d.others.items()},
    }


def _counted(row) -> Count:
    """A layer's trainable and non-trainable terms together, as written."""
    counted = [row.counts[b] for b in ("trainable", "non_trainable")]
    values = [c.value for c in counted]
    return Count(counted[0].formula + counted[1].formula, None if None in values else sum(values),
                 tuple(p for c in counted for p in (c.products or ())))


def _equation(shown: dict) -> str:
    """`formula = numbers = value` in LaTeX, each step only when it says something new."""
    from .escaping import Safe
    from .templating import number

    steps = [shown["formula"]]
    if shown["expr"] != shown["formula"]:
        steps.append(shown["expr"])
    if shown["value"] is not None and shown["expr"] != str(shown["value"]):
        steps.append(number(shown["value"], math=True))
    return Safe(" = ".join(steps))


# -- the worked solution: Markdown and LaTeX --------------------------------------------------------
def document(d: Derivation, title: str | None = None, templates: str | None = None) -> "Lazy":
    """The view of Markdown and the LaTeX formats (formulas in LaTeX), with what a worked solution adds."""
    from .escaping import Safe

    v = view(d, "latex")
    names = {info.symbol: info_latex["latex"] for info, info_latex in zip(d.symbols.infos, v["symbols"])}
    latex = printer("latex", names)

    def channels(row) -> dict:
        text = latex(row.output.channels)
        return {"formula": Safe(text), "value": _number(row.shape[-1]),
                "factor": Safe(text if row.output.channels.is_Atom else rf"\left({text}\right)")}

    for row, layer in zip(d.layers, v["layers"]):
        layer["shape"] = lambda row=row: Safe(r" \times ".join(latex(dim) for dim in row.shape))
        layer["channels"] = lambda row=row: channels(row)
        layer["bias"] = any(t.term.kind == "bias" for t in row.terms)
        layer["params"] = bool(row.terms)
        layer["repeat"] = getattr(row, "repeat", 1)  # a network's repeated block: counts are per copy
    layers = v["layers"]
    # what only some formats show is worked out when a template first reads it
    v = Lazy({**v, "heading": title, "groups": lambda: _groups(v), "reports": {d.convention: v["total"], **v["others"]},
              "ops": sorted({layer["op"] for layer in layers}), "input_shape": lambda: _input_shape(d, latex)})
    v["diagram"] = lambda: _diagram(v, _sources(d), **ARTICLE_DIAGRAM)
    v["slide_diagram"] = lambda: _diagram(v, _sources(d), **SLIDE_DIAGRAM)
    v["explanations"] = lambda: _explanations(d, v, templates)
    v["frameworks"] = lambda: Safe(render_lazily(get_template("explain/frameworks.md.j2", templates), v).strip())
    return v


def _number(expr) -> int | None:
    return int(expr) if getattr(expr, "is_Integer", False) else None


def _groups(v: dict) -> list[dict]:
    """The layers in runs of one part each; a layer outside any part is a group of its own."""
    parts = {p["name"]: p for p in v["parts"]}
    groups: list[dict] = []
    for layer in v["layers"]:
        part = layer["part"]
        if part is not None and groups and groups[-1]["part"] == part:
            groups[-1]["layers"].append(layer)
            continue
        counts = parts[part] if part in parts else {"all": layer["all"], **{b: layer[b] for b in COUNTED}}
        groups.append({"name": part if part is not None else layer["name"], "part": part, "layers": [layer],
                       **{key: counts[key] for key in ("all", *COUNTED)}})
    for group in groups:  # the terms counted in `all`, as written (n copies of a repeated layer: n·term)
        group["terms"] = [_times(t, layer.get("repeat", 1)) for layer in group["layers"] for t in layer["terms"]
                          if t["bucket"] != "buffers"]
    return groups


def _times(term: dict, n: int) -> dict:
    if n == 1:
        return term
    from .escaping import Safe

    def wrap(text: str) -> str:
        return rf"\left({text}\right)" if " + " in text or " - " in text else text

    return {**term, "formula": Safe(rf"{n} \cdot {wrap(term['formula'])}"), "expr": Safe(rf"{n} \cdot {wrap(term['expr'])}"),
            "value": None if term["value"] is None else n * term["value"]}


def _input_shape(d: Derivation, latex) -> str | None:
    """The block's input, h × w × c with the values put in: from the first layer's input when the
    derivation keeps it, else from the registry's H, W and C_in."""
    from .escaping import Safe

    subs = d.substitution
    inputs = getattr(d.layers[0], "inputs", None) if d.layers else None
    if inputs:
        dims = inputs[0].dims
    elif all(name in d.symbols for name in ("H", "W", "C_in")):
        dims = tuple(d.symbols[name].symbol for name in ("H", "W", "C_in"))
    else:
        return None
    return Safe(r" \times ".join(latex(substituted(dim, subs)) for dim in dims))


def _sources(d: Derivation) -> list[tuple[str, ...]]:
    """Each layer's inputs by name (`input` for the block's own), as the derivation read them."""
    return [row.sources for row in d.layers]


def _diagram(v: dict, sources: list[tuple[str, ...]], layers: int, parts: int,
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


def _explanations(d: Derivation, v: dict, templates: str | None) -> list[dict]:
    """One explanation per kind of layer present (and for the bias before a norm), rendered from
    `explain/<topic>.md.j2`; a topic without a template is left out."""
    from .escaping import Safe

    layers = v["layers"]
    found: dict[str, list[dict]] = {}
    for i, layer in enumerate(layers):
        found.setdefault(layer["op"], []).append(layer)
        if layer["op"] in PARAMETER_FREE:
            found.setdefault("parameter_free", []).append(layer)
        if layer["op"] in CONVOLUTIONS and i + 1 < len(layers) and layers[i + 1]["op"] == "batch_norm":
            found.setdefault("bias_redundant" if layer["bias"] else "bias_dropped", []).append(layer)
    order = (*CONVOLUTIONS, *NORMS, "bias_dropped", "bias_redundant", "activation", "add", "parameter_free")
    topics = {topic: found[topic] for topic in order if topic in found}
    out = []
    for topic, chosen in topics.items():
        try:
            template = get_template(f"explain/{topic}.md.j2", templates)
        except InputError:
            continue
        text = render_lazily(template, ChainMap({"these": chosen, "first": chosen[0]}, v)).strip()
        heading, _, body = text.partition("\n")
        out.append({"topic": topic, "title": Safe(heading.strip()), "text": Safe(body.strip())})
    return out


# -- entry point ---------------------------------------------------------------------------------
NETWORK_KEYS = ("trainable", "non_trainable", "all", "buffers", "macs")


def _values(counts) -> dict | None:
    return None if counts is None else {key: counts[key].value for key in NETWORK_KEYS}


def network_view(d: Derivation) -> dict:
    """What the per-stage summary of a network adds: one row per stage (its row of the published
    table, output shape, value, and for n > 1 blocks one block's value and the first block's
    difference, so the template writes n × block + difference) and the channel widths."""
    parts = {p.name: p for p in d.parts}
    stages = []
    for stage in d.stages:
        stages.append({
            "name": stage.name, "n": stage.repeat, "table": dict(stage.table),
            "shape": [int(v) if getattr(v, "is_Integer", False) else str(v) for v in stage.shape],
            "value": _values(parts[stage.name].counts if stage.name in parts else stage.counts),
            "block": _values(stage.block), "difference": _values(stage.difference),
        })
    widths = [{"name": name, "value": int(value) if value.is_Integer else str(value)}
              for name, value in d.values.items() if name.startswith("c_")]
    return {"stages": stages, "widths": widths, "network": bool(d.stages)}


def render(d: Derivation, fmt: str, templates: str | None = None, title: str | None = None,
           detail: bool = False) -> str | bytes:
    """`d` in the format `fmt` (one of FORMATS); `pdf` gives bytes, everything else text. A network's
    text is its per-stage summary unless `detail` asks for every layer."""
    if fmt == "json":
        return json.dumps(d.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt not in TEMPLATE:
        raise InputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", "--format")
    if fmt == "text":
        if d.stages and not detail:
            return render_lazily(get_template("text/network.txt.j2", templates), {**view(d, "text"), **network_view(d)})
        return render_lazily(get_template(TEMPLATE[fmt], templates), view(d, "text"))
    extra = {**network_view(d), "detail": detail} if fmt == "markdown" else {}
    text = render_lazily(get_template(TEMPLATE[fmt], templates), ChainMap(extra, document(d, title, templates)))
    if fmt == "pdf":
        from .pdf import compile_tex

        return compile_tex(text)
    return text
