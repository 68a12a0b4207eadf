"""How the readers spell a layer kind: a name, an argument signature, and how the arguments build it.

A family module declares each kind once, with `kind(Class, spec(...), keras(...), torch(...))`:

* `spec(op, keys, build, required)`: the TOML spec's `op = "conv2d"`, the keys it reads (their
  order is the order of "allowed: ..." in messages) and the required ones;
* `keras(Name, positional, build, keywords)`: Keras 3's `layers.Name(...)`, its parameters in
  positional order (then keyword-only ones); `name`, `trainable`, `input_shape` and the
  initializers, regularizers, constraints, `dtype`, ... of every Keras layer are accepted, the latter
  unread; `functional="add"` for a function form (`layers.add([a, b])`);
* `torch(Name, params, build, ...)`: PyTorch 2's `nn.Name(...)`, parameters in positional order,
  `ignored` ones accepted unread (eps, momentum, inplace; `device` and `dtype` unless
  `factory=False`), `stated` the argument that says the input size (`in_channels`), `spatial` how many
  spatial axes it needs (2: an image; 0: a vector; None: any), `attributes` the module attributes
  that read a field of the layer (`conv.out_channels` is `filters`).

`build(args)` gets the bound arguments (`Arguments`) and returns the layer. The readers read them
in the order `build` asks, so the first mistake in that order is the one reported.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

import sympy

from .base import Layer

MISSING: Any = object()


Arguments = Any
"""What `build` gets: a layer's arguments as written (in a TOML table or a Python call), read one by
one with `given`, `get`, `size`, `as_size`, `pair`, `flag`, `rate`, `sequence` (and, from code, `text`,
`number`, `none_or`, `word`), each reporting a mistake at the argument's place in the words of where
it was written, and `error(name, what)` for a refusal of the kind's own (`derive.readers.layerargs`)."""


class Signature:
    """The arguments of a spelling: read ones in positional order, required ones, ignored ones."""

    __slots__ = ("label", "params", "required", "ignored", "positional")

    def __init__(self, label: str, params: tuple[str, ...], required: tuple[str, ...] = (),
                 ignored: frozenset[str] = frozenset(), positional: int | None = None) -> None:
        self.label = label  # as the user spells the class, for messages
        self.params = params  # read, in positional order
        self.required = required
        self.ignored = ignored
        self.positional = positional  # how many may be positional (default: all of params)


class Spelling:
    """How one reader spells a kind. A plain class, not a record: some seventy are made at import,
    on the way to every answer, and a dataclass costs a millisecond to define (see `records.py`)."""

    __slots__ = ("reader", "name", "signature", "build", "kind", "functional", "stated", "spatial", "attributes")

    def __init__(self, reader: str, name: str, signature: Signature, build: Callable[[Arguments], Layer], *,
                 functional: str | None = None, stated: str | None = None, spatial: int | None = None,
                 attributes: Mapping[str, str] | None = None) -> None:
        self.reader = reader  # "spec", "keras" or "torch"
        self.name = name  # as written: "conv2d", "Conv2D", "Conv2d"
        self.signature = signature
        self.build = build
        self.kind: Any = None  # the Layer class, set by `kind()`
        self.functional = functional  # Keras: the function form (`add`)
        self.stated = stated  # PyTorch: the argument that states the input size
        self.spatial = spatial  # PyTorch: the spatial axes it needs (2: an image, 0: a vector), None: any
        self.attributes: Mapping[str, str] = attributes or {}  # PyTorch: module attribute -> layer field

    @property
    def merge(self) -> bool:
        """Whether it joins two or more inputs (Add, Concatenate)."""
        return self.kind.arity == 0


class Kind:
    """A layer class and every way the readers spell it."""

    __slots__ = ("cls", "spellings")

    def __init__(self, cls: type[Layer], spellings: tuple[Spelling, ...]) -> None:
        self.cls = cls
        self.spellings = spellings


def kind(cls: type[Layer], *spellings: Spelling) -> Kind:
    for spelling in spellings:
        spelling.kind = cls
    return Kind(cls, spellings)


def spec(op: str, keys: tuple[str, ...], build: Callable[[Arguments], Layer],
         required: tuple[str, ...] = ()) -> Spelling:
    return Spelling("spec", op, Signature(op, keys, required), build)


