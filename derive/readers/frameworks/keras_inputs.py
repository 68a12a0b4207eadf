"""The shape a Keras block starts from: `keras.Input(shape=...)` read, or open symbols."""

from __future__ import annotations

import ast

from ...layers import Shape
from ..python import Interpreter
from .sequences import token_ids
from .shapes import keras_input


def input_shape(interp: Interpreter, shape: tuple, node: ast.AST) -> Shape:
    """`keras.Input(shape=...)` of any rank: numbers become the defaults of `H`, `W`, `C_in` (`T`, `D`, ...:
    `shapes.keras_input`); None leaves them open."""
    ids = token_ids(interp, shape, node)
    return ids if ids is not None else keras_input(interp, shape, node)


def open_input(interp: Interpreter, rank: int | None = None) -> Shape:
    """An input nothing states: (H, W, C_in), or of `rank` spatial axes ((T, C_in), (D, H, W, C_in)), open."""
    return keras_input(interp, (None,) * (3 if rank is None else rank + 1), interp.tree)
