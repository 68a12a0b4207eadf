"""Whole networks against the frameworks: keras.applications (MobileNet, MobileNetV2, ResNet50,
EfficientNetB0, weights=None) and PyTorch modules after torchvision, at several input sizes and widths;
every figure must agree exactly. Then what a network is in derive: stages of repeated blocks derived
once, n·P(block) + the first block's difference, the published figures, the JSON layout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sympy

import derive
from helpers.reference_models import (keras_application, keras_report, torch_efficientnet_b0, torch_mobilenetv1,
                                      torch_mobilenetv2, torch_report, torch_resnet)

CONVENTIONS = ("paper", "pytorch", "keras")
NETWORKS = ("mobilenetv1", "mobilenetv2", "resnet18", "resnet34", "resnet50", "efficientnet-b0")


def derived(name: str, options: dict | None = None, **sizes) -> dict:
    return {c: derive.show(name, convention=c, options=options or {}, **sizes) for c in CONVENTIONS}


# -- the figures the issue asks for -------------------------------------------------------------------
def test_mobilenetv2_published_figures():
    d = derived("mobilenetv2")
    assert d["paper"].total["all"].value == 3_504_872
    assert (d["keras"].total["all"].value, d["keras"].total["non_trainable"].value) == (3_538_984, 34_112)
    assert d["paper"].total["macs"].value == 300_774_272
    assert d["pytorch"].total["all"].value == 3_504_872


@pytest.mark.parametrize("name,paper,macs", [
    ("mobilenetv1", 4_231_976, 568_740_352), ("resnet18", 11_689_512, 1_814_073_344),
    ("resnet34", 21_797_672, 3_663_761_408), ("resnet50", 25_557_032, 3_857_973_248),
    ("efficientnet-b0", 5_288_548, 385_814_752)])
def test_published_networks(name, paper, macs):
    d = derive.show(name)
    assert (d.total["all"].value, d.total["macs"].value) == (paper, macs)


# -- keras.applications ------------------------------------------------------------------------------
KERAS = [  # (derive name, keras.applications name, H, W, alpha, options)
    ("mobilenetv2", "MobileNetV2", 224, 224, "1", {}),
    ("mobilenetv2", "MobileNetV2", 160, 128, "0.35", {"keras_rounding": True}),
    ("mobilenetv2", "MobileNetV2", 97, 131, "1.4", {"keras_rounding": True}),
    ("mobilenetv2", "MobileNetV2", 96, 96, "1.12", {"keras_rounding": True}),  # where the two roundings part
    ("mobilenetv1", "MobileNet", 224, 224, "1", {}),
    ("mobilenetv1", "MobileNet", 128, 160, "0.75", {}),
    ("mobilenetv1", "MobileNet", 96, 96, "0.25", {}),
    ("resnet50", "ResNet50", 224, 224, None, {"bias": True}),
    ("resnet50", "ResNet50", 97, 131, None, {"bias": True}),
    ("efficientnet-b0", "EfficientNetB0", 224, 224, "1", {"preprocessing": True, "keras_rounding": True}),
    ("efficientnet-b0", "EfficientNetB0", 97, 131, "1", {"preprocessing": True, "keras_rounding": True}),
    ("efficientnet-b0", "EfficientNet", 128, 128, "1.1", {"preprocessing": True, "keras_rounding": True}),
    ("efficientnet-b0", "EfficientNet", 64, 96, "1.01", {"preprocessing": True, "keras_rounding": True}),
]


def sizes_of(H, W, alpha, classes=1000) -> dict:
    return {"H": H, "W": W, "classes": classes, **({"alpha": alpha} if alpha is not None else {})}


@pytest.mark.frameworks
@pytest.mark.parametrize("name,app,H,W,alpha,options", KERAS, ids=lambda v: str(v) if not isinstance(v, dict) else "")
def test_network_matches_keras_applications(name, app, H, W, alpha, options):
    report = keras_report(keras_application(app, H, W, float(alpha) if alpha is not None else 1.0))
    d = derived(name, options, **sizes_of(H, W, alpha))
    assert d["keras"].total["all"].value == report["total"]
    assert d["keras"].total["trainable"].value == report["trainable"]
    assert d["keras"].total["non_trainable"].value == report["non_trainable"]
    assert d["paper"].total["all"].value == report["trainable"]
    assert d["paper"].total["macs"].value == report["macs"]
    assert tuple(int(v) for v in d["paper"].layers[-1].shape) == report["shape"]


@pytest.mark.frameworks
def test_keras_mobilenet_v1_pads_its_own_way_on_odd_sizes():
    """keras.applications' MobileNet pads one row and column at the bottom and right only: for odd sizes
    its strided layers give ⌊H/2⌋ where derive (and 'same' padding everywhere else) gives ⌈H/2⌉. The
    parameters do not depend on it."""
    report = keras_report(keras_application("MobileNet", 97, 131, 0.5))
    d = derived("mobilenetv1", **sizes_of(97, 131, "0.5"))
    assert (d["keras"].total["all"].value, d["keras"].total["non_trainable"].value) == (report["total"], report["non_trainable"])
    assert d["paper"].total["macs"].value > report["macs"]


# -- PyTorch (after torchvision) --------------------------------------------------------------------
TORCH = [  # (derive name, builder, builder arguments, H, W, alpha, options)
    ("mobilenetv2", torch_mobilenetv2, (1.0,), 224, 224, "1", {}),
    ("mobilenetv2", torch_mobilenetv2, (0.5, 10), 97, 131, "0.5", {}),
    ("mobilenetv2", torch_mobilenetv2, (1.12,), 96, 96, "1.12", {}),  # torchvision's rounding (the default)
    ("mobilenetv1", torch_mobilenetv1, (1.0,), 224, 224, "1", {}),
    ("mobilenetv1", torch_mobilenetv1, (0.75, 10), 97, 131, "0.75", {}),
    ("resnet18", torch_resnet, (18,), 224, 224, None, {}),
    ("resnet18", torch_resnet, (18, 10), 97, 131, None, {}),
    ("resnet34", torch_resnet, (34,), 224, 224, None, {}),
    ("resnet34", torch_resnet, (34, 10), 64, 80, None, {}),
    ("resnet50", torch_resnet, (50,), 224, 224, None, {"stride_3x3": True}),
    ("resnet50", torch_resnet, (50, 1000, False), 224, 224, None, {}),
    ("resnet50", torch_resnet, (50, 10), 97, 131, None, {"stride_3x3": True}),
    ("efficientnet-b0", torch_efficientnet_b0, (1.0,), 224, 224, "1", {}),
    ("efficientnet-b0", torch_efficientnet_b0, (1.01, 10), 97, 131, "1.01", {}),  # torchvision's head: 4·divisible(320·α)
]


@pytest.mark.frameworks
@pytest.mark.parametrize("name,build,args,H,W,alpha,options", TORCH,
                         ids=lambda v: getattr(v, "__name__", str(v)) if not isinstance(v, dict) else "")
def test_network_matches_pytorch(name, build, args, H, W, alpha, options):
    classes = args[1] if len(args) > 1 else 1000
    report = torch_report(build(*args), (3, H, W))
    d = derived(name, options, **sizes_of(H, W, alpha, classes))
    assert d["pytorch"].total["all"].value == report["parameters"] == d["paper"].total["all"].value
    assert d["pytorch"].total["trainable"].value == report["trainable"]
    assert d["pytorch"].total["buffers"].value == report["buffers"]
    assert d["paper"].total["macs"].value == report["macs"]
    assert tuple(int(v) for v in d["paper"].layers[-1].shape) == report["shape"]


def test_the_two_roundings_part_where_they_should():
    torch_like = derive.show("mobilenetv2", alpha="1.12")
    keras_like = derive.show("mobilenetv2", alpha="1.12", options={"keras_rounding": True})
    assert (torch_like.values["c_1"], keras_like.values["c_1"]) == (24, 16)  # divisible(17.92, 8) vs divisible(17, 8)
    for alpha in ("0.35", "0.5", "0.75", "1", "1.3", "1.4"):  # the published ones: no difference
        assert (derive.show("mobilenetv2", alpha=alpha).total["all"].value
                == derive.show("mobilenetv2", alpha=alpha, options={"keras_rounding": True}).total["all"].value)
    b0 = derive.show("efficientnet-b0", alpha="1.01")
    assert (b0.values["c_8"], derive.show("efficientnet-b0", alpha="1.01", options={"keras_rounding": True}).values["c_8"]) == (1280, 1296)


# -- stages: n·P(block) + the first block's difference, each block derived once -------------------------
def test_a_stage_is_n_blocks_plus_the_first_blocks_difference():
    d = derive.show("mobilenetv2")
    assert [p.name for p in d.parts] == ["stem", *(f"stage{i}" for i in range(1, 8)), "head", "classifier"]
    stage = {s.name: s for s in d.stages}["stage3"]  # t = 6, c = 32, n = 3, s = 2
    assert (stage.repeat, dict(stage.table)) == (3, {"block": "bottleneck", "t": 6, "c": 32, "n": 3, "s": 2})
    one = derive.show("mobilenetv2-block", C_in=32, t=6, C_out=32)
    first = derive.show("mobilenetv2-block", C_in=24, t=6, C_out=32, s=2, H=56, W=56)
    assert stage.block["all"].value == one.total["all"].value
    assert stage.difference["all"].value == first.total["all"].value - one.total["all"].value
    part = {p.name: p for p in d.parts}["stage3"].counts["all"]
    assert part.value == 3 * one.total["all"].value + stage.difference["all"].value
    assert part.first.value == first.total["all"].value  # written as P(first) + 2·P(block), unexpanded
    formula = part.formula
    repeated = [arg for arg in formula.args if arg.is_Mul and arg.args[0] == 2]
    assert len(repeated) == 1 and repeated[0].args[1] == stage.block["all"].formula
    assert part.first.formula in formula.args
    assert sympy.expand(formula - 3 * stage.block["all"].formula - stage.difference["all"].formula) == 0
    assert stage.shape == (28, 28, 32)


def test_each_stage_derives_at_most_two_blocks_whatever_n():
    d = derive.show("resnet34")  # stages of 3, 4, 6, 3 blocks
    copies = {}
    for row in d.layers:
        if row.part.startswith("stage"):
            copies.setdefault(row.part, set()).add(row.name.split(".")[1])
    assert copies == {"stage1": {"1", "2-3"}, "stage2": {"1", "2-4"}, "stage3": {"1", "2-6"}, "stage4": {"1", "2-3"}}
    assert {row.repeat for row in d.layers if ".2-6." in row.name} == {5}
    assert d.total["all"].value == 21_797_672  # torchvision's resnet34: 21,797,672 parameters


def test_network_json_keeps_the_contract_and_adds_stages():
    d = derive.show("mobilenetv2", convention="keras").to_dict()
    assert set(d) >= {"target", "convention", "symbols", "values", "layers", "parts", "total", "stages"}
    assert d["values"]["c_8"] == 1280 and d["values"]["H"] == 224
    assert all("repeat" in layer for layer in d["layers"])
    assert [s["name"] for s in d["stages"]] == [p["name"] for p in d["parts"]]
    stage = d["stages"][2]
    assert stage["repeat"] == 2 and stage["shape"] == [56, 56, 24]
    assert stage["block"]["all"]["value"] * 2 + stage["difference"]["all"]["value"] == d["parts"][2]["all"]["value"]
    for count in (d["total"]["all"], d["parts"][3]["macs"], stage["difference"]["macs"]):
        assert set(count) == {"formula", "expr", "latex", "value"}
        assert sympy.sympify(count["formula"], locals={"ceiling": sympy.ceiling}).subs(
            {sympy.Symbol(k): v for k, v in d["values"].items() if isinstance(v, int)}) == count["value"]
    assert d["total"]["all"]["value"] == 3_538_984 and d["total"]["non_trainable"]["value"] == 34_112
    assert "repeat" not in derive.show("mobilenetv2-block").to_dict()["layers"][0]


def test_network_widths_are_symbols_bound_to_the_rounded_widths():
    d = derive.show("mobilenetv2", alpha="0.35")
    assert [d.values[f"c_{i}"] for i in range(9)] == [16, 8, 8, 16, 24, 32, 56, 112, 1280]
    assert d.symbols["c_3"].meaning == "stage3 channels, divisible(32·α, 8) (keras_rounding: divisible(⌊32·α⌋, 8))"
    wider = derive.show("mobilenetv2", c_3=40)  # any width can be set by hand
    assert wider.values["c_3"] == 40 and wider.total["all"].value != derive.show("mobilenetv2").total["all"].value
    with pytest.raises(derive.errors.InputError, match="unknown symbol 'c_9'"):
        derive.show("mobilenetv2", c_9=3)
    with pytest.raises(derive.errors.InputError, match="unknown symbol 'alpha'"):
        derive.show("resnet18", alpha=2)


def test_network_macs_are_formulas_in_H_and_W():
    d = derive.show("resnet18")
    macs = d.total["macs"].formula
    assert {str(s) for s in macs.free_symbols} >= {"H", "W"}
    assert "ceiling(H/32)" in str(macs)  # nested strides simplified: ⌈⌈H/2⌉/2⌉ = ⌈H/4⌉ ...
    assert macs.subs({sympy.Symbol(k, positive=True, integer=True): v for k, v in d.values.items()}) == d.total["macs"].value
    smaller = derive.show("resnet18", H=64, W=64)
    assert smaller.total["all"].value == d.total["all"].value and smaller.total["macs"].value < d.total["macs"].value


@pytest.mark.parametrize("name", NETWORKS)
def test_every_network_renders_text_and_json(name, capsys):
    from derive.cli import main

    assert main(["show", name, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["target"] == name and data["total"]["all"]["value"] > 1_000_000
    assert main(["show", name]) == 0
    text = capsys.readouterr().out
    assert "stage1" in text and "multiply-accumulates" in text


def test_network_output_does_not_depend_on_hash_seeds():
    """Closed forms break ties by name, not by set order: the same JSON under any PYTHONHASHSEED."""
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-m", "derive", "show", "efficientnet-b0", "--format", "json"],
                                capture_output=True, text=True, env=env, cwd=Path(__file__).parents[1], check=True)
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_repeated_bottlenecks_cost_what_the_paper_says():
    """MobileNetV2, section 3: a stride-1 bottleneck costs h·w·d'·t·(d' + k² + d'') multiply-adds; every
    repeated block of a stage is one, at the stage's resolution."""
    d = derive.show("mobilenetv2")
    H, W = (sympy.Symbol(n, positive=True, integer=True) for n in "HW")
    for stage, row in zip(d.stages[1:8], [None, *range(2, 8)]):
        if stage.block is None:
            continue
        c = sympy.Symbol(f"c_{row}", positive=True, integer=True)
        table = dict(stage.table)
        down = 2 ** [2, 3, 4, 4, 5, 5][row - 2]  # the stride so far: stem 2, then the stages' own
        h, w = sympy.ceiling(H / down), sympy.ceiling(W / down)
        formula = stage.block["macs"].formula.replace(lambda e: type(e).__name__ == "ceiling", lambda e: sympy.ceiling(e.args[0]))
        assert sympy.expand(formula - h * w * c * table["t"] * (c + 3**2 + c)) == 0, stage.name


