"""Pooling: max and average windows, global pooling, PyTorch's adaptive pooling. No parameters."""

from __future__ import annotations

from typing import Callable, ClassVar

import sympy

from ..records import frozen
from .base import (ONE, Expr, Layer, Padding, Shape, as_expr, as_pair, check_fits, kernel_signature, need_image,
                   window_out)
from .spelling import Arguments, channels_last, keras, keras_padding, kind, spec, spec_padding, torch


@frozen
class Pool2D(Layer):
    """Max or average pooling; the stride defaults to the pool size, as in Keras."""

    op: ClassVar[str] = "pool2d"
    family: ClassVar[str] = "parameter_free"
    kind: str = "max"
    pool: tuple[Expr, Expr] = (sympy.Integer(2), sympy.Integer(2))
    stride: tuple[Expr, Expr] | None = None
    padding: Padding = "valid"

    def __post_init__(self) -> None:
        object.__setattr__(self, "pool", as_pair(self.pool))
        object.__setattr__(self, "stride", self.pool if self.stride is None else as_pair(self.stride))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_image(self, inputs[0])
        h, w = inputs[0].spatial
        return check_fits(inputs[0], Shape(inputs[0].channels, (
            window_out(h, self.pool[0], self.stride[0], self.padding, ONE, 0),  # type: ignore[index]
            window_out(w, self.pool[1], self.stride[1], self.padding, ONE, 1),  # type: ignore[index]
        )))

    @property
    def signature(self) -> str:
        return f"{self.kind} " + kernel_signature(self.pool, self.stride)  # type: ignore[arg-type]


@frozen
class GlobalPool2D(Layer):
    """Global average or max pooling: an image to a vector of its channels."""

    op: ClassVar[str] = "global_pool2d"
    family: ClassVar[str] = "parameter_free"
    kind: str = "avg"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_image(self, inputs[0])
        return Shape(inputs[0].channels)

    @property
    def signature(self) -> str:
        return self.kind


@frozen
class AdaptivePool2D(Layer):
    """PyTorch's `AdaptiveAvgPool2d` / `AdaptiveMaxPool2d`: any height and width to `size` (None keeps one)."""

    op: ClassVar[str] = "adaptive_pool2d"
    family: ClassVar[str] = "other"  # no parameters, but not (yet) in the parameter-free explanation
    kind: str = "avg"
    size: tuple[Expr | None, Expr | None] = (ONE, ONE)

    def __post_init__(self) -> None:
        size = self.size if isinstance(self.size, tuple) else (self.size, self.size)
        object.__setattr__(self, "size", tuple(None if v is None else as_expr(v) for v in size))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_image(self, inputs[0])
        spatial = tuple(given if want is None else want for want, given in zip(self.size, inputs[0].spatial))
        return Shape(inputs[0].channels, spatial)

    @property
    def signature(self) -> str:
        return f"{self.kind} → " + "×".join("·" if v is None else str(v) for v in self.size)


# -- spellings ------------------------------------------------------------------------------------
def _spec_pool(kind: str) -> Callable[[Arguments], Layer]:
    return lambda a: Pool2D(kind, a.pair("pool", 2), a.pair("stride") if a.given("stride") else None,
                            spec_padding(a, "valid"))


def _keras_pool(kind: str) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        channels_last(args)
        pool = args.pair("pool_size", 2 if kind == "max" else None)
        stride = None if args.get("strides", None) is None else args.pair("strides")
        return Pool2D(kind, pool, stride, keras_padding(args))
    return build


def _keras_global_pool(kind: str) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        channels_last(args)
        if args.flag("keepdims", False):
            return AdaptivePool2D(kind, (1, 1))
        return GlobalPool2D(kind)
    return build


def _torch_pool(kind: str) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        if args.given("dilation") and args.pair("dilation") != (1, 1):
            raise args.error("dilation", "pooling with dilation is not supported")
        if args.get("ceil_mode", False) is not False:
            raise args.error("ceil_mode", "ceil_mode=True is not supported")
        args.none_or("divisor_override")
        pool = args.pair("kernel_size")
        stride = None if args.get("stride", None) is None else args.pair("stride")
        return Pool2D(kind, pool, stride, args.pair("padding", 0, zero=True))
    return build


def _torch_adaptive(kind: str) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        value = args.get("output_size")
        items = args.sequence(value)
        values = items if items is not None else (value, value)
        if len(values) != 2:
            raise args.error("output_size", "output_size must be one size or two")
        return AdaptivePool2D(kind, tuple(None if v is None else args.as_size("output_size", v) for v in values))
    return build


KERAS_POOL = ("pool_size", "strides", "padding", "data_format")
KERAS_GLOBAL = ("data_format", "keepdims")
KINDS = (
    kind(Pool2D,
         spec("max_pool2d", ("pool", "stride", "padding"), _spec_pool("max")),
         spec("avg_pool2d", ("pool", "stride", "padding"), _spec_pool("avg")),
         keras("MaxPooling2D", KERAS_POOL, _keras_pool("max")),
         keras("MaxPool2D", KERAS_POOL, _keras_pool("max")),
         keras("AveragePooling2D", KERAS_POOL, _keras_pool("avg")),
         keras("AvgPool2D", KERAS_POOL, _keras_pool("avg")),
         torch("MaxPool2d", ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode"),
               _torch_pool("max"), factory=False, spatial=2),
         torch("AvgPool2d", ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
               _torch_pool("avg"), factory=False, spatial=2)),
    kind(GlobalPool2D,
         spec("global_avg_pool2d", (), lambda a: GlobalPool2D("avg")),
         spec("global_max_pool2d", (), lambda a: GlobalPool2D("max")),
         keras("GlobalAveragePooling2D", KERAS_GLOBAL, _keras_global_pool("avg")),
         keras("GlobalAvgPool2D", KERAS_GLOBAL, _keras_global_pool("avg")),
         keras("GlobalMaxPooling2D", KERAS_GLOBAL, _keras_global_pool("max")),
         keras("GlobalMaxPool2D", KERAS_GLOBAL, _keras_global_pool("max"))),
    kind(AdaptivePool2D,
         spec("adaptive_avg_pool2d", ("size",), lambda a: AdaptivePool2D("avg", a.pair("size")), required=("size",)),
         spec("adaptive_max_pool2d", ("size",), lambda a: AdaptivePool2D("max", a.pair("size")), required=("size",)),
         torch("AdaptiveAvgPool2d", ("output_size",), _torch_adaptive("avg"), factory=False, spatial=2),
         torch("AdaptiveMaxPool2d", ("output_size", "return_indices"), _torch_adaptive("max"), factory=False,
               spatial=2)),
)
