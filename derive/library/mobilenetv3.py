"""MobileNetV3-Large and -Small (Howard et al. 2019, "Searching for MobileNetV3", Tables 1 and 2) from
`stages/mobilenet.toml`: a 3×3 stem (hard swish), one stage per row of the table (the `mobilenetv3-block`
emitter of mobilenet.py: expand to `exp`, k×k depthwise, squeeze-and-excitation where the row has it,
project), a 1×1 head convolution to 6·c (hard swish), and the classifier with its hidden layer.

Two reference implementations, which agree at α = 1 in parameters and MACs and differ in form and rounding:

- torchvision 0.28 (`torchvision/models/mobilenetv3.py`, `mobilenet_v3_large` / `mobilenet_v3_small`), the
  default: every width divisible(c·α, 8) (`_make_divisible`), the stem's 16 included, each expanded width
  divisible(exp·α, 8); the head 6·c_N unrounded; the classifier global average pool, Linear(6·c_N → hidden),
  hard swish, Dropout, Linear(hidden → classes), hidden = divisible(1280·α, 8) (1024 for Small).
- keras.applications (`keras/src/applications/mobilenet_v3.py`, `MobileNetV3Large` / `MobileNetV3Small`),
  `--option keras_variant=true`: a `Rescaling` first (include_preprocessing, no weights); the stem's 16
  channels not scaled; each expanded width divisible(c_in·x, 8) of the block's own (scaled) input c_in and the
  code's expansion ratio x (exp / c_in of the table: 2.3, 72/16, ...); the head divisible(6·c_N, 8); the
  classifier a global average pool kept as 1×1×C, a biased 1×1 convolution to the hidden width (scaled only
  for α > 1: divisible(1280·max(1, α), 8)), hard swish, Dropout, a biased 1×1 convolution to the classes and
  a Flatten. The same parameters as two Linear layers, as 1×1 convolutions.

Both squeeze to divisible(exp/4, 8) with a biased 1×1 convolution, ReLU, a biased 1×1 convolution back and a
hard sigmoid (torchvision `_make_divisible(exp // 4, 8)`, Keras `_depth(exp * 0.25)`: the same for every
width divisible by 8). Their batch norms have no bias-free variant; convolutions are unbiased but in the SE
and the classifier.
"""

from __future__ import annotations

from fractions import Fraction
from functools import partial
from typing import Mapping

import sympy

from ..blocks import Block, Target
from ..layers import (Activation, AdaptivePool2D, BatchNorm, Conv2D, Dense, Dropout, Flatten, GlobalPool2D,
                      Rescaling)
from ..symbols import BASE, SymbolInfo, SymbolTable, sym
from .common import Emit
from .mobilenet import mobilenetv3_unit
from .networks import ALPHA, Network, tables
from .rounding import Max, divisible

DROPOUT = sympy.Rational(1, 5)  # both frameworks' dropout_rate 0.2 before the last layer


def _symbol(name: str) -> sympy.Symbol:
    return SymbolInfo(name, "", "").symbol


def _names(spec: dict) -> tuple[int, int]:
    """The indices of the head's and the hidden layer's width symbols: c_{N+1}, c_{N+2}."""
    return len(spec["stages"]) + 1, len(spec["stages"]) + 2


def _ratio(spec: dict, i: int) -> Fraction:
    """Keras' expansion ratio of row i (1-based): exp over the row's published input width."""
    rows = spec["stages"]
    c_in = spec["stem"]["c"] if i == 1 else rows[i - 2]["c"]
    return Fraction(rows[i - 1]["exp"], c_in)


def _infos(spec: dict) -> list[SymbolInfo]:
    stem, head, hidden = spec["stem"]["c"], *_names(spec)
    out = [SymbolInfo("c_0", f"stem channels, divisible({stem}·α, 8) (keras_variant: {stem})", "c_{0}")]
    out += [SymbolInfo(f"c_{i}", f"stage{i} channels, divisible({row['c']}·α, 8)", f"c_{{{i}}}")
            for i, row in enumerate(spec["stages"], 1)]
    last = len(spec["stages"])
    out.append(SymbolInfo(f"c_{head}", f"head channels, 6·c_{last} (keras_variant: divisible(6·c_{last}, 8))",
                          f"c_{{{head}}}"))
    out.append(SymbolInfo(f"c_{hidden}", f"classifier hidden units, divisible({spec['hidden']}·α, 8) "
                          f"(keras_variant: divisible({spec['hidden']}·max(1, α), 8))", f"c_{{{hidden}}}"))
    for i, row in enumerate(spec["stages"], 1):
        x = _ratio(spec, i)
        out.append(SymbolInfo(f"e_{i}", f"stage{i} expanded channels, divisible({row['exp']}·α, 8) "
                              f"(keras_variant: divisible({x}·c_{i - 1}, 8))", f"e_{{{i}}}"))
    return out


