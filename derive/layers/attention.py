"""Multi-head attention: Keras `MultiHeadAttention`, PyTorch `nn.MultiheadAttention`, and the network
library's transformer blocks.

Inputs are sequences `Shape(d, (L,))` (or any positions: an image's H·W with Keras' default
`attention_axes`), in Keras' call order: the query, then the value, then the key (the key is the
value, and the value the query, where not given). Parameters are the four projections; the two
matrix products of attention itself (QKᵀ and the weighted sum of V) have no weights, and their
multiply-accumulates are a figure of their own, `attention_macs`, beside `macs` (the projections).
"""

from __future__ import annotations

from typing import ClassVar

import sympy

from ..errors import InputError
from ..records import frozen
from .base import ONE, ZERO, Expr, Layer, Shape, Term, as_expr, check_divisible
from .spelling import Arguments, keras, kind, spec, torch

Projection = tuple[str, str, tuple[Expr, ...], tuple[Expr, ...]]  # name, bias name, weight factors, bias factors


@frozen
class MultiHeadAttention(Layer):
    """Query, key and value projections to `heads` heads of `key_dim` (`value_dim`) each, attention in
    each head, and an output projection of the heads' values.

    `key_dim=None` is PyTorch's `nn.MultiheadAttention(embed_dim, heads)`: every head embed_dim/heads
    wide, so the query projection and the output projection are embed_dim×embed_dim, the key and value
    projections embed_dim×kdim and embed_dim×vdim (kdim, vdim: the key's and value's widths, embed_dim
    unless stated). PyTorch keeps the three input projections in one `in_proj_weight` (3·embed_dim ×
    embed_dim) when kdim = vdim = embed_dim, else `q_proj_weight`, `k_proj_weight`, `v_proj_weight`;
    its biases are one `in_proj_bias` of 3·embed_dim; `add_bias_kv` adds `bias_k`, `bias_v` (1×1×embed_dim).
    Keras' `MultiHeadAttention(heads, key_dim)` chooses `key_dim` freely: the query kernel is
    d_query×heads×key_dim, the key's d_key×heads×key_dim, the value's d_value×heads×value_dim, the
    output's heads×value_dim×d_out (d_out: `output_shape`, else the query's width).
    """

    op: ClassVar[str] = "multi_head_attention"
    family: ClassVar[str] = "attention"
    explain: ClassVar[str | None] = "multi_head_attention"
    heads: Expr = ONE
    key_dim: Expr | None = None
    value_dim: Expr | None = None
    bias: bool = True
    output_dim: Expr | None = None  # Keras' output_shape
    embed_dim: Expr | None = None  # PyTorch: the stated query width (else the query's)
    kdim: Expr | None = None  # PyTorch: the stated key and value widths (else the inputs')
    vdim: Expr | None = None
    bias_kv: bool = False  # PyTorch's add_bias_kv
    zero_attn: bool = False  # PyTorch's add_zero_attn: one more (zero) key and value, no parameters
    axes: tuple[int, ...] | None = None  # Keras' attention_axes
    naming: str = ""  # how the terms are labelled: "keras", "torch", or "" (query_weights, ...)

    def __post_init__(self) -> None:
        object.__setattr__(self, "heads", as_expr(self.heads))
        for name in ("key_dim", "value_dim", "output_dim", "embed_dim", "kdim", "vdim"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, as_expr(getattr(self, name)))

    # -- the inputs -----------------------------------------------------------------------------
    def _inputs(self, inputs: tuple[Shape, ...]) -> tuple[Shape, Shape, Shape]:
        """Query, key and value, each `Shape`; widths PyTorch states replace the inputs' own."""
        query = inputs[0]
        value = inputs[1] if len(inputs) > 1 else query
        key = inputs[2] if len(inputs) > 2 else value
        if self.embed_dim is not None:
            query = Shape(self.embed_dim, query.spatial)
        if self.key_dim is None:
            e = query.channels
            key = Shape(e if self.kdim is None else self.kdim, key.spatial)
            value = Shape(e if self.vdim is None else self.vdim, value.spatial)
        if not query.spatial:
            raise InputError("multi-head attention needs a sequence (length, features), got a vector")
        if self.axes is not None:
            rank = len(query.spatial) + 2
            axes = {a % rank for a in self.axes}
            if axes != set(range(1, rank - 1)):
                raise InputError("only attention over every axis but the batch and the features "
                                 "(attention_axes=None) is supported")
        return query, key, value

    def _projections(self, query: Shape, key: Shape, value: Shape) -> tuple[Projection, ...]:
        """(name, bias name, weight factors, bias factors) of query, key, value and output, as the
        naming spells them."""
        h = self.heads
        if self.key_dim is None:
            e = query.channels
            check_divisible("embed_dim", e, h, "num_heads")
            if self.naming == "torch":
                if key.channels == e and value.channels == e:
                    return (("in_proj_weight", "in_proj_bias", (3, e, e), (3, e)),
                            ("out_proj.weight", "out_proj.bias", (e, e), (e,)))
                return (("q_proj_weight", "", (e, e), ()), ("k_proj_weight", "", (e, key.channels), ()),
                        ("v_proj_weight", "in_proj_bias", (e, value.channels), (3, e)),
                        ("out_proj.weight", "out_proj.bias", (e, e), (e,)))
            return (("query_weights", "query_bias", (e, e), (e,)), ("key_weights", "key_bias", (key.channels, e), (e,)),
                    ("value_weights", "value_bias", (value.channels, e), (e,)),
                    ("output_weights", "output_bias", (e, e), (e,)))
        kd = self.key_dim
        vd = kd if self.value_dim is None else self.value_dim
        out = query.channels if self.output_dim is None else self.output_dim
        names = (("query/kernel", "query/bias"), ("key/kernel", "key/bias"), ("value/kernel", "value/bias"),
                 ("attention_output/kernel", "attention_output/bias")) if self.naming == "keras" else (
            ("query_weights", "query_bias"), ("key_weights", "key_bias"), ("value_weights", "value_bias"),
            ("output_weights", "output_bias"))
        return ((*names[0], (query.channels, h, kd), (h, kd)), (*names[1], (key.channels, h, kd), (h, kd)),
                (*names[2], (value.channels, h, vd), (h, vd)), (*names[3], (h, vd, out), (out,)))

    def _widths(self, query: Shape) -> tuple[Expr, Expr]:
        """heads·key_dim and heads·value_dim: the widths of the projected queries and keys, and values."""
        if self.key_dim is None:
            return query.channels, query.channels
        vd = self.key_dim if self.value_dim is None else self.value_dim
        return self.heads * self.key_dim, self.heads * vd

    # -- what it has, outputs and costs ------------------------------------------------------------
    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        out = []
        for name, bias_name, factors, bias in self._projections(*self._inputs(inputs)):
            out.append(Term("weights", tuple(as_expr(f) for f in factors), name))
            if self.bias and bias_name:
                out.append(Term("bias", tuple(as_expr(f) for f in bias), bias_name))
        if self.bias_kv:
            e = self._inputs(inputs)[0].channels
            out += [Term("bias", (ONE, ONE, e), "bias_k"), Term("bias", (ONE, ONE, e), "bias_v")]
        return tuple(out)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        query, _, _ = self._inputs(inputs)
        if self.key_dim is not None and self.output_dim is not None:
            return Shape(self.output_dim, query.spatial)
        return query

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        """The four projections: each weight once per position of the tensor it projects."""
        query, key, value = self._inputs(inputs)
        qk, v = self._widths(query)
        return (query.positions * query.channels * qk + key.positions * key.channels * qk
                + value.positions * value.channels * v + query.positions * v * output.channels)

    def attention_macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        """QKᵀ (Lq·Lk·heads·key_dim) and the weighted sum of V (Lq·Lk·heads·value_dim); Lk counts
        PyTorch's extra key and value of add_bias_kv and add_zero_attn."""
        query, key, _ = self._inputs(inputs)
        qk, v = self._widths(query)
        keys = key.positions + int(self.bias_kv) + int(self.zero_attn)
        return query.positions * keys * qk + query.positions * keys * v

    @property
    def signature(self) -> str:
        return heads_signature(self.heads)


