"""derive.arithmetic against independent oracles: Python's `round`, `math.floor`/`math.ceil`,
`fractions.Fraction`, and sympy's own `floor`, `ceiling`, `Min`, `Max` and `Abs` on the values a formula
takes once its symbols are numbers."""

from __future__ import annotations

import ast
import math
from fractions import Fraction
from pathlib import Path

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

from derive import arithmetic
from derive.arithmetic import (
    BAD_EXPONENT, MAX_EXPONENT, TOO_LARGE, ArithmeticRefused, absolute, ceil_div, floor_div, is_nonnegative,
    is_whole, min_max, power, reciprocal, round_half_even, rounded, square_root, too_large,
)
from derive.functions import ceiling, floor

C = sympy.Symbol("C", positive=True, integer=True)
H = sympy.Symbol("H", positive=True, integer=True)
n = sympy.Symbol("n", integer=True)  # of either sign
alpha = sympy.Symbol("alpha", positive=True)  # not known to be whole
INTEGER_SYMBOLS = (C, H, n)
SYMBOLS = (*INTEGER_SYMBOLS, alpha)

HALVES = [Fraction(p, 2) for p in range(-9, 10, 2)]
fractions = st.one_of(
    st.fractions(max_denominator=12),
    st.sampled_from(HALVES),
    st.builds(Fraction, st.integers(-10**30, 10**30), st.integers(1, 10**6)),
)


def rational(value: Fraction) -> sympy.Rational:
    return sympy.Rational(value.numerator, value.denominator)


def fraction(value: sympy.Expr) -> Fraction:
    assert value.is_Rational, value
    return Fraction(int(value.p), int(value.q))


# -- rounding in integers ---------------------------------------------------------------------------

@settings(max_examples=300, deadline=None)
@given(fractions)
def test_integer_rounding_is_pythons_and_sympys(value: Fraction) -> None:
    p, q = value.numerator, value.denominator
    assert floor_div(p, q) == math.floor(value) == int(sympy.floor(rational(value)))
    assert ceil_div(p, q) == math.ceil(value) == int(sympy.ceiling(rational(value)))
    assert round_half_even(p, q) == round(value)


def test_halves_round_to_the_even_neighbour() -> None:
    assert [round_half_even(p, 2) for p in (-5, -3, -1, 1, 3, 5)] == [-2, -2, 0, 0, 2, 2]
    assert [round_half_even(p, 3) for p in (-2, -1, 1, 2)] == [-1, 0, 0, 1]


@settings(max_examples=200, deadline=None)
@given(fractions)
def test_ceiling_and_floor_of_a_number_are_sympys(value: Fraction) -> None:
    number = rational(value)
    assert ceiling(number) == sympy.ceiling(number) and ceiling(number).is_Integer
    assert floor(number) == sympy.floor(number) and floor(number).is_Integer
    assert rounded(ceiling, number) == sympy.ceiling(number)
    assert rounded(floor, number) == sympy.floor(number)


# -- symbolic formulas, checked on the numbers they take ------------------------------------------

def leaves(whole_only: bool):
    numbers = st.integers(-6, 9) if whole_only else st.fractions(-3, 3, max_denominator=4)
    symbols = INTEGER_SYMBOLS if whole_only else SYMBOLS
    return st.one_of(st.sampled_from(symbols), numbers.map(lambda v: sympy.Rational(v)))


def formulas(whole_only: bool, depth: int = 2):
    """Formulas of sums, products, whole powers, ⌈ ⌉, ⌊ ⌋, min, max and abs; with *whole_only*
    every piece is whole, so the whole formula is."""
    if depth == 0:
        return leaves(whole_only)
    sub = formulas(whole_only, depth - 1)
    divisor = st.just(1) if whole_only else st.sampled_from((1, 2, 3))
    return st.one_of(
        leaves(whole_only),
        st.lists(sub, min_size=2, max_size=3).map(lambda xs: sympy.Add(*xs)),
        st.lists(sub, min_size=2, max_size=3).map(lambda xs: sympy.Mul(*xs)),
        st.tuples(sub, st.integers(0, 3)).map(lambda p: p[0] ** p[1]),
        st.tuples(sub, st.sampled_from((2, 3))).map(lambda p: ceiling(p[0] / p[1])),
        st.tuples(sub, st.sampled_from((2, 3))).map(lambda p: floor(p[0] / p[1])),
        st.tuples(sub, sub).map(lambda p: sympy.Min(*p, evaluate=False)),
        st.tuples(sub, sub).map(lambda p: sympy.Max(*p, evaluate=False)),
        st.tuples(sub, divisor).map(lambda p: sympy.Abs(p[0] / p[1], evaluate=False)),
    )


sizes = st.tuples(st.integers(1, 40), st.integers(1, 40), st.integers(-40, 40),
                  st.fractions(Fraction(1, 7), 10, max_denominator=7))


