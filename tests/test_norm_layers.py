"""Norms (batch on any axis, instance, layer over several axes, RMS, group, Keras `Normalization`), PReLU,
`Rescaling`, `Lambda`, the element-wise joins and the activations, each read by derive and run in its
framework: every convention's figures and the output shape against what Keras and PyTorch report.

A case is real code (Keras or PyTorch) assigning `model`; derive reads it from a file, the framework
runs the same text (`helpers/codegen_norms.py`). Where both frameworks have the layer, a pair of cases
builds the same layer in each, and each derivation is held to both frameworks: the keras convention of
the PyTorch code to the Keras model, the pytorch convention of the Keras code to the PyTorch module.
"""

from __future__ import annotations

import pytest
from helpers.codegen_norms import (
    check_keras,
    check_torch,
    derived,
    figures,
    keras_truth,
    torch_truth,
)

from derive.errors import InputError

pytestmark = pytest.mark.frameworks

H, W, C = 5, 7, 4  # distinct, so that a wrong axis gives a wrong count


def keras_code(*lines: str, shape: tuple[int, ...] = (H, W, C), head: str = "") -> str:
    body = "\n".join(f"x = {line}(x)" if not line.startswith(("x =", "y =")) else line for line in lines)
    return (f"import keras\nfrom keras import layers\n{head}\ninputs = keras.Input(shape={shape})\nx = inputs\n"
            f"{body}\nmodel = keras.Model(inputs, x)\n")


def torch_code(*modules: str, stem: bool = True) -> str:
    listed = ([f"nn.Conv2d(3, {C}, 1)"] if stem else []) + list(modules)
    return "import torch.nn as nn\n\nmodel = nn.Sequential(\n    " + ",\n    ".join(listed) + ",\n)\n"


# -- Keras, alone ------------------------------------------------------------------------------------
KERAS = [
    "layers.BatchNormalization()", "layers.BatchNormalization(axis=3)", "layers.BatchNormalization(axis=-1)",
    "layers.BatchNormalization(axis=1)", "layers.BatchNormalization(axis=2)", "layers.BatchNormalization(axis=-3)",
    "layers.BatchNormalization(axis=1, center=False)", "layers.BatchNormalization(scale=False, center=False)",
    "layers.LayerNormalization()", "layers.LayerNormalization(axis=[1, 2, 3])", "layers.LayerNormalization(axis=[1, 3])",
    "layers.LayerNormalization(axis=(2, 3), center=False)", "layers.LayerNormalization(axis=1, scale=False)",
    "layers.LayerNormalization(rms_scaling=True)", "layers.RMSNormalization()", "layers.RMSNormalization(axis=[1, 2])",
    "layers.RMSNormalization(axis=1)", "layers.GroupNormalization(groups=-1)", "layers.GroupNormalization(2)",
    "layers.GroupNormalization(groups=5, axis=1)", "layers.GroupNormalization(-1, center=False)",
    "layers.PReLU()", "layers.PReLU(shared_axes=[1, 2])", "layers.PReLU(shared_axes=2)",
    "layers.PReLU(shared_axes=[1, 2, 3])", "layers.PReLU(shared_axes=[3])",
    "layers.Normalization()", "layers.Normalization(axis=None)", "layers.Normalization(axis=(1, 3))",
    "layers.Normalization(axis=1)", "layers.Normalization(mean=0.5, variance=2.0)",
    "layers.Rescaling(1.0 / 255)", "layers.Rescaling(scale=2, offset=-1)", "layers.Lambda(lambda t: t * 2.0)",
    "layers.ReLU(max_value=6)", "layers.LeakyReLU(0.2)", "layers.ELU()", "layers.Softmax()",
    'layers.Activation("gelu")', 'layers.Activation("log_softmax")', "layers.UnitNormalization()",
    "layers.UnitNormalization(axis=[1, 2])",
]


@pytest.mark.parametrize("layer", KERAS)
def test_a_keras_layer_on_an_image(tmp_path, layer):
    code = keras_code(layer)
    got = figures(derived(tmp_path, code))
    truth = keras_truth(code)
    check_keras(got, truth)
    assert got["shape"] == truth["shape"]
    assert got["pytorch.all"] == truth["trainable"]  # no PyTorch twin: Keras' non-trainable weights as buffers


