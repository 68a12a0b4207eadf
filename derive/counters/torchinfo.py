"""torchinfo 1.8.0's "Total mult-adds" of `summary(model, input_size=(1, ...))`, as rules.

Read from torchinfo/layer_info.py (`LayerInfo.calculate_macs`) and torchinfo/model_statistics.py, and
checked against torchinfo itself in tests/test_flops.py. torchinfo adds up, over the leaf modules that
ran (modules without children), the sizes of their parameters named `weight` and `bias`:

* a module whose class name has "Conv" in it: (weight + bias) × output positions (times the batch);
* any other leaf module: (weight + bias) × the batch, once, however many positions or tokens it is
  applied at: a Linear over L tokens counts in·out + out, not L times that; a BatchNorm or LayerNorm
  counts its scale and shift, 2 per channel;
* nn.MultiheadAttention is not a leaf (its out_proj is a child) and its out_proj never runs as a module:
  0; modules without parameters (activations, pooling, dropout): 0.
"""

from __future__ import annotations

import sympy

from .rows import CONVOLUTIONS, POOLS, SILENT, TRANSPOSED, Row, added_table, nothing, silent

CONVS = (*CONVOLUTIONS, *TRANSPOSED)


def conv(row: Row) -> tuple[sympy.Expr, str]:
    return row.size("weights", "bias") * row.output.positions, "conv"


def once(topic: str):
    """Its parameters once: weight and bias (scale and shift of a norm)."""
    return lambda row: (row.size("weights", "bias", "gamma", "beta"), topic)


RULES = {
    **{op: conv for op in CONVS},
    "dense": once("dense"),
    "multi_head_attention": nothing("attention"),
    "batch_norm": once("norm"), "instance_norm": once("norm"), "layer_norm": once("norm"),
    "group_norm": once("norm"), "rms_norm": once("norm"),
    "prelu": once("prelu"), "embedding": once("embedding"),
    "activation": nothing(""), "add": nothing(""), "multiply": nothing(""), "subtract": nothing(""),
    **{op: nothing("") for op in POOLS},
    # ConvNeXt's layer scale (a parameter times the tensor, `gamma * x`) and Keras' Rescaling: a multiply (and an add)
    "layer_scale": nothing(""), "rescaling": nothing(""),
    "added_table": added_table,
    **{op: silent for op in SILENT},
}