def at(expr: sympy.Expr, values: tuple) -> sympy.Expr:
    """*expr* with its symbols numbers, rebuilt by sympy's own evaluation (and its floor, ceiling)."""
    own = {ceiling: sympy.ceiling, floor: sympy.floor}
    numbers = {s: rational(Fraction(v)) for s, v in zip(SYMBOLS, values)}

    def rebuilt(node: sympy.Basic) -> sympy.Basic:
        if node.is_Symbol:
            return numbers[node]
        if not node.args:
            return node
        return own.get(type(node), node.func)(*map(rebuilt, node.args))

    return rebuilt(expr)


@settings(max_examples=200, deadline=None)
@given(formulas(whole_only=False), sizes)
def test_what_is_whole_by_structure_is_whole_in_numbers(expr: sympy.Expr, values: tuple) -> None:
    for wide in (True, False):
        if is_whole(expr, min_max_abs=wide):
            number = at(expr, values)
            assert number.is_Integer or number is sympy.S.ComplexInfinity, (expr, number)


@settings(max_examples=200, deadline=None)
@given(formulas(whole_only=True))
def test_whole_pieces_make_a_whole_formula(expr: sympy.Expr) -> None:
    assert is_whole(expr)


def test_whole_or_not_by_structure() -> None:
    assert is_whole(C + 2 * H**2 - n) and is_whole(floor(C / 2)) and is_whole(ceiling(alpha))
    assert not is_whole(C / 2) and not is_whole(alpha) and not is_whole(sympy.Rational(1, 2))
    assert not is_whole(C**-1) and not is_whole(sympy.sqrt(C))
    wide = [sympy.Max(C, 3, evaluate=False), sympy.Min(C, H, evaluate=False), sympy.Abs(n, evaluate=False)]
    assert all(is_whole(v) for v in wide)
    assert not any(is_whole(v, min_max_abs=False) for v in wide)
    assert not is_whole(C + sympy.Max(C, 3, evaluate=False), min_max_abs=False)


def test_ceiling_and_floor_leave_whole_arguments_and_fold_nested_ones() -> None:
    assert ceiling(C + H) == C + H and floor(C * H**2) == C * H**2
    assert ceiling(ceiling(H / 2) / 2) == ceiling(H / 4) and floor(floor(H / 3) / 2) == floor(H / 6)
    assert isinstance(ceiling(alpha), ceiling) and isinstance(floor(C / 2), floor)
    assert ceiling(C / 2).is_integer and floor(alpha).is_integer
    kept = ceiling(sympy.Max(H, 3, evaluate=False))  # min, max and abs stay inside
    assert isinstance(kept, ceiling)


@settings(max_examples=200, deadline=None)
@given(formulas(whole_only=False), sizes)
def test_what_is_nonnegative_by_structure_is_in_numbers(expr: sympy.Expr, values: tuple) -> None:
    if is_nonnegative(expr):
        number = at(expr, values)
        assert number is sympy.S.ComplexInfinity or number >= 0, (expr, number)


def test_nonnegative_or_not_by_structure() -> None:
    assert is_nonnegative(C * H + 1) and is_nonnegative(sympy.Abs(n, evaluate=False))
    assert is_nonnegative(sympy.Max(n, C, evaluate=False)) and is_nonnegative(floor(C / 2))
    assert not is_nonnegative(n) and not is_nonnegative(C - H) and not is_nonnegative(sympy.Rational(-1, 2))
    assert not is_nonnegative(sympy.Max(n, -3, evaluate=False)) and not is_nonnegative(sympy.Min(n, C, evaluate=False))


@settings(max_examples=200, deadline=None)
@given(formulas(whole_only=False, depth=1), st.lists(leaves(False), max_size=2), sizes)
def test_rounded_is_sympys_floor_and_ceiling(expr: sympy.Expr, terms: list, values: tuple) -> None:
    value = sympy.Add(expr, *terms)
    for kind, own in ((floor, sympy.floor), (ceiling, sympy.ceiling)):
        got = rounded(kind, value)
        assert at(got, values) == own(at(value, values)), (kind, value, got)


def test_rounded_takes_whole_terms_out() -> None:
    assert rounded(floor, C / 2 + H) == floor(C / 2) + H
    assert rounded(ceiling, H + sympy.Rational(1, 2)) == H + 1
    assert rounded(ceiling, H + 3) == H + 3


# -- functions and operators -----------------------------------------------------------------------

@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(fractions.map(rational), st.sampled_from(SYMBOLS)), min_size=2, max_size=5),
       sizes)
def test_min_max_are_pythons_and_sympys(args: list, values: tuple) -> None:
    for kind, python in ((sympy.Min, min), (sympy.Max, max)):
        got = min_max(kind, *args)
        if all(arg.is_Rational for arg in args):
            assert got.is_Rational and fraction(got) == python(map(fraction, args))
        assert at(got, values) == python(at(arg, values) for arg in args)
        assert at(got, values) == kind(*(at(arg, values) for arg in args))


