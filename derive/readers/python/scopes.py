"""Where values live: the variables of a module or a call (`Scope`), and the symbols a pass creates
for the sizes the code leaves open (`Symbols`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy

from ...symbols import make_symbol


class Scope:
    """Variables of a module or a function call; reads fall through to the enclosing scope."""

    def __init__(self, parent: "Scope | None" = None) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent

    def lookup(self, name: str) -> tuple[bool, Any]:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return True, scope.vars[name]
            scope = scope.parent
        return False, None


@dataclass
class SymbolRecord:
    name: str
    meaning: str
    default: sympy.Expr | None
    domain: str
    order: int


class Symbols:
    """The symbols one pass creates, with their defaults; names in `fixed` are read as their default."""

    def __init__(self, fixed: frozenset[str]) -> None:
        self.records: dict[str, SymbolRecord] = {}
        self.fixed = fixed

    def make(self, name: str, meaning: str, default: sympy.Expr | None = None,
             domain: str = "positive integer", order: int | None = None) -> sympy.Expr:
        if name in self.fixed and default is not None:
            return default
        record = self.records.get(name)
        if record is None:
            record = SymbolRecord(name, meaning, default, domain, len(self.records) if order is None else order)
            self.records[name] = record
        return make_symbol(name, record.domain)

    def default_of(self, symbol: sympy.Symbol) -> sympy.Expr | None:
        record = self.records.get(symbol.name)
        return None if record is None else record.default
