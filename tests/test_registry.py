"""The layer registry: every kind a reader accepts is declared once, in its family module, and each
kind's spellings build the same layer whichever reader reads them.

What is shown: the spec's ops, the Keras layer names and the PyTorch module names the readers accept
are exactly the registry's (a name the registry does not declare is refused, each declared one is
read); no reader module keeps a table of kinds; every kind has an explanation topic whose template
exists, or none, and a presentation family; and for every kind, the spec, Keras and PyTorch
spellings written out below give the same op, terms and output shape.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import derive
from derive.api import load
from derive.errors import InputError
from derive.layers import KINDS, Layer, ops_of, spellings
from derive.layers.base import FAMILIES
from helpers.frameworks import need_keras, need_torch

ROOT = Path(__file__).resolve().parents[1]
READERS = ROOT / "derive" / "readers"


def show(tmp_path: Path, text: str, suffix: str, **values):
    """The derivation of a one-layer block, with those of `values` the block has as symbols bound."""
    path = tmp_path / f"block{suffix}"
    path.write_text(text, encoding="utf-8")
    names = load(str(path)).symbols.names
    return derive.show(str(path), **{name: value for name, value in values.items() if name in names})


def refusal(tmp_path: Path, text: str, suffix: str) -> str:
    with pytest.raises(InputError) as caught:
        show(tmp_path, text, suffix)
    return str(caught.value)


def spec_text(op: str, keys: str = "", inputs: str = "", rank: int = 2) -> str:
    block = "" if rank == 2 else f"[block]\ninput = {list(RANK_INPUTS[rank])}\n".replace("'", '"')
    return f'{block}[[layers]]\nname = "x"\nop = "{op}"\n{keys}\n{inputs}\n'


def keras_text(call: str, merge: bool = False, rank: int = 2) -> str:
    applied = f"{call}([x, x])" if merge else f"{call}(x, x)" if "Attention(" in call else f"{call}(x)"
    if rank != 2:  # a script from keras.Input, of that many spatial axes, every size open
        return f"import keras\nfrom keras import layers\n\nx = keras.Input(shape={(None,) * (rank + 1)})\n" \
               f"y = {applied}\n"
    return f"from keras import layers\n\n\ndef block(x):\n    return {applied}\n"


def torch_text(call: str) -> str:
    return f"import torch.nn as nn\n\nmodel = nn.Sequential({call})\n"


# -- what the readers accept is what the registry declares ----------------------------------------
def test_the_spec_reader_accepts_exactly_the_registry_ops(tmp_path):
    message = refusal(tmp_path, spec_text("no_such_layer_kind"), ".toml")
    listed = message.partition("(one of ")[2].rstrip(")").split(", ")
    assert listed == list(spellings("spec"))
    assert len(listed) == 83 and "conv2d" in listed and "global_avg_pool2d" in listed and "conv3d" in listed
    assert "multi_head_attention" in listed and "transformer" in listed


@pytest.mark.parametrize("name", ["ConvLSTM3D", "RNN", "ConvLSTM1D", "CategoryEncoding", "Discretization"])
def test_keras_names_the_registry_lacks_are_refused(tmp_path, name):
    assert name not in spellings("keras")
    message = refusal(tmp_path, keras_text(f"layers.{name}(3)"), ".py")
    assert message.endswith(f"unsupported layer {name} (see the README for the layers derive reads)")


@pytest.mark.parametrize("name", ["LazyLinear", "RNNCellBase", "Fold", "LazyConv2d", "LazyBatchNorm2d"])
def test_torch_names_the_registry_lacks_are_refused(tmp_path, name):
    assert name not in spellings("torch")
    message = refusal(tmp_path, torch_text(f"nn.{name}(3)"), ".py")
    assert message.endswith(f"unsupported module nn.{name} (see the README for the modules derive reads)")


def outcome(tmp_path: Path, text: str) -> str:
    try:
        show(tmp_path, text, ".py")
    except InputError as error:
        return str(error)
    return "read"


@pytest.mark.frameworks
def test_of_every_keras_layer_class_derive_reads_exactly_the_registrys(tmp_path):
    keras = need_keras()
    names = [n for n in dir(keras.layers) if n[:1].isupper() and n not in ("Input", "InputLayer")]
    assert len(names) > 100
    for name in names:
        refused = "unsupported layer" in outcome(tmp_path, keras_text(f"layers.{name}()"))
        assert refused == (name not in spellings("keras")), name
    assert set(spellings("keras")) <= set(names)


@pytest.mark.frameworks
def test_of_every_torch_module_class_derive_reads_exactly_the_registrys(tmp_path):
    nn = need_torch().nn
    names = [n for n in dir(nn) if isinstance(getattr(nn, n), type) and issubclass(getattr(nn, n), nn.Module)
             and n not in ("Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict")]
    assert len(names) > 100
    for name in names:
        refused = "unsupported module" in outcome(tmp_path, torch_text(f"nn.{name}()"))
        assert refused == (name not in spellings("torch")), name
    assert set(spellings("torch")) <= set(names)


def test_no_reader_module_keeps_a_table_of_kinds():
    """No literal collection in derive/readers/ names two or more of the registry's spellings."""
    names = {name for reader in ("spec", "keras", "torch") for name in spellings(reader)}
    for path in READERS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Dict, ast.Set, ast.Tuple, ast.List)):
                items = node.keys if isinstance(node, ast.Dict) else node.elts
                found = {i.value for i in items if isinstance(i, ast.Constant) and i.value in names}
                assert len(found) < 2, f"{path.relative_to(ROOT)}:{node.lineno} lists kinds {sorted(found)}"


