"""Transposed convolutions of 1, 2 or 3 spatial axes: Keras `Conv1DTranspose/2D/3D`, PyTorch
`nn.ConvTranspose1d/2d/3d`. Each input position is spread over a k-wide window of the output by one
C_in × (filters/groups) matrix per kernel position: k·C_in·(filters/groups) weights, a bias per filter.

The output size follows the framework's rule: PyTorch's (n − 1)·s − 2p + d·(k − 1) + output_padding + 1
for an explicit padding p; Keras' 'valid' ((n − 1)·s + max(K, s), or (n − 1)·s + K + output_padding) and
'same' (n·s, or (n − 1)·s + K mod 2 + output_padding), K = d·(k − 1) + 1 the dilated kernel.
"""

from __future__ import annotations

from typing import Any, Callable, ClassVar

import sympy

from ..records import frozen
from .axes import keras_layout, sizes
from .base import (ONE, ZERO, Expr, Layer, Padding, Shape, Term, as_expr, as_tuple, check_divisible, check_fits,
                   need_rank)
from .conv import Window, keras_windows
from .spelling import Arguments, keras, keras_activation, keras_padding, kind, spec, torch


def transposed_out(size: Expr, kernel: Expr, stride: Expr, padding: Padding, dilation: Expr,
                   output_padding: Expr | None, axis: int) -> Expr:
    """Output length of a transposed convolution along one axis (see the module's docstring)."""
    reach = dilation * (kernel - 1)
    extra = ZERO if output_padding is None else output_padding
    if padding == "valid":
        if output_padding is None:
            return (size - 1) * stride + sympy.Max(reach + 1, stride)
        return (size - 1) * stride + reach + 1 + output_padding
    if padding == "same":
        if output_padding is None:
            return size * stride
        return (size - 1) * stride + sympy.Mod(reach + 1, 2) + output_padding
    pad = as_expr(padding[axis])  # type: ignore[index]
    return (size - 1) * stride - 2 * pad + reach + extra + 1


@frozen
class ConvTranspose2D(Window, Layer):
    """A 2-D transposed convolution: k_h·k_w·C_in·(filters/groups) weights, and a bias per filter."""

    op: ClassVar[str] = "conv2d_transpose"
    family: ClassVar[str] = "convolution"
    explain: ClassVar[str | None] = "conv_transpose"
    filters: Expr
    kernel: tuple[Expr, ...] | None = None
    stride: tuple[Expr, ...] | None = None
    padding: Padding = "valid"
    dilation: tuple[Expr, ...] | None = None
    output_padding: tuple[Expr, ...] | None = None
    groups: Expr = ONE
    bias: bool = True

    def __post_init__(self) -> None:
        self._pair_windows()
        object.__setattr__(self, "filters", as_expr(self.filters))
        object.__setattr__(self, "groups", as_expr(self.groups))
        if self.output_padding is not None:
            object.__setattr__(self, "output_padding", as_tuple(self.output_padding, self.rank))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        c_in = inputs[0].channels
        check_divisible("input channels", c_in, self.groups, "groups")
        check_divisible("filters", self.filters, self.groups, "groups")
        weights = Term("weights", (*self.kernel, c_in, self.filters / self.groups))
        return (weights, Term("bias", (self.filters,))) if self.bias else (weights,)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        shape = inputs[0]
        need_rank(self, shape, self.rank)
        extra = self.output_padding or (None,) * self.rank
        return check_fits(shape, Shape(self.filters, tuple(
            transposed_out(size, self.kernel[i], self.stride[i], self.padding, self.dilation[i], extra[i], i)
            for i, size in enumerate(shape.spatial))))

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        """Every input position times the whole kernel: positions_in · k… · C_in · filters/groups."""
        return inputs[0].positions * self.window * inputs[0].channels * self.filters / self.groups


class ConvTranspose1D(ConvTranspose2D):
    """A 1-D transposed convolution: k·C_in·(filters/groups) weights, and a bias per filter."""

    op: ClassVar[str] = "conv1d_transpose"
    rank: ClassVar[int] = 1


