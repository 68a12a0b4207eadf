"""Readers: a block in the user's own words (a TOML spec, pasted Keras / PyTorch code) to a `Target`.

`load_file(path)` reads the file (or standard input for `-`) once, with bounds (`source.py`; `load_text`
takes text pasted into `derive serve`'s page, under a file name of its own), and hands
the text to the spec reader (`spec.py`) or the code reader (`code.py`: the package `python/` interprets
a safe subset of Python over its syntax tree, one `visit_<Node>` per kind of node; the adapters in
`frameworks/` (`keras.py`, `torch.py`) follow each framework's models and assemble the block;
`layerargs.py` binds and reads a layer's arguments, from a TOML table or a call; `astexpr.py` does the
arithmetic on sizes; `names.py` makes the symbols). Which layers exist and how each reader spells them
is the layer registry's (`derive.layers`). Nothing in the text is ever run: TOML is read by `tomllib`,
Python by `ast.parse` and our own interpreter, sizes by whitelisted arithmetic (`derive.arithmetic`).
Standard input is a spec if it has a `[block]`, `[symbols]`, `[options]` or `[[layers]]` header, else
code.
"""

from __future__ import annotations

import re
from typing import Mapping

from ..blocks import Target
from ..errors import InputError
from .source import Source, pasted_source, read_source

_TOML_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*(block|layers|symbols|options)\b", re.M)


def load_file(path: str, entry: str | None = None, args: Mapping[str, str] | None = None) -> Target:
    """The target a `.toml` spec or a `.py` file describes; `-` reads standard input (either kind).
    For code, `entry` names the class or function to count and `args` its arguments (`entry.py`)."""
    return read_target(read_source(path), entry, args)


def load_text(text: str, name: str, entry: str | None = None, args: Mapping[str, str] | None = None) -> Target:
    """As `load_file`, for text given as it is (pasted into `derive serve`'s page) and read as the file
    `name` (`pasted.py` or `pasted.toml`): its errors point at `name:LINE:COL`."""
    return read_target(pasted_source(text, name), entry, args)


def read_target(source: Source, entry: str | None, args: Mapping[str, str] | None) -> Target:
    path = source.path
    if path.endswith(".toml") or (path == "-" and _TOML_HEADER.search(source.text)):
        if entry is not None or args:
            raise InputError("--entry and --arg choose what to count in a .py file, not in a spec",
                             "--entry" if entry is not None else "--arg")
        from .spec import read_spec

        return read_spec(source)
    from .code import read_code
    from .entry import Choice, read_args

    return read_code(source, Choice(entry, read_args(args or {})))


def list_file(path: str) -> dict:
    """What `derive list FILE.py` shows: the candidates to count, their parameters, and the default."""
    from .code import list_candidates

    return list_candidates(read_source(path))


def list_text(text: str, name: str) -> dict:
    """As `list_file`, for text given as it is, read as the file `name`."""
    from .code import list_candidates

    return list_candidates(pasted_source(text, name))
