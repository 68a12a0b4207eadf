"""One step of a recurrent layer (PyTorch `nn.RNNCell`, `nn.LSTMCell`, `nn.GRUCell`) and PyTorch's
`nn.EmbeddingBag`: the sequence family's kinds that read no sequence.

A cell is what a recurrent layer runs at each time step, called by the user's own loop in `forward`:
its parameters are the layer's (input and recurrent weights and PyTorch's two biases per gate), its
input a vector of d features, its output the h of the new state; its multiply-accumulates one step's.
An embedding bag looks up the rows of a bag of ids and sums (or averages) them: V·d parameters, one
vector of d features out.
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..records import frozen
from .base import ZERO, Expr, Layer, Shape, Term
from .sequence import GRU, LSTM, Embedding, SimpleRNN
from .spelling import Arguments, kind, spec, torch


class _Cell:
    """One time step: a vector of d features in, the h of the new state out, one step's products."""

    units: Expr

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return Shape(self.units)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return sum((t.size for t in self.terms(inputs) if t.kind == "weights"), ZERO)  # type: ignore[attr-defined]

    def _one_layer(self, d: Expr, suffix: str) -> list[Term]:
        terms = super()._one_layer(d, suffix)  # type: ignore[misc]
        return [Term(t.kind, t.factors, t.name.removesuffix("_l0")) for t in terms]

    @property
    def signature(self) -> str:
        return f"h={self.units}, one step"


@frozen
class SimpleRNNCell(_Cell, SimpleRNN):
    op: ClassVar[str] = "simple_rnn_cell"


@frozen
class LSTMCell(_Cell, LSTM):
    op: ClassVar[str] = "lstm_cell"


@frozen
class GRUCell(_Cell, GRU):
    op: ClassVar[str] = "gru_cell"


@frozen
class EmbeddingBag(Embedding):
    """PyTorch `nn.EmbeddingBag`: an embedding whose rows, for a bag of ids, are summed, averaged or maxed
    into one vector of `dim` features."""

    op: ClassVar[str] = "embedding_bag"

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return Shape(self.dim)


# -- spellings ------------------------------------------------------------------------------------
def _torch_cell(cls: type) -> Any:
    def build(args: Arguments) -> Layer:
        args.size("input_size")
        if cls is SimpleRNNCell:
            args.text("nonlinearity", "tanh", ("tanh", "relu"))
        return cls(args.size("hidden_size"), args.flag("bias", True), True, torch=True)
    return build


def _spec_cell(cls: type) -> Any:
    return spec(cls.op, ("units", "bias"), lambda a: cls(a.size("units"), a.flag("bias", True), True, torch=True),
                required=("units",))


def _cell(cls: type, name: str) -> Any:
    params = ("input_size", "hidden_size", "bias") + (("nonlinearity",) if cls is SimpleRNNCell else ())
    return kind(cls, _spec_cell(cls), torch(name, params, _torch_cell(cls), stated="input_size", spatial=0,
                                            attributes={"hidden_size": "units"}))


def _torch_bag(args: Arguments) -> Layer:
    vocabulary = args.size("num_embeddings")
    args.text("mode", "mean", ("sum", "mean", "max"))
    for name in ("scale_grad_by_freq", "sparse", "include_last_offset"):
        args.flag(name, False)
    args.none_or("_weight")
    return EmbeddingBag(vocabulary, args.size("embedding_dim"))


KINDS = (
    _cell(SimpleRNNCell, "RNNCell"),
    _cell(LSTMCell, "LSTMCell"),
    _cell(GRUCell, "GRUCell"),
    kind(EmbeddingBag,
         spec("embedding_bag", ("vocabulary", "dim"), lambda a: EmbeddingBag(a.size("vocabulary"), a.size("dim")),
              required=("vocabulary", "dim")),
         torch("EmbeddingBag", ("num_embeddings", "embedding_dim", "max_norm", "norm_type", "scale_grad_by_freq",
                                "mode", "sparse", "_weight", "include_last_offset", "padding_idx"), _torch_bag,
               ignored=("max_norm", "norm_type", "padding_idx"),
               attributes={"num_embeddings": "vocabulary", "embedding_dim": "dim"})),
)
