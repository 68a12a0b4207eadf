"""Random sequence models (`helpers/codegen_sequence.py`) read by derive and built for real in Keras and PyTorch.

For each seeded program (`helpers/sequence_checks.py`): the counts under every convention (`paper`,
`pytorch`, `keras`) against the framework's own, every layer's output shape against the framework's, and
for PyTorch the multiply-accumulates against `torch.utils.flop_counter.FlopCounterMode`.
"""

from __future__ import annotations

import os

import pytest
from helpers.codegen_sequence import keras_conv_lstm, keras_sequence, torch_sequence
from helpers.sequence_checks import check_keras, check_torch

pytestmark = pytest.mark.frameworks
PROGRAMS = int(os.environ.get("DERIVE_SEQUENCE_PROGRAMS", "24"))  # 24 Keras, 24 PyTorch, 8 ConvLSTM2D a run


@pytest.mark.parametrize("seed", range(PROGRAMS))
def test_random_keras_sequence_model(seed, tmp_path):
    check_keras(keras_sequence(seed), tmp_path)


@pytest.mark.parametrize("seed", range(PROGRAMS // 3))
def test_random_keras_conv_lstm_model(seed, tmp_path):
    check_keras(keras_conv_lstm(seed), tmp_path)


@pytest.mark.parametrize("seed", range(PROGRAMS))
def test_random_torch_sequence_model(seed, tmp_path):
    check_torch(torch_sequence(seed), tmp_path)


def test_the_programs_cover_every_form():
    """The seeds run cover each kind and argument the generator writes (else the count above is too low)."""
    sources = [keras_sequence(s).source for s in range(PROGRAMS)] + [torch_sequence(s).source for s in range(PROGRAMS)]
    sources += [keras_conv_lstm(s).source for s in range(PROGRAMS // 3)]
    text = "\n".join(sources)
    for form in ("layers.SimpleRNN(", "layers.LSTM(", "layers.GRU(", "reset_after=False", "layers.Bidirectional(",
                 "merge_mode=None", 'merge_mode="sum"', "backward_layer=", "layers.TimeDistributed(", "return_state=True",
                 "keras.Sequential(", "input_length=", "shape=(None,)", "mask_zero=True", "use_bias=False",
                 "nn.Embedding(", "padding_idx=", "nn.RNN(", "nn.LSTM(", "nn.GRU(", "num_layers=", "bidirectional=True",
                 "proj_size=", "bias=False", "batch_first=True", "nonlinearity='relu'", "x, (h, c) = ", "x, _ = ",
                 ")[0]", "trainable=False", "initial_state=", "dropout=DROPOUT", "nn.LSTMCell(", "nn.GRUCell(",
                 "nn.RNNCell(", "layers.ConvLSTM2D(", "return_sequences=True)(x)\nx = layers.TimeDistributed(layers.Flatten"):
        assert form in text, form