# -- Keras 3 ------------------------------------------------------------------------------------------
KERAS_IGNORED = frozenset({
    "dtype", "autocast", "batch_size", "input_dim", "batch_input_shape", "kernel_initializer", "bias_initializer",
    "depthwise_initializer", "pointwise_initializer", "beta_initializer", "gamma_initializer",
    "moving_mean_initializer", "moving_variance_initializer", "kernel_regularizer", "bias_regularizer",
    "depthwise_regularizer", "pointwise_regularizer", "beta_regularizer", "gamma_regularizer",
    "activity_regularizer", "kernel_constraint", "bias_constraint", "depthwise_constraint",
    "pointwise_constraint", "beta_constraint", "gamma_constraint", "epsilon", "momentum", "seed", "noise_shape",
    "renorm_clipping", "renorm_momentum", "synchronized", "lora_alpha", "quantization_config",
})
KERAS_KEYWORDS = ("name", "trainable", "input_shape")  # read by the Keras reader for every layer
KERAS_ACTIVATIONS = frozenset("""celu elu exponential gelu glu hard_shrink hard_sigmoid hard_silu hard_swish hard_tanh
    leaky_relu linear log_sigmoid log_softmax mish relu relu6 selu sigmoid silu soft_shrink softmax softplus softsign
    sparse_plus sparse_sigmoid sparsemax squareplus swish tanh tanh_shrink threshold""".split())


def keras(name: str, positional: tuple[str, ...], build: Callable[[Any], Layer], keywords: tuple[str, ...] = (),
          functional: str | None = None) -> Spelling:
    signature = Signature(name, positional + keywords + KERAS_KEYWORDS, ignored=KERAS_IGNORED,
                          positional=len(positional))
    return Spelling("keras", name, signature, build, functional=functional)


def channels_last(args: Arguments) -> None:
    if args.given("data_format") and args.get("data_format") not in (None, "channels_last"):
        raise args.error("data_format", "only data_format='channels_last' is supported")


def keras_padding(args: Arguments) -> str:
    return args.text("padding", "valid", ("valid", "same"))


def keras_activation(args: Arguments, name: str) -> str:
    """An activation as Keras accepts it: None, one of its names, or `keras.activations.relu` and the like."""
    value = args.get(name, None)
    if value is None:
        return "linear"
    if args.word(value) in KERAS_ACTIVATIONS:
        return args.word(value)  # type: ignore[return-value]
    raise args.error(name, f"{name} must be the name of a Keras activation such as 'relu'")


def axis_last(args: Arguments) -> None:
    if not args.given("axis"):
        return
    axis = args.get("axis")
    items = args.sequence(axis)
    if items is not None:
        axis = items[0] if len(items) == 1 else None
    if not (isinstance(axis, sympy.Expr) and axis == -1):
        raise args.error("axis", "only the last axis (axis=-1, the channels) is supported")


# -- PyTorch 2 ----------------------------------------------------------------------------------------
TORCH_FACTORY = frozenset({"device", "dtype"})


def torch(name: str, params: tuple[str, ...], build: Callable[[Any], Layer], keyword_only: tuple[str, ...] = (),
          ignored: tuple[str, ...] = (), factory: bool = True, stated: str | None = None,
          spatial: int | None = None, attributes: Mapping[str, str] | None = None,
          positional: int | None = None) -> Spelling:
    """`nn.<name>`: parameters read, in positional order; `ignored` accepted unread."""
    accepted = frozenset(ignored) | (TORCH_FACTORY if factory else frozenset())
    signature = Signature(f"nn.{name}", params + keyword_only, ignored=accepted,
                          positional=len(params) if positional is None else positional)
    return Spelling("torch", name, signature, build, stated=stated, spatial=spatial, attributes=attributes)


# -- the TOML spec ------------------------------------------------------------------------------------
def spec_padding(args: Arguments, default: str) -> Any:
    """`"same"`, `"valid"`, or explicit sizes per side (one, or [height, width])."""
    value = args.get("padding", default)
    if isinstance(value, str) and value in ("same", "valid"):
        return value
    return args.pair("padding", zero=True)
