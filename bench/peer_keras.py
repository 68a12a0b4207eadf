"""Peer: Keras' `MobileNetV2(weights=None).summary()`, from `import keras` to the printed summary.

The backend is PyTorch (KERAS_BACKEND=torch, as the Makefile sets it): TensorFlow is not installed.

    python bench/peer_keras.py
"""

import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402  (the backend is chosen before the import)

keras.applications.MobileNetV2(weights=None).summary()
