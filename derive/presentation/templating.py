r"""The Jinja environments: built-in templates, a user's override directory in front, strict undefineds,
sandboxed.

A templates folder (`--templates DIR`) is input like any other: every template renders in Jinja's
immutable sandbox (no attribute starting `_`, no mutation but `list.append`, bounded `*`, `**`, `~`,
widths and format fields; one second of CPU per rendering with --templates), from loaders that read
regular files of at most MAX_TEMPLATE_BYTES under their folder and nothing else (no `..`, no symlink
leading out). Whatever goes wrong in a template is one `InputError` naming it and its line.

Kept apart from the views so that `derive list` renders without importing sympy.

Four flavours, one per kind of output, chosen by the format being written (formats.py), never by
where a template lies, so that an override renders as what it replaces:

* "latex": delimiters that leave TeX's braces alone: `\VAR{x}` prints, `\BLOCK{if …}` and lines
  starting `%%` are statements, `\#{…}` and lines starting `%#` are comments. Whatever `\VAR{}`
  prints is escaped for LaTeX unless it is `Safe` (formulas, numbers, `|safe` or `|tex`);
* "markdown": Jinja's own delimiters, and whatever `{{ }}` prints is escaped for Markdown unless `Safe`;
* "text" (a terminal, or plain sentences): printed as it is, but for control characters and invisible
  ones (bidirectional controls, zero-width characters), which are dropped;
* "html" (the web page, SVG diagrams): Jinja's own delimiters and its autoescaping: whatever `{{ }}`
  prints is escaped for HTML and XML (`<`, `&`, quotes) unless it is markupsafe's `Markup` (`|safe`);
  derive's `Safe` (LaTeX or Markdown already escaped for its own format) is escaped like any text.
"""

from __future__ import annotations

import functools
import os
import re
import signal
import stat
import threading
import traceback
from functools import cache
from pathlib import Path
from typing import Iterable, Sequence

import jinja2
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedEnvironment

from ..errors import DeriveError, InputError

MAX_TEMPLATE_BYTES = 100_000  # one template file, built-in or from --templates
MAX_TEMPLATE_SEQUENCE = 1_000_000  # a string or list a template makes with `*` (items)
MAX_TEMPLATE_BITS = 10_000  # the largest integer a template makes with `*` or `**` (bits, ~3,000 digits)
MAX_TEMPLATE_SECONDS = 0.5  # CPU time of one rendering with --templates (within the command's own budget)
MAX_ERROR_CHARS = 200  # what a template error's message keeps
CACHE_TAG = "derive-sandbox-3"  # in the bytecode cache's file names: a new one when the compiled code changes


def template_dirs() -> list[Path]:
    """The built-in templates: `templates/` beside the package in a checkout, `derive/templates` installed."""
    package = Path(__file__).resolve().parent.parent
    return [p for p in (package.parent / "templates", package / "templates") if p.is_dir()][:1]


LATEX_SYNTAX = dict(block_start_string=r"\BLOCK{", block_end_string="}", variable_start_string=r"\VAR{",
                    variable_end_string="}", comment_start_string=r"\#{", comment_end_string="}",
                    line_statement_prefix="%%", line_comment_prefix="%#")


class TemplateMissing(InputError):
    """No template of that name (an explanation without one is left out)."""


