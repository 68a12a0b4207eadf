# How to apply advanced activation layers with a CNN layer: Conv1D + PReLU (Stack Overflow 61283549, mirrored)
# Source: https://stackguides.com/questions/61283549/how-to-apply-advanced-activation-layers-with-a-cnn-layer
# Author / licence: the asker and answerer; CC BY-SA
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the sizes reconstructed from the counts the answer quotes (Conv1D 15,050 = (3·100 + 1)·50 parameters,
#     PReLU 4,900 = 98·50 slopes): an input of 100 steps of 100 features, 50 filters of width 3

import keras

inputs = keras.Input(shape=(100, 100))
x = keras.layers.Conv1D(50, kernel_size=3)(inputs)
x = keras.layers.PReLU()(x)
x = keras.layers.GlobalMaxPooling1D()(x)
outputs = keras.layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()