def heads_signature(heads: Expr) -> str:
    """`8 heads`, `h heads`; a symbol named for them alone (`heads`, `nhead`)."""
    return str(heads) if "head" in str(heads) else f"{heads} heads"


# -- spellings ------------------------------------------------------------------------------------
def _axes(args: Arguments, name: str) -> tuple[int, ...] | None:
    value = args.get(name, None)
    if value is None:
        return None
    items = args.sequence(value)
    items = items if items is not None else (value,)
    if not items or not all(isinstance(a, sympy.Integer) for a in items):
        raise args.error(name, f"{name} must be None, an axis or a tuple of axes")
    return tuple(int(a) for a in items)


def _keras_output(args: Arguments) -> Expr | None:
    value = args.get("output_shape", None)
    if value is None:
        return None
    items = args.sequence(value)
    if items is not None:
        if len(items) != 1:
            raise args.error("output_shape", "only an output_shape of one size (the features) is supported")
        value = items[0]
    return args.as_size("output_shape", value)


def _keras_mha(args: Arguments) -> Layer:
    heads, key_dim = args.size("num_heads"), args.size("key_dim")
    value_dim = args.size("value_dim") if args.get("value_dim", None) is not None else None
    args.rate("dropout", ZERO)
    bias = args.flag("use_bias", True)
    output = _keras_output(args)
    axes = _axes(args, "attention_axes")
    args.none_or("sliding_window")
    args.none_or("flash_attention", (True, False))
    if args.flag("use_gate", False):
        raise args.error("use_gate", "use_gate=True is not supported")
    return MultiHeadAttention(heads, key_dim, value_dim, bias, output_dim=output, axes=axes, naming="keras")


