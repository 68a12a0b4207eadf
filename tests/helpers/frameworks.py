"""Build real layers and blocks in PyTorch and Keras 3, and report what the frameworks count.

The tests hold ``derive`` to the figures the frameworks themselves give, so nothing here is worked
out by hand: every count is read off a built model and every shape off a real forward pass
(PyTorch) or a symbolic Keras tensor.

A *layer* is a plain dict in channels-last terms, e.g.
``{"op": "conv2d", "filters": 18, "kernel": (1, 1), "padding": "same", "bias": False}``; a *block*
is a list of layers applied in order to an input of shape ``(H, W, C)``, optionally with the block
input added to its output (``residual=True``). Ops and their keys (defaults in ``_KEYS``):

conv2d, depthwise_conv2d, separable_conv2d, dense, batch_norm, layer_norm, group_norm, activation,
max_pool2d, avg_pool2d, global_avg_pool2d, global_max_pool2d, dropout, flatten.

Unknown ops or keys raise ``ValueError`` (a typo must not silently fall back to a default).
A description one framework cannot express raises `NotApplicable`:

* torch conv ``padding="same"`` with a stride > 1 when the effective kernel ``d*(k-1)+1`` is even.
  With an odd effective kernel it is built as ``padding=d*(k-1)//2``, which gives Keras' output
  size ``ceil(H/s)`` (Keras pads asymmetrically, so values differ, shapes and counts do not);
* torch pooling with ``padding="same"``; torch BatchNorm with ``center != scale``; torch LayerNorm
  with ``center=True, scale=False`` (``nn.LayerNorm``'s ``bias`` only acts with
  ``elementwise_affine=True``);
* Keras BatchNorm with ``track_running_stats=False``; Keras ``Conv2D`` with both stride > 1 and
  dilation > 1 (Keras refuses it; its depthwise and separable convolutions accept it).

Explicit padding ``(ph, pw)`` is native in torch; Keras gets a ``ZeroPadding2D`` in front, whose
output is not reported as a layer of its own.
"""

from __future__ import annotations

import functools
import importlib
import math
import os
import sys
import warnings
from types import ModuleType, SimpleNamespace
from typing import Any, Callable

import pytest

Layer = dict[str, Any]
Shape = tuple[int, ...]
Importer = Callable[[str], ModuleType]
REQUIRED: Any = object()

_KEYS: dict[str, dict[str, Any]] = {
    "conv2d": {"filters": REQUIRED, "kernel": REQUIRED, "stride": (1, 1), "padding": "valid",
               "dilation": (1, 1), "groups": 1, "bias": True},
    "depthwise_conv2d": {"kernel": REQUIRED, "stride": (1, 1), "padding": "valid",
                         "dilation": (1, 1), "multiplier": 1, "bias": True},
    "separable_conv2d": {"filters": REQUIRED, "kernel": REQUIRED, "stride": (1, 1),
                         "padding": "valid", "dilation": (1, 1), "multiplier": 1, "bias": True},
    "dense": {"units": REQUIRED, "bias": True},
    "batch_norm": {"center": True, "scale": True, "track_running_stats": True},
    "layer_norm": {"center": True, "scale": True},
    "group_norm": {"groups": REQUIRED, "affine": True},
    "activation": {"name": REQUIRED},
    "max_pool2d": {"pool": REQUIRED, "stride": None, "padding": "valid"},
    "avg_pool2d": {"pool": REQUIRED, "stride": None, "padding": "valid"},
    "global_avg_pool2d": {},
    "global_max_pool2d": {},
    "dropout": {"rate": REQUIRED},
    "flatten": {},
}
"""Every op with its keys and defaults (pooling ``stride=None`` means the pool size)."""

_TORCH_ACTIVATIONS = {"relu": "ReLU", "relu6": "ReLU6", "sigmoid": "Sigmoid", "swish": "SiLU",
                      "hard_swish": "Hardswish", "gelu": "GELU", "tanh": "Tanh"}


class NotApplicable(Exception):
    """The description cannot be expressed in the framework being asked to build it."""


def _need(name: str, importer: Importer) -> ModuleType:
    try:
        return importer(name)
    except ImportError as exc:
        message = f"{name} is needed for this test but cannot be imported: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def need_torch(importer: Importer = importlib.import_module) -> ModuleType:
    """Import and return ``torch``; if it is missing, fail the test under ``CI=true``, else skip."""
    return _need("torch", importer)


