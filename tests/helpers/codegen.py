"""A seeded generator of random Keras and PyTorch code, for holding derive's code reader to the frameworks.

`keras_source(seed)` and `torch_source(seed)` return Python text a user could have written: a
Keras script (`keras.Input` ... `keras.Model`), a Keras function block, a `keras.Sequential`, a
PyTorch `nn.Sequential` (nested, or with an `OrderedDict`) or an `nn.Module` subclass (with
`nn.ModuleList`, helper methods, a loop). Spellings vary (`layers.Conv2D`, `keras.layers.Conv2D`,
`Conv2D`, `tf.keras.layers.Conv2D`, `L.Conv2D`; `nn.Conv2d`, `torch.nn.Conv2d`), and so do keyword
against positional arguments, sizes written as numbers, module constants, parameters and arithmetic.

The generator tracks shapes, so the code is valid for the framework. Every case defines `model`
when run; `Case.values` are the `--set` values derive needs for the sizes a function leaves open.
Running the text is the test's business (it is our own generated code, never user input).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field


@dataclass
class Case:
    framework: str  # "keras" or "torch"
    source: str
    values: dict = field(default_factory=dict)  # --set values for derive
    runnable: str = ""  # what the test runs to build `model` (the source, adapted where needed)


@dataclass
class State:
    h: int
    w: int
    c: int
    image: bool = True


def _divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


class Writer:
    """Argument lists, sometimes positional, sometimes by keyword."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def args(self, positional: list[tuple[str, str]], optional: list[tuple[str, str, bool]]) -> str:
        """`positional`: (name, text) that may be positional; `optional`: (name, text, may_be_positional)."""
        parts, by_keyword = [], False
        for name, text in positional:
            by_keyword = by_keyword or self.rng.random() < 0.2
            parts.append(f"{name}={text}" if by_keyword else text)
        for name, text, may_be_positional in optional:
            if may_be_positional and not by_keyword and self.rng.random() < 0.3:
                parts.append(text)
            else:
                by_keyword = True
                parts.append(f"{name}={text}")
        return ", ".join(parts)


# -- Keras ----------------------------------------------------------------------------------------
KERAS_SPELLINGS = [
    ("import keras\nfrom keras import layers\n", "layers."),
    ("import keras\n", "keras.layers."),
    ("import keras\nfrom keras import layers as L\n", "L."),
    ("", "tf.keras.layers."),
    (None, ""),  # from keras.layers import ... (the names used)
]


