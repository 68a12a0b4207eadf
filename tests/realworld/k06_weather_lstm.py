# Timeseries forecasting for weather prediction (Keras example)
# Source: https://keras.io/examples/timeseries/timeseries_weather_forecasting/
# Author / licence: Prabhanshu Attri, Yashika Sharma, Kaif Kohari, Yash Trivedi; keras.io examples (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - inputs.shape from the dataset filled: 120 steps of 7 features

from keras import layers, Model

split_fraction = 0.715
step = 6
past = 720
future = 72
learning_rate = 0.001
batch_size = 256
epochs = 10
sequence_length = int(past / step)

inputs = layers.Input(shape=(sequence_length, 7))
lstm_out = layers.LSTM(32)(inputs)
outputs = layers.Dense(1)(lstm_out)

model = Model(inputs=inputs, outputs=outputs)
