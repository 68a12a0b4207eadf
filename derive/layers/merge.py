"""Layers that join two or more inputs: add, concatenate, multiply. No parameters."""

from __future__ import annotations

from typing import ClassVar

import sympy

from ..errors import InputError
from ..records import frozen
from .base import ONE, Layer, Shape
from .spelling import Arguments, keras, kind, spec


@frozen
class Add(Layer):
    """Element-wise sum of inputs of one shape (a residual connection): no parameters."""

    op: ClassVar[str] = "add"
    family: ClassVar[str] = "merge"
    explain: ClassVar[str | None] = "add"
    arity: ClassVar[int] = 0  # any number, at least two

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        first = inputs[0]
        for other in inputs[1:]:
            if any((a - b).is_nonzero for a, b in zip(first.dims, other.dims)) or len(first.dims) != len(other.dims):
                raise InputError("add needs inputs of the same shape")
        return first


@frozen
class Concatenate(Layer):
    """Joins along the channel axis."""

    op: ClassVar[str] = "concatenate"
    family: ClassVar[str] = "parameter_free"  # explained with pooling, dropout and flatten (add has its own)
    arity: ClassVar[int] = 0

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        first = inputs[0]
        for other in inputs[1:]:
            if len(other.spatial) != len(first.spatial) or any(
                    (a - b).is_nonzero for a, b in zip(first.spatial, other.spatial)):
                raise InputError("concatenate needs inputs of the same height and width")
        return Shape(sympy.Add(*(shape.channels for shape in inputs)), inputs[0].spatial)


@frozen
class Multiply(Layer):
    """Element-wise product, broadcasting the later inputs over the first (squeeze-and-excitation's
    `x · s`, with `s` of shape 1×1×C). No parameters; not counted as multiply-accumulates."""

    op: ClassVar[str] = "multiply"
    family: ClassVar[str] = "merge"
    arity: ClassVar[int] = 0

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        first = inputs[0]
        for other in inputs[1:]:
            pairs = [(other.channels, first.channels), *zip(other.spatial, first.spatial)]
            if len(other.spatial) != len(first.spatial) or any(a != ONE and (a - b).is_nonzero for a, b in pairs):
                raise InputError("multiply needs inputs of the same shape, or 1 where they differ")
        return first


# -- spellings ------------------------------------------------------------------------------------
def _keras_concatenate(args: Arguments) -> Layer:
    axis = args.get("axis", sympy.Integer(-1))
    if not (isinstance(axis, sympy.Expr) and axis == -1):
        raise args.error("axis", "only axis=-1 (the channels) is supported")
    return Concatenate()


KINDS = (
    kind(Add, spec("add", (), lambda a: Add()), keras("Add", (), lambda a: Add(), functional="add")),
    kind(Concatenate, spec("concatenate", (), lambda a: Concatenate()),
         keras("Concatenate", ("axis",), _keras_concatenate, functional="concatenate")),
    kind(Multiply),
)
