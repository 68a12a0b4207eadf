"""Convolutions: `Conv2D`, `DepthwiseConv2D`, `SeparableConv2D` (weights, and a bias unless told not)."""

from __future__ import annotations

from typing import Any, ClassVar

import sympy

from ..records import frozen
from .base import (ONE, Expr, Layer, Padding, Shape, Term, as_expr, as_pair, check_divisible, check_fits,
                   kernel_signature, need_image, window_out)
from .spelling import Arguments, channels_last, keras, keras_activation, keras_padding, kind, spec, spec_padding, torch


class _Window:
    """What the three convolutions share: a kernel, stride and dilation given as one size or two, and
    the notation `k×k /s` after the op's name."""

    kernel: tuple[Expr, Expr]
    stride: tuple[Expr, Expr]

    def _pair_windows(self) -> None:
        for name in ("kernel", "stride", "dilation"):
            object.__setattr__(self, name, as_pair(getattr(self, name)))

    @property
    def signature(self) -> str:
        return kernel_signature(self.kernel, self.stride)


@frozen
class Conv2D(_Window, Layer):
    """A 2-D convolution: k_h·k_w·(C_in/groups)·filters weights, and with `bias` one more per filter."""

    op: ClassVar[str] = "conv2d"
    family: ClassVar[str] = "convolution"
    explain: ClassVar[str | None] = "conv2d"
    filters: Expr
    kernel: tuple[Expr, Expr] = (ONE, ONE)
    stride: tuple[Expr, Expr] = (ONE, ONE)
    padding: Padding = "same"
    dilation: tuple[Expr, Expr] = (ONE, ONE)
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
        need_image(self, inputs[0])
        h, w = inputs[0].spatial
        return check_fits(inputs[0], Shape(self.filters, (
            window_out(h, self.kernel[0], self.stride[0], self.padding, self.dilation[0], 0),
            window_out(w, self.kernel[1], self.stride[1], self.padding, self.dilation[1], 1),
        )))

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        per_position = self.kernel[0] * self.kernel[1] * inputs[0].channels / self.groups * self.filters
        return output.positions * per_position


@frozen
class DepthwiseConv2D(_Window, Layer):
    """One k_h×k_w filter per input channel (times the depth multiplier): k_h·k_w·C weights, not k_h·k_w·C·C."""

    op: ClassVar[str] = "depthwise_conv2d"
    family: ClassVar[str] = "convolution"
    explain: ClassVar[str | None] = "depthwise_conv2d"
    kernel: tuple[Expr, Expr] = (sympy.Integer(3), sympy.Integer(3))
    stride: tuple[Expr, Expr] = (ONE, ONE)
    padding: Padding = "same"
    dilation: tuple[Expr, Expr] = (ONE, ONE)
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
        return Conv2D(inputs[0].channels * self.multiplier, self.kernel, self.stride, self.padding,
                      self.dilation).output(inputs)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return output.positions * self.kernel[0] * self.kernel[1] * inputs[0].channels * self.multiplier


@frozen
class SeparableConv2D(_Window, Layer):
    """Keras `SeparableConv2D`: a depthwise kernel, a 1×1 pointwise kernel, one bias on the output."""

    op: ClassVar[str] = "separable_conv2d"
    family: ClassVar[str] = "convolution"
    explain: ClassVar[str | None] = "separable_conv2d"
    filters: Expr
    kernel: tuple[Expr, Expr] = (sympy.Integer(3), sympy.Integer(3))
    stride: tuple[Expr, Expr] = (ONE, ONE)
    padding: Padding = "same"
    dilation: tuple[Expr, Expr] = (ONE, ONE)
    multiplier: Expr = ONE
    bias: bool = True

    def __post_init__(self) -> None:
        self._pair_windows()
        object.__setattr__(self, "filters", as_expr(self.filters))
        object.__setattr__(self, "multiplier", as_expr(self.multiplier))

    def _parts(self) -> tuple[DepthwiseConv2D, Conv2D]:
        return (DepthwiseConv2D(self.kernel, self.stride, self.padding, self.dilation, self.multiplier, False),
                Conv2D(self.filters, bias=self.bias))

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


