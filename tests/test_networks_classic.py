"""The classic networks (LeNet-5, AlexNet, VGG ± batch norm, ResNet-101/152, Wide ResNet-50-2) against their
reference implementations: torchvision 0.28's models (parameters, buffers, output shape, and MACs equal to
fvcore's count of convolutions and linear layers), keras.applications' VGG16/VGG19/ResNet101/ResNet152
(weights=None), and LeNet-5 as PyTorch's tutorial and the classic Keras examples write it. Each reference model
is built once per module; every figure must agree exactly."""

from __future__ import annotations

from functools import lru_cache

import pytest
import sympy

import derive
from helpers.frameworks import need_keras, need_torch
from helpers.reference_models import FVCORE_MACS, fvcore_by_operator, keras_application, keras_report, torch_report
from helpers.reference_models import torchvision_model as build_torchvision


@lru_cache(maxsize=1)  # one at a time (a VGG holds 0.5 GB); the cases of one model are next to each other
def torchvision_model(name: str, classes: int = 1000):
    return build_torchvision(name, num_classes=classes)


def fvcore_macs(model, shape) -> int:
    return sum(n for op, n in fvcore_by_operator(model, shape).items() if op in FVCORE_MACS)


TORCHVISION = [  # (derive name as typed, options, torchvision builder, H, W, classes)
    *[(f"vgg{d}", {}, f"vgg{d}", 224, 224, 1000) for d in (11, 13, 16, 19)],
    # the adaptive pool at work: 97×131 leaves 3×4 after the fifth pool, which AdaptiveAvgPool2d spreads to 7×7
    ("vgg19", {}, "vgg19", 97, 131, 1000),
    *[(f"vgg{d}_bn", {}, f"vgg{d}_bn", 224, 224, 1000) for d in (11, 13, 16, 19)],
    ("vgg11-bn", {}, "vgg11_bn", 250, 36, 10),  # 7×1 after the pools
    ("alexnet", {}, "alexnet", 224, 224, 1000),
    ("AlexNet", {}, "alexnet", 97, 131, 10),  # 2×3 after the last pool, spread to 6×6
    ("resnet101", {"stride_3x3": True}, "resnet101", 224, 224, 1000),
    ("resnet152", {"stride_3x3": True}, "resnet152", 224, 224, 1000),
    ("wide_resnet50_2", {}, "wide_resnet50_2", 224, 224, 1000),
    ("wide-resnet50-2", {}, "wide_resnet50_2", 97, 131, 1000),
]


@pytest.mark.frameworks
@pytest.mark.parametrize("name,options,builder,H,W,classes", TORCHVISION,
                         ids=lambda v: str(v) if not isinstance(v, dict) else "")
def test_network_matches_torchvision(name, options, builder, H, W, classes):
    model = torchvision_model(builder, classes)
    report = torch_report(model, (3, H, W))
    d = derive.show(name, convention="pytorch", options=options, H=H, W=W, classes=classes)
    assert d.total["all"].value == report["parameters"]
    assert d.total["buffers"].value == report["buffers"]
    assert tuple(int(v) for v in d.layers[-1].shape) == report["shape"]
    assert d.total["macs"].value == report["macs"]
    if (H, W) == (224, 224):  # torchvision's published "GFLOPS": fvcore's count
        assert d.total["macs"].value == fvcore_macs(model, (3, H, W))


def test_the_published_figures_at_224():
    """torchvision's documented parameter counts (its model tables), as derive gives them by default."""
    expected = {"vgg11": 132_863_336, "vgg13": 133_047_848, "vgg16": 138_357_544, "vgg19": 143_667_240,
                "vgg11-bn": 132_868_840, "vgg13-bn": 133_053_736, "vgg16-bn": 138_365_992, "vgg19-bn": 143_678_248,
                "alexnet": 61_100_840, "resnet101": 44_549_160, "resnet152": 60_192_808,
                "wide-resnet50-2": 68_883_240}
    assert {name: derive.show(name).total["all"].value for name in expected} == expected


