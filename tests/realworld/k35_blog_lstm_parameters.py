# Number of parameters in Keras LSTM (blog post)
# Source: https://dejanbatanjac.github.io/2019/02/12/Number-of-parameters-in-Keras-LSTM.html
# Author / licence: Dejan Batanjac; licence not stated
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the numpy data, fit and predict dropped

from keras.models import Sequential
from keras.layers import Dense
from keras.layers import LSTM

SLENG = 20
n_neurons = SLENG
n_batch = 1
n_epoch = 1500

model = Sequential()
model.add(LSTM(n_neurons, activation="relu", input_shape=(SLENG, 1)))
model.add(Dense(SLENG))
model.compile(loss="mean_squared_error", optimizer="adam", metrics=["accuracy"])
print(model.summary())
