"""Timing for the growth tests: the least CPU time of some work. A process's start-up (~0.5 s of
imports) and two processes' noise would drown what doubling an input adds, so the work is timed where
it runs, after a first run has warmed it up (imports, compiled templates).

`command_time` times a whole `derive` command in a fresh interpreter of its own (the test process,
after thousands of tests, has a heap that makes larger inputs cost more than they should);
`least_time` times work in this process."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

from sympy.core.cache import clear_cache

ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys
from derive import cli
from tests.helpers.timing import least_time
argv, runs = json.loads(sys.argv[1]), int(sys.argv[2])

def work():
    status = cli.main(argv)
    if status not in (0, 1, 2):
        sys.exit(f"derive exited {status}")

work()  # warms up: imports, templates
print(least_time(work, runs))
"""


def least_time(work: Callable[[], object], runs: int = 5) -> float:
    """The least CPU time of `work` over `runs`, each from sympy's empty cache, after a collection, with
    the cyclic garbage collector off, as the `derive` command runs (its passes over sympy's objects grow
    with all they hold)."""
    times = []
    for _ in range(runs):
        clear_cache()
        gc.collect()
        gc.disable()
        try:
            started = time.process_time()
            work()
            times.append(time.process_time() - started)
        finally:
            gc.enable()
    return min(times)


def fresh_time(code: str, *args: str) -> float:
    """What `code` prints last (a time it measured), run with `args` in a fresh interpreter of its own."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "KERAS_BACKEND": "torch"}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return float(done.stdout.strip().splitlines()[-1])


def command_time(argv: Sequence[str], out: Path, runs: int = 3) -> float:
    """The least CPU time of the whole command `derive ARGV -o OUT` (reading, deriving, rendering,
    writing, or refusing with its one line), timed inside a fresh interpreter; a traceback fails the test."""
    return fresh_time(CHILD, json.dumps([*argv, "-o", str(out)]), str(runs))
