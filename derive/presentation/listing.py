"""`derive list`: the catalog rendered, without importing sympy."""

from __future__ import annotations

from ..library import catalog
from . import json
from .formats import FILE_LIST, LIST
from .templating import get_template


def render_list(fmt: str) -> str:
    chosen = LIST[fmt]
    entries = json.catalog(catalog().values())
    if chosen.template is None:
        return json.dumps(entries)
    return get_template(chosen.template, chosen.kind).render(entries=entries)


def render_file_list(found: dict, fmt: str) -> str:
    """`derive list FILE.py`: the candidates `readers.list_file` found, as JSON or through its template."""
    if LIST[fmt].template is None:
        return json.dumps(found)
    return get_template(FILE_LIST, LIST[fmt].kind).render(**found)
