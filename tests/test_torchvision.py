"""The library's networks against torchvision's own models (0.28, installed beside the CPU torch: see
`need_torchvision`): parameters and buffers from the built model, multiply-accumulates from fvcore's count of
a forward pass (torchvision's published "GFLOPS" column is that count) at 224×224 and at other sizes."""

from __future__ import annotations

import pytest

import derive
from helpers.reference_models import FVCORE_MACS, fvcore_by_operator, torch_report, torchvision_model

CASES = [  # (derive name, options, torchvision builder, its arguments, H, W, classes)
    ("mobilenetv2", {}, "mobilenet_v2", {}, 224, 224, 1000),
    ("mobilenetv2", {}, "mobilenet_v2", {"width_mult": 0.5, "num_classes": 10}, 97, 131, 10),
    ("resnet18", {}, "resnet18", {}, 224, 224, 1000),
    ("resnet34", {}, "resnet34", {}, 224, 224, 1000),
    ("resnet50", {"stride_3x3": True}, "resnet50", {}, 224, 224, 1000),
    ("efficientnet-b0", {}, "efficientnet_b0", {}, 224, 224, 1000),
]


@pytest.mark.frameworks
@pytest.mark.parametrize("name,options,builder,kwargs,H,W,classes", CASES,
                         ids=lambda v: v if isinstance(v, str) else "")
def test_network_matches_torchvision(name, options, builder, kwargs, H, W, classes):
    model = torchvision_model(builder, **kwargs)
    report = torch_report(model, (3, H, W))
    alpha = {"alpha": str(kwargs["width_mult"])} if "width_mult" in kwargs else {}
    d = derive.show(builder, convention="pytorch", options=options, H=H, W=W, classes=classes, **alpha)
    assert d.total["all"].value == report["parameters"]
    assert d.total["buffers"].value == report["buffers"]
    assert tuple(int(v) for v in d.layers[-1].shape) == report["shape"]
    fvcore = fvcore_by_operator(model, (3, H, W))
    assert d.total["macs"].value == sum(n for op, n in fvcore.items() if op in FVCORE_MACS) == report["macs"]
