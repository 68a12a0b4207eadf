# Sequence models and LSTM networks: LSTMTagger (PyTorch NLP tutorial)
# Source: https://pytorch.org/tutorials/beginner/nlp/sequence_models_tutorial.html
# Author / licence: PyTorch tutorials (pytorch/tutorials), BSD-3-Clause
# Taken: 2026-12-02
# Edits:
#   - written for this corpus after the model published there: the same layers, sizes, arguments and
#     Python constructs, without the source's comments and docstrings, its data loading or its training code
#   - len(word_to_ix) and len(tag_to_ix) filled with the tutorial's 9 words and 3 tags

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1)

EMBEDDING_DIM = 6
HIDDEN_DIM = 6
tag_to_ix = {"DET": 0, "NN": 1, "V": 2}
vocab_size = 9


class LSTMTagger(nn.Module):

    def __init__(self, embedding_dim, hidden_dim, vocab_size, tagset_size):
        super(LSTMTagger, self).__init__()
        self.hidden_dim = hidden_dim

        self.word_embeddings = nn.Embedding(vocab_size, embedding_dim)

        self.lstm = nn.LSTM(embedding_dim, hidden_dim)

        self.hidden2tag = nn.Linear(hidden_dim, tagset_size)

    def forward(self, sentence):
        embeds = self.word_embeddings(sentence)
        lstm_out, _ = self.lstm(embeds.view(len(sentence), 1, -1))
        tag_space = self.hidden2tag(lstm_out.view(len(sentence), -1))
        tag_scores = F.log_softmax(tag_space, dim=1)
        return tag_scores


model = LSTMTagger(EMBEDDING_DIM, HIDDEN_DIM, vocab_size, len(tag_to_ix))
