"""Sequences: `Embedding`, the recurrent layers (`SimpleRNN`, `LSTM`, `GRU`; PyTorch `nn.RNN`, `nn.LSTM`,
`nn.GRU`), Keras' wrappers `Bidirectional` and `TimeDistributed`, and `ConvLSTM2D`.

A sequence is `Shape(d, (T,))`: T time steps of d features (channels last, the time steps its one
spatial axis). Token ids are a plain `Shape(T)` (T ids, no features); an embedding turns every id into
d features. A recurrent layer with G gates (1 for a simple RNN, 3 for a GRU, 4 for an LSTM) has, per
direction and layer, an input kernel G·h·d, a recurrent kernel G·h·h and its biases: Keras keeps one
bias vector G·h (a GRU with `reset_after=True` two), PyTorch always two (`b_ih` and `b_hh`).

Multiply-accumulates counted: the two matrix products of every time step (input kernel and recurrent
kernel, and an LSTM's projection), times T; the gates' element-wise products and the biases are not
counted, as for every other layer (and as `torch.utils.flop_counter` counts an `nn.LSTM`).
"""

from __future__ import annotations

from typing import Any, ClassVar

import sympy

from ..errors import InputError
from ..records import frozen
from .base import (
    ONE,
    ZERO,
    Expr,
    Layer,
    Padding,
    Shape,
    Term,
    as_expr,
    as_pair,
    check_fits,
    window_out,
)
from .spelling import Arguments, keras, keras_activation, kind, spec, torch

TWO = sympy.Integer(2)


def need_sequence(layer: Layer, shape: Shape) -> Expr:
    """The number of time steps of a sequence input (time steps, features)."""
    if len(shape.spatial) != 1:
        raise InputError(f"{layer.op} needs a sequence input (time steps, features), got "
                         f"{'a vector' if not shape.spatial else f'{len(shape.spatial) + 1} axes'}")
    return shape.spatial[0]


def _factors(*factors: Expr) -> tuple[Expr, ...]:
    """Factors as written, without the ones (`1·h·d` is `h·d`)."""
    return tuple(f for f in factors if f != ONE)


@frozen
class Pick(Layer):
    """One more output of a layer that gives several (Keras' `return_state`, `merge_mode=None`): no
    parameters, no work; its shape is `shape`, or the layer's output shape when None."""

    op: ClassVar[str] = "output"
    family: ClassVar[str] = "other"
    which: str = ""
    shape: Shape | None = None
    last_step: bool = False  # the layer's output without its time axis (a ConvLSTM2D's state)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        if self.shape is not None:
            return self.shape
        return Shape(inputs[0].channels, inputs[0].spatial[1:]) if self.last_step else inputs[0]

    @property
    def signature(self) -> str:
        return self.which


@frozen
class Embedding(Layer):
    """A lookup table: one row of `dim` learned values for each of the `vocabulary` token ids.

    Its input is token ids (every axis of it, `Shape(T)` for one sequence); each id becomes `dim`
    features: `(T,)` -> `(T, dim)`. No multiply-accumulates: a row is read, not computed.
    `length` is Keras' `input_length` (the sequence length a model states), kept for the reader.
    """

    op: ClassVar[str] = "embedding"
    family: ClassVar[str] = "sequence"
    explain: ClassVar[str | None] = "embedding"
    vocabulary: Expr
    dim: Expr
    length: Expr | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "vocabulary", as_expr(self.vocabulary))
        object.__setattr__(self, "dim", as_expr(self.dim))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return (Term("weights", (self.vocabulary, self.dim), "embeddings"),)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return Shape(self.dim, (*inputs[0].spatial, inputs[0].channels))

    @property
    def signature(self) -> str:
        return f"{self.vocabulary}→{self.dim}"


