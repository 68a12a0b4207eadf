"""Parameter-free layers that pad, drop, flatten or lay values out anew: `ZeroPadding2D`, `Dropout`,
`Flatten`, `Reshape` (and `nn.Unflatten`), `Permute`, `RepeatVector`."""

from __future__ import annotations

from dataclasses import field
from typing import Any, ClassVar

import sympy

from ..errors import InputError
from ..records import frozen
from .axes import ChannelsFirst, channels_first
from .base import ONE, ZERO, Expr, Layer, Shape, as_pair, check_divisible, check_fits, need_rank
from .spelling import Arguments, keras, kind, spec, torch


@frozen
class ZeroPadding2D(Layer):
    """Zeros around the image: ((top, bottom), (left, right)). Keras `ZeroPadding2D`, PyTorch `ZeroPad2d`.

    The other ranks (`resize.py`) share it: (before, after) along each of `rank` axes, added (`sign` 1)
    or, for cropping, taken away (`sign` −1)."""

    op: ClassVar[str] = "zero_padding2d"
    family: ClassVar[str] = "other"  # no parameters, but not (yet) in the parameter-free explanation
    rank: ClassVar[int] = 2
    sign: ClassVar[int] = 1
    padding: tuple[tuple[Expr, Expr], ...] | None = None  # None: 1 on every side

    def __post_init__(self) -> None:
        sides = ((ONE, ONE),) * self.rank if self.padding is None else self.padding
        object.__setattr__(self, "padding", tuple(as_pair(side) for side in sides))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_rank(self, inputs[0], self.rank)
        return check_fits(inputs[0], Shape(inputs[0].channels, tuple(
            size + self.sign * (before + after) for size, (before, after) in zip(inputs[0].spatial, self.padding))))


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


def _shape_of(dims: tuple[Expr, ...]) -> Shape:
    return Shape(dims[-1], tuple(dims[:-1]))


@frozen
class Reshape(Layer):
    """Keras `Reshape(target_shape)` (and PyTorch's `nn.Unflatten` of a vector): the same values laid out
    as `target` (channels last), one size of which (`open`, its index) may be -1, whatever the rest leaves."""

    op: ClassVar[str] = "reshape"
    family: ClassVar[str] = "parameter_free"
    target: tuple[Expr, ...] = ()
    open: int | None = None

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        total = inputs[0].positions * inputs[0].channels
        known = sympy.Mul(*(d for i, d in enumerate(self.target) if i != self.open))
        if self.open is not None:
            check_divisible("the input's size", total, known, "the other target sizes")
            dims = tuple(total / known if i == self.open else d for i, d in enumerate(self.target))
        else:
            dims = self.target
            if total.is_Number and known.is_Number and total != known:
                raise InputError(f"cannot reshape {total} values into {' x '.join(str(d) for d in dims)}")
        return _shape_of(dims)

    @property
    def signature(self) -> str:
        return "→ " + "×".join("·" if i == self.open else str(d) for i, d in enumerate(self.target))


@frozen
class Permute(Layer):
    """Keras `Permute(dims)`: the input's axes reordered (numbered from 1, the batch left out)."""

    op: ClassVar[str] = "permute"
    family: ClassVar[str] = "parameter_free"
    order: tuple[int, ...] = (1,)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        dims = inputs[0].dims
        if sorted(self.order) != list(range(1, len(dims) + 1)):
            raise InputError(f"dims {self.order} must reorder the input's {len(dims)} axes, 1 to {len(dims)}")
        return _shape_of(tuple(dims[i - 1] for i in self.order))

    @property
    def signature(self) -> str:
        return "(" + ", ".join(str(i) for i in self.order) + ")"


@frozen
class RepeatVector(Layer):
    """Keras `RepeatVector(n)`: a vector of F features to a sequence of n copies, (n, F)."""

    op: ClassVar[str] = "repeat_vector"
    family: ClassVar[str] = "parameter_free"
    times: Expr = ONE

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_rank(self, inputs[0], 0)
        return Shape(inputs[0].channels, (self.times,))

    @property
    def signature(self) -> str:
        return f"×{self.times}"


