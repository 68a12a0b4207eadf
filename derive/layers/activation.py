"""Element-wise functions: the fixed ones (relu, relu6, silu, ...: no parameters, shape unchanged), PReLU
(a learned slope α), and the parameter-free `Rescaling` and shape-keeping Keras `Lambda`."""

from __future__ import annotations

import re
from typing import Callable, ClassVar

import sympy

from ..records import frozen
from .keras_axis import indices, keras_axes
from .base import ONE, Expr, Layer, Shape, Term, as_expr
from .spelling import Arguments, keras, keras_activation, kind, spec, torch


@frozen
class Activation(Layer):
    """An element-wise function (relu, relu6, silu, ...): no parameters."""

    op: ClassVar[str] = "activation"
    family: ClassVar[str] = "activation"
    explain: ClassVar[str | None] = "activation"
    function: str = "relu"

    @property
    def signature(self) -> str:
        return self.function


@frozen
class PReLU(Layer):
    """A ReLU whose slope α for negative inputs is learned: one α per input value (Keras' default), with
    Keras' `shared_axes` one per position of the axes not shared, or PyTorch's `num_parameters` (1, or
    one per channel). α is a trainable weight."""

    op: ClassVar[str] = "prelu"
    family: ClassVar[str] = "activation"
    explain: ClassVar[str | None] = "prelu"
    shared: tuple[int, ...] = ()  # Keras `shared_axes`, counted with the batch as axis 0
    count: Expr | None = None  # PyTorch `num_parameters`

    def __post_init__(self) -> None:
        if self.count is not None:
            object.__setattr__(self, "count", as_expr(self.count))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        if self.count is not None:
            return (Term("weights", (self.count,), "alpha"),)
        shape = inputs[0]
        shared = set(indices(shape, self.shared, "shared_axes")) if self.shared else set()
        factors = tuple(d for i, d in enumerate(shape.dims) if i not in shared)
        return (Term("weights", factors or (ONE,), "alpha"),)

    @property
    def signature(self) -> str:
        if self.count is not None:
            return f"{self.count} α"
        return "shared_axes=[" + ", ".join(map(str, self.shared)) + "]" if self.shared else ""


@frozen
class Rescaling(Layer):
    """Keras `Rescaling(scale, offset)`: x·scale + offset, fixed numbers; no parameters."""

    op: ClassVar[str] = "rescaling"
    family: ClassVar[str] = "parameter_free"


@frozen
class Lambda(Layer):
    """Keras `Lambda(function)`: derive does not read the function. It has no weights (Keras tracks none),
    and it is taken to keep its input's shape, unless `output_shape` says the shape (channels last)."""

    op: ClassVar[str] = "lambda"
    family: ClassVar[str] = "parameter_free"
    shape: tuple[Expr, ...] | None = None  # Keras `output_shape`, without the batch

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        if self.shape is None:
            return inputs[0]
        return Shape(self.shape[-1], self.shape[:-1])

    @property
    def signature(self) -> str:
        return "shape kept" if self.shape is None else "output_shape given"


# -- spellings ------------------------------------------------------------------------------------
FUNCTION = re.compile(r"[a-z][a-z0-9_]{0,31}\Z")


def _spec_function(args: Arguments) -> Layer:
    value = args.get("function")
    if not isinstance(value, str) or not FUNCTION.match(value):
        raise args.error("function", "function must be an activation's name, such as \"relu6\"")
    return Activation(value)


def _keras_relu(args: Arguments) -> Layer:
    top = args.get("max_value", None)
    if top is not None and not (isinstance(top, sympy.Expr) and top.is_Number and top >= 0):
        raise args.error("max_value", "max_value must be a number, at least 0")
    return Activation("relu6" if top == 6 else "relu" if top is None else f"relu (max {top})")


def _keras_prelu(args: Arguments) -> Layer:
    return PReLU(keras_axes(args, "shared_axes", (), none=True) or ())


