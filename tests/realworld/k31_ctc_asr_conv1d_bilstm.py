# Automatic speech recognition with CTC: Conv1D, BiLSTM and Permute (Keras example)
# Source: https://keras.io/examples/audio/ctc_asr/
# Author / licence: Mohamed Reda Bouadjenek, Ngoc Dung Huynh; keras.io examples (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - input_shape, which the example takes from a batch of spectrograms, filled with (1000, 193); the
#     vocabulary size (len(char_to_num.get_vocabulary())) filled with 31; the CTC loss, compile and training dropped

import keras

input_shape = (1000, 193)
vocabulary_size = 31


def build_model():
    input_spectrogram = keras.layers.Input(shape=input_shape, name="spectrogram", dtype="float32")
    x = keras.layers.Conv1D(64, (32), activation="relu", kernel_initializer="he_normal", padding="same",
                            name="Conv1")(input_spectrogram)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Conv1D(64, (32), activation="relu", kernel_initializer="he_normal", padding="same",
                            name="Conv2")(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Bidirectional(keras.layers.LSTM(64, return_sequences=True, dropout=0.25))(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Bidirectional(keras.layers.LSTM(128, return_sequences=True, dropout=0.25))(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Permute((2, 1))(x)
    x = keras.layers.Dense(768, activation="relu", name="compress_layer_1")(x)
    x = keras.layers.Dropout(0.2)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dense(768, activation="relu", name="compress_layer_2")(x)
    x = keras.layers.Dropout(0.2)(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Permute((2, 1))(x)
    output = keras.layers.Dense(vocabulary_size + 1, activation="softmax", name="output_layer")(x)
    return keras.models.Model(inputs=input_spectrogram, outputs=output, name="speech_transcript_v1")


model = build_model()
