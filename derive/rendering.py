"""Rendering: a `Derivation` in, text out, through the Jinja templates in `templates/`.

Python prepares values (formulas printed in the style each format needs); the templates hold every
word and the layout. `--templates DIR` puts a user's directory in front of the built-in one, so any
template can be overridden by name. JSON is the derivation's own `to_dict()`.
"""

from __future__ import annotations

import json

from .derivation import COUNTED, Count, Derivation
from .errors import InputError
from .printing import printer
from .templating import get_template

FORMATS = ("text", "json")
TEMPLATE = {"text": "text/show.txt.j2"}


def view(d: Derivation, style: str) -> dict:
    """What every template sees: the derivation with its formulas printed in `style`."""
    names = d.latex_names if style == "latex" else None
    subs = d.substitution

    def show(count: Count) -> dict:
        return {"formula": count.written(style, names), "expr": count.written(style, names, subs),
                "value": count.value, "closed": count.products is None}

    layers = []
    for row in d.layers:
        layers.append({
            "name": row.name, "op": row.op, "signature": row.signature, "part": row.part,
            "condition": None if row.condition is None else d.condition_text(row.condition, style),
            "terms": [{"label": t.term.label, "kind": t.term.kind, "bucket": t.bucket,
                       "formula": Count(t.term.size, t.value, (t.term.factors,)).written(style, names),
                       "expr": Count(t.term.size, t.value, (t.term.factors,)).written(style, names, subs),
                       "value": t.value}
                      for t in row.terms if t.bucket is not None],
            **{key: show(row.counts[key]) for key in (*COUNTED, "macs")},
        })
    return {
        "target": d.target, "title": d.title, "convention": d.convention, "options": d.options,
        "symbols": [{"name": i.name, "meaning": i.meaning, "latex": i.latex} for i in d.symbols.infos],
        "values": [{"name": name, "value": printer(style, names)(value)} for name, value in d.values.items()],
        "layers": layers,
        "parts": [{"name": p.name, **{key: show(c) for key, c in p.counts.items()}} for p in d.parts],
        "total": {key: show(c) for key, c in d.total.items()},
        "others": {name: {key: show(c) for key, c in totals.items()} for name, totals in d.others.items()},
    }


def render(d: Derivation, fmt: str, templates: str | None = None) -> str:
    if fmt == "json":
        return json.dumps(d.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt not in TEMPLATE:
        raise InputError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})", "--format")
    style = "latex" if fmt in ("latex", "tex", "slide", "pdf") else "text"
    return get_template(TEMPLATE[fmt], templates).render(view(d, style))
