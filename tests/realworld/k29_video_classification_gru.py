# Video classification with a CNN-RNN architecture, the sequence model (Keras example)
# Source: https://keras.io/examples/vision/video_classification/
# Author / licence: Sayak Paul; keras.io examples (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - len(class_vocab) filled with 5, the example's five classes; the InceptionV3 feature extractor dropped

import keras
from keras import layers

MAX_SEQ_LENGTH = 20
NUM_FEATURES = 2048
class_vocab = ["CricketShot", "PlayingCello", "Punch", "ShavingBeard", "TennisSwing"]


def get_sequence_model():
    frame_features_input = keras.Input((MAX_SEQ_LENGTH, NUM_FEATURES))
    mask_input = keras.Input((MAX_SEQ_LENGTH,), dtype="bool")

    x = layers.GRU(16, return_sequences=True)(frame_features_input, mask=mask_input)
    x = layers.GRU(8)(x)
    x = layers.Dropout(0.4)(x)
    x = layers.Dense(8, activation="relu")(x)
    output = layers.Dense(len(class_vocab), activation="softmax")(x)

    rnn_model = keras.Model([frame_features_input, mask_input], output)
    rnn_model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return rnn_model


model = get_sequence_model()
