"""Layers: what each one holds (labelled parameter terms), what it outputs, what it costs.

A layer is framework-neutral: `Conv2D` is Keras `Conv2D` and PyTorch `nn.Conv2d` alike. Given the
shapes of its inputs it reports

* `terms(inputs)`: its parameters as `Term`s, each a kind (weights, bias, gamma, beta, moving_mean,
  moving_variance, num_batches_tracked) and the factors whose product is its size, kept as written
  (`k·k·C`) so a derivation can show them one by one. Which kinds count, and as what, is the
  convention's business (`conventions.py`), not the layer's;
* `output(inputs)`: the output `Shape`, stride-, padding- and dilation-aware, in the symbols;
* `macs(inputs, output)`: multiply-accumulates, counted for convolutions and dense layers only.

Shapes are channels-last: `Shape(channels, (height, width))`, or `Shape(features)` for a vector.
"""

from __future__ import annotations

from dataclasses import field
from typing import ClassVar, Union

import sympy

from .errors import InputError
from .functions import ceiling, floor
from .records import frozen

Expr = sympy.Expr
Padding = Union[str, tuple[Expr, Expr]]  # "same", "valid", or explicit (top/bottom, left/right) per side

ONE = sympy.Integer(1)
ZERO = sympy.Integer(0)

TRAINABLE_KINDS = ("weights", "bias", "gamma", "beta")
STATISTIC_KINDS = ("moving_mean", "moving_variance")
COUNTER_KINDS = ("num_batches_tracked",)
KINDS = TRAINABLE_KINDS + STATISTIC_KINDS + COUNTER_KINDS


@frozen
class Shape:
    """A tensor's shape without the batch: channels last, spatial sizes before them (none for a vector)."""

    channels: Expr
    spatial: tuple[Expr, ...] = ()

    @property
    def positions(self) -> Expr:
        """How many spatial positions a per-position operation runs at (1 for a vector)."""
        return sympy.Mul(*self.spatial)

    @property
    def dims(self) -> tuple[Expr, ...]:
        return (*self.spatial, self.channels)


@frozen
class Term:
    """One labelled parameter tensor: `kind`, the factors of its size, and an optional name."""

    kind: str
    factors: tuple[Expr, ...]
    name: str = ""

    @property
    def size(self) -> Expr:
        return sympy.Mul(*self.factors)

    @property
    def label(self) -> str:
        return self.name or self.kind


def _e(value: object) -> Expr:
    return sympy.Integer(value) if isinstance(value, int) else value  # type: ignore[return-value]


def _pair(value: object) -> tuple[Expr, Expr]:
    if isinstance(value, tuple):
        return (_e(value[0]), _e(value[1]))
    return (_e(value), _e(value))


def window_out(size: Expr, kernel: Expr, stride: Expr, padding: Padding, dilation: Expr = ONE,
               axis: int = 0) -> Expr:
    """Output length of a sliding window (convolution or pooling) along one axis.

    `same` is Keras' rule, ceil(size / stride); otherwise floor((size + 2p − d(k − 1) − 1) / s) + 1
    with p the explicit padding per side (0 for `valid`), as both frameworks compute it.
    """
    if padding == "same":
        return ceiling(size / stride)
    pad = ZERO if padding == "valid" else _e(padding[axis])  # type: ignore[index]
    return floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1


def _check_divisible(what: str, value: Expr, by: Expr, by_what: str) -> None:
    if value.is_Integer and by.is_Integer and value % by != 0:
        raise InputError(f"{what} ({value}) must be divisible by {by_what} ({by})")


def _need_image(layer: "Layer", shape: Shape) -> None:
    if len(shape.spatial) != 2:
        raise InputError(f"{layer.op} needs an image input (height, width, channels), got a vector")


@frozen
class Layer:
    """Base: no parameters, shape unchanged, no multiply-accumulates."""

    op: ClassVar[str] = "layer"
    arity: ClassVar[int] = 1

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return ()

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return inputs[0]

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return ZERO

    @property
    def signature(self) -> str:
        """A few words of notation after the op name in a table (`1×1`, `k×k /s`)."""
        return ""


def _kernel_signature(kernel: tuple[Expr, Expr], stride: tuple[Expr, Expr]) -> str:
    def show(e: Expr) -> str:
        if e.is_Integer:  # the common case, without sympy's printer (a tenth of reading 5,000 modules)
            return str(e.p)
        return str(e) if e.is_Atom else f"({e})"

    text = f"{show(kernel[0])}×{show(kernel[1])}"
    if stride != (ONE, ONE):
        text += f" /{show(stride[0])}" if stride[0] == stride[1] else f" /{show(stride[0])}×{show(stride[1])}"
    return text