VECTOR = ["layers.BatchNormalization()", "layers.BatchNormalization(axis=1)", "layers.LayerNormalization(axis=1)",
          "layers.RMSNormalization()", "layers.GroupNormalization(3)", "layers.PReLU()", "layers.PReLU(shared_axes=1)",
          "layers.Normalization()", "layers.Normalization(axis=None)", "layers.Rescaling(0.5)"]


@pytest.mark.parametrize("layer", VECTOR)
def test_a_keras_layer_on_a_vector(tmp_path, layer):
    code = keras_code("layers.Dense(6)", layer, shape=(5,))
    got = figures(derived(tmp_path, code))
    truth = keras_truth(code)
    check_keras(got, truth)
    assert got["shape"] == truth["shape"]


SEQUENCE = ["layers.BatchNormalization()", "layers.BatchNormalization(axis=1)", "layers.BatchNormalization(axis=-2)",
            "layers.LayerNormalization(axis=[1, 2])", "layers.LayerNormalization(axis=1, center=False)",
            "layers.RMSNormalization(axis=[1, 2])", "layers.GroupNormalization(-1)", "layers.GroupNormalization(2, axis=1)",
            "layers.PReLU()", "layers.PReLU(shared_axes=1)", "layers.Normalization(axis=(1, 2))",
            "layers.Normalization(axis=1)", "layers.Lambda(lambda t: t + 1.0)"]
VOLUME = ["layers.BatchNormalization(axis=4)", "layers.BatchNormalization(axis=1)", "layers.LayerNormalization(axis=[1, 2, 3, 4])",
          "layers.LayerNormalization(axis=[2, 4])", "layers.RMSNormalization(axis=-2)", "layers.GroupNormalization(2)",
          "layers.PReLU(shared_axes=[1, 2, 3])", "layers.PReLU(shared_axes=[2])", "layers.Normalization(axis=(1, 4))"]


@pytest.mark.parametrize("layer, shape", [(layer, (6, 4)) for layer in SEQUENCE] + [(layer, (3, H, W, 4)) for layer in VOLUME])
def test_a_keras_layer_on_a_sequence_or_a_volume(tmp_path, layer, shape):
    code = keras_code(layer, shape=shape)
    got = figures(derived(tmp_path, code))
    truth = keras_truth(code)
    check_keras(got, truth)
    assert got["shape"] == truth["shape"]


JOINS = ["multiply", "subtract", "average", "maximum", "minimum"]


@pytest.mark.parametrize("join", JOINS)
@pytest.mark.parametrize("form", ["class", "function", "broadcast", "vector"])
def test_keras_element_wise_joins(tmp_path, join, form):
    other = {"class": "y = layers.Conv2D(4, 3, padding='same')(x)", "function": "y = layers.PReLU()(x)",
             "broadcast": "y = layers.GlobalAveragePooling2D(keepdims=True)(x)",
             "vector": "y = layers.Dense(4)(layers.GlobalAveragePooling2D()(x))"}[form]
    call = f"x = layers.{join.capitalize()}()([x, y])" if form == "class" else f"x = layers.{join}([y, x])"
    code = keras_code(other, call, "layers.BatchNormalization()")
    got = figures(derived(tmp_path, code))
    truth = keras_truth(code)
    check_keras(got, truth)
    assert got["shape"] == truth["shape"]


@pytest.mark.parametrize("join", JOINS)
@pytest.mark.parametrize("wrong, fixed, named", [
    ("layers.Concatenate()([x, x])", "layers.ReLU()(x)", "the channel counts differ"),
    ("layers.Conv2D(4, 3)(x)", "layers.Conv2D(4, 3, padding='same')(x)", "padding='same' in conv2d (line 6)"),
])
def test_joins_of_shapes_keras_refuses_are_a_warning_and_counted_as_fixed(tmp_path, join, wrong, fixed, named):
    """Keras raises on the code; derive counts on (a join has no parameters), says so at the line, and
    its counts are Keras' counts of the fixed code."""
    code = keras_code(f"y = {wrong}", f"x = layers.{join}([x, y])", "layers.BatchNormalization()")
    with pytest.raises(ValueError):
        keras_truth(code)
    d = derived(tmp_path, code)
    (warning,) = d["keras"].warnings
    assert warning.line == 7 and join in warning.message and named in warning.message, warning
    fixed_code = code.replace(wrong, fixed)
    check_keras(figures(d), keras_truth(fixed_code))
    assert figures(d)["shape"] == keras_truth(fixed_code)["shape"]


