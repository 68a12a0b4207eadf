# torch.nn.Sequential with an OrderedDict (PyTorch documentation example)
# Source: https://pytorch.org/docs/stable/generated/torch.nn.Sequential.html
# Author / licence: PyTorch documentation (pytorch/pytorch), BSD-3-Clause
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code

from collections import OrderedDict

import torch.nn as nn

model = nn.Sequential(OrderedDict([
    ("conv1", nn.Conv2d(1, 20, 5)),
    ("relu1", nn.ReLU()),
    ("conv2", nn.Conv2d(20, 64, 5)),
    ("relu2", nn.ReLU())
]))
