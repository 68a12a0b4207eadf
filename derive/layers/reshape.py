"""Parameter-free layers that pad, drop or flatten: `ZeroPadding2D`, `Dropout`, `Flatten`."""

from __future__ import annotations

from dataclasses import field
from typing import ClassVar

import sympy

from ..records import frozen
from .base import ONE, ZERO, Expr, Layer, Shape, as_pair, need_image
from .spelling import Arguments, channels_last, keras, kind, spec, torch


@frozen
class ZeroPadding2D(Layer):
    """Zeros around the image: ((top, bottom), (left, right)). Keras `ZeroPadding2D`, PyTorch `ZeroPad2d`."""

    op: ClassVar[str] = "zero_padding2d"
    family: ClassVar[str] = "other"  # no parameters, but not (yet) in the parameter-free explanation
    padding: tuple[tuple[Expr, Expr], tuple[Expr, Expr]] = ((ONE, ONE), (ONE, ONE))

    def __post_init__(self) -> None:
        object.__setattr__(self, "padding", tuple(as_pair(side) for side in self.padding))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_image(self, inputs[0])
        (top, bottom), (left, right) = self.padding
        h, w = inputs[0].spatial
        return Shape(inputs[0].channels, (h + top + bottom, w + left + right))


@frozen
class Dropout(Layer):
    """Dropout: no parameters, shape unchanged."""

    op: ClassVar[str] = "dropout"
    family: ClassVar[str] = "parameter_free"
    rate: Expr = field(default=ZERO)


@frozen
class Flatten(Layer):
    """An image to a vector of h·w·C features."""

    op: ClassVar[str] = "flatten"
    family: ClassVar[str] = "parameter_free"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return Shape(inputs[0].positions * inputs[0].channels)


# -- spellings ------------------------------------------------------------------------------------
def _keras_zero_padding(args: Arguments) -> Layer:
    channels_last(args)
    value = args.get("padding", sympy.Integer(1))
    items = args.sequence(value)
    if items is not None and len(items) == 2 and all(args.sequence(v) is not None for v in items):
        sides = tuple(args.sequence(v) for v in items)
        return ZeroPadding2D(tuple((args.as_size("padding", a, zero=True), args.as_size("padding", b, zero=True))
                                   for a, b in sides))  # type: ignore[misc]
    top, left = args.pair("padding", zero=True)
    return ZeroPadding2D(((top, top), (left, left)))


def _torch_zero_pad(args: Arguments) -> Layer:
    value = args.get("padding")
    items = args.sequence(value)
    if items is not None and len(items) == 4:
        left, right, top, bottom = (args.as_size("padding", v, zero=True) for v in items)
        return ZeroPadding2D(((top, bottom), (left, right)))
    if items is not None:
        raise args.error("padding", "padding must be one number or (left, right, top, bottom)")
    side = args.as_size("padding", value, zero=True)
    return ZeroPadding2D(((side, side), (side, side)))


def _spec_zero_padding(args: Arguments) -> Layer:
    sides = args.pair("padding", zero=True)
    return ZeroPadding2D(((sides[0], sides[0]), (sides[1], sides[1])))


def _keras_flatten(args: Arguments) -> Layer:
    channels_last(args)
    return Flatten()


def _torch_flatten(args: Arguments) -> Layer:
    start, end = args.number("start_dim", sympy.Integer(1)), args.number("end_dim", sympy.Integer(-1))
    if start != 1 or end != -1:
        raise args.error("start_dim", "only Flatten(start_dim=1, end_dim=-1) is supported")
    return Flatten()


KINDS = (
    kind(ZeroPadding2D,
         spec("zero_padding2d", ("padding",), _spec_zero_padding, required=("padding",)),
         keras("ZeroPadding2D", ("padding", "data_format"), _keras_zero_padding),
         torch("ZeroPad2d", ("padding",), _torch_zero_pad, factory=False, spatial=2)),
    kind(Dropout,
         spec("dropout", ("rate",), lambda a: Dropout(a.rate("rate")), required=("rate",)),
         keras("Dropout", ("rate",), lambda a: Dropout(a.rate("rate"))),
         keras("SpatialDropout2D", ("rate", "data_format"), lambda a: Dropout(a.rate("rate"))),
         torch("Dropout", ("p", "inplace"), lambda a: Dropout(a.rate("p", sympy.Rational(1, 2))), factory=False),
         torch("Dropout2d", ("p", "inplace"), lambda a: Dropout(a.rate("p", sympy.Rational(1, 2))), factory=False)),
    kind(Flatten,
         spec("flatten", (), lambda a: Flatten()),
         keras("Flatten", ("data_format",), _keras_flatten),
         torch("Flatten", ("start_dim", "end_dim"), _torch_flatten, factory=False)),
)
