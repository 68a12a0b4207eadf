"""The command line: `derive list`, `derive show` (and later `derive check`), per ../CONTRACT.md.

Parsing and exit statuses only; the work is done by `api`, the words by the templates. Every bad
input ends as one line on standard error, `derive: error: <where>: <what>`, with exit status 2 (3 for
a missing external tool); nothing is written unless the whole output is ready (`-o` is atomic).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Sequence

from .errors import DeriveError, InputError

CONVENTIONS = ("paper", "pytorch", "keras")
SHOW_FORMATS = ("text", "json", "markdown", "latex", "tex", "slide", "pdf")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one `derive: error:` line and exit status 2."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        raise InputError(message, "usage")


def build_parser() -> Parser:
    parser = Parser(prog="derive", description="Symbolic parameter counts of neural-network blocks.")
    parser.add_argument("--version", action="version", version=f"derive {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True

    listing = commands.add_parser("list", help="the built-in blocks and networks")
    listing.add_argument("--format", choices=("text", "json"), default="text")

    show = commands.add_parser("show", help="derive a block's counts, formulas and closed form")
    show.add_argument("target", metavar="TARGET",
                      help="a built-in name from `derive list`, a .toml block spec or a .py file (- for stdin)")
    show.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE",
                      help="bind a symbol to an integer or an expression (repeatable)")
    show.add_argument("--option", dest="options", action="append", default=[], metavar="NAME=VALUE",
                      help="a block's structural switch, e.g. bias=true (repeatable)")
    show.add_argument("--convention", choices=CONVENTIONS, default="paper")
    show.add_argument("--format", choices=SHOW_FORMATS, default="text")
    show.add_argument("-o", "--output", metavar="PATH", help="write there (atomically) instead of stdout")
    show.add_argument("--templates", metavar="DIR", help="a directory of templates overriding the built-in ones")
    return parser


def _version() -> str:
    from . import __version__

    return __version__


def pairs(items: Sequence[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not value:
            raise InputError("expected NAME=VALUE", f"{option} {item}")
        if not NAME.match(name):
            raise InputError(f"{name!r} is not a name", f"{option} {item}")
        if name in out:
            raise InputError(f"{name} is set twice", f"{option} {item}")
        out[name] = value
    return out


def write(text: str, path: str | None) -> None:
    """To stdout, or to `path` through a temporary file in the same directory and a rename."""
    if path is None:
        sys.stdout.write(text)
        return
    target = Path(path)
    if target.is_dir():
        raise InputError("is a directory", f"-o {path}")
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"directory {str(directory)!r} does not exist", f"-o {path}")
    import tempfile

    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    if args.command == "list":
        from .listing import render_list

        write(render_list(args.format), None)
        return 0
    from .api import show
    from .rendering import render

    derivation = show(args.target, convention=args.convention, options=pairs(args.options, "--option"),
                      **pairs(args.values, "--set"))
    write(render(derivation, args.format, args.templates), args.output)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return run(build_parser().parse_args(argv))
    except DeriveError as error:
        sys.stderr.write(f"derive: error: {error}\n")
        return error.exit_status
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


if __name__ == "__main__":
    sys.exit(main())
