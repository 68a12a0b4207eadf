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
  `factory=False`), `stated` the argument that says the input size (`in_channels`), `image` whether
  it needs an image (True), a vector (False) or either (None), `attributes` the module attributes
  that read a field of the layer (`conv.out_channels` is `filters`).

`build(args)` gets the bound arguments (`Arguments`) and returns the layer. The readers read them
in the order `build` asks, so the first mistake in that order is the one reported.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Mapping, Protocol

import sympy

from ..records import frozen
from .base import Layer

MISSING: Any = object()


class Arguments(Protocol):
    """A layer's arguments as written (in a TOML table or a Python call), read one by one.

    Each reader reports a mistake at the argument's place, in the words of where it was written."""

    def given(self, name: str) -> bool: ...
    def get(self, name: str, default: Any = MISSING) -> Any: ...
    def error(self, name: str, what: str) -> Exception: ...
    def size(self, name: str, default: Any = MISSING, *, zero: bool = False) -> sympy.Expr: ...
    def as_size(self, name: str, value: Any, *, zero: bool = False) -> sympy.Expr: ...
    def pair(self, name: str, default: Any = MISSING, *, zero: bool = False) -> tuple[sympy.Expr, sympy.Expr]: ...
    def flag(self, name: str, default: Any = MISSING) -> bool: ...
    def rate(self, name: str, default: Any = MISSING) -> sympy.Expr: ...
    def sequence(self, value: Any) -> tuple | None: ...
    def text(self, name: str, default: Any = MISSING, choices: tuple[str, ...] | None = None) -> str: ...
    def number(self, name: str, default: Any = MISSING) -> sympy.Expr: ...
    def none_or(self, name: str, allowed: tuple = ()) -> None: ...
    def word(self, value: Any) -> str | None: ...


@frozen
class Signature:
    label: str  # as the user spells the class, for messages
    params: tuple[str, ...]  # read, in positional order
    required: tuple[str, ...] = ()
    ignored: frozenset[str] = frozenset()
    positional: int | None = None  # how many may be positional (default: all of params)


@frozen
class Spelling:
    reader: str  # "spec", "keras" or "torch"
    name: str  # as written: "conv2d", "Conv2D", "Conv2d"
    signature: Signature
    build: Callable[[Any], Layer]
    kind: Any = None  # the Layer class, set by `kind()`
    functional: str | None = None  # Keras: the function form (`add`)
    stated: str | None = None  # PyTorch: the argument that states the input size
    image: bool | None = None  # PyTorch: needs an image (True), a vector (False), either (None)
    attributes: tuple[tuple[str, str], ...] = ()  # PyTorch: (module attribute, layer field)

    @property
    def merge(self) -> bool:
        """Whether it joins two or more inputs (Add, Concatenate)."""
        return self.kind.arity == 0


@frozen
class Kind:
    """A layer class and every way the readers spell it."""

    cls: Any
    spellings: tuple[Spelling, ...]


def kind(cls: type[Layer], *spellings: Spelling) -> Kind:
    return Kind(cls, tuple(dataclasses.replace(s, kind=cls) for s in spellings))


def spec(op: str, keys: tuple[str, ...], build: Callable[[Any], Layer], required: tuple[str, ...] = ()) -> Spelling:
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
          ignored: tuple[str, ...] = (), factory: bool = True, stated: str | None = None, image: bool | None = None,
          attributes: Mapping[str, str] | None = None, positional: int | None = None) -> Spelling:
    """`nn.<name>`: parameters read, in positional order; `ignored` accepted unread."""
    accepted = frozenset(ignored) | (TORCH_FACTORY if factory else frozenset())
    signature = Signature(f"nn.{name}", params + keyword_only, ignored=accepted,
                          positional=len(params) if positional is None else positional)
    return Spelling("torch", name, signature, build, stated=stated, image=image,
                    attributes=tuple((attributes or {}).items()))


# -- the TOML spec ------------------------------------------------------------------------------------
def spec_padding(args: Arguments, default: str) -> Any:
    """`"same"`, `"valid"`, or explicit sizes per side (one, or [height, width])."""
    value = args.get("padding", default)
    if isinstance(value, str) and value in ("same", "valid"):
        return value
    return args.pair("padding", zero=True)
