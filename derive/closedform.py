"""Closed forms a person would write on a slide, without a blind `simplify()`.

A count is a sum of products (each layer adds a few monomials), so the total is expanded once into
monomials and regrouped the way one does by hand: take out the product that the most terms share
(`t·C_in` in a MobileNetV2 bottleneck), recurse inside the bracket and on the rest. The result equals
the input by construction (`expand(closed_form(e) - e) == 0`); the cost grows with the number of
distinct monomials, not with the number of layers (repeated layers collapse in the expansion).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from fractions import Fraction
from itertools import combinations

import sympy

from .memo import memoised

SIZES = frozenset({"H", "W", "L", "T", "D"})  # the input's spatial (or sequence) sizes
PAIRWISE_LIMIT = 48  # above this many monomials, candidates are single factors instead of pairwise gcds


@memoised  # a worker of `derive serve` asks again for the same formulas (memo.py)
def closed_form(expr: sympy.Expr) -> sympy.Expr:
    if expr.is_Atom or expr.is_Mul and all(f.is_Atom or f.is_Pow and f.base.is_Atom for f in expr.args):
        return expr  # a number, a symbol or a single monomial: nothing to group
    expanded = expand(expr)
    if len(expanded) < 2:
        return sympy.Add(*(_build(m) for m in _monomials(expanded)))
    return _group(_monomials(expanded))


Monomial = tuple[sympy.Expr, Counter]  # (numeric coefficient, {base: exponent})
Polynomial = dict[frozenset, Fraction]  # {frozenset of (base, exponent): coefficient}


def expand(expr: sympy.Expr, sizes: bool = True) -> Polynomial:
    """`expr` multiplied out into monomials, in plain Python: sympy's `expand` builds every
    intermediate product as an expression, which is most of the cost of a closed form. Anything but a
    number, +, × and a whole power (a symbol, ⌈H/s⌉, a symbolic power) is a base of the monomials;
    with `sizes`, so is an output length such as H − 2 (as one writes it), else it is multiplied out
    too (a canonical form: two polynomials are equal exactly when their dicts are)."""
    if expr.is_Rational:
        return {frozenset(): Fraction(int(expr.p), int(expr.q))} if expr != 0 else {}
    if expr.is_Add and sizes and _is_size(expr):
        return {frozenset({(expr, 1)}): Fraction(1)}
    if expr.is_Add:
        return add(expand(arg, sizes) for arg in expr.args)
    if expr.is_Mul:
        product: Polynomial = {frozenset(): Fraction(1)}
        for arg in expr.args:
            product = _times(product, expand(arg, sizes))
        return product
    if expr.is_Pow and expr.exp.is_Integer:
        if expr.exp > 0 and expr.base.is_Add:
            product = {frozenset(): Fraction(1)}
            for _ in range(int(expr.exp)):
                product = _times(product, expand(expr.base, sizes))
            return product
        if expr.base.is_Atom or not expr.base.is_Add and not expr.base.is_Mul:
            return {frozenset({(expr.base, int(expr.exp))}): Fraction(1)}
    return {frozenset({(expr, 1)}): Fraction(1)}


def add(polynomials: Iterable[Polynomial]) -> Polynomial:
    """The sum of polynomials, monomials whose coefficients cancel dropped (so equal sums are equal dicts)."""
    out: Polynomial = {}
    for polynomial in polynomials:
        for monomial, coeff in polynomial.items():
            total = out.get(monomial, 0) + coeff
            if total:
                out[monomial] = total
            else:
                out.pop(monomial, None)
    return out


def _is_size(expr: sympy.Expr) -> bool:
    """An output length such as `H - 2` (valid padding), a sum in the input's sizes alone: kept whole,
    as one writes (H − 2)·(W − 2)."""
    names = {symbol.name for symbol in expr.free_symbols}
    return bool(names) and names <= SIZES


def _times(a: Polynomial, b: Polynomial) -> Polynomial:
    out: Polynomial = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            powers = dict(ma)
            for base, exp in mb:
                powers[base] = powers.get(base, 0) + exp
            key = frozenset((base, exp) for base, exp in powers.items() if exp)
            total = out.get(key, 0) + ca * cb
            if total:
                out[key] = total
            else:
                out.pop(key, None)
    return out


def _monomials(poly: Polynomial) -> list[Monomial]:
    """In the grouping's terms: a positive power counts as its exponent; a negative one stays whole."""
    out = []
    for monomial, coeff in poly.items():
        powers: Counter = Counter()
        for base, exp in monomial:
            if exp > 0:
                powers[base] += exp
            else:
                powers[base**exp] += 1
        out.append((sympy.Rational(coeff.numerator, coeff.denominator), powers))
    return out


def _build(monomial: Monomial) -> sympy.Expr:
    coeff, powers = monomial
    return sympy.Mul(coeff, *(base**exp for base, exp in powers.items()))


def _gcd(a: Counter, b: Counter) -> Counter:
    return Counter({base: min(a[base], b[base]) for base in a.keys() & b.keys()})


def _divides(factor: Counter, powers: Counter) -> bool:
    return all(powers[base] >= exp for base, exp in factor.items())


def _group(monomials: list[Monomial]) -> sympy.Expr:
    if len(monomials) < 2:
        return sympy.Add(*(_build(m) for m in monomials))
    best = _best_factor(monomials)
    if best is None:
        return sympy.Add(*(_build(m) for m in monomials))
    inside = [(c, p - best) for c, p in monomials if _divides(best, p)]
    rest = [m for m in monomials if not _divides(best, m[1])]
    content = _content(inside)
    inside = [(c / content, p) for c, p in inside]
    factor = sympy.Mul(content, *(base**exp for base, exp in best.items()))
    return factor * _group(inside) + _group(rest)


def _content(monomials: list[Monomial]) -> sympy.Rational:
    """The positive rational that divides every coefficient to the lowest whole numbers (1 for one term)."""
    if len(monomials) < 2:
        return sympy.Integer(1)
    numerators = sympy.igcd(*(abs(c.p) for c, _ in monomials))
    denominators = sympy.ilcm(*(c.q for c, _ in monomials))
    return sympy.Rational(numerators, denominators)


def _best_factor(monomials: list[Monomial]) -> Counter | None:
    """The non-trivial product dividing the most monomials (ties: the higher degree, then the first in
    the order of the printed factors, so that the result never depends on set order), if two share one."""
    if len(monomials) <= PAIRWISE_LIMIT:
        candidates = {frozenset(g.items()) for (_, a), (_, b) in combinations(monomials, 2) if (g := _gcd(a, b))}
    else:  # single factors: how many monomials each divides, counted in one pass (linear, not cubic)
        counts = Counter(base for _, p in monomials for base in p)
        shared = [base for base, count in counts.items() if count >= 2]
        if not shared:
            return None
        top = max(counts[base] for base in shared)
        return Counter({min((base for base in shared if counts[base] == top), key=str): 1})
    best, best_key = None, (2, 0)  # a factor of one monomial alone groups nothing
    for candidate in candidates:
        factor = Counter(dict(candidate))
        key = (sum(_divides(factor, p) for _, p in monomials), sum(factor.values()))
        if key > best_key or key == best_key and best is not None and _order(factor) < _order(best):
            best, best_key = factor, key
    return best


def _order(factor: Counter) -> list[tuple[str, int]]:
    return sorted((str(base), exp) for base, exp in factor.items())
