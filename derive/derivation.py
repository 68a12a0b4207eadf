"""Derivation: a block, a convention and bound sizes in; labelled counts per layer, part and total out.

Three pure stages, each linear in the number of layers:

1. `blocks.walk` follows the block's graph once: drops nodes whose condition is false for the bound sizes,
   propagates shapes, and asks every layer for its terms and multiply-accumulates (all symbolic);
2. `count` sorts the terms into the convention's buckets and sums them per layer, part and total;
3. totals are regrouped into a closed form (`closedform.py`) and evaluated at the bound sizes.

The result, `Derivation`, is data: sympy formulas and integers. How it is written out (JSON, text,
LaTeX, a notebook's display) is the business of `derive.presentation`, which this module never imports.
"""

from __future__ import annotations

from functools import cache, cached_property
from typing import Callable, Iterable, Mapping

import sympy

from . import arithmetic, numeric
from . import conventions as conv
from .blocks import Block, CodeWarning, Condition, Step, walk
from .closedform import closed_form, expand
from .errors import InputError
from .layers import Layer, Shape, Term
from .records import frozen
from .symbols import SymbolTable

Values = Mapping[sympy.Symbol, sympy.Expr]


# -- binding sizes --------------------------------------------------------------------------------
def bind(symbols: SymbolTable, defaults: Mapping[str, object], given: Mapping[str, sympy.Expr]) -> dict[str, sympy.Expr]:
    """Defaults overlaid with the given values, each checked against its symbol's domain.

    A value may be an expression in other symbols (`C_out = 2*C_in`); chains are followed to the end,
    each value put in only after its own cost (degree, terms, digits) with the values it refers to is
    estimated and found within `arithmetic`'s limits, so no chain builds a huge value.
    Returns the bound values in the block's symbol order.
    """
    for name in given:
        if name not in symbols:
            known = ", ".join(symbols.names)
            raise InputError(f"unknown symbol {name!r} (this target has {known})", f"--set {name}")
    merged = {name: sympy.Integer(v) if isinstance(v, int) else v for name, v in {**defaults, **given}.items()}
    table = {symbols[name].symbol: value for name, value in merged.items()}
    circular = _circular(table)
    if len(circular) == 1:
        raise InputError(f"{circular[0]} is defined in terms of itself", f"--set {circular[0]}")
    if circular:
        raise InputError(f"the values of {' and '.join(circular)} refer to each other", "--set")
    resolved: dict[sympy.Symbol, sympy.Expr] = {}
    costs: dict[sympy.Symbol, arithmetic.Cost] = {}

    for symbol in _in_order(table):  # each value after those it refers to
        value = table[symbol]
        try:
            costs[symbol] = arithmetic.bounded(value, costs)
        except arithmetic.ArithmeticRefused as refusal:
            name = symbol.name
            raise InputError(str(refusal), f"--set {name}" if name in given else f"the default of {name}") from None
        refers = {s: resolved[s] for s in value.free_symbols if s in table}
        resolved[symbol] = value.xreplace(refers) if refers else value
        if resolved[symbol].is_Rational:  # a number: its own cost, exactly
            costs[symbol] = arithmetic.estimate(resolved[symbol])
    out = {}
    for info in symbols.infos:
        if info.name not in merged:
            continue
        value = resolved[info.symbol]
        if value.is_number:
            ok = value.is_Integer if info.domain == "positive integer" else value.is_Rational
            if not ok or not value.is_positive:
                raise InputError(f"{info.name} ({info.meaning}) must be a {info.domain}, got {value}",
                                 f"--set {info.name}")
        elif never_positive(value):
            raise InputError(f"{info.name} ({info.meaning}) must be a {info.domain}, got {value}, "
                             "which is never positive", f"--set {info.name}")
        out[info.name] = value
    return out


def _circular(table: Mapping[sympy.Symbol, sympy.Expr]) -> list[str]:
    """The names of the symbols whose value refers back to themselves, through others or directly:
    the members of the cycles among the values (Tarjan's strongly connected components, in linear time)."""
    refers = {s: [o for o in v.free_symbols if o in table] for s, v in table.items()}
    index: dict[sympy.Symbol, int] = {}
    low: dict[sympy.Symbol, int] = {}
    stack: list[sympy.Symbol] = []
    on_stack: set[sympy.Symbol] = set()
    cyclic: set[sympy.Symbol] = set()
    for start in table:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            symbol, i = work.pop()
            if i == 0:
                index[symbol] = low[symbol] = len(index)
                stack.append(symbol)
                on_stack.add(symbol)
            if i < len(refers[symbol]):
                work.append((symbol, i + 1))
                other = refers[symbol][i]
                if other not in index:
                    work.append((other, 0))
                elif other in on_stack:
                    low[symbol] = min(low[symbol], index[other])
                continue
            if low[symbol] == index[symbol]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == symbol:
                        break
                if len(component) > 1 or symbol in refers[symbol]:
                    cyclic.update(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[symbol])
    return [s.name for s in table if s in cyclic]


