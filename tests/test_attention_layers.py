"""Attention as people write it, each variant read by derive and built for real in its framework.

Keras: `MultiHeadAttention` in a functional model, self-attention (`mha(x, x)`, `mha(query=x, value=x)`),
with `key=`, cross-attention on tensors of other widths, `value_dim`, `output_shape`, `use_bias=False`,
`return_attention_scores=True`, attention over an image's two axes. PyTorch: `nn.MultiheadAttention`
(packed and separate projections, `bias`, `add_bias_kv`, `add_zero_attn`, `kdim`/`vdim`, `batch_first`),
`nn.TransformerEncoderLayer` / `DecoderLayer` / `Encoder` / `Decoder` and `nn.Transformer`.

Against each: the parameters under every convention (`count_params()`, trainable and non-trainable
weights; `parameters()`, buffers), the output shape, the projections' multiply-accumulates (forward hooks
on PyTorch's modules; the real kernels times the positions they project in Keras) and attention's matrix
products, measured by `torch.utils.flop_counter.FlopCounterMode` on a forward pass (flops = 2·MACs).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import derive
from derive.cli import main
from derive.errors import InputError
from helpers.codegen_attention import measure_keras, measure_torch
from helpers.frameworks import need_keras, need_torch

pytestmark = pytest.mark.frameworks

KERAS_HEAD = "import keras\nfrom keras import layers\n\n"
KERAS = {  # name -> (body after `x = inputs`, input shape)
    "self": ("y = layers.MultiHeadAttention(4, 8)(x, x)", (10, 16)),
    "self by keyword": ("y = layers.MultiHeadAttention(num_heads=2, key_dim=3)(query=x, value=x)", (7, 12)),
    "key given": ("k = layers.Dense(5)(x)\ny = layers.MultiHeadAttention(3, 4, value_dim=6)(x, x, key=k)", (6, 8)),
    "cross": ("kv = layers.Dense(20)(x)\ny = layers.MultiHeadAttention(2, 16, dropout=0.1)(x, kv)", (9, 12)),
    "cross, key and value apart": ("v = layers.Dense(7)(x)\nk = layers.Dense(11, use_bias=False)(x)\n"
                                   "y = layers.MultiHeadAttention(4, 5)(x, v, k)", (5, 6)),
    "output_shape": ("y = layers.MultiHeadAttention(2, 4, output_shape=9)(x, x)", (8, 6)),
    "output_shape tuple, no bias": ("y = layers.MultiHeadAttention(3, 2, 7, use_bias=False, output_shape=(5,))(x, x)",
                                    (4, 10)),
    "scores": ("y, scores = layers.MultiHeadAttention(2, 8, attention_axes=(1,))(x, x, return_attention_scores=True)\n"
               "y = layers.LayerNormalization()(y)\ny = layers.Dense(3)(y)", (6, 8)),
    "image": ("y = layers.MultiHeadAttention(2, 4)(x, x)", (3, 5, 6)),
}

TORCH = {  # name -> (__init__ lines, forward lines, input shape with the batch)
    "attention": (["self.attn = nn.MultiheadAttention(16, 4, batch_first=True)"],
                  ["x, _ = self.attn(x, x, x)"], (1, 10, 16)),
    "attention, sequence first": (["self.attn = nn.MultiheadAttention(12, 3)"],
                                  ["x = self.attn(x, x, x, need_weights=False)[0]"], (7, 1, 12)),
    "attention, no bias, bias_kv, zero_attn": (
        ["self.attn = nn.MultiheadAttention(8, 2, bias=False, add_bias_kv=True, add_zero_attn=True, batch_first=True)"],
        ["x, _ = self.attn(x, x, x)"], (1, 6, 8)),
    "attention, kdim and vdim": (
        ["self.k = nn.Linear(16, 5)", "self.v = nn.Linear(16, 7)",
         "self.attn = nn.MultiheadAttention(16, 2, kdim=5, vdim=7, add_bias_kv=True, batch_first=True)"],
        ["x, _ = self.attn(x, self.k(x), self.v(x))"], (1, 9, 16)),
    "attention, kdim = vdim = embed_dim": (
        ["self.attn = nn.MultiheadAttention(8, 4, kdim=8, vdim=8, batch_first=True)", "self.out = nn.Linear(8, 3)"],
        ["x = self.out(self.attn(x, x, x)[0])"], (1, 5, 8)),
    "encoder layer": (["self.layer = nn.TransformerEncoderLayer(16, 4, batch_first=True, dropout=0.0)"],
                      ["x = self.layer(x)"], (1, 6, 16)),
    "encoder layer, no bias, pre-norm, gelu": (
        ['self.layer = nn.TransformerEncoderLayer(12, 2, 24, 0.0, "gelu", bias=False, norm_first=True, '
         'batch_first=True)'], ["x = self.layer(x)"], (1, 5, 12)),
    "decoder layer": (["self.layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, "
                       "batch_first=True)"], ["x = self.layer(x, x)"], (1, 7, 8)),
    "encoder": (["layer = nn.TransformerEncoderLayer(8, 2, 32, dropout=0.0, batch_first=True)",
                 "self.encoder = nn.TransformerEncoder(layer, num_layers=3, norm=nn.LayerNorm(8), "
                 "enable_nested_tensor=False)"], ["x = self.encoder(x)"], (1, 4, 8)),
    "decoder": (["layer = nn.TransformerDecoderLayer(8, 4, 16, dropout=0.0, batch_first=True)",
                 "self.decoder = nn.TransformerDecoder(layer, 2)", "self.head = nn.Linear(8, 3)"],
                ["x = self.head(self.decoder(x, x))"], (1, 5, 8)),
    "transformer": (["self.embed = nn.Linear(5, 16)",
                     "self.transformer = nn.Transformer(16, 4, 2, 1, 40, dropout=0.0, batch_first=True)"],
                    ["x = self.embed(x)", "x = self.transformer(x, x)"], (1, 6, 5)),
    "transformer, defaults": (["self.transformer = nn.Transformer(dropout=0.0, batch_first=True)"],
                              ["x = self.transformer(x, x)"], (1, 3, 512)),
}


def keras_source(body: str, shape: tuple) -> str:
    return f"{KERAS_HEAD}inputs = keras.Input(shape={shape})\nx = inputs\n{body}\nmodel = keras.Model(inputs, y)\n"


def torch_source(init: list[str], forward: list[str]) -> str:
    lines = ["import torch", "import torch.nn as nn", "", "", "class Net(nn.Module):", "    def __init__(self):",
             "        super().__init__()", *(f"        {line}" for line in init), "", "    def forward(self, x):",
             *(f"        {line}" for line in forward), "        return x", "", "", "model = Net()"]
    return "\n".join(lines) + "\n"


def run(source: str):
    namespace: dict = {"__name__": "attention_case"}
    exec(compile(source, "<attention case>", "exec"), namespace)  # our own test code, not user input
    return namespace["model"]


def derived(tmp_path: Path, source: str, convention: str, **values):
    path = tmp_path / "attention.py"
    path.write_text(source, encoding="utf-8")
    return derive.show(str(path), convention=convention, **values)


def totals(d) -> dict:
    return {key: count.value for key, count in d.total.items()}


# -- Keras ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", KERAS)
def test_keras_attention_counts_as_keras_does(name, tmp_path):
    need_keras()
    body, shape = KERAS[name]
    source = keras_source(body, shape)
    real = measure_keras(run(source), [(1, *shape)])
    keras_view = totals(derived(tmp_path, source, "keras"))
    assert (keras_view["all"], keras_view["trainable"], keras_view["non_trainable"]) == (
        real["total"], real["trainable"], real["non_trainable"])
    assert totals(derived(tmp_path, source, "paper"))["all"] == real["trainable"]
    pytorch_view = derived(tmp_path, source, "pytorch")
    assert (totals(pytorch_view)["all"], totals(pytorch_view)["buffers"]) == (real["total"], 0)
    assert tuple(int(v) for v in pytorch_view.layers[-1].shape) == real["shape"]
    assert keras_view["macs"] == real["projection_macs"]
    assert keras_view["macs"] + keras_view["attention_macs"] == real["all_macs"]
    assert keras_view["attention_macs"] > 0


def test_keras_terms_are_the_layers_weights(tmp_path):
    """Each term is one of Keras' weights, by path and size: query/kernel is d_query×heads×key_dim, ..."""
    keras = need_keras()
    body, shape = KERAS["cross, key and value apart"]
    source = keras_source(body, shape)
    model = run(source)
    (layer,) = [w for w in model.layers if isinstance(w, keras.layers.MultiHeadAttention)]
    weights = {w.path.partition("/")[2]: math.prod(w.shape) for w in layer.weights}
    d = derived(tmp_path, source, "keras")
    (row,) = [r for r in d.layers if r.op == "multi_head_attention"]
    assert {t.term.name: t.value for t in row.terms} == weights