def _spec_prelu(args: Arguments) -> Layer:
    if args.given("parameters"):
        if args.given("shared_axes"):
            raise args.error("parameters", "give parameters or shared_axes, not both")
        return PReLU(count=args.size("parameters"))
    return PReLU(keras_axes(args, "shared_axes", ()) or ())


def _keras_lambda(args: Arguments) -> Layer:
    args.get("function")
    shape = args.get("output_shape", None)
    if shape is None:
        return Lambda()
    items = args.sequence(shape)
    if not items:
        raise args.error("output_shape", "output_shape must be a tuple of sizes (a function is not followed)")
    return Lambda(tuple(args.as_size("output_shape", item) for item in items))


def _rescaling(args: Arguments) -> Layer:
    for name in ("scale", "offset"):
        value = args.as_number(args.get(name, sympy.Integer(0)))
        if args.sequence(value) is None and (isinstance(value, bool) or not isinstance(value, sympy.Expr)):
            raise args.error(name, f"{name} must be a number")
    return Rescaling()


def _named(function: str) -> Callable[[Arguments], Layer]:
    return lambda args: Activation(function)


TORCH = {  # nn.<name>: the function, and the parameters (accepted unread)
    "ReLU": ("relu", ("inplace",)), "ReLU6": ("relu6", ("inplace",)), "SiLU": ("silu", ("inplace",)),
    "GELU": ("gelu", ("approximate",)), "Sigmoid": ("sigmoid", ()), "Tanh": ("tanh", ()),
    "Hardswish": ("hard_swish", ("inplace",)), "Hardsigmoid": ("hard_sigmoid", ("inplace",)),
    "LeakyReLU": ("leaky_relu", ("negative_slope", "inplace")), "ELU": ("elu", ("alpha", "inplace")),
    "Softmax": ("softmax", ("dim",)), "Mish": ("mish", ("inplace",)), "Softplus": ("softplus", ("beta", "threshold")),
    "Hardtanh": ("hard_tanh", ("min_val", "max_val", "inplace", "min_value", "max_value")),
    "LogSigmoid": ("log_sigmoid", ()), "LogSoftmax": ("log_softmax", ("dim",)), "Softmin": ("softmin", ("dim",)),
    "Softmax2d": ("softmax", ()), "Softsign": ("softsign", ()), "Softshrink": ("soft_shrink", ("lambd",)),
    "Hardshrink": ("hard_shrink", ("lambd",)), "Tanhshrink": ("tanh_shrink", ()),
    "Threshold": ("threshold", ("threshold", "value", "inplace")), "SELU": ("selu", ("inplace",)),
    "CELU": ("celu", ("alpha", "inplace")), "RReLU": ("rrelu", ("lower", "upper", "inplace")),
}
KINDS = (
    kind(Activation,
         spec("activation", ("function",), _spec_function, required=("function",)),
         keras("Activation", ("activation",), lambda a: Activation(keras_activation(a, "activation"))),
         keras("ReLU", ("max_value", "negative_slope", "threshold"), _keras_relu),
         keras("LeakyReLU", ("negative_slope",), _named("leaky_relu"), keywords=("alpha",)),
         keras("ELU", ("alpha",), _named("elu")),
         keras("Softmax", ("axis",), _named("softmax")),
         keras("Identity", (), _named("identity")),
         *(torch(name, params, _named(function), factory=False) for name, (function, params) in TORCH.items()),
         torch("Identity", (), _named("identity"), factory=False, positional=99)),  # takes anything
    kind(PReLU,
         spec("prelu", ("shared_axes", "parameters"), _spec_prelu),
         keras("PReLU", ("alpha_initializer", "alpha_regularizer", "alpha_constraint", "shared_axes"), _keras_prelu),
         torch("PReLU", ("num_parameters", "init"), lambda a: PReLU(count=a.size("num_parameters", 1)))),
    kind(Rescaling,
         spec("rescaling", ("scale", "offset"), _rescaling),
         keras("Rescaling", ("scale", "offset"), _rescaling)),
    kind(Lambda,
         spec("lambda", (), lambda a: Lambda()),
         keras("Lambda", ("function", "output_shape", "mask", "arguments"), _keras_lambda)),
)