def test_every_kind_has_a_family_and_an_explanation_topic_that_exists_or_none():
    seen = set()
    for entry in KINDS:
        cls = entry.cls
        assert issubclass(cls, Layer) and cls.op not in seen
        seen.add(cls.op)
        assert cls.family in FAMILIES, cls
        assert cls.explain is None or (ROOT / "templates" / "explain" / f"{cls.explain}.md.j2").is_file(), cls
    assert seen >= {s.kind.op for reader in ("spec", "keras", "torch") for s in spellings(reader).values()}


def test_the_families_are_the_presentations_groups():
    """What derive/rendering.py groups its explanations by (CONVOLUTIONS, NORMS, PARAMETER_FREE)."""
    assert ops_of("convolution") == ("conv2d", "depthwise_conv2d", "separable_conv2d", "conv1d", "conv3d",
                                     "depthwise_conv1d", "separable_conv1d", "conv1d_transpose", "conv2d_transpose",
                                     "conv3d_transpose", "dense")
    assert ops_of("norm") == ("batch_norm", "instance_norm", "layer_norm", "rms_norm", "group_norm", "normalization")
    assert set(ops_of("parameter_free")) == {"pool2d", "global_pool2d", "dropout", "flatten", "concatenate", "pool1d",
                                             "pool3d", "global_pool1d", "global_pool3d", "rescaling", "lambda",
                                             "reshape", "permute", "repeat_vector", "upsampling", "pixel_shuffle",
                                             "fixed_norm", "resizing", "channel_split", "channel_shuffle"}


