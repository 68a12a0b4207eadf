"""EfficientNet blocks (Tan and Le 2019, 2021) as torchvision and keras.applications build them: no
bias in the convolutions (unless `bias`), batch norm after each, swish (SiLU) activations.

`mbconv`: expand (1×1 to t·C_in, only when t ≠ 1), depthwise (k×k, stride s), squeeze-and-excitation
squeezed to max(1, ⌊C_in/r⌋) channels: relative to the block's *input*, not the expanded width
(Keras `max(1, int(filters_in * se_ratio))`, torchvision `max(1, input_channels // 4)`), project (1×1,
C_out, linear); the input added back when s = 1 and C_in = C_out.
`fused-mbconv` (EfficientNetV2): one k×k convolution (stride s) in place of the expansion and the
depthwise, then the 1×1 projection; with t = 1 the k×k convolution goes straight to C_out.
"""

from __future__ import annotations

from typing import Mapping

from ..blocks import Block, Condition
from ..functions import floor
from ..layers import Add, Conv2D, DepthwiseConv2D, Shape
from ..symbols import SymbolTable, sym
from .common import IN, Emit, conv_bn, residual
from .mobilenet import squeeze_excite
from .rounding import Max


def mbconv_unit(e: Emit, C_in, t, C_out, k, s, r, bias: bool, se: bool) -> None:
    conv_bn(e, "expand", Conv2D(t * C_in, 1, bias=bias), "expand", "swish", when=Condition.where(t, "≠", 1))
    conv_bn(e, "depthwise", DepthwiseConv2D(k, s, bias=bias), "depthwise", "swish")
    if se:
        squeeze_excite(e, t * C_in, Max(1, floor(C_in / r)), "depthwise_swish", "swish", "sigmoid")
    conv_bn(e, "project", Conv2D(C_out, 1, bias=bias), "project")
    e("add", Add(), None, "project_bn", IN, when=residual(C_in, C_out, s))


def fused_unit(e: Emit, C_in, t, C_out, k, s, bias: bool) -> None:
    expands, single = Condition.where(t, "≠", 1), Condition.where(t, "=", 1)
    # t = 1 first: when it holds, the t ≠ 1 nodes after it are dropped and `add` reads through them
    conv_bn(e, "fused", Conv2D(C_out, k, s, bias=bias), "fused", "swish", when=single)
    conv_bn(e, "expand", Conv2D(t * C_in, k, s, bias=bias), "expand", "swish", when=expands)
    conv_bn(e, "project", Conv2D(C_out, 1, bias=bias), "project", when=expands)
    e("add", Add(), None, "project_bn", IN, when=residual(C_in, C_out, s))


def mbconv(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    C_in, t, C_out, k, s, r = (sym(n) for n in ("C_in", "t", "C_out", "k", "s", "r"))
    e = Emit()
    mbconv_unit(e, C_in, t, C_out, k, s, r, bool(options["bias"]), bool(options["se"]))
    return Block(symbols=symbols, input=Shape(C_in, (sym("H"), sym("W"))), nodes=tuple(e.nodes), options=options,
                 **meta)


def fused_mbconv(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    C_in, t, C_out, k, s = (sym(n) for n in ("C_in", "t", "C_out", "k", "s"))
    e = Emit()
    fused_unit(e, C_in, t, C_out, k, s, bool(options["bias"]))
    return Block(symbols=symbols, input=Shape(C_in, (sym("H"), sym("W"))), nodes=tuple(e.nodes), options=options,
                 **meta)
