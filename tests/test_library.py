"""The library's blocks against the frameworks: each block built in PyTorch (after torchvision, the
official ConvNeXt, `nn.TransformerEncoderLayer`) and in Keras (keras.applications' own block functions
where they exist) at several sizes, and every figure compared: parameters under each convention,
buffers, non-trainable weights, multiply-accumulates and the output shape. Then the formulas
themselves: closed forms, conditions, options."""

from __future__ import annotations

import json

import pytest
import sympy

import derive
from derive.api import load
from derive.errors import InputError
from derive.derivation import derive as run_derivation
from derive.library import catalog
from derive.presentation.printing import printer
from derive.symbols import sym
from helpers.golden import GOLDEN
from helpers.reference_models import (keras_basic_block, keras_bottleneck, keras_convnext_block, keras_fused_mbconv,
                                      keras_mbconv, keras_mobilenetv2_block, keras_mobilenetv3_block, keras_report,
                                      keras_transformer_encoder, torch_convnext_block, torch_fused_mbconv, torch_mbconv,
                                      torch_mobilenetv2_block, torch_mobilenetv3_block, torch_report, torch_resnet_block,
                                      torch_transformer_encoder)

CONVENTIONS = ("paper", "pytorch", "keras")
BLOCKS = ("mobilenetv1-block", "mobilenetv2-block", "mobilenetv3-block", "resnet-basic", "resnet-bottleneck", "mbconv",
          "fused-mbconv", "convnext-block", "transformer-encoder")


def derived(target: str, options: dict, sizes: dict) -> dict:
    return {c: derive.show(target, convention=c, options=options, **sizes) for c in CONVENTIONS}


def out_shape(d) -> tuple[int, ...]:
    return tuple(int(v) for v in d.layers[-1].shape)


def channels_last(shape: tuple[int, ...]) -> tuple[int, ...]:
    return (*shape[1:], shape[0]) if len(shape) == 3 else shape


def agree_with_torch(d: dict, report: dict) -> None:
    paper, pytorch = d["paper"], d["pytorch"]
    assert pytorch.total["all"].value == report["parameters"]
    assert pytorch.total["trainable"].value == report["trainable"]
    assert pytorch.total["buffers"].value == report["buffers"]
    assert paper.total["all"].value == report["parameters"]  # everything PyTorch holds as a parameter is trained
    assert paper.total["macs"].value == report["macs"]
    assert out_shape(paper) == channels_last(report["shape"])


def agree_with_keras(d: dict, report: dict) -> None:
    paper, keras = d["paper"], d["keras"]
    assert keras.total["all"].value == report["total"]
    assert keras.total["trainable"].value == report["trainable"]
    assert keras.total["non_trainable"].value == report["non_trainable"]
    assert paper.total["all"].value == report["trainable"]
    assert paper.total["macs"].value == report["macs"]
    assert out_shape(paper) == report["shape"]


def ids(case) -> str:
    return "-".join(f"{k}{int(v) if isinstance(v, bool) else v}" for k, v in case.items())


# -- MobileNetV3 ---------------------------------------------------------------------------------------
V3 = [  # rows of MobileNetV3-Small / -Large (C_in, C_exp, C_out, k, s, SE, NL) at their sizes, and others
    dict(C_in=16, C_exp=16, C_out=16, k=3, s=2, H=112, W=112, se=True, hard_swish=False),
    dict(C_in=24, C_exp=88, C_out=24, k=3, s=1, H=28, W=28, se=False, hard_swish=False),
    dict(C_in=24, C_exp=96, C_out=40, k=5, s=2, H=27, W=28, se=True, hard_swish=True),
    dict(C_in=40, C_exp=240, C_out=40, k=5, s=1, H=14, W=13, se=True, hard_swish=True),
    dict(C_in=80, C_exp=184, C_out=80, k=3, s=1, H=9, W=14, se=False, hard_swish=True),
    dict(C_in=112, C_exp=672, C_out=160, k=5, s=2, H=15, W=14, se=True, hard_swish=True),
    dict(C_in=16, C_exp=64, C_out=24, k=3, s=2, H=17, W=9, se=True, hard_swish=False, r=2),
    dict(C_in=8, C_exp=40, C_out=8, k=3, s=1, H=8, W=7, se=True, hard_swish=True, bias=True),
]


def split(case: dict, options: tuple[str, ...]) -> tuple[dict, dict]:
    return ({k: v for k, v in case.items() if k not in options}, {k: v for k, v in case.items() if k in options})


