"""What the tests share: the golden-file harness, the framework harness, reference models built in
PyTorch and Keras, generated layer code and the derivations the rendering tests render."""
