# Next-frame video prediction with convolutional LSTMs (Keras example)
# Source: https://keras.io/examples/vision/conv_lstm/
# Author / licence: Amogh Joshi; keras.io examples (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - x_train.shape[2:] filled with the Moving MNIST frame shape (64, 64, 1)

import keras
from keras import layers

inp = layers.Input(shape=(None, 64, 64, 1))

x = layers.ConvLSTM2D(filters=64, kernel_size=(5, 5), padding="same", return_sequences=True,
                      activation="relu")(inp)
x = layers.BatchNormalization()(x)
x = layers.ConvLSTM2D(filters=64, kernel_size=(3, 3), padding="same", return_sequences=True,
                      activation="relu")(x)
x = layers.BatchNormalization()(x)
x = layers.ConvLSTM2D(filters=64, kernel_size=(1, 1), padding="same", return_sequences=True,
                      activation="relu")(x)
x = layers.Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid", padding="same")(x)

model = keras.models.Model(inp, x)
