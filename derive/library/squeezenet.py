"""SqueezeNet 1.0 (Iandola et al. 2016, "SqueezeNet", Table 1) and 1.1 (the SqueezeNet v1.1 release) as
torchvision builds them (`torchvision/models/squeezenet.py`: `Fire`, `SqueezeNet`): every convolution
has a bias and no batch norm.

The fire module (`Fire`): squeeze, a 1×1 convolution to s_1x1 channels and ReLU; expand, a 1×1
convolution to e_1x1 and a 3×3 one (padding 1) to e_3x3, both reading the squeeze, each with ReLU; the
two concatenated, e_1x1 + e_3x3 channels.

The networks: a convolution (1.0: 7×7 to 96; 1.1: 3×3 to 64; stride 2, no padding) and ReLU; eight
fire modules in four pairs of equal widths, squeeze s_i, both expands e_i (16, 64; 32, 128; 48, 192;
64, 256), with 3×3 max pools of stride 2 in `ceil_mode` (a last, partial window counts) after the stem
and after fire 4 and fire 8 (1.0) or before fire 4 and fire 6 (1.1); then a convolutional classifier:
dropout, a 1×1 convolution to the classes, ReLU, adaptive average pool to 1×1, flattened. A pair is a
stage of two fire modules: the first (which changes the width, with its pool) and one more.
"""

from __future__ import annotations

from functools import partial
from typing import Mapping

import sympy

from ..blocks import Block
from ..layers import Activation, AdaptivePool2D, Concatenate, Conv2D, Dropout, Flatten, Pool2D, Shape
from ..symbols import SymbolInfo, SymbolTable, sym
from .common import Emit
from .compact import network_target, table, width
from .networks import Network



def fire_unit(e: Emit, squeeze, expand1, expand3) -> None:
    e("squeeze", Conv2D(squeeze, 1), "squeeze")
    e("squeeze_relu", Activation("relu"), "squeeze")
    e("expand1x1", Conv2D(expand1, 1), "expand", "squeeze_relu")
    e("expand1x1_relu", Activation("relu"), "expand")
    e("expand3x3", Conv2D(expand3, 3), "expand", "squeeze_relu")
    e("expand3x3_relu", Activation("relu"), "expand")
    e("concat", Concatenate(), None, "expand1x1_relu", "expand3x3_relu")


def fire(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    e = Emit()
    fire_unit(e, *(sym(name) for name in ("s_1x1", "e_1x1", "e_3x3")))
    return Block(symbols=symbols, input=Shape(sym("C_in"), (sym("H"), sym("W"))), nodes=tuple(e.nodes),
                 options=options, **meta)


# -- the networks ---------------------------------------------------------------------------------
def target(entry):
    spec = table(entry.name)
    own = [SymbolInfo("c_0", f"stem channels ({spec['stem']['c']})", "c_{0}")]
    defaults = {"c_0": sympy.Integer(spec["stem"]["c"])}
    for i, row in enumerate(spec["stages"], 1):
        own += [SymbolInfo(f"s_{i}", f"squeeze channels of fire pair {i} ({row['s']})", f"s_{{{i}}}"),
                SymbolInfo(f"e_{i}", f"expand channels (1×1 and 3×3 each) of fire pair {i} ({row['e']})",
                           f"e_{{{i}}}")]
        defaults |= {f"s_{i}": sympy.Integer(row["s"]), f"e_{i}": sympy.Integer(row["e"])}
    return network_target(entry, tuple(own), lambda options: defaults, partial(build, spec))


def _maxpool(e: Emit) -> None:
    e("maxpool", Pool2D("max", 3, 2, "valid", ceil=True), None)


def build(spec: dict, symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    net = Network()
    k = spec["stem"]["k"]

    def stem(e: Emit) -> None:
        e("conv", Conv2D(width("c_0"), k, 2, "valid"), None)
        e("relu", Activation("relu"), None)
        _maxpool(e)

    net.single("stem", {"block": f"conv2d {k}×{k}, maxpool", "c": spec["stem"]["c"], "s": 2}, stem)
    for i, row in enumerate(spec["stages"], 1):
        s, expand = width(f"s_{i}"), width(f"e_{i}")
        pool = row.get("pool")

        def emit(e: Emit, first: bool, s=s, expand=expand, pool=pool) -> None:
            if first and pool == "before":
                _maxpool(e)
            fire_unit(e, s, expand, expand)
            if first and pool == "after":
                _maxpool(e)

        label = "fire" + (", maxpool" if pool == "after" else "") if pool != "before" else "maxpool, fire"
        net.stage(f"stage{i}", row["n"], {"block": label, "c": 2 * row["e"], "n": row["n"]}, emit)

    def classifier(e: Emit) -> None:
        e("dropout", Dropout(sympy.Rational(1, 2)), None)
        e("conv", Conv2D(sym("classes"), 1), None)
        e("relu", Activation("relu"), None)
        e("pool", AdaptivePool2D("avg", (1, 1)), None)
        e("flatten", Flatten(), None)

    net.single("classifier", {"block": "conv2d 1×1, avgpool", "c": "classes"}, classifier)
    return net.block(symbols, options, meta)
