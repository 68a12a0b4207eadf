"""The Python around a PyTorch model: what tutorials and repositories write besides the modules.

`TorchPython` extends the PyTorch hooks of `torch.py` (one pass over one module) with:

- the methods that return the module itself and change no count (`.to(device)`, `.cuda()`, `.cpu()`,
  `.eval()`, `.train()`, `.float()`, `.double()`, `.apply(fn)`, ...) and those that only use it
  (`load_state_dict`, `zero_grad`, hooks): their arguments are not read;
- device selection as on a machine without a GPU (`torch.cuda.is_available()` is False,
  `torch.cuda.device_count()` is 0) and `torch.backends...` flags (set, and passed over);
- `nn.Sequential` / `nn.ModuleList` / `nn.ModuleDict` subclasses (`super().__init__(*modules)` registers
  the modules as the base class would), `nn.ModuleDict` itself;
- tensors, `nn.Parameter`, `register_parameter`, `register_buffer` and tied weights (`torch_params`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Mapping

import sympy

from ...blocks import Node
from ...errors import InputError
from ...layers import Layer, Shape
from ...layers.transformer import Stack
from ..python import ClassValue, Interpreter, Method, NotConditional, Ref, Scope, Super, Unknown
from ..python.objects import Native
from ..python.values import ListValue, Scalar
from . import torch_params as tp
from .base import MAX_WARNINGS, Host, code_warning
from .torch import (MODULES, TorchAdapter, TorchContainer, TorchFramework, TorchLeaf, TorchUser, is_module_base,
                    is_torch_layer_spelling, is_torch_spelling, leaves, stated_attribute, torch_name)
from .torch_names import (NO_GPU, OWN_TENSORS, PASSIVE_METHODS, SELF_METHODS, container_base, is_parameter_spelling,
                          layer_base_of, subclassable)


@dataclass
class Parameters(TorchContainer):
    """`nn.ParameterList` / `nn.ParameterDict`: no modules, its parameters as `tensors` (named 0, 1, ... or
    by key), as a module's own."""

    tensors: dict = field(default_factory=dict)


