"""The ConvNeXt block (Liu et al. 2022), as the official code, torchvision and keras.applications build
it: a k×k depthwise convolution *with* bias (no batch norm follows), a LayerNorm over the channels, an
MLP of two dense layers (C → t·C, GELU, t·C → C, both biased) applied at every position, a learned
per-channel layer scale (gamma, C values; `layer_scale=false` leaves it out), and the input added back.
"""

from __future__ import annotations

from typing import Mapping

from ..blocks import Block
from ..layers import Activation, Add, Dense, DepthwiseConv2D, LayerNorm, LayerScale, Shape
from ..symbols import SymbolTable, sym
from .common import IN, Emit


def convnext_unit(e: Emit, C, k, t, bias: bool, layer_scale: bool) -> None:
    e("depthwise", DepthwiseConv2D(k, 1, bias=bias), "depthwise")
    e("norm", LayerNorm(), "norm")
    e("pointwise1", Dense(t * C, bias=bias), "mlp")
    e("gelu", Activation("gelu"), "mlp")
    e("pointwise2", Dense(C, bias=bias), "mlp")
    if layer_scale:
        e("layer_scale", LayerScale(), "layer_scale")
    e("add", Add(), None, "layer_scale" if layer_scale else "pointwise2", IN)


def convnext_block(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    C, k, t = (sym(n) for n in ("C", "k", "t"))
    e = Emit()
    convnext_unit(e, C, k, t, bool(options["bias"]), bool(options["layer_scale"]))
    return Block(symbols=symbols, input=Shape(C, (sym("H"), sym("W"))), nodes=tuple(e.nodes), options=options, **meta)
