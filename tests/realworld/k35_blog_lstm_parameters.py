# Number of parameters in Keras LSTM (blog post)
# Source: https://dejanbatanjac.github.io/2019/02/12/Number-of-parameters-in-Keras-LSTM.html
# Author / licence: Dejan Batanjac; licence not stated
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the numpy data, fit and predict dropped; names shortened

from keras.models import Sequential
from keras.layers import LSTM, Dense

steps = 20
units = steps

model = Sequential()
model.add(LSTM(units, activation="relu", input_shape=(steps, 1)))
model.add(Dense(steps))
model.compile(loss="mean_squared_error", optimizer="adam")
model.summary()
