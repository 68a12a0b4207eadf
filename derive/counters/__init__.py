"""`--flops-as TOOL`: the figure a FLOP-counting tool prints for the same network, as a formula and a number.

derive's own `total.macs` counts the multiply-accumulates of convolutions and dense layers (and attention's
projections; `attention_macs` apart). The tools people run print other figures under the same names:

* `fvcore` (0.1.5): `FlopCountAnalysis(model, x).total()`, one fused multiply-add one flop, over the
  operators it has handles for (fvcore.py);
* `ptflops` (0.7.5): `get_model_complexity_info(model, shape)`, its default `pytorch` backend: module hooks
  plus patched `torch.nn.functional` calls (ptflops.py);
* `thop` (0.1.1): `profile(model, inputs=(x,))`, module hooks only (thop.py);
* `torchinfo` (1.8.0): `summary(model, input_size=...)`'s "Total mult-adds" (torchinfo.py);
* `2mac`: two flops per multiply-accumulate, what papers call FLOPs (`twomac.py`).

Each tool module is a table from layer kind (`Layer.op`) to a rule: the tool's count for one derivation
row (its input and output shapes, its terms, its MACs), and the topic the count belongs to, which the
text (templates/explain/flops_<tool>.md.j2) speaks of only when the block has it. A kind the tool counts
as nothing is a rule giving 0 with its topic, so that the text can say what is left out; a kind whose
count derive does not model is refused (`InputError`), never guessed.

How the reference implementation calls a layer (a module, a `torch.nn.functional` call, or a function it
holds) changes what ptflops and thop see: forms.py.
"""

from __future__ import annotations

from typing import Callable, Iterable, Mapping

import sympy

from ..derivation import Count, Derivation, LayerRow, evaluate
from ..errors import InputError
from ..records import frozen
from . import forms
from .rows import Row

Rule = Callable[[Row], "tuple[sympy.Expr, str]"]

TOOLS = ("fvcore", "ptflops", "thop", "torchinfo", "2mac")


@frozen
class Flops:
    """A tool's figure for a derivation: `count` (formula and value, unbound symbols kept), the topics
    that add to it (`counted`) and those present in the block that the tool counts as nothing (`zero`),
    each in the order the rows first have them."""

    tool: str
    count: Count
    counted: tuple[str, ...]
    zero: tuple[str, ...]


def _rules(tool: str) -> Mapping[str, Rule]:
    if tool == "fvcore":
        from .fvcore import RULES
    elif tool == "ptflops":
        from .ptflops import RULES
    elif tool == "thop":
        from .thop import RULES
    elif tool == "torchinfo":
        from .torchinfo import RULES
    elif tool == "2mac":
        from .twomac import RULES
    else:
        raise InputError(f"unknown tool {tool!r} (choose from {', '.join(TOOLS)})", "--flops-as")
    return RULES


def count(d: Derivation, tool: str) -> Flops:
    """`tool`'s figure for the derivation `d`: each row's count by the tool's rule for its kind, times the
    copies the row stands for, summed (linear in the rows) and regrouped into a closed form."""
    rules = _rules(tool)
    form = forms.of(d)
    terms: list[sympy.Expr] = []
    counted: dict[str, None] = {}
    zero: dict[str, None] = {}
    for layer in d.layers:
        row = Row.of(layer, form)
        rule = rules.get(row.op)
        if rule is None:
            raise InputError(f"derive does not model {_tool_name(tool)}'s count of {row.op} layers "
                             f"({layer.name}), so it gives no figure rather than a wrong one", "--flops-as")
        expr, topic = rule(row)
        if expr != 0:
            terms.append(expr * layer.repeat if layer.repeat != 1 else expr)
            counted.setdefault(topic, None)
        elif topic:
            zero.setdefault(topic, None)
    total = sympy.Add(*terms)
    value = evaluate(total, d.substitution)
    return Flops(tool, Count(total, value, regroup=True), tuple(counted),
                 tuple(t for t in zero if t not in counted))


def _tool_name(tool: str) -> str:
    return "2 × MACs" if tool == "2mac" else tool


def topics(flops: Flops) -> Iterable[str]:
    return (*flops.counted, *flops.zero)
