r"""The Jinja environments: built-in templates, a user's override directory in front, strict undefineds.

Kept apart from the views so that `derive list` renders without importing sympy.

Three flavours, one per kind of output, chosen by the format being written (formats.py), never by
where a template lies, so that an override renders as what it replaces:

* "latex": delimiters that leave TeX's braces alone: `\VAR{x}` prints, `\BLOCK{if …}` and lines
  starting `%%` are statements, `\#{…}` and lines starting `%#` are comments. Whatever `\VAR{}`
  prints is escaped for LaTeX unless it is `Safe` (formulas, numbers, `|safe` or `|tex`);
* "markdown": Jinja's own delimiters, and whatever `{{ }}` prints is escaped for Markdown unless `Safe`;
* "text" (a terminal, or plain sentences): printed as it is.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Iterable, Sequence

import jinja2

from ..errors import InputError


def template_dirs() -> list[Path]:
    """The built-in templates: `templates/` beside the package in a checkout, `derive/templates` installed."""
    package = Path(__file__).resolve().parent.parent
    return [p for p in (package.parent / "templates", package / "templates") if p.is_dir()][:1]


LATEX_SYNTAX = dict(block_start_string=r"\BLOCK{", block_end_string="}", variable_start_string=r"\VAR{",
                    variable_end_string="}", comment_start_string=r"\#{", comment_end_string="}",
                    line_statement_prefix="%%", line_comment_prefix="%#")


@cache
def environment(user_dir: str | None = None, kind: str = "text") -> jinja2.Environment:
    if user_dir is not None and not Path(user_dir).is_dir():
        raise InputError(f"{user_dir!r} is not a directory", "--templates")
    dirs = ([Path(user_dir)] if user_dir else []) + template_dirs()
    extra: dict = {}
    if kind != "text":
        from . import escaping

        extra["finalize"] = escaping.tex if kind == "latex" else escaping.md
    if kind == "latex":
        extra.update(LATEX_SYNTAX)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True, autoescape=False,
                             extensions=["jinja2.ext.do"], bytecode_cache=_bytecode_cache(kind), **extra)
    env.filters["columns"] = columns
    if kind != "text":
        from . import escaping

        env.filters.update(safe=escaping.Safe, tex=escaping.tex, md=escaping.md, code=escaping.md_code,
                           md_to_tex=escaping.md_to_tex, number=number)
    return env


def _bytecode_cache(kind: str = "text") -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (Jinja's per-user cache directory); none if unavailable.
    One file pattern per flavour: the same source compiles differently in each."""
    try:
        pattern = "__jinja2_%s.cache" if kind == "text" else f"__jinja2_{kind}_%s.cache"
        return jinja2.FileSystemBytecodeCache(pattern=pattern)
    except (OSError, RuntimeError):
        return None


def get_template(name: str, kind: str, user_dir: str | None = None) -> jinja2.Template:
    """The template `name` in the flavour `kind` ("latex", "markdown" or "text") of the output it writes."""
    try:
        return environment(user_dir, kind).get_template(name)
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


def number(value: object, math: bool = False) -> str:
    """An integer with thousands grouped (`1,234,567`; in LaTeX `1\\,234\\,567`); None as a dash."""
    from .escaping import Safe

    if value is None:
        return Safe(r"\text{---}" if math else "—")
    text = f"{value:,}" if isinstance(value, int) else str(value)
    return Safe(text.replace(",", r"\,") if math else text)
