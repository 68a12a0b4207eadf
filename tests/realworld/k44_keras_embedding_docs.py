# The Embedding layer's own example (Keras documentation)
# Source: https://faroit.com/keras-docs/1.2.0/layers/embeddings/
# Author / licence: Keras documentation (MIT licence of Keras 1)
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - input_length=10 of Keras 1 spelled as an Input of shape (10,); the random prediction dropped

from keras.models import Sequential
from keras.layers import Embedding, Input

model = Sequential()
model.add(Input(shape=(10,)))
model.add(Embedding(1000, 64))
model.compile("rmsprop", "mse")
