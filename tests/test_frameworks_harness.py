"""Tests of the framework harness (tests/helpers/frameworks.py) itself, against the frameworks only.

The figures asserted here are either published (/work/shared/reference/README.md) or recorded
from the frameworks (/work/shared/reference/framework_cases.json, whose code is transcribed below
into layer descriptions); everything else is checked by making PyTorch and Keras agree.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from helpers import frameworks as fw
from helpers.frameworks import NotApplicable, keras_counts, torch_counts

frameworks = pytest.mark.frameworks

# ------------------------------------------------------------------------- published figures


@frameworks
@pytest.mark.parametrize("bias, keras_total, trainable", [(False, 426, 348), (True, 465, 387)])
def test_mobilenetv2_published(bias: bool, keras_total: int, trainable: int) -> None:
    layers, residual = fw.mobilenetv2_block(3, 6, 3, k=3, s=1, bias=bias)
    assert residual
    k = keras_counts(layers, (8, 8, 3), residual)
    assert (k["total"], k["trainable"], k["non_trainable"]) == (keras_total, trainable, 78)
    t = torch_counts(layers, (8, 8, 3), residual)
    assert (t["parameters"], t["trainable"], t["buffers"]) == (trainable, trainable, 81)
    assert k["output_shape"] == t["output_shape"] == (8, 8, 3)


# Cases of framework_cases.json (index in comments) that are a plain sequence of layers.
BN, BN_NO_SCALE = {"op": "batch_norm"}, {"op": "batch_norm", "scale": False}
RELU6, FLAT = {"op": "activation", "name": "relu6"}, {"op": "flatten"}
GAP, DROP = {"op": "global_avg_pool2d"}, {"op": "dropout", "rate": 0.1}
KERAS_CASES = [
    ((32, 32, 8), [BN_NO_SCALE, BN_NO_SCALE,  # 0
                   {"op": "conv2d", "filters": 16, "kernel": 1, "padding": "same", "bias": False},
                   RELU6, BN_NO_SCALE,
                   {"op": "separable_conv2d", "filters": 8, "kernel": 3, "padding": "same",
                    "bias": False},
                   {"op": "conv2d", "filters": 18, "kernel": 3, "stride": 2, "padding": "same"},
                   BN, {"op": "max_pool2d", "pool": 2, "padding": "same"}], (1882, 1782, 100)),
    ((16, 16, 16), [{"op": "conv2d", "filters": 18, "kernel": 5, "stride": 2,  # 2
                     "padding": "same", "groups": 2},
                    {"op": "max_pool2d", "pool": 2, "padding": "same"}, BN,
                    {"op": "conv2d", "filters": 96, "kernel": 3, "stride": 2, "padding": "same",
                     "bias": False},
                    {"op": "layer_norm"}], (19434, 19398, 36)),
    ((16, 16, 1), [GAP, BN, {"op": "activation", "name": "relu"},  # 14
                   {"op": "dense", "units": 100}, {"op": "dense", "units": 10, "bias": False},
                   {"op": "dense", "units": 10, "bias": False}, BN,
                   {"op": "dense", "units": 1000, "bias": False}], (11344, 11322, 22)),
    ((16, 16, 48), [BN, {"op": "depthwise_conv2d", "kernel": 5, "multiplier": 2,  # 26
                         "padding": "same", "bias": False},
                    {"op": "separable_conv2d", "filters": 16, "kernel": 3, "padding": "same"}],
     (5008, 4912, 96)),
]
TORCH_CASES = [
    ((8, 8, 3), [{"op": "conv2d", "filters": 18, "kernel": 1},  # 1
                 {"op": "group_norm", "groups": 2}, BN, {"op": "group_norm", "groups": 2},
                 {"op": "conv2d", "filters": 64, "kernel": 1, "bias": False}, RELU6, BN],
     (1460, 166)),
    ((8, 8, 3), [BN, GAP, DROP, BN, DROP], (12, 14)),  # 3
    ((8, 8, 3), [RELU6, {"op": "conv2d", "filters": 32, "kernel": 5, "stride": 2,  # 5
                         "padding": 2}, RELU6, GAP, {"op": "layer_norm"}], (2496, 0)),
    ((8, 8, 16), [{"op": "conv2d", "filters": 16, "kernel": 1, "groups": 4, "bias": False},  # 13
                  GAP, {"op": "layer_norm"}, DROP, {"op": "layer_norm"}, BN, DROP,
                  {"op": "dense", "units": 1000}, DROP], (17160, 33)),
    ((8, 8, 1), [{"op": "group_norm", "groups": 1},  # 21
                 {"op": "conv2d", "filters": 64, "kernel": 5, "stride": 2, "padding": 2},
                 RELU6, BN,
                 {"op": "conv2d", "filters": 32, "kernel": 3, "stride": 2, "padding": 1},
                 {"op": "conv2d", "filters": 64, "kernel": 5, "padding": 2, "groups": 4},
                 {"op": "conv2d", "filters": 16, "kernel": 1, "stride": 2, "groups": 4,
                  "bias": False}], (33378, 129)),
]


@frameworks
@pytest.mark.parametrize("in_shape, layers, expected", KERAS_CASES)
def test_recorded_keras_cases(in_shape: tuple[int, ...], layers: list[fw.Layer],
                              expected: tuple[int, int, int]) -> None:
    k = keras_counts(layers, in_shape)
    assert (k["total"], k["trainable"], k["non_trainable"]) == expected


@frameworks
@pytest.mark.parametrize("in_shape, layers, expected", TORCH_CASES)
def test_recorded_torch_cases(in_shape: tuple[int, ...], layers: list[fw.Layer],
                              expected: tuple[int, int]) -> None:
    t = torch_counts(layers, in_shape)
    assert (t["parameters"], t["buffers"]) == expected
    assert t["trainable"] == t["parameters"]


# ------------------------------------------------------------------------- the two frameworks agree

SAME_IN_BOTH = [
    ((9, 9, 4), {"op": "conv2d", "filters": 6, "kernel": 3, "stride": 2, "padding": "same"}),
    ((8, 8, 4), {"op": "conv2d", "filters": 6, "kernel": 3, "stride": 2, "padding": "same"}),
    ((9, 9, 4), {"op": "conv2d", "filters": 6, "kernel": (3, 5), "padding": "valid"}),
    ((9, 9, 4), {"op": "conv2d", "filters": 6, "kernel": 3, "dilation": 2, "padding": "same"}),
    ((9, 9, 4), {"op": "conv2d", "filters": 6, "kernel": 3, "dilation": 2}),
    ((9, 9, 4), {"op": "conv2d", "filters": 6, "kernel": 3, "groups": 2, "bias": False}),
    ((9, 9, 4), {"op": "conv2d", "filters": 6, "kernel": 4, "padding": "same"}),
    ((9, 9, 4), {"op": "conv2d", "filters": 6, "kernel": 3, "stride": 2, "padding": (1, 2)}),
    ((9, 9, 4), {"op": "depthwise_conv2d", "kernel": 3, "stride": 2, "padding": "same"}),
    ((9, 9, 4), {"op": "depthwise_conv2d", "kernel": 3, "multiplier": 2, "bias": False}),
    ((9, 9, 4), {"op": "depthwise_conv2d", "kernel": 3, "stride": 2, "dilation": 2}),
    ((9, 9, 4), {"op": "depthwise_conv2d", "kernel": 2, "stride": 2, "dilation": 2,
                 "padding": "same"}),
    ((9, 9, 4), {"op": "separable_conv2d", "filters": 8, "kernel": 3, "padding": "same"}),
    ((9, 9, 4), {"op": "separable_conv2d", "filters": 8, "kernel": 3, "stride": 2,
                 "multiplier": 2, "bias": False}),
    ((9, 9, 4), {"op": "dense", "units": 5}),
    ((9, 9, 4), {"op": "batch_norm"}),
    ((9, 9, 4), {"op": "batch_norm", "center": False, "scale": False}),
    ((9, 9, 4), {"op": "layer_norm"}),
    ((9, 9, 4), {"op": "layer_norm", "center": False}),
    ((9, 9, 4), {"op": "layer_norm", "center": False, "scale": False}),
    ((9, 9, 4), {"op": "group_norm", "groups": 2}),
    ((9, 9, 4), {"op": "group_norm", "groups": 4, "affine": False}),
    ((9, 9, 4), {"op": "max_pool2d", "pool": 2}),
    ((9, 9, 4), {"op": "avg_pool2d", "pool": 3, "stride": 2}),
    ((9, 9, 4), {"op": "max_pool2d", "pool": 3, "stride": 1, "padding": 1}),
    ((9, 9, 4), {"op": "global_avg_pool2d"}),
    ((9, 9, 4), {"op": "global_max_pool2d"}),
    ((9, 9, 4), {"op": "dropout", "rate": 0.1}),
    ((9, 9, 4), {"op": "flatten"}),
] + [((5, 5, 3), {"op": "activation", "name": name}) for name in
     ("relu", "relu6", "sigmoid", "swish", "hard_swish", "gelu", "tanh", "softmax")]


def _agree(layers: list[fw.Layer], in_shape: tuple[int, ...], residual: bool = False) -> None:
    """Shapes equal layer by layer; torch parameters are Keras' trainable weights; torch buffers
    are Keras' non-trainable weights plus one ``num_batches_tracked`` per BatchNorm."""
    k, t = keras_counts(layers, in_shape, residual), torch_counts(layers, in_shape, residual)
    assert k["layer_outputs"] == t["layer_outputs"]
    assert len(t["layer_outputs"]) == len(layers)
    assert k["output_shape"] == t["output_shape"] == (t["layer_outputs"] or [in_shape])[-1]
    assert k["total"] == k["trainable"] + k["non_trainable"]
    assert t["parameters"] == t["trainable"] == k["trainable"]
    norms = sum(1 for layer in layers if layer["op"] == "batch_norm")
    assert t["buffers"] == k["non_trainable"] + norms


