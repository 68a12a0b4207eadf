"""Keras functional code: `Input`, layers called on tensors, `Model`, `Sequential`, read as a block.

Values this framework adds to the interpreter: `Tensor` (a node's output and its shape), `KerasLayer`
(a layer made but not yet applied), `SequentialModel` and `FunctionalModel`. Applying a layer to a
tensor makes a node at once, with its shape worked out, so that a mistake is reported at its line.
Layers are named as Keras names them (`conv2d`, `conv2d_1`, `batch_normalization`, ...) unless the
code gives `name=`.

Spellings: `Conv2D`, `layers.Conv2D`, `keras.layers.Conv2D`, `tf.keras.layers.Conv2D`, and whatever
the file's imports make of them. A name under `keras.layers` that is not in the table is an error
naming its line ("unsupported layer"), never a layer that counts zero.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import sympy

from ..blocks import INPUT, Condition, Node
from ..errors import InputError
from ..layers import (Activation, AdaptivePool2D, Add, BatchNorm, Concatenate, Conv2D, Dense, DepthwiseConv2D,
                      Dropout, Flatten, GlobalPool2D, GroupNorm, Layer, LayerNorm, Pool2D, SeparableConv2D, Shape,
                      Stated, ZeroPadding2D)
from ..records import frozen
from ..symbols import make_symbol
from .layerargs import Args, Signature, bind
from .pycode import Framework, Interpreter, ListValue, Method, NotConditional, Ref, Scope, Unknown

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


# -- the table of layers --------------------------------------------------------------------------
COMMON = frozenset({
    "dtype", "autocast", "batch_size", "input_dim", "batch_input_shape", "kernel_initializer", "bias_initializer",
    "depthwise_initializer", "pointwise_initializer", "beta_initializer", "gamma_initializer",
    "moving_mean_initializer", "moving_variance_initializer", "kernel_regularizer", "bias_regularizer",
    "depthwise_regularizer", "pointwise_regularizer", "beta_regularizer", "gamma_regularizer",
    "activity_regularizer", "kernel_constraint", "bias_constraint", "depthwise_constraint",
    "pointwise_constraint", "beta_constraint", "gamma_constraint", "epsilon", "momentum", "seed", "noise_shape",
    "renorm_clipping", "renorm_momentum", "synchronized", "lora_alpha", "quantization_config",
})
KEYWORDS = ("name", "trainable", "input_shape")


def _sig(label: str, positional: tuple[str, ...], keywords: tuple[str, ...] = ()) -> Signature:
    return Signature(label, positional + keywords + KEYWORDS, ignored=COMMON, positional=len(positional))


def _channels_last(args: Args) -> None:
    if args.given("data_format") and args.get("data_format") not in (None, "channels_last"):
        raise args.error("data_format", "only data_format='channels_last' is supported")


def _padding(args: Args) -> str:
    return args.text("padding", "valid", ("valid", "same"))


def _conv2d(args: Args) -> Layer:
    _channels_last(args)
    _activation_name(args, "activation")
    stride, dilation = args.pair("strides", 1), args.pair("dilation_rate", 1)
    if any(s.is_Number and s > 1 for s in stride) and any(d.is_Number and d > 1 for d in dilation):
        raise args.error("dilation_rate", "Keras refuses strides > 1 together with dilation_rate > 1")
    return Conv2D(args.size("filters"), args.pair("kernel_size"), stride, _padding(args), dilation,
                  args.size("groups", 1), args.flag("use_bias", True))


def _depthwise(args: Args) -> Layer:
    _channels_last(args)
    _activation_name(args, "activation")
    return DepthwiseConv2D(args.pair("kernel_size"), args.pair("strides", 1), _padding(args),
                           args.pair("dilation_rate", 1), args.size("depth_multiplier", 1), args.flag("use_bias", True))


def _separable(args: Args) -> Layer:
    _channels_last(args)
    _activation_name(args, "activation")
    return SeparableConv2D(args.size("filters"), args.pair("kernel_size"), args.pair("strides", 1), _padding(args),
                           args.pair("dilation_rate", 1), args.size("depth_multiplier", 1),
                           args.flag("use_bias", True))


def _dense(args: Args) -> Layer:
    args.none_or("lora_rank")
    _activation_name(args, "activation")
    return Dense(args.size("units"), args.flag("use_bias", True))


def _axis_last(args: Args) -> None:
    if not args.given("axis"):
        return
    axis = args.get("axis")
    if isinstance(axis, (tuple, ListValue)):
        axis = tuple(axis.items if isinstance(axis, ListValue) else axis)
        axis = axis[0] if len(axis) == 1 else None
    if not (isinstance(axis, sympy.Expr) and axis == -1):
        raise args.error("axis", "only the last axis (axis=-1, the channels) is supported")


def _batch_norm(args: Args) -> Layer:
    _axis_last(args)
    args.none_or("renorm", (False,))
    return BatchNorm(args.flag("center", True), args.flag("scale", True))


def _layer_norm(args: Args) -> Layer:
    _axis_last(args)
    args.none_or("rms_scaling", (False,))
    return LayerNorm(args.flag("center", True), args.flag("scale", True))


def _group_norm(args: Args) -> Layer:
    _axis_last(args)
    return GroupNorm(args.size("groups", 32), args.flag("center", True), args.flag("scale", True))


KERAS_ACTIVATIONS = frozenset("""celu elu exponential gelu glu hard_shrink hard_sigmoid hard_silu hard_swish hard_tanh
    leaky_relu linear log_sigmoid log_softmax mish relu relu6 selu sigmoid silu soft_shrink softmax softplus softsign
    sparse_plus sparse_sigmoid sparsemax squareplus swish tanh tanh_shrink threshold""".split())


def _activation_name(args: Args, name: str) -> str:
    """An activation as Keras accepts it: None, one of its names, or `keras.activations.relu` and the like."""
    value = args.get(name, None)
    if value is None:
        return "linear"
    if isinstance(value, Ref) and value.last in KERAS_ACTIVATIONS:
        return value.last
    if isinstance(value, str) and value in KERAS_ACTIVATIONS:
        return value
    raise args.error(name, f"{name} must be the name of a Keras activation such as 'relu'")


def _activation(args: Args) -> Layer:
    return Activation(_activation_name(args, "activation"))


def _relu(args: Args) -> Layer:
    top = args.get("max_value", None)
    if top is not None and not (isinstance(top, sympy.Expr) and top.is_Number and top >= 0):
        raise args.error("max_value", "max_value must be a number, at least 0")
    return Activation("relu6" if top == 6 else "relu" if top is None else f"relu (max {top})")


def _named(function: str) -> Callable[[Args], Layer]:
    return lambda args: Activation(function)


def _pool(kind: str) -> Callable[[Args], Layer]:
    def build(args: Args) -> Layer:
        _channels_last(args)
        pool = args.pair("pool_size", 2 if kind == "max" else None)
        stride = None if args.get("strides", None) is None else args.pair("strides")
        return Pool2D(kind, pool, stride, _padding(args))
    return build


def _global_pool(kind: str) -> Callable[[Args], Layer]:
    def build(args: Args) -> Layer:
        _channels_last(args)
        if args.flag("keepdims", False):
            return AdaptivePool2D(kind, (1, 1))
        return GlobalPool2D(kind)
    return build


def _dropout(args: Args) -> Layer:
    return Dropout(args.rate("rate"))


def _flatten(args: Args) -> Layer:
    _channels_last(args)
    return Flatten()


def _zero_padding(args: Args) -> Layer:
    _channels_last(args)
    value = args.get("padding", sympy.Integer(1))
    if isinstance(value, ListValue):
        value = tuple(value.items)
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, (tuple, ListValue)) for v in value):
        sides = tuple(tuple(v.items) if isinstance(v, ListValue) else v for v in value)
        return ZeroPadding2D(tuple((args.as_size("padding", a, zero=True), args.as_size("padding", b, zero=True))
                                   for a, b in sides))
    top, left = args.pair("padding", zero=True)
    return ZeroPadding2D(((top, top), (left, left)))


def _concatenate(args: Args) -> Layer:
    axis = args.get("axis", sympy.Integer(-1))
    if not (isinstance(axis, sympy.Expr) and axis == -1):
        raise args.error("axis", "only axis=-1 (the channels) is supported")
    return Concatenate()


ACT = ("activation",)
LAYERS: dict[str, tuple[Signature, Callable[[Args], Layer], bool]] = {
    "Conv2D": (_sig("Conv2D", ("filters", "kernel_size", "strides", "padding", "data_format", "dilation_rate",
                               "groups", "activation", "use_bias")), _conv2d, False),
    "DepthwiseConv2D": (_sig("DepthwiseConv2D", ("kernel_size", "strides", "padding", "depth_multiplier",
                                                 "data_format", "dilation_rate", "activation", "use_bias")),
                        _depthwise, False),
    "SeparableConv2D": (_sig("SeparableConv2D", ("filters", "kernel_size", "strides", "padding", "data_format",
                                                 "dilation_rate", "depth_multiplier", "activation", "use_bias")),
                        _separable, False),
    "Dense": (_sig("Dense", ("units", "activation", "use_bias"), ("lora_rank",)), _dense, False),
    "BatchNormalization": (_sig("BatchNormalization", ("axis", "momentum", "epsilon", "center", "scale"),
                                ("renorm",)), _batch_norm, False),
    "LayerNormalization": (_sig("LayerNormalization", ("axis", "epsilon", "center", "scale"), ("rms_scaling",)),
                           _layer_norm, False),
    "GroupNormalization": (_sig("GroupNormalization", ("groups", "axis", "epsilon", "center", "scale")),
                           _group_norm, False),
    "Activation": (_sig("Activation", ACT), _activation, False),
    "ReLU": (_sig("ReLU", ("max_value", "negative_slope", "threshold")), _relu, False),
    "LeakyReLU": (_sig("LeakyReLU", ("negative_slope",), ("alpha",)), _named("leaky_relu"), False),
    "ELU": (_sig("ELU", ("alpha",)), _named("elu"), False),
    "Softmax": (_sig("Softmax", ("axis",)), _named("softmax"), False),
    "Identity": (_sig("Identity", ()), _named("identity"), False),
    "MaxPooling2D": (_sig("MaxPooling2D", ("pool_size", "strides", "padding", "data_format")), _pool("max"), False),
    "MaxPool2D": (_sig("MaxPool2D", ("pool_size", "strides", "padding", "data_format")), _pool("max"), False),
    "AveragePooling2D": (_sig("AveragePooling2D", ("pool_size", "strides", "padding", "data_format")),
                         _pool("avg"), False),
    "AvgPool2D": (_sig("AvgPool2D", ("pool_size", "strides", "padding", "data_format")), _pool("avg"), False),
    "GlobalAveragePooling2D": (_sig("GlobalAveragePooling2D", ("data_format", "keepdims")), _global_pool("avg"),
                               False),
    "GlobalAvgPool2D": (_sig("GlobalAvgPool2D", ("data_format", "keepdims")), _global_pool("avg"), False),
    "GlobalMaxPooling2D": (_sig("GlobalMaxPooling2D", ("data_format", "keepdims")), _global_pool("max"), False),
    "GlobalMaxPool2D": (_sig("GlobalMaxPool2D", ("data_format", "keepdims")), _global_pool("max"), False),
    "Dropout": (_sig("Dropout", ("rate",)), _dropout, False),
    "SpatialDropout2D": (_sig("SpatialDropout2D", ("rate", "data_format")), _dropout, False),
    "Flatten": (_sig("Flatten", ("data_format",)), _flatten, False),
    "ZeroPadding2D": (_sig("ZeroPadding2D", ("padding", "data_format")), _zero_padding, False),
    "Add": (_sig("Add", ()), lambda args: Add(), True),
    "Concatenate": (_sig("Concatenate", ("axis",)), _concatenate, True),
}
FUNCTIONAL_MERGES = {"add": "Add", "concatenate": "Concatenate"}
OTHER = ("Input", "InputLayer", "Model", "Sequential", "backend.int_shape", "ops.shape", "int_shape")
ANY_KERAS = frozenset(LAYERS) | frozenset(FUNCTIONAL_MERGES) | {"Input", "InputLayer", "Model", "Sequential"}


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
    return name is not None and name in LAYERS


def is_keras_spelling(path: str) -> bool:
    """Evidence that code is Keras: a Keras layer's name, or anything under `keras.` / `tf.keras.`."""
    return is_keras_layer_spelling(path) or any(path.startswith(prefix) for prefix in PREFIXES)


