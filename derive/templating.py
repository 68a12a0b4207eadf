"""The Jinja environment: built-in templates, a user's override directory in front, strict undefineds.

Kept apart from `render.py` so that `derive list` renders without importing sympy.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Iterable, Sequence

import jinja2

from .errors import InputError


def template_dirs() -> list[Path]:
    """The built-in templates: `templates/` beside the package in a checkout, `derive/templates` installed."""
    here = Path(__file__).resolve().parent
    return [p for p in (here.parent / "templates", here / "templates") if p.is_dir()][:1]


@cache
def environment(user_dir: str | None = None) -> jinja2.Environment:
    if user_dir is not None and not Path(user_dir).is_dir():
        raise InputError(f"{user_dir!r} is not a directory", "--templates")
    dirs = ([Path(user_dir)] if user_dir else []) + template_dirs()
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, autoescape=False,
                             extensions=["jinja2.ext.do"], bytecode_cache=_bytecode_cache())
    env.filters["columns"] = columns
    return env


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (Jinja's per-user cache directory); none if unavailable."""
    try:
        return jinja2.FileSystemBytecodeCache()
    except (OSError, RuntimeError):
        return None


def get_template(name: str, user_dir: str | None = None) -> jinja2.Template:
    try:
        return environment(user_dir).get_template(name)
    except jinja2.TemplateNotFound as error:
        raise InputError(f"template {error.name!r} not found", "--templates") from None


def columns(rows: Iterable[Sequence[str]], align: str = "", gap: str = "  ") -> list[str]:
    """Rows of cells padded into columns; `align` has one letter per column, `l` or `r` (default l)."""
    rows = [list(map(str, row)) for row in rows]
    if not rows:
        return []
    width = [max(len(row[i]) if i < len(row) else 0 for row in rows) for i in range(max(map(len, rows)))]
    lines = []
    for row in rows:
        cells = [cell.rjust(width[i]) if align[i:i + 1] == "r" else cell.ljust(width[i])
                 for i, cell in enumerate(row)]
        lines.append(gap.join(cells).rstrip())
    return lines
