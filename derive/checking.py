"""`derive check`: judge a claimed count against the derivation, and name the mistake in it.

A claim is read by the safe parser (`1x1x3 x18 + 2 x 18`, `(3*3*18)*18`, `k²·t·C_in`). A claim with
symbols is compared as a formula (equal for all sizes of the symbols it uses; the others are put to
their bound values); a number is compared at the bound sizes. When it is wrong, the derivation's
counted terms are mutated the ways students go wrong (a depthwise convolution counted as a full one,
a bias forgotten or added, batch norm with 4 values per channel, k for k², t for t·C_in, groups
ignored, the wrong channel count feeding a layer), one mistake and then two at a time, until one
reproduces the claim. Otherwise the claim is compared term by term. The words are in
templates/check/.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator, Mapping

import sympy

from . import arithmetic
from .closedform import add, expand
from .derivation import Count, Derivation, LayerRow, evaluate
from .errors import ExprError, InputError
from .expr import parse, tokenize
from .layers import BatchNorm, Conv2D, Dense, DepthwiseConv2D, SeparableConv2D, Stated
from .records import frozen

BUCKETS = {"all": ("trainable", "non_trainable"), "trainable": ("trainable",),
           "non_trainable": ("non_trainable",), "buffers": ("buffers",)}
WHOLE = ("total", "all", "block", "whole", "everything")
STATISTICS = ("moving_mean", "moving_variance")
Factors = tuple[sympy.Expr, ...]


@frozen
class Item:
    """One counted parameter term: the layer it belongs to, its kind, the factors of its size."""

    layer: str
    kind: str
    factors: Factors


@frozen
class Change:
    layer: str
    kind: str
    before: Factors | None  # None: a term the claim has and the layer has not
    after: Factors | None  # None: a term of the layer the claim leaves out


@frozen
class Mistake:
    kind: str
    changes: tuple[Change, ...]

    def apply(self, items: tuple[Item, ...]) -> tuple[Item, ...]:
        out = list(items)
        for change in self.changes:
            if change.before is None:
                out.append(Item(change.layer, change.kind, change.after))  # type: ignore[arg-type]
                continue
            index = out.index(Item(change.layer, change.kind, change.before))
            if change.after is None:
                del out[index]
            else:
                out[index] = Item(change.layer, change.kind, change.after)
        return tuple(out)


@frozen
class Claim:
    text: str
    expr: sympy.Expr
    terms: tuple[tuple[str, sympy.Expr], ...]  # its top-level terms as written, each read alone
    stated: sympy.Expr | None  # what was written after `=`, if anything
    label_at: str | None = None  # FILE:LINE:COL of the part it is labelled with, in a claim file
    # The expression (before any `=`) token by token as written, operators in their plain form (`x`, `×` and
    # `·` are `*`, `^` is `**`): (kind, text, value), value the number of a "num" or "sup" (superscript
    # exponent), the expression a "name" stands for (None for a function: ceil, floor, min, max, ...).
    written: tuple[tuple[str, str, object], ...] = ()


@frozen
class Verdict:
    derivation: Derivation
    scope: str | None  # the part or layer judged; None for the whole block
    count: str
    claim: Claim
    expected: Count
    items: tuple[Item, ...]  # the derivation's counted terms in scope
    correct: bool
    symbolic: bool
    mistakes: tuple[Mistake, ...]  # the mistake (or two) that together reproduce the claim
    slip: bool  # the claim's own arithmetic is off (`... = stated`)


# -- reading a claim --------------------------------------------------------------------------------
def read_claim(text: str, names: Mapping[str, sympy.Expr], where: str, line: int | None = None,
               column: int = 1) -> Claim:
    """`where` names the place: an option (`--claim`, the error adds `1:COL`) or, with `line`, a file
    whose line `line` holds the claim from column `column` on (the error says `FILE:LINE:COL`)."""

    def place(col: int) -> str:
        return f"{where}:{line}:{column + col - 1}" if line is not None else f"{where}: 1:{col}"

    sides = text.split("=")
    if any(not side.strip() for side in sides):
        raise InputError("a claim needs an expression on each side of '='", place(1))
    exprs = []
    offset = 0
    for side in sides:
        try:
            exprs.append(parse(side, names))
        except ExprError as error:
            raise InputError(error.what, place(error.col + offset)) from None
        offset += len(side) + 1
    for expr in exprs:
        try:
            arithmetic.bounded(expr, max_terms=arithmetic.MAX_CLAIM_TERMS)
        except arithmetic.ArithmeticRefused as refusal:
            raise InputError(str(refusal), place(1)) from None
    terms = tuple((piece.strip(), parse(piece, names)) for piece in _top_level_terms(sides[0]))
    written = tuple((t.kind, t.text, names.get(t.text) if t.kind == "name" else t.value)
                    for t in tokenize(sides[0], names, False) if t.kind != "end")
    return Claim(text.strip(), exprs[0], terms, exprs[-1] if len(exprs) > 1 else None, written=written)


def _top_level_terms(text: str) -> list[str]:
    """The pieces of `text` between `+` signs outside brackets (a leading `-` stays with its piece)."""
    pieces, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += char in "([" and 1 or char in ")]" and -1 or 0
        if char == "+" and depth == 0 and text[:i].strip():
            pieces.append(text[start:i])
            start = i + 1
    pieces.append(text[start:])
    return [p for p in pieces if p.strip()]


# -- what is being judged ----------------------------------------------------------------------------
def scope_rows(d: Derivation, part: str | None, aliases: Mapping[str, str],
               where: str = "--part") -> tuple[str | None, tuple[LayerRow, ...]]:
    if part is None or part.strip().lower() in WHOLE:
        return None, d.layers
    wanted = part.strip()
    key = wanted.lower().replace(" ", "_").replace("-", "_")
    parts = [p.name for p in d.parts]
    for name in (wanted, key, aliases.get(key)):
        if name in parts:
            return name, tuple(r for r in d.layers if r.part == name)
        if name is not None and any(r.name == name for r in d.layers):
            return name, tuple(r for r in d.layers if r.name == name)
    known = ", ".join(parts + [r.name for r in d.layers if r.part is None])
    raise InputError(f"no part or layer {wanted!r} in {d.target} (parts: {known})", where)


def counted(rows: Iterable[LayerRow], count: str) -> tuple[Item, ...]:
    """The counted terms of `rows`; a row standing for n copies of a network's block counts n times."""
    buckets = BUCKETS[count]
    return tuple(Item(r.name, t.term.kind, copies(r, t.term.factors)) for r in rows for t in r.terms if t.bucket in buckets)


