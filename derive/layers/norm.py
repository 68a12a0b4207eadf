"""Normalizations: batch, instance, layer, group and RMS norm (gamma, beta; the moving statistics of
batch and instance norm), the per-channel scale, and Keras' preprocessing `Normalization`.

A Keras norm normalises along `axis` (Keras counts it on the tensor with its batch: -1 the channels,
`axis=3` the same on an (H, W, C) image, `axis=1` the first axis after the batch): its parameters have
the input's sizes there (`keras_axis.py`). A PyTorch norm says its own size (`num_features`,
`normalized_shape`), always the channels' (or, for `nn.LayerNorm` and `nn.RMSNorm`, the trailing sizes
it states, as written).
"""

from __future__ import annotations

from typing import ClassVar

import sympy

from ..records import frozen
from .base import ONE, Expr, Layer, Shape, Term, as_expr, check_divisible
from .keras_axis import LAST, keras_axes, sizes, written
from .spelling import MISSING, Arguments, keras, kind, spec, torch


def scale_and_shift(factors: tuple[Expr, ...], scale: bool, center: bool) -> tuple[Term, ...]:
    """A norm's learned scale γ and shift β, one per normalised position, each where it is on."""
    return tuple(Term(kind, factors) for kind, on in (("gamma", scale), ("beta", center)) if on)


def statistics(factors: tuple[Expr, ...]) -> tuple[Term, ...]:
    """The moving mean and variance a batch (or instance) norm tracks, and PyTorch's step counter."""
    return (Term("moving_mean", factors), Term("moving_variance", factors), Term("num_batches_tracked", (ONE,)))


def _factors(size: object) -> tuple[Expr, ...]:
    return tuple(as_expr(s) for s in size) if isinstance(size, tuple) else (as_expr(size),)


@frozen
class BatchNorm(Layer):
    """Per channel (per position along `axis`): gamma (scale) and beta (center) learned; moving mean and
    variance tracked.

    `stats=False` is PyTorch's `track_running_stats=False` (no buffers at all). PyTorch also keeps one
    `num_batches_tracked` counter per layer while it tracks statistics.
    """

    op: ClassVar[str] = "batch_norm"
    family: ClassVar[str] = "norm"
    explain: ClassVar[str | None] = "batch_norm"
    center: bool = True
    scale: bool = True
    stats: bool = True
    axis: tuple[int, ...] = LAST

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        n = sizes(inputs[0], self.axis)
        learned = scale_and_shift(n, self.scale, self.center)
        return (*learned, *statistics(n)) if self.stats else learned

    @property
    def signature(self) -> str:
        return written(self.axis)


@frozen
class InstanceNorm(Layer):
    """PyTorch's `nn.InstanceNorm1d/2d/3d`: each channel of each sample normalised over its positions.
    γ and β per channel only with `affine=True`, the moving statistics only with
    `track_running_stats=True` (both off by default, unlike batch norm)."""

    op: ClassVar[str] = "instance_norm"
    family: ClassVar[str] = "norm"
    explain: ClassVar[str | None] = "instance_norm"
    center: bool = False
    scale: bool = False
    stats: bool = False

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        n = (inputs[0].channels,)
        learned = scale_and_shift(n, self.scale, self.center)
        return (*learned, *statistics(n)) if self.stats else learned


@frozen
class LayerNorm(Layer):
    """Gamma and beta over the normalised axes: the channels, the Keras `axis` given, or the
    `normalized_shape` PyTorch states (`size`, its sizes as written)."""

    op: ClassVar[str] = "layer_norm"
    family: ClassVar[str] = "norm"
    explain: ClassVar[str | None] = "layer_norm"
    center: bool = True
    scale: bool = True
    size: Expr | tuple[Expr, ...] | None = None
    axis: tuple[int, ...] = LAST

    def __post_init__(self) -> None:
        if self.size is not None:
            object.__setattr__(self, "size", _factors(self.size))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        n = sizes(inputs[0], self.axis) if self.size is None else self.size
        return scale_and_shift(n, self.scale, self.center)  # type: ignore[arg-type]

    @property
    def signature(self) -> str:
        return written(self.axis)


@frozen
class RMSNorm(Layer):
    """Root-mean-square norm (`nn.RMSNorm`, Keras `RMSNormalization`): a learned scale γ per normalised
    position, no shift and no statistics."""

    op: ClassVar[str] = "rms_norm"
    family: ClassVar[str] = "norm"
    explain: ClassVar[str | None] = "rms_norm"
    scale: bool = True
    size: Expr | tuple[Expr, ...] | None = None
    axis: tuple[int, ...] = LAST

    def __post_init__(self) -> None:
        if self.size is not None:
            object.__setattr__(self, "size", _factors(self.size))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        n = sizes(inputs[0], self.axis) if self.size is None else self.size
        return (Term("gamma", n, "scale"),) if self.scale else ()  # type: ignore[arg-type]

    @property
    def signature(self) -> str:
        return written(self.axis)


