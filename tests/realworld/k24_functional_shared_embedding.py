# The functional API: shared layers (Keras guide)
# Source: https://keras.io/guides/functional_api/
# Author / licence: fchollet; keras.io guides (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the two encodings gathered into a Model so that there is a model to count (the guide stops at the tensors)

import keras
from keras import layers

shared_embedding = layers.Embedding(1000, 128)

text_input_a = keras.Input(shape=(None,), dtype="int32")

text_input_b = keras.Input(shape=(None,), dtype="int32")

encoded_input_a = shared_embedding(text_input_a)
encoded_input_b = shared_embedding(text_input_b)

model = keras.Model([text_input_a, text_input_b], [encoded_input_a, encoded_input_b])
