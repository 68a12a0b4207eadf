"""An HTTP answer as the workers give it and the server sends it (status, media type, body), and the
one-line error answer every failure is. Light on purpose: the server's own process imports it (and
never sympy: the derivations are the workers')."""

from __future__ import annotations

import json
from typing import NamedTuple

JSON = "application/json"


class Answer(NamedTuple):
    """An HTTP answer: status, media type and body; `compile`: the body is TeX to compile into the PDF."""

    status: int
    media: str
    body: bytes
    compile: bool = False


def failed(line: str, status: int = 422) -> Answer:
    """`{"error": LINE}`, the line as the command prints it (`derive: error: …`)."""
    return Answer(status, JSON, json.dumps({"error": line}, ensure_ascii=False).encode("utf-8"))
