# Bidirectional LSTM on IMDB (Keras example)
# Source: https://keras.io/examples/nlp/bidirectional_lstm_imdb/
# Author / licence: fchollet; keras.io examples (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - data loading, compile and fit dropped

import keras
from keras import layers

max_features = 20000
maxlen = 200

inputs = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(max_features, 128)(inputs)
x = layers.Bidirectional(layers.LSTM(64, return_sequences=True))(x)
x = layers.Bidirectional(layers.LSTM(64))(x)
outputs = layers.Dense(1, activation="sigmoid")(x)
model = keras.Model(inputs, outputs)
model.summary()