# -- spellings ------------------------------------------------------------------------------------
def _keras_conv2d(args: Arguments) -> Layer:
    channels_last(args)
    keras_activation(args, "activation")
    stride, dilation = args.pair("strides", 1), args.pair("dilation_rate", 1)
    if any(s.is_Number and s > 1 for s in stride) and any(d.is_Number and d > 1 for d in dilation):
        raise args.error("dilation_rate", "Keras refuses strides > 1 together with dilation_rate > 1")
    return Conv2D(args.size("filters"), args.pair("kernel_size"), stride, keras_padding(args), dilation,
                  args.size("groups", 1), args.flag("use_bias", True))


def _keras_depthwise(args: Arguments) -> Layer:
    channels_last(args)
    keras_activation(args, "activation")
    return DepthwiseConv2D(args.pair("kernel_size"), args.pair("strides", 1), keras_padding(args),
                           args.pair("dilation_rate", 1), args.size("depth_multiplier", 1), args.flag("use_bias", True))


def _keras_separable(args: Arguments) -> Layer:
    channels_last(args)
    keras_activation(args, "activation")
    return SeparableConv2D(args.size("filters"), args.pair("kernel_size"), args.pair("strides", 1),
                           keras_padding(args), args.pair("dilation_rate", 1), args.size("depth_multiplier", 1),
                           args.flag("use_bias", True))


def _torch_padding(args: Arguments) -> Any:
    value = args.get("padding", sympy.Integer(0))
    if isinstance(value, str):
        return args.text("padding", choices=("valid", "same"))
    return args.pair("padding", sympy.Integer(0), zero=True)


SPEC_CONV = ("stride", "padding", "dilation", "bias")
KINDS = (
    kind(Conv2D,
         spec("conv2d", ("filters", "kernel", "groups") + SPEC_CONV, lambda a: Conv2D(
             a.size("filters"), a.pair("kernel"), a.pair("stride", 1), spec_padding(a, "same"), a.pair("dilation", 1),
             a.size("groups", 1), a.flag("bias", True)), required=("filters", "kernel")),
         keras("Conv2D", ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate", "groups",
                          "activation", "use_bias"), _keras_conv2d),
         torch("Conv2d", ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups",
                          "bias", "padding_mode"), lambda a: Conv2D(
             a.size("out_channels"), a.pair("kernel_size"), a.pair("stride", 1), _torch_padding(a),
             a.pair("dilation", 1), a.size("groups", 1), a.flag("bias", True)),
             stated="in_channels", spatial=2, attributes={"out_channels": "filters", "groups": "groups"})),
    kind(DepthwiseConv2D,
         spec("depthwise_conv2d", ("kernel", "multiplier") + SPEC_CONV, lambda a: DepthwiseConv2D(
             a.pair("kernel"), a.pair("stride", 1), spec_padding(a, "same"), a.pair("dilation", 1),
             a.size("multiplier", 1), a.flag("bias", True)), required=("kernel",)),
         keras("DepthwiseConv2D", ("kernel_size", "strides", "padding", "depth_multiplier", "data_format",
                                   "dilation_rate", "activation", "use_bias"), _keras_depthwise)),
    kind(SeparableConv2D,
         spec("separable_conv2d", ("filters", "kernel", "multiplier") + SPEC_CONV, lambda a: SeparableConv2D(
             a.size("filters"), a.pair("kernel"), a.pair("stride", 1), spec_padding(a, "same"), a.pair("dilation", 1),
             a.size("multiplier", 1), a.flag("bias", True)), required=("filters", "kernel")),
         keras("SeparableConv2D", ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                                   "depth_multiplier", "activation", "use_bias"), _keras_separable)),
)
