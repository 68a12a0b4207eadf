# tf.keras.layers.LSTM: where did all these parameters come from? (Data Science Stack Exchange)
# Source: https://datascience.stackexchange.com/questions/128705/tf-keras-layers-lstm-where-did-all-these-parameters-came-from
# Author / licence: the asker and Karl (answer); CC BY-SA 4.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the question's model as its answer describes it: one input feature, 9 units (weights (1, 36), (9, 36), (36,))
#     in a Sequential with an Input of open length

import keras

model = keras.Sequential()
model.add(keras.Input(shape=(None, 1)))
model.add(keras.layers.LSTM(9))
print(model.summary())
