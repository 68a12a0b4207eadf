"""Reading LaTeX math a piece at a time, for measuring it (breaking.py) and writing it as Unicode
(plainmath.py): a command and the braced group after it."""

from __future__ import annotations

import re

COMMAND = re.compile(r"\\([A-Za-z]+|.)")  # `\frac`, `\,`: its name without the backslash


def group(text: str, i: int) -> tuple[str, int]:
    """The braced group (or one character or command) at `i`, after any spaces, as TeX reads a command's
    argument: its content and the index after it."""
    while i < len(text) and text[i] == " ":
        i += 1
    if i >= len(text):
        return "", i
    if text[i] != "{":
        m = COMMAND.match(text, i) if text[i] == "\\" else None
        return (m.group(), m.end()) if m else (text[i], i + 1)
    depth, j = 0, i
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        depth += {"{": 1, "}": -1}.get(text[j], 0)
        j += 1
        if depth == 0:
            break
    return text[i + 1:j - 1], j
