"""Whole networks from their stage tables (`stages/*.toml`, one file per family): stem, stages of repeated blocks, head.

A network's parts are its stages. Each stage's first block (stride, change of width) and one copy of
the block repeated after it are derived; the copy counts n − 1 times (`Node.repeat`), so a stage of n
blocks costs two blocks' work whatever n is, and its counts read n·P(block) + (P(first) − P(block)).

Channel widths are symbols of their own, `c_0` (stem) … `c_N` (head), each bound by default to the
published width scaled by `alpha` and rounded as the framework does (`rounding.py`):

| family | widths | rounding |
| --- | --- | --- |
| mobilenetv1 | c·α | ⌊c·α⌋ (keras.applications `int(c * alpha)`; torchvision has none) |
| mobilenetv2 | c·α; the head 1280·max(1, α) | divisible(c·α, 8) (torchvision, the paper's code); `keras_rounding`: divisible(⌊c·α⌋, 8) for the stages (keras.applications) |
| efficientnet | c·α | divisible(c·α, 8); the head 4·divisible(320·α, 8) (torchvision), `keras_rounding`: divisible(1280·α, 8) |
| resnet | as published | none (no width multiplier in either framework) |

The two roundings agree for every published alpha (0.35 … 1.4 and the EfficientNet widths); they part
for a few others (MobileNetV2 at α = 1.12: 16 channels in Keras, 24 in torchvision after the stem).

Padding is `same` everywhere (output ⌈H/s⌉), which is what every framework's padding gives these
networks, with one exception: keras.applications' MobileNet (V1) pads one row and column at the
bottom and right only, so for odd sizes its strided layers give ⌊H/2⌋. Counts are the same.
"""

from __future__ import annotations

import tomllib
from functools import cache, partial
from pathlib import Path
from typing import Callable, Mapping

import sympy

from ..blocks import INPUT, Block, Condition, Stage, Target
from ..functions import ceiling, floor
from ..layers import Activation, BatchNorm, Conv2D, Dense, GlobalPool2D, Normalization, Pool2D, Shape
from ..symbols import BASE, SymbolInfo, SymbolTable, sym
from .common import Emit
from .efficientnet import mbconv_unit
from .mobilenet import depthwise_separable, inverted_residual
from .resnet import basic, bottleneck
from .rounding import Max, divisible

ALPHA = sym("alpha")


@cache
def tables() -> Mapping[str, dict]:
    """Every stage table by network; a table with `like = "NAME"` is NAME's, with its own keys on top
    (EfficientNet-B1 … B7 are B0's table, scaled by their coefficients)."""
    specs = {name: spec for f in sorted((Path(__file__).parent / "stages").glob("*.toml"))
             for name, spec in tomllib.loads(f.read_text(encoding="utf-8")).items()}
    return {name: {**specs[spec["like"]], **spec} if "like" in spec else spec for name, spec in specs.items()}


# -- depth: a stage's block count as a symbol, bound to ⌈d·n⌉ (EfficientNet's compound scaling) -----
DEPTH = SymbolInfo("d", "depth coefficient (each stage's n blocks become ⌈d·n⌉)", "d", "positive rational")


def _blocks(i: int) -> sympy.Symbol:
    return SymbolInfo(f"n_{i}", "", "").symbol


# -- widths: one symbol per stage, bound to the published width, scaled and rounded -----------------
def _width_names(spec: dict) -> list[tuple[str, str, int]]:
    """(part, symbol name, published width) of the stem, every stage and the head."""
    rows = [("stem", "c_0", spec["stem"]["c"])]
    rows += [(f"stage{i}", f"c_{i}", row["c"]) for i, row in enumerate(spec["stages"], 1)]
    if "head" in spec:
        rows.append(("head", f"c_{len(rows)}", spec["head"]["c"]))
    return rows


def _rounded(family: str, part: str, c: int, keras: bool) -> sympy.Expr:
    if family == "resnet":
        return sympy.Integer(c)
    if family == "mobilenetv1":
        return floor(c * ALPHA)
    if family == "mobilenetv2":
        if part == "head":
            return divisible(c * Max(1, ALPHA), 8)
        return divisible(floor(c * ALPHA) if keras and part != "stem" else c * ALPHA, 8)
    if family == "efficientnet" and part == "head" and not keras:
        return 4 * divisible(320 * ALPHA, 8)
    return divisible(c * ALPHA, 8)


