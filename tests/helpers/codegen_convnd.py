"""Keras and PyTorch code of any rank (sequences, images, volumes), run for real and read by derive.

`keras_source(shape, calls, form)` and `torch_source(calls)` write a program a user could paste: layer
calls applied in order to a `keras.Input` (or a `keras.Sequential`, with `input_shape=` on its first layer
or a `keras.Input` in its list), or the modules of an `nn.Sequential`. `keras_report(model)` and
`torch_report(model, shape)` say what the frameworks count and compute: every convention's figures, each
layer's output shape (channels last, as derive shows it) and the multiply-accumulates of the
convolutions (transposed ones too) and dense layers, read off the built layers (Keras) or forward hooks
(PyTorch): weight size × output positions, or × input positions for a transposed convolution, whose
every input position is multiplied by the whole kernel. `derived(path, source, values)` is derive's
reading of the same text under the three conventions.

`random_keras(seed)` and `random_torch(seed)` are the seeded random programs of
`tests/test_random_convnd.py`: each candidate layer is tried on the real framework at the shape reached
so far and kept only if the framework accepts it, so the code always runs; nothing here works a shape
out by hand.
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path
from typing import Any

import derive
from derive.api import load
from helpers.frameworks import need_keras, need_torch

CONVENTIONS = ("paper", "pytorch", "keras")


# -- sources ----------------------------------------------------------------------------------------
def keras_source(shape: tuple, calls: list[str], form: str = "functional") -> str:
    """Keras code applying `calls` (`layers.Conv1D(8, 3)`, ...) in order to an input of `shape`.

    `form`: "functional" (keras.Input ... keras.Model), "sequential" (input_shape= on the first layer),
    "sequential_input" (a keras.Input first in the list)."""
    head = "import keras\nfrom keras import layers\n\n"
    if form == "functional":
        body = [f"inputs = keras.Input(shape={shape!r})", "x = inputs"]
        body += [f"x = {call}(x)" for call in calls]
        body += ["model = keras.Model(inputs, x)"]
        return head + "\n".join(body) + "\n"
    items = [f"keras.Input(shape={shape!r})"] if form == "sequential_input" else []
    for i, call in enumerate(calls):
        if i == 0 and form == "sequential":
            call = call[:-1] + (", " if not call.endswith("()") else "") + f"input_shape={shape!r})"
        items.append(call)
    return head + "model = keras.Sequential([\n" + "".join(f"    {item},\n" for item in items) + "])\n"


def torch_source(calls: list[str]) -> str:
    """An `nn.Sequential` of the modules `calls` (`nn.Conv1d(4, 8, 3)`, ...)."""
    return "import torch.nn as nn\n\nmodel = nn.Sequential(\n" + "".join(f"    {call},\n" for call in calls) + ")\n"


def run(source: str) -> Any:
    """Our own generated code, run to build the real model (never user input)."""
    namespace: dict = {"__name__": "generated"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(compile(source, "<generated>", "exec"), namespace)
    return namespace["model"]


# -- what the frameworks report -----------------------------------------------------------------------
def _positions(shape: tuple, channels: int) -> int:
    """Spatial positions of a tensor shape (no batch) holding `channels` channels, in either layout."""
    return math.prod(shape) // channels


def keras_layer_macs(keras: Any, layer: Any) -> int:
    kl = keras.layers
    out = tuple(layer.output.shape[1:])
    transposed = (kl.Conv1DTranspose, kl.Conv2DTranspose, kl.Conv3DTranspose)
    if isinstance(layer, transposed):
        return math.prod(layer.kernel.shape) * _positions(tuple(layer.input.shape[1:]), layer.kernel.shape[-1])
    if isinstance(layer, (kl.SeparableConv1D, kl.SeparableConv2D)):
        kernels = math.prod(layer.depthwise_kernel.shape) + math.prod(layer.pointwise_kernel.shape)
        return kernels * _positions(out, layer.filters)
    if isinstance(layer, (kl.DepthwiseConv1D, kl.DepthwiseConv2D)):
        return math.prod(layer.kernel.shape) * _positions(out, layer.kernel.shape[-2] * layer.kernel.shape[-1])
    if isinstance(layer, (kl.Conv1D, kl.Conv2D, kl.Conv3D)):
        return math.prod(layer.kernel.shape) * _positions(out, layer.filters)
    if isinstance(layer, kl.Dense):
        return math.prod(layer.kernel.shape) * math.prod(out[:-1])
    return 0


def keras_report(model: Any) -> dict:
    """count_params, trainable and non-trainable weights, each layer's output shape, the MACs."""
    keras = need_keras()
    layers = [layer for layer in model.layers if not isinstance(layer, keras.layers.InputLayer)]
    sized = None not in model.input_shape[1:]  # open sizes: no positions to count MACs at
    return {"keras": (model.count_params(), sum(math.prod(w.shape) for w in model.trainable_weights),
                      sum(math.prod(w.shape) for w in model.non_trainable_weights)),
            "paper": sum(math.prod(w.shape) for w in model.trainable_weights),
            "shapes": [tuple(layer.output.shape[1:]) for layer in layers],
            "macs": sum(keras_layer_macs(keras, layer) for layer in layers) if sized else None}


