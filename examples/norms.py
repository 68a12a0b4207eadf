"""Norms on the axes Keras is told: BatchNormalization(axis=3) is the channels of an NHWC image,
LayerNormalization(axis=[1, 2, 3]) normalises each sample as a whole, PReLU(shared_axes=[1, 2])
learns one slope per channel."""

import keras
from keras import layers

inputs = keras.Input(shape=(32, 32, 3))
x = layers.Rescaling(1.0 / 255)(inputs)
x = layers.Conv2D(16, 3, padding="same", use_bias=False)(x)
x = layers.BatchNormalization(axis=3)(x)
x = layers.PReLU(shared_axes=[1, 2])(x)
x = layers.LayerNormalization(axis=[1, 2, 3])(x)
model = keras.Model(inputs, x)
