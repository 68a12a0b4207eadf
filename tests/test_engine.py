"""The engine on the slide example and its general formula: counts, closed form, structure, sizes."""

from __future__ import annotations

import json

import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import derive
from derive.closedform import closed_form
from derive.conventions import CONVENTIONS
from derive.presentation.printing import printer
from derive.symbols import sym

C_in, t, C_out, k, s, H, W = (sym(n) for n in ("C_in", "t", "C_out", "k", "s", "H", "W"))
SLIDE = {"C_in": 3, "t": 6, "C_out": 3}


def totals(d):
    return {key: count.value for key, count in d.total.items()}


# -- the figures published in ../shared/reference/README.md ---------------------------------------
def test_slide_example_under_each_convention():
    paper = derive.show("mobilenetv2-block", **SLIDE)
    keras = derive.show("mobilenetv2-block", convention="keras", **SLIDE)
    torch = derive.show("mobilenetv2-block", convention="pytorch", **SLIDE)
    keras_bias = derive.show("mobilenetv2-block", convention="keras", options={"bias": True}, **SLIDE)
    assert totals(paper)["all"] == 348
    assert (totals(keras)["all"], totals(keras)["trainable"], totals(keras)["non_trainable"]) == (426, 348, 78)
    assert (totals(torch)["all"], totals(torch)["buffers"]) == (348, 81)
    assert (totals(keras_bias)["all"], totals(keras_bias)["trainable"], totals(keras_bias)["non_trainable"]) == (465, 387, 78)


def test_closed_form_is_the_slide_formula():
    d = derive.show("mobilenetv2-block", **SLIDE)
    slide = C_in * t * (C_in + C_out + k**2 + 4) + 2 * C_out
    assert sympy.expand(d.total["all"].formula - slide) == 0
    assert str(d.total["all"].formula) == "C_in*t*(C_in + C_out + k**2 + 4) + 2*C_out"


def test_macs_reproduce_the_papers_bottleneck_cost():
    """MobileNetV2 paper, section 3: h·w·d'·t·(d' + k² + d'') multiply-adds at stride 1."""
    d = derive.show("mobilenetv2-block", C_in=24, t=6, C_out=24, H=56, W=56)
    paper = H * W * C_in * t * (C_in + k**2 + C_out)
    assert sympy.expand(d.total["macs"].formula.subs(s, 1) - paper) == 0
    assert d.total["macs"].value == 56 * 56 * 24 * 6 * (24 + 9 + 24)


def test_parts_and_layers_of_the_slide_example():
    d = derive.show("mobilenetv2-block", **SLIDE)
    assert [p.name for p in d.parts] == ["expand", "depthwise", "project"]
    assert [p.counts["all"].value for p in d.parts] == [90, 198, 60]
    depthwise = next(row for row in d.layers if row.name == "depthwise")
    (weights,) = depthwise.terms
    assert weights.value == 3 * 3 * 18  # one 3×3 filter per channel, not 3·3·18·18


def test_expand_part_dropped_when_t_is_one_and_kept_with_its_condition_while_t_is_free():
    d = derive.show("mobilenetv2-block", C_in=16, t=1, C_out=8)
    assert [p.name for p in d.parts] == ["depthwise", "project"]
    free = derive.show("mobilenetv2-block")
    expand = next(row for row in free.layers if row.name == "expand")
    assert printer("text").condition(expand.condition) == "t ≠ 1"


def test_residual_add_only_when_stride_one_and_widths_match():
    def adds(**sizes):
        return [row for row in derive.show("mobilenetv2-block", **sizes).layers if row.op == "add"]

    assert adds(C_in=8, t=2, C_out=8)  # s = 1 by default
    assert not adds(C_in=8, t=2, C_out=8, s=2)
    assert not adds(C_in=8, t=2, C_out=16)
    (open_add,) = adds(C_in=8, t=2)
    assert open_add.condition is not None  # still depends on C_out


def test_values_may_be_expressions_in_other_symbols():
    d = derive.show("mobilenetv2-block", C_in=4, t=2, C_out="2*C_in")
    assert d.values["C_out"] == 8
    assert d.total["all"].value == derive.show("mobilenetv2-block", C_in=4, t=2, C_out=8).total["all"].value