@pytest.mark.frameworks
@pytest.mark.parametrize("case", V3, ids=ids)
def test_mobilenetv3_block_matches_frameworks(case):
    sizes, options = split(case, ("se", "hard_swish", "bias"))
    d = derived("mobilenetv3-block", options, sizes)
    r = sizes.get("r", 4)
    agree_with_torch(d, torch_report(torch_mobilenetv3_block(
        sizes["C_in"], sizes["C_exp"], sizes["C_out"], sizes["k"], sizes["s"], r, **options), (sizes["C_in"], sizes["H"], sizes["W"])))
    if not options.get("bias"):  # keras.applications' block has no bias switch
        model = keras_mobilenetv3_block((sizes["H"], sizes["W"], sizes["C_in"]), sizes["C_exp"], sizes["C_out"], sizes["k"],
                                        sizes["s"], r, options["se"], options["hard_swish"])
        agree_with_keras(d, keras_report(model))


def test_mobilenetv3_squeeze_width_is_rounded_to_eight():
    d = derive.show("mobilenetv3-block", C_in=40, C_exp=120, C_out=40, k=5)
    reduce = next(row for row in d.layers if row.name == "se_reduce")
    assert reduce.output.channels.func.__name__ == "divisible"
    assert int(reduce.shape[-1]) == 32  # divisible(120 / 4 = 30, 8): 32
    assert [p.name for p in d.parts] == ["expand", "depthwise", "se", "project"]
    assert "se" not in [p.name for p in derive.show("mobilenetv3-block", options={"se": False}, C_in=4, C_exp=8, C_out=4).parts]
    # no expansion when C_exp = C_in (MobileNetV3-Small's first block)
    assert "expand" not in [p.name for p in derive.show("mobilenetv3-block", C_in=16, C_exp=16, C_out=16).parts]


# -- ResNet ---------------------------------------------------------------------------------------------
BASIC = [dict(C_in=64, C_out=64, s=1, H=56, W=56), dict(C_in=64, C_out=128, s=2, H=56, W=56),
         dict(C_in=32, C_out=48, s=1, H=13, W=9), dict(C_in=24, C_out=24, s=2, H=15, W=16),
         dict(C_in=16, C_out=32, s=2, H=11, W=12, bias=True)]


@pytest.mark.frameworks
@pytest.mark.parametrize("case", BASIC, ids=ids)
def test_resnet_basic_matches_frameworks(case):
    sizes, options = split(case, ("bias",))
    d = derived("resnet-basic", options, sizes)
    bias = options.get("bias", False)
    agree_with_torch(d, torch_report(torch_resnet_block("basic", sizes["C_in"], sizes["C_out"], sizes["s"], bias=bias),
                                     (sizes["C_in"], sizes["H"], sizes["W"])))
    agree_with_keras(d, keras_report(keras_basic_block((sizes["H"], sizes["W"], sizes["C_in"]), sizes["C_out"], sizes["s"], bias)))


BOTTLENECK = [dict(C_in=64, C_mid=64, C_out=256, s=1, H=56, W=56), dict(C_in=256, C_mid=64, C_out=256, s=1, H=14, W=15),
              dict(C_in=256, C_mid=128, C_out=512, s=2, H=56, W=56), dict(C_in=32, C_mid=8, C_out=32, s=2, H=13, W=9),
              dict(C_in=24, C_mid=16, C_out=40, s=1, H=7, W=8)]


@pytest.mark.frameworks
@pytest.mark.parametrize("stride_3x3", [False, True])
@pytest.mark.parametrize("case", BOTTLENECK, ids=ids)
def test_resnet_bottleneck_matches_frameworks(case, stride_3x3):
    shape = (case["C_in"], case["H"], case["W"])
    d = derived("resnet-bottleneck", {"stride_3x3": stride_3x3}, case)
    agree_with_torch(d, torch_report(torch_resnet_block("bottleneck", case["C_in"], case["C_out"], case["s"], case["C_mid"],
                                                        stride_3x3=stride_3x3), shape))
    if not stride_3x3 and case["C_out"] == 4 * case["C_mid"]:  # keras.applications' block: biased, 4×, stride first
        d = derived("resnet-bottleneck", {"bias": True}, case)
        agree_with_keras(d, keras_report(keras_bottleneck((case["H"], case["W"], case["C_in"]), case["C_mid"], case["s"])))


