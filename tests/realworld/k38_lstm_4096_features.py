# How to calculate the number of parameters of an LSTM network? (answer mirror of a Stack Overflow thread)
# Source: https://newbe.dev/how-to-calculate-the-number-of-parameters-of-an-lstm-network
# Author / licence: the answerers; CC BY-SA
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - input_dim=4096, input_length=16 of Keras 1 spelled as an Input of shape (16, 4096)

from keras.models import Sequential
from keras.layers import Input, LSTM

model = Sequential()
model.add(Input(shape=(16, 4096)))
model.add(LSTM(units=256))
