"""The ConvNeXt block (Liu et al. 2022), as the official code, torchvision and keras.applications build
it: a k×k depthwise convolution *with* bias (no batch norm follows), a LayerNorm over the channels, an
MLP of two dense layers (C → t·C, GELU, t·C → C, both biased) applied at every position, a learned
per-channel layer scale (gamma, C values; `layer_scale=false` leaves it out), and the input added back.

ConvNeXt-T (`convnext-t`, `stages/convnext.toml`): a 4×4 convolution of stride 4 and a LayerNorm (the
stem), four stages of 3, 3, 9, 3 blocks of widths 96, 192, 384, 768, a LayerNorm and a 2×2 convolution of
stride 2 before each stage after the first, global average pool, LayerNorm and the classifier, as
torchvision 0.28 builds `convnext_tiny` (`torchvision/models/convnext.py`: `CNBlock`, the downsampling
`Sequential(LayerNorm2d, Conv2d(k=2, s=2))`, the classifier `LayerNorm2d, Flatten, Linear`) and
keras.applications `ConvNeXtTiny` (`keras/src/applications/convnext.py`: the same layers; its
`include_preprocessing` Normalization has its mean and variance given, so no weights). Stochastic depth
(torchvision 0.1, Keras 0.0) has no parameters and no multiply-accumulates.
"""

from __future__ import annotations

from functools import partial
from typing import Mapping

import sympy

from ..blocks import Block, Target
from ..layers import Activation, Add, Conv2D, Dense, DepthwiseConv2D, GlobalPool2D, LayerNorm, LayerScale, Shape
from ..symbols import BASE, SymbolInfo, SymbolTable, sym
from .common import IN, Emit
from .networks import Network, tables


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


# -- the network (ConvNeXt-T) ------------------------------------------------------------------------
def network_target(entry) -> Target:
    """The Target of a ConvNeXt of the catalog: H, W, classes and the stage widths c_1 … c_4."""
    spec = tables()[entry.name]
    infos = [BASE[name] for name in entry.symbols if name in BASE]
    infos += [SymbolInfo(f"c_{i}", f"stage{i} channels ({row['c']})", f"c_{{{i}}}")
              for i, row in enumerate(spec["stages"], 1)]

    def derived(options: Mapping[str, bool]) -> dict[str, sympy.Expr]:
        return {f"c_{i}": sympy.Integer(row["c"]) for i, row in enumerate(spec["stages"], 1)}

    return Target(entry.name, entry.title, SymbolTable(tuple(infos)), entry.defaults, entry.options,
                  partial(network, spec), entry.aliases, derived)


def _width(i: int) -> sympy.Symbol:
    return SymbolInfo(f"c_{i}", "", "").symbol


def network(spec: dict, symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    """Stem (4×4/4 convolution, LayerNorm), the stages of `convnext_unit` blocks with a downsampling LayerNorm
    and 2×2/2 convolution before each stage after the first, then global average pool, LayerNorm and the
    classifier. Every convolution and dense layer is biased; the stem's and the downsampling convolutions
    have no padding (⌊H/4⌋, ⌊H/2⌋)."""
    layer_scale = bool(options.get("layer_scale", True))
    net = Network()
    k, s = spec["stem"]["k"], spec["stem"]["s"]

    def emit_stem(e: Emit) -> None:
        e("conv", Conv2D(_width(1), k, s, padding="valid", bias=True), None)
        e("norm", LayerNorm(), None)

    net.single("stem", {"block": f"conv2d {k}×{k}, LayerNorm", "c": spec["stages"][0]["c"], "s": s}, emit_stem)
    for i, row in enumerate(spec["stages"], 1):
        c = _width(i)
        if i > 1:
            def emit_down(e: Emit, c=c) -> None:
                e("norm", LayerNorm(), None)
                e("conv", Conv2D(c, 2, 2, padding="valid", bias=True), None)

            net.single(f"downsample{i}", {"block": "LayerNorm, conv2d 2×2", "c": row["c"], "s": 2}, emit_down)
        net.stage(f"stage{i}", row["n"], {"block": "ConvNeXt", "t": 4, "c": row["c"], "n": row["n"]},
                  lambda e, first, c=c: convnext_unit(e, c, 7, 4, True, layer_scale))

    def emit_classifier(e: Emit) -> None:
        e("pool", GlobalPool2D("avg"), None)
        e("norm", LayerNorm(), None)
        e("dense", Dense(sym("classes"), bias=True), None)

    net.single("classifier", {"block": "avgpool, LayerNorm, dense", "c": "classes"}, emit_classifier)
    return net.block(symbols, options, meta)
