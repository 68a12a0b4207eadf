from tensorflow.keras.layers import Activation, Add, BatchNormalization, Conv2D, DepthwiseConv2D


def bottleneck_block(x, expand=18, squeeze=n_out):
  m = Conv2D(expand, (1,1))(x)
  m = BatchNormalization()(m)
  m = Activation('relu6')(m)
  m = DepthwiseConv2D((3,3))(m)
  m = BatchNormalization()(m)
  m = Activation('relu6')(m)
  m = Conv2D(squeeze, (1,1))(m)
  m = BatchNormalization()(m)
  return Add()([m, x])