def _in_order(table: Mapping[sympy.Symbol, sympy.Expr]) -> list[sympy.Symbol]:
    """The symbols of *table* (no cycles), each after the symbols its value refers to."""
    order: list[sympy.Symbol] = []
    done: set[sympy.Symbol] = set()
    for start in table:
        stack = [(start, False)]
        while stack:
            symbol, ready = stack.pop()
            if symbol in done:
                continue
            if ready:
                done.add(symbol)
                order.append(symbol)
                continue
            stack.append((symbol, True))
            stack.extend((s, False) for s in table[symbol].free_symbols if s in table and s not in done)
    return order


def never_positive(value: sympy.Expr) -> bool:
    """Whether *value* is at most 0 for every size, for sure: multiplied out, every monomial but the
    constant has a coefficient ≤ 0 and is a product of positive powers of positive symbols, and the
    constant is ≤ 0 too, or (all symbols whole, so each monomial is at least 1) the coefficients'
    sum is (1 − t ≤ 0)."""
    polynomial = expand(value, sizes=False)
    bases = [(base, exp) for monomial in polynomial for base, exp in monomial]
    if not all(base.is_Symbol and base.is_positive and exp > 0 for base, exp in bases):
        return False
    if any(coeff > 0 for monomial, coeff in polynomial.items() if monomial):
        return False
    whole = all(base.is_integer for base, _ in bases)
    return (sum(polynomial.values()) if whole else polynomial.get(frozenset(), 0)) <= 0


# -- stage 2 and 3: count, regroup, evaluate ------------------------------------------------------
@frozen
class Count:
    """A figure: its formula in the symbols, how it is written out, and its value (None if unbound).

    `products` keeps a layer's terms as written (`k·k·C`), so that substitution shows `3·3·18`;
    sums over several layers are written as their closed form (`products` is None). With `regroup`,
    `raw` is such a sum and `formula` its closed form, worked out when first asked for: a template
    shows few of the many sums a derivation holds.
    """

    raw: sympy.Expr
    value: int | None
    products: tuple[tuple[sympy.Expr, ...], ...] | None = None
    regroup: bool = False

    @cached_property
    def formula(self) -> sympy.Expr:
        return closed_form(self.raw) if self.regroup else self.raw


class Later:
    """A count worked out when first asked for, standing in for it. MACs are counted so: their
    formulas (products of output lengths such as ⌈H/2⌉) cost as much to build as the parameters', and
    most formats never show them."""

    __slots__ = ("_make", "_count")

    def __init__(self, make: Callable[[], Count]) -> None:
        self._make: Callable[[], Count] | None = make
        self._count: Count | None = None

    def _made(self) -> Count:
        if self._count is None:
            self._count = self._make()  # type: ignore[misc]
            self._make = None
        return self._count

    def __getattr__(self, name: str):
        return getattr(self._made(), name)

    def __repr__(self) -> str:  # as the count it stands for (a notebook shows `d.total["macs"]`)
        return repr(self._made())


def evaluate(expr: sympy.Expr, values: Values) -> int | None:
    """The count `expr` with `values` put in; None while a symbol in it is unbound."""
    try:
        value = numeric.value(expr, values)
    except numeric.NotPlain:
        done = expr.xreplace(values)
        if done.free_symbols:
            return None
        value = int(done) if done.is_Integer else done
    if value is None:
        return None
    if not numeric.is_whole(value):
        raise InputError(f"a count came out as {value}, not a whole number: check the sizes")
    if abs(value) >= arithmetic.TOO_LARGE:
        raise InputError(f"a count came out over {arithmetic.MAX_RESULT_DIGITS} digits: check the sizes")
    return int(value)


def _layer_count(terms: Iterable[Term], values: Values) -> Count:
    terms = tuple(terms)
    formula = sympy.Add(*(term.size for term in terms))
    return Count(formula, evaluate(formula, values), tuple(term.factors for term in terms))


def _sum_count(formulas: Iterable[sympy.Expr], values: Values, regroup: bool = True,
               known: int | None = None) -> Count:
    """A sum as a closed form; with `regroup` off, only where no value stands in for it. `known` is
    its value when the caller has it already (the sum of the values of what it adds up)."""
    formula = sympy.Add(*formulas)
    value = evaluate(formula, values) if known is None else known
    return Count(formula, value, regroup=regroup or value is None)


