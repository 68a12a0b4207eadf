"""Tests for derive.expr: exact results, precise errors, and bounds on hostile input."""

from __future__ import annotations

import builtins
import random
import sys
import time
from fractions import Fraction
from types import MappingProxyType

import pytest
import sympy
import sympy.parsing.sympy_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sympy import Abs, Integer, Max, Rational, Symbol, sqrt

from derive.errors import ExprError, InputError
from derive.functions import ceiling, floor
from derive.expr import parse

C_in = Symbol("C_in", positive=True, integer=True)
C_out = Symbol("C_out", positive=True, integer=True)
t = Symbol("t", positive=True, integer=True)
k = Symbol("k", positive=True, integer=True)
alpha = Symbol("alpha", positive=True)
x = Symbol("x", positive=True, integer=True)
NAMES = MappingProxyType({"C_in": C_in, "t": t, "k": k, "C_out": C_out, "alpha": alpha})
NAMES_X = MappingProxyType({**NAMES, "x": x})
TOO_DEEP = "expression nested too deeply"
BAD_EXPONENT = "exponent must be a whole number between -64 and 64"


def error_of(text: str, names=NAMES, **options) -> ExprError:
    with pytest.raises(ExprError) as caught:
        parse(text, names, **options)
    return caught.value


GOOD = [
    ("3*3*18", Integer(162)),
    ("(3*3*18)*18 + 2*18", Integer(2952)),
    ("1x1x3x18 + 2x18", Integer(90)),
    ("1x1x3 x18 + 2 x 18", Integer(90)),
    ("3 x 3 x 18", Integer(162)),
    ("(3x3x18)x18", Integer(2916)),
    ("3X3", Integer(9)),
    ("2 x k", 2 * k),
    ("2²x3", Integer(12)),
    ("3 × 3 × 18", Integer(162)),
    ("3 ⋅ 4 ∙ 5 ∗ 2", Integer(120)),
    ("8 ÷ 2 − 1 – 1", Integer(2)),
    ("k^2*t*C_in + 2*t*C_in", k**2 * t * C_in + 2 * t * C_in),
    ("t·C_in·k²", t * C_in * k**2),
    ("k³ + 10⁴", k**3 + 10000),
    ("k⁻¹", 1 / k),
    ("(k+1)²", (k + 1) ** 2),
    ("-k²", -(k**2)),
    ("ceil(7/2)", Integer(4)),
    ("ceiling(7/2)", Integer(4)),
    ("floor(7/2)", Integer(3)),
    ("floor(-7/2)", Integer(-4)),
    ("ceil(-7/2)", Integer(-3)),
    ("ceil(C_in/2)", ceiling(C_in / 2)),
    ("floor(k)", k),
    ("floor(C_in/2 + t)", floor(C_in / 2) + t),
    ("ceil(k + 1/2)", k + 1),
    ("ceil(k/2 + 3)", ceiling(k / 2) + 3),
    ("max(C_in, 3)", Max(C_in, 3)),
    ("max(3, 5, 2)", Integer(5)),
    ("min(3, 5/2)", Rational(5, 2)),
    ("max(C_in, C_in)", C_in),
    ("max(k, max(t, 3), 1)", Max(k, t, 3)),
    ("abs(-5/2)", Rational(5, 2)),
    ("abs(-k*t)", k * t),
    ("abs(k - t)", Abs(k - t)),
    ("sqrt(16)", Integer(4)),
    ("sqrt(9/4)", Rational(3, 2)),
    ("sqrt(k)", sqrt(k)),
    ("-2**2", Integer(-4)),
    ("2**-1", Rational(1, 2)),
    ("2**3**2", Integer(512)),
    ("2^3^2", Integer(512)),
    ("2**(3+1)", Integer(16)),
    ("--1", Integer(1)),
    ("+-+1", Integer(-1)),
    ("[1+2]*3", Integer(9)),
    ("[(1+2)]*3", Integer(9)),
    ("1_000", Integer(1000)),
    ("007", Integer(7)),
    ("C_in/2", C_in / 2),
    ("C_in/2/t", C_in / (2 * t)),
    ("(k+1)/2", k / 2 + Rational(1, 2)),
    ("2*(k+1)", 2 * k + 2),
    ("round(5/2)", Integer(2)),
    ("round(7/2)", Integer(4)),
    ("round(-5/2)", Integer(-2)),
    ("round(-7/2)", Integer(-4)),
    ("round(2/3)", Integer(1)),
    ("round(5)", Integer(5)),
    ("2**64", Integer(2**64)),
    ("2**-64", Rational(1, 2**64)),
    ("0**0", Integer(1)),
    ("k - k", Integer(0)),
    ("1 +\n 2", Integer(3)),
    ("\t2\u00a0*\u20093 ", Integer(6)),
    ("10**57*10**57*10**57*10**57*10**57*10**57*10**57", Integer(10**399)),
    ("9" * 40, Integer(int("9" * 40))),
]


