"""Where derive's own work goes: cProfile of one in-process `derive show ...` (default: mobilenetv2, latex).

The floor (`import sympy, jinja2`) is imported before profiling starts, so what is profiled is what
derive adds to it: importing derive's own modules, building, deriving, rendering. The output goes to
a buffer, not the terminal.

    python bench/profile_show.py                       # by package, derive's top 25, top 12 by own time, imports
    python bench/profile_show.py show mobilenetv2 --format text
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import subprocess
import sys
import time

import jinja2  # noqa: F401  (the floor: not profiled)
import sympy  # noqa: F401

DEFAULT = ["show", "mobilenetv2", "--format", "latex"]


def where(key: tuple[str, int, str]) -> str:
    """`derive/presentation/printing.py:12 latex` or `sympy/core/expr.py:100 expand` or `~ <built-in ...>`."""
    path, line, function = key
    if path == "~":
        return function
    parts = path.replace(os.sep, "/").split("/")
    for root in ("derive", "sympy", "jinja2", "latexcodec", "importlib", "re", "json", "argparse"):
        if root in parts:
            path = "/".join(parts[len(parts) - parts[::-1].index(root) - 1:])
            break
    else:
        path = parts[-1]
    return f"{path}:{line} {function}"


def profile(argv: list[str]) -> tuple[pstats.Stats, float, int]:
    profiler = cProfile.Profile()
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        profiler.enable()
        from derive.cli import main

        status = main(argv)
        profiler.disable()
    return pstats.Stats(profiler), time.perf_counter() - start, status


def package(key: tuple[str, int, str]) -> str:
    """Whose code a function is: derive, a template, sympy, jinja2, the import machinery, or other."""
    path, _, function = key
    parts = path.replace(os.sep, "/").split("/")
    if path.endswith(".j2"):
        return "templates (jinja2, compiled)"
    if "derive" in parts and "site-packages" not in parts[parts.index("derive"):]:
        return "derive"
    for name in ("sympy", "jinja2", "mpmath", "latexcodec"):
        if name in parts:
            return name
    if "importlib" in path or function in ("<built-in method marshal.loads>", "<built-in method builtins.exec>",
                                            "<built-in method _imp.create_dynamic>", "<built-in method _io.open_code>"):
        return "imports (loading modules)"
    return "other (standard library, builtins)"


def by_package(stats: pstats.Stats, total: float) -> list[str]:
    """Own time summed by whose code it is; a builtin's (`isinstance`, `dict.get`) goes to its callers'."""
    sums: dict[str, float] = {}
    for key, (_, _, own, _, callers) in stats.stats.items():  # type: ignore[attr-defined]
        whose = package(key)
        if key[0] == "~" and whose.startswith("other") and callers:
            for caller, (_, _, caller_own, _) in callers.items():
                sums[package(caller)] = sums.get(package(caller), 0.0) + caller_own
        else:
            sums[whose] = sums.get(whose, 0.0) + own
    lines = ["| code | own time | share |", "| --- | ---: | ---: |"]
    for name, own in sorted(sums.items(), key=lambda item: -item[1]):
        lines.append(f"| {name} | {own * 1000:.0f} ms | {own / total:.0%} |")
    return lines


def table(stats: pstats.Stats, total: float, by: str, top: int, only: tuple[str, ...] = ()) -> list[str]:
    """Rows `calls | cumulative | own | function`, sorted by cumulative (`cum`) or own (`own`) time;
    `only`: the functions of these packages. The import machinery's frames are left out."""
    rows = [(key, value) for key, value in stats.stats.items()  # type: ignore[attr-defined]
            if not key[0].startswith("<frozen") and key[2] != "<built-in method builtins.exec>"
            and (not only or package(key) in only)]
    index = 3 if by == "cum" else 2
    rows.sort(key=lambda row: row[1][index], reverse=True)
    lines = ["| calls | cumulative | own | function |", "| ---: | ---: | ---: | --- |"]
    for key, (_, calls, own, cumulative, _) in rows[:top]:
        lines.append(f"| {calls} | {cumulative * 1000:.0f} ms ({cumulative / total:.0%}) | {own * 1000:.0f} ms "
                     f"| `{where(key)}` |")
    return lines


IMPORTS = """
import contextlib, io, sys
import sympy, jinja2
sys.stderr.write("-- floor imported --\\n")
from derive.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    main(sys.argv[1:])
"""


def import_times(argv: list[str], top: int) -> list[str]:
    """The modules imported after the floor, outermost only, by `python -X importtime` in a child:
    derive's own and those sympy imports lazily on first use."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", IMPORTS, *argv], env=env, check=True,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    rows = []
    for line in done.stderr.split("-- floor imported --\n", 1)[1].splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) == 3 and fields[2].startswith(" ") and not fields[2].startswith("  "):
            rows.append((int(fields[1]), fields[2].strip()))  # microseconds, outermost module
    rows.sort(reverse=True)
    lines = [f"Imported after the floor: {sum(us for us, _ in rows) / 1000:.0f} ms in {len(rows)} outermost "
             f"imports (`python -X importtime`, each with what it imports):", "",
             "| module | cumulative |", "| --- | ---: |"]
    lines += [f"| `{name}` | {us / 1000:.1f} ms |" for us, name in rows[:top]]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("argv", nargs=argparse.REMAINDER, help="derive's arguments (default: %(default)s)")
    args = parser.parse_args()
    argv = args.argv or DEFAULT
    stats, total, status = profile(argv)
    if status:
        sys.exit(f"derive {' '.join(argv)} exited with status {status}")
    print(f"`derive {' '.join(argv)}` in process, after `import sympy, jinja2`: {total * 1000:.0f} ms "
          f"under the profiler (which slows Python code down, so read shares, not times).\n")
    print("Own time (in the function itself, not what it calls), by whose code it is:\n")
    print("\n".join(by_package(stats, total)))
    print("\nderive's functions and templates by cumulative time (the function and what it calls):\n")
    print("\n".join(table(stats, total, "cum", args.top, only=("derive", "templates (jinja2, compiled)"))))
    print("\nAll functions by own time:\n")
    print("\n".join(table(stats, total, "own", max(10, args.top // 2))))
    print()
    print("\n".join(import_times(argv, max(8, args.top // 2))))


if __name__ == "__main__":
    main()
