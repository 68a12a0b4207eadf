"""EfficientNet-B1 … B7 (compound scaling: width α, depth d as a symbol, resolution), MobileNetV3-Large/Small and
ConvNeXt-T against their reference implementations: torchvision 0.28's models (under `pytorch`: parameters,
buffers, output shape, and MACs equal to fvcore's conv + linear count at 224×224 and the forward hooks' count at
the variant's own resolution) and keras.applications (under `keras`: count_params, trainable, non-trainable,
output shape, MACs). Each reference model is built once per module. Then what a stage of n_i = ⌈d·n⌉ blocks is:
P(first) + (n_i − 1)·P(block) in the symbol n_i, its copy gone where n_i = 1."""

from __future__ import annotations

from functools import cache

import pytest
import sympy

import derive
from derive.derivation import bind
from derive.derivation import derive as derive_block
from derive.errors import InputError
from helpers.frameworks import need_keras, need_torchvision
from helpers.reference_models import (FVCORE_MACS, fvcore_by_operator, keras_report, make_divisible, torch_report,
                                      torchvision_model)

# torchvision's (width_mult, depth_mult) and keras.applications' default_size, as each passes them
EFFICIENTNETS = {1: ("1.0", "1.1", 240), 2: ("1.1", "1.2", 260), 3: ("1.2", "1.4", 300), 4: ("1.4", "1.8", 380),
                 5: ("1.6", "2.2", 456), 6: ("1.8", "2.6", 528), 7: ("2.0", "3.1", 600)}


@cache
def torchvision_figures(builder: str, resolution: int, **kwargs) -> dict:
    """torchvision's model: its parameters, buffers, fvcore's conv+linear(+matmul) count at 224×224, and the
    forward hooks' report (MACs, output shape) at `resolution`."""
    model = torchvision_model(builder, **kwargs)
    fvcore = fvcore_by_operator(model, (3, 224, 224))
    report = torch_report(model, (3, resolution, resolution))
    return {**report, "fvcore_224": sum(n for op, n in fvcore.items() if op in FVCORE_MACS)}


@cache
def keras_figures(app: str, resolution: int) -> dict:
    keras = need_keras()
    return keras_report(getattr(keras.applications, app)(weights=None, input_shape=(resolution, resolution, 3)))


def assert_matches_torchvision(name: str, options: dict, figures: dict, resolution: int, **sizes) -> None:
    d = derive.show(name, convention="pytorch", options=options, **sizes)
    assert d.values["H"] == d.values["W"] == resolution  # the variant's own default
    assert d.total["all"].value == figures["parameters"] == figures["trainable"]
    assert d.total["buffers"].value == figures["buffers"]
    assert d.total["macs"].value == figures["macs"]
    assert tuple(int(v) for v in d.layers[-1].shape) == figures["shape"]
    at_224 = derive.show(name, convention="pytorch", options=options, H=224, W=224, **sizes)
    assert at_224.total["macs"].value == figures["fvcore_224"]


def assert_matches_keras(name: str, options: dict, report: dict, **sizes) -> None:
    d = derive.show(name, convention="keras", options=options, **sizes)
    assert d.total["all"].value == report["total"]
    assert d.total["trainable"].value == report["trainable"]
    assert d.total["non_trainable"].value == report["non_trainable"]
    assert d.total["macs"].value == report["macs"]
    assert tuple(int(v) for v in d.layers[-1].shape) == report["shape"]


# -- EfficientNet-B1 … B7 ------------------------------------------------------------------------------
@pytest.mark.frameworks
@pytest.mark.parametrize("b", sorted(EFFICIENTNETS))
def test_efficientnet_matches_torchvision(b):
    resolution = EFFICIENTNETS[b][2]
    assert_matches_torchvision(f"efficientnet_b{b}", {}, torchvision_figures(f"efficientnet_b{b}", resolution),
                               resolution)


