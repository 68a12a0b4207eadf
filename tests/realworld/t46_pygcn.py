# Graph convolutional networks: GCN with nn.Parameter weights (tkipf/pygcn)
# Source: https://github.com/tkipf/pygcn/blob/master/pygcn/models.py
# Author / licence: Thomas Kipf; MIT
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - layers.py and models.py in one file; forward methods dropped; features.shape[1], args.hidden,
#     labels.max() + 1 and args.dropout filled with Cora's 1433, 16, 7 and 0.5

import math

import torch
import torch.nn as nn
from torch.nn.parameter import Parameter
from torch.nn.modules.module import Module


class GraphConvolution(Module):

    def __init__(self, in_features, out_features, bias=True):
        super(GraphConvolution, self).__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(torch.FloatTensor(in_features, out_features))
        if bias:
            self.bias = Parameter(torch.FloatTensor(out_features))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1. / math.sqrt(self.weight.size(1))
        self.weight.data.uniform_(-stdv, stdv)
        if self.bias is not None:
            self.bias.data.uniform_(-stdv, stdv)


class GCN(nn.Module):
    def __init__(self, nfeat, nhid, nclass, dropout):
        super(GCN, self).__init__()

        self.gc1 = GraphConvolution(nfeat, nhid)
        self.gc2 = GraphConvolution(nhid, nclass)
        self.dropout = dropout


hidden = 16
dropout = 0.5
model = GCN(nfeat=1433, nhid=hidden, nclass=7, dropout=dropout)
