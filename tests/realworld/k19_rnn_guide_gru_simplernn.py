# Working with RNNs: GRU and SimpleRNN (Keras guide)
# Source: https://keras.io/guides/working_with_rnns/
# Author / licence: Scott Zhu, Francois Chollet; keras.io guides (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code

import keras
from keras import layers

model = keras.Sequential()
model.add(keras.Input(shape=(None,)))
model.add(layers.Embedding(input_dim=1000, output_dim=64))
model.add(layers.GRU(256, return_sequences=True))
model.add(layers.SimpleRNN(128))
model.add(layers.Dense(10))
model.summary()
