"""The shape a Keras block starts from: `keras.Input(shape=...)` read, or open symbols."""

from __future__ import annotations

import ast

from ...layers import Shape
from ..names import ORDER_FIRST, ORDER_LAST
from ..python import Interpreter
from .sequences import token_ids
from .shapes import keras_input


def input_shape(interp: Interpreter, shape: tuple, node: ast.AST) -> Shape:
    """`keras.Input(shape=...)` of any rank: numbers become the defaults of `H`, `W`, `C_in` (`T`, `D`, ...:
    `shapes.keras_input`); None leaves them open."""
    ids = token_ids(interp, shape, node)
    return ids if ids is not None else keras_input(interp, shape, node)


def open_input(interp: Interpreter) -> Shape:
    c_in = interp.symbols.make("C_in", "", None, order=ORDER_FIRST)
    return Shape(c_in, (interp.symbols.make("H", "", None, order=ORDER_LAST),
                        interp.symbols.make("W", "", None, order=ORDER_LAST + 1)))
