# LSTM in Keras: number of parameters differs between Sequential and functional API (Stack Overflow 52759193)
# Source: https://stackoverflow.com/questions/52759193/lstm-in-keras-number-of-parameters-differs-between-sequential-and-functional-a
# Author / licence: the asker; CC BY-SA
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - Model(input=..., output=...) of Keras 1 spelled Model(inputs, outputs) as Keras 3 needs

from keras.models import Model
from keras.layers import Input
from keras.layers import LSTM

inputs = Input(shape=(3, 1))
lstm = LSTM(2)(inputs)
model = Model(inputs, lstm)
model.summary()