# -- PyTorch --------------------------------------------------------------------------------------
def projection_hooks(model, inputs) -> int:
    """The projections' MACs from forward hooks: each nn.Linear's weight per position of its input, and
    each nn.MultiheadAttention's projection weights per position of the query, key, value it gets."""
    torch = need_torch()
    nn = torch.nn
    macs = 0

    def hook(module, args, kwargs, output):
        nonlocal macs
        if isinstance(module, nn.MultiheadAttention):
            query, key, value = (kwargs.get(n, a) for n, a in zip(("query", "key", "value"), args + (None,) * 3))
            d = module.embed_dim
            positions = [math.prod(t.shape[:-1]) for t in (query, key, value)]
            widths = [d, module.kdim, module.vdim]
            macs += sum(p * w * d for p, w in zip(positions, widths)) + positions[0] * d * d
        elif type(module) is nn.Linear:
            macs += module.weight.numel() * math.prod(args[0].shape[:-1])

    handles = [m.register_forward_hook(hook, with_kwargs=True) for m in model.modules()]
    model.train()
    with torch.no_grad():
        model(torch.zeros(inputs))
    for handle in handles:
        handle.remove()
    return macs


@pytest.mark.parametrize("name", TORCH)
def test_torch_attention_counts_as_pytorch_does(name, tmp_path):
    need_torch()
    init, forward, shape = TORCH[name]
    source = torch_source(init, forward)
    model = run(source)
    real = measure_torch(model, [shape])
    length = shape[1] if "batch_first=True" in "".join(init) else shape[0]
    d = derived(tmp_path, source, "pytorch", L=length)
    got = totals(d)
    assert (got["all"], got["buffers"]) == (real["parameters"], real["buffers"])
    assert totals(derived(tmp_path, source, "keras", L=length))["all"] == real["parameters"]
    assert totals(derived(tmp_path, source, "paper", L=length))["all"] == real["parameters"]
    assert d.layers[-1].shape[-1] == real["shape"][-1]
    assert got["macs"] == real["projection_macs"] == projection_hooks(model, shape)
    assert got["attention_macs"] == real["attention_macs"] > 0
    assert not real["other"]


