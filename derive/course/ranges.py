"""Ranges of sizes: `--vary C_in=3..32`, `--vary t=2,4,6`, `--vary C_out=C_in..2*C_in`, `--x alpha=0.35,0.5,1`.

A range is a comma-separated list of items, each a value or `LOW..HIGH` (every whole number from LOW to
HIGH, both included; integer symbols only). Every value and bound is read by the safe parser
(`derive.expr.parse`) in the target's symbols, so a bound may name another size (`C_in..2*C_in`): the
sizes are then chosen in an order where each range's names are known first, and a name no range or
`--set` gives is an error. Once its bounds are known, a range holds at most `MAX_VALUES` values, or
`MAX_SPAN` when it is one `LOW..HIGH` alone, which is never listed (`Span`: a draw is one index).

`variants` draws distinct variants reproducibly from a seed: every combination when there are at most
`MAX_ENUMERATED` of them (each checked by `valid`, a random sample of the valid ones), else draws at random,
at most `MAX_DRAWS` of them, and says how many it found when that is fewer than asked for.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence

import sympy

from ..errors import ExprError, InputError
from ..expr import parse
from ..records import frozen

MAX_VALUES = 10_000  # values of a range listed (items and spans together)
MAX_SPAN = 1_000_000_000  # values of one LOW..HIGH alone, never listed (a `Span`)
MAX_ITEMS = 100  # comma-separated items of one range
MAX_ENUMERATED = 20_000  # combinations enumerated before drawing at random instead
MAX_DRAWS = 100_000  # random draws when the combinations are too many to enumerate
MAX_VARIANTS = 10_000  # variants one command makes


@frozen
class Item:
    low: sympy.Expr
    high: sympy.Expr | None  # None: one value


@frozen
class Range:
    """A range as written: the symbol it gives, its items, and the names its bounds use."""

    name: str
    text: str
    option: str
    items: tuple[Item, ...]
    integer: bool

    @property
    def needs(self) -> frozenset[str]:
        names = set()
        for item in self.items:
            for expr in (item.low, item.high):
                if expr is not None:
                    names |= {s.name for s in expr.free_symbols}
        return frozenset(names)

    def values(self, known: Mapping[sympy.Symbol, sympy.Expr]) -> Sequence[sympy.Expr]:
        """Its positive values once the sizes it names are `known`, in the order written, each once. One
        `LOW..HIGH` alone is a lazy sequence (`Span`): a draw from it costs the same for 10 values or 10,000."""
        if len(self.items) == 1 and self.items[0].high is not None:
            low, high = self._bounds(self.items[0], known, listed=False)
            return Span(max(low, 1), high)
        out: dict[sympy.Expr, None] = {}
        for item in self.items:
            if item.high is None:
                out[_number(item.low.xreplace(known), self)] = None
            else:
                low, high = self._bounds(item, known)
                for value in range(low, high + 1):
                    out[sympy.Integer(value)] = None
            if len(out) > MAX_VALUES:
                raise InputError(f"{self.name}'s range holds more than {MAX_VALUES:,} values", self.where)
        return [v for v in out if v > 0]

    def _bounds(self, item: Item, known: Mapping[sympy.Symbol, sympy.Expr], listed: bool = True) -> tuple[int, int]:
        low = int(_number(item.low.xreplace(known), self))
        high = int(_number(item.high.xreplace(known), self))  # whole: `..` is for whole sizes alone
        most = MAX_VALUES if listed else MAX_SPAN
        if high - low + 1 > most:
            raise InputError(f"{self.name}'s range holds more than {most:,} values", self.where)
        return low, high

    @property
    def where(self) -> str:
        return f"{self.option} {self.name}={self.text}"


class Span(Sequence):
    """The whole numbers LOW..HIGH as sympy Integers, made when read (`random.choice` takes one by index)."""

    def __init__(self, low: int, high: int) -> None:
        self._range = range(low, high + 1)

    def __len__(self) -> int:
        return len(self._range)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [sympy.Integer(v) for v in self._range[index]]
        return sympy.Integer(self._range[index])

    def __iter__(self) -> Iterator[sympy.Expr]:
        return (sympy.Integer(v) for v in self._range)


def _number(value: sympy.Expr, r: Range) -> sympy.Expr:
    if not value.is_Rational:
        raise InputError(f"{value} is not a number once the sizes it names are known", r.where)
    if r.integer and not value.is_Integer:
        raise InputError(f"{r.name} is a whole number, not {value}", r.where)
    return value


def read_range(text: str, symbols: Mapping[str, sympy.Symbol], domains: Mapping[str, str], option: str) -> Range:
    """`NAME=RANGE` as given to `option` (`--vary`, `--x`, `--series`), for a target whose symbols are
    `symbols` (name → symbol) with their `domains` ("positive integer" or "positive rational")."""
    name, sep, body = text.partition("=")
    name, body = name.strip(), body.strip()
    if not sep or not name or not body:
        raise InputError("expected NAME=RANGE (e.g. C_in=3..32 or t=2,4,6)", f"{option} {text}")
    if name not in symbols:
        raise InputError(f"unknown symbol {name!r} (this target has {', '.join(symbols)})", f"{option} {text}")
    integer = domains.get(name, "positive integer") == "positive integer"
    where = f"{option} {text}"
    pieces = _split(body, where)
    if len(pieces) > MAX_ITEMS:
        raise InputError(f"at most {MAX_ITEMS} items in a range", where)
    items = []
    for start, piece in pieces:
        low_text, dots, high_text = piece.partition("..")
        if dots and not integer:
            raise InputError(f"{name} is not a whole number: list its values (e.g. 0.5,0.75,1)", where)
        parts = [(start, low_text)] + ([(start + len(low_text) + 2, high_text)] if dots else [])
        exprs = []
        for offset, part in parts:
            if not part.strip():
                raise InputError("a value is missing" if not dots else "a bound is missing around '..'",
                                 f"{where}: 1:{offset + 1}")
            try:
                exprs.append(parse(part, symbols, decimals=not integer))
            except ExprError as error:
                raise InputError(error.what, f"{where}: 1:{offset + error.col}") from None
        items.append(Item(exprs[0], exprs[1] if dots else None))
    r = Range(name, body, option, tuple(items), integer)
    if name in r.needs:
        raise InputError(f"{name}'s range names {name} itself", where)
    return r


def _split(body: str, where: str) -> list[tuple[int, str]]:
    """The comma-separated items at the top level (a comma inside brackets belongs to min/max), with
    the column each starts at."""
    out, depth, start = [], 0, 0
    for i, char in enumerate(body):
        if char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "," and depth == 0:
            out.append((start, body[start:i]))
            start = i + 1
    out.append((start, body[start:]))
    return out


def ordered(ranges: Sequence[Range], fixed: Sequence[str], defaults: Sequence[str] = ()) -> list[Range]:
    """The ranges in an order where each one's names come from `fixed` sizes (`--set`), from `defaults`
    (the target's own sizes, `k = 3`, unless varied) or from a range before it."""
    given: dict[str, Range] = {}
    for r in ranges:
        if r.name in given:
            raise InputError(f"{r.name} is varied twice", r.where)
        if r.name in fixed:
            raise InputError(f"{r.name} is both varied and set", r.where)
        given[r.name] = r
    out: list[Range] = []
    known = set(fixed) | (set(defaults) - set(given))
    left = list(ranges)
    while left:
        ready = [r for r in left if r.needs <= known | {x.name for x in out}]
        if not ready:
            r = left[0]
            missing = sorted(r.needs - known - set(given))
            if missing:
                raise InputError(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} neither varied nor "
                                 "set (--set NAME=VALUE)", r.where)
            raise InputError("the ranges name each other in a circle", r.where)
        out.extend(ready)
        left = [r for r in left if r not in ready]
    return out


