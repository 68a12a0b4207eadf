"""The Transformer encoder layer (Vaswani et al. 2017) as PyTorch's `nn.TransformerEncoderLayer` and
Keras (`MultiHeadAttention`, `LayerNormalization`, `Dense`) build it, on a sequence of L vectors of
d_model: multi-head self-attention (heads of d_model/heads; query, key, value and output projections,
each d_model×d_model with a bias), added back and normalised; a feed-forward network (d_model → d_ff,
ReLU, d_ff → d_model, biased), added back and normalised. `norm_first` puts each LayerNorm before its
sub-layer instead (pre-norm: the same parameters). `bias=false` is PyTorch's `bias=False`: no bias in
the projections and dense layers and none (beta) in the LayerNorms.

Multiply-accumulates: the four projections (4·L·d_model²) and the feed-forward network
(2·L·d_model·d_ff); the products QKᵀ and AV (2·L²·d_model), which have no weights, are a figure of
their own, the attention MACs (`MultiHeadAttention.attention_macs`).
"""

from __future__ import annotations

from typing import Mapping

from ..blocks import Block
from ..layers import Activation, Add, Dense, LayerNorm, MultiHeadAttention, Shape
from ..symbols import SymbolTable, sym
from .common import IN, Emit


def encoder_unit(e: Emit, d_model, heads, d_ff, bias: bool, norm_first: bool) -> None:
    if norm_first:
        e("norm1", LayerNorm(center=bias), "norm1")
        e("attention", MultiHeadAttention(heads, bias=bias), "attention")
        e("attention_add", Add(), None, "attention", IN)
        e("norm2", LayerNorm(center=bias), "norm2")
        e("ffn1", Dense(d_ff, bias=bias), "ffn")
        e("ffn_relu", Activation("relu"), "ffn")
        e("ffn2", Dense(d_model, bias=bias), "ffn")
        e("ffn_add", Add(), None, "ffn2", "attention_add")
        return
    e("attention", MultiHeadAttention(heads, bias=bias), "attention")
    e("attention_add", Add(), None, "attention", IN)
    e("norm1", LayerNorm(center=bias), "norm1")
    e("ffn1", Dense(d_ff, bias=bias), "ffn")
    e("ffn_relu", Activation("relu"), "ffn")
    e("ffn2", Dense(d_model, bias=bias), "ffn")
    e("ffn_add", Add(), None, "ffn2", "norm1")
    e("norm2", LayerNorm(center=bias), "norm2")


def transformer_encoder(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    d_model, heads, d_ff = (sym(n) for n in ("d_model", "heads", "d_ff"))
    e = Emit()
    encoder_unit(e, d_model, heads, d_ff, bool(options["bias"]), bool(options["norm_first"]))
    return Block(symbols=symbols, input=Shape(d_model, (sym("L"),)), nodes=tuple(e.nodes), options=options,
                 **meta)