# -- each kind's spellings build the same layer -------------------------------------------------------
# kind op -> (spec op and keys, inputs?), Keras calls, PyTorch calls: one layer, however it is spelled.
MERGE = 'inputs = ["input", "input"]'
SAME = {
    "conv2d": ([("conv2d", 'filters = 8\nkernel = 3\nstride = 2\npadding = "valid"\nbias = false')],
               ["layers.Conv2D(8, 3, strides=2, use_bias=False)"],
               ['nn.Conv2d(C_in, 8, 3, stride=2, padding="valid", bias=False)']),
    "depthwise_conv2d": ([("depthwise_conv2d", 'kernel = 3\nmultiplier = 2\npadding = "valid"')],
                         ["layers.DepthwiseConv2D(3, depth_multiplier=2)"], []),
    "separable_conv2d": ([("separable_conv2d", 'filters = 8\nkernel = [3, 5]\npadding = "same"')],
                         ['layers.SeparableConv2D(8, (3, 5), padding="same")'], []),
    "dense": ([("dense", "units = 10")], ["layers.Dense(10)"], ["nn.Linear(C_in, 10)"]),
    "batch_norm": ([("batch_norm", "")], ["layers.BatchNormalization()"],
                   ["nn.BatchNorm2d(C_in)", "nn.BatchNorm1d(C_in)", "nn.BatchNorm3d(C_in)"]),
    "instance_norm": ([("instance_norm", "center = true\nscale = true\nstats = true")], [],
                      [f"nn.InstanceNorm{n}d(C_in, affine=True, track_running_stats=True)" for n in (1, 2, 3)]),
    "rms_norm": ([("rms_norm", "")], ["layers.RMSNormalization()"], ["nn.RMSNorm(C_in)"]),
    "normalization": ([("normalization", "")], ["layers.Normalization()"], []),
    "fixed_norm": ([("fixed_norm", 'function = "unit"')], ["layers.UnitNormalization()"], []),
    "prelu": ([("prelu", "shared_axes = [1, 2]")], ["layers.PReLU(shared_axes=[1, 2])"], []),
    "rescaling": ([("rescaling", "scale = 0.5")], ["layers.Rescaling(0.5)"], []),
    "lambda": ([("lambda", "")], ["layers.Lambda(lambda x: x)"], []),
    **{op: ([(op, "")], [f"layers.{op.capitalize()}()", f"layers.{op}"], [])
       for op in ("multiply", "subtract", "average", "maximum", "minimum")},
    "layer_norm": ([("layer_norm", "center = false")], ["layers.LayerNormalization(center=False)"],
                   ["nn.LayerNorm(C_in, bias=False)"]),
    "group_norm": ([("group_norm", "groups = 4")], ["layers.GroupNormalization(4)"], ["nn.GroupNorm(4, C_in)"]),
    "activation": ([("activation", 'function = "relu"')], ['layers.Activation("relu")', "layers.ReLU()"],
                   ["nn.ReLU()"]),
    "add": ([("add", "")], ["layers.Add()", "layers.add"], []),
    "concatenate": ([("concatenate", "")], ["layers.Concatenate()", "layers.concatenate"], []),
    "pool2d": ([("max_pool2d", "pool = 3\nstride = 2")],
               ["layers.MaxPooling2D(3, strides=2)", "layers.MaxPool2D(3, 2)"], ["nn.MaxPool2d(3, 2)"]),
    "global_pool2d": ([("global_avg_pool2d", "")], ["layers.GlobalAveragePooling2D()", "layers.GlobalAvgPool2D()"],
                      []),
    "adaptive_pool2d": ([("adaptive_avg_pool2d", "size = 1")], ["layers.GlobalAveragePooling2D(keepdims=True)"],
                        ["nn.AdaptiveAvgPool2d(1)", "nn.AdaptiveAvgPool2d((1, 1))"]),
    "zero_padding2d": ([("zero_padding2d", "padding = [1, 2]")], ["layers.ZeroPadding2D((1, 2))"],
                       ["nn.ZeroPad2d((2, 2, 1, 1))"]),
    "dropout": ([("dropout", "rate = 0.5")], ["layers.Dropout(0.5)", "layers.SpatialDropout2D(0.5)"],
                ["nn.Dropout()", "nn.Dropout2d(p=0.5)"]),
    "flatten": ([("flatten", "")], ["layers.Flatten()"], ["nn.Flatten()"]),
    # inputs of other ranks (RANK below): a sequence (L, C_in), a volume (D, H, W, C_in)
    "conv1d": ([("conv1d", 'filters = 8\nkernel = 3\nstride = 2\npadding = "valid"\nbias = false')],
               ["layers.Conv1D(8, 3, strides=2, use_bias=False)",
                "layers.Conv1D(8, (3,), 2, 'valid', use_bias=False)"],
               ['nn.Conv1d(C_in, 8, 3, stride=2, padding="valid", bias=False)',
                "nn.Conv1d(C_in, 8, (3,), 2, bias=False)"]),
    "conv3d": ([("conv3d", 'filters = 8\nkernel = [1, 3, 3]\ngroups = 2\npadding = "same"')],
               ['layers.Conv3D(8, (1, 3, 3), padding="same", groups=2)'],
               ['nn.Conv3d(C_in, 8, (1, 3, 3), padding="same", groups=2)',
                "nn.Conv3d(C_in, 8, (1, 3, 3), 1, (0, 1, 1), 1, 2)"]),
    "depthwise_conv1d": ([("depthwise_conv1d", 'kernel = 5\nmultiplier = 2\npadding = "valid"')],
                         ["layers.DepthwiseConv1D(5, depth_multiplier=2)"], []),
    "separable_conv1d": ([("separable_conv1d", 'filters = 8\nkernel = 3\npadding = "same"\nstride = 2')],
                         ['layers.SeparableConv1D(8, 3, 2, padding="same")'], []),
    "pool1d": ([("max_pool1d", "pool = 3\nstride = 2")],
               ["layers.MaxPooling1D(3, strides=2)", "layers.MaxPool1D(3, 2)"], ["nn.MaxPool1d(3, 2)"]),
    "pool3d": ([("avg_pool3d", "pool = [1, 2, 2]")],
               ["layers.AveragePooling3D((1, 2, 2))", "layers.AvgPool3D(pool_size=(1, 2, 2))"],
               ["nn.AvgPool3d((1, 2, 2))"]),
    "global_pool1d": ([("global_avg_pool1d", "")], ["layers.GlobalAveragePooling1D()", "layers.GlobalAvgPool1D()"],
                      []),
    "global_pool3d": ([("global_max_pool3d", "")], ["layers.GlobalMaxPooling3D()", "layers.GlobalMaxPool3D()"],
                      []),
    "adaptive_pool1d": ([("adaptive_avg_pool1d", "size = 1")], ["layers.GlobalAveragePooling1D(keepdims=True)"],
                        ["nn.AdaptiveAvgPool1d(1)"]),
    "adaptive_pool3d": ([("adaptive_max_pool3d", "size = [1, 2, 2]")], [], ["nn.AdaptiveMaxPool3d((1, 2, 2))"]),
    "conv1d_transpose": ([("conv1d_transpose", 'filters = 8\nkernel = 4\nstride = 2\npadding = 1')],
                         [],
                         ["nn.ConvTranspose1d(C_in, 8, 4, stride=2, padding=1)",
                          "nn.ConvTranspose1d(C_in, 8, 4, 2, 1)"]),
    "conv2d_transpose": ([("conv2d_transpose", 'filters = 8\nkernel = 3\nstride = 2\npadding = "same"\nbias = false')],
                         ['layers.Conv2DTranspose(8, 3, strides=2, padding="same", use_bias=False)',
                          'layers.Convolution2DTranspose(8, (3, 3), (2, 2), "same", use_bias=False)'], []),
    "conv3d_transpose": ([("conv3d_transpose", 'filters = 4\nkernel = 2\nstride = 2\npadding = "valid"')],
                         ["layers.Conv3DTranspose(4, 2, 2)", "layers.Convolution3DTranspose(4, 2, strides=(2, 2, 2))"],
                         []),
    "upsampling": ([("upsampling2d", "scale = [2, 3]")],
                   ["layers.UpSampling2D((2, 3))", "layers.UpSampling2D(size=(2, 3), interpolation='bilinear')"], []),
    "pixel_shuffle": ([("pixel_shuffle", "factor = 2")], [], ["nn.PixelShuffle(2)"]),
    "channel_split": ([("channel_split", "chunks = 2\nchunk = 2")], [], []),
    "channel_shuffle": ([("channel_shuffle", "groups = 2")], [], ["nn.ChannelShuffle(2)"]),
    "zero_padding1d": ([("zero_padding1d", "padding = 2")], ["layers.ZeroPadding1D(2)", "layers.ZeroPadding1D((2, 2))"],
                       ["nn.ZeroPad1d(2)", "nn.ZeroPad1d((2, 2))"]),
    "zero_padding3d": ([("zero_padding3d", "padding = [1, 2, 3]")],
                       ["layers.ZeroPadding3D((1, 2, 3))", "layers.ZeroPadding3D(((1, 1), (2, 2), (3, 3)))"],
                       ["nn.ZeroPad3d((3, 3, 2, 2, 1, 1))"]),
    "cropping1d": ([("cropping1d", "cropping = 2")], ["layers.Cropping1D(2)", "layers.Cropping1D((2, 2))"], []),
    "cropping2d": ([("cropping2d", "cropping = [1, 2]")],
                   ["layers.Cropping2D((1, 2))", "layers.Cropping2D(((1, 1), (2, 2)))"], []),
    "cropping3d": ([("cropping3d", "cropping = 1")], ["layers.Cropping3D()", "layers.Cropping3D(1)"], []),
    "reshape": ([("reshape", "shape = [2, 2, 4]")], ["layers.Reshape((2, 2, 4))"], ["nn.Unflatten(1, (4, 2, 2))"]),
    "permute": ([("permute", "dims = [2, 1, 3]")], ["layers.Permute((2, 1, 3))"], []),
    "repeat_vector": ([("repeat_vector", "n = 5")], ["layers.RepeatVector(5)"], []),
    "pad": ([("pad", 'padding = [1, 2]\nmode = "reflect"')], [], ["nn.ReflectionPad2d((2, 2, 1, 1))"]),
    "resizing": ([("resizing", "height = 8\nwidth = 6")], ["layers.Resizing(8, 6)",
                                                          "layers.Resizing(8, 6, interpolation='nearest')"], []),
    "multi_head_attention": ([("multi_head_attention", "heads = 4\nkey_dim = 8\nvalue_dim = 6\noutput_dim = 10")],
                             ["layers.MultiHeadAttention(4, 8, 6, output_shape=10)"], []),
    "transformer_encoder_layer": ([("transformer_encoder_layer", "d_model = 16\nheads = 4\nd_ff = 32")], [],
                                  ["nn.TransformerEncoderLayer(16, 4, 32)"]),
    "transformer_decoder_layer": ([("transformer_decoder_layer", "d_model = 16\nheads = 4\nd_ff = 32\nbias = false")],
                                  [], ["nn.TransformerDecoderLayer(16, 4, 32, bias=False)"]),
    "transformer_encoder": ([("transformer_encoder", "d_model = 16\nheads = 2\nd_ff = 8\nlayers = 3\nnorm = true")],
                            [], ["nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 2, 8), 3, nn.LayerNorm(16))"]),
    "transformer_decoder": ([("transformer_decoder", "d_model = 16\nheads = 2\nd_ff = 8\nlayers = 2")],
                            [], ["nn.TransformerDecoder(nn.TransformerDecoderLayer(16, 2, 8), 2)"]),
    "transformer": ([("transformer", "d_model = 16\nheads = 2\nencoder_layers = 1\nd_ff = 8")], [],
                    ["nn.Transformer(16, 2, 1, dim_feedforward=8)"]),
}
RANK_INPUTS = {0: ("C_in",), 1: ("L", "C_in"), 3: ("D", "H", "W", "C_in")}
RANK = {op: rank for rank, ops in ((1, ("conv1d", "depthwise_conv1d", "separable_conv1d", "pool1d", "global_pool1d",
                                        "adaptive_pool1d", "multi_head_attention", "transformer_encoder_layer",
                                        "transformer_decoder_layer", "transformer_encoder", "transformer_decoder",
                                        "transformer", "conv1d_transpose", "zero_padding1d", "cropping1d")),
                                   (3, ("conv3d", "pool3d", "global_pool3d", "adaptive_pool3d", "conv3d_transpose",
                                        "zero_padding3d", "cropping3d")),
                                   (0, ("repeat_vector", "reshape"))) for op in ops}
