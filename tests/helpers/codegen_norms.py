"""Norms, PReLU, rescaling, Lambda, element-wise joins and activations: the same code read by derive and
run by its framework.

A case is real Keras 3 or PyTorch 2 source text that assigns `model`. derive reads the text from a file
(`derived`); the test runs the very same text in its framework (`keras_truth`, `torch_truth`) and reads
off what the framework counts: Keras' `count_params()`, trainable and non-trainable weights and output
shape; PyTorch's `parameters()`, `buffers()` (the running statistics apart from the `num_batches_tracked`
counters), the output shape of a real forward pass, turned channels-last, and the multiply-accumulates
of its convolutions and linear layers read off forward hooks. Nothing is worked out by hand. `random_keras` and `random_torch` write seeded random programs of these layers.
"""

from __future__ import annotations

import math
import random
from pathlib import Path
from typing import Any

import derive
from derive.api import load
from helpers.frameworks import need_keras, need_torch

CONVENTIONS = ("paper", "pytorch", "keras")


# -- what derive says -------------------------------------------------------------------------------
def derived(tmp_path: Path, code: str, **values: int) -> dict[str, Any]:
    """derive's derivation of `code` under each convention, with those of `values` it has as symbols bound."""
    path = tmp_path / "model.py"
    path.write_text(code, encoding="utf-8")
    names = load(str(path)).symbols.names
    bound = {name: value for name, value in values.items() if name in names}
    return {c: derive.show(str(path), convention=c, **bound) for c in CONVENTIONS}


def figures(d: dict[str, Any]) -> dict[str, Any]:
    """The figures a test compares, by convention and bucket, and the output shape."""
    out = {f"{c}.{k}": d[c].total[k].value for c in CONVENTIONS for k in ("all", "trainable", "non_trainable",
                                                                          "buffers")}
    out["shape"] = tuple(int(v) for v in d["paper"].layers[-1].shape)
    out["macs"] = d["paper"].total["macs"].value
    return out


# -- what the frameworks say ------------------------------------------------------------------------
def keras_truth(code: str) -> dict[str, Any]:
    need_keras()
    scope: dict[str, Any] = {}
    exec(compile(code, "<keras case>", "exec"), scope)  # noqa: S102 -- the test's own code, as derive read it
    model = scope["model"]
    trainable = sum(int(math.prod(w.shape)) for w in model.trainable_weights)
    non_trainable = sum(int(math.prod(w.shape)) for w in model.non_trainable_weights)
    assert model.count_params() == trainable + non_trainable
    return {"total": model.count_params(), "trainable": trainable, "non_trainable": non_trainable,
            "shape": tuple(int(v) for v in model.output_shape[1:])}


def torch_truth(code: str, input_shape: tuple[int, ...] | None) -> dict[str, Any]:
    """`input_shape` channels first without the batch (None: no forward pass, no shape)."""
    torch = need_torch()
    scope: dict[str, Any] = {}
    exec(compile(code, "<torch case>", "exec"), scope)  # noqa: S102 -- the test's own code
    model = scope["model"]
    parameters = sum(p.numel() for p in model.parameters())
    named = list(model.named_buffers())
    buffers = sum(b.numel() for _, b in named)
    statistics = sum(b.numel() for name, b in named if not name.endswith("num_batches_tracked"))
    shape = macs = None
    if input_shape is not None:
        macs = 0

        def hook(module: Any, _inputs: Any, output: Any) -> None:  # weight size × positions it was applied at
            nonlocal macs
            linear = isinstance(module, torch.nn.Linear)
            macs += module.weight.numel() * math.prod(output.shape[1:-1] if linear else output.shape[2:])

        measured = (torch.nn.Conv1d, torch.nn.Conv2d, torch.nn.Conv3d, torch.nn.Linear)
        handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, measured)]
        model.eval()
        with torch.no_grad():
            out = model(torch.rand((1, *input_shape)))
        for handle in handles:
            handle.remove()
        dims = tuple(out.shape[1:])
        shape = (*dims[1:], dims[0]) if len(dims) > 1 else dims
    return {"parameters": parameters, "buffers": buffers, "statistics": statistics, "shape": shape, "macs": macs}


