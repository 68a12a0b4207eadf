"""The shortcuts taken for speed give what the slow, obvious way gives.

* `numeric.value` (sizes put into a formula in plain Python numbers) against sympy's `xreplace`;
* `@frozen` records against `@dataclass(frozen=True)`;
* what a format does not show is not worked out: MACs for the LaTeX snippet, explanations and
  diagrams for anything but the formats that print them; and what it shows is the same.
"""

from __future__ import annotations

import dataclasses
from fractions import Fraction

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
from derive import layers, numeric
from derive.cli import main
from derive.derivation import evaluate
from derive.errors import InputError
from derive.functions import ceiling, floor
from derive.presentation import views
from derive.records import frozen
from derive.symbols import sym

H, W, C, t = (sym(n) for n in ("H", "W", "C_in", "t"))
SYMBOLS = (H, W, C, t)


# -- numeric.value against xreplace -----------------------------------------------------------------
def formulas(depth: int = 3):
    leaves = st.one_of(st.sampled_from(SYMBOLS), st.integers(-4, 9).map(sympy.Integer),
                       st.fractions(Fraction(-3), Fraction(3), max_denominator=4).map(
                           lambda f: sympy.Rational(f.numerator, f.denominator)))
    if depth == 0:
        return leaves
    sub = formulas(depth - 1)
    return st.one_of(
        leaves,
        st.lists(sub, min_size=2, max_size=3).map(lambda xs: sympy.Add(*xs)),
        st.lists(sub, min_size=2, max_size=3).map(lambda xs: sympy.Mul(*xs)),
        st.tuples(sub, st.integers(0, 3)).map(lambda p: p[0] ** p[1]),
        st.tuples(sub, st.sampled_from((2, 3))).map(lambda p: ceiling(p[0] / p[1])),
        st.tuples(sub, st.sampled_from((2, 3))).map(lambda p: floor(p[0] / p[1])),
        st.tuples(sub, sub).map(lambda p: sympy.Min(*p)),
        st.tuples(sub, sub).map(lambda p: sympy.Max(*p)),
    )


@settings(max_examples=300, deadline=None)
@given(formulas(2), st.lists(st.integers(1, 300), min_size=4, max_size=4), st.integers(0, 4))
def test_value_is_what_xreplace_gives(expr, sizes, bound):
    values = {s: sympy.Integer(v) for s, v in zip(SYMBOLS[:bound], sizes)}
    done = expr.xreplace(values)
    try:
        got = numeric.value(expr, values)
    except numeric.NotPlain:  # left to sympy (min(1, W) with W unbound, which sympy knows is 1)
        got = "not plain"
    except ZeroDivisionError:
        return  # zero to a negative power: sympy says zoo, and no size formula has one
    if done.free_symbols:
        assert got in (None, "not plain")
    else:
        assert got != "not plain" or any(isinstance(a, (sympy.Min, sympy.Max)) for a in sympy.preorder_traversal(expr))
        if got != "not plain":
            assert sympy.Rational(got.numerator, got.denominator) == done
    assert numeric.substituted(expr, values) == done


def test_what_is_not_plain_arithmetic_is_left_to_sympy():
    expr = sympy.sqrt(H) + sympy.Abs(W - 5)
    values = {H: sympy.Integer(16), W: sympy.Integer(2)}
    with pytest.raises(numeric.NotPlain):
        numeric.value(expr, values)
    assert numeric.substituted(expr, values) == 7
    with pytest.raises(numeric.NotPlain):  # a symbol bound to a formula, not a number
        numeric.value(H + 1, {H: 2 * W})
    assert numeric.substituted(H + 1, {H: 2 * W}) == 2 * W + 1


def test_a_count_that_is_not_whole_is_an_error():
    assert evaluate(C * t / 2, {C: sympy.Integer(3), t: sympy.Integer(4)}) == 6
    with pytest.raises(InputError, match="came out as 3/2"):
        evaluate(C / 2, {C: sympy.Integer(3)})
    assert evaluate(sympy.sqrt(C), {C: sympy.Integer(16)}) == 4  # through sympy
    with pytest.raises(InputError, match="came out as sqrt"):
        evaluate(sympy.sqrt(C), {C: sympy.Integer(2)})
    assert evaluate(C * H, {C: sympy.Integer(3)}) is None


