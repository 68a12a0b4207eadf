"""Pooling over 1, 2 or 3 spatial axes: max and average windows, global pooling, PyTorch's adaptive
pooling. No parameters. The 2-D classes are the general ones (`rank` 2); the 1-D and 3-D ones change
only their op, rank and defaults."""

from __future__ import annotations

from typing import Callable, ClassVar

import sympy

from ..errors import InputError
from ..functions import ceiling
from ..records import frozen
from .axes import keras_layout, sizes, spec_padding
from .base import (ONE, ZERO, Expr, Layer, Padding, Shape, as_expr, as_tuple, check_fits, kernel_signature, need_rank,
                   window_out)
from .spelling import Arguments, keras, keras_padding, kind, spec, torch

TWO = sympy.Integer(2)


@frozen
class Pool2D(Layer):
    """Max or average pooling; the stride defaults to the pool size, as in Keras."""

    op: ClassVar[str] = "pool2d"
    family: ClassVar[str] = "parameter_free"
    rank: ClassVar[int] = 2
    kind: str = "max"
    pool: tuple[Expr, ...] | None = None  # None: 2 along every axis
    stride: tuple[Expr, ...] | None = None
    padding: Padding = "valid"
    ceil: bool = False  # PyTorch's ceil_mode: the last, partial window counts (where it starts inside the input)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pool", as_tuple(TWO if self.pool is None else self.pool, self.rank))
        object.__setattr__(self, "stride", self.pool if self.stride is None else as_tuple(self.stride, self.rank))
        if not isinstance(self.padding, str):
            object.__setattr__(self, "padding", as_tuple(self.padding, self.rank))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_rank(self, inputs[0], self.rank)
        if self.ceil:
            return check_fits(inputs[0], Shape(inputs[0].channels, tuple(
                ceil_window_out(size, self.pool[i], self.stride[i],  # type: ignore[index]
                                ZERO if isinstance(self.padding, str) else self.padding[i])
                for i, size in enumerate(inputs[0].spatial))))
        return check_fits(inputs[0], Shape(inputs[0].channels, tuple(
            window_out(size, self.pool[i], self.stride[i], self.padding, ONE, i)  # type: ignore[index]
            for i, size in enumerate(inputs[0].spatial))))

    @property
    def signature(self) -> str:
        return f"{self.kind} " + kernel_signature(self.pool, self.stride)  # type: ignore[arg-type]


def ceil_window_out(size: Expr, kernel: Expr, stride: Expr, pad: Expr) -> Expr:
    """PyTorch's pooling length with `ceil_mode=True`: ceil((size + 2p − k) / s) + 1, less one where the last
    window would start in the right padding (decided on numbers; with symbols, only where it cannot happen)."""
    out = ceiling((size + 2 * pad - kernel) / stride) + 1
    last_start = (out - 1) * stride
    if (last_start - (size + pad)).is_Number:
        return out - 1 if last_start >= size + pad else out
    if pad == 0 and kernel.is_Number and stride.is_Number and kernel >= stride:
        return out  # the last window starts at most size − k + s − 1 < size
    raise InputError("ceil_mode=True needs sizes with a value here (PyTorch drops a last window that starts in "
                     "the padding): bind the input's sizes")


class Pool1D(Pool2D):
    """Max or average pooling along a sequence."""

    op: ClassVar[str] = "pool1d"
    rank: ClassVar[int] = 1


class Pool3D(Pool2D):
    """Max or average pooling over a volume."""

    op: ClassVar[str] = "pool3d"
    rank: ClassVar[int] = 3


@frozen
class GlobalPool2D(Layer):
    """Global average or max pooling: an image to a vector of its channels."""

    op: ClassVar[str] = "global_pool2d"
    family: ClassVar[str] = "parameter_free"
    rank: ClassVar[int] = 2
    kind: str = "avg"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_rank(self, inputs[0], self.rank)
        return Shape(inputs[0].channels)

    @property
    def signature(self) -> str:
        return self.kind


class GlobalPool1D(GlobalPool2D):
    """Global average or max pooling: a sequence to a vector of its channels."""

    op: ClassVar[str] = "global_pool1d"
    rank: ClassVar[int] = 1


class GlobalPool3D(GlobalPool2D):
    """Global average or max pooling: a volume to a vector of its channels."""

    op: ClassVar[str] = "global_pool3d"
    rank: ClassVar[int] = 3


@frozen
class AdaptivePool2D(Layer):
    """PyTorch's `AdaptiveAvgPool2d` / `AdaptiveMaxPool2d`: any height and width to `size` (None keeps one)."""

    op: ClassVar[str] = "adaptive_pool2d"
    family: ClassVar[str] = "other"  # no parameters, but not (yet) in the parameter-free explanation
    rank: ClassVar[int] = 2
    kind: str = "avg"
    size: tuple[Expr | None, ...] | None = None  # None: 1 along every axis; a None in it keeps that size

    def __post_init__(self) -> None:
        size = self.size if isinstance(self.size, tuple) else (ONE if self.size is None else self.size,) * self.rank
        object.__setattr__(self, "size", tuple(None if v is None else as_expr(v) for v in size))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_rank(self, inputs[0], self.rank)
        spatial = tuple(given if want is None else want for want, given in zip(self.size, inputs[0].spatial))
        return Shape(inputs[0].channels, spatial)

    @property
    def signature(self) -> str:
        return f"{self.kind} → " + "×".join("·" if v is None else str(v) for v in self.size)


class AdaptivePool1D(AdaptivePool2D):
    """PyTorch's `AdaptiveAvgPool1d` / `AdaptiveMaxPool1d`: any length to `size`."""

    op: ClassVar[str] = "adaptive_pool1d"
    rank: ClassVar[int] = 1


