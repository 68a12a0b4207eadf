"""What a command is made of beyond its arguments, shared by the command line (cli.py) and `derive serve`'s
jobs (web/jobs.py), so that both give the same output for the same request and fail in the same line:
`NAME=VALUE` arguments read (`pairs`), the derivation of a loaded target under --convention, --option and
--set (`derived`), what `show` writes (`rendered_show`), `check`'s verdict (`judged`), and the one error
line (`error_line`), its control characters escaped (`printable`).

Light to import (the command line imports it before anything is derived): the derivation and the
presentation are imported where they are used.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from typing import Sequence

from . import budget
from .budget import OverBudget
from .errors import DeriveError, InputError
from .presentation.formats import PLAIN

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


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


def check_math(math: str, fmt: str) -> None:
    """`--math plain` is for Markdown alone: said before the derivation, so that a mistake is said at once."""
    if math != "katex" and fmt not in PLAIN:
        raise InputError(f"{math} is for --format markdown only; the other formats write their math one way",
                         "--math")


def derived(target, args: argparse.Namespace):
    """The derivation `show` and `check` make of a loaded target, with their --convention, --option and
    --set (`args`: the command line's, or `derive serve`'s request in the same shape: web/jobs.py)."""
    from .api import derive_target

    return derive_target(target, args.convention, pairs(args.options, "--option"), pairs(args.values, "--set"))


def rendered_show(derivation, args: argparse.Namespace, fmt: str | None = None) -> str | bytes:
    """What `show` writes for the derivation: its --format (or `fmt`), --templates, --title, --detail, --math
    and --flops-as."""
    from .presentation.render import render

    return render(derivation, fmt or args.format, args.templates, title=args.title, detail=args.detail,
                  math=args.math, flops_as=args.flops_as)


def judged(derivation, target, args: argparse.Namespace):
    """`check --claim`'s verdict on the derivation."""
    from .checking import judge

    return judge(derivation, args.claim, args.part, args.count, target.aliases)


def printable(text: str) -> str:
    """`text` with every control or invisible formatting character escaped (`\\n`, `\\x1b`, `\\u202e`), so
    that an error line is one line and cannot steer the terminal; bytes that were not UTF-8 (in a file
    name) as `\\xNN`."""
    out = []
    for char in text:
        code = ord(char)
        if char in _NAMED:
            out.append(_NAMED[char])
        elif code < 0x20 or 0x7F <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, as Python keeps it (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif unicodedata.category(char) in ("Cf", "Cs", "Co", "Cn", "Zl", "Zp"):
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def error_line(error: DeriveError | OverBudget | MemoryError, memory_mib: int = budget.MEMORY_MIB) -> str:
    """The one line every failure is said in (by the command, and by `derive serve` in its 422 answers):
    `derive: error: WHERE: WHAT`, control characters escaped; running out of memory names the limit
    (`memory_mib`: the command's, or a server worker's)."""
    if isinstance(error, MemoryError):
        return f"derive: error: {budget.over_memory(memory_mib)}"
    return f"derive: error: {printable(str(error))}"