class KerasGen:
    def __init__(self, rng: random.Random, prefix: str) -> None:
        self.rng, self.prefix = rng, prefix
        self.write = Writer(rng)
        self.used: set[str] = set()
        self.lines: list[str] = []
        self.count = 0

    def call(self, cls: str, args: str) -> str:
        self.used.add(cls)
        return f"{self.prefix}{cls}({args})"

    def pad(self) -> str:
        return self.rng.choice(["'same'", "'valid'", '"same"'])

    def fits(self, s: State, k: int, padding: str) -> bool:
        return "same" in padding or (s.h >= k and s.w >= k)

    def out(self, size: int, k: int, stride: int, padding: str, dilation: int = 1) -> int:
        if "same" in padding:
            return math.ceil(size / stride)
        return (size - dilation * (k - 1) - 1) // stride + 1

    def layer(self, s: State, x: str) -> tuple[str, State] | None:
        """One statement applying a random layer to tensor `x`, and the state after it."""
        rng = self.rng
        if s.image:
            kinds = {"conv": 6, "depthwise": 3, "separable": 2, "bn": 4, "ln": 1, "gn": 1, "act": 3, "pool": 2,
                     "gap": 1, "drop": 1, "pad": 1, "residual": 2, "concat": 1, "dense": 1, "flatten": 1}
        else:
            kinds = {"dense": 3, "bn": 1, "ln": 1, "act": 1, "drop": 1}
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        if kind == "conv":
            filters = rng.choice([4, 6, 8, 12, 16])
            k, stride, padding = rng.choice([1, 3, 5]), rng.choice([1, 1, 2]), self.pad()
            dilation = rng.choice([1, 1, 2]) if stride == 1 else 1
            if not self.fits(s, dilation * (k - 1) + 1, padding):
                return None
            groups = rng.choice([g for g in _divisors(math.gcd(s.c, filters)) if g <= 4])
            kernel = rng.choice([str(k), f"({k}, {k})", f"[{k}, {k}]"])
            optional = [("strides", str(stride), True), ("padding", padding, True)]
            if dilation != 1:
                optional.append(("dilation_rate", str(dilation), False))
            if groups != 1:
                optional.append(("groups", str(groups), False))
            optional += [("use_bias", rng.choice(["True", "False"]), False)]
            if rng.random() < 0.3:  # keywords in any order
                rng.shuffle(optional)
                optional = [(n, t, False) for n, t, _ in optional]
            args = self.write.args([("filters", str(filters)), ("kernel_size", kernel)], optional)
            new = State(self.out(s.h, k, stride, padding, dilation), self.out(s.w, k, stride, padding, dilation),
                        filters)
            return f"{x} = {self.call('Conv2D', args)}({x})", new
        if kind == "depthwise":
            k, stride, padding = rng.choice([1, 3, 5]), rng.choice([1, 2]), self.pad()
            multiplier = rng.choice([1, 1, 2])
            if not self.fits(s, k, padding):
                return None
            args = self.write.args([("kernel_size", f"({k}, {k})")], [
                ("strides", str(stride), True), ("padding", padding, True),
                ("depth_multiplier", str(multiplier), True), ("use_bias", rng.choice(["True", "False"]), False)])
            new = State(self.out(s.h, k, stride, padding), self.out(s.w, k, stride, padding), s.c * multiplier)
            return f"{x} = {self.call('DepthwiseConv2D', args)}({x})", new
        if kind == "separable":
            filters, k, stride, padding = rng.choice([4, 8, 16]), rng.choice([1, 3]), rng.choice([1, 2]), self.pad()
            if not self.fits(s, k, padding):
                return None
            args = self.write.args([("filters", str(filters)), ("kernel_size", str(k))], [
                ("strides", str(stride), True), ("padding", padding, True),
                ("depth_multiplier", str(rng.choice([1, 2])), False),
                ("use_bias", rng.choice(["True", "False"]), False)])
            new = State(self.out(s.h, k, stride, padding), self.out(s.w, k, stride, padding), filters)
            return f"{x} = {self.call('SeparableConv2D', args)}({x})", new
        if kind == "bn":
            args = self.write.args([], [(n, rng.choice(["True", "False"]), False)
                                        for n in ("center", "scale") if rng.random() < 0.4])
            return f"{x} = {self.call('BatchNormalization', args)}({x})", s
        if kind == "ln":
            args = self.write.args([], [(n, rng.choice(["True", "False"]), False)
                                        for n in ("center", "scale") if rng.random() < 0.4])
            return f"{x} = {self.call('LayerNormalization', args)}({x})", s
        if kind == "gn":
            groups = rng.choice(_divisors(s.c))
            return f"{x} = {self.call('GroupNormalization', f'groups={groups}')}({x})", s
        if kind == "act":
            choice = rng.choice(["Activation('relu')", "Activation('relu6')", 'Activation("sigmoid")',
                                 "Activation('swish')", "ReLU()", "ReLU(max_value=6.0)", "ReLU(6)",
                                 "LeakyReLU()", "Softmax()", "Activation(activation='tanh')"])
            cls, _, rest = choice.partition("(")
            return f"{x} = {self.call(cls, rest[:-1])}({x})", s
        if kind == "pool":
            cls = rng.choice(["MaxPooling2D", "AveragePooling2D"])
            pool, stride, padding = rng.choice([2, 3]), rng.choice([None, 1, 2]), self.pad()
            if not self.fits(s, pool, padding):
                return None
            optional = [("strides", str(stride), True)] if stride is not None else []
            args = self.write.args([("pool_size", f"({pool}, {pool})")], optional + [("padding", padding, False)])
            effective = stride or pool
            return f"{x} = {self.call(cls, args)}({x})", State(self.out(s.h, pool, effective, padding),
                                                               self.out(s.w, pool, effective, padding), s.c)
        if kind == "gap":
            cls = rng.choice(["GlobalAveragePooling2D", "GlobalMaxPooling2D"])
            if rng.random() < 0.2:
                return f"{x} = {self.call(cls, 'keepdims=True')}({x})", State(1, 1, s.c)
            return f"{x} = {self.call(cls, '')}({x})", State(1, 1, s.c, image=False)
        if kind == "flatten":
            if s.h * s.w * s.c > 4096:
                return None
            return f"{x} = {self.call('Flatten', '')}({x})", State(1, 1, s.h * s.w * s.c, image=False)
        if kind == "drop":
            cls = rng.choice(["Dropout", "SpatialDropout2D"]) if s.image else "Dropout"
            return f"{x} = {self.call(cls, rng.choice(['0.2', 'rate=0.5', '0.1']))}({x})", s
        if kind == "pad":
            padding = rng.choice(["1", "(1, 2)", "((0, 1), (1, 0))"])
            grow = {"1": (2, 2), "(1, 2)": (2, 4), "((0, 1), (1, 0))": (1, 1)}[padding]
            return f"{x} = {self.call('ZeroPadding2D', padding)}({x})", State(s.h + grow[0], s.w + grow[1], s.c)
        if kind == "dense":
            units = rng.choice([4, 10, 16, 32])
            args = self.write.args([("units", str(units))], [("use_bias", rng.choice(["True", "False"]), False)]
                                   if rng.random() < 0.5 else [])
            return f"{x} = {self.call('Dense', args)}({x})", State(s.h, s.w, units, s.image)
        if kind == "residual":
            k = rng.choice([1, 3])
            self.count += 1
            y = f"y{self.count}"
            conv = self.call("Conv2D", f"{s.c}, {k}, padding='same'")
            lines = [f"{y} = {conv}({x})",
                     f"{y} = {self.call('BatchNormalization', '')}({y})"]
            if rng.random() < 0.5:
                lines.append(f"{x} = {self.call('Add', '')}([{x}, {y}])")
            else:
                lines.append(f"{x} = {self.call('add', f'[{y}, {x}]')}" if self.prefix else
                             f"{x} = {self.call('Add', '')}([{y}, {x}])")
            return "\n".join(lines), s
        if kind == "concat":
            filters = rng.choice([2, 4])
            self.count += 1
            y = f"y{self.count}"
            lines = [f"{y} = {self.call('Conv2D', f'{filters}, 1')}({x})",
                     f"{x} = {self.call('Concatenate', rng.choice(['', 'axis=-1']))}([{x}, {y}])"]
            return "\n".join(lines), State(s.h, s.w, s.c + filters)
        return None

    def body(self, s: State, x: str, count: int) -> tuple[list[str], State]:
        lines = []
        attempts = 0
        while len(lines) < count and attempts < count * 10:
            attempts += 1
            made = self.layer(s, x)
            if made is not None:
                lines.append(made[0])
                s = made[1]
        return lines, s