@pytest.mark.parametrize(("text", "expected"), GOOD)
def test_good(text: str, expected: sympy.Expr) -> None:
    result = parse(text, NAMES)
    assert isinstance(result, sympy.Expr)
    assert result == expected
    assert type(result) is type(expected) or not expected.is_Rational


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.75", Rational(3, 4)),
        (".5", Rational(1, 2)),
        ("1_000.25", Rational(4001, 4)),
        ("0.1 + 0.2", Rational(3, 10)),
        ("2.5*k", Rational(5, 2) * k),
        ("0." + "3" * 39, Rational(int("3" * 39), 10**39)),
    ],
)
def test_decimals_are_exact(text: str, expected: sympy.Expr) -> None:
    assert parse(text, NAMES, decimals=True) == expected


def test_x_that_is_a_name_multiplies_only_glued_between_digits() -> None:
    assert parse("1x1x3", NAMES_X) == 3
    assert parse("2*x + x²", NAMES_X) == 2 * x + x**2
    assert error_of("2 x 18", NAMES_X).what == "missing operator before 'x'"
    assert error_of("(3)x2", NAMES_X).what == "missing operator before 'x2'"
    assert error_of("k x 2").what == "missing operator before 'x'"


BAD = [
    ("C_in + foo", "unknown name 'foo'", 1, 8),
    ("C_ni", "unknown name 'C_ni'; did you mean 'C_in'?", 1, 1),
    ("__import__('os')", "'__import__' is not a function", 1, 1),
    ("().__class__", "unexpected ')'", 1, 2),
    ("open('x')", "'open' is not a function", 1, 1),
    ("lambda: 1", "unknown name 'lambda'", 1, 1),
    ("1 +", "missing operand after '+'", 1, 3),
    ("1 * * 2", "missing operand after '*'", 1, 3),
    ("*2", "unexpected '*'", 1, 1),
    ("(1", "expected ')' to close '(' at 1:1", 1, 3),
    ("[1+2)", "expected ']' to close '[' at 1:1", 1, 5),
    ("(1,\n2)", "expected ')' to close '(' at 1:1", 1, 3),
    ("1)", "unexpected ')'", 1, 2),
    ("1, 2", "unexpected ','", 1, 2),
    ("()", "unexpected ')'", 1, 2),
    ("(", "unexpected end of expression", 1, 2),
    ("1 2", "missing operator before '2'", 1, 3),
    ("2k", "missing operator before 'k'", 1, 2),
    ("2(3)", "missing operator before '('", 1, 2),
    ("3..4", "unexpected character '.'", 1, 2),
    ("3.", "unexpected character '.'", 1, 2),
    ("1e5", "unexpected 'e5' after a number (no exponent notation: write 10**N)", 1, 2),
    ("1E+5", "unexpected 'E' after a number (no exponent notation: write 10**N)", 1, 2),
    ("2**1000", BAD_EXPONENT, 1, 4),
    ("9**9**9", BAD_EXPONENT, 1, 4),
    ("k**t", BAD_EXPONENT, 1, 4),
    ("2**65", BAD_EXPONENT, 1, 4),
    ("2**-65", BAD_EXPONENT, 1, 4),
    ("2**(1/2)", BAD_EXPONENT, 1, 4),
    ("2¹⁰⁰", BAD_EXPONENT, 1, 2),
    ("1/0", "division by zero", 1, 2),
    ("k/(k-k)", "division by zero", 1, 2),
    ("0**-1", "division by zero", 1, 2),
    ("0⁻¹", "division by zero", 1, 2),
    ("'abc'", "unexpected character \"'\"", 1, 1),
    ('"abc"', "unexpected character '\"'", 1, 1),
    ("a.b", "unknown name 'a'", 1, 1),
    ("alpha.b", "unexpected character '.'", 1, 6),
    ("x[0]", "unknown name 'x'", 1, 1),
    ("k[0]", "missing operator before '['", 1, 2),
    ("\x00", "unexpected character '\\x00'", 1, 1),
    ("1 + \x1b", "unexpected character '\\x1b'", 1, 5),
    ("k\u200b", "unexpected character '\\u200b'", 1, 2),
    ("2 € 3", "unexpected character '€'", 1, 3),
    ("1 + \n  2 $", "unexpected character '$'", 2, 5),
    ("\tfoo", "unknown name 'foo'", 1, 2),
    ("k" * 3000, "expression too long (over 2000 characters)", 1, 1),
    ("(" * 200 + "1" + ")" * 200, TOO_DEEP, 1, 65),
    ("-" * 500 + "1", TOO_DEEP, 1, 65),
    ("1**" * 65 + "1", TOO_DEEP, 1, 194),
    ("0.5", "decimal numbers are not allowed here", 1, 1),
    ("1" * 41, "number too long (over 40 digits)", 1, 1),
    ("", "empty expression", 1, 1),
    (" \n\t ", "empty expression", 1, 1),
    ("ceil", "'ceil' is a function: write ceil(...)", 1, 1),
    ("sqr(4)", "'sqr' is not a function; did you mean 'sqrt'?", 1, 1),
    ("k(2)", "'k' is not a function", 1, 1),
    ("max(1)", "max() takes at least 2 arguments (1 given)", 1, 1),
    ("ceil()", "ceil() takes exactly 1 argument (0 given)", 1, 1),
    ("floor(1, 2)", "floor() takes exactly 1 argument (2 given)", 1, 1),
    ("max(1,)", "missing operand after ','", 1, 6),
    ("max(1 2)", "missing operator before '2'", 1, 7),
    ("round(k)", "round() needs numbers here", 1, 1),
    ("1 + sqrt(2)", "sqrt() of a number must come out rational (like sqrt(16) or sqrt(9/4))", 1, 5),
    ("sqrt(-4)", "square root of a negative number", 1, 1),
    ("(k*10**30)**64", "number too large", 1, 11),
    ("10**57*10**57*10**57*10**57*10**57*10**57*10**58", "number too large", 1, 1),
    ("k*10**64*10**64*10**64*10**64*10**64*10**64*10**64", "number too large", 1, 1),
    ("2**", "missing operand after '**'", 1, 2),
    ("²", "unexpected '²'", 1, 1),
    ("2 x", "missing operator before 'x'", 1, 3),
]


