# Deep learning with PyTorch: the bag-of-words classifier (PyTorch NLP tutorial)
# Source: https://pytorch.org/tutorials/beginner/nlp/deep_learning_tutorial.html
# Author / licence: PyTorch tutorials (pytorch/tutorials), BSD-3-Clause
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - len(word_to_ix) filled with 26 (the tutorial's vocabulary)

import torch
import torch.nn as nn
import torch.nn.functional as F

VOCAB_SIZE = 26
NUM_LABELS = 2


class BoWClassifier(nn.Module):

    def __init__(self, num_labels, vocab_size):
        super(BoWClassifier, self).__init__()

        self.linear = nn.Linear(vocab_size, num_labels)

    def forward(self, bow_vec):
        return F.log_softmax(self.linear(bow_vec), dim=1)


model = BoWClassifier(NUM_LABELS, VOCAB_SIZE)
for param in model.parameters():
    print(param)