def keras_source(seed: int) -> Case:
    rng = random.Random(seed)
    header, prefix = rng.choice(KERAS_SPELLINGS)
    gen = KerasGen(rng, prefix)
    h = w = rng.choice([8, 12, 16])
    c = rng.choice([1, 3, 4, 8])
    style = rng.choice(["script", "script", "function", "sequential"])
    count = rng.randint(2, 7)
    prelude = ""
    if style == "script":
        body, _ = gen.body(State(h, w, c), "x", count)
        inp = rng.choice([f"keras.Input(shape=({h}, {w}, {c}))", f"keras.Input(({h}, {w}, {c}))"])
        text = [f"inputs = {inp}", "x = inputs", *body, "model = keras.Model(inputs, x)"]
        values: dict = {}
    elif style == "function":
        body, _ = gen.body(State(h, w, c), "x", count)
        text = ["def block(x):", *("    " + line.replace("\n", "\n    ") for line in body), "    return x"]
        values = {"C_in": c, "H": h, "W": w}
        prelude = (f"\n_inputs = keras.Input(shape=({h}, {w}, {c}))\n"
                   "model = keras.Model(_inputs, block(_inputs))\n")
    else:
        items = []
        s = State(h, w, c)
        for _ in range(count):
            made = gen.layer(s, "x")
            if made is None or "\n" in made[0]:
                continue
            statement, s = made
            items.append(statement.split(" = ", 1)[1].rsplit("(x)", 1)[0])
        if not items:
            items = [gen.call("Flatten", "")]
        text = ["model = keras.Sequential([", f"    keras.Input(shape=({h}, {w}, {c})),",
                *(f"    {item}," for item in items), "])"]
        values = {}
    imports = header
    if header is None:
        imports = "import keras\nfrom keras.layers import " + ", ".join(sorted(gen.used)) + "\n"
    body_text = "\n".join(text) + "\n"
    if prefix == "tf.keras.layers.":  # TensorFlow's spelling; run with Keras standing in for it
        body_text = (body_text.replace("keras.Input", "tf.keras.Input").replace("keras.Model", "tf.keras.Model")
                     .replace("keras.Sequential", "tf.keras.Sequential").replace("tf.tf.", "tf."))
        source = "import tensorflow as tf\n\n" + body_text
        runnable = ("import types\nimport keras\ntf = types.SimpleNamespace(keras=keras)\n\n" + body_text
                    + prelude)
        return Case("keras", source, values, runnable)
    source = imports + "\n" + body_text
    return Case("keras", source, values, source + prelude)


