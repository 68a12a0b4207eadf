"""`derive list`: the catalog rendered, without importing sympy."""

from __future__ import annotations

from ..library import catalog
from . import json
from .formats import LIST
from .templating import get_template


def render_list(fmt: str) -> str:
    chosen = LIST[fmt]
    entries = json.catalog(catalog().values())
    if chosen.template is None:
        return json.dumps(entries)
    return get_template(chosen.template, chosen.kind).render(entries=entries)
