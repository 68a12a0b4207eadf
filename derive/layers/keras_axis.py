"""Keras axes on derive's shapes: which sizes a norm's `axis` or PReLU's `shared_axes` pick.

Keras counts axes on the tensor with its batch: 0 is the batch, 1 the first axis after it, -1 the
last. A `Shape` keeps its sizes channels last, `dims = (*spatial, channels)`, so Keras axis `a` is
`dims[a - 1]` for `a > 0` and `dims[a]` for `a < 0`, whatever the rank: `axis=3` and `axis=-1` on an
(H, W, C) image are both C; `axis=1` on data laid out (C, H, W) is its first size. A layer keeps
its axes as written (it is made before its input is known) and resolves them against the input.
"""

from __future__ import annotations

import sympy

from ..errors import InputError
from .base import Expr, Shape
from .spelling import Arguments

LAST = (-1,)


def index(shape: Shape, axis: int, what: str = "axis") -> int:
    """The position in `shape.dims` of Keras axis `axis` (the batch counted as axis 0)."""
    rank = len(shape.dims)
    if axis == 0:
        raise InputError(f"{what}=0 is the batch axis: it has no fixed size to hold parameters for")
    if not -rank <= axis <= rank:
        raise InputError(f"{what}={axis} is out of range for an input of rank {rank + 1} (the batch is axis 0)")
    return axis - 1 if axis > 0 else rank + axis


def indices(shape: Shape, axes: tuple[int, ...], what: str = "axis") -> tuple[int, ...]:
    """The positions of several axes, in order, each once."""
    found = sorted({index(shape, axis, what) for axis in axes})
    if len(found) != len(axes):
        raise InputError(f"{what} names the same axis twice")
    return tuple(found)


def sizes(shape: Shape, axes: tuple[int, ...], what: str = "axis") -> tuple[Expr, ...]:
    """The sizes of the input along `axes`: the factors of a parameter that has one value per position there."""
    return tuple(shape.dims[i] for i in indices(shape, axes, what))


def written(axes: tuple[int, ...]) -> str:
    """`axis=1`, `axis=[1, 2]`: for a layer's notation; empty for the channels (the default)."""
    if axes == LAST:
        return ""
    return f"axis={axes[0]}" if len(axes) == 1 else "axis=[" + ", ".join(map(str, axes)) + "]"


# -- reading ------------------------------------------------------------------------------------------
def _whole(args: Arguments, name: str, value: object) -> int:
    value = args.as_number(value)
    if isinstance(value, sympy.Expr) and value.is_Integer:
        return int(value)
    raise args.error(name, f"{name} must be a whole number (an axis) or a list of them")


def keras_axes(args: Arguments, name: str = "axis", default: tuple[int, ...] | None = LAST, *,
               several: bool = True, none: bool = False) -> tuple[int, ...] | None:
    """Keras' `axis` (one, or a list or tuple where `several`), as ints; `None` where `none` allows it."""
    if not args.given(name):
        return default
    value = args.get(name)
    if value is None and none:
        return None
    items = args.sequence(value)
    if items is None:
        return (_whole(args, name, value),)
    if not several and len(items) != 1:
        raise args.error(name, f"{name} must be one axis")
    if not items:
        raise args.error(name, f"{name} must name at least one axis")
    return tuple(_whole(args, name, item) for item in items)
