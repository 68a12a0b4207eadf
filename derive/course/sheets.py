"""A student's page of `derive exercise`, as data: their block layer by layer (operation, kernel, stride,
groups and output shape with their sizes put in), the questions with the expected answers, and the
worked solution (each layer's terms as formula, numbers and value, each part's sum, the total; the MACs
with `--ask macs`).

Built on `presentation.views` (the same figures `show --format tex` prints, LaTeX style); the prose is in
templates/course/problems.tex.j2 and solutions.tex.j2, which read a list of these pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..derivation import Derivation, LayerRow
from ..numeric import substituted
from ..presentation.diagram_labels import bound
from ..presentation.escaping import Safe
from ..presentation.formats import Format
from ..presentation.views import Figures, view
from .key import answers, questions

# the figures of a worked solution: each layer's terms and each part's sum as equations, nothing more
SHEET = Format("exercise", None, kind="latex", style="latex", layers="terms", groups=True, equations=True,
               width=60, memory=False)


def page(d: Derivation, ask: str, student: str, name: str | None, varied: Sequence[str]) -> dict:
    """What the two templates print for one student: `student` (id), `name` (from the roster, or None),
    `varied` the names of the sizes varied between students."""
    v = view(d, SHEET)
    figure = Figures(d, "latex", equations=True, kind="latex")
    macs = ask == "macs"
    layers = [_layer(row, layer, figure, macs) for row, layer in zip(d.layers, v["layers"])]
    by_name = {layer["name"]: layer for layer in layers}
    groups = []
    for group in v["groups"]:
        part = next((p for p in d.parts if p.name == group["part"]), None)
        members = [by_name[layer["name"]] for layer in group["layers"]]
        groups.append({"name": group["name"], "part": group["part"], "layers": members,
                       "sum": figure(part.counts["macs"]) if macs and part is not None else
                       group["all"] if part is not None else None})
    expected = answers(d, ask)
    total = figure(d.total["macs" if macs else "all"])
    inputs = d.layers[0].inputs[0].dims if d.layers and d.layers[0].inputs else ()
    return {
        "student": student, "name": name, "values": v["values"], "varied": list(varied), "symbols": v["symbols"],
        "input": Safe(figure.numbers.shape(inputs)) if inputs else None,
        "layers": layers, "groups": groups, "total": total, "holds": v["holds"], "network": bool(d.stages),
        "questions": [{"name": q, "answer": expected[q]} for q in questions(d, ask)],
    }


def _layer(row: LayerRow, layer: dict, figure: Figures, macs: bool) -> dict:
    """A layer as the problem shows it (its operation's kernel, stride and groups with the sizes put in, its
    output shape) and as the solution counts it (its terms; or its MACs, where it has any)."""
    sized = bound(row.layer, figure.subs)
    kernel = getattr(sized, "kernel", None)
    stride = getattr(sized, "stride", None)
    groups = getattr(sized, "groups", None)
    if row.op.startswith("depthwise"):  # a group per input channel
        groups = substituted(row.inputs[0].channels, figure.subs)
    out = {"name": row.name, "op": row.op, "part": row.part, "sources": list(row.sources),
           "kernel": _sizes(figure, kernel), "stride": _sizes(figure, stride, same=True),
           "groups": None if groups is None or groups == 1 else Safe(figure.printer(groups)),
           "activation": row.layer.signature if row.op == "activation" else None,
           "bias": any(t.term.kind == "bias" for t in row.terms),
           "shape": Safe(figure.printer.shape(row.shape)),
           "terms": [t for t in layer["counted"] if t["bucket"] != "buffers"]}  # what `all` counts
    if macs:
        count = row.counts["macs"]
        out["macs"] = figure(count) if count.formula != 0 else None
    return out


def _sizes(figure: Figures, sizes: Sequence | None, same: bool = False) -> Safe | None:
    """A kernel (`3 \\times 3`) or stride (`2`, one number when every axis has it) with the values put in."""
    if not sizes:
        return None
    if same and len(set(sizes)) == 1:
        sizes = sizes[:1]
    return Safe(r" \times ".join(figure.numbers(s) for s in sizes))

