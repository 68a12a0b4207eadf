# The forward-forward algorithm: layers kept in a plain Python list (pytorch/examples)
# Source: https://github.com/pytorch/examples/blob/main/mnist_forward_forward/main.py
# Author / licence: PyTorch examples (pytorch/examples), BSD-3-Clause (based on Mohammad Pezeshki's MIT-licensed code)
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - args.lr, args.threshold and args.epochs filled with the defaults (0.03, 2, 1000); device filled with cpu;
#     the training methods dropped

import torch
import torch.nn as nn
from torch.optim import Adam

device = torch.device("cpu")
lr = 0.03
threshold = 2.0
epochs = 1000


class Net(torch.nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.layers = []
        for d in range(len(dims) - 1):
            self.layers = self.layers + [Layer(dims[d], dims[d + 1]).to(device)]


class Layer(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__(in_features, out_features, bias, device, dtype)
        self.relu = torch.nn.ReLU()
        self.opt = Adam(self.parameters(), lr=lr)
        self.threshold = threshold
        self.num_epochs = epochs


net = Net([784, 500, 500])
