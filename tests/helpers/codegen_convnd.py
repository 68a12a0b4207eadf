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
import random
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
        shapes.append((*dims[1:], dims[0]) if len(dims) > 1 else dims)  # channels last, as derive shows it

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


# -- random programs ---------------------------------------------------------------------------------
def _tuple(rng: random.Random, rank: int, low: int, high: int, same: bool = False) -> Any:
    """One size or a tuple of `rank` of them, written as a user might."""
    if same or rank == 1 and rng.random() < 0.7 or rng.random() < 0.5:
        value = rng.randint(low, high)
        return value if rng.random() < 0.8 or rank == 1 else (value,) * rank
    return tuple(rng.randint(low, high) for _ in range(rank))


class KerasRandom:
    """A random Keras program: layer calls tried one by one on a symbolic tensor, kept if Keras builds them."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.keras = need_keras()
        rng = self.rng
        self.rank = rng.choice([1, 2, 3])
        self.first = self.rank > 1 and rng.random() < 0.3  # channels_first throughout
        spatial = [rng.randint(*{1: (6, 24), 2: (5, 12), 3: (3, 7)}[self.rank]) for _ in range(self.rank)]
        channels = rng.randint(1, 6)
        self.shape = (channels, *spatial) if self.first else (*spatial, channels)
        self.form = rng.choice(["functional", "functional", "sequential", "sequential_input"])

    def fmt(self) -> str:
        return ", data_format='channels_first'" if self.first else ""

    def candidate(self, dims: tuple) -> str:
        """A layer call for a tensor of `dims` (no batch), in this program's layout."""
        rng, first = self.rng, self.first
        rank = len(dims) - 1
        if rank == 0:
            return rng.choice([f"layers.Dense({rng.randint(2, 12)}, use_bias={rng.random() < 0.7})",
                               f"layers.RepeatVector({rng.randint(2, 6)})", "layers.Dropout(0.3)",
                               self._reshape(dims)])
        channels = dims[0] if first else dims[-1]
        n = "123"[rank - 1] if rank <= 3 else None
        options = ["dense", "flatten", "dropout", "reshape", "permute"]
        if n is not None:
            options += ["conv"] * 4 + ["transpose"] * 3 + ["pool"] * 2 + ["global", "upsample", "crop", "pad"]
            if rank <= 2:
                options += ["depthwise", "separable"]
            if rank == 2:
                options += ["resizing"]
        pick = rng.choice(options)
        fmt = self.fmt() if n is not None else ""
        k = _tuple(rng, rank, 1, 4)
        if pick == "conv":
            stride, dilation = _tuple(rng, rank, 1, 2), 1
            if stride == 1 and rng.random() < 0.4:
                dilation = rng.randint(2, 3)
            paddings = ["valid", "same"] + (["causal"] if rank == 1 and not first else [])
            groups = rng.choice([g for g in (1, 2, 3) if channels % g == 0])
            filters = groups * rng.randint(1, 4)
            return (f"layers.Conv{n}D({filters}, {k!r}, strides={stride!r}, padding={rng.choice(paddings)!r}, "
                    f"dilation_rate={dilation}, groups={groups}, use_bias={rng.random() < 0.7}{fmt})")
        if pick == "transpose":
            stride = _tuple(rng, rank, 1, 3)
            dilation = rng.randint(2, 3) if stride == 1 and rng.random() < 0.3 else 1
            extra = ""
            if rng.random() < 0.4:
                top = min(stride) if isinstance(stride, tuple) else stride
                extra = f", output_padding={rng.randint(0, top - 1)}"
            return (f"layers.Conv{n}DTranspose({rng.randint(1, 6)}, {k!r}, strides={stride!r}, "
                    f"padding={rng.choice(['valid', 'same'])!r}{extra}, dilation_rate={dilation}, "
                    f"use_bias={rng.random() < 0.7}{fmt})")
        if pick == "depthwise":
            return (f"layers.DepthwiseConv{n}D({k!r}, strides={_tuple(rng, rank, 1, 2)!r}, "
                    f"padding={rng.choice(['valid', 'same'])!r}, depth_multiplier={rng.randint(1, 2)}{fmt})")
        if pick == "separable":
            return (f"layers.SeparableConv{n}D({rng.randint(1, 6)}, {k!r}, strides={_tuple(rng, rank, 1, 2)!r}, "
                    f"padding={rng.choice(['valid', 'same'])!r}, depth_multiplier={rng.randint(1, 2)}, "
                    f"use_bias={rng.random() < 0.5}{fmt})")
        if pick == "pool":
            cls = rng.choice(["MaxPooling", "AveragePooling", "MaxPool", "AvgPool"])
            stride = "None" if rng.random() < 0.5 else repr(_tuple(rng, rank, 1, 2))
            return (f"layers.{cls}{n}D({_tuple(rng, rank, 1, 3)!r}, strides={stride}, "
                    f"padding={rng.choice(['valid', 'same'])!r}{fmt})")
        if pick == "global":
            cls = rng.choice(["GlobalAveragePooling", "GlobalMaxPooling", "GlobalAvgPool", "GlobalMaxPool"])
            return f"layers.{cls}{n}D(keepdims={rng.random() < 0.3}{fmt})"
        if pick == "upsample":
            return f"layers.UpSampling{n}D({_tuple(rng, rank, 1, 3)!r}{fmt if rank > 1 else ''})"
        if pick in ("crop", "pad"):
            sides = rng.randint(0, 2) if rng.random() < 0.5 or rank == 1 and rng.random() < 0.5 else (
                (rng.randint(0, 2), rng.randint(0, 2)) if rank == 1 else
                tuple((rng.randint(0, 2), rng.randint(0, 2)) for _ in range(rank)))
            cls = "Cropping" if pick == "crop" else "ZeroPadding"
            layout = fmt if rank > 1 or pick == "pad" else ""
            return f"layers.{cls}{n}D({sides!r}{layout})"
        if pick == "resizing":
            cls = rng.choice(["Resizing", "CenterCrop"])
            return f"layers.{cls}({rng.randint(2, 12)}, {rng.randint(2, 12)}{fmt})"
        if pick == "dense":
            return f"layers.Dense({rng.randint(2, 8)})"
        if pick == "flatten":
            return "layers.Flatten()"
        if pick == "dropout":
            spatial = f"layers.SpatialDropout{n}D(0.2)" if n is not None else "layers.Dropout(0.2)"
            return rng.choice(["layers.Dropout(0.1)", spatial])
        if pick == "permute":
            order = list(range(1, rank + 2))
            rng.shuffle(order)
            return f"layers.Permute({tuple(order)!r})"
        return self._reshape(dims)

    def _reshape(self, dims: tuple) -> str:
        total = math.prod(dims)
        factors = [d for d in range(2, total) if total % d == 0 and d <= 24]
        if not factors:
            return f"layers.Reshape(({total},))"
        a = self.rng.choice(factors)
        target = self.rng.choice([(a, total // a), (a, -1), (-1,), (a, 1, total // a)])
        return f"layers.Reshape({target!r})"

    def program(self) -> str:
        keras, rng = self.keras, self.rng
        namespace = {"layers": keras.layers}
        x = keras.Input(shape=self.shape)
        calls: list[str] = []
        want = rng.randint(3, 7)
        for _ in range(40):
            if len(calls) >= want:
                break
            dims = tuple(x.shape[1:])
            call = self.candidate(dims)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    y = eval(call, namespace)(x)  # our own generated call, tried on the real framework
            except Exception:
                continue
            out = tuple(y.shape[1:])
            if not out or any(d is None or d < 1 for d in out) or math.prod(out) > 20000:
                continue
            calls.append(call)
            x = y
        return keras_source(self.shape, calls, self.form)


def random_keras(seed: int) -> str:
    """Seeded random Keras code of any rank that Keras builds (see `KerasRandom`)."""
    return KerasRandom(seed).program()


class TorchRandom:
    """A random PyTorch program: modules tried one by one on a real tensor, kept if PyTorch runs them."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.torch = need_torch()
        rng = self.rng
        self.rank = rng.choice([1, 2, 3])
        spatial = [rng.randint(*{1: (6, 24), 2: (5, 12), 3: (3, 7)}[self.rank]) for _ in range(self.rank)]
        self.shape = (rng.randint(1, 6), *spatial)
        self.form = rng.choice(["sequential", "module"])

    def candidate(self, dims: tuple, first: bool) -> str:
        rng = self.rng
        rank = len(dims) - 1
        if rank == 0:
            features = dims[0]
            if rng.random() < 0.3:
                factors = [d for d in range(2, features) if features % d == 0]
                if factors:
                    c = rng.choice(factors)
                    rest = features // c
                    return rng.choice([f"nn.Unflatten(1, ({c}, {rest}))", f"nn.Unflatten(1, ({c}, -1))"])
            return rng.choice([f"nn.Linear({features}, {rng.randint(2, 16)}, bias={rng.random() < 0.7})",
                               "nn.Dropout(0.2)", "nn.ReLU()"])
        n = "123"[rank - 1]
        channels = dims[0]
        options = ["conv"] * 4 + ["transpose"] * 3
        if not first:
            options += ["pool"] * 2 + ["adaptive", "upsample", "pad", "flatten", "dropout", "act"]
            if rank == 2:
                options += ["shuffle"]
        pick = rng.choice(options)
        k = _tuple(rng, rank, 1, 4)
        if pick == "conv":
            groups = rng.choice([g for g in (1, 2, 3) if channels % g == 0])
            stride, dilation = _tuple(rng, rank, 1, 2), _tuple(rng, rank, 1, 2)
            padding: Any = _tuple(rng, rank, 0, 2)
            if rng.random() < 0.2:
                padding, stride = rng.choice(["'same'", "'valid'"]), 1
            else:
                padding = repr(padding)
            out = groups * rng.randint(1, 4)
            return (f"nn.Conv{n}d({channels}, {out}, {k!r}, stride={stride!r}, padding={padding}, "
                    f"dilation={dilation!r}, groups={groups}, bias={rng.random() < 0.7})")
        if pick == "transpose":
            groups = rng.choice([g for g in (1, 2) if channels % g == 0])
            stride, dilation = rng.randint(1, 3), rng.randint(1, 2)
            extra = rng.randint(0, max(stride, dilation) - 1)
            return (f"nn.ConvTranspose{n}d({channels}, {groups * rng.randint(1, 3)}, {k!r}, stride={stride}, "
                    f"padding={rng.randint(0, 1)}, output_padding={extra}, groups={groups}, "
                    f"bias={rng.random() < 0.7}, dilation={dilation})")
        if pick == "pool":
            kernel = _tuple(rng, rank, 1, 3)
            pad = rng.randint(0, 1)
            cls = rng.choice(["MaxPool", "AvgPool"])
            stride = "None" if rng.random() < 0.4 else str(rng.randint(1, 2))
            smallest = min(kernel) if isinstance(kernel, tuple) else kernel
            ceil = pad == 0 and stride in ("None", "1", "2") and smallest >= (2 if stride == "2" else 1) and \
                rng.random() < 0.3  # derive follows ceil_mode where no window can start in the padding
            return f"nn.{cls}{n}d({kernel!r}, stride={stride}, padding={pad}{', ceil_mode=True' if ceil else ''})"
        if pick == "adaptive":
            size = tuple(rng.choice([None, 1, 2, 3]) for _ in range(rank)) if rng.random() < 0.5 else rng.randint(1, 3)
            return f"nn.Adaptive{rng.choice(['Avg', 'Max'])}Pool{n}d({size!r})"
        if pick == "upsample":
            if rng.random() < 0.3:
                size = tuple(rng.randint(2, 9) for _ in range(rank))
                return f"nn.Upsample(size={size if rank > 1 else size[0]!r})"
            scale = rng.choice([2, 3, 1.5, 2.0])
            return f"nn.Upsample(scale_factor={scale!r})"
        if pick == "pad":
            if rng.random() < 0.5:
                return f"nn.ZeroPad{n}d({rng.randint(0, 2)})"
            return f"nn.ZeroPad{n}d({tuple(rng.randint(0, 2) for _ in range(2 * rank))!r})"
        if pick == "shuffle":
            return rng.choice(["nn.PixelShuffle(2)", "nn.PixelUnshuffle(2)"])
        if pick == "flatten":
            return "nn.Flatten()"
        if pick == "dropout":
            return rng.choice(["nn.Dropout(0.1)", f"nn.Dropout{n}d(0.1)"])
        return rng.choice(["nn.ReLU()", "nn.GELU()", "nn.Identity()"])

    def program(self) -> str:
        torch, rng = self.torch, self.rng
        namespace = {"nn": torch.nn}
        x = torch.zeros((1, *self.shape))
        calls: list[str] = []
        want = rng.randint(3, 7)
        for _ in range(40):
            if len(calls) >= want:
                break
            call = self.candidate(tuple(x.shape[1:]), not calls)
            try:
                with warnings.catch_warnings(), torch.no_grad():
                    warnings.simplefilter("ignore")
                    y = eval(call, namespace)(x)  # our own generated module, tried on the real framework
            except Exception:
                continue
            out = tuple(y.shape[1:])
            if not out or min(out) < 1 or math.prod(out) > 20000:
                continue
            calls.append(call)
            x = y
        if self.form == "sequential":
            return torch_source(calls)
        lines = ["import torch.nn as nn", "", "", "class Net(nn.Module):", "    def __init__(self):",
                 "        super().__init__()"]
        lines += [f"        self.layer{i} = {call}" for i, call in enumerate(calls)]
        lines += ["", "    def forward(self, x):"]
        lines += [f"        x = self.layer{i}(x)" for i in range(len(calls))] + ["        return x", "", "",
                                                                                 "model = Net()", ""]
        return "\n".join(lines)


def random_torch(seed: int) -> tuple[str, tuple]:
    """Seeded random PyTorch code of any rank that PyTorch runs, and the input it runs on (channels first)."""
    generator = TorchRandom(seed)
    return generator.program(), generator.shape
