"""The registry: every layer kind, from its family module, and each reader's spellings of them.

`KINDS` lists the kinds in the order the family modules declare them (which is the order of the
spec's ops in messages, and of the explanations). `spellings(reader)` maps each name a reader
accepts ("conv2d" in a spec, "Conv2D" in Keras code, "Conv2d" for `nn.Conv2d`) to its `Spelling`;
`functional()` maps Keras' function forms (`layers.add`) to theirs. No reader keeps a table of its own.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from . import (activation, attention, cells, channels, conv, conv_transpose, dense, merge, norm, pool, reshape, resize,
               sequence, tokens, transformer)
from .spelling import Kind, Spelling

FAMILY_MODULES = (conv, conv_transpose, dense, norm, activation, merge, pool, reshape, attention, transformer, resize,
                  sequence, cells, tokens, channels)
KINDS: tuple[Kind, ...] = tuple(k for module in FAMILY_MODULES for k in module.KINDS)
READERS = ("spec", "keras", "torch")


def _table(reader: str) -> Mapping[str, Spelling]:
    table: dict[str, Spelling] = {}
    for entry in KINDS:
        for spelling in entry.spellings:
            if spelling.reader == reader:
                if spelling.name in table:
                    raise ValueError(f"two {reader} spellings {spelling.name!r}")
                table[spelling.name] = spelling
    return MappingProxyType(table)


_TABLES = {reader: _table(reader) for reader in READERS}
_FUNCTIONAL = MappingProxyType({s.functional: s for s in _TABLES["keras"].values() if s.functional})


def spellings(reader: str) -> Mapping[str, Spelling]:
    """Name as the reader spells it -> its spelling, in declaration order."""
    return _TABLES[reader]


def functional() -> Mapping[str, Spelling]:
    """Keras' function forms (`add`, `concatenate`) -> the layer spelling they stand for."""
    return _FUNCTIONAL


def ops_of(family: str) -> tuple[str, ...]:
    """The ops of one family (`convolution`, `norm`, ...), in declaration order."""
    return tuple(k.cls.op for k in KINDS if k.cls.family == family)
