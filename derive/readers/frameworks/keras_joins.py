"""Keras' element-wise joins (`Multiply`, `Subtract`, `Average`, `Maximum`, `Minimum`) where they are applied:
shapes that do not meet are a warning, as for an add (`keras_checks`), not an error.

Keras broadcasts a size of 1 (and a tensor of fewer axes, aligned from the channels back) and raises on
any other difference; the join has no parameters, so derive counts on with the sizes Keras would give
where they meet (the first input's where they do not), and says so at the line.
"""

from __future__ import annotations

import ast
from typing import Any

from ...layers import Layer, Shape, Stated
from ..python import Interpreter
from .keras_checks import differ, defaults_of, warn_shapes
from .keras_values import Tensor


def checked_join(interp: Interpreter, fw: Any, inputs: list[Tensor], node: ast.AST, name: str, layer: Layer) -> Layer:
    shapes = [t.shape for t in inputs]
    defaults = defaults_of(interp)
    dims = list(max(shapes, key=lambda s: len(s.dims)).dims)
    spatial = channels = False
    for shape in shapes:
        offset = len(dims) - len(shape.dims)
        for i, b in enumerate(shape.dims):
            a = dims[offset + i]
            if a == b or b.xreplace(defaults) == 1:
                continue
            if a.xreplace(defaults) == 1:
                dims[offset + i] = b
            elif differ(a, b, defaults):
                channels = channels or offset + i == len(dims) - 1
                spatial = spatial or offset + i < len(dims) - 1
    if not (spatial or channels):
        return layer
    counted = Shape(dims[-1], tuple(dims[:-1]))
    what = " and ".join(w for w, on in (("the heights and widths differ", spatial),
                                        ("the channel counts differ", channels)) if on)
    warn_shapes(interp, fw, layer.op, inputs, node, name, f"{what} (only a size of 1 broadcasts)", counted, spatial)
    return Stated(layer, counted)
