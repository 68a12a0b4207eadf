"""Rendering a `check.Verdict`: text, Markdown (a forum reply) and JSON, through templates/check/."""

from __future__ import annotations

import json
import sympy

from .checking import Item, Mistake, Verdict, counted_channels, counted_layer, term_by_term
from .layers import BatchNorm
from .printing import printer
from .templating import get_template

FORMATS = ("text", "json", "markdown")
TEMPLATE = {"text": "check/check.txt.j2", "markdown": "check/check.md.j2"}


def _written(factors, subs) -> dict:
    """A term as written: in the symbols, with the numbers put in, and its value."""
    value = sympy.Mul(*factors).xreplace(subs)
    return {"formula": printer("text").product(factors), "numbers": printer("text", values=subs).product(factors),
            "value": int(value) if value.is_Integer else None}


def grouped(items: tuple[Item, ...], subs, most: int = 16) -> str | None:
    """The terms written out in order, equal neighbours of one layer gathered: `3·3·18 + 2·18`;
    None when that takes more than `most` terms (a whole network: the formula says it better)."""
    runs: list[list] = []  # [layer, text, how many]
    for item in items:
        text = printer("text", values=subs).product(item.factors)
        if runs and runs[-1][:2] == [item.layer, text]:
            runs[-1][2] += 1
        else:
            runs.append([item.layer, text, 1])
    if len(runs) > most:
        return None
    return " + ".join(text if n == 1 else f"{n}·{text}" for _, text, n in runs) or "0"


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
        "expected": {"formula": v.expected.written("text"), "value": v.expected.value,
                     "grouped": (None if v.symbolic else grouped(v.items, subs)) or v.expected.written("text")},
        "mistakes": [mistake_view(m, v) for m in v.mistakes],
        "terms": [{"text": m.text, "value": text(m.value), "layers": list(m.layers)} for m in matches],
        "missing": [{"layer": i.layer, "kind": i.kind, **_written(i.factors, subs)} for i in missing],
        "values": [{"name": name, "value": text(value)} for name, value in d.values.items()],
    }


def diagnosis(v: Verdict, data: dict | None = None) -> list[str]:
    """The diagnosis as plain sentences, one per line of the `diagnoses` template."""
    data = data or view(v)
    rendered = get_template("check/diagnoses.j2").render(**data)
    return [line.strip() for line in rendered.splitlines() if line.strip()]


def render(v: Verdict, fmt: str) -> str:
    data = view(v)
    lines = diagnosis(v, data)
    if fmt == "json":
        d = v.derivation
        claim_value = v.claim.expr.xreplace(d.substitution)
        claimed = {"formula": printer("plain")(v.claim.expr),
                   "expr": printer("plain", values=d.substitution)(v.claim.expr),
                   "latex": printer("latex", d.latex_names)(v.claim.expr),
                   "value": int(claim_value) if claim_value.is_Integer else None}
        return json.dumps({"correct": v.correct, "part": v.scope, "claimed": claimed,
                           "expected": d.count_dict(v.expected), "diagnosis": lines},
                          indent=2, ensure_ascii=False) + "\n"
    return get_template(TEMPLATE[fmt]).render(**data, diagnosis=lines)


def render_many(verdicts: list[tuple[str, Verdict]], fmt: str) -> str:
    """A whole answer (`--claim-file`): one verdict per line."""
    if fmt == "json":
        return json.dumps({"correct": all(v.correct for _, v in verdicts),
                           "lines": [{"line": label, **json.loads(render(v, "json"))} for label, v in verdicts]},
                          indent=2, ensure_ascii=False) + "\n"
    items = [{"label": label, **view(v), "diagnosis": diagnosis(v)} for label, v in verdicts]
    return get_template(TEMPLATE[fmt].replace("check.", "answer.")).render(lines=items)