@pytest.mark.parametrize(("text", "what", "line", "col"), BAD)
def test_bad(text: str, what: str, line: int, col: int) -> None:
    error = error_of(text)
    assert isinstance(error, InputError)
    assert (error.what, error.line, error.col) == (what, line, col)
    assert str(error) == f"{line}:{col}: {what}"


def test_nesting_up_to_the_limit_is_fine() -> None:
    assert parse("(" * 64 + "1" + ")" * 64, NAMES) == 1
    assert parse("-" * 64 + "1", NAMES) == 1
    assert parse("1**" * 64 + "1", NAMES) == 1
    assert parse("ceil(" * 64 + "k" + ")" * 64, NAMES) == k
    assert error_of("(" * 65 + "1" + ")" * 65).col == 65


def test_limits_hold_even_with_little_stack_left() -> None:
    def recurse(levels: int) -> sympy.Expr:  # use up stack frames before parsing
        return recurse(levels - 1) if levels else parse("max(alpha, " * 64 + "1" + ")" * 64, NAMES)

    assert isinstance(recurse(sys.getrecursionlimit() - 700), Max)


def test_result_is_checked_for_size_and_finiteness() -> None:
    assert error_of("k*9**64*9**64*9**64*9**64*9**64*9**64*9**64").what == "number too large"
    assert error_of("a", {"a": sympy.zoo}).what == "expression has no finite value"
    assert error_of("a + 1", {"a": sympy.I}).what == "expression is not a real number"


