"""The two kinds of failure a user can meet, each printed as one line by the command line.

`InputError` is bad input (exit 2); `ToolError` is a missing or failing external tool such as TeX
(exit 3). Both carry *where* (an option such as ``--set C_in=x``, or ``FILE:LINE:COL``) apart from
*what*, so every caller can add the place it knows without rewording the message.
"""

from __future__ import annotations

import copy


class DeriveError(Exception):
    """Base class: a message meant for the user, with an optional place."""

    exit_status = 2

    def __init__(self, what: str, where: str | None = None) -> None:
        super().__init__(what)
        self.what = what
        self.where = where

    def at(self, where: str) -> "DeriveError":
        """The same error with a place in front of the one it has (outermost first)."""
        moved = copy.copy(self)
        moved.where = where if self.where is None else f"{where}: {self.where}"
        return moved

    def __str__(self) -> str:
        return self.what if self.where is None else f"{self.where}: {self.what}"


class InputError(DeriveError):
    """Bad input or usage: exit status 2."""


class ExprError(InputError):
    """An expression that cannot be read, with its 1-based line and column inside the text."""

    def __init__(self, what: str, line: int = 1, col: int = 1, where: str | None = None) -> None:
        super().__init__(what, where if where is not None else f"{line}:{col}")
        self.line = line
        self.col = col


class ToolError(DeriveError):
    """A needed external tool (TeX) is missing or failed: exit status 3."""

    exit_status = 3
