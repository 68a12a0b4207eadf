"""Tensors in PyTorch code: `nn.Parameter`, `register_buffer`, and the weights one module takes from another.

A tensor is held by its shape only (`Tensor`): `torch.zeros(1, 1, dim)`, `torch.randn(n, d) * 0.02`,
`torch.arange(0, n).unsqueeze(1)`, what an element-wise `torch.sin(...)` makes of one; its values are
never computed. What a module registers counts as PyTorch counts it:

- `nn.Parameter(t)` set as an attribute (or `register_parameter(name, p)`): a parameter, one term
  labelled by the attribute's name, its factors the sizes as written (`1·1·dim`); trainable unless
  `requires_grad=False` (term kind `frozen`, not trainable: in `parameters()`, not in a paper's count);
- `register_buffer(name, t)`: a buffer (term kind `buffer`): in `state_dict()`, not in `parameters()`;
  `persistent=False` keeps it out of `state_dict()`, so it counts nowhere (not even as a buffer);
- `a.weight = b.weight`: `a`'s own weight is gone, `parameters()` meets the shared one once (`Without`).

Each registered tensor is a node of the block (`TensorLayer`, shape-preserving, no multiply-accumulates).
"""

from __future__ import annotations

from typing import Any, ClassVar

import sympy

from ...errors import InputError
from ...layers import Layer, Shape
from ...layers import frozen as frozen_layer
from ...layers.base import Term, Wrapped
from ...records import frozen

TRAINABLE, FROZEN, BUFFER = "weights", "frozen", "buffer"  # the term kinds (conventions.py buckets them)
UNREGISTERED = ("self.{attr} of {cls} is a plain Python {kind} of modules: PyTorch does not register them, so "
                "parameters() and state_dict() hold none of them, and derive counts none; likely fix: "
                "self.{attr} = nn.ModuleList(...)")  # a warning (`TorchPython.unregistered`)
# which term of a module `module.weight` and `module.bias` are, by kind, the first one found
ATTRIBUTE_KINDS = {"weight": ("weights", "gamma"), "bias": ("bias", "beta")}


@frozen
class Tensor:
    """A tensor of known shape (its sizes as written), where it was made."""

    shape: tuple
    where: str

    def describe(self) -> str:
        return f"a tensor of shape ({', '.join(str(s) for s in self.shape)})"


@frozen
class Parameter:
    """`nn.Parameter(tensor, requires_grad=...)`."""

    tensor: Tensor
    trainable: bool
    where: str
    leaf: Any = None  # the TorchLeaf it is registered as, once read back from its module (`self.cls_token`)

    def describe(self) -> str:
        return "an nn.Parameter"


@frozen
class WeightOf:
    """`module.weight` / `module.bias` of a PyTorch module (to tie it to another module)."""

    leaf: Any  # the TorchLeaf
    attr: str
    where: str

    def describe(self) -> str:
        return f"the {self.attr} of nn.{self.leaf.cls}"


@frozen
class TensorLayer(Layer):
    """A tensor a module registers itself: one term, the shape flowing through unchanged."""

    kind: str  # TRAINABLE, FROZEN or BUFFER
    name: str  # the attribute's name: the term's label
    factors: tuple

    family: ClassVar[str] = "other"
    explain: ClassVar[str | None] = "tensor"  # templates/explain/tensor.md.j2

    @property
    def op(self) -> str:  # type: ignore[override]
        return "buffer" if self.kind == BUFFER else "parameter"

    @property
    def signature(self) -> str:
        return "×".join(str(f) if f.is_Atom else f"({f})" for f in self.factors) or "scalar"

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        return (Term(self.kind, self.factors, self.name),)


@frozen
class Without(Wrapped):
    """A layer whose `weight` (or `bias`) is another module's: that term is left out here."""

    attrs: tuple  # ("weight",), ("bias",), or both

    def terms(self, inputs: tuple[Shape, ...]) -> tuple[Term, ...]:
        terms = list(self.layer.terms(inputs))
        for attr in self.attrs:
            index = term_index(terms, attr)
            if index is None:
                raise InputError(f"{attr} replaced here, but derive cannot tell which of this {self.layer.op}'s "
                                 f"tensors PyTorch calls {attr}")
            del terms[index]
        return tuple(terms)