# -- the comparisons --------------------------------------------------------------------------------
def check_keras(got: dict[str, Any], keras: dict[str, Any]) -> None:
    """A Keras model's counts: the keras convention is `count_params()` and its split, paper its trainable."""
    assert got["keras.all"] == keras["total"]
    assert got["keras.trainable"] == keras["trainable"]
    assert got["keras.non_trainable"] == keras["non_trainable"]
    assert got["paper.all"] == keras["trainable"]


def check_torch(got: dict[str, Any], torch: dict[str, Any]) -> None:
    """A PyTorch model's counts: the pytorch convention is `parameters()` and `buffers()`; paper is
    `parameters()`; keras counts the running statistics (not the counters) as non-trainable."""
    assert got["pytorch.all"] == torch["parameters"]
    assert got["pytorch.buffers"] == torch["buffers"]
    assert got["paper.all"] == torch["parameters"]
    assert got["keras.all"] == torch["parameters"] + torch["statistics"]
    if torch["macs"] is not None:  # read off forward hooks: every convolution's and linear layer's
        assert got["macs"] == torch["macs"]


# -- random programs -------------------------------------------------------------------------------
def _keras_norm(rng: random.Random, rank: int, channels: int, sizes: tuple[int, ...]) -> str:
    """One Keras layer of this area, for an input of `rank` axes after the batch (sizes: those axes)."""
    axis = rng.choice([-1, rank, *range(1, rank + 1), -rank])
    flags = f"center={rng.random() < 0.7}, scale={rng.random() < 0.7}"
    choice = rng.choice(["bn", "ln", "rms", "gn", "prelu", "norm", "rescale", "lambda", "act"])
    if choice == "bn":
        return f"layers.BatchNormalization(axis={axis}, {flags})"
    if choice == "ln":
        axes = sorted(rng.sample(range(1, rank + 1), rng.randint(1, rank)))
        spelled = axes[0] if len(axes) == 1 and rng.random() < 0.5 else axes
        return f"layers.LayerNormalization(axis={spelled}, {flags})"
    if choice == "rms":
        axes = sorted(rng.sample(range(1, rank + 1), rng.randint(1, rank)))
        return f"layers.RMSNormalization(axis={axes})"
    if choice == "gn":
        size = sizes[axis - 1] if axis > 0 else sizes[axis]
        groups = rng.choice([g for g in (-1, 1, 2, 3, size) if g == -1 or size % g == 0])
        return f"layers.GroupNormalization(groups={groups}, axis={axis}, {flags})"
    if choice == "prelu":
        shared = sorted(rng.sample(range(1, rank + 1), rng.randint(0, rank)))
        return f"layers.PReLU(shared_axes={shared or None})"
    if choice == "norm":
        picked = rng.choice([None, -1, 1, tuple(sorted(rng.sample(range(1, rank + 1), min(2, rank))))])
        return f"layers.Normalization(axis={picked})"
    if choice == "rescale":
        return f"layers.Rescaling({rng.choice(['1 / 255', '2.0', '0.5'])}, offset={rng.choice([0, -1])})"
    if choice == "lambda":
        return "layers.Lambda(lambda t: t * 2)"
    return rng.choice(["layers.ReLU(max_value=6)", "layers.LeakyReLU(0.2)", "layers.ELU()", "layers.Softmax()",
                       'layers.Activation("gelu")', 'layers.Activation("selu")',
                       "layers.UnitNormalization()"])


def random_keras(rng: random.Random) -> tuple[str, tuple[int, ...]]:
    """A functional Keras model: an image, a vector, a sequence or a volume input, 2-4 layers of this area, a join of two
    branches (one of them possibly pooled to 1×1×C, broadcast back)."""
    form = rng.choice(["image", "image", "image", "vector", "sequence", "volume"])
    channels = rng.choice([2, 3, 4, 6])
    sizes = {"image": (rng.randint(2, 6), rng.randint(2, 6), channels), "vector": (channels,),
             "sequence": (rng.randint(2, 6), channels), "volume": (2, rng.randint(2, 4), rng.randint(2, 4), channels)}[form]
    image = form == "image"
    lines = ["import keras", "from keras import layers", "", f"inputs = keras.Input(shape={sizes})", "x = inputs"]
    for _ in range(rng.randint(1, 3)):
        lines.append(f"x = {_keras_norm(rng, len(sizes), sizes[-1], sizes)}(x)")
    lines.append(f"y = {_keras_norm(rng, len(sizes), sizes[-1], sizes)}(x)")
    if image and rng.random() < 0.4:
        lines.append("y = layers.GlobalAveragePooling2D(keepdims=True)(y)")
    join = rng.choice(["multiply", "subtract", "average", "maximum", "minimum"])
    if rng.random() < 0.5:
        lines.append(f"x = layers.{join}([x, y])")
    else:
        lines.append(f"x = layers.{join.capitalize()}()([x, y])")
    lines.append(f"x = {_keras_norm(rng, len(sizes), sizes[-1], sizes)}(x)")
    lines.append("model = keras.Model(inputs, x)")
    return "\n".join(lines) + "\n", sizes