def _defaults(spec: dict, options: Mapping[str, bool]) -> dict[str, sympy.Expr]:
    keras = bool(options.get("keras_variant", False))
    head, hidden = _names(spec)
    last = _symbol(f"c_{len(spec['stages'])}")
    out = {"c_0": sympy.Integer(spec["stem"]["c"]) if keras else divisible(spec["stem"]["c"] * ALPHA, 8)}
    for i, row in enumerate(spec["stages"], 1):
        out[f"c_{i}"] = divisible(row["c"] * ALPHA, 8)
        x = _ratio(spec, i)
        out[f"e_{i}"] = (divisible(_symbol(f"c_{i - 1}") * sympy.Rational(x.numerator, x.denominator), 8) if keras
                         else divisible(row["exp"] * ALPHA, 8))
    out[f"c_{head}"] = divisible(6 * last, 8) if keras else 6 * last
    out[f"c_{hidden}"] = divisible(spec["hidden"] * (Max(1, ALPHA) if keras else ALPHA), 8)
    return out


def target(entry) -> Target:
    """The Target of a MobileNetV3 of the catalog: alpha, H, W, classes and the widths c_i, e_i."""
    spec = tables()[entry.name]
    infos = [BASE[name] for name in entry.symbols if name in BASE] + _infos(spec)
    return Target(entry.name, entry.title, SymbolTable(tuple(infos)), entry.defaults, entry.options,
                  partial(build, spec), entry.aliases, partial(_defaults, spec))


def _label(row: dict) -> str:
    k = row["k"]
    return ", ".join([f"bneck {k}×{k}", f"exp {row['exp']}", *(["SE"] if row["se"] else []),
                      "h-swish" if row["nl"] == "hard_swish" else "ReLU"])


def build(spec: dict, symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    bias, keras = bool(options.get("bias", False)), bool(options.get("keras_variant", False))
    net = Network()
    stem = spec["stem"]

    def emit_stem(e: Emit) -> None:
        if keras:
            e("rescaling", Rescaling(), None)
        e("conv", Conv2D(_symbol("c_0"), stem["k"], stem["s"], bias=bias), None)
        e("bn", BatchNorm(), None)
        e("hard_swish", Activation("hard_swish"), None)

    net.single("stem", {"block": f"conv2d {stem['k']}×{stem['k']}", "c": stem["c"], "s": stem["s"]}, emit_stem)
    for i, row in enumerate(spec["stages"], 1):
        c_in, c, e_i = _symbol(f"c_{i - 1}"), _symbol(f"c_{i}"), _symbol(f"e_{i}")

        def emit(e: Emit, first: bool, row=row, c_in=c_in, c=c, e_i=e_i) -> None:
            mobilenetv3_unit(e, c_in if first else c, e_i, c, row["k"], row["s"] if first else 1, sympy.Integer(4),
                             bias, row["se"], row["nl"])

        table = {"block": _label(row), "c": row["c"], "n": row["n"], "s": row["s"]}
        net.stage(f"stage{i}", row["n"], table, emit)
    head, hidden = (_symbol(f"c_{j}") for j in _names(spec))

    def emit_head(e: Emit) -> None:
        e("conv", Conv2D(head, 1, bias=bias), None)
        e("bn", BatchNorm(), None)
        e("hard_swish", Activation("hard_swish"), None)

    net.single("head", {"block": "conv2d 1×1", "c": spec["head"]["c"]}, emit_head)
    classes = sym("classes")

    def emit_classifier(e: Emit) -> None:
        if keras:  # pooled to 1×1×C, then 1×1 convolutions: keras.applications' top
            e("pool", AdaptivePool2D("avg", (1, 1)), None)
            e("hidden", Conv2D(hidden, 1, bias=True), None)
        else:
            e("pool", GlobalPool2D("avg"), None)
            e("hidden", Dense(hidden, bias=True), None)
        e("hard_swish", Activation("hard_swish"), None)
        e("dropout", Dropout(DROPOUT), None)
        if keras:
            e("logits", Conv2D(classes, 1, bias=True), None)
            e("flatten", Flatten(), None)
        else:
            e("dense", Dense(classes, bias=True), None)

    layers = "1×1 conv" if keras else "dense"
    net.single("classifier", {"block": f"avgpool, {layers} {spec['hidden']}, {layers}", "c": "classes"},
               emit_classifier)
    return net.block(symbols, options, meta)