@frozen
class TermRow:
    """One term of a layer, the bucket the convention puts it in, and its value (None if unbound)."""

    term: Term
    bucket: str | None
    value: int | None


@frozen
class LayerRow:
    """One present layer under the convention: its terms, its counts by bucket and MACs, its output."""

    name: str
    layer: Layer
    sources: tuple[str, ...]  # the layers it reads, by name (`input`: the block's input)
    inputs: tuple[Shape, ...]  # in the symbols
    part: str | None
    condition: Condition | None
    output: Shape  # in the symbols
    shape: tuple[sympy.Expr, ...]  # the output's dimensions with the values put in (channels last)
    terms: tuple[TermRow, ...]
    counts: Mapping[str, Count]  # trainable, non_trainable, buffers, macs
    repeat: int = 1  # identical copies this row stands for (a network's repeated block); counts are per copy
    # the same as a formula in the symbols (`n_3 − 1`, a stage's block count as a symbol), for formulas only;
    # `repeat` is its bound value, which every number uses
    repeat_formula: int | sympy.Expr = 1

    @property
    def op(self) -> str:
        return self.layer.op

    @property
    def signature(self) -> str:
        return self.layer.signature


@frozen
class PartRow:
    """A named part of the block (expansion, depthwise, ...): the sums of its layers' counts."""

    name: str
    counts: Mapping[str, Count]


def _bucket_count(rows: tuple[TermRow, ...], values: Values) -> Count:
    """`_layer_count` of these terms, its value summed from theirs when they all have one."""
    formula = sympy.Add(*(r.term.size for r in rows))
    known = [r.value for r in rows]
    value = sum(known) if None not in known else evaluate(formula, values)
    return Count(formula, value, tuple(r.term.factors for r in rows))


def _layer_row(step: Step, convention: conv.Convention, values: Values, like: "LayerRow | None" = None) -> LayerRow:
    """The layer's row under `convention`; `like`, the same layer's row under another convention,
    lends what does not depend on the convention (the values of the terms, the MACs, the shape)."""
    sizes = [t.value for t in like.terms] if like is not None else [evaluate(t.size, values) for t in step.terms]
    rows = tuple(TermRow(t, convention.bucket(t.kind), v) for t, v in zip(step.terms, sizes))
    counts = {b: _bucket_count(tuple(r for r in rows if r.bucket == b), values) for b in conv.BUCKETS}
    if like is not None:
        counts["macs"] = like.counts["macs"]
        if "attention_macs" in like.counts:
            counts["attention_macs"] = like.counts["attention_macs"]
    else:
        counts["macs"] = Later(lambda: Count(step.macs, evaluate(step.macs, values)))
        if step.attention_macs != 0:  # a figure of attention layers only
            counts["attention_macs"] = Later(lambda: Count(step.attention_macs, evaluate(step.attention_macs, values)))
    node = step.node
    shape = like.shape if like is not None else tuple(numeric.substituted(dim, values) for dim in step.output.dims)
    return LayerRow(node.name, node.layer, step.sources, step.inputs, node.part, step.condition, step.output, shape, rows, counts,
                    bound_repeat(node.repeat, values, node.name), node.repeat)


def bound_repeat(repeat: int | sympy.Expr, values: Values, where: str) -> int:
    """A repeat count's value: a number, or a formula (a stage's block count) with the sizes put in."""
    if isinstance(repeat, int):
        return repeat
    value = evaluate(repeat, values)
    if value is None or value < 0:
        names = ", ".join(sorted(s.name for s in repeat.free_symbols))
        raise InputError(f"the number of blocks ({names}) must be bound to a whole number ≥ 1", where)
    return value


def _totals(rows: Iterable[LayerRow], values: Values, regroup: bool = True, repeated: bool = True) -> dict[str, Count]:
    """Per bucket, the sum over `rows` (each row `repeat` times, unless `repeated` is off: one copy of
    each); regrouped into closed forms unless only the values are wanted."""
    rows = tuple(rows)
    copies = [r.repeat if repeated else 1 for r in rows]
    times = [r.repeat_formula if repeated else 1 for r in rows]  # the same in the symbols

    def total(b: str) -> Count:
        known = [r.counts[b].value for r in rows]
        return _sum_count((r.counts[b].raw * n if n != 1 else r.counts[b].raw for r, n in zip(rows, times)),
                          values, regroup, None if None in known else sum(v * n for v, n in zip(known, copies)))

    totals = {b: total(b) for b in conv.BUCKETS}
    totals["macs"] = Later(lambda: total("macs"))
    trainable, non_trainable = totals["trainable"], totals["non_trainable"]
    known_all = None if None in (trainable.value, non_trainable.value) else trainable.value + non_trainable.value
    if non_trainable.raw == 0 or trainable.raw == 0:  # `all` is the other one
        totals["all"] = non_trainable if trainable.raw == 0 else trainable
    else:
        totals["all"] = _sum_count((trainable.raw, non_trainable.raw), values, regroup, known_all)
    return {name: totals[name] for name in conv.TOTALS}


