"""The command line: `derive list`, `derive show` (and later `derive check`), per ../CONTRACT.md.

Parsing and exit statuses only; the work is done by `api`, the words by the templates. Every bad
input ends as one line on standard error, `derive: error: <where>: <what>`, with exit status 2 (3 for
a missing external tool); nothing is written unless the whole output is ready (`-o` is atomic).
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
from pathlib import Path
from typing import Sequence

from .conventions import BUCKETS, CONVENTIONS
from .errors import DeriveError, InputError
from .presentation.formats import CHECK, LIST, SHOW

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
    listing.add_argument("--format", choices=tuple(LIST), default="text")

    show = commands.add_parser("show", help="derive a block's counts, formulas and closed form")
    show.add_argument("target", metavar="TARGET",
                      help="a built-in name from `derive list`, a .toml block spec or a .py file (- for stdin)")
    show.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE",
                      help="bind a symbol to an integer or an expression (repeatable)")
    show.add_argument("--option", dest="options", action="append", default=[], metavar="NAME=VALUE",
                      help="a block's structural switch, e.g. bias=true (repeatable)")
    show.add_argument("--convention", choices=tuple(CONVENTIONS), default="paper")
    show.add_argument("--format", choices=tuple(SHOW), default="text")
    show.add_argument("-o", "--output", metavar="PATH", help="write there (atomically) instead of stdout")
    show.add_argument("--templates", metavar="DIR", help="a directory of templates overriding the built-in ones")
    show.add_argument("--detail", action="store_true",
                      help="for a network's text: every layer, not one line per stage")
    show.add_argument("--title", metavar="TEXT",
                      help="the title of markdown, tex, slide and pdf output (default: the block and its sizes)")
    add_check_parser(commands)
    return parser


def add_check_parser(commands) -> None:
    check = commands.add_parser("check", help="judge a claimed count and say what is wrong in it")
    check.add_argument("target", metavar="TARGET", help="as for `show`")
    claims = check.add_mutually_exclusive_group(required=True)
    claims.add_argument("--claim", metavar="EXPR", help="a number or an expression, e.g. '(3*3*18)*18 + 2*18'")
    claims.add_argument("--claim-file", metavar="FILE", help="a whole answer, one `part: expression` a line")
    check.add_argument("--part", metavar="NAME", help="the part or layer the claim counts (default: the whole)")
    check.add_argument("--count", choices=("all", *BUCKETS), default="all",
                       help="which figure the claim gives (default: all = trainable + non-trainable)")
    check.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE")
    check.add_argument("--option", dest="options", action="append", default=[], metavar="NAME=VALUE")
    check.add_argument("--convention", choices=tuple(CONVENTIONS), default="paper")
    check.add_argument("--format", choices=tuple(CHECK), default="text")


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


def write(text: str | bytes, path: str | None) -> None:
    """To stdout, or to `path` through a temporary file in the same directory and a rename."""
    if path is None:
        if isinstance(text, bytes):
            sys.stdout.flush()
            sys.stdout.buffer.write(text)
            sys.stdout.buffer.flush()
        else:
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
        with (os.fdopen(fd, "wb") if isinstance(text, bytes) else os.fdopen(fd, "w", encoding="utf-8")) as handle:
            handle.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    if args.command == "list":
        from .presentation.listing import render_list

        write(render_list(args.format), None)
        return 0
    if args.command == "check":
        return run_check(args)
    from .api import derive_target, load
    from .presentation.render import render

    derivation = derive_target(load(args.target), args.convention, pairs(args.options, "--option"),
                               pairs(args.values, "--set"))
    rendered = render(derivation, args.format, args.templates, title=args.title, detail=args.detail)
    output = args.output
    if args.format == "pdf" and output is None:  # a PDF is not for a terminal: out/<target>.pdf
        Path("out").mkdir(exist_ok=True)
        output = str(Path("out") / (re.sub(r"[^A-Za-z0-9._-]+", "-", Path(derivation.target).stem) + ".pdf"))
    write(rendered, output)
    if output != args.output:
        sys.stderr.write(f"derive: wrote {output}\n")
    return 0


def run_check(args: argparse.Namespace) -> int:
    """0 when every claim is right, 1 when one is wrong (2 and 3 come as errors)."""
    from .api import derive_target, load
    from .checking import judge, read_answer
    from .presentation.verdicts import render_answer, render_verdict

    target = load(args.target)
    derivation = derive_target(target, args.convention, pairs(args.options, "--option"), pairs(args.values, "--set"))
    if args.claim is not None:
        verdict = judge(derivation, args.claim, args.part, args.count, target.aliases)
        write(render_verdict(verdict, args.format), None)
        return 0 if verdict.correct else 1
    path = args.claim_file
    text = read_text(path, "--claim-file")
    verdicts = [(label, judge(derivation, claim, label, args.count, target.aliases, where=f"{path}:{number}"))
                for label, claim, number in read_answer(text, path, derivation.symbols.symbols())]
    write(render_answer(verdicts, args.format), None)
    return 0 if all(v.correct for _, v in verdicts) else 1


def read_text(path: str, option: str, limit: int = 1_000_000) -> str:
    """A small UTF-8 text file (or standard input for `-`), or one clear error."""
    try:
        data = sys.stdin.buffer.read(limit + 1) if path == "-" else Path(path).read_bytes()[: limit + 1]
    except OSError as error:
        raise InputError(error.strerror or "cannot read", f"{option} {path}") from None
    if len(data) > limit:
        raise InputError(f"larger than {limit:,} bytes", path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text (byte {error.start})", path) from None


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


def entry() -> None:
    """The `derive` command: `main` with Python's cyclic garbage collector off, and an immediate exit
    once the output is flushed. Both spare work that does nothing for a command that lives a fraction
    of a second: the collector's passes over sympy's hundreds of thousands of objects, which live as
    long as the process anyway (reference counting still frees everything else, and the few cycles
    left wait for the exit: peak memory is the same), and the interpreter's teardown of sympy, a
    quarter of the time `import sympy` takes. The figures are in bench/RESULTS.md. Nothing is left
    open: `-o` files are written, closed and renamed by `write` before `main` returns."""
    gc.disable()
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`derive show ... | head -1`)
        status = status or 1
    os._exit(status)


if __name__ == "__main__":
    entry()