def _torch_norm(rng: random.Random, c: int, spatial: tuple[int, ...]) -> str:
    """One PyTorch module of this area for an input (N, c, *spatial)."""
    n = len(spatial)
    choice = rng.choice(["bn", "in", "ln", "rms", "gn", "prelu", "act"])
    affine = rng.random() < 0.6
    trailing = [list(spatial[-k:]) for k in range(1, n + 1)] + [[c, *spatial]]
    if choice == "bn":
        return (f"nn.BatchNorm{n}d({c}, affine={affine}, track_running_stats={rng.random() < 0.7}, "
                f"bias={rng.random() < 0.7})")
    if choice == "in":
        return (f"nn.InstanceNorm{n}d({c}, affine={affine}, track_running_stats={rng.random() < 0.4}, "
                f"bias={rng.random() < 0.7})")
    if choice == "ln":
        shape = rng.choice(trailing)
        written = str(shape[0]) if len(shape) == 1 and rng.random() < 0.5 else str(tuple(shape))
        return f"nn.LayerNorm({written}, elementwise_affine={affine}, bias={rng.random() < 0.7})"
    if choice == "rms":
        return f"nn.RMSNorm({rng.choice(trailing)}, elementwise_affine={affine})"
    if choice == "gn":
        groups = rng.choice([g for g in (1, 2, 3, c) if c % g == 0])
        return f"nn.GroupNorm({groups}, {c}, affine={affine})"
    if choice == "prelu":
        return rng.choice(["nn.PReLU()", f"nn.PReLU({c})", f"nn.PReLU(num_parameters={c}, init=0.1)"])
    return rng.choice(["nn.Hardtanh()", "nn.LogSoftmax(dim=1)", "nn.Softmin(1)", "nn.SELU()", "nn.CELU(0.5)",
                       "nn.Softsign()", "nn.Tanhshrink()", "nn.Threshold(0.1, 20.0)", "nn.Mish()", "nn.LeakyReLU(0.2)",
                       "nn.Hardshrink()", "nn.Softshrink(0.3)", "nn.LogSigmoid()", f"nn.SyncBatchNorm({c})",
                       *(["nn.Softmax2d()", "nn.LocalResponseNorm(2)"] if n == 2 else [])])


def random_torch(rng: random.Random) -> tuple[str, tuple[int, ...], dict[str, int]]:
    """An `nn.Sequential`: a 1×1 convolution of 1, 2 or 3 spatial axes stating the channels (mostly 2: an
    image), 2-4 modules of this area, sometimes a flatten, a linear layer and `nn.BatchNorm1d` /
    `nn.PReLU` on the vector. Returns the code, the input (C, *spatial) and the sizes by derive's names."""
    c_in, c = rng.randint(1, 4), rng.choice([2, 3, 4, 6])
    n = rng.choice([1, 2, 2, 2, 3])
    spatial = tuple(rng.randint(2, 5) for _ in range(n))
    names = {1: ("L",), 2: ("H", "W"), 3: ("D", "H", "W")}[n]
    modules = [f"nn.Conv{n}d({c_in}, {c}, 1, bias={rng.random() < 0.5})"]
    modules += [_torch_norm(rng, c, spatial) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.4:
        units = rng.randint(2, 8)
        modules += ["nn.Flatten()", f"nn.Linear({c * math.prod(spatial)}, {units})",
                    rng.choice([f"nn.BatchNorm1d({units})", f"nn.PReLU({units})", "nn.PReLU()",
                                f"nn.BatchNorm1d({units}, affine=False)"])]
    body = ",\n    ".join(modules)
    code = f"import torch.nn as nn\n\nmodel = nn.Sequential(\n    {body},\n)\n"
    return code, (c_in, *spatial), dict(zip(names, spatial))