@frozen
class Recurrent(Layer):
    """What the three recurrent kinds share; `gates` says which (1, 3 or 4).

    `units` h; `bias`; `split_bias`: two bias vectors (PyTorch's `b_ih` and `b_hh`, Keras GRU's
    `reset_after=True`); `sequences`: every time step out (T, h) or the last one (h,) (PyTorch always
    gives every step); `state`: Keras' `return_state`; `layers`, `directions` and `proj` (LSTM's
    `proj_size`): PyTorch's stacked, bidirectional and projected forms; `torch`: PyTorch's names.
    """

    op: ClassVar[str] = "recurrent"
    family: ClassVar[str] = "sequence"
    gates: ClassVar[int] = 1
    units: Expr
    bias: bool = True
    split_bias: bool = False
    sequences: bool = False
    state: bool = False
    layers: Expr = ONE
    directions: int = 1
    proj: Expr | None = None
    torch: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "units", as_expr(self.units))
        object.__setattr__(self, "layers", as_expr(self.layers))
        if self.proj is not None:
            object.__setattr__(self, "proj", as_expr(self.proj))

    @property
    def out_size(self) -> Expr:
        """The size of one direction's output (h, or `proj_size`)."""
        return self.units if self.proj is None else self.proj

    def _one_layer(self, d: Expr, suffix: str) -> list[Term]:
        g, h, r = sympy.Integer(self.gates), self.units, self.out_size
        count = _factors(sympy.Integer(self.directions)) if suffix == "l0" else _factors(
            self.layers - 1, sympy.Integer(self.directions))
        both = "(_reverse)" if self.directions == 2 else ""
        names = tuple(f"{n}_{suffix}{both}" for n in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
                      ) if self.torch else ("kernel", "recurrent_kernel", "input_bias",
                                                            "recurrent_bias", "projection")
        out = [Term("weights", (*count, *_factors(g, h, d)), names[0]),
               Term("weights", (*count, *_factors(g, h, r)), names[1])]
        if self.bias and self.split_bias:
            out += [Term("bias", (*count, *_factors(g, h)), names[2]), Term("bias", (*count, *_factors(g, h)), names[3])]
        elif self.bias:
            out.append(Term("bias", (*count, *_factors(g, h)), "bias"))
        if self.proj is not None:
            out.append(Term("weights", (*count, r, h), names[4]))
        return out

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        d = inputs[0].channels
        out = self._one_layer(d, "l0")
        if self.layers != ONE:
            later = "l1" if self.layers == TWO else f"l1…l{self.layers - 1}" if self.layers.is_Integer else "l1…"
            out += self._one_layer(self.directions * self.out_size, later)
        return tuple(out)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        steps = need_sequence(self, inputs[0])
        features = self.directions * self.out_size
        return Shape(features, (steps,)) if self.sequences else Shape(features)

    def states(self) -> tuple[Pick, ...]:
        """Keras' `return_state`: the final states after the output (an LSTM's h and c)."""
        names = ("state_h", "state_c") if self.gates == 4 else ("state",)
        return tuple(Pick(name, Shape(self.units)) for name in names) if self.state else ()

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        steps = need_sequence(self, inputs[0])
        per_step = sum((t.size for t in self.terms(inputs) if t.kind == "weights"), ZERO)
        return steps * per_step

    @property
    def signature(self) -> str:
        words = [f"h={self.units}"]
        if self.layers != ONE:
            words.append(f"×{self.layers} layers")
        if self.directions == 2:
            words.append("bidirectional")
        return " ".join(words)


@frozen
class SimpleRNN(Recurrent):
    """One tanh (or ReLU) layer: h·d input weights, h·h recurrent weights, a bias h (PyTorch: two)."""

    op: ClassVar[str] = "simple_rnn"
    explain: ClassVar[str | None] = "simple_rnn"
    gates: ClassVar[int] = 1


@frozen
class LSTM(Recurrent):
    """Four gates (input, forget, cell, output), each with input weights, recurrent weights and a bias."""

    op: ClassVar[str] = "lstm"
    explain: ClassVar[str | None] = "lstm"
    gates: ClassVar[int] = 4


@frozen
class GRU(Recurrent):
    """Three gates (reset, update, new), each with input weights, recurrent weights and a bias (two when
    the reset gate is applied after the recurrent product: Keras' `reset_after=True`, and PyTorch)."""

    op: ClassVar[str] = "gru"
    explain: ClassVar[str | None] = "gru"
    gates: ClassVar[int] = 3


def _named(prefix: str, terms: tuple[Term, ...]) -> tuple[Term, ...]:
    return tuple(Term(t.kind, t.factors, f"{prefix}_{t.label}") for t in terms)