def copies(row: LayerRow, factors: Factors) -> Factors:
    """A term of `row` as counted: times the copies the row stands for (a network's repeated block)."""
    return factors if row.repeat == 1 else (sympy.Integer(row.repeat), *factors)


# -- the mistakes people make ------------------------------------------------------------------------
@frozen
class Context:
    rows: Mapping[str, LayerRow]
    all_rows: tuple[LayerRow, ...]
    count: str
    expansion: sympy.Symbol | None


def counted_layer(row: LayerRow):
    """The layer a row counts (a reader's `Stated` wrapper unwrapped)."""
    return row.layer.layer if isinstance(row.layer, Stated) else row.layer


def counted_channels(row: LayerRow) -> sympy.Expr:
    """The input channels the row's layer is counted on."""
    return (row.layer.input if isinstance(row.layer, Stated) else row.inputs[0]).channels


def _weights(item: Item, ctx: Context) -> bool:
    return item.kind == "weights" and isinstance(counted_layer(ctx.rows[item.layer]), (Conv2D, DepthwiseConv2D, SeparableConv2D))


def depthwise_as_full(items, ctx):
    """Depthwise weights counted k·k·C·C, as if every filter saw every channel."""
    seen = set()
    for item in items:
        row = ctx.rows[item.layer]
        if item.kind != "weights" or not isinstance(counted_layer(row), (DepthwiseConv2D, SeparableConv2D)) or item.layer in seen:
            continue
        seen.add(item.layer)  # a separable convolution's first kernel is its depthwise one
        wrong = item.factors + (counted_channels(row),)
        yield Mistake("depthwise_as_full", (Change(item.layer, item.kind, item.factors, wrong),))


def kernel_not_squared(items, ctx):
    changes = tuple(Change(i.layer, i.kind, i.factors, i.factors[1:]) for i in items
                    if _weights(i, ctx) and i.factors[0] == i.factors[1] and i.factors[0] != 1)
    if changes:
        yield Mistake("kernel_not_squared", changes)


def bias_forgotten(items, ctx):
    changes = tuple(Change(i.layer, i.kind, i.factors, None) for i in items
                    if i.kind == "bias" and isinstance(counted_layer(ctx.rows[i.layer]), (Conv2D, DepthwiseConv2D, SeparableConv2D, Dense)))
    if changes:
        yield Mistake("bias_forgotten", changes)


