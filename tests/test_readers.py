"""Blocks in the user's own words: TOML specs and Keras / PyTorch code, read into the same derivation.

What is shown: the example spec reproduces the built-in block exactly; the forum's code gives Keras'
465 = 387 + 78 with a formula in C_in and n_out; each spelling, style and control-flow form the code
reader supports; and every mistake is one line naming FILE:LINE:COL (checked against the text).
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
import sympy

import derive
from derive.cli import main
from derive.errors import InputError
from derive.readers import load_file

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def show(tmp_path: Path, text: str, suffix: str = ".py", name: str = "block", **kwargs):
    path = tmp_path / f"{name}{suffix}"
    path.write_text(text, encoding="utf-8")
    return derive.show(str(path), **kwargs)


def total(tmp_path: Path, text: str, convention: str = "keras", suffix: str = ".py", **values) -> dict:
    d = show(tmp_path, text, suffix, convention=convention, **values)
    return {key: count.value for key, count in d.total.items()}


def error_of(tmp_path: Path, text: str, suffix: str = ".py", **values) -> str:
    path = tmp_path / f"bad{suffix}"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        derive.show(str(path), **values)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    return message[len(str(path)):]


def place(text: str, needle: str, nth: int = 0) -> str:
    """`:LINE:COL` of the `nth` occurrence of `needle` in `text`."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    line = text.count("\n", 0, offset) + 1
    return f":{line}:{offset - text.rfind(chr(10), 0, offset)}"


# -- the spec that is the built-in block ----------------------------------------------------------
BINDINGS = [
    dict(C_in=3, t=6, C_out=3), dict(C_in=3, t=1, C_out=3), dict(C_in=16, t=6, C_out=24, s=2),
    dict(C_in=8, t=4, C_out=8, k=5), dict(), dict(C_in=32, C_out=32),
]


@pytest.mark.parametrize("values", BINDINGS)
@pytest.mark.parametrize("convention", ["paper", "pytorch", "keras"])
@pytest.mark.parametrize("bias", [False, True])
def test_mobilenetv2_spec_is_the_builtin(values, convention, bias):
    spec = derive.show(str(EXAMPLES / "mobilenetv2_block.toml"), convention=convention, options={"bias": bias},
                       **values).to_dict()
    builtin = derive.show("mobilenetv2-block", convention=convention, options={"bias": bias}, **values).to_dict()
    for data in (spec, builtin):
        data.pop("target")
    assert spec == builtin


def test_spec_target_name_title_and_symbols():
    target = load_file(str(EXAMPLES / "mobilenetv2_block.toml"))
    assert target.name == "mobilenetv2-spec" and target.title == "MobileNetV2 bottleneck, as a spec"
    assert target.symbols.names == ("C_in", "t", "C_out", "k", "s", "H", "W")
    assert dict(target.defaults) == {"k": 3, "s": 1} and dict(target.options) == {"bias": False}


def test_separable_stack_repeats_a_group_with_its_own_residual():
    d = derive.show(str(EXAMPLES / "separable_stack.toml"), convention="keras", C_in=3, C_out=32)
    names = [layer.name for layer in d.layers]
    assert names[3:8] == ["block.1.depthwise", "block.1.depthwise_bn", "block.1.pointwise", "block.1.pointwise_bn",
                          "block.1.add"]
    assert names[-2:] == ["pool", "classifier"] and len(names) == 3 + 15 + 2
    data = d.to_dict()
    assert [p["name"] for p in data["parts"]] == ["stem", "blocks", "head"]
    assert (d.total["all"].value, d.total["non_trainable"].value) == (6026, 448)
    add = next(layer for layer in data["layers"] if layer["name"] == "block.2.add")
    assert add["shape"] == ["ceiling(H/2)", "ceiling(W/2)", 32]


