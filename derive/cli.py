"""The command line: `derive list`, `derive show`, `derive check` and `derive serve` (web/), per ../CONTRACT.md.

Parsing and exit statuses only; the work is done by `api`, the words by the templates. Every bad
input ends as one line on standard error, `derive: error: <where>: <what>`, with exit status 2 (3 for
a missing external tool), its control characters escaped (`printable`); nothing is written unless
the whole output is ready (`-o` is atomic, regular files only: `files.py`). The `derive` command runs
under a CPU, wall-clock and memory budget (`budget.py`); `main` called in-process does not.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import sys
from pathlib import Path
from typing import Sequence

from . import budget
from .budget import OverBudget
from .conventions import BUCKETS, CONVENTIONS
from .counters import TOOLS
from .commands import check_math, derived, error_line, judged, pairs, printable, rendered_show
from .errors import DeriveError, InputError, ToolError
from .files import read_capped, write_atomic
from .presentation.formats import CHECK, LIST, MATH, SHOW

MAX_CLAIM_BYTES = 100_000  # a --claim-file: a forum answer is a few hundred bytes
STDOUT = "standard output"
EXTENSIONS = {"text": "txt", "markdown": "md", "latex": "tex", "slide": "tex"}  # `-o FOLDER/`; else the format


class Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one `derive: error:` line and exit status 2."""

    def error(self, message: str):  # noqa: D102 - argparse's hook
        raise InputError(message, "usage")


def build_parser() -> Parser:
    parser = Parser(prog="derive", description="Symbolic parameter counts of neural-network blocks.")
    parser.add_argument("--version", action="version", version=f"derive {_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True

    listing = commands.add_parser("list", help="the built-in blocks and networks, or what a .py file can count")
    listing.add_argument("file", metavar="FILE.py", nargs="?",
                         help="a .py file: its classes and functions that build a model, with their arguments")
    listing.add_argument("--format", choices=tuple(LIST), default="text")

    show = commands.add_parser("show", help="derive a block's counts, formulas and closed form")
    show.add_argument("target", metavar="TARGET",
                      help="a built-in name from `derive list`, a .toml block spec or a .py file (- for stdin)")
    add_target_options(show)
    show.add_argument("--format", choices=tuple(SHOW), default="text")
    show.add_argument("-o", "--output", metavar="PATH", help="write there (atomically) instead of stdout")
    show.add_argument("--templates", metavar="DIR", help="a directory of templates overriding the built-in ones")
    show.add_argument("--detail", action="store_true",
                      help="for a network's text: every layer, not one line per stage")
    show.add_argument("--math", choices=MATH, default="katex",
                      help="markdown's formulas: katex (LaTeX in $…$, for MathJax or KaTeX) or plain (Unicode)")
    show.add_argument("--title", metavar="TEXT",
                      help="the title of markdown, tex, slide and pdf output (default: the block and its sizes)")
    show.add_argument("--flops-as", choices=TOOLS, metavar="TOOL",
                      help=f"also the figure a tool prints for the network, and what it counts ({', '.join(TOOLS)})")
    add_check_parser(commands)
    add_serve_parser(commands)
    add_course_parsers(commands)
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
    add_target_options(check)
    check.add_argument("--format", choices=tuple(CHECK), default="text")


SET_HELP = "bind a symbol to an integer or an expression (repeatable)"


def add_target_options(command, set_help: str = SET_HELP) -> None:
    """What every command that derives a target takes (show, check, exercise, plot): the sizes set, the
    options, the entry and its arguments, the convention."""
    command.add_argument("--set", dest="values", action="append", default=[], metavar="NAME=VALUE", help=set_help)
    command.add_argument("--option", dest="options", action="append", default=[], metavar="NAME=VALUE",
                         help="a block's structural switch, e.g. bias=true (repeatable)")
    add_entry_options(command)
    command.add_argument("--convention", choices=tuple(CONVENTIONS), default="paper")


def add_course_parsers(commands) -> None:
    """The course kit (derive/course/): `exercise`, `grade`, `plot`."""
    exercise = commands.add_parser("exercise", help="a problem per student, their worked solutions and the key")
    exercise.add_argument("target", metavar="TARGET", help="as for `show`")
    exercise.add_argument("--vary", action="append", default=[], metavar="NAME=RANGE", required=True,
                          help="the values a size takes: 3..32, 2,4,6 or C_in..2*C_in (repeatable)")
    students = exercise.add_mutually_exclusive_group(required=True)
    students.add_argument("--students", metavar="ROSTER.csv", help="a CSV file with a column `student`: a problem each")
    students.add_argument("--count", type=int, metavar="N", help="N problems, for students s001, s002, ...")
    exercise.add_argument("--seed", type=int, required=True, metavar="S", help="the same seed, the same problems")
    exercise.add_argument("--ask", choices=("parts", "total", "macs"), default="parts",
                          help="what the students answer: each part and the total (default), the total, "
                               "or the MACs of each part and the total")
    add_target_options(exercise, "bind a symbol to an integer or an expression, the same for everyone (repeatable)")
    exercise.add_argument("--title", metavar="TEXT", help="the sheets' title (default: the block's)")
    exercise.add_argument("--no-pdf", dest="pdf", action="store_false", help="the .tex files without their PDFs")
    exercise.add_argument("-o", "--output", metavar="DIR", help="the folder to write into (default: out/exercise)")

    grade = commands.add_parser("grade", help="judge every student's answers against the key, name the mistakes")
    grade.add_argument("key", metavar="KEY.json", help="the key.json `derive exercise` wrote")
    grade.add_argument("answers", metavar="ANSWERS.csv", help="a CSV file with the columns student,part,answer")
    grade.add_argument("--no-pdf", dest="pdf", action="store_false", help="the summary's .tex without its PDF")
    grade.add_argument("-o", "--output", metavar="DIR", help="the folder to write into (default: out/grades)")

    plot = commands.add_parser("plot", help="a figure for slides: a count against a size (pgfplots, PDF or CSV)")
    plot.add_argument("target", metavar="TARGET", help="as for `show`")
    plot.add_argument("--x", required=True, metavar="NAME=RANGE", help="the size along the x axis: t=1..8")
    plot.add_argument("--series", metavar="NAME=RANGE", help="a line per value of another size: C_in=16,32,64")
    plot.add_argument("--y", action="append", default=[], choices=("all", "trainable", "non_trainable", "macs"),
                      help="what is plotted (repeatable; default: all, the parameters)")
    add_target_options(plot)
    plot.add_argument("--format", choices=("tex", "pdf", "csv"), default="tex")
    plot.add_argument("--title", metavar="TEXT", help="the figure's title")
    plot.add_argument("-o", "--output", metavar="PATH", help="write there (atomically) instead of stdout")


def add_serve_parser(commands) -> None:
    serve = commands.add_parser("serve", help="a local web page and JSON API (needs the web extra)")
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default: 127.0.0.1, this "
                       "machine only)")
    serve.add_argument("--port", type=int, default=8000, help="the port (0: a free one; the line printed says which)")
    serve.add_argument("--open", action="store_true", help="open the page in a browser")
    serve.add_argument("--allow-host", dest="allow_hosts", action="append", default=[], metavar="NAME",
                       help="a name the page may be reached by besides this machine's own (repeatable)")
    serve.add_argument("--workers", type=int, default=2, help="worker processes deriving at once (default: 2)")
    serve.add_argument("--job-seconds", type=float, default=2.0, help=argparse.SUPPRESS)  # for the tests: the
    serve.add_argument("--worker-mib", type=int, default=budget.MEMORY_MIB, help=argparse.SUPPRESS)  # limits


