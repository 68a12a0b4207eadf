# Working with RNNs: LSTM on MNIST rows with batch norm (Keras guide)
# Source: https://keras.io/guides/working_with_rnns/
# Author / licence: Scott Zhu, Francois Chollet; keras.io guides (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the training on MNIST dropped

import keras
from keras import layers

batch_size = 64
input_dim = 28

units = 64
output_size = 10


def build_model(allow_cudnn_kernel=True):
    if allow_cudnn_kernel:
        lstm_layer = keras.layers.LSTM(units)
    else:
        lstm_layer = keras.layers.RNN(keras.layers.LSTMCell(units))
    model = keras.models.Sequential(
        [
            keras.Input(shape=(None, input_dim)),
            lstm_layer,
            keras.layers.BatchNormalization(),
            keras.layers.Dense(output_size),
        ]
    )
    return model


model = build_model(allow_cudnn_kernel=True)
