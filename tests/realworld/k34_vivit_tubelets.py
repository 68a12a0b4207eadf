# Video Vision Transformer, tubelet embedding with Conv3D (Keras example)
# Source: https://keras.io/examples/vision/vivit/
# Author / licence: Aritra Roy Gosthipaty, Ayush Thakur; keras.io examples (keras-team/keras-io), Apache-2.0
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the hyper-parameters of the example kept (28x28x28 volumes, 8x8x8 tubelets, 8 layers); data and training dropped

import keras
from keras import layers, ops

INPUT_SHAPE = (28, 28, 28, 1)
NUM_CLASSES = 11
PATCH_SIZE = (8, 8, 8)
NUM_PATCHES = (INPUT_SHAPE[0] // PATCH_SIZE[0]) ** 2
LAYER_NORM_EPS = 1e-6
PROJECTION_DIM = 128
NUM_HEADS = 8
NUM_LAYERS = 8


class TubeletEmbedding(layers.Layer):
    def __init__(self, embed_dim, patch_size, **kwargs):
        super().__init__(**kwargs)
        self.projection = layers.Conv3D(filters=embed_dim, kernel_size=patch_size, strides=patch_size,
                                        padding="VALID")
        self.flatten = layers.Reshape(target_shape=(-1, embed_dim))

    def call(self, videos):
        projected_patches = self.projection(videos)
        flattened_patches = self.flatten(projected_patches)
        return flattened_patches


class PositionalEncoder(layers.Layer):
    def __init__(self, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim = embed_dim

    def build(self, input_shape):
        _, num_tokens, _ = input_shape
        self.position_embedding = layers.Embedding(input_dim=num_tokens, output_dim=self.embed_dim)
        self.positions = ops.arange(0, num_tokens, 1)

    def call(self, encoded_tokens):
        encoded_positions = self.position_embedding(self.positions)
        encoded_tokens = encoded_tokens + encoded_positions
        return encoded_tokens


def create_vivit_classifier(tubelet_embedder, positional_encoder, input_shape=INPUT_SHAPE,
                            transformer_layers=NUM_LAYERS, num_heads=NUM_HEADS, embed_dim=PROJECTION_DIM,
                            layer_norm_eps=LAYER_NORM_EPS, num_classes=NUM_CLASSES):
    inputs = layers.Input(shape=input_shape)
    patches = tubelet_embedder(inputs)
    encoded_patches = positional_encoder(patches)

    for _ in range(transformer_layers):
        x1 = layers.LayerNormalization(epsilon=1e-6)(encoded_patches)
        attention_output = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim // num_heads,
                                                     dropout=0.1)(x1, x1)
        x2 = layers.Add()([attention_output, encoded_patches])

        x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
        x3 = keras.Sequential([
            layers.Dense(units=embed_dim * 4, activation=ops.gelu),
            layers.Dense(units=embed_dim, activation=ops.gelu),
        ])(x3)

        encoded_patches = layers.Add()([x3, x2])

    representation = layers.LayerNormalization(epsilon=layer_norm_eps)(encoded_patches)
    representation = layers.GlobalAvgPool1D()(representation)
    outputs = layers.Dense(units=num_classes, activation="softmax")(representation)
    return keras.Model(inputs=inputs, outputs=outputs)


model = create_vivit_classifier(
    tubelet_embedder=TubeletEmbedding(embed_dim=PROJECTION_DIM, patch_size=PATCH_SIZE),
    positional_encoder=PositionalEncoder(embed_dim=PROJECTION_DIM),
)
