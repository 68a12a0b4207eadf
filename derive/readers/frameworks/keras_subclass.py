"""Keras code people write around layers: subclassed `keras.layers.Layer` / `keras.Model`, shared layers,
several `Input`s.

A subclass instance is a `KerasUser`: its `__init__` runs (bound to it) when it is made, its attributes
are kept; called on tensors (or built: `model.build(shape)`), its `build(input_shape)` runs once, then its
`call(inputs)`, where the layers made in `__init__` are applied as any layer is. Its own weights
(`self.add_weight(shape=..., trainable=...)`) are the terms of one node of its own (`OwnWeights`), the
trainable ones as weights, the others as `frozen` (not trained: Keras' non-trainable weights, PyTorch's
`requires_grad=False` parameters; `conventions.py`).
Where `call` computes with those weights through `ops` / `tf` (which derive does not follow), the
node's output is what `compute_output_shape` returns if the class has one, else the input's shape
with the last axis of a (input channels × units) kernel, else the input's shape.

Keras counts the weights a layer object holds, however often it is called: a layer (or subclass
instance) called a second time makes a node that counts nothing (`Reused`), its multiply-accumulates
counted again; a functional model called on tensors (`decoder(encoder(x))`) has its layers made again on
them, `<model>/<layer>`, counted on its first call and shared after. A second `keras.Input` is a node of its own (`ExtraInput`): its sizes are bound where
the code states them, symbols (`H_2`, `C_2`, ...) where it says None.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, ClassVar

import sympy

from ...blocks import INPUT
from ...layers import Layer, Shape, Term
from ...layers.base import Wrapped
from ...records import frozen
from ..python import ClassValue, ListValue, Method, Ref, Super, Unknown
from ..python.classes import find_method
from .keras_values import FunctionalModel, Tensor, keras_name
from .shapes import spatial_names


# -- layers that are no kind of their own -----------------------------------------------------------
@frozen
class OwnWeights(Layer):
    """The weights a subclassed layer adds itself (`add_weight`), as the code states their shapes."""

    op: ClassVar[str] = "custom"
    family: ClassVar[str] = "other"
    explain: ClassVar[str | None] = "custom_weights"
    cls: str = ""
    weights: tuple[Term, ...] = ()
    shape: Shape | None = None  # its output when `call` is not followed; None: its input's

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return self.weights

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return self.shape if self.shape is not None else inputs[0]

    @property
    def signature(self) -> str:
        return self.cls


@frozen
class Reused(Wrapped):
    """A layer called again: its output and multiply-accumulates, no weights (they are the first call's)
    and no explanation of its own."""

    explain: ClassVar[str | None] = None

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return ()

    @property
    def signature(self) -> str:
        return f"{self.layer.signature} (shared)".strip()


@frozen
class ExtraInput(Layer):
    """A model's second (third, ...) `Input`: its shape, whatever precedes it in the block."""

    op: ClassVar[str] = "input"
    family: ClassVar[str] = "parameter_free"
    shape: Shape = None  # type: ignore[assignment]

    def output(self, inputs: tuple[Shape, ...]) -> Shape:
        return self.shape


# -- values ---------------------------------------------------------------------------------------
@dataclass
class KerasUser:
    cls: ClassValue
    name: str
    where: str
    model: bool  # a keras.Model subclass (else a Layer)
    attributes: dict = field(default_factory=dict)
    weights: list = field(default_factory=list)  # Terms, from add_weight
    built: bool = False
    calls: int = 0
    inputs: Any = None  # the tensor(s) of its first call
    outputs: Any = None  # what its first call returned

    def describe(self) -> str:
        return f"an instance of {self.cls.name}"


def is_keras_base(ref: Ref) -> bool:
    return keras_name(ref.path, bare=True) in ("Layer", "Model")


def is_model_base(ref: Ref) -> bool:
    return keras_name(ref.path, bare=True) == "Model"


def instantiate(fw: Any, interp: Any, cls: ClassValue, node: ast.Call, scope: Any) -> Any:
    if not interp.is_subclass(cls, is_keras_base):
        return NotImplemented
    user = make_user(fw, interp, cls, node)
    init = interp.find_method(cls, "__init__")
    args, kwargs = interp.arguments(node, scope)
    if init is not None:
        interp.call_function(init, args, kwargs, node, bound=user)
    return user


def make_user(fw: Any, interp: Any, cls: ClassValue, node: ast.AST) -> KerasUser:
    return KerasUser(cls, fw.auto_name(cls.name), interp.where(node), interp.is_subclass(cls, is_model_base))


def set_attribute(interp: Any, target: Any, attr: str, value: Any) -> bool:
    if not isinstance(target, KerasUser):
        return False
    target.attributes[attr] = value
    return True


def attribute(interp: Any, value: Any, attr: str) -> Any:
    if not isinstance(value, KerasUser):
        return NotImplemented
    if attr in value.attributes:
        return value.attributes[attr]
    found, member = interp.class_attribute(value.cls, attr)
    if found:
        return Method(value, attr) if hasattr(member, "node") and hasattr(member, "owner") else member
    if attr in ("__iter__", "__getitem__"):
        return NotImplemented
    if attr == "name":
        return value.name
    return Method(value, attr)  # add_weight, build, summary, compile, fit, count_params, ...


def follows(interp: Any, value: Any) -> bool:
    """A statement-level call that can change the block: a subclass instance called (`model(inputs)`), or
    its `build`, `add_weight` or own methods (`model.summary()`, `model.fit(...)` are passed over)."""
    if isinstance(value, KerasUser):
        return True
    return isinstance(value, Method) and isinstance(value.target, KerasUser) and (
        value.name in ("build", "add_weight") or interp.find_method(value.target.cls, value.name) is not None)


ELEMENTWISE = frozenset({"relu", "relu6", "sigmoid", "tanh", "gelu", "silu", "swish", "elu", "selu", "softplus",
                         "softsign", "leaky_relu", "hard_sigmoid", "hard_swish", "hard_silu", "mish", "exp", "log",
                         "sqrt", "square", "abs", "negative", "softmax", "log_softmax", "dropout", "identity",
                         "stop_gradient", "cast", "erf"})
ELEMENTWISE_PREFIXES = ("keras.ops.", "keras.activations.", "keras.ops.nn.", "tf.nn.", "tf.math.", "tensorflow.nn.",
                        "tensorflow.math.", "tf.keras.activations.", "tensorflow.keras.activations.", "tf.")


def is_elementwise(path: str) -> bool:
    """`ops.relu`, `tf.nn.relu`, `keras.activations.gelu`, ...: a function of one tensor keeping its shape."""
    head, _, last = path.rpartition(".")
    return last in ELEMENTWISE and any(f"{head}." == prefix for prefix in ELEMENTWISE_PREFIXES)


def binop(interp: Any, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
    """Arithmetic on tensors without a layer (`0.5 * z_log_var`, `x * self.gamma`, `a * b`): the tensor's
    shape where it is plain (a number with a tensor, two tensors of one shape), else not followed."""
    if isinstance(left, Unknown) or isinstance(right, Unknown):  # `ops.matmul(x, self.w) + self.b`
        return Unknown(interp.snippet(node), interp.where(node))
    if not isinstance(op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
        return NotImplemented
    if isinstance(left, Tensor) and isinstance(right, sympy.Expr) and right.is_Number:
        return left
    if isinstance(right, Tensor) and isinstance(left, sympy.Expr) and left.is_Number:
        return right
    if isinstance(left, Tensor) and isinstance(right, Tensor) and not isinstance(op, ast.Add):
        return left if left.shape == right.shape else Unknown(interp.snippet(node), interp.where(node))
    return NotImplemented


def arange(fw: Any, interp: Any, node: ast.Call, scope: Any) -> Any:
    """`ops.arange(stop)` / `ops.arange(start, stop)`: a tensor of that many positions (a position
    embedding's input), a node of its own without parameters."""
    args, kwargs = interp.arguments(node, scope)
    start, stop = (sympy.Integer(0), args[0]) if len(args) == 1 else tuple(args[:2]) if len(args) >= 2 else (
        kwargs.get("start", sympy.Integer(0)), kwargs.get("stop"))
    if "stop" in kwargs:
        stop = kwargs["stop"]
    if not isinstance(start, sympy.Expr) or not isinstance(stop, sympy.Expr):
        return Unknown(f"{interp.snippet(node.func)}(...)", interp.where(node))
    layer = ExtraInput(Shape(stop - start))
    source = fw.input_tensor if fw.input_tensor is not None else Tensor(INPUT, layer.shape)
    return fw.add_node(interp, fw.auto_name("Arange"), layer, [source], node)


def elementwise(interp: Any, node: ast.Call, scope: Any) -> Any:
    args, _ = interp.arguments(node, scope)
    if args and isinstance(args[0], Tensor):
        return args[0]
    return Unknown(f"{interp.snippet(node.func)}(...)", interp.where(node))


# -- calls ----------------------------------------------------------------------------------------
def call(fw: Any, interp: Any, value: Any, node: ast.Call, scope: Any) -> Any:
    """A subclass instance called on tensors, or one of its methods; NotImplemented for anything else."""
    if isinstance(value, FunctionalModel):
        if len(node.args) != 1:
            raise interp.error("a keras.Model is called on its input tensor(s)", node)
        return call_model(fw, interp, value, interp.eval(node.args[0], scope), node)
    if isinstance(value, KerasUser):
        if not node.args:
            raise interp.error(f"{value.cls.name} is called on its input tensor(s)", node)
        args, kwargs = interp.arguments(node, scope)
        return apply(fw, interp, value, args[0], args[1:], kwargs, node)
    if not isinstance(value, Method):
        return NotImplemented
    target, name = value.target, value.name
    if isinstance(target, Super) and isinstance(target.instance, KerasUser):
        return None if name in ("__init__", "build") else Unknown(f"super().{name}(...)", interp.where(node))
    if not isinstance(target, KerasUser):
        return NotImplemented
    function = interp.find_method(target.cls, name)
    if function is not None:
        args, kwargs = interp.arguments(node, scope)
        return interp.call_function(function, args, kwargs, node, bound=target)
    if name == "add_weight":
        return add_weight(interp, target, node, scope)
    if name == "build":  # Keras' own build of a subclassed model: a call on a symbolic input of that shape
        args, kwargs = interp.arguments(node, scope)
        shape = args[0] if args else kwargs.get("input_shape")
        if isinstance(shape, ListValue):
            shape = tuple(shape.items)
        if not isinstance(shape, tuple) or len(shape) < 2:
            raise interp.error("build() takes (batch, ...) and the input's sizes", node)
        from .keras_inputs import input_shape

        if target.calls == 0:
            apply(fw, interp, target, Tensor(INPUT, input_shape(interp, shape[1:], node)), [], {}, node)
        return None
    return Unknown(f"{interp.snippet(node.func)}(...)", interp.where(node))


def add_weight(interp: Any, user: KerasUser, node: ast.Call, scope: Any) -> Any:
    """`self.add_weight(shape=(d, units), initializer=..., trainable=True, name=...)`: one term (Keras 3
    takes the shape first; tf.keras 2 took the name first)."""
    args, kwargs = interp.arguments(node, scope)
    name = kwargs.get("name")
    positional = list(args)
    if positional and isinstance(positional[0], str):
        name = positional.pop(0)
    shape = kwargs.get("shape", positional[0] if positional else None)
    trainable = kwargs.get("trainable", True)
    if isinstance(shape, ListValue):
        shape = tuple(shape.items)
    if isinstance(shape, sympy.Expr):
        shape = (shape,)
    if shape is None:
        shape = ()
    if not isinstance(shape, tuple) or not all(isinstance(d, sympy.Expr) for d in shape):
        raise interp.error("add_weight(shape=...) must be a tuple of sizes derive can follow", node)
    if not isinstance(trainable, bool):
        raise interp.error("add_weight(trainable=...) must be True or False", node)
    label = name if isinstance(name, str) and name else f"weight {len(user.weights) + 1}"
    user.weights.append(Term("weights" if trainable else "frozen", tuple(shape) or (sympy.Integer(1),), label))
    return Unknown(f"the weight {label!r} of {user.cls.name}", interp.where(node))


def shape_value(value: Any) -> Any:
    """What `build(input_shape)` receives: (None, *sizes) per tensor."""
    if isinstance(value, Tensor):
        return (None, *value.shape.dims)
    if isinstance(value, (ListValue, tuple, list)):
        items = value.items if isinstance(value, ListValue) else value
        return [shape_value(item) for item in items]
    if isinstance(value, dict):
        return {key: shape_value(item) for key, item in value.items()}
    return value


def first_tensor(value: Any) -> Tensor | None:
    if isinstance(value, Tensor):
        return value
    items = value.items if isinstance(value, ListValue) else list(value.values()) if isinstance(value, dict) \
        else value if isinstance(value, (tuple, list)) else []
    return next((t for t in (first_tensor(i) for i in items) if t is not None), None)


def apply(fw: Any, interp: Any, user: KerasUser, inputs: Any, rest: list, kwargs: dict, node: ast.AST) -> Any:
    """One call of a subclass instance: `build` once, then `call`; its own weights in a node of their own,
    on its first call only."""
    first = first_tensor(inputs)
    if first is None:
        raise fw.not_a_tensor(interp, inputs, node)
    user.calls += 1
    if not user.built:
        user.built = True
        build = find_method(user.cls, "build")
        if build is not None:
            interp.call_function(build, [shape_value(inputs)], {}, node, bound=user)
    function = find_method(user.cls, "call")
    if function is None:
        raise interp.error(f"{user.cls.name} has no call() derive can follow", node)
    keywords = {k: v for k, v in kwargs.items() if k not in ("training", "mask")}
    start = len(fw.nodes)
    result = interp.call_function(function, [inputs, *rest], keywords, node, bound=user)
    made = [n.name for n in fw.nodes[start:]]
    output = first_tensor(result)
    if user.calls > 1:
        if output is None:
            raise interp.error(f"{user.cls.name}.call() returns what derive cannot follow; a second call of it "
                               "is not followed", node)
        return result
    if output is not None and isinstance(result, Tensor) and not user.weights:
        user.inputs, user.outputs = inputs, result
        return result
    anchor = output if output is not None else first
    shape = None if output is not None else guessed_output(interp, user, first, node)
    layer = OwnWeights(user.cls.name, tuple(user.weights), shape)
    tensor = fw.add_node(interp, user.name, layer, [anchor], node)
    owned = fw.__dict__.setdefault("owned", {})
    owned[user.name] = made  # the layers its call made count with it, whatever reaches the output
    user.inputs = inputs
    user.outputs = tensor if output is None or isinstance(result, Tensor) else result
    return user.outputs


def guessed_output(interp: Any, user: KerasUser, tensor: Tensor, node: ast.AST) -> Shape:
    """The output of a call derive does not follow: `compute_output_shape`, else a kernel's units."""
    compute = find_method(user.cls, "compute_output_shape")
    if compute is not None:
        shape = interp.call_function(compute, [(None, *tensor.shape.dims)], {}, node, bound=user)
        if isinstance(shape, ListValue):
            shape = tuple(shape.items)
        if isinstance(shape, tuple) and len(shape) >= 2 and all(isinstance(d, sympy.Expr) for d in shape[1:]):
            return Shape(shape[-1], tuple(shape[1:-1]))
        raise interp.error(f"{user.cls.name}.compute_output_shape() must return (batch, ...sizes)", node)
    channels = tensor.shape.channels
    for term in user.weights:
        if len(term.factors) == 2 and sympy.simplify(term.factors[0] - channels) == 0:
            return Shape(term.factors[1], tensor.shape.spatial)
    return tensor.shape


def call_model(fw: Any, interp: Any, model: Any, argument: Any, node: ast.AST) -> Any:
    """A functional model called on tensors (`decoder(encoder(x))`): its layers again, on those tensors,
    named `<model>/<layer>`; the first call's count (the model's own layers, on its own `Input`, are then
    no part of a model built around it), a later call's are shared (`Reused`)."""
    given = argument.items if isinstance(argument, ListValue) else list(argument.values()) if isinstance(
        argument, dict) else list(argument) if isinstance(argument, (tuple, list)) else [argument]
    if len(given) != len(model.inputs) or not all(isinstance(t, Tensor) for t in given):
        raise interp.error(f"this keras.Model takes {len(model.inputs)} tensor(s)", node)
    by_name = {n.name: n for n in fw.nodes}
    mapping: dict[str, Tensor] = {t.name: g for t, g in zip(model.inputs, given)}
    needed: set[str] = set()
    todo = [t.name for t in model.outputs]
    while todo:
        name = todo.pop()
        if name in needed or name in mapping or name == INPUT:
            continue
        needed.add(name)
        todo.extend(by_name[name].inputs)
    calls = fw.__dict__.setdefault("model_calls", {})
    calls[id(model)] = count = calls.get(id(model), 0) + 1
    prefix = model.name or "functional"
    if count > 1:
        prefix = f"{prefix}#{count}"
    for made in [n for n in fw.nodes if n.name in needed]:
        inputs = []
        for name in made.inputs:
            if name not in mapping:
                raise interp.error(f"a layer of this keras.Model reads {name!r}, which is not among its inputs", node)
            inputs.append(mapping[name])
        layer = made.layer if count == 1 else Reused(made.layer)
        name = f"{prefix}/{made.name}"
        while name in fw.taken:
            name += "'"
        fw.taken.add(name)
        mapping[made.name] = fw.add_node(interp, name, layer, inputs, node)
    outputs = [mapping[t.name] for t in model.outputs]
    return outputs[0] if len(outputs) == 1 else ListValue(outputs, len(interp.branches))


# -- shared layers, more inputs -------------------------------------------------------------------
def reused_name(fw: Any, name: str) -> str:
    counts = fw.__dict__.setdefault("reuses", {})
    counts[name] = counts.get(name, 1) + 1
    return f"{name}#{counts[name]}"


def extra_input(fw: Any, interp: Any, shape: tuple, node: ast.AST, name: Any = None) -> Tensor:
    """A second (third, ...) `keras.Input`: numbers as stated, None as a symbol of its own (`H_2`)."""
    count = fw.__dict__.get("inputs_made", 1) + 1
    fw.inputs_made = count
    names = (*spatial_names(len(shape) - 1), "C")
    dims = []
    for size, value in zip(names, shape):
        if value is None:
            dims.append(interp.symbols.make(f"{size}_{count}", f"size of input {count}"))
        elif isinstance(value, sympy.Expr) and (not value.is_Number or (value.is_Integer and value > 0)):
            dims.append(value)
        else:
            raise interp.error(f"an input size must be a positive whole number or None, not {interp.kind(value)}",
                               node)
    layer = ExtraInput(Shape(dims[-1], tuple(dims[:-1])))
    name = fw.take(interp, name, node) if isinstance(name, str) else fw.auto_name("InputLayer")
    return fw.add_node(interp, name, layer, [Tensor(INPUT, layer.shape)], node)