class ConvTranspose3D(ConvTranspose2D):
    """A 3-D transposed convolution: k_d·k_h·k_w·C_in·(filters/groups) weights, and a bias per filter."""

    op: ClassVar[str] = "conv3d_transpose"
    rank: ClassVar[int] = 3


# -- spellings ------------------------------------------------------------------------------------
def _below(args: Arguments, output_padding: tuple[Expr, ...], bound: tuple[Expr, ...], what: str,
           other: tuple[Expr, ...] | None = None) -> None:
    for i, (extra, limit) in enumerate(zip(output_padding, bound)):
        second = None if other is None else other[i]
        if extra.is_Number and limit.is_Number and extra >= limit and (
                second is None or (second.is_Number and extra >= second)):
            raise args.error("output_padding", f"output_padding ({extra}) must be smaller than {what}")


def _keras_transpose(cls: type[ConvTranspose2D]) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        rank = cls.rank
        keras_activation(args, "activation")
        stride, dilation = keras_windows(args, rank)
        extra = None if args.get("output_padding", None) is None else sizes(args, "output_padding", rank, zero=True)
        if extra is not None:
            _below(args, extra, stride, "strides")
        layer = cls(args.size("filters"), sizes(args, "kernel_size", rank), stride, keras_padding(args), dilation,
                    extra, ONE, args.flag("use_bias", True))
        return keras_layout(args, layer)
    return build


def _torch_transpose(cls: type[ConvTranspose2D]) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        rank = cls.rank
        if args.given("padding_mode") and args.get("padding_mode") != "zeros":
            raise args.error("padding_mode", "only padding_mode='zeros' is supported for transposed convolutions "
                                             "(PyTorch's own rule)")
        stride, dilation = sizes(args, "stride", rank, 1), sizes(args, "dilation", rank, 1)
        extra = sizes(args, "output_padding", rank, 0, zero=True)
        _below(args, extra, stride, "either stride or dilation", dilation)
        return cls(args.size("out_channels"), sizes(args, "kernel_size", rank), stride,
                   sizes(args, "padding", rank, 0, zero=True), dilation, extra, args.size("groups", 1),
                   args.flag("bias", True))
    return build


def _spec_transpose(cls: type[ConvTranspose2D]) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        rank = cls.rank
        value = args.get("padding", "valid")
        padding: Any = value if isinstance(value, str) and value in ("same", "valid") else sizes(
            args, "padding", rank, zero=True)
        extra = sizes(args, "output_padding", rank, zero=True) if args.given("output_padding") else None
        if extra is None and not isinstance(padding, str):
            extra = (ZERO,) * rank
        return cls(args.size("filters"), sizes(args, "kernel", rank), sizes(args, "stride", rank, 1), padding,
                   sizes(args, "dilation", rank, 1), extra, args.size("groups", 1), args.flag("bias", True))
    return build


KERAS_TRANSPOSE = ("filters", "kernel_size", "strides", "padding", "output_padding", "data_format", "dilation_rate",
                   "activation", "use_bias")
KERAS_TRANSPOSE_3D = ("filters", "kernel_size", "strides", "padding", "data_format", "output_padding",
                      "dilation_rate", "activation", "use_bias")  # Keras' own order for the 3-D one
TORCH_TRANSPOSE = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "output_padding", "groups",
                   "bias", "dilation", "padding_mode")


def _transpose_kind(cls: type[ConvTranspose2D], n: str) -> Any:
    positional = KERAS_TRANSPOSE_3D if n == "3" else KERAS_TRANSPOSE
    return kind(cls,
                spec(cls.op, ("filters", "kernel", "stride", "padding", "output_padding", "dilation", "groups",
                              "bias"), _spec_transpose(cls), required=("filters", "kernel")),
                keras(f"Conv{n}DTranspose", positional, _keras_transpose(cls)),
                keras(f"Convolution{n}DTranspose", positional, _keras_transpose(cls)),
                torch(f"ConvTranspose{n}d", TORCH_TRANSPOSE, _torch_transpose(cls), stated="in_channels",
                      spatial=cls.rank, attributes={"out_channels": "filters", "groups": "groups"}))


KINDS = (
    _transpose_kind(ConvTranspose1D, "1"),
    _transpose_kind(ConvTranspose2D, "2"),
    _transpose_kind(ConvTranspose3D, "3"),
)
