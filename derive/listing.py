"""`derive list`: the catalog rendered, without importing sympy."""

from __future__ import annotations

import json

from .library import catalog
from .templating import get_template


def entries() -> list[dict]:
    return [{"name": e.name, "summary": e.summary, "symbols": list(e.symbols), "defaults": dict(e.defaults),
             "options": dict(e.options)} for e in catalog().values()]


def render_list(fmt: str) -> str:
    if fmt == "json":
        return json.dumps(entries(), indent=2, ensure_ascii=False) + "\n"
    return get_template("text/list.txt.j2").render(entries=entries())
