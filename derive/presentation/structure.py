"""What a block has and how it is wired, so that every text names only what is there.

`holds(d)`: flags of what the block has (batch norms and their statistics, convolutions, images or
sequences, biases, frozen weights, buffers) and where it comes from (`framework`: pasted code's).
`joins(rows)`: each add, multiply or concatenation with the branches it joins, found by walking back
from its first two inputs in step until the walks meet (linear in the branches' lengths, so linear over
a network): an identity skip, a projection shortcut (a convolution on the shorter branch), a
squeeze-and-excitation gate (a branch that pools to one value per channel, multiplied in), a
concatenation.
`facts(d, figure)`: what the structural explanations print, with the view's `figure` (views.Figures):
each shortcut's reason (stride, channels) and cost, each gate's widths, each grouped convolution's
channels per filter, a network's repeated stages, the count of the architecture as published, the
biases its convolutions before a batch norm would add.
"""

from __future__ import annotations

from typing import Sequence

import sympy

from ..blocks import INPUT
from ..derivation import Count, Derivation, LayerRow
from ..numeric import substituted
from ..records import frozen

JOINS = ("add", "multiply", "concatenate")
POOLS = ("global_pool2d", "global_pool1d", "global_pool3d", "adaptive_pool2d", "adaptive_pool1d", "adaptive_pool3d")
REACH = 256  # how far back each walk goes before a join's branches are left unclassified
WEIGHTED = (("convolution", lambda row: row.layer.family == "convolution" and row.op != "dense"),
            ("dense", lambda row: row.op == "dense"),
            ("attention", lambda row: row.layer.family == "attention"))  # the attention layers' projections


def holds(d: Derivation) -> dict:
    """What the block has, for the texts to name only that: `statistics` (a norm's moving mean and
    variance), `frozen` (weights kept from training), `buffers` (registered ones), `batch_norm`,
    `convolution` (not counting dense layers, which the registry files with them), `image` / `sequence`
    (the input's spatial axes: 2 / 1), `biased` and `biasable` (the kinds of weighted layer that have a
    bias / are there: "convolution", "dense", "attention" (projections)), `framework` (pasted code's:
    "keras", "torch"; None), `published_unbiased` (a library target published without biases, as the
    MobileNets and ResNets are) and `published_biased` (one published with them, as VGG is: its
    `bias=false` drops biases it has); neither for code or a spec."""
    kinds = {t.term.kind for row in d.layers for t in row.terms}
    biased, biasable = [], []
    for words, kind in WEIGHTED:
        rows = [row for row in d.layers if kind(row)]
        if rows:
            biasable.append(words)
        if any(t.term.kind == "bias" for row in rows for t in row.terms):
            biased.append(words)
    inputs = d.layers[0].inputs if d.layers else ()
    rank = len(inputs[0].spatial) if inputs else None
    return {"statistics": bool(kinds & {"moving_mean", "moving_variance", "num_batches_tracked"}),
            "frozen": "frozen" in kinds, "buffers": "buffer" in kinds,
            "batch_norm": any(row.op == "batch_norm" for row in d.layers),
            "convolution": "convolution" in biasable,
            "image": rank == 2, "sequence": rank == 1, "biased": biased, "biasable": biasable,
            "framework": d.framework, "published_unbiased": d.published_bias is False,
            "published_biased": d.published_bias is True}


@frozen
class Join:
    """A join (`index`: its row) and the branches it joins, each the rows from the point where they part
    to the join, in order: `short` (the shortcut, the gate; empty for an identity skip) and `long`."""

    index: int
    kind: str  # identity, projection, gate, concatenate, other
    short: tuple[int, ...]
    long: tuple[int, ...]


def _convolution(row: LayerRow) -> bool:
    return row.layer.family == "convolution" and row.op != "dense"


