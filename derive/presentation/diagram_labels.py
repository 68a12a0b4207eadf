"""What a diagram's box says, as data: each layer in it as an item (its op and its signature with the
values put in: a 3×3 window with stride 2, not `k×k /s`), a network stage's row of the published table,
and an estimate of how wide the box is set (for laying out a slide, whose labels are never shrunk).

The words themselves ("conv", "stride", "BN") are the templates' (latex/common.tex.j2, svg/labels.j2);
the widths here only estimate them, in characters of the box's font (an SVG measures its own: svg.py)."""

from __future__ import annotations

import copy
import dataclasses
import math
import re

import sympy

from ..derivation import LayerRow
from ..layers import Layer
from ..numeric import substituted

# How many characters each op's short label takes (latex/common.tex.j2, `short`); else the op's name.
SHORT = {"conv2d": 4, "depthwise_conv2d": 9, "separable_conv2d": 9, "batch_norm": 2, "layer_norm": 2, "group_norm": 2,
         "instance_norm": 2, "rms_norm": 4, "global_pool2d": 4, "pool2d": 4, "adaptive_pool2d": 4, "add": 3,
         "multiply": 8, "multi_head_attention": 9, "dense": 5}
ACTIVATIONS = {"hard_swish": 7, "hard_sigmoid": 9}  # as the papers write them (h-swish), latex/common.tex.j2
LINE = 20  # characters on one line of a box, at most, before its items wrap to the next


def bound(layer: Layer, values) -> Layer:
    """The layer with the values put into its sizes (a copy; its signature then says 3×3 /2)."""
    if not values:
        return layer
    out = copy.copy(layer)
    for f in dataclasses.fields(layer):
        object.__setattr__(out, f.name, _bound(getattr(layer, f.name), values))
    return out


def _bound(value, values):
    if isinstance(value, sympy.Basic):
        return substituted(value, values)
    if isinstance(value, tuple):
        return tuple(_bound(v, values) for v in value)
    if isinstance(value, Layer) and dataclasses.is_dataclass(value):
        return bound(value, values)
    return value


def _text(e) -> str:
    return str(e.p) if getattr(e, "is_Integer", False) else str(e)


def item(row: LayerRow, values) -> dict:
    """One layer in a box: `op`, and either its window (`kernel` "3×3", `stride` "2" or None) or its
    signature with the values put in (`signature`); `chars`, its label's width, estimated."""
    layer = bound(row.layer, values)
    inner = layer
    while not hasattr(inner, "kernel") and isinstance(getattr(inner, "layer", None), Layer):
        inner = inner.layer
    out = {"op": row.op, "kernel": None, "stride": None, "signature": layer.signature, "kind": None}
    if "pool" in row.op and " " in out["signature"]:  # `avg → 1×1`: avg pool → 1×1
        out["kind"], out["signature"] = out["signature"].split(" ", 1)
    kernel = getattr(inner, "kernel", None)
    if isinstance(kernel, tuple) and row.op in SHORT and "pool" not in row.op:
        stride = getattr(inner, "stride", None) or ()
        out["kernel"] = "×".join(_text(k) for k in kernel)
        if any(s != 1 for s in stride):
            same = all(s == stride[0] for s in stride)
            out["stride"] = _text(stride[0]) if same else "×".join(_text(s) for s in stride)
    chars = SHORT.get(row.op, len(row.op)) if row.op != "activation" else 0
    chars += len(out["kind"]) + 1 if out["kind"] else 0
    if out["kernel"]:
        chars += 1 + len(out["kernel"]) + (9 + len(out["stride"]) if out["stride"] else 0)
    elif out["signature"]:
        chars += 1 + ACTIVATIONS.get(out["signature"], len(out["signature"]))
    out["wrap"] = chars > LINE  # on a slide, the stride on a line of its own
    out["chars"] = max(chars - 9 - len(out["stride"]), 9 + len(out["stride"])) if out["wrap"] and out["stride"] else chars
    return out


def lines(items: list[dict]) -> list[list[dict]]:
    """The items on lines: the first alone (the layer the box is named for), the rest after it, as many
    on a line as fit in `LINE` characters."""
    if not items:
        return []
    out = [[items[0]]]
    if len(items) > 1:
        out.append([])
        used = 0
        for it in items[1:]:
            if out[-1] and used + 2 + it["chars"] > LINE:
                out.append([])
                used = 0
            used += (2 if out[-1] else 0) + it["chars"]
            out[-1].append(it)
    return out


def math_chars(latex: str | None) -> int:
    """A formula's printed width in characters, roughly (`56 \\times 56 \\times 64`: 12)."""
    if not latex:
        return 0
    text = re.sub(r"\\(left|right)\b", "", str(latex))
    text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: "f" * (1 + max(len(m[1]), len(m[2]))), text)
    text = re.sub(r"\\(times|cdot)\b|[-+=]", "xx", text)  # an operator and the space round it
    text = re.sub(r"\\[lr](floor|ceil)\b", "|", text)
    text = re.sub(r"\\[a-zA-Z]+|[{} ]", "", text)
    return math.ceil(len(text) * 1.2)  # capitals, italics and signs: wider than text's average


def table(row: dict) -> dict:
    """A stage's row of the published table: `block` (what the stem or head is, when the row says), and
    the rest as `name` and `value` pairs (t, c, n, s, k as it has them) on `lines` of two."""
    pairs = [{"name": str(k), "value": _text(v) if isinstance(v, sympy.Basic) else str(v)}
             for k, v in row.items() if k != "block"]
    for p in pairs:
        p["numeric"] = p["value"].isdigit()
    repeated = any(p["name"] in ("t", "n") for p in pairs)
    block = None if repeated or not row.get("block") else str(row["block"]).split(", ")
    return {"block": block, "lines": [pairs[i:i + 2] for i in range(0, len(pairs), 2)], "pairs": pairs}


def table_chars(t: dict | None) -> int:
    if not t:
        return 0
    return max([len(b) for b in t["block"] or ()] + [sum(len(p["name"]) + len(p["value"]) + 3 for p in line) for line in t["lines"]])
