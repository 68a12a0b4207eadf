"""Random sequence models (`helpers/codegen_sequence.py`) read by derive and built for real in Keras and PyTorch.

For each seeded program: the counts under every convention (`paper`, `pytorch`, `keras`) against the
framework's own (`count_params()`, trainable and non-trainable weights; `parameters()` and `buffers()`),
every layer's output shape against the framework's (Keras' symbolic outputs; PyTorch forward hooks on an
unbatched input, whose shapes are derive's batchless ones), and for PyTorch the multiply-accumulates
against `torch.utils.flop_counter.FlopCounterMode` (its FLOPs are two per multiply-accumulate; oneDNN off,
whose fused LSTM the counter does not see).
The generated code is our own, so the test runs it (`exec`); derive only reads the same text.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest

import derive
from helpers.codegen_sequence import SeqCase, keras_sequence, torch_sequence
from helpers.frameworks import need_keras, need_torch

pytestmark = pytest.mark.frameworks
PROGRAMS = int(os.environ.get("DERIVE_SEQUENCE_PROGRAMS", "24"))  # per framework: 48 a run by default


def run(case: SeqCase):
    namespace: dict = {"__name__": "generated"}
    exec(compile(case.source, "<generated>", "exec"), namespace)  # our own generated code, not user input
    return namespace["model"]


def derivations(tmp_path: Path, case: SeqCase) -> dict:
    path = tmp_path / "model.py"
    path.write_text(case.source, encoding="utf-8")
    return {c: derive.show(str(path), convention=c, **case.values) for c in ("paper", "pytorch", "keras")}


def totals(d) -> dict:
    return {key: count.value for key, count in d.total.items()}


def keras_shape(output) -> tuple:
    return tuple(output.shape[1:])


@pytest.mark.parametrize("seed", range(PROGRAMS))
def test_random_keras_sequence_model(seed, tmp_path):
    keras_module = need_keras()
    keras_module.utils.clear_session()  # Keras names layers per session: `lstm`, then `lstm_1`, ...
    case = keras_sequence(seed)
    model = run(case)
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    got = derivations(tmp_path, case)
    keras = totals(got["keras"])
    assert (keras["all"], keras["trainable"], keras["non_trainable"]) == (model.count_params(), trainable, frozen), \
        case.source
    for convention in ("paper", "pytorch"):
        assert totals(got[convention])["all"] == model.count_params(), (convention, case.source)
    outputs, last = {}, None
    if isinstance(model, keras_module.Sequential):  # built with build(): its layers are called anew, symbolically
        last = keras_module.Input(shape=(case.steps,) if case.ids else (case.steps, case.features))
    for layer in model.layers:
        output = layer.output if last is None else layer(last)
        last = output if last is not None else None
        for i, one in enumerate(output if isinstance(output, (list, tuple)) else [output]):
            outputs[(layer.name, i)] = tuple(case.steps if d is None else d for d in keras_shape(one))
    rows = got["keras"].layers
    assert rows
    for row in rows:
        name, _, which = row.name.partition(".")
        if which:
            continue  # a second output: compared through the layer's list below
        assert tuple(row.shape) == outputs[(name, 0)], (row.name, case.source)
    assert tuple(rows[-1].shape) == outputs[(model.layers[-1].name, 0)]


@pytest.mark.parametrize("seed", range(PROGRAMS))
def test_random_torch_sequence_model(seed, tmp_path):
    torch = need_torch()
    from torch.utils.flop_counter import FlopCounterMode

    case = torch_sequence(seed)
    model = run(case)
    params = list(model.parameters())
    got = derivations(tmp_path, case)
    pytorch = totals(got["pytorch"])
    assert (pytorch["all"], pytorch["trainable"], pytorch["buffers"]) == (
        sum(p.numel() for p in params), sum(p.numel() for p in params if p.requires_grad),
        sum(b.numel() for b in model.buffers())), case.source
    for convention in ("paper", "keras"):
        assert totals(got[convention])["all"] == pytorch["all"], (convention, case.source)
    shapes = {}

    def hook(name):
        def record(module, inputs, output):
            shapes[name] = tuple((output[0] if isinstance(output, tuple) else output).shape)
        return record

    for name, module in model.named_children():
        module.register_forward_hook(hook(name))
    if case.ids is not None:
        x = torch.randint(0, case.ids, (case.steps,))
    else:
        x = torch.randn(case.steps, case.features)
    model.eval()
    # oneDNN's fused LSTM is not seen by the counter; PyTorch's own kernels are (the same products)
    with torch.no_grad(), torch.backends.mkldnn.flags(enabled=False), FlopCounterMode(display=False) as counter:
        model(x)
    rows = got["pytorch"].layers
    assert [r.name for r in rows] == list(shapes), case.source
    for row in rows:
        assert tuple(row.shape) == shapes[row.name], (row.name, case.source)
    assert pytorch["macs"] * 2 == counter.get_total_flops(), case.source