@frozen
class GroupNorm(Layer):
    """Group normalization: γ and β per channel (each optional), no moving statistics. `groups=None` is
    one group per channel (Keras `groups=-1`: instance normalization)."""

    op: ClassVar[str] = "group_norm"
    family: ClassVar[str] = "norm"
    explain: ClassVar[str | None] = "group_norm"
    groups: Expr | None = ONE
    center: bool = True
    scale: bool = True
    axis: tuple[int, ...] = LAST

    def __post_init__(self) -> None:
        if self.groups is not None:
            object.__setattr__(self, "groups", as_expr(self.groups))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        (c,) = n = sizes(inputs[0], self.axis)
        if self.groups is not None:
            check_divisible("channels", c, self.groups, "groups")
        return scale_and_shift(n, self.scale, self.center)

    @property
    def signature(self) -> str:
        groups = "one group per channel" if self.groups is None else f"{self.groups} groups"
        return ", ".join(filter(None, (groups, written(self.axis))))


@frozen
class FixedNorm(Layer):
    """A normalization with nothing learned and no statistics kept: Keras `UnitNormalization` (each
    vector scaled to length 1 along `axis`), PyTorch `nn.LocalResponseNorm` (each value divided by the
    activity of its neighbouring channels). No parameters, shape unchanged."""

    op: ClassVar[str] = "fixed_norm"
    family: ClassVar[str] = "parameter_free"
    function: str = "unit"

    @property
    def signature(self) -> str:
        return self.function


@frozen
class LayerScale(Layer):
    """A learned per-channel scale (ConvNeXt's layer scale `gamma`, Keras `LayerScale`): C values,
    trainable. Element-wise, so not counted as multiply-accumulates."""

    op: ClassVar[str] = "layer_scale"

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return (Term("gamma", (inputs[0].channels,)),)


@frozen
class Normalization(Layer):
    """Keras' `Normalization` preprocessing layer (as in keras.applications' EfficientNet): a mean and
    a variance per position along `axis` (per channel by default; one of each with `axis=None`) and one
    sample count, all non-trainable statistics, never learned. With `mean` and `variance` given in the
    code it holds no weights at all (`given`)."""

    op: ClassVar[str] = "normalization"
    family: ClassVar[str] = "norm"
    explain: ClassVar[str | None] = "normalization"
    axis: tuple[int, ...] | None = LAST
    given: bool = False

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        if self.given:
            return ()
        n = (ONE,) if self.axis is None else sizes(inputs[0], self.axis)
        return (Term("moving_mean", n, "mean"), Term("moving_variance", n, "variance"),
                Term("moving_mean", (ONE,), "count"))

    @property
    def signature(self) -> str:
        return "axis=None" if self.axis is None else written(self.axis)


# -- spellings ------------------------------------------------------------------------------------
def _keras_batch_norm(args: Arguments) -> Layer:
    axis = keras_axes(args, several=False)
    args.none_or("renorm", (False,))
    return BatchNorm(args.flag("center", True), args.flag("scale", True), True, axis)


def _keras_layer_norm(args: Arguments) -> Layer:
    axis = keras_axes(args)
    rms = args.flag("rms_scaling", False)  # Keras then drops the shift: γ only
    return LayerNorm(args.flag("center", True) and not rms, args.flag("scale", True), None, axis)


def _per_channel(args: Arguments, default: object = MISSING) -> Expr | None:
    """`groups`, or None for -1: as many groups as channels (Keras' instance normalization)."""
    groups = args.as_number(args.get("groups", default))
    if isinstance(groups, sympy.Expr) and groups == -1:
        return None
    return args.size("groups", default)


def _keras_group_norm(args: Arguments) -> Layer:
    groups = _per_channel(args, sympy.Integer(32))
    return GroupNorm(groups, args.flag("center", True), args.flag("scale", True), keras_axes(args, several=False))


def _keras_normalization(args: Arguments) -> Layer:
    axis = keras_axes(args, none=True)
    given = args.given("mean") and args.get("mean") is not None
    if given != (args.given("variance") and args.get("variance") is not None):
        raise args.error("mean" if given else "variance", "mean and variance are given together or not at all")
    return Normalization(axis, given)


def _torch_batch_norm(args: Arguments) -> Layer:
    affine = args.flag("affine", True)
    return BatchNorm(affine and args.flag("bias", True), affine, args.flag("track_running_stats", True))


def _torch_instance_norm(args: Arguments) -> Layer:
    affine = args.flag("affine", False)
    return InstanceNorm(affine and args.flag("bias", True), affine, args.flag("track_running_stats", False))


def _torch_shape(args: Arguments) -> tuple[Expr, ...]:
    shape = args.get("normalized_shape")
    items = args.sequence(shape)
    if items == ():
        raise args.error("normalized_shape", "normalized_shape must name at least one size")
    return tuple(args.as_size("normalized_shape", v) for v in (items if items is not None else (shape,)))


