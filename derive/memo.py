"""Memos for a long-lived process: pure functions of sympy expressions whose answers a later request
asks for again, kept in bounded LRU caches, and only once `remember()` is called.

`derive serve`'s workers (web/pool.py) call it: a page asks for the same target again and again with
other sizes, and a network's formulas are the same whatever its sizes (MobileNetV2's are in its stage
widths c_0 … c_8 for every alpha), so their closed forms and their printing, most of the cost of its
JSON, are worked out once (the figures: bench/SERVE.md). The command does not: it lives a fraction of a
second, and every formula it prints it prints about once.
"""

from __future__ import annotations

import functools
from typing import Callable, TypeVar

F = TypeVar("F", bound=Callable)
SIZE = 20_000  # answers kept per function

_on = False


def remember() -> None:
    """From now on, the memoised functions keep their answers (for the rest of the process)."""
    global _on
    _on = True


def remembering() -> bool:
    return _on


def memoised(function: F) -> F:
    """`function` (of hashable arguments, with no effects) answering from its cache once `remember()` was called."""
    cached = functools.lru_cache(SIZE)(function)

    @functools.wraps(function)
    def call(*args):
        return cached(*args) if _on else function(*args)

    call.cache_info = cached.cache_info  # type: ignore[attr-defined]
    return call  # type: ignore[return-value]