def test_torch_terms_are_the_modules_parameters(tmp_path):
    """Each term of a transformer module is one of PyTorch's parameters, by name (layers.* for the copies)."""
    torch = need_torch()
    init, forward, _ = TORCH["encoder"]
    source = torch_source(init, forward)
    named = {}
    for name, p in run(source).named_parameters():
        key = name.removeprefix("encoder.")
        key = ".".join("*" if part.isdigit() else part for part in key.split("."))
        named[key] = named.get(key, 0) + p.numel()
    d = derived(tmp_path, source, "pytorch", L=4)
    assert {t.term.name: t.value for t in d.layers[0].terms} == named
    assert isinstance(torch.nn.TransformerEncoder, type)


def test_attention_is_four_d_squared_plus_four_d(tmp_path):
    """nn.MultiheadAttention(d, h): 4·d² + 4·d whatever h, as PyTorch counts for several d and h."""
    nn = need_torch().nn
    for d, h in ((8, 1), (8, 8), (12, 3), (30, 5)):
        source = f"import torch.nn as nn\n\nmodel = nn.MultiheadAttention({d}, {h})\n"
        got = totals(derived(tmp_path, source, "pytorch", L=3))["all"]
        assert got == sum(p.numel() for p in nn.MultiheadAttention(d, h).parameters())


