"""What a worker of `derive serve` does with one request: its JSON body checked, then the very calls the
command line makes (commands.py: `derived`, `rendered_show`, `judged`, `error_line`), so that every answer is
the command's output byte for byte and every failure its one line.

`answer(endpoint, body)` takes the body as the client sent it (parsed by the server: app.py) and gives an
`Answer`: 200 with the output, or 422 with `{"error": "derive: error: …"}`. A body is turned into the
command's arguments (an `argparse.Namespace` of the same shape: `--set` and `--option` as `NAME=VALUE`
text, read by the same `commands.pairs`), pasted code is read as the file `pasted.py` (or `pasted.toml`)
through `readers.load_text`, with the readers' own bounds. A PDF is not compiled here (TeX takes longer
than a job may): the worker gives its TeX, marked `compile`, and the server compiles it beside the
workers (pool.py). Runs in a worker process (pool.py), never in the server's own.
"""

from __future__ import annotations

import argparse
import json

from .. import api, commands
from ..conventions import BUCKETS, CONVENTIONS
from ..errors import DeriveError, InputError
from ..presentation import json as json_out
from ..presentation.formats import MATH, SHOW
from ..presentation.printing import contract
from .answers import JSON, Answer, failed

ENDPOINTS = ("show", "check", "page", "list")
PASTED = {"python": "pasted.py", "toml": "pasted.toml"}  # pasted code is read as this file
MEDIA = {"json": JSON, "pdf": "application/pdf", "svg": "image/svg+xml"}
TEXT = "text/plain; charset=utf-8"
SHOW_FIELDS = ("target", "source", "kind", "entry", "args", "set", "options", "convention", "format", "title",
               "math")
FIELDS = {"show": SHOW_FIELDS, "page": SHOW_FIELDS, "check": (*SHOW_FIELDS, "claim", "part", "count"),
          "list": ("source", "kind")}
COUNTS = ("all", *BUCKETS)
REQUEST = "request"
OPTIONS = {"set": "--set", "options": "--option", "args": "--arg"}  # the command's names for the body's fields


def answer(endpoint: str, body: object) -> Answer:
    """The answer to a request of `endpoint` (show, check, page, list) with the (parsed) JSON `body`;
    running out of memory is the worker's to say (pool.py)."""
    try:
        return _answer(endpoint, body)
    except DeriveError as error:
        return failed(commands.error_line(error))


def _answer(endpoint: str, body: object) -> Answer:
    args = request(endpoint, body)
    if endpoint == "list":
        from ..presentation.listing import render_file_list
        from ..readers import list_text

        return ok(render_file_list(list_text(args.source, PASTED[args.kind]), "json"), "json")
    if endpoint == "show":
        commands.check_math(args.math, args.format)
        derivation = commands.derived(load(args), args)
        if args.format == "pdf":  # the TeX the PDF is compiled from; compiled by the server, not in a job
            return Answer(200, MEDIA["pdf"], commands.rendered_show(derivation, args, "tex").encode("utf-8"), True)
        return ok(commands.rendered_show(derivation, args), args.format)
    if endpoint == "check":
        from ..presentation.verdicts import render_verdict

        target = load(args)
        derivation = commands.derived(target, args)
        return ok(render_verdict(commands.judged(derivation, target, args), "json"), "json")
    return ok(json.dumps(page(args), ensure_ascii=False), "json")


def ok(output: str | bytes, fmt: str) -> Answer:
    return Answer(200, MEDIA.get(fmt, TEXT), output if isinstance(output, bytes) else output.encode("utf-8"))


def load(args: argparse.Namespace):
    """The target: a built-in by name, or the pasted code or spec read as `pasted.py` / `pasted.toml`."""
    given = commands.pairs(args.args, "--arg")
    if args.source is not None:
        return api.load_text(args.source, PASTED[args.kind], args.entry, given)
    return api.load(args.target, args.entry, given)


def page(args: argparse.Namespace) -> dict:
    """Everything the page shows, from one derivation per convention: the show JSON, Markdown, the LaTeX
    snippet and the SVG diagram under the chosen one, and the whole's count under each."""
    commands.check_math(args.math, "markdown")
    target = load(args)
    derivation = commands.derived(target, args)
    shown = json.loads(commands.rendered_show(derivation, args, "json"))
    others = {}
    for convention in CONVENTIONS:
        if convention == args.convention:
            others[convention] = shown["total"]["all"]
            continue
        other = commands.derived(target, argparse.Namespace(**{**vars(args), "convention": convention}))
        others[convention] = json_out.count(other.total["all"], contract(other.symbols, other.substitution))
    return {"show": shown, "markdown": commands.rendered_show(derivation, args, "markdown"),
            "latex": commands.rendered_show(derivation, args, "latex"), "svg": svg(derivation, args),
            "others": others}


