"""The worked solution's prose: which explanations a block needs, rendered from templates/explain/.

One explanation per kind of layer present, and one for the bias before a batch norm (dropped, or kept
though it does nothing), in a fixed order: convolutions, norms, the bias, activations, the residual
add, the parameter-free layers. Each is Markdown (`explain/<topic>.md.j2`: its first line the heading)
in every format; the LaTeX ones convert it. A topic without a template is left out.
"""

from __future__ import annotations

from typing import Sequence

from ..errors import InputError
from .escaping import Safe
from .formats import EXPLANATION, FRAMEWORKS
from .templating import get_template

# The families of layer kinds, for layers that do not say theirs (`Layer.family`).
FAMILIES = {
    "convolution": ("conv2d", "depthwise_conv2d", "separable_conv2d", "dense"),
    "norm": ("batch_norm", "layer_norm", "group_norm"),
    "activation": ("activation",),
    "merge": ("add",),
    "parameter_free": ("pool2d", "global_pool2d", "dropout", "flatten", "concatenate"),
}
ORDER = (*FAMILIES["convolution"], *FAMILIES["norm"], "bias_dropped", "bias_redundant", "activation", "add",
         "parameter_free")


def family(layer) -> str:
    """A layer kind's family: "convolution", "norm", "activation", "merge", "parameter_free" or "other"."""
    return getattr(layer, "family", None) or next((name for name, ops in FAMILIES.items() if layer.op in ops), "other")


def topics(rows: Sequence) -> dict[str, list[int]]:
    """Each explanation the derivation's layer rows need, in order, with the indices of the rows it explains."""
    found: dict[str, list[int]] = {}
    kinds = [family(row.layer) for row in rows]
    for i, (row, kind) in enumerate(zip(rows, kinds)):
        if kind == "parameter_free":
            found.setdefault("parameter_free", []).append(i)
        elif kind != "other":
            found.setdefault(row.op, []).append(i)
        if kind == "convolution" and i + 1 < len(rows) and rows[i + 1].op == "batch_norm":
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
        except InputError:
            continue
        text = template.render({**v, "these": these, "first": these[0]}).strip()
        heading, _, body = text.partition("\n")
        out.append({"topic": topic, "title": Safe(heading.strip()), "text": Safe(body.strip())})
    return out


def frameworks(v: dict, templates: str | None = None) -> Safe:
    """What Keras and PyTorch report for the same block, and why the figures differ."""
    return Safe(get_template(FRAMEWORKS, "markdown", templates).render(v).strip())

