"""Keras functional code: `Input`, layers called on tensors, `Model`, `Sequential`, read as a block.

Values this framework adds to the interpreter: `Tensor` (a node's output and its shape), `KerasLayer`
(a layer made but not yet applied), `SequentialModel` and `FunctionalModel`. Applying a layer to a
tensor makes a node at once, with its shape worked out, so that a mistake is reported at its line.
Layers are named as Keras names them (`conv2d`, `conv2d_1`, `batch_normalization`, ...) unless the
code gives `name=`. `KerasAdapter.block` assembles the block: a model the code assigns, else the
layers applied to its `keras.Input`, else the entry function called on an input tensor.

Spellings: `Conv2D`, `layers.Conv2D`, `keras.layers.Conv2D`, `tf.keras.layers.Conv2D`, and whatever
the file's imports make of them; which layers exist, with their signatures, is the layer registry's
(`derive.layers`). A name under `keras.layers` that is not there is an error naming its line
("unsupported layer"), never a layer that counts zero.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import sympy

from ...blocks import INPUT, Condition, Node
from ...errors import InputError
from ...layers import Add, Concatenate, Layer, Shape, Stated, functional, spellings
from ...layers.spelling import Signature
from ...records import frozen
from ...symbols import make_symbol
from ..layerargs import bind
from ..names import ORDER_FIRST, ORDER_LAST
from ..python import ClassValue, Framework, Interpreter, ListValue, Method, NotConditional, Ref, Scope, Unknown
from .base import Adapter, Host
from .sequences import keras_input_names, keras_outputs, sequential_start, symbol_meaning

NAME = re.compile(r"[A-Za-z0-9_.\-/]{1,64}\Z")
PREFIXES = ("tensorflow.python.keras.", "tensorflow.keras.", "tf.keras.", "keras.src.", "keras.")


# -- values ---------------------------------------------------------------------------------------
@frozen
class Tensor:
    name: str  # the node it is the output of, or INPUT
    shape: Shape
    condition: Condition | None = None  # where its node exists (made in an `if` on sizes)

    def describe(self) -> str:
        return "a Keras tensor"


@dataclass
class KerasLayer:
    cls: str
    layer: Layer
    name: str
    where: str
    merge: bool = False
    input_shape: Any = None
    applied: bool = False

    def describe(self) -> str:
        return f"the Keras layer {self.cls} {self.name!r}"


@dataclass
class SequentialModel:
    items: list
    where: str
    input_shape: Any = None

    def describe(self) -> str:
        return "a keras.Sequential model"


@frozen
class FunctionalModel:
    inputs: tuple
    outputs: tuple
    name: str | None

    def describe(self) -> str:
        return "a keras.Model"


@frozen
class KNode:
    name: str
    layer: Layer
    inputs: tuple[str, ...]
    where: str
    condition: Condition | None = None


def _dims(shape: Shape, values: dict) -> str:
    return "(" + ", ".join(str(d.xreplace(values)) for d in shape.dims) + ")"


def snake(name: str) -> str:
    """Keras' own `to_snake_case`: `Conv2D` -> `conv2d`, `ReLU` -> `re_lu`."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


# -- spellings ------------------------------------------------------------------------------------
def keras_name(path: str, bare: bool) -> str | None:
    """The name in the Keras table a spelling stands for (`tf.keras.layers.Conv2D` -> `Conv2D`), or None.

    With `bare`, unqualified names (`Conv2D`, `layers.Conv2D` without an import) count too.
    """
    rest = None
    for prefix in PREFIXES:
        if path.startswith(prefix):
            rest = path[len(prefix):]
            break
    if rest is None:
        if not bare:
            return None
        rest = path
    for namespace in ("layers.", "models.", "backend.", "ops."):
        if rest.startswith(namespace):
            inner = rest[len(namespace):]
            if namespace in ("backend.", "ops."):
                return f"{namespace}{inner}"
            return inner if "." not in inner else None
    return rest if "." not in rest else None


def is_keras_layer_spelling(path: str) -> bool:
    """Whether a spelling is a Keras layer (for telling frameworks apart)."""
    name = keras_name(path, bare=True)
    return name is not None and name in spellings("keras")


def is_keras_spelling(path: str) -> bool:
    """Evidence that code is Keras: a Keras layer's name, or anything under `keras.` / `tf.keras.`."""
    return is_keras_layer_spelling(path) or any(path.startswith(prefix) for prefix in PREFIXES)


def under_keras_layers(path: str) -> bool:
    return any(path.startswith(f"{prefix}layers.") for prefix in PREFIXES) or path.startswith("layers.")


