"""Framework adapters for pasted code: `keras.py` (functional Keras, `Sequential`) and `torch.py`
(`nn.Sequential`, `nn.Module` subclasses; `torch_python.py` adds the Python around them). Each tells its
spellings apart, gives the interpreter its hooks for one pass and assembles its own block; the layers
they know are the registry's."""

from .base import Adapter, Host
from .keras_model import ADAPTER as KERAS
from .torch_python import ADAPTER as TORCH

ADAPTERS: dict[str, Adapter] = {"keras": KERAS, "torch": TORCH}

__all__ = ["ADAPTERS", "Adapter", "Host"]