def run_serve(args: argparse.Namespace) -> int:
    """`derive serve`: a long-lived process, so the command's budget is lifted and the collector back on;
    each job is bounded in a worker of its own instead (web/pool.py)."""
    if not 0 <= args.port <= 65535:
        raise InputError("a port from 0 to 65535", f"--port {args.port}")
    if not 1 <= args.workers <= 64:
        raise InputError("from 1 to 64 workers", f"--workers {args.workers}")
    if not 0 < args.job_seconds <= 3600:
        raise InputError("more than 0 and at most 3600 seconds", f"--job-seconds {args.job_seconds:g}")
    if not 64 <= args.worker_mib <= 65536:
        raise InputError("from 64 to 65536 MiB", f"--worker-mib {args.worker_mib}")
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise ToolError("needs the web extra: pip install 'derive[web]'", "serve") from None
    budget.lift()
    gc.enable()
    if args.host in ("0.0.0.0", "::"):
        say(f"derive: warning: serve: --host {args.host} lets every machine that reaches this one use the page; "
            "only names given with --allow-host (and this machine's own) are answered")
    from .web.app import serve

    serve(args.host, args.port, args.open, tuple(args.allow_hosts), args.workers, args.job_seconds, args.worker_mib)
    return 0


def add_entry_options(command) -> None:
    command.add_argument("--entry", metavar="NAME", help="in a .py file: the class or function to count "
                         "(default: the model built at module level, else the last one that builds one)")
    command.add_argument("--arg", dest="args", action="append", default=[], metavar="NAME=VALUE",
                         help="an argument of the --entry (repeatable)")


def _version() -> str:
    from . import __version__

    return __version__


def write(text: str | bytes, path: str | None, inputs: tuple[str, ...] = ()) -> None:
    """To stdout, or to `path` whole (a temporary file in the same folder and a rename), never over
    one of `inputs`; a regular file only."""
    if path is None:
        stdout = sys.stdout
        if stdout is None:  # started with standard output closed (`derive list >&-`)
            raise InputError("standard output is closed", STDOUT)
        try:
            if isinstance(text, bytes):
                stdout.flush()
                stdout.buffer.write(text)
                stdout.buffer.flush()
            else:
                stdout.write(text)
        except BrokenPipeError:
            raise
        except (OSError, ValueError) as error:  # ValueError: a closed file object
            raise InputError(f"cannot write: {getattr(error, 'strerror', None) or error}", STDOUT) from None
        return
    write_atomic(text, path, f"-o {path}", inputs)