# -- the framework --------------------------------------------------------------------------------
class KerasFramework(Framework):
    """Keras' side of one interpreter pass: the nodes made so far, and the names taken."""

    def __init__(self) -> None:
        self.nodes: list[KNode] = []
        self.taken: set[str] = {INPUT}
        self.counters: dict[str, int] = {}
        self.input_tensor: Tensor | None = None

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
        args = bind(interp, spelling.signature, node, scope)
        if args.given("trainable") and args.get("trainable") is not True:
            raise args.error("trainable", "frozen layers (trainable=False) are not supported")
        layer = spelling.build(args)
        name = args.text("name") if args.given("name") and args.get("name") is not None else None
        name = self.take(interp, name, args.node("name")) if name is not None else self.auto_name(cls)
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
        if not isinstance(shape, tuple) or len(shape) not in (1, 2, 3, 4):
            raise interp.error(f"{spelled}(shape=...) must be (height, width, channels), (steps, features), "
                               "(steps, height, width, channels) or (features,)", node)
        if self.input_tensor is not None:
            raise interp.error("a second Input: derive reads blocks with one input", node)
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
        if isinstance(item, KerasLayer) and item.merge:
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

    def not_a_tensor(self, interp: Interpreter, value: Any, node: ast.AST) -> InputError:
        if isinstance(value, Unknown):
            return interp.error(f"cannot follow this tensor: it comes from {value.what} (at {value.where}), "
                                "which derive does not follow", node)
        return interp.error(f"expected a Keras tensor, got {interp.kind(value)}", node)

    # applying layers
    def call_value(self, interp: Interpreter, value: Any, node: ast.Call, scope: Scope) -> Any:
        if isinstance(value, KerasLayer):
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
            if not isinstance(shape, tuple) or len(shape) not in (2, 3, 4):
                raise interp.error("build() takes (batch, height, width, channels) or (batch, features)", node)
            target.input_shape = ("build", shape[1:], node)
            return None
        if isinstance(target, (SequentialModel, FunctionalModel, KerasLayer)):
            return Unknown(f"{interp.snippet(node.func)}(...)", interp.where(node))
        return NotImplemented

    def follows(self, interp: Interpreter, value: Any) -> bool:
        return isinstance(value, Method) and isinstance(value.target, SequentialModel) and value.name in ("add",
                                                                                                          "build")

    def apply(self, interp: Interpreter, layer: KerasLayer, argument: Any, node: ast.AST,
              argument_node: ast.AST | None = None) -> Tensor:
        if layer.applied:
            raise interp.error(f"layer {layer.name!r} is applied a second time (shared weights are not "
                               "supported)", node)
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
        layer.applied = True
        return keras_outputs(self, interp, layer, self.add_node(interp, layer.name, layer.layer, inputs, node), node)

    def add_node(self, interp: Interpreter, name: str, layer: Layer, inputs: list[Tensor], node: ast.AST) -> Tensor:
        shapes = tuple(t.shape for t in inputs)
        if isinstance(layer, Add):
            layer = self.checked_add(interp, shapes, node)
        if isinstance(layer, Concatenate):
            defaults = defaults_of(interp)
            for other in shapes[1:]:
                if len(other.spatial) != len(shapes[0].spatial) or any(
                        a.xreplace(defaults).is_Number and b.xreplace(defaults).is_Number
                        and a.xreplace(defaults) != b.xreplace(defaults)
                        for a, b in zip(shapes[0].spatial, other.spatial)):
                    raise interp.error(f"concatenate needs inputs of the same height and width, got "
                                       f"{_dims(shapes[0], defaults)} and {_dims(other, defaults)}", node)
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

    def checked_add(self, interp: Interpreter, shapes: tuple[Shape, ...], node: ast.AST) -> Layer:
        """Keras checks an add's input shapes where it knows them: sizes with a value (numbers, and the
        defaults an `Input` gave) must agree; sizes it would not know (`None` in Keras, an open symbol
        here, as `H - 2` against `H` after a 'valid' 3×3 convolution) are not checked, as Keras does not.
        Such an add is counted on its first input's shape (it has no parameters either way)."""
        first = shapes[0]
        defaults = defaults_of(interp)
        dims = list(first.dims)
        unknown = False
        for other in shapes[1:]:
            if len(other.dims) != len(first.dims):
                raise interp.error("add needs inputs of the same shape (an image and a vector here)", node)
            for i, b in enumerate(other.dims):
                a = dims[i]
                known_a, known_b = a.xreplace(defaults), b.xreplace(defaults)
                if known_a == 1 and known_b != 1:  # Keras broadcasts a size of 1
                    dims[i], unknown = b, True
                elif known_b == 1 and known_a != 1:
                    unknown = True
                elif known_a.is_Number and known_b.is_Number and known_a != known_b:
                    raise interp.error(f"add needs inputs of the same shape, got {_dims(first, defaults)} and "
                                       f"{_dims(other, defaults)}", node)
                elif (a - b).is_nonzero:
                    unknown = True
        return Stated(Add(), Shape(dims[-1], tuple(dims[:-1]))) if unknown else Add()

    def run_sequential(self, interp: Interpreter, model: SequentialModel, tensor: Tensor, node: ast.AST) -> Tensor:
        for item in model.items:
            if isinstance(item, SequentialModel):
                tensor = self.run_sequential(interp, item, tensor, node)
            else:
                tensor = self.apply(interp, item, tensor, node)
        return tensor

    def binop(self, interp: Interpreter, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        if isinstance(left, Tensor) and isinstance(right, Tensor) and isinstance(op, ast.Add):
            return self.add_node(interp, self.auto_name("Add"), Add(), [left, right], node)
        return NotImplemented

    def attribute(self, interp: Interpreter, value: Any, attr: str, node: ast.AST) -> Any:
        if isinstance(value, Tensor):
            if attr == "shape":
                return self.shape_tuple(value)
            raise interp.error(f"tensor.{attr} is not followed", node)
        if isinstance(value, (SequentialModel, FunctionalModel, KerasLayer)):
            if attr in ("__iter__", "__getitem__"):
                return NotImplemented
            return Method(value, attr)
        return NotImplemented


def defaults_of(interp: Interpreter) -> dict:
    return {make_symbol(r.name, r.domain): r.default for r in interp.symbols.records.values() if r.default is not None}


def check_at_defaults(layer: Layer, shapes: tuple[Shape, ...], interp: Interpreter) -> None:
    """What the framework would refuse at the sizes the code gives (channels not divisible by groups, a
    window larger than its input): the layer once more with the default values put in."""
    defaults = defaults_of(interp)
    if not defaults and all(d.is_Number for s in shapes for d in s.dims):
        known = shapes
    else:
        known = tuple(Shape(s.channels.xreplace(defaults), tuple(d.xreplace(defaults) for d in s.spatial))
                      for s in shapes)
    output = layer.output(known)
    layer.terms(known)
    for size in output.spatial:
        value = size.xreplace(defaults)
        if value.is_Number and value < 1:
            raise InputError(f"the input ({' x '.join(str(d) for d in known[0].dims)}) is too small for this layer: "
                             f"its output would have size {value}")


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


# -- the block ------------------------------------------------------------------------------------
def input_shape(interp: Interpreter, shape: tuple, node: ast.AST) -> Shape:
    """`keras.Input(shape=...)`: numbers become the defaults of H, W and C_in; None leaves them open."""
    names = (("H", ORDER_LAST), ("W", ORDER_LAST + 1), ("C_in", ORDER_FIRST)) if len(shape) == 3 else (
        ("C_in", ORDER_FIRST),)
    names = keras_input_names(interp, len(shape), names)
    dims = []
    for (name, order), value in zip(names, shape):
        if value is None:
            dims.append(interp.symbols.make(name, symbol_meaning(name), None, order=order))
        elif isinstance(value, sympy.Expr) and value.is_Integer and value > 0:
            dims.append(interp.symbols.make(name, symbol_meaning(name), value, order=order))
        elif isinstance(value, sympy.Expr) and not value.is_Number:
            dims.append(value)
        else:
            raise interp.error(f"an input size must be a positive whole number or None, not "
                               f"{interp.kind(value)}", node)
    return Shape(dims[-1], tuple(dims[:-1]))


def open_input(interp: Interpreter) -> Shape:
    c_in = interp.symbols.make("C_in", "", None, order=ORDER_FIRST)
    return Shape(c_in, (interp.symbols.make("H", "", None, order=ORDER_LAST),
                        interp.symbols.make("W", "", None, order=ORDER_LAST + 1)))


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
        if fw.nodes and fw.input_tensor is not None:
            last = Tensor(fw.nodes[-1].name, fw.input_tensor.shape)
            result = collect(fw, [last], fw.input_tensor.shape)
            return "Keras model", result.input, result.nodes
        entry = host.entry(interp)
        if isinstance(entry, ClassValue):
            raise interp.error("subclassed Keras layers and models are not read: write the functional form "
                               "(x = layers.Conv2D(...)(x))", entry.node)
        tensor = Tensor(INPUT, open_input(interp))
        result = host.call_entry(interp, entry, options, declared, tensor)
        if isinstance(result, (FunctionalModel, SequentialModel)):
            return self.model(host, interp, fw, result, f"{entry.node.name}()")
        outputs = result.items if isinstance(result, ListValue) else result if isinstance(result, tuple) else [result]
        if not outputs or not all(isinstance(o, Tensor) for o in outputs):
            if result is None and fw.nodes:
                outputs = [Tensor(fw.nodes[-1].name, tensor.shape)]
            else:
                raise interp.error(f"{entry.node.name}() does not return a Keras tensor or model", entry.node)
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
                if not isinstance(given, tuple) or len(given) not in (1, 2, 3):
                    raise host.source.error("input_shape must be (height, width, channels), (steps, features) or "
                                            "(features,)")
                shape = input_shape(interp, given, interp.tree)
        if shape is None and model.items:
            shape = sequential_start(interp, model.items[0])
        if shape is None:
            shape = open_input(interp)
        start = len(fw.nodes)
        output = fw.run_sequential(interp, model, Tensor(INPUT, shape), interp.tree)
        fw.nodes[:] = fw.nodes[start:]
        result = collect(fw, [output], shape)
        return name, result.input, result.nodes


ADAPTER = KerasAdapter()
