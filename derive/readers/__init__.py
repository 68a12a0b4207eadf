"""Readers: a block in the user's own words (a TOML spec, pasted Keras / PyTorch code) to a `Target`.

`load_file(path)` reads the file (or standard input for `-`) once, with bounds (`source.py`), and
hands the text to the spec reader (`spec.py`) or the code reader (`code.py`). Nothing in the text is
ever run: TOML is read by `tomllib`, Python by `ast.parse` and a small interpreter of our own
(`pycode.py`), sizes by whitelisted arithmetic (`astexpr.py`, `derive.expr`).
"""

from __future__ import annotations

import re

from ..blocks import Target
from .source import read_source

_TOML_HEADER = re.compile(r"^[ \t]*\[\[?[ \t]*(block|layers|symbols|options|input)\b", re.M)


def load_file(path: str) -> Target:
    """The target a `.toml` spec or a `.py` file describes; `-` reads standard input (either kind)."""
    source = read_source(path)
    if path.endswith(".toml") or (path == "-" and _TOML_HEADER.search(source.text)):
        from .spec import read_spec

        return read_spec(source)
    from .code import read_code

    return read_code(source)
