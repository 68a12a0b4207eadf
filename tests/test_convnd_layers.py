"""Layers of any rank against the frameworks: 1-D and 3-D convolutions, pooling, transposed convolutions,
resizing and reshaping, on Keras inputs of any rank and PyTorch inputs of rank 1 to 3.

Each case is code a user could paste (helpers/codegen_convnd.py writes it), run for real in Keras or
PyTorch and read by derive: every convention's figures, each layer's output shape and the
multiply-accumulates must be what the framework gives. Nothing is worked out by hand.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import derive
from derive.errors import InputError
from helpers.codegen_convnd import (check_keras, check_torch, derived, keras_report, keras_source, run, torch_source,
                                   torch_values)
from helpers.frameworks import need_keras

pytestmark = pytest.mark.frameworks

# (input shape without the batch, the layers applied in order)
KERAS = {
    "conv1d": ((50, 6), ["layers.Conv1D(8, 3)", "layers.Conv1D(8, 5, strides=2, padding='same', use_bias=False)",
                         "layers.Conv1D(12, 3, dilation_rate=2, groups=4)", "layers.Conv1D(4, 2, padding='causal')"]),
    "conv1d_none": ((None, 6), ["layers.Conv1D(8, 3, padding='same')", "layers.GlobalMaxPooling1D()"]),
    "conv3d": ((8, 10, 12, 2), ["layers.Conv3D(4, 3)", "layers.Conv3D(8, (1, 3, 3), strides=(1, 2, 2), padding='same')",
                                "layers.Conv3D(8, 2, groups=2, use_bias=False, dilation_rate=(1, 2, 1))"]),
    "depthwise_separable_1d": ((40, 4), ["layers.DepthwiseConv1D(3, depth_multiplier=2)",
                                         "layers.SeparableConv1D(6, 5, strides=2, padding='same')",
                                         "layers.SeparableConv1D(6, 3, depth_multiplier=3, use_bias=False)"]),
    "pool1d": ((30, 5), ["layers.MaxPooling1D()", "layers.AveragePooling1D(3, strides=1, padding='same')",
                         "layers.MaxPool1D(2, padding='same')", "layers.GlobalAveragePooling1D(keepdims=True)"]),
    "pool3d": ((9, 10, 11, 3), ["layers.MaxPooling3D()", "layers.AveragePooling3D((1, 2, 2), padding='same')",
                                "layers.GlobalMaxPooling3D()"]),
    "global_pool3d_keepdims": ((4, 4, 4, 3), ["layers.GlobalAveragePooling3D(keepdims=True)", "layers.Flatten()",
                                              "layers.Dense(2)"]),
    "dense_on_sequence": ((7, 5), ["layers.Dense(9)", "layers.Dense(3, use_bias=False)", "layers.Flatten()",
                                   "layers.Dense(2)"]),
    "dense_on_image": ((6, 7, 3), ["layers.Dense(4)", "layers.Flatten()"]),
    "flatten_28x28": ((28, 28), ["layers.Flatten()", "layers.Dense(32)", "layers.Dense(10)"]),
    "volume_dense": ((3, 4, 5, 2), ["layers.Dense(6)", "layers.Flatten()", "layers.Dense(3)"]),
    "channels_first_conv": ((3, 16, 16), ["layers.Conv2D(8, 3, data_format='channels_first')",
                                          "layers.MaxPooling2D(data_format='channels_first')",
                                          "layers.Conv2D(4, 3, padding='same', data_format='channels_first')",
                                          "layers.Flatten()", "layers.Dense(5)"]),
    "channels_first_1d": ((6, 20), ["layers.Conv1D(8, 3, data_format='channels_first')",
                                    "layers.GlobalAveragePooling1D(data_format='channels_first')"]),
    "channels_first_3d": ((2, 6, 8, 8), ["layers.Conv3D(4, 3, data_format='channels_first')",
                                         "layers.AveragePooling3D(2, data_format='channels_first')",
                                         "layers.GlobalMaxPooling3D(data_format='channels_first')"]),
    "conv1d_transpose": ((10, 4), ["layers.Conv1DTranspose(8, 3)",
                                   "layers.Conv1DTranspose(6, 4, strides=2, padding='same')",
                                   "layers.Conv1DTranspose(4, 3, strides=3, output_padding=1)",
                                   "layers.Conv1DTranspose(4, 5, 2, 'same', output_padding=1, use_bias=False)",
                                   "layers.Conv1DTranspose(4, 3, dilation_rate=2)", "layers.Conv1DTranspose(4, 1, 3)"]),
    "conv2d_transpose": ((5, 6, 3), ["layers.Conv2DTranspose(8, 3, strides=2)",
                                     "layers.Conv2DTranspose(4, (2, 3), strides=(2, 1), padding='same')",
                                     "layers.Conv2DTranspose(4, 1, strides=3)",
                                     "layers.Convolution2DTranspose(2, 4, 2, padding='same', output_padding=(0, 1))"]),
    "conv3d_transpose": ((3, 4, 5, 2), ["layers.Conv3DTranspose(4, 3, strides=2, padding='same')",
                                        "layers.Conv3DTranspose(2, 2, (2, 1, 2), 'valid', None, (1, 0, 0))"]),
    "decoder": ((16,), ["layers.Dense(7 * 7 * 8)", "layers.Reshape((7, 7, 8))",
                        "layers.Conv2DTranspose(16, 3, strides=2, padding='same', activation='relu')",
                        "layers.Conv2DTranspose(1, 3, strides=2, padding='same')"]),
    "upsampling1d": ((6, 3), ["layers.UpSampling1D(3)", "layers.UpSampling1D()", "layers.Conv1D(2, 3)"]),
    "upsampling2d": ((4, 5, 3), ["layers.UpSampling2D()", "layers.UpSampling2D((2, 3), interpolation='bilinear')"]),
    "upsampling3d": ((2, 3, 4, 2), ["layers.UpSampling3D((1, 2, 2))", "layers.UpSampling3D()"]),
    "cropping1d": ((12, 3), ["layers.Cropping1D()", "layers.Cropping1D((2, 3))", "layers.Cropping1D(0)"]),
    "cropping2d": ((10, 12, 3), ["layers.Cropping2D(((1, 2), (3, 0)))", "layers.Cropping2D(2)",
                                 "layers.Cropping2D((1, 0))"]),
    "cropping3d": ((6, 7, 8, 2), ["layers.Cropping3D()", "layers.Cropping3D(((0, 1), (2, 2), (1, 0)))",
                                  "layers.Cropping3D((1, 0, 2))"]),
    "zero_padding1d": ((5, 3), ["layers.ZeroPadding1D()", "layers.ZeroPadding1D((2, 0))"]),
    "zero_padding3d": ((3, 4, 5, 2), ["layers.ZeroPadding3D()", "layers.ZeroPadding3D((1, 0, 2))",
                                      "layers.ZeroPadding3D(((1, 0), (0, 2), (1, 1)))"]),
    "reshape_permute_repeat": ((12,), ["layers.Reshape((3, 4))", "layers.Permute((2, 1))", "layers.Reshape((-1,))",
                                       "layers.RepeatVector(5)", "layers.Conv1D(4, 2)", "layers.Reshape((2, 2, -1))",
                                       "layers.Permute((3, 1, 2))", "layers.Flatten()"]),
    "spatial_dropout": ((8, 3), ["layers.SpatialDropout1D(0.2)", "layers.Conv1D(4, 3)"]),
    "channels_first_resize": ((3, 8, 10), ["layers.Conv2DTranspose(4, 3, strides=2, data_format='channels_first')",
                                           "layers.UpSampling2D(data_format='channels_first')",
                                           "layers.Cropping2D(((1, 0), (2, 3)), data_format='channels_first')",
                                           "layers.ZeroPadding2D((1, 2), data_format='channels_first')",
                                           "layers.SpatialDropout2D(0.1, data_format='channels_first')",
                                           "layers.GlobalAveragePooling2D(data_format='channels_first')"]),
    "resizing": ((5, 7, 3), ["layers.Resizing(8, 6)", "layers.CenterCrop(4, 5)",
                             "layers.Resizing(3, 3, interpolation='nearest', crop_to_aspect_ratio=True)",
                             "layers.CenterCrop(6, 6)", "layers.Conv2D(2, 3)"]),
    "channels_first_resizing": ((3, 9, 8), ["layers.CenterCrop(4, 5, data_format='channels_first')",
                                            "layers.Resizing(7, 2, data_format='channels_first')"]),
    "channels_first_3d_resize": ((2, 3, 4, 5), ["layers.ZeroPadding3D(1, data_format='channels_first')",
                                                "layers.Conv3DTranspose(3, 2, 2, data_format='channels_first')",
                                                "layers.UpSampling3D(data_format='channels_first')",
                                                "layers.Cropping3D(2, data_format='channels_first')"]),
}
KERAS_SEQUENTIAL = ["conv1d", "conv3d", "flatten_28x28", "dense_on_sequence", "pool3d"]

# (input shape, channels first, without the batch; the modules in order)
TORCH = {
    "conv1d": ((6, 50), ["nn.Conv1d(6, 8, 3)", "nn.Conv1d(8, 8, 5, stride=2, padding=2, bias=False)",
                         "nn.Conv1d(8, 12, 3, dilation=2, groups=4)", "nn.Conv1d(12, 4, 3, padding='same')"]),
    "conv3d": ((2, 8, 10, 12), ["nn.Conv3d(2, 4, 3)", "nn.Conv3d(4, 8, (1, 3, 3), stride=(1, 2, 2), padding=(0, 1, 1))",
                                "nn.Conv3d(8, 8, 2, groups=2, bias=False, dilation=(1, 2, 1))"]),
    "pool1d": ((5, 30), ["nn.MaxPool1d(2)", "nn.AvgPool1d(3, stride=1, padding=1)", "nn.MaxPool1d(3, 2, 1)",
                         "nn.AdaptiveAvgPool1d(4)", "nn.AdaptiveMaxPool1d(1)", "nn.Flatten()", "nn.Linear(5, 3)"]),
    "pool3d": ((3, 9, 10, 11), ["nn.MaxPool3d(2)", "nn.AvgPool3d((1, 2, 2), padding=(0, 1, 1))",
                                "nn.AdaptiveAvgPool3d((2, None, 1))", "nn.AdaptiveMaxPool3d(1)", "nn.Flatten()"]),
    "conv1d_head": ((4, 32), ["nn.Conv1d(4, 16, 7, padding=3)", "nn.ReLU()", "nn.MaxPool1d(4)",
                              "nn.Conv1d(16, 16, 3)", "nn.AdaptiveAvgPool1d(1)", "nn.Flatten()", "nn.Linear(16, 2)"]),
    "conv3d_head": ((1, 16, 16, 16), ["nn.Conv3d(1, 8, 3, padding=1)", "nn.ReLU()", "nn.MaxPool3d(2)",
                                      "nn.Conv3d(8, 16, 3, stride=2)", "nn.AdaptiveAvgPool3d(1)", "nn.Flatten()",
                                      "nn.Linear(16, 4)"]),
    "flatten_linear": ((8, 12), ["nn.Flatten()", "nn.Linear(96, 10)"]),
    "pads": ((3, 6, 7), ["nn.ReflectionPad2d(2)", "nn.ReplicationPad2d((1, 0, 2, 3))", "nn.ConstantPad2d(1, 0.5)",
                         "nn.CircularPad2d((1, 1, 0, 2))", "nn.Conv2d(3, 2, 3)"]),
    "pads_3d": ((2, 4, 5, 6), ["nn.Conv3d(2, 2, 1)", "nn.ReflectionPad3d(1)", "nn.ReplicationPad3d((0, 1, 2, 0, 1, 1))",
                               "nn.ConstantPad3d(2, 0.0)", "nn.CircularPad3d(1)"]),
    "pads_1d": ((2, 9), ["nn.Conv1d(2, 3, 1)", "nn.ReflectionPad1d((2, 1))", "nn.ReplicationPad1d(3)",
                         "nn.ConstantPad1d((0, 4), 1.0)", "nn.CircularPad1d(2)"]),
    "linear_on_last_axis": ((4, 32), ["nn.Conv1d(4, 8, 3)", "nn.AdaptiveAvgPool1d(10)", "nn.Linear(10, 5)", "nn.ReLU()",
                                      "nn.Conv1d(8, 2, 1)", "nn.Flatten()", "nn.Linear(10, 3)"]),
    "linear_on_last_axis_2d": ((3, 9, 9), ["nn.Conv2d(3, 4, 3)", "nn.AdaptiveMaxPool2d((5, 6))",
                                           "nn.Linear(6, 2, bias=False)", "nn.Conv2d(4, 1, 1)"]),
    "ceil_mode": ((3, 15, 16), ["nn.Conv2d(3, 4, 1)", "nn.MaxPool2d(3, 2, ceil_mode=True)",
                                "nn.AvgPool2d(2, ceil_mode=True)", "nn.MaxPool2d((2, 3), (2, 2), ceil_mode=True)"]),
    "ceil_mode_3d": ((2, 5, 6, 7), ["nn.Conv3d(2, 2, 1)", "nn.MaxPool3d(3, 2, ceil_mode=True)",
                                    "nn.AvgPool3d(2, ceil_mode=True)"]),
    "ceil_mode_1d": ((2, 11), ["nn.Conv1d(2, 2, 1)", "nn.MaxPool1d(2, ceil_mode=True)",
                               "nn.AvgPool1d(3, 2, ceil_mode=True)"]),
    "conv_transpose1d": ((4, 10), ["nn.ConvTranspose1d(4, 8, 3)", "nn.ConvTranspose1d(8, 6, 4, stride=2, padding=1)",
                                   "nn.ConvTranspose1d(6, 4, 3, stride=3, output_padding=2, groups=2)",
                                   "nn.ConvTranspose1d(4, 4, 3, dilation=2, output_padding=1)"]),
    "conv_transpose2d": ((3, 5, 6), ["nn.ConvTranspose2d(3, 8, 3, stride=2, padding=1, output_padding=1)",
                                     "nn.ConvTranspose2d(8, 4, (2, 3), stride=(2, 1), bias=False)",
                                     "nn.ConvTranspose2d(4, 4, 4, 2, 1, groups=4)"]),
    "conv_transpose3d": ((2, 3, 4, 5), ["nn.ConvTranspose3d(2, 4, 3, stride=2, padding=1, output_padding=1)",
                                        "nn.ConvTranspose3d(4, 2, (1, 2, 2), stride=(1, 2, 2))"]),
    "upsample2d": ((3, 5, 6), ["nn.Upsample(scale_factor=2)", "nn.Upsample(scale_factor=1.5, mode='bilinear')",
                               "nn.Upsample(size=(7, 9))", "nn.UpsamplingNearest2d(scale_factor=2)",
                               "nn.UpsamplingBilinear2d(size=(5, 5))", "nn.Conv2d(3, 4, 3)"]),
    "upsample1d": ((3, 7), ["nn.Upsample(scale_factor=3)", "nn.Conv1d(3, 2, 3)",
                            "nn.Upsample(size=40, mode='linear')"]),
    "upsample3d": ((2, 3, 4, 5), ["nn.Conv3d(2, 2, 1)", "nn.Upsample(scale_factor=(1, 2, 2), mode='trilinear')"]),
    "pixel_shuffle": ((8, 4, 6), ["nn.Conv2d(8, 16, 3, padding=1)", "nn.PixelShuffle(2)", "nn.PixelUnshuffle(2)",
                                  "nn.Conv2d(16, 4, 1)"]),
    "zero_pad1d": ((3, 10), ["nn.Conv1d(3, 4, 1)", "nn.ZeroPad1d(2)", "nn.ZeroPad1d((1, 3))", "nn.Dropout1d(0.1)"]),
    "zero_pad3d": ((2, 3, 4, 5), ["nn.Conv3d(2, 2, 1)", "nn.ZeroPad3d(1)", "nn.ZeroPad3d((1, 2, 0, 1, 3, 0))",
                                  "nn.Dropout3d()"]),
    "unflatten": ((10,), ["nn.Linear(10, 48)", "nn.Unflatten(1, (3, 4, 4))", "nn.ConvTranspose2d(3, 2, 2, stride=2)",
                          "nn.Flatten()", "nn.Unflatten(1, (2, -1))", "nn.Conv1d(2, 2, 3)"]),
}


@pytest.mark.parametrize("name", list(KERAS))
def test_keras_layers_of_any_rank(tmp_path, name):
    shape, calls = KERAS[name]
    if None in shape:  # open sizes: the counts as they are, the shapes and MACs at sizes put in
        sized = tuple(20 if v is None else v for v in shape)
        check_keras(tmp_path, keras_source(shape, calls), keras_source(sized, calls), {"T": 20, "H": 20, "W": 20})
    else:
        check_keras(tmp_path, keras_source(shape, calls))


@pytest.mark.parametrize("name", KERAS_SEQUENTIAL)
@pytest.mark.parametrize("form", ["sequential", "sequential_input"])
def test_keras_sequential_inputs_of_any_rank(tmp_path, name, form):
    shape, calls = KERAS[name]
    check_keras(tmp_path, keras_source(shape, calls, form))


@pytest.mark.parametrize("name", list(TORCH))
def test_torch_modules_of_any_rank(tmp_path, name):
    shape, calls = TORCH[name]
    check_torch(tmp_path, torch_source(calls), shape, torch_values(shape))


def shown(tmp_path, source: str, **values):
    path = tmp_path / "pasted.py"
    path.write_text(source, encoding="utf-8")
    return derive.show(str(path), **values)


def test_keras_inputs_name_their_sizes_by_rank(tmp_path):
    """(T, C_in) a sequence, (H, W, C_in) an image, (D, H, W, C_in) a volume: numbers are the defaults."""
    for shape, names in [((50, 6), ["C_in", "T"]), ((None, 6), ["C_in", "T"]), ((4, 5, 6, 2), ["C_in", "D", "H", "W"])]:
        rank = len(shape) - 1
        call = {1: "layers.Conv1D(8, 3)", 3: "layers.Conv3D(8, 3)"}[rank]
        d = shown(tmp_path, keras_source(shape, [call]))
        assert list(d.symbols.names) == names
        assert {k: v for k, v in d.values.items() if k in names} == {
            n: v for n, v in zip([*names[1:], "C_in"], shape) if v is not None}


def test_torch_inputs_name_their_sizes_by_rank(tmp_path):
    for call, names in [("nn.Conv1d(3, 8, 3)", ["L"]), ("nn.Conv3d(3, 8, 3)", ["D", "H", "W"]),
                        ("nn.MaxPool1d(2), nn.Conv1d(3, 8, 3)", ["L"])]:
        d = shown(tmp_path, torch_source([call]))
        assert list(d.symbols.names) == names
        assert d.layers[0].layer.op in ("conv1d", "conv3d", "pool1d")


@pytest.mark.parametrize("source, message", [
    (keras_source((10, 3), ["layers.Conv2D(4, 3)"]),
     "conv2d needs an image input (height, width, channels), got a sequence"),
    (keras_source((10, 10, 3), ["layers.Conv1D(4, 3)"]),
     "conv1d needs a sequence input (steps, channels), got an image"),
    (keras_source((4, 3), ["layers.Conv1D(4, 5)"]), "too small for this layer"),
    (keras_source((10, 3), ["layers.Conv1D(4, (3, 3))"]), "kernel_size must be one number or 1, got 2"),
    (keras_source((6, 6, 6, 3), ["layers.Conv3D(4, (3, 3))"]), "kernel_size must be one number or 3, got 2"),
    (keras_source((10, 3), ["layers.Conv1D(4, 3, padding='full')"]),
     "padding must be one of 'valid', 'same', 'causal'"),
    (keras_source((10, 10, 3), ["layers.Conv2D(4, 3, padding='causal')"]), "padding must be one of 'valid', 'same'"),
    (keras_source((10, 3), ["layers.Conv1D(4, 3, data_format='nchw')"]), "data_format must be one of"),
    (keras_source((), ["layers.Dense(3)"]), "shape=...) must be a tuple of sizes"),
    (torch_source(["nn.Conv3d(3, 8, (3, 3))"]), "kernel_size must be one number or 3, got 2"),
    (keras_source((3, 8, 8), ["layers.Conv2D(4, 3)"]).replace(
        "\n\n", "\n\nkeras.config.set_image_data_format('channels_first')\n", 1),
     "set_image_data_format('channels_first') is not followed: write data_format='channels_first' on each layer"),
    (torch_source(["nn.AdaptiveAvgPool3d((1, 1))"]), "output_size must be one size or 3"),
    (torch_source(["nn.Conv1d(3, 4, 1)", "nn.AdaptiveAvgPool1d(3)", "nn.ReflectionPad1d(3)"]),
     "reflect padding of 3 on a side of 3"),
    (torch_source(["nn.Conv2d(3, 4, 1)", "nn.MaxPool2d(3, 2, 1, ceil_mode=True)"]),
     "ceil_mode=True needs sizes with a value here"),
])
def test_mistakes_of_rank_are_refused_at_their_place(tmp_path, source, message):
    with pytest.raises(InputError) as caught:
        shown(tmp_path, source)
    assert message in str(caught.value)
    assert str(caught.value).startswith(str(tmp_path / "pasted.py") + ":")


def test_the_readmes_sequence_example_is_what_keras_counts(tmp_path):
    """examples/sensor_conv1d.py, shown in the README, against Keras running it."""
    source = (Path(__file__).resolve().parents[1] / "examples" / "sensor_conv1d.py").read_text(encoding="utf-8")
    check_keras(tmp_path, source)


def test_keras_default_layout_set_to_channels_last_is_followed(tmp_path):
    source = keras_source((12, 3), ["layers.Conv1D(4, 3)"]).replace(
        "\n\n", "\n\nkeras.config.set_image_data_format('channels_last')\n", 1)
    check_keras(tmp_path, source)


ENTRY = """from keras import layers


