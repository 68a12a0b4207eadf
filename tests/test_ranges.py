"""Ranges of sizes (derive/course/ranges.py): `--vary C_in=3..32`, `t=2,4,6`, `C_out=C_in..2*C_in`,
`alpha=0.35,0.5,1`. The grammar, read by the safe parser; errors naming the option and the column; the order
in which ranges that name each other are chosen, and their cycles; the bounds; reproducible distinct draws."""

from __future__ import annotations

import pytest
import sympy

from derive.api import load
from derive.course import ranges
from derive.course.ranges import (
    MAX_ITEMS,
    MAX_VALUES,
    iterate,
    ordered,
    read_range,
    variants,
)
from derive.errors import InputError

BLOCK = load("mobilenetv2-block")
SYMBOLS = dict(BLOCK.symbols.symbols())
DOMAINS = {info.name: info.domain for info in BLOCK.symbols.infos}
NETWORK = load("mobilenetv2")
C_in, C_out, t, k = (SYMBOLS[n] for n in ("C_in", "C_out", "t", "k"))


def read(text: str, target=BLOCK, option: str = "--vary"):
    symbols = dict(target.symbols.symbols())
    return read_range(text, symbols, {info.name: info.domain for info in target.symbols.infos}, option)


def values(text: str, **known) -> list:
    return list(read(text).values({SYMBOLS[n]: sympy.Integer(v) for n, v in known.items()}))


def test_the_grammar():
    assert values("C_in=3..6") == [3, 4, 5, 6]
    assert values("t=2,4,6") == [2, 4, 6]
    assert values("t = 6, 2 ,4,2") == [6, 2, 4]  # in the order written, each once
    assert values("C_in=1..3,8,10..11") == [1, 2, 3, 8, 10, 11]
    assert values("C_out=C_in..2*C_in", C_in=5) == [5, 6, 7, 8, 9, 10]
    assert values("C_out=min(C_in, 4)..max(C_in, 6)", C_in=5) == [4, 5, 6]  # a comma inside brackets
    assert values("C_out=C_in*t", C_in=3, t=6) == [18]
    assert values("C_in=5..3") == []  # empty: nothing to draw from
    assert values("C_in=-2..2") == [1, 2]  # sizes are positive
    alpha = read("alpha=0.35,0.5,1", NETWORK)
    assert alpha.values({}) == [sympy.Rational(7, 20), sympy.Rational(1, 2), 1] and not alpha.integer
    r = read("C_out=C_in..2*C_in")
    assert (r.name, r.text, r.needs) == ("C_out", "C_in..2*C_in", frozenset({"C_in"}))


@pytest.mark.parametrize("text, where, what", [
    ("C_in", "--vary C_in", "expected NAME=RANGE"),
    ("C_in=", "--vary C_in=", "expected NAME=RANGE"),
    ("foo=1..3", "--vary foo=1..3", "unknown symbol 'foo'"),
    ("C_in=3..x", "--vary C_in=3..x: 1:4", "unknown name 'x'"),
    ("C_in=3..", "--vary C_in=3..: 1:4", "a bound is missing around '..'"),
    ("C_in=..3", "--vary C_in=..3: 1:1", "a bound is missing around '..'"),
    ("C_in=3,,4", "--vary C_in=3,,4: 1:3", "a value is missing"),
    ("C_in=1,2*(3", "--vary C_in=1,2*(3: 1:7", "expected ')'"),
    ("C_in=0.5", "--vary C_in=0.5: 1:1", "decimal numbers are not allowed"),
    ("C_in=__import__('os')", "--vary C_in=__import__('os'): 1:1", ""),
    ("C_in=C_in..3", "--vary C_in=C_in..3", "C_in's range names C_in itself"),
    ("C_in=" + ",".join(["1"] * (MAX_ITEMS + 1)), "--vary C_in=", f"at most {MAX_ITEMS} items"),
])
def test_a_range_that_cannot_be_read_is_one_error_with_its_column(text, where, what):
    with pytest.raises(InputError) as caught:
        read(text)
    message = str(caught.value)
    assert message.startswith(where) and what in message and "\n" not in message


def test_a_decimal_size_lists_its_values():
    with pytest.raises(InputError, match="alpha is not a whole number: list its values"):
        read("alpha=1..3", NETWORK)


@pytest.mark.parametrize("text, known, what", [
    (f"C_in=0,1..{MAX_VALUES + 1}", {}, f"C_in's range holds more than {MAX_VALUES:,} values"),
    (f"C_in=1..{MAX_VALUES},{MAX_VALUES + 1}", {}, f"more than {MAX_VALUES:,} values"),
    ("C_in=1..10**40", {}, "more than"),
    ("C_out=C_in/2", {"C_in": 5}, "C_out is a whole number, not 5/2"),
    ("C_out=C_in/2..C_in", {"C_in": 5}, "C_out is a whole number, not 5/2"),
])
def test_the_bounds(text, known, what):
    with pytest.raises(InputError, match=what.replace("*", r"\*")):
        values(text, **known)


