"""Timing for the growth tests: the least CPU time of some work, in this process. A process's start-up
(~0.5 s of imports) and two processes' noise would drown what doubling an input adds."""

from __future__ import annotations

import gc
import time
from pathlib import Path
from typing import Callable, Sequence

from sympy.core.cache import clear_cache

from derive import cli


def least_time(work: Callable[[], object], runs: int = 5) -> float:
    """The least CPU time of `work` over `runs`, each from sympy's empty cache and with the cyclic garbage
    collector off, as the `derive` command runs (its passes over sympy's objects grow with all they hold)."""
    times = []
    for _ in range(runs):
        clear_cache()
        gc.disable()
        try:
            started = time.process_time()
            work()
            times.append(time.process_time() - started)
        finally:
            gc.enable()
    return min(times)


def command_time(argv: Sequence[str], out: Path, runs: int = 3) -> float:
    """The least CPU time of the whole command `derive ARGV -o OUT` (reading, deriving, rendering,
    writing, or refusing with its one line) run in this process; a traceback fails the test."""
    def work():
        status = cli.main([*argv, "-o", str(out)])
        assert status in (0, 1, 2), f"derive {' '.join(argv)} exited {status}"

    return least_time(work, runs)