def _meaning(spec: dict, part: str, c: int) -> str:
    """What a width symbol stands for, with its default rule (both roundings where they differ)."""
    family = spec["family"]
    if family == "resnet":
        if part == "stem" or spec.get("block") != "bottleneck":
            return f"{part} channels ({c})"
        return f"{part} bottleneck width ({c}; the blocks output {spec['expansion']}·c)"
    if family == "mobilenetv1":
        return f"{part} channels, ⌊{c}·α⌋"
    if family == "mobilenetv2" and part == "head":
        return f"head channels, divisible({c}·max(1, α), 8)"
    if family == "mobilenetv2" and part != "stem":
        return f"{part} channels, divisible({c}·α, 8) (keras_rounding: divisible(⌊{c}·α⌋, 8))"
    if family == "efficientnet" and part == "head":
        last = spec["stages"][-1]["c"]
        return f"head channels, 4·divisible({last}·α, 8) (keras_rounding: divisible({c}·α, 8))"
    return f"{part} channels, divisible({c}·α, 8)"


def target(entry) -> Target:
    """The Target of a network of the catalog: its symbols (alpha, H, W, classes and the widths)."""
    spec = tables()[entry.name]
    family = spec["family"]
    widths = _width_names(spec)
    depth = DEPTH.name in entry.symbols  # block counts as symbols n_i = ⌈d·n⌉
    infos = [BASE[name] if name in BASE else DEPTH for name in entry.symbols if name in BASE or name == DEPTH.name]
    for part, name, c in widths:
        infos.append(SymbolInfo(name, _meaning(spec, part, c), f"c_{{{name[2:]}}}"))
    if depth:
        infos += [SymbolInfo(f"n_{i}", f"blocks of stage{i}, ⌈{row['n']}·d⌉", f"n_{{{i}}}")
                  for i, row in enumerate(spec["stages"], 1)]
    symbols = SymbolTable(tuple(infos))

    def derived(options: Mapping[str, bool]) -> dict[str, sympy.Expr]:
        keras = bool(options.get("keras_rounding", False))
        out = {name: _rounded(family, part, c, keras) for part, name, c in widths}
        if depth:  # torchvision and keras.applications alike: int(math.ceil(n * depth_coefficient))
            out.update({f"n_{i}": ceiling(DEPTH.symbol * row["n"]) for i, row in enumerate(spec["stages"], 1)})
        return out

    # a coefficient other than a whole number is written in the catalog as text ("1.1"): 11/10 exactly
    defaults = {name: sympy.Rational(v) if isinstance(v, str) else v for name, v in entry.defaults.items()}
    return Target(entry.name, entry.title, symbols, defaults, entry.options,
                  partial(build, spec), entry.aliases, derived)


# -- building: stem, stages, head -----------------------------------------------------------------
class Network:
    """Collects nodes and stages in order."""

    def __init__(self) -> None:
        self.nodes: list = []
        self.stages: list[Stage] = []

    @property
    def last(self) -> str:
        return self.nodes[-1].name if self.nodes else INPUT

    def single(self, part: str, table: dict, emit: Callable[[Emit], None]) -> None:
        e = Emit(prefix=f"{part}.", src=self.last, part=part)
        emit(e)
        self.nodes += e.nodes
        self.stages.append(Stage(part, 1, e.names, (), table))

    def stage(self, part: str, n: int | sympy.Expr, table: dict, emit: Callable[[Emit, bool], None],
              after: Callable[[Emit], None] | None = None) -> None:
        """n blocks: `emit(e, True)` the first, `emit(e, False)` the one repeated n − 1 times; `after` the
        layers that end the stage once (VGG's max pool), counted with its first block. n may be a
        symbol (`n_3`, bound by default to ⌈d·n⌉): the copy is then built always, counted n − 1 times, and
        present only where n ≠ 1 (its condition, decided once n is bound)."""
        symbolic = not isinstance(n, int)
        first = Emit(prefix=f"{part}.1." if symbolic or n > 1 else f"{part}.", src=self.last, part=part)
        emit(first, True)
        self.nodes += first.nodes
        rest: tuple[str, ...] = ()
        if symbolic or n > 1:
            label = "2-n" if symbolic else "2" if n == 2 else f"2-{n}"  # blocks 2 to n
            when = Condition.where(n, "≠", 1) if symbolic else None
            copy = Emit(prefix=f"{part}.{label}.", src=self.last, part=part, repeat=n - 1, when=when)
            emit(copy, False)
            self.nodes += copy.nodes
            rest = copy.names
        last: tuple[str, ...] = ()
        if after is not None:
            tail = Emit(prefix=f"{part}.", src=self.last, part=part)
            after(tail)
            self.nodes += tail.nodes
            last = tail.names
        self.stages.append(Stage(part, n, first.names + last, rest, table))

    def block(self, symbols: SymbolTable, options: Mapping[str, bool], meta: dict, channels: int = 3) -> Block:
        return Block(symbols=symbols, input=Shape(sympy.Integer(channels), (sym("H"), sym("W"))),
                     nodes=tuple(self.nodes), options=options, stages=tuple(self.stages), **meta)


