"""A fully connected layer: Keras `Dense`, PyTorch `nn.Linear`."""

from __future__ import annotations

from typing import ClassVar

from ..records import frozen
from .base import Expr, Layer, Shape, Term, as_expr
from .spelling import Arguments, keras, keras_activation, kind, spec, torch


@frozen
class Dense(Layer):
    """Keras `Dense` / PyTorch `nn.Linear`, applied along the last axis."""

    op: ClassVar[str] = "dense"
    family: ClassVar[str] = "convolution"
    explain: ClassVar[str | None] = "dense"
    units: Expr
    bias: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "units", as_expr(self.units))

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        weights = Term("weights", (inputs[0].channels, self.units))
        return (weights, Term("bias", (self.units,))) if self.bias else (weights,)

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return Shape(self.units, inputs[0].spatial)

    def macs(self, inputs: tuple[Shape, ...], output: Shape) -> Expr:
        return inputs[0].positions * inputs[0].channels * self.units


# -- spellings ------------------------------------------------------------------------------------
def _keras_dense(args: Arguments) -> Layer:
    args.none_or("lora_rank")
    keras_activation(args, "activation")
    return Dense(args.size("units"), args.flag("use_bias", True))


KINDS = (
    kind(Dense,
         spec("dense", ("units", "bias"), lambda a: Dense(a.size("units"), a.flag("bias", True)), required=("units",)),
         keras("Dense", ("units", "activation", "use_bias"), _keras_dense, keywords=("lora_rank",)),
         torch("Linear", ("in_features", "out_features", "bias", "device", "dtype"),  # all five may be positional
               lambda a: Dense(a.size("out_features"), a.flag("bias", True)),
               stated="in_features", attributes={"out_features": "units"})),
)