OTHER_SPELLINGS = {  # the same kind, spelled differently: (spec, keras, torch) each with a spec twin
    ("max_pool2d", "pool = 2"): (["layers.MaxPooling2D()"], ["nn.MaxPool2d(2)"]),
    ("avg_pool2d", "pool = 2"): (["layers.AveragePooling2D(2)", "layers.AvgPool2D(pool_size=2)"], ["nn.AvgPool2d(2)"]),
    ("global_max_pool2d", ""): (["layers.GlobalMaxPooling2D()", "layers.GlobalMaxPool2D()"], []),
    ("adaptive_max_pool2d", "size = [1, 2]"): ([], ["nn.AdaptiveMaxPool2d((1, 2))"]),
    ("activation", 'function = "relu6"'): (["layers.ReLU(max_value=6)"], ["nn.ReLU6()"]),
    ("activation", 'function = "leaky_relu"'): (["layers.LeakyReLU()"], ["nn.LeakyReLU(0.1)"]),
    ("activation", 'function = "elu"'): (["layers.ELU()"], ["nn.ELU()"]),
    ("activation", 'function = "softmax"'): (["layers.Softmax()"], ["nn.Softmax(dim=-1)", "nn.Softmax2d()"]),
    ("activation", 'function = "identity"'): (["layers.Identity()"], ["nn.Identity(54, 'anything')"]),
    ("activation", 'function = "silu"'): (['layers.Activation("silu")'], ["nn.SiLU()"]),
    ("activation", 'function = "gelu"'): (['layers.Activation("gelu")'], ["nn.GELU()"]),
    ("activation", 'function = "sigmoid"'): (['layers.Activation("sigmoid")'], ["nn.Sigmoid()"]),
    ("activation", 'function = "tanh"'): (['layers.Activation("tanh")'], ["nn.Tanh()"]),
    ("activation", 'function = "hard_swish"'): (['layers.Activation("hard_swish")'], ["nn.Hardswish()"]),
    ("activation", 'function = "hard_sigmoid"'): (['layers.Activation("hard_sigmoid")'], ["nn.Hardsigmoid()"]),
    ("activation", 'function = "mish"'): (['layers.Activation("mish")'], ["nn.Mish()"]),
    ("activation", 'function = "softplus"'): (['layers.Activation("softplus")'], ["nn.Softplus()"]),
    **{("activation", f'function = "{function}"'): ([f'layers.Activation("{function}")'], [f"nn.{name}()"])
       for function, name in (("hard_tanh", "Hardtanh"), ("log_sigmoid", "LogSigmoid"), ("log_softmax", "LogSoftmax"),
                              ("softsign", "Softsign"), ("soft_shrink", "Softshrink"), ("hard_shrink", "Hardshrink"),
                              ("tanh_shrink", "Tanhshrink"), ("selu", "SELU"), ("celu", "CELU"))},
    ("activation", 'function = "threshold"'): (['layers.Activation("threshold")'], ["nn.Threshold(0.1, 20)"]),
    ("activation", 'function = "softmin"'): ([], ["nn.Softmin(1)"]),
    ("activation", 'function = "rrelu"'): ([], ["nn.RReLU()"]),
    ("prelu", 'parameters = "C_in"'): ([], ["nn.PReLU(C_in)"]),
    ("fixed_norm", 'function = "local_response"'): ([], ["nn.LocalResponseNorm(3)"]),
    ("batch_norm", "axis = 1"): (["layers.BatchNormalization(axis=1)"], []),
    ("batch_norm", "axis = -3\ncenter = false"): (["layers.BatchNormalization(-3, center=False)"], []),
    ("layer_norm", "axis = [1, 2, 3]"): (["layers.LayerNormalization(axis=[1, 2, 3])"], []),
    ("rms_norm", "axis = [1, 2]"): (["layers.RMSNormalization(axis=(1, 2))"], []),
    ("group_norm", "groups = -1"): (["layers.GroupNormalization(-1)"], []),
    ("group_norm", "groups = 2\naxis = 2"): (["layers.GroupNormalization(2, axis=2)"], []),
    ("normalization", "axis = 2"): (["layers.Normalization(axis=2)"], []),
    ("batch_norm", "center = false\nscale = false"): ([], ["nn.SyncBatchNorm(C_in, affine=False)"]),
    ("prelu", "parameters = 1"): ([], ["nn.PReLU()"]),
    ("layer_norm", "size = [4, 5]"): ([], ["nn.LayerNorm([4, 5])"]),
    ("rms_norm", "size = [4, 5]\nscale = false"): ([], ["nn.RMSNorm((4, 5), elementwise_affine=False)"]),
    ("avg_pool1d", "pool = 2"): (["layers.AveragePooling1D(2)", "layers.AvgPool1D(pool_size=2)"], ["nn.AvgPool1d(2)"]),
    ("max_pool3d", "pool = 2"): (["layers.MaxPooling3D()", "layers.MaxPool3D(2)"], ["nn.MaxPool3d(2)"]),
    ("avg_pool3d", "pool = 2"): ([], ["nn.AvgPool3d(2, 2, 0)"]),
    ("global_max_pool1d", ""): (["layers.GlobalMaxPooling1D()", "layers.GlobalMaxPool1D()"], []),
    ("global_avg_pool3d", ""): (["layers.GlobalAveragePooling3D()", "layers.GlobalAvgPool3D()"], []),
    ("adaptive_max_pool1d", "size = 4"): ([], ["nn.AdaptiveMaxPool1d(4)"]),
    ("adaptive_avg_pool3d", "size = 1"): (["layers.GlobalAveragePooling3D(keepdims=True)"],
                                          ["nn.AdaptiveAvgPool3d(1)"]),
    ("conv1d", "filters = 4\nkernel = 3"): (["layers.Convolution1D(4, 3, padding='same')"], []),
    ("conv2d", "filters = 4\nkernel = 3"): (["layers.Convolution2D(4, 3, padding='same')"], []),
    ("conv3d", "filters = 4\nkernel = 3"): (["layers.Convolution3D(4, 3, padding='same')"], []),
    ("separable_conv1d", "filters = 4\nkernel = 3"): (["layers.SeparableConvolution1D(4, 3, padding='same')"], []),
    ("separable_conv2d", "filters = 4\nkernel = 3"): (["layers.SeparableConvolution2D(4, 3, padding='same')"], []),
    ("conv1d_transpose", "filters = 4\nkernel = 3"): (["layers.Conv1DTranspose(4, 3)",
                                                        "layers.Convolution1DTranspose(4, 3)"], []),
    ("conv2d_transpose", "filters = 4\nkernel = 3\npadding = 1\noutput_padding = 1\nstride = 2\ngroups = 2"): (
        [], ["nn.ConvTranspose2d(C_in, 4, 3, 2, 1, 1, 2)"]),
    ("conv3d_transpose", "filters = 4\nkernel = [1, 2, 3]\npadding = 0"): (
        [], ["nn.ConvTranspose3d(C_in, 4, (1, 2, 3))"]),
    ("upsample", "scale = 2"): ([], ["nn.Upsample(scale_factor=2)", "nn.Upsample(None, 2.0, 'nearest')",
                                     "nn.UpsamplingNearest2d(scale_factor=2)", "nn.UpsamplingBilinear2d(None, 2)"]),
    ("upsample", "size = [7, 9]"): ([], ["nn.Upsample((7, 9))", "nn.Upsample(size=[7, 9], mode='bilinear')"]),
    ("upsampling1d", "scale = 3"): (["layers.UpSampling1D(3)", "layers.UpSampling1D(size=3)"], []),
    ("upsampling3d", "scale = 2"): (["layers.UpSampling3D()", "layers.UpSampling3D(2)"], []),
    ("pixel_unshuffle", "factor = 2"): ([], ["nn.PixelUnshuffle(2)"]),
    ("center_crop", "height = 4\nwidth = 5"): (["layers.CenterCrop(4, 5)", "layers.CenterCrop(height=4, width=5)"], []),
    ("pad", 'padding = [2, 2]\nmode = "replicate"'): ([], ["nn.ReplicationPad2d(2)"]),
    ("pad", 'padding = [0, 1]\nmode = "constant"'): ([], ["nn.ConstantPad2d((1, 1, 0, 0), 0.5)"]),
    ("pad", 'padding = [1, 1]\nmode = "circular"'): ([], ["nn.CircularPad2d(1)"]),
    ("pad", 'padding = 3\nmode = "reflect"'): ([], ["nn.ReflectionPad1d(3)"]),
    ("pad", 'padding = [1]\nmode = "replicate"'): ([], ["nn.ReplicationPad1d((1, 1))"]),
    ("pad", 'padding = 2\nmode = "constant"'): ([], ["nn.ConstantPad1d(2, 0)"]),
    ("pad", 'padding = 2\nmode = "circular"'): ([], ["nn.CircularPad1d(2)"]),
    ("pad", 'padding = [1, 2, 3]\nmode = "reflect"'): ([], ["nn.ReflectionPad3d((3, 3, 2, 2, 1, 1))"]),
    ("pad", 'padding = [1, 1, 1]\nmode = "replicate"'): ([], ["nn.ReplicationPad3d(1)"]),
    ("pad", 'padding = [1, 1, 1]\nmode = "constant"'): ([], ["nn.ConstantPad3d(1, 2.0)"]),
    ("pad", 'padding = [2, 1, 1]\nmode = "circular"'): ([], ["nn.CircularPad3d((1, 1, 1, 1, 2, 2))"]),
    ("reshape", "shape = [-1, 4]"): (["layers.Reshape((-1, 4))"], ["nn.Unflatten(1, (4, -1))"]),
    ("dropout", "rate = 0.25"): (["layers.SpatialDropout1D(0.25)", "layers.SpatialDropout3D(rate=0.25)"],
                                 ["nn.Dropout1d(0.25)", "nn.Dropout3d(p=0.25)"]),
    ("multi_head_attention", "heads = 4"): ([], ["nn.MultiheadAttention(C_in, 4)"]),
}
KEY_RANK = {("pad", keys): rank for rank, keys in (
    (1, 'padding = 3\nmode = "reflect"'), (1, 'padding = [1]\nmode = "replicate"'),
    (1, 'padding = 2\nmode = "constant"'),
    (1, 'padding = 2\nmode = "circular"'), (3, 'padding = [1, 2, 3]\nmode = "reflect"'),
    (3, 'padding = [1, 1, 1]\nmode = "replicate"'), (3, 'padding = [1, 1, 1]\nmode = "constant"'),
    (3, 'padding = [2, 1, 1]\nmode = "circular"'))}  # (spec op, keys) of another rank than their kind's case
