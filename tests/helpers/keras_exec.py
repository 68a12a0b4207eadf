"""Run a test's own Keras snippet in Keras itself (the snippet is the test's text, never user input) and
report what Keras counts: `count_params()`, trainable and non-trainable weights, output shapes."""

from __future__ import annotations

import math
from typing import Any

from .frameworks import need_keras


def keras_namespace(text: str) -> dict[str, Any]:
    """The module namespace after running `text` (with Keras on the torch backend)."""
    need_keras()
    namespace: dict[str, Any] = {"__name__": "snippet"}
    exec(compile(text, "<snippet>", "exec"), namespace)  # noqa: S102 - the test's own text
    return namespace


def counts_of(model: Any) -> dict[str, int]:
    return {"all": model.count_params(),
            "trainable": sum(math.prod(w.shape) for w in model.trainable_weights),
            "non_trainable": sum(math.prod(w.shape) for w in model.non_trainable_weights)}


def keras_counts_of(text: str, name: str = "model", build: tuple | None = None, **kwargs: Any) -> dict[str, int]:
    """Keras' counts of the model `name` the snippet makes: a module-level model, or a class or function
    of the snippet called with `kwargs` (a class is built on `build`, an input shape without the batch)."""
    keras = need_keras()
    namespace = keras_namespace(text)
    value = namespace[name]
    if callable(value) and not isinstance(value, keras.Model):
        value = value(**kwargs)
        if isinstance(value, keras.layers.Layer) and not value.built and build is not None:
            value(keras.Input(shape=build))
    return counts_of(value)


def derive_counts(d) -> dict[str, int]:
    """derive's figures under the keras convention, as `counts_of` names them."""
    return {key: d.total[key].value for key in ("all", "trainable", "non_trainable")}
