# NLP from scratch: classifying names with a character-level RNN (PyTorch tutorial)
# Source: https://pytorch.org/tutorials/intermediate/char_rnn_classification_tutorial.html
# Author / licence: PyTorch tutorials (pytorch/tutorials), BSD-3-Clause
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - len(alldata.labels_uniq) filled with 18 (the tutorial's 18 languages)

import string

import torch
import torch.nn as nn
import torch.nn.functional as F

allowed_characters = string.ascii_letters + " .,;'" + "_"
n_letters = len(allowed_characters)
n_hidden = 128
n_labels = 18


class CharRNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(CharRNN, self).__init__()

        self.rnn = nn.RNN(input_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, line_tensor):
        rnn_out, hidden = self.rnn(line_tensor)
        output = self.h2o(hidden[0])
        output = self.softmax(output)
        return output


rnn = CharRNN(n_letters, n_hidden, n_labels)
print(rnn)