def test_json_follows_the_contract():
    d = derive.show("mobilenetv2-block", **SLIDE)
    data = json.loads(derive.render(d, "json"))
    assert data["target"] == "mobilenetv2-block" and data["convention"] == "paper"
    assert data["values"] == {"C_in": 3, "t": 6, "C_out": 3, "k": 3, "s": 1}
    assert set(data["symbols"]) >= {"C_in", "t", "C_out", "k", "s"}
    count_keys = {"formula", "expr", "latex", "value"}
    for layer in data["layers"]:
        assert {"name", "op", "part", "trainable", "non_trainable", "buffers", "macs"} <= set(layer)
        assert all(set(layer[key]) == count_keys for key in ("trainable", "non_trainable", "buffers", "macs"))
    assert [p["name"] for p in data["parts"]] == ["expand", "depthwise", "project"]
    assert set(data["total"]) == {"trainable", "non_trainable", "all", "buffers", "macs"}
    for count in [data["total"][key] for key in data["total"]] + [l[key] for l in data["layers"] for key in ("trainable", "macs")]:
        names = {n: sym(n) for n in data["symbols"]}  # the registry's symbols: positive integers
        formula, expr = sympy.sympify(count["formula"], locals=names), sympy.sympify(count["expr"], locals=names)
        bound = formula.subs({names[n]: v for n, v in data["values"].items()})
        assert sympy.expand(bound - expr) == 0  # `expr` is the formula with the values put in
        if count["value"] is not None:
            assert expr == count["value"]
    assert data["total"]["macs"]["value"] is None  # H and W unbound


# -- property: the counts are those worked by hand, at any sizes ------------------------------------
sizes = st.fixed_dictionaries({
    "C_in": st.integers(1, 512), "t": st.integers(1, 8), "C_out": st.integers(1, 512),
    "k": st.sampled_from([1, 3, 5, 7]), "s": st.integers(1, 3), "H": st.integers(1, 300), "W": st.integers(1, 300),
})


def by_hand(target: str, sizes: dict, convention: str, bias: bool) -> dict:
    """The MobileNet blocks counted as a textbook does: (weights, bias) per convolution, channels per batch
    norm; Keras keeps 2 moving statistics per channel as non-trainable weights, PyTorch 2 per channel and a
    `num_batches_tracked` as buffers."""
    c_in, c_out, kernel = sizes["C_in"], sizes["C_out"], sizes["k"]
    if target == "mobilenetv2-block":
        hidden = c_in * sizes["t"]
        expand = sizes["t"] != 1  # t = 1: no expansion
        convs = [(c_in * hidden, hidden)] * expand + [(kernel * kernel * hidden, hidden), (hidden * c_out, c_out)]
        norms = [hidden] * expand + [hidden, c_out]
    else:
        convs = [(kernel * kernel * c_in, c_in), (c_in * c_out, c_out)]
        norms = [c_in, c_out]
    trainable = sum(weights + bias * biases for weights, biases in convs) + 2 * sum(norms)
    non_trainable = 2 * sum(norms) if convention == "keras" else 0
    buffers = sum(2 * c + 1 for c in norms) if convention == "pytorch" else 0
    return {"trainable": trainable, "non_trainable": non_trainable, "all": trainable + non_trainable, "buffers": buffers}


@settings(max_examples=60, deadline=None)
@given(sizes=sizes, convention=st.sampled_from(sorted(CONVENTIONS)), bias=st.booleans(),
       target=st.sampled_from(["mobilenetv2-block", "mobilenetv1-block"]))
def test_counts_are_those_worked_by_hand(sizes, convention, bias, target):
    symbolic = derive.show(target, convention=convention, options={"bias": bias})
    values = {k: v for k, v in sizes.items() if k in symbolic.symbols.names or k in ("H", "W")}
    bound = derive.show(target, convention=convention, options={"bias": bias}, **values)
    expected = by_hand(target, sizes, convention, bias)
    assert {key: bound.total[key].value for key in expected} == expected
    # and the general closed form (derived with nothing bound) gives the same number at these sizes
    if sizes["t"] != 1 or target != "mobilenetv2-block":  # t = 1 changes the structure (no expand part)
        general = symbolic.total["all"].formula.xreplace({sym(n): sympy.Integer(v) for n, v in values.items()})
        assert general == expected["all"]


@given(st.lists(st.tuples(st.integers(-5, 9), st.lists(st.sampled_from([C_in, t, C_out, k, H]), max_size=4)),
                max_size=12))
def test_closed_form_equals_its_input(monomials):
    expr = sympy.Add(*(c * sympy.Mul(*syms) for c, syms in monomials))
    assert sympy.expand(closed_form(expr) - expr) == 0
