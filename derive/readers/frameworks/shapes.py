"""Inputs of any rank, for both frameworks: the symbols of their sizes, and how PyTorch's flow meets a
module that needs another rank.

derive's shapes are channels-last (`layers.Shape`: the spatial sizes, then the channels). A Keras
`Input(shape=...)` is that already: `(features,)`, `(steps, features)`, `(height, width, channels)`,
`(depth, height, width, channels)`, or more axes (channels first, `(channels, height, width)`, where the
code's layers say `data_format='channels_first'`). A PyTorch input is inferred from the modules: the
first that states its input size gives the channels, the first that needs a rank (`nn.Conv1d`: a
sequence (C, L), `nn.Conv2d`: an image (C, H, W), `nn.Conv3d`: a volume (C, D, H, W)) gives the rank.

Open sizes are symbols: `C_in` the channels (features), `T` a Keras sequence's steps, `L` the length
PyTorch's 1-D modules run along, `D`, `H`, `W` depth, height and width.
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Sequence

import sympy

from ...layers import Dense, Layer, Shape, spellings
from ...layers.axes import LastAxis
from ..names import ORDER_FIRST, ORDER_LAST

Make = Callable[[str], sympy.Expr]


def spatial_names(rank: int, sequence: str = "T") -> tuple[str, ...]:
    """The names of `rank` spatial sizes: (T,) or (L,), (H, W), (D, H, W), then D_1, ..., H, W."""
    if rank == 0:
        return ()
    if rank == 1:
        return (sequence,)
    if rank == 2:
        return ("H", "W")
    if rank == 3:
        return ("D", "H", "W")
    return (*(f"D_{i + 1}" for i in range(rank - 2)), "H", "W")


def order_of(name: str, rank: int, index: int) -> int:
    """Where a size's symbol goes among the symbols: the channels first, the spatial sizes last, in order."""
    if name == "C_in":
        return ORDER_FIRST
    return ORDER_LAST - (rank - 2) + index if rank >= 2 else ORDER_LAST


def input_names(rank: int, first: bool = False) -> tuple[str, ...]:
    """A Keras input's sizes, channels last (or, with `first`, channels first): `rank` axes without the batch."""
    return ("C_in", *spatial_names(rank - 1)) if first else (*spatial_names(rank - 1), "C_in")


def channels_first_code(tree: Any) -> bool:
    """Whether the code lays its tensors out channels first: it writes `'channels_first'` (a layer's
    `data_format`) and never `'channels_last'`. Only the names of the input's sizes depend on it."""
    found = {node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
             and node.value in ("channels_first", "channels_last")}
    return found == {"channels_first"}


def _channels_first(interp: Any) -> bool:
    """`channels_first_code` of the interpreter's module, worked out once per pass (several inputs)."""
    known = getattr(interp, "_derive_channels_first", None)
    if known is None:
        known = channels_first_code(interp.tree)
        interp._derive_channels_first = known
    return known


def keras_input(interp: Any, shape: tuple, node: Any) -> Shape:
    """`keras.Input(shape=...)` of any rank: numbers become the defaults of the sizes' symbols (`H`, `W`,
    `C_in`, ...), None leaves them open, an expression stays as written."""
    if not shape:
        raise interp.error("an input shape needs at least one size", node)
    if len(shape) > 8:
        raise interp.error(f"an input of {len(shape)} axes is beyond what derive reads (8)", node)
    first = len(shape) > 1 and _channels_first(interp)
    names = input_names(len(shape), first)
    dims = []
    for index, (name, value) in enumerate(zip(names, shape)):
        order = order_of(name, len(shape) - 1, index - 1 if first else index)
        if value is None:
            dims.append(interp.symbols.make(name, "", None, order=order))
        elif isinstance(value, sympy.Expr) and value.is_Integer and value > 0:
            dims.append(interp.symbols.make(name, "", value, order=order))
        elif isinstance(value, sympy.Expr) and not value.is_Number:
            dims.append(value)
        else:
            raise interp.error(f"an input size must be a positive whole number or None, not "
                               f"{interp.kind(value)}", node)
    return Shape(dims[-1], tuple(dims[:-1]))


def is_shape(value: Any, batch: bool = False) -> bool:
    """Whether `value` can be an input shape: a tuple of one size or more (after the batch, with `batch`)."""
    return isinstance(value, tuple) and len(value) >= (2 if batch else 1)


SHAPE_WORDS = "a tuple of sizes: (features,), (steps, features), (height, width, channels), ..."


def symbol_maker(interp: Any) -> Callable[[str, int, int], sympy.Expr]:
    """A spatial size's symbol, made when first needed: name, rank of the input, index along it."""
    return lambda name, rank, index: interp.symbols.make(name, "", None, order=order_of(name, rank, index))


def torch_spatial(make: Callable[[str, int, int], sympy.Expr], rank: int) -> tuple[sympy.Expr, ...]:
    """A PyTorch input's spatial sizes, as symbols: (L,), (H, W), (D, H, W)."""
    return tuple(make(name, rank, i) for i, name in enumerate(spatial_names(rank, "L")))