@frozen
class Bidirectional(Layer):
    """Keras `Bidirectional`: the recurrent layer run forward and (a copy, or `backward`) backward.

    `merge` joins the two outputs: `concat` (the features of both), `sum`, `ave`, `mul` (the forward
    one's shape), or None (two outputs). Parameters: both layers'.
    """

    op: ClassVar[str] = "bidirectional"
    family: ClassVar[str] = "sequence"
    explain: ClassVar[str | None] = "bidirectional"
    layer: Recurrent
    merge: str | None = "concat"
    backward: Recurrent | None = None

    @property
    def back(self) -> Recurrent:
        return self.layer if self.backward is None else self.backward

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return _named("forward", self.layer.terms(inputs)) + _named("backward", self.back.terms(inputs))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        forward, backward = self.layer.output(inputs), self.back.output(inputs)
        if forward.spatial != backward.spatial:
            raise InputError("Bidirectional needs forward and backward layers with the same return_sequences")
        if (forward.channels - backward.channels).is_nonzero:
            raise InputError("Bidirectional needs forward and backward layers of the same units (Keras sizes "
                             "the output from the forward layer's)")
        return Shape(2 * forward.channels, forward.spatial) if self.merge == "concat" else forward

    def states(self) -> tuple[Pick, ...]:
        """The second output (merge_mode=None), then the states of both directions (return_state)."""
        second = (Pick("backward"),) if self.merge is None else ()
        return (*second, *(Pick(f"forward_{p.which}", p.shape) for p in self.layer.states()),
                *(Pick(f"backward_{p.which}", p.shape) for p in self.back.states()))

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return self.layer.macs(inputs, output) + self.back.macs(inputs, output)

    @property
    def signature(self) -> str:
        return f"{self.layer.op}, {self.merge}"


@frozen
class TimeDistributed(Layer):
    """Keras `TimeDistributed`: one layer applied to every time step, with the same weights each time.

    Input (T, ...): the layer sees (...) and its output gets the T back; its parameters once, its
    multiply-accumulates T times.
    """

    op: ClassVar[str] = "time_distributed"
    family: ClassVar[str] = "sequence"
    explain: ClassVar[str | None] = "time_distributed"
    layer: Layer

    def _step(self, shape: Shape) -> tuple[Expr, Shape]:
        if not shape.spatial:
            raise InputError("TimeDistributed needs an input with a time axis (time steps, ...)")
        return shape.spatial[0], Shape(shape.channels, shape.spatial[1:])

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return self.layer.terms((self._step(inputs[0])[1],))

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        steps, one = self._step(inputs[0])
        out = self.layer.output((one,))
        return Shape(out.channels, (steps, *out.spatial))

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        steps, one = self._step(inputs[0])
        return steps * self.layer.macs((one,), self.layer.output((one,)))

    @property
    def signature(self) -> str:
        return self.layer.op


@frozen
class ConvLSTM2D(Layer):
    """An LSTM whose products are convolutions: per gate a k_h×k_w kernel over the input's C_in channels
    and one over the state's `filters`, and a bias: 4·(k_h·k_w·(C_in + filters)·filters + filters)."""

    op: ClassVar[str] = "conv_lstm2d"
    family: ClassVar[str] = "sequence"
    explain: ClassVar[str | None] = "conv_lstm2d"
    filters: Expr
    kernel: tuple[Expr, Expr] = (ONE, ONE)
    stride: tuple[Expr, Expr] = (ONE, ONE)
    padding: Padding = "valid"
    dilation: tuple[Expr, Expr] = (ONE, ONE)
    bias: bool = True
    sequences: bool = False
    state: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "filters", as_expr(self.filters))
        for name in ("kernel", "stride", "dilation"):
            object.__setattr__(self, name, as_pair(getattr(self, name)))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        four, f = sympy.Integer(4), self.filters
        out = (Term("weights", (four, *self.kernel, inputs[0].channels, f), "kernel"),
               Term("weights", (four, *self.kernel, f, f), "recurrent_kernel"))
        return (*out, Term("bias", (four, f), "bias")) if self.bias else out

    def _image(self, shape: Shape) -> tuple[Expr, Shape]:
        if len(shape.spatial) != 3:
            raise InputError("conv_lstm2d needs a sequence of images (time steps, height, width, channels)")
        steps, h, w = shape.spatial
        out = Shape(self.filters, tuple(window_out(size, self.kernel[i], self.stride[i], self.padding,
                                                   self.dilation[i], i) for i, size in enumerate((h, w))))
        return steps, check_fits(Shape(shape.channels, (h, w)), out)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        steps, image = self._image(inputs[0])
        return Shape(self.filters, (steps, *image.spatial)) if self.sequences else image

    def states(self) -> tuple[Pick, ...]:
        return tuple(Pick(name, None, self.sequences) for name in ("state_h", "state_c")) if self.state else ()

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        steps, image = self._image(inputs[0])
        per_position = sum((t.size for t in self.terms(inputs) if t.kind == "weights"), ZERO)
        return steps * image.positions * per_position


