# LSTM and Bi-LSTM in PyTorch: the LSTM example (notebook, YahuGao/Demos)
# Source: https://github.com/YahuGao/Demos
# Author / licence: YahuGao; licence not stated
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the random inputs and the forward call dropped

import torch
import torch.nn as nn

num_layers = 1
directional = 1
rnn = nn.LSTM(input_size=10, hidden_size=20, num_layers=num_layers)
h0 = torch.randn(1 * 1, 4, 20)
c0 = torch.randn(1 * 1, 4, 20)