@pytest.mark.frameworks
@pytest.mark.parametrize("b", sorted(EFFICIENTNETS))
def test_efficientnet_matches_keras_applications(b):
    resolution = EFFICIENTNETS[b][2]
    assert_matches_keras(f"EfficientNetB{b}", {"preprocessing": True, "keras_rounding": True},
                         keras_figures(f"EfficientNetB{b}", resolution))


def test_efficientnet_coefficients_are_the_defaults():
    for b, (alpha, depth, resolution) in EFFICIENTNETS.items():
        d = derive.show(f"efficientnet-b{b}")
        assert (d.values["alpha"], d.values["d"]) == (sympy.Rational(alpha), sympy.Rational(depth))
        assert (d.values["H"], d.values["W"]) == (resolution, resolution)
        # n_i = ⌈d·n_i⌉ of B0's table (1, 2, 2, 3, 3, 4, 1): at least B0's count, and within d·n + 1
        for i, n in enumerate((1, 2, 2, 3, 3, 4, 1), 1):
            assert sympy.Rational(depth) * n <= d.values[f"n_{i}"] < sympy.Rational(depth) * n + 1


def test_depth_is_a_symbol_in_every_formula():
    d = derive.show("efficientnet-b7")
    blocks = {sympy.Symbol(f"n_{i}", positive=True, integer=True) for i in range(1, 8)}
    assert blocks <= d.total["all"].formula.free_symbols
    stage = {s.name: s for s in d.stages}["stage4"]
    assert stage.repeat == d.values["n_4"] == 10
    count = {p.name: p for p in d.parts}["stage4"].counts["all"]
    n_4 = sympy.Symbol("n_4", positive=True, integer=True)
    # P(first) + (n_4 − 1)·P(block), the first block and one copy derived once
    assert count.formula == sympy.Add(count.first.formula, sympy.Mul(n_4 - 1, stage.block["all"].formula, evaluate=False),
                                      evaluate=False)
    assert {row.repeat for row in d.layers if row.part == "stage4" and row.name.startswith("stage4.2-")} == {9}
    assert count.formula.xreplace(d.substitution) == count.value == count.first.value + 9 * stage.block["all"].value
    text = derive.show("efficientnet-b7").to_dict()
    assert "n_4" in text["parts"][4]["all"]["formula"] and "n_4" in text["total"]["all"]["formula"]


def test_more_depth_adds_copies_of_the_block():
    base = derive.show("efficientnet-b1")
    deeper = derive.show("efficientnet-b1", n_4=9)  # 5 more copies of stage4's block
    block = {s.name: s for s in base.stages}["stage4"].block["all"].value
    assert deeper.total["all"].value - base.total["all"].value == 5 * block


@pytest.mark.frameworks
def test_a_stage_of_one_block_has_no_copy():
    """d = 1/2: ⌈n/2⌉ blocks, so stages 1, 2, 3 and 7 have one block each: their copies are dropped (their
    condition n_i ≠ 1), against torchvision's EfficientNet built with depth_mult = 0.5."""
    torchvision = need_torchvision()
    efficientnet = torchvision.models.efficientnet
    setting, last = efficientnet._efficientnet_conf("efficientnet_b1", width_mult=1.0, depth_mult=0.5)
    report = torch_report(efficientnet.EfficientNet(setting, 0.2, last_channel=last).eval(), (3, 96, 96))
    d = derive.show("efficientnet-b1", convention="pytorch", d="0.5", H=96, W=96)
    assert [d.values[f"n_{i}"] for i in range(1, 8)] == [1, 1, 1, 2, 2, 2, 1]
    assert not any(row.name.startswith(("stage1.", "stage7.")) and ".2-" in row.name for row in d.layers)
    assert {s.name: s.block for s in d.stages}["stage1"] is None
    assert (d.total["all"].value, d.total["buffers"].value, d.total["macs"].value) == (
        report["parameters"], report["buffers"], report["macs"])


def test_an_unbound_block_count_is_refused():
    target = derive.api.load("efficientnet-b1")
    options = dict(target.options)
    values = dict(bind(target.symbols, target.defaults_for(options), {}))
    del values["n_3"]
    with pytest.raises(InputError, match=r"number of blocks \(n_3\)"):
        derive_block(target.build(options), "paper", values)