def test_min_max_keep_each_argument_once_and_flatten() -> None:
    assert min_max(sympy.Max, C, C) == C
    three = sympy.Max(H, C, 3, evaluate=False)
    assert min_max(sympy.Max, H, sympy.Max(C, 3, evaluate=False), sympy.Integer(1)) == three
    assert min_max(sympy.Min, sympy.Integer(3), sympy.Rational(5, 2)) == sympy.Rational(5, 2)


@settings(max_examples=200, deadline=None)
@given(st.one_of(fractions.map(rational), formulas(whole_only=False, depth=1)), sizes)
def test_absolute_is_abs(value: sympy.Expr, values: tuple) -> None:
    got = absolute(value)
    if value.is_Rational:
        assert got.is_Rational and fraction(got) == abs(fraction(value))
    assert at(got, values) == abs(at(value, values))


def test_absolute_by_the_sign_the_structure_tells() -> None:
    assert absolute(C * H) == C * H and absolute(-C * H) == C * H
    assert absolute(C - H) == sympy.Abs(C - H, evaluate=False)


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 10**12), st.integers(1, 10**12))
def test_square_root_is_exact_or_refused(p: int, q: int) -> None:
    value = Fraction(p, q)
    root = Fraction(math.isqrt(value.numerator), math.isqrt(value.denominator))
    if root * root == value:
        assert fraction(square_root(rational(value))) == root
    else:
        with pytest.raises(ArithmeticRefused, match="must come out rational"):
            square_root(rational(value))
    assert fraction(square_root(rational(value * value))) == value
    if value:
        with pytest.raises(ArithmeticRefused, match="square root of a negative number"):
            square_root(rational(-value))


def test_square_root_of_a_symbol_is_left_unevaluated() -> None:
    assert square_root(C) == sympy.Pow(C, sympy.S.Half, evaluate=False)


@settings(max_examples=200, deadline=None)
@given(fractions)
def test_reciprocal_is_one_over(value: Fraction) -> None:
    if value == 0:
        with pytest.raises(ArithmeticRefused, match="division by zero"):
            reciprocal(rational(value))
    else:
        assert fraction(reciprocal(rational(value))) == 1 / value
    assert reciprocal(C) == 1 / C


@settings(max_examples=300, deadline=None)
@given(st.one_of(fractions, st.builds(Fraction, st.integers(-2**300, 2**300))), st.integers(-70, 70))
def test_power_is_fractions_power_or_refused_for_a_reason(base: Fraction, exponent: int) -> None:
    try:
        got = power(rational(base), sympy.Integer(exponent))
    except ArithmeticRefused as refusal:
        if abs(exponent) > MAX_EXPONENT:
            assert str(refusal) == BAD_EXPONENT
        elif base == 0:
            assert str(refusal) == "division by zero" and exponent < 0
        else:  # refused before computing it: the exact power has a number of over 400 digits
            assert str(refusal) == "number too large"
            exact = base**exponent
            assert max(abs(exact.numerator), exact.denominator) >= TOO_LARGE
    else:
        assert abs(exponent) <= MAX_EXPONENT and fraction(got) == base**exponent


def test_power_refusals() -> None:
    for exponent in (sympy.Integer(65), sympy.Integer(-65), sympy.Rational(1, 2), C):
        with pytest.raises(ArithmeticRefused, match=BAD_EXPONENT):
            power(sympy.Integer(2), exponent)
    with pytest.raises(ArithmeticRefused, match="division by zero"):
        power(sympy.Integer(0), sympy.Integer(-1))
    with pytest.raises(ArithmeticRefused, match="number too large"):
        power(C + 10**30, sympy.Integer(64))  # a sum's numbers, before it is expanded
    assert power(C + 2**670, sympy.Integer(2), max_bits=1400) == (C + 2**670) ** 2
    with pytest.raises(ArithmeticRefused, match="number too large"):
        power(C + 2**670, sympy.Integer(2))
    assert power(sympy.Integer(0), sympy.Integer(0)) == 1
    assert power(sympy.Integer(2**20), sympy.Integer(64)) == 2**1280  # under 400 digits, though near
    with pytest.raises(ArithmeticRefused, match="number too large"):
        power(sympy.Integer(2**21), sympy.Integer(-64))


def test_too_large_is_over_400_digits_either_way() -> None:
    assert not too_large(sympy.Integer(10**400 - 1)) and too_large(sympy.Integer(10**400))
    assert too_large(sympy.Integer(-(10**400))) and too_large(sympy.Rational(1, 10**400))
    assert not too_large(sympy.Rational(-(10**400 - 1), 10**400 - 3)) and not too_large(C * 10**500)


# -- one place ---------------------------------------------------------------------------------------

def test_no_module_imports_a_private_name_of_another() -> None:
    package = Path(arithmetic.__file__).resolve().parent
    found = []
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("derive")):
                found += [f"{path.relative_to(package)}: {alias.name}" for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")]
    assert found == []
