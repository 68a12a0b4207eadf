# Basic MNIST example: Net (pytorch/examples)
# Source: https://github.com/pytorch/examples/blob/main/mnist/main.py
# Author / licence: PyTorch examples (pytorch/examples), BSD-3-Clause
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - argument parsing, data loading and training dropped; the model built at module level

import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, 1)
        self.conv2 = nn.Conv2d(32, 64, 3, 1)
        self.dropout1 = nn.Dropout(0.25)
        self.dropout2 = nn.Dropout(0.5)
        self.fc1 = nn.Linear(9216, 128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        x = self.conv1(x)
        x = F.relu(x)
        x = self.conv2(x)
        x = F.relu(x)
        x = F.max_pool2d(x, 2)
        x = self.dropout1(x)
        x = torch.flatten(x, 1)
        x = self.fc1(x)
        x = F.relu(x)
        x = self.dropout2(x)
        x = self.fc2(x)
        output = F.log_softmax(x, dim=1)
        return output


use_cuda = torch.cuda.is_available()
device = torch.device("cuda" if use_cuda else "cpu")
torch.manual_seed(1)
model = Net().to(device)