@frameworks
@pytest.mark.parametrize("in_shape, layer", SAME_IN_BOTH, ids=lambda v: str(v))
def test_single_op_agrees(in_shape: tuple[int, ...], layer: fw.Layer) -> None:
    _agree([layer], in_shape)


@frameworks
def test_vector_ops_agree() -> None:
    """After flattening, BatchNorm becomes BatchNorm1d and Dense/LayerNorm act on vectors."""
    _agree([{"op": "global_max_pool2d"}, {"op": "batch_norm"}, {"op": "layer_norm"},
            {"op": "group_norm", "groups": 2}, {"op": "dense", "units": 7, "bias": False},
            {"op": "activation", "name": "softmax"}], (6, 6, 4))
    _agree([{"op": "flatten"}, {"op": "dense", "units": 3}], (4, 4, 2))


@frameworks
@pytest.mark.parametrize("block, args", [
    (fw.mobilenetv2_block, (8, 6, 8, 3, 1)), (fw.mobilenetv2_block, (8, 6, 16, 5, 2)),
    (fw.mobilenetv2_block, (8, 1, 8, 3, 1)), (fw.mobilenetv1_block, (8, 16, 3, 2)),
    (fw.mobilenetv1_block, (8, 8, 3, 1))])
@pytest.mark.parametrize("bias", [False, True])
def test_blocks_agree(block: object, args: tuple[int, ...], bias: bool) -> None:
    layers, residual = block(*args, bias=bias)  # type: ignore[operator]
    _agree(layers, (10, 10, args[0]), residual)