def joins(rows: Sequence[LayerRow]) -> list[Join]:
    """Every add, multiply and concatenation of two or more inputs, with what it joins."""
    at = {row.name: i for i, row in enumerate(rows)}
    found = []
    for i, row in enumerate(rows):
        if row.op not in JOINS or len(row.sources) < 2:
            continue
        a, b = _branches(rows, at, row.sources[0], row.sources[1])
        if a is None:
            found.append(Join(i, "other", (), ()))
            continue
        short, long = (a, b) if len(a) <= len(b) else (b, a)
        if row.op == "concatenate":
            kind = "concatenate"
        elif row.op == "multiply":
            gate = next((x for x in (a, b) if any(rows[j].op in POOLS for j in x)), None)
            if gate is not None:
                short, long = gate, (b if gate is a else a)
            kind = "gate" if gate is not None else "other"
        elif not short:
            kind = "identity"
        else:
            kind = "projection" if any(_convolution(rows[j]) for j in short) else "other"
        found.append(Join(i, kind, short, long))
    return found


def _branches(rows, at, a: str, b: str) -> tuple[tuple[int, ...] | None, tuple[int, ...]]:
    """The rows from where the paths back from `a` and `b` (each along first inputs) meet, up to each;
    (None, ()) when they do not meet within REACH steps."""
    paths: list[list[str]] = [[a], [b]]
    seen: list[dict[str, int]] = [{a: 0}, {b: 0}]
    for _ in range(REACH):
        for me in (0, 1):
            other = 1 - me
            here = paths[me][-1]
            if here in seen[other]:
                meet = seen[other][here]
                mine, theirs = paths[me][:-1], paths[other][:meet]
                return (_indices(at, mine), _indices(at, theirs)) if me == 0 else (_indices(at, theirs),
                                                                                     _indices(at, mine))
            if here != INPUT and here in at:
                before = rows[at[here]].sources[0] if rows[at[here]].sources else INPUT
                paths[me].append(before)
                seen[me].setdefault(before, len(paths[me]) - 1)
    return None, ()


def _indices(at, names: list[str]) -> tuple[int, ...]:
    return tuple(at[n] for n in reversed(names) if n in at)


# -- what the structural explanations print -------------------------------------------------------
def facts(d: Derivation, figure) -> dict:
    """The structure's figures, printed by the view's `figure`: `projections`, `gates`, `concatenations`,
    `identities` (each join's), `grouped` (by layer name), `stages` (a network's repeated ones) and
    `published` (the paper count of the architecture as published, when the options add biases to it),
    `unbiased` (how many biases the convolutions before a batch norm that have none would add: one per
    output channel)."""
    rows, subs = d.layers, d.substitution
    show = _Shown(figure, subs)
    out: dict = {"projections": [], "gates": [], "concatenations": [], "identities": [], "grouped": {}}
    for join in joins(rows):
        row = rows[join.index]
        if join.kind == "projection":
            out["projections"].append(_projection(rows, join, show))
        elif join.kind == "gate":
            convs = [rows[j] for j in join.short if rows[j].layer.family == "convolution"]
            out["gates"].append({"name": row.name, "pool": rows[join.short[0]].name,
                                 "layers": [rows[j].name for j in join.short],
                                 "channels": show.size(row.output.channels),
                                 "squeezed": show.size(convs[0].output.channels) if convs else None,
                                 "convolutions": [c.name for c in convs], "dense": all(c.op == "dense" for c in convs),
                                 "biased": any(t.term.kind == "bias" for c in convs for t in c.terms),
                                 "cost": show.cost(rows[j] for j in join.short)})
        elif join.kind == "concatenate":
            out["concatenations"].append({"name": row.name, "inputs": [show.size(s.channels) for s in row.inputs],
                                          "channels": show.size(row.output.channels)})
        elif join.kind == "identity":
            dims = [tuple(substituted(x, subs) for x in s.dims) for s in row.inputs[:2]]
            out["identities"].append({"name": row.name, "mismatch": any((x - y).is_nonzero for x, y in zip(*dims))
                                      or len(dims[0]) != len(dims[1])})
    for i, row in enumerate(rows):
        groups = getattr(row.layer, "groups", None)
        if row.layer.family == "convolution" and groups is not None and groups != 1:
            c_in = row.inputs[0].channels
            kernel = tuple(getattr(row.layer, "kernel", ()))
            filters = row.output.channels
            full = Count(sympy.Mul(*kernel, c_in, filters), None, ((*kernel, c_in, filters),))
            full = Count(full.raw, _value(substituted(full.raw, subs)), full.products)
            per = show.size(c_in / groups)
            out["grouped"][row.name] = {"groups": show.size(groups), "channels": show.size(c_in), "per_filter": per,
                                 "depthwise": per["value"] == 1 or (c_in / groups) == 1, "full": figure(full)}
    out["stages"] = [{"name": s.name, "n": s.repeat, "table": dict(s.table),
                      "block": s.block["all"].value if s.block else None,
                      "first": None if not s.block or s.difference["all"].value is None or s.block["all"].value is None
                      else s.block["all"].value + s.difference["all"].value,
                      "all": s.counts["all"].value} for s in d.stages if s.repeat > 1]
    out["published"] = None if d.published is None else figure.brief(d.published)
    unbiased = [row for i, row in enumerate(rows) if row.layer.family == "convolution" and i + 1 < len(rows)
                and rows[i + 1].op == "batch_norm" and not any(t.term.kind == "bias" for t in row.terms)]
    out["unbiased"] = show.size(sympy.Add(*(row.output.channels * row.repeat for row in unbiased))) if unbiased else None
    return out


