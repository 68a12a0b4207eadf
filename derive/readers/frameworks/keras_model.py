"""The Keras block: which model a pass made is the block, and its nodes in order (`KerasAdapter.block`):
a model the code assigns, else the layers applied to its `keras.Input`, else the entry function called
on an input tensor."""

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
    needed: set[str] = set()
    todo = [t.name for t in outputs]
    while todo:
        name = todo.pop()
        if name in needed or name == INPUT:
            continue
        needed.add(name)
        todo.extend(by_name[name].inputs)
    nodes = tuple(Node(n.name, n.layer, None, n.inputs, n.condition) for n in framework.nodes if n.name in needed)
    return KerasResult(input_shape, nodes, {n.name: n.where for n in framework.nodes if n.name in needed})



class KerasAdapter(Adapter):
    evidence = "Keras layers"
    is_spelling = staticmethod(is_keras_spelling)
    makes_layers = staticmethod(is_keras_spelling)
    framework = KerasFramework

    def block(self, host: Host, interp: Interpreter, fw: KerasFramework, options: Mapping[str, bool],
              declared: dict[str, bool]) -> tuple[str, Shape, tuple[Node, ...]]:
        models = [(n, v) for n, v in interp.module_values if isinstance(v, (FunctionalModel, SequentialModel))]
        if models:
            name, model = models[-1]
            return self.model(host, interp, fw, model, name)
        if getattr(host, "chosen", None) is not None:  # `--entry`: that one alone, as if built first
            fw.__init__()
        elif fw.nodes and fw.input_tensor is not None:
            last = Tensor(fw.nodes[-1].name, fw.input_tensor.shape)
            result = collect(fw, [last], fw.input_tensor.shape)
            return "Keras model", result.input, result.nodes
        entry = host.entry(interp)
        if isinstance(entry, ClassValue):
            raise interp.error("subclassed Keras layers and models are not read: write the functional form "
                               "(x = layers.Conv2D(...)(x))", entry.node)
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

    def model(self, host: Host, interp: Interpreter, fw: KerasFramework, model: Any,
              name: str) -> tuple[str, Shape, tuple[Node, ...]]:
        if isinstance(model, FunctionalModel):
            if len(model.inputs) != 1:
                raise host.source.error("derive reads models with exactly one input")
            result = collect(fw, list(model.outputs), model.inputs[0].shape)
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
