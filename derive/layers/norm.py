"""Normalizations: batch, layer and group norm (gamma, beta; batch norm's moving statistics), and the
per-channel scale and the preprocessing `Normalization` of the network library."""

from __future__ import annotations

from typing import ClassVar

import sympy

from ..records import frozen
from .base import ONE, Expr, Layer, Shape, Term, as_expr, check_divisible
from .spelling import Arguments, axis_last, keras, kind, spec, torch


def scale_and_shift(channels: Expr, scale: bool, center: bool) -> tuple[Term, ...]:
    """A norm's learned scale γ and shift β, one per channel, each where it is on."""
    return tuple(Term(kind, (channels,)) for kind, on in (("gamma", scale), ("beta", center)) if on)


@frozen
class BatchNorm(Layer):
    """Per channel: gamma (scale) and beta (center) learned; moving mean and variance tracked.

    `stats=False` is PyTorch's `track_running_stats=False` (no buffers at all). PyTorch also keeps one
    `num_batches_tracked` counter per layer while it tracks statistics.
    """

    op: ClassVar[str] = "batch_norm"
    family: ClassVar[str] = "norm"
    explain: ClassVar[str | None] = "batch_norm"
    center: bool = True
    scale: bool = True
    stats: bool = True

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        c = inputs[0].channels
        learned = scale_and_shift(c, self.scale, self.center)
        if not self.stats:
            return learned
        return (*learned, Term("moving_mean", (c,)), Term("moving_variance", (c,)), Term("num_batches_tracked", (ONE,)))


@frozen
class LayerNorm(Layer):
    """Gamma and beta over the normalised axes: the channels unless `size` says otherwise."""

    op: ClassVar[str] = "layer_norm"
    family: ClassVar[str] = "norm"
    explain: ClassVar[str | None] = "layer_norm"
    center: bool = True
    scale: bool = True
    size: Expr | None = None

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        n = inputs[0].channels if self.size is None else as_expr(self.size)
        return scale_and_shift(n, self.scale, self.center)


@frozen
class GroupNorm(Layer):
    """Group normalization: γ and β per channel (each optional), no moving statistics."""

    op: ClassVar[str] = "group_norm"
    family: ClassVar[str] = "norm"
    explain: ClassVar[str | None] = "group_norm"
    groups: Expr = ONE
    center: bool = True
    scale: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", as_expr(self.groups))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        c = inputs[0].channels
        check_divisible("channels", c, self.groups, "groups")
        return scale_and_shift(c, self.scale, self.center)


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
    a variance per channel and one sample count, all non-trainable statistics, never learned."""

    op: ClassVar[str] = "normalization"

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        c = inputs[0].channels
        return (Term("moving_mean", (c,), "mean"), Term("moving_variance", (c,), "variance"),
                Term("moving_mean", (ONE,), "count"))


# -- spellings ------------------------------------------------------------------------------------
def _keras_batch_norm(args: Arguments) -> Layer:
    axis_last(args)
    args.none_or("renorm", (False,))
    return BatchNorm(args.flag("center", True), args.flag("scale", True))


def _keras_layer_norm(args: Arguments) -> Layer:
    axis_last(args)
    args.none_or("rms_scaling", (False,))
    return LayerNorm(args.flag("center", True), args.flag("scale", True))


def _keras_group_norm(args: Arguments) -> Layer:
    axis_last(args)
    return GroupNorm(args.size("groups", 32), args.flag("center", True), args.flag("scale", True))


def _torch_batch_norm(args: Arguments) -> Layer:
    affine = args.flag("affine", True)
    return BatchNorm(affine and args.flag("bias", True), affine, args.flag("track_running_stats", True))


def _torch_layer_norm(args: Arguments) -> Layer:
    shape = args.get("normalized_shape")
    items = args.sequence(shape)
    sizes = [args.as_size("normalized_shape", v) for v in (items if items is not None else (shape,))]
    affine = args.flag("elementwise_affine", True)
    return LayerNorm(affine and args.flag("bias", True), affine, sympy.Mul(*sizes))


def _torch_group_norm(args: Arguments) -> Layer:
    affine = args.flag("affine", True)
    return GroupNorm(args.size("num_groups"), affine and args.flag("bias", True), affine)


TORCH_NORM = ("num_features", "eps", "momentum", "affine", "track_running_stats")
KINDS = (
    kind(BatchNorm,
         spec("batch_norm", ("center", "scale", "stats"), lambda a: BatchNorm(
             a.flag("center", True), a.flag("scale", True), a.flag("stats", True))),
         keras("BatchNormalization", ("axis", "momentum", "epsilon", "center", "scale"), _keras_batch_norm,
               keywords=("renorm",)),
         torch("BatchNorm1d", TORCH_NORM, _torch_batch_norm, keyword_only=("bias",), stated="num_features",
               spatial=0),
         torch("BatchNorm2d", TORCH_NORM, _torch_batch_norm, keyword_only=("bias",), stated="num_features",
               spatial=2)),
    kind(LayerNorm,
         spec("layer_norm", ("center", "scale", "size"), lambda a: LayerNorm(
             a.flag("center", True), a.flag("scale", True), a.size("size") if a.given("size") else None)),
         keras("LayerNormalization", ("axis", "epsilon", "center", "scale"), _keras_layer_norm,
               keywords=("rms_scaling",)),
         torch("LayerNorm", ("normalized_shape", "eps", "elementwise_affine", "bias"), _torch_layer_norm)),
    kind(GroupNorm,
         spec("group_norm", ("groups", "center", "scale"), lambda a: GroupNorm(
             a.size("groups"), a.flag("center", True), a.flag("scale", True)), required=("groups",)),
         keras("GroupNormalization", ("groups", "axis", "epsilon", "center", "scale"), _keras_group_norm),
         torch("GroupNorm", ("num_groups", "num_channels", "eps", "affine"), _torch_group_norm, keyword_only=("bias",),
               stated="num_channels")),
    kind(LayerScale),
    kind(Normalization),
)