# -- keras.applications ----------------------------------------------------------------------------------
KERAS = [  # (derive name, keras.applications name, H, W, options)
    ("vgg16", "VGG16", 224, 224, {}),
    ("vgg16", "VGG16", 224, 224, {"keras_top": True}),
    ("VGG16", "VGG16", 64, 96, {"keras_top": True}),  # Flatten of 2×3×512: the first dense layer shrinks
    ("vgg19", "VGG19", 224, 224, {}),
    ("vgg19", "VGG19", 97, 131, {"keras_top": True}),
    ("resnet101", "ResNet101", 224, 224, {"bias": True}),
    ("ResNet152", "ResNet152", 224, 224, {"bias": True}),
]


@pytest.mark.frameworks
@pytest.mark.parametrize("name,app,H,W,options", KERAS, ids=lambda v: str(v) if not isinstance(v, dict) else "")
def test_network_matches_keras_applications(name, app, H, W, options):
    report = keras_report(keras_application(app, H, W))
    keras = derive.show(name, convention="keras", options=options, H=H, W=W)
    paper = derive.show(name, options=options, H=H, W=W)
    assert keras.total["all"].value == report["total"]
    assert keras.total["trainable"].value == report["trainable"]
    assert keras.total["non_trainable"].value == report["non_trainable"]
    assert paper.total["macs"].value == report["macs"]
    assert tuple(int(v) for v in paper.layers[-1].shape) == report["shape"]


def test_keras_top_differs_from_torchvision_only_away_from_224():
    """At 224×224 the last pool leaves 7×7, what torchvision's adaptive pool makes; elsewhere Keras' Flatten
    takes what is there, and the first dense layer's weights follow the input size."""
    for H, W in ((224, 224), (97, 131)):
        torch_top = derive.show("vgg16", H=H, W=W).parts
        keras_top = derive.show("vgg16", options={"keras_top": True}, H=H, W=W).parts
        fc1 = {p.name: p for p in torch_top}["fc1"].counts["all"].value
        keras_fc1 = {p.name: p for p in keras_top}["fc1"].counts["all"].value
        assert (fc1 == keras_fc1) == ((H, W) == (224, 224))


# -- LeNet-5 -------------------------------------------------------------------------------------------
def torch_lenet5(lazy: bool = False):
    """PyTorch's tutorial "Neural Networks" (pytorch/tutorials, beginner_source/blitz/neural_networks_tutorial.py),
    class `Net`, as written there; `lazy`: fc1 as `nn.LazyLinear(120)`, the same network for any input size
    (sized by its first forward pass: a new model each time, it is small)."""
    torch = need_torch()
    nn, F = torch.nn, torch.nn.functional

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.LazyLinear(120) if lazy else nn.Linear(16 * 5 * 5, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, input):
            c1 = F.relu(self.conv1(input))
            s2 = F.max_pool2d(c1, (2, 2))
            c3 = F.relu(self.conv2(s2))
            s4 = F.max_pool2d(c3, 2)
            s4 = torch.flatten(s4, 1)
            f5 = F.relu(self.fc1(s4))
            f6 = F.relu(self.fc2(f5))
            return self.fc3(f6)

    return Net().eval()


@pytest.mark.frameworks
@pytest.mark.parametrize("H,W,lazy", [(32, 32, False), (28, 28, True), (40, 57, True)])
def test_lenet5_matches_the_pytorch_tutorial(H, W, lazy):
    model = torch_lenet5(lazy)
    torch = need_torch()
    with torch.no_grad():
        model(torch.zeros((1, 1, H, W)))  # sizes the lazy layer
    report = torch_report(model, (1, H, W))
    d = derive.show("LeNet", convention="pytorch", H=H, W=W)
    assert d.total["all"].value == report["parameters"]
    assert d.total["buffers"].value == report["buffers"] == 0
    assert tuple(int(v) for v in d.layers[-1].shape) == report["shape"]
    assert d.total["macs"].value == report["macs"] == fvcore_macs(model, (1, H, W))
    # --option bias=false drops every bias: the model's weights alone
    weights = sum(p.numel() for n, p in model.named_parameters() if n.endswith("weight"))
    assert derive.show("lenet5", options={"bias": False}, H=H, W=W).total["all"].value == weights


