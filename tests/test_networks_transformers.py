"""ViT-B/16, BERT-base and GPT-2 small (and the blocks `vit-encoder`, `gpt-block`) against their reference
implementations, built from configurations with no weights downloaded:

- torchvision 0.28 `vit_b_16` and `VisionTransformer` (parameters, buffers, output shape); its
  `EncoderBlock` for `vit-encoder`;
- transformers `BertModel(BertConfig())`, `GPT2LMHeadModel(GPT2Config())` (parameters, buffers as
  `state_dict()` holds them, output shape), and `GPT2Block` for `gpt-block`;
- GPT-2 without biases (`--option bias=false`): `NanoGPT` below, written after nanoGPT's `model.py`
  (Andrej Karpathy, github.com/karpathy/nanoGPT, MIT licence): `LayerNorm` with an optional bias,
  `CausalSelfAttention` (`c_attn`, `c_proj`), `MLP` (`c_fc`, `c_proj`), `Block`, `GPT` with
  `lm_head.weight = wte.weight`; `GPTConfig(bias=False)`.

Multiply-accumulates against fvcore's count of a forward pass. derive's `macs` are the convolutions' and
linear layers' (attention's four projections included), its `attention_macs` attention's QKᵀ and weighted
sum of V. fvcore counts one multiply-add as one "flop":
- transformers' models run with `attn_implementation="eager"`, whose attention is two `torch.matmul`s:
  fvcore's `linear` + `addmm` (GPT-2's `Conv1D`) == macs, its `matmul` == attention_macs;
- torchvision's `nn.MultiheadAttention` runs `F.scaled_dot_product_attention`, which fvcore does not
  count (and, under `no_grad`, a fused kernel that hides the projections too): the pass is traced with
  gradients enabled, so the projections are `linear`s, fvcore's `conv` + `linear` == macs, and the one
  operator fvcore leaves out is given a handle counting QKᵀ and AV from the traced tensors' shapes
  (q: B·h·L·d_k, k: B·h·S·d_k, v: B·h·S·d_v → B·h·L·S·(d_k + d_v)): that count == attention_macs.
  torchvision's published 17.564 "GFLOPS" of vit_b_16 is macs + attention_macs (/10⁹, rounded).
"""

from __future__ import annotations

import math
import os
from functools import cache

import pytest

import derive
from helpers.frameworks import need, need_torch, need_torchvision

os.environ.setdefault("HF_HUB_OFFLINE", "1")
L = 128  # the sequence length of the forward passes (transformers' models)


# -- references ---------------------------------------------------------------------------------------
@cache
def transformers_model(name: str, **config):
    """`BertModel(BertConfig(**config))` or `GPT2LMHeadModel(GPT2Config(**config))`, eager attention."""
    t = _transformers()
    if name == "bert":
        return t.BertModel(t.BertConfig(attn_implementation="eager", **config)).eval()
    return t.GPT2LMHeadModel(t.GPT2Config(attn_implementation="eager", use_cache=False, **config)).eval()


def _transformers():
    """transformers, imported after torchvision's operators are declared (it imports torchvision)."""
    need_torchvision()
    return need("transformers")


def parameters(model) -> int:
    return sum(p.numel() for p in model.parameters())


def saved_buffers(model) -> int:
    """What `state_dict()` holds beyond the parameters (buffers registered `persistent=False` are not in it)."""
    names = {n for n, _ in model.named_parameters(remove_duplicate=False)}
    return sum(t.numel() for n, t in model.state_dict().items() if n not in names)


def fvcore_count(model, inputs, grad: bool = False) -> dict[str, int]:
    """fvcore's count by operator (one multiply-add = 1); scaled_dot_product_attention given a handle."""
    torch = need_torch()
    fvcore_nn = need("fvcore.nn")

    def sdpa(inputs, outputs):
        q, k, v = (i.type().sizes() for i in inputs[:3])
        return math.prod(q[:-1]) * k[-2] * (q[-1] + v[-1])

    with torch.set_grad_enabled(grad):
        analysis = fvcore_nn.FlopCountAnalysis(model, inputs)
        analysis.set_op_handle("aten::scaled_dot_product_attention", sdpa)
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        return {op: int(n) for op, n in analysis.by_operator().items()}


