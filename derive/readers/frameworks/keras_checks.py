"""What Keras would check where a layer is applied: the shapes an add or a concatenation meets, and a
layer once more at the sizes the code gives (`check_at_defaults`).

Shapes that do not meet (an add of (H − 2)×(W − 2)×C and H×W×C, as the seed thread's bottleneck
makes with a 'valid' 3×3 depthwise convolution) are not an error: Keras would raise there, but the
parameters do not depend on it, so derive counts on and says so in a warning (`fw.warn`) naming the
line, both shapes, what Keras does and the likely fix. Other refusals (a window larger than its input)
stay errors."""

from __future__ import annotations

import ast
from dataclasses import replace
from typing import Any

import sympy

from ...blocks import INPUT, nonzero
from ...errors import InputError
from ...layers import Add, Concatenate, Layer, Shape, Stated
from ...symbols import make_symbol
from ..python import Interpreter
from .base import MAX_WARNINGS, code_warning
from .keras_values import KNode, Tensor, dims_text


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


# -- shapes that meet: what Keras would refuse is said (a warning), and counted on ------------------
MAX_CHAIN = 1000  # nodes looked through for the layer that shrank a tensor


def _layer_of(layer: Layer) -> Layer:
    return layer.layer if isinstance(layer, Stated) else layer


def shrinking_layer(fw: Any, tensor: Tensor, stop: set[str]) -> KNode | None:
    """The last layer with 'valid' padding and a window larger than 1 on the way to `tensor` (through
    first inputs, back to the input or to a node in `stop`): what made it smaller than the other."""
    by_name = {n.name: n for n in fw.nodes[-MAX_CHAIN:]}
    name = tensor.name
    for _ in range(MAX_CHAIN):
        node = by_name.get(name)
        if node is None or name in stop:
            return None
        inner = _layer_of(node.layer)
        kernel = getattr(inner, "kernel", None) or getattr(inner, "pool", None)
        if getattr(inner, "padding", None) == "valid" and isinstance(kernel, tuple) and any(
                k != 1 for k in kernel):
            return node
        name = node.inputs[0] if node.inputs else INPUT
    return None


def warn_shapes(interp: Interpreter, fw: Any, op: str, inputs: list[Tensor], node: ast.AST, name: str, what: str,
                counted: Shape, spatial: bool, when: tuple = ()) -> None:
    """One warning at `node`: the shapes, what Keras would do, what derive counts, the likely fix."""
    defaults = defaults_of(interp)
    shapes = " and ".join(dims_text(t.shape, defaults) for t in inputs)
    fix = "make the channel counts equal (the filters of the last convolution, or a 1×1 projection " \
          "of the shortcut)"
    if spatial:
        fix = "padding='same' on the layers that shrink one input"
        stop = {t.name for t in inputs}
        for tensor in inputs:
            culprit = shrinking_layer(fw, tensor, stop - {tensor.name})
            if culprit is not None:
                fix = f"padding='same' in {culprit.name} (line {culprit.where.rsplit(':', 2)[-2]})"
                break
    message = (f"{op} of {shapes}: {what}, so Keras raises here (ValueError) and the code does not run; "
               f"derive counts on with {dims_text(counted, defaults)} (no parameter depends on it); "
               f"likely fix: {fix}")
    if when:  # it holds only for the sizes that make a pair differ (`blocks.CodeWarning.holds`)
        if len(fw.warnings) < MAX_WARNINGS:
            fw.warnings.append(replace(code_warning(interp, message, node, name), when=when))
        return
    fw.warn(interp, message, node, name)


def checked_concatenate(interp: Interpreter, fw: Any, inputs: list[Tensor], node: ast.AST, name: str) -> Layer:
    """Keras joins along the last axis and needs the same sizes on every other axis: different spatial
    sizes (numbers, or `H − 2` against `H`) are a warning, and the concatenation is counted on the first
    input's height and width."""
    shapes = tuple(t.shape for t in inputs)
    first = shapes[0]
    defaults = defaults_of(interp)
    for other in shapes[1:]:
        if len(other.spatial) != len(first.spatial):
            raise interp.error("concatenate needs inputs of the same rank (an image and a vector here)", node)
    if any(differ(a, b, defaults) for other in shapes[1:] for a, b in zip(first.spatial, other.spatial)):
        counted = Shape(sympy.Add(*(s.channels for s in shapes)), first.spatial)
        warn_shapes(interp, fw, "concatenate", inputs, node, name, "the inputs differ in height or width",
                    counted, True)
        return Stated(Concatenate(), counted)
    return Concatenate()


def differ(a: sympy.Expr, b: sympy.Expr, defaults: dict) -> bool:
    known_a, known_b = a.xreplace(defaults), b.xreplace(defaults)
    if known_a.is_Number and known_b.is_Number:
        return known_a != known_b
    return nonzero(a - b) is True


def checked_add(interp: Interpreter, fw: Any, inputs: list[Tensor], node: ast.AST, name: str) -> Layer:
    """Keras checks an add's input shapes: sizes that differ (numbers, the defaults an `Input` gave, or
    `H − 2` against `H` after a 'valid' 3×3 convolution, which Keras raises on as soon as the sizes are
    known) are a warning naming both shapes; a size of 1 broadcasts. Such an add is counted on its first
    input's shape (it has no parameters either way)."""
    shapes = tuple(t.shape for t in inputs)
    first = shapes[0]
    defaults = defaults_of(interp)
    dims = list(first.dims)
    unknown = False
    spatial = channels = False
    maybe: list[tuple] = []
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
            elif differ(a, b, defaults):
                unknown = True
                if i == len(dims) - 1:
                    channels = True
                else:
                    spatial = True
            elif known_a != known_b:  # `n_out` against `C_in`: Keras raises if the bound values differ
                unknown = True
                maybe.append((a, b, i == len(dims) - 1))
    counted = Shape(dims[-1], tuple(dims[:-1]))
    if spatial or channels:
        what = " and ".join(w for w, on in (("the heights and widths differ", spatial),
                                            ("the channel counts differ", channels)) if on)
        warn_shapes(interp, fw, "add", inputs, node, name, what, counted, spatial)
    elif maybe:
        pairs = ", ".join(f"{a} ≠ {b}" for a, b, _ in maybe)
        what = f"with these sizes the {'channel counts' if maybe[0][2] else 'sizes'} differ ({pairs})"
        warn_shapes(interp, fw, "add", inputs, node, name, what, counted, not maybe[0][2],
                    tuple((a, b) for a, b, _ in maybe))
    return Stated(Add(), counted) if unknown else Add()