class TorchPython(TorchFramework):
    def __init__(self) -> None:
        super().__init__()
        self.ties: dict[int, tuple[TorchLeaf, list]] = {}  # id(leaf) -> (leaf, [(attr, WeightOf or None, where)])
        self.placed: set[int] = set()  # the leaves the block has, by id (`adjust` sees each)
        self.frozen: dict[int, bool] = {}  # id(leaf) -> whether its parameters still require gradients
        self.plain: dict[tuple[int, str], tuple] = {}  # (id(module), attr) -> (module, attr, list or tuple, where)

    # -- calls
    def resolve(self, interp: Interpreter, ref: Ref, node: ast.Call) -> Callable | None:
        if ref.path in NO_GPU:
            answer = NO_GPU[ref.path]
            return lambda i, n, s: answer
        name = tp.maker_name(ref.path)
        if name is not None:
            return lambda i, n, s: tp.make_tensor(i, name, n, s)
        if is_parameter_spelling(ref.path):
            return self.make_parameter
        if torch_name(ref.path, bare=True) == "ModuleDict":
            return self.make_module_dict
        if ref.path == "torch.device":
            return make_device
        if torch_name(ref.path, bare=True) in ("ParameterList", "ParameterDict"):
            return self.make_parameters
        loss = torch_name(ref.path, bare=False)
        if loss is not None and loss.endswith("Loss") and loss[:1].isupper():
            return lambda i, n, s: tp.make_loss(i, loss, n)
        return super().resolve(interp, ref, node)

    def make_parameter(self, interp: Interpreter, node: ast.Call, scope: Scope) -> tp.Parameter:
        args, kwargs = interp.arguments(node, scope)
        data = args[0] if args else kwargs.get("data")
        trainable = args[1] if len(args) > 1 else kwargs.get("requires_grad", True)
        if isinstance(data, tp.Parameter):
            data = data.tensor
        if isinstance(data, Unknown):
            raise interp.error(f"nn.Parameter(): its tensor comes from {data.what} (at {data.where}), whose shape "
                               "derive cannot tell (write it as torch.zeros(...), torch.randn(...) and the like)", node)
        if not isinstance(data, tp.Tensor):
            raise interp.error(f"nn.Parameter() takes a tensor, not {interp.kind(data)}", node)
        if not isinstance(trainable, bool):
            raise interp.error(f"nn.Parameter(): requires_grad must be True or False, not {interp.kind(trainable)}",
                               node)
        return tp.Parameter(data, trainable, interp.where(node))

    def make_parameters(self, interp: Interpreter, node: ast.Call, scope: Scope) -> Parameters:
        """`nn.ParameterList([...])`, `nn.ParameterDict({...})`: a module holding parameters only."""
        args, kwargs = interp.arguments(node, scope)
        items = args[0] if args else kwargs.get("values", kwargs.get("parameters"))
        cls = torch_name(interp.snippet(node.func, 80), bare=True) or "ParameterList"
        container = Parameters(cls if cls in ("ParameterList", "ParameterDict") else "ParameterList", [],
                               interp.where(node), interp.condition)
        if items is not None:
            self.add_parameters(interp, container, items, node)
        return container

    def add_parameters(self, interp: Interpreter, container: Parameters, items: Any, node: ast.AST) -> None:
        if container.cls == "ParameterDict":
            pairs = list(items.items()) if isinstance(items, dict) else [
                tuple(interp.sequence(pair, node)) for pair in interp.sequence(items, node)]
        else:
            pairs = [(str(len(container.tensors) + i), item) for i, item in enumerate(interp.sequence(items, node))]
        for name, value in pairs:
            if not isinstance(name, str):
                raise interp.error("nn.ParameterDict keys are strings", node)
            if isinstance(value, tp.Parameter):
                self.register(interp, container, name, tp.TRAINABLE if value.trainable else tp.FROZEN,
                              value.tensor, node)
            elif isinstance(value, tp.Tensor):  # a plain tensor becomes a parameter, as PyTorch makes it
                self.register(interp, container, name, tp.TRAINABLE, value, node)
            else:
                raise interp.error(f"nn.{container.cls} holds parameters, not {interp.kind(value)}", node)

    def make_module_dict(self, interp: Interpreter, node: ast.Call, scope: Scope) -> TorchContainer:
        args, kwargs = interp.arguments(node, scope)
        items = args[0] if args else kwargs.get("modules")
        container = TorchContainer("ModuleDict", [], interp.where(node), interp.condition)
        if items is not None:
            self.update_dict(interp, container, items, node)
        return container

    def update_dict(self, interp: Interpreter, container: TorchContainer, items: Any, node: ast.AST) -> None:
        pairs = list(items.items()) if isinstance(items, dict) else [
            tuple(interp.sequence(pair, node)) for pair in interp.sequence(items, node)]
        for pair in pairs:
            if len(pair) != 2 or not isinstance(pair[0], str):
                raise interp.error("nn.ModuleDict takes names and modules", node)
            self.put(interp, container, pair[0], self.module(interp, pair[1], node), node)

    def put(self, interp: Interpreter, container: Any, name: str, module: Any, node: ast.AST) -> None:
        """`container[name] = module` (a name met before keeps its place, as in a dict)."""
        self.check_name(interp, name, node)
        if isinstance(container, TorchUser):
            container.children[name] = module
            return
        for index, (key, _) in enumerate(container.children):
            if key == name:
                container.children[index] = (name, module)
                return
        container.children.append((name, module))

    def register_all(self, interp: Interpreter, instance: TorchUser, base: str, node: ast.Call, scope: Scope) -> None:
        """`super().__init__(...)` of an `nn.Sequential` / `nn.ModuleList` / `nn.ModuleDict` subclass."""
        args, kwargs = interp.arguments(node, scope)
        if base == "Sequential":
            if kwargs:
                raise interp.error("nn.Sequential() takes modules, not keyword arguments", node)
            pairs = list(args[0].items()) if len(args) == 1 and isinstance(args[0], dict) else [
                (str(len(instance.children) + i), value) for i, value in enumerate(args)]
        elif base == "ModuleList":
            items = args[0] if args else kwargs.get("modules")
            values = [] if items is None else interp.sequence(items, node)
            pairs = [(str(len(instance.children) + i), value) for i, value in enumerate(values)]
        else:
            items = args[0] if args else kwargs.get("modules")
            pairs = [] if items is None else list(items.items()) if isinstance(items, dict) else [
                tuple(interp.sequence(pair, node)) for pair in interp.sequence(items, node)]
        for name, value in pairs:
            if not isinstance(name, str):
                raise interp.error(f"nn.{base} takes names and modules", node)
            self.put(interp, instance, name, self.module(interp, value, node), node)

    def module(self, interp: Interpreter, value: Any, node: ast.AST) -> Any:
        if isinstance(value, tp.Loss):
            raise InputError(f"unsupported module nn.{value.cls}: a loss, which derive reads beside a model (a "
                             "criterion), not inside one", value.where)
        return super().module(interp, value, node)

    def instantiate(self, interp: Interpreter, cls: ClassValue, node: ast.Call, scope: Scope) -> Any:
        layer_base = layer_base_of(cls)
        if layer_base is not None and subclassable(layer_base.last):
            return self.instantiate_layer(interp, cls, layer_base.last, node, scope)
        if layer_base is not None:
            raise interp.error(f"class {cls.name} derives from nn.{layer_base.last}, whose own modules it may replace:"
                               " derive reads subclasses of nn.Module, of the containers and of simple layers "
                               "(nn.Linear, nn.Conv2d, the norms, ...)", node)
        base = container_base(cls)
        if base is not None and interp.find_method(cls, "__init__") is None:
            instance = TorchUser(cls, where=interp.where(node), condition=interp.condition)
            self.register_all(interp, instance, base, node, scope)
            return instance
        return super().instantiate(interp, cls, node, scope)

    def instantiate_layer(self, interp: Interpreter, cls: ClassValue, name: str, node: ast.Call,
                          scope: Scope) -> TorchUser:
        """`class Layer(nn.Linear)`: the instance is the layer (made by `super().__init__(...)`, or by the
        call itself without an `__init__`), plus what its `__init__` registers."""
        instance = TorchUser(cls, where=interp.where(node), condition=interp.condition)
        init = interp.find_method(cls, "__init__")
        if init is None:
            instance.tensors[""] = self.make_leaf(interp, name, node, scope)
            return instance
        args, kwargs = interp.arguments(node, scope)
        interp.call_function(init, args, kwargs, node, bound=instance)
        if "" not in instance.tensors:
            raise interp.error(f"{cls.name}.__init__ does not call super().__init__(...): derive cannot tell the "
                               f"sizes of its nn.{name}", node)
        return instance

    # -- attributes
    def attribute(self, interp: Interpreter, value: Any, attr: str, node: ast.AST) -> Any:
        if isinstance(value, TorchUser):
            if attr in value.tensors:
                return tensor_value(value.tensors[attr])
            layer_base = layer_base_of(value.cls)
            own = layer_base is not None and value.tensors.get("")
            if own and attr not in value.children and attr not in value.attributes:
                if attr in tp.ATTRIBUTE_KINDS:  # self.weight of a subclassed nn.Linear
                    return tp.WeightOf(own, attr, interp.where(node))
                known = stated_attribute(own, attr)
                if known is not None:
                    return known
            own = attr in value.children or attr in value.attributes or interp.class_attribute(value.cls, attr)[0]
            if not own and (attr in SELF_METHODS or attr in PASSIVE_METHODS or attr in (
                    "register_buffer", "register_parameter")):
                return Method(value, attr)
            base = container_base(value.cls)
            if not own and base is not None:
                if attr in ("__iter__", "__getitem__"):
                    modules = [module for module in value.children.values()]
                    return list(value.children) if base == "ModuleDict" and attr == "__iter__" else modules
                if attr in ("append", "extend", "insert"):
                    return Method(value, attr)
        if isinstance(value, Parameters):
            values = {name: tensor_value(leaf) for name, leaf in value.tensors.items()}
            if attr == "__getitem__":
                return values if value.cls == "ParameterDict" else list(values.values())
            if attr == "__iter__":
                return list(values) if value.cls == "ParameterDict" else list(values.values())
            if attr in ("append", "extend", "update"):
                return Method(value, attr)
        if isinstance(value, TorchContainer) and any(key == attr for key, _ in value.children):
            return next(module for key, module in value.children if key == attr)  # `self.transformer.wte`
        if isinstance(value, TorchContainer) and value.cls == "ModuleDict":
            if attr == "__getitem__":
                return dict(value.children)
            if attr == "__iter__":
                return [key for key, _ in value.children]
            if attr in ("items", "keys", "values", "update"):
                return Method(value, attr)
        if isinstance(value, (TorchLeaf, TorchContainer)) and (attr in SELF_METHODS or attr in PASSIVE_METHODS):
            return Method(value, attr)
        if isinstance(value, TorchLeaf) and attr in tp.ATTRIBUTE_KINDS:
            return tp.WeightOf(value, attr, interp.where(node))
        if isinstance(value, (tp.Tensor, tp.Parameter)):
            tensor = value.tensor if isinstance(value, tp.Parameter) else value
            if attr == "shape":
                return tensor.shape
            if attr == "data":
                return tensor
            if attr == "T" and len(tensor.shape) == 2:
                return tp.Tensor(tuple(reversed(tensor.shape)), interp.where(node))
            return Method(tensor, attr) if attr.isidentifier() and not attr.startswith("_") else \
                Unknown(f"{interp.snippet(node)}", interp.where(node))
        if isinstance(value, tp.ParametersOf) and attr == "requires_grad":
            return self.frozen.get(id(value.leaf), True)
        if isinstance(value, (tp.WeightOf, tp.ParametersOf, tp.Loss)):
            return Unknown(f"{interp.snippet(node)}", interp.where(node))
        return super().attribute(interp, value, attr, node)

    def set_attribute(self, interp: Interpreter, target: Any, attr: str, value: Any, node: ast.AST) -> bool:
        if isinstance(target, Ref) and target.path.startswith("torch."):
            return True  # torch.backends.cudnn.benchmark = True: a flag, nothing derive counts
        if isinstance(target, tp.Parameter) and target.leaf is not None and attr == "requires_grad" and \
                isinstance(value, bool) and (value is False or self.frozen.get(id(target.leaf), target.trainable)):
            self.frozen[id(target.leaf)] = value  # self.pos_embed.requires_grad = False
            return True
        if isinstance(target, tp.ParametersOf) and attr == "requires_grad":
            if not isinstance(value, bool):
                raise interp.error(f"requires_grad must be True or False, not {interp.kind(value)}", node)
            self.frozen[id(target.leaf)] = value
            return True
        if isinstance(target, (tp.Tensor, tp.Parameter, tp.WeightOf)) and attr in ("data", "requires_grad"):
            if attr == "requires_grad":
                raise interp.error("setting requires_grad of a tensor here is not followed (a parameter is frozen "
                                   "with nn.Parameter(..., requires_grad=False) or p.requires_grad = False, "
                                   "never made trainable again)", node)
            return True
        if isinstance(target, TorchLeaf):
            return self.set_leaf_attribute(interp, target, attr, value, node)
        if isinstance(target, TorchUser):
            base = target.tensors.get("")
            if base is not None and isinstance(base.layer, Stack):  # a Transformer's `decoder` replaced
                kept = tuple(p for p in base.layer.parts if p[0] != attr and not p[0].startswith(attr + "."))
                target.tensors[""] = replace(base, layer=replace(base.layer, parts=kept))
            if "" in target.tensors and (attr in OWN_TENSORS or attr.startswith(("weight_", "bias_"))):
                raise interp.error(f"{attr} of {target.cls.name}, a subclass of nn.{target.tensors[''].cls}, replaced:"
                                   " derive does not follow that", node)
            if interp.branches and not interp.made_here(target.condition) and isinstance(value, tp.Parameter):
                raise NotConditional()
            if isinstance(value, tp.Loss) and value.weighted:
                raise interp.error(f"nn.{value.cls} with a weight registers it as a buffer of {target.cls.name}, "
                                   "whose size derive cannot tell (keep the criterion outside the model)", node)
            if isinstance(value, (ListValue, tuple)):  # modules in it are not registered (`unregistered`)
                self.plain[(id(target), attr)] = (target, attr, value, code_warning(interp, "", node, None))
            if isinstance(value, tp.Parameter):
                self.register(interp, target, attr, tp.TRAINABLE if value.trainable else tp.FROZEN,
                              value.tensor, node)
                return True
            if attr in target.tensors:
                leaf = target.tensors[attr]
                if value is None or isinstance(value, tp.Tensor) and leaf.layer.kind == tp.BUFFER:
                    del target.tensors[attr]
                    if value is not None:
                        self.register(interp, target, attr, tp.BUFFER, value, node)
                    return True
                raise interp.error(f"{attr} is a parameter of {target.cls.name}: only an nn.Parameter or None "
                                   "may replace it", node)
        return super().set_attribute(interp, target, attr, value, node)

    def set_leaf_attribute(self, interp: Interpreter, target: TorchLeaf, attr: str, value: Any,
                           node: ast.AST) -> bool:
        if attr == "inplace":
            return True
        if attr not in tp.ATTRIBUTE_KINDS:
            raise interp.error(f"setting {attr} of nn.{target.cls} is not followed (derive counts a module on "
                               "the arguments it was made with)", node)
        if isinstance(value, tp.WeightOf) and value.leaf is target and value.attr == attr:
            return True
        if not isinstance(value, tp.WeightOf) and value is not None:
            raise interp.error(f"nn.{target.cls}.{attr} replaced by {interp.kind(value)}: only another module's "
                               f"{attr} (tied weights) or None is followed", node)
        self.ties.setdefault(id(target), (target, []))[1].append((attr, value, interp.where(node)))
        return True

    def register(self, interp: Interpreter, target: Any, name: str, kind: str, tensor: tp.Tensor,
                 node: ast.AST) -> None:
        self.check_name(interp, name, node)
        if isinstance(target, TorchUser):
            if name in target.children:
                raise interp.error(f"{name} is already a module of {target.cls.name}", node)
            target.attributes.pop(name, None)
        layer = tp.TensorLayer(kind, name, tensor.shape)
        target.tensors[name] = TorchLeaf("Parameter", layer, None, None, interp.where(node), interp.condition)

    def set_item(self, interp: Interpreter, owner: Any, key: ast.expr, value: Any, scope: Scope,
                 node: ast.AST) -> bool:
        if isinstance(owner, (tp.Tensor, tp.Parameter)):
            return True  # pe[:, 0::2] = torch.sin(...): values, not the shape
        if isinstance(owner, TorchContainer) and owner.cls == "ModuleDict":
            name = interp.eval(key, scope)
            if not isinstance(name, str):
                raise interp.error("nn.ModuleDict keys are strings", key)
            self.put(interp, owner, name, self.module(interp, value, node), node)
            return True
        return False

    def binop(self, interp: Interpreter, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        tensors = [v for v in (left, right) if isinstance(v, tp.Tensor)]
        others = [v for v in (left, right) if not isinstance(v, tp.Tensor)]
        if tensors and all(isinstance(v, Scalar) for v in others) and not isinstance(op, ast.MatMult):
            return tensors[0]  # torch.randn(d, d) / math.sqrt(d): a number, the shape kept
        same = len(tensors) == 2 and len(tensors[0].shape) == len(tensors[1].shape) and all(
            a == b for a, b in zip(tensors[0].shape, tensors[1].shape))
        if tensors and not isinstance(op, ast.MatMult) and (same or all(isinstance(v, sympy.Expr) for v in others)):
            return tensors[0]  # element-wise with a number, or with a tensor of the same shape
        if tensors or isinstance(left, Unknown) or isinstance(right, Unknown):
            unknown = next((v for v in (left, right) if isinstance(v, Unknown)), None)
            return unknown or Unknown(interp.snippet(node), interp.where(node))
        return NotImplemented

    # -- calling what those give
    def follows(self, interp: Interpreter, value: Any) -> bool:
        if isinstance(value, Method) and isinstance(value.target, MODULES):
            user = isinstance(value.target, TorchUser) and interp.find_method(value.target.cls, value.name)
            if not user and value.name == "requires_grad_":
                return True  # freezes (or unfreezes) the module's parameters
            if not user and value.name in SELF_METHODS + PASSIVE_METHODS:
                return False
            if value.name in ("register_buffer", "register_parameter", "update"):
                return True
        if isinstance(value, Method) and isinstance(value.target, tp.Tensor):
            return False
        return super().follows(interp, value)

    def call_value(self, interp: Interpreter, value: Any, node: ast.Call, scope: Scope) -> Any:
        if isinstance(value, tp.Loss):  # criterion(outputs, labels): a value derive does not compute
            return Unknown(f"{interp.snippet(node.func)}(...)", interp.where(node))
        if not isinstance(value, Method):
            return super().call_value(interp, value, node, scope)
        target, name = value.target, value.name
        if isinstance(target, Super) and name == "__init__" and isinstance(target.instance, TorchUser):
            layer_base = layer_base_of(target.cls)
            if layer_base is not None:  # class Layer(nn.Linear): super().__init__(in, out) makes the layer itself
                target.instance.tensors[""] = self.make_leaf(interp, layer_base.last, node, scope)  # the module itself
                return None
            base = container_base(target.cls)
            if base is not None:
                self.register_all(interp, target.instance, base, node, scope)
                return None
        if isinstance(target, tp.Tensor):
            args, _ = interp.arguments(node, scope)
            made = tp.tensor_method(interp, target, name, args, node)
            return made if made is not None else Unknown(f"{interp.snippet(node.func)}(...)", interp.where(node))
        if isinstance(target, MODULES) and not (isinstance(target, TorchUser) and
                                                interp.find_method(target.cls, name)):
            if name == "requires_grad_":
                args, kwargs = interp.arguments(node, scope)
                flag = args[0] if args else kwargs.get("requires_grad", True)
                if not isinstance(flag, bool):
                    raise interp.error(f"requires_grad_() takes True or False, not {interp.kind(flag)}", node)
                for leaf in self.parameter_leaves(target):
                    self.frozen[id(leaf)] = flag
                return target
            if name in ("parameters", "named_parameters") and not (isinstance(target, TorchUser) and
                                                                  interp.find_method(target.cls, name)):
                items = tuple(tp.ParametersOf(leaf, interp.where(node)) for leaf in self.parameter_leaves(target))
                return items if name == "parameters" else Unknown(f"{interp.snippet(node.func)}()", interp.where(node))
            if name in SELF_METHODS:
                return target
            if name in PASSIVE_METHODS:
                return Unknown(f"{interp.snippet(node.func)}(...)", interp.where(node))
        if isinstance(target, TorchUser) and name in ("register_buffer", "register_parameter"):
            self.register_call(interp, target, name, node, scope)
            return None
        if isinstance(target, TorchUser) and container_base(target.cls) and name in ("append", "extend", "insert"):
            return self.add_to(interp, target, name, node, scope)
        if isinstance(target, Parameters) and name in ("append", "extend", "update"):
            args, _ = interp.arguments(node, scope)
            if len(args) != 1:
                raise interp.error(f"nn.{target.cls}.{name}() takes one argument", node)
            self.add_parameters(interp, target, (args[0],) if name == "append" else args[0], node)
            return target if name == "append" else None
        if isinstance(target, TorchContainer) and target.cls == "ModuleDict":
            args, _ = interp.arguments(node, scope)
            if name == "update" and len(args) == 1:
                self.update_dict(interp, target, args[0], node)
                return None
            pairs = target.children
            return tuple(key for key, _ in pairs) if name == "keys" else tuple(
                module for _, module in pairs) if name == "values" else tuple(pairs)
        return super().call_value(interp, value, node, scope)

    def add_to(self, interp: Interpreter, target: TorchUser, name: str, node: ast.Call, scope: Scope) -> Any:
        args, _ = interp.arguments(node, scope)
        if name == "insert" or len(args) != 1:
            raise interp.error(f"{target.cls.name}.{name}() with these arguments is not followed", node)
        for item in (interp.sequence(args[0], node) if name == "extend" else args):
            self.put(interp, target, str(len(target.children)), self.module(interp, item, node), node)
        return target if name == "append" else None

    def register_call(self, interp: Interpreter, target: TorchUser, name: str, node: ast.Call, scope: Scope) -> None:
        """`self.register_buffer(name, tensor, persistent=True)`, `self.register_parameter(name, param)`."""
        if interp.branches and not interp.made_here(target.condition):
            raise NotConditional()
        args, kwargs = interp.arguments(node, scope)
        given = dict(zip(("name", "tensor" if name == "register_buffer" else "param", "persistent"), args))
        given.update(kwargs)
        label = given.get("name")
        value = given.get("tensor" if name == "register_buffer" else "param")
        if not isinstance(label, str):
            raise interp.error(f"{name}() needs the name as a string, not {interp.kind(label)}", node)
        persistent = given.get("persistent", True)
        if not isinstance(persistent, bool):
            raise interp.error(f"register_buffer(): persistent must be True or False, not {interp.kind(persistent)}",
                               node)
        if value is None or (name == "register_buffer" and not persistent):
            target.attributes[label] = value
            return  # None, or not in state_dict(): nothing to count (its shape does not matter)
        if isinstance(value, Unknown):
            raise interp.error(f"{name}(): the tensor comes from {value.what} (at {value.where}), whose shape "
                               "derive cannot tell", node)
        if name == "register_parameter":
            if not isinstance(value, tp.Parameter):
                raise interp.error(f"register_parameter() takes an nn.Parameter, not {interp.kind(value)}", node)
            self.register(interp, target, label, tp.TRAINABLE if value.trainable else tp.FROZEN, value.tensor, node)
            return
        tensor = value.tensor if isinstance(value, tp.Parameter) else value
        if not isinstance(tensor, tp.Tensor):
            raise interp.error(f"register_buffer() takes a tensor, not {interp.kind(value)}", node)
        self.register(interp, target, label, tp.BUFFER, tensor, node)

    @staticmethod
    def parameter_leaves(module: Any) -> list:
        """The leaves whose parameters `module.parameters()` yields (its own tensors included)."""
        return [leaf.leaf for leaf in leaves(module)] if not isinstance(module, TorchLeaf) else [module]

    # -- the block: tied weights left out where they were replaced, frozen ones not trainable
    def adjust(self, item: TorchLeaf, layer: Layer) -> Layer:
        self.placed.add(id(item))
        tied = self.ties.get(id(item))
        layer = layer if tied is None else tp.Without(layer, tuple(attr for attr, _, _ in tied[1]))
        return tp.Frozen(layer) if self.frozen.get(id(item)) is False else layer

    def unregistered(self) -> None:
        """A warning for each attribute that holds modules in a plain list or tuple: PyTorch registers
        none of them (`self.layers = [nn.Linear(...)]`), so neither it nor derive counts them."""
        for target, attr, value, at in self.plain.values():
            items = value.items if isinstance(value, ListValue) else value
            if any(isinstance(v, MODULES) for v in items) and len(self.warnings) < MAX_WARNINGS:
                kind = "list" if isinstance(value, ListValue) else "tuple"
                self.warnings.append(replace(at, message=tp.UNREGISTERED.format(attr=attr, cls=target.cls.name,
                                                                                kind=kind)))

    def check_ties(self) -> None:
        for _, replaced in self.ties.values():
            for attr, source, where in replaced:
                if source is not None and id(source.leaf) not in self.placed:
                    raise InputError(f"the {attr} tied here belongs to a module that is not registered in the "
                                     "model: derive cannot count it once, as parameters() does", where)


class Device(Native):
    """`torch.device("cuda:0" if ... else "cpu")`: its `type` and `index`."""

    def __init__(self, kind: str, index: Any) -> None:
        self.kind, self.index = kind, index

    def get(self, interp: Any, attr: str, node: ast.AST) -> Any:
        if attr in ("type", "index"):
            return self.kind if attr == "type" else self.index
        return super().get(interp, attr, node)

    def describe(self) -> str:
        return "a torch.device"


def make_device(interp: Interpreter, node: ast.Call, scope: Scope) -> Any:
    args, _ = interp.arguments(node, scope)
    if len(args) == 1 and isinstance(args[0], str) and args[0]:
        kind, _, index = args[0].partition(":")
        return Device(kind, sympy.Integer(int(index)) if index.isdigit() else None)
    return Unknown(f"{interp.snippet(node)}", interp.where(node))


def tensor_value(leaf: TorchLeaf) -> Any:
    """`self.cls_token`: the parameter or buffer a module registered."""
    layer = leaf.layer
    if not isinstance(layer, tp.TensorLayer):
        return leaf
    tensor = tp.Tensor(layer.factors, leaf.where)
    return tensor if layer.kind == tp.BUFFER else tp.Parameter(tensor, layer.kind == tp.TRAINABLE, leaf.where, leaf)


def is_spelling(path: str) -> bool:
    return is_torch_spelling(path) or is_parameter_spelling(path)


def makes_layers(path: str) -> bool:
    return is_torch_layer_spelling(path) or is_parameter_spelling(path) or torch_name(path, True) == "ModuleDict"


class TorchPythonAdapter(TorchAdapter):
    framework = TorchPython
    is_spelling = staticmethod(is_spelling)  # a module made of nn.Parameters only is PyTorch code too
    makes_layers = staticmethod(makes_layers)

    def block(self, host: Host, interp: Interpreter, fw: TorchPython, options: Mapping[str, bool],
              declared: dict[str, bool]) -> tuple[str, Shape, tuple[Node, ...]]:
        made = super().block(host, interp, fw, options, declared)
        fw.check_ties()
        fw.unregistered()
        return made


ADAPTER = TorchPythonAdapter()

__all__ = ["ADAPTER", "TorchPython", "container_base", "is_module_base"]