@frozen
class Conv2D(Layer):
    """A 2-D convolution: k_h·k_w·(C_in/groups)·filters weights, and with `bias` one more per filter."""

    op: ClassVar[str] = "conv2d"
    filters: Expr
    kernel: tuple[Expr, Expr] = (ONE, ONE)
    stride: tuple[Expr, Expr] = (ONE, ONE)
    padding: Padding = "same"
    dilation: tuple[Expr, Expr] = (ONE, ONE)
    groups: Expr = ONE
    bias: bool = True

    def __post_init__(self) -> None:
        for name in ("kernel", "stride", "dilation"):
            object.__setattr__(self, name, _pair(getattr(self, name)))
        object.__setattr__(self, "filters", _e(self.filters))
        object.__setattr__(self, "groups", _e(self.groups))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        c_in = inputs[0].channels
        _check_divisible("input channels", c_in, self.groups, "groups")
        _check_divisible("filters", self.filters, self.groups, "groups")
        weights = Term("weights", (*self.kernel, c_in / self.groups, self.filters))
        return (weights, Term("bias", (self.filters,))) if self.bias else (weights,)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        _need_image(self, inputs[0])
        h, w = inputs[0].spatial
        return Shape(self.filters, (
            window_out(h, self.kernel[0], self.stride[0], self.padding, self.dilation[0], 0),
            window_out(w, self.kernel[1], self.stride[1], self.padding, self.dilation[1], 1),
        ))

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        per_position = self.kernel[0] * self.kernel[1] * inputs[0].channels / self.groups * self.filters
        return output.positions * per_position

    @property
    def signature(self) -> str:
        return _kernel_signature(self.kernel, self.stride)


@frozen
class DepthwiseConv2D(Layer):
    """One k_h×k_w filter per input channel (times the depth multiplier): k_h·k_w·C weights, not k_h·k_w·C·C."""

    op: ClassVar[str] = "depthwise_conv2d"
    kernel: tuple[Expr, Expr] = (sympy.Integer(3), sympy.Integer(3))
    stride: tuple[Expr, Expr] = (ONE, ONE)
    padding: Padding = "same"
    dilation: tuple[Expr, Expr] = (ONE, ONE)
    multiplier: Expr = ONE
    bias: bool = True

    def __post_init__(self) -> None:
        for name in ("kernel", "stride", "dilation"):
            object.__setattr__(self, name, _pair(getattr(self, name)))
        object.__setattr__(self, "multiplier", _e(self.multiplier))

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

    @property
    def signature(self) -> str:
        return _kernel_signature(self.kernel, self.stride)


@frozen
class SeparableConv2D(Layer):
    """Keras `SeparableConv2D`: a depthwise kernel, a 1×1 pointwise kernel, one bias on the output."""

    op: ClassVar[str] = "separable_conv2d"
    filters: Expr
    kernel: tuple[Expr, Expr] = (sympy.Integer(3), sympy.Integer(3))
    stride: tuple[Expr, Expr] = (ONE, ONE)
    padding: Padding = "same"
    dilation: tuple[Expr, Expr] = (ONE, ONE)
    multiplier: Expr = ONE
    bias: bool = True

    def __post_init__(self) -> None:
        for name in ("kernel", "stride", "dilation"):
            object.__setattr__(self, name, _pair(getattr(self, name)))
        object.__setattr__(self, "filters", _e(self.filters))
        object.__setattr__(self, "multiplier", _e(self.multiplier))

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

    @property
    def signature(self) -> str:
        return _kernel_signature(self.kernel, self.stride)


@frozen
class Dense(Layer):
    """Keras `Dense` / PyTorch `nn.Linear`, applied along the last axis."""

    op: ClassVar[str] = "dense"
    units: Expr
    bias: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "units", _e(self.units))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        weights = Term("weights", (inputs[0].channels, self.units))
        return (weights, Term("bias", (self.units,))) if self.bias else (weights,)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return Shape(self.units, inputs[0].spatial)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return inputs[0].positions * inputs[0].channels * self.units


@frozen
class BatchNorm(Layer):
    """Per channel: gamma (scale) and beta (center) learned; moving mean and variance tracked.

    `stats=False` is PyTorch's `track_running_stats=False` (no buffers at all). PyTorch also keeps one
    `num_batches_tracked` counter per layer while it tracks statistics.
    """

    op: ClassVar[str] = "batch_norm"
    center: bool = True
    scale: bool = True
    stats: bool = True

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        c = inputs[0].channels
        out = []
        if self.scale:
            out.append(Term("gamma", (c,)))
        if self.center:
            out.append(Term("beta", (c,)))
        if self.stats:
            out += [Term("moving_mean", (c,)), Term("moving_variance", (c,)),
                    Term("num_batches_tracked", (ONE,))]
        return tuple(out)