def output_path(path: str | None, stem: str, extension: str) -> str | None:
    """`-o` as given; a trailing `/` names an existing folder, to hold `<stem>.<extension>`."""
    if path is None or not path.endswith(("/", os.sep)):
        return path
    if not Path(path).is_dir():
        raise InputError("no such folder (a trailing / names a folder, which must exist)", f"-o {path}")
    return str(Path(path) / f"{stem}.{extension}")


def pdf_in_out(stem: str) -> str:
    """Where a PDF goes without -o (a PDF is not for a terminal): `out/<stem>.pdf`, said at once if `out` is
    there and not a folder; `make_out` makes the folder once the PDF is ready."""
    if os.path.lexists("out") and not Path("out").is_dir():
        raise InputError("'out' is not a folder, so the PDF has nowhere to go: give -o FILE", "--format pdf")
    return str(Path("out") / f"{stem}.pdf")


def make_out() -> None:
    try:
        Path("out").mkdir(exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot make the folder 'out' for the PDF: {error.strerror or error}; give -o FILE",
                         "--format pdf") from None


def safe_stem(target: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", Path(target).stem)


def flush_stdout() -> None:
    """Standard output flushed now, so that a full disk (`> /dev/full`) is one error line, not a traceback."""
    if sys.stdout is None:
        return
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as error:
        raise InputError(f"cannot write: {getattr(error, 'strerror', None) or error}", STDOUT) from None


def run(args: argparse.Namespace) -> int:
    if args.command == "list":
        from .presentation.listing import render_file_list, render_list

        if args.file is not None:
            from .readers import list_file

            write(render_file_list(list_file(args.file), args.format), None)
            return 0
        write(render_list(args.format), None)
        return 0
    if args.command == "check":
        return run_check(args)
    if args.command == "serve":
        return run_serve(args)
    if args.command in ("exercise", "grade", "plot"):
        from importlib import import_module

        return import_module(f".course.{args.command}", __package__).run(args)
    check_math(args.math, args.format)
    from .api import load

    derivation = derived(load(args.target, args.entry, pairs(args.args, "--arg")), args)
    stem = safe_stem(derivation.target)
    output = output_path(args.output, stem, EXTENSIONS.get(args.format, args.format))
    pdf_folder = args.format == "pdf" and output is None
    if pdf_folder:
        output = pdf_in_out(stem)
    rendered = rendered_show(derivation, args)
    if pdf_folder:
        make_out()
    write(rendered, output, (args.target,))
    warn(derivation)
    if output != args.output:
        say(f"derive: wrote {printable(output)}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    """0 when every claim is right, 1 when one is wrong (2 and 3 come as errors)."""
    from .api import load
    from .checking import judge, read_answer
    from .presentation.verdicts import render_answer, render_verdict

    target = load(args.target, args.entry, pairs(args.args, "--arg"))
    path = args.claim_file
    text = None if path is None else read_text(path, "--claim-file", MAX_CLAIM_BYTES)  # refused before any work
    derivation = derived(target, args)
    warn(derivation)
    if args.claim is not None:
        verdict = judged(derivation, target, args)
        write(render_verdict(verdict, args.format), None)
        return 0 if verdict.correct else 1
    verdicts = [(label, judge(derivation, claim, label, args.count, target.aliases, where=f"{path}:{number}"))
                for label, claim, number in read_answer(text, path, derivation.symbols.symbols())]
    write(render_answer(verdicts, args.format), None)
    return 0 if all(v.correct for _, v in verdicts) else 1


def read_text(path: str, option: str, limit: int = MAX_CLAIM_BYTES) -> str:
    """A small UTF-8 text file (or standard input for `-`), or one clear error: at most `limit` bytes
    are read, and only from a regular file or standard input."""
    data = read_capped(path, limit, f"{option} {path}")
    if len(data) > limit:
        raise InputError(f"larger than {limit:,} bytes", path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text (byte {error.start})", path) from None


def warn(derivation) -> None:
    """Each warning of the derivation (code its framework would refuse, counted on) on standard error,
    `derive: warning: FILE:LINE:COL: ...`; the exit status stays 0."""
    for w in derivation.warnings:
        say(f"derive: warning: {printable(w.where)}: {printable(w.message)}")


def say(line: str) -> None:
    """One line on standard error, if there is one."""
    try:
        if sys.stderr is not None:
            sys.stderr.write(line + "\n")
    except (OSError, ValueError):
        pass


def main(argv: Sequence[str] | None = None) -> int:
    try:
        status = run(build_parser().parse_args(argv))
        flush_stdout()
        return status
    except DeriveError as error:
        say(error_line(error))
        return error.exit_status
    except (OverBudget, MemoryError) as error:
        say(error_line(error))
        return 2
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
    budget.limit()  # the command's CPU, wall-clock and memory limits: a backstop, one error line
    status = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`derive show ... | head -1`)
        status = status or 1
    except (OSError, ValueError, AttributeError):  # nothing left to say it on
        status = status or 2
    os._exit(status)


if __name__ == "__main__":
    entry()