def under_keras_layers(path: str) -> bool:
    return any(path.startswith(f"{prefix}layers.") for prefix in PREFIXES) or path.startswith("layers.")


# -- the framework --------------------------------------------------------------------------------
class KerasFramework(Framework):
    """Keras' side of one interpreter pass: the nodes made so far, and the names taken."""

    def __init__(self, symbols_for_input: Callable[[Interpreter, tuple, ast.AST], Shape]) -> None:
        self.nodes: list[KNode] = []
        self.taken: set[str] = {INPUT}
        self.counters: dict[str, int] = {}
        self.input_made: str | None = None
        self.input_shape = symbols_for_input
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
        if name in LAYERS:
            return lambda i, n, s: self.make_layer(i, name, n, s)
        if name in FUNCTIONAL_MERGES:
            return lambda i, n, s: self.functional_merge(i, FUNCTIONAL_MERGES[name], n, s)
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
        signature, build, merge = LAYERS[cls]
        args = bind(interp, signature, node, scope)
        if args.given("trainable") and args.get("trainable") is not True:
            raise args.error("trainable", "frozen layers (trainable=False) are not supported")
        layer = build(args)
        name = args.text("name") if args.given("name") and args.get("name") is not None else None
        name = self.take(interp, name, args.node("name")) if name is not None else self.auto_name(cls)
        input_shape = args.get("input_shape", None)
        return KerasLayer(cls, layer, name, interp.where(node), merge, input_shape)

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
        if not isinstance(shape, tuple) or len(shape) not in (1, 3):
            raise interp.error(f"{spelled}(shape=...) must be (height, width, channels) or (features,)", node)
        if self.input_tensor is not None:
            raise interp.error("a second Input: derive reads blocks with one input", node)
        self.input_tensor = Tensor(INPUT, self.input_shape(interp, shape, node))
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
            if not isinstance(shape, tuple) or len(shape) not in (2, 4):
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
        return self.add_node(interp, layer.name, layer.layer, inputs, node)

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
            raise interp.error(f"more than {interp.max_made} layers: derive reads blocks, not whole zoos", node)
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