# -- what derive says -----------------------------------------------------------------------------
def test_json_adds_attention_macs_and_keeps_the_contract(tmp_path, capsys):
    need_torch()
    init, forward, shape = TORCH["encoder layer"]
    path = tmp_path / "encoder.py"
    path.write_text(torch_source(init, forward), encoding="utf-8")
    assert main(["show", str(path), "--set", f"L={shape[1]}", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["total"]) == {"trainable", "non_trainable", "all", "buffers", "macs", "attention_macs"}
    (layer,) = data["layers"]
    assert set(layer["attention_macs"]) == {"formula", "expr", "latex", "value"}
    real = measure_torch(run(torch_source(init, forward)), [shape])
    assert layer["attention_macs"]["value"] == data["total"]["attention_macs"]["value"] == real["attention_macs"]
    assert data["total"]["macs"]["value"] == real["projection_macs"]


def test_a_block_without_attention_has_no_attention_macs(capsys):
    assert main(["show", "mobilenetv2-block", "--set", "C_in=3", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert "attention_macs" not in data["total"] and all("attention_macs" not in row for row in data["layers"])


@pytest.mark.parametrize("body, message", [
    ("y = layers.MultiHeadAttention(2, 4)(x)", "MultiHeadAttention is called on a query and a value ('value' is missing"),
    ("y = layers.MultiHeadAttention(2, 4)(x, x, bias=x)", "MultiHeadAttention is not called with bias="),
    ("y = layers.MultiHeadAttention(2, 4, attention_axes=(2,))(x, x)", "only attention over every axis"),
    ("y, s = layers.MultiHeadAttention(2, 4)(x, x, return_attention_scores=True)\ny = layers.Dense(3)(s)",
     "the attention scores"),
    ("y = layers.MultiHeadAttention(2, 4, use_gate=True)(x, x)", "use_gate=True is not supported"),
    ("y = keras.Sequential([layers.MultiHeadAttention(2, 4)])(x)", "cannot be a layer of a Sequential model"),
])
def test_keras_mistakes_are_one_line_at_their_place(tmp_path, body, message):
    with pytest.raises(InputError) as caught:
        derived(tmp_path, keras_source(body, (5, 6)), "keras")
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("init, message", [
    ("self.attn = nn.MultiheadAttention(10, 3)", "embed_dim (10) must be divisible by num_heads (3)"),
    ("self.enc = nn.TransformerEncoder(nn.Linear(4, 4), 2)", "encoder_layer must be an nn.TransformerEncoderLayer"),
    ("self.t = nn.Transformer(16, 4, custom_encoder=nn.Linear(2, 2))", "custom_encoder="),
])
def test_torch_mistakes_are_one_line_at_their_place(tmp_path, init, message):
    with pytest.raises(InputError) as caught:
        derived(tmp_path, torch_source([init], ["pass"]), "pytorch")
    assert message in str(caught.value) and "\n" not in str(caught.value)


# -- frozen attention keeps its multiply-accumulates ------------------------------------------------
def test_frozen_attention_still_multiplies(tmp_path):
    """A frozen attention layer keeps its attention products. PyTorch's `requires_grad_(False)` moves its
    weights to non-trainable; Keras' `MultiHeadAttention(..., trainable=False)` builds its projections after
    the flag is set, and they stay trainable in `model.summary()`: derive counts both as their framework does."""
    need_keras()
    body, shape = ("y = layers.MultiHeadAttention(4, 8, trainable=False)(x, x)", (10, 16))
    source = keras_source(body, shape)
    real = measure_keras(run(source), [(1, *shape)])
    got = totals(derived(tmp_path, source, "keras"))
    assert (got["all"], got["trainable"], got["non_trainable"]) == (real["total"], real["trainable"], real["non_trainable"])
    assert got["macs"] + got["attention_macs"] == real["all_macs"] and got["macs"] == real["projection_macs"]

    need_torch()
    init, forward, shape = TORCH["attention"]
    source = torch_source([*init, "self.attn.requires_grad_(False)"], forward)
    model = run(source)
    real = measure_torch(model, [shape])
    got = totals(derived(tmp_path, source, "pytorch", L=shape[1]))
    assert got["all"] == real["parameters"] == got["non_trainable"]
    assert got["trainable"] == sum(p.numel() for p in model.parameters() if p.requires_grad) == 0
    assert (got["macs"], got["attention_macs"]) == (real["projection_macs"], real["attention_macs"])