def test_subtract_of_three_is_refused_as_keras_refuses_it(tmp_path):
    code = keras_code("x = layers.Subtract()([x, x, x])")
    with pytest.raises(ValueError):
        keras_truth(code)
    with pytest.raises(InputError, match="subtract takes exactly two inputs"):
        derived(tmp_path, code)


def test_an_axis_out_of_range_is_refused_where_keras_refuses_it(tmp_path):
    for layer in ("layers.BatchNormalization(axis=4)", "layers.LayerNormalization(axis=[1, 5])",
                  "layers.PReLU(shared_axes=[4])"):
        code = keras_code(layer)
        with pytest.raises((ValueError, IndexError)):  # Keras: an index out of range
            keras_truth(code)
        with pytest.raises(InputError, match="out of range"):
            derived(tmp_path, code)


def test_a_lambda_is_taken_to_keep_its_shape_and_output_shape_is_read(tmp_path):
    code = keras_code("layers.Lambda(lambda t: t[:, :, :, :2], output_shape=(5, 7, 2))", "layers.BatchNormalization()")
    got, truth = figures(derived(tmp_path, code)), keras_truth(code)
    check_keras(got, truth)
    assert got["shape"] == truth["shape"] == (H, W, 2)


# -- PyTorch, alone ----------------------------------------------------------------------------------
TORCH = [
    f"nn.BatchNorm2d({C})", f"nn.BatchNorm2d({C}, affine=False)", f"nn.BatchNorm2d({C}, track_running_stats=False)",
    f"nn.BatchNorm2d({C}, bias=False)", f"nn.InstanceNorm2d({C})", f"nn.InstanceNorm2d({C}, affine=True)",
    f"nn.InstanceNorm2d({C}, affine=True, bias=False)", f"nn.InstanceNorm2d({C}, track_running_stats=True)",
    f"nn.InstanceNorm2d({C}, 1e-3, 0.1, True, True)", f"nn.LayerNorm({W})", f"nn.LayerNorm([{H}, {W}])",
    f"nn.LayerNorm(({C}, {H}, {W}), bias=False)", f"nn.LayerNorm([{C}, {H}, {W}], elementwise_affine=False)",
    f"nn.RMSNorm({W})", f"nn.RMSNorm([{C}, {H}, {W}])", f"nn.RMSNorm([{H}, {W}], elementwise_affine=False)",
    f"nn.GroupNorm(2, {C})", f"nn.GroupNorm({C}, {C}, affine=False)", "nn.PReLU()", f"nn.PReLU({C})",
    f"nn.PReLU(num_parameters={C}, init=0.1)", "nn.Hardtanh(-2.0, 2.0)", "nn.LogSigmoid()", "nn.LogSoftmax(dim=1)",
    "nn.Softmin(1)", "nn.Softmax2d()", "nn.Softsign()", "nn.Softshrink(0.3)", "nn.Hardshrink()", "nn.Tanhshrink()",
    "nn.Threshold(0.1, 20.0)", "nn.SELU()", "nn.CELU(0.5)", "nn.RReLU()", "nn.LocalResponseNorm(2)",
    f"nn.SyncBatchNorm({C})", f"nn.SyncBatchNorm({C}, affine=False, track_running_stats=False)",
]


@pytest.mark.parametrize("module", TORCH)
def test_a_torch_module_on_an_image(tmp_path, module):
    code = torch_code(module)
    got = figures(derived(tmp_path, code, H=H, W=W))
    truth = torch_truth(code, (3, H, W))
    check_torch(got, truth)
    assert got["shape"] == truth["shape"]


@pytest.mark.parametrize("module", ["nn.BatchNorm1d(6)", "nn.BatchNorm1d(6, affine=False)", "nn.PReLU(6)",
                                    "nn.PReLU()", "nn.LayerNorm(6)", "nn.RMSNorm(6)", "nn.SELU()"])
