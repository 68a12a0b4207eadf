"""Arithmetic on sizes read from code: numbers and symbols in, sympy out, bounded, never `eval`.

The code reader walks Python's `ast` itself; this module is what it does with the numbers it finds.
Only whitelisted operations exist: `+ - * / // % **`, unary minus, comparisons, and the functions
`int`, `float`, `round`, `min`, `max`, `abs`, `math.ceil`, `math.floor`. Integers become
`sympy.Integer`, decimals exact `Rational`s (`0.75` is 3/4). The operations and bounds are
`derive.arithmetic`'s: no number over 400 digits, exponents whole and at most 64; and here,
expressions of at most `MAX_SIZE` nodes, so any input is answered quickly. A comparison whose
answer depends on symbols raises `Undecided` with the symbols involved: the caller decides whether
a default value may stand in for them.
"""

from __future__ import annotations

import ast
import math
import operator

import sympy

from ..arithmetic import (  # the degree and term bounds are those of --set, claims and specs
    MAX_DEGREE, MAX_EXPONENT, MAX_TERMS, NOT_FINITE, ArithmeticRefused, is_whole, min_max, power, reciprocal,
    round_half_even, rounded, too_large,
)
from ..functions import ceiling, floor

Expr = sympy.Expr
MAX_SIZE = 400  # nodes in one expression
MAX_LITERAL_DIGITS = 100
MAX_POWER_BITS = 1400  # a power is refused before it is computed when its numbers would reach this many bits


class Undecided(Exception):
    """A comparison (or a whole number wanted) that depends on the sizes: `symbols` are the ones involved."""

    def __init__(self, symbols: frozenset[sympy.Symbol], text: str) -> None:
        super().__init__(text)
        self.symbols = symbols
        self.text = text


