"""Multi-head attention (the network library's transformer blocks)."""

from __future__ import annotations

from typing import ClassVar

import sympy

from ..records import frozen
from .base import ONE, Expr, Layer, Shape, Term, as_expr, check_divisible
from .spelling import kind


@frozen
class MultiHeadAttention(Layer):
    """Self-attention over a sequence `Shape(d, (L,))`: query, key and value projections to
    `heads` heads of `key_dim` (`value_dim`) each, and an output projection back to `d`.

    `key_dim=None` is PyTorch's `nn.MultiheadAttention(d, heads)`: every head d/heads wide, so each
    projection is d×d (PyTorch keeps the three input projections in one `in_proj_weight` of 3d×d;
    the count is the same). Keras' `MultiHeadAttention(heads, key_dim)` may choose `key_dim` freely:
    then each projection is d×heads×key_dim. `bias` gives every projection its bias, as both do by
    default. Multiply-accumulates: the four projections only (L·d per weight row); the products
    QKᵀ and AV have no weights and are outside the counting policy (convolutions and dense layers).
    """

    op: ClassVar[str] = "multi_head_attention"
    heads: Expr = ONE
    key_dim: Expr | None = None
    value_dim: Expr | None = None
    bias: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "heads", as_expr(self.heads))
        for name in ("key_dim", "value_dim"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, as_expr(getattr(self, name)))

    def _projections(self, d: Expr) -> tuple[tuple[str, tuple[Expr, ...], Expr], ...]:
        """(name, weight factors, bias size) for query, key, value and output."""
        if self.key_dim is None:
            check_divisible("model width", d, self.heads, "heads")
            square = (d, d)
            return tuple((name, square, d) for name in ("query", "key", "value", "output"))
        kd = self.key_dim
        vd = kd if self.value_dim is None else self.value_dim
        return (("query", (d, self.heads, kd), self.heads * kd), ("key", (d, self.heads, kd), self.heads * kd),
                ("value", (d, self.heads, vd), self.heads * vd), ("output", (self.heads, vd, d), d))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        out = []
        for name, factors, bias in self._projections(inputs[0].channels):
            out.append(Term("weights", factors, f"{name}_weights"))
            if self.bias:
                out.append(Term("bias", (bias,), f"{name}_bias"))
        return tuple(out)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        weights = sympy.Add(*(sympy.Mul(*factors) for _, factors, _ in self._projections(inputs[0].channels)))
        return inputs[0].positions * weights

    @property
    def signature(self) -> str:
        return f"{self.heads} heads"


KINDS = (kind(MultiHeadAttention),)
