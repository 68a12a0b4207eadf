"""The block model: layers wired into a graph and grouped into named parts.

A `Block` is what every input (the built-in library, a TOML spec, pasted code) turns into and what
the derivation reads. Nodes come in order; a node without explicit inputs takes the previous node's
output (the block's input for the first). A node may carry a `condition` (a sympy boolean in the
block's symbols): it exists only where the condition holds, e.g. a residual add only for `s = 1` and
`C_in = C_out`. Once the sizes are bound, a false condition drops the node and whatever read from it
reads its first input instead.
"""

from __future__ import annotations

from dataclasses import field
from typing import Callable, Mapping

import sympy

from .layers import Layer, Shape
from .records import frozen
from .symbols import SymbolTable

INPUT = "input"


RELATIONS = {"=": lambda d: d.is_zero, "≠": lambda d: d.is_nonzero}


@frozen
class Condition:
    """A conjunction of clauses `lhs = rhs` / `lhs ≠ rhs` (sympy's relationals are needlessly slow here),
    or with `either` a disjunction (`s ≠ 1 or C_in ≠ C_out`: a ResNet's projection shortcut)."""

    clauses: tuple[tuple[sympy.Expr, str, sympy.Expr], ...]
    either: bool = False

    @classmethod
    def where(cls, lhs, relation: str, rhs) -> "Condition":
        return cls(((sympy.sympify(lhs), relation, sympy.sympify(rhs)),))

    def __and__(self, other: "Condition") -> "Condition":
        if self.either or other.either:
            raise ValueError("a conjunction of disjunctions is not supported")
        return Condition(self.clauses + other.clauses)

    def __or__(self, other: "Condition") -> "Condition":
        for c in (self, other):
            if len(c.clauses) > 1 and not c.either:
                raise ValueError("a disjunction of conjunctions is not supported")
        return Condition(self.clauses + other.clauses, either=True)

    def bind(self, values: Mapping[sympy.Symbol, sympy.Expr]) -> "Condition | bool":
        """True or False once decided; otherwise the clauses still open, with the values put in."""
        open_clauses = []
        for lhs, relation, rhs in self.clauses:
            lhs, rhs = lhs.xreplace(values), rhs.xreplace(values)
            holds = RELATIONS[relation](lhs - rhs)
            if holds is self.either:  # one false clause decides a conjunction, one true a disjunction
                return self.either
            if holds is None:
                open_clauses.append((lhs, relation, rhs))
        return Condition(tuple(open_clauses), self.either) if open_clauses else not self.either


@frozen
class Node:
    """One layer of a block: its name, what it reads, the part it belongs to, when it is there."""

    name: str
    layer: Layer
    part: str | None = None
    inputs: tuple[str, ...] = ()
    condition: Condition | None = None
    repeat: int = 1  # how many identical copies this node stands for (a network's repeated block)


@frozen
class Stage:
    """A part of a network: a first block, then `repeat − 1` copies of one block that keeps its shape.

    The copies are derived once: their nodes (`rest`) are in the block once, each marked
    `Node.repeat = repeat − 1`, so every count of the stage is n·P(block) + (P(first) − P(block)).
    `table` is the stage's row of the published table (t, c, n, s, ...), for display.
    """

    name: str
    repeat: int
    first: tuple[str, ...]
    rest: tuple[str, ...] = ()
    table: Mapping[str, object] = field(default_factory=dict)


@frozen
class Block:
    """A block (or network) as a graph of nodes over an input shape, in named symbols."""

    name: str
    title: str
    symbols: SymbolTable
    input: Shape
    nodes: tuple[Node, ...]
    defaults: Mapping[str, sympy.Expr] = field(default_factory=dict)
    options: Mapping[str, object] = field(default_factory=dict)  # the structural choices made
    stages: tuple[Stage, ...] = ()  # a network's stages (its parts), empty for a block


@frozen
class Target:
    """What a target name or file resolves to, before sizes and options are known."""

    name: str
    title: str
    symbols: SymbolTable
    defaults: Mapping[str, int]
    options: Mapping[str, bool]
    builder: Callable[..., Block]
    aliases: Mapping[str, str] = field(default_factory=dict)  # other names people use for parts
    # defaults that depend on the options (a network's channel widths: each framework rounds its own way)
    derived_defaults: Callable[[Mapping[str, bool]], Mapping[str, object]] | None = None

    def defaults_for(self, options: Mapping[str, bool]) -> Mapping[str, object]:
        if self.derived_defaults is None:
            return self.defaults
        return {**self.defaults, **self.derived_defaults(options)}

    def build(self, options: Mapping[str, bool]) -> Block:
        return self.builder(self.symbols, options, name=self.name, title=self.title, defaults=self.defaults)
