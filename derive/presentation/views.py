"""Views: a `Derivation` and a `Format` in, the plain data its template reads out.

Everything a template prints is worked out here, before Jinja runs, and only what the format declares
it shows (formats.py): closed forms, MACs, per-layer sums, diagrams and explanations each cost, and
most formats show few of them. A count becomes a figure, a dict of strings and numbers: `formula` (as
written), `expr` (the numbers put in), `value`, `closed` (a closed form, not terms as written),
`unbound` (the symbols a number waits for) and, where the format shows equations, `eq` (formula =
numbers = value); a term's figure adds its `label`, `kind` and `bucket`. The figures under the other
conventions are brief: `value`, and `formula` for when there is none.

In LaTeX style every formula is `Safe` and the symbols' names are checked by `escaping.math_name`;
the text style prints Unicode, unmarked.
"""

from __future__ import annotations

from typing import Callable, Mapping

from ..conventions import TOTALS
from ..derivation import Count, Derivation, LayerRow, TermRow
from ..numeric import substituted
from .diagram import diagram
from .diagram_labels import bound
from .escaping import Safe, math_name
from .explain import explanations, frameworks, topics
from . import plainmath
from .formats import WHOLE, Format
from .memory import view as memory_view
from .printing import printer
from .structure import facts, holds
from .templating import number


def _identity(text: str) -> str:
    return text


class Figures:
    """How one view prints: the style, the symbols' names, the values put in, how text is marked."""

    def __init__(self, d: Derivation, style: str, equations: bool = False, kind: str = "text") -> None:
        self.latex = style == "latex"
        self.kind = kind if self.latex else "text"  # how thousands are grouped in a figure's equation
        self.equations = equations
        self.names = {info.symbol: math_name(info.latex, info.name) for info in d.symbols.infos} if self.latex else None
        # LaTeX is markup; Unicode formulas are marked too in Markdown (--math plain), which sets them in code
        self.mark: Callable[[str], str] = Safe if self.latex or kind == "markdown" else _identity
        self.subs = d.substitution
        self.order = {info.symbol: i for i, info in enumerate(d.symbols.infos)}
        self.printer = printer(style, self.names)
        self.numbers = printer(style, self.names, self.subs)
        self._made: dict[int, tuple[Count, dict]] = {}  # one figure per count (`all` is often `trainable`)

    def __call__(self, count: Count, **extra) -> dict:
        if not extra:
            if id(count) not in self._made:
                self._made[id(count)] = (count, self._figure(count))
            return self._made[id(count)][1]
        return {**self._figure(count), **extra}

    def _figure(self, count: Count) -> dict:
        formula = self.mark(self.printer.written(count))
        expr = self.mark(self.numbers.written(count))
        out = {"formula": formula, "expr": expr, "value": count.value, "closed": count.products is None,
               "unbound": [] if count.value is not None else self.unbound(count)}
        if self.equations:
            out["eq"] = self.mark(self.printer.equation(_equation(formula, expr, count.value, self.kind)))
        return out

    def brief(self, count: Count) -> dict:
        """A figure as a number, or as its formula where it has none: `value` and `formula` alone."""
        return {"formula": self.mark(self.printer.written(count)), "value": count.value}

    def unbound(self, count: Count) -> list[str]:
        waiting = sorted(count.formula.free_symbols - set(self.subs), key=self.order.get)
        return [self.mark(self.printer(s)) for s in waiting]

    def term(self, t: TermRow) -> dict:
        return self(Count(t.term.size, t.value, (t.term.factors,)), label=t.term.label, kind=t.term.kind, bucket=t.bucket)

    def repeated(self, term: dict, t: TermRow, n: int, times: int | sympy.Expr = 1) -> dict:
        """n copies of the term `t` (a network's repeated layer), whose figure is `term`: n·term, as written
        (`times`: n as a formula, `n_3 − 1`, where it is one)."""
        if n == 1:
            return term
        factors = t.term.factors
        formula = self.printer.repeated(n if isinstance(times, int) or times.is_Integer else times, factors)
        return {**term, "formula": self.mark(formula),
                "expr": self.mark(self.numbers.repeated(n, factors)), "value": None if t.value is None else n * t.value}


def _equation(formula: str, expr: str, value: int | None, kind: str) -> list[str]:
    """The steps of `formula = numbers = value`, each only when it says something new (the value
    grouped as the output `kind` groups thousands)."""
    steps = [formula]
    if expr != formula:
        steps.append(expr)
    if value is not None and expr != str(value):
        steps.append(number(value, math=kind != "text", kind=kind))
    return steps


