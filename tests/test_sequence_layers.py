"""Sequence layers read from the code people paste, held to Keras and PyTorch (`helpers/sequence_checks.py`).

Each snippet below is built for real in its framework and read by derive from the same text: counts
under every convention, every layer's output shape, and for PyTorch the multiply-accumulates (forward
pass under `FlopCounterMode`). Then what the readers refuse, with the line and the real cause.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.codegen_sequence import SeqCase
from helpers.frameworks import need_torch
from helpers.sequence_checks import check_keras, check_torch, derivations, run

import derive
from derive.errors import InputError

KERAS = {
    "the README's Embedding, LSTM, Dense": SeqCase("keras", """\
from keras.models import Sequential
from keras.layers import Embedding, LSTM, Dense

model = Sequential([
    Embedding(10000, 128, input_length=100),
    LSTM(64),
    Dense(1, activation="sigmoid"),
])
model.build((None, 100))
""", 100, ids=10000),
    "GRU reset_after both ways, SimpleRNN": SeqCase("keras", """\
import keras
from keras import layers

inp = keras.Input(shape=(30, 12))
x = layers.GRU(20, return_sequences=True)(inp)
x = layers.GRU(10, reset_after=False, return_sequences=True)(x)
x = layers.SimpleRNN(6, activation="relu")(x)
out = layers.Dense(2, activation="softmax")(x)
model = keras.Model(inputs=inp, outputs=out)
""", 30, features=12),
    "Bidirectional in every merge mode, TimeDistributed": SeqCase("keras", """\
import keras
from keras import layers

inp = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(input_dim=500, output_dim=16, mask_zero=True)(inp)
x = layers.Bidirectional(layers.LSTM(32, return_sequences=True))(x)
x = layers.Bidirectional(layers.GRU(8, return_sequences=True), merge_mode="sum")(x)
x = layers.Bidirectional(layers.SimpleRNN(8, return_sequences=True), merge_mode="ave")(x)
x = layers.Bidirectional(layers.LSTM(8, return_sequences=True), merge_mode="mul")(x)
f, b = layers.Bidirectional(layers.LSTM(5, return_sequences=True), merge_mode=None)(x)
x = layers.Concatenate()([f, b])
x = layers.Bidirectional(layers.LSTM(4, return_sequences=True),
                         backward_layer=layers.LSTM(4, return_sequences=True, go_backwards=True))(x)
out = layers.TimeDistributed(layers.Dense(9))(x)
model = keras.Model(inp, out)
""", 7, ids=500, values={"T": 7}),
    "an encoder's states (return_state)": SeqCase("keras", """\
import keras
from keras import layers

encoder_inputs = keras.Input(shape=(None, 71))
encoder = layers.LSTM(256, return_state=True)
encoder_outputs, state_h, state_c = encoder(encoder_inputs)
x = layers.Concatenate()([state_h, state_c])
_, gru_state = layers.GRU(3, return_state=True)(layers.RepeatVector(4)(x) if False else encoder_inputs)
out = layers.Dense(10)(layers.Concatenate()([x, gru_state]))
model = keras.Model(encoder_inputs, out)
""", 15, features=71, values={"T": 15}),
    "a decoder started from the encoder's states (initial_state)": SeqCase("keras", """\
import keras
from keras import layers

inp = keras.Input(shape=(12, 5))
enc_out, h, c = layers.LSTM(16, return_state=True)(inp)
dec = layers.LSTM(16, return_sequences=True)(inp, initial_state=[h, c])
_, state = layers.GRU(6, return_state=True)(dec)
dec2 = layers.Bidirectional(layers.GRU(6, return_sequences=True))(dec, initial_state=[state, state])
out = layers.TimeDistributed(layers.Dense(3))(dec2)
model = keras.Model(inp, out)
""", 12, features=5),
    "a frozen, pre-trained embedding (trainable=False, weights=)": SeqCase("keras", """\
import keras
import numpy as np
from keras import layers

matrix = np.zeros((2002, 50))
inp = keras.Input(shape=(None,), dtype="int32")
x = layers.Embedding(2002, 50, weights=[matrix], trainable=False)(inp)
x = layers.Bidirectional(layers.LSTM(20, return_sequences=True), trainable=False)(x)
x = layers.GRU(8)(x)
out = layers.Dense(3)(x)
model = keras.Model(inp, out)
""", 9, ids=2002, values={"T": 9}),
    "token ids beside features (two inputs: only the embedded one is ids)": SeqCase("keras", """\
import keras
from keras import layers

