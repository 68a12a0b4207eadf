import keras
from keras import layers, ops


class Scale(layers.Layer):
    """A learned per-channel scale, and a step counter Keras does not train."""

    def build(self, input_shape):
        self.gamma = self.add_weight(shape=(input_shape[-1],), initializer="ones", name="gamma")
        self.steps = self.add_weight(shape=(), initializer="zeros", trainable=False, name="steps")

    def call(self, x):
        return x * self.gamma


class ConvBlock(layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.conv = layers.Conv2D(filters, 3, padding="same", use_bias=False)
        self.bn = layers.BatchNormalization()

    def call(self, x, training=False):
        return ops.relu(self.bn(self.conv(x), training=training))


class SmallNet(keras.Model):
    def __init__(self, num_classes=10, width=16):
        super().__init__()
        self.block1 = ConvBlock(width)
        self.block2 = ConvBlock(2 * width)
        self.pool = layers.GlobalAveragePooling2D()
        self.scale = Scale()
        self.head = layers.Dense(num_classes)

    def call(self, inputs, training=False):
        x = self.block2(self.block1(inputs, training=training), training=training)
        return self.head(self.scale(self.pool(x)))


def test():
    model = SmallNet()
    model(keras.Input(shape=(32, 32, 3)))
    model.summary()