def _counted(row: LayerRow) -> Count:
    """A layer's trainable and non-trainable terms together, as written."""
    counted = [row.counts[b] for b in ("trainable", "non_trainable")]
    values = [c.value for c in counted]
    return Count(counted[0].formula + counted[1].formula, None if None in values else sum(values),
                 tuple(p for c in counted for p in (c.products or ())))


def view(d: Derivation, fmt: Format, title: str | None = None, detail: bool = False,
         templates: str | None = None, flops=None) -> dict:
    """What `fmt`'s template reads: the derivation with what the format shows, printed in its style.
    `templates`: a user's directory of templates, for the explanations."""
    figure = Figures(d, fmt.style, fmt.equations, fmt.kind)
    mark, names = figure.mark, figure.names
    v: dict = {
        "target": d.target, "title": d.title, "convention": d.convention, "options": d.options,
        "symbols": [{"name": i.name, "meaning": i.meaning, "latex": names[i.symbol] if names else i.latex}
                    for i in d.symbols.infos],
        "values": [{"name": name, "value": mark(figure.printer(value)),
                    **({"latex": names[d.symbols[name].symbol]} if names else {})} for name, value in d.values.items()],
        "total": {key: (figure.brief if fmt.brief else figure)(d.total[key]) for key in fmt.totals},
        "warnings": warnings(d),
        "recurrent_macs": any(row.layer.family == "sequence" and row.layer.op != "embedding" for row in d.layers),
        "holds": holds(d),
        "width": fmt.width,
        "plain": fmt.kind == "markdown" and fmt.style == "text",  # --math plain: Unicode, no $…$
    }
    if fmt.macs == "formula":
        v["total"]["macs"] = figure(d.total["macs"])
        if "attention_macs" in d.total:
            v["total"]["attention_macs"] = figure(d.total["attention_macs"])
    elif fmt.macs == "value":
        v["total"]["macs"] = {"value": d.total["macs"].value}
        if "attention_macs" in d.total:
            v["total"]["attention_macs"] = {"value": d.total["attention_macs"].value}
    if fmt.others:
        v["others"] = {name: {key: figure.brief(totals[key]) for key in WHOLE} for name, totals in d.others.items()}
    if fmt.layers:
        v["layers"] = [_layer(row, figure, fmt.layers) for row in d.layers]
    if fmt.parts or fmt.groups:
        v["parts"] = [{"name": p.name, "all": figure(p.counts["all"])} for p in d.parts]
    if fmt.groups:
        v["groups"] = _groups(d, v, figure)
    if fmt.stages:
        v.update(network(d), detail=detail)
    if fmt.kind != "text":
        v["heading"] = title
    if fmt.others and fmt.kind != "text":
        v["reports"] = {d.convention: v["total"], **v["others"]}
    if fmt.diagram or fmt.slide_diagram or fmt.svg_diagram:
        v["input_shape"] = _input_shape(d, figure)
        if fmt.diagram:
            v["diagram"] = diagram(v, d, **fmt.diagram)
        if fmt.slide_diagram:
            v["slide_diagram"] = diagram(v, d, **fmt.slide_diagram)
        if fmt.svg_diagram:  # placed in pixels (svg.py), in bands of at most `width` px
            from .svg import placed

            v["svg_diagram"] = placed(diagram(v, d, collapse=fmt.svg_diagram["collapse"]), fmt.svg_diagram["width"],
                                      templates)
    if fmt.explanations or fmt.frameworks:  # what the block's structure holds, for the prose
        v["structure"] = facts(d, figure)
    if fmt.explanations:  # the layers explained as the view has them (else brief), the first in full
        layers, chosen = v.get("layers"), {}
        for topic, indices in topics(d.layers).items():
            these = [layers[i] if layers else _layer(d.layers[i], figure, "brief") for i in indices]
            if fmt.layers != "full":
                these[0] = _layer(d.layers[indices[0]], figure, "full")
            chosen[topic] = these
        v["explanations"] = explanations(chosen, v, templates)
    if fmt.frameworks:
        v["frameworks"] = frameworks(v, templates)
    if fmt.memory:
        v["memory"] = memory_view(d, fmt.style, fmt.kind, fmt.brief)
    if flops is not None:  # --flops-as: the tool's figure and what it counts (flops.py)
        from .flops import flops_view

        v["flops"] = flops_view(flops, figure, v, templates, brief=fmt.brief or fmt.macs == "value", kind=fmt.kind)
    if v["plain"]:  # the explanations' own LaTeX, as the rest: Unicode
        for e in v.get("explanations", ()):
            e.update(title=plainmath.markdown(e["title"]), text=plainmath.markdown(e["text"]))
        if "frameworks" in v:
            v["frameworks"] = plainmath.markdown(v["frameworks"])
    return v


def warnings(d: Derivation) -> list[dict]:
    """Code its framework would refuse, counted on: where, the line, the layer and what (one line each)."""
    return [{"where": w.where, "line": w.line, "column": w.column, "layer": w.layer, "message": w.message}
            for w in d.warnings]


