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
from functools import cached_property
from typing import Callable, Mapping

import sympy

from .errors import InputError
from .layers import Layer, Shape, Term
from .records import frozen
from .symbols import SymbolTable

INPUT = "input"


def nonzero(d: sympy.Expr) -> bool | None:
    """Whether `d` is never 0 (True), always 0 (False) or either (None). `size − k`, a positive whole
    size against a number, is decided at once (0 exactly when k is a whole number ≥ 1); sympy's
    assumptions, about a millisecond a question, decide the rest."""
    if d.is_Number:
        return d != 0
    if d.is_Add and len(d.args) == 2:
        constant, term = d.args  # sympy puts the number first
        coefficient, size = term.as_coeff_Mul()
        if constant.is_Rational and size.is_Symbol and size.is_integer and size.is_positive:
            root = -constant / coefficient
            return None if root.is_Integer and root >= 1 else True
    return d.is_nonzero


RELATIONS = {"=": lambda d: None if (n := nonzero(d)) is None else not n, "≠": nonzero}


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
    # how many identical copies this node stands for (a network's repeated block): a number, or a formula in
    # the block's symbols (`n_3 − 1`: a stage's block count as a symbol), whose value the bound sizes give
    repeat: int | sympy.Expr = 1


@frozen
class CodeWarning:
    """Code that its framework would refuse (an add of (H − 2)×(W − 2)×C and H×W×C), counted on and said:
    where (FILE:LINE:COL), the line and column, the message, and the layer it concerns."""

    where: str
    line: int | None
    column: int | None
    message: str
    layer: str | None = None
    # pairs of sizes (a, b): the warning holds once the bound values make one pair differ (n_out against
    # C_in, unknown until bound); empty: it always holds
    when: tuple[tuple[sympy.Expr, sympy.Expr], ...] = ()

    def holds(self, values: Mapping[sympy.Symbol, sympy.Expr]) -> bool:
        if not self.when:
            return True
        for a, b in self.when:
            d = (a - b).xreplace(values)
            if d.is_Number and d != 0:
                return True
        return False


@frozen
class Stage:
    """A part of a network: a first block, then `repeat − 1` copies of one block that keeps its shape.

    The copies are derived once: their nodes (`rest`) are in the block once, each marked
    `Node.repeat = repeat − 1`, so every count of the stage is n·P(block) + (P(first) − P(block)).
    `table` is the stage's row of the published table (t, c, n, s, ...), for display. `repeat` may be a
    symbol (EfficientNet's ⌈d·n⌉ blocks): the copies' nodes then exist only where it is not 1 (their
    condition) and count `repeat − 1` times, its value once the sizes are bound.
    """

    name: str
    repeat: int | sympy.Expr
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
    warnings: tuple[CodeWarning, ...] = ()  # what the code's framework would refuse, counted on
    framework: str | None = None  # the framework of pasted code ("keras", "torch"); None for a spec or the library


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
    published: bool = False  # its default options are the published architecture (the built-in library)

    def defaults_for(self, options: Mapping[str, bool]) -> Mapping[str, object]:
        if self.derived_defaults is None:
            return self.defaults
        return {**self.defaults, **self.derived_defaults(options)}

    def build(self, options: Mapping[str, bool]) -> Block:
        return self.builder(self.symbols, options, name=self.name, title=self.title, defaults=self.defaults)


# -- the walk: the graph followed once at bound sizes ---------------------------------------------
@frozen
class Step:
    """One present layer with its wiring resolved and its symbolic figures."""

    node: Node
    sources: tuple[str, ...]  # the names of the nodes it reads (`input` for the block's), dropped ones read through
    inputs: tuple[Shape, ...]
    output: Shape
    terms: tuple[Term, ...]
    condition: Condition | None  # what is still unknown about its presence, or None

    @cached_property
    def macs(self) -> sympy.Expr:
        """Worked out when first asked for, as every MAC figure is (see `derivation.Later`)."""
        return self.node.layer.macs(self.inputs, self.output)

    @cached_property
    def attention_macs(self) -> sympy.Expr:
        """Attention's matrix products (QKᵀ, the weighted sum of V): zero but for attention layers."""
        return self.node.layer.attention_macs(self.inputs, self.output)


def walk(block: Block, values: Mapping[sympy.Symbol, sympy.Expr]) -> tuple[Step, ...]:
    """The present layers in order: nodes whose condition is false for `values` dropped (what read them
    reads their first input), shapes propagated, every layer's terms asked for, all in the symbols."""
    shapes: dict[str, Shape] = {INPUT: block.input}
    alias: dict[str, str] = {}  # dropped node -> the node read in its place
    previous = INPUT
    steps = []
    for node in block.nodes:
        sources = tuple(alias.get(name, name) for name in node.inputs) or (previous,)
        condition = None if node.condition is None else node.condition.bind(values)
        if condition is False:
            alias[node.name] = sources[0]
            previous = sources[0]
            continue
        if condition is True:
            condition = None
        missing = [name for name in sources if name not in shapes]
        if missing:
            raise InputError(f"reads {missing[0]!r}, which is not defined before it", node.name)
        inputs = tuple(shapes[name] for name in sources)
        if node.layer.arity == 0 and len(inputs) < 2:
            raise InputError(f"{node.layer.op} needs at least two inputs", node.name)
        try:
            output = node.layer.output(inputs)
            terms = node.layer.terms(inputs)
        except InputError as error:
            raise error.at(node.name) from None
        shapes[node.name] = output
        previous = node.name
        steps.append(Step(node, sources, inputs, output, terms, condition))
    return tuple(steps)
