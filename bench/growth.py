"""Issue 13's linearity measure: derive's own work on the generated inputs of bench/inputs.py from 100 to 1,000
layers, in process (no interpreter start-up or imports to drown it), as tests/helpers/timing.py times it: the
least CPU time of `derive show FILE -o OUT` over a few runs, each from sympy's empty cache with the cyclic
garbage collector off, as the `derive` command runs. The target: 1,000 layers ≤ 12× the work of 100.

    python bench/growth.py                       # print the table
    python bench/growth.py --write bench/GROWTH.md
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import gc
import io
import sys
import tempfile
import time
from pathlib import Path

from sympy.core.cache import clear_cache

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import inputs

from derive import cli

GROWTH = 12.0
SIZES = (100, 1000)


def least_time(argv: list[str], runs: int) -> tuple[float, int, str]:
    """The least CPU time of `derive ARGV` in this process, its exit status and its last line on stderr."""
    times, status, said = [], 0, ""
    for _ in range(runs):
        clear_cache()
        err = io.StringIO()
        gc.disable()
        try:
            started = time.process_time()
            with contextlib.redirect_stderr(err):
                status = cli.main(argv)
            times.append(time.process_time() - started)
        finally:
            gc.enable()
        said = next((line for line in reversed(err.getvalue().splitlines()) if line.strip()), "")
        if status != 0:
            break
    return min(times), status, said


def inputs_of(kind: str, layers: int) -> tuple[str, int]:
    """The generated code with about `layers` layers, and the layers it has."""
    if kind == "keras":
        return inputs.keras_sequence_code(layers), layers
    blocks = inputs.blocks_for_modules(layers)
    return inputs.transformer_code(blocks), inputs.transformer_modules(blocks)


def measure(runs: int) -> list[str]:
    rows = ["| input | layers | lines | derive's own work (CPU, in process) | ÷ 100 layers | target ≤ 12× |",
            "| --- | ---: | ---: | ---: | ---: | --- |"]
    with tempfile.TemporaryDirectory() as folder:
        for kind, label in (("keras", "Keras sequence model (`keras.Sequential`)"),
                            ("torch", "PyTorch encoder–decoder transformer, written out")):
            base = None
            for size in SIZES:
                code, layers = inputs_of(kind, size)
                path = Path(folder) / f"{kind}_{size}.py"
                path.write_text(code, encoding="utf-8")
                seconds, status, said = least_time(["show", str(path), "-o", str(Path(folder) / "out.txt")], runs)
                lines = code.count("\n")
                if status != 0:
                    rows.append(f"| {label} | {layers:,} | {lines:,} | refused: `{said}` | | not measured |")
                    base = None
                    continue
                ratio = "" if base is None else f"{seconds / base:.1f}×"
                verdict = "" if base is None else ("met" if seconds / base <= GROWTH else "**not met**")
                rows.append(f"| {label} | {layers:,} | {lines:,} | {seconds * 1000:,.0f} ms | {ratio} | {verdict} |")
                base = seconds if size == SIZES[0] else base
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per input; the least counts (default %(default)s)")
    parser.add_argument("--write", metavar="PATH", help="also write the Markdown report there")
    args = parser.parse_args()
    started = datetime.datetime.now(datetime.UTC)
    before = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    rows = measure(args.runs)
    after = " ".join(Path("/proc/loadavg").read_text().split()[:3])
    text = "\n".join([
        "# derive's own work from 100 to 1,000 layers (issue 13)", "",
        f"Written by `bench/growth.py`, started {started:%Y-%m-%d %H:%M} UTC: the least CPU time of {args.runs} "
        "runs of `derive show FILE` in process (from sympy's empty cache, the garbage collector off, as the "
        "command runs), on the generators of `bench/inputs.py` (whose 2,000-line and 500-layer instances are "
        "`bench/inputs/`).", "", f"Load average {before} before, {after} after (2 cores, shared).", "", *rows, ""])
    print(text, end="")
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