# -- the forum's code ----------------------------------------------------------------------------
def test_forum_code_under_keras_is_465(capsys):
    d = derive.show(str(EXAMPLES / "forum_bottleneck.py"), convention="keras", C_in=3, n_out=3)
    assert (d.total["all"].value, d.total["trainable"].value, d.total["non_trainable"].value) == (465, 387, 78)
    formula = d.total["all"].formula
    C_in, n_out, expand = (sympy.Symbol(n, positive=True, integer=True) for n in ("C_in", "n_out", "expand"))
    assert formula.free_symbols == {C_in, n_out, expand}
    assert sympy.expand(formula.subs(expand, 18) - (18 * C_in + 23 * n_out + 342)) == 0
    assert dict(d.values) == {"C_in": 3, "expand": 18, "n_out": 3}
    status = main(["show", str(EXAMPLES / "forum_bottleneck.py"), "--set", "C_in=3", "--set", "n_out=3",
                   "--convention", "keras", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert status == 0 and data["total"]["all"]["value"] == 465 and data["target"] == "forum_bottleneck"
    assert data["symbols"]["n_out"].startswith("`n_out`") and data["symbols"]["expand"].startswith("parameter")


def test_forum_code_defaulted_parameter_can_be_set():
    d = derive.show(str(EXAMPLES / "forum_bottleneck.py"), convention="keras", C_in=3, n_out=3, expand=12)
    assert d.total["all"].value == 12 * (3 + 3 + 19) + 5 * 3
    d = derive.show(str(EXAMPLES / "forum_bottleneck.py"), convention="paper", C_in=3, n_out="C_in")
    assert d.total["all"].value == 18 * (3 + 3 + 15) + 3 * 3


def test_torch_example_matches_the_builtin_counts():
    d = derive.show(str(EXAMPLES / "inverted_residual.py"), convention="pytorch", inp=3, oup=3)
    assert (d.total["all"].value, d.total["buffers"].value) == (348, 81)
    d = derive.show(str(EXAMPLES / "inverted_residual.py"), convention="pytorch", inp=3, oup=3, expand_ratio=1)
    assert d.total["all"].value == 9 * 3 + 6 + 9 + 6  # no expansion: depthwise, its norm, project, its norm


# -- Keras code ------------------------------------------------------------------------------------
BODY = """x = {p}Conv2D(8, (3, 3), padding="same", use_bias=False)(inputs)
x = {p}BatchNormalization()(x)
x = {p}ReLU(6.0)(x)
x = {p}GlobalAveragePooling2D()(x)
x = {p}Dense(10)(x)
"""


@pytest.mark.parametrize("header,prefix", [
    ("import keras\nfrom keras import layers\n", "layers."),
    ("import keras\n", "keras.layers."),
    ("import tensorflow as tf\n", "tf.keras.layers."),
    ("from tensorflow import keras\n", "keras.layers."),
    ("import keras\nfrom keras.layers import Conv2D, BatchNormalization, ReLU, GlobalAveragePooling2D, Dense\n", ""),
    ("import keras\nimport keras.layers as L\n", "L."),
    ("", ""),  # pasted without imports
])
def test_keras_spellings(tmp_path, header, prefix):
    text = header + "inputs = keras.Input(shape=(32, 32, 3))\n" + BODY.format(p=prefix) + \
        "model = keras.Model(inputs, x)\n"
    # 3*3*3*8 + BN 4*8 (2 of them moving) + 8*10 + 10
    assert total(tmp_path, text) == {"trainable": 216 + 16 + 90, "non_trainable": 16, "all": 338,
                                     "buffers": 0, "macs": 216 * 32 * 32 + 80}


def test_keras_input_sizes_are_symbols_with_defaults(tmp_path):
    text = "import keras\ninputs = keras.Input(shape=(32, 32, 3))\nx = keras.layers.Conv2D(8, 3)(inputs)\n" \
           "model = keras.Model(inputs, x)\n"
    d = show(tmp_path, text, convention="keras")
    assert dict(d.values) == {"C_in": 3, "H": 32, "W": 32}
    assert str(d.total["all"].formula) == "72*C_in + 8"
    assert show(tmp_path, text, convention="keras", C_in=5).total["all"].value == 72 * 5 + 8
    open_sizes = text.replace("(32, 32, 3)", "(None, None, 3)")
    d = show(tmp_path, open_sizes, convention="keras")
    assert dict(d.values) == {"C_in": 3} and d.total["macs"].value is None


def test_keras_sequential_with_add_and_input_shape(tmp_path):
    text = """from keras.models import Sequential
from keras.layers import Conv2D, Dense, Flatten, MaxPooling2D
model = Sequential()
model.add(Conv2D(32, (3, 3), activation='relu', input_shape=(28, 28, 1)))
model.add(MaxPooling2D((2, 2)))
model.add(Flatten())
model.add(Dense(10, activation='softmax'))
model.compile(optimizer='adam', loss='categorical_crossentropy')
model.summary()
"""
    # conv 3*3*1*32 + 32 = 320; 13*13*32 = 5408 features; dense 5408*10 + 10
    assert total(tmp_path, text)["all"] == 320 + 54090


def test_keras_script_without_model_uses_the_last_layer(tmp_path):
    text = "import keras\nx = keras.Input((8, 8, 4))\ny = keras.layers.Conv2D(2, 1)(x)\nprint(y.shape)\n"
    assert total(tmp_path, text)["all"] == 10


def test_keras_model_keeps_only_what_reaches_its_outputs(tmp_path):
    text = """import keras
inputs = keras.Input((8, 8, 4))
unused = keras.layers.Conv2D(100, 3)(inputs)
x = keras.layers.Conv2D(2, 1)(inputs)
model = keras.Model(inputs=inputs, outputs=x)
"""
    assert total(tmp_path, text)["all"] == 10


def test_keras_function_with_shapes_loops_and_helpers(tmp_path):
    text = """import keras
from keras import layers

def conv_bn(x, filters, kernel=3, strides=1):
    x = layers.Conv2D(filters, kernel, strides=strides, padding="same", use_bias=False)(x)
    return layers.BatchNormalization()(x)

def stage(x, repeats=2, expansion=4):
    channels = x.shape[-1]
    for i in range(repeats):
        shortcut = x
        y = conv_bn(x, channels * expansion, kernel=1)
        y = layers.ReLU(max_value=6)(y)
        y = conv_bn(y, channels, kernel=1)
        x = layers.add([shortcut, y]) if i > 0 else y
    return layers.Concatenate()([x, shortcut])
"""
    d = show(tmp_path, text, convention="keras", C_in=4)
    per_repeat = 4 * 16 + 4 * 16 + 16 * 4 + 4 * 4
    assert d.total["all"].value == 2 * per_repeat
    assert "repeats" not in d.values  # a loop count is read as its value
    assert {"C_in", "expansion"} <= set(d.values)
    assert [layer.name for layer in d.layers][-2:] == ["add", "concatenate"]


def test_keras_bool_parameter_is_an_option(tmp_path):
    text = """import keras
def block(x, filters=8, use_bias=True):
    return keras.layers.Conv2D(filters, 1, use_bias=use_bias)(x)
"""
    path = tmp_path / "b.py"
    path.write_text(text)
    target = load_file(str(path))
    assert dict(target.options) == {"use_bias": True} and dict(target.defaults) == {"filters": 8}
    assert derive.show(str(path), C_in=3).total["all"].value == 32
    assert derive.show(str(path), C_in=3, options={"use_bias": False}).total["all"].value == 24


def test_module_constant_is_a_symbol_with_its_default(tmp_path):
    text = """import keras
num_classes = 10
inputs = keras.Input(shape=(16,))
outputs = keras.layers.Dense(num_classes)(inputs)
model = keras.Model(inputs, outputs)
"""
    d = show(tmp_path, text, convention="keras")
    assert dict(d.values) == {"C_in": 16, "num_classes": 10} and d.total["all"].value == 170
    assert show(tmp_path, text, convention="keras", num_classes=2).total["all"].value == 34


def test_keras_add_of_different_sizes_is_a_warning_and_counted(tmp_path):
    """Keras raises on an add of (6, 6, 3) and (8, 8, 3) (and of (H − 2, W − 2) and (H, W) once the sizes
    are known): derive counts on (an add has no parameters) and says so, naming the line (issue 13)."""
    known = "import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.Conv2D(3, 3)(x)\n" \
            "z = keras.layers.Add()([x, y])\n"
    d = show(tmp_path, known, convention="keras")
    assert d.total["all"].value == 84
    (warning,) = d.warnings
    assert warning.line == 4 and "add of (8, 8, 3) and (6, 6, 3)" in warning.message
    assert "padding='same' in conv2d (line 3)" in warning.message
    unknown = known.replace("(8, 8, 3)", "(None, None, 3)")
    d = show(tmp_path, unknown, convention="keras")
    assert d.total["all"].value == 84
    assert "add of (H, W, 3) and (H - 2, W - 2, 3)" in d.warnings[0].message


# -- PyTorch code --------------------------------------------------------------------------------
def test_torch_module_subclass_counts_every_registered_module(tmp_path):
    text = """import torch
from torch import nn

class Block(nn.Module):
    def __init__(self, c_in, c_out, n=2):
        super().__init__()
        self.stem = nn.Conv2d(c_in, c_out, 3, padding=1, bias=False)
        self.norms = nn.ModuleList([nn.BatchNorm2d(c_out) for _ in range(n)])
        self.add_module("head", nn.Linear(c_out, 10))
        self.unused = nn.Conv2d(7, 5, 1)   # never called in forward: PyTorch counts it all the same
        self.scale = 0.5

    def forward(self, x):
        return self.head(self.stem(x).mean((2, 3)))
"""
    d = show(tmp_path, text, convention="pytorch", c_in=3, c_out=8)
    assert [layer.name for layer in d.layers] == ["stem", "norms.0", "norms.1", "head", "unused"]
    assert d.total["all"].value == 216 + 2 * 16 + 90 + 40 and d.total["buffers"].value == 2 * 17
    data = d.to_dict()
    assert [p["name"] for p in data["parts"]] == ["norms"]


def test_torch_nested_sequential_and_ordered_dict_names(tmp_path):
    text = """import torch.nn as nn
from collections import OrderedDict
model = nn.Sequential(OrderedDict([
    ("features", nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())),
    ("pool", nn.AdaptiveAvgPool2d((1, 1))),
    ("flat", nn.Flatten()),
    ("fc", nn.Linear(8, 2)),
]))
"""
    d = show(tmp_path, text, convention="pytorch")
    assert [layer.name for layer in d.layers] == ["features.0", "features.1", "pool", "flat", "fc"]
    assert d.total["all"].value == 224 + 18


def test_torch_module_counts_on_stated_sizes_whatever_the_order(tmp_path):
    text = """import torch.nn as nn
class Odd(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(32, 4)          # registered before the convolution it follows
        self.conv = nn.Conv2d(3, 32, 3)
        self.bn = nn.BatchNorm2d(7)         # a size no layer outputs: counted as stated
model = Odd()
"""
    assert total(tmp_path, text, "pytorch")["all"] == 132 + 896 + 14


def test_torch_parameters_become_symbols_and_loops_use_defaults(tmp_path):
    text = """import torch.nn as nn
def make(c_in, width=16, depth=3, affine=True):
    layers = [nn.Conv2d(c_in, width, 1)]
    for _ in range(depth):
        layers += [nn.Conv2d(width, width, 3, padding=1, groups=width), nn.BatchNorm2d(width, affine=affine)]
    return nn.Sequential(*layers)
"""
    d = show(tmp_path, text, convention="pytorch", c_in=3)
    assert d.total["all"].value == 64 + 3 * (160 + 32)
    assert set(d.values) == {"c_in", "width"}
    assert derive.show(str(tmp_path / "block.py"), convention="pytorch", c_in=3, width=8,
                       options={"affine": False}).total["all"].value == 32 + 3 * 80


def test_torch_if_on_an_open_size_is_an_error_naming_it(tmp_path):
    text = "import torch.nn as nn\ndef make(c):\n    if c > 4:\n        return nn.Linear(c, 2)\n" \
           "    return nn.Linear(c, 3)\n"
    message = error_of(tmp_path, text)
    assert message.startswith(place(text, "c > 4")) and "give c a default value" in message


# -- errors, each at its place -------------------------------------------------------------------
CODE_ERRORS = [
    ("import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.ConvLSTM3D(8, 3)(x)\n", "keras.layers.ConvLSTM3D",
     "unsupported layer ConvLSTM3D"),
    ("import torch.nn as nn\nm = nn.Sequential(nn.Conv2d(3, 8, 3), nn.GLU())\n", "nn.GLU",
     "unsupported module nn.GLU"),
    ("import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.Conv2D(8, 3, filterz=2)(x)\n", "filterz",
     "has no argument 'filterz'"),
    ("import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.Conv2D(-8, 3)(x)\n", "-8", "must be positive"),
    ("import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.Conv2D(8, 3, padding='full')(x)\n", "'full'",
     "padding must be one of"),
    ("import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.Conv2D(8, 3, use_bias=1)(x)\n", "1)(x)",
     "use_bias must be True or False"),
    ("import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.Conv2D(lambda: 8, 3)(x)\n", "lambda", "lambda"),
    ("import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.Dense(8)(keras.ops.reshape(x, (-1, 3)))\n",
     "keras.ops.reshape(x, (-1, 3))", "cannot follow this tensor"),
    ("import keras\nx = keras.Input((8, 8, 3))\nwhile True:\n    x = keras.layers.Conv2D(8, 3)(x)\n", "while",
     "'while' loops are not followed"),
    ("import keras\nx = keras.Input((4, 4, 3))\ny = keras.layers.Conv2D(8, 5)(x)\n", "keras.layers.Conv2D(8, 5)(x)",
     "is too small for this layer"),
    ("import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.Conv2D(8, 3, groups=2)(x)\n",
     "keras.layers.Conv2D(8, 3, groups=2)(x)", "divisible by groups"),
    ("import torch.nn as nn\nimport keras\nm = nn.Sequential(nn.ReLU())\ny = keras.layers.Conv2D(8, 3)\n", "nn.Sequential",
     "mixes Keras layers (line 4) and PyTorch modules (line 3)"),
    ("x = 1\nprint(x)\n", None, "no Keras or PyTorch layers found"),
    ("def f(:\n    pass\n", ":", "invalid Python"),
    ("import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.Dense(größe)(x)\n", "größe",
     "cannot be a symbol"),
    ("import keras\nx = keras.Input((8, 8, 3))\ns = 'é'; y = keras.layers.Conv2D(s * 2, 3)(x)\n", "s * 2",
     "filters must be a number, not a string"),
]


@pytest.mark.parametrize("text,at,message", CODE_ERRORS, ids=[c[2][:30] for c in CODE_ERRORS])
def test_code_errors_name_the_place(tmp_path, text, at, message):
    got = error_of(tmp_path, text)
    if at is not None:
        assert got.startswith(place(text, at) + ": "), (got, place(text, at))
    assert message in got
    assert "\n" not in got


SPEC = """[block]
title = "t"

[symbols]
n = {{ meaning = "n", default = 4 }}

[[layers]]
op = "conv2d"
filters = "{filters}"
kernel = {kernel}

[[layers]]
op = "{op}"
{extra}
"""


def spec(filters="2*n", kernel="3", op="batch_norm", extra="") -> str:
    return SPEC.format(filters=filters, kernel=kernel, op=op, extra=extra)


SPEC_ERRORS = [
    (spec(filters="2*m"), "m\"", "unknown name 'm'"),
    (spec(filters="2*"), "*\"", "missing operand after '*'"),
    (spec(filters="__import__('os')"), "__import__", "'__import__' is not a function"),
    (spec(kernel="true"), "true", "kernel must be a whole number or an expression"),
    (spec(kernel="[1, 2, 3]"), "[1, 2, 3]", "kernel must be one size or two"),
    (spec(kernel="-1"), "-1", "kernel must be a positive whole number"),
    (spec(op="conv4d"), "\"conv4d\"", "unknown op 'conv4d'"),
    (spec(op="batch_norm", extra="centre = false"), "centre", "unknown key 'centre' in a batch_norm layer; did you mean 'center'?"),
    (spec(op="add", extra='inputs = ["conv2d", "nope"]'), '["conv2d"', "no layer named 'nope'"),
    (spec(op="add"), "[[layers]]\nop = \"add\"", "need inputs"),
    (spec(op="batch_norm", extra='if = "n > 2"'), '"n > 2"', "write SIZE == SIZE"),
    (spec(op="dropout", extra="rate = 2"), "2\n", "rate must be a number between 0 and 1"),
    (spec(op="batch_norm", extra="center = \"maybe\""), '"maybe"', "must be true, false or the name of an option"),
    (spec(op="batch_norm", extra='name = "conv2d"'), 'name = "conv2d"', "two layers are named 'conv2d'"),
    (spec(op="global_avg_pool2d", extra="[[layers]]\nop = \"conv2d\"\nfilters = 3\nkernel = 1"),
     "[[layers]]\nop = \"conv2d\"\nfilters = 3", "conv2d needs an image input"),
    (spec().replace('title = "t"', 'title = "t"\ncolour = 1'), "colour", "unknown key 'colour' in [block]"),
    ("[block]\ntitle = \"t\"\n[[layers]\nop = 1\n", "]\nop", "invalid TOML: Expected ']]'"),
    ("[block]\ntitle = 't'\n", None, "a spec needs layers"),
]


@pytest.mark.parametrize("text,at,message", SPEC_ERRORS, ids=[c[2][:30] for c in SPEC_ERRORS])
def test_spec_errors_name_the_place(tmp_path, text, at, message):
    got = error_of(tmp_path, text, ".toml")
    if at is not None:
        expected = place(text, at)
        if at.startswith("\n"):  # the place is the start of the next line
            line = int(expected.split(":")[1]) + 1
            expected = f":{line}:"
        if at.startswith("name = "):  # the place is the value
            expected = expected.rsplit(":", 1)[0] + f":{int(expected.rsplit(':', 1)[1]) + len('name = ')}"
        assert got.startswith(expected), (got, expected)
    assert message in got, got


def test_expression_error_column_points_into_the_string(tmp_path):
    text = spec(filters="2 * (n + 1")
    got = error_of(tmp_path, text, ".toml")
    line = text.count("\n", 0, text.index("filters")) + 1
    col = len('filters = "2 * (n + 1') + 1
    assert got.startswith(f":{line}:{col}: expected ')'"), got


def test_spec_symbols_defaults_and_conditions(tmp_path):
    text = spec(op="add", extra='inputs = ["conv2d", "input"]\nif = "C_in == 2*n"')
    d = show(tmp_path, text, ".toml", convention="paper", C_in=8)
    assert [layer.name for layer in d.layers] == ["conv2d", "add"]
    assert show(tmp_path, text, ".toml", convention="paper", C_in=5).layers[-1].name == "conv2d"


# -- standard input, and the CLI ------------------------------------------------------------------
@pytest.mark.parametrize("path", ["forum_bottleneck.py", "mobilenetv2_block.toml"])
def test_stdin_reads_code_or_spec(monkeypatch, capsys, path):
    data = (EXAMPLES / path).read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    values = ["--set", "C_in=3", "--set", "n_out=3"] if path.endswith(".py") else ["--set", "C_in=3", "--set",
                                                                                   "t=6", "--set", "C_out=3"]
    status = main(["show", "-", *values, "--convention", "keras", "--format", "json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    data = json.loads(out)
    assert data["target"] == ("stdin" if path.endswith(".py") else "mobilenetv2-spec")
    assert data["total"]["all"]["value"] == (465 if path.endswith(".py") else 426)


def test_stdin_errors_say_stdin(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"import keras\nx = keras.layers.ConvLSTM3D(1)\n")))
    assert main(["show", "-"]) == 2
    assert capsys.readouterr().err == "derive: error: <stdin>:2:5: unsupported layer ConvLSTM3D (see the README for " \
                                      "the layers derive reads)\n"


def test_missing_and_unreadable_files(tmp_path, capsys):
    assert main(["show", str(tmp_path / "nope.py")]) == 2
    assert capsys.readouterr().err.endswith("nope.py: no such file\n")
    (tmp_path / "dir.toml").mkdir()
    assert main(["show", str(tmp_path / "dir.toml")]) == 2
    assert "is a directory" in capsys.readouterr().err
    (tmp_path / "bin.py").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    assert main(["show", str(tmp_path / "bin.py")]) == 2
    assert "not UTF-8 text" in capsys.readouterr().err


def test_readers_are_not_imported_for_builtins():
    import subprocess

    code = "import sys, derive; derive.show('mobilenetv2-block'); print('derive.readers' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "False"


# -- branches on sizes, weight initialisation, what is refused ----------------------------------------
def test_keras_if_on_sizes_becomes_a_condition(tmp_path):
    text = """import keras
from keras import layers

def block(x, filters, strides=1):
    y = layers.Conv2D(filters, 3, strides=strides, padding="same")(x)
    y = layers.BatchNormalization()(y)
    if strides == 1 and x.shape[-1] == filters:
        y = layers.Add()([x, y])
    return y
"""
    names = ["conv2d", "batch_normalization", "add"]
    d = show(tmp_path, text, convention="keras", C_in=8, filters=8)
    assert [layer.name for layer in d.layers] == names and d.total["all"].value == 584 + 32
    assert [layer.name for layer in show(tmp_path, text, C_in=8, filters=8, strides=2).layers] == names[:2]
    assert [layer.name for layer in show(tmp_path, text, C_in=8, filters=16).layers] == names[:2]
    open_block = show(tmp_path, text)  # sizes open: the add exists where C_in = filters
    assert [row.condition is not None for row in open_block.layers] == [False, False, True]


def test_if_else_on_sizes_assigning_both_ways_uses_the_default(tmp_path):
    text = """import keras
def block(x, filters=8, strides=1):
    if strides == 1:
        y = keras.layers.Conv2D(filters, 3, padding="same")(x)
    else:
        y = keras.layers.Conv2D(filters, 3, strides=strides, use_bias=False)(x)
    return y
"""
    d = show(tmp_path, text, convention="keras", C_in=8)
    assert [layer.name for layer in d.layers] == ["conv2d"] and "strides" not in d.values


def test_if_that_assigns_a_number_uses_the_default(tmp_path):
    text = """import torch.nn as nn
def make(c_in, expand=4):
    if expand > 1:
        hidden = c_in * expand
    else:
        hidden = c_in
    return nn.Sequential(nn.Conv2d(c_in, hidden, 1), nn.BatchNorm2d(hidden))
"""
    d = show(tmp_path, text, convention="pytorch", c_in=2)
    assert d.total["all"].value == 2 * 8 + 8 + 16 and "expand" not in d.values


def test_weight_initialisation_loops_are_passed_over(tmp_path):
    text = """import torch.nn as nn
class Net(nn.Module):
    def __init__(self, classes=10):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(inplace=True))
        self.classifier = nn.Linear(16, classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.ones_(m.weight)
"""
    d = show(tmp_path, text, convention="pytorch")
    assert d.total["all"].value == 448 + 32 + 170 and d.total["buffers"].value == 33


REFUSED = [
    ("import keras\nclass Block(keras.layers.Layer):\n    def __init__(self):\n        super().__init__()\n"
     "        self.c = keras.layers.Conv2D(8, 1)\n", "Block has no call() derive can follow"),
    ("import torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.c = nn.Linear(2, 2)\n        setattr(self, 'd', nn.Linear(2, 2))\n", "setattr() is not followed"),
    ("import torch, torch.nn as nn\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
     "        self.c = nn.Linear(2, 2)\n        self.register_buffer('b', torch.load('b.pt'))\n",
     "register_buffer(): the tensor comes from torch.load(...)"),
    ("import keras\n@keras.saving.register_keras_serializable()\ndef block(x):\n"
     "    return keras.layers.Conv2D(8, 1)(x)\n", "has a decorator"),
    ("import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.BatchNormalization(axis=4)(x)\n",
     "axis"),
    ("import keras\nx = keras.Input((8, 8, 3))\ny = keras.layers.Dense(4, activation='relu7')(x)\n",
     "must be the name of a Keras activation"),
]


@pytest.mark.parametrize("text,message", REFUSED, ids=[m for _, m in REFUSED])
def test_refused_code(tmp_path, text, message):
    assert message in error_of(tmp_path, text)