@frozen
class LayerNorm(Layer):
    """Gamma and beta over the normalised axes: the channels unless `size` says otherwise."""

    op: ClassVar[str] = "layer_norm"
    center: bool = True
    scale: bool = True
    size: Expr | None = None

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        n = inputs[0].channels if self.size is None else _e(self.size)
        return tuple(Term(kind, (n,)) for kind, on in (("gamma", self.scale), ("beta", self.center)) if on)


@frozen
class GroupNorm(Layer):
    """Group normalization: γ and β per channel (each optional), no moving statistics."""

    op: ClassVar[str] = "group_norm"
    groups: Expr = ONE
    center: bool = True
    scale: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", _e(self.groups))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        c = inputs[0].channels
        _check_divisible("channels", c, self.groups, "groups")
        return tuple(Term(kind, (c,)) for kind, on in (("gamma", self.scale), ("beta", self.center)) if on)


@frozen
class Activation(Layer):
    """An element-wise function (relu, relu6, silu, ...): no parameters."""

    op: ClassVar[str] = "activation"
    function: str = "relu"

    @property
    def signature(self) -> str:
        return self.function


@frozen
class Add(Layer):
    """Element-wise sum of inputs of one shape (a residual connection): no parameters."""

    op: ClassVar[str] = "add"
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
    arity: ClassVar[int] = 0

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return Shape(sympy.Add(*(shape.channels for shape in inputs)), inputs[0].spatial)


@frozen
class Pool2D(Layer):
    """Max or average pooling; the stride defaults to the pool size, as in Keras."""

    op: ClassVar[str] = "pool2d"
    kind: str = "max"
    pool: tuple[Expr, Expr] = (sympy.Integer(2), sympy.Integer(2))
    stride: tuple[Expr, Expr] | None = None
    padding: Padding = "valid"

    def __post_init__(self) -> None:
        object.__setattr__(self, "pool", _pair(self.pool))
        object.__setattr__(self, "stride", self.pool if self.stride is None else _pair(self.stride))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        _need_image(self, inputs[0])
        h, w = inputs[0].spatial
        return Shape(inputs[0].channels, (
            window_out(h, self.pool[0], self.stride[0], self.padding, ONE, 0),  # type: ignore[index]
            window_out(w, self.pool[1], self.stride[1], self.padding, ONE, 1),  # type: ignore[index]
        ))

    @property
    def signature(self) -> str:
        return f"{self.kind} " + _kernel_signature(self.pool, self.stride)  # type: ignore[arg-type]


@frozen
class GlobalPool2D(Layer):
    """Global average or max pooling: an image to a vector of its channels."""

    op: ClassVar[str] = "global_pool2d"
    kind: str = "avg"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        _need_image(self, inputs[0])
        return Shape(inputs[0].channels)

    @property
    def signature(self) -> str:
        return self.kind


@frozen
class Dropout(Layer):
    """Dropout: no parameters, shape unchanged."""

    op: ClassVar[str] = "dropout"
    rate: Expr = field(default=ZERO)


@frozen
class Flatten(Layer):
    """An image to a vector of h·w·C features."""

    op: ClassVar[str] = "flatten"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return Shape(inputs[0].positions * inputs[0].channels)


@frozen
class AdaptivePool2D(Layer):
    """PyTorch's `AdaptiveAvgPool2d` / `AdaptiveMaxPool2d`: any height and width to `size` (None keeps one)."""

    op: ClassVar[str] = "adaptive_pool2d"
    kind: str = "avg"
    size: tuple[Expr | None, Expr | None] = (ONE, ONE)

    def __post_init__(self) -> None:
        size = self.size if isinstance(self.size, tuple) else (self.size, self.size)
        object.__setattr__(self, "size", tuple(None if v is None else _e(v) for v in size))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        _need_image(self, inputs[0])
        spatial = tuple(given if want is None else want for want, given in zip(self.size, inputs[0].spatial))
        return Shape(inputs[0].channels, spatial)

    @property
    def signature(self) -> str:
        return f"{self.kind} → " + "×".join("·" if v is None else str(v) for v in self.size)


@frozen
class ZeroPadding2D(Layer):
    """Zeros around the image: ((top, bottom), (left, right)). Keras `ZeroPadding2D`, PyTorch `ZeroPad2d`."""

    op: ClassVar[str] = "zero_padding2d"
    padding: tuple[tuple[Expr, Expr], tuple[Expr, Expr]] = ((ONE, ONE), (ONE, ONE))

    def __post_init__(self) -> None:
        object.__setattr__(self, "padding", tuple(_pair(side) for side in self.padding))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        _need_image(self, inputs[0])
        (top, bottom), (left, right) = self.padding
        h, w = inputs[0].spatial
        return Shape(inputs[0].channels, (h + top + bottom, w + left + right))


