# What is torch.nn really?: Mnist_CNN (PyTorch tutorial)
# Source: https://pytorch.org/tutorials/beginner/nn_tutorial.html
# Author / licence: PyTorch tutorials (pytorch/tutorials), BSD-3-Clause
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - data loading and the fit loop dropped

import torch
from torch import nn
import torch.nn.functional as F

lr = 0.1


class Mnist_CNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, kernel_size=3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(16, 16, kernel_size=3, stride=2, padding=1)
        self.conv3 = nn.Conv2d(16, 10, kernel_size=3, stride=2, padding=1)

    def forward(self, xb):
        xb = xb.view(-1, 1, 28, 28)
        xb = F.relu(self.conv1(xb))
        xb = F.relu(self.conv2(xb))
        xb = F.relu(self.conv3(xb))
        xb = F.avg_pool2d(xb, 4)
        return xb.view(-1, xb.size(1))


model = Mnist_CNN()
opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
