"""The text of a file target, read once with bounds, and the places in it errors point to.

A target is read as bytes (at most `MAX_BYTES`; `-` is standard input), decoded as UTF-8 and kept
with the name errors show (`<stdin>` for `-`). Every later stage reports a place as
`FILE:LINE:COL`, 1-based, the column counted in characters (Python's `ast` counts UTF-8 bytes).
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from .. import budget
from ..errors import InputError
from ..files import read_capped
from ..records import frozen

MAX_BYTES = 200_000  # a block's code or spec; and so that any file is answered within a second
STDIN = "<stdin>"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@frozen
class Source:
    """A file's text and how to point into it."""

    path: str  # as given ("-" for standard input)
    text: str

    @property
    def display(self) -> str:
        return STDIN if self.path == "-" else self.path

    @property
    def stem(self) -> str:
        """A name for the target that is safe as a file name (`out/<name>.pdf`)."""
        if self.path == "-":
            return "stdin"
        return _SAFE_NAME.sub("_", Path(self.path).stem).strip("._-")[:64] or "block"

    def where(self, line: int | None = None, col: int | None = None) -> str:
        if line is None:
            return self.display
        return f"{self.display}:{line}:{col or 1}"

    def error(self, what: str, line: int | None = None, col: int | None = None) -> InputError:
        return InputError(what, self.where(line, col))

    @cached_property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def char_col(self, line: int, byte_offset: int) -> int:
        """The 1-based character column of a UTF-8 byte offset into `line` (as `ast` gives it)."""
        text = self.line_text(line)
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1


def read_source(path: str) -> Source:
    """The file (or standard input for `-`) as text: at most `MAX_BYTES`, UTF-8, no NUL bytes."""
    display = STDIN if path == "-" else path
    data = read_capped(path, MAX_BYTES, display)
    budget.allow(min(len(data), MAX_BYTES))  # the command's CPU time grows with the file it reads
    return decode_source(data, path)


def pasted_source(text: str, name: str) -> Source:
    """Text given as it is (pasted into `derive serve`'s page) read as if it were the file `name`: the same
    bounds and the same errors, at `name:LINE:COL`. A lone surrogate, which JSON can carry but no UTF-8
    file can, is refused where it stands, as the bytes a file would hold there."""
    return decode_source(text.encode("utf-8", "surrogatepass"), name)


def decode_source(data: bytes, path: str) -> Source:
    """The bytes of a target as its text, or one error at the first place that is not text."""
    display = STDIN if path == "-" else path
    if len(data) > MAX_BYTES:
        raise InputError(f"file too large (over {MAX_BYTES // 1000} KB): derive reads one block's code or spec",
                         display)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        col = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise InputError("not UTF-8 text (a binary file?)", f"{display}:{line}:{col}") from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        col = offset - (text.rfind("\n", 0, offset) + 1) + 1
        raise InputError("NUL character: not a text file", f"{display}:{line}:{col}")
    return Source(path, text)