def test_projection_shortcut_only_when_stride_or_width_changes():
    def shortcut(**sizes):
        return any(row.part == "shortcut" for row in derive.show("resnet-basic", **sizes).layers)

    assert not shortcut(C_in=64, C_out=64, s=1)
    assert shortcut(C_in=64, C_out=64, s=2) and shortcut(C_in=64, C_out=128, s=1) and shortcut(C_in=64, C_out=128, s=2)
    free = derive.show("resnet-bottleneck", C_mid=64, s=2)
    row = next(row for row in free.layers if row.name == "shortcut")
    assert row.condition is None  # s = 2 decides it
    free = derive.show("resnet-bottleneck", C_mid=64, options={"stride_3x3": True})
    row = next(row for row in free.layers if row.name == "shortcut")
    assert printer("text").condition(row.condition) == "C_in ≠ C_out"
    target = load("resnet-bottleneck")  # with every size free, s too (the defaults bind it)
    d = run_derivation(target.build(target.options), "paper", {})
    condition = next(r for r in d.layers if r.name == "shortcut").condition
    assert printer("plain").condition(condition) == "s != 1 or C_in != C_out"
    assert printer("latex", d.symbols.latex_names()).condition(condition) == r"s \neq 1 \vee C_{\mathrm{in}} \neq C_{\mathrm{out}}"


def test_resnet_stride_placement_changes_macs_not_parameters():
    sizes = dict(C_in=256, C_mid=128, C_out=512, s=2, H=56, W=56)
    v1, v15 = (derive.show("resnet-bottleneck", options={"stride_3x3": o}, **sizes) for o in (False, True))
    assert v1.total["all"].value == v15.total["all"].value
    assert v15.total["macs"].value - v1.total["macs"].value == 3 * 28 * 28 * 256 * 128  # the first 1×1 at 56×56


# -- EfficientNet -------------------------------------------------------------------------------------
MBCONV = [dict(C_in=32, t=1, C_out=16, k=3, s=1, H=112, W=112), dict(C_in=16, t=6, C_out=24, k=3, s=2, H=112, W=111),
          dict(C_in=40, t=6, C_out=40, k=5, s=1, H=28, W=28), dict(C_in=80, t=6, C_out=112, k=5, s=1, H=14, W=13),
          dict(C_in=3, t=2, C_out=8, k=3, s=2, H=9, W=10), dict(C_in=24, t=4, C_out=24, k=3, s=1, H=8, W=8, se=False),
          dict(C_in=16, t=3, C_out=16, k=5, s=1, H=7, W=9, r=8), dict(C_in=8, t=6, C_out=16, k=3, s=2, H=11, W=7, bias=True)]


@pytest.mark.frameworks
@pytest.mark.parametrize("case", MBCONV, ids=ids)
def test_mbconv_matches_frameworks(case):
    sizes, options = split(case, ("se", "bias"))
    d = derived("mbconv", options, sizes)
    r, se = sizes.get("r", 4), options.get("se", True)
    agree_with_torch(d, torch_report(torch_mbconv(sizes["C_in"], sizes["t"], sizes["C_out"], sizes["k"], sizes["s"], r,
                                                  options.get("bias", False), se), (sizes["C_in"], sizes["H"], sizes["W"])))
    if not options.get("bias"):
        model = keras_mbconv((sizes["H"], sizes["W"], sizes["C_in"]), sizes["t"], sizes["C_out"], sizes["k"], sizes["s"], r, se)
        agree_with_keras(d, keras_report(model))


def test_mbconv_squeezes_relative_to_the_block_input():
    d = derive.show("mbconv", C_in=40, t=6, C_out=80)
    reduce = next(row for row in d.layers if row.name == "se_reduce")
    assert int(reduce.shape[-1]) == 10  # 40 / 4, not 240 / 4
    assert int(next(row for row in derive.show("mbconv", C_in=3, t=6, C_out=8).layers if row.name == "se_reduce").shape[-1]) == 1


FUSED = [dict(C_in=24, t=1, C_out=24, k=3, s=1, H=28, W=28), dict(C_in=24, t=4, C_out=48, k=3, s=2, H=28, W=27),
         dict(C_in=16, t=1, C_out=32, k=3, s=2, H=13, W=14), dict(C_in=32, t=4, C_out=32, k=5, s=1, H=9, W=9)]


@pytest.mark.frameworks
@pytest.mark.parametrize("case", FUSED, ids=ids)
def test_fused_mbconv_matches_frameworks(case):
    d = derived("fused-mbconv", {}, case)
    shape = (case["C_in"], case["H"], case["W"])
    agree_with_torch(d, torch_report(torch_fused_mbconv(case["C_in"], case["t"], case["C_out"], case["k"], case["s"]), shape))
    agree_with_keras(d, keras_report(keras_fused_mbconv((case["H"], case["W"], case["C_in"]), case["t"], case["C_out"],
                                                        case["k"], case["s"])))
    assert [p.name for p in d["paper"].parts] == (["fused"] if case["t"] == 1 else ["expand", "project"])