def torch_report(model: Any, shape: tuple) -> dict:
    """parameters(), trainable ones, buffers, each leaf module's output shape (channels last) and the MACs
    of a forward pass on zeros of `shape` (channels first, no batch)."""
    torch = need_torch()
    nn = torch.nn
    convs = (nn.Conv1d, nn.Conv2d, nn.Conv3d)
    transposed = (nn.ConvTranspose1d, nn.ConvTranspose2d, nn.ConvTranspose3d)
    macs, shapes = 0, []

    def hook(module, inputs, output):
        nonlocal macs
        if isinstance(module, convs):
            macs += module.weight.numel() * math.prod(output.shape[2:])
        elif isinstance(module, transposed):
            macs += module.weight.numel() * math.prod(inputs[0].shape[2:])
        elif isinstance(module, nn.Linear):
            macs += module.weight.numel() * math.prod(output.shape[1:-1])
        dims = tuple(output.shape[1:])
        shapes.append((*dims[1:], dims[0]) if len(dims) > 1 and not isinstance(module, nn.Linear) else dims)

    leaves = [m for m in model.modules() if not list(m.children())]
    handles = [m.register_forward_hook(hook) for m in leaves]
    model.eval()
    with torch.no_grad():
        model(torch.zeros((1, *shape)))
    for handle in handles:
        handle.remove()
    params = list(model.parameters())
    buffers = sum(b.numel() for b in model.buffers())
    total = sum(p.numel() for p in params)
    return {"pytorch": (total, sum(p.numel() for p in params if p.requires_grad), buffers),
            "paper": total, "shapes": shapes, "macs": macs}


# -- what derive reads ----------------------------------------------------------------------------------
def derived(tmp_path: Path, source: str, values: dict | None = None) -> dict:
    """derive's figures for the text under each convention (with those of `values` the code has as
    symbols bound), each layer's shape and the MACs."""
    path = tmp_path / "pasted.py"
    path.write_text(source, encoding="utf-8")
    names = load(str(path)).symbols.names
    bound = {name: value for name, value in (values or {}).items() if name in names}
    out: dict = {}
    for convention in CONVENTIONS:
        d = derive.show(str(path), convention=convention, **bound)
        total = {key: count.value for key, count in d.total.items()}
        out[convention] = total
        if convention == "paper":
            out["shapes"] = [tuple(int(v) for v in row.shape) for row in d.layers]
            out["macs"] = total["macs"]
    return out


def check_keras(tmp_path: Path, source: str, sized: str | None = None, values: dict | None = None) -> None:
    """derive against Keras on the same text: every convention, every layer's shape, the MACs.

    For an input with open sizes (None), Keras gives no shapes: `sized` is the same code with the sizes
    `values` bind, whose shapes and MACs derive must give for the open text with `values` bound."""
    need_keras()
    want = keras_report(run(source)) if sized is None else {**keras_report(run(sized)), **{
        k: v for k, v in keras_report(run(source)).items() if k in ("keras", "paper")}}
    got = derived(tmp_path, source, values)
    assert (got["keras"]["all"], got["keras"]["trainable"], got["keras"]["non_trainable"]) == want["keras"], source
    assert got["paper"]["all"] == want["paper"], source
    assert got["shapes"] == want["shapes"], source
    assert got["macs"] == want["macs"], source


def check_torch(tmp_path: Path, source: str, shape: tuple, values: dict) -> None:
    """derive against PyTorch on the same text, run on an input of `shape` (channels first): the sizes
    derive leaves open are bound by `values` (`L`, `D`, `H`, `W`)."""
    need_torch()
    want = torch_report(run(source), shape)
    got = derived(tmp_path, source, values)
    assert (got["pytorch"]["all"], got["pytorch"]["trainable"], got["pytorch"]["buffers"]) == want["pytorch"], source
    assert got["paper"]["all"] == want["paper"], source
    assert got["shapes"] == want["shapes"], source
    assert got["macs"] == want["macs"], source


def torch_values(shape: tuple) -> dict:
    """The symbols of a PyTorch input of `shape` (channels first): C_in and L, or D, H, W."""
    names = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}.get(len(shape) - 1, ())
    return {"C_in": shape[0], **dict(zip(names, shape[1:]))}