@frozen
class Frozen(frozen_layer.Frozen):
    """A layer whose parameters no longer require gradients (`p.requires_grad = False` for each of
    `module.parameters()`, `module.requires_grad_(False)`): in `parameters()`, not trainable. Its
    signature stays the layer's (Keras' `trainable=False` says "frozen" there)."""

    @property
    def signature(self) -> str:
        return self.layer.signature


@frozen
class ParametersOf:
    """The parameters of one module, as `module.parameters()` yields them (for `p.requires_grad = False`)."""

    leaf: Any  # the TorchLeaf
    where: str

    def describe(self) -> str:
        return "a parameter"


@frozen
class Loss:
    """`nn.CrossEntropyLoss()` and the like: no parameters; with `weight=` / `pos_weight=` a buffer."""

    cls: str
    weighted: bool
    where: str

    def describe(self) -> str:
        return f"the loss nn.{self.cls}"


WEIGHT_FIRST = ("CrossEntropyLoss", "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "MultiLabelSoftMarginLoss",
                "MultiMarginLoss")


def make_loss(interp: Any, cls: str, node: Any) -> Loss:
    """A loss, its arguments unread (a class weight is a tensor); whether it registers a weight buffer."""
    weighted = any(k.arg in ("weight", "pos_weight") or k.arg is None for k in node.keywords) or (
        cls in WEIGHT_FIRST and bool(node.args))
    return Loss(cls, weighted, interp.where(node))


def term_index(terms: list, attr: str) -> int | None:
    """Which of a module's terms `module.<attr>` is (`weight`: its weights or gamma; `bias`: bias or beta)."""
    kinds = ATTRIBUTE_KINDS.get(attr, ())
    for kind in kinds:
        for index, term in enumerate(terms):
            if term.kind == kind and not term.name:
                return index
    named = [index for index, term in enumerate(terms) if term.kind in kinds]
    return named[0] if len(named) == 1 else None  # the one such tensor, however derive names it (embeddings)


def has_term(layer: Layer, inputs: tuple[Shape, ...], attr: str) -> bool:
    try:
        return term_index(list(layer.terms(inputs)), attr) is not None
    except InputError:
        return False


# -- making tensors ---------------------------------------------------------------------------------
MAKERS = ("zeros", "ones", "empty", "rand", "randn", "Tensor", "FloatTensor", "DoubleTensor", "LongTensor",
          "full", "arange", "eye", "tensor", "zeros_like", "ones_like", "randn_like", "rand_like", "empty_like",
          "full_like", "linspace")
ELEMENTWISE = ("exp", "sin", "cos", "log", "sqrt", "abs", "sigmoid", "tanh", "relu", "clone", "detach", "neg")
SAME_SHAPE_METHODS = ("normal_", "uniform_", "zero_", "fill_", "mul_", "add_", "div_", "sub_", "clamp_", "float",
                      "double", "half", "to", "cuda", "cpu", "detach", "clone", "requires_grad_", "contiguous",
                      "exp", "sin", "cos", "log", "sqrt", "abs", "trunc_normal_", "bernoulli_", "exponential_",
                      "copy_", "masked_fill", "masked_fill_", "type_as", "float_", "log_", "exp_", "neg")
TORCH_PREFIXES = ("torch.",)


def maker_name(path: str) -> str | None:
    """`torch.zeros` -> `zeros` (a function making a tensor), else None."""
    if path.startswith("torch.") and path.count(".") == 1:
        name = path[len("torch."):]
        return name if name in MAKERS or name in ELEMENTWISE else None
    return None


def shape_of(interp: Any, args: list, node: Any) -> tuple:
    """The shape `torch.zeros(2, 3)` / `torch.zeros((2, 3))` / `torch.zeros([2, 3])` states."""
    if len(args) == 1 and not isinstance(args[0], sympy.Expr):
        items = interp.sequence(args[0], node)
    else:
        items = list(args)
    shape = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, sympy.Expr):
            raise interp.error(f"a tensor's size must be a number, not {interp.kind(item)}", node)
        if item.is_Number and (not item.is_Integer or item < 0):
            raise interp.error(f"a tensor's size must be a whole number, not {item}", node)
        shape.append(item)
    return tuple(shape)