def test_names_are_the_callers_objects() -> None:
    c = Symbol("c")
    assert parse("c", {"c": c}) is c
    assert parse("C_out", {"C_out": 2 * C_in}) == 2 * C_in
    assert parse("max", {"max": k}) == k  # a name that is not called is the name


# -- hostile input -----------------------------------------------------------------------------

def _fill(unit, sep: str = "+", size: int = 2000) -> str:
    parts: list[str] = []
    while len(sep.join([*parts, unit(len(parts))])) <= size:
        parts.append(unit(len(parts)))
    return sep.join(parts)


HOSTILE = [
    _fill(lambda i: f"(k+{i})", "*"),
    _fill(lambda i: f"(k-{i})", "/"),
    _fill(lambda i: f"(k+{i})**-{i % 64}", "*"),
    _fill(lambda i: f"k**{i % 64}*t**{i // 64}"),
    _fill(lambda i: f"ceil(k/{i + 2})"),
    _fill(lambda i: f"max(k/{i + 2},t,C_in/{i + 3})"),
    _fill(lambda i: f"abs(k-{i}*t)"),
    _fill(lambda i: f"floor((k+{i})/(t+{i}))", "*"),
    "max(" + _fill(lambda i: f"k/{i + 2}", ",", 1990) + ")",
    "ceil(" * 64 + "k" + "/2+alpha)" * 64,
    "abs(" * 64 + "k" + "-3)" * 64,
    "min(" * 64 + "k, alpha" + ")" * 64,
    "(" * 60 + "k+1" + ")**64" * 60,
    "2" + "²" * 1999,
    "k" + " ²" * 999,
    _fill(lambda i: "99999999999", "*"),
    _fill(lambda i: "9**64", "*"),
    _fill(lambda i: "1" + "0" * 39, "/"),
    _fill(lambda i: f"k/{1000 + i}"),
    "2 x " * 400 + "2",
    "1x" * 999 + "1",
    "×" * 2000,
    " " * 1999 + "1",
    "a" * 2000,
    "q" * 1995 + "(1)",
    "sqr(" + "k" * 1990 + ")",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_is_answered_fast(text: str) -> None:
    start = time.perf_counter()
    try:
        parse(text, NAMES)
    except ExprError:
        pass
    assert time.perf_counter() - start < 0.5


PIECES = [
    *"0123456789", "12", "99999999999", "0.5", ".", "_", ",", " ", "\n", "\t",
    "+", "-", "*", "/", "**", "^", "×", "·", "−", "÷", "x", "X", "e", "²", "³", "⁻", "¹",
    "(", ")", "[", "]", "C_in", "t", "k", "alpha", "foo", "x1",
    "ceil(", "floor(", "min(", "max(", "round(", "abs(", "sqrt(", "9**64", "'", "\x00", "é",
]  # fmt: skip
grammarish = st.lists(st.sampled_from(PIECES), max_size=700).map("".join)


def _parse_timed(text: str, decimals: bool) -> None:
    start = time.perf_counter()
    try:
        result = parse(text, NAMES, decimals=decimals)
    except ExprError as error:
        assert error.line >= 1 and error.col >= 1 and error.what
        assert not error.what[0].isupper() and not error.what.endswith(".")
    else:
        assert isinstance(result, sympy.Expr)
    assert time.perf_counter() - start < 0.5


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=2100), grammarish), st.booleans())
def test_any_text_gives_an_expression_or_an_expr_error_quickly(text: str, decimals: bool) -> None:
    _parse_timed(text, decimals)


def test_long_random_grammarish_text_is_answered_quickly() -> None:
    rng = random.Random(20240611)
    for _ in range(150):
        text = ""
        while len(text) < 1990:
            text += rng.choice(PIECES)
        _parse_timed(text[:2000], rng.random() < 0.5)