def need_keras(importer: Importer = importlib.import_module) -> ModuleType:
    """Import and return ``keras`` (torch backend unless ``KERAS_BACKEND`` says otherwise)."""
    os.environ.setdefault("KERAS_BACKEND", "torch")
    return _need("keras", importer)


def normalise(layer: Layer) -> Layer:
    """The layer with defaults filled in and pairs as tuples; ValueError on an unknown op or key."""
    op = layer.get("op")
    if op not in _KEYS:
        raise ValueError(f"unknown op {op!r}; known: {sorted(_KEYS)}")
    unknown = set(layer) - set(_KEYS[op]) - {"op"}
    if unknown:
        raise ValueError(f"{op}: unknown keys {sorted(unknown)}; allowed: {sorted(_KEYS[op])}")
    full: Layer = {"op": op, **_KEYS[op], **layer}
    missing = [key for key, value in full.items() if value is REQUIRED]
    if missing:
        raise ValueError(f"{op}: missing keys {missing}")
    for key in ("kernel", "stride", "dilation", "pool"):
        if full.get(key) is not None:
            full[key] = _pair(full[key])
    if isinstance(full.get("padding"), (int, list, tuple)):
        full["padding"] = _pair(full["padding"])
    return full


def _pair(value: int | tuple[int, int] | list[int]) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    first, second = value
    return (int(first), int(second))


# --------------------------------------------------------------------------------------- PyTorch


