"""The Keras code people write around layers (issue 13): subclassed `keras.layers.Layer` and `keras.Model`
(`__init__` / `build(input_shape)` / `call(inputs)`, `self.add_weight(...)` trainable or not), layers made
in `__init__` and called in `call`, shared layers (a layer object called twice counts once), several
`Input`s and outputs (lists and dicts), `model.summary()` / `compile` / `fit` lines, the `tf.keras` and
`from tensorflow.keras.layers import *` spellings, and the sizes the code states (bound, not symbols).

Each snippet is run by Keras itself (the test's own text: `helpers.keras_exec`), and derive's counts under
the keras convention (all = `count_params()`, trainable, non-trainable weights) must be Keras' exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import derive
from helpers.keras_exec import derive_counts, keras_counts_of

pytestmark = pytest.mark.frameworks

LINEAR = '''
class Linear(layers.Layer):
    def __init__(self, units=32, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], self.units), initializer="random_normal", trainable=True)
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", trainable=True)

    def call(self, inputs):
        return ops.matmul(inputs, self.w) + self.b
'''

HEADER = "import keras\nfrom keras import layers, ops\n"

CASES = {
    # a custom dense layer, twice, in a functional model
    "add-weight-in-build": HEADER + LINEAR + '''
inputs = keras.Input(shape=(16,))
x = Linear(32)(inputs)
x = layers.ReLU()(x)
outputs = Linear(4, name="head")(x)
model = keras.Model(inputs, outputs)
model.summary()
''',
    # non-trainable weights, made in __init__ (the Keras guide's `ComputeSum`), and in build
    "non-trainable-weights": HEADER + '''
class ComputeSum(layers.Layer):
    def __init__(self, input_dim):
        super().__init__()
        self.total = self.add_weight(initializer="zeros", shape=(input_dim,), trainable=False)

    def call(self, inputs):
        self.total.assign_add(ops.sum(inputs, axis=0))
        return inputs


class Scale(layers.Layer):
    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(input_shape[-1],), initializer="ones")
        self.steps = self.add_weight(shape=(), initializer="zeros", trainable=False, name="steps")

    def call(self, x):
        return x * self.gamma


inputs = keras.Input(shape=(8,))
x = ComputeSum(8)(inputs)
x = layers.Dense(6)(x)
outputs = Scale()(x)
model = keras.Model(inputs, outputs)
''',
    # a subclassed model of subclassed blocks, built by calling it on an Input
    "subclassed-model": HEADER + LINEAR + '''
class ConvBlock(layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.conv = layers.Conv2D(filters, 3, padding="same", use_bias=False)
        self.bn = layers.BatchNormalization()

    def call(self, x, training=False):
        return ops.relu(self.bn(self.conv(x), training=training))


class Net(keras.Model):
    def __init__(self, num_classes=10):
        super().__init__()
        self.block1 = ConvBlock(16)
        self.block2 = ConvBlock(32)
        self.pool = layers.GlobalAveragePooling2D()
        self.dropout = layers.Dropout(0.2)
        self.head = Linear(num_classes)

    def call(self, inputs, training=False):
        x = self.block1(inputs, training=training)
        x = self.block2(x, training=training)
        x = self.dropout(self.pool(x), training=training)
        return self.head(x)


model = Net(num_classes=5)
model(keras.Input(shape=(32, 32, 3)))
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
''',
    # one layer object called twice in call(): counted once
    "shared-in-call": HEADER + '''
class Tower(keras.Model):
    def __init__(self):
        super().__init__()
        self.inp = layers.Dense(8, activation="relu")
        self.hidden = layers.Dense(8, activation="relu")
        self.out = layers.Dense(1)

    def call(self, x):
        x = self.inp(x)
        x = self.hidden(x)
        x = self.hidden(x)
        return self.out(x)


model = Tower()
model(keras.Input(shape=(20,)))
''',
    # a shared layer on two inputs (a siamese network), two outputs
    "siamese-two-inputs-two-outputs": HEADER + '''
left = keras.Input(shape=(28, 28, 1), name="left")
right = keras.Input(shape=(28, 28, 1), name="right")
encoder = keras.Sequential([layers.Conv2D(8, 3, activation="relu"), layers.GlobalAveragePooling2D(), layers.Dense(16)])
shared = layers.Dense(16, activation="relu")
a = shared(encoder(left))
b = shared(encoder(right))
merged = layers.concatenate([a, b])
same = layers.Dense(1, activation="sigmoid", name="same")(merged)
distance = layers.Dense(1, name="distance")(merged)
model = keras.Model(inputs=[left, right], outputs=[same, distance])
''',
    # the Keras guide's multi-input, multi-output model, with dict inputs
    "dict-inputs": HEADER + '''
num_tags = 12
title_input = keras.Input(shape=(64,), name="title")
tags_input = keras.Input(shape=(num_tags,), name="tags")
x = layers.Dense(32, activation="relu")(title_input)
y = layers.Dense(8, activation="relu")(tags_input)
x = layers.concatenate([x, y])
priority = layers.Dense(1, name="priority")(x)
department = layers.Dense(4, name="department")(x)
model = keras.Model(inputs={"title": title_input, "tags": tags_input},
                    outputs={"priority": priority, "department": department})
model.compile(optimizer="rmsprop", loss={"priority": "mse", "department": "categorical_crossentropy"})
''',
    # functional models called on tensors: an autoencoder of an encoder and a decoder
    "nested-models": HEADER + (Path(__file__).resolve().parent / "data" / "keras_autoencoder.py").read_text(
        encoding="utf-8").split("\n", 2)[2],
    # one functional model called on two inputs (its weights shared), and a model of several outputs
    "shared-model": HEADER + '''
image = keras.Input(shape=(16, 16, 3))
features = layers.GlobalAveragePooling2D()(layers.Conv2D(8, 3, padding="same")(image))
tower = keras.Model(image, [layers.Dense(4)(features), layers.Dense(2)(features)], name="tower")
a = keras.Input(shape=(16, 16, 3))
b = keras.Input(shape=(16, 16, 3))
a4, a2 = tower(a)
b4, b2 = tower(b)
joined = layers.concatenate([a4, b4, a2, b2])
model = keras.Model([a, b], layers.Dense(1)(joined))
''',
    # module-level hyper-parameters, len() of a string (the Keras addition-RNN example's vocabulary), print lines
    "module-level-values": HEADER + '''
DIGITS = 3
MAXLEN = DIGITS + 1 + DIGITS
chars = "0123456789+ "
print("Build model...")
model = keras.Sequential()
model.add(layers.Input((MAXLEN, len(chars))))
model.add(layers.Flatten())
model.add(layers.Dense(len(chars) * 2, activation="relu"))
model.add(layers.Dense(len(chars), activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.summary()
''',
    # tf.keras spellings and a star import
    "tf-keras-star-import": '''import tensorflow as tf
from tensorflow.keras.layers import *

model = tf.keras.models.Sequential([
    Conv2D(32, (3, 3), activation="relu", input_shape=(27, 27, 3)),
    MaxPooling2D((2, 2)),
    Conv2D(64, (3, 3), activation="relu"),
    Flatten(),
    Dense(10, activation="softmax"),
])
model.summary()
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
''',
    "tf-keras-functional": '''import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

inputs = keras.Input(shape=(32, 32, 3))
x = layers.Conv2D(16, 3, strides=2, padding="same")(inputs)
x = layers.BatchNormalization()(x)
x = tf.nn.relu(x)
x = layers.GlobalAveragePooling2D()(x)
outputs = layers.Dense(10)(x)
model = keras.Model(inputs, outputs, name="small")
''',
}

FOR_KERAS = (("from tensorflow.keras.layers import *", "from keras.layers import *"),
             ("from tensorflow.keras import", "from keras import"),
             ("from tensorflow import keras", "import keras"), ("import tensorflow as tf", "import keras"),
             ("tf.keras.", "keras."), ("tf.nn.relu", "keras.ops.relu"))


def runnable(text: str) -> str:
    """The snippet as Keras 3 on the torch backend runs it (the venv has no TensorFlow): `tf.keras` is
    `keras`, `tf.nn.relu` is `keras.ops.relu`. Nothing else changes."""
    for old, new in FOR_KERAS:
        text = text.replace(old, new)
    return text


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "model.py"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("case", sorted(CASES))
def test_counts_are_what_keras_counts(case, tmp_path):
    text = CASES[case]
    d = derive.show(write(tmp_path, text), convention="keras")
    assert derive_counts(d) == keras_counts_of(runnable(text))
    assert d.warnings == ()


def test_stated_sizes_are_bound_not_symbols(tmp_path):
    """`input_shape=(27, 27, 3)` and `Input(shape=(32, 32, 3))`: every size has its value, the totals a number."""
    d = derive.show(write(tmp_path, CASES["tf-keras-star-import"]), convention="keras")
    assert {k: int(v) for k, v in d.values.items()} == {"C_in": 3, "H": 27, "W": 27}
    assert d.total["macs"].value is not None
    d = derive.show(write(tmp_path, CASES["tf-keras-functional"]), convention="keras")
    assert {k: int(v) for k, v in d.values.items()} == {"C_in": 3, "H": 32, "W": 32}


def test_a_shared_layer_counts_once_and_computes_twice(tmp_path):
    d = derive.show(write(tmp_path, CASES["shared-in-call"]), convention="keras")
    rows = {row.name: row for row in d.layers}
    assert rows["dense_1#2"].counts["trainable"].value == rows["dense_1#2"].counts["non_trainable"].value == 0
    assert rows["dense_1"].counts["trainable"].value == 8 * 8 + 8
    assert rows["dense_1#2"].counts["macs"].value == rows["dense_1"].counts["macs"].value == 8 * 8


def test_a_non_trainable_weight_is_counted_as_keras_counts_it(tmp_path):
    text = CASES["non-trainable-weights"]
    d = derive.show(write(tmp_path, text), convention="keras")
    expected = keras_counts_of(text)
    assert d.total["non_trainable"].value == expected["non_trainable"] == 8 + 1
    assert derive.show(write(tmp_path, text), convention="paper").total["all"].value == expected["trainable"]


@pytest.mark.parametrize("kwargs", [{}, {"num_classes": 7}])
def test_a_subclassed_model_as_the_entry_with_its_arguments(kwargs, tmp_path):
    """No instance in the file: the class is the entry, made with `--arg`s and called on an open input."""
    text = CASES["subclassed-model"].split("\nmodel = Net")[0] + "\n"
    d = derive.show(write(tmp_path, text), convention="keras", entry="Net",
                    args={k: str(v) for k, v in kwargs.items()}, C_in=3, H=32, W=32)
    assert derive_counts(d) == keras_counts_of(text, "Net", build=(32, 32, 3), **kwargs)


def test_a_subclassed_layer_is_an_entry_too(tmp_path):
    text = HEADER + LINEAR
    d = derive.show(write(tmp_path, text), convention="keras", entry="Linear", args={"units": "6"}, C_in=5)
    assert derive_counts(d) == keras_counts_of(text, "Linear", build=(5,), units=6)


def test_model_build_reads_the_model_as_called_on_that_shape(tmp_path):
    """`model.build((None, 32, 32, 3))`: tf.keras ran `call` on it; Keras 3 leaves a subclassed model without
    `build()` unbuilt (count_params() = 0). derive counts what the model holds once called on that shape."""
    text = CASES["subclassed-model"].replace("model(keras.Input(shape=(32, 32, 3)))", "model.build((None, 32, 32, 3))")
    d = derive.show(write(tmp_path, text), convention="keras")
    assert derive_counts(d) == keras_counts_of(CASES["subclassed-model"])


@pytest.mark.parametrize("kwargs", [{}, {"num_classes": 5}])
def test_the_readme_example_counts_as_keras_counts_it(kwargs):
    """examples/keras_subclassed.py: the default is SmallNet (not `test()`, which returns nothing)."""
    path = Path(__file__).resolve().parents[1] / "examples" / "keras_subclassed.py"
    text = path.read_text(encoding="utf-8")
    entry = "SmallNet" if kwargs else None
    d = derive.show(str(path), convention="keras", entry=entry, args={k: str(v) for k, v in kwargs.items()}, C_in=3)
    assert d.title == "SmallNet"
    assert derive_counts(d) == keras_counts_of(text, "SmallNet", build=(32, 32, 3), **kwargs)