OP_RANK = {"upsampling1d": 1, "upsampling3d": 3, "conv1d": 1, "conv3d": 3, "separable_conv1d": 1,
           "conv1d_transpose": 1, "conv3d_transpose": 3}  # spec ops of another rank than their kind's case
CASES = [(op, keys, keras, torch) for spec_forms, keras, torch in SAME.values() for op, keys in spec_forms]
CASES += [(op, keys, keras, torch) for (op, keys), (keras, torch) in OTHER_SPELLINGS.items()]
VALUES = dict(C_in=16, H=20, W=24, L=30, T=30, D=10)


def fingerprint(d, vector: bool = False):
    """What a reader made of the one layer: op, notation, terms, output (channels only for a vector)."""
    (row,) = [r for r in d.layers]
    terms = tuple((t.term.kind, t.term.name, t.value) for t in row.terms)
    return row.op, row.signature, terms, row.shape[-1:] if vector else row.shape


def test_every_spelling_has_a_case_here():
    """A kind (or a spelling) added to the registry needs its line above: the spec, Keras and PyTorch
    spellings of the same layer."""
    spec_ops = {op for op, _, _, _ in CASES}
    keras_names = {call.split("(")[0].removeprefix("layers.") for _, _, keras, _ in CASES for call in keras}
    torch_names = {call.split("(")[0].removeprefix("nn.") for _, _, _, torch in CASES for call in torch}
    spec_ops |= {op for op, _, _, _, _ in SEQUENCE_CASES}
    keras_names |= {call.split("(")[0].removeprefix("layers.") for _, _, _, keras, _ in SEQUENCE_CASES for call in keras}
    keras_names |= KERAS_AGAINST_KERAS
    torch_names |= {call.split("(")[0].removeprefix("nn.") for _, _, _, _, torch in SEQUENCE_CASES for call in torch}
    assert spec_ops == set(spellings("spec"))
    assert keras_names == set(spellings("keras")) | {s.functional for s in spellings("keras").values()
                                                     if s.functional}
    assert torch_names == set(spellings("torch"))
    assert {entry.cls.op for entry in KINDS if entry.spellings} == set(SAME) | set(SEQUENCE) | {
        spellings("keras")[name].kind.op for name in KERAS_AGAINST_KERAS}