Variant = dict  # name → value (sympy Rational), in the ranges' order


def variants(ranges: Sequence[Range], fixed: Mapping[sympy.Symbol, sympy.Expr], symbols: Mapping[str, sympy.Symbol],
             count: int, seed: int, valid: Callable[[Variant], bool]) -> list[Variant]:
    """`count` distinct variants, each valid, reproducibly from `seed` (`ranges` as `ordered` gives them)."""
    if not 1 <= count <= MAX_VARIANTS:
        raise InputError(f"from 1 to {MAX_VARIANTS:,} variants", "--count")
    rng = random.Random(seed)
    every = _enumerated(ranges, fixed, symbols)
    if every is not None:
        rng.shuffle(every)
        chosen = []
        for variant in every:
            if valid(variant):
                chosen.append(variant)
                if len(chosen) == count:
                    return chosen
        _too_few(len(chosen), count)
    seen: set[tuple] = set()
    chosen = []
    for _ in range(MAX_DRAWS):
        variant = _drawn(ranges, fixed, symbols, rng)
        key = tuple(variant.values())
        if key in seen:
            continue
        seen.add(key)
        if valid(variant):
            chosen.append(variant)
            if len(chosen) == count:
                return chosen
    _too_few(len(chosen), count, drawn=True)
    return chosen