def number(value: object) -> Expr:
    """A Python constant from the AST as an exact sympy number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ArithmeticRefused(f"{type(value).__name__} is not a number")
    if isinstance(value, int):
        if value.bit_length() > MAX_LITERAL_DIGITS * 3.33:
            raise ArithmeticRefused(f"number too long (over {MAX_LITERAL_DIGITS} digits)")
        return sympy.Integer(value)
    if not math.isfinite(value):
        raise ArithmeticRefused("not a finite number")
    return sympy.Rational(repr(value)) if "e" not in repr(value) else sympy.Rational(value)


def _size(expr: Expr) -> int:
    count = 0
    stack = [expr]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_SIZE:
            break
        stack.extend(node.args)
    return count


def _shape(expr: Expr, depth: int = 0) -> tuple[int, int]:
    """(degree, terms once expanded): upper bounds from the structure alone, cheap and never expanding."""
    if depth > 64:
        raise ArithmeticRefused("expression nested too deeply")
    if expr.is_Number:
        return 0, 1
    if expr.is_Symbol:
        return 1, 1
    if expr.is_Add:
        parts = [_shape(arg, depth + 1) for arg in expr.args]
        return max(d for d, _ in parts), sum(t for _, t in parts)
    if expr.is_Mul:
        degree, terms = 0, 1
        for arg in expr.args:
            d, t = _shape(arg, depth + 1)
            degree, terms = degree + d, min(terms * t, 10**9)
        return degree, terms
    if expr.is_Pow:
        d, t = _shape(expr.base, depth + 1)
        exponent = expr.exp
        if exponent.is_Integer:
            n = abs(int(exponent))
            return d * n, min(t ** min(n, MAX_EXPONENT), 10**9) if t > 1 else 1
        return d, t
    for arg in expr.args:  # floor, ceiling, Min, Max...: opaque, but their insides count
        complexity(arg, depth + 1)
    return 1, 1


def complexity(expr: Expr, depth: int = 0) -> Expr:
    """`expr` if a derivation can work with it quickly, else `ArithmeticRefused`."""
    if expr.is_Number or expr.is_Symbol:
        return expr
    degree, terms = _shape(expr, depth)
    if degree > MAX_DEGREE:
        raise ArithmeticRefused(f"expression of too high a degree (over {MAX_DEGREE} in the sizes)")
    if terms > MAX_TERMS:
        raise ArithmeticRefused(f"expression too large (over {MAX_TERMS} terms once multiplied out)")
    return expr


def checked(value: Expr) -> Expr:
    if too_large(value):
        raise ArithmeticRefused("number too large")
    if value in NOT_FINITE:
        raise ArithmeticRefused("no finite value")
    if not value.is_Number:
        if _size(value) > MAX_SIZE:
            raise ArithmeticRefused("expression too large")
        for atom in value.atoms(sympy.Rational):
            if too_large(atom):
                raise ArithmeticRefused("number too large")
        complexity(value)
    return value


def _pow(base: Expr, exponent: Expr) -> Expr:
    return power(base, exponent, MAX_POWER_BITS)


def _div(a: Expr, b: Expr) -> Expr:
    return a * reciprocal(b)


def _floordiv(a: Expr, b: Expr) -> Expr:
    return rounded(floor, _div(a, b))


def _mod(a: Expr, b: Expr) -> Expr:
    if not (a.is_Rational and b.is_Rational):
        raise Undecided(frozenset(a.free_symbols | b.free_symbols), "a remainder (%)")
    return a - b * _floordiv(a, b)


BINARY = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: _div,
    ast.FloorDiv: _floordiv, ast.Mod: _mod, ast.Pow: _pow,
}


def binary(op: ast.operator, a: Expr, b: Expr) -> Expr:
    function = BINARY.get(type(op))
    if function is None:
        raise ArithmeticRefused(f"operator {type(op).__name__} is not supported on sizes")
    try:
        return checked(function(a, b))
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        raise ArithmeticRefused("cannot compute this") from None


def compare(op: ast.cmpop, a: Expr, b: Expr) -> bool:
    """A numeric comparison, decided exactly; `Undecided` when it depends on symbols."""
    difference = checked(a - b)
    if not difference.is_Number:
        raise Undecided(frozenset(difference.free_symbols), "a comparison")
    sign = 0 if difference == 0 else 1 if bool(difference > 0) else -1
    return {ast.Eq: sign == 0, ast.NotEq: sign != 0, ast.Lt: sign < 0, ast.LtE: sign <= 0,
            ast.Gt: sign > 0, ast.GtE: sign >= 0}[type(op)]


def to_int(value: Expr) -> Expr:
    """Python's `int()` of a size: truncation (floor for the positive sizes a block has)."""
    if value.is_Rational:
        return sympy.Integer(int(value))  # toward zero, exactly
    return value if is_whole(value) else floor(value)


def to_round(value: Expr, digits: object = None) -> Expr:
    if digits is not None:
        raise ArithmeticRefused("round() with digits is not supported on sizes")
    if value.is_Rational:
        return sympy.Integer(round_half_even(value.p, value.q))
    if is_whole(value):
        return value
    raise Undecided(frozenset(value.free_symbols), "round() of a fraction")


def call(name: str, args: list[Expr]) -> Expr:
    """A whitelisted numeric function of sizes."""
    try:
        if name in ("int", "math.floor", "math.trunc") and len(args) == 1:
            return checked(to_int(args[0]) if name != "math.floor" else rounded(floor, args[0]))
        if name == "math.ceil" and len(args) == 1:
            return checked(rounded(ceiling, args[0]))
        if name == "float" and len(args) == 1:
            return args[0]
        if name == "round" and len(args) in (1, 2):
            return checked(to_round(args[0], args[1] if len(args) == 2 and args[1] is not None else None))
        if name == "abs" and len(args) == 1:
            return checked(sympy.Abs(args[0]) if args[0].is_Rational else args[0])
        if name in ("min", "max") and 1 <= len(args) <= 64:
            if len(args) == 1:
                raise ArithmeticRefused(f"{name}() of a single number")
            return checked(min_max(sympy.Min if name == "min" else sympy.Max, *args))
    except (ArithmeticError, ValueError, TypeError, RecursionError):
        raise ArithmeticRefused(f"cannot compute {name}() here") from None
    raise ArithmeticRefused(f"{name}() takes other arguments")


FUNCTIONS = frozenset({"int", "float", "round", "abs", "min", "max", "math.ceil", "math.floor", "math.trunc"})
