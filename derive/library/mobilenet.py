"""MobileNet blocks as published: no bias in the convolutions, batch norm after each (unless `bias`).

Each block is an emitter (`*_nodes`) used alone (the `*_block` builders of the catalog) and inside the
networks (`networks.py`).
"""

from __future__ import annotations

from typing import Mapping

from ..blocks import Block, Condition
from ..layers import Activation, AdaptivePool2D, Add, Conv2D, DepthwiseConv2D, Multiply, Shape
from ..symbols import SymbolTable, sym
from .common import IN, Emit, conv_bn, residual
from .rounding import divisible


def inverted_residual(e: Emit, C_in, t, C_out, k, s, bias: bool) -> None:
    """MobileNetV2: expand (1×1, t·C_in, only when t ≠ 1), depthwise (k×k, stride s), project (1×1,
    C_out, linear); the input is added back when s = 1 and C_in = C_out."""
    conv_bn(e, "expand", Conv2D(t * C_in, 1, bias=bias), "expand", "relu6", when=Condition.where(t, "≠", 1))
    conv_bn(e, "depthwise", DepthwiseConv2D(k, s, bias=bias), "depthwise", "relu6")
    conv_bn(e, "project", Conv2D(C_out, 1, bias=bias), "project")
    e("add", Add(), None, "project_bn", IN, when=residual(C_in, C_out, s))


def depthwise_separable(e: Emit, C_out, k, s, bias: bool, activation: str = "relu") -> None:
    """MobileNetV1: depthwise (k×k, stride s) and pointwise (1×1, C_out), each with batch norm and ReLU."""
    conv_bn(e, "depthwise", DepthwiseConv2D(k, s, bias=bias), "depthwise", activation)
    conv_bn(e, "pointwise", Conv2D(C_out, 1, bias=bias), "pointwise", activation)


def squeeze_excite(e: Emit, C, squeezed, gated: str, inner: str, gate: str) -> None:
    """Squeeze-and-excitation on the output of node `gated` (C channels): global average pool to
    1×1×C, a 1×1 convolution to `squeezed` channels (biased) and `inner`, a 1×1 convolution back to C
    (biased) and `gate`, and the product with the gated output, channel by channel."""
    e("se_pool", AdaptivePool2D("avg", (1, 1)), "se")
    e("se_reduce", Conv2D(squeezed, 1, bias=True), "se")
    e(f"se_{inner}", Activation(inner), "se")
    e("se_expand", Conv2D(C, 1, bias=True), "se")
    e(f"se_{gate}", Activation(gate), "se")
    e("se_scale", Multiply(), "se", gated, f"se_{gate}")


def mobilenetv3_unit(e: Emit, C_in, C_exp, C_out, k, s, r, bias: bool, se: bool, activation: str) -> None:
    """MobileNetV3 bneck: expand (1×1 to C_exp, only when C_exp ≠ C_in), depthwise (k×k, stride s),
    squeeze-and-excitation on the expanded channels (squeezed to divisible(C_exp/r, 8), ReLU, hard
    sigmoid), project (1×1, C_out, linear); the input is added back when s = 1 and C_in = C_out."""
    conv_bn(e, "expand", Conv2D(C_exp, 1, bias=bias), "expand", activation, when=Condition.where(C_exp, "≠", C_in))
    conv_bn(e, "depthwise", DepthwiseConv2D(k, s, bias=bias), "depthwise", activation)
    if se:
        squeeze_excite(e, C_exp, divisible(C_exp / r, 8), f"depthwise_{activation}", "relu", "hard_sigmoid")
    conv_bn(e, "project", Conv2D(C_out, 1, bias=bias), "project")
    e("add", Add(), None, "project_bn", IN, when=residual(C_in, C_out, s))


def _block(symbols: SymbolTable, options: Mapping[str, bool], e: Emit, meta: dict, channels) -> Block:
    return Block(symbols=symbols, input=Shape(channels, (sym("H"), sym("W"))), nodes=tuple(e.nodes),
                 options=options, **meta)


def mobilenetv2_block(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    C_in, t, C_out, k, s = (sym(n) for n in ("C_in", "t", "C_out", "k", "s"))
    e = Emit()
    inverted_residual(e, C_in, t, C_out, k, s, bool(options["bias"]))
    return _block(symbols, options, e, meta, C_in)


def mobilenetv1_block(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    C_in, C_out, k, s = (sym(n) for n in ("C_in", "C_out", "k", "s"))
    e = Emit()
    depthwise_separable(e, C_out, k, s, bool(options["bias"]))
    return _block(symbols, options, e, meta, C_in)


def mobilenetv3_block(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    C_in, C_exp, C_out, k, s, r = (sym(n) for n in ("C_in", "C_exp", "C_out", "k", "s", "r"))
    e = Emit()
    activation = "hard_swish" if options["hard_swish"] else "relu"
    mobilenetv3_unit(e, C_in, C_exp, C_out, k, s, r, bool(options["bias"]), bool(options["se"]), activation)
    return _block(symbols, options, e, meta, C_in)

