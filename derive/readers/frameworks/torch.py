"""PyTorch code: `nn.Sequential` (nested too) and `nn.Module` subclasses, counted as PyTorch counts them.

PyTorch counts every registered module on its own constructor arguments, whatever `forward` does,
and its modules say their input size (`nn.Conv2d(in, out, ...)`, `nn.Linear(in, out)`,
`nn.BatchNorm2d(C)`). So each module here is counted on the size it states: where the size flowing
from the module before (in registration order) is not that size, the layer is wrapped in
`layers.Stated`. The flow is followed for shapes (and multiply-accumulates), `forward` is not read;
for an `nn.Module` subclass the modules are taken in the order `__init__` registers them.

Values: `TorchLeaf` (one layer), `TorchContainer` (`nn.Sequential`, `nn.ModuleList`) and `TorchUser`
(an instance of the user's `nn.Module` subclass, with its registered modules and other attributes).
Node names are PyTorch's (`0`, `features.3`, `conv1`); the part of a node is the top-level child it
belongs to when that child is a container or a module of the user's. `TorchAdapter.block` takes the
root: a module the code assigns, else the entry class or function called with symbols.

Which modules exist, their signatures and the input size each states, is the layer registry's
(`derive.layers`); a class under `nn.` that is not there is an error naming its line, never a
module that counts zero.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import sympy

from ...blocks import INPUT, CodeWarning, Condition, Node
from ...errors import InputError
from ...layers import Layer, Shape, Stated, spellings
from ...records import frozen
from ..layerargs import bind
from ..names import ORDER_FIRST, ORDER_LAST
from ..python import ClassValue, Framework, Interpreter, Method, NotConditional, Ref, Scope, Super, Unknown, lineage
from . import attention_calls
from .base import MAX_WARNINGS, Adapter, Host
from .sequences import torch_start, torch_wanted
from .shapes import Flow, last_axis, symbol_maker, torch_input

PREFIXES = ("torch.nn.modules.", "torch.nn.", "nn.")


def _equal(a: sympy.Expr, b: sympy.Expr) -> bool:
    """Whether two sizes are the same: the same expression, or the same once multiplied out."""
    return a == b or sympy.expand(a - b) == 0


# -- values ---------------------------------------------------------------------------------------
@frozen
class TorchLeaf:
    cls: str
    layer: Layer
    stated: sympy.Expr | None  # the input channels / features it says, if it says them
    rank: int | None  # the spatial axes it needs (0: a vector, 1: a sequence, 2: an image, 3: a volume), None: any
    where: str
    condition: Condition | None = None  # made in an `if` on sizes: exists only where it holds

    def describe(self) -> str:
        return f"the PyTorch module nn.{self.cls}"


@dataclass
class TorchContainer:
    cls: str  # Sequential, ModuleList
    children: list  # [(name, module)]
    where: str
    condition: Condition | None = None

    def describe(self) -> str:
        return f"an nn.{self.cls}"


@dataclass
class TorchUser:
    cls: ClassValue
    children: dict = field(default_factory=dict)  # registered modules, in order
    attributes: dict = field(default_factory=dict)
    where: str = ""
    condition: Condition | None = None
    tensors: dict = field(default_factory=dict)  # its own parameters and buffers, as leaves (`torch_python`)

    def describe(self) -> str:
        return f"an instance of {self.cls.name}"


MODULES = (TorchLeaf, TorchContainer, TorchUser)


# -- spellings ------------------------------------------------------------------------------------
CONTAINERS = ("Sequential", "ModuleList")


def torch_name(path: str, bare: bool) -> str | None:
    for prefix in PREFIXES:
        if path.startswith(prefix):
            rest = path[len(prefix):]
            return rest.rpartition(".")[2] if prefix == "torch.nn.modules." else rest if "." not in rest else None
    if bare and "." not in path:
        return path
    return None


def is_torch_layer_spelling(path: str) -> bool:
    name = torch_name(path, bare=True)
    return name is not None and (name in spellings("torch") or name in CONTAINERS)


def is_torch_spelling(path: str) -> bool:
    """Evidence that code is PyTorch: a module's name, or a class under `torch.nn.` / `nn.`."""
    if is_torch_layer_spelling(path):
        return True
    return any(path.startswith(p) for p in PREFIXES[1:]) and path.rpartition(".")[2][:1].isupper() and \
        path.rpartition(".")[2] not in ("Module", "Parameter")


def is_module_base(ref: Ref) -> bool:
    return torch_name(ref.path, bare=True) in ("Module", "Sequential", "ModuleList", "ModuleDict")


