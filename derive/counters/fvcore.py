"""fvcore 0.1.5's `FlopCountAnalysis(model, inputs).total()`, the model in eval mode, as a table of rules.

Read from fvcore/nn/flop_count.py (`_DEFAULT_SUPPORTED_OPS`) and fvcore/nn/jit_handles.py, and checked
against fvcore itself in tests/test_flops.py. fvcore traces the model with `torch.jit` and counts only the
operators it has a handle for, one fused multiply-add as one flop:

* `aten::_convolution`: weights × output positions (a transposed one: × input positions), no bias;
* `aten::linear`, `aten::addmm`, `aten::matmul`, `aten::bmm`, `aten::einsum`: the products, no bias;
* `aten::batch_norm` in eval mode: 2 per input element with an affine scale and shift, else 1
  (in training mode it would count 5 or 4, as the other norms);
* `aten::layer_norm`, `aten::group_norm`, `aten::instance_norm`: 5 per input element with a weight, else 4;
* `aten::adaptive_avg_pool2d`: 1 per input element; upsampling 1 (nearest) or 4 (bilinear) per output element.

Every other operator is "unsupported" and counts 0: activations, max and average pooling
(`aten::max_pool2d`, `aten::avg_pool2d`), adds, and `aten::scaled_dot_product_attention`, through which
PyTorch 2 runs attention's two matrix products (nn.MultiheadAttention with need_weights=False, as
nn.TransformerEncoderLayer calls it), so its projections count and its products do not.
"""

from __future__ import annotations

import sympy

from .rows import CONVOLUTIONS, SILENT, TRANSPOSED, ZERO, Row, added_table, nothing, silent

WEIGHTED = (*CONVOLUTIONS, *TRANSPOSED, "dense")


def weighted(row: Row) -> tuple[sympy.Expr, str]:
    return row.macs, "weighted"


def attention(row: Row) -> tuple[sympy.Expr, str]:
    """The four projections run as aten::linear; the products inside scaled_dot_product_attention: 0."""
    return row.macs, "attention"


def batch_norm(row: Row) -> tuple[sympy.Expr, str]:
    return row.numel_in * (2 if row.has("gamma", "beta") else 1), "batch_norm"


def norm(row: Row) -> tuple[sympy.Expr, str]:
    return row.numel_in * (5 if row.has("gamma") else 4), "norm"


def global_pool(row: Row) -> tuple[sympy.Expr, str]:
    """Global (adaptive) average pooling over an image: aten::adaptive_avg_pool2d, 1 per input element;
    max pooling and pooling over a sequence or a volume have no handle."""
    if getattr(row.layer, "kind", "avg") == "avg" and row.op in ("global_pool2d", "adaptive_pool2d"):
        return row.numel_in, "average_pool"
    return ZERO, "pool"


RULES = {
    **{op: weighted for op in WEIGHTED},
    "multi_head_attention": attention,
    "batch_norm": batch_norm,
    "layer_norm": norm, "group_norm": norm, "instance_norm": norm,
    "rms_norm": nothing("rms_norm"),
    "global_pool1d": global_pool, "global_pool2d": global_pool, "global_pool3d": global_pool,
    "adaptive_pool1d": global_pool, "adaptive_pool2d": global_pool, "adaptive_pool3d": global_pool,
    "pool1d": nothing("pool"), "pool2d": nothing("pool"), "pool3d": nothing("pool"),
    "activation": nothing("activation"), "prelu": nothing("activation"),
    "add": nothing("add"), "multiply": nothing("elementwise"), "subtract": nothing("elementwise"),
    "average": nothing("elementwise"), "maximum": nothing("elementwise"), "minimum": nothing("elementwise"),
    "embedding": nothing("embedding"),
    # ConvNeXt's layer scale (a parameter times the tensor, `gamma * x`) and Keras' Rescaling: a multiply (and an add)
    "layer_scale": nothing("scale"), "rescaling": nothing("scale"),
    # recurrent layers run as aten::lstm, aten::gru, aten::rnn_tanh: no handle
    **{op: nothing("recurrent") for op in ("simple_rnn", "lstm", "gru", "bidirectional")},
    "added_table": added_table,
    **{op: silent for op in SILENT},
}
