"""The values the interpreter holds besides numbers (sympy), strings, booleans, `None`, tuples and dicts,
and the signals that leave an evaluation early.

A name the interpreter does not know is a `Ref` (a spelling such as `keras.layers.Conv2D`) when called;
a call it does not follow gives an `Unknown`, an error only where a value is needed. The user's own
functions and classes are `Function`s and `ClassValue`s; framework modules add values of their own.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from ...blocks import Condition
from ...records import frozen
from .binder import Signature
from .scopes import Scope


@frozen
class Ref:
    """Something named but not held: a module, a class or a function of a library, by its spelling."""

    path: str

    @property
    def last(self) -> str:
        return self.path.rpartition(".")[2]


@frozen
class Unknown:
    """The result of a call that is not followed; an error only where a value is needed."""

    what: str
    where: str


@frozen
class Scalar(Unknown):
    """A number derive does not compute (`math.sqrt(dim)`): unknown, but a number, not a tensor."""


@dataclass
class ListValue:
    """A Python list (mutable: `layers.append(...)`); `depth`: how many branches on sizes were open when
    it was made (a list made inside a branch may take anything; one from before, only what the branch made)."""

    items: list
    depth: int = 0


@frozen
class Function:
    """A function of the user's; its default values were read where it was defined, as Python does."""

    node: ast.FunctionDef
    scope: Scope
    signature: Signature
    owner: "ClassValue | None" = None


@dataclass
class ClassValue:
    node: ast.ClassDef
    bases: tuple
    scope: Scope
    methods: dict = field(default_factory=dict)
    attributes: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.node.name


class OpenKwargs(dict):
    """The `**kwargs` of the entry, as passed on: empty, but a parameter it reaches that takes its default
    (`ResNet(..., num_classes=1000)` called with `**kwargs`) takes `opener(name, default, node)` instead,
    as if the entry had that parameter itself (a symbol with that default, an option)."""

    def __init__(self, items: dict, opener: Any) -> None:
        super().__init__(items)
        self.opener = opener

    def like(self, items: dict) -> "OpenKwargs":
        return OpenKwargs(items, self.opener)


@frozen
class Method:
    """A bound method of a value the interpreter knows (`layers.append`, `"a{}".format`)."""

    target: Any
    name: str


@frozen
class Super:
    cls: ClassValue
    instance: Any


@frozen
class Pending:
    """A test that depends on symbols (`stride == 1 and inp == oup`): fine to keep, an error (or a
    default value's `Needs`) only where the code branches on it."""

    symbols: frozenset
    text: str
    where: str
    clauses: tuple | None = None  # (lhs, "=" or "≠", rhs)... when it is a conjunction of equalities


@frozen
class Branch:
    """An `if` on sizes that is followed both ways: what runs in it exists only where `condition` holds."""

    condition: Condition
    scope: Scope


@frozen
class RangeValue:
    start: int
    stop: int
    step: int

    def values(self) -> range:
        return range(self.start, self.stop, self.step)


@frozen
class Deferred:
    """A default value evaluated when the function is called (it names something defined later)."""

    node: ast.expr


def negated(clauses: tuple) -> Condition:
    """The condition that one equality (or inequality) does not hold."""
    (lhs, relation, rhs), = clauses
    return Condition(((lhs, "≠" if relation == "=" else "=", rhs),))


class NotConditional(Exception):
    """The branch does more than make layers: it cannot be a condition on them."""


class Needs(Exception):
    """A pass needs the default values of these symbols as numbers (a loop count, a condition)."""

    def __init__(self, names: frozenset[str], steps: int = 0) -> None:
        super().__init__(", ".join(sorted(names)))
        self.names = names
        self.steps = steps  # spent so far: the next pass continues the count


class Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class Break(Exception):
    pass


class Continue(Exception):
    pass


class Open(Exception):
    """A comparison that depends on symbols (becomes a `Pending` value)."""

    def __init__(self, symbols: frozenset) -> None:
        super().__init__()
        self.symbols = symbols