def _value_totals(layers: tuple[LayerRow, ...], convention: conv.Convention, macs: Count) -> dict[str, Count] | None:
    """The totals under another convention as plain numbers, when every term has its value (what the
    text says of the other conventions); None when a formula is needed."""
    sums = dict.fromkeys(conv.BUCKETS, 0)
    for row in layers:
        for term in row.terms:
            if term.value is None:
                return None
            bucket = convention.bucket(term.term.kind)
            if bucket is not None:
                sums[bucket] += term.value * row.repeat
    sums["all"] = sums["trainable"] + sums["non_trainable"]
    return {key: macs if key == "macs" else Count(sympy.Integer(sums[key]), sums[key]) for key in conv.TOTALS}


@frozen
class Derivation:
    """Everything derived for a target under one convention, ready to render or turn into JSON."""

    target: str
    title: str
    convention: str
    symbols: SymbolTable  # those that appear, in the block's order
    values: Mapping[str, sympy.Expr]  # bound, defaults included
    options: Mapping[str, object]
    layers: tuple[LayerRow, ...]
    parts: tuple[PartRow, ...]
    total: Mapping[str, Count]
    others: Mapping[str, Mapping[str, Count]]  # totals under the other conventions
    stages: tuple[StageRow, ...] = ()  # a network's stages (the same names as `parts`); empty for a block
    warnings: tuple[CodeWarning, ...] = ()  # code its framework would refuse, counted on (blocks.CodeWarning)
    framework: str | None = None  # pasted code's framework ("keras", "torch"), whose own report leads its answer
    # the paper count of the architecture as published, when the options chosen add biases it lacks (api.py)
    published: Count | Later | None = None
    published_bias: bool | None = None  # a library target's `bias` as published (VGG: on, MobileNets: off); None for code
    batch: sympy.Expr = sympy.Integer(1)  # B, the batch size: only the memory figures use it (memory.py)

    @property
    def substitution(self) -> dict[sympy.Symbol, sympy.Expr]:
        return {self.symbols[name].symbol: value for name, value in self.values.items()}


def derive(block: Block, convention: str, values: Mapping[str, sympy.Expr], target: str | None = None,
           batch: sympy.Expr = sympy.Integer(1)) -> Derivation:
    """Derive `block` under `convention` with `values` (names to sympy numbers or expressions, bound);
    `batch`, the batch size B, which only the memory figures use."""
    chosen = conv.get(convention)
    subs = {block.symbols[name].symbol: value for name, value in values.items()}
    steps = walk(block, subs)
    layers = tuple(_layer_row(step, chosen, subs) for step in steps)
    part_names = list(dict.fromkeys(row.part for row in layers if row.part is not None))
    stages = tuple(_stage_row(stage, steps, layers, subs) for stage in block.stages)
    by_stage = {stage.name: stage for stage in stages}
    parts = tuple(PartRow(name, by_stage[name].counts if name in by_stage else
                          _totals((r for r in layers if r.part == name), subs)) for name in part_names)
    total = _totals(layers, subs)
    attention = tuple(row for row in layers if "attention_macs" in row.counts)
    if attention:  # attention's matrix products, apart from `macs` (CONTRACT: an added key)
        total["attention_macs"] = Later(lambda: _sum_count(
            (row.counts["attention_macs"].raw * row.repeat_formula for row in attention), subs))
    others = {}
    for name in conv.CONVENTIONS:
        if name != convention:
            others[name] = _value_totals(layers, conv.get(name), total["macs"]) or _totals(
                (_layer_row(step, conv.get(name), subs, like) for step, like in zip(steps, layers)), subs, regroup=False)
    # the symbols the counts and shapes are in (MACs are in those of the shapes and the parameters)
    dims = {dim for shape in (block.input, *(step.output for step in steps)) for dim in shape.dims}
    used = set(subs).union(*(total[key].raw.free_symbols for key in conv.BUCKETS), *(dim.free_symbols for dim in dims))
    symbols = SymbolTable(tuple(info for info in block.symbols.infos if info.symbol in used))
    return Derivation(target or block.name, block.title, convention, symbols, dict(values),
                      dict(block.options), layers, parts, total, others, stages,
                      tuple(w for w in block.warnings if w.holds(subs)), block.framework, batch=batch)


