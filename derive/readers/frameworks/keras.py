"""Keras functional code: `Input`, layers called on tensors, `Model`, `Sequential`, read as a block.

Values this framework adds to the interpreter: `Tensor` (a node's output and its shape), `KerasLayer`
(a layer made but not yet applied), `SequentialModel` and `FunctionalModel`. Applying a layer to a
tensor makes a node at once, with its shape worked out, so that a mistake is reported at its line.
Layers are named as Keras names them (`conv2d`, `conv2d_1`, `batch_normalization`, ...) unless the
code gives `name=`. Split by job: the values and spellings are `keras_values.py`, the shape checks
`keras_checks.py`, the input shape `keras_inputs.py`, and the block (which model is counted)
`keras_model.py` (`KerasAdapter`).

Spellings: `Conv2D`, `layers.Conv2D`, `keras.layers.Conv2D`, `tf.keras.layers.Conv2D`, and whatever
the file's imports make of them; which layers exist, with their signatures, is the layer registry's
(`derive.layers`). A name under `keras.layers` that is not there is an error naming its line
("unsupported layer"), never a layer that counts zero.
"""

from __future__ import annotations

import ast
from typing import Any, Callable

from ...blocks import INPUT, CodeWarning
from ...errors import InputError
from ...layers import Add, Concatenate, Elementwise, Layer, MultiHeadAttention, core, functional, spellings
from ...layers.spelling import Signature
from ..layerargs import bind
from ..python import (
    Framework,
    Interpreter,
    ListValue,
    Method,
    NotConditional,
    Ref,
    Scope,
    Unknown,
)
from . import attention_calls, keras_subclass
from .functions import opaque_functions
from .base import MAX_WARNINGS, code_warning
from .keras_checks import check_at_defaults, checked_add, checked_concatenate
from .keras_inputs import input_shape
from .keras_joins import checked_join
from .sequences import keras_outputs, recurrent_call
from ...layers.frozen import freeze
from .shapes import SHAPE_WORDS, data_format_setting, is_data_format_setting, is_shape, keras_class
from .keras_values import (
    NAME,
    FunctionalModel,
    KerasLayer,
    KNode,
    SequentialModel,
    Tensor,
    is_keras_spelling,
    keras_name,
    snake,
    under_keras_layers,
)

__all__ = [
    "FunctionalModel",
    "KNode",
    "KerasFramework",
    "KerasLayer",
    "SequentialModel",
    "Tensor",
    "is_keras_spelling",
    "keras_name",
    "snake",
]


