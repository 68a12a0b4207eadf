"""Memory: a derivation's parameters in bytes per dtype, its training state under Adam, and the
activations of a forward pass as a formula in the sizes and the batch size B.

Plain data, as the derivation's counts are (`Count`: a formula, its value); how it is written out is the
presentation's business. The definitions, and what each is checked against (tests/test_memory.py):

- **parameters**: the convention's `all` (`parameters()` under `pytorch`, `count_params()` under `keras`)
  times the bytes of one element: fp32 4, fp16 2, bf16 2, int8 1, as `sum(p.numel() * p.element_size())`
  of the PyTorch model cast to that dtype. int8 is the weights alone: no quantisation scales or zero
  points, which every int8 scheme adds (per tensor or per channel). Buffers (PyTorch's running
  statistics) are not parameters and are not in these figures.
- **training** with Adam in fp32: every trainable parameter 16 bytes (the weight, its gradient and Adam's
  two moments, `exp_avg` and `exp_avg_sq`, 4 bytes each); what is not trained is stored as a weight
  only, 4 bytes: Keras' non-trainable weights (the moving statistics), PyTorch's frozen parameters
  (`requires_grad=False`: no gradient, so Adam keeps no moments) and its buffers (running mean and
  variance 4 bytes an element, `num_batches_tracked` an int64, 8). The paper convention counts no
  moving statistics, so neither does its figure. Not counted: Adam's step counter (one scalar per
  parameter tensor in PyTorch, one `iterations` variable in Keras).
- **activations**: torchinfo's "Forward/backward pass size": the output of every layer that has
  parameters (a convolution, a dense layer, a batch norm), in fp32, B samples, counted twice ("x2 for
  gradients"), 2 · 4 · B · (its output's elements). The outputs of layers without parameters
  (activations, adds, pooling) are not counted, as torchinfo does not. torchinfo reports
  `ModelStatistics.total_output_bytes`; derive's figure is that number, per layer and in total.
"""

from __future__ import annotations

from functools import cached_property
from typing import Mapping

import sympy

from . import conventions as conv
from .closedform import closed_form
from .derivation import Count, Derivation, LayerRow, Later, evaluate
from .records import frozen
from .symbols import BATCH, sym

DTYPES: Mapping[str, int] = {"fp32": 4, "fp16": 2, "bf16": 2, "int8": 1}  # bytes of one parameter
ADAM = 16  # bytes of a trainable fp32 parameter in training: weight, gradient, exp_avg, exp_avg_sq
WEIGHT = 4  # bytes of what is stored but not trained (fp32)
INT64 = {"num_batches_tracked"}  # buffers PyTorch keeps as int64 (8 bytes); the others fp32
ACTIVATION = 4  # bytes of an output element (fp32)
PASSES = 2  # torchinfo's "x2 for gradients": each output counted for the forward and the backward pass
PARAMETERS = {b for b in ("trainable", "non_trainable")}
TORCH = conv.get("pytorch")


def has_parameters(row: LayerRow) -> bool:
    """Whether the layer holds parameters as PyTorch has them (weights, biases, a norm's scale and
    shift, frozen ones; not buffers): the layers whose outputs torchinfo counts."""
    return any(TORCH.bucket(t.term.kind) in PARAMETERS for t in row.terms)


def elements(row: LayerRow) -> sympy.Expr:
    """The elements of one sample of the layer's output, in the symbols."""
    return sympy.Mul(*row.output.dims)


@frozen
class Memory:
    """A derivation's memory in bytes: `parameters` per dtype (fp32, fp16, bf16, int8), `training` (Adam,
    fp32), `activations` (total, and per layer in the derivation's order, each the layer's share), and
    `batch`, the value of B. The activations are worked out when first asked for, as MACs are."""

    batch: sympy.Expr
    parameters: Mapping[str, Count | Later]
    training_parts: tuple[tuple[int, str, Count], ...]  # (bytes an element, what, how many): training_parts()
    training: Count | Later
    activations: Count | Later
    layers: tuple[Count | Later, ...]


def memory(d: Derivation) -> Memory:
    """The memory figures of `d` (its convention's parameters, its layers' outputs at its batch size)."""
    batch = sym(BATCH)
    subs = {**d.substitution, batch: d.batch}
    whole = d.total["all"]
    value = whole.value
    parameters = {name: Known(None if value is None else size * value, lambda size=size: _scaled(size, whole))
                  for name, size in DTYPES.items()}
    layers = tuple(Later(lambda row=row: _layer(row, batch, subs)) for row in d.layers)
    parts = training_parts(d, subs)
    values = [count.value for _, _, count in parts]
    training = Known(None if None in values else sum(size * v for (size, _, _), v in zip(parts, values)),
                     lambda: _training(parts))
    return Memory(d.batch, parameters, parts, training, Later(lambda: _activations(d, layers, batch, subs)), layers)


