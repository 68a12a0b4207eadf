"""Integer rounding for window sizes, cheap to build.

sympy's own `ceiling`/`floor` decide symbolic cases through its relational machinery, whose first use
imports sympy.combinatorics (a tenth of a second on every run). Sizes here only need: exact values for
numbers, the argument itself when it is known to be whole (⌈H/1⌉ = H), and otherwise an unevaluated
call. The class names are sympy's, so the plain printer's `ceiling(H/s)` reads back with `sympify`.
"""

from __future__ import annotations

import sympy


def whole(expr: sympy.Expr) -> bool:
    """Whether `expr` is whole by its structure alone: integers and integer symbols under +, −, ×
    and whole powers (no assumption queries, which are what make sympy's versions slow)."""
    if expr.is_Integer or expr.is_Symbol:
        return bool(expr.is_Integer or expr.is_integer)
    if expr.is_Add or expr.is_Mul:
        return all(whole(arg) for arg in expr.args)
    if expr.is_Pow:
        return expr.exp.is_Integer and expr.exp >= 0 and whole(expr.base)
    return isinstance(expr, (ceiling, floor))


class ceiling(sympy.Function):  # noqa: N801 - named as sympy's, for printing and reading back
    is_integer = True

    @classmethod
    def eval(cls, arg: sympy.Expr):
        if arg.is_Rational:
            return sympy.Integer(-(-arg.p // arg.q))
        if whole(arg):
            return arg
        return _nested(cls, arg)


class floor(sympy.Function):  # noqa: N801
    is_integer = True

    @classmethod
    def eval(cls, arg: sympy.Expr):
        if arg.is_Rational:
            return sympy.Integer(arg.p // arg.q)
        if whole(arg):
            return arg
        return _nested(cls, arg)


def _nested(cls, arg: sympy.Expr):
    """⌈⌈x⌉/n⌉ = ⌈x/n⌉ and ⌊⌊x⌋/n⌋ = ⌊x/n⌋ for a whole n > 0 (strided layers in a row: ⌈H/4⌉)."""
    if arg.is_Mul:
        coeff, rest = arg.as_coeff_Mul()
        if coeff.is_Rational and coeff.p == 1 and coeff.q > 1 and isinstance(rest, cls):
            return cls(rest.args[0] * coeff)
    return None
