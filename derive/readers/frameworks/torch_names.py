"""What names mean in PyTorch code around a model: the module methods that change no count, the
lines that ask for a GPU (read as on a machine without one), the containers and layers a user's class
may derive from (`torch_python`)."""

from __future__ import annotations

import sympy

from ...layers import spellings
from ...layers.transformer import Stack
from ..python import ClassValue, Ref, lineage
from .torch import is_torch_layer_spelling, torch_name


# methods of an nn.Module that return the module and change no count; and those that only use it
SELF_METHODS = ("to", "cuda", "cpu", "eval", "train", "float", "double", "half", "bfloat16", "requires_grad_",
                "apply", "share_memory", "type", "to_empty", "xpu", "ipu")
PASSIVE_METHODS = ("load_state_dict", "zero_grad", "register_forward_hook", "register_forward_pre_hook",
                   "register_full_backward_hook", "register_backward_hook", "state_dict", "extra_repr", "forward")
CONTAINER_BASES = ("Sequential", "ModuleList", "ModuleDict")
NO_GPU = {"torch.cuda.is_available": False, "torch.backends.mps.is_available": False,
          "torch.accelerator.is_available": False, "torch.accelerator.current_accelerator": None,
          "torch.xpu.is_available": False, "torch.backends.mps.is_built": False,
          "torch.backends.cudnn.is_available": False, "torch.cuda.device_count": sympy.Integer(0),
          "torch.cuda.is_bf16_supported": False}


def container_base(cls: ClassValue) -> str | None:
    """`Sequential`, `ModuleList` or `ModuleDict` if the user's class derives from that nn container."""
    for current in lineage(cls):
        for base in current.bases:
            if isinstance(base, Ref) and torch_name(base.path, bare=True) in CONTAINER_BASES:
                return torch_name(base.path, bare=True)
    return None


# a user's class may derive from a layer (not nn.MultiheadAttention, whose projections are its own tensors);
# a subclass of nn.Transformer may replace its `decoder` (the layer's parts under that name are taken out);
# what it may not replace is the layer's own tensors
OWN_TENSORS = ("weight", "bias", "running_mean", "running_var", "num_batches_tracked")


def subclassable(name: str) -> bool:
    spelling = spellings("torch").get(name)
    return spelling is not None and spelling.kind is not None and (
        spelling.kind.family != "attention" or issubclass(spelling.kind, Stack))


def layer_base_of(cls: ClassValue) -> Ref | None:
    """The PyTorch layer a user's class derives from (`class Layer(nn.Linear)`), if any."""
    return next((b for c in lineage(cls) for b in c.bases if isinstance(b, Ref) and is_torch_layer_spelling(b.path)
                 and torch_name(b.path, True) not in CONTAINER_BASES), None)


def is_parameter_spelling(path: str) -> bool:
    return path in ("nn.Parameter", "torch.nn.Parameter", "torch.nn.parameter.Parameter", "Parameter")
