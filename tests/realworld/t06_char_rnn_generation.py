# NLP from scratch: generating names with a character-level RNN (PyTorch tutorial)
# Source: https://pytorch.org/tutorials/intermediate/char_rnn_generation_tutorial.html
# Author / licence: PyTorch tutorials (pytorch/tutorials), BSD-3-Clause
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - n_categories filled with 18 (the number of language files)

import string

import torch
import torch.nn as nn

all_letters = string.ascii_letters + " .,;'-"
n_letters = len(all_letters) + 1
n_categories = 18


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(RNN, self).__init__()
        self.hidden_size = hidden_size

        self.i2h = nn.Linear(n_categories + input_size + hidden_size, hidden_size)
        self.i2o = nn.Linear(n_categories + input_size + hidden_size, output_size)
        self.o2o = nn.Linear(hidden_size + output_size, output_size)
        self.dropout = nn.Dropout(0.1)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, category, input, hidden):
        input_combined = torch.cat((category, input, hidden), 1)
        hidden = self.i2h(input_combined)
        output = self.i2o(input_combined)
        output_combined = torch.cat((hidden, output), 1)
        output = self.o2o(output_combined)
        output = self.dropout(output)
        output = self.softmax(output)
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


rnn = RNN(n_letters, 128, n_letters)