class ConfinedLoader(jinja2.BaseLoader):
    """Templates from one folder and nothing outside it: a name is split on `/` (no `..`), the file it
    names is resolved (symlinks followed) and must lie under the folder, be a regular file and hold at
    most `MAX_TEMPLATE_BYTES`."""

    def __init__(self, folder: Path, shown: str | None = None) -> None:
        self.root = folder.resolve()
        self.shown = shown  # how the folder is named in an error (--templates DIR); None: built in

    def get_source(self, environment: jinja2.Environment, template: str):
        pieces = jinja2.loaders.split_template_path(template)  # TemplateNotFound on `..`
        path = self.root.joinpath(*pieces)
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise jinja2.sandbox.SecurityError(f"template {template!r} leads outside the templates folder")
        try:  # opened without blocking (a FIFO), then checked to be a regular file before reading
            with open(os.open(resolved, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as handle:
                status = os.fstat(handle.fileno())
                if not stat.S_ISREG(status.st_mode):
                    raise jinja2.sandbox.SecurityError(f"template {template!r} is not a regular file")
                data = handle.read(MAX_TEMPLATE_BYTES + 1)
                mtime = status.st_mtime
        except OSError as error:
            raise jinja2.sandbox.SecurityError(f"template {template!r} cannot be read ({error.strerror})") from None
        if len(data) > MAX_TEMPLATE_BYTES:
            raise jinja2.sandbox.SecurityError(f"template {template!r} is over {MAX_TEMPLATE_BYTES:,} bytes")
        try:
            source = data.decode("utf-8")
        except UnicodeDecodeError:
            raise jinja2.sandbox.SecurityError(f"template {template!r} is not UTF-8") from None
        return source, str(path), lambda: _unchanged(resolved, mtime)


def _unchanged(path: Path, mtime: float) -> bool:
    try:
        return os.stat(path).st_mtime == mtime
    except OSError:
        return False


class Generator(CodeGenerator):
    """Jinja's code generator, but `a ~ b` goes through `Sandbox.joined`, which bounds its length."""

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.joined((")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


def _too_big(value) -> bool:
    return type(value) is int and abs(value) > MAX_TEMPLATE_SEQUENCE


WIDTH_FILTERS = frozenset({"center", "indent", "wordwrap", "slice", "batch"})  # an integer argument makes that much
WIDTH_METHODS = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
WIDE_FORMAT = re.compile(r"\d{7,}")  # a field width or precision of millions in a format string


def _wide(text) -> bool:
    return isinstance(text, str) and WIDE_FORMAT.search(text) is not None


def _bounded(function):
    """A filter whose integer arguments (a width, a count) stay under MAX_TEMPLATE_SEQUENCE, and whose
    format string (`format`) has no field of millions of characters."""
    @functools.wraps(function)
    def bounded(*args, **kwargs):
        if any(map(_too_big, args)) or any(map(_too_big, kwargs.values())) or any(map(_wide, args[:1])):
            raise jinja2.sandbox.SecurityError(f"a width over {MAX_TEMPLATE_SEQUENCE:,} given to a filter")
        return function(*args, **kwargs)
    return bounded


class Sandbox(ImmutableSandboxedEnvironment):
    """Jinja's sandbox, immutable but for `list.append` (the built-in templates build their rows with
    it), with `*` and `**` bounded: a template reads its view and prints, and can do nothing else."""

    intercepted_binops = frozenset({"*", "**", "%"})
    code_generator_class = Generator

    def joined(self, items) -> str:
        texts = [str(item) for item in items]
        if sum(map(len, texts)) > MAX_TEMPLATE_SEQUENCE:
            raise jinja2.sandbox.SecurityError(f"`~` would make more than {MAX_TEMPLATE_SEQUENCE:,} characters")
        return "".join(texts)

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is not None and _wide(value.__self__):
            raise jinja2.sandbox.SecurityError(f"a field width over {MAX_TEMPLATE_SEQUENCE:,} in a format")
        return wrapped

    def call(self, context, obj, *args, **kwargs):
        if getattr(obj, "__name__", None) in WIDTH_METHODS and isinstance(getattr(obj, "__self__", None), str) \
                and (any(map(_too_big, args)) or any(map(_too_big, kwargs.values()))):
            raise jinja2.sandbox.SecurityError(f"a width over {MAX_TEMPLATE_SEQUENCE:,} given to {obj.__name__}")
        return super().call(context, obj, *args, **kwargs)

    def is_safe_attribute(self, obj, attr: str, value) -> bool:
        if type(obj) is list and attr == "append":
            return SandboxedEnvironment.is_safe_attribute(self, obj, attr, value)
        return super().is_safe_attribute(obj, attr, value)

    def call_binop(self, context, operator: str, left, right):
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, (str, list, tuple)) and isinstance(times, int) \
                        and len(sequence) * times > MAX_TEMPLATE_SEQUENCE:
                    raise jinja2.sandbox.SecurityError(f"`*` would make more than {MAX_TEMPLATE_SEQUENCE:,} items")
        if operator == "%" and _wide(left):
            raise jinja2.sandbox.SecurityError(f"a field width over {MAX_TEMPLATE_SEQUENCE:,} in `%`")
        if type(left) is int and type(right) is int and operator in ("*", "**"):
            bits = left.bit_length() + right.bit_length() if operator == "*" else \
                (left.bit_length() - 1) * abs(right) if abs(left) > 1 else 0
            if bits > MAX_TEMPLATE_BITS:
                raise jinja2.sandbox.SecurityError(f"`{operator}` would make a number of more than "
                                                   f"{MAX_TEMPLATE_BITS:,} bits")
        return super().call_binop(context, operator, left, right)


@cache
def environment(user_dir: str | None = None, kind: str = "text") -> jinja2.Environment:
    """The sandboxed environment of one flavour: `user_dir` (--templates) in front of the built-in templates."""
    if user_dir is not None and not Path(user_dir).is_dir():
        raise InputError(f"{user_dir!r} is not a directory", "--templates")
    loaders = ([ConfinedLoader(Path(user_dir), user_dir)] if user_dir else []) + \
        [ConfinedLoader(d) for d in template_dirs()]
    from . import breaking, escaping

    extra: dict = {"finalize": {"latex": escaping.tex, "markdown": escaping.md, "html": escaping.markup_text}
                   .get(kind, escaping.printable)}
    if kind == "latex":
        extra.update(LATEX_SYNTAX)
    env = Sandbox(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                  trim_blocks=True, lstrip_blocks=True, autoescape=kind == "html", extensions=["jinja2.ext.do"],
                  bytecode_cache=_bytecode_cache(kind), **extra)
    env.filters["columns"] = columns
    env.filters["indented"] = breaking.indented  # a long formula under its label, in lines of 100
    if kind == "html":
        env.filters["number"] = number
    elif kind != "text":
        env.filters.update(safe=escaping.Safe, tex=escaping.tex, md=escaping.md, code=escaping.md_code,
                           md_to_tex=escaping.md_to_tex, code_spans=escaping.code_spans_to_tex,
                           number=_latex_number if kind == "latex" else number,
                           aligned=breaking.aligned, plain_math=breaking.plain, math_width=breaking.width)
    env.filters.update({name: _bounded(env.filters[name]) for name in (*WIDTH_FILTERS, "format")})
    env.roots = [(loader.root, loader.shown) for loader in loaders]
    env.budget = MAX_TEMPLATE_SECONDS if user_dir else None
    return env


def _bytecode_cache(kind: str = "text") -> jinja2.BytecodeCache | None:
    """Compiled templates kept between runs (Jinja's per-user cache directory); none if unavailable.
    One file pattern per flavour: the same source compiles differently in each (and sandboxed)."""
    try:
        return jinja2.FileSystemBytecodeCache(pattern=f"__jinja2_{CACHE_TAG}_{kind}_%s.cache")
    except (OSError, RuntimeError):
        return None


class Template:
    """A compiled template whose every failure is one `InputError` naming the template and line."""

    __slots__ = ("template", "env")

    def __init__(self, template: jinja2.Template, env: jinja2.Environment) -> None:
        self.template = template
        self.env = env

    def render(self, *args, **kwargs) -> str:
        try:
            with _cpu_budget(self.env.budget):
                return self.template.render(*args, **kwargs)
        except DeriveError:
            raise
        except Exception as error:  # noqa: BLE001 - a template's failure, whatever it is, is one line
            raise template_error(error, self.env) from None


class OverBudget(Exception):
    """A template rendered for longer than MAX_TEMPLATE_SECONDS of CPU."""


class _cpu_budget:
    """At most `seconds` of CPU (a virtual timer, main thread only) for what runs inside; the timer and
    handler found are put back after."""

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds if threading.current_thread() is threading.main_thread() \
            and hasattr(signal, "ITIMER_VIRTUAL") else None

    def __enter__(self) -> None:
        if self.seconds:
            self.handler = signal.signal(signal.SIGVTALRM, self._stop)
            self.timer = signal.setitimer(signal.ITIMER_VIRTUAL, self.seconds)

    def __exit__(self, *exc) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_VIRTUAL, *self.timer)
            signal.signal(signal.SIGVTALRM, self.handler)

    def _stop(self, signum, frame) -> None:
        raise OverBudget(f"rendering took more than {self.seconds:g} s of CPU")


def get_template(name: str, kind: str, user_dir: str | None = None) -> Template:
    """The template `name` in the flavour `kind` ("latex", "markdown", "html" or "text") of the output it writes."""
    env = environment(user_dir, kind)
    try:
        return Template(env.get_template(name), env)
    except jinja2.TemplateNotFound as error:
        if error.name == name:
            raise TemplateMissing(f"template {error.name!r} not found", "--templates") from None
        raise template_error(error, env) from None
    except DeriveError:
        raise
    except Exception as error:  # noqa: BLE001
        raise template_error(error, env) from None


def template_error(error: BaseException, env: jinja2.Environment) -> InputError:
    """`error` from compiling or rendering a template as one line: `TEMPLATE:LINE: what`."""
    place = None
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        place = (error.filename, error.lineno)
    else:
        for frame in reversed(traceback.extract_tb(error.__traceback__)):
            if _shown(frame.filename, env) is not None:
                place = (frame.filename, frame.lineno)
                break
    if isinstance(error, jinja2.TemplateNotFound):
        what = f"template {error.name!r} not found"
    elif isinstance(error, RecursionError):
        what = "templates nested too deeply (a template including or calling itself?)"
    elif isinstance(error, OverBudget):
        what = str(error)
    elif isinstance(error, MemoryError):
        what = "a template ran out of memory"
    else:
        what = str(getattr(error, "message", None) or error) or type(error).__name__
        if not isinstance(error, jinja2.TemplateError):
            what = f"{type(error).__name__}: {what}"
    what = _one_line(what)
    where = f"{_shown(place[0], env) or place[0]}:{place[1]}" if place else "--templates"
    return InputError(what, _one_line(where))


def _shown(filename: str, env: jinja2.Environment) -> str | None:
    """A template file's name as the user knows it (DIR/name for --templates, name for a built-in one)."""
    path = Path(filename)
    for root, shown in env.roots:
        if path.is_relative_to(root):
            rel = path.relative_to(root).as_posix()
            return rel if shown is None else f"{shown.rstrip('/')}/{rel}"
    return None


def _one_line(text: str) -> str:
    text = re.sub(r"[\x00-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]",
                  lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS - 1] + "…"


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


def number(value: object, math: bool = False, kind: str = "markdown") -> str:
    """An integer with thousands grouped, one style per output: in Markdown (and text) by commas,
    `1,234,567` (in math `1{,}234{,}567`, a comma without the space after it), in LaTeX by thin
    spaces, `1\\,234\\,567`, in math and text alike; None as a dash."""
    from .escaping import Safe

    if value is None:
        return Safe(r"\text{---}" if math else "—")
    text = f"{value:,}" if isinstance(value, int) else str(value)
    return Safe(text.replace(",", r"\," if kind == "latex" else "{,}" if math else ","))


def _latex_number(value: object, math: bool = False) -> str:
    return number(value, math, "latex")
