"""Hold derive's reading of a Keras or PyTorch sequence model to the framework that runs it.

`check_keras(case, tmp_path)`: the counts under every convention against `count_params()` and the
trainable / non-trainable weights, and every layer's output shape against Keras' (its symbolic outputs,
or for a `Sequential` built with `build()` its layers called anew on a symbolic input). `check_torch`:
the counts against `parameters()` and `buffers()`, every module's output shape against a forward hook
on an unbatched input (PyTorch's shapes without the batch are derive's), and with `case.full` the
multiply-accumulates against `torch.utils.flop_counter.FlopCounterMode` (two FLOPs each; oneDNN off, whose
fused LSTM the counter does not see). The code is the test's own: it is run with `exec`.
"""

from __future__ import annotations

import math
from pathlib import Path

import derive

from .codegen_sequence import SeqCase
from .frameworks import need_keras, need_torch

CONVENTIONS = ("paper", "pytorch", "keras")


def run(case: SeqCase):
    namespace: dict = {"__name__": "generated"}
    exec(compile(case.source, "<generated>", "exec"), namespace)  # noqa: S102 - our own test code, not user input
    return namespace["model"]


def derivations(tmp_path: Path, case: SeqCase) -> dict:
    path = tmp_path / "model.py"
    path.write_text(case.source, encoding="utf-8")
    return {c: derive.show(str(path), convention=c, **case.values) for c in CONVENTIONS}


def totals(d) -> dict:
    return {key: count.value for key, count in d.total.items()}


def check_keras(case: SeqCase, tmp_path: Path) -> dict:
    keras = need_keras()
    keras.utils.clear_session()  # Keras names layers per session: `lstm`, then `lstm_1`, ...
    model = run(case)
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    frozen = sum(math.prod(w.shape) for w in model.non_trainable_weights)
    got = derivations(tmp_path, case)
    counts = totals(got["keras"])
    assert (counts["all"], counts["trainable"], counts["non_trainable"]) == (
        model.count_params(), trainable, frozen), case.source
    assert totals(got["pytorch"])["all"] == model.count_params(), case.source
    assert totals(got["paper"])["all"] == trainable, case.source  # a paper counts what is trained
    outputs, last = {}, None
    if isinstance(model, keras.Sequential):  # built with build(): its layers are called anew, symbolically
        last = keras.Input(shape=(case.steps,) if case.ids else (case.steps, case.features))
    for layer in model.layers:
        output = layer.output if last is None else layer(last)
        last = output if last is not None else None
        for i, one in enumerate(output if isinstance(output, (list, tuple)) else [output]):
            outputs[(layer.name, i)] = tuple(case.steps if d is None else d for d in one.shape[1:])
    rows = got["keras"].layers
    assert rows
    for row in rows:
        name, _, which = row.name.partition(".")
        if which:  # a further output of `name`: one of its list's
            assert tuple(row.shape) in [v for (n, _), v in outputs.items() if n == name], (row.name, case.source)
            continue
        assert tuple(row.shape) == outputs[(name, 0)], (row.name, case.source)
    assert tuple(rows[-1].shape) == outputs[(model.layers[-1].name, 0)]
    return got


def check_torch(case: SeqCase, tmp_path: Path) -> dict:
    torch = need_torch()
    from torch.utils.flop_counter import FlopCounterMode

    model = run(case)
    params = list(model.parameters())
    got = derivations(tmp_path, case)
    counts = totals(got["pytorch"])
    assert (counts["all"], counts["trainable"], counts["buffers"]) == (
        sum(p.numel() for p in params), sum(p.numel() for p in params if p.requires_grad),
        sum(b.numel() for b in model.buffers())), case.source
    for convention in ("paper", "keras"):
        assert totals(got[convention])["all"] == counts["all"], (convention, case.source)
    shapes = {}

    def hook(name):
        def record(module, inputs, output):
            shapes[name] = tuple((output[0] if isinstance(output, tuple) else output).shape)
        return record

    for name, module in model.named_modules():
        if name and not list(module.children()):
            module.register_forward_hook(hook(name))
    if case.ids is not None:
        x = torch.randint(0, case.ids, (case.steps,))
    else:
        x = torch.randn(case.steps, case.features)
    model.eval()
    with torch.no_grad(), torch.backends.mkldnn.flags(enabled=False), FlopCounterMode(display=False) as counter:
        model(x)
    rows = got["pytorch"].layers
    assert [r.name for r in rows] == list(shapes), case.source
    if case.full:
        for row in rows:
            assert tuple(row.shape) == shapes[row.name], (row.name, case.source)
        assert counts["macs"] * 2 == counter.get_total_flops(), case.source
    return got