meta = keras.Input(shape=(10,), name="meta")
text = keras.Input(shape=(100,), name="text")
embed = layers.Embedding(5000, 32)
x = layers.LSTM(16)(embed(text))
y = layers.Dense(8)(meta)
out = layers.Dense(1)(layers.Concatenate()([x, y]))
model = keras.Model([meta, text], out)
""", 100, ids=5000),
    "stacked LSTMs, a Sequential with input_shape": SeqCase("keras", """\
from keras.models import Sequential
from keras.layers import LSTM, Dense, Dropout

model = Sequential()
model.add(LSTM(50, return_sequences=True, input_shape=(60, 1)))
model.add(Dropout(0.2))
model.add(LSTM(50, return_sequences=False, use_bias=False))
model.add(Dense(25))
model.add(Dense(1))
model.build((None, 60, 1))
""", 60, features=1),
}

TORCH = {
    "a classifier over token ids, tuples unpacked in forward": SeqCase("torch", """\
import torch
import torch.nn as nn


class LSTMClassifier(nn.Module):
    def __init__(self, vocab_size=5000, embed_dim=100, hidden_dim=128, num_classes=2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim, padding_idx=0)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, num_layers=2, batch_first=True, bidirectional=True,
                            dropout=0.3)
        self.fc = nn.Linear(hidden_dim * 2, num_classes)

    def forward(self, x):
        x = self.embedding(x)
        out, (h, c) = self.lstm(x)
        return self.fc(out)


model = LSTMClassifier()
""", 11, ids=5000, values={"T": 11}),
    "a GRU and an RNN on features, no bias, relu": SeqCase("torch", """\
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.gru = nn.GRU(input_size=8, hidden_size=32, bias=False)
        self.rnn = nn.RNN(32, 16, num_layers=3, nonlinearity="relu", dropout=0.1)
        self.head = nn.Linear(16, 4)

    def forward(self, x):
        out, _ = self.gru(x)
        x = self.rnn(out)[0]
        return self.head(x)


model = Net()
""", 9, features=8, values={"T": 9}),
    "an LSTM with a projection, max_norm embedding": SeqCase("torch", """\
import torch.nn as nn

model = nn.Sequential()
model.add_module("emb", nn.Embedding(300, 24, max_norm=2.0))
model.add_module("fc", nn.Linear(24, 24))
""", 5, ids=300, values={"T": 5}),
    "the last step only (counts and shapes of what derive follows; MACs differ)": SeqCase("torch", """\
import torch.nn as nn


class Tagger(nn.Module):
    def __init__(self, n_tokens, d=64, h=96, p=48):
        super().__init__()
        self.emb = nn.Embedding(n_tokens, d)
        self.lstm = nn.LSTM(d, h, proj_size=p, num_layers=2, bidirectional=True)
        self.out = nn.Linear(2 * p, 7)

    def forward(self, x):
        y, (h_n, c_n) = self.lstm(self.emb(x))
        return self.out(y[-1])


model = Tagger(1000)
""", 6, ids=1000, values={"T": 6}, full=False),
}


@pytest.mark.frameworks
@pytest.mark.parametrize("name", KERAS)
def test_keras_snippet(name, tmp_path):
    check_keras(KERAS[name], tmp_path)


@pytest.mark.frameworks
@pytest.mark.parametrize("name", TORCH)
def test_torch_snippet(name, tmp_path):
    check_torch(TORCH[name], tmp_path)


CONV_LSTM = ["filters=6, kernel_size=3", "filters=4, kernel_size=(3, 2), padding='same', return_state=True",
             "5, 3, strides=2, return_sequences=True, use_bias=False", "3, 2, dilation_rate=2, return_sequences=True"]


@pytest.mark.frameworks
@pytest.mark.parametrize("arguments", CONV_LSTM)
def test_conv_lstm2d_and_time_distributed_convolutions(arguments, tmp_path):
    source = f"""\
import keras
from keras import layers