def _layer(row: LayerRow, figure: Figures, detail: str) -> dict:
    """A layer: "brief" (its name, op, signature, part and condition), "drawn" (also its output shape and
    its sum's value: what an SVG diagram's box says), with its "terms", or "full" (also its sum, output
    shape and channels, what diagrams and explanations show)."""
    layer = {"name": row.name, "op": row.op, "signature": bound(row.layer, figure.subs).signature, "part": row.part,
             "condition": None if row.condition is None else figure.mark(figure.printer.condition(row.condition))}
    if detail == "brief":
        return layer
    if detail == "drawn":
        layer.update(shape=Safe(figure.printer.shape(row.shape)), all={"value": _counted(row).value})
        return layer
    layer["terms"] = [figure.term(t) for t in row.terms if t.bucket is not None]
    # what the layer adds to its part: n copies of each term for a row that stands for n (a network's
    # repeated block, shown once as `×n`), so that a part's rows add up to its sum
    layer["repeat"] = row.repeat
    layer["counted"] = layer["terms"] if row.repeat == 1 else [
        figure.repeated(term, t, row.repeat, row.repeat_formula)
        for term, t in zip(layer["terms"], (t for t in row.terms if t.bucket is not None))]
    if detail == "full":
        channels = figure.printer(row.output.channels)
        layer.update({
            "all": figure(_counted(row)),
            "shape": Safe(figure.printer.shape(row.shape)),
            "channels": {"formula": Safe(channels), "value": _number(row.shape[-1]),
                         "factor": Safe(figure.printer.factor(row.output.channels))},
            "bias": any(t.term.kind == "bias" for t in row.terms),
            "params": bool(row.terms),
        })
    return layer


def _number(expr) -> int | None:
    return int(expr) if getattr(expr, "is_Integer", False) else None


def _groups(d: Derivation, v: dict, figure: Figures) -> list[dict]:
    """The layers in runs of one part each, with the part's sum; a layer outside any part is a group of
    its own. Each group's terms counted in `all`, as written (n copies of a repeated layer: n·term)."""
    parts = {p["name"]: p for p in v["parts"]}
    groups: list[dict] = []
    for row, layer in zip(d.layers, v["layers"]):
        part = row.part
        if part is not None and groups and groups[-1]["part"] == part:
            groups[-1]["layers"].append(layer)
            groups[-1]["rows"].append(row)
            continue
        counted = parts[part]["all"] if part in parts else layer.get("all") or figure(_counted(row))
        groups.append({"name": part if part is not None else row.name, "part": part, "layers": [layer],
                       "rows": [row], "all": counted})
    for group in groups:
        rows = group.pop("rows")
        group["terms"] = [figure.repeated(term, t, row.repeat, row.repeat_formula) for row, layer in zip(rows, group["layers"])
                          for term, t in zip(layer["terms"], (t for t in row.terms if t.bucket is not None))
                          if t.bucket != "buffers"]
    return groups


def _input_shape(d: Derivation, figure: Figures) -> str | None:
    """The block's input, h × w × c with the values put in: from the first layer's input, else from the
    symbols H, W and C_in."""
    inputs = d.layers[0].inputs if d.layers else None
    if inputs:
        dims = inputs[0].dims
    elif all(name in d.symbols for name in ("H", "W", "C_in")):
        dims = tuple(d.symbols[name].symbol for name in ("H", "W", "C_in"))
    else:
        return None
    return Safe(figure.printer.shape(substituted(dim, d.substitution) for dim in dims))


def _values(counts: Mapping[str, Count] | None) -> dict | None:
    return None if counts is None else {key: counts[key].value for key in TOTALS}


def network(d: Derivation) -> dict:
    """What the per-stage summary of a network adds: one row per stage (its row of the published
    table, output shape, value, and for n > 1 blocks the first block's value and one of the others',
    so the template writes first + (n − 1) × block) and the channel widths."""
    parts = {p.name: p for p in d.parts}
    stages = []
    for stage in d.stages:
        stages.append({
            "name": stage.name, "n": stage.repeat, "table": dict(stage.table),
            "shape": [int(v) if getattr(v, "is_Integer", False) else str(v) for v in stage.shape],
            "value": _values(parts[stage.name].counts if stage.name in parts else stage.counts),
            "block": _values(stage.block), "difference": _values(stage.difference),
            "first": None if stage.block is None else {key: stage.counts[key].first.value for key in TOTALS},
        })
    widths = [{"name": name, "value": int(value) if value.is_Integer else str(value)}
              for name, value in d.values.items() if name.startswith("c_")]
    return {"stages": stages, "widths": widths}
