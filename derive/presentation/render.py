"""Rendering: a `Derivation` and a format in, text (or PDF bytes) out (a check's verdict: verdicts.py).

The format (formats.py) says which template writes it, with which escaping, and what it shows; its
view (views.py) is built with exactly that, as plain data, and handed to the template. JSON is laid
out by json.py. `--templates DIR` puts a user's directory in front of the built-in one, so any
template can be overridden by name; it renders with the flavour of the format it writes.
"""

from __future__ import annotations

from ..derivation import Derivation
from ..errors import InputError
from . import json
from .formats import PLAIN, PLAIN_SUMMARY, SHOW, SUMMARY, Format
from .printing import contract
from .templating import get_template

MAX_TITLE = 200  # characters of --title, as a spec's [block] title

def chosen_format(formats, fmt: str) -> Format:
    if fmt not in formats:
        raise InputError(f"unknown format {fmt!r} (choose from {', '.join(formats)})", "--format")
    return formats[fmt]


def render(d: Derivation, fmt: str, templates: str | None = None, title: str | None = None,
           detail: bool = False, math: str = "katex", flops_as: str | None = None) -> str | bytes:
    """`d` in the format `fmt` (one of formats.SHOW); `pdf` gives bytes, everything else text (`svg`:
    the block diagram alone, an error where there is none). A network's
    text is its per-stage summary unless `detail` asks for every layer. `math="plain"`: Markdown's
    formulas in Unicode, for a forum without MathJax (formats.PLAIN; no other format has it). `flops_as`: a
    tool whose figure every format shows beside the MACs (counters/)."""
    chosen = chosen_format(SHOW, fmt)
    if math != "katex":
        if math != "plain" or fmt not in PLAIN:
            raise InputError(f"{math} is for --format markdown only; the other formats write their math one way",
                             "--math")
        chosen = PLAIN[fmt]
    if title is not None and len(title) > MAX_TITLE:
        raise InputError(f"a title of at most {MAX_TITLE} characters (this one has {len(title):,})", "--title")
    flops = None
    if flops_as is not None:
        from ..counters.total import count

        flops = count(d, flops_as)
    if chosen.template is None:
        return json.dumps(json.derivation(d, contract(d.symbols, d.substitution), flops))
    from .views import view  # not needed by JSON: the views, the explanations and the diagrams load only here

    if d.stages and not detail:
        chosen = (PLAIN_SUMMARY if math == "plain" else SUMMARY).get(chosen.name, chosen)
    data = view(d, chosen, title, detail, templates, flops)
    if chosen.svg_diagram and data["svg_diagram"] is None:
        from .svg import undrawn

        raise InputError(undrawn(d), f"--format {fmt}")
    text = get_template(chosen.template, chosen.kind, templates).render(data)
    if chosen.compiled:
        from .pdf import compile_tex  # TeX's machinery, only for a PDF

        return compile_tex(text)
    return text
