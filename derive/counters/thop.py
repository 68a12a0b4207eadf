"""thop 0.1.1's `profile(model, inputs=(x,))`, as rules.

Read from thop/profile.py (`register_hooks`, `profile`), thop/vision/basic_hooks.py and
thop/vision/calc_func.py, and checked against thop itself in tests/test_flops.py. thop puts the model
in eval mode and hooks modules of the types in `register_hooks` only (no functional call, no tensor
operation, no module of another type: a `NonDynamicallyQuantizableLinear` is not an `nn.Linear`); what it
returns as MACs is:

* Conv1d/2d/3d: output elements × in_channels/groups × kernel size, no bias; Linear: in_features per
  output element, no bias;
* BatchNorm1d/2d/3d, InstanceNorm, LayerNorm: 2 per input element, 4 with an affine scale and shift
  (`affine` or `elementwise_affine`); GroupNorm has no rule: 0;
* AvgPool: 1 per output element; AdaptiveAvgPool: (input size / output size + 1) per output element, so
  a global average pool counts H·W + 1 per channel; max pooling, ReLU, ReLU6, LeakyReLU, Dropout: 0;
  PReLU: 1 per input element in eval mode; Softmax: 3·n − 1 per slice of n;
* nn.MultiheadAttention has no rule (its projections run inside F.multi_head_attention_forward, not as
  nn.Linear modules): 0; GELU, SiLU, Sigmoid, Hardswish, ... have none either.
"""

from __future__ import annotations

import sympy

from . import forms
from .rows import CONVOLUTIONS, POOLS, SILENT, ZERO, Row, added_table, nothing, silent

CONVS = (*CONVOLUTIONS, "dense")


def weighted(row: Row) -> tuple[sympy.Expr, str]:
    return row.macs, "weighted"


def norm(row: Row) -> tuple[sympy.Expr, str]:
    if row.form == forms.SUBCLASS:  # its rules are looked up by the exact type: a subclass has none
        return ZERO, "subclass"
    affine = row.has("gamma", "beta")
    return row.numel_in * (4 if affine else 2), "norm"


def module(rule):
    """A rule for a kind thop sees only as a module: nothing for a functional call."""
    def apply(row: Row) -> tuple[sympy.Expr, str]:
        if row.form == forms.MODULE:
            return rule(row)
        return ZERO, "functional_pool" if "pool" in row.op else "functional_activation"
    return apply


@module
def pool(row: Row) -> tuple[sympy.Expr, str]:
    kind = getattr(row.layer, "kind", "max")
    if kind != "avg":
        return ZERO, "max_pool"
    if row.op.startswith("pool"):
        return row.numel_out, "average_pool"
    # adaptive: (input positions / output positions + 1) per output element
    return (row.input.positions / row.output.positions + 1) * row.numel_out, "average_pool"


@module
def activation(row: Row) -> tuple[sympy.Expr, str]:
    if row.function == "softmax":
        n = row.input.channels
        return 3 * row.numel_in - row.numel_in / n, "softmax"
    return ZERO, "activation"


@module
def prelu(row: Row) -> tuple[sympy.Expr, str]:
    return row.numel_in, "prelu"


RULES = {
    **{op: weighted for op in CONVS},
    "multi_head_attention": nothing("attention"),
    "batch_norm": norm, "instance_norm": norm, "layer_norm": norm,
    "group_norm": nothing("group_norm"), "rms_norm": nothing("group_norm"),
    "activation": activation, "prelu": prelu,
    **{op: pool for op in POOLS},
    "add": nothing("add"), "multiply": nothing("elementwise"), "subtract": nothing("elementwise"),
    "embedding": nothing("embedding"),
    # ConvNeXt's layer scale (a parameter times the tensor, `gamma * x`) and Keras' Rescaling: a multiply (and an add)
    "layer_scale": nothing("scale"), "rescaling": nothing("scale"),
    "added_table": added_table,
    **{op: silent for op in SILENT},
}
