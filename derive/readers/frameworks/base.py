"""What a framework adapter is: the spellings that are its evidence, the interpreter hooks of one
pass (`python.Framework`), and one hook that assembles the block from what the pass made."""

from __future__ import annotations

import ast
from abc import ABC, abstractmethod
from typing import Any, Callable, Mapping, Protocol

from ...blocks import CodeWarning, Node
from ...layers import Shape
from ..python import ClassValue, Framework, Function, Interpreter
from ..source import Source


class Host(Protocol):
    """What an adapter may ask of the reading that runs it (`code.Reading`)."""

    source: Source

    def entry(self, interp: Interpreter) -> Function | ClassValue: ...

    def call_entry(self, interp: Interpreter, function: Function, options: Mapping[str, bool],
                   declared: dict[str, bool], tensor: Any, bound: Any = None, title: str | None = None) -> Any: ...

    def first_param(self, function: Function) -> str: ...


class Adapter(ABC):
    """One framework's side of reading code (Keras, PyTorch)."""

    evidence: str  # what its spellings are, in a message ("Keras layers")
    is_spelling: Callable[[str], bool]  # whether a dotted call (`nn.Conv2d`) is evidence of this framework
    makes_layers: Callable[[str], bool]  # whether a call makes a layer (to find what builds the block)
    framework: Callable[[], Framework]  # the interpreter hooks for one pass, fresh

    @abstractmethod
    def block(self, host: Host, interp: Interpreter, framework: Any, options: Mapping[str, bool],
              declared: dict[str, bool]) -> tuple[str, Shape, tuple[Node, ...]]:
        """The title, input and nodes of the block, after the module has run."""


MAX_WARNINGS = 20  # per pass; more are summed up in the last one


def code_warning(interp: Interpreter, message: str, node: ast.AST, layer: str | None) -> CodeWarning:
    """A warning at `node` (FILE:LINE:COL), about `layer` (None: the whole model)."""
    line = getattr(node, "lineno", None)
    column = None if line is None else interp.source.char_col(line, getattr(node, "col_offset", 0))
    return CodeWarning(interp.where(node), line, column, message, layer)