# -- ConvNeXt -----------------------------------------------------------------------------------------
CONVNEXT = [dict(C=96, H=56, W=56), dict(C=24, H=9, W=11), dict(C=16, k=5, t=2, H=8, W=7),
            dict(C=32, H=7, W=7, layer_scale=False), dict(C=8, k=3, H=6, W=5, bias=False)]


@pytest.mark.frameworks
@pytest.mark.parametrize("case", CONVNEXT, ids=ids)
def test_convnext_block_matches_frameworks(case):
    sizes, options = split(case, ("layer_scale", "bias"))
    d = derived("convnext-block", options, sizes)
    agree_with_torch(d, torch_report(torch_convnext_block(sizes["C"], sizes.get("k", 7), sizes.get("t", 4), **options),
                                     (sizes["C"], sizes["H"], sizes["W"])))
    if set(sizes) == {"C", "H", "W"} and not options:  # keras.applications' block: 7×7, 4×, layer scale, biases
        agree_with_keras(d, keras_report(keras_convnext_block((sizes["H"], sizes["W"], sizes["C"]))))


def test_convnext_closed_form():
    d = derive.show("convnext-block")
    C = sym("C")
    assert sympy.expand(d.total["all"].formula.subs({sym("k"): 7, sym("t"): 4}) - (8 * C**2 + 58 * C)) == 0
    assert [p.name for p in d.parts] == ["depthwise", "norm", "mlp", "layer_scale"]


# -- Transformer encoder ------------------------------------------------------------------------------
TRANSFORMER = [dict(d_model=64, heads=8, d_ff=256, L=10), dict(d_model=48, heads=4, d_ff=96, L=7, norm_first=True),
               dict(d_model=32, heads=2, d_ff=64, L=5, bias=False), dict(d_model=24, heads=3, d_ff=40, L=1)]


@pytest.mark.frameworks
@pytest.mark.parametrize("case", TRANSFORMER, ids=ids)
def test_transformer_encoder_matches_frameworks(case):
    sizes, options = split(case, ("bias", "norm_first"))
    d = derived("transformer-encoder", options, sizes)
    agree_with_torch(d, torch_report(torch_transformer_encoder(sizes["d_model"], sizes["heads"], sizes["d_ff"], **options),
                                     (sizes["L"], sizes["d_model"])))
    agree_with_keras(d, keras_report(keras_transformer_encoder((sizes["L"], sizes["d_model"]), sizes["heads"], sizes["d_ff"],
                                                               **options)))


def test_transformer_encoder_formula_does_not_depend_on_heads():
    d = derive.show("transformer-encoder")
    d_model, d_ff, L = sym("d_model"), sym("d_ff"), sym("L")
    assert sympy.expand(d.total["all"].formula - (4 * d_model**2 + 2 * d_model * d_ff + 9 * d_model + d_ff)) == 0
    assert sympy.expand(d.total["macs"].formula - (4 * L * d_model**2 + 2 * L * d_model * d_ff)) == 0
    assert d.total["all"].value is None
    assert derive.show("transformer-encoder", d_model=512, heads=8, d_ff=2048).total["all"].value == 3152384


# -- MobileNetV2, against keras.applications' own block -------------------------------------------------
@pytest.mark.frameworks
@pytest.mark.parametrize("case", [dict(C_in=16, t=6, C_out=24, s=2, H=112, W=112), dict(C_in=32, t=6, C_out=32, s=1, H=28, W=27),
                                  dict(C_in=32, t=1, C_out=16, s=1, H=11, W=13), dict(C_in=64, t=6, C_out=96, s=1, H=14, W=14)],
                         ids=ids)
def test_mobilenetv2_block_matches_keras_applications(case):
    d = derived("mobilenetv2-block", {}, case)
    agree_with_keras(d, keras_report(keras_mobilenetv2_block((case["H"], case["W"], case["C_in"]), case["t"], case["C_out"],
                                                             case["s"])))
    agree_with_torch(d, torch_report(torch_mobilenetv2_block(case["C_in"], case["t"], case["C_out"], 3, case["s"]),
                                     (case["C_in"], case["H"], case["W"])))


