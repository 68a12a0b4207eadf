"""Symbols that specs and code bring: a name as written, a meaning, a LaTeX form that is plain math.

A name becomes a `SymbolInfo` only if it is an ASCII identifier (so that `--set NAME=...` can bind
it) of at most `MAX_NAME` characters, not a Python keyword and not a dunder. Base names (`C_in`,
`t`, `k`, ...) keep their registry LaTeX and domain; others get `n_{\\mathrm{out}}`-style LaTeX.
"""

from __future__ import annotations

import keyword
import re

from ..symbols import BASE, SymbolInfo

MAX_NAME = 64
ORDER_FIRST, ORDER_LAST = -1_000_000, 1_000_000  # the order of C_in (first) and H, W (last) among the symbols
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
GREEK = frozenset("""alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma
    tau upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega""".split())


def name_problem(name: str) -> str | None:
    """Why `name` cannot be a symbol, or None."""
    if len(name) > MAX_NAME:
        return f"name too long for a symbol (over {MAX_NAME} characters)"
    if not IDENTIFIER.match(name):
        return f"{name!r} cannot be a symbol: symbol names are ASCII letters, digits and _"
    if keyword.iskeyword(name) or (name.startswith("__") and name.endswith("__")):
        return f"{name!r} cannot be a symbol"
    return None


def _piece(text: str) -> str:
    if text in GREEK:
        return "\\" + text
    if len(text) == 1:
        return text
    return r"\mathit{" + text + "}"


def latex_of(name: str) -> str:
    """`k` -> `k`, `n_out` -> `n_{\\mathrm{out}}`, `expand` -> `\\mathit{expand}`, `beta` -> `\\beta`."""
    if name in BASE:
        return BASE[name].latex
    main, _, rest = name.strip("_").partition("_")
    main = main or "x"
    pieces = [p for p in rest.split("_") if p]
    if not pieces:
        return _piece(main)
    subscript = ",".join(_piece(p) if p in GREEK else p if p.isdigit() else r"\mathrm{" + p + "}" for p in pieces)
    return f"{_piece(main)}_{{{subscript}}}"


def symbol_info(name: str, meaning: str, domain: str = "positive integer") -> SymbolInfo:
    """The symbol for `name` (already checked with `name_problem`); base names keep their domain."""
    if name in BASE:
        return SymbolInfo(name, meaning or BASE[name].meaning, BASE[name].latex, BASE[name].domain)
    return SymbolInfo(name, meaning, latex_of(name), domain)
