"""Convolutions of 1, 2 or 3 spatial axes: `Conv1D/2D/3D`, `DepthwiseConv1D/2D`, `SeparableConv1D/2D`
(weights, and a bias unless told not). The 2-D classes are the general ones, with `rank` 2; each other
rank is a subclass that changes only its op, rank and defaults (the window arithmetic is shared)."""

from __future__ import annotations

from typing import Any, Callable, ClassVar

import sympy

from ..records import frozen
from .axes import keras_layout, keras_padding, sizes, spec_padding, torch_padding
from .base import (ONE, Expr, Layer, Padding, Shape, Term, as_expr, as_tuple, check_divisible, check_fits,
                   kernel_signature, need_rank, window_out)
from .spelling import Arguments, keras, keras_activation, kind, spec, torch


class Window:
    """What the convolutions share: a kernel, stride and dilation given as one size or one per spatial
    axis (`rank` of them), the output of such a window, and the notation `k×k /s` after the op's name."""

    rank: ClassVar[int] = 2
    default_kernel: ClassVar[Expr] = ONE
    kernel: tuple[Expr, ...]
    stride: tuple[Expr, ...]
    dilation: tuple[Expr, ...]
    padding: Padding

    def _pair_windows(self) -> None:
        """Each window argument as one size per spatial axis (None: the default, on every axis). The other
        ranks' classes are plain subclasses: they change `rank` and inherit the fields, not redeclare them
        (a dataclass costs a millisecond or two to define, on the way to every answer)."""
        for name in ("kernel", "stride", "dilation"):
            value = getattr(self, name)
            if value is None:
                value = self.default_kernel if name == "kernel" else ONE
            object.__setattr__(self, name, as_tuple(value, self.rank))
        if not isinstance(self.padding, str):
            object.__setattr__(self, "padding", as_tuple(self.padding, self.rank))

    def windows(self, shape: Shape, channels: Expr) -> Shape:
        """The output of this window on `shape`, with `channels` channels."""
        need_rank(self, shape, self.rank)  # type: ignore[arg-type]
        return check_fits(shape, Shape(channels, tuple(
            window_out(size, self.kernel[i], self.stride[i], self.padding, self.dilation[i], i)
            for i, size in enumerate(shape.spatial))))

    @property
    def window(self) -> Expr:
        """The kernel's size: k_1·k_2·…, one factor per spatial axis."""
        return sympy.Mul(*self.kernel)

    @property
    def signature(self) -> str:
        return kernel_signature(self.kernel, self.stride)


@frozen
class Conv2D(Window, Layer):
    """A 2-D convolution: k_h·k_w·(C_in/groups)·filters weights, and with `bias` one more per filter."""

    op: ClassVar[str] = "conv2d"
    family: ClassVar[str] = "convolution"
    explain: ClassVar[str | None] = "conv2d"
    filters: Expr
    kernel: tuple[Expr, ...] | None = None
    stride: tuple[Expr, ...] | None = None
    padding: Padding = "same"
    dilation: tuple[Expr, ...] | None = None
    groups: Expr = ONE
    bias: bool = True

    def __post_init__(self) -> None:
        self._pair_windows()
        object.__setattr__(self, "filters", as_expr(self.filters))
        object.__setattr__(self, "groups", as_expr(self.groups))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        c_in = inputs[0].channels
        check_divisible("input channels", c_in, self.groups, "groups")
        check_divisible("filters", self.filters, self.groups, "groups")
        weights = Term("weights", (*self.kernel, c_in / self.groups, self.filters))
        return (weights, Term("bias", (self.filters,))) if self.bias else (weights,)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return self.windows(inputs[0], self.filters)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        per_position = self.window * inputs[0].channels / self.groups * self.filters
        return output.positions * per_position


class Conv1D(Conv2D):
    """A 1-D convolution (over a sequence): k·(C_in/groups)·filters weights, and a bias per filter."""

    op: ClassVar[str] = "conv1d"
    explain: ClassVar[str | None] = "conv1d"
    rank: ClassVar[int] = 1


class Conv3D(Conv2D):
    """A 3-D convolution (over a volume): k_d·k_h·k_w·(C_in/groups)·filters weights, and a bias per filter."""

    op: ClassVar[str] = "conv3d"
    explain: ClassVar[str | None] = "conv3d"
    rank: ClassVar[int] = 3


