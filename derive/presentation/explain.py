"""The worked solution's prose: which explanations a block needs, rendered from templates/explain/.

One explanation per kind of layer present, one for the bias before a batch norm (dropped, or kept
though it does nothing), and one per structure the block has (structure.py: a projection shortcut, a
squeeze-and-excitation gate, a concatenation, grouped convolutions, a network's repeated stages), in a
fixed order: convolutions, sequence layers, attention, norms, the bias, activations, the joins, the
parameter-free layers. A join is explained by what it joins: an add by the identity skip or the
projection shortcut, a multiply by the gate it applies. Each is Markdown (`explain/<topic>.md.j2`: its
first line the heading) in every format; the LaTeX ones convert it. A topic without a template is left
out. The templates see the view, with `structure` (structure.facts) and `holds`.
"""

from __future__ import annotations

from typing import Sequence

from ..layers import KINDS
from .escaping import Safe
from .formats import EXPLANATION, FRAMEWORKS
from .structure import joins
from .templating import TemplateMissing, get_template


def _explained(family: str) -> tuple[str, ...]:
    """The explanation topics of one family's kinds, in the registry's order."""
    return tuple(k.cls.explain for k in KINDS if k.cls.family == family and k.cls.explain)


# Convolutions, sequence layers, attention, norms, the bias before a batch norm, activations, merges, the
# parameter-free layers, a subclassed Keras layer's own `add_weight`s (readers/frameworks/keras_subclass.py),
# a PyTorch module's own nn.Parameters and buffers (readers/frameworks/torch_params.py).
# (then the tables and tokens of transformer networks, layers/tokens.py, after the sequence layers)
ORDER = tuple(dict.fromkeys((*_explained("convolution"), "grouped_conv", *_explained("sequence"), *_explained("other"),
         *_explained("attention"),
         *_explained("norm"), "bias_dropped", "bias_redundant", *_explained("activation"), "add", "projection",
         "squeeze_excite", "concatenate", *_explained("merge"), "repeated", "parameter_free", "custom_weights",
         "tensor")))
JOINED = {"identity": "add", "projection": "projection", "gate": "squeeze_excite", "concatenate": "concatenate"}


def topics(rows: Sequence) -> dict[str, list[int]]:
    """Each explanation the derivation's layer rows need, in order, with the indices of the rows it explains
    (a projection's or a gate's: its convolutions; a join of another kind: the join)."""
    found: dict[str, list[int]] = {}
    joined = {}
    for join in joins(rows):
        topic = JOINED.get(join.kind)
        if topic in ("projection", "squeeze_excite"):
            joined[join.index] = None
            found.setdefault(topic, []).extend(j for j in join.short if rows[j].layer.family == "convolution")
        elif topic is not None:
            joined[join.index] = topic
    for i, row in enumerate(rows):
        layer = row.layer
        if row.repeat > 1 and "repeated" not in found:
            found["repeated"] = [i]
        if i in joined:
            if joined[i] is not None:
                found.setdefault(joined[i], []).append(i)
        elif layer.family == "parameter_free":
            found.setdefault("parameter_free", []).append(i)
        elif layer.family == "convolution" and getattr(layer, "groups", 1) != 1:
            found.setdefault("grouped_conv", []).append(i)
        elif layer.explain is not None and layer.explain != "add":
            found.setdefault(layer.explain, []).append(i)
        if layer.family == "convolution" and i + 1 < len(rows) and rows[i + 1].op == "batch_norm":
            bias = any(t.term.kind == "bias" for t in row.terms)
            found.setdefault("bias_redundant" if bias else "bias_dropped", []).append(i)
    return {topic: found[topic] for topic in ORDER if topic in found}


def explanations(chosen: dict[str, list[dict]], v: dict, templates: str | None = None) -> list[dict]:
    """The explanations rendered with the view `v`: for each topic, `these` (the layers it explains, as
    the view shows them) and `first`."""
    out = []
    for topic, these in chosen.items():
        try:
            template = get_template(EXPLANATION.format(topic=topic), "markdown", templates)
        except TemplateMissing:
            continue
        text = template.render({**v, "these": these, "first": these[0], "topic": topic}).strip()
        heading, _, body = text.partition("\n")
        out.append({"topic": topic, "title": Safe(heading.strip()), "text": Safe(body.strip())})
    return out


def frameworks(v: dict, templates: str | None = None) -> Safe:
    """What Keras and PyTorch report for the same block, and why the figures differ."""
    return Safe(get_template(FRAMEWORKS, "markdown", templates).render(v).strip())