@frozen
class Stated(Layer):
    """A layer counted on the input size its code states, whatever the layer before it outputs.

    PyTorch modules say their own input size (`nn.Conv2d(in, out, ...)`, `nn.Linear(in, out)`,
    `nn.BatchNorm2d(C)`) and PyTorch counts every registered module on those arguments alone, however
    `forward` wires them. A reader wraps such a layer in `Stated` where the flow it follows does not
    bring that size; terms, output and multiply-accumulates are the inner layer's on `input`.
    """

    layer: Layer
    input: Shape

    @property
    def op(self) -> str:  # type: ignore[override]
        return self.layer.op

    @property
    def arity(self) -> int:  # type: ignore[override]
        return self.layer.arity

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return self.layer.terms((self.input,))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return self.layer.output((self.input,))

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return self.layer.macs((self.input,), output)

    @property
    def signature(self) -> str:
        return self.layer.signature


# -- the block and network library (library/*.py) --------------------------------------------------
@frozen
class Multiply(Layer):
    """Element-wise product, broadcasting the later inputs over the first (squeeze-and-excitation's
    `x · s`, with `s` of shape 1×1×C). No parameters; not counted as multiply-accumulates."""

    op: ClassVar[str] = "multiply"
    arity: ClassVar[int] = 0

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        first = inputs[0]
        for other in inputs[1:]:
            pairs = [(other.channels, first.channels), *zip(other.spatial, first.spatial)]
            if len(other.spatial) != len(first.spatial) or any(a != ONE and (a - b).is_nonzero for a, b in pairs):
                raise InputError("multiply needs inputs of the same shape, or 1 where they differ")
        return first


@frozen
class LayerScale(Layer):
    """A learned per-channel scale (ConvNeXt's layer scale `gamma`, Keras `LayerScale`): C values,
    trainable. Element-wise, so not counted as multiply-accumulates."""

    op: ClassVar[str] = "layer_scale"

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return (Term("gamma", (inputs[0].channels,)),)


@frozen
class MultiHeadAttention(Layer):
    """Self-attention over a sequence `Shape(d, (L,))`: query, key and value projections to
    `heads` heads of `key_dim` (`value_dim`) each, and an output projection back to `d`.

    `key_dim=None` is PyTorch's `nn.MultiheadAttention(d, heads)`: every head d/heads wide, so each
    projection is d×d (PyTorch keeps the three input projections in one `in_proj_weight` of 3d×d;
    the count is the same). Keras' `MultiHeadAttention(heads, key_dim)` may choose `key_dim` freely:
    then each projection is d×heads×key_dim. `bias` gives every projection its bias, as both do by
    default. Multiply-accumulates: the four projections only (L·d per weight row); the products
    QKᵀ and AV have no weights and are outside the counting policy (convolutions and dense layers).
    """

    op: ClassVar[str] = "multi_head_attention"
    heads: Expr = ONE
    key_dim: Expr | None = None
    value_dim: Expr | None = None
    bias: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "heads", _e(self.heads))
        for name in ("key_dim", "value_dim"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, _e(getattr(self, name)))

    def _projections(self, d: Expr) -> tuple[tuple[str, tuple[Expr, ...], Expr], ...]:
        """(name, weight factors, bias size) for query, key, value and output."""
        if self.key_dim is None:
            _check_divisible("model width", d, self.heads, "heads")
            square = (d, d)
            return tuple((name, square, d) for name in ("query", "key", "value", "output"))
        kd = self.key_dim
        vd = kd if self.value_dim is None else self.value_dim
        return (("query", (d, self.heads, kd), self.heads * kd), ("key", (d, self.heads, kd), self.heads * kd),
                ("value", (d, self.heads, vd), self.heads * vd), ("output", (self.heads, vd, d), d))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        out = []
        for name, factors, bias in self._projections(inputs[0].channels):
            out.append(Term("weights", factors, f"{name}_weights"))
            if self.bias:
                out.append(Term("bias", (bias,), f"{name}_bias"))
        return tuple(out)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        weights = sympy.Add(*(sympy.Mul(*factors) for _, factors, _ in self._projections(inputs[0].channels)))
        return inputs[0].positions * weights

    @property
    def signature(self) -> str:
        return f"{self.heads} heads"


@frozen
class Normalization(Layer):
    """Keras' `Normalization` preprocessing layer (as in keras.applications' EfficientNet): a mean and
    a variance per channel and one sample count, all non-trainable statistics, never learned."""

    op: ClassVar[str] = "normalization"

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        c = inputs[0].channels
        return (Term("moving_mean", (c,), "mean"), Term("moving_variance", (c,), "variance"),
                Term("moving_mean", (ONE,), "count"))
