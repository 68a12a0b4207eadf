"""Element-wise functions (relu, relu6, silu, ...): no parameters, shape unchanged."""

from __future__ import annotations

import re
from typing import Callable, ClassVar

import sympy

from ..records import frozen
from .base import Layer
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


def _named(function: str) -> Callable[[Arguments], Layer]:
    return lambda args: Activation(function)


TORCH = {  # nn.<name>: the function, and the parameters (accepted unread)
    "ReLU": ("relu", ("inplace",)), "ReLU6": ("relu6", ("inplace",)), "SiLU": ("silu", ("inplace",)),
    "GELU": ("gelu", ("approximate",)), "Sigmoid": ("sigmoid", ()), "Tanh": ("tanh", ()),
    "Hardswish": ("hard_swish", ("inplace",)), "Hardsigmoid": ("hard_sigmoid", ("inplace",)),
    "LeakyReLU": ("leaky_relu", ("negative_slope", "inplace")), "ELU": ("elu", ("alpha", "inplace")),
    "Softmax": ("softmax", ("dim",)), "Mish": ("mish", ("inplace",)), "Softplus": ("softplus", ("beta", "threshold")),
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
)
