"""Exact arithmetic within bounds: each rule derive computes numbers and sizes by, written once.

The parser of ``--set`` and ``--claim`` (`derive.expr`), the arithmetic on sizes read from code
(`derive.readers.astexpr`), ⌈ ⌉ and ⌊ ⌋ as sympy functions (`derive.functions`) and the evaluation
in plain Python numbers (`derive.numeric`) all compute with what is here:

* rounding p/q (q > 0) in integers: `floor_div`, `ceil_div`, `round_half_even` (Python's `round`);
* `is_whole` and `is_nonnegative`, decided by an expression's structure alone: sympy's assumption
  queries may take a tenth of a second a call;
* `Rounding`, what `functions.ceiling` and `functions.floor` compute, and `rounded`, which takes
  the whole terms of a sum out first;
* `min_max`, `absolute`, `square_root`, `reciprocal` and `power`: exact on numbers, simplified by
  structure only on symbols;
* the bounds: exponents whole and at most `MAX_EXPONENT`, no number over `MAX_RESULT_DIGITS` digits
  (`too_large`), no `NOT_FINITE` value;
* the cost model: `estimate` bounds a value's degree, terms once multiplied out and digits from its
  structure before it is built (or substituted into), and `bounded` refuses one over `MAX_DEGREE`,
  `MAX_TERMS` (`MAX_CLAIM_TERMS` for a claim) or `MAX_RESULT_DIGITS`.

What is refused raises `ArithmeticRefused` with the reason; the caller adds the place.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sympy
from sympy import Expr

MAX_EXPONENT = 64
MAX_RESULT_DIGITS = 400
TOO_LARGE = 10**MAX_RESULT_DIGITS
NOT_FINITE = (sympy.S.NaN, sympy.S.ComplexInfinity, sympy.S.Infinity, sympy.S.NegativeInfinity)
BAD_EXPONENT = f"exponent must be a whole number between -{MAX_EXPONENT} and {MAX_EXPONENT}"


class ArithmeticRefused(Exception):
    """Cannot compute this; the message says why (the caller adds the place)."""


# -- rounding in integers --------------------------------------------------------------------------

def floor_div(p: int, q: int) -> int:
    """⌊p/q⌋ for q > 0."""
    return p // q


def ceil_div(p: int, q: int) -> int:
    """⌈p/q⌉ for q > 0."""
    return -(-p // q)


def round_half_even(p: int, q: int) -> int:
    """p/q (q > 0) to the nearest integer, a half to the even one, as Python's `round`."""
    whole, rest = divmod(p, q)
    return whole + (2 * rest > q or (2 * rest == q and whole % 2 == 1))


# -- what the structure tells ----------------------------------------------------------------------

_WHOLE_OF_WHOLES = (sympy.Min, sympy.Max, sympy.Abs)


def is_whole(value: Expr, *, min_max_abs: bool = True) -> bool:
    """Whether *value* is an integer by its structure alone: integers, integer symbols (by their
    assumptions), ⌈ ⌉ and ⌊ ⌋, and sums, products and whole powers of whole values; with
    *min_max_abs* also min, max and abs of whole values."""
    if value.is_Integer or isinstance(value, Rounding):
        return True
    if value.is_Symbol:
        return value.is_integer is True
    if value.is_Add or value.is_Mul or (min_max_abs and isinstance(value, _WHOLE_OF_WHOLES)):
        return all(is_whole(arg, min_max_abs=min_max_abs) for arg in value.args)
    return bool(value.is_Pow and value.exp.is_Integer and value.exp >= 0
                and is_whole(value.base, min_max_abs=min_max_abs))


def is_nonnegative(value: Expr) -> bool:
    """Whether *value* is at least zero by its structure alone (symbols by their assumptions)."""
    if value.is_Rational or value.is_Symbol:
        return value.is_nonnegative is True
    if value.is_Pow:
        return bool(value.exp.is_Rational) and is_nonnegative(value.base)
    if isinstance(value, sympy.Max):
        return any(is_nonnegative(arg) for arg in value.args)
    if value.is_Add or value.is_Mul or isinstance(value, (sympy.Min, Rounding)):
        return all(is_nonnegative(arg) for arg in value.args)
    return isinstance(value, sympy.Abs)


# -- ⌈ ⌉ and ⌊ ⌋ -----------------------------------------------------------------------------------