def test_network_text_summary_template():
    """`derive show NETWORK`: one line per stage, the first block + (n − 1) × the next;
    `--detail` gives every layer instead."""
    d = derive.show("mobilenetv2", convention="keras")
    text = derive.render(d, "text")
    assert "stage3.2-3.expand" in derive.render(d, "text", detail=True)
    assert "stage3.2-3.expand" not in text
    lines = text.splitlines()
    assert lines[0] == "MobileNetV2 (mobilenetv2), keras convention"
    assert "widths: c_0 = 32, c_1 = 16, c_2 = 24, c_3 = 32, c_4 = 64, c_5 = 96, c_6 = 160, c_7 = 320, c_8 = 1280" in lines
    stage3 = next(line for line in lines if line.startswith("stage3 "))
    block, first = d.stages[3].block["all"].value, d.stages[3].counts["all"].first.value
    assert f"{first:,} + 2 × {block:,} = {d.parts[3].counts['all'].value:,}" in stage3
    assert "28×28×32" in stage3
    assert "total:          3,538,984" in lines
    assert "non-trainable:  " in text and "= 34,112" in text
    macs = next(i for i, line in enumerate(lines) if line.startswith("MACs:"))
    assert "(multiply-accumulates of convolutions and dense layers only)" in lines[macs + 1]


def test_network_markdown_is_a_per_stage_summary():
    """A forum answer about a network: one table row per stage; every layer behind `--detail`."""
    d = derive.show("mobilenetv2")
    text = derive.render(d, "markdown")
    stage2 = next(line for line in text.splitlines() if line.startswith("| stage2 |"))
    assert f"| {d.parts[2].counts['all'].value:,} |" in stage2
    block, first = d.stages[2].block["all"].value, d.stages[2].counts["all"].first.value
    assert f"stage2 {first:,} + {block:,} = {d.parts[2].counts['all'].value:,}" in text  # n = 2: first + one more
    assert "`stage2.1.expand`" not in text
    assert "`stage2.1.expand`" in derive.render(d, "markdown", detail=True)