@pytest.mark.frameworks
def test_lenet5_matches_the_classic_keras_example():
    """The Keras LeNet-5 of the classic examples (as in the Keras documentation's MNIST convnet, with LeNet's
    layers): Conv2D(6, 5, relu), MaxPooling2D(2), Conv2D(16, 5, relu), MaxPooling2D(2), Flatten,
    Dense(120, relu), Dense(84, relu), Dense(10), on 32×32×1."""
    keras = need_keras()
    layers = keras.layers
    model = keras.Sequential([keras.Input((32, 32, 1)), layers.Conv2D(6, 5, activation="relu"), layers.MaxPooling2D(2),
                              layers.Conv2D(16, 5, activation="relu"), layers.MaxPooling2D(2), layers.Flatten(),
                              layers.Dense(120, activation="relu"), layers.Dense(84, activation="relu"),
                              layers.Dense(10)])
    report = keras_report(model)
    d = derive.show("lenet5", convention="keras")
    assert (d.total["all"].value, d.total["non_trainable"].value) == (report["total"], report["non_trainable"])
    assert d.total["macs"].value == report["macs"]
    assert tuple(int(v) for v in d.layers[-1].shape) == report["shape"]


# -- what derive makes of them ---------------------------------------------------------------------------
def test_vgg_stages_are_n_convolutions_then_a_pool():
    d = derive.show("vgg16")
    rows = {s.name: s for s in d.stages}
    assert [rows[f"stage{i}"].repeat for i in range(1, 6)] == [2, 2, 3, 3, 3]
    assert [int(rows[f"stage{i}"].shape[0]) for i in range(1, 6)] == [112, 56, 28, 14, 7]  # each ends halved
    # n·P(block) + (P(first) − P(block)), with the pool counted once with the first block
    stage3 = rows["stage3"].counts["all"]
    assert stage3.value == stage3.first.value + 2 * stage3.once.value


def test_names_people_type():
    for typed, name in (("vgg16_bn", "vgg16-bn"), ("VGG19", "vgg19"), ("wide_resnet50_2", "wide-resnet50-2"),
                        ("ResNet101", "resnet101"), ("LeNet", "lenet5"), ("lenet-5", "lenet5")):
        assert derive.show(typed).target == name


def test_pooled_sizes_read_as_halvings():
    """A 2×2 pool of stride 2 gives ⌊(H − 2)/2⌋ + 1 = ⌊H/2⌋, and pools in a row ⌊H/4⌋ …: the formulas say so."""
    floors = {str(f.args[0]) for f in derive.show("vgg16").total["macs"].formula.atoms(sympy.Function)
              if type(f).__name__ == "floor"}
    assert floors == {f"{x}/{2 ** i}" for x in "HW" for i in range(1, 5)}
    # LeNet-5's flatten: 16·(⌊H/4⌋ − 3)·(⌊W/4⌋ − 3) features (5×5 at 32×32)
    params = derive.show("lenet5").total["all"].formula
    assert {str(f) for f in params.atoms(sympy.Function)} == {"floor(H/4)", "floor(W/4)"}


CLASSIC = ("lenet5", "alexnet", "vgg11", "vgg13-bn", "vgg19", "resnet101", "resnet152", "wide-resnet50-2")


@pytest.mark.parametrize("name", CLASSIC)
def test_every_format_says_the_total(name, capsys):
    """Each format of each network runs and states the total (the LaTeX formats group thousands by thin spaces)."""
    from derive.cli import main

    total = derive.show(name).total["all"].value
    for fmt, written in (("text", f"{total:,}"), ("json", f'"value": {total}'), ("markdown", f"{total:,}"),
                         ("latex", f"{total:,}".replace(",", r"\,")), ("tex", f"{total:,}".replace(",", r"\,")),
                         ("slide", f"{total:,}".replace(",", r"\,"))):
        assert main(["show", name, "--format", fmt]) == 0
        assert written in capsys.readouterr().out, fmt