class Rounding(sympy.Function):
    """⌈x⌉ or ⌊x⌋, cheap to build: `exact` (`ceil_div` or `floor_div`) on numbers, the argument
    itself when it is whole (⌈H/1⌉ = H), the whole terms of a sum taken out (⌊x + n⌋ = ⌊x⌋ + n),
    ⌈⌈x⌉/n⌉ = ⌈x/n⌉ for a whole n > 0, else unevaluated.

    sympy's own `ceiling` and `floor` decide symbolic cases through its relational machinery, whose
    first use imports sympy.combinatorics (a tenth of a second on every run)."""

    is_integer = True
    exact: Callable[[int, int], int]

    @classmethod
    def eval(cls, arg: Expr) -> Expr | None:
        if arg.is_Rational:
            return sympy.Integer(cls.exact(arg.p, arg.q))
        if is_whole(arg, min_max_abs=False):  # min, max and abs are left inside: ⌈max(3, W)⌉
            return arg
        if arg.is_Add:  # whole terms come out: ⌊H/2 − 1⌋ + 1 = ⌊H/2⌋ (a 2×2 pool of stride 2)
            whole = [term for term in arg.args if is_whole(term, min_max_abs=False)]
            if whole:
                return sympy.Add(*whole) + cls(sympy.Add(*(term for term in arg.args if term not in whole)))
        if arg.is_Mul:  # strided layers in a row: ⌈⌈H/2⌉/2⌉ = ⌈H/4⌉
            coeff, rest = arg.as_coeff_Mul()
            if coeff.is_Rational and coeff.p == 1 and coeff.q > 1 and isinstance(rest, cls):
                return cls(rest.args[0] * coeff)
        return None


def rounded(kind: type[Rounding], value: Expr) -> Expr:
    """*kind* (ceiling or floor) of *value*: exact on numbers; whole terms of a sum are taken out,
    and what is left stays unevaluated."""
    if value.is_Rational:
        return sympy.Integer(kind.exact(value.p, value.q))
    whole: list[Expr] = []
    rest: list[Expr] = []
    for term in sympy.Add.make_args(value):
        (whole if is_whole(term) else rest).append(term)
    if not rest:
        return value
    fraction = sympy.Add(*rest)
    inner = rounded(kind, fraction) if fraction.is_Rational else kind(fraction, evaluate=False)
    return sympy.Add(*whole, inner)


# -- functions and operators -----------------------------------------------------------------------

def min_max(kind: type[sympy.Min] | type[sympy.Max], *args: Expr) -> Expr:
    """Min or Max of *args*: numbers compared exactly into one, other arguments kept once each."""
    parts = [part for arg in args for part in (arg.args if isinstance(arg, kind) else (arg,))]
    numbers = [part for part in parts if part.is_Rational]
    others = dict.fromkeys(part for part in parts if not part.is_Rational)
    if numbers:
        others[max(numbers) if kind is sympy.Max else min(numbers)] = None
    return next(iter(others)) if len(others) == 1 else kind(*others, evaluate=False)


def absolute(value: Expr) -> Expr:
    """|value|: exact on numbers, the value or its negation when the structure tells the sign."""
    if value.is_Rational or is_nonnegative(value):
        return abs(value) if value.is_Rational else value
    return -value if is_nonnegative(-value) else sympy.Abs(value, evaluate=False)


def square_root(value: Expr) -> Expr:
    """√value, which must come out rational for a number; unevaluated for anything else."""
    if not value.is_Rational:
        return sympy.Pow(value, sympy.S.Half, evaluate=False)
    if value < 0:
        raise ArithmeticRefused("square root of a negative number")
    root = sympy.Rational(math.isqrt(value.p), math.isqrt(value.q))
    if root**2 != value:
        raise ArithmeticRefused("sqrt() of a number must come out rational (like sqrt(16) or sqrt(9/4))")
    return root


def reciprocal(value: Expr) -> Expr:
    """1/value, refused for 0."""
    if value == 0:
        raise ArithmeticRefused("division by zero")
    return value**-1


def exponent_allowed(exponent: Expr) -> bool:
    """Whether *exponent* is a whole number in [-MAX_EXPONENT, MAX_EXPONENT]."""
    return bool(exponent.is_Integer and abs(exponent) <= MAX_EXPONENT)


