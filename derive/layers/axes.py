"""Reading the sizes of layers of any rank: one size for every spatial axis or one per axis, the
padding of a window along each axis, and Keras' `data_format`.

The family modules of convolutions, pooling and resizing share these; they read through the same
argument reader as `pair` (`derive.readers.layerargs`), so a mistake is reported at its place.
"""

from __future__ import annotations

from typing import Any

import sympy

from ..records import frozen
from .base import Expr, Layer, Shape, Term, Wrapped
from .spelling import MISSING, Arguments


def sizes(args: Arguments, name: str, rank: int, default: Any = MISSING, *, zero: bool = False) -> tuple[Expr, ...]:
    """One size for every one of `rank` spatial axes, or `rank` of them (a list or tuple)."""
    if rank == 2:
        return args.pair(name, default, zero=zero)
    value = args.get(name, default)
    items = args.sequence(value)
    if items is None:
        return (args.as_size(name, value, zero=zero),) * rank
    if len(items) == 1:
        items = items * rank
    if len(items) != rank:
        raise args.error(name, f"{name} must be one number or {rank}, got {len(items)}")
    return tuple(args.as_size(name, v, zero=zero) for v in items)


def torch_padding(args: Arguments, rank: int) -> Any:
    """`nn.ConvNd`'s padding: 'valid', 'same', or explicit sizes per side (one, or one per axis)."""
    value = args.get("padding", sympy.Integer(0))
    if isinstance(value, str):
        return args.text("padding", choices=("valid", "same"))
    return sizes(args, "padding", rank, sympy.Integer(0), zero=True)


def spec_padding(args: Arguments, default: str, rank: int) -> Any:
    """A spec's `"same"`, `"valid"`, or explicit sizes per side (one, or one per axis)."""
    value = args.get("padding", default)
    if isinstance(value, str) and value in ("same", "valid"):
        return value
    return sizes(args, "padding", rank, zero=True)


def keras_padding(args: Arguments, causal: bool = False) -> str:
    """Keras' `padding`: 'valid', 'same' (and for a 1-D convolution 'causal', sized as 'same')."""
    return args.text("padding", "valid", ("valid", "same", "causal") if causal else ("valid", "same"))


def channels_first(args: Arguments) -> bool:
    """Whether a Keras layer says `data_format='channels_first'` (None and 'channels_last' are the default)."""
    if not args.given("data_format") or args.get("data_format") is None:
        return False
    return args.text("data_format", choices=("channels_last", "channels_first")) == "channels_first"


def first_to_last(shape: Shape) -> Shape:
    """A channels-first tensor's dimensions (C, d_1, ..., d_n) as the channels-last shape they stand for."""
    dims = shape.dims
    return Shape(dims[0], tuple(dims[1:])) if len(dims) > 1 else shape


def last_to_first(shape: Shape) -> Shape:
    """A channels-last result put back in channels-first order: (d_1, ..., d_n, C) as (C, d_1, ..., d_n)."""
    if not shape.spatial:
        return shape
    dims = (shape.channels, *shape.spatial)
    return Shape(dims[-1], tuple(dims[:-1]))


@frozen
class ChannelsFirst(Wrapped):
    """A Keras layer with `data_format='channels_first'`: the layer itself, on its input read as (C, d_1, ...).

    derive's shapes are channels-last (the last dimension is the channels); a channels-first layer takes
    the first dimension as its channels, and its output keeps the channels first, as Keras gives it."""

    def _inputs(self, inputs: tuple[Shape, ...]) -> tuple[Shape, ...]:
        return tuple(first_to_last(shape) for shape in inputs)

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return self.layer.terms(self._inputs(inputs))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        inner = self.layer.output(self._inputs(inputs))
        return last_to_first(inner)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return self.layer.macs(self._inputs(inputs), first_to_last(output))

    def attention_macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return self.layer.attention_macs(self._inputs(inputs), first_to_last(output))


def keras_layout(args: Arguments, layer: Layer) -> Layer:
    """The layer as Keras' `data_format` lays out its input: wrapped in `ChannelsFirst` for 'channels_first'."""
    return ChannelsFirst(layer) if channels_first(args) else layer


def keras_sides(args: Arguments, name: str, rank: int, default: Any) -> tuple[tuple[Expr, Expr], ...]:
    """Keras' padding or cropping, (before, after) along each of `rank` axes: one number for every side,
    one per axis (both sides), or a pair per axis; for one axis, one number or a pair."""
    value = args.get(name, default)
    items = args.sequence(value)
    if items is None:
        one = args.as_size(name, value, zero=True)
        return ((one, one),) * rank
    if rank == 1:
        if len(items) != 2:
            raise args.error(name, f"{name} must be one number or two (before, after), got {len(items)}")
        return ((args.as_size(name, items[0], zero=True), args.as_size(name, items[1], zero=True)),)
    if len(items) != rank:
        raise args.error(name, f"{name} must be one number, {rank} numbers or {rank} pairs, got {len(items)}")
    sides = []
    for item in items:
        pair = args.sequence(item)
        if pair is None:
            one = args.as_size(name, item, zero=True)
            sides.append((one, one))
        elif len(pair) == 2:
            sides.append((args.as_size(name, pair[0], zero=True), args.as_size(name, pair[1], zero=True)))
        else:
            raise args.error(name, f"{name} must be one number, {rank} numbers or {rank} pairs")
    return tuple(sides)


def torch_sides(args: Arguments, rank: int) -> tuple[tuple[Expr, Expr], ...]:
    """PyTorch's padding of `nn.ZeroPad1d/2d/3d`: one number for every side, or (left, right, top, bottom,
    front, back), the last axis first, as `F.pad` takes them."""
    value = args.get("padding")
    items = args.sequence(value)
    if items is None:
        one = args.as_size("padding", value, zero=True)
        return ((one, one),) * rank
    if len(items) != 2 * rank:
        raise args.error("padding", f"padding must be one number or {2 * rank} (left, right, top, bottom, ...)"
                         if rank > 1 else "padding must be one number or (left, right)")
    sizes_ = [args.as_size("padding", v, zero=True) for v in items]
    pairs = [(sizes_[2 * i], sizes_[2 * i + 1]) for i in range(rank)]
    return tuple(reversed(pairs))


@frozen
class LastAxis(Wrapped):
    """A PyTorch layer that acts on the last axis (`nn.Linear`) of a channels-first tensor: (C, d_1, ..., d_n)
    in PyTorch is derive's (d_1, ..., d_n, C), and `nn.Linear(d_n, m)` maps d_n, not C, giving (C, ..., m)."""

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return self.layer.terms(tuple(last_to_first(shape) for shape in inputs))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return first_to_last(self.layer.output(tuple(last_to_first(shape) for shape in inputs)))

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return self.layer.macs(tuple(last_to_first(shape) for shape in inputs), last_to_first(output))

    def attention_macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return self.layer.attention_macs(tuple(last_to_first(shape) for shape in inputs), last_to_first(output))