# -- the framework --------------------------------------------------------------------------------
class KerasFramework(Framework):
    """Keras' side of one interpreter pass: the nodes made so far, and the names taken."""

    def __init__(self) -> None:
        self.nodes: list[KNode] = []
        self.taken: set[str] = {INPUT}
        self.counters: dict[str, int] = {}
        self.input_tensor: Tensor | None = None
        self.warnings: list[CodeWarning] = []  # what Keras would refuse, counted on (keras_checks)

    def warn(self, interp: Interpreter, message: str, node: ast.AST, layer: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(code_warning(interp, message, node, layer))

    # names
    def auto_name(self, cls: str) -> str:
        base = snake(cls)
        while True:
            count = self.counters.get(base, 0)
            self.counters[base] = count + 1
            name = base if count == 0 else f"{base}_{count}"
            if name not in self.taken:
                return name

    def take(self, interp: Interpreter, name: str, node: ast.AST) -> str:
        if not NAME.match(name):
            raise interp.error("a layer name must be 1 to 64 letters, digits or _ . - /", node)
        if name in self.taken:
            raise interp.error(f"two layers are named {name!r}", node)
        self.taken.add(name)
        return name

    # resolution
    def resolve(self, interp: Interpreter, ref: Ref, node: ast.Call) -> Callable | None:
        if is_data_format_setting(ref.path):
            return data_format_setting
        if keras_subclass.is_elementwise(ref.path):  # `ops.relu(x)` in a subclass's call: x's shape
            return keras_subclass.elementwise
        if ref.path in ("keras.ops.arange", "ops.arange"):
            return lambda i, n, s: keras_subclass.arange(self, i, n, s)
        name = keras_name(ref.path, bare=True)
        if name is None:
            return None
        if name in spellings("keras"):
            return lambda i, n, s: self.make_layer(i, name, n, s)
        if name in functional():
            return lambda i, n, s: self.functional_merge(i, functional()[name].name, n, s)
        if name in ("Input", "InputLayer"):
            return lambda i, n, s: self.make_input(i, n, s, name)
        if name == "Model":
            return self.make_model
        if name == "Sequential":
            return self.make_sequential
        if name in ("backend.int_shape", "int_shape", "ops.shape"):
            return self.int_shape
        if under_keras_layers(ref.path):
            return lambda i, n, s: self.unsupported(i, ref, n)
        return None

    def unsupported(self, interp: Interpreter, ref: Ref, node: ast.Call) -> Any:
        raise interp.error(f"unsupported layer {ref.last} (see the README for the layers derive reads)", node)

    def make_layer(self, interp: Interpreter, cls: str, node: ast.Call, scope: Scope) -> KerasLayer:
        spelling = spellings("keras")[cls]
        args = bind(interp, spelling.signature, opaque_functions(node) if cls == "Lambda" else node, scope)
        layer = spelling.build(args)
        if args.given("trainable") and not args.flag("trainable"):
            layer = freeze(layer)  # its weights counted, as non-trainable ones
        name = args.text("name") if args.given("name") and args.get("name") is not None else None
        name = self.take(interp, name, args.node("name")) if name is not None else self.auto_name(keras_class(cls))
        input_shape = args.get("input_shape", None)
        return KerasLayer(cls, layer, name, interp.where(node), spelling.merge, input_shape)

    def functional_merge(self, interp: Interpreter, cls: str, node: ast.Call, scope: Scope) -> Tensor:
        if not node.args:
            raise interp.error(f"{cls.lower()}() needs a list of tensors", node)
        inputs = interp.eval(node.args[0], scope)
        fake = ast.Call(func=node.func, args=node.args[1:], keywords=node.keywords)
        ast.copy_location(fake, node)
        layer = self.make_layer(interp, cls, fake, scope)
        return self.apply(interp, layer, inputs, node)

    def make_input(self, interp: Interpreter, node: ast.Call, scope: Scope, spelled: str) -> Tensor:
        signature = Signature(spelled, ("shape", "batch_size", "dtype", "sparse", "ragged", "batch_shape", "name"),
                              ignored=frozenset({"tensor", "optional", "input_shape", "input_tensor"}))
        args = bind(interp, signature, node, scope)
        shape = args.get("shape", None)
        if shape is None and args.given("batch_shape"):
            batch = args.get("batch_shape")
            shape = tuple(batch.items if isinstance(batch, ListValue) else batch)[1:]
        if shape is None and spelled == "InputLayer":
            keywords = {k.arg: k.value for k in node.keywords}
            if "input_shape" in keywords:
                shape = interp.eval(keywords["input_shape"], scope)
        if isinstance(shape, ListValue):
            shape = tuple(shape.items)
        if not is_shape(shape):
            raise interp.error(f"{spelled}(shape=...) must be {SHAPE_WORDS}", node)
        if self.input_tensor is not None:  # a model of several inputs: a node of its own
            return keras_subclass.extra_input(self, interp, shape, node, args.get("name", None))
        self.input_tensor = Tensor(INPUT, input_shape(interp, shape, node))
        return self.input_tensor

    def make_model(self, interp: Interpreter, node: ast.Call, scope: Scope) -> FunctionalModel:
        signature = Signature("Model", ("inputs", "outputs", "name"), ignored=frozenset({"trainable"}))
        args = bind(interp, signature, node, scope)
        outputs = self.tensors(interp, args.get("outputs"), args.node("outputs"))
        inputs = self.tensors(interp, args.get("inputs"), args.node("inputs"))
        name = args.get("name", None)
        return FunctionalModel(tuple(inputs), tuple(outputs), name if isinstance(name, str) else None)

    def make_sequential(self, interp: Interpreter, node: ast.Call, scope: Scope) -> SequentialModel:
        signature = Signature("Sequential", ("layers", "trainable", "name"))
        args = bind(interp, signature, node, scope)
        items = args.get("layers", None)
        if items is None:
            items = []
        elif isinstance(items, (ListValue, tuple)):
            items = list(items.items if isinstance(items, ListValue) else items)
        else:
            raise interp.error("Sequential() takes a list of layers", node)
        model = SequentialModel([], interp.where(node))
        for item in items:
            self.sequential_add(interp, model, item, node)
        return model

    def sequential_add(self, interp: Interpreter, model: SequentialModel, item: Any, node: ast.AST) -> None:
        if isinstance(item, Tensor) and item.name == INPUT and not model.items:
            model.input_shape = item.shape
            return
        if isinstance(item, KerasLayer) and (item.merge or isinstance(core(item.layer), MultiHeadAttention)):
            raise interp.error(f"{item.cls} cannot be a layer of a Sequential model", node)
        if not isinstance(item, (KerasLayer, SequentialModel)):
            raise interp.error(f"a Sequential model takes layers, not {interp.kind(item)}", node)
        model.items.append(item)

    def int_shape(self, interp: Interpreter, node: ast.Call, scope: Scope) -> tuple:
        args, _ = interp.arguments(node, scope)
        if len(args) != 1 or not isinstance(args[0], Tensor):
            raise interp.error("int_shape() takes one tensor", node)
        return self.shape_tuple(args[0])

    @staticmethod
    def shape_tuple(tensor: Tensor) -> tuple:
        return (None, *tensor.shape.dims)

    def tensors(self, interp: Interpreter, value: Any, node: ast.AST) -> list[Tensor]:
        if isinstance(value, dict):
            value = tuple(value.values())
        items = value.items if isinstance(value, ListValue) else value if isinstance(value, tuple) else [value]
        for item in items:
            if not isinstance(item, Tensor):
                raise self.not_a_tensor(interp, item, node)
        return list(items)

    @staticmethod
    def is_tensor(value: Any) -> bool:
        return isinstance(value, Tensor)

    def not_a_tensor(self, interp: Interpreter, value: Any, node: ast.AST) -> InputError:
        if isinstance(value, Unknown):
            return interp.error(f"cannot follow this tensor: it comes from {value.what} (at {value.where}), "
                                "which derive does not follow", node)
        return interp.error(f"expected a Keras tensor, got {interp.kind(value)}", node)

    # applying layers
    def call_value(self, interp: Interpreter, value: Any, node: ast.Call, scope: Scope) -> Any:
        result = keras_subclass.call(self, interp, value, node, scope)  # subclassed Layer / Model
        if result is not NotImplemented:
            return result
        if isinstance(value, KerasLayer):
            if isinstance(core(value.layer), MultiHeadAttention):  # two or three tensors, a tuple with the scores
                return attention_calls.call(self, interp, value, node, scope)
            if any(k.arg == "initial_state" for k in node.keywords):  # a decoder started from an encoder's states
                return recurrent_call(self, interp, value, node, scope)
            if len(node.args) != 1:
                raise interp.error(f"a layer is called on one tensor (or one list, for {value.cls})", node)
            for keyword in node.keywords:
                if keyword.arg not in ("training", "mask"):
                    raise interp.error(f"calling a layer with {keyword.arg}= is not followed", keyword)
            return self.apply(interp, value, interp.eval(node.args[0], scope), node, node.args[0])
        if isinstance(value, SequentialModel):
            (argument,) = node.args if len(node.args) == 1 else (None,)
            tensor = interp.eval(argument, scope) if argument is not None else None
            if not isinstance(tensor, Tensor):
                raise self.not_a_tensor(interp, tensor, node)
            return self.run_sequential(interp, value, tensor, node)
        if isinstance(value, Method):
            return self.call_method(interp, value, node, scope)
        if isinstance(value, FunctionalModel):
            raise interp.error("calling a keras.Model on a tensor (a nested model) is not followed", node)
        return NotImplemented

    def call_method(self, interp: Interpreter, method: Method, node: ast.Call, scope: Scope) -> Any:
        target = method.target
        if interp.branches and isinstance(target, SequentialModel):
            raise NotConditional()
        if isinstance(target, SequentialModel) and method.name == "add":
            args, _ = interp.arguments(node, scope)
            if len(args) != 1:
                raise interp.error("add() takes one layer", node)
            self.sequential_add(interp, target, args[0], node)
            return None
        if isinstance(target, SequentialModel) and method.name == "build":
            args, kwargs = interp.arguments(node, scope)
            shape = args[0] if args else kwargs.get("input_shape")
            if isinstance(shape, ListValue):
                shape = tuple(shape.items)
            if not is_shape(shape, batch=True):
                raise interp.error("build() takes (batch, ...) and the input's sizes: (batch, features), "
                                   "(batch, height, width, channels), ...", node)
            target.input_shape = ("build", shape[1:], node)
            return None
        if isinstance(target, (SequentialModel, FunctionalModel, KerasLayer)):
            return Unknown(f"{interp.snippet(node.func)}(...)", interp.where(node))
        return NotImplemented

    def follows(self, interp: Interpreter, value: Any) -> bool:
        if keras_subclass.follows(interp, value):
            return True
        return isinstance(value, Method) and isinstance(value.target, SequentialModel) and value.name in ("add",
                                                                                                          "build")

    def apply(self, interp: Interpreter, layer: KerasLayer, argument: Any, node: ast.AST,
              argument_node: ast.AST | None = None) -> Tensor:
        if layer.merge:
            if not isinstance(argument, (ListValue, tuple)):
                raise interp.error(f"{layer.cls} is called on a list of tensors", argument_node or node)
            inputs = self.tensors(interp, argument, argument_node or node)
            if len(inputs) < 2:
                raise interp.error(f"{layer.cls} needs at least two tensors", node)
        else:
            if not isinstance(argument, Tensor):
                raise self.not_a_tensor(interp, argument, argument_node or node)
            inputs = [argument]
        if layer.applied:  # a shared layer: its weights count once (keras_subclass.Reused)
            return self.add_node(interp, keras_subclass.reused_name(self, layer.name),
                                 keras_subclass.Reused(layer.layer), inputs, node)
        layer.applied = True
        return keras_outputs(self, interp, layer, self.add_node(interp, layer.name, layer.layer, inputs, node), node)

    def add_node(self, interp: Interpreter, name: str, layer: Layer, inputs: list[Tensor], node: ast.AST) -> Tensor:
        shapes = tuple(t.shape for t in inputs)
        if isinstance(layer, (Add, Concatenate)):  # shapes that do not meet: a warning (keras_checks)
            layer = (checked_add if isinstance(layer, Add) else checked_concatenate)(interp, self, inputs, node, name)
        elif isinstance(layer, Elementwise):  # Multiply, Subtract, ...: likewise (keras_joins)
            layer = checked_join(interp, self, inputs, node, name, layer)
        try:
            output = layer.output(shapes)
            layer.terms(shapes)
            check_at_defaults(layer, shapes, interp)
        except InputError as error:
            raise interp.error(error.what, node) from None
        if len(self.nodes) >= interp.max_made:
            raise interp.error(interp.too_many_made("layers"), node)
        condition = interp.condition
        self.nodes.append(KNode(name, layer, tuple(t.name for t in inputs), interp.where(node), condition))
        return Tensor(name, output, condition)

    def run_sequential(self, interp: Interpreter, model: SequentialModel, tensor: Tensor, node: ast.AST) -> Tensor:
        for item in model.items:
            if isinstance(item, SequentialModel):
                tensor = self.run_sequential(interp, item, tensor, node)
            else:
                tensor = self.apply(interp, item, tensor, node)
        return tensor

    def binop(self, interp: Interpreter, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        result = keras_subclass.binop(interp, op, left, right, node)  # `0.5 * x`, `ops.matmul(...) + b`
        if result is not NotImplemented:
            return result
        if isinstance(left, Tensor) and isinstance(right, Tensor) and isinstance(op, ast.Add):
            return self.add_node(interp, self.auto_name("Add"), Add(), [left, right], node)
        return NotImplemented

    def instantiate(self, interp: Interpreter, cls: Any, node: ast.Call, scope: Scope) -> Any:
        return keras_subclass.instantiate(self, interp, cls, node, scope)

    def set_attribute(self, interp: Interpreter, target: Any, attr: str, value: Any, node: ast.AST) -> bool:
        return keras_subclass.set_attribute(interp, target, attr, value)

    def attribute(self, interp: Interpreter, value: Any, attr: str, node: ast.AST) -> Any:
        if isinstance(value, keras_subclass.KerasUser):
            return keras_subclass.attribute(interp, value, attr)
        if isinstance(value, Tensor):
            if attr == "shape":
                return self.shape_tuple(value)
            raise interp.error(f"tensor.{attr} is not followed", node)
        if isinstance(value, (SequentialModel, FunctionalModel, KerasLayer)):
            if attr in ("__iter__", "__getitem__"):
                return NotImplemented
            return Method(value, attr)
        return NotImplemented
