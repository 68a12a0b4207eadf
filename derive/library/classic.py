"""The classic plain networks: LeNet-5, AlexNet, VGG-11/13/16/19 (± batch norm), from `stages/classic.toml`.

Each is a chain with no shortcut: stages of n convolutions of one width (ReLU after each; with
`batch_norm`, a batch norm between, as torchvision's `vgg16_bn` and the others put it), each stage
ended by a max pool; then the hidden dense layers (ReLU after each) and the classifier. The widths are
symbols, `c_1` … for the stages, then one per hidden dense layer, bound to the published widths.

References, followed layer for layer:

- VGG: Simonyan & Zisserman 2015, Table 1 (configurations A, B, D, E), as torchvision 0.28 builds it
  (`torchvision/models/vgg.py`, `make_layers` and `cfgs`): 3×3 convolutions of padding 1, biased even
  before a batch norm; 2×2 max pools of stride 2 (⌊H/2⌋); `AdaptiveAvgPool2d((7, 7))`; the classifier
  Linear(512·7·7, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Dropout, Linear(4096, classes).
  keras.applications' `VGG16` / `VGG19` (`keras/src/applications/vgg16.py`, `vgg19.py`, include_top)
  have the same convolutions and pools, but no adaptive pool and no dropout: `Flatten` takes the last
  pool's output as it is, so at 224×224 (7×7×512) the two agree, and at any other size the first dense
  layer differs. Option `keras_top` builds Keras' top.
- AlexNet: torchvision's `models/alexnet.py`, which follows Krizhevsky's "One weird trick" (2014):
  64, 192, 384, 256, 256 filters (11×11 stride 4 padding 2, 5×5 padding 2, then 3×3 padding 1), 3×3
  max pools of stride 2 after the first, second and fifth, `AdaptiveAvgPool2d((6, 6))`, then Dropout,
  Linear(256·6·6, 4096), ReLU, Dropout, Linear(4096, 4096), ReLU, Linear(4096, classes). No batch norm.
- LeNet-5: LeCun et al. 1998 as PyTorch's tutorial "Neural Networks"
  (`beginner_source/blitz/neural_networks_tutorial.py`) writes it, which the classic Keras examples
  repeat: a 32×32×1 input, C1 6@5×5 and C3 16@5×5 without padding, each followed by ReLU and a 2×2 max
  pool of stride 2 (S2, S4; the paper's trainable subsampling and scaled tanh are not used), flatten
  (16·5·5 at 32×32), F5 120 and F6 84 with ReLU, and the output layer of `classes` (10) units.

Every convolution and dense layer has a bias, as in all three references; `--option bias=false` drops them all.
Output sizes follow PyTorch's explicit padding, ⌊(H + 2p − k)/s⌋ + 1; pools have none (⌊(H − k)/s⌋ + 1).
"""

from __future__ import annotations

from functools import partial
from typing import Mapping

import sympy

from ..blocks import Block, Target
from ..layers import Activation, AdaptivePool2D, BatchNorm, Conv2D, Dense, Dropout, Flatten, Pool2D
from ..symbols import BASE, SymbolInfo, SymbolTable, sym
from .common import Emit
from .networks import Network, tables


def _spec(name: str) -> dict:
    return tables()[name.removesuffix("-bn")]


def _widths(spec: dict) -> list[tuple[str, str, int]]:
    """(part, symbol name, published width) of every stage, then every hidden dense layer."""
    rows = [(f"stage{i}", f"c_{i}", row["c"]) for i, row in enumerate(spec["stages"], 1)]
    first = len(rows) + 1
    return rows + [(f"fc{j}", f"c_{first + j - 1}", units) for j, units in enumerate(spec.get("fc", ()), 1)]


def target(entry) -> Target:
    """The Target of a classic network of the catalog: H, W, classes and the widths."""
    spec = _spec(entry.name)
    widths = _widths(spec)
    infos = [BASE[name] for name in entry.symbols if name in BASE]
    for part, name, c in widths:
        what = "units" if part.startswith("fc") else "channels"
        infos.append(SymbolInfo(name, f"{part} {what} ({c})", f"c_{{{name[2:]}}}"))

    def derived(options: Mapping[str, bool]) -> dict[str, sympy.Expr]:
        return {name: sympy.Integer(c) for _, name, c in widths}

    return Target(entry.name, entry.title, SymbolTable(tuple(infos)), entry.defaults, entry.options,
                  partial(build, spec), entry.aliases, derived)


def _width(i: int) -> sympy.Symbol:
    return SymbolInfo(f"c_{i}", "", "").symbol


def build(spec: dict, symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    bias, bn = bool(options.get("bias", True)), bool(options.get("batch_norm", False))
    keras_top = bool(options.get("keras_top", False))
    net = Network()
    pool = spec["maxpool"]
    repeated = any(row["n"] > 1 for row in spec["stages"])
    for i, row in enumerate(spec["stages"], 1):
        conv = {**spec["conv"], **{key: row[key] for key in ("k", "s", "p") if key in row}}
        k, s, p = conv["k"], conv["s"], conv["p"]
        layer = Conv2D(_width(i), k, s, padding=(p, p) if p else "valid", bias=bias)

        def emit(e: Emit, first: bool, layer=layer) -> None:
            e("conv", layer, None)
            if bn:
                e("bn", BatchNorm(), None)
            e("relu", Activation("relu"), None)

        pooled = row.get("maxpool", True)
        after = (lambda e: e("maxpool", Pool2D("max", pool["k"], pool["s"]), None)) if pooled else None
        table: dict = {"block": f"conv2d {k}×{k}" + (", maxpool" if pooled else ""), "c": row["c"]}
        table.update({"n": row["n"]} if repeated else {})
        table["s"] = s
        net.stage(f"stage{i}", row["n"], table, emit, after)
    _dense_layers(net, spec, len(spec["stages"]), keras_top, bias)
    return net.block(symbols, options, meta, spec.get("input", 3))


def _dense_layers(net: Network, spec: dict, stages: int, keras_top: bool, bias: bool) -> None:
    """The hidden dense layers (the first after the adaptive pool and the flatten), and the classifier."""
    size = None if keras_top else spec.get("pool")
    dropout = None if keras_top else spec.get("dropout")
    for j, units in enumerate(spec.get("fc", ()), 1):
        width = _width(stages + j)

        def emit(e: Emit, j=j, width=width) -> None:
            if j == 1:
                if size is not None:
                    e("avgpool", AdaptivePool2D("avg", (size, size)), None)
                e("flatten", Flatten(), None)
            if dropout == "before":
                e("dropout", Dropout(sympy.Rational(1, 2)), None)
            e("dense", Dense(width, bias=bias), None)
            e("relu", Activation("relu"), None)
            if dropout == "after":
                e("dropout", Dropout(sympy.Rational(1, 2)), None)

        lead = ([f"avgpool {size}×{size}"] if size is not None else []) + ["flatten"] if j == 1 else []
        net.single(f"fc{j}", {"block": ", ".join([*lead, "dense"]), "c": units}, emit)
    net.single("classifier", {"block": "dense", "c": "classes"},
               lambda e: e("dense", Dense(sym("classes"), bias=bias), None))
