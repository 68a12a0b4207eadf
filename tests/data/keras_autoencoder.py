import keras
from keras import layers

latent_dim = 8
encoder_inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(encoder_inputs)
x = layers.Flatten()(x)
latent = layers.Dense(latent_dim)(x)
encoder = keras.Model(encoder_inputs, latent, name="encoder")

latent_inputs = keras.Input(shape=(latent_dim,))
y = layers.Dense(64, activation="relu")(latent_inputs)
outputs = layers.Dense(10)(y)
decoder = keras.Model(latent_inputs, outputs, name="decoder")

model = keras.Model(encoder_inputs, decoder(encoder(encoder_inputs)), name="autoencoder")
model.summary()
