"""Keras attention layers called on two or three tensors: `mha(query, value)`, `mha(query, value, key)`,
`mha(query=x, value=x)`, and `return_attention_scores=True` (a tuple: the output and the scores).

The Keras reader (`keras.py`) hands such a call here; the layer becomes one node reading the query,
the value and the key (when given), in Keras' order, which is the order `MultiHeadAttention` takes
its inputs (`derive.layers.attention`). Masks are accepted unread (they change no count); the scores
are a value derive does not follow (using them as a tensor is an error naming where they came from).
"""

from __future__ import annotations

import ast
from typing import Any

from ..python import Interpreter, Scope, Unknown

CALL = ("query", "value", "key", "query_mask", "value_mask", "key_mask", "attention_mask",
        "return_attention_scores", "training", "use_causal_mask")
UNREAD = frozenset({"query_mask", "value_mask", "key_mask", "attention_mask", "training", "use_causal_mask"})


def call(fw: Any, interp: Interpreter, layer: Any, node: ast.Call, scope: Scope) -> Any:
    """`layer(query, value, key=None, ..., return_attention_scores=False)` as Keras binds it."""
    label = layer.cls
    given: dict[str, ast.expr] = {}
    if len(node.args) > len(CALL):
        raise interp.error(f"{label}() is called with at most {len(CALL)} arguments", node)
    for name, arg in zip(CALL, node.args):
        if isinstance(arg, ast.Starred):
            raise interp.error(f"calling {label} with *arguments is not followed: write them out", arg)
        given[name] = arg
    for keyword in node.keywords:
        if keyword.arg is None:
            raise interp.error(f"calling {label} with **arguments is not followed: write them out", keyword)
        if keyword.arg not in CALL:
            raise interp.error(f"{label} is not called with {keyword.arg}= (it takes query, value, key, masks, "
                               "return_attention_scores, training, use_causal_mask)", keyword)
        if keyword.arg in given:
            raise interp.error(f"{label} got {keyword.arg!r} twice", keyword)
        given[keyword.arg] = keyword.value
    for name in ("query", "value"):
        if name not in given:
            raise interp.error(f"{label} is called on a query and a value ({name!r} is missing; "
                               "layer(x, x) for self-attention)", node)
    scores = False
    if "return_attention_scores" in given:
        scores = interp.eval(given["return_attention_scores"], scope)
        if not isinstance(scores, bool):
            raise interp.error("return_attention_scores must be True or False", given["return_attention_scores"])
    tensors = []
    for name in ("query", "value", "key"):
        if name in given:
            tensor = interp.eval(given[name], scope)
            if not fw.is_tensor(tensor):
                raise fw.not_a_tensor(interp, tensor, given[name])
            tensors.append(tensor)
    if layer.applied:
        raise interp.error(f"layer {layer.name!r} is applied a second time (shared weights are not supported)", node)
    layer.applied = True
    output = fw.add_node(interp, layer.name, layer.layer, tensors, node)
    if scores:
        return (output, Unknown(f"the attention scores of {layer.name!r}", interp.where(node)))
    return output


def torch_ranks(ranks: list, layers: list) -> list:
    """The ranks PyTorch's flow is inferred from (`shapes.torch_input`), where attention comes first:
    attention reads (batch, length, features), features last, so modules of any rank before it
    (`nn.Linear`, `nn.LayerNorm`) already run on that sequence, and the input is one."""
    first = next((i for i, rank in enumerate(ranks) if rank is not None), None)
    if first is not None and first > 0 and ranks[first] == 1 and getattr(layers[first], "family", "") == "attention":
        return [1, *ranks[1:]]
    return ranks
