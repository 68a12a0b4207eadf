# A 1-D convolutional classifier of sensor sequences (128 time steps of 9 channels, 6 activities).
import keras
from keras import layers

inputs = keras.Input(shape=(128, 9))
x = layers.Conv1D(32, 5, padding="same", activation="relu")(inputs)
x = layers.MaxPooling1D(2)(x)
x = layers.Conv1D(64, 3, activation="relu")(x)
x = layers.GlobalAveragePooling1D()(x)
outputs = layers.Dense(6, activation="softmax")(x)
model = keras.Model(inputs, outputs)
