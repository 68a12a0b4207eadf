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
import resource
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


# As installed for a user: byte-compiled (pip compiles on install; the warm-up run writes the cache
# for a checkout), so PYTHONDONTWRITEBYTECODE, set in some shells, must not make every run recompile.
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def once(command: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(repeat: int) -> dict[str, list[tuple[float, float]]]:
    times: dict[str, list[tuple[float, float]]] = {"floor": [], **{name: [] for name in COMMANDS}}
    for command in [FLOOR, *COMMANDS.values()]:  # warm the file cache once
        once(command)
    for _ in range(repeat):
        times["floor"].append(once(FLOOR))
        for name, command in COMMANDS.items():
            times[name].append(once(command))
    return times


def medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def report(times: dict[str, list[tuple[float, float]]], repeat: int) -> str:
    floor, floor_cpu = medians(times["floor"])
    lines = [
        "# derive benchmarks",
        "",
        f"{datetime.date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, median of {repeat} paired runs (`make bench`).",
        "",
        "| command | wall, median | over the floor | CPU, median | over the floor |",
        "| --- | ---: | ---: | ---: | ---: |",
        f"| `python -c \"import sympy, jinja2\"` (floor) | {floor * 1000:.0f} ms | | {floor_cpu * 1000:.0f} ms | |",
    ]
    for name in COMMANDS:
        wall, cpu = medians(times[name])
        lines.append(f"| `derive {name}` | {wall * 1000:.0f} ms | {(wall - floor) * 1000:+.0f} ms "
                     f"| {cpu * 1000:.0f} ms | {(cpu - floor_cpu) * 1000:+.0f} ms |")
    lines += ["", "CPU time (user + system of the child process) is steadier than wall-clock time on a shared "
              "virtual machine; both are medians over the same paired runs."]
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
