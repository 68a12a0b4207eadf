"""Transformer networks and their blocks: ViT-B/16, BERT-base, GPT-2 small; the `vit-encoder` and
`gpt-block` blocks.

Sources followed (sizes from their configurations, structure from their code):

- ViT-B/16: torchvision 0.28 `torchvision/models/vision_transformer.py` (`vit_b_16`: patch 16, 12
  layers, 12 heads, hidden 768, MLP 3072; `EncoderBlock`: `ln_1`, `self_attention`
  (`nn.MultiheadAttention`, biased), `ln_2`, `mlp` (Linear, GELU, Linear), pre-norm, both added back;
  `conv_proj` a 16×16 convolution of stride 16 with a bias, `class_token` (1×1×768),
  `encoder.pos_embedding` (1 × (196 + 1) × 768), `encoder.ln`, `heads.head` on the class token alone).
  Dosovitskiy et al. 2021, Table 1 (ViT-Base: 12 layers, hidden 768, MLP 3072, 12 heads, 86 M).
- BERT-base: Hugging Face transformers 5 `models/bert/modeling_bert.py` with `BertConfig()` (vocabulary
  30522, hidden 768, 12 layers, 12 heads, intermediate 3072, 512 positions, 2 token types):
  `BertEmbeddings` (word, position and token-type tables, LayerNorm), `BertLayer` post-norm
  (self-attention query, key, value, output dense, each biased; LayerNorm after the add; intermediate
  dense, GELU, output dense, LayerNorm after the add), `BertPooler` (dense d → d, tanh, on the first
  token). Its `position_ids` and `token_type_ids` buffers are registered with `persistent=False`: not
  in `state_dict()`, so derive counts them nowhere (as for pasted code).
- GPT-2 small: transformers' `models/gpt2/modeling_gpt2.py` with `GPT2Config()` (vocabulary 50257,
  1024 positions, 768 wide, 12 layers, 12 heads, inner 4·768): `wte`, `wpe`, blocks of `ln_1`, `attn`
  (`c_attn` d → 3d and `c_proj` d → d, biased; causal), `ln_2`, `mlp` (`c_fc` d → 4d, GELU, `c_proj`),
  pre-norm; `ln_f`; `GPT2LMHeadModel.lm_head` (d → V, no bias) tied to `wte`: counted once.
  `--option bias=false`: nanoGPT's `GPTConfig(bias=False)` (Karpathy, github.com/karpathy/nanoGPT,
  `model.py`, MIT): no bias in any linear layer or LayerNorm (the LayerNorms keep their weight).

Symbols: d_model, heads, t (MLP width t·d_model), V (vocabulary), T (rows of the position table: the
context length), L (the length of the sequence given: MACs; by default T), P (patch size), H, W,
classes (ViT: torchvision asserts H and W are multiples of P, where the patch convolution's output
⌈H/P⌉ × ⌈W/P⌉ is H/P × W/P). The number of layers is each table's n (a stage: the first block + n − 1 copies).

Multiply-accumulates: convolutions and dense layers, attention's four projections (`macs`); attention's
QKᵀ and weighted sum of V apart (`attention_macs`), counted whole for GPT-2's causal attention (the mask
is applied to a full product, as the reference implementations compute it).
"""

from __future__ import annotations

from functools import partial
from typing import Mapping

import sympy

from ..blocks import Block, Target
from ..layers import Activation, Add, Conv2D, Dense, Dropout, LayerNorm, MultiHeadAttention, Shape
from ..layers.tokens import AddedTable, Causal, ClassToken, FirstToken, TiedDense, ToSequence, TokenEmbedding
from ..symbols import BASE, SymbolInfo, SymbolTable
from .common import IN, Emit
from .networks import Network, tables

OWN = {info.name: info for info in (
    SymbolInfo("V", "vocabulary (token ids)", "V"),
    SymbolInfo("T", "positions (rows of the position table: the context length)", "T"),
    SymbolInfo("P", "patch size", "P"),
    SymbolInfo("n_layer", "blocks (layers) of the encoder", r"n_{\mathrm{layer}}"),
)}


def _symbols(names) -> SymbolTable:
    return SymbolTable(tuple(OWN[n] if n in OWN else BASE[n] for n in names))


def _sym(name: str) -> sympy.Symbol:
    return (OWN[name] if name in OWN else BASE[name]).symbol


# -- the blocks -----------------------------------------------------------------------------------
def pre_norm_unit(e: Emit, d, heads, t, bias: bool, causal: bool, naming: str) -> None:
    """LayerNorm, attention, add; LayerNorm, dense to t·d, GELU, dense back to d, add (ViT, GPT-2)."""
    attention = MultiHeadAttention(heads, bias=bias, naming=naming)
    e("ln_1", LayerNorm(center=bias), "attention")
    e("attn", Causal(attention) if causal else attention, "attention")
    e("add_1", Add(), "attention", "attn", IN)
    e("ln_2", LayerNorm(center=bias), "mlp")
    e("fc_1", Dense(t * d, bias=bias), "mlp")
    e("gelu", Activation("gelu"), "mlp")
    e("fc_2", Dense(d, bias=bias), "mlp")
    e("add_2", Add(), "mlp", "fc_2", "add_1")


