# Number of parameters of SimpleRNN, GRU and LSTM cells in Keras (Stack Overflow question, mirrored)
# Source: http://fatal001.com/tensorflow/40896434946176094742.html
# Author / licence: the asker; CC BY-SA
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the question's first model; tensorflow.keras imports spelled keras

import keras
from keras.models import Sequential
from keras.layers import SimpleRNN, LSTM, GRU, Dense

model = keras.Sequential()
model.add(SimpleRNN(1, input_shape=(None, 1), use_bias=True))
model.summary()