# -- spellings ------------------------------------------------------------------------------------
def _keras_zero_padding(args: Arguments) -> Layer:
    if channels_first(args):
        return ChannelsFirst(_keras_zero_padding_last(args))
    return _keras_zero_padding_last(args)


def _keras_zero_padding_last(args: Arguments) -> Layer:
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
    channels_first(args)  # either layout: the same h·w·C features, in another order
    return Flatten()


def _target(args: Arguments, name: str, value: Any) -> tuple[tuple[Expr, ...], int | None]:
    """A target shape as written: sizes, and at most one -1 (its index)."""
    items = args.sequence(value)
    if not items:
        raise args.error(name, f"{name} must be a tuple of sizes")
    dims, open_ = [], None
    for index, item in enumerate(items):
        number = sympy.Integer(item) if isinstance(item, int) and not isinstance(item, bool) else item
        if isinstance(number, sympy.Expr) and number == -1 and open_ is None:
            open_ = index
            dims.append(sympy.Integer(-1))
        else:
            dims.append(args.as_size(name, item))
    return tuple(dims), open_


def _keras_reshape(args: Arguments) -> Layer:
    dims, open_ = _target(args, "target_shape", args.get("target_shape"))
    return Reshape(dims, open_)


def _permute(args: Arguments) -> Layer:
    items = args.sequence(args.get("dims"))
    if not items:
        raise args.error("dims", "dims must be a tuple of axis numbers, from 1")
    return Permute(tuple(int(args.as_size("dims", i)) for i in items))


def _torch_unflatten(args: Arguments) -> Layer:
    dim = args.number("dim")
    if dim not in (1, -1):
        raise args.error("dim", "only nn.Unflatten(1, ...) of a vector is supported")
    dims, open_ = _target(args, "unflattened_size", args.get("unflattened_size"))
    # PyTorch lays the sizes out channels first: (C, H, W) is derive's (H, W, C)
    last = (*dims[1:], dims[0])
    return Reshape(last, None if open_ is None else (open_ - 1) % len(dims))


def _spec_reshape(args: Arguments) -> Layer:
    dims, open_ = _target(args, "shape", args.get("shape"))
    return Reshape(dims, open_)


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
         keras("SpatialDropout1D", ("rate",), lambda a: Dropout(a.rate("rate"))),
         keras("SpatialDropout3D", ("rate", "data_format"), lambda a: Dropout(a.rate("rate"))),
         torch("Dropout1d", ("p", "inplace"), lambda a: Dropout(a.rate("p", sympy.Rational(1, 2))), factory=False),
         torch("Dropout3d", ("p", "inplace"), lambda a: Dropout(a.rate("p", sympy.Rational(1, 2))), factory=False),
         torch("Dropout2d", ("p", "inplace"), lambda a: Dropout(a.rate("p", sympy.Rational(1, 2))), factory=False)),
    kind(Flatten,
         spec("flatten", (), lambda a: Flatten()),
         keras("Flatten", ("data_format",), _keras_flatten),
         torch("Flatten", ("start_dim", "end_dim"), _torch_flatten, factory=False)),
    kind(Reshape,
         spec("reshape", ("shape",), _spec_reshape, required=("shape",)),
         keras("Reshape", ("target_shape",), _keras_reshape),
         torch("Unflatten", ("dim", "unflattened_size"), _torch_unflatten, factory=False, spatial=0)),
    kind(Permute,
         spec("permute", ("dims",), _permute, required=("dims",)),
         keras("Permute", ("dims",), _permute)),
    kind(RepeatVector,
         spec("repeat_vector", ("n",), lambda a: RepeatVector(a.size("n")), required=("n",)),
         keras("RepeatVector", ("n",), lambda a: RepeatVector(a.size("n")))),
)
