"""Attention code, written and measured: a seeded generator of Keras and PyTorch programs with
multi-head attention and PyTorch's transformer modules, and what the frameworks report for a model.

`keras_attention(seed)` writes a Keras script (`keras.Input((T, d))` ... `keras.Model`) around one
`MultiHeadAttention`: self-attention (`mha(x, x)`, `mha(query=x, value=x)`) or cross-attention on
tensors of other widths (`mha(x, kv)`, `mha(x, kv, key=k)`), with or without the scores, every
argument of the layer varied. `torch_attention(seed)` writes an `nn.Module` with an
`nn.MultiheadAttention` (kdim, vdim, add_bias_kv, add_zero_attn, bias, batch_first) or a transformer
module (encoder / decoder layers, stacks, `nn.Transformer`), and a `forward` that runs it.

`measure_torch` / `measure_keras` run a model once and return what the framework says: parameters
(PyTorch: parameters and buffers; Keras: count_params, trainable, non-trainable), the output shape,
and multiply-accumulates from `torch.utils.flop_counter.FlopCounterMode` (flops = 2·MACs): for
PyTorch the linear projections (`addmm`, `mm`) apart from attention's matrix products (`bmm`, with
scaled_dot_product_attention forced to its math form and the modules in training mode, so that no
fused kernel hides them); for Keras (every product an `einsum`) the total, and the projections from
the layer's real kernels times the positions of the tensors they project. (Keras sizes of 1 in a
contraction, key_dim=1, make einsum multiply elementwise, which the counter does not see: the
generator keeps them at 2 or more.)
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from .frameworks import need_keras, need_torch


@dataclass
class Program:
    framework: str  # "keras" or "torch"
    source: str  # what derive reads, and the test runs (our own generated code)
    inputs: list = field(default_factory=list)  # input shapes of the forward pass, batch of 1 included
    values: dict = field(default_factory=dict)  # --set values derive needs (L for PyTorch)


def _call(rng: random.Random, positional: list[tuple[str, str]], keywords: list[tuple[str, str]]) -> str:
    """Arguments, positional ones sometimes as keywords, the optional ones shuffled in as keywords."""
    parts, by_keyword = [], False
    for name, text in positional:
        by_keyword = by_keyword or rng.random() < 0.25
        parts.append(f"{name}={text}" if by_keyword else text)
    rng.shuffle(keywords)
    return ", ".join(parts + [f"{name}={text}" for name, text in keywords])


# -- Keras ----------------------------------------------------------------------------------------
def keras_attention(seed: int) -> Program:
    rng = random.Random(seed)
    T, d = rng.randint(2, 12), rng.choice([4, 6, 8, 12, 16])
    heads, key_dim = rng.randint(1, 4), rng.randint(2, 8)  # key_dim 1: einsum multiplies, unseen
    lines = ["import keras", "from keras import layers", "", f"inputs = keras.Input(shape=({T}, {d}))", "x = inputs"]
    cross = rng.random() < 0.5
    with_key = cross and rng.random() < 0.5
    if cross:
        lines.append(f"kv = layers.Dense({rng.randint(2, 10)})(x)")
    if with_key:
        lines.append(f"k = layers.Dense({rng.randint(2, 10)}, use_bias={rng.random() < 0.5})(x)")
    keywords: list[tuple[str, str]] = []
    if rng.random() < 0.5:
        keywords.append(("value_dim", str(rng.randint(2, 8))))
    if rng.random() < 0.3:
        keywords.append(("use_bias", "False"))
    if rng.random() < 0.4:
        keywords.append(("output_shape", rng.choice([str(rng.randint(2, 9)), f"({rng.randint(2, 9)},)"])))
    if rng.random() < 0.3:
        keywords.append(("dropout", "0.1"))
    if rng.random() < 0.2:
        keywords.append(("attention_axes", rng.choice(["(1,)", "1", "None"])))
    lines.append(f"attention = layers.MultiHeadAttention({_call(rng, [('num_heads', str(heads)), ('key_dim', str(key_dim))], keywords)})")
    value = "kv" if cross else "x"
    if with_key:
        call = rng.choice([f"x, {value}, k", f"x, {value}, key=k", f"query=x, value={value}, key=k"])
    elif cross:
        call = rng.choice([f"x, {value}", f"query=x, value={value}"])
    else:
        call = rng.choice(["x, x", "query=x, value=x", "x, value=x", "x, x, x"])
    if rng.random() < 0.3:
        lines.append(f"y, scores = attention({call}, return_attention_scores=True)")
    else:
        lines.append(f"y = attention({call})")
    if rng.random() < 0.5:
        lines.append("y = layers.LayerNormalization()(y)")
    if rng.random() < 0.5:
        lines.append(f"y = layers.Dense({rng.randint(2, 10)})(y)")
    lines.append("model = keras.Model(inputs, y)")
    return Program("keras", "\n".join(lines) + "\n", [(1, T, d)])


def _called_on(layer) -> tuple:
    """The query, value and key tensors a Keras attention layer was called on (the key: the value's)."""
    arguments = layer._inbound_nodes[0].arguments
    bound = dict(zip(("query", "value", "key"), arguments.args)) | {
        k: v for k, v in arguments.kwargs.items() if k in ("query", "value", "key") and v is not None}
    return bound["query"], bound["value"], bound.get("key", bound["value"])


def measure_keras(model, inputs: list) -> dict:
    """count_params, the (non-)trainable weights, the output shape, the projections' MACs (kernel
    size × positions projected) and all MACs of a forward pass (FlopCounterMode, flops / 2)."""
    keras, torch = need_keras(), need_torch()
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    projections = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.MultiHeadAttention):
            query, value, key = (math.prod(t.shape[1:-1]) for t in _called_on(layer))
            for dense, positions in ((layer._query_dense, query), (layer._key_dense, key),
                                     (layer._value_dense, value), (layer._output_dense, query)):
                projections += math.prod(dense.kernel.shape) * positions
        elif isinstance(layer, keras.layers.Dense):
            projections += math.prod(layer.kernel.shape) * math.prod(layer.output.shape[1:-1])
    with FlopCounterMode(display=False) as counter, sdpa_kernel(SDPBackend.MATH), torch.no_grad():
        model([torch.zeros(shape) for shape in inputs] if len(inputs) > 1 else torch.zeros(inputs[0]))
    flops = sum(counter.get_flop_counts().get("Global", {}).values())
    return {"total": model.count_params(),
            "trainable": sum(math.prod(w.shape) for w in model.trainable_weights),
            "non_trainable": sum(math.prod(w.shape) for w in model.non_trainable_weights),
            "shape": tuple(model.output_shape[1:]), "projection_macs": projections, "all_macs": flops // 2}


# -- PyTorch --------------------------------------------------------------------------------------
def _torch_attention(rng: random.Random, d: int, heads: int, init: list[str], forward: list[str]) -> None:
    keywords: list[tuple[str, str]] = []
    kdim = vdim = None
    if rng.random() < 0.4:
        kdim = rng.choice([d, rng.randint(2, 12)])
        keywords.append(("kdim", str(kdim)))
    if rng.random() < 0.4:
        vdim = rng.choice([d, rng.randint(2, 12)])
        keywords.append(("vdim", str(vdim)))
    for name, chance in (("bias", 0.3), ("add_bias_kv", 0.3), ("add_zero_attn", 0.3)):
        if rng.random() < chance:
            keywords.append((name, "False" if name == "bias" else "True"))
    if rng.random() < 0.3:
        keywords.append(("dropout", "0.1"))
    keywords.append(("batch_first", "True"))
    for name, dim in (("k", kdim), ("v", vdim)):
        if dim is not None:
            init.append(f"        self.{name}_in = nn.Linear({d}, {dim})")
    init.append(f"        self.attn = nn.MultiheadAttention({_call(rng, [('embed_dim', str(d)), ('num_heads', str(heads))], keywords)})")
    k = "self.k_in(x)" if kdim is not None else "x"
    v = "self.v_in(x)" if vdim is not None else "x"
    if rng.random() < 0.5:
        forward.append(f"        x, _ = self.attn(x, {k}, {v})")
    else:
        forward.append(f"        x = self.attn(x, {k}, {v}, need_weights=False)[0]")


def _layer_call(rng: random.Random, cls: str, d: int, heads: int) -> str:
    keywords = [("dim_feedforward", str(rng.randint(4, 40))), ("dropout", "0.0"), ("batch_first", "True")]
    for name, text, chance in (("activation", rng.choice(['"gelu"', '"relu"']), 0.4), ("norm_first", "True", 0.3),
                               ("bias", "False", 0.3), ("layer_norm_eps", "1e-6", 0.2)):
        if rng.random() < chance:
            keywords.append((name, text))
    return f"nn.{cls}({_call(rng, [('d_model', str(d)), ('nhead', str(heads))], keywords)})"


def torch_attention(seed: int) -> Program:
    rng = random.Random(seed)
    heads = rng.randint(1, 4)
    d = heads * rng.randint(1, 6)
    T = rng.randint(2, 12)
    c_in = d
    init = ["import torch", "import torch.nn as nn", "", "", "class Net(nn.Module):", "    def __init__(self):",
            "        super().__init__()"]
    forward = ["", "    def forward(self, x):"]
    if rng.random() < 0.3:
        c_in = rng.randint(2, 12)
        init.append(f"        self.embed = nn.Linear({c_in}, {d})")
        forward.append("        x = self.embed(x)")
    kind = rng.choice(["attention", "attention", "encoder_layer", "decoder_layer", "encoder", "decoder", "transformer"])
    if kind == "attention":
        _torch_attention(rng, d, heads, init, forward)
    elif kind in ("encoder_layer", "decoder_layer"):
        cls = "TransformerEncoderLayer" if kind == "encoder_layer" else "TransformerDecoderLayer"
        init.append(f"        self.block = {_layer_call(rng, cls, d, heads)}")
        forward.append("        x = self.block(x)" if kind == "encoder_layer" else "        x = self.block(x, x)")
    elif kind in ("encoder", "decoder"):
        cls = "TransformerEncoderLayer" if kind == "encoder" else "TransformerDecoderLayer"
        n = rng.randint(1, 3)
        norm = f", norm=nn.LayerNorm({d})" if rng.random() < 0.5 else ""
        extra = ", enable_nested_tensor=False" if kind == "encoder" else ""
        init.append(f"        layer = {_layer_call(rng, cls, d, heads)}")
        init.append(f"        self.stack = nn.{'TransformerEncoder' if kind == 'encoder' else 'TransformerDecoder'}"
                    f"(layer, {rng.choice([str(n), f'num_layers={n}'])}{norm}{extra})")
        forward.append("        x = self.stack(x)" if kind == "encoder" else "        x = self.stack(x, x)")
    else:
        keywords = [("num_encoder_layers", str(rng.randint(1, 2))), ("num_decoder_layers", str(rng.randint(1, 2))),
                    ("dim_feedforward", str(rng.randint(4, 40))), ("dropout", "0.0"), ("batch_first", "True")]
        if rng.random() < 0.3:
            keywords.append(("bias", "False"))
        if rng.random() < 0.3:
            keywords.append(("norm_first", "True"))
        init.append(f"        self.transformer = nn.Transformer({_call(rng, [('d_model', str(d)), ('nhead', str(heads))], keywords)})")
        forward.append("        x = self.transformer(x, x)")
    if rng.random() < 0.4:
        init.append(f"        self.norm = nn.LayerNorm({d})")
        forward.append("        x = self.norm(x)")
    if rng.random() < 0.5:
        init.append(f"        self.head = nn.Linear({d}, {rng.randint(2, 10)})")
        forward.append("        x = self.head(x)")
    forward.append("        return x")
    source = "\n".join(init + forward + ["", "", "model = Net()"]) + "\n"
    return Program("torch", source, [(1, T, c_in)], {"L": T})


def measure_torch(model, inputs: list) -> dict:
    """parameters(), buffers(), the output shape, and the MACs of one forward pass: the linear
    projections (addmm, mm) and attention's matrix products (bmm), flops / 2 each."""
    torch = need_torch()
    from torch.nn.attention import SDPBackend, sdpa_kernel
    from torch.utils.flop_counter import FlopCounterMode

    model.train()  # no fused inference path: every product an aten op the counter sees
    with FlopCounterMode(display=False) as counter, sdpa_kernel(SDPBackend.MATH), torch.no_grad():
        out = model(*(torch.zeros(shape) for shape in inputs))
    counts = {str(op): n for op, n in counter.get_flop_counts().get("Global", {}).items()}
    out = out[0] if isinstance(out, tuple) else out
    return {"parameters": sum(p.numel() for p in model.parameters()),
            "buffers": sum(b.numel() for b in model.buffers()),
            "shape": tuple(out.shape[1:]),
            "projection_macs": (counts.pop("aten.addmm", 0) + counts.pop("aten.mm", 0)) // 2,
            "attention_macs": counts.pop("aten.bmm", 0) // 2, "other": counts}
