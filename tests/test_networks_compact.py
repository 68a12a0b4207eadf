"""DenseNet-121, SqueezeNet 1.0/1.1 and ShuffleNetV2 against torchvision's own models (0.28) and
keras.applications' DenseNet121: parameters, buffers (non-trainable), output shape and multiply-accumulates,
the latter equal to fvcore's count of convolutions and linear layers at 224×224. Each reference model is
built once per module; a second, odd size only where the padding or ceil-mode pooling makes it tell."""

from __future__ import annotations

from functools import cache

import pytest

import derive
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
def test_densenet121_matches_keras_applications():
    model = keras_application("DenseNet121", 224, 224)
    got = keras_report(model)
    d = derive.show("DenseNet121", convention="keras")
    assert d.target == "densenet121"
    assert d.total["all"].value == got["total"]
    assert d.total["trainable"].value == got["trainable"]
    assert d.total["non_trainable"].value == got["non_trainable"]
    assert d.total["macs"].value == got["macs"]
    assert tuple(int(v) for v in d.layers[-1].shape) == got["shape"]