def test_ranges_are_chosen_after_the_sizes_they_name():
    c_out, c_in, t_ = read("C_out=C_in..t*C_in"), read("C_in=3..8"), read("t=2,4")
    assert [r.name for r in ordered([c_out, c_in, t_], [])] == ["C_in", "t", "C_out"]
    assert [r.name for r in ordered([read("C_in=k..k+2")], [], ["k", "s"])] == ["C_in"]  # a default size
    assert [r.name for r in ordered([read("C_in=k..9")], ["k"])] == ["C_in"]  # a --set one
    with pytest.raises(InputError, match="C_in, t are neither varied nor set"):
        ordered([c_out], [])
    with pytest.raises(InputError, match="k is both varied and set"):
        ordered([read("k=1,3")], ["k"])
    assert [r.name for r in ordered([read("k=1,3"), read("C_in=k..5")], [], ["k"])] == ["k", "C_in"]  # varied wins
    with pytest.raises(InputError, match="C_in is varied twice"):
        ordered([c_in, read("C_in=1,2")], [])


def test_ranges_that_name_each_other_in_a_circle_are_refused():
    with pytest.raises(InputError, match="the ranges name each other in a circle") as caught:
        ordered([read("C_in=C_out..9"), read("C_out=t..C_in"), read("t=2")], [])
    assert str(caught.value).startswith("--vary C_in=C_out..9")


def draw(count: int, seed: int, valid=lambda v: True, texts=("C_in=3..32", "t=2,4,6", "C_out=C_in..2*C_in")):
    chosen = ordered([read(text) for text in texts], [])
    return variants(chosen, {k: sympy.Integer(3)}, SYMBOLS, count, seed, valid)


def test_draws_are_distinct_valid_and_reproducible_from_the_seed():
    first = draw(150, 1)
    assert draw(150, 1) == first
    assert draw(150, 2) != first
    assert len({tuple(v.values()) for v in first}) == 150
    for v in first:
        assert list(v) == ["C_in", "t", "C_out"]
        assert 3 <= v["C_in"] <= 32 and v["t"] in (2, 4, 6) and v["C_in"] <= v["C_out"] <= 2 * v["C_in"]
    even = draw(20, 3, lambda v: v["C_out"] % 2 == 0)
    assert all(v["C_out"] % 2 == 0 for v in even) and len(even) == 20


def test_too_many_combinations_are_drawn_at_random_still_distinct_and_reproducible(monkeypatch):
    monkeypatch.setattr(ranges, "MAX_ENUMERATED", 100)
    first = draw(50, 4)
    assert first == draw(50, 4) and len({tuple(v.values()) for v in first}) == 50
    monkeypatch.setattr(ranges, "MAX_DRAWS", 30)
    with pytest.raises(InputError, match="30 draws found .* fewer than the 50 asked for"):
        draw(50, 4)


def test_too_few_variants_is_said_with_how_many_there_are():
    with pytest.raises(InputError, match="the ranges hold 6 distinct valid variants, fewer than the 7 asked for"):
        draw(7, 1, texts=("C_in=3,4", "t=2,4,6", "C_out=C_in"))
    with pytest.raises(InputError, match="hold 3 distinct valid variants"):
        draw(4, 1, lambda v: v["t"] == 2, texts=("C_in=3..5", "t=2,4", "C_out=C_in"))
    with pytest.raises(InputError, match="from 1 to"):
        draw(0, 1)


def test_iterate_gives_every_combination_in_the_order_written():
    chosen = ordered([read("t=4,2"), read("C_in=3..4")], [])
    assert [(v["t"], v["C_in"]) for v in iterate(chosen, {}, SYMBOLS)] == [(4, 3), (4, 4), (2, 3), (2, 4)]


def test_wide_ranges_are_drawn_without_listing_them():
    """Three ranges of 10,000 values each (10^12 combinations, C_out's bounds in C_in): a count, then draws
    from lazy spans, never a list of combinations; the variants still distinct and in their ranges."""
    rs = ranges.ordered([read("C_out=C_in..2*C_in"), read("C_in=1..10000"), read("t=1..10000")], [])
    assert isinstance(rs[0].values({}), ranges.Span) and len(rs[0].values({})) == 10_000
    assert ranges._enumerated(rs, {}, SYMBOLS) is None
    drawn = ranges.variants(rs, {}, SYMBOLS, 50, 3, lambda v: True)
    assert len({tuple(v.values()) for v in drawn}) == 50
    assert all(v["C_in"] <= v["C_out"] <= 2 * v["C_in"] and 1 <= v["t"] <= 10_000 for v in drawn)
