"""Two flops per multiply-accumulate, what papers and model cards call FLOPs (a multiply and an add each):
2 × (derive's MACs + attention's matrix products). No tool's figure: the convention to compare with them."""

from __future__ import annotations

import sympy

from .rows import SILENT, Row, silent

TWO = sympy.Integer(2)


def doubled(row: Row) -> tuple[sympy.Expr, str]:
    if row.attention != 0:
        return TWO * (row.macs + row.attention), "attention"
    return TWO * row.macs, "weighted" if row.macs != 0 else ""


class _All(dict):
    """Every kind: twice its MACs (0 for the kinds without any)."""

    def get(self, op, default=None):
        return super().get(op, doubled)


RULES = _All({op: silent for op in SILENT})
