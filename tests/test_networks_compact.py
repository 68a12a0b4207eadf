"""DenseNet-121, SqueezeNet 1.0/1.1 and ShuffleNetV2 against torchvision's own models (0.28) and
keras.applications' DenseNet121: parameters, buffers (non-trainable), output shape and multiply-accumulates,
the latter equal to fvcore's count of convolutions and linear layers at 224×224. Each reference model is
built once per module; a second, odd size only where the padding or ceil-mode pooling makes it tell."""

from __future__ import annotations

from functools import cache

import pytest

import derive
from helpers.frameworks import need_torch, need_torchvision
from helpers.reference_models import (FVCORE_MACS, fvcore_by_operator, keras_application, keras_report, torch_report,
                                      torchvision_model)

TORCHVISION = [  # (derive name, torchvision builder, H, W, classes)
    ("shufflenetv2-x0.5", "shufflenet_v2_x0_5", 224, 224, 1000),
    ("shufflenetv2-x1.0", "shufflenet_v2_x1_0", 224, 224, 1000),
    ("shufflenetv2-x1.5", "shufflenet_v2_x1_5", 224, 224, 1000),
    ("shufflenetv2-x2.0", "shufflenet_v2_x2_0", 224, 224, 1000),
    ("shufflenetv2-x1.0", "shufflenet_v2_x1_0", 97, 131, 10),
    ("squeezenet1.0", "squeezenet1_0", 224, 224, 1000),
    ("squeezenet1.1", "squeezenet1_1", 224, 224, 1000),
    ("squeezenet1.0", "squeezenet1_0", 97, 131, 10),  # odd sizes: valid stem, ceil-mode pools
    ("squeezenet1.1", "squeezenet1_1", 96, 130, 10),
    ("densenet121", "densenet121", 224, 224, 1000),
    ("densenet121", "densenet121", 97, 131, 10),  # odd sizes: the transitions' pools floor
    ("densenet169", "densenet169", 224, 224, 1000),
    ("densenet201", "densenet201", 224, 224, 1000),
    ("densenet161", "densenet161", 224, 224, 1000),
]


@cache
def reference(builder: str, classes: int):
    return torchvision_model(builder, num_classes=classes)


@cache
def report(builder: str, classes: int, H: int, W: int) -> dict:
    return torch_report(reference(builder, classes), (3, H, W))


@pytest.mark.frameworks
@pytest.mark.parametrize("name,builder,H,W,classes", TORCHVISION, ids=lambda v: str(v))
def test_network_matches_torchvision(name, builder, H, W, classes):
    d = derive.show(builder, convention="pytorch", H=H, W=W, classes=classes)
    assert d.target == name
    got = report(builder, classes, H, W)
    assert d.total["all"].value == got["parameters"]
    assert d.total["buffers"].value == got["buffers"]
    assert tuple(int(v) for v in d.layers[-1].shape) == got["shape"]
    assert d.total["macs"].value == got["macs"]
    if (H, W) == (224, 224):
        fvcore = fvcore_by_operator(reference(builder, classes), (3, H, W))
        assert d.total["macs"].value == sum(n for op, n in fvcore.items() if op in FVCORE_MACS)


@pytest.mark.frameworks
@pytest.mark.parametrize("app", ["DenseNet121", "DenseNet169", "DenseNet201"])
def test_densenet_matches_keras_applications(app):
    model = keras_application(app, 224, 224)
    got = keras_report(model)
    d = derive.show(app, convention="keras")
    assert d.target == app.lower()
    assert d.total["all"].value == got["total"]
    assert d.total["trainable"].value == got["trainable"]
    assert d.total["non_trainable"].value == got["non_trainable"]
    assert d.total["macs"].value == got["macs"]
    assert tuple(int(v) for v in d.layers[-1].shape) == got["shape"]


@pytest.mark.frameworks
def test_symbols_vary_the_network_as_torchvision_does():
    """The growth rate, bottleneck factor and stem of DenseNet (the transitions' widths follow their default
    ⌊(c + n·k)/2⌋), and ShuffleNetV2's stage widths, set as symbols: torchvision's model built so agrees."""
    models = need_torchvision().models
    dense = models.DenseNet(growth_rate=12, num_init_features=24, bn_size=2, num_classes=10).eval()
    d = derive.show("densenet121", convention="pytorch", H=64, W=80, classes=10, k=12, b=2, c_0=24)
    _same(d, torch_report(dense, (3, 64, 80)))
    shuffle = models.ShuffleNetV2([4, 8, 4], [16, 64, 128, 256, 512], num_classes=10).eval()
    d = derive.show("shufflenetv2-x1.0", convention="pytorch", H=64, W=80, classes=10, c_0=16, c_1=64, c_2=128,
                    c_3=256, c_4=512)
    _same(d, torch_report(shuffle, (3, 64, 80)))