# -- @frozen against @dataclass(frozen=True) ----------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Reference:
    name: str
    sizes: tuple[int, ...] = (1, 2)
    note: str = dataclasses.field(default="", compare=False)


@frozen
class Record:
    name: str
    sizes: tuple[int, ...] = (1, 2)
    note: str = dataclasses.field(default="", compare=False)


def test_frozen_records_behave_as_frozen_dataclasses():
    pairs = [(Reference("a"), Record("a")), (Reference("a", (3,), "x"), Record("a", (3,), "x")),
             (Reference("b", note="y"), Record("b", note="y"))]
    for ref, rec in pairs:
        assert repr(rec) == repr(ref).replace("Reference(", "Record(")
        for ref2, rec2 in pairs:
            assert (ref == ref2) == (rec == rec2)
            assert (hash(ref) == hash(ref2)) == (hash(rec) == hash(rec2))
    rec = Record("a")
    for attempt in (lambda: setattr(rec, "name", "b"), lambda: delattr(rec, "sizes")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            attempt()
    assert dataclasses.is_dataclass(rec) and dataclasses.replace(rec, name="c") == Record("c")
    assert Record("a") != Reference("a") and Record("a") != ("a", (1, 2))


def test_layers_are_frozen_records_that_compare_by_fields():
    conv = layers.Conv2D(16, 3, 2)
    assert conv == layers.Conv2D(16, (3, 3), (2, 2)) and conv != layers.Conv2D(16, 3, 1)
    assert len({conv, layers.Conv2D(16, 3, 2), layers.DepthwiseConv2D(3)}) == 2
    assert repr(layers.Dropout(sympy.Rational(1, 5))) == "Dropout(rate=1/5)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        conv.filters = 3  # type: ignore[misc]


# -- what a format does not show is not worked out ----------------------------------------------------
def refuse(*args, **kwargs):
    raise AssertionError("worked out, though the format does not show it")


def test_latex_snippet_works_out_no_explanations_and_check_no_macs(monkeypatch, capsys):
    """The snippet shows the totals and MACs but neither explanations nor a diagram; `check` compares
    parameters and never works out the MACs."""
    d = derive.show("mobilenetv2-block", C_in=3, t=6, C_out=3)
    expected = derive.render(d, "latex")
    d = derive.show("mobilenetv2-block", C_in=3, t=6, C_out=3)
    with monkeypatch.context() as patch:
        for name in ("explanations", "diagram"):
            patch.setattr(views, name, refuse)
        assert derive.render(d, "latex") == expected
        with pytest.raises(AssertionError, match="worked out"):  # the worked solution explains
            derive.render(d, "tex")
    with monkeypatch.context() as patch:
        for cls in (layers.Conv2D, layers.DepthwiseConv2D, layers.Dense):
            patch.setattr(cls, "macs", refuse)
        assert main(["check", "mobilenetv2-block", "--set", "C_in=3", "--set", "t=6", "--set", "C_out=3",
                     "--claim", "348"]) == 0
        assert "348" in capsys.readouterr().out
        with pytest.raises(AssertionError, match="worked out"):  # the snippet shows MACs
            derive.render(derive.show("mobilenetv2-block", C_in=3, t=6, C_out=3), "latex")


def test_macs_worked_out_later_are_those_worked_out_at_once():
    """The figures of ../shared/reference: MobileNetV2 at 224 × 224 does 300,774,272 multiply-accumulates
    (conv + dense); a stride-1 bottleneck h·w·d'·t·(d' + k² + d'') (the paper, section 3)."""
    d = derive.show("mobilenetv2")
    macs = d.total["macs"]
    assert macs.value == 300_774_272
    assert repr(macs).startswith("Count(raw=") and f"value={macs.value}" in repr(macs)
    symbolic = derive.show("mobilenetv2-block", C_in=3, t=6, C_out=3)
    assert {"H", "W"} <= set(symbolic.to_dict()["symbols"])  # MACs and shapes are in H and W
    assert symbolic.total["macs"].value is None
    H, W = sym("H"), sym("W")
    bound = symbolic.total["macs"].formula.xreplace(symbolic.substitution)  # C_in = 3, t = 6, C_out = 3, k = 3, s = 1
    assert sympy.expand(bound - H * W * 3 * 6 * (3 + 3**2 + 3)) == 0