def _value(expr) -> int | None:
    return int(expr) if getattr(expr, "is_Integer", False) else None


class _Shown:
    """Sizes and costs as the view prints them."""

    def __init__(self, figure, subs) -> None:
        self.figure, self.subs = figure, subs

    def size(self, expr) -> dict:
        """A size: its formula, and its value when bound (`C_{in}`, 64)."""
        value = substituted(expr, self.subs)
        return {"formula": self.figure.mark(self.figure.printer(expr)), "value": _value(value),
                "numbers": self.figure.mark(self.figure.printer(value))}

    def cost(self, rows) -> dict:
        """What these rows hold, counted (trainable and non-trainable), their terms as written, and each
        term labelled (`terms`: its kind, weights, bias, gamma, ...)."""
        rows = tuple(rows)
        counted = [r.counts[b] for r in rows for b in ("trainable", "non_trainable")]
        values = [c.value for c in counted]
        figure = self.figure(Count(sympy.Add(*(c.formula for c in counted)), None if None in values else sum(values),
                                   tuple(p for c in counted for p in (c.products or ()))))
        terms = [self.figure.term(t) for r in rows for t in r.terms if t.bucket in ("trainable", "non_trainable")]
        return {**figure, "terms": terms}


def _projection(rows, join: Join, show: _Shown) -> dict:
    """A projection shortcut: its layers, why it is there (the stride, the channels), what it costs."""
    conv = next(rows[j] for j in join.short if _convolution(rows[j]))
    strides = [substituted(s, show.subs) for s in getattr(conv.layer, "stride", ())]
    c_in, c_out = conv.inputs[0].channels, conv.output.channels
    differ = substituted(c_in - c_out, show.subs)
    stride = getattr(conv.layer, "stride", ())
    return {"name": conv.name, "add": rows[join.index].name, "layers": [rows[j].name for j in join.short],
            "kernel": "×".join(show.size(k)["numbers"] for k in getattr(conv.layer, "kernel", ())), "stride": show.size(stride[0]) if stride else None,
            "strided": True if any(s.is_Integer and s != 1 for s in strides) else
            (False if all(s == 1 for s in strides) else None),
            "widened": True if differ.is_nonzero else (False if differ == 0 else None),
            "c_in": show.size(c_in), "c_out": show.size(c_out),
            "condition": conv.condition is not None, "cost": show.cost(rows[j] for j in join.short)}