# -- MobileNetV3: torchvision by default, keras.applications with keras_variant -----------------------------
@cache
def keras_mobilenetv3(app: str, H: int, W: int, alpha: float, classes: int) -> dict:
    keras = need_keras()
    return keras_report(getattr(keras.applications, app)(weights=None, input_shape=(H, W, 3), alpha=alpha,
                                                         classes=classes))


MOBILENETV3_TORCH = [  # (derive name, torchvision builder, width_mult, H, W, classes)
    ("mobilenetv3-large", "mobilenet_v3_large", "1", 224, 224, 1000),
    ("mobilenetv3-large", "mobilenet_v3_large", "0.75", 97, 131, 10),
    ("mobilenetv3-small", "mobilenet_v3_small", "1", 224, 224, 1000),
    ("mobilenetv3-small", "mobilenet_v3_small", "1.3", 97, 131, 10),
]


@pytest.mark.frameworks
@pytest.mark.parametrize("name,builder,alpha,H,W,classes", MOBILENETV3_TORCH, ids=str)
def test_mobilenetv3_matches_torchvision(name, builder, alpha, H, W, classes):
    model = torchvision_model(builder, width_mult=float(alpha), num_classes=classes)
    report = torch_report(model, (3, H, W))
    d = derive.show(builder, convention="pytorch", alpha=alpha, H=H, W=W, classes=classes)
    assert d.target == name
    assert d.total["all"].value == report["parameters"]
    assert d.total["buffers"].value == report["buffers"]
    assert d.total["macs"].value == report["macs"]
    assert tuple(int(v) for v in d.layers[-1].shape) == report["shape"]
    if (H, W) == (224, 224):
        fvcore = fvcore_by_operator(model, (3, H, W))
        assert d.total["macs"].value == sum(n for op, n in fvcore.items() if op in FVCORE_MACS)


MOBILENETV3_KERAS = [  # (derive name, keras.applications name, alpha, H, W, classes)
    ("mobilenetv3-large", "MobileNetV3Large", "1", 224, 224, 1000),
    ("mobilenetv3-large", "MobileNetV3Large", "0.75", 97, 131, 10),
    ("mobilenetv3-small", "MobileNetV3Small", "1", 224, 224, 1000),
    ("mobilenetv3-small", "MobileNetV3Small", "1.3", 97, 131, 10),  # hidden width scaled only for α > 1
    ("mobilenetv3-small", "MobileNetV3Small", "0.5", 64, 64, 10),  # the stem stays 16 in Keras
]


@pytest.mark.frameworks
@pytest.mark.parametrize("name,app,alpha,H,W,classes", MOBILENETV3_KERAS, ids=str)
def test_mobilenetv3_matches_keras_applications(name, app, alpha, H, W, classes):
    assert_matches_keras(app, {"keras_variant": True}, keras_mobilenetv3(app, H, W, float(alpha), classes),
                         alpha=alpha, H=H, W=W, classes=classes)


def test_mobilenetv3_variants_differ_where_the_implementations_do():
    torch_like = derive.show("mobilenetv3-small", alpha="0.5")
    keras_like = derive.show("mobilenetv3-small", alpha="0.5", options={"keras_variant": True})
    assert (torch_like.values["c_0"], keras_like.values["c_0"]) == (8, 16)  # Keras' stem is never scaled
    assert (torch_like.values["c_11"], keras_like.values["c_11"]) == (512, 1024)  # hidden: scaled for α > 1 only
    large = [derive.show("mobilenetv3-large", alpha="0.75", options={"keras_variant": v}) for v in (False, True)]
    # expanded widths: divisible(184·α, 8) in torchvision, divisible(2.3·c_7, 8) of the scaled input in Keras
    assert [d.values["e_8"] for d in large] == [make_divisible(184 * 0.75), make_divisible(2.3 * large[1].values["c_7"])]
    assert large[0].values["e_8"] != large[1].values["e_8"]
    ops = [row.op for row in keras_like.layers if row.part == "classifier"]
    assert ops[:2] == ["adaptive_pool2d", "conv2d"] and ops[-1] == "flatten"
    assert keras_like.layers[0].op == "rescaling"


