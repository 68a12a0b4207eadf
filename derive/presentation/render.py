"""Rendering: a `Derivation` (or a check's `Verdict`) and a format in, text (or PDF bytes) out.

The format (formats.py) says which template writes it, with which escaping, and what it shows; its
view (views.py) is built with exactly that, as plain data, and handed to the template. JSON is laid
out by json.py. `--templates DIR` puts a user's directory in front of the built-in one, so any
template can be overridden by name; it renders with the flavour of the format it writes.
"""

from __future__ import annotations

from functools import partial

from ..checking import Verdict
from ..derivation import Count, Derivation
from ..errors import InputError
from . import json, verdicts
from .explain import explanations, frameworks
from .formats import ANSWER, CHECK, DIAGNOSES, SHOW, SUMMARY, Format
from .printing import contract
from .templating import get_template
from .views import view


def _format(formats, fmt: str) -> Format:
    if fmt not in formats:
        raise InputError(f"unknown format {fmt!r} (choose from {', '.join(formats)})", "--format")
    return formats[fmt]


def render(d: Derivation, fmt: str, templates: str | None = None, title: str | None = None,
           detail: bool = False) -> str | bytes:
    """`d` in the format `fmt` (one of formats.SHOW); `pdf` gives bytes, everything else text. A network's
    text is its per-stage summary unless `detail` asks for every layer."""
    chosen = _format(SHOW, fmt)
    if chosen.template is None:
        return json.dumps(json.derivation(d, contract(d.symbols, d.substitution)))
    if chosen.name == "text" and d.stages and not detail:
        chosen = SUMMARY
    data = view(d, chosen, title, detail, explain=partial(explanations, templates=templates),
                frameworks=partial(frameworks, templates=templates))
    text = get_template(chosen.template, chosen.kind, templates).render(data)
    if chosen.compiled:
        from .pdf import compile_tex  # TeX's machinery, only for a PDF

        return compile_tex(text)
    return text


def _claimed(v: Verdict) -> Count:
    value = v.claim.expr.xreplace(v.derivation.substitution)
    return Count(v.claim.expr, int(value) if value.is_Integer else None)


def _verdict_json(v: Verdict, lines: list[str]) -> dict:
    return json.verdict(v, _claimed(v), lines, contract(v.derivation.symbols, v.derivation.substitution))


def diagnosis(v: Verdict, data: dict | None = None) -> list[str]:
    """The diagnosis as plain sentences, one per line of the diagnoses template."""
    rendered = get_template(DIAGNOSES, "text").render(data or verdicts.view(v))
    return [line.strip() for line in rendered.splitlines() if line.strip()]


def render_verdict(v: Verdict, fmt: str) -> str:
    """`derive check --claim`: the verdict on one claim."""
    chosen = _format(CHECK, fmt)
    data = verdicts.view(v)
    lines = diagnosis(v, data)
    if chosen.template is None:
        return json.dumps(_verdict_json(v, lines))
    return get_template(chosen.template, chosen.kind).render(data, diagnosis=lines)


def render_answer(answer: list[tuple[str, Verdict]], fmt: str) -> str:
    """`derive check --claim-file`: a whole answer, one verdict per line."""
    chosen = _format(CHECK, fmt)
    if chosen.template is None:
        return json.dumps(json.answer((label, _verdict_json(v, diagnosis(v))) for label, v in answer))
    items = []
    for label, v in answer:
        data = verdicts.view(v)
        items.append({"label": label, **data, "diagnosis": diagnosis(v, data)})
    return get_template(ANSWER[fmt], chosen.kind).render(lines=items)
