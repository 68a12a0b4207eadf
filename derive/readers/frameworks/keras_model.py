"""The Keras block: which model a pass made is the block, and its nodes in order (`KerasAdapter.block`):
a model the code assigns (functional, `Sequential`, or an instance of a `keras.Model` subclass), else the
layers applied to its `keras.Input`, else the entry (a function called on an input tensor, or a
subclassed `Model` / `Layer` made with its `__init__` arguments and called on an open input)."""

from __future__ import annotations

from dataclasses import field
from typing import Any, Mapping

from ...blocks import INPUT, Node
from ...layers import Shape
from ...records import frozen
from ..python import ClassValue, Interpreter, ListValue
from ..python.binder import EMPTY
from .base import Adapter, Host
from .keras import KerasFramework
from .keras_inputs import input_shape, open_input
from .keras_subclass import KerasUser, first_tensor, is_keras_base, make_user
from .keras_subclass import apply as subclass_apply
from .sequences import sequential_start
from .shapes import SHAPE_WORDS, entry_rank, is_shape, layer_rank
from .keras_values import (
    FunctionalModel,
    KerasLayer,
    SequentialModel,
    Tensor,
    is_keras_spelling,
)


@frozen
class KerasResult:
    """What a pass found: the nodes of the block, in order, and its input."""

    input: Shape
    nodes: tuple[Node, ...]
    wheres: dict = field(default_factory=dict)


def collect(framework: KerasFramework, outputs: list[Tensor], input_shape: Shape) -> KerasResult:
    """The nodes the outputs depend on, in the order they were made (what `keras.Model` keeps)."""
    by_name = {node.name: node for node in framework.nodes}
    owned = getattr(framework, "owned", {})
    needed: set[str] = set()
    todo = [t.name for t in outputs]
    while todo:
        name = todo.pop()
        if name in needed or name == INPUT:
            continue
        needed.add(name)
        todo.extend(by_name[name].inputs)
        todo.extend(owned.get(name, ()))  # what a subclassed layer's call made counts with it
    nodes = tuple(Node(n.name, n.layer, None, n.inputs, n.condition) for n in framework.nodes if n.name in needed)
    return KerasResult(input_shape, nodes, {n.name: n.where for n in framework.nodes if n.name in needed})