# -- ConvNeXt-T ---------------------------------------------------------------------------------------------
@pytest.mark.frameworks
@pytest.mark.parametrize("H,W,classes", [(224, 224, 1000), (97, 131, 10)], ids=str)
def test_convnext_t_matches_torchvision(H, W, classes):
    """At 97×131 the unpadded 4×4/4 stem and 2×2/2 downsamplings give ⌊H/4⌋, ⌊H/8⌋, ...: 24×32, 12×16, 6×8, 3×4."""
    model = torchvision_model("convnext_tiny", num_classes=classes)
    report = torch_report(model, (3, H, W))
    d = derive.show("convnext_tiny", convention="pytorch", H=H, W=W, classes=classes)
    assert d.target == "convnext-t"
    assert (d.total["all"].value, d.total["buffers"].value) == (report["parameters"], report["buffers"])
    assert d.total["macs"].value == report["macs"]
    assert tuple(int(v) for v in d.layers[-1].shape) == report["shape"]
    if (H, W) == (224, 224):
        fvcore = fvcore_by_operator(model, (3, H, W))
        assert d.total["macs"].value == sum(n for op, n in fvcore.items() if op in FVCORE_MACS)


@pytest.mark.frameworks
@pytest.mark.parametrize("H,W", [(224, 224), (97, 131)], ids=str)
def test_convnext_t_matches_keras_applications(H, W):
    keras = need_keras()
    report = keras_report(keras.applications.ConvNeXtTiny(weights=None, input_shape=(H, W, 3)))
    assert_matches_keras("ConvNeXtTiny", {}, report, H=H, W=W)


def test_convnext_t_stages_are_repeated_blocks_with_downsampling_between():
    d = derive.show("convnext-t")
    assert [s.name for s in d.stages] == ["stem", "stage1", "downsample2", "stage2", "downsample3", "stage3",
                                          "downsample4", "stage4", "classifier"]
    stage3 = {s.name: s for s in d.stages}["stage3"]
    block = derive.show("convnext-block", C=384, H=14, W=14)  # the first block keeps the shape too
    assert stage3.repeat == 9 and stage3.block["all"].value == block.total["all"].value
    assert {s.name: s for s in d.stages}["stage3"].counts["all"].value == 9 * block.total["all"].value


# -- the worked solution fits its page --------------------------------------------------------------------
@pytest.mark.parametrize("name", ["efficientnet-b7", "mobilenetv3-large", "convnext-t"])
def test_worked_solution_fits_and_shows_every_stage(name, tmp_path):
    """The article compiles without a box over a point too wide or loose (B7's (n_i − 1)·(…) layer rows
    once ran 20 pt into the margin), with the total and every stage's count on the page."""
    import re
    import subprocess

    from derive.presentation.render import render
    from helpers.rendering_cases import need, pdftotext, tex_ready

    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    d = derive.show(name)
    (tmp_path / "doc.tex").write_text(render(d, "tex"), encoding="utf-8")
    for _ in range(2):  # twice, for longtable's widths
        subprocess.run(["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", "doc.tex"], cwd=tmp_path,
                       capture_output=True, timeout=180, check=False)
    log = (tmp_path / "doc.log").read_text(encoding="latin-1")
    boxes = [m.group(0) for m in re.finditer(r"(Overfull|Underfull) \\hbox \((\d+\.?\d*)pt too \w+\)", log)
             if float(m.group(2)) > 1]
    assert boxes == []
    words = " ".join(pdftotext((tmp_path / "doc.pdf").read_bytes(), tmp_path).split())
    grouped = lambda value: f"{value:,}".replace(",", " ")  # noqa: E731  (a thin space, as pdftotext gives it)
    assert grouped(d.total["all"].value) in words
    for stage in d.stages:
        assert grouped(stage.counts["all"].value) in words, stage.name