def bias_added(items, ctx):
    changes = []
    for name in dict.fromkeys(i.layer for i in items):
        row = ctx.rows[name]
        if isinstance(counted_layer(row), (Conv2D, DepthwiseConv2D, SeparableConv2D, Dense)) and not counted_layer(row).bias:
            changes.append(Change(name, "bias", None, copies(row, (row.output.channels,))))
    if changes and "trainable" in BUCKETS[ctx.count]:
        yield Mistake("bias_added", tuple(changes))


def _norms(items, ctx):
    return [name for name in dict.fromkeys(i.layer for i in items) if isinstance(counted_layer(ctx.rows[name]), BatchNorm)]


def statistics_counted(items, ctx):
    """Moving mean and variance counted where they are not (paper, PyTorch parameters, trainable)."""
    changes = []
    for name in _norms(items, ctx):
        row = ctx.rows[name]
        for term in row.terms:
            factors = copies(row, term.term.factors)
            if term.term.kind in STATISTICS and Item(name, term.term.kind, factors) not in items:
                changes.append(Change(name, term.term.kind, None, factors))
    if changes:
        yield Mistake("statistics_counted", tuple(changes))


def statistics_left_out(items, ctx):
    changes = tuple(Change(i.layer, i.kind, i.factors, None) for i in items if i.kind in STATISTICS)
    if changes:
        yield Mistake("statistics_left_out", changes)


def norm_left_out(items, ctx):
    changes = tuple(Change(i.layer, i.kind, i.factors, None) for i in items
                    if i.kind in ("gamma", "beta") and isinstance(counted_layer(ctx.rows[i.layer]), BatchNorm))
    if changes:
        yield Mistake("norm_left_out", changes)


def expansion_as_t(items, ctx):
    t = ctx.expansion
    if t is None:
        return
    changes = []
    for item in items:
        factors = tuple(t if f != t and t in f.free_symbols and f.is_Mul else f for f in item.factors)
        if factors != item.factors:
            changes.append(Change(item.layer, item.kind, item.factors, factors))
    if changes:
        yield Mistake("expansion_as_t", tuple(changes))  # everywhere, or in one layer only
        layers = list(dict.fromkeys(change.layer for change in changes))
        for layer in layers if len(layers) > 1 else ():
            yield Mistake("expansion_as_t", tuple(c for c in changes if c.layer == layer))


def groups_ignored(items, ctx):
    for item in items:
        layer = counted_layer(ctx.rows[item.layer])
        if item.kind == "weights" and isinstance(layer, Conv2D) and layer.groups != 1:
            channels = counted_channels(ctx.rows[item.layer])
            yield Mistake("groups_ignored", (Change(item.layer, item.kind, item.factors,
                                                     item.factors[:2] + (channels,) + item.factors[3:]),))


def wrong_channels(items, ctx):
    """A layer fed with another channel count of the block than the one that reaches it."""
    widths = list(dict.fromkeys([ctx.all_rows[0].inputs[0].channels] + [r.output.channels for r in ctx.all_rows]))
    for name in dict.fromkeys(i.layer for i in items):
        row = ctx.rows[name]
        channels = counted_channels(row)
        own = [i for i in items if i.layer == name and channels in i.factors]
        if not own or isinstance(counted_layer(row), DepthwiseConv2D):
            continue
        for other in widths:
            if other == channels:
                continue
            changes = tuple(Change(name, i.kind, i.factors, tuple(other if f == channels else f for f in i.factors))
                            for i in own)
            yield Mistake("wrong_channels", changes)


MUTATIONS: tuple[Callable[[tuple[Item, ...], Context], Iterator[Mistake]], ...] = (
    depthwise_as_full, kernel_not_squared, bias_forgotten, bias_added, statistics_counted,
    statistics_left_out, norm_left_out, expansion_as_t, groups_ignored, wrong_channels,
)


