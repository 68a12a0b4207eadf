"""The machinery of `--flops-as`: a tool's rules applied to every row of a derivation, summed."""

from __future__ import annotations

from typing import Callable, Mapping

import sympy

from ..derivation import Count, Derivation, evaluate
from ..errors import InputError
from ..records import frozen
from . import NAMES, TOOLS, forms
from .rows import Row

Rule = Callable[[Row], "tuple[sympy.Expr, str]"]


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
    return NAMES.get(tool, tool)
