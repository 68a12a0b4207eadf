"""What Keras would check where a layer is applied: the shapes an add or a concatenation meets, and a
layer once more at the sizes the code gives (`check_at_defaults`)."""

from __future__ import annotations

import ast

from ...errors import InputError
from ...layers import Add, Layer, Shape, Stated
from ...symbols import make_symbol
from ..python import Interpreter
from .keras_values import dims_text


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




def checked_concatenate(interp: Interpreter, shapes: tuple[Shape, ...], node: ast.AST) -> None:
    defaults = defaults_of(interp)
    for other in shapes[1:]:
        if len(other.spatial) != len(shapes[0].spatial) or any(
                a.xreplace(defaults).is_Number and b.xreplace(defaults).is_Number
                and a.xreplace(defaults) != b.xreplace(defaults)
                for a, b in zip(shapes[0].spatial, other.spatial)):
            raise interp.error(f"concatenate needs inputs of the same height and width, got "
                               f"{dims_text(shapes[0], defaults)} and {dims_text(other, defaults)}", node)


def checked_add(interp: Interpreter, shapes: tuple[Shape, ...], node: ast.AST) -> Layer:
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
                raise interp.error(f"add needs inputs of the same shape, got {dims_text(first, defaults)} and "
                                   f"{dims_text(other, defaults)}", node)
            elif (a - b).is_nonzero:
                unknown = True
    return Stated(Add(), Shape(dims[-1], tuple(dims[:-1]))) if unknown else Add()