@frozen
class DepthwiseConv2D(Window, Layer):
    """One k_h×k_w filter per input channel (times the depth multiplier): k_h·k_w·C weights, not k_h·k_w·C·C."""

    op: ClassVar[str] = "depthwise_conv2d"
    family: ClassVar[str] = "convolution"
    explain: ClassVar[str | None] = "depthwise_conv2d"
    default_kernel: ClassVar[Expr] = sympy.Integer(3)
    kernel: tuple[Expr, ...] | None = None
    stride: tuple[Expr, ...] | None = None
    padding: Padding = "same"
    dilation: tuple[Expr, ...] | None = None
    multiplier: Expr = ONE
    bias: bool = True

    def __post_init__(self) -> None:
        self._pair_windows()
        object.__setattr__(self, "multiplier", as_expr(self.multiplier))

    def _depth(self, c: Expr) -> tuple[Expr, ...]:
        return (c,) if self.multiplier == ONE else (c, self.multiplier)

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        c = inputs[0].channels
        weights = Term("weights", (*self.kernel, *self._depth(c)))
        return (weights, Term("bias", (c * self.multiplier,))) if self.bias else (weights,)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return self.windows(inputs[0], inputs[0].channels * self.multiplier)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return output.positions * self.window * inputs[0].channels * self.multiplier


class DepthwiseConv1D(DepthwiseConv2D):
    """One k-wide filter per input channel of a sequence (times the depth multiplier): k·C weights."""

    op: ClassVar[str] = "depthwise_conv1d"
    rank: ClassVar[int] = 1


@frozen
class SeparableConv2D(Window, Layer):
    """Keras `SeparableConv2D`: a depthwise kernel, a 1×1 pointwise kernel, one bias on the output."""

    op: ClassVar[str] = "separable_conv2d"
    family: ClassVar[str] = "convolution"
    explain: ClassVar[str | None] = "separable_conv2d"
    parts: ClassVar[tuple[type, type]] = (DepthwiseConv2D, Conv2D)
    filters: Expr
    default_kernel: ClassVar[Expr] = sympy.Integer(3)
    kernel: tuple[Expr, ...] | None = None
    stride: tuple[Expr, ...] | None = None
    padding: Padding = "same"
    dilation: tuple[Expr, ...] | None = None
    multiplier: Expr = ONE
    bias: bool = True

    def __post_init__(self) -> None:
        self._pair_windows()
        object.__setattr__(self, "filters", as_expr(self.filters))
        object.__setattr__(self, "multiplier", as_expr(self.multiplier))

    def _parts(self) -> tuple[Any, Any]:
        depthwise, pointwise = self.parts
        return (depthwise(self.kernel, self.stride, self.padding, self.dilation, self.multiplier, False),
                pointwise(self.filters, (ONE,) * self.rank, (ONE,) * self.rank, bias=self.bias,
                          dilation=(ONE,) * self.rank))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        depthwise, pointwise = self._parts()
        mid = depthwise.output(inputs)
        (dw,) = depthwise.terms(inputs)
        pw = pointwise.terms((mid,))
        return (Term("weights", dw.factors, "depthwise_kernel"),
                Term("weights", pw[0].factors, "pointwise_kernel"), *pw[1:])

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        depthwise, pointwise = self._parts()
        return pointwise.output((depthwise.output(inputs),))

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        depthwise, pointwise = self._parts()
        mid = depthwise.output(inputs)
        return depthwise.macs(inputs, mid) + pointwise.macs((mid,), output)


class SeparableConv1D(SeparableConv2D):
    """Keras `SeparableConv1D`: a depthwise kernel along the sequence, a pointwise kernel, one bias."""

    op: ClassVar[str] = "separable_conv1d"
    rank: ClassVar[int] = 1
    parts: ClassVar[tuple[type, type]] = (DepthwiseConv1D, Conv1D)


# -- spellings ------------------------------------------------------------------------------------
def keras_windows(args: Arguments, rank: int) -> tuple[tuple[Expr, ...], tuple[Expr, ...]]:
    """Keras' `strides` and `dilation_rate` along `rank` axes, refused together above 1 as Keras refuses them."""
    stride, dilation = sizes(args, "strides", rank, 1), sizes(args, "dilation_rate", rank, 1)
    if any(s.is_Number and s > 1 for s in stride) and any(d.is_Number and d > 1 for d in dilation):
        raise args.error("dilation_rate", "Keras refuses strides > 1 together with dilation_rate > 1")
    return stride, dilation


def _keras_conv(cls: type[Conv2D]) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        rank = cls.rank
        keras_activation(args, "activation")
        stride, dilation = keras_windows(args, rank)
        layer = cls(args.size("filters"), sizes(args, "kernel_size", rank), stride,
                    keras_padding(args, causal=rank == 1), dilation, args.size("groups", 1),
                    args.flag("use_bias", True))
        return keras_layout(args, layer)
    return build


def _keras_depthwise(cls: type[DepthwiseConv2D]) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        rank = cls.rank
        keras_activation(args, "activation")
        layer = cls(sizes(args, "kernel_size", rank), sizes(args, "strides", rank, 1),
                    keras_padding(args, causal=rank == 1), sizes(args, "dilation_rate", rank, 1),
                    args.size("depth_multiplier", 1), args.flag("use_bias", True))
        return keras_layout(args, layer)
    return build