class Known(Later):
    """A figure whose value is known before its formula: the value at hand, the rest (a closed form) worked
    out when first asked for, as `Later` does."""

    __slots__ = ("value",)

    def __init__(self, value: int | None, make) -> None:
        super().__init__(make)
        self.value = value


def _scaled(size: int, count: Count) -> Count:
    """`size` bytes for each of `count`: size·(its closed form), the factor kept apart."""
    value = None if count.value is None else size * count.value
    if count.raw == 0:
        return Count(sympy.Integer(0), 0, ())
    if size == 1:  # one byte a parameter: the count itself
        return Count(count.formula, value, ((count.formula,),))
    factors = (sympy.Integer(size), count.formula)
    return Count(sympy.Mul(*factors, evaluate=False), value, (factors,))


def training_parts(d: Derivation, subs) -> tuple[tuple[int, str, Count], ...]:
    """What training stores, by bytes an element: (16, "trainable", count), (4, "non_trainable", ...), and
    under `pytorch` the buffers: (4, "buffers", running statistics and registered buffers), (8,
    "num_batches_tracked", its int64s). Only those that are there."""
    parts = [(ADAM, "trainable", d.total["trainable"]), (WEIGHT, "non_trainable", d.total["non_trainable"])]
    if d.convention == "pytorch":  # buffers by their dtype: num_batches_tracked is an int64
        buffers = [(row, t) for row in d.layers for t in row.terms if t.bucket == "buffers"]
        for size, wide, what in ((WEIGHT, False, "buffers"), (2 * WEIGHT, True, "num_batches_tracked")):
            these = [(row, t) for row, t in buffers if (t.term.kind in INT64) == wide]
            if these:
                raw = sympy.Add(*(t.term.size * row.repeat for row, t in these))
                known = [t.value for _, t in these]
                value = None if None in known else sum(t.value * row.repeat for row, t in these)
                parts.append((size, what, Count(raw, value, regroup=True)))
    return tuple((size, what, count) for size, what, count in parts if count.raw != 0)


def _training(parts: tuple[tuple[int, str, Count], ...]) -> Count:
    """The training state: each part's bytes an element times its count, added up, as written."""
    if not parts:
        return Count(sympy.Integer(0), 0, ())
    products = tuple((sympy.Integer(size), count.formula) for size, _, count in parts)
    raw = sympy.Add(*(sympy.Mul(*factors, evaluate=False) for factors in products), evaluate=False)
    values = [count.value for _, _, count in parts]
    value = None if None in values else sum(size * v for (size, _, _), v in zip(parts, values))
    return Count(raw, value, products)


def _layer(row: LayerRow, batch: sympy.Symbol, subs) -> Count:
    """The layer's activations: 2·4·B·(its output's elements), written as its dimensions, when it holds
    parameters; 0 otherwise (torchinfo counts no other output)."""
    if not has_parameters(row):
        return Count(sympy.Integer(0), 0, ())
    dims = row.output.dims
    raw = PASSES * ACTIVATION * batch * elements(row)
    return Count(raw, evaluate(raw, subs), ((sympy.Integer(PASSES), sympy.Integer(ACTIVATION), batch, *dims),))


def _activations(d: Derivation, layers: tuple[Count | Later, ...], batch: sympy.Symbol, subs) -> Count:
    """The whole forward pass: each layer's share, n times for a row standing for n copies; its formula
    2·4·B·(the outputs' elements, in closed form), worked out when first asked for."""
    counted = [(row, count) for row, count in zip(d.layers, layers) if has_parameters(row)]
    if not counted:
        return Count(sympy.Integer(0), 0)
    # n copies in the symbols where the count is one (a stage of ⌈d·n⌉ blocks, GPT-2's depth N)
    outputs = sympy.Add(*(elements(row) * getattr(row, "repeat_formula", row.repeat) for row, _ in counted))
    known = [count.value for _, count in counted]
    value = None if None in known else sum(v * row.repeat for (row, _), v in zip(counted, known))
    return Activations(PASSES * ACTIVATION * batch * outputs, value, outputs=outputs, batch=batch)


@frozen
class Activations(Count):
    """The activations' total: `raw` is 2·4·B·(the outputs' elements); its `formula` keeps the factors apart,
    16·B·(C_in + C_out)·…, the closed form's numeric factor taken into 2·4 (not multiplied in)."""

    outputs: sympy.Expr | None = None
    batch: sympy.Symbol | None = None

    @cached_property
    def formula(self) -> sympy.Expr:
        coefficient, rest = closed_form(self.outputs).as_coeff_Mul()
        factors = (sympy.Integer(PASSES * ACTIVATION) * coefficient, self.batch,
                   *(f for f in (rest.args if rest.is_Mul else (rest,)) if f != 1))
        return sympy.Mul(*factors, evaluate=False)
