# torch.nn.MultiheadAttention (PyTorch documentation example)
# Source: https://pytorch.org/docs/stable/generated/torch.nn.MultiheadAttention.html
# Author / licence: PyTorch documentation (pytorch/pytorch), BSD-3-Clause
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - embed_dim and num_heads (left to the reader in the docs) filled with 512 and 8

import torch.nn as nn

embed_dim = 512
num_heads = 8
multihead_attn = nn.MultiheadAttention(embed_dim, num_heads)
