"""Time `derive show mobilenetv2-block --format json` against the import floor, in one run.

The floor is `python -c "import sympy, jinja2"`: what any derive command pays before doing anything.
Commands are run alternately (paired), `--repeat` times each; medians are reported with the figure
that matters, derive's own work: median(derive) − median(floor). Target (issue 2): ≤ 150 ms.

    python bench/bench_show.py                      # print
    python bench/bench_show.py --write bench/RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import subprocess
import sys
import time

FLOOR = [sys.executable, "-c", "import sympy, jinja2"]
COMMANDS = {
    "show mobilenetv2-block --format json": [sys.executable, "-m", "derive", "show", "mobilenetv2-block",
                                             "--set", "C_in=3", "--set", "t=6", "--set", "C_out=3",
                                             "--format", "json"],
    "show mobilenetv2-block (text)": [sys.executable, "-m", "derive", "show", "mobilenetv2-block",
                                      "--set", "C_in=3", "--set", "t=6", "--set", "C_out=3"],
    "list": [sys.executable, "-m", "derive", "list"],
}


def once(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(repeat: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"floor": [], **{name: [] for name in COMMANDS}}
    for command in [FLOOR, *COMMANDS.values()]:  # warm the file cache once
        once(command)
    for _ in range(repeat):
        times["floor"].append(once(FLOOR))
        for name, command in COMMANDS.items():
            times[name].append(once(command))
    return times


def report(times: dict[str, list[float]], repeat: int) -> str:
    floor = statistics.median(times["floor"])
    lines = [
        "# derive benchmarks",
        "",
        f"{datetime.date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, median of {repeat} paired runs (`make bench`).",
        "",
        "| command | median | over the floor |",
        "| --- | ---: | ---: |",
        f"| `python -c \"import sympy, jinja2\"` (floor) | {floor * 1000:.0f} ms | |",
    ]
    for name in COMMANDS:
        median = statistics.median(times[name])
        lines.append(f"| `derive {name}` | {median * 1000:.0f} ms | {(median - floor) * 1000:+.0f} ms |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--write", metavar="PATH", help="also write the Markdown table there")
    args = parser.parse_args()
    text = report(measure(args.repeat), args.repeat)
    print(text, end="")
    if args.write:
        with open(args.write, "w", encoding="utf-8") as handle:
            handle.write(text)


if __name__ == "__main__":
    main()
