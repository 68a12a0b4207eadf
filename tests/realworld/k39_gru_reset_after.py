# Calculating the number of parameters of a GRU layer (answer mirror of a Stack Overflow thread)
# Source: https://newbedev.com/calculating-the-number-of-parameters-of-a-gru-layer-keras
# Author / licence: the answerers; CC BY-SA
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the question's layer as the answer computes it: 16 input features, 32 units

import keras
from keras import layers

model = keras.Sequential([
    layers.Input(shape=(None, 16)),
    layers.GRU(32),
])
model.summary()