class KerasAdapter(Adapter):
    evidence = "Keras layers"
    is_spelling = staticmethod(is_keras_spelling)
    makes_layers = staticmethod(is_keras_spelling)
    framework = KerasFramework

    def block(self, host: Host, interp: Interpreter, fw: KerasFramework, options: Mapping[str, bool],
              declared: dict[str, bool]) -> tuple[str, Shape, tuple[Node, ...]]:
        models = [(n, v) for n, v in interp.module_values if isinstance(v, (FunctionalModel, SequentialModel))
                  or (isinstance(v, KerasUser) and (v.model or v.calls))]
        if models:
            name, model = models[-1]
            if isinstance(model, KerasUser):
                return self.user(host, interp, fw, model, f"{name} ({model.cls.name})")
            return self.model(host, interp, fw, model, name)
        if getattr(host, "chosen", None) is not None:  # `--entry`: that one alone, as if built first
            fw.__init__()
        elif fw.nodes and fw.input_tensor is not None:
            last = Tensor(fw.nodes[-1].name, fw.input_tensor.shape)
            result = collect(fw, [last], fw.input_tensor.shape)
            return "Keras model", result.input, result.nodes
        entry = host.entry(interp)
        if isinstance(entry, ClassValue):
            if not interp.is_subclass(entry, is_keras_base):
                raise interp.error(f"class {entry.name} is not a keras.Model or keras.layers.Layer", entry.node)
            user = make_user(fw, interp, entry, entry.node)
            init = interp.find_method(entry, "__init__")
            if init is not None:
                host.call_entry(interp, init, options, declared, None, bound=user, title=entry.name)
            return self.user(host, interp, fw, user, entry.name)
        given = getattr(getattr(host, "choice", None), "given", {})
        takes_tensor = any(p.default is EMPTY and p.name not in given for p in entry.signature.positional)
        # the input's symbols only when a parameter takes it (an entry making its own `Input(shape=...)`
        # gives them their defaults)
        tensor = Tensor(INPUT, open_input(interp, entry_rank(entry.node))) if takes_tensor else None
        result = host.call_entry(interp, entry, options, declared, tensor)
        if isinstance(result, (FunctionalModel, SequentialModel)):
            return self.model(host, interp, fw, result, f"{entry.node.name}()")
        outputs = result.items if isinstance(result, ListValue) else result if isinstance(result, tuple) else [result]
        if not outputs or not all(isinstance(o, Tensor) for o in outputs):
            if result is None and fw.nodes:
                outputs = [Tensor(fw.nodes[-1].name, Shape(0))]  # collect reads its name alone
            else:
                raise interp.error(f"{entry.node.name}() does not return a Keras tensor or model", entry.node)
        if fw.input_tensor is None and tensor is None:
            raise interp.error(f"{entry.node.name}() makes no keras.Input and takes no input tensor", entry.node)
        start = fw.input_tensor.shape if fw.input_tensor is not None else tensor.shape
        used_input = any(INPUT in n.inputs for n in fw.nodes)
        if fw.input_tensor is None and not used_input:
            raise interp.error(f"{entry.node.name}() does not use its input {host.first_param(entry)!r}",
                               entry.node)
        result_nodes = collect(fw, list(outputs), start)
        return entry.node.name, result_nodes.input, result_nodes.nodes

    def user(self, host: Host, interp: Interpreter, fw: KerasFramework, user: KerasUser,
             title: str) -> tuple[str, Shape, tuple[Node, ...]]:
        """A subclassed model or layer: as called (or built) in the code, else called on an open input."""
        if not user.calls:
            subclass_apply(fw, interp, user, Tensor(INPUT, open_input(interp)), [], {}, user.cls.node)
        outputs = user.outputs
        items = outputs.items if isinstance(outputs, ListValue) else list(outputs.values()) if isinstance(
            outputs, dict) else outputs if isinstance(outputs, (tuple, list)) else [outputs]
        tensors = [t for t in items if isinstance(t, Tensor)]
        if not tensors:
            raise interp.error(f"{user.cls.name}.call() returns no Keras tensor derive can follow", user.cls.node)
        start = fw.input_tensor.shape if fw.input_tensor is not None else first_tensor(user.inputs).shape
        result = collect(fw, tensors, start)
        return title, result.input, result.nodes

    def model(self, host: Host, interp: Interpreter, fw: KerasFramework, model: Any,
              name: str) -> tuple[str, Shape, tuple[Node, ...]]:
        if isinstance(model, FunctionalModel):
            if not model.inputs:
                raise host.source.error("a keras.Model needs its inputs")
            start = fw.input_tensor.shape if fw.input_tensor is not None else model.inputs[0].shape
            result = collect(fw, list(model.outputs), start)  # more inputs: nodes of their own (ExtraInput)
            return model.name or name, result.input, result.nodes
        shape = model.input_shape
        if isinstance(shape, tuple) and shape and shape[0] == "build":
            shape = input_shape(interp, shape[1], shape[2])
        if shape is None and model.items and isinstance(model.items[0], KerasLayer):
            given = model.items[0].input_shape
            if given is not None:
                given = tuple(given.items) if isinstance(given, ListValue) else given
                if not is_shape(given):
                    raise host.source.error(f"input_shape must be {SHAPE_WORDS}")
                shape = input_shape(interp, given, interp.tree)
        if shape is None and model.items:
            shape = sequential_start(interp, model.items[0])
        if shape is None:
            shape = open_input(interp, layer_rank(model.items[0].layer) if model.items and isinstance(
                model.items[0], KerasLayer) else None)
        start = len(fw.nodes)
        output = fw.run_sequential(interp, model, Tensor(INPUT, shape), interp.tree)
        fw.nodes[:] = fw.nodes[start:]
        result = collect(fw, [output], shape)
        return name, result.input, result.nodes


ADAPTER = KerasAdapter()
