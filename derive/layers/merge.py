"""Layers that join two or more inputs: add, concatenate, and the element-wise multiply, subtract,
average, maximum and minimum. No parameters."""

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


def broadcast(op: str, inputs: tuple[Shape, ...]) -> Shape:
    """The shape of an element-wise join, as Keras broadcasts it: sizes aligned from the channels back,
    each the same in every input or 1 in all but one (a vector joined with an image is the image's)."""
    longest = max(inputs, key=lambda shape: len(shape.dims))
    dims = list(longest.dims)
    for shape in inputs:
        offset = len(dims) - len(shape.dims)
        for i, size in enumerate(shape.dims):
            have = dims[offset + i]
            if size == have or size == ONE:
                continue
            if have == ONE:
                dims[offset + i] = size
            elif (size - have).is_nonzero:
                raise InputError(f"{op} needs inputs of the same shape, or 1 where they differ")
    return Shape(dims[-1], tuple(dims[:-1]))


class Elementwise(Layer):
    """What the element-wise joins share: any number of inputs (at least two), broadcast."""

    family: ClassVar[str] = "merge"
    explain: ClassVar[str | None] = "elementwise"
    arity: ClassVar[int] = 0

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return broadcast(self.op, inputs)


@frozen
class Multiply(Elementwise):
    """Element-wise product, broadcasting sizes of 1 (squeeze-and-excitation's `x · s`, with `s` of shape
    1×1×C). No parameters; not counted as multiply-accumulates."""

    op: ClassVar[str] = "multiply"


@frozen
class Subtract(Elementwise):
    """The first input minus the second (exactly two), element-wise: no parameters."""

    op: ClassVar[str] = "subtract"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        if len(inputs) > 2:  # (one: a join counted on one shape, `Stated`)
            raise InputError(f"subtract takes exactly two inputs, got {len(inputs)}")
        return broadcast(self.op, inputs)


@frozen
class Average(Elementwise):
    """The element-wise mean of its inputs: no parameters."""

    op: ClassVar[str] = "average"


@frozen
class Maximum(Elementwise):
    """The element-wise largest of its inputs: no parameters."""

    op: ClassVar[str] = "maximum"


@frozen
class Minimum(Elementwise):
    """The element-wise smallest of its inputs: no parameters."""

    op: ClassVar[str] = "minimum"


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
    *(kind(cls, spec(cls.op, (), lambda a, cls=cls: cls()),
           keras(cls.__name__, (), lambda a, cls=cls: cls(), functional=cls.op))
      for cls in (Multiply, Subtract, Average, Maximum, Minimum)),
)