# -- judging -----------------------------------------------------------------------------------------
def judge(d: Derivation, claim: str | Claim, part: str | None = None, count: str = "all",
          aliases: Mapping[str, str] | None = None, where: str = "--claim") -> Verdict:
    """The verdict on `claim`. The claim is multiplied out once into a polynomial (`closedform.expand`),
    and so is each counted term; a mistake changes a few terms, so it reproduces the claim exactly when
    what it adds less what it takes away is the claim less the derivation: a comparison of small dicts
    per candidate, never an expansion."""
    label_at = claim.label_at if isinstance(claim, Claim) else None
    scope, rows = scope_rows(d, part, aliases or {}, label_at or "--part")
    if isinstance(claim, str):
        claim = read_claim(claim, d.symbols.symbols(), where)
    items = counted(rows, count)
    subs = d.substitution
    formula = sympy.Add(*(sympy.Mul(*i.factors) for i in items))
    expected = _expected(d, scope, count, formula)
    symbolic = bool(claim.expr.free_symbols)
    place = where.split(":")[0] if ":" in where else where
    if not symbolic and expected.value is None:
        free = sorted(s.name for s in formula.free_symbols - set(subs))
        raise InputError(f"bind {', '.join(free)} (--set) to judge a number, or write the claim in the symbols", place)
    keep = claim.expr.free_symbols
    bound = {s: v for s, v in subs.items() if s not in keep}
    costs = {s: arithmetic.estimate(v) for s, v in subs.items()}
    try:  # the claim with the values put in (its terms are shown so), within the limits of a claim
        arithmetic.bounded(claim.expr, costs, arithmetic.MAX_CLAIM_TERMS)
    except arithmetic.ArithmeticRefused as refusal:
        raise InputError(f"{refusal}, with the values put in", place) from None
    polynomials = _Polynomials(bound, {s: c for s, c in costs.items() if s in bound}, place)
    target = polynomials.of(claim.expr)
    difference = _minus(target, add(polynomials.item(i) for i in items))
    right = not difference
    slip = claim.stated is not None and not claim.stated.free_symbols and not symbolic and claim.stated != claim.expr
    mistakes: tuple[Mistake, ...] = ()
    if not right:
        ctx = Context({r.name: r for r in d.layers}, d.layers, count, _expansion(d))
        mistakes = _explain(items, ctx, difference, polynomials, claim, subs)
    return Verdict(d, scope, count, claim, expected, items, right and not slip, symbolic, mistakes, slip)


Polynomial = dict  # closedform's: {frozenset of (base, exponent): coefficient}


class _Polynomials:
    """Values multiplied out once each, with the bound values put in, every one within the limits."""

    def __init__(self, bound: Mapping[sympy.Symbol, sympy.Expr], costs: Mapping, place: str) -> None:
        self.bound, self.costs, self.place = bound, costs, place
        self.made: dict[Factors, Polynomial] = {}

    def of(self, expr: sympy.Expr) -> Polynomial:
        try:
            arithmetic.bounded(expr, self.costs, arithmetic.MAX_CLAIM_TERMS)
        except arithmetic.ArithmeticRefused as refusal:
            raise InputError(f"{refusal}, in a count with the values put in", self.place) from None
        return expand(expr.xreplace(self.bound) if self.bound else expr, sizes=False)

    def item(self, item: Item) -> Polynomial:
        return self.factors(item.factors)

    def factors(self, factors: Factors | None) -> Polynomial:
        if factors is None:
            return {}
        if factors not in self.made:
            self.made[factors] = self.of(sympy.Mul(*factors))
        return self.made[factors]

    def change(self, mistake: Mistake) -> Polynomial:
        """What the mistake adds less what it takes away."""
        out: Polynomial = {}
        for change in mistake.changes:
            out = _minus(add((out, self.factors(change.after))), self.factors(change.before))
        return out


def _minus(a: Polynomial, b: Polynomial) -> Polynomial:
    return add((a, {monomial: -coeff for monomial, coeff in b.items()}))


def _degree(polynomial: Polynomial) -> int:
    return max((sum(exp for _, exp in monomial) for monomial in polynomial), default=0)


def _frozen(polynomial: Polynomial) -> frozenset:
    return frozenset(polynomial.items())


def _expansion(d: Derivation) -> sympy.Symbol | None:
    return next((info.symbol for info in d.symbols.infos if info.name == "t"), None)


def _expected(d: Derivation, scope: str | None, count: str, formula: sympy.Expr) -> Count:
    """The derivation's own figure for the scope: the total, a part's, or (for a layer) the sum of its terms."""
    if scope is None:
        return d.total[count]
    for part in d.parts:
        if part.name == scope:
            return part.counts[count]
    return Count(formula, evaluate(formula, d.substitution))


