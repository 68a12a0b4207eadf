"""What a transformer network holds beside its layers: learned tables added to the tokens, a class token,
the first token taken out of a sequence, and a head whose weights are another layer's (tied).

Used by the network library (`library/transformers_nets.py`: ViT-B/16, BERT-base, GPT-2); no reader
spells them (pasted PyTorch code gets the same counts from `nn.Parameter` and `nn.Embedding`).

- `AddedTable`: a learned table of `rows` × d added to a sequence of d features, position by position:
  a positional embedding (GPT-2's `wpe`, BERT's `position_embeddings`, ViT's `pos_embedding`) or BERT's
  token-type (segment) embedding. rows·d parameters; rows is the table's own size (GPT-2: 1024
  positions, whatever the input's length), or, where None, the input's length (ViT: one row per patch
  and the class token). Shape unchanged, no multiply-accumulates (a row is read and added).
- `ClassToken`: one learned vector of d prepended to the sequence (ViT's `class_token`): d parameters,
  L positions become L + 1.
- `FirstToken`: the sequence's first position alone (`x[:, 0]`: ViT's class token before its head,
  BERT's pooler input): no parameters.
- `ToSequence`: an image of h × w positions as a sequence of h·w (ViT's patches): a reshape.
- `TokenEmbedding`: an `Embedding` whose signature names no size (a vocabulary's five digits are in
  its term, grouped as the output groups figures).
- `Causal`: attention where each position attends to itself and the positions before it (GPT-2): the
  same projections, so the same parameters and multiply-accumulates; the scores QKᵀ are computed
  whole and the later ones masked, as the reference implementations do, so its attention MACs too.
- `TiedDense`: a dense layer whose weight matrix is another layer's (GPT-2's `lm_head`, the token
  embedding `wte` transposed): no new weights, its bias if it has one; its multiply-accumulates are a
  dense layer's, since the product is computed all the same.
"""

from __future__ import annotations

from typing import ClassVar

from ..records import frozen
from .base import ONE, Expr, Layer, Shape, Term, Wrapped, as_expr, need_rank
from .sequence import Embedding
from .spelling import kind


@frozen
class AddedTable(Layer):
    """A learned table added to every position of a sequence (see the module's docstring)."""

    op: ClassVar[str] = "added_table"
    family: ClassVar[str] = "other"
    explain: ClassVar[str | None] = "added_table"
    rows: Expr | None = None
    label: str = "position_embeddings"
    what: str = "position"  # what a row stands for: "position", "token type"

    def __post_init__(self) -> None:
        if self.rows is not None:
            object.__setattr__(self, "rows", as_expr(self.rows))

    def _rows(self, shape: Shape) -> Expr:
        need_rank(self, shape, 1)
        return shape.spatial[0] if self.rows is None else self.rows

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return (Term("weights", (self._rows(inputs[0]), inputs[0].channels), self.label),)

    @property
    def signature(self) -> str:
        return f"{self.what}s" if self.rows is None else f"{self.rows} {self.what}s"


@frozen
class ClassToken(Layer):
    """One learned vector prepended to the sequence: L positions become L + 1."""

    op: ClassVar[str] = "class_token"
    family: ClassVar[str] = "other"
    explain: ClassVar[str | None] = "class_token"
    label: str = "class_token"

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return (Term("weights", (inputs[0].channels,), self.label),)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_rank(self, inputs[0], 1)
        return Shape(inputs[0].channels, (inputs[0].spatial[0] + ONE,))


@frozen
class FirstToken(Layer):
    """The first position of a sequence alone (`x[:, 0]`), a vector of d features."""

    op: ClassVar[str] = "first_token"
    family: ClassVar[str] = "parameter_free"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        need_rank(self, inputs[0], 1)
        return Shape(inputs[0].channels)


@frozen
class ToSequence(Layer):
    """An image's positions as one sequence: (h, w, C) to (h·w, C), the same values (a reshape)."""

    op: ClassVar[str] = "to_sequence"
    family: ClassVar[str] = "parameter_free"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return Shape(inputs[0].channels, (inputs[0].positions,))


@frozen
class TiedDense(Layer):
    """A dense layer to `units` whose weights are the layer `tied`'s (its bias, if any, its own)."""

    op: ClassVar[str] = "tied_dense"
    family: ClassVar[str] = "other"
    explain: ClassVar[str | None] = "tied_dense"
    units: Expr = ONE
    tied: str = ""
    bias: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "units", as_expr(self.units))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return (Term("bias", (self.units,)),) if self.bias else ()

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return Shape(self.units, inputs[0].spatial)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return inputs[0].positions * inputs[0].channels * self.units

    @property
    def signature(self) -> str:
        return f"tied to {self.tied}"


@frozen
class TokenEmbedding(Embedding):
    """An `Embedding` of a network's vocabulary (GPT-2's `wte`, BERT's `word_embeddings`), whose signature
    names no size: a vocabulary of tens of thousands is written in its term, with the output's grouping."""

    @property
    def signature(self) -> str:
        return "one row per token id"


@frozen
class Causal(Wrapped):
    """Causal (masked) self-attention: `layer` (a `MultiHeadAttention`) with its mask said in its signature."""

    @property
    def signature(self) -> str:
        return f"{self.layer.signature}, causal"


# the kinds with an explanation of their own (no reader spells them); FirstToken and ToSequence are
# explained with the other parameter-free layers
KINDS = (kind(AddedTable), kind(ClassToken), kind(TiedDense))