def tcn_block(x, filters=32):
    y = layers.Conv1D(filters, 3, padding="causal", dilation_rate=2)(x)
    y = layers.Conv1D(filters, 3, padding="causal", dilation_rate=4)(y)
    s = layers.Conv1D(filters, 1)(x)
    return layers.add([y, s])
"""


def test_a_keras_function_of_a_sequence_takes_a_sequence(tmp_path):
    """A block function whose first layer is a Conv1D is called on an open sequence (T, C_in)."""
    need_keras()
    got = derived(tmp_path, ENTRY, {"C_in": 8, "T": 100})
    ran = ENTRY + "\nimport keras\ninputs = keras.Input(shape=(100, 8))\n" \
                  "model = keras.Model(inputs, tcn_block(inputs))\n"
    want = keras_report(run(ran))
    assert (got["keras"]["all"], got["keras"]["trainable"], got["keras"]["non_trainable"]) == want["keras"]
    assert got["shapes"] == want["shapes"] and got["macs"] == want["macs"]


def test_a_keras_sequential_without_an_input_takes_its_first_layers_rank(tmp_path):
    source = keras_source((5, 6, 7, 2), ["layers.Conv3D(4, 3)", "layers.GlobalMaxPooling3D()", "layers.Dense(3)"],
                          "sequential_input")
    open_source = source.replace("    keras.Input(shape=(5, 6, 7, 2)),\n", "")
    assert open_source != source
    sized = keras_report(run(source))
    got = derived(tmp_path, open_source, {"C_in": 2, "D": 5, "H": 6, "W": 7})
    assert (got["keras"]["all"], got["keras"]["trainable"], got["keras"]["non_trainable"]) == sized["keras"]
    assert got["shapes"] == sized["shapes"] and got["macs"] == sized["macs"]


def test_keras_aliases_are_named_as_keras_names_them(tmp_path):
    """`MaxPool1D` is Keras' `MaxPooling1D` (named `max_pooling1d`), `Convolution1D` its `Conv1D`, ..."""
    calls = ["layers.Convolution1D(4, 3)", "layers.MaxPool1D()", "layers.AvgPool1D(2)", "layers.Conv1D(4, 1)",
             "layers.SeparableConvolution1D(4, 1)", "layers.Convolution1DTranspose(2, 2)", "layers.GlobalAvgPool1D()"]
    source = keras_source((20, 3), calls)
    need_keras().backend.clear_session()  # Keras numbers its names per session
    model = run(source)
    path = tmp_path / "aliases.py"
    path.write_text(source, encoding="utf-8")
    names = [row.name for row in derive.show(str(path)).layers]
    assert names == [layer.name for layer in model.layers[1:]]


def test_keras_batch_shape_and_shape_of_a_sequence(tmp_path):
    """`Input(batch_shape=(None, T, F))` and `x.shape[-1]` of a sequence, as Keras reads them."""
    source = ("import keras\nfrom keras import layers\n\ninputs = keras.Input(batch_shape=(None, 20, 3))\n"
              "x = layers.Conv1D(4, 3)(inputs)\nx = layers.Conv1D(4, 3)(x)\nx = layers.Dense(x.shape[-1] * 2)(x)\n"
              "model = keras.Model(inputs, x)\n")
    check_keras(tmp_path, source)
