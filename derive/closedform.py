"""Closed forms a person would write on a slide, without a blind `simplify()`.

A count is a sum of products (each layer adds a few monomials), so the total is expanded once into
monomials and regrouped the way one does by hand: take out the product that the most terms share
(`t·C_in` in a MobileNetV2 bottleneck), recurse inside the bracket and on the rest. The result equals
the input by construction (`expand(closed_form(e) - e) == 0`); the cost grows with the number of
distinct monomials, not with the number of layers (repeated layers collapse in the expansion).
"""

from __future__ import annotations

from collections import Counter
from itertools import combinations

import sympy

PAIRWISE_LIMIT = 48  # above this many monomials, candidates are single factors instead of pairwise gcds


def closed_form(expr: sympy.Expr) -> sympy.Expr:
    if expr.is_Atom or expr.is_Mul and all(f.is_Atom or f.is_Pow and f.base.is_Atom for f in expr.args):
        return expr  # a number, a symbol or a single monomial: nothing to group
    expanded = sympy.expand(expr)
    if not expanded.is_Add:
        return expanded
    monomials = [_split(term) for term in expanded.args]
    return _group(monomials)


Monomial = tuple[sympy.Expr, Counter]  # (numeric coefficient, {base: exponent})


def _split(term: sympy.Expr) -> Monomial:
    coeff, rest = term.as_coeff_Mul()
    powers: Counter = Counter()
    for base, exp in rest.as_powers_dict().items():
        if exp.is_Integer and exp > 0 and base != 1:
            powers[base] += int(exp)
        elif base != 1:  # a negative or symbolic power stays whole
            powers[base**exp] += 1
    return coeff, powers


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
    else:
        candidates = {frozenset({(base, 1)}) for _, p in monomials for base in p}
    best, best_key = None, (1, 0)
    for candidate in candidates:
        factor = Counter(dict(candidate))
        key = (sum(_divides(factor, p) for _, p in monomials), sum(factor.values()))
        if key > best_key or key == best_key and best is not None and _order(factor) < _order(best):
            best, best_key = factor, key
    return best


def _order(factor: Counter) -> list[tuple[str, int]]:
    return sorted((str(base), exp) for base, exp in factor.items())
