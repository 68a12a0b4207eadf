"""`derive check`: a `checking.Verdict` in the format asked for. Its view, which templates/check/ read:
the claim, the expected count, the mistakes found, each term written out in the text style; its JSON
through json.py."""

from __future__ import annotations

import sympy

from ..checking import Item, Mistake, Verdict, counted_channels, counted_layer, term_by_term
from ..layers import BatchNorm
from . import json
from .formats import ANSWER, CHECK, DIAGNOSES
from .printing import contract, printer
from .escaping import md_code
from .render import chosen_format
from .templating import get_template


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


def _claimed(v: Verdict) -> int | None:
    value = v.claim.expr.xreplace(v.derivation.substitution)
    return int(value) if value.is_Integer else None


def _verdict_json(v: Verdict, lines: list[str]) -> dict:
    return json.verdict(v, _claimed(v), lines, contract(v.derivation.symbols, v.derivation.substitution))


def diagnosis(v: Verdict, data: dict | None = None) -> list[str]:
    """The diagnosis as plain sentences, one per line of the diagnoses template."""
    rendered = get_template(DIAGNOSES, "text").render(data or view(v))
    return [line.strip() for line in rendered.splitlines() if line.strip()]


def diagnosis_markdown(v: Verdict, data: dict | None = None) -> list[str]:
    """The diagnosis as Markdown: derive's own words and numbers as they are, what the claim's author wrote
    in it (each side of the claim, its terms) in code spans, so that nothing they wrote is read as markup
    (layer and symbol names are letters, digits and `_ . - /` alone: the readers refuse others)."""
    data = dict(data or view(v))
    claim = data["claim"]
    data["claim"] = {**claim, "text": " = ".join(md_code(side.strip()) for side in claim["text"].split("="))}
    data["terms"] = [{**term, "text": md_code(term["text"])} for term in data["terms"]]
    return diagnosis(v, data)


def render_verdict(v: Verdict, fmt: str) -> str:
    """`derive check --claim`: the verdict on one claim."""
    chosen = chosen_format(CHECK, fmt)
    data = view(v)
    if chosen.template is None:
        return json.dumps(_verdict_json(v, diagnosis(v, data)))
    lines = (diagnosis_markdown if chosen.kind == "markdown" else diagnosis)(v, data)
    return get_template(chosen.template, chosen.kind).render(data, diagnosis=lines)


def render_answer(answer: list[tuple[str, Verdict]], fmt: str) -> str:
    """`derive check --claim-file`: a whole answer, one verdict per line."""
    chosen = chosen_format(CHECK, fmt)
    if chosen.template is None:
        return json.dumps(json.answer((label, _verdict_json(v, diagnosis(v))) for label, v in answer))
    items = []
    sentences = diagnosis_markdown if chosen.kind == "markdown" else diagnosis
    for label, v in answer:
        data = view(v)
        items.append({"label": label, **data, "diagnosis": sentences(v, data)})
    return get_template(ANSWER[fmt], chosen.kind).render(lines=items)
