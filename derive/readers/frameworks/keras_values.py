"""Keras values the interpreter holds, and Keras spellings.

`Tensor` (a node's output and its shape), `KerasLayer` (a layer made but not yet applied),
`SequentialModel`, `FunctionalModel` and `KNode` (a node made by applying a layer); `keras_name` and
friends tell a dotted call (`tf.keras.layers.Conv2D`) what it names in the Keras table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ...blocks import Condition
from ...layers import Layer, Shape, spellings
from ...records import frozen

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



def dims_text(shape: Shape, values: dict) -> str:
    """`(H, W, C)` with `values` put in, for messages."""
    return "(" + ", ".join(str(d.xreplace(values)) for d in shape.dims) + ")"


def snake(name: str) -> str:
    """Keras' own `to_snake_case`: `Conv2D` -> `conv2d`, `ReLU` -> `re_lu`."""
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


# -- spellings ------------------------------------------------------------------------------------
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
    return name is not None and name in spellings("keras")


def is_keras_spelling(path: str) -> bool:
    """Evidence that code is Keras: a Keras layer's name, or anything under `keras.` / `tf.keras.`."""
    return is_keras_layer_spelling(path) or any(path.startswith(prefix) for prefix in PREFIXES)


def under_keras_layers(path: str) -> bool:
    return any(path.startswith(f"{prefix}layers.") for prefix in PREFIXES) or path.startswith("layers.")
