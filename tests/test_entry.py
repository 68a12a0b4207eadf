"""Choosing what to count in a `.py` file (issue 13): `--entry NAME` with `--arg NAME=VALUE`, the default
rule (the model built at module level, else the last class or function that builds one and returns
something: never a `test()` that returns nothing), and `derive list FILE.py`. Both frameworks; every
count is held to the framework running the same code with the same arguments."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import derive
from derive.cli import main
from derive.readers.entry import read_arg
from helpers.frameworks import need_torch
from helpers.keras_exec import derive_counts, keras_counts_of

TORCH = """import torch
from torch import nn


class Block(nn.Module):
    def __init__(self, c_in, c_out, stride=1, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn = nn.BatchNorm2d(c_out)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class Net(nn.Module):
    def __init__(self, num_classes=10, width=16):
        super().__init__()
        self.b1 = Block(3, width)
        self.b2 = Block(width, 2 * width, stride=2)
        self.fc = nn.Linear(2 * width, num_classes)

    def forward(self, x):
        return self.fc(self.b2(self.b1(x)).mean((2, 3)))


def test():
    net = Net()
    y = net(torch.randn(2, 3, 32, 32))
    print(y.shape)
"""
KERAS = """import keras
from keras import layers


def build_model(num_classes=10, input_shape=(32, 32, 3), dropout=0.2, use_bn=True):
    inputs = keras.Input(shape=input_shape)
    x = layers.Conv2D(16, 3, activation="relu")(inputs)
    if use_bn:
        x = layers.BatchNormalization()(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(num_classes, activation="softmax")(x)
    return keras.Model(inputs, outputs)


def block_3(x, filters):
    return layers.Conv2D(filters, 3, padding="same")(x)


model = build_model()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
"""


def write(tmp_path: Path, text: str, name: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def torch_counts(text: str, name: str, **kwargs) -> dict[str, int]:
    torch = need_torch()
    namespace: dict = {"__name__": "snippet"}
    exec(compile(text, "<snippet>", "exec"), namespace)  # noqa: S102 - the test's own text
    module = namespace[name](**kwargs)
    assert isinstance(module, torch.nn.Module)
    return {"all": sum(p.numel() for p in module.parameters()),
            "buffers": sum(math.prod(b.shape) for b in module.buffers())}


def derive_torch(d) -> dict[str, int]:
    return {"all": d.total["all"].value, "buffers": d.total["buffers"].value}


@pytest.mark.frameworks
@pytest.mark.parametrize("entry,args,kwargs", [
    (None, {}, {}),  # the default: Net, not test()
    ("Net", {"num_classes": "5"}, {"num_classes": 5}),
    ("Net", {"num_classes": "5", "width": "8"}, {"num_classes": 5, "width": 8}),
    ("Block", {"c_in": "3", "c_out": "8", "stride": "2"}, {"c_in": 3, "c_out": 8, "stride": 2}),
    ("Block", {"c_in": "3", "c_out": "8", "groups": "1"}, {"c_in": 3, "c_out": 8, "groups": 1}),  # to **kwargs
])
def test_torch_entry_and_args_count_what_torch_counts(entry, args, kwargs, tmp_path):
    path = write(tmp_path, TORCH, "net.py")
    d = derive.show(path, convention="pytorch", entry=entry, args=args)
    assert derive_torch(d) == torch_counts(TORCH, entry or "Net", **kwargs)


@pytest.mark.frameworks
@pytest.mark.parametrize("entry,args,kwargs", [
    (None, {}, {}),  # the default: the model built at module level
    ("build_model", {}, {}),
    ("build_model", {"num_classes": "5", "input_shape": "(28, 28, 1)"}, {"num_classes": 5, "input_shape": (28, 28, 1)}),
    ("build_model", {"use_bn": "false", "dropout": "0.5"}, {"use_bn": False, "dropout": 0.5}),
])
def test_keras_entry_and_args_count_what_keras_counts(entry, args, kwargs, tmp_path):
    path = write(tmp_path, KERAS, "net.py")
    d = derive.show(path, convention="keras", entry=entry, args=args)
    expected = keras_counts_of(KERAS, "build_model", **kwargs)
    assert derive_counts(d) == expected


@pytest.mark.frameworks
def test_a_helper_function_is_an_entry_with_its_input_open(tmp_path):
    """`--entry block_3 --arg filters=8`: a Keras function taking a tensor; its input stays C_in × H × W."""
    path = write(tmp_path, KERAS, "net.py")
    d = derive.show(path, convention="keras", entry="block_3", args={"filters": 8}, C_in=4)
    namespace_text = KERAS + "\ninputs = keras.Input(shape=(9, 9, 4))\nhelper = keras.Model(inputs, block_3(inputs, 8))\n"
    assert derive_counts(d) == keras_counts_of(namespace_text, "helper")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_shows_the_candidates_their_arguments_and_the_default(capsys, tmp_path):
    path = write(tmp_path, TORCH, "net.py")
    status, out, err = run(capsys, "list", path)
    assert status == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == f"{path} (torch)"
    net = next(line for line in lines if "Net(" in line)
    assert "Net(num_classes=10, width=16)" in net and "counted by default" in net
    block = next(line for line in lines if "Block(" in line)
    assert "Block(c_in, c_out, stride=1, **kwargs)" in block and "default" not in block
    assert "returns nothing" in next(line for line in lines if "test()" in line)
    status, out, _ = run(capsys, "list", path, "--format", "json")
    data = json.loads(out)
    assert data["default"] == "Net" and data["framework"] == "torch" and data["models"] == []
    assert [c["name"] for c in data["candidates"]] == ["Block", "Net", "test"]
    assert data["candidates"][1]["parameters"] == [
        {"name": "num_classes", "default": "10", "kind": "positional"},
        {"name": "width", "default": "16", "kind": "positional"}]


def test_list_names_the_module_level_model_as_the_default(capsys, tmp_path):
    path = write(tmp_path, KERAS, "net.py")
    status, out, _ = run(capsys, "list", path, "--format", "json")
    data = json.loads(out)
    assert status == 0 and data["framework"] == "keras" and data["default"] == "model"
    assert data["models"] == [{"name": "model", "line": 21, "default": True}]
    assert not any(c["default"] for c in data["candidates"])
    status, out, _ = run(capsys, "list", path)
    assert "model (line 21)  <- counted by default" in out


@pytest.mark.parametrize("argv,where", [
    (("--entry", "Nope"), "--entry Nope: no class or function 'Nope' in the file (candidates: Block, Net, test;"),
    (("--entry", "Net", "--arg", "depth=3"), "--arg depth: Net has no parameter 'depth' (it has num_classes, width)"),
    (("--arg", "x"), "--arg x: expected NAME=VALUE"),
    (("--entry", "Net", "--arg", "width=3+"), "--arg width=3+: "),
    (("--entry", "Net", "--arg", "width=" + "(" * 5000 + "1" + ")" * 5000), "--arg width: a value of at most"),
])
def test_bad_entries_and_args_are_one_line_errors(argv, where, capsys, tmp_path):
    path = write(tmp_path, TORCH, "net.py")
    status, out, err = run(capsys, "show", path, *argv)
    assert status == 2 and out == ""
    assert err.startswith(f"derive: error: {where}") and err.count("\n") == 1


def test_entry_is_for_code_only(capsys):
    status, _, err = run(capsys, "show", "mobilenetv2-block", "--entry", "x")
    assert status == 2 and "--entry" in err


def test_arg_values_are_read_without_eval():
    assert read_arg("a", "5") == 5 and read_arg("a", "2*8") == 16
    assert read_arg("a", "true") is True and read_arg("a", "False") is False and read_arg("a", "None") is None
    assert read_arg("a", "(28, 28, 1)") == (28, 28, 1)
    assert read_arg("a", "((16))") == 16 and read_arg("a", "(16,)") == (16,) and read_arg("a", "((1, 2), 3)") == ((1, 2), 3)
    assert read_arg("a", "relu") == "relu" and read_arg("a", "'same'") == "same"
    assert str(read_arg("a", "0.5")) == "1/2"
    assert read_arg("a", "__import__('os').system('false')") == "__import__('os').system('false')"  # text


def test_check_takes_the_entry_too(capsys, tmp_path):
    path = write(tmp_path, TORCH, "net.py")
    d = derive.show(path, entry="Block", args={"c_in": 3, "c_out": 8})
    status, _, _ = run(capsys, "check", path, "--entry", "Block", "--arg", "c_in=3", "--arg", "c_out=8",
                       "--claim", str(d.total["all"].value))
    assert status == 0
