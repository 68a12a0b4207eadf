"""Counting conventions: which parameter kinds count, and as what.

The same layer is reported differently by a paper, by PyTorch and by Keras. A convention maps each
term kind to a bucket (`trainable`, `non_trainable`, `buffers`) or to nothing (not counted); `all` is
`trainable + non_trainable` in every convention (a paper's count, `sum(p.numel() for p in
model.parameters())`, `model.count_params()`). Biases are not the convention's business: a block
says whether its convolutions have them.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from .errors import InputError
from .records import frozen

BUCKETS = ("trainable", "non_trainable", "buffers")
TOTALS = ("trainable", "non_trainable", "all", "buffers", "macs")  # the figures of a part, a stage and the whole


@frozen
class Convention:
    """How a convention counts: each term kind to a bucket (trainable, non_trainable, buffers) or to none."""

    name: str
    buckets: Mapping[str, str | None]  # term kind -> bucket, or None when not counted

    def bucket(self, kind: str) -> str | None:
        return self.buckets[kind]


def _convention(name: str, statistics: str | None, counter: str | None) -> Convention:
    kinds = {kind: "trainable" for kind in ("weights", "bias", "gamma", "beta")}
    kinds |= {"moving_mean": statistics, "moving_variance": statistics, "num_batches_tracked": counter}
    return Convention(name, MappingProxyType(kinds))


def _with_tensors(convention: Convention, frozen: str | None, buffer: str | None) -> Convention:
    """PyTorch code's own tensors: an `nn.Parameter(..., requires_grad=False)` (`frozen`: in `parameters()`,
    not trained) and a persistent `register_buffer` (`buffer`: in `state_dict()`, not in `parameters()`)."""
    return Convention(convention.name, MappingProxyType({**convention.buckets, "frozen": frozen, "buffer": buffer}))


CONVENTIONS: Mapping[str, Convention] = MappingProxyType({
    "paper": _with_tensors(_convention("paper", None, None), None, None),
    "pytorch": _with_tensors(_convention("pytorch", "buffers", "buffers"), "non_trainable", "buffers"),
    "keras": _with_tensors(_convention("keras", "non_trainable", None), "non_trainable", None),
})


def get(name: str) -> Convention:
    try:
        return CONVENTIONS[name]
    except KeyError:
        raise InputError(f"unknown convention {name!r} (choose from {', '.join(CONVENTIONS)})",
                         "--convention") from None