class AdaptivePool3D(AdaptivePool2D):
    """PyTorch's `AdaptiveAvgPool3d` / `AdaptiveMaxPool3d`: any depth, height and width to `size`."""

    op: ClassVar[str] = "adaptive_pool3d"
    rank: ClassVar[int] = 3


# -- spellings ------------------------------------------------------------------------------------
def _spec_pool(cls: type[Pool2D], kind: str) -> Callable[[Arguments], Layer]:
    rank = cls.rank
    return lambda a: cls(kind, sizes(a, "pool", rank, 2), sizes(a, "stride", rank) if a.given("stride") else None,
                         spec_padding(a, "valid", rank))


def _keras_pool(cls: type[Pool2D], kind: str) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        rank = cls.rank
        pool = sizes(args, "pool_size", rank, 2 if kind == "max" else None)
        stride = None if args.get("strides", None) is None else sizes(args, "strides", rank)
        return keras_layout(args, cls(kind, pool, stride, keras_padding(args)))
    return build


def _keras_global_pool(cls: type[GlobalPool2D], adaptive: type[AdaptivePool2D],
                       kind: str) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        if args.flag("keepdims", False):
            return keras_layout(args, adaptive(kind, (ONE,) * cls.rank))
        return keras_layout(args, cls(kind))
    return build


def _torch_pool(cls: type[Pool2D], kind: str) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        rank = cls.rank
        if args.given("dilation") and any(d != 1 for d in sizes(args, "dilation", rank)):
            raise args.error("dilation", "pooling with dilation is not supported")
        ceil = args.flag("ceil_mode", False)
        args.none_or("divisor_override")
        pool = sizes(args, "kernel_size", rank)
        stride = None if args.get("stride", None) is None else sizes(args, "stride", rank)
        return cls(kind, pool, stride, sizes(args, "padding", rank, 0, zero=True), ceil)
    return build


def _torch_adaptive(cls: type[AdaptivePool2D], kind: str) -> Callable[[Arguments], Layer]:
    def build(args: Arguments) -> Layer:
        rank = cls.rank
        value = args.get("output_size")
        items = args.sequence(value)
        values = items if items is not None else (value,) * rank
        if len(values) != rank:
            raise args.error("output_size", "output_size must be one size or two" if rank == 2 else
                             f"output_size must be one size or {rank}")
        return cls(kind, tuple(None if v is None else args.as_size("output_size", v) for v in values))
    return build


def _spec_adaptive(cls: type[AdaptivePool2D], kind: str) -> Callable[[Arguments], Layer]:
    return lambda a: cls(kind, sizes(a, "size", cls.rank))


KERAS_POOL = ("pool_size", "strides", "padding", "data_format")
KERAS_GLOBAL = ("data_format", "keepdims")
TORCH_MAX = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")
TORCH_AVG = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")


def _pool_kind(cls: type[Pool2D], n: str) -> object:
    keras_names = [(f"MaxPooling{n}D", "max"), (f"MaxPool{n}D", "max"), (f"AveragePooling{n}D", "avg"),
                   (f"AvgPool{n}D", "avg")]
    return kind(cls,
                spec(f"max_pool{n}d", ("pool", "stride", "padding"), _spec_pool(cls, "max")),
                spec(f"avg_pool{n}d", ("pool", "stride", "padding"), _spec_pool(cls, "avg")),
                *(keras(name, KERAS_POOL, _keras_pool(cls, k)) for name, k in keras_names),
                torch(f"MaxPool{n}d", TORCH_MAX, _torch_pool(cls, "max"), factory=False, spatial=cls.rank),
                torch(f"AvgPool{n}d", TORCH_AVG[:5] if n == "1" else TORCH_AVG, _torch_pool(cls, "avg"),
                      factory=False, spatial=cls.rank))


def _global_kind(cls: type[GlobalPool2D], adaptive: type[AdaptivePool2D], n: str) -> object:
    keras_names = [(f"GlobalAveragePooling{n}D", "avg"), (f"GlobalAvgPool{n}D", "avg"),
                   (f"GlobalMaxPooling{n}D", "max"), (f"GlobalMaxPool{n}D", "max")]
    return kind(cls,
                spec(f"global_avg_pool{n}d", (), lambda a: cls("avg")),
                spec(f"global_max_pool{n}d", (), lambda a: cls("max")),
                *(keras(name, KERAS_GLOBAL, _keras_global_pool(cls, adaptive, k)) for name, k in keras_names))


def _adaptive_kind(cls: type[AdaptivePool2D], n: str) -> object:
    return kind(cls,
                spec(f"adaptive_avg_pool{n}d", ("size",), _spec_adaptive(cls, "avg"), required=("size",)),
                spec(f"adaptive_max_pool{n}d", ("size",), _spec_adaptive(cls, "max"), required=("size",)),
                torch(f"AdaptiveAvgPool{n}d", ("output_size",), _torch_adaptive(cls, "avg"), factory=False,
                      spatial=cls.rank),
                torch(f"AdaptiveMaxPool{n}d", ("output_size", "return_indices"), _torch_adaptive(cls, "max"),
                      factory=False, spatial=cls.rank))


KINDS = (
    _pool_kind(Pool2D, "2"),
    _global_kind(GlobalPool2D, AdaptivePool2D, "2"),
    _adaptive_kind(AdaptivePool2D, "2"),
    _pool_kind(Pool1D, "1"),
    _pool_kind(Pool3D, "3"),
    _global_kind(GlobalPool1D, AdaptivePool1D, "1"),
    _global_kind(GlobalPool3D, AdaptivePool3D, "3"),
    _adaptive_kind(AdaptivePool1D, "1"),
    _adaptive_kind(AdaptivePool3D, "3"),
)