# -- spellings ------------------------------------------------------------------------------------
KERAS_RNN = ("activation", "use_bias", "dropout", "recurrent_dropout", "return_sequences", "return_state",
             "go_backwards", "stateful", "unroll")
KERAS_RNN_IGNORED = ("recurrent_initializer", "recurrent_regularizer", "recurrent_constraint", "unit_forget_bias",
                     "recurrent_activation", "use_cudnn")


def _keras_rnn(cls: type[Recurrent]) -> Any:
    def build(args: Arguments) -> Layer:
        keras_activation(args, "activation")
        for name in ("dropout", "recurrent_dropout"):
            args.rate(name, ZERO)
        for name in ("go_backwards", "stateful", "unroll"):
            args.flag(name, False)
        split = cls is GRU and args.flag("reset_after", True)
        return cls(args.size("units"), args.flag("use_bias", True), split, args.flag("return_sequences", False),
                   args.flag("return_state", False))
    return build


def _keras_rnn_spelling(cls: type[Recurrent], name: str) -> Any:
    keywords = ("reset_after",) if cls is GRU else ()
    spelling = keras(name, ("units",), _keras_rnn(cls), keywords=KERAS_RNN + keywords)
    spelling.signature.ignored = spelling.signature.ignored | frozenset(KERAS_RNN_IGNORED)
    return spelling


def _torch_rnn(cls: type[Recurrent]) -> Any:
    def build(args: Arguments) -> Layer:
        args.size("input_size")
        if cls is SimpleRNN:
            args.text("nonlinearity", "tanh", ("tanh", "relu"))
        args.flag("batch_first", False)
        proj = args.size("proj_size", ZERO, zero=True) if cls is LSTM else ZERO
        if proj != ZERO and proj.is_Number and args.given("hidden_size") and args.size("hidden_size").is_Number \
                and proj >= args.size("hidden_size"):
            raise args.error("proj_size", "proj_size has to be smaller than hidden_size")
        bias = args.flag("bias", True)
        return cls(args.size("hidden_size"), bias, True, True, False, args.size("num_layers", 1),
                   2 if args.flag("bidirectional", False) else 1, None if proj == ZERO else proj, True)
    return build


TORCH_RNN = ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional")  # dropout
# is accepted unread: between stacked layers, it changes no count (and code often computes it)
TORCH_ATTRIBUTES = {"hidden_size": "units", "num_layers": "layers", "proj_size": "proj"}


def _torch_rnn_spelling(cls: type[Recurrent], name: str) -> Any:
    if cls is SimpleRNN:
        params = ("input_size", "hidden_size", "num_layers", "nonlinearity", *TORCH_RNN[3:])
    else:
        params = TORCH_RNN + (("proj_size",) if cls is LSTM else ())
    return torch(name, params, _torch_rnn(cls), stated="input_size", spatial=1, attributes=TORCH_ATTRIBUTES,
                 ignored=("dropout",))


def _spec_rnn(cls: type[Recurrent]) -> Any:
    def build(args: Arguments) -> Layer:
        split = args.flag("two_biases", cls is GRU)
        return cls(args.size("units"), args.flag("bias", True), split, args.flag("return_sequences", False),
                   False, args.size("layers", 1), 2 if args.flag("bidirectional", False) else 1,
                   args.size("proj") if cls is LSTM and args.given("proj") else None)
    keys = ("units", "bias", "two_biases", "return_sequences", "layers", "bidirectional") + (
        ("proj",) if cls is LSTM else ())
    return spec(cls.op, keys, build, required=("units",))


def _keras_embedding(args: Arguments) -> Layer:
    args.flag("mask_zero", False)
    args.none_or("lora_rank")
    length = args.size("input_length") if args.given("input_length") and args.get("input_length") is not None \
        else None
    return Embedding(args.size("input_dim"), args.size("output_dim"), length)


