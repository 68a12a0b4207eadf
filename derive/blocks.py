"""The block model: layers wired into a graph and grouped into named parts.

A `Block` is what every input (the built-in library, a TOML spec, pasted code) turns into and what
the derivation reads. Nodes come in order; a node without explicit inputs takes the previous node's
output (the block's input for the first). A node may carry a `condition` (a sympy boolean in the
block's symbols): it exists only where the condition holds, e.g. a residual add only for `s = 1` and
`C_in = C_out`. Once the sizes are bound, a false condition drops the node and whatever read from it
reads its first input instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping

import sympy

from .layers import Layer, Shape
from .symbols import SymbolTable

INPUT = "input"


RELATIONS = {"=": lambda d: d.is_zero, "≠": lambda d: d.is_nonzero}


@dataclass(frozen=True)
class Condition:
    """A conjunction of clauses `lhs = rhs` / `lhs ≠ rhs` (sympy's relationals are needlessly slow here)."""

    clauses: tuple[tuple[sympy.Expr, str, sympy.Expr], ...]

    @classmethod
    def where(cls, lhs, relation: str, rhs) -> "Condition":
        return cls(((sympy.sympify(lhs), relation, sympy.sympify(rhs)),))

    def __and__(self, other: "Condition") -> "Condition":
        return Condition(self.clauses + other.clauses)

    def bind(self, values: Mapping[sympy.Symbol, sympy.Expr]) -> "Condition | bool":
        """True or False once decided; otherwise the clauses still open, with the values put in."""
        open_clauses = []
        for lhs, relation, rhs in self.clauses:
            lhs, rhs = lhs.xreplace(values), rhs.xreplace(values)
            holds = RELATIONS[relation](lhs - rhs)
            if holds is False:
                return False
            if holds is None:
                open_clauses.append((lhs, relation, rhs))
        return Condition(tuple(open_clauses)) if open_clauses else True


@dataclass(frozen=True)
class Node:
    name: str
    layer: Layer
    part: str | None = None
    inputs: tuple[str, ...] = ()
    condition: Condition | None = None


@dataclass(frozen=True)
class Block:
    name: str
    title: str
    symbols: SymbolTable
    input: Shape
    nodes: tuple[Node, ...]
    defaults: Mapping[str, sympy.Expr] = field(default_factory=dict)
    options: Mapping[str, object] = field(default_factory=dict)  # the structural choices made


@dataclass(frozen=True)
class Target:
    """What a target name or file resolves to, before sizes and options are known."""

    name: str
    title: str
    symbols: SymbolTable
    defaults: Mapping[str, int]
    options: Mapping[str, bool]
    builder: Callable[..., Block]
    aliases: Mapping[str, str] = field(default_factory=dict)  # other names people use for parts

    def build(self, options: Mapping[str, bool]) -> Block:
        return self.builder(self.symbols, options, name=self.name, title=self.title, defaults=self.defaults)
