"""Exact values of size formulas, in plain Python numbers.

Putting numbers into a formula with sympy's `xreplace` rebuilds every node of it, and sympy works out
each new node's assumptions: that was most of what evaluating a derivation cost. Size formulas are
plain arithmetic (sums, products and whole powers of integers, rationals and symbols, ⌈ ⌉, ⌊ ⌋, min,
max), so `value` computes them directly with `int` and `Fraction`, exactly. Any other node is left to
sympy: `substituted` falls back to `xreplace`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction

import sympy

from .functions import ceiling, floor

Number = int | Fraction


class NotPlain(Exception):
    """A node `value` does not compute (or a symbol bound to a formula, not a number)."""


def value(expr: sympy.Basic, values: Mapping[sympy.Symbol, sympy.Expr]) -> Number | None:
    """`expr` with `values` put in, as an int or a Fraction; None when a symbol in it has no value.
    Raises NotPlain for what is not plain arithmetic."""
    if expr.is_Symbol:
        bound = values.get(expr)
        if bound is None:
            return None
        if not bound.is_Rational:
            raise NotPlain(expr)
        return _plain(bound)
    if expr.is_Rational:
        return _plain(expr)
    if expr.is_Add or expr.is_Mul:
        parts = [value(arg, values) for arg in expr.args]
        if None in parts:
            return 0 if expr.is_Mul and 0 in parts else None  # as sympy: 0·W is 0
        return sum(parts) if expr.is_Add else math.prod(parts)
    if expr.is_Pow:
        if not expr.exp.is_Integer:
            raise NotPlain(expr)
        base = value(expr.base, values)
        if base is None:
            return None
        return Fraction(base) ** expr.exp.p if expr.exp.p < 0 else base ** expr.exp.p
    kind = type(expr)
    if kind in (ceiling, floor, sympy.Min, sympy.Max):
        parts = [value(arg, values) for arg in expr.args]
        if None in parts:
            if kind is ceiling or kind is floor:
                return None
            raise NotPlain(expr)  # sympy may still know: min(1, W) is 1 for a positive integer W
        if kind is ceiling or kind is floor:
            return kind.exact(parts[0].numerator, parts[0].denominator)
        return min(parts) if kind is sympy.Min else max(parts)
    raise NotPlain(expr)


def _plain(number: sympy.Rational) -> Number:
    return number.p if number.q == 1 else Fraction(number.p, number.q)


def is_whole(number: object) -> bool:
    """Whether `number` (an int, a Fraction, or what sympy made) is a whole number."""
    return isinstance(number, int) or isinstance(number, Fraction) and number.denominator == 1


def substituted(expr: sympy.Expr, values: Mapping[sympy.Symbol, sympy.Expr]) -> sympy.Expr:
    """`expr.xreplace(values)`, without rebuilding it when the result is a number."""
    if not values:
        return expr
    try:
        number = value(expr, values)
    except NotPlain:
        number = None
    if number is None:
        return expr.xreplace(values)
    return sympy.Integer(number) if isinstance(number, int) else sympy.Rational(number.numerator, number.denominator)
