"""`--flops-as TOOL` in the formats: the tool's figure (counters/), printed as the view prints every count,
with the text on what the tool counts (templates/explain/flops_<tool>.md.j2, Markdown in every format:
the LaTeX ones convert it, the terminal shows it as it is, wrapped)."""

from __future__ import annotations

import textwrap

from ..counters import NAMES
from ..counters.total import Flops
from . import plainmath
from .escaping import Safe
from .formats import FLOPS_EXPLANATION
from .templating import get_template

WRAP = 100  # the terminal's lines, as its totals
UNITS = {"fvcore": "flops", "ptflops": "MACs", "thop": "MACs", "torchinfo": "mult-adds", "2mac": "FLOPs"}  # as each names it


def flops_view(flops: Flops, figure, v: dict, templates: str | None = None, brief: bool = False,
               kind: str = "text") -> dict:
    """What a format's flops template reads: `as` (the tool), `name`, `figure` (as every total of the view:
    formula, numbers, value, eq; a network's summary: the value), , the topics it counts and those it counts as nothing, `title` and `text`."""
    count = flops.count  # a network's summary: the value alone (its closed form is long, and costs)
    shown = {"value": count.value} if brief and count.value is not None else figure(count)
    out = {"as": flops.tool, "name": NAMES[flops.tool], "unit": UNITS[flops.tool], "figure": shown,
           "counted": list(flops.counted), "zero": list(flops.zero)}
    text = get_template(FLOPS_EXPLANATION.format(tool=flops.tool), "markdown", templates).render(
        {**v, "flops": out}).strip()
    heading, _, body = text.partition("\n")
    heading, body = heading.strip(), " ".join(body.split())
    if v.get("plain") or kind == "text":  # its math in Unicode
        heading, body = plainmath.markdown(heading), plainmath.markdown(body)
    out["title"], out["text"] = Safe(heading), Safe(body)
    if kind == "text":  # the terminal's lines, without code marks
        out["lines"] = textwrap.wrap(body.replace("`", ""), WRAP - 2)
    return out
