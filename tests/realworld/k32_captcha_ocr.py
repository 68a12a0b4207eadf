# OCR model for reading captchas (Keras example)
# Source: https://keras.io/examples/vision/captcha_ocr/
# Author / licence: A_K_Nain; keras.io examples (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the label Input and the CTC loss layer dropped (they hold no weights); the vocabulary size filled with 19
#     (len(char_to_num.get_vocabulary()) for the example's data)

import keras
from keras import layers

img_width = 200
img_height = 50
downsample_factor = 4
vocabulary_size = 19


def build_model():
    input_img = layers.Input(shape=(img_width, img_height, 1), name="image", dtype="float32")

    x = layers.Conv2D(32, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same",
                      name="Conv1")(input_img)
    x = layers.MaxPooling2D((2, 2), name="pool1")(x)

    x = layers.Conv2D(64, (3, 3), activation="relu", kernel_initializer="he_normal", padding="same",
                      name="Conv2")(x)
    x = layers.MaxPooling2D((2, 2), name="pool2")(x)

    new_shape = ((img_width // 4), (img_height // 4) * 64)
    x = layers.Reshape(target_shape=new_shape, name="reshape")(x)
    x = layers.Dense(64, activation="relu", name="dense1")(x)
    x = layers.Dropout(0.2)(x)

    x = layers.Bidirectional(layers.LSTM(128, return_sequences=True, dropout=0.25))(x)
    x = layers.Bidirectional(layers.LSTM(64, return_sequences=True, dropout=0.25))(x)

    x = layers.Dense(vocabulary_size + 1, activation="softmax", name="dense2")(x)
    return keras.models.Model(inputs=input_img, outputs=x, name="ocr_model_v1")


model = build_model()
model.summary()
