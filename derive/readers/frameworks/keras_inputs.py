"""The shape a Keras block starts from: `keras.Input(shape=...)` read, or open symbols."""

from __future__ import annotations

import ast

import sympy

from ...layers import Shape
from ..names import ORDER_FIRST, ORDER_LAST
from ..python import Interpreter


def input_shape(interp: Interpreter, shape: tuple, node: ast.AST) -> Shape:
    """`keras.Input(shape=...)`: numbers become the defaults of H, W and C_in; None leaves them open."""
    names = (("H", ORDER_LAST), ("W", ORDER_LAST + 1), ("C_in", ORDER_FIRST)) if len(shape) == 3 else (
        ("C_in", ORDER_FIRST),)
    dims = []
    for (name, order), value in zip(names, shape):
        if value is None:
            dims.append(interp.symbols.make(name, "", None, order=order))
        elif isinstance(value, sympy.Expr) and value.is_Integer and value > 0:
            dims.append(interp.symbols.make(name, "", value, order=order))
        elif isinstance(value, sympy.Expr) and not value.is_Number:
            dims.append(value)
        else:
            raise interp.error(f"an input size must be a positive whole number or None, not "
                               f"{interp.kind(value)}", node)
    return Shape(dims[-1], tuple(dims[:-1]))


def open_input(interp: Interpreter) -> Shape:
    c_in = interp.symbols.make("C_in", "", None, order=ORDER_FIRST)
    return Shape(c_in, (interp.symbols.make("H", "", None, order=ORDER_LAST),
                        interp.symbols.make("W", "", None, order=ORDER_LAST + 1)))