def _torch_same_padding(layer: Layer) -> str | tuple[int, int]:
    """Torch padding for a conv described with ``padding="same"`` (see the module docstring)."""
    if layer["stride"] == (1, 1):
        return "same"
    reach = [d * (k - 1) for k, d in zip(layer["kernel"], layer["dilation"])]
    if any(r % 2 for r in reach):
        raise NotApplicable(f"torch: padding='same' with stride {layer['stride']} needs an odd "
                            f"effective kernel, got kernel {layer['kernel']} dilation "
                            f"{layer['dilation']}")
    return (reach[0] // 2, reach[1] // 2)


def _torch_layer(torch: ModuleType, layer: Layer, in_shape: Shape) -> Any:
    """One torch module for ``layer`` given the channels-first input shape (without batch)."""
    nn = torch.nn
    op, channels = layer["op"], in_shape[0]
    if op in ("conv2d", "depthwise_conv2d", "separable_conv2d"):
        padding = layer["padding"]
        if padding == "same":
            padding = _torch_same_padding(layer)
        elif padding == "valid":
            padding = 0
        common = dict(kernel_size=layer["kernel"], stride=layer["stride"], padding=padding,
                      dilation=layer["dilation"])
        if op == "conv2d":
            return nn.Conv2d(channels, layer["filters"], groups=layer["groups"],
                             bias=layer["bias"], **common)
        depth = channels * layer["multiplier"]
        if op == "depthwise_conv2d":
            return nn.Conv2d(channels, depth, groups=channels, bias=layer["bias"], **common)
        return nn.Sequential(nn.Conv2d(channels, depth, groups=channels, bias=False, **common),
                             nn.Conv2d(depth, layer["filters"], 1, bias=layer["bias"]))
    if op == "dense":
        return _torch_classes().ChannelsLast(nn.Linear(channels, layer["units"],
                                                       bias=layer["bias"]))
    if op == "batch_norm":
        if layer["center"] != layer["scale"]:
            raise NotApplicable("torch: BatchNorm cannot have center != scale (one affine flag)")
        norm = nn.BatchNorm2d if len(in_shape) == 3 else nn.BatchNorm1d
        return norm(channels, affine=layer["scale"],
                    track_running_stats=layer["track_running_stats"])
    if op == "layer_norm":
        if layer["center"] and not layer["scale"]:
            raise NotApplicable("torch: LayerNorm bias needs elementwise_affine=True")
        return _torch_classes().ChannelsLast(
            nn.LayerNorm(channels, elementwise_affine=layer["scale"], bias=layer["center"]))
    if op == "group_norm":
        return nn.GroupNorm(layer["groups"], channels, affine=layer["affine"])
    if op == "activation":
        if layer["name"] == "softmax":
            return nn.Softmax(dim=1)  # the channel axis, for NCHW and for vectors
        if layer["name"] not in _TORCH_ACTIVATIONS:
            raise ValueError(f"unknown activation {layer['name']!r}")
        return getattr(nn, _TORCH_ACTIVATIONS[layer["name"]])()
    if op in ("max_pool2d", "avg_pool2d"):
        padding = layer["padding"]
        if padding == "same":
            raise NotApplicable("torch: pooling has no padding='same'")
        if padding != "valid" and any(2 * p > k for p, k in zip(padding, layer["pool"])):
            raise NotApplicable(f"torch: pool padding {padding} exceeds half the pool size")
        pool = nn.MaxPool2d if op == "max_pool2d" else nn.AvgPool2d
        return pool(layer["pool"], stride=layer["stride"] or layer["pool"],
                    padding=0 if padding == "valid" else padding)
    if op in ("global_avg_pool2d", "global_max_pool2d"):
        pool = nn.AdaptiveAvgPool2d if op == "global_avg_pool2d" else nn.AdaptiveMaxPool2d
        return nn.Sequential(pool(1), nn.Flatten())
    if op == "dropout":
        return nn.Dropout(layer["rate"])
    return nn.Flatten()  # the only op left: normalise() has vetted it


@functools.cache
def _torch_classes() -> SimpleNamespace:
    """The two small ``nn.Module`` subclasses, defined once torch is importable."""
    nn = need_torch().nn

    class ChannelsLast(nn.Module):  # type: ignore[name-defined, misc]
        """Apply ``inner`` to the channel axis of NCHW data, as Keras does on NHWC data."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, x: Any) -> Any:
            if x.dim() != 4:
                return self.inner(x)
            return self.inner(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)

    class Block(nn.Module):  # type: ignore[name-defined, misc]
        """``body`` (one child per layer), plus the input when ``residual``."""

        def __init__(self, body: list[Any], residual: bool) -> None:
            super().__init__()
            self.body = nn.Sequential(*body)
            self.residual = residual

        def forward(self, x: Any) -> Any:
            return x + self.body(x) if self.residual else self.body(x)

    return SimpleNamespace(ChannelsLast=ChannelsLast, Block=Block)


def build_torch_sequence(layers: list[Layer], in_shape: Shape, residual: bool = False) -> Any:
    """An ``nn.Module`` applying ``layers`` to NCHW input of channels-last ``in_shape``; its
    ``body`` is an ``nn.Sequential`` with one child per layer. Each layer is sized from a real
    forward pass of the ones before it. Eval mode, because train-mode BatchNorm1d refuses a
    batch of one; the mode changes no count."""
    torch = need_torch()
    shape = _channels_first(in_shape)
    body = []
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")
        for layer in layers:
            module = _torch_layer(torch, normalise(layer), shape).eval()
            shape = tuple(module(torch.zeros((1, *shape))).shape[1:])
            body.append(module)
    return _torch_classes().Block(body, residual).eval()


def torch_counts(layers: list[Layer], in_shape: Shape, residual: bool = False) -> dict[str, Any]:
    """What PyTorch reports: ``parameters``, ``trainable``, ``buffers``, and channels-last
    ``output_shape`` and ``layer_outputs`` from a forward pass on zeros."""
    torch = need_torch()
    model = build_torch_sequence(layers, in_shape, residual)
    outputs: list[Shape] = []
    hooks = [child.register_forward_hook(lambda _m, _i, out: outputs.append(tuple(out.shape)))
             for child in model.body]
    with torch.no_grad(), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Using padding='same' with even kernel")
        result = model(torch.zeros((1, *_channels_first(in_shape))))
    for hook in hooks:
        hook.remove()
    params = list(model.parameters())
    return {
        "parameters": sum(p.numel() for p in params),
        "trainable": sum(p.numel() for p in params if p.requires_grad),
        "buffers": sum(b.numel() for b in model.buffers()),
        "output_shape": _channels_last(tuple(result.shape)),
        "layer_outputs": [_channels_last(shape) for shape in outputs],
    }


def _channels_first(shape: Shape) -> Shape:
    return (shape[-1], *shape[:-1])


def _channels_last(batched: Shape) -> Shape:
    """Drop the batch axis and move channels last: (N, C, H, W) -> (H, W, C), (N, C) -> (C,)."""
    shape = batched[1:]
    return (*shape[1:], shape[0]) if len(shape) > 1 else shape


# ----------------------------------------------------------------------------------------- Keras


def _keras_layers(keras: ModuleType, layer: Layer) -> list[Any]:
    """The Keras layers for ``layer``, applied in order (explicit padding adds ZeroPadding2D)."""
    kl = keras.layers
    op = layer["op"]
    padding = layer.get("padding", "valid")
    front = []
    if isinstance(padding, tuple):
        front, padding = [kl.ZeroPadding2D(padding)], "valid"
    if op in ("conv2d", "depthwise_conv2d", "separable_conv2d"):
        common = dict(kernel_size=layer["kernel"], strides=layer["stride"], padding=padding,
                      dilation_rate=layer["dilation"], use_bias=layer["bias"])
        if op == "conv2d":
            if max(layer["stride"]) > 1 and max(layer["dilation"]) > 1:
                raise NotApplicable("keras: Conv2D refuses stride > 1 with dilation > 1")
            return front + [kl.Conv2D(layer["filters"], groups=layer["groups"], **common)]
        if op == "depthwise_conv2d":
            return front + [kl.DepthwiseConv2D(depth_multiplier=layer["multiplier"], **common)]
        return front + [kl.SeparableConv2D(layer["filters"], depth_multiplier=layer["multiplier"],
                                           **common)]
    if op in ("max_pool2d", "avg_pool2d"):
        pool = kl.MaxPooling2D if op == "max_pool2d" else kl.AveragePooling2D
        return front + [pool(layer["pool"], strides=layer["stride"], padding=padding)]
    if op == "batch_norm" and not layer["track_running_stats"]:
        raise NotApplicable("keras: BatchNormalization always keeps moving statistics")
    if op == "activation" and layer["name"] not in (*_TORCH_ACTIVATIONS, "softmax"):
        raise ValueError(f"unknown activation {layer['name']!r}")
    simple: dict[str, Callable[[], Any]] = {
        "dense": lambda: kl.Dense(layer["units"], use_bias=layer["bias"]),
        "batch_norm": lambda: kl.BatchNormalization(center=layer["center"], scale=layer["scale"]),
        "layer_norm": lambda: kl.LayerNormalization(axis=-1, center=layer["center"],
                                                    scale=layer["scale"]),
        "group_norm": lambda: kl.GroupNormalization(layer["groups"], center=layer["affine"],
                                                    scale=layer["affine"]),
        "activation": lambda: kl.Activation(layer["name"]),
        "global_avg_pool2d": kl.GlobalAveragePooling2D,
        "global_max_pool2d": kl.GlobalMaxPooling2D,
        "dropout": lambda: kl.Dropout(layer["rate"]),
        "flatten": kl.Flatten,
    }
    return [simple[op]()]


def _build_keras(layers: list[Layer], in_shape: Shape, residual: bool) -> tuple[Any, list[Shape]]:
    keras = need_keras()
    inputs = keras.Input(shape=tuple(in_shape))
    x, outputs = inputs, []
    for layer in layers:
        for keras_layer in _keras_layers(keras, normalise(layer)):
            x = keras_layer(x)
        outputs.append(tuple(x.shape[1:]))
    if residual:
        x = keras.layers.Add()([inputs, x])
    return keras.Model(inputs, x), outputs


def build_keras_sequence(layers: list[Layer], in_shape: Shape, residual: bool = False) -> Any:
    """A functional ``keras.Model`` applying ``layers`` to input of shape ``in_shape`` (H, W, C)."""
    return _build_keras(layers, in_shape, residual)[0]


def keras_counts(layers: list[Layer], in_shape: Shape, residual: bool = False) -> dict[str, Any]:
    """What Keras reports: ``total`` (count_params), ``trainable``, ``non_trainable``,
    ``output_shape`` and ``layer_outputs`` (channels-last, without the batch axis)."""
    model, outputs = _build_keras(layers, in_shape, residual)
    return {
        "total": model.count_params(),
        "trainable": sum(math.prod(w.shape) for w in model.trainable_weights),
        "non_trainable": sum(math.prod(w.shape) for w in model.non_trainable_weights),
        "output_shape": tuple(model.output_shape[1:]),
        "layer_outputs": outputs,
    }


# ------------------------------------------------------------------------- the published blocks


def mobilenetv2_block(C_in: int, t: int, C_out: int, k: int = 3, s: int = 1,
                      bias: bool = False) -> tuple[list[Layer], bool]:
    """MobileNetV2 inverted residual as (layers, residual): expand 1x1 conv to ``t*C_in`` + BN +
    ReLU6 (omitted when ``t == 1``, as torchvision and keras.applications do), depthwise kxk
    stride ``s`` 'same' + BN + ReLU6, project 1x1 conv to ``C_out`` + BN; residual iff
    ``s == 1 and C_in == C_out``. ``bias`` applies to all three convolutions.

    The torch build of 'same' needs odd ``k`` when ``s > 1`` (else NotApplicable); for odd ``k``
    it is padding ``(k-1)//2``, exactly what torchvision uses.
    """
    hidden = t * C_in
    expand: list[Layer] = [] if t == 1 else [
        {"op": "conv2d", "filters": hidden, "kernel": (1, 1), "padding": "same", "bias": bias},
        {"op": "batch_norm"}, {"op": "activation", "name": "relu6"}]
    layers = expand + [
        {"op": "depthwise_conv2d", "kernel": (k, k), "stride": (s, s), "padding": "same",
         "bias": bias},
        {"op": "batch_norm"}, {"op": "activation", "name": "relu6"},
        {"op": "conv2d", "filters": C_out, "kernel": (1, 1), "padding": "same", "bias": bias},
        {"op": "batch_norm"},
    ]
    return layers, s == 1 and C_in == C_out


def mobilenetv1_block(C_in: int, C_out: int, k: int = 3, s: int = 1,
                      bias: bool = False) -> tuple[list[Layer], bool]:
    """MobileNetV1 depthwise-separable block: depthwise kxk stride ``s`` + BN + ReLU, pointwise
    1x1 conv to ``C_out`` + BN + ReLU, as (layers, False): no residual, but the same shape of
    result as `mobilenetv2_block`. ``C_in`` is implied by the input shape; it is only checked."""
    if C_in <= 0:
        raise ValueError(f"C_in must be positive, got {C_in}")
    return [
        {"op": "depthwise_conv2d", "kernel": (k, k), "stride": (s, s), "padding": "same",
         "bias": bias},
        {"op": "batch_norm"}, {"op": "activation", "name": "relu"},
        {"op": "conv2d", "filters": C_out, "kernel": (1, 1), "padding": "same", "bias": bias},
        {"op": "batch_norm"}, {"op": "activation", "name": "relu"},
    ], False


def need(name: str, importer: Importer = importlib.import_module) -> ModuleType:
    """Import and return a package of `tests/requirements.txt` (fvcore, ptflops, thop, torchinfo,
    transformers); missing, the test fails under ``CI=true`` and skips elsewhere."""
    return _need(name, importer)


def need_torchvision(importer: Importer = importlib.import_module) -> ModuleType:
    """Import and return ``torchvision`` (installed ``--no-deps`` beside the CPU torch, tests/requirements-nodeps.txt).

    torchvision's wheels here are CUDA builds: its compiled library does not load beside the CPU torch, and
    at import time it registers Python "fake" kernels for its C++ operators (``torchvision::nms``,
    ``torchvision::qnms``), which fails when those operators were never defined. Its model code is plain
    Python and needs none of them: so the two operators' schemas are declared first (schemas only, no
    kernels; calling them would raise), and torchvision's models, pure ``torch.nn``, build and run as
    published. Detection models, which call ``nms``, are not used by the tests.
    """
    torch = need_torch(importer)
    if "torchvision" not in sys.modules:
        _declare_torchvision_ops(torch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _need("torchvision", importer)


_TORCHVISION_OPS: list = []  # the Library declaring them: kept alive, the declarations go with it


def _declare_torchvision_ops(torch) -> None:
    if _TORCHVISION_OPS:
        return
    try:
        torch._C._dispatch_has_kernel_for_dispatch_key("torchvision::nms", "CPU")
        return  # defined: a torchvision whose C++ library loads (a CPU build) was imported
    except RuntimeError:  # "operator torchvision::nms does not exist"
        pass
    library = torch.library.Library("torchvision", "DEF")
    for op in ("nms", "qnms"):
        library.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")
    _TORCHVISION_OPS.append(library)
