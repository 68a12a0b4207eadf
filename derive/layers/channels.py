"""Parameter-free layers that regroup channels: a channel split (one of equal slices of the channels, as
PyTorch's `x.chunk(chunks, dim=1)` gives them) and a channel shuffle (`nn.ChannelShuffle(groups)`, the
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
    """Slice `chunk` (1, 2, …) of `chunks` equal slices of the channels (`x.chunk(chunks, dim=1)[chunk − 1]`),
    heights and widths unchanged: C/chunks channels. ShuffleNetV2's unit of stride 1 splits its input so,
    in two halves."""

    op: ClassVar[str] = "channel_split"
    family: ClassVar[str] = "parameter_free"
    chunks: Expr = TWO
    chunk: Expr = ONE

    def __post_init__(self) -> None:
        object.__setattr__(self, "chunks", as_expr(self.chunks))
        object.__setattr__(self, "chunk", as_expr(self.chunk))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        check_divisible("input channels", inputs[0].channels, self.chunks, "chunks")
        return Shape(inputs[0].channels / self.chunks, inputs[0].spatial)

    @property
    def signature(self) -> str:
        return f"{self.chunk}/{self.chunks}"


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
    chunks, chunk = a.size("chunks"), a.size("chunk", 1)
    if (chunk - chunks).is_positive:
        raise a.error("chunk", f"chunk ({chunk}) must be at most chunks ({chunks})")
    return ChannelSplit(chunks, chunk)


KINDS = (
    kind(ChannelSplit,
         spec("channel_split", ("chunks", "chunk"), _split, required=("chunks",))),
    kind(ChannelShuffle,
         spec("channel_shuffle", ("groups",), lambda a: ChannelShuffle(a.size("groups")), required=("groups",)),
         torch("ChannelShuffle", ("groups",), lambda a: ChannelShuffle(a.size("groups")), factory=False, spatial=2)),
)
