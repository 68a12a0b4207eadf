"""ShuffleNetV2 (Ma et al. 2018, "ShuffleNet V2", Table 5) as torchvision builds it
(`torchvision/models/shufflenetv2.py`: `InvertedResidual`, `ShuffleNetV2`, `shufflenet_v2_x0_5` …
`shufflenet_v2_x2_0`): no bias in the convolutions, batch norm after each.

The unit (`InvertedResidual`), C_out = 2·h channels out:

* stride 1 (C_in = C_out): the input's channels split in two halves (`x.chunk(2, dim=1)`); the first
  passes through, the second goes through branch 2: 1×1 to h, batch norm, ReLU; 3×3 depthwise,
  batch norm (no ReLU); 1×1 to h, batch norm, ReLU. The halves are concatenated and their channels
  shuffled (2 groups);
* stride 2: both branches read the whole input: branch 1 is 3×3 depthwise (stride 2), batch norm,
  1×1 to h, batch norm, ReLU; branch 2 as above on C_in channels, its depthwise with stride 2.

The network: a 3×3 convolution (stride 2) to c_0 = 24, batch norm, ReLU, 3×3 max pool (stride 2);
stages 2, 3, 4 of 4, 8, 4 units (the first of stride 2) to c_1, c_2, c_3; `conv5`, 1×1 to c_4, batch
norm, ReLU; global average pool; a dense layer (biased) to the classes. Every padding gives ⌈H/2⌉
(kernel 3, padding 1), as `same` does.
"""

from __future__ import annotations

from functools import partial
from typing import Mapping

import sympy

from ..blocks import Block, Condition
from ..layers import Concatenate, Conv2D, DepthwiseConv2D, Pool2D, Shape
from ..layers.channels import ChannelShuffle, ChannelSplit
from ..symbols import SymbolInfo, SymbolTable, sym
from .common import IN, Emit, conv_bn
from .compact import classifier, network_target, table, width
from .networks import Network


def shuffle_unit(e: Emit, C_in, C_out, s, bias: bool) -> None:
    """One unit; which form (split or two branches) is decided by s = 1 or s ≠ 1."""
    half = C_out / 2
    one, two = Condition.where(s, "=", 1), Condition.where(s, "≠", 1)
    e("split1", ChannelSplit(2, 1), None, IN, when=one)
    e("split2", ChannelSplit(2, 2), None, IN, when=one)
    # branch 1: reads the whole input (stride 2); with stride 1 it is absent and `split1` stands in for it
    conv_bn(e, "branch1_depthwise", DepthwiseConv2D(3, s, bias=bias), "branch1", inputs=("split1",), when=two)
    conv_bn(e, "branch1_conv", Conv2D(half, 1, bias=bias), "branch1", "relu", when=two)
    conv_bn(e, "conv1", Conv2D(half, 1, bias=bias), "branch2", "relu", inputs=("split2",))
    conv_bn(e, "depthwise", DepthwiseConv2D(3, s, bias=bias), "branch2")
    conv_bn(e, "conv2", Conv2D(half, 1, bias=bias), "branch2", "relu")
    e("concat", Concatenate(), None, "branch1_conv_relu", "conv2_relu")
    e("shuffle", ChannelShuffle(2), None)


def shufflenet_unit(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    C_in, C_out, s = (sym(n) for n in ("C_in", "C_out", "s"))
    e = Emit()
    shuffle_unit(e, C_in, C_out, s, bool(options["bias"]))
    return Block(symbols=symbols, input=Shape(C_in, (sym("H"), sym("W"))), nodes=tuple(e.nodes), options=options,
                 **meta)


# -- the network ----------------------------------------------------------------------------------
WIDTHS = ("stem channels", "stage 2 channels", "stage 3 channels", "stage 4 channels", "conv5 channels")


def target(entry):
    spec = table(entry.name)
    published = [spec["stem"]["c"], *(row["c"] for row in spec["stages"]), spec["head"]["c"]]
    own = tuple(SymbolInfo(f"c_{i}", f"{meaning} ({c})", f"c_{{{i}}}") for i, (meaning, c) in
                enumerate(zip(WIDTHS, published)))
    defaults = {f"c_{i}": sympy.Integer(c) for i, c in enumerate(published)}
    return network_target(entry, own, lambda options: defaults, partial(build, spec))


def build(spec: dict, symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    bias = bool(options.get("bias", False))
    net = Network()

    def stem(e: Emit) -> None:
        conv_bn(e, "conv", Conv2D(width("c_0"), 3, 2, bias=bias), None, "relu")
        e("maxpool", Pool2D("max", 3, 2, "same"), None)

    net.single("stem", {"block": "conv2d 3×3, maxpool", "c": spec["stem"]["c"], "s": 2}, stem)
    previous = width("c_0")
    for i, row in enumerate(spec["stages"], 1):
        c = width(f"c_{i}")
        net.stage(f"stage{i + 1}", row["n"], {"block": "ShuffleNet unit", **row, "s": 2},
                  lambda e, first, c_in=previous, c=c: shuffle_unit(e, c_in if first else c, c, 2 if first else 1,
                                                                     bias))
        previous = c
    head = width(f"c_{len(spec['stages']) + 1}")
    net.single("conv5", {"block": "conv2d 1×1", "c": spec["head"]["c"]},
               lambda e: conv_bn(e, "conv", Conv2D(head, 1, bias=bias), None, "relu"))
    classifier(net)
    return net.block(symbols, options, meta)