def _same(d, got: dict) -> None:
    assert d.total["all"].value == got["parameters"]
    assert d.total["buffers"].value == got["buffers"]
    assert d.total["macs"].value == got["macs"]
    shape = tuple(int(v) for v in d.layers[-1].shape)
    assert (shape if len(shape) == 1 else (shape[-1], *shape[:-1])) == got["shape"]  # channels first


def _module(name: str, *args):
    """A block of torchvision's model code: DenseNet's `_DenseLayer` (which returns only its k new channels;
    its `_DenseBlock` concatenates them to its input, as here) and `_Transition`, SqueezeNet's `Fire`,
    ShuffleNetV2's `InvertedResidual`."""
    models = need_torchvision().models
    torch = need_torch()
    if name == "dense-layer":
        layer = models.densenet._DenseLayer(*args, drop_rate=0)

        class Concatenated(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.layer = layer

            def forward(self, x):
                return torch.cat([x, self.layer(x)], 1)

        return Concatenated().eval()
    build = {"transition": models.densenet._Transition, "fire": models.squeezenet.Fire,
             "shufflenet-unit": models.shufflenetv2.InvertedResidual}[name]
    return build(*args).eval()


BLOCKS = [  # (derive name, sizes, torchvision's arguments, H, W)
    ("dense-layer", {"C_in": 64, "k": 32}, (64, 32, 4), 56, 56),
    ("dense-layer", {"C_in": 100, "k": 12, "b": 2}, (100, 12, 2), 15, 17),
    ("transition", {"C_in": 256, "C_out": 128}, (256, 128), 56, 56),
    ("transition", {"C_in": 90, "C_out": 45}, (90, 45), 15, 17),  # odd: the average pool floors
    ("fire", {"C_in": 96, "s_1x1": 16, "e_1x1": 64, "e_3x3": 64}, (96, 16, 64, 64), 54, 54),
    ("fire", {"C_in": 100, "s_1x1": 20, "e_1x1": 30, "e_3x3": 50}, (100, 20, 30, 50), 13, 11),
    ("shufflenet-unit", {"C_in": 116, "C_out": 116}, (116, 116, 1), 28, 28),
    ("shufflenet-unit", {"C_in": 24, "C_out": 116, "s": 2}, (24, 116, 2), 57, 55),
]


@pytest.mark.frameworks
@pytest.mark.parametrize("name,sizes,args,H,W", BLOCKS, ids=lambda v: str(v) if isinstance(v, str) else "")
def test_block_matches_torchvisions_module(name, sizes, args, H, W):
    d = derive.show(name, convention="pytorch", H=H, W=W, **sizes)
    _same(d, torch_report(_module(name, *args), (sizes["C_in"], H, W)))


# -- the worked solution and the slide fit their pages ----------------------------------------------------
@pytest.mark.parametrize("name", ["densenet121", "squeezenet1.0", "shufflenetv2-x1.0"])
def test_worked_solution_and_slide_fit_and_show_every_stage(name, tmp_path):
    """The article and the slide compile without a box over a point too wide, too high or too loose
    (DenseNet's classifier box once made the slide's diagram 8 pt too high), with the total on both and
    every stage's count in the article."""
    import re
    import subprocess

    from derive.presentation.render import render
    from helpers.rendering_cases import need, pdftotext, tex_ready

    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    d = derive.show(name)
    grouped = lambda value: f"{value:,}".replace(",", " ")  # noqa: E731  (a thin space, as pdftotext gives it)
    for fmt in ("tex", "slide"):
        (tmp_path / "doc.tex").write_text(render(d, fmt), encoding="utf-8")
        for _ in range(2):  # twice, for longtable's widths
            subprocess.run(["pdflatex", "-interaction=nonstopmode", "-no-shell-escape", "doc.tex"], cwd=tmp_path,
                           capture_output=True, timeout=180, check=False)
        log = (tmp_path / "doc.log").read_text(encoding="latin-1")
        boxes = [m.group(0) for m in re.finditer(r"(Overfull|Underfull) \\[hv]box \((\d+\.?\d*)pt too \w+\)", log)
                 if float(m.group(2)) > 1]
        assert boxes == [], fmt
        words = " ".join(pdftotext((tmp_path / "doc.pdf").read_bytes(), tmp_path).split())
        assert grouped(d.total["all"].value) in words, fmt
        if fmt == "tex":
            for stage in d.stages:
                assert grouped(stage.counts["all"].value) in words, stage.name
