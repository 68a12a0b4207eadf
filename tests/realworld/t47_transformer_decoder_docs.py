# torch.nn.TransformerDecoder with batch_first (PyTorch documentation example)
# Source: https://pytorch.org/docs/stable/generated/torch.nn.TransformerDecoderLayer.html
# Author / licence: PyTorch documentation (pytorch/pytorch), BSD-3-Clause
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the decoder layer's batch_first example stacked into a TransformerDecoder of 6 layers, as the
#     TransformerDecoder page does

import torch
import torch.nn as nn

decoder_layer = nn.TransformerDecoderLayer(d_model=512, nhead=8, batch_first=True)
transformer_decoder = nn.TransformerDecoder(decoder_layer, num_layers=6)
memory = torch.rand(32, 10, 512)
tgt = torch.rand(32, 20, 512)
