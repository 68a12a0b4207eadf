"""DenseNet-BC (Huang et al. 2017, "Densely Connected Convolutional Networks", Table 1) as torchvision
builds it (`torchvision/models/densenet.py`: `_DenseLayer`, `_DenseBlock`, `_Transition`, `DenseNet`,
`densenet121`, `densenet169`, `densenet201`, `densenet161`) and keras.applications' `DenseNet121`,
`DenseNet169`, `DenseNet201` (`conv_block`, `dense_block`, `transition_block`): no bias in the
convolutions, batch norm before each (pre-activation).

The dense layer (`_DenseLayer`, Keras' `conv_block`) on C_in channels: batch norm, ReLU, a 1×1
convolution to b·k channels (the bottleneck, b = `bn_size` = 4); batch norm, ReLU, a 3×3 convolution
(padding 1) to k, the growth rate; its k new channels concatenated to its input, C_in + k out. A dense
block of n layers on c channels feeds layer i (from 0) c + i·k channels and puts out c + n·k.

The transition (`_Transition`, `transition_block`): batch norm, ReLU, a 1×1 convolution to ⌊C/2⌋
(compression 0.5: `num_features // 2`, Keras' `int(C * 0.5)`), a 2×2 average pool of stride 2.

DenseNet-121: a 7×7 convolution (stride 2, padding 3) to c_0 = 64, batch norm, ReLU, a 3×3 max pool
(stride 2, padding 1), both ⌈H/2⌉ as `same`; dense blocks of 6, 12, 24, 16 layers with a transition
after each but the last (c_1, c_2, c_3 its outputs, ⌊(c + n·k)/2⌋ of the block before by default);
batch norm, ReLU, global average pool, a dense layer (biased) to the classes. DenseNet-169 and -201
have blocks of 6, 12, 32, 32 and 6, 12, 48, 32 layers; DenseNet-161 k = 48, c_0 = 96 and 6, 12, 36, 24.
Every dense layer is derived (each has its own input width), and a block's count is their sum: one
closed form in c, k, b.
"""

from __future__ import annotations

from functools import partial
from typing import Mapping

import sympy

from ..blocks import Block, Stage
from ..functions import floor
from ..layers import Activation, BatchNorm, Concatenate, Conv2D, Dense, GlobalPool2D, Pool2D, Shape
from ..symbols import BASE, SymbolInfo, SymbolTable, sym
from .common import IN, Emit
from .compact import network_target, table, width
from .networks import Network

GROWTH = SymbolInfo("k", "growth rate: channels each dense layer adds", "k")
BOTTLENECK = BASE["b"]


def dense_unit(e: Emit, k, b, bias: bool) -> None:
    """One dense layer: BN, ReLU, 1×1 to b·k; BN, ReLU, 3×3 to k; concatenated to its input."""
    e("norm1", BatchNorm(), "bottleneck")
    e("relu1", Activation("relu"), "bottleneck")
    e("conv1", Conv2D(b * k, 1, bias=bias), "bottleneck")
    e("norm2", BatchNorm(), "conv")
    e("relu2", Activation("relu"), "conv")
    e("conv2", Conv2D(k, 3, bias=bias), "conv")
    e("concat", Concatenate(), None, IN, "conv2")


def transition_unit(e: Emit, C_out, bias: bool) -> None:
    """BN, ReLU, 1×1 to C_out, 2×2 average pool of stride 2."""
    e("norm", BatchNorm(), "transition")
    e("relu", Activation("relu"), "transition")
    e("conv", Conv2D(C_out, 1, bias=bias), "transition")
    e("pool", Pool2D("avg", 2, 2, "valid"), "transition")


def dense_layer(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    """The dense layer alone: its `k` is the growth rate (the registry's k is a kernel size)."""
    e = Emit()
    dense_unit(e, GROWTH.symbol, BOTTLENECK.symbol, bool(options["bias"]))
    symbols = SymbolTable(tuple(GROWTH if info.name == GROWTH.name else info for info in symbols.infos))
    return Block(symbols=symbols, input=Shape(sym("C_in"), (sym("H"), sym("W"))), nodes=tuple(e.nodes),
                 options=options, **meta)


def transition(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    e = Emit()
    transition_unit(e, sym("C_out"), bool(options["bias"]))
    return Block(symbols=symbols, input=Shape(sym("C_in"), (sym("H"), sym("W"))), nodes=tuple(e.nodes),
                 options=options, **meta)


# -- the network ----------------------------------------------------------------------------------
def target(entry):
    spec = table(entry.name)
    k, n = GROWTH.symbol, [row["n"] for row in spec["blocks"]]
    own = [GROWTH, BOTTLENECK, SymbolInfo("c_0", f"stem channels ({spec['stem']['c']})", "c_{0}")]
    defaults: dict[str, sympy.Expr] = {"k": sympy.Integer(spec["k"]), "b": sympy.Integer(spec["b"]),
                                       "c_0": sympy.Integer(spec["stem"]["c"])}
    for i in range(1, len(n)):
        own.append(SymbolInfo(f"c_{i}", f"transition {i} channels, ⌊(c_{i - 1} + {n[i - 1]}·k)/2⌋", f"c_{{{i}}}"))
        defaults[f"c_{i}"] = floor((width(f"c_{i - 1}") + n[i - 1] * k) / 2)
    return network_target(entry, tuple(own), lambda options: defaults, partial(build, spec))


def _dense_block(net: Network, part: str, n: int, table_row: dict, k, b, bias: bool) -> None:
    """n dense layers, each reading the concatenation before it: one stage (its count, their sum)."""
    start = len(net.nodes)
    for i in range(1, n + 1):
        e = Emit(prefix=f"{part}.{i}.", src=net.last, part=part)
        dense_unit(e, k, b, bias)
        net.nodes += e.nodes
    net.stages.append(Stage(part, n, tuple(node.name for node in net.nodes[start:]), (), table_row))


def build(spec: dict, symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    bias = bool(options.get("bias", False))
    k, b = GROWTH.symbol, BOTTLENECK.symbol
    net = Network()

    def stem(e: Emit) -> None:
        e("conv", Conv2D(width("c_0"), 7, 2, bias=bias), None)
        e("bn", BatchNorm(), None)
        e("relu", Activation("relu"), None)
        e("maxpool", Pool2D("max", 3, 2, "same"), None)

    net.single("stem", {"block": "conv2d 7×7, maxpool", "c": spec["stem"]["c"], "s": 2}, stem)
    channels = spec["stem"]["c"]
    last = len(spec["blocks"])
    for i, row in enumerate(spec["blocks"], 1):
        channels += row["n"] * spec["k"]
        _dense_block(net, f"denseblock{i}", row["n"], {"block": "dense layer", "c": channels, "n": row["n"]},
                     k, b, bias)
        if i < last:
            out = width(f"c_{i}")
            channels //= 2
            net.single(f"transition{i}", {"block": "transition", "c": channels, "s": 2},
                       lambda e, out=out: transition_unit(e, out, bias))

    def head(e: Emit) -> None:
        e("bn", BatchNorm(), None)
        e("relu", Activation("relu"), None)
        e("pool", GlobalPool2D("avg"), None)
        e("dense", Dense(sym("classes"), bias=True), None)

    net.single("classifier", {"block": "BN-ReLU, avgpool, dense", "c": "classes"}, head)
    return net.block(symbols, options, meta)
