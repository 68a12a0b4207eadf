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
This module holds the base class, shapes, terms and the window arithmetic the family modules share;
each family module (`conv.py`, `norm.py`, ...) declares its kinds and how the readers spell them.
"""

from __future__ import annotations

from typing import ClassVar, Union

import sympy

from ..errors import InputError
from ..functions import ceiling, floor
from ..records import frozen

Expr = sympy.Expr
Padding = Union[str, tuple[Expr, ...]]  # "same", "valid", "causal", or explicit sizes per side, one per spatial axis

ONE = sympy.Integer(1)
ZERO = sympy.Integer(0)

TRAINABLE_KINDS = ("weights", "bias", "gamma", "beta")
STATISTIC_KINDS = ("moving_mean", "moving_variance")
COUNTER_KINDS = ("num_batches_tracked",)
TERM_KINDS = TRAINABLE_KINDS + STATISTIC_KINDS + COUNTER_KINDS
FAMILIES = ("convolution", "norm", "activation", "merge", "parameter_free", "other", "attention", "sequence")


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


@frozen
class Layer:
    """Base: no parameters, shape unchanged, no multiply-accumulates."""

    op: ClassVar[str] = "layer"
    arity: ClassVar[int] = 1
    family: ClassVar[str] = "other"  # one of FAMILIES: how the presentation groups its explanations
    explain: ClassVar[str | None] = None  # the topic of templates/explain/<topic>.md.j2, if any

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return ()

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return inputs[0]

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return ZERO

    def attention_macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        """Multiply-accumulates of attention's matrix products (QKᵀ, the weighted sum of V), which have
        no weights: a figure of their own, apart from `macs` (attention.py)."""
        return ZERO

    @property
    def signature(self) -> str:
        """A few words of notation after the op name in a table (`1×1`, `k×k /s`)."""
        return ""


def as_expr(value: object) -> Expr:
    return sympy.Integer(value) if isinstance(value, int) else value  # type: ignore[return-value]


def as_pair(value: object) -> tuple[Expr, Expr]:
    if isinstance(value, tuple):
        return (as_expr(value[0]), as_expr(value[1]))
    return (as_expr(value), as_expr(value))


def as_tuple(value: object, rank: int) -> tuple[Expr, ...]:
    """One size for every spatial axis, or one per axis (`rank` of them)."""
    if isinstance(value, tuple):
        if len(value) != rank:
            raise InputError(f"expected {rank} sizes, one per spatial axis, got {len(value)}")
        return tuple(as_expr(v) for v in value)
    return (as_expr(value),) * rank


def window_out(size: Expr, kernel: Expr, stride: Expr, padding: Padding, dilation: Expr = ONE,
               axis: int = 0) -> Expr:
    """Output length of a sliding window (convolution or pooling) along one axis.

    `same` is Keras' rule, ceil(size / stride) (and `causal`'s, which pads d·(k − 1) in front); otherwise
    floor((size + 2p − d(k − 1) − 1) / s) + 1 with p the explicit padding per side (0 for `valid`), as
    both frameworks compute it.
    """
    if padding == "same" or padding == "causal":
        return ceiling(size / stride)
    pad = ZERO if padding == "valid" else as_expr(padding[axis])  # type: ignore[index]
    return floor((size + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1


def check_fits(shape: Shape, output: Shape) -> Shape:
    """*output*, unless a spatial size of it is a number below 1: a window larger than its input."""
    for size in output.spatial:
        if size.is_Number and size < 1:
            raise InputError(f"the input ({' x '.join(str(d) for d in shape.dims)}) is too small for this layer: "
                             f"its output would have size {size}")
    return output


def check_divisible(what: str, value: Expr, by: Expr, by_what: str) -> None:
    if value.is_Integer and by.is_Integer and value % by != 0:
        raise InputError(f"{what} ({value}) must be divisible by {by_what} ({by})")


RANKS = ("a vector (features,)", "a sequence (steps, channels)", "an image (height, width, channels)",
         "a volume (depth, height, width, channels)")


def describe_rank(rank: int) -> str:
    """What a tensor of `rank` spatial axes is, in words (`an image (height, width, channels)`)."""
    return RANKS[rank] if rank < len(RANKS) else f"a tensor of {rank + 1} axes"


def need_rank(layer: Layer, shape: Shape, rank: int) -> None:
    """Refuse an input without `rank` spatial axes before the channels (1: a sequence, 2: an image, ...)."""
    if len(shape.spatial) != rank:
        got = "a vector" if not shape.spatial else describe_rank(len(shape.spatial)).partition(" (")[0]
        wanted = describe_rank(rank).replace(" (", " input (", 1) if rank else "a vector input"
        raise InputError(f"{layer.op} needs {wanted}, got {got}")


def need_image(layer: Layer, shape: Shape) -> None:
    need_rank(layer, shape, 2)


def kernel_signature(kernel: tuple[Expr, ...], stride: tuple[Expr, ...]) -> str:
    """`3×3`, `3×3 /2`, `1×7 /2×1`: a window and its stride, along each spatial axis."""
    def show(e: Expr) -> str:
        if e.is_Integer:  # the common case, without sympy's printer (a tenth of reading 5,000 modules)
            return str(e.p)
        return str(e) if e.is_Atom else f"({e})"

    text = "×".join([show(k) for k in kernel])
    if any([s != ONE for s in stride]):
        same = all([s == stride[0] for s in stride])
        text += f" /{show(stride[0])}" if same else " /" + "×".join([show(s) for s in stride])
    return text


@frozen
class Wrapped(Layer):
    """A layer around another, `layer`: its op, arity, family, explanation topic and signature, and (unless
    a subclass changes them) its terms, output and multiply-accumulates on the same inputs."""

    layer: Layer

    @property
    def op(self) -> str:  # type: ignore[override]
        return self.layer.op

    @property
    def arity(self) -> int:  # type: ignore[override]
        return self.layer.arity

    @property
    def family(self) -> str:  # type: ignore[override]
        return self.layer.family

    @property
    def explain(self) -> str | None:  # type: ignore[override]
        return self.layer.explain

    @property
    def signature(self) -> str:
        return self.layer.signature

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return self.layer.terms(inputs)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return self.layer.output(inputs)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return self.layer.macs(inputs, output)

    def attention_macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return self.layer.attention_macs(inputs, output)


def core(layer: Layer) -> Layer:
    """The layer inside any wrappers (frozen, stated, channels-first, ...): what kind of layer it is."""
    while isinstance(layer, Wrapped):
        layer = layer.layer
    return layer


@frozen
class Stated(Wrapped):
    """A layer counted on the input size its code states, whatever the layer before it outputs.

    PyTorch modules say their own input size (`nn.Conv2d(in, out, ...)`, `nn.Linear(in, out)`,
    `nn.BatchNorm2d(C)`) and PyTorch counts every registered module on those arguments alone, however
    `forward` wires them. A reader wraps such a layer in `Stated` where the flow it follows does not
    bring that size; terms, output and multiply-accumulates are the inner layer's on `input`.
    """

    input: Shape

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return self.layer.terms((self.input,))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return self.layer.output((self.input,))

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return self.layer.macs((self.input,), output)

    def attention_macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return self.layer.attention_macs((self.input,), output)
