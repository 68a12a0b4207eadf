"""A seeded generator of random Keras and PyTorch sequence models (embeddings, recurrent layers, wrappers).

`keras_sequence(seed)` writes a Keras model: token ids (`Input(shape=(T,))` or `(None,)`, or a
`Sequential` starting with `Embedding(..., input_length=T)`) or a sequence `Input(shape=(T, F))`, then one
to three recurrent layers (`SimpleRNN`, `LSTM`, `GRU` with `reset_after` either way), each perhaps in
`Bidirectional` (every `merge_mode`, sometimes a `backward_layer`), with `return_sequences`,
`return_state` (the states concatenated into the head, or a decoder's `initial_state`), `trainable=False`,
`TimeDistributed(Dense)`, and a `Dense` head.
`torch_sequence(seed)` writes an `nn.Module` subclass: perhaps an `nn.Embedding` (`padding_idx`,
`max_norm`), then `nn.RNN` / `nn.LSTM` / `nn.GRU` with random `num_layers`, `bidirectional`, `bias`,
`batch_first`, `dropout` (a number, a module constant, an expression), `proj_size`, `nonlinearity`, perhaps
a cell (`nn.RNNCell`, `nn.LSTMCell`, `nn.GRUCell`) on the last step, and an `nn.Linear`; `forward` unpacks
the tuples as people write it (`out, (h, c) = self.lstm(x)`, `out, _ = ...`, `self.gru(x)[0]`).
`keras_conv_lstm(seed)` writes a sequence of images through `TimeDistributed(Conv2D)` and `ConvLSTM2D`.

Every case defines `model` when run; the generated code is our own, run by the test.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class SeqCase:
    framework: str
    source: str
    steps: int  # T, the sequence length the test feeds (and binds in derive when the code leaves it open)
    ids: int | None = None  # the vocabulary, when the input is token ids
    features: int | None = None  # the features, when the input is a sequence (T, F)
    values: dict = field(default_factory=dict)
    full: bool = True  # (PyTorch) every module reads what derive's flow says, so MACs can be compared


def _keras_rnn(rng: random.Random, sequences: bool, state: bool) -> tuple[str, int, bool]:
    """A recurrent layer's call, its output features, whether it gives states."""
    kind = rng.choice(["SimpleRNN", "LSTM", "GRU"])
    units = rng.randint(1, 12)
    args = [str(units) if rng.random() < 0.7 else f"units={units}"]
    if rng.random() < 0.25:
        args.append("use_bias=False")
    if kind == "GRU" and rng.random() < 0.5:
        args.append(f"reset_after={rng.choice(['True', 'False'])}")
    if rng.random() < 0.2:
        args.append(f"dropout={rng.choice(['0.1', '0.25'])}")
    if rng.random() < 0.15:
        args.append('activation="relu"')
    if sequences:
        args.append("return_sequences=True")
    if state:
        args.append("return_state=True")
    return f"layers.{kind}({', '.join(args)})", units, kind


