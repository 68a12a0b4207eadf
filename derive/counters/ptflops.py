"""ptflops 0.7.5's `get_model_complexity_info(model, shape)` with its default backend, `pytorch`, as rules.

Read from ptflops/flops_counter.py (the default `backend=FLOPS_BACKEND.PYTORCH`), ptflops/pytorch_engine.py
and ptflops/pytorch_ops.py, and checked against ptflops itself in tests/test_flops.py. The model is put in
eval mode; a forward hook on each module of a type in `MODULES_MAPPING` counts, and while it runs ptflops
also replaces some `torch.nn.functional` functions and tensor methods by counting wrappers
(`count_functional=True`): `F.relu`, `F.prelu`, `F.elu`, `F.relu6`, `F.gelu`, `F.silu`, `F.softmax`,
every pooling, `F.interpolate`, `torch.matmul`/`mm`/`bmm`/`addmm`/`baddbmm`, `torch.add`, `torch.mul`
(not the `+` and `*` operators). Its figure is labelled MACs:

* Conv1d/2d/3d: weights × output positions, + one per output element for a bias; ConvTranspose: × input
  positions; Linear: (in·out + out with a bias) per row;
* BatchNorm, InstanceNorm, GroupNorm: 1 per input element, 2 with `affine`; LayerNorm: 1 (it has
  `elementwise_affine`, not `affine`);
* ReLU, PReLU, ELU, GELU modules: 1 per output element by the hook, and their `forward` calls the patched
  `F.relu` (`F.prelu`, ...), 1 more; ReLU6 and LeakyReLU: the hook only (they call `F.hardtanh`,
  `F.leaky_relu`); SiLU, Softmax: the patched function only; Sigmoid, Tanh, Hardswish, ...: nothing;
* pooling modules: 1 per input element by the hook and 1 more by the patched function they call; a
  functional pooling call: 1;
* nn.MultiheadAttention: its own formula (`multihead_attention_counter_hook`): query scaling L·E, the
  three input projections L·E² + S·kdim² + S·vdim², their biases, per head QKᵀ, a softmax and the
  weighted sum (2·L·S·E/h + L·S), and the output projection L·E·(E + 1) ("bias is always enabled").
"""

from __future__ import annotations

import sympy

from ..errors import InputError
from . import forms
from .rows import CONVOLUTIONS, POOLS, SILENT, TRANSPOSED, ZERO, Row, added_table, nothing, silent

CONVS = (*CONVOLUTIONS, *TRANSPOSED, "dense")
# activation modules with a hook whose forward also calls a patched function: counted twice
TWICE = ("relu", "elu", "gelu")
HOOK_ONLY = ("relu6", "leaky_relu")  # a hook; their functions (hardtanh, leaky_relu) are not patched
PATCHED_ONLY = ("silu", "swish", "softmax")  # no hook; the function they call is patched


def weighted(row: Row) -> tuple[sympy.Expr, str]:
    """The products, and one add per output element of a biased layer."""
    bias = row.size("bias")
    if bias == 0:
        return row.macs, "weighted"
    return row.macs + bias * row.output.positions, "weighted"


def norm(row: Row) -> tuple[sympy.Expr, str]:
    if row.form == forms.SUBCLASS:  # its rules are looked up by the exact type: a subclass has none
        return ZERO, "subclass"
    affine = row.has("gamma", "beta") and row.op != "layer_norm"
    return row.numel_in * (2 if affine else 1), "norm"


def activation(row: Row) -> tuple[sympy.Expr, str]:
    """The topic names the function: `twice_relu` (a module counted by its hook and by the wrapped function
    its forward calls), `once_relu6` (one of the two), `free_sigmoid` (neither)."""
    function, form = row.function, row.form
    if form == forms.BOUND:
        return ZERO, "bound_activation"
    if function in TWICE:
        if form == forms.MODULE:
            return row.numel_out * 2, f"twice_{function}"
        return row.numel_out, f"once_{function}"
    if function in HOOK_ONLY:
        return (row.numel_out, f"once_{function}") if form == forms.MODULE else (ZERO, f"free_{function}")
    if function in PATCHED_ONLY:
        return row.numel_out, f"once_{function}"
    return ZERO, f"free_{function}"


def prelu(row: Row) -> tuple[sympy.Expr, str]:
    return (row.numel_out * 2, "twice_prelu") if row.form == forms.MODULE else (ZERO, "bound_activation")


def pool(row: Row) -> tuple[sympy.Expr, str]:
    if row.form == forms.BOUND:
        return ZERO, "pool_free"
    if row.form == forms.FUNCTIONAL:
        return row.numel_in, "pool_functional"
    return row.numel_in * 2, "pool_twice"


def attention(row: Row) -> tuple[sympy.Expr, str]:
    """`multihead_attention_counter_hook`, for PyTorch's nn.MultiheadAttention (heads of E/h each)."""
    layer = row.layer
    if layer.key_dim is not None:
        raise InputError("ptflops counts PyTorch's nn.MultiheadAttention by its own formula; a Keras "
                         "MultiHeadAttention with its own key_dim has no such module", "--flops-as")
    query, key, value = layer._inputs(row.row.inputs)
    e, kdim, vdim, h = query.channels, key.channels, value.channels, layer.heads
    lq, lk, lv = query.positions, key.positions, value.positions
    flops = lq * e + lq * e * e + lk * kdim * kdim + lv * vdim * vdim
    if row.has("bias"):
        flops += (lq + lk + lv) * e
    flops += h * (lq * lk * (e / h) + lq * lk + lq * lk * (vdim / h))
    flops += lq * vdim * (vdim + 1)
    return sympy.expand(flops), "attention"


RULES = {
    **{op: weighted for op in CONVS},
    "multi_head_attention": attention,
    "batch_norm": norm, "instance_norm": norm, "group_norm": norm, "layer_norm": norm,
    "rms_norm": nothing("rms_norm"),
    "activation": activation, "prelu": prelu,
    **{op: pool for op in POOLS},
    "add": nothing("add"), "multiply": nothing("elementwise"), "subtract": nothing("elementwise"),
    "embedding": nothing("embedding"),
    # ConvNeXt's layer scale (a parameter times the tensor, `gamma * x`) and Keras' Rescaling: a multiply (and an add)
    "layer_scale": nothing("scale"), "rescaling": nothing("scale"),
    "added_table": added_table,
    **{op: silent for op in SILENT},
}