def _too_few(found: int, count: int, drawn: bool = False) -> None:
    how = f"{MAX_DRAWS:,} draws found" if drawn else "the ranges hold"
    raise InputError(f"{how} {found:,} distinct valid variant{'s' if found != 1 else ''}, fewer than the "
                     f"{count:,} asked for: widen a range", "--vary")


def _enumerated(ranges, fixed, symbols) -> list[Variant] | None:
    """Every combination, or None when there are more than `MAX_ENUMERATED` (counted first, the last
    range by its length alone, so that wide ranges cost a count and not a list)."""
    if _count(ranges, 0, dict(fixed), symbols, MAX_ENUMERATED) > MAX_ENUMERATED:
        return None
    out: list[Variant] = []

    def walk(i: int, known: dict, chosen: dict) -> None:
        if i == len(ranges):
            out.append(dict(chosen))
            return
        r = ranges[i]
        for value in r.values(known):
            known[symbols[r.name]] = value
            chosen[r.name] = value
            walk(i + 1, known, chosen)
        known.pop(symbols[r.name], None)
        chosen.pop(r.name, None)

    walk(0, dict(fixed), {})
    return out


def _count(ranges, i: int, known: dict, symbols, most: int) -> int:
    """How many combinations the ranges from the `i`-th on hold, or a number over `most` once there are more."""
    if i == len(ranges):
        return 1
    values = ranges[i].values(known)
    if i == len(ranges) - 1:
        return len(values)
    total = 0
    for value in values:
        known[symbols[ranges[i].name]] = value
        total += _count(ranges, i + 1, known, symbols, most - total)
        if total > most:
            break
    known.pop(symbols[ranges[i].name], None)
    return total


def _drawn(ranges, fixed, symbols, rng: random.Random) -> Variant:
    known = dict(fixed)
    chosen: Variant = {}
    for r in ranges:
        values = r.values(known)
        if not values:
            raise InputError(f"{r.name}'s range is empty for {_said(chosen)}", r.where)
        value = rng.choice(values)
        known[symbols[r.name]] = value
        chosen[r.name] = value
    return chosen


def _said(chosen: Variant) -> str:
    return ", ".join(f"{k} = {v}" for k, v in chosen.items()) or "these sizes"


def iterate(ranges: Sequence[Range], fixed: Mapping[sympy.Symbol, sympy.Expr],
            symbols: Mapping[str, sympy.Symbol]) -> Iterator[Variant]:
    """Every combination in the order written (for `derive plot`), at most `MAX_ENUMERATED`."""
    every = _enumerated(ranges, fixed, symbols)
    if every is None:
        raise InputError(f"more than {MAX_ENUMERATED:,} combinations", ranges[0].where if ranges else "--x")
    yield from every