def torch_input(ranks: Sequence[int | None], stated: Sequence[Any], channels: Callable[[], sympy.Expr],
                make: Callable[[str, int, int], sympy.Expr]) -> Shape:
    """The input of a PyTorch model, from its leaf modules in order: each one's rank (None: any) and the
    input size it states (None: none). The first stated size gives the channels (else `channels()`); the
    first module that needs a rank, if it comes no later, gives the rank (else a vector after a stated
    size, an image before any)."""
    first_stated = next((i for i, size in enumerate(stated) if size is not None), None)
    first_ranked = next((i for i, rank in enumerate(ranks) if rank is not None), None)
    if first_stated is not None:
        size = stated[first_stated]
        rank = ranks[first_ranked] if first_ranked is not None and first_ranked <= first_stated else 0
    else:
        size = channels()
        rank = ranks[first_ranked] if first_ranked is not None else 2
    return Shape(size, torch_spatial(make, rank)) if rank else Shape(size)


class Flow:
    """The spatial sizes seen so far in a PyTorch flow, by rank: what a module that needs a rank the flow
    has not got is counted on (the last sizes of that rank, else fresh symbols)."""

    def __init__(self, make: Callable[[str, int, int], sympy.Expr]) -> None:
        self.make = make
        self.last: dict[int, tuple[sympy.Expr, ...]] = {}

    def note(self, shape: Shape) -> None:
        if shape.spatial:
            self.last[len(shape.spatial)] = shape.spatial

    def wanted(self, rank: int | None, channels: sympy.Expr, flow: Shape) -> Shape:
        """The input a module of `rank` stating `channels` is counted on, the flow being `flow`."""
        if rank is None or rank == len(flow.spatial):
            return Shape(channels, flow.spatial)
        if rank == 0:
            return Shape(channels)
        spatial = self.last.get(rank)
        if spatial is None:
            spatial = self.last[rank] = torch_spatial(self.make, rank)
        return Shape(channels, spatial)


def is_data_format_setting(path: str) -> bool:
    """`keras.config.set_image_data_format`, `keras.backend.set_image_data_format`, `tf.keras...`: Keras'
    default layout for every layer that takes a `data_format`."""
    return path.rpartition(".")[2] == "set_image_data_format" and ("keras." in path or path.startswith("K."))


def data_format_setting(interp: Any, node: ast.Call, scope: Any) -> None:
    """'channels_last' (Keras' own default) is followed; 'channels_first' is refused: derive reads the
    layout of each layer from its own `data_format`, so the code must say it there."""
    args, kwargs = interp.arguments(node, scope)
    value = args[0] if args else kwargs.get("data_format")
    if value == "channels_last":
        return None
    if value == "channels_first":
        raise interp.error("set_image_data_format('channels_first') is not followed: write "
                           "data_format='channels_first' on each layer that takes one", node)
    raise interp.error("set_image_data_format() takes 'channels_last' or 'channels_first'", node)


def layer_rank(layer: Any) -> int | None:
    """The spatial axes a layer needs (1 for `Conv1D`, 3 for `MaxPooling3D`), None if any will do."""
    rank = getattr(getattr(layer, "layer", layer), "rank", None)
    return rank if isinstance(rank, int) else None


def entry_rank(function: ast.AST) -> int | None:
    """The rank of the input an entry function's first ranked Keras layer needs (`def block(x): ...
    layers.Conv1D(...)(x)` takes a sequence), read off its calls in the order written; None if none says."""
    calls = sorted((node for node in ast.walk(function) if isinstance(node, ast.Call)),
                   key=lambda node: (node.lineno, node.col_offset))
    table = spellings("keras")
    for call in calls:
        func = call.func
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else None
        if name in table:
            rank = getattr(table[name].kind, "rank", None)
            if isinstance(rank, int):
                return rank
    return None


def keras_class(name: str) -> str:
    """The class a Keras alias stands for, whose name Keras names its layers by: `MaxPool2D` is
    `MaxPooling2D` (`max_pooling2d`), `Convolution1D` is `Conv1D`, `GlobalAvgPool3D` is
    `GlobalAveragePooling3D`."""
    name = name.replace("Convolution", "Conv")
    for short, full in (("GlobalAvgPool", "GlobalAveragePooling"), ("GlobalMaxPool", "GlobalMaxPooling"),
                        ("AvgPool", "AveragePooling"), ("MaxPool", "MaxPooling")):
        if name.startswith(short) and not name.startswith(full):
            return full + name[len(short):]
    return name


def last_axis(layer: Layer, stated: Any, flow: Shape) -> Layer | None:
    """`nn.Linear(d_n, m)` on a channels-first PyTorch tensor (C, ..., d_n) whose last size it states (and
    not its channels): PyTorch maps that last axis, so the layer is counted there (`layers.axes.LastAxis`)."""
    if not isinstance(layer, Dense) or stated is None or not flow.spatial:
        return None
    last = flow.spatial[-1]
    if stated == flow.channels or sympy.expand(stated - last) != 0:
        return None
    return LastAxis(layer)