# -- networks: stages of repeated blocks ----------------------------------------------------------
@frozen
class StageRow:
    """A network's stage of n blocks: one copy of the block repeated in it, P(block), the first block's
    difference from it, P(first) − P(block), and the stage's counts, n·P(block) + (P(first) − P(block)),
    written so (not expanded). A stage of one block (or the stem, the head) has neither."""

    name: str
    repeat: int  # n, the number of blocks in the stage
    table: Mapping[str, object]  # the stage's row of the published table
    shape: tuple[sympy.Expr, ...]  # the stage's output, values put in (channels last)
    block: Mapping[str, Count] | None  # one of the n − 1 copies after the first; None when n = 1
    difference: Mapping[str, Count] | None  # P(first) − P(block); None when n = 1
    counts: Mapping[str, Count]  # the whole stage: its part's counts
    repeat_formula: int | sympy.Expr = 1  # n in the symbols (`n_3`, a block count as a symbol), for formulas


def _stage_row(stage, steps: tuple[Step, ...], layers: tuple[LayerRow, ...], values: Values) -> StageRow:
    first_names, rest_names = set(stage.first), set(stage.rest)
    rest_steps = [step for step in steps if step.node.name in rest_names]
    present = [step for step in steps if step.node.name in first_names or step.node.name in rest_names]
    output = present[-1].output if present else Shape(sympy.Integer(0))
    shape = tuple(numeric.substituted(d, values) for d in output.dims)
    n, times = bound_repeat(stage.repeat, values, stage.name), stage.repeat
    if n == 1 or not rest_steps:
        whole = _totals((r for r in layers if r.part == stage.name), values)
        return StageRow(stage.name, n, stage.table, shape, None, None, whole, times)
    first = _totals((r for r in layers if r.name in first_names), values, regroup=False)
    before, after = rest_steps[0].inputs[0], rest_steps[-1].output
    if len(before.dims) != len(after.dims) or any((a - b).is_nonzero for a, b in zip(before.dims, after.dims)):
        raise InputError("a repeated block must keep its input's shape", stage.name)
    block = _totals((r for r in layers if r.name in rest_names), values, repeated=False)

    def split(key: str) -> tuple[Count, Count]:  # P(first) − P(block), and the stage's count
        once, lead = block[key], first[key]
        known = None if once.value is None or lead.value is None else lead.value - once.value
        difference = Count(lead.raw - once.raw, known, regroup=True)
        return difference, RepeatedCount(times * once.raw + difference.raw,
                                         None if known is None else n * once.value + known,
                                         repeat=n, once=once, difference=difference,
                                         first=Count(lead.raw, lead.value, regroup=True), repeat_formula=times)

    pairs = {key: split(key) for key in conv.TOTALS if key != "macs"}
    macs = cache(lambda: split("macs"))
    differences = {**{key: pair[0] for key, pair in pairs.items()}, "macs": Later(lambda: macs()[0])}
    counts = {**{key: pair[1] for key, pair in pairs.items()}, "macs": Later(lambda: macs()[1])}
    return StageRow(stage.name, n, stage.table, shape, block, differences, counts, times)


@frozen
class RepeatedCount(Count):
    """A stage's figure as P(first) + (n − 1)·P(block), each a closed form (positive terms, where
    n·P(block) + (P(first) − P(block)) would have negative ones), not n copies written out."""

    repeat: int = 1
    once: Count | None = None
    difference: Count | None = None
    first: Count | None = None
    repeat_formula: int | sympy.Expr = 1  # n in the symbols: (n_3 − 1)·P(block) where the count is a symbol

    @property
    def copies(self) -> sympy.Expr:
        """n − 1, the copies after the first: a number, or a formula (`n_3 − 1`) where n is a symbol."""
        n = self.repeat_formula
        return sympy.Integer(self.repeat - 1) if isinstance(n, int) or n.is_Integer else n - 1

    @cached_property
    def formula(self) -> sympy.Expr:
        first, once = self.first.formula, self.once.formula  # type: ignore[union-attr]
        if once == 0:
            return first
        copies = self.copies
        rest = once if copies == 1 else sympy.Mul(copies, once, evaluate=False)
        return rest if first == 0 else sympy.Add(first, rest, evaluate=False)
