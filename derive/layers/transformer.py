"""PyTorch's transformer modules, each shown as its parts: `nn.TransformerEncoderLayer`,
`nn.TransformerDecoderLayer`, `nn.TransformerEncoder`, `nn.TransformerDecoder`, `nn.Transformer`.

A module here is a `Stack`: parts (attention, the feed-forward network's two linear layers, the layer
norms), each a layer of its own kind with PyTorch's name for it (`self_attn`, `linear1`, `norm1`) and
how many copies the module holds (`nn.TransformerEncoder(layer, num_layers)` deep-copies its layer
num_layers times). Its terms are its parts' terms, labelled with PyTorch's parameter names
(`self_attn.in_proj_weight`, `layers.*.linear1.weight`), a copied part's with the number of copies as
first factor, so that a student sees 3·d·d + 3·d + d·d + d for the attention and N·(...) for a stack.
Counts follow PyTorch's sizes, stated in the constructor (d_model), and only the input's length
(positions) is taken from the flow. The decoder's cross-attention reads the encoder's output
("memory"): taken as long as its own input (one sequence length), which changes MACs only.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sympy

from ..records import frozen
from .attention import MultiHeadAttention, heads_signature
from .base import ONE, Expr, Layer, Shape, Term, check_divisible
from .dense import Dense
from .norm import LayerNorm
from .spelling import Arguments, kind, spec, torch

Part = tuple[str, Layer, Any, Expr]  # PyTorch's name, the layer, its input width (None: d_model), copies
TORCH_NAMES = {"weights": "weight", "bias": "bias", "gamma": "weight", "beta": "bias"}


@frozen
class Stack(Layer):
    """A module made of parts (see the module's docstring), on sequences of d_model features."""

    op: ClassVar[str] = "transformer_stack"
    family: ClassVar[str] = "attention"
    explain: ClassVar[str | None] = "transformer"
    d_model: Expr
    parts: tuple[Part, ...]
    label: str = ""

    def _parts(self, inputs: tuple[Shape, ...]):
        d = self.d_model
        for name, layer, width, copies in self.parts:
            shape = Shape(d if width is None else width, inputs[0].spatial)
            yield name, layer, (shape,), copies

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        out = []
        for name, layer, shapes, copies in self._parts(inputs):
            for t in layer.terms(shapes):
                factors = t.factors if copies == ONE else (copies, *t.factors)
                out.append(Term(t.kind, factors, f"{name}.{t.name or TORCH_NAMES[t.kind]}"))
        return tuple(out)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return Shape(self.d_model, inputs[0].spatial)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return sympy.Add(*(copies * layer.macs(shapes, layer.output(shapes))
                           for _, layer, shapes, copies in self._parts(inputs)))

    def attention_macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return sympy.Add(*(copies * layer.attention_macs(shapes, layer.output(shapes))
                           for _, layer, shapes, copies in self._parts(inputs)))

    @property
    def signature(self) -> str:
        return self.label


@frozen
class TransformerEncoderLayer(Stack):
    op: ClassVar[str] = "transformer_encoder_layer"


@frozen
class TransformerDecoderLayer(Stack):
    op: ClassVar[str] = "transformer_decoder_layer"


@frozen
class TransformerEncoder(Stack):
    op: ClassVar[str] = "transformer_encoder"


@frozen
class TransformerDecoder(Stack):
    op: ClassVar[str] = "transformer_decoder"


@frozen
class Transformer(Stack):
    op: ClassVar[str] = "transformer"


# -- the parts ------------------------------------------------------------------------------------
def layer_parts(d: Expr, heads: Expr, d_ff: Expr, bias: bool, decoder: bool) -> tuple[Part, ...]:
    """An encoder layer's parts in PyTorch's order (self_attn, linear1, linear2, norm1, norm2); a
    decoder layer adds multihead_attn (cross-attention) after self_attn, and norm3."""
    def attention() -> Layer:
        return MultiHeadAttention(heads, None, None, bias, embed_dim=d, naming="torch")

    def norm() -> Layer:
        return LayerNorm(center=bias, size=d)

    parts: list[Part] = [("self_attn", attention(), None, ONE)]
    if decoder:
        parts.append(("multihead_attn", attention(), None, ONE))
    parts += [("linear1", Dense(d_ff, bias), None, ONE), ("linear2", Dense(d, bias), d_ff, ONE)]
    parts += [(f"norm{i}", norm(), None, ONE) for i in range(1, 4 if decoder else 3)]
    return tuple(parts)


def stacked(prefix: str, layer: Stack, copies: Expr, norm: Layer | None) -> tuple[Part, ...]:
    """`nn.TransformerEncoder(layer, num_layers, norm)`: num_layers copies of the layer's parts, then the norm."""
    parts = tuple((f"{prefix}layers.*.{name}", part, width, copies * n) for name, part, width, n in layer.parts)
    return parts + (((f"{prefix}norm", norm, None, ONE),) if norm is not None else ())


# -- spellings ------------------------------------------------------------------------------------
LAYER_ARGS = ("d_model", "nhead", "dim_feedforward", "dropout", "activation", "layer_norm_eps", "batch_first",
              "norm_first", "bias")


def _unread(args: Arguments) -> None:
    """Arguments that change neither parameters nor MACs, checked as PyTorch would take them."""
    args.rate("dropout", sympy.Rational(1, 10))
    args.get("activation", None)
    args.get("layer_norm_eps", None)
    args.flag("batch_first", False)
    args.flag("norm_first", False)


def _torch_layer(decoder: bool, d_default: Any = None):
    def build(args: Arguments) -> Layer:
        d = args.size("d_model") if d_default is None else args.size("d_model", d_default)
        heads = args.size("nhead")
        d_ff = args.size("dim_feedforward", sympy.Integer(2048))
        _unread(args)
        bias = args.flag("bias", True)
        check_divisible("d_model", d, heads, "nhead")
        cls = TransformerDecoderLayer if decoder else TransformerEncoderLayer
        return cls(d, layer_parts(d, heads, d_ff, bias, decoder), heads_signature(heads))
    return build


def _inner(args: Arguments, name: str, cls: type) -> Stack:
    value = args.get(name)
    layer = getattr(value, "layer", None)
    if not isinstance(layer, cls):
        raise args.error(name, f"{name} must be an nn.{cls.__name__}")
    return layer


def _norm(args: Arguments) -> Layer | None:
    value = args.get("norm", None)
    if value is None:
        return None
    layer = getattr(value, "layer", None)
    if not isinstance(layer, LayerNorm):
        raise args.error("norm", "norm must be None or an nn.LayerNorm")
    return layer


def _torch_stack(decoder: bool):
    def build(args: Arguments) -> Layer:
        inner_name = "decoder_layer" if decoder else "encoder_layer"
        inner = _inner(args, inner_name, TransformerDecoderLayer if decoder else TransformerEncoderLayer)
        n = args.size("num_layers")
        norm = _norm(args)
        if not decoder:
            args.flag("enable_nested_tensor", True)
            args.flag("mask_check", True)
        cls = TransformerDecoder if decoder else TransformerEncoder
        return cls(inner.d_model, stacked("", inner, n, norm), f"{n}× ({inner.label})")
    return build


def _torch_transformer(args: Arguments) -> Layer:
    d = args.size("d_model", sympy.Integer(512))
    heads = args.size("nhead", sympy.Integer(8))
    n_enc, n_dec = args.size("num_encoder_layers", sympy.Integer(6)), args.size("num_decoder_layers", sympy.Integer(6))
    d_ff = args.size("dim_feedforward", sympy.Integer(2048))
    _unread(args)
    args.none_or("custom_encoder")
    args.none_or("custom_decoder")
    bias = args.flag("bias", True)
    check_divisible("d_model", d, heads, "nhead")
    return _transformer(d, heads, n_enc, n_dec, d_ff, bias)


def _transformer(d: Expr, heads: Expr, n_enc: Expr, n_dec: Expr, d_ff: Expr, bias: bool) -> Layer:
    label = heads_signature(heads)
    encoder = Stack(d, layer_parts(d, heads, d_ff, bias, False), label)
    decoder = Stack(d, layer_parts(d, heads, d_ff, bias, True), label)
    norm = LayerNorm(center=bias, size=d)
    parts = stacked("encoder.", encoder, n_enc, norm) + stacked("decoder.", decoder, n_dec, norm)
    return Transformer(d, parts, f"{n_enc}+{n_dec} layers, {heads_signature(heads)}")


def _spec_stack(decoder: bool):
    def build(args: Arguments) -> Layer:
        inner = _spec_layer(decoder)(args)
        n = args.size("layers")
        norm = LayerNorm(size=inner.d_model) if args.flag("norm", False) else None
        cls = TransformerDecoder if decoder else TransformerEncoder
        return cls(inner.d_model, stacked("", inner, n, norm), f"{n}× ({inner.label})")  # type: ignore[attr-defined]
    return build


def _spec_transformer(args: Arguments) -> Layer:
    d, heads = args.size("d_model", 512), args.size("heads", 8)
    n_enc, n_dec = args.size("encoder_layers", 6), args.size("decoder_layers", 6)
    d_ff = args.size("d_ff", 2048)
    bias = args.flag("bias", True)
    check_divisible("d_model", d, heads, "heads")
    return _transformer(d, heads, n_enc, n_dec, d_ff, bias)


def _spec_layer(decoder: bool):
    def build(args: Arguments) -> Layer:
        d, heads, d_ff = args.size("d_model"), args.size("heads"), args.size("d_ff")
        bias = args.flag("bias", True)
        check_divisible("d_model", d, heads, "heads")
        cls = TransformerDecoderLayer if decoder else TransformerEncoderLayer
        return cls(d, layer_parts(d, heads, d_ff, bias, decoder), heads_signature(heads))
    return build


STACK_KEYS = ("d_model", "heads", "d_ff", "layers", "norm", "bias")
KINDS = (
    kind(TransformerEncoderLayer,
         spec("transformer_encoder_layer", ("d_model", "heads", "d_ff", "bias"), _spec_layer(False),
              required=("d_model", "heads", "d_ff")),
         torch("TransformerEncoderLayer", LAYER_ARGS, _torch_layer(False), stated="d_model", spatial=1)),
    kind(TransformerDecoderLayer,
         spec("transformer_decoder_layer", ("d_model", "heads", "d_ff", "bias"), _spec_layer(True),
              required=("d_model", "heads", "d_ff")),
         torch("TransformerDecoderLayer", LAYER_ARGS, _torch_layer(True), stated="d_model", spatial=1)),
    kind(TransformerEncoder,
         spec("transformer_encoder", STACK_KEYS, _spec_stack(False), required=STACK_KEYS[:4]),
         torch("TransformerEncoder", ("encoder_layer", "num_layers", "norm", "enable_nested_tensor", "mask_check"),
               _torch_stack(False), factory=False, spatial=1)),
    kind(TransformerDecoder,
         spec("transformer_decoder", STACK_KEYS, _spec_stack(True), required=STACK_KEYS[:4]),
         torch("TransformerDecoder", ("decoder_layer", "num_layers", "norm"), _torch_stack(True), factory=False,
               spatial=1)),
    kind(Transformer,
         spec("transformer", ("d_model", "heads", "encoder_layers", "decoder_layers", "d_ff", "bias"),
              _spec_transformer),
         torch("Transformer", ("d_model", "nhead", "num_encoder_layers", "num_decoder_layers", "dim_feedforward",
                               "dropout", "activation", "custom_encoder", "custom_decoder", "layer_norm_eps",
                               "batch_first", "norm_first", "bias"), _torch_transformer, spatial=1)),
)
