"""The worked solution's prose: which explanations a block needs, rendered from templates/explain/.

One explanation per kind of layer present, and one for the bias before a batch norm (dropped, or kept
though it does nothing), in a fixed order: convolutions, norms, the bias, activations, the residual
add, the parameter-free layers. Each is Markdown (`explain/<topic>.md.j2`: its first line the heading)
in every format; the LaTeX ones convert it. A topic without a template is left out.
"""

from __future__ import annotations

from typing import Sequence

from ..layers import KINDS
from .escaping import Safe
from .formats import EXPLANATION, FRAMEWORKS
from .templating import TemplateMissing, get_template


def _explained(family: str) -> tuple[str, ...]:
    """The explanation topics of one family's kinds, in the registry's order."""
    return tuple(k.cls.explain for k in KINDS if k.cls.family == family and k.cls.explain)


# Convolutions, sequence layers, attention, norms, the bias before a batch norm, activations, merges, the
# parameter-free layers, a subclassed Keras layer's own `add_weight`s (readers/frameworks/keras_subclass.py),
# a PyTorch module's own nn.Parameters and buffers (readers/frameworks/torch_params.py).
ORDER = (*_explained("convolution"), *_explained("sequence"), *_explained("attention"), *_explained("norm"),
         "bias_dropped", "bias_redundant",
         *_explained("activation"), *_explained("merge"), "parameter_free", "custom_weights", "tensor")


def topics(rows: Sequence) -> dict[str, list[int]]:
    """Each explanation the derivation's layer rows need, in order, with the indices of the rows it explains."""
    found: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        layer = row.layer
        if layer.family == "parameter_free":
            found.setdefault("parameter_free", []).append(i)
        elif layer.explain is not None:
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
        text = template.render({**v, "these": these, "first": these[0]}).strip()
        heading, _, body = text.partition("\n")
        out.append({"topic": topic, "title": Safe(heading.strip()), "text": Safe(body.strip())})
    return out


def frameworks(v: dict, templates: str | None = None) -> Safe:
    """What Keras and PyTorch report for the same block, and why the figures differ."""
    return Safe(get_template(FRAMEWORKS, "markdown", templates).render(v).strip())