def keras_sequence(seed: int) -> SeqCase:
    rng = random.Random(seed)
    steps = rng.randint(2, 9)
    ids = rng.random() < 0.65
    sequential = rng.random() < 0.3
    vocabulary, features = rng.randint(5, 50), rng.randint(1, 6)
    lines = ["import keras", "from keras import layers", ""]
    body: list[str] = []
    values: dict = {}
    open_length = ids and not sequential and rng.random() < 0.3
    if ids:
        dim = rng.randint(1, 8)
        mask = ", mask_zero=True" if rng.random() < 0.3 else ""
        mask += ", trainable=False" if rng.random() < 0.15 else ""
        if sequential:
            body.append(f"layers.Embedding({vocabulary}, {dim}, input_length={steps}{mask})")
        else:
            lines.append(f"inp = keras.Input(shape=({'None' if open_length else steps},))")
            lines.append(f"x = layers.Embedding({vocabulary}, {dim}{mask})(inp)")
        if open_length:
            values["T"] = steps
    else:
        if sequential:
            body.append(f"keras.Input(shape=({steps}, {features}))")
        else:
            lines.append(f"inp = keras.Input(shape=({steps}, {features}))")
            lines.append("x = inp")
    count = rng.randint(1, 3)
    for i in range(count):
        last = i == count - 1
        sequences = not last or rng.random() < 0.3
        state = not sequential and last and rng.random() < 0.35
        call, units, kind = _keras_rnn(rng, sequences, False)
        if rng.random() < 0.4:
            merge = rng.choice(['"concat"', '"sum"', '"ave"', '"mul"', "None"]) if not sequential else rng.choice(
                ['"concat"', '"sum"', '"ave"', '"mul"'])
            backward = ""
            if rng.random() < 0.25:
                back, _, _ = _keras_rnn(rng, sequences, False)
                back = back.replace(back.split("(")[1].split(",")[0].split(")")[0], str(units), 1)
                back = back[:-1] + ", go_backwards=True)"
                backward = f", backward_layer={back}"
            wrapped = f"layers.Bidirectional({call}, merge_mode={merge}{backward})"
            if sequential:
                body.append(wrapped)
            elif merge == "None":
                lines.append(f"a, b = {wrapped}(x)")
                lines.append("x = layers.Concatenate()([a, b])" if rng.random() < 0.5 else "x = layers.Add()([a, b])")
            else:
                lines.append(f"x = {wrapped}(x)")
        else:
            if rng.random() < 0.1:
                call = call[:-1] + ", trainable=False)"
            if state and not sequential:
                call = call[:-1] + ", return_state=True)"
                names = ["x", "h", "c"] if kind == "LSTM" else ["x", "h"]
                lines.append(f"{', '.join(names)} = {call}(x)")
                if not sequences:
                    lines.append(f"x = layers.Concatenate()([{', '.join(names)}])")
                elif rng.random() < 0.6:  # a decoder started from these states
                    lines.append(f"x = layers.{kind}({units}, return_sequences=True)(x, initial_state=[{', '.join(names[1:])}])")
            elif sequential:
                body.append(call)
            else:
                lines.append(f"x = {call}(x)")
        if sequences and rng.random() < 0.3:
            td = f"layers.TimeDistributed(layers.Dense({rng.randint(1, 9)}))"
            if sequential:
                body.append(td)
            else:
                lines.append(f"x = {td}(x)")
    head = f"layers.Dense({rng.randint(1, 5)})"
    if sequential:
        body.append(head)
        lines.append("model = keras.Sequential([")
        lines += [f"    {item}," for item in body]
        lines.append("])")
        if ids:
            lines.append(f"model.build((None, {steps}))")
    else:
        lines.append(f"out = {head}(x)")
        lines.append("model = keras.Model(inp, out)")
    return SeqCase("keras", "\n".join(lines) + "\n", steps, vocabulary if ids else None,
                   None if ids else features, values)


def keras_conv_lstm(seed: int) -> SeqCase:
    """A sequence of images (T, H, W, C) through `TimeDistributed(Conv2D)` perhaps, then `ConvLSTM2D`."""
    rng = random.Random(20_000 + seed)
    steps, h, w, c = rng.randint(2, 5), rng.randint(6, 12), rng.randint(6, 12), rng.randint(1, 4)
    lines = ["import keras", "from keras import layers", "", f"inp = keras.Input(shape=({steps}, {h}, {w}, {c}))",
             "x = inp"]
    if rng.random() < 0.5:
        lines.append(f"x = layers.TimeDistributed(layers.Conv2D({rng.randint(1, 6)}, 3, padding='same'))(x)")
    args = [str(rng.randint(1, 6)), str(rng.choice([1, 2, 3]))]
    if rng.random() < 0.5:
        args.append(f"padding={rng.choice(['valid', 'same'])!r}")
    if rng.random() < 0.3:
        args.append("strides=2")
    elif rng.random() < 0.3:
        args.append("dilation_rate=2")
    if rng.random() < 0.3:
        args.append("use_bias=False")
    if rng.random() < 0.2:
        args.append("trainable=False")
    sequences = rng.random() < 0.4
    if sequences:
        args.append("return_sequences=True")
    lines.append(f"x = layers.ConvLSTM2D({', '.join(args)})(x)")
    if sequences:
        lines.append("x = layers.TimeDistributed(layers.Flatten())(x)")
    lines.append("x = layers.Flatten()(x)")
    lines.append(f"out = layers.Dense({rng.randint(1, 4)})(x)")
    lines.append("model = keras.Model(inp, out)")
    return SeqCase("keras", "\n".join(lines) + "\n", steps)