def test_block_structure() -> None:
    layers, residual = fw.mobilenetv2_block(8, 1, 8)
    assert residual and [layer["op"] for layer in layers][:2] == ["depthwise_conv2d", "batch_norm"]
    assert len(fw.mobilenetv2_block(8, 6, 8)[0]) == 8
    assert not fw.mobilenetv2_block(8, 6, 8, s=2)[1]
    assert not fw.mobilenetv2_block(8, 6, 16)[1]
    layers, residual = fw.mobilenetv1_block(8, 16)
    assert not residual and len(layers) == 6


@frameworks
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(size=st.integers(5, 12), channels=st.sampled_from([2, 4, 6]), kernel=st.integers(1, 5),
       stride=st.integers(1, 3), dilation=st.integers(1, 2), groups=st.sampled_from([1, 2]),
       padding=st.sampled_from(["same", "valid", (1, 0)]), bias=st.booleans())
def test_conv_agrees_property(size: int, channels: int, kernel: int, stride: int, dilation: int,
                              groups: int, padding: object, bias: bool) -> None:
    assume(dilation * (kernel - 1) < size)
    layer = {"op": "conv2d", "filters": 2 * groups, "kernel": kernel, "stride": stride,
             "dilation": dilation, "groups": groups, "padding": padding, "bias": bias}
    try:
        _agree([layer], (size, size, channels))
    except NotApplicable:
        assume(False)


