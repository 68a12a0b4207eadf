"""Code that would fail in its framework is said so, not counted silently (issue 13): an add of shapes
that differ, a concatenation of images of other heights and widths. derive gives the counts (an add or
a concatenation has no parameters, so they do not depend on it) and a warning naming the line, both
shapes, what Keras does and the likely fix, on standard error and in every format; exit status 0.

The warnings are held to Keras itself: Keras raises on each snippet, and the counts equal Keras'
counts of the same code with the likely fix applied."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import derive
from derive.cli import main
from helpers.frameworks import need_keras
from helpers.keras_exec import derive_counts, keras_counts_of, keras_namespace

ROOT = Path(__file__).resolve().parents[1]
SEED = (ROOT / "examples" / "forum_bottleneck.py").read_text(encoding="utf-8")

VALID_ADD = """import keras
from keras import layers

inputs = keras.Input(shape=(27, 27, 3))
m = layers.Conv2D(18, (1, 1))(inputs)
m = layers.DepthwiseConv2D((3, 3))(m)
m = layers.Conv2D(3, (1, 1))(m)
out = layers.Add()([m, inputs])
model = keras.Model(inputs, out)
"""
CHANNELS = """import keras
from keras import layers

inputs = keras.Input(shape=(16, 16, 3))
m = layers.Conv2D(8, 3, padding="same")(inputs)
m = layers.BatchNormalization()(m)
out = layers.Add()([m, inputs])
model = keras.Model(inputs, out)
"""
CONCAT = """import keras
from keras import layers