def _conv_bn(e: Emit, c, k, s, bias: bool, activation: str | None) -> None:
    e("conv", Conv2D(c, k, s, bias=bias), None)
    e("bn", BatchNorm(), None)
    if activation:
        e(activation, Activation(activation), None)


def _classifier(net: Network) -> None:
    classes = sym("classes")

    def emit(e: Emit) -> None:
        e("pool", GlobalPool2D("avg"), None)
        e("dense", Dense(classes, bias=True), None)

    net.single("classifier", {"block": "avgpool, dense", "c": "classes"}, emit)


def _width(i: int) -> sympy.Symbol:
    return SymbolInfo(f"c_{i}", "", "").symbol


def build(spec: dict, symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    bias = bool(options.get("bias", False))
    family = spec["family"]
    net = Network()
    stem = spec["stem"]
    activation = {"mobilenetv1": "relu", "mobilenetv2": "relu6", "resnet": "relu", "efficientnet": "swish"}[family]

    def emit_stem(e: Emit) -> None:
        if options.get("preprocessing"):
            e("normalization", Normalization(), None)
        _conv_bn(e, _width(0), stem["k"], stem["s"], bias, activation)
        if family == "resnet":
            e("maxpool", Pool2D("max", 3, 2, "same"), None)

    net.single("stem", {"block": f"conv2d {stem['k']}×{stem['k']}" + (", maxpool" if family == "resnet" else ""),
                        "c": stem["c"], "s": stem["s"]}, emit_stem)
    previous = _width(0)
    for i, row in enumerate(spec["stages"], 1):
        c, s = _width(i), row["s"]
        n = _blocks(i) if DEPTH.name in symbols else row["n"]
        emit = _stage_emitter(spec, row, previous, c, s, bias, options)
        table = {"block": _block_label(spec), **row}
        if n is not row["n"]:  # the depth a symbol: the stage has ⌈d·n⌉ blocks, not the table's n (B0's)
            del table["n"]
        net.stage(f"stage{i}", n, table, emit)
        previous = c * spec.get("expansion", 1)
    if "head" in spec:
        head = _width(len(spec["stages"]) + 1)
        net.single("head", {"block": "conv2d 1×1", "c": spec["head"]["c"]},
                   lambda e: _conv_bn(e, head, 1, 1, bias, activation))
    _classifier(net)
    return net.block(symbols, options, meta)


def _block_label(spec: dict) -> str:
    return {"mobilenetv1": "depthwise-separable", "mobilenetv2": "bottleneck", "efficientnet": "MBConv",
            "resnet": spec.get("block", "")}[spec["family"]]


def _stage_emitter(spec: dict, row: dict, c_in, c, s: int, bias: bool, options: Mapping[str, bool]):
    family = spec["family"]
    if family == "mobilenetv1":
        return lambda e, first: depthwise_separable(e, c, 3, s if first else 1, bias)
    if family == "mobilenetv2":
        return lambda e, first: inverted_residual(e, c_in if first else c, row["t"], c, 3, s if first else 1, bias)
    if family == "efficientnet":
        r = spec["se_ratio"]
        return lambda e, first: mbconv_unit(e, c_in if first else c, row["t"], c, row["k"], s if first else 1, r,
                                            bias, True)
    if spec["block"] == "basic":
        return lambda e, first: basic(e, c_in if first else c, c, s if first else 1, bias)
    out = spec["expansion"] * c
    return lambda e, first: bottleneck(e, c_in if first else out, c, out, s if first else 1, bias,
                                       bool(options.get("stride_3x3", False)))
