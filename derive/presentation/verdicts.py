"""The view of a `checking.Verdict` that templates/check/ read: the claim, the expected count, the
mistakes found, each term written out in the text style."""

from __future__ import annotations

import sympy

from ..checking import Item, Mistake, Verdict, counted_channels, counted_layer, term_by_term
from ..layers import BatchNorm
from .printing import printer


def _written(factors, subs) -> dict:
    """A term as written: in the symbols, with the numbers put in, and its value."""
    value = sympy.Mul(*factors).xreplace(subs)
    return {"formula": printer("text").product(factors), "numbers": printer("text", values=subs).product(factors),
            "value": int(value) if value.is_Integer else None}


def grouped(items: tuple[Item, ...], subs, most: int = 16) -> str | None:
    """The terms written out in order, equal neighbours of one layer gathered: `3·3·18 + 2·18`;
    None when that takes more than `most` terms (a whole network: the formula says it better)."""
    numbers = printer("text", values=subs)
    runs: list[list] = []  # [layer, text, factors, how many]
    for item in items:
        text = numbers.product(item.factors)
        if runs and runs[-1][:2] == [item.layer, text]:
            runs[-1][3] += 1
        else:
            runs.append([item.layer, text, item.factors, 1])
    if len(runs) > most:
        return None
    return " + ".join(text if n == 1 else numbers.repeated(n, factors) for _, text, factors, n in runs) or "0"


def mistake_view(m: Mistake, v: Verdict) -> dict:
    d = v.derivation
    rows = {r.name: r for r in d.layers}
    names = list(rows)
    subs = d.substitution
    changes = []
    for c in m.changes:
        row = rows[c.layer]
        following = names.index(c.layer) + 1
        changes.append({
            "layer": c.layer, "kind": c.kind, "op": row.op,
            "before": None if c.before is None else _written(c.before, subs),
            "after": None if c.after is None else _written(c.after, subs),
            "norm_follows": following < len(names) and isinstance(counted_layer(rows[names[following]]), BatchNorm),
            "channels": _written((counted_channels(row),), subs),
        })
    return {"kind": m.kind, "changes": changes, "layers": list(dict.fromkeys(c["layer"] for c in changes))}


def view(v: Verdict) -> dict:
    d = v.derivation
    subs = d.substitution
    text = printer("text")
    claim_value = v.claim.expr.xreplace(subs)
    matches, missing = term_by_term(v)
    return {
        "target": d.target, "convention": d.convention, "scope": v.scope, "count": v.count,
        "correct": v.correct, "symbolic": v.symbolic,
        "claim": {"text": v.claim.text, "formula": text(v.claim.expr),
                  "bare": v.claim.text.replace(",", "").replace(" ", "") == str(claim_value),
                  "value": int(claim_value) if claim_value.is_Integer else None,
                  "stated": None if v.claim.stated is None else text(v.claim.stated), "slip": v.slip},
        "expected": {"formula": text.written(v.expected), "value": v.expected.value,
                     "grouped": (None if v.symbolic else grouped(v.items, subs)) or text.written(v.expected)},
        "mistakes": [mistake_view(m, v) for m in v.mistakes],
        "terms": [{"text": m.text, "value": text(m.value), "layers": list(m.layers)} for m in matches],
        "missing": [{"layer": i.layer, "kind": i.kind, **_written(i.factors, subs)} for i in missing],
        "values": [{"name": name, "value": text(value)} for name, value in d.values.items()],
    }

