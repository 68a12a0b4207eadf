"""Test setup: run from a checkout without installing, Keras on the torch backend, and the
``frameworks`` marker for tests that build real PyTorch / Keras models."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")  # before anything imports keras

_TESTS = Path(__file__).resolve().parent
if importlib.util.find_spec("derive") is None:
    sys.path.insert(0, str(_TESTS.parent))
if str(_TESTS) not in sys.path:  # `import frameworks`, even if tests/ becomes a package
    sys.path.insert(0, str(_TESTS))


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "frameworks: needs torch and/or keras (see tests/frameworks.py)")
