# Character-level text generation with LSTM (Keras example)
# Source: https://keras.io/examples/generative/lstm_character_level_text_generation/
# Author / licence: fchollet; keras.io examples (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - len(chars), which the example counts in its text, filled with 56

import keras
from keras import layers

maxlen = 40
step = 3
chars = 56

model = keras.Sequential(
    [
        keras.Input(shape=(maxlen, chars)),
        layers.LSTM(128),
        layers.Dense(chars, activation="softmax"),
    ]
)
optimizer = keras.optimizers.RMSprop(learning_rate=0.01)
model.compile(loss="categorical_crossentropy", optimizer=optimizer)