def _keras_separable(cls: type[SeparableConv2D]) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        rank = cls.rank
        keras_activation(args, "activation")
        layer = cls(args.size("filters"), sizes(args, "kernel_size", rank), sizes(args, "strides", rank, 1),
                    keras_padding(args, causal=rank == 1), sizes(args, "dilation_rate", rank, 1),
                    args.size("depth_multiplier", 1), args.flag("use_bias", True))
        return keras_layout(args, layer)
    return build


def _torch_conv(cls: type[Conv2D]) -> Callable[[Arguments], Layer]:
    rank = cls.rank
    return lambda a: cls(a.size("out_channels"), sizes(a, "kernel_size", rank), sizes(a, "stride", rank, 1),
                         torch_padding(a, rank), sizes(a, "dilation", rank, 1), a.size("groups", 1),
                         a.flag("bias", True))


def _spec_conv(cls: type[Conv2D]) -> Callable[[Arguments], Layer]:
    rank = cls.rank
    return lambda a: cls(a.size("filters"), sizes(a, "kernel", rank), sizes(a, "stride", rank, 1),
                         spec_padding(a, "same", rank), sizes(a, "dilation", rank, 1), a.size("groups", 1),
                         a.flag("bias", True))


def _spec_depthwise(cls: type[DepthwiseConv2D]) -> Callable[[Arguments], Layer]:
    rank = cls.rank
    return lambda a: cls(sizes(a, "kernel", rank), sizes(a, "stride", rank, 1), spec_padding(a, "same", rank),
                         sizes(a, "dilation", rank, 1), a.size("multiplier", 1), a.flag("bias", True))


def _spec_separable(cls: type[SeparableConv2D]) -> Callable[[Arguments], Layer]:
    rank = cls.rank
    return lambda a: cls(a.size("filters"), sizes(a, "kernel", rank), sizes(a, "stride", rank, 1),
                         spec_padding(a, "same", rank), sizes(a, "dilation", rank, 1), a.size("multiplier", 1),
                         a.flag("bias", True))


SPEC_CONV = ("stride", "padding", "dilation", "bias")
KERAS_CONV = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups", "activation",
              "use_bias")
KERAS_DEPTHWISE = ("kernel_size", "strides", "padding", "depth_multiplier", "data_format", "dilation_rate",
                   "activation", "use_bias")
KERAS_SEPARABLE = ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "depth_multiplier",
                   "activation", "use_bias")
TORCH_CONV = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "bias",
              "padding_mode")
CONV_ATTRIBUTES = {"out_channels": "filters", "groups": "groups"}


def _conv_kind(cls: type[Conv2D], keras_name: str, torch_name: str) -> Any:
    return kind(cls,
                spec(cls.op, ("filters", "kernel", "groups") + SPEC_CONV, _spec_conv(cls),
                     required=("filters", "kernel")),
                keras(keras_name, KERAS_CONV, _keras_conv(cls)),
                keras(keras_name.replace("Conv", "Convolution"), KERAS_CONV, _keras_conv(cls)),
                torch(torch_name, TORCH_CONV, _torch_conv(cls), stated="in_channels", spatial=cls.rank,
                      attributes=CONV_ATTRIBUTES))


KINDS = (
    _conv_kind(Conv2D, "Conv2D", "Conv2d"),
    kind(DepthwiseConv2D,
         spec("depthwise_conv2d", ("kernel", "multiplier") + SPEC_CONV, _spec_depthwise(DepthwiseConv2D),
              required=("kernel",)),
         keras("DepthwiseConv2D", KERAS_DEPTHWISE, _keras_depthwise(DepthwiseConv2D))),
    kind(SeparableConv2D,
         spec("separable_conv2d", ("filters", "kernel", "multiplier") + SPEC_CONV, _spec_separable(SeparableConv2D),
              required=("filters", "kernel")),
         keras("SeparableConv2D", KERAS_SEPARABLE, _keras_separable(SeparableConv2D)),
         keras("SeparableConvolution2D", KERAS_SEPARABLE, _keras_separable(SeparableConv2D))),
    _conv_kind(Conv1D, "Conv1D", "Conv1d"),
    _conv_kind(Conv3D, "Conv3D", "Conv3d"),
    kind(DepthwiseConv1D,
         spec("depthwise_conv1d", ("kernel", "multiplier") + SPEC_CONV, _spec_depthwise(DepthwiseConv1D),
              required=("kernel",)),
         keras("DepthwiseConv1D", KERAS_DEPTHWISE, _keras_depthwise(DepthwiseConv1D))),
    kind(SeparableConv1D,
         spec("separable_conv1d", ("filters", "kernel", "multiplier") + SPEC_CONV, _spec_separable(SeparableConv1D),
              required=("filters", "kernel")),
         keras("SeparableConv1D", KERAS_SEPARABLE, _keras_separable(SeparableConv1D)),
         keras("SeparableConvolution1D", KERAS_SEPARABLE, _keras_separable(SeparableConv1D))),
)
