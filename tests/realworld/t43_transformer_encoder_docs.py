# torch.nn.TransformerEncoder (PyTorch documentation example)
# Source: https://pytorch.org/docs/stable/generated/torch.nn.TransformerEncoder.html
# Author / licence: PyTorch documentation (pytorch/pytorch), BSD-3-Clause
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the random src and the forward call dropped

import torch
import torch.nn as nn

encoder_layer = nn.TransformerEncoderLayer(d_model=512, nhead=8)
transformer_encoder = nn.TransformerEncoder(encoder_layer, num_layers=6)
src = torch.rand(10, 32, 512)