def tokens(length: int = L):
    return need_torch().zeros((1, length), dtype=need_torch().long)


# -- GPT-2 ------------------------------------------------------------------------------------------
GPT_CASES = [  # GPT2Config arguments, derive's sizes for them
    ({}, {}),
    ({"n_embd": 64, "n_head": 4, "n_layer": 3, "vocab_size": 1000, "n_positions": 256},
     {"d_model": 64, "heads": 4, "n_layer": 3, "V": 1000, "T": 256}),
]


@pytest.mark.frameworks
@pytest.mark.parametrize("config,sizes", GPT_CASES, ids=["gpt2", "narrow"])
def test_gpt2_matches_transformers(config, sizes):
    torch = need_torch()
    model = transformers_model("gpt2", **config)
    d = derive.show("gpt2", convention="pytorch", L=L, **sizes)
    assert d.total["all"].value == parameters(model)  # lm_head tied to wte: PyTorch meets the weight once
    assert d.total["trainable"].value == sum(p.numel() for p in model.parameters() if p.requires_grad)
    assert d.total["buffers"].value == saved_buffers(model)
    with torch.no_grad():
        logits = model(tokens()).logits
    assert tuple(int(v) for v in d.layers[-1].shape) == tuple(logits.shape[1:])
    fvcore = fvcore_count(model, (tokens(),))
    assert d.total["macs"].value == fvcore["linear"] + fvcore["addmm"]  # c_attn, c_proj, c_fc (addmm); lm_head
    assert d.total["attention_macs"].value == fvcore["matmul"]  # QKᵀ and AV, whole (the causal mask comes after)


def test_gpt2_answers_to_its_names_and_counts_the_tied_head_once():
    d = derive.show("gpt-2")
    head = next(row for row in d.layers if row.name == "head.lm_head")
    assert not head.terms and head.layer.signature == "tied to wte"
    assert head.counts["macs"].value  # the product is computed all the same
    assert derive.show("GPT2LMHeadModel").total["all"].value == d.total["all"].value