@pytest.mark.parametrize("op, keys, keras, torch", CASES, ids=[f"{c[0]}:{i}" for i, c in enumerate(CASES)])
def test_the_spellings_of_a_kind_build_the_same_layer(tmp_path, op, keys, keras, torch):
    merge = spellings("spec")[op].merge
    rank = KEY_RANK.get((op, keys), OP_RANK.get(op, RANK.get(spellings("spec")[op].kind.op, 2)))
    want = show(tmp_path, spec_text(op, keys, MERGE if merge else "", rank), ".toml", **VALUES)
    layer = want.layers[0].layer
    for call in keras:
        got = show(tmp_path, keras_text(call, merge, rank), ".py", **VALUES)
        assert fingerprint(got) == fingerprint(want), call
        assert got.layers[0].layer == layer, call
    for call in torch:
        vector = call.startswith(("nn.Linear", "nn.BatchNorm1d", "nn.BatchNorm3d", "nn.InstanceNorm1d",
                                  "nn.InstanceNorm3d", "nn.GroupNorm", "nn.SyncBatchNorm"))  # no image (yet): a vector
        got = show(tmp_path, torch_text(call), ".py", **VALUES)
        assert fingerprint(got, vector) == fingerprint(want, vector), call


# Sequence kinds, on a sequence (T, C_in) or on token ids (T,): op -> (spec input, spec op and keys, Keras calls,
# PyTorch calls). Term names differ between the forms (Keras' `kernel`, PyTorch's `weight_ih_l0`); the op, the
# counts under every convention and the output shape may not. A Keras wrapper's spec twin is the layer it
# stands for (`Bidirectional(LSTM(8))` is a bidirectional LSTM; `TimeDistributed(Dense(10))` a dense layer).
SEQUENCE = {
    "embedding": ('["T"]', [("embedding", "vocabulary = 50\ndim = 8")], ["layers.Embedding(50, 8)",
                                                                      "layers.Embedding(50, 8, mask_zero=True)"],
                  ["nn.Embedding(50, 8)", "nn.Embedding(50, 8, padding_idx=0, max_norm=1.0)"]),
    "simple_rnn": ('["T", "C_in"]', [("simple_rnn", "units = 8\nreturn_sequences = true")],
                   ["layers.SimpleRNN(8, return_sequences=True)"], []),
    "lstm": ('["T", "C_in"]', [("lstm", "units = 8")], ["layers.LSTM(8)"], []),
    "gru": ('["T", "C_in"]', [("gru", "units = 8")], ["layers.GRU(8)"], []),
    "bidirectional": ('["T", "C_in"]', [("lstm", "units = 8\nbidirectional = true")],
                      ["layers.Bidirectional(layers.LSTM(8))"], []),
    "time_distributed": ('["T", "C_in"]', [("dense", "units = 10")], ["layers.TimeDistributed(layers.Dense(10))"], []),
    "simple_rnn_cell": ('["C_in"]', [("simple_rnn_cell", "units = 8")], [], ['nn.RNNCell(C_in, 8, nonlinearity="relu")']),
    "lstm_cell": ('["C_in"]', [("lstm_cell", "units = 8\nbias = false")], [], ["nn.LSTMCell(C_in, 8, bias=False)"]),
    "gru_cell": ('["C_in"]', [("gru_cell", "units = 8")], [], ["nn.GRUCell(C_in, 8)"]),
    "embedding_bag": ('["T"]', [("embedding_bag", "vocabulary = 50\ndim = 8")], [],
                      ['nn.EmbeddingBag(50, 8, mode="sum")']),
}
TORCH_SEQUENCE = {  # PyTorch's forms: two biases, every time step out
    ("simple_rnn", "units = 8\ntwo_biases = true\nreturn_sequences = true"): ["nn.RNN(C_in, 8)"],
    ("lstm", "units = 8\ntwo_biases = true\nreturn_sequences = true\nlayers = 2\nbidirectional = true\nproj = 3"): [
        "nn.LSTM(C_in, 8, num_layers=2, bidirectional=True, proj_size=3, batch_first=True)"],
    ("gru", "units = 8\nreturn_sequences = true\nbias = false"): ["nn.GRU(C_in, 8, bias=False)"],
}
SEQUENCE_CASES = [(op, keys, shape, keras, torch) for shape, forms, keras, torch in SEQUENCE.values()
                  for op, keys in forms]
