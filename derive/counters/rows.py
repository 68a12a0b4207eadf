"""One derivation row as the counting tools see it: its kind, shapes and terms in the block's symbols."""

from __future__ import annotations

from functools import cached_property

import sympy

from ..derivation import LayerRow
from ..layers import Layer, Shape
from ..layers.base import core

ZERO = sympy.Integer(0)


class Row:
    """A layer row (derivation.LayerRow) with what the tools' rules read: `layer` (the layer inside any
    wrapper), `op`, the input and output shapes, element counts, the sizes of its terms by kind, its MACs
    and attention's products, and `form`, how the reference implementation calls it (forms.py)."""

    __slots__ = ("row", "layer", "op", "form", "__dict__")

    def __init__(self, row: LayerRow, layer: Layer, form: str) -> None:
        self.row, self.layer, self.op, self.form = row, layer, row.op, form

    @classmethod
    def of(cls, row: LayerRow, forms) -> "Row":
        layer = core(row.layer)
        return cls(row, layer, forms(row, layer))

    @property
    def input(self) -> Shape:
        return self.row.inputs[0] if self.row.inputs else self.row.output

    @property
    def output(self) -> Shape:
        return self.row.output

    @cached_property
    def numel_in(self) -> sympy.Expr:
        """Elements of the (first) input, without the batch."""
        return self.input.positions * self.input.channels

    @cached_property
    def numel_out(self) -> sympy.Expr:
        return self.output.positions * self.output.channels

    def size(self, *kinds: str) -> sympy.Expr:
        """The sizes of the row's terms of these kinds (weights, bias, gamma, beta, ...), added."""
        return sympy.Add(*(t.term.size for t in self.row.terms if t.term.kind in kinds))

    def has(self, *kinds: str) -> bool:
        return any(t.term.kind in kinds for t in self.row.terms)

    @property
    def macs(self) -> sympy.Expr:
        return self.row.counts["macs"].raw

    @property
    def attention(self) -> sympy.Expr:
        """Attention's two matrix products (QKᵀ and the weighted sum of V), multiply-accumulates."""
        counts = self.row.counts
        return counts["attention_macs"].raw if "attention_macs" in counts else ZERO

    @property
    def function(self) -> str:
        """An activation's function (relu, relu6, ...); "" for any other layer."""
        return getattr(self.layer, "function", "")


# The layer kinds each tool's table names, in the groups the tools treat alike (each tool picks its own).
CONVOLUTIONS = ("conv1d", "conv2d", "conv3d", "depthwise_conv1d", "depthwise_conv2d", "separable_conv1d",
                "separable_conv2d")
TRANSPOSED = ("conv1d_transpose", "conv2d_transpose", "conv3d_transpose")
POOLS = ("pool1d", "pool2d", "pool3d", "global_pool1d", "global_pool2d", "global_pool3d", "adaptive_pool1d",
         "adaptive_pool2d", "adaptive_pool3d")

SILENT = ("dropout", "flatten", "reshape", "permute", "repeat_vector", "zero_padding1d", "zero_padding2d",
          "zero_padding3d", "cropping1d", "cropping2d", "cropping3d", "pad", "concatenate", "identity",
          "parameter", "buffer",
          "to_sequence", "class_token", "first_token")  # reshaping, torch.cat with a parameter, x[:, 0]  # a module's own nn.Parameter or buffer: what forward does with it is not read


def silent(row: Row) -> tuple[sympy.Expr, str]:
    """No arithmetic at all (dropout at inference, reshaping, padding, cropping, concatenation) or none derive
    knows of (a PyTorch module's own nn.Parameter, used as its `forward` says): 0 in every tool."""
    return ZERO, ""


def nothing(topic: str):
    """A rule: the tool counts nothing for this kind (`topic` says why)."""
    return lambda row: (ZERO, topic)


def added_table(row: Row) -> tuple[sympy.Expr, str]:
    """A learned table added to every position: a bare parameter added with `+`, which no tool counts (no
    module, no wrapped function, no fvcore rule for aten::add); as an nn.Embedding it is not modelled."""
    from ..errors import InputError
    from .forms import PARAMETER

    if row.form != PARAMETER:
        raise InputError("derive models a tool's count of a learned table added to a sequence only where it is "
                         "a bare nn.Parameter (ViT's position embedding), not an nn.Embedding", "--flops-as")
    return ZERO, "add"
