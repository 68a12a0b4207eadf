"""A layer the code freezes (Keras `trainable=False`): the same weights, none of them trained.

Its terms are the layer's, with every trained kind (weights, bias, gamma, beta) as `frozen`, which each
convention buckets as the framework reports it (`conventions.py`: Keras non-trainable weights, counted in
`count_params()`); moving statistics stay what they are. Shape and multiply-accumulates are the layer's.
"""

from __future__ import annotations

from ..records import frozen
from .base import TRAINABLE_KINDS, Layer, Shape, Term, Wrapped
from .attention import MultiHeadAttention
from .sequence import Bidirectional, ConvLSTM2D, TimeDistributed


@frozen
class Frozen(Wrapped):
    """`layer` with its trained kinds of terms as `frozen`; its shape and multiply-accumulates as they are."""

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return tuple(Term("frozen", t.factors, t.label) if t.kind in TRAINABLE_KINDS else t
                     for t in self.layer.terms(inputs))

    def states(self) -> tuple:
        states = getattr(self.layer, "states", None)
        return states() if states is not None else ()

    @property
    def signature(self) -> str:
        return f"{self.layer.signature}, frozen".lstrip(", ")


def freeze(layer: Layer) -> Layer:
    """`layer` made with `trainable=False`. Keras' wrappers (`Bidirectional`, `TimeDistributed`),
    `ConvLSTM2D` and `MultiHeadAttention` build their inner layers (cells, the query/key/value/output
    projections) after the flag is set, and those keep trainable weights in the model's
    `trainable_weights` (what `model.summary()` reports): as Keras counts them, they are left as they are."""
    return layer if isinstance(layer, (Bidirectional, TimeDistributed, ConvLSTM2D, MultiHeadAttention)) else Frozen(layer)