SEQUENCE_CASES += [(op, keys, '["T", "C_in"]', [], torch) for (op, keys), torch in TORCH_SEQUENCE.items()]
KERAS_AGAINST_KERAS = {"ConvLSTM2D"}  # its input (T, H, W, C) has no spec form: held to Keras in test_sequence_layers


def sequence_keras_text(call: str, ids: bool) -> str:
    shape = "(T,)" if ids else "(T, C_in)"
    return f"import keras\nfrom keras import layers\n\ninp = keras.Input(shape={shape})\nout = {call}(inp)\n"


def sequence_show(tmp_path: Path, text: str, suffix: str, convention: str):
    path = tmp_path / f"block{suffix}"
    path.write_text(text, encoding="utf-8")
    names = load(str(path)).symbols.names
    values = {name: value for name, value in dict(T=12, C_in=16).items() if name in names}
    return derive.show(str(path), convention=convention, **values)


def sequence_fingerprint(d):
    (row,) = [r for r in d.layers]
    return row.op, d.total["all"].value, row.shape


@pytest.mark.parametrize("op, keys, shape, keras, torch", SEQUENCE_CASES,
                         ids=[f"{c[0]}:{i}" for i, c in enumerate(SEQUENCE_CASES)])
def test_the_spellings_of_a_sequence_kind_give_the_same_counts(tmp_path, op, keys, shape, keras, torch):
    text = f"[block]\ninput = {shape}\n\n[symbols]\nT = {{ meaning = \"sequence length\" }}\n\n" + spec_text(op, keys)
    want = {c: sequence_show(tmp_path, text, ".toml", c) for c in ("paper", "pytorch", "keras")}
    assert want["paper"].total["all"].value > 0
    for call in keras:
        got = {c: sequence_show(tmp_path, sequence_keras_text(call, shape == '["T"]'), ".py", c)
               for c in want}
        for c in want:
            assert sequence_fingerprint(got[c])[1:] == sequence_fingerprint(want[c])[1:], (call, c)
        assert got["paper"].layers[0].op in (op, "bidirectional", "time_distributed"), call
    for call in torch:
        got = {c: sequence_show(tmp_path, torch_text(call), ".py", c) for c in want}
        for c in want:
            assert sequence_fingerprint(got[c]) == sequence_fingerprint(want[c]), (call, c)


def test_the_readmes_example_of_adding_a_layer_is_the_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.partition("## Adding a layer\n")[2].partition("\n## ")[0]
    example = section.partition("```py\n")[2].partition("```")[0]
    code = (ROOT / "derive" / "layers" / "reshape.py").read_text(encoding="utf-8")
    lines = [line for line in example.splitlines() if line.strip() and line.strip() != "...,"]
    assert len(lines) > 10 and all(line in code.splitlines() for line in lines), lines