@frameworks
def test_keras_builds_repeat_without_clear_session() -> None:
    layers, residual = fw.mobilenetv2_block(4, 2, 4)
    first = keras_counts(layers, (6, 6, 4), residual)
    assert all(keras_counts(layers, (6, 6, 4), residual) == first for _ in range(3))


# ------------------------------------------------------------------------- what cannot be built

TORCH_NOT_APPLICABLE = [
    {"op": "conv2d", "filters": 4, "kernel": 2, "stride": 2, "padding": "same"},
    {"op": "depthwise_conv2d", "kernel": 4, "stride": 2, "padding": "same"},
    {"op": "max_pool2d", "pool": 2, "padding": "same"},
    {"op": "avg_pool2d", "pool": 2, "padding": 2},
    {"op": "batch_norm", "center": True, "scale": False},
    {"op": "layer_norm", "center": True, "scale": False},
]
KERAS_NOT_APPLICABLE = [
    {"op": "batch_norm", "track_running_stats": False},
    {"op": "conv2d", "filters": 4, "kernel": 3, "stride": 2, "dilation": 2},
]


@frameworks
@pytest.mark.parametrize("layer", TORCH_NOT_APPLICABLE, ids=str)
def test_torch_not_applicable(layer: fw.Layer) -> None:
    with pytest.raises(NotApplicable):
        torch_counts([layer], (8, 8, 4))


@frameworks
@pytest.mark.parametrize("layer", KERAS_NOT_APPLICABLE, ids=str)
def test_keras_not_applicable(layer: fw.Layer) -> None:
    with pytest.raises(NotApplicable):
        keras_counts([layer], (8, 8, 4))


@frameworks
def test_one_sided_descriptions_build_elsewhere() -> None:
    assert keras_counts([{"op": "batch_norm", "scale": False}], (4, 4, 3))["total"] == 9
    assert torch_counts([{"op": "batch_norm", "track_running_stats": False}],
                        (4, 4, 3))["buffers"] == 0
    assert keras_counts([{"op": "max_pool2d", "pool": 2, "padding": "same"}],
                        (5, 5, 3))["output_shape"] == (3, 3, 3)


@frameworks
def test_mobilenetv2_even_kernel() -> None:
    with pytest.raises(NotApplicable):
        torch_counts(*_args(fw.mobilenetv2_block(4, 2, 4, k=4, s=2), (8, 8, 4)))
    _agree(*_args(fw.mobilenetv2_block(4, 2, 4, k=4, s=1), (8, 8, 4)))  # stride 1: torch 'same'


def _args(block: tuple[list[fw.Layer], bool], in_shape: tuple[int, ...]) -> tuple:
    return block[0], in_shape, block[1]


@pytest.mark.parametrize("layer", [{"op": "conv3d"}, {"op": "dense", "units": 3, "use_bias": 1},
                                   {"op": "conv2d", "filters": 3}])
def test_bad_descriptions(layer: fw.Layer) -> None:
    with pytest.raises(ValueError):
        fw.normalise(layer)


# ------------------------------------------------------------------------- missing frameworks


def _missing(name: str) -> ModuleType:
    raise ImportError(f"No module named {name!r}")


@pytest.mark.parametrize("need", [fw.need_torch, fw.need_keras])
def test_missing_framework_fails_under_ci(need: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception):
        need(_missing)  # type: ignore[operator]


@pytest.mark.parametrize("need", [fw.need_torch, fw.need_keras])
def test_missing_framework_skips_elsewhere(need: object, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        need(_missing)  # type: ignore[operator]
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        need(_missing)  # type: ignore[operator]


def test_blocked_import_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default importer too: ``None`` in sys.modules makes ``import torch`` fail."""
    monkeypatch.setenv("CI", "true")
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(pytest.fail.Exception):
        fw.need_torch()
    with pytest.raises(pytest.fail.Exception):
        torch_counts([{"op": "flatten"}], (2, 2, 1))


def test_module_imports_without_frameworks() -> None:
    code = ("import sys; sys.modules['torch'] = sys.modules['keras'] = None; from helpers import frameworks; "
            "assert frameworks.mobilenetv2_block(3, 6, 3)[1]")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent)