def torch_sequence(seed: int) -> SeqCase:
    rng = random.Random(10_000 + seed)
    steps = rng.randint(2, 9)
    ids = rng.random() < 0.5
    vocabulary = rng.randint(5, 50)
    size = rng.randint(1, 8)
    init, forward = [], []
    if ids:
        extra = []
        if rng.random() < 0.3:
            extra.append(f"padding_idx={rng.randint(0, vocabulary - 1)}")
        if rng.random() < 0.2:
            extra.append("max_norm=1.0")
        init.append(f"self.embedding = nn.Embedding({vocabulary}, {size}{''.join(', ' + e for e in extra)})")
        forward.append("x = self.embedding(x)")
    count = rng.randint(1, 2)
    width = size
    for i in range(count):
        kind = rng.choice(["RNN", "LSTM", "GRU"])
        hidden = rng.randint(1, 10)
        layers_ = rng.randint(1, 3)
        keyword = rng.random() < 0.3
        args = [f"input_size={width}" if keyword else str(width),
                f"hidden_size={hidden}" if keyword or rng.random() < 0.3 else str(hidden)]
        if layers_ > 1 or rng.random() < 0.2:
            args.append(f"num_layers={layers_}")
            if layers_ > 1 and rng.random() < 0.6:
                args.append(rng.choice(["dropout=0.2", f"dropout=(0 if {layers_} == 1 else 0.3)", "dropout=DROPOUT"]))
        else:
            layers_ = 1
        if kind == "RNN" and rng.random() < 0.4:
            args.append("nonlinearity='relu'")
        bias = rng.random() < 0.8
        if not bias:
            args.append("bias=False")
        if rng.random() < 0.5:
            args.append("batch_first=True")
        bidirectional = rng.random() < 0.4
        if bidirectional:
            args.append("bidirectional=True")
        out = hidden
        if kind == "LSTM" and hidden > 1 and rng.random() < 0.3:
            out = rng.randint(1, hidden - 1)
            args.append(f"proj_size={out}")
        name = f"rnn{i}" if rng.random() < 0.5 else kind.lower() + str(i)
        init.append(f"self.{name} = nn.{kind}({', '.join(args)})")
        how = rng.randint(0, 2)
        if how == 0 and kind == "LSTM":
            forward.append(f"x, (h, c) = self.{name}(x)")
        elif how == 1:
            forward.append(f"x, _ = self.{name}(x)")
        else:
            forward.append(f"x = self.{name}(x)[0]")
        width = out * (2 if bidirectional else 1)
    if rng.random() < 0.3:  # one more step, by a cell, on the last step's output
        cell = rng.choice(["RNNCell", "LSTMCell", "GRUCell"])
        hidden = rng.randint(1, 8)
        init.append(f"self.cell = nn.{cell}({width}, {hidden}{', bias=False' if rng.random() < 0.2 else ''})")
        forward.append(f"x = self.cell(x[-1]){'[0]' if cell == 'LSTMCell' else ''}")
        width = hidden
    classes = rng.randint(1, 5)
    init.append(f"self.fc = nn.Linear({width}, {classes})")
    forward.append("return self.fc(x)")
    lines = ["import torch", "import torch.nn as nn", "", "DROPOUT = 0.25", "", "", "class Model(nn.Module):",
             "    def __init__(self):", "        super().__init__()"]
    lines += [f"        {line}" for line in init]
    lines += ["", "    def forward(self, x):"] + [f"        {line}" for line in forward]
    lines += ["", "", "model = Model()"]
    return SeqCase("torch", "\n".join(lines) + "\n", steps, vocabulary if ids else None, None if ids else size,
                   {"T": steps})