def _torch_embedding(args: Arguments) -> Layer:
    vocabulary = args.size("num_embeddings")
    if args.given("padding_idx") and args.get("padding_idx") is not None:
        index = args.number("padding_idx")
        if index.is_Integer and vocabulary.is_Integer and not -vocabulary <= index < vocabulary:
            raise args.error("padding_idx", "padding_idx must be within num_embeddings")
    if args.given("max_norm") and args.get("max_norm") is not None:
        args.number("max_norm")
    for name in ("scale_grad_by_freq", "sparse"):
        args.flag(name, False)
    args.none_or("_weight")
    return Embedding(vocabulary, args.size("embedding_dim"))


def _inner(args: Arguments, name: str, wanted: type, what: str) -> Any:
    """The layer a wrapper takes as an argument (a Keras layer made in the code)."""
    value = args.get(name)
    layer = getattr(value, "layer", None)
    if not isinstance(layer, wanted):
        raise args.error(name, f"{name} must be {what}")
    return layer


def _keras_bidirectional(args: Arguments) -> Layer:
    layer = _inner(args, "layer", Recurrent, "a recurrent layer (SimpleRNN, LSTM or GRU)")
    merge = args.get("merge_mode", "concat")
    if merge is not None:
        merge = args.text("merge_mode", "concat", ("concat", "sum", "ave", "mul"))
    backward = _inner(args, "backward_layer", Recurrent, "a recurrent layer") if args.given(
        "backward_layer") and args.get("backward_layer") is not None else None
    return Bidirectional(layer, merge, backward)


def _keras_time_distributed(args: Arguments) -> Layer:
    return TimeDistributed(_inner(args, "layer", Layer, "a Keras layer"))


def _keras_conv_lstm(args: Arguments) -> Layer:
    from .spelling import channels_last, keras_padding
    channels_last(args)
    keras_activation(args, "activation")
    for name in ("dropout", "recurrent_dropout"):
        args.rate(name, ZERO)
    for name in ("go_backwards", "stateful"):
        args.flag(name, False)
    return ConvLSTM2D(args.size("filters"), args.pair("kernel_size"), args.pair("strides", 1), keras_padding(args),
                      args.pair("dilation_rate", 1), args.flag("use_bias", True), args.flag("return_sequences", False),
                      args.flag("return_state", False))


def _ignoring(spelling: Any, *names: str) -> Any:
    """A spelling that accepts `names` unread too (initial values, which change no count)."""
    spelling.signature.ignored = spelling.signature.ignored | frozenset(names)
    return spelling


_conv_lstm = keras("ConvLSTM2D", ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                                  "activation"), _keras_conv_lstm,
                   keywords=("use_bias", "dropout", "recurrent_dropout", "return_sequences", "return_state",
                             "go_backwards", "stateful"))
_conv_lstm.signature.ignored = _conv_lstm.signature.ignored | frozenset(KERAS_RNN_IGNORED)

KINDS = (
    kind(Embedding,
         spec("embedding", ("vocabulary", "dim"), lambda a: Embedding(a.size("vocabulary"), a.size("dim")),
              required=("vocabulary", "dim")),
         _ignoring(keras("Embedding", ("input_dim", "output_dim"), _keras_embedding,
                         keywords=("embeddings_initializer", "embeddings_regularizer", "embeddings_constraint",
                                   "mask_zero", "lora_rank", "input_length")), "weights"),
         torch("Embedding", ("num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type",
                             "scale_grad_by_freq", "sparse", "_weight", "_freeze"), _torch_embedding,
               ignored=("norm_type", "_freeze"), attributes={"num_embeddings": "vocabulary",
                                                             "embedding_dim": "dim"})),
    kind(SimpleRNN, _spec_rnn(SimpleRNN), _keras_rnn_spelling(SimpleRNN, "SimpleRNN"),
         _torch_rnn_spelling(SimpleRNN, "RNN")),
    kind(LSTM, _spec_rnn(LSTM), _keras_rnn_spelling(LSTM, "LSTM"), _torch_rnn_spelling(LSTM, "LSTM")),
    kind(GRU, _spec_rnn(GRU), _keras_rnn_spelling(GRU, "GRU"), _torch_rnn_spelling(GRU, "GRU")),
    kind(Bidirectional,
         keras("Bidirectional", ("layer", "merge_mode", "weights", "backward_layer"), _keras_bidirectional)),
    kind(TimeDistributed, keras("TimeDistributed", ("layer",), _keras_time_distributed)),
    kind(ConvLSTM2D, _conv_lstm),
    kind(Pick),
)
