"""What a framework adapter is: the spellings that are its evidence, the interpreter hooks of one
pass (`pycode.Framework`), and one hook that assembles the block from what the pass made."""

from __future__ import annotations

from typing import Any, Mapping, Protocol

from ...blocks import Node
from ...layers import Shape
from ..pycode import ClassValue, Framework, Function, Interpreter
from ..source import Source


class Host(Protocol):
    """What an adapter may ask of the reading that runs it (`code.Reading`)."""

    source: Source

    def entry(self, interp: Interpreter) -> Function | ClassValue: ...

    def call_entry(self, interp: Interpreter, function: Function, options: Mapping[str, bool],
                   declared: dict[str, bool], tensor: Any, bound: Any = None, title: str | None = None) -> Any: ...

    def first_param(self, function: Function) -> str: ...


class Adapter:
    """One framework's side of reading code (Keras, PyTorch)."""

    name: str
    evidence: str  # what its spellings are, in a message ("Keras layers")

    def is_spelling(self, path: str) -> bool:
        """Whether a dotted call (`nn.Conv2d`, `layers.Dense`) is evidence that the code is this framework."""
        raise NotImplementedError

    def makes_layers(self, path: str) -> bool:
        """Whether a call makes a layer (for finding the functions and classes that build the block)."""
        raise NotImplementedError

    def framework(self) -> Framework:
        """The interpreter hooks for one pass, fresh."""
        raise NotImplementedError

    def block(self, host: Host, interp: Interpreter, framework: Any, options: Mapping[str, bool],
              declared: dict[str, bool]) -> tuple[str, Shape, tuple[Node, ...]]:
        """The title, input and nodes of the block, after the module has run."""
        raise NotImplementedError