# -- the framework --------------------------------------------------------------------------------
class TorchFramework(Framework):
    def __init__(self) -> None:
        self.made = 0
        self.warnings: list[CodeWarning] = []  # what PyTorch would raise or does not count, said (`block_of`)

    def warn_at(self, message: str, where: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            _, line, column = where.rsplit(":", 2)
            self.warnings.append(CodeWarning(where, int(line), int(column), message, None))

    def resolve(self, interp: Interpreter, ref: Ref, node: ast.Call) -> Callable | None:
        name = torch_name(ref.path, bare=True)
        if name is None:
            return None
        if name in spellings("torch"):
            return lambda i, n, s: self.make_leaf(i, name, n, s)
        if name == "Sequential":
            return self.make_sequential
        if name == "ModuleList":
            return self.make_module_list
        if name == "Module" and ref.path.endswith("__init__"):
            return None
        if any(ref.path.startswith(p) for p in PREFIXES) and name[:1].isupper() and name not in ("Module",
                                                                                                 "Parameter"):
            return lambda i, n, s: self.unsupported(i, ref, n)
        if name == "Parameter" and any(ref.path.startswith(p) for p in PREFIXES):
            return lambda i, n, s: self.refuse(i, n, "nn.Parameter is not supported (only modules are counted)")
        return None

    def unsupported(self, interp: Interpreter, ref: Ref, node: ast.Call) -> Any:
        raise interp.error(f"unsupported module nn.{ref.last} (see the README for the modules derive reads)", node)

    def refuse(self, interp: Interpreter, node: ast.AST, what: str) -> Any:
        raise interp.error(what, node)

    def make_leaf(self, interp: Interpreter, cls: str, node: ast.Call, scope: Scope) -> TorchLeaf:
        self.made += 1
        if self.made > interp.max_made:
            raise interp.error(interp.too_many_made("modules"), node)
        spelling = spellings("torch")[cls]
        args = bind(interp, spelling.signature, node, scope)
        layer = spelling.build(args)
        stated = args.size(spelling.stated) if spelling.stated is not None else None
        return TorchLeaf(cls, layer, stated, spelling.spatial, interp.where(node), interp.condition)

    def make_sequential(self, interp: Interpreter, node: ast.Call, scope: Scope) -> TorchContainer:
        if node.keywords:
            raise interp.error("nn.Sequential() takes modules, not keyword arguments", node.keywords[0])
        args = interp.elements(node.args, scope, node)
        if len(args) == 1 and isinstance(args[0], dict):
            children = [(key, self.module(interp, value, node)) for key, value in args[0].items()]
        else:
            children = [(str(i), self.module(interp, value, node)) for i, value in enumerate(args)]
        for key, _ in children:
            self.check_name(interp, key, node)
        return TorchContainer("Sequential", children, interp.where(node), interp.condition)

    def make_module_list(self, interp: Interpreter, node: ast.Call, scope: Scope) -> TorchContainer:
        args, kwargs = interp.arguments(node, scope)
        items = args[0] if args else kwargs.get("modules")
        values = [] if items is None else interp.sequence(items, node)
        children = [(str(i), self.module(interp, value, node)) for i, value in enumerate(values)]
        return TorchContainer("ModuleList", children, interp.where(node), interp.condition)

    def module(self, interp: Interpreter, value: Any, node: ast.AST) -> Any:
        if isinstance(value, MODULES):
            return value
        if isinstance(value, Unknown):
            raise interp.error(f"{value.what} (at {value.where}) is not a module derive knows", node)
        raise interp.error(f"expected a PyTorch module, got {interp.kind(value)}", node)

    @staticmethod
    def check_name(interp: Interpreter, name: str, node: ast.AST) -> None:
        if not name or len(name) > 64 or "." in name or not all(c.isalnum() or c == "_" for c in name):
            raise interp.error(f"module name {name[:40]!r} must be letters, digits and _", node)

    # the user's nn.Module subclasses
    def instantiate(self, interp: Interpreter, cls: ClassValue, node: ast.Call, scope: Scope) -> Any:
        if not interp.is_subclass(cls, is_module_base):
            return NotImplemented
        instance = TorchUser(cls, where=interp.where(node), condition=interp.condition)
        init = interp.find_method(cls, "__init__")
        args, kwargs = interp.arguments(node, scope)
        if init is not None:
            interp.call_function(init, args, kwargs, node, bound=instance)
        elif args or kwargs:
            raise interp.error(f"{cls.name}() takes no arguments", node)
        return instance

    def set_attribute(self, interp: Interpreter, target: Any, attr: str, value: Any, node: ast.AST) -> bool:
        if not isinstance(target, TorchUser):
            return False
        if interp.branches and not interp.made_here(target.condition) and not interp.conditional_value(value):
            raise NotConditional()
        if isinstance(value, MODULES):
            self.check_name(interp, attr, node)
            target.children[attr] = value
            target.attributes.pop(attr, None)
        else:
            if attr in target.children:
                del target.children[attr]
            target.attributes[attr] = value
        return True

    def attribute(self, interp: Interpreter, value: Any, attr: str, node: ast.AST) -> Any:
        if isinstance(value, TorchUser):
            if attr in value.children:
                return value.children[attr]
            if attr in value.attributes:
                return value.attributes[attr]
            found, member = interp.class_attribute(value.cls, attr)
            if found:
                return Method(value, attr) if hasattr(member, "node") and hasattr(member, "owner") else member
            if attr in ("add_module", "register_module", *WALKS):
                return Method(value, attr)
            if attr in ("register_buffer", "register_parameter"):
                raise interp.error(f"{attr}() is not supported (only modules are counted)", node)
            if attr in ("__iter__", "__getitem__"):
                return NotImplemented
            raise interp.error(f"{value.cls.name} has no attribute {attr!r} (set in __init__ before use)", node)
        if isinstance(value, TorchContainer):
            if attr == "__iter__":
                return [module for _, module in value.children]
            if attr == "__getitem__":
                return [module for _, module in value.children]
            if attr in ("append", "extend", "insert", "add_module", *WALKS):
                return Method(value, attr)
            raise interp.error(f"nn.{value.cls}.{attr} is not followed", node)
        if isinstance(value, TorchLeaf):
            if attr in ("__iter__", "__getitem__"):
                return NotImplemented
            if attr in WALKS:
                return Method(value, attr)
            known = stated_attribute(value, attr)
            return known if known is not None else Unknown(f"nn.{value.cls}.{attr}", interp.where(node))
        return NotImplemented

    def is_instance(self, interp: Interpreter, value: Any, cls: Any) -> Any:
        if not isinstance(value, MODULES):
            return NotImplemented
        if isinstance(cls, ClassValue):
            return isinstance(value, TorchUser) and cls in lineage(value.cls)
        if not isinstance(cls, Ref):
            return NotImplemented
        name = torch_name(cls.path, bare=True)
        if name is None:
            return NotImplemented
        if name == "Module":
            return True
        own = value.cls if isinstance(value, (TorchLeaf, TorchContainer)) else value.cls.name
        return own == name

    def follows(self, interp: Interpreter, value: Any) -> bool:
        return isinstance(value, Method) and isinstance(value.target, (TorchUser, TorchContainer))

    def call_value(self, interp: Interpreter, value: Any, node: ast.Call, scope: Scope) -> Any:
        if isinstance(value, Method):
            target, name = value.target, value.name
            if isinstance(target, Super):
                return None if name == "__init__" else NotImplemented
            if name in WALKS and isinstance(target, MODULES):
                return walk(target, name)
            if isinstance(target, TorchUser):
                if name in ("add_module", "register_module"):
                    args, _ = interp.arguments(node, scope)
                    if interp.branches and not interp.made_here(target.condition) and not (
                            len(args) == 2 and interp.conditional_value(args[1])):
                        raise NotConditional()
                    if len(args) != 2 or not isinstance(args[0], str):
                        raise interp.error(f"{name}(name, module) takes a name and a module", node)
                    self.check_name(interp, args[0], node)
                    target.children[args[0]] = self.module(interp, args[1], node)
                    return None
                function = interp.find_method(target.cls, name)
                if function is None:
                    raise interp.error(f"{target.cls.name}.{name}() is not followed", node)
                args, kwargs = interp.arguments(node, scope)
                return interp.call_function(function, args, kwargs, node, bound=target)
            if isinstance(target, TorchContainer):
                args, _ = interp.arguments(node, scope)
                if interp.branches and not interp.made_here(target.condition):
                    added = interp.sequence(args[0], node) if name == "extend" and args else args[-1:]
                    if not all(interp.conditional_value(item) for item in added):
                        raise NotConditional()
                if name == "append" and len(args) == 1:
                    target.children.append((str(len(target.children)), self.module(interp, args[0], node)))
                elif name == "extend" and len(args) == 1:
                    for item in interp.sequence(args[0], node):
                        target.children.append((str(len(target.children)), self.module(interp, item, node)))
                elif name == "add_module" and len(args) == 2 and isinstance(args[0], str):
                    self.check_name(interp, args[0], node)
                    target.children.append((args[0], self.module(interp, args[1], node)))
                else:
                    raise interp.error(f"nn.{target.cls}.{name}() with these arguments is not followed", node)
                return None
            return NotImplemented
        if isinstance(value, MODULES):
            return Unknown(f"{interp.snippet(node)}", interp.where(node))
        return NotImplemented


WALKS = ("modules", "children", "named_modules", "named_children", "parameters", "named_parameters", "buffers",
         "named_buffers")


def _children(module: Any) -> list:
    if isinstance(module, TorchLeaf):
        return []
    items = module.children.items() if isinstance(module, TorchUser) else module.children
    return [(name, child) for name, child in items if child is not None]


def walk(module: Any, how: str) -> Any:
    """`self.modules()` and the like, as the tuples PyTorch would give (parameters are not followed)."""
    if how in ("parameters", "named_parameters", "buffers", "named_buffers"):
        return Unknown(f"{how}()", getattr(module, "where", ""))
    if how in ("children", "named_children"):
        pairs = _children(module)
    else:
        pairs, todo = [], [("", module)]
        while todo and len(pairs) < 10_000:
            prefix, current = todo.pop(0)
            pairs.append((prefix, current))
            todo[0:0] = [(f"{prefix}.{name}" if prefix else name, child) for name, child in _children(current)]
    if how.startswith("named_"):
        return tuple((name, child) for name, child in pairs)
    return tuple(child for _, child in pairs)


def stated_attribute(leaf: TorchLeaf, attr: str) -> Any:
    """The constructor's sizes a module keeps as attributes (`conv.out_channels`)."""
    if attr in ("in_channels", "in_features", "num_features", "num_channels"):
        return leaf.stated
    fields = spellings("torch")[leaf.cls].attributes
    return getattr(leaf.layer, fields[attr]) if attr in fields else None


# -- the block ------------------------------------------------------------------------------------
@frozen
class Leaf:
    name: str
    part: str | None
    leaf: TorchLeaf
    condition: Condition | None = None


def _both(a: Condition | None, b: Condition | None) -> Condition | None:
    if a is None or b is None:
        return a or b
    return Condition(tuple(dict.fromkeys(a.clauses + b.clauses)))


def leaves(module: Any, prefix: str = "", part: str | None = None, depth: int = 0,
           condition: Condition | None = None, seen: set | None = None) -> list[Leaf]:
    """Every registered leaf module, in registration order, with its PyTorch name, part and condition; a
    module registered twice counts once, as `parameters()` counts it; a module's own parameters and
    buffers come before its children."""
    if depth > 64:
        raise InputError("modules nested too deeply", getattr(module, "where", None))
    seen = set() if seen is None else seen
    if id(module) in seen:
        return []
    seen.add(id(module))
    condition = _both(condition, module.condition)
    if isinstance(module, TorchLeaf):
        return [Leaf(prefix or "0", part, module, condition)]
    children = module.children.items() if isinstance(module, TorchUser) else module.children
    out: list[Leaf] = [Leaf((f"{prefix}.{name}" if prefix else name) if name else prefix or "0", part, tensor,
                            condition)  # name "": the layer a subclass of it is (`class Layer(nn.Linear)`)
                       for name, tensor in getattr(module, "tensors", {}).items()]
    for name, child in children:
        if child is None:
            continue
        full = f"{prefix}.{name}" if prefix else name
        child_part = part if part is not None or depth > 0 else (name if not isinstance(child, TorchLeaf) else None)
        out.extend(leaves(child, full, child_part, depth + 1, condition, seen))
    return out


def in_order(module: Any, depth: int = 0) -> bool:
    """Whether the modules run in the order they are registered: nn.Sequential all the way down (a
    module of the user's has a `forward` derive does not read)."""
    if isinstance(module, TorchLeaf):
        return True
    return isinstance(module, TorchContainer) and module.cls == "Sequential" and depth < 64 and all(
        child is None or in_order(child, depth + 1) for _, child in module.children)


def mismatch(leaf: Leaf, flow: Shape) -> str | None:
    """What PyTorch would raise at a module of an nn.Sequential that states another input size than the
    module before it gives (`nn.Conv2d(16, ...)` after `nn.Conv2d(3, 8, ...)`), if both are numbers."""
    stated, given = leaf.leaf.stated, flow.channels
    if stated is None or not (stated.is_Number and given.is_Number) or stated == given:
        return None
    what = "channels" if flow.spatial else "features"
    return (f"module {leaf.name} (nn.{leaf.leaf.cls}) takes {stated} input {what}, but the module before it in the "
            f"nn.Sequential gives {given}: PyTorch raises here (RuntimeError) when the model runs; derive counts "
            f"each module on its own arguments, as parameters() does; likely fix: {given} input {what}")


def block_of(root: Any, make: Callable[[str, int, int], sympy.Expr], fallback: Callable[[], sympy.Expr],
             adjust: Callable[[TorchLeaf, Layer], Layer] | None = None,
             steps: Callable[[], sympy.Expr] | None = None,
             warn: Callable[[str, str], None] | None = None) -> tuple[Shape, tuple[Node, ...]]:
    """The block input and nodes for a root module: each leaf on its stated size, shapes flowing
    (`adjust`: the layer as the code left it, e.g. without a tied weight; `steps`: a sequence's length;
    `warn(message, where)`: told of sizes that do not meet where the order is known, an nn.Sequential)."""
    found = leaves(root)
    ordered = warn is not None and in_order(root)
    if isinstance(root, TorchLeaf):
        found = [Leaf("0", None, root, root.condition)]
    ranks = attention_calls.torch_ranks([leaf.leaf.rank for leaf in found], [leaf.leaf.layer for leaf in found])
    flow = torch_input(ranks, [leaf.leaf.stated for leaf in found], fallback, make)
    flow = torch_start(found, flow, steps) if steps is not None else flow
    block_input = flow
    seen = Flow(make)
    seen.note(flow)
    nodes = []
    previous = INPUT
    for leaf in found:
        item = leaf.leaf
        wanted = seen.wanted(item.rank, item.stated if item.stated is not None else flow.channels, flow)
        wanted = torch_wanted(item.layer, wanted, steps) if steps is not None else wanted
        same = _equal(wanted.channels, flow.channels) and len(wanted.spatial) == len(flow.spatial) and all(
            _equal(a, b) for a, b in zip(wanted.spatial, flow.spatial))
        layer = item.layer if same else last_axis(item.layer, item.stated, flow) or Stated(item.layer, wanted)
        if ordered and not same and nodes and (message := mismatch(leaf, flow)) is not None:
            warn(message, item.where)  # type: ignore[misc]
        layer = layer if adjust is None else adjust(item, layer)
        try:
            output = layer.output((flow,))
            layer.terms((flow,))
        except InputError as error:
            raise InputError(error.what, item.where) from None
        nodes.append(Node(leaf.name, layer, leaf.part, (previous,), leaf.condition))
        previous = leaf.name
        flow = output
        seen.note(flow)
    return block_input, tuple(nodes)


# -- the adapter ----------------------------------------------------------------------------------
class TorchAdapter(Adapter):
    evidence = "PyTorch modules"
    is_spelling = staticmethod(is_torch_spelling)
    makes_layers = staticmethod(is_torch_layer_spelling)
    framework = TorchFramework

    def block(self, host: Host, interp: Interpreter, fw: TorchFramework, options: Mapping[str, bool],
              declared: dict[str, bool]) -> tuple[str, Shape, tuple[Node, ...]]:
        roots = [(n, v) for n, v in interp.module_values if isinstance(v, MODULES)]
        if roots:
            name, root = roots[-1]
            title = name if not isinstance(root, TorchUser) else f"{name} ({root.cls.name})"
        else:
            entry = host.entry(interp)
            if isinstance(entry, ClassValue):
                if not interp.is_subclass(entry, is_module_base):
                    raise interp.error(f"class {entry.name} is not an nn.Module", entry.node)
                init = interp.find_method(entry, "__init__")
                root = TorchUser(entry, where=interp.where(entry.node))
                if init is not None:
                    host.call_entry(interp, init, options, declared, None, bound=root, title=entry.name)
                title = entry.name
            else:
                root = host.call_entry(interp, entry, options, declared, None)
                if not isinstance(root, MODULES):
                    raise interp.error(f"{entry.node.name}() does not return a PyTorch module", entry.node)
                title = f"{entry.node.name}()"
        block_input, nodes = block_of(root, symbol_maker(interp),
                                      lambda: interp.symbols.make("C_in", "", None, order=ORDER_FIRST),
                                      getattr(fw, "adjust", None),
                                      lambda: interp.symbols.make("T", "sequence length (time steps)", None,
                                                                  order=ORDER_LAST - 1),
                                      lambda message, where: fw.warn_at(message, where))
        return title, block_input, nodes


ADAPTER = TorchAdapter()