def test_a_torch_module_on_a_vector(tmp_path, module):
    code = torch_code("nn.Flatten()", f"nn.Linear({C * H * W}, 6)", module)
    got = figures(derived(tmp_path, code, H=H, W=W))
    truth = torch_truth(code, (3, H, W))
    check_torch(got, truth)
    assert got["shape"] == truth["shape"]


SEQUENCES_AND_VOLUMES = [  # module, the input (channels first), the sizes derive names them by
    ("nn.BatchNorm3d(5)", (5, 3, H, W), {"D": 3, "H": H, "W": W}),
    ("nn.BatchNorm3d(5, affine=False)", (5, 3, H, W), {"D": 3, "H": H, "W": W}),
    ("nn.InstanceNorm3d(5, affine=True, track_running_stats=True)", (5, 3, H, W), {"D": 3, "H": H, "W": W}),
    ("nn.InstanceNorm1d(5, affine=True)", (5, 6), {"L": 6}),
    ("nn.InstanceNorm1d(5, track_running_stats=True)", (5, 6), {"L": 6}),
    ("nn.BatchNorm1d(5)", (5, 6), {"L": 6}),
    ("nn.LayerNorm(6)", (5, 6), {"L": 6}),
    ("nn.RMSNorm([5, 6])", (5, 6), {"L": 6}),
    ("nn.PReLU(5)", (5, 6), {"L": 6}),
    ("nn.GroupNorm(5, 5)", (5, 3, H, W), {"D": 3, "H": H, "W": W}),
]


@pytest.mark.parametrize("module, input_shape, values", SEQUENCES_AND_VOLUMES)
def test_torch_norms_of_sequences_and_volumes(tmp_path, module, input_shape, values):
    """After a convolution of the same rank (`nn.Conv1d`, `nn.Conv3d`) stating the channels."""
    conv = f"nn.Conv{len(input_shape) - 1}d(2, 5, 1)"
    code = torch_code(conv, module, stem=False)
    got = figures(derived(tmp_path, code, **values))
    truth = torch_truth(code, (2, *input_shape[1:]))
    check_torch(got, truth)
    assert got["shape"] == truth["shape"]


# -- the same layer in both ----------------------------------------------------------------------------
PAIRS = [
    ("layers.BatchNormalization()", f"nn.BatchNorm2d({C})"),
    ("layers.BatchNormalization(axis=3, center=False, scale=False)", f"nn.BatchNorm2d({C}, affine=False)"),
    ("layers.LayerNormalization(axis=[1, 2, 3])", f"nn.LayerNorm([{C}, {H}, {W}])"),
    ("layers.LayerNormalization(axis=[1, 2, 3], center=False)", f"nn.LayerNorm([{C}, {H}, {W}], bias=False)"),
    ("layers.RMSNormalization(axis=[1, 2, 3])", f"nn.RMSNorm([{C}, {H}, {W}])"),
    ("layers.GroupNormalization(2)", f"nn.GroupNorm(2, {C})"),
    ("layers.GroupNormalization(-1)", f"nn.InstanceNorm2d({C}, affine=True)"),
    ("layers.PReLU(shared_axes=[1, 2])", f"nn.PReLU({C})"),
    ("layers.PReLU(shared_axes=[1, 2, 3])", "nn.PReLU()"),
    ('layers.Activation("selu")', "nn.SELU()"),
]


@pytest.mark.parametrize("keras_layer, torch_module", PAIRS)
def test_the_same_layer_in_both_frameworks(tmp_path, keras_layer, torch_module):
    k_code, t_code = keras_code("layers.Conv2D(4, 1)", keras_layer, shape=(H, W, 3)), torch_code(torch_module)
    k_truth, t_truth = keras_truth(k_code), torch_truth(t_code, (3, H, W))
    from_keras, from_torch = figures(derived(tmp_path, k_code)), figures(derived(tmp_path, t_code, H=H, W=W))
    for got in (from_keras, from_torch):
        check_keras(got, k_truth)
        check_torch(got, t_truth)
        assert got["shape"] == k_truth["shape"] == t_truth["shape"]