# nanoGPT's model.py (Karpathy, MIT), the parts that hold parameters, as written there
def nanogpt(bias: bool, vocab_size: int = 50257, block_size: int = 1024, n_layer: int = 12, n_head: int = 12,
            n_embd: int = 768):
    torch = need_torch()
    nn, F = torch.nn, torch.nn.functional

    class LayerNorm(nn.Module):
        """LayerNorm but with an optional bias. PyTorch doesn't support simply bias=False"""

        def __init__(self, ndim, bias):
            super().__init__()
            self.weight = nn.Parameter(torch.ones(ndim))
            self.bias = nn.Parameter(torch.zeros(ndim)) if bias else None

        def forward(self, input):
            return F.layer_norm(input, self.weight.shape, self.weight, self.bias, 1e-5)

    class CausalSelfAttention(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_attn = nn.Linear(n_embd, 3 * n_embd, bias=bias)
            self.c_proj = nn.Linear(n_embd, n_embd, bias=bias)

        def forward(self, x):
            B, T, C = x.size()
            q, k, v = self.c_attn(x).split(n_embd, dim=2)
            q, k, v = (t.view(B, T, n_head, C // n_head).transpose(1, 2) for t in (q, k, v))
            y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            return self.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.c_fc = nn.Linear(n_embd, 4 * n_embd, bias=bias)
            self.gelu = nn.GELU()
            self.c_proj = nn.Linear(4 * n_embd, n_embd, bias=bias)

        def forward(self, x):
            return self.c_proj(self.gelu(self.c_fc(x)))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.ln_1 = LayerNorm(n_embd, bias=bias)
            self.attn = CausalSelfAttention()
            self.ln_2 = LayerNorm(n_embd, bias=bias)
            self.mlp = MLP()

        def forward(self, x):
            x = x + self.attn(self.ln_1(x))
            return x + self.mlp(self.ln_2(x))

    class GPT(nn.Module):
        def __init__(self):
            super().__init__()
            self.transformer = nn.ModuleDict(dict(
                wte=nn.Embedding(vocab_size, n_embd), wpe=nn.Embedding(block_size, n_embd),
                h=nn.ModuleList([Block() for _ in range(n_layer)]), ln_f=LayerNorm(n_embd, bias=bias)))
            self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
            self.transformer.wte.weight = self.lm_head.weight  # weight tying

        def forward(self, idx):
            pos = torch.arange(0, idx.size(1), dtype=torch.long)
            x = self.transformer.wte(idx) + self.transformer.wpe(pos)
            for block in self.transformer.h:
                x = block(x)
            return self.lm_head(self.transformer.ln_f(x))

    return GPT().eval()


@pytest.mark.frameworks
@pytest.mark.parametrize("bias", [False, True])
def test_gpt2_with_and_without_biases_matches_nanogpt(bias):
    torch = need_torch()
    model = nanogpt(bias, vocab_size=1000, block_size=256, n_layer=4, n_embd=64, n_head=4)
    d = derive.show("gpt2", convention="pytorch", options={"bias": bias}, d_model=64, heads=4, n_layer=4, V=1000, T=256,
                    L=32)
    assert d.total["all"].value == parameters(model)
    assert d.total["buffers"].value == saved_buffers(model) == 0
    with torch.no_grad():
        assert tuple(int(v) for v in d.layers[-1].shape) == tuple(model(tokens(32)).shape[1:])
    fvcore = fvcore_count(model, (tokens(32),))
    assert d.total["macs"].value == fvcore["linear"]
    assert d.total["attention_macs"].value == fvcore["scaled_dot_product_attention"]


@pytest.mark.frameworks
def test_gpt2_small_without_biases_matches_nanogpt():
    model = nanogpt(False)
    assert derive.show("gpt2", options={"bias": False}).total["all"].value == parameters(model)
    assert derive.show("gpt2").total["all"].value == parameters(transformers_model("gpt2"))


# -- BERT -------------------------------------------------------------------------------------------
@pytest.mark.frameworks
def test_bert_base_matches_transformers():
    torch = need_torch()
    model = transformers_model("bert")
    d = derive.show("bert-base-uncased", convention="pytorch", L=L)
    assert d.total["all"].value == parameters(model)
    # position_ids and token_type_ids are registered persistent=False: buffers, but not in state_dict()
    assert d.total["buffers"].value == saved_buffers(model) == 0
    with torch.no_grad():
        out = model(tokens())
    assert tuple(int(v) for v in d.layers[-1].shape) == tuple(out.pooler_output.shape[1:])
    encoder = next(s for s in d.stages if s.name == "encoder")
    assert tuple(int(v) for v in encoder.shape) == tuple(out.last_hidden_state.shape[1:])
    fvcore = fvcore_count(model, (tokens(),))
    assert d.total["macs"].value == fvcore["linear"]  # the pooler's dense on the first token only
    assert d.total["attention_macs"].value == fvcore["matmul"]


# -- ViT --------------------------------------------------------------------------------------------
VIT_CASES = [  # torchvision builder and arguments, derive's sizes for them
    ("vit_b_16", {}, {}),
    ("VisionTransformer", {"image_size": 64, "patch_size": 16, "num_layers": 2, "num_heads": 4, "hidden_dim": 64,
                           "mlp_dim": 192, "num_classes": 10},
     {"H": 64, "W": 64, "d_model": 64, "heads": 4, "t": 3, "n_layer": 2, "classes": 10}),
    ("VisionTransformer", {"image_size": 96, "patch_size": 32, "num_layers": 1, "num_heads": 2, "hidden_dim": 32,
                           "mlp_dim": 128, "num_classes": 7},
     {"H": 96, "W": 96, "P": 32, "d_model": 32, "heads": 2, "n_layer": 1, "classes": 7}),
]


@cache
def vit_model(builder: str, items: tuple):
    models = need_torchvision().models
    return getattr(models, builder)(**dict(items)).eval()


@pytest.mark.frameworks
@pytest.mark.parametrize("builder,kwargs,sizes", VIT_CASES, ids=["vit_b_16", "small", "patch32"])
def test_vit_matches_torchvision(builder, kwargs, sizes):
    torch = need_torch()
    model = vit_model(builder, tuple(kwargs.items()))
    side = kwargs.get("image_size", 224)
    d = derive.show("vit_b_16", convention="pytorch", **sizes)
    assert d.total["all"].value == parameters(model)
    assert d.total["buffers"].value == sum(b.numel() for b in model.buffers()) == 0
    image = torch.zeros((1, 3, side, side))
    with torch.no_grad():
        assert tuple(int(v) for v in d.layers[-1].shape) == tuple(model(image).shape[1:])
    fvcore = fvcore_count(model, (image,), grad=True)
    assert d.total["macs"].value == fvcore["conv"] + fvcore["linear"]
    assert d.total["attention_macs"].value == fvcore["scaled_dot_product_attention"]


@pytest.mark.frameworks
def test_vit_b16_is_torchvisions_published_gflops():
    """torchvision's table gives vit_b_16 17.564 GFLOPS (fvcore's count when attention was two matmuls):
    the projections and layers' MACs and attention's, together."""
    weights = need_torchvision().models.ViT_B_16_Weights.IMAGENET1K_V1
    d = derive.show("vit-b16")
    assert d.total["all"].value == weights.meta["num_params"]
    assert round((d.total["macs"].value + d.total["attention_macs"].value) / 1e9, 3) == weights.meta["_ops"]


# -- the blocks -------------------------------------------------------------------------------------
@pytest.mark.frameworks
@pytest.mark.parametrize("d_model,heads,mlp,length", [(64, 4, 256, 10), (48, 3, 96, 7)])
def test_vit_encoder_block_matches_torchvision(d_model, heads, mlp, length):
    torch = need_torch()
    from torchvision.models.vision_transformer import EncoderBlock  # after need_torchvision (its operators)

    need_torchvision()
    block = EncoderBlock(heads, d_model, mlp, 0.0, 0.0).eval()
    d = derive.show("vit-encoder", convention="pytorch", d_model=d_model, heads=heads, t=mlp // d_model, L=length)
    assert d.total["all"].value == parameters(block)
    fvcore = fvcore_count(block, (torch.zeros((1, length, d_model)),), grad=True)
    assert d.total["macs"].value == fvcore["linear"]
    assert d.total["attention_macs"].value == fvcore["scaled_dot_product_attention"]


@pytest.mark.frameworks
@pytest.mark.parametrize("d_model,heads,length", [(64, 4, 10), (96, 6, 5)])
def test_gpt_block_matches_transformers(d_model, heads, length):
    torch = need_torch()
    t = _transformers()
    config = t.GPT2Config(n_embd=d_model, n_head=heads, attn_implementation="eager")
    block = t.models.gpt2.modeling_gpt2.GPT2Block(config).eval()
    d = derive.show("gpt-block", convention="pytorch", d_model=d_model, heads=heads, L=length)
    assert d.total["all"].value == parameters(block)
    fvcore = fvcore_count(block, (torch.zeros((1, length, d_model)),))
    assert d.total["macs"].value == fvcore["addmm"]
    assert d.total["attention_macs"].value == fvcore["matmul"]



def test_the_texts_say_what_the_bias_free_and_causal_blocks_have():
    from derive.presentation.render import render

    plain = render(derive.show("gpt-block", options={"bias": False}, d_model=64, L=8), "markdown")
    assert "Layer norm: a scale per normalised feature" in plain and "a scale and a shift" not in plain
    assert "is causal" in plain and "count all $L^2$ pairs" in plain
    vit = render(derive.show("vit-encoder", d_model=64, L=8), "markdown")
    assert "a scale and a shift per normalised feature" in vit and "is causal" not in vit
