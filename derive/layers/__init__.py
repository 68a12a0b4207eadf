"""Layer kinds, one module per family, and the registry the readers look them up in.

`base.py`: `Shape`, `Term`, `Layer` and the window arithmetic; `spelling.py`: how a kind declares
its spellings (TOML spec, Keras, PyTorch); `conv.py`, `dense.py`, `norm.py`, `activation.py`,
`merge.py`, `pool.py`, `reshape.py`, `attention.py`: the kinds; `registry.py`: all of them, by reader.
"""

from .activation import Activation, Lambda, PReLU, Rescaling
from .attention import MultiHeadAttention
from .base import ONE, ZERO, Expr, Layer, Padding, Shape, Stated, Term, core, window_out
from .conv_transpose import ConvTranspose1D, ConvTranspose2D, ConvTranspose3D
from .conv import Conv1D, Conv2D, Conv3D, DepthwiseConv1D, DepthwiseConv2D, SeparableConv1D, SeparableConv2D
from .dense import Dense
from .merge import Add, Average, Concatenate, Elementwise, Maximum, Minimum, Multiply, Subtract
from .norm import BatchNorm, GroupNorm, InstanceNorm, LayerNorm, LayerScale, Normalization, RMSNorm
from .pool import (AdaptivePool1D, AdaptivePool2D, AdaptivePool3D, GlobalPool1D, GlobalPool2D, GlobalPool3D, Pool1D,
                   Pool2D, Pool3D)
from .registry import KINDS, functional, ops_of, spellings
from .reshape import Dropout, Flatten, ZeroPadding2D

__all__ = ["ONE", "ZERO", "Activation", "AdaptivePool2D", "Add", "BatchNorm", "Concatenate", "Conv2D", "Dense",
           "DepthwiseConv2D", "Dropout", "Expr", "Flatten", "GlobalPool2D", "KINDS", "GroupNorm", "Layer", "LayerNorm",
           "LayerScale", "MultiHeadAttention", "Multiply", "Normalization", "Padding", "Pool2D", "SeparableConv2D",
           "Shape", "Stated", "Term", "ZeroPadding2D", "functional", "ops_of",
           "spellings", "window_out"]
__all__ += ["AdaptivePool1D", "AdaptivePool3D", "Conv1D", "Conv3D", "DepthwiseConv1D", "GlobalPool1D", "GlobalPool3D",
            "Pool1D", "Pool3D", "SeparableConv1D", "ConvTranspose1D", "ConvTranspose2D", "ConvTranspose3D"]
__all__ += ["Average", "Elementwise", "InstanceNorm", "Lambda", "Maximum", "Minimum", "PReLU", "RMSNorm", "Rescaling",
            "Subtract", "core"]