@st.composite
def arithmetic(draw, depth: int = 0) -> tuple[str, Fraction]:
    """A well-formed expression over small numbers and its exact value."""
    if depth > 6 or draw(st.booleans()):
        number = draw(st.integers(0, 99))
        return str(number), Fraction(number)
    left, lvalue = draw(arithmetic(depth + 1))
    right, rvalue = draw(arithmetic(depth + 1))
    op = draw(st.sampled_from(["+", "-", "*", "/", " x ", "−", "÷", "neg"]))
    if op == "neg":
        return f"-({left})", -lvalue
    if op in ("/", "÷") and rvalue == 0:
        op = "+"
    if op in ("+", "-", "−"):
        value = lvalue + rvalue if op == "+" else lvalue - rvalue
    else:
        value = lvalue * rvalue if op in ("*", " x ") else lvalue / rvalue
    opener, closer = draw(st.sampled_from(["()", "[]"]))
    return f"{opener}{left}{closer}{op}{opener}{right}{closer}", value


@settings(max_examples=300, deadline=None)
@given(arithmetic())
def test_well_formed_arithmetic_is_exact(case: tuple[str, Fraction]) -> None:
    text, value = case
    assert parse(text, NAMES) == Rational(value.numerator, value.denominator)


@given(st.fractions(min_value=-(10**6), max_value=10**6, max_denominator=1000))
def test_round_is_pythons_half_to_even(value: Fraction) -> None:
    text = f"round({value.numerator}/{value.denominator})"
    assert parse(text, NAMES) == round(value)


def test_typical_parse_takes_well_under_a_millisecond() -> None:
    parse("(3*3*18)*18 + 2*18", NAMES)
    start = time.perf_counter()
    for _ in range(200):
        parse("(3*3*18)*18 + 2*18", NAMES)
    assert (time.perf_counter() - start) / 200 < 0.001


# -- no code runs ------------------------------------------------------------------------------

def test_nothing_is_evaluated_imported_or_created(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError(f"called with {args!r}")

    real_import, real_symbol_new = builtins.__import__, Symbol.__new__
    real_sympify = sys.modules["sympy.core.sympify"].sympify

    def guarded_import(name, *args, **kwargs):
        # sympy imports lazily inside its own functions; the parser itself must import nothing but
        # difflib (the standard library's, for a suggestion when a name is unknown)
        if sys._getframe(1).f_globals.get("__name__") == "derive.expr" and name != "difflib":
            raise AssertionError(f"derive.expr imported {name}")
        if name.partition(".")[0] in {"os", "subprocess", "shutil", "socket", "ctypes", "pickle", "runpy"}:
            raise AssertionError(f"something imported {name}")
        return real_import(name, *args, **kwargs)

    def guarded_sympify(value, *args, **kwargs):  # sympy calls this on its own objects; never text
        if isinstance(value, str):
            raise AssertionError(f"sympify({value!r})")
        return real_sympify(value, *args, **kwargs)

    def guarded_symbol(cls, *args, **kwargs):
        if cls is Symbol:
            raise AssertionError(f"Symbol{args!r}")
        return real_symbol_new(cls, *args, **kwargs)

    texts = [
        *(text for text, _ in GOOD), *(text for text, *_ in BAD), "ceil(k/3) + max(t, 2) * abs(k - t)",
        "__import__('os').system('echo hi')", "eval('1')", "exec('1')", "Symbol('zz')", "sympify('1')",
    ]  # fmt: skip
    outcomes = []
    with monkeypatch.context() as patch:
        for attribute in ("eval", "exec", "compile"):
            patch.setattr(builtins, attribute, refuse)
        patch.setattr(sympy, "sympify", refuse)
        patch.setattr(sympy, "parse_expr", refuse)
        patch.setattr(sympy.parsing.sympy_parser, "parse_expr", refuse)
        patch.setattr(sys.modules["sympy.core.sympify"], "sympify", guarded_sympify)
        patch.setattr(Symbol, "__new__", staticmethod(guarded_symbol))
        patch.setattr(builtins, "__import__", guarded_import)
        for text in texts:
            try:
                outcomes.append(parse(text, NAMES_X))
            except ExprError as error:
                outcomes.append(error)
    assert len(outcomes) == len(texts)
    assert parse("ceil(k/3) + max(t, 2) * abs(k - t)", NAMES) == outcomes[len(GOOD) + len(BAD)]