def _explain(items, ctx, difference: Polynomial, polynomials: _Polynomials, claim: Claim,
             subs) -> tuple[Mistake, ...]:
    """The mistake that reproduces the claim (what it changes is `difference`, the claim less the
    derivation), ranked by how many of the claim's own terms it accounts for (so `18 + 36` for 90 is
    the width taken as t, not a batch norm left out); else two together. A claim that differs from
    the derivation in a higher degree than any mistake changes is reproduced by none: judged at once."""
    singles = [m for mutation in MUTATIONS for m in mutation(items, ctx)]
    changes = [polynomials.change(m) for m in singles]
    if _degree(difference) > max(map(_degree, changes), default=0):
        return ()  # what the claim adds is of a higher degree than any mistake's: none reproduces it
    wanted = _frozen(difference)
    found = [m for m, change in zip(singles, changes) if _frozen(change) == wanted]
    if found:
        return (max(found, key=lambda m: _accounted(m.apply(items), claim, subs)),)  # ties: the first
    later: dict[frozenset, list[int]] = {}
    for j, change in enumerate(changes):
        later.setdefault(_frozen(change), []).append(j)
    for i, first in enumerate(singles):
        for j in later.get(_frozen(_minus(difference, changes[i])), ()):
            second = singles[j]
            if j <= i or first.kind == second.kind:
                continue
            try:
                second.apply(first.apply(items))
            except ValueError:  # the second mistake touches a term the first one replaced
                continue
            return (first, second)
    return ()


def _accounted(items: tuple[Item, ...], claim: Claim, subs) -> int:
    """How many of the claim's terms are a term, a multiple of a term, or a layer's sum among `items`."""
    values = [sympy.Mul(*i.factors).xreplace(subs) for i in items]
    layers: dict[str, sympy.Expr] = {}
    for item, value in zip(items, values):
        layers[item.layer] = layers.get(item.layer, 0) + value
    known = set(values) | set(layers.values()) | {n * v for v in values for n in range(2, 5)}
    return sum(term.xreplace(subs) in known for _, term in claim.terms)


@frozen
class TermMatch:
    """One term of the claim, set against the derivation's terms in scope."""

    text: str
    value: sympy.Expr
    layers: tuple[str, ...]  # the layers whose term(s) it equals; empty when it matches nothing


def term_by_term(v: Verdict) -> tuple[tuple[TermMatch, ...], tuple[Item, ...]]:
    """Each claim term with the layer terms it accounts for, and the terms of the scope left unaccounted
    (compared multiplied out, as `judge` does)."""
    subs = v.derivation.substitution
    left = list(v.items)
    value_of = {item: sympy.Mul(*item.factors).xreplace(subs) for item in v.items}
    polynomial = {item: expand(value, sizes=False) for item, value in value_of.items()}
    matches = []
    for text, term in v.claim.terms:
        value = term.xreplace(subs)
        wanted = expand(value, sizes=False)
        used: list[Item] = []
        single = next((i for i in left if polynomial[i] == wanted), None)
        if single is not None:
            used = [single]
        else:  # a layer's terms together (gamma + beta), or a multiple of equal terms (2·18)
            for layer in dict.fromkeys(i.layer for i in left):
                own = [i for i in left if i.layer == layer]
                if add(polynomial[i] for i in own) == wanted:
                    used = own
                    break
        for item in used:
            left.remove(item)
        matches.append(TermMatch(text, value, tuple(dict.fromkeys(i.layer for i in used))))
    return tuple(matches), tuple(left)


BOM = "\ufeff"


def read_answer(text: str, path: str, names: Mapping[str, sympy.Expr]) -> list[tuple[str, Claim, int]]:
    """A whole answer, one claim a line: `part: expression` (blank lines skipped; `#` starts a comment,
    on a line of its own or after a claim; a byte order mark at the start is dropped).
    Returns (label, claim, line number) per line; a line without a label judges the whole block. A
    claim knows its label's place (`label_at`), so that an unknown part is reported at FILE:LINE:COL."""
    out = []
    for number, line in enumerate(text.removeprefix(BOM).splitlines(), start=1):
        line = line.partition("#")[0]
        stripped = line.strip()
        if not stripped:
            continue
        label, colon, rest = line.partition(":")
        if not colon:
            label, rest, start, label_col = "total", line, 1, 1
        else:
            start = len(label) + 2
            label_col = len(label) - len(label.lstrip()) + 1
            label = label.strip()
        if not rest.strip():
            raise InputError("expected `part: expression`", f"{path}:{number}:{start}")
        claim = read_claim(rest, names, path, number, start)
        out.append((label, Claim(claim.text, claim.expr, claim.terms, claim.stated, f"{path}:{number}:{label_col}",
                                 claim.written),
                    number))
    if not out:
        raise InputError("no claims in the file (one `part: expression` a line)", path)
    return out