def test_mobilenetv2_stride_one_bottleneck_is_the_papers_cost():
    """Section 3 of the paper: h·w·d'·t·(d' + k² + d'') multiply-adds at stride 1."""
    d = derive.show("mobilenetv2-block", s=1)
    C_in, t, C_out, k, s, H, W = (sym(n) for n in ("C_in", "t", "C_out", "k", "s", "H", "W"))
    assert sympy.expand(d.total["macs"].formula.subs(s, 1) - H * W * C_in * t * (C_in + k**2 + C_out)) == 0
    assert printer("text", values=d.substitution).written(d.total["macs"]) == "C_in·t·(C_in·H·W + (C_out + 3²)·H·W)"


# -- the catalog ---------------------------------------------------------------------------------------
def test_every_block_is_in_the_catalog_and_derives_symbolically():
    """Each block's closed form, with nothing bound, gives at the sizes of its golden case the figures of
    tests/golden/<block>.json (written by the tree before the redesign; at sizes where every conditional
    layer, such as a projection shortcut, is there, as the closed form with nothing bound counts it)."""
    entries = catalog()
    for name in BLOCKS:
        assert name in entries
        d = derive.show(name)
        assert d.total["all"].formula.free_symbols and d.parts
        golden = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
        sizes = {sym(symbol): sympy.Integer(value) for symbol, value in golden["values"].items()}
        for key in ("trainable", "non_trainable", "all", "macs"):
            value, expected = d.total[key].formula.xreplace(sizes), golden["total"][key]["value"]
            if expected is None:  # H and W left free: MACs in H and W
                assert value.free_symbols == {sym("H"), sym("W")}, (name, key)
            else:
                assert value == expected, (name, key)


def test_list_shows_blocks_and_networks(capsys):
    from derive.cli import main

    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in (*BLOCKS, "mobilenetv1", "mobilenetv2", "resnet18", "resnet34", "resnet50", "efficientnet-b0"):
        assert f"\n{name}: symbols" in out


@pytest.mark.frameworks
@pytest.mark.parametrize("heads,key_dim,value_dim,bias", [(3, 5, 7, True), (2, 4, None, False), (4, 16, 8, True)])
def test_keras_attention_with_its_own_key_width(heads, key_dim, value_dim, bias):
    """Keras' MultiHeadAttention may choose key_dim (and value_dim) freely: d×heads×key_dim per projection."""
    from derive.blocks import Block, Node
    from derive.layers import MultiHeadAttention, Shape
    from derive.symbols import SymbolTable
    from helpers.reference_models import keras_model
    from helpers.frameworks import need_keras

    layers = need_keras().layers
    d_model, length = 12, 6
    model = keras_model((length, d_model), lambda x: layers.MultiHeadAttention(heads, key_dim, value_dim, use_bias=bias)(x, x))
    block = Block("mha", "mha", SymbolTable.of(["L"]), Shape(sympy.Integer(d_model), (sympy.Integer(length),)),
                  (Node("attention", MultiHeadAttention(heads, key_dim, value_dim, bias)),))
    d = {c: run_derivation(block, c, {}) for c in CONVENTIONS}
    agree_with_keras(d, keras_report(model))


# -- names: each network answers to what its reference implementation calls it ------------------------
@pytest.mark.parametrize("typed,name", [
    ("mobilenet_v2", "mobilenetv2"), ("MobileNetV2", "mobilenetv2"), ("MobileNet", "mobilenetv1"),
    ("ResNet50", "resnet50"), ("resnet-50", "resnet50"), ("efficientnet_b0", "efficientnet-b0"),
    ("EfficientNetB0", "efficientnet-b0"), ("vgg16_bn", "vgg16-bn"), ("VGG16", "vgg16"),
    ("wide_resnet50_2", "wide-resnet50-2"), ("efficientnet_b7", "efficientnet-b7"),
    ("mobilenet_v3_large", "mobilenetv3-large"), ("MobileNetV3Large", "mobilenetv3-large"), ("vit_b_16", "vit-b16")])
def test_a_network_answers_to_its_reference_names(typed, name):
    assert load(typed).name == name


def test_an_unknown_name_still_fails_with_a_suggestion():
    with pytest.raises(InputError, match="unknown target 'vgg61'; did you mean 'vgg"):
        load("vgg61")


def test_the_list_gives_blocks_then_networks_each_with_its_other_names():
    from derive.presentation.listing import render_list

    entries = json.loads(render_list("json"))
    kinds = [e["kind"] for e in entries]
    assert kinds == sorted(kinds, key=lambda k: k != "block") and {"block", "network"} <= set(kinds)
    assert {e["name"]: e["also"] for e in entries}["lenet5"] == ["LeNet"]  # the tutorial's class name
