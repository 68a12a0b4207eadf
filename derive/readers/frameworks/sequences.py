"""What the Keras and PyTorch adapters do for sequences (their hooks; the kinds are `layers/sequence.py`).

* Keras `Input(shape=(T,))` is token ids when the file embeds them (an `Embedding` call in it): its size is
  the sequence length `T`, not features `C_in` (other ranks: `shapes.keras_input`).
  A `Sequential` that starts with an `Embedding` and states no input reads `T` ids (`input_length`
  gives T a value).
* A Keras layer with several outputs (`return_state=True`, `Bidirectional(merge_mode=None)`) gives a
  list: its output, then one `Pick` node per other output (no parameters), named after the layer.
* PyTorch: a model whose first module is an `nn.Embedding` reads T token ids; one whose first module
  stating a size is recurrent reads a sequence (T, input_size). An embedding always reads ids, and a
  recurrent module a sequence, whatever the module before it gives (`forward` is not read).
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

import sympy

from ...layers import Shape
from ...layers.sequence import Bidirectional, Embedding, Recurrent
from ..names import ORDER_LAST
from ..python import ListValue
from .keras_values import Tensor

SEQUENCE_LENGTH = "sequence length (time steps)"


def _is_embedding(call: ast.AST) -> bool:
    return isinstance(call, ast.Call) and (
        (isinstance(call.func, ast.Name) and call.func.id == "Embedding")
        or (isinstance(call.func, ast.Attribute) and call.func.attr == "Embedding"))


class _Ids:
    """What the file says of its token ids, walked once: whether it makes an `Embedding` at all, and which
    `Input(...)` calls are assigned to a name an embedding is applied to (`Embedding(V, d)(inp)`, or a
    name holding an embedding called on it); `claimed`: whether an input was taken as ids already."""

    def __init__(self, tree: ast.AST) -> None:
        nodes = list(ast.walk(tree))
        self.embeds = any(_is_embedding(n) for n in nodes)
        holders = {t.id for n in nodes if isinstance(n, ast.Assign) and _is_embedding(n.value)
                   for t in n.targets if isinstance(t, ast.Name)}
        fed = {n.args[0].id for n in nodes if isinstance(n, ast.Call) and n.args and isinstance(n.args[0], ast.Name)
               and (_is_embedding(n.func) or (isinstance(n.func, ast.Name) and n.func.id in holders))}
        self.inputs = {id(n.value) for n in nodes if isinstance(n, ast.Assign) and isinstance(n.value, ast.Call)
                       and any(isinstance(t, ast.Name) and t.id in fed for t in n.targets)}
        self.claimed = False


def _ids(interp: Any) -> _Ids:
    found = getattr(interp, "_derive_ids", None)
    if found is None:
        found = interp._derive_ids = _Ids(interp.tree)
    return found


def token_ids(interp: Any, shape: tuple, node: ast.AST) -> Shape | None:
    """A Keras `Input(shape=(T,))` of token ids: T ids (a number is T's default), else None. An input is ids
    when an embedding is applied to the name it is assigned to; in a file that embeds but says no such
    name (`Sequential([Input((T,)), Embedding(...), ...])`), the first input of one size."""
    ids = _ids(interp)
    if len(shape) != 1 or not ids.embeds or (id(node) not in ids.inputs and (ids.inputs or ids.claimed)):
        return None
    ids.claimed = True
    (value,) = shape
    if value is None or (isinstance(value, sympy.Expr) and value.is_Integer and value > 0):
        return Shape(interp.symbols.make("T", SEQUENCE_LENGTH, value, order=ORDER_LAST - 1))
    if isinstance(value, sympy.Expr) and not value.is_Number:
        return Shape(value)
    raise interp.error(f"an input size must be a positive whole number or None, not {interp.kind(value)}", node)


def sequential_start(interp: Any, first: Any) -> Shape | None:
    """A `Sequential`'s input when it states none and starts with an `Embedding`: T token ids."""
    layer = getattr(first, "layer", None)
    if not isinstance(layer, Embedding):
        return None
    return Shape(interp.symbols.make("T", SEQUENCE_LENGTH, layer.length, order=ORDER_LAST - 1))


def keras_outputs(fw: Any, interp: Any, made: Any, tensor: Any, node: ast.AST) -> Any:
    """A Keras layer's outputs: its tensor, or a list of it and one tensor per other output."""
    states = getattr(made.layer, "states", None)
    picks = states() if states is not None else ()
    if not picks:
        return tensor
    out = [tensor]
    for pick in picks:
        name = fw.take(interp, f"{made.name}.{pick.which}", node)
        out.append(fw.add_node(interp, name, pick, [tensor], node))
    return ListValue(out, len(interp.branches))  # a list, as Keras gives


def recurrent_call(fw: Any, interp: Any, made: Any, node: ast.Call, scope: Any) -> Any:
    """`layer(x, initial_state=[h, c])`: the states are inputs of the layer's node too (no parameter depends
    on them; the layers that made them count, as `keras.Model` keeps them)."""
    if not isinstance(made.layer, (Recurrent, Bidirectional)):
        raise interp.error(f"{made.cls} takes no initial_state", node)
    for keyword in node.keywords:
        if keyword.arg not in ("training", "mask", "initial_state"):
            raise interp.error(f"calling a layer with {keyword.arg}= is not followed", keyword)
    if len(node.args) != 1:
        raise interp.error(f"a layer is called on one tensor (or one list, for {made.cls})", node)
    tensor = interp.eval(node.args[0], scope)
    if not isinstance(tensor, Tensor):
        raise fw.not_a_tensor(interp, tensor, node.args[0])
    state = next(k.value for k in node.keywords if k.arg == "initial_state")
    states = fw.tensors(interp, interp.eval(state, scope), state)
    if made.applied:
        raise interp.error(f"layer {made.name!r} is applied a second time (shared weights are not supported)", node)
    made.applied = True
    return keras_outputs(fw, interp, made, fw.add_node(interp, made.name, made.layer, [tensor, *states], node), node)


# -- PyTorch ----------------------------------------------------------------------------------------
def torch_start(found: list, flow: Shape, steps: Callable[[], sympy.Expr]) -> Shape:
    """The block input of a PyTorch model: T ids before an embedding, (T, input_size) before a recurrent
    module; else `flow` as the adapter found it."""
    if found and isinstance(found[0].leaf.layer, Embedding):
        return Shape(steps())
    for i, leaf in enumerate(found):
        if leaf.leaf.stated is not None:
            if isinstance(leaf.leaf.layer, Recurrent) and not any((f.leaf.rank or 0) >= 2 for f in found[:i]):
                return Shape(leaf.leaf.stated, (steps(),))
            break
    return flow


def torch_wanted(layer: Any, wanted: Shape, steps: Callable[[], sympy.Expr]) -> Shape:
    """What a PyTorch module reads: an embedding, token ids (a recurrent module a sequence: its rank, 1)."""
    if isinstance(layer, Embedding):
        return Shape(steps())
    return wanted
