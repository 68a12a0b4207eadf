# Using pre-trained word embeddings (Keras example)
# Source: https://keras.io/examples/nlp/pretrained_word_embeddings/
# Author / licence: fchollet; keras.io examples (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the GloVe matrix initialiser dropped (it changes no count); num_tokens filled: the 20,000-word
#     vocabulary plus 2, as the example computes it; len(class_names) filled with 20

import keras
from keras import layers

num_tokens = 20000 + 2
embedding_dim = 100
class_names = 20

embedding_layer = layers.Embedding(num_tokens, embedding_dim, trainable=False)

int_sequences_input = keras.Input(shape=(None,), dtype="int32")
embedded_sequences = embedding_layer(int_sequences_input)
x = layers.Conv1D(128, 5, activation="relu")(embedded_sequences)
x = layers.MaxPooling1D(5)(x)
x = layers.Conv1D(128, 5, activation="relu")(x)
x = layers.MaxPooling1D(5)(x)
x = layers.Conv1D(128, 5, activation="relu")(x)
x = layers.GlobalMaxPooling1D()(x)
x = layers.Dense(128, activation="relu")(x)
x = layers.Dropout(0.5)(x)
preds = layers.Dense(class_names, activation="softmax")(x)
model = keras.Model(int_sequences_input, preds)
model.summary()