def nested_shape(interp: Any, value: Any, node: Any, depth: int = 0) -> tuple:
    """The shape of `torch.tensor(data)`: a number is a scalar, a list of lists a matrix."""
    if isinstance(value, (sympy.Expr, bool)):
        return ()
    if depth > 8:
        raise interp.error("torch.tensor() of data nested too deeply", node)
    items = interp.sequence(value, node)
    inner = nested_shape(interp, items[0], node, depth + 1) if items else ()
    return (sympy.Integer(len(items)), *inner)


def make_tensor(interp: Any, name: str, node: Any, scope: Any) -> Any:
    """`torch.<name>(...)`: a `Tensor` of the shape it states; a value derive cannot size is `Unknown`."""
    from ..python import Unknown

    args, kwargs = interp.arguments(node, scope)
    where = interp.where(node)
    unknown = Unknown(f"{interp.snippet(node.func)}(...)", where)
    if name in ELEMENTWISE:
        return Tensor(args[0].shape, where) if args and isinstance(args[0], Tensor) else unknown
    if name.endswith("_like"):
        return Tensor(args[0].shape, where) if args and isinstance(args[0], Tensor) else unknown
    if name == "tensor":
        if not args:
            return unknown
        try:
            return Tensor(nested_shape(interp, args[0], node), where)
        except InputError:
            return unknown
    if name == "arange":
        numbers = [a for a in args if isinstance(a, sympy.Expr)]
        if len(numbers) != len(args) or not 1 <= len(args) <= 3:
            return unknown
        start, stop, step = (sympy.Integer(0), numbers[0], sympy.Integer(1)) if len(numbers) == 1 else \
            (*numbers, sympy.Integer(1))[:3]
        length = sympy.ceiling((stop - start) / step)
        if length.is_Number and length < 0:
            length = sympy.Integer(0)
        return Tensor((length,), where)
    if name == "eye":
        sizes = shape_of(interp, args[:2], node)
        return Tensor(sizes if len(sizes) == 2 else sizes * 2, where)
    if name == "linspace":
        steps = args[2] if len(args) > 2 else kwargs.get("steps")
        return Tensor((steps,), where) if isinstance(steps, sympy.Expr) else unknown
    if name in ("full",):
        args = args[:1]
    if not args:
        if "size" in kwargs:
            args = [kwargs["size"]]
        else:
            return unknown
    return Tensor(shape_of(interp, args, node), where)


def tensor_method(interp: Any, tensor: Tensor, name: str, args: list, node: Any) -> Any:
    """What a tensor method makes of its shape (`unsqueeze`, `view`, in-place initialisers); else None."""
    if name in SAME_SHAPE_METHODS:
        return tensor
    shape = list(tensor.shape)
    if name == "unsqueeze" and len(args) == 1:
        dim = interp.concrete_int(args[0], node)
        dim = dim + len(shape) + 1 if dim < 0 else dim
        if not 0 <= dim <= len(shape):
            raise interp.error(f"unsqueeze({dim}) of a tensor with {len(shape)} dimensions", node)
        return Tensor(tuple(shape[:dim] + [sympy.Integer(1)] + shape[dim:]), interp.where(node))
    if name in ("view", "reshape") and args:
        new = list(shape_of(interp, args, node)) if not any(
            isinstance(a, sympy.Expr) and a == -1 for a in args) else None
        return None if new is None else Tensor(tuple(new), interp.where(node))
    if name in ("transpose", "swapaxes") and len(args) == 2:
        first, second = (interp.concrete_int(a, node) for a in args)
        first, second = (d + len(shape) if d < 0 else d for d in (first, second))
        if not (0 <= first < len(shape) and 0 <= second < len(shape)):
            raise interp.error(f"transpose({first}, {second}) of a tensor with {len(shape)} dimensions", node)
        shape[first], shape[second] = shape[second], shape[first]
        return Tensor(tuple(shape), interp.where(node))
    if name == "permute" and len(args) == len(shape) and len(shape) > 0:
        order = [interp.concrete_int(a, node) for a in args]
        if sorted(d + len(shape) if d < 0 else d for d in order) != list(range(len(shape))):
            raise interp.error("permute() needs each dimension once", node)
        return Tensor(tuple(shape[d] for d in order), interp.where(node))
    if name in ("t", "T") and len(shape) == 2:
        return Tensor(tuple(reversed(shape)), interp.where(node))
    if name == "size" and not args:
        return tuple(shape)
    if name == "numel" and not args:
        return sympy.Mul(*shape)
    if name == "dim" and not args:
        return sympy.Integer(len(shape))
    return None