def post_norm_unit(e: Emit, d, heads, t) -> None:
    """BERT's layer: attention, add, LayerNorm; dense to t·d, GELU, dense back to d, add, LayerNorm."""
    e("attn", MultiHeadAttention(heads), "attention")
    e("add_1", Add(), "attention", "attn", IN)
    e("ln_1", LayerNorm(), "attention")
    e("fc_1", Dense(t * d), "mlp")
    e("gelu", Activation("gelu"), "mlp")
    e("fc_2", Dense(d), "mlp")
    e("add_2", Add(), "mlp", "fc_2", "ln_1")
    e("ln_2", LayerNorm(), "mlp")


def _sequence_block(symbols: SymbolTable, options: Mapping[str, bool], emit, **meta) -> Block:
    e = Emit()
    emit(e)
    return Block(symbols=symbols, input=Shape(_sym("d_model"), (_sym("L"),)), nodes=tuple(e.nodes), options=options,
                 **meta)


def vit_encoder(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    d, heads, t = (_sym(n) for n in ("d_model", "heads", "t"))
    return _sequence_block(symbols, options,
                           lambda e: pre_norm_unit(e, d, heads, t, bool(options["bias"]), False, "torch"), **meta)


def gpt_block(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    d, heads, t = (_sym(n) for n in ("d_model", "heads", "t"))
    return _sequence_block(symbols, options,
                           lambda e: pre_norm_unit(e, d, heads, t, bool(options["bias"]), True, ""), **meta)


# -- the networks ---------------------------------------------------------------------------------
def target(entry) -> Target:
    """A network of this module (`stages/transformers.toml`): its symbols, L bound to T by default."""
    spec = tables()[entry.name]
    derived = None
    if "L" in entry.symbols and "T" in entry.symbols:
        def derived(options):
            return {"L": _sym("T")}
    return Target(entry.name, entry.title, _symbols(entry.symbols), entry.defaults, entry.options,
                  partial(BUILDERS[spec["family"]], spec), entry.aliases, derived)


def _repeat(net: Network, spec: dict, emit) -> None:
    row = spec["stages"][0]  # n blocks, n_layer: bound by default to the table's n
    net.stage("encoder", _sym("n_layer"), {"block": row["block"], "t": row["t"], "c": row["c"], "n": row["n"]},
              lambda e, first: emit(e))


def _block(net: Network, symbols: SymbolTable, options: Mapping[str, bool], shape: Shape, meta: dict) -> Block:
    return Block(symbols=symbols, input=shape, nodes=tuple(net.nodes), options=options, stages=tuple(net.stages),
                 **meta)


def vit(spec: dict, symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    d, heads, t, P, classes = (_sym(n) for n in ("d_model", "heads", "t", "P", "classes"))
    net = Network()

    def embed(e: Emit) -> None:
        e("conv_proj", Conv2D(d, P, P, "same"), None)  # torchvision: H, W multiples of P (valid = same)
        e("patches", ToSequence(), None)
        e("class_token", ClassToken(), None)
        e("pos_embedding", AddedTable(None, "pos_embedding"), None)
        e("dropout", Dropout(), None)

    def head(e: Emit) -> None:
        e("ln", LayerNorm(), None)
        e("class_token_out", FirstToken(), None)
        e("head", Dense(classes), None)

    net.single("embedding", spec["embedding"], embed)
    _repeat(net, spec, lambda e: pre_norm_unit(e, d, heads, t, True, False, "torch"))
    net.single("head", spec["head"], head)
    return _block(net, symbols, options, Shape(sympy.Integer(3), (_sym("H"), _sym("W"))), meta)


def bert(spec: dict, symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    d, heads, t, V, T = (_sym(n) for n in ("d_model", "heads", "t", "V", "T"))
    net = Network()

    def embed(e: Emit) -> None:
        e("word", TokenEmbedding(V, d), None)  # transformers' embeddings.word_embeddings, ...
        e("position", AddedTable(T, "weights"), None)
        e("token_type", AddedTable(sympy.Integer(spec["token_types"]), "weights", "token type"), None)
        e("ln", LayerNorm(), None)
        e("dropout", Dropout(), None)

    def pooler(e: Emit) -> None:
        e("first_token", FirstToken(), None)
        e("dense", Dense(d), None)
        e("tanh", Activation("tanh"), None)

    net.single("embedding", spec["embedding"], embed)
    _repeat(net, spec, lambda e: post_norm_unit(e, d, heads, t))
    net.single("pooler", spec["head"], pooler)
    return _block(net, symbols, options, Shape(_sym("L")), meta)


def gpt(spec: dict, symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    d, heads, t, V, T = (_sym(n) for n in ("d_model", "heads", "t", "V", "T"))
    bias = bool(options["bias"])
    net = Network()

    def embed(e: Emit) -> None:
        e("wte", TokenEmbedding(V, d), None)
        e("wpe", AddedTable(T, "wpe"), None)
        e("drop", Dropout(), None)

    def head(e: Emit) -> None:
        e("ln_f", LayerNorm(center=bias), None)
        e("lm_head", TiedDense(V, "wte"), None)

    net.single("embedding", spec["embedding"], embed)
    _repeat(net, spec, lambda e: pre_norm_unit(e, d, heads, t, bias, True, ""))
    net.single("head", spec["head"], head)
    return _block(net, symbols, options, Shape(_sym("L")), meta)


BUILDERS = {"vit": vit, "bert": bert, "gpt": gpt}