# -- PyTorch --------------------------------------------------------------------------------------
class TorchGen:
    def __init__(self, rng: random.Random, prefix: str) -> None:
        self.rng, self.prefix = rng, prefix
        self.write = Writer(rng)

    def call(self, cls: str, args: str) -> str:
        return f"{self.prefix}{cls}({args})"

    def module(self, s: State) -> tuple[str, State] | None:
        rng = self.rng
        kinds = ({"conv": 5, "bn": 3, "gn": 1, "act": 2, "pool": 1, "adaptive": 1, "drop": 1, "pad": 1, "ln": 1}
                 if s.image else {"linear": 3, "bn": 1, "ln": 1, "act": 1, "drop": 1})
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        if kind == "conv":
            out = rng.choice([4, 8, 16, 18])
            k, stride = rng.choice([1, 3, 5]), rng.choice([1, 2])
            groups = rng.choice([g for g in _divisors(math.gcd(s.c, out)) if g <= 8])
            if rng.random() < 0.2 and s.c == out:
                groups = s.c
            padding = k // 2
            optional = [("stride", str(stride), True), ("padding", str(padding), True)]
            if groups != 1:
                optional.append(("groups", str(groups), False))
            if rng.random() < 0.5:
                optional.append(("bias", rng.choice(["True", "False"]), False))
            args = self.write.args([("in_channels", str(s.c)), ("out_channels", str(out)),
                                    ("kernel_size", rng.choice([str(k), f"({k}, {k})"]))], optional)
            size = lambda n: (n + 2 * padding - k) // stride + 1  # noqa: E731
            return self.call("Conv2d", args), State(size(s.h), size(s.w), out)
        if kind == "bn":
            cls = "BatchNorm2d" if s.image else "BatchNorm1d"
            optional = [(n, rng.choice(["True", "False"]), False) for n in ("affine", "track_running_stats")
                        if rng.random() < 0.3]
            return self.call(cls, self.write.args([("num_features", str(s.c))], optional)), s
        if kind == "gn":
            groups = rng.choice(_divisors(s.c))
            optional = [("affine", rng.choice(["True", "False"]), False)] if rng.random() < 0.3 else []
            return self.call("GroupNorm", self.write.args([("num_groups", str(groups)),
                                                           ("num_channels", str(s.c))], optional)), s
        if kind == "ln":
            shape = str(s.c) if not s.image else f"[{s.c}, {s.h}, {s.w}]"
            optional = [("elementwise_affine", rng.choice(["True", "False"]), False)] if rng.random() < 0.3 else []
            return self.call("LayerNorm", self.write.args([("normalized_shape", shape)], optional)), s
        if kind == "act":
            cls = rng.choice(["ReLU", "ReLU6", "SiLU", "GELU", "Sigmoid", "Tanh", "Hardswish"])
            in_place = cls not in ("GELU", "Sigmoid", "Tanh") and rng.random() < 0.3
            return self.call(cls, "inplace=True" if in_place else ""), s
        if kind == "pool":
            k = rng.choice([2, 3])
            if s.h < k or s.w < k:
                return None
            cls = rng.choice(["MaxPool2d", "AvgPool2d"])
            stride = rng.choice([None, 1, 2])
            optional = [("stride", str(stride), True)] if stride else []
            effective = stride or k
            size = lambda n: (n - k) // effective + 1  # noqa: E731
            return self.call(cls, self.write.args([("kernel_size", str(k))], optional)), State(size(s.h), size(s.w),
                                                                                               s.c)
        if kind == "adaptive":
            cls = rng.choice(["AdaptiveAvgPool2d", "AdaptiveMaxPool2d"])
            if rng.random() < 0.5:
                return self.call(cls, rng.choice(["1", "(1, 1)", "output_size=1"])), State(1, 1, s.c)
            return self.call(cls, "(2, 2)"), State(2, 2, s.c)
        if kind == "drop":
            return self.call(rng.choice(["Dropout", "Dropout2d"] if s.image else ["Dropout"]),
                             rng.choice(["", "0.1", "p=0.2"])), s
        if kind == "pad":
            return self.call("ZeroPad2d", "1"), State(s.h + 2, s.w + 2, s.c)
        if kind == "linear":
            out = rng.choice([4, 10, 16, 32, 64])
            optional = [("bias", rng.choice(["True", "False"]), False)] if rng.random() < 0.5 else []
            return self.call("Linear", self.write.args([("in_features", str(s.c)), ("out_features", str(out))],
                                                       optional)), State(1, 1, out, image=False)
        return None

    def chain(self, s: State, count: int) -> tuple[list[str], State]:
        items, attempts = [], 0
        while len(items) < count and attempts < count * 10:
            attempts += 1
            made = self.module(s)
            if made is not None:
                items.append(made[0])
                s = made[1]
        if self.rng.random() < 0.5 and s.image:
            items += [self.call("AdaptiveAvgPool2d", "1"), self.call("Flatten", "")]
            s = State(1, 1, s.c, image=False)
            made = self.module(s)
            if made is not None:
                items.append(made[0])
                s = made[1]
        return items, s