def svg(derivation, args: argparse.Namespace) -> str | None:
    """The block diagram as SVG, or None where there is none (`--format svg`'s error: too many boxes, no layers)."""
    try:
        return commands.rendered_show(derivation, args, "svg")
    except InputError as error:
        if error.where == "--format svg":
            return None
        raise


def request(endpoint: str, body: object) -> argparse.Namespace:
    """The body as the command's arguments, or one `derive: error: request: …` line for what is not
    the right type or not a known field."""
    if not isinstance(body, dict):
        raise InputError("a JSON object is expected", REQUEST)
    fields = FIELDS[endpoint]
    for key in body:
        if key not in fields:
            raise InputError(f"unknown field {key!r} (this endpoint takes {', '.join(fields)})", REQUEST)
    source = text_or_null(body, "source")
    kind = body.get("kind", "python")
    if kind not in PASTED:
        raise InputError(f"kind must be one of {', '.join(PASTED)}", REQUEST)
    if endpoint == "list":
        if source is None:
            raise InputError("source (the code to list) is required; GET /api/list lists the built-ins", REQUEST)
        return argparse.Namespace(source=source, kind=kind)
    target = text_or_null(body, "target")
    if (target is None) == (source is None):
        raise InputError("give one of target (a built-in name) and source (code or a spec)", REQUEST)
    if target is not None and (target == "-" or target.endswith((".py", ".toml"))):
        raise InputError("target is a built-in name (GET /api/list); give code or a spec as source", REQUEST)
    fmt = choice(body, "format", SHOW, "json") if endpoint == "show" else "json"  # check and page: ignored
    if endpoint != "show":
        choice(body, "format", SHOW, "json")
    args = argparse.Namespace(
        command=endpoint, target=target, source=source, kind=kind, entry=text_or_null(body, "entry"),
        args=assignments(body, "args", (str, int)), values=assignments(body, "set", (str, int)),
        options=assignments(body, "options", (bool, str)), convention=choice(body, "convention", CONVENTIONS, "paper"),
        format=fmt, title=text_or_null(body, "title"), math=choice(body, "math", MATH, "katex"),
        templates=None, detail=False, flops_as=None)
    if endpoint == "check":
        args.claim = body.get("claim")
        if not isinstance(args.claim, str):
            raise InputError("claim (a number or an expression) is required, as text", REQUEST)
        args.part = text_or_null(body, "part")
        args.count = choice(body, "count", COUNTS, "all")
    return args


def text_or_null(body: dict, key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError(f"{key} must be text or null", REQUEST)
    return value


def choice(body: dict, key: str, choices, default: str) -> str:
    value = body.get(key, default)
    if value not in choices:
        raise InputError(f"{key} must be one of {', '.join(dict.fromkeys(choices))}", REQUEST)
    return value


def assignments(body: dict, key: str, types: tuple[type, ...]) -> list[str]:
    """An object of NAME: VALUE as the command's `NAME=VALUE` arguments (booleans as true / false), for
    `commands.pairs` to read as it reads the command's (its errors name the option: `--set C_in=x: …`)."""
    given = body.get(key) or {}
    kinds = "true or false" if bool in types else "text or an integer"
    if not isinstance(given, dict):
        raise InputError(f"{key} must be an object of NAME: VALUE ({kinds})", REQUEST)
    out = []
    for name, value in given.items():
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise InputError(f"{key}: {name} must be {kinds}", REQUEST)
        item = f"{name}={str(value).lower() if isinstance(value, bool) else value}"
        if "=" in name:  # what the command cannot be given; said as it says a name that is not one
            raise InputError(f"{name!r} is not a name", f"{OPTIONS[key]} {item}")
        out.append(item)
    return out


def warm() -> None:
    """What a new worker does before its first request: the slide block and the MobileNetV2 network once,
    every page format, so that sympy's caches, the templates and the printers are loaded."""
    for body in ({"target": "mobilenetv2-block", "set": {"C_in": "3", "t": "6", "C_out": "3"}},
                 {"target": "mobilenetv2"}):
        answer("page", body)