def power(base: Expr, exponent: Expr, max_bits: int = TOO_LARGE.bit_length()) -> Expr:
    """base**exponent for an allowed exponent, refused before it is computed when a number in the
    result would have *max_bits* bits or more for sure (the default: over `MAX_RESULT_DIGITS`)."""
    if not exponent_allowed(exponent):
        raise ArithmeticRefused(BAD_EXPONENT)
    if exponent < 0 and base == 0:
        raise ArithmeticRefused("division by zero")
    numbers = [base] if base.is_Rational else base.atoms(sympy.Rational)
    bits = max((max(abs(n.p).bit_length(), n.q.bit_length()) for n in numbers), default=0)
    if (bits - 1) * abs(int(exponent)) >= max_bits:
        raise ArithmeticRefused("number too large")
    return base**exponent


def too_large(value: sympy.Basic) -> bool:
    """Whether *value* is a number with a numerator or denominator over `MAX_RESULT_DIGITS` digits."""
    return bool(value.is_Rational and (abs(value.p) >= TOO_LARGE or value.q >= TOO_LARGE))


# -- the cost of a value, estimated before it is built ---------------------------------------------

MAX_DEGREE = 8  # as a polynomial in the sizes
MAX_TERMS = 16  # terms once multiplied out (a size; the derivation multiplies sizes together)
MAX_CLAIM_TERMS = 256  # terms of a claim once multiplied out (a claim restates a whole total)
_CAP = 10**9  # estimates stop growing here: they only need to say "over the limit"


@dataclass(frozen=True)
class Cost:
    """Upper bounds on a value once built and multiplied out: its degree in the sizes, its number of
    terms, and the bits of the largest number in it."""

    degree: int = 0
    terms: int = 1
    bits: int = 0


SIZE = Cost(1, 1, 0)  # a symbol standing for itself


def estimate(expr: Expr, values: Mapping[sympy.Symbol, Cost] | None = None, depth: int = 0) -> Cost:
    """The `Cost` of *expr* with each symbol in *values* standing for a value of that cost, from the
    structure alone: nothing is multiplied out or substituted, so it is cheap for any exponent."""
    if depth > 2 * MAX_EXPONENT:
        raise ArithmeticRefused("expression nested too deeply")
    if expr.is_Rational:
        return Cost(0, 1, max(abs(expr.p).bit_length(), expr.q.bit_length()))
    if expr.is_Symbol:
        return (values or {}).get(expr, SIZE)
    parts = [estimate(arg, values, depth + 1) for arg in expr.args]
    cost = _combined(expr, parts)
    return cost if cost.degree else Cost(0, 1, cost.bits)  # a number, once the values are in


def _combined(expr: Expr, parts: list[Cost]) -> Cost:
    if expr.is_Add:
        return Cost(max(p.degree for p in parts), min(sum(p.terms for p in parts), _CAP),
                    max(p.bits for p in parts) + len(parts).bit_length())
    if expr.is_Mul:
        return Cost(min(sum(p.degree for p in parts), _CAP), min(math.prod(min(p.terms, _CAP) for p in parts), _CAP),
                    min(sum(p.bits for p in parts), _CAP))
    if expr.is_Pow and expr.exp.is_Integer:
        base, n = parts[0], abs(int(expr.exp))
        if n > MAX_EXPONENT:
            raise ArithmeticRefused(BAD_EXPONENT)
        terms = math.comb(n + base.terms - 1, n) if base.terms < _CAP else _CAP  # monomials of degree n
        return Cost(min(base.degree * n, _CAP), min(terms, _CAP),
                    min(base.bits * n, _CAP))
    # ⌈ ⌉, ⌊ ⌋, min, max, abs, a root: one opaque term, as costly inside as its arguments
    return Cost(max((p.degree for p in parts), default=0), 1, max((p.bits for p in parts), default=0))


def over_limit(cost: Cost, max_terms: int = MAX_TERMS) -> str | None:
    """The limit *cost* is over, in words, or None."""
    if cost.degree > MAX_DEGREE:
        return f"expression of too high a degree (over {MAX_DEGREE} in the sizes)"
    if cost.terms > max_terms:
        return f"expression too large (over {max_terms} terms once multiplied out)"
    if cost.bits >= TOO_LARGE.bit_length():
        return f"number too large (over {MAX_RESULT_DIGITS} digits)"
    return None


def bounded(expr: Expr, values: Mapping[sympy.Symbol, Cost] | None = None, max_terms: int = MAX_TERMS) -> Cost:
    """The `Cost` of *expr* (see `estimate`), or `ArithmeticRefused` naming the limit it is over."""
    cost = estimate(expr, values)
    problem = over_limit(cost, max_terms)
    if problem is not None:
        raise ArithmeticRefused(problem)
    return cost