def torch_source(seed: int) -> Case:
    rng = random.Random(seed)
    header, prefix = rng.choice([("import torch.nn as nn\n", "nn."), ("from torch import nn\n", "nn."),
                                 ("import torch\n", "torch.nn.")])
    gen = TorchGen(rng, prefix)
    c = rng.choice([1, 3, 8, 16])
    s = State(16, 16, c)
    style = rng.choice(["sequential", "sequential", "nested", "ordered", "module", "module"])
    if style in ("sequential", "nested", "ordered"):
        items, _ = gen.chain(s, rng.randint(1, 7))
        if style == "nested" and len(items) >= 2:
            cut = rng.randint(1, len(items) - 1)
            items = [gen.call("Sequential", ", ".join(items[:cut])), *items[cut:]]
        if style == "ordered":
            header += "from collections import OrderedDict\n"
            pairs = ", ".join(f"('m{i}', {item})" for i, item in enumerate(items))
            source = f"{header}\nmodel = {prefix}Sequential(OrderedDict([{pairs}]))\n"
            return Case("torch", source, {}, source)
        body = ",\n    ".join(items)
        source = f"{header}\nmodel = {prefix}Sequential(\n    {body},\n)\n"
        return Case("torch", source, {}, source)
    width = rng.choice([4, 8, 16])
    lines = [f"class Net({prefix}Module):", f"    def __init__(self, width={width}, classes=10):",
             "        super().__init__()"]
    stem = gen.call("Conv2d", f"{c}, width, 3, padding=1, bias={rng.choice(['True', 'False'])}")
    lines.append(f"        self.stem = {stem}")
    lines.append(f"        self.bn = {gen.call('BatchNorm2d', 'width')}")
    if rng.random() < 0.6:
        n = rng.randint(1, 3)
        lines.append(f"        self.blocks = {gen.call('ModuleList', '')}")
        lines.append(f"        for i in range({n}):")
        lines.append("            self.blocks.append(self._block(width))")
    if rng.random() < 0.5:
        conv = gen.call("Conv2d", "width, width, 1")
        lines.append(f"        self.extra = {gen.call('ModuleList', f'[{conv} for _ in range(2)]')}")
    items, _ = gen.chain(State(16, 16, width), rng.randint(0, 3))
    for i, item in enumerate(items):
        lines.append(f"        self.layer{i} = {item}")
    lines.append(f"        self.head = {gen.call('Linear', 'width * 2 // 2, classes')}")
    lines += ["", "    def _block(self, channels):",
              f"        layers = [{gen.call('Conv2d', 'channels, channels, 3, padding=1, groups=channels')}]",
              f"        layers.append({gen.call('BatchNorm2d', 'channels')})",
              f"        layers.append({gen.call('ReLU', '')})",
              f"        return {gen.call('Sequential', '*layers')}",
              "", "    def forward(self, x):", "        return self.head(x)"]
    if rng.random() < 0.5:
        lines += ["", "", "model = Net()"]
        prelude = ""
    else:
        prelude = "\nmodel = Net()\n"
    source = header + "\n\n" + "\n".join(lines) + "\n"
    return Case("torch", source, {}, source + prelude)
