"""Parameter-free layers that regroup channels: a channel split (one of equal slices of the channels, as
PyTorch's `x.chunk(parts, dim=1)` gives them) and a channel shuffle (`nn.ChannelShuffle(groups)`, the
reshape-transpose-reshape of ShuffleNet). Values move or are picked out, none is learned."""

from __future__ import annotations

from typing import ClassVar

import sympy

from ..records import frozen
from .base import ONE, Expr, Layer, Shape, as_expr, check_divisible
from .spelling import Arguments, kind, spec, torch

TWO = sympy.Integer(2)


@frozen
class ChannelSplit(Layer):
    """Slice `part` (1, 2, …) of `parts` equal slices of the channels, heights and widths unchanged:
    C/parts channels. ShuffleNetV2's unit of stride 1 splits its input so, in two halves."""

    op: ClassVar[str] = "channel_split"
    family: ClassVar[str] = "parameter_free"
    parts: Expr = TWO
    part: Expr = ONE

    def __post_init__(self) -> None:
        object.__setattr__(self, "parts", as_expr(self.parts))
        object.__setattr__(self, "part", as_expr(self.part))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        check_divisible("input channels", inputs[0].channels, self.parts, "parts")
        return Shape(inputs[0].channels / self.parts, inputs[0].spatial)

    @property
    def signature(self) -> str:
        return f"{self.part}/{self.parts}"


@frozen
class ChannelShuffle(Layer):
    """ShuffleNet's channel shuffle (`nn.ChannelShuffle(groups)`): the channels, seen as `groups` rows,
    read out column by column. The shape is unchanged; C must be divisible by the groups."""

    op: ClassVar[str] = "channel_shuffle"
    family: ClassVar[str] = "parameter_free"
    groups: Expr = TWO

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", as_expr(self.groups))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        check_divisible("input channels", inputs[0].channels, self.groups, "groups")
        return inputs[0]

    @property
    def signature(self) -> str:
        return f"groups {self.groups}"


def _split(a: Arguments) -> ChannelSplit:
    parts, part = a.size("parts"), a.size("part", 1)
    if (part - parts).is_positive:
        raise a.error("part", f"part ({part}) must be at most parts ({parts})")
    return ChannelSplit(parts, part)


KINDS = (
    kind(ChannelSplit,
         spec("channel_split", ("parts", "part"), _split, required=("parts",))),
    kind(ChannelShuffle,
         spec("channel_shuffle", ("groups",), lambda a: ChannelShuffle(a.size("groups")), required=("groups",)),
         torch("ChannelShuffle", ("groups",), lambda a: ChannelShuffle(a.size("groups")), factory=False, spatial=2)),
)
