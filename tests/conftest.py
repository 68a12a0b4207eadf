"""Test setup: Keras on the torch backend, the golden-file harness (tests/helpers/golden.py) and the
``frameworks`` marker for tests that build real PyTorch / Keras models. derive comes from the checkout
(`python -m pytest` from the root, or PYTHONPATH) or from its editable install."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before anything imports keras

pytest_plugins = ("helpers.golden", "helpers.server")  # helpers/server.py: the `server` fixture


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "frameworks: needs torch and/or keras (see tests/helpers/frameworks.py)")