inputs = keras.Input(shape=(20, 20, 4))
a = layers.Conv2D(6, 3)(inputs)
b = layers.Conv2D(5, 1)(inputs)
out = layers.Concatenate()([a, b])
out = layers.Conv2D(2, 1)(out)
model = keras.Model(inputs, out)
"""
CASES = {  # name -> (text, line of the warning, what the message names, the code Keras runs: fixed, or without the add)
    "add-spatial": (VALID_ADD, 8, ("add of (25, 25, 3) and (27, 27, 3)", "padding='same' in depthwise_conv2d (line 6)"),
                    VALID_ADD.replace("DepthwiseConv2D((3, 3))", "DepthwiseConv2D((3, 3), padding='same')")),
    "add-channels": (CHANNELS, 7, ("add of (16, 16, 8) and (16, 16, 3)", "the channel counts differ"),
                     CHANNELS.replace("layers.Add()([m, inputs])", "m")),  # Keras' count without the add
    "concatenate-spatial": (CONCAT, 7, ("concatenate of (18, 18, 6) and (20, 20, 5)", "padding='same' in conv2d (line 5)"),
                            CONCAT.replace("Conv2D(6, 3)", "Conv2D(6, 3, padding='same')")),
}


def write(tmp_path: Path, text: str, name: str = "net.py") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.frameworks
@pytest.mark.parametrize("case", sorted(CASES))
def test_keras_raises_and_derive_warns_with_keras_counts_of_the_fixed_code(case, tmp_path):
    text, line, names, fixed = CASES[case]
    with pytest.raises(ValueError):  # the code as written does not run in Keras
        keras_namespace(text)
    d = derive.show(str(write(tmp_path, text)), convention="keras")
    (warning,) = d.warnings
    assert warning.line == line
    for name in names:
        assert name in warning.message
    assert "Keras raises here" in warning.message
    assert derive_counts(d) == keras_counts_of(fixed)  # the fix changes no parameter


@pytest.mark.frameworks
def test_the_seed_threads_code_warns_and_counts_as_keras_does_once_fixed(tmp_path):
    """The seed thread's bottleneck: the 'valid' 3×3 depthwise convolution makes (H − 2)×(W − 2), the add
    meets H×W. Keras raises on it at 27×27; fixed with padding='same' it counts what derive counts."""
    keras = need_keras()
    runnable = SEED.replace("squeeze=n_out", "squeeze=3").replace("tensorflow.keras", "keras")
    namespace = keras_namespace(runnable)
    with pytest.raises(ValueError):
        namespace["bottleneck_block"](keras.Input(shape=(27, 27, 3)))
    d = derive.show(str(ROOT / "examples" / "forum_bottleneck.py"), convention="keras", C_in=3, n_out=3)
    (warning,) = d.warnings
    assert warning.line == 13 and warning.layer == "add"
    assert "add of (H - 2, W - 2, n_out) and (H, W, C_in)" in warning.message
    assert "padding='same' in depthwise_conv2d (line 8)" in warning.message
    fixed = runnable.replace("DepthwiseConv2D((3,3))", "DepthwiseConv2D((3,3), padding='same')") + (
        "\ninputs = keras.Input(shape=(27, 27, 3))\nmodel = keras.Model(inputs, bottleneck_block(inputs))\n")
    assert derive_counts(d) == keras_counts_of("import keras\n" + fixed)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


FORMATS = {  # format -> how the message's layer name is written there (escaped)
    "text": "depthwise_conv2d (line 6)",
    "markdown": "depthwise\\_conv2d (line 6)",
    "latex": "depthwise\\_conv2d (line 6)",
    "tex": "depthwise\\_conv2d (line 6)",
    "slide": "depthwise\\_conv2d (line 6)",
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_carries_the_warning_escaped_and_stderr_says_it(fmt, capsys, tmp_path):
    path = write(tmp_path, VALID_ADD)
    status, out, err = run(capsys, "show", str(path), "--format", fmt)
    assert status == 0
    assert FORMATS[fmt] in out
    assert "line 8" in out
    assert err == (f"derive: warning: {path}:8:7: add of (25, 25, 3) and (27, 27, 3): the heights and widths differ, "
                   "so Keras raises here (ValueError) and the code does not run; derive counts on with (25, 25, 3) "
                   "(no parameter depends on it); likely fix: padding='same' in depthwise_conv2d (line 6)\n")


def test_json_has_a_warnings_list_and_the_counts(capsys, tmp_path):
    path = write(tmp_path, VALID_ADD)
    status, out, err = run(capsys, "show", str(path), "--format", "json", "--convention", "keras")
    data = json.loads(out)
    assert status == 0 and err.startswith("derive: warning: ")
    (warning,) = data["warnings"]
    assert warning["line"] == 8 and warning["column"] == 7 and warning["layer"] == "add"
    assert "padding='same'" in warning["message"]
    assert data["total"]["all"]["value"] == derive.show(str(path), convention="keras").total["all"].value


def test_code_that_runs_has_no_warning_and_an_empty_list(capsys, tmp_path):
    fixed = CASES["add-spatial"][3]
    status, out, err = run(capsys, "show", str(write(tmp_path, fixed)), "--format", "json")
    assert status == 0 and err == ""
    assert json.loads(out)["warnings"] == []
    status, out, err = run(capsys, "show", "mobilenetv2-block", "--format", "json")
    assert json.loads(out)["warnings"] == [] and err == ""


def test_check_says_the_warning_too(capsys, tmp_path):
    path = write(tmp_path, VALID_ADD)
    total = derive.show(str(path)).total["all"].value
    status, out, err = run(capsys, "check", str(path), "--claim", str(total))
    assert status == 0
    assert err.startswith(f"derive: warning: {path}:8:7: add of (25, 25, 3)")
    status, out, err = run(capsys, "check", str(path), "--claim", str(total + 1))
    assert status == 1 and "derive: warning: " in err


FIXED_SEED = SEED.replace("DepthwiseConv2D((3,3))", "DepthwiseConv2D((3,3), padding='same')")


def test_a_symbolic_size_that_may_match_is_warned_only_once_bound_to_differ(tmp_path):
    """`n_out` against `C_in`: Keras raises only if they differ, which the code does not say: no warning
    while they are unbound or equal, a warning once `--set` makes them differ."""
    path = str(write(tmp_path, FIXED_SEED))
    assert derive.show(path, C_in=3, n_out=3).warnings == ()
    assert derive.show(path).warnings == ()
    (warning,) = derive.show(path, C_in=3, n_out=5).warnings
    assert warning.line == 13 and "the channel counts differ (n_out ≠ C_in)" in warning.message


@pytest.mark.frameworks
def test_channels_bound_to_differ_are_what_keras_raises_on(tmp_path):
    keras = need_keras()
    runnable = FIXED_SEED.replace("tensorflow.keras", "keras").replace("squeeze=n_out", "squeeze=5")
    namespace = keras_namespace(runnable)
    with pytest.raises(ValueError):
        namespace["bottleneck_block"](keras.Input(shape=(27, 27, 3)))
    d = derive.show(str(write(tmp_path, FIXED_SEED)), convention="keras", C_in=3, n_out=5)
    assert len(d.warnings) == 1
    without_add = runnable.replace("return Add()([m, x])", "return m") + (
        "\ninputs = keras.Input(shape=(27, 27, 3))\nmodel = keras.Model(inputs, bottleneck_block(inputs))\n")
    assert derive_counts(d) == keras_counts_of("import keras\n" + without_add)


# -- PyTorch: modules of an nn.Sequential whose sizes do not meet -----------------------------------
TORCH_CASES = {  # name -> (text, the input PyTorch runs, the stated and the given size)
    "conv_channels": ("import torch.nn as nn\n\nmodel = nn.Sequential(\n    nn.Conv2d(3, 8, 3),\n    nn.ReLU(),\n"
                      "    nn.Conv2d(16, 8, 3),\n)\n", (1, 3, 12, 12), "module 2 (nn.Conv2d) takes 16 input channels"),
    "linear_features": ("import torch.nn as nn\n\nmodel = nn.Sequential(\n    nn.Flatten(),\n    nn.Linear(784, 128),\n"
                        "    nn.ReLU(),\n    nn.Linear(64, 10),\n)\n", (1, 1, 28, 28),
                        "module 3 (nn.Linear) takes 64 input features"),
}


@pytest.mark.parametrize("case", list(TORCH_CASES))
def test_pytorch_raises_where_derive_warns_and_counts_as_parameters_does(case, tmp_path):
    import torch  # noqa: PLC0415 - the framework, only for this test

    from helpers.frameworks import need_torch
    need_torch()
    text, shape, says = TORCH_CASES[case]
    namespace: dict = {}
    exec(compile(text, case, "exec"), namespace)  # our own test snippet, never user input
    model = namespace["model"]
    with pytest.raises(RuntimeError):
        model(torch.zeros(shape))
    path = tmp_path / f"{case}.py"
    path.write_text(text, encoding="utf-8")
    d = derive.show(str(path), convention="pytorch")
    assert [w.message[:len(says)] for w in d.warnings] == [says]
    assert d.total["all"].value == sum(p.numel() for p in model.parameters())


def test_a_module_of_the_users_is_not_warned_on_its_registration_order(tmp_path):
    """Its `forward` (not read) decides the order: modules registered out of order are no mistake."""
    text = ("import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
            "        self.head = nn.Linear(8, 2)\n        self.body = nn.Linear(4, 8)\n\n"
            "    def forward(self, x):\n        return self.head(self.body(x))\n\n\nmodel = Net()\n")
    path = tmp_path / "net.py"
    path.write_text(text, encoding="utf-8")
    assert derive.show(str(path)).warnings == ()
