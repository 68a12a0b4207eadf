"""ResNet blocks (He et al. 2016) as torchvision builds them: no bias in the convolutions (unless
`bias`, as keras.applications' ResNet50 has), batch norm after each, a projection shortcut (1×1
convolution with stride s, and batch norm) where the identity cannot be: s ≠ 1 or C_in ≠ C_out."""

from __future__ import annotations

from typing import Mapping

from ..blocks import Block
from ..layers import Activation, Add, Conv2D, Shape
from ..symbols import SymbolTable, sym
from .common import IN, Emit, conv_bn, projection


def _shortcut(e: Emit, C_in, C_out, s, bias: bool) -> None:
    conv_bn(e, "shortcut", Conv2D(C_out, 1, s, bias=bias), "shortcut", inputs=(IN,), when=projection(C_in, C_out, s))


def basic(e: Emit, C_in, C_out, s, bias: bool) -> None:
    """ResNet-18/34: 3×3 (stride s) and 3×3, each with batch norm; the shortcut added; ReLU."""
    conv_bn(e, "conv1", Conv2D(C_out, 3, s, bias=bias), "conv1", "relu")
    conv_bn(e, "conv2", Conv2D(C_out, 3, bias=bias), "conv2")
    _shortcut(e, C_in, C_out, s, bias)
    e("add", Add(), None, "conv2_bn", "shortcut_bn")
    e("relu", Activation("relu"), None)


def bottleneck(e: Emit, C_in, C_mid, C_out, s, bias: bool, stride_3x3: bool) -> None:
    """ResNet-50: 1×1 to C_mid, 3×3, 1×1 to C_out, each with batch norm; the shortcut added; ReLU.
    The stride is the first 1×1's (the paper, Keras) or, with `stride_3x3`, the 3×3's (torchvision,
    "ResNet v1.5"): the same parameters, different multiply-accumulates."""
    conv_bn(e, "conv1", Conv2D(C_mid, 1, 1 if stride_3x3 else s, bias=bias), "conv1", "relu")
    conv_bn(e, "conv2", Conv2D(C_mid, 3, s if stride_3x3 else 1, bias=bias), "conv2", "relu")
    conv_bn(e, "conv3", Conv2D(C_out, 1, bias=bias), "conv3")
    _shortcut(e, C_in, C_out, s, bias)
    e("add", Add(), None, "conv3_bn", "shortcut_bn")
    e("relu", Activation("relu"), None)


def resnet_basic(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    C_in, C_out, s = (sym(n) for n in ("C_in", "C_out", "s"))
    e = Emit()
    basic(e, C_in, C_out, s, bool(options["bias"]))
    return Block(symbols=symbols, input=Shape(C_in, (sym("H"), sym("W"))), nodes=tuple(e.nodes), options=options,
                 **meta)


def resnet_bottleneck(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    C_in, C_mid, C_out, s = (sym(n) for n in ("C_in", "C_mid", "C_out", "s"))
    e = Emit()
    bottleneck(e, C_in, C_mid, C_out, s, bool(options["bias"]), bool(options["stride_3x3"]))
    return Block(symbols=symbols, input=Shape(C_in, (sym("H"), sym("W"))), nodes=tuple(e.nodes), options=options,
                 **meta)