inp = keras.Input(shape=(5, 12, 10, 3))
x = layers.TimeDistributed(layers.Conv2D(4, 3, padding="same"))(inp)
out = layers.ConvLSTM2D({arguments})(x)
out = out[0] if isinstance(out, list) else out
model = keras.Model(inp, out)
"""
    check_keras(SeqCase("keras", source, 5), tmp_path)


# -- refusals -------------------------------------------------------------------------------------
def refusal(tmp_path: Path, text: str) -> str:
    path = tmp_path / "model.py"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        derive.show(str(path))
    return str(caught.value)


def test_a_recurrent_layer_on_an_image_is_refused_at_its_line(tmp_path):
    message = refusal(tmp_path, "import keras\nfrom keras import layers\n\ninp = keras.Input(shape=(28, 28, 1))\n"
                                "out = layers.LSTM(8)(inp)\n")
    assert ":5:" in message and "lstm needs a sequence input (time steps, features)" in message


def test_a_wrapper_of_the_wrong_layer_is_refused(tmp_path):
    message = refusal(tmp_path, "import keras\nfrom keras import layers\n\ninp = keras.Input(shape=(5, 3))\n"
                                "out = layers.Bidirectional(layers.Dense(4))(inp)\n")
    assert ":5:" in message and "layer must be a recurrent layer" in message


def test_a_projection_as_wide_as_the_state_is_refused(tmp_path):
    message = refusal(tmp_path, "import torch.nn as nn\n\nmodel = nn.Sequential(nn.LSTM(4, 8, proj_size=8))\n")
    assert ":3:" in message and "proj_size has to be smaller than hidden_size" in message


def test_merging_directions_of_different_widths_is_refused(tmp_path):
    message = refusal(tmp_path, "import keras\nfrom keras import layers\n\ninp = keras.Input(shape=(5, 3))\n"
                                "out = layers.Bidirectional(layers.LSTM(4), merge_mode='sum', backward_layer="
                                "layers.LSTM(6, go_backwards=True))(inp)\n")
    assert ":5:" in message and "forward and backward layers of the same units" in message


def test_symbols_of_an_open_sequence(tmp_path):
    """Where the code leaves the length open, the count has no T in it and the MACs are T times a step's."""
    path = tmp_path / "model.py"
    path.write_text("import keras\nfrom keras import layers\n\ninp = keras.Input(shape=(None, 16))\n"
                    "out = layers.LSTM(32)(inp)\nmodel = keras.Model(inp, out)\n", encoding="utf-8")
    d, bound = derive.show(str(path)), derive.show(str(path), T=10)
    assert d.total["all"].value is not None and d.total["macs"].value is None
    assert bound.total["all"].value == d.total["all"].value and bound.total["macs"].value is not None
    assert [row.shape for row in bound.layers] == [(32,)]


CELLS = """\
import torch.nn as nn


class Sequence(nn.Module):
    def __init__(self):
        super(Sequence, self).__init__()
        self.lstm1 = nn.LSTMCell(3, 51)
        self.lstm2 = nn.GRUCell(51, 20, bias=False)
        self.rnn = nn.RNNCell(20, 7, nonlinearity="relu")
        self.linear = nn.Linear(7, 1)

    def forward(self, x):
        h_t, c_t = self.lstm1(x)
        return self.linear(self.rnn(self.lstm2(h_t)))


model = Sequence()
"""


@pytest.mark.frameworks
def test_cells_are_one_step(tmp_path):
    """`nn.LSTMCell` and the like: counts, each module's output and one step's MACs (an unbatched vector in)."""
    case = SeqCase("torch", CELLS, 1, features=3)
    torch = need_torch()
    from torch.utils.flop_counter import FlopCounterMode

    model = run(case)
    got = derivations(tmp_path, case)["pytorch"]
    assert got.total["all"].value == sum(p.numel() for p in model.parameters())
    shapes = {}
    def hook(name):
        def record(module, inputs, output):
            shapes[name] = tuple((output[0] if isinstance(output, tuple) else output).shape)
        return record

    for name, module in model.named_children():
        module.register_forward_hook(hook(name))
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.randn(3))
    assert {row.name: tuple(row.shape) for row in got.layers} == shapes
    assert got.total["macs"].value * 2 == counter.get_total_flops()


@pytest.mark.frameworks
def test_embedding_bag(tmp_path):
    source = ("import torch.nn as nn\n\n\nclass TextSentiment(nn.Module):\n    def __init__(self, vocab_size=95811, "
              "embed_dim=32, num_class=4):\n        super().__init__()\n        self.embedding = nn.EmbeddingBag("
              "vocab_size, embed_dim, sparse=False)\n        self.fc = nn.Linear(embed_dim, num_class)\n\n"
              "    def forward(self, text, offsets):\n        return self.fc(self.embedding(text, offsets))\n\n\n"
              "model = TextSentiment()\n")
    case = SeqCase("torch", source, 6, ids=95811)
    model = run(case)
    got = derivations(tmp_path, case)["pytorch"]
    assert got.total["all"].value == sum(p.numel() for p in model.parameters())
    torch = need_torch()
    bag = model.embedding(torch.randint(0, 95811, (1, 6)))
    assert [tuple(row.shape) for row in got.layers] == [tuple(bag.shape[1:]), tuple(model.fc(bag).shape[1:])]
