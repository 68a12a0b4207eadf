# Bidirectional LSTM input parameters (notebook, machhakiran/Deep-Learning-Projects)
# Source: https://github.com/machhakiran/Deep-Learning-Projects
# Author / licence: machhakiran; licence not stated
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - the random data and the forward call dropped

import torch
import torch.nn as nn
import numpy as np

input_size = 1
hidden_size = 16
num_layers = 1

Bi_lstmModel = nn.LSTM(input_size, hidden_size, num_layers, batch_first=True, bidirectional=True)
Bi_lstmModel