def _torch_mha(args: Arguments) -> Layer:
    embed, heads = args.size("embed_dim"), args.size("num_heads")
    args.rate("dropout", ZERO)
    bias = args.flag("bias", True)
    bias_kv, zero_attn = args.flag("add_bias_kv", False), args.flag("add_zero_attn", False)
    kdim = args.size("kdim") if args.get("kdim", None) is not None else None
    vdim = args.size("vdim") if args.get("vdim", None) is not None else None
    args.flag("batch_first", False)
    check_divisible("embed_dim", embed, heads, "num_heads")
    return MultiHeadAttention(heads, None, None, bias, embed_dim=embed, kdim=kdim, vdim=vdim, bias_kv=bias_kv,
                              zero_attn=zero_attn, naming="torch")


def _spec_mha(args: Arguments) -> Layer:
    heads = args.size("heads")
    key_dim = args.size("key_dim") if args.given("key_dim") else None
    value_dim = args.size("value_dim") if args.given("value_dim") else None
    output = args.size("output_dim") if args.given("output_dim") else None
    naming = "keras" if key_dim is not None else "torch"  # Keras' layout (key_dim chosen) or PyTorch's
    return MultiHeadAttention(heads, key_dim, value_dim, args.flag("bias", True), output_dim=output, naming=naming)


KINDS = (
    kind(MultiHeadAttention,
         spec("multi_head_attention", ("heads", "key_dim", "value_dim", "bias", "output_dim"), _spec_mha,
              required=("heads",)),
         keras("MultiHeadAttention", ("num_heads", "key_dim", "value_dim", "dropout", "use_bias", "output_shape",
                                      "attention_axes"), _keras_mha,
               keywords=("sliding_window", "flash_attention", "use_gate")),
         torch("MultiheadAttention", ("embed_dim", "num_heads", "dropout", "bias", "add_bias_kv", "add_zero_attn",
                                      "kdim", "vdim", "batch_first"), _torch_mha, stated="embed_dim", spatial=1,
               attributes={"num_heads": "heads", "embed_dim": "embed_dim"})),
)