def _torch_layer_norm(args: Arguments) -> Layer:
    shape = _torch_shape(args)
    affine = args.flag("elementwise_affine", True)
    return LayerNorm(affine and args.flag("bias", True), affine, shape)


def _torch_group_norm(args: Arguments) -> Layer:
    affine = args.flag("affine", True)
    return GroupNorm(args.size("num_groups"), affine and args.flag("bias", True), affine)


def _spec_size(args: Arguments) -> tuple[Expr, ...] | None:
    if not args.given("size"):
        return None
    if args.given("axis"):
        raise args.error("axis", "give size or axis, not both")
    items = args.sequence(args.get("size"))
    return tuple(args.as_size("size", v) for v in items) if items else (args.size("size"),)


TORCH_NORM = ("num_features", "eps", "momentum", "affine", "track_running_stats")
FLAGS = ("center", "scale")


def _batch_norms():
    for name, spatial in (("BatchNorm1d", None), ("BatchNorm2d", 2), ("BatchNorm3d", 3)):
        yield torch(name, TORCH_NORM, _torch_batch_norm, keyword_only=("bias",), stated="num_features",
                    spatial=spatial)
    yield torch("SyncBatchNorm", (*TORCH_NORM, "process_group"), _torch_batch_norm, keyword_only=("bias",),
                stated="num_features")


def _spec_fixed_norm(args: Arguments) -> Layer:
    function = args.get("function", "unit")
    if function not in ("unit", "local_response"):
        raise args.error("function", 'function must be "unit" or "local_response"')
    return FixedNorm(function)


def _keras_unit_norm(args: Arguments) -> Layer:
    keras_axes(args)  # read (and checked) only: no parameters along any axis
    return FixedNorm("unit")


def _torch_local_response(args: Arguments) -> Layer:
    args.size("size")
    return FixedNorm("local_response")


def _instance_norms():
    for name, spatial in (("InstanceNorm1d", None), ("InstanceNorm2d", 2), ("InstanceNorm3d", 3)):
        yield torch(name, TORCH_NORM, _torch_instance_norm, keyword_only=("bias",), stated="num_features",
                    spatial=spatial)


KINDS = (
    kind(BatchNorm,
         spec("batch_norm", (*FLAGS, "stats", "axis"), lambda a: BatchNorm(
             a.flag("center", True), a.flag("scale", True), a.flag("stats", True), keras_axes(a, several=False))),
         keras("BatchNormalization", ("axis", "momentum", "epsilon", "center", "scale"), _keras_batch_norm,
               keywords=("renorm",)),
         *_batch_norms()),
    kind(InstanceNorm,
         spec("instance_norm", (*FLAGS, "stats"), lambda a: InstanceNorm(
             a.flag("center", False), a.flag("scale", False), a.flag("stats", False))),
         *_instance_norms()),
    kind(LayerNorm,
         spec("layer_norm", (*FLAGS, "size", "axis"), lambda a: LayerNorm(
             a.flag("center", True), a.flag("scale", True), _spec_size(a), keras_axes(a))),
         keras("LayerNormalization", ("axis", "epsilon", "center", "scale"), _keras_layer_norm,
               keywords=("rms_scaling",)),
         torch("LayerNorm", ("normalized_shape", "eps", "elementwise_affine", "bias"), _torch_layer_norm)),
    kind(RMSNorm,
         spec("rms_norm", ("scale", "size", "axis"), lambda a: RMSNorm(a.flag("scale", True), _spec_size(a),
                                                                      keras_axes(a))),
         keras("RMSNormalization", ("axis", "epsilon"), lambda a: RMSNorm(True, None, keras_axes(a))),
         torch("RMSNorm", ("normalized_shape", "eps", "elementwise_affine"), lambda a: RMSNorm(
             a.flag("elementwise_affine", True), _torch_shape(a)))),
    kind(GroupNorm,
         spec("group_norm", ("groups", *FLAGS, "axis"), lambda a: GroupNorm(
             _per_channel(a), a.flag("center", True), a.flag("scale", True), keras_axes(a, several=False)),
              required=("groups",)),
         keras("GroupNormalization", ("groups", "axis", "epsilon", "center", "scale"), _keras_group_norm),
         torch("GroupNorm", ("num_groups", "num_channels", "eps", "affine"), _torch_group_norm, keyword_only=("bias",),
               stated="num_channels")),
    kind(FixedNorm,
         spec("fixed_norm", ("function",), _spec_fixed_norm),
         keras("UnitNormalization", ("axis",), _keras_unit_norm),
         torch("LocalResponseNorm", ("size", "alpha", "beta", "k"), _torch_local_response, factory=False)),
    kind(LayerScale),
    kind(Normalization,
         spec("normalization", ("axis",), lambda a: Normalization(keras_axes(a))),
         keras("Normalization", ("axis", "mean", "variance", "invert"), _keras_normalization)),
)
