"""`derive exercise` for a class of 150 (issue 17): the command end to end, as the lecturer runs it.

    derive exercise mobilenetv2-block --vary C_in=3..32 --vary t=2,4,6 --vary C_out=C_in..2*C_in \\
        --count 150 --seed 1 -o DIR

Each run is a fresh process into a fresh folder, TeX included (the two PDFs, each one pdflatex run, side
by side); the same with --no-pdf shows derive's own part. A warm-up run first (byte-code and TeX's file
caches), then `--repeat` runs of each, alternating; the figures are medians. Wall time around the child;
CPU is the child's user + system time from `os.wait4`, which counts the pdflatex runs it waited for.
Before timing, one run's output is checked: 150 pages in each PDF and 150 students in the key.

    python bench/exercise.py                            # print the section
    python bench/exercise.py --write bench/RESULTS.md   # and put it into the report (`make bench`, after run.py)

The section sits between two marker lines in the report; it replaces the one there, or is appended.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import (  # bench/run.py: the same harness
    derive_command,
    load,
    machine,
    ms,
    run,
    verdict,
)

TARGET = 30.0  # seconds, wall, TeX included (issue 17)
STUDENTS = 150
ARGS = ("exercise", "mobilenetv2-block", "--vary", "C_in=3..32", "--vary", "t=2,4,6", "--vary", "C_out=C_in..2*C_in",
        "--count", str(STUDENTS), "--seed", "1")
BEGIN = "<!-- bench/exercise.py: begin -->"
END = "<!-- bench/exercise.py: end -->"


def pages(pdf: Path) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def checked(folder: Path) -> list[str]:
    """What one run wrote, checked: the problems' and solutions' pages, the key's students, the sizes."""
    found = [pages(folder / "problems.pdf"), pages(folder / "solutions.pdf"),
             len(json.loads((folder / "key.json").read_text())["students"])]
    if found != [STUDENTS] * 3:
        raise SystemExit(f"bench/exercise.py: expected {STUDENTS} pages and students, found {found}")
    return [f"{name} {(folder / name).stat().st_size / 1024:,.0f} KiB" for name in
            ("problems.pdf", "solutions.pdf", "problems.tex", "solutions.tex", "key.json", "key.csv")]


def timed(argv: tuple[str, ...], folder: Path):
    shutil.rmtree(folder, ignore_errors=True)
    sample, status = run((*argv, "-o", str(folder)))
    if status != 0:
        raise SystemExit(f"bench/exercise.py: {' '.join(argv)} failed (exit status {status})")
    return sample


def section(full: list, bare: list, repeat: int, sizes: list[str], started: datetime.datetime,
            loads: tuple[str, str]) -> str:
    def median(samples, field):
        return statistics.median(getattr(s, field) for s in samples)

    wall = median(full, "wall")
    command = "derive " + " ".join(ARGS) + " -o DIR"
    lines = [
        BEGIN,
        "## derive exercise: a class of 150 (issue 17)",
        "",
        (f"Written by `bench/exercise.py`, started {started:%Y-%m-%d %H:%M} UTC: median of {repeat} runs each, "
         f"after a warm-up run; load average {loads[0]} before, {loads[1]} after."),
        "",
        *machine(),
        "",
        (f"`{command}`: {STUDENTS} problems and worked solutions (a page each, one document each, each compiled in "
         "one pdflatex run, the two side by side) and the key. Each run is a fresh process into a fresh folder; "
         "CPU is the child's user + system time with the pdflatex runs it waited for."),
        "",
        "| run | wall | CPU | peak (derive) |",
        "| --- | ---: | ---: | ---: |",
        f"| the command, TeX included | {wall:.2f} s | {median(full, 'cpu'):.2f} s | {median(full, 'peak'):.0f} MiB |",
        (f"| `--no-pdf`: derive's own part (variants, pages, .tex, key) | {median(bare, 'wall'):.2f} s | "
         f"{median(bare, 'cpu'):.2f} s | {median(bare, 'peak'):.0f} MiB |"),
        f"| per student, TeX included | {ms(wall / STUDENTS)} | | |",
        "",
        "| target | measured | |",
        "| --- | ---: | --- |",
        (f"| {STUDENTS} students, problems + solutions + key, TeX included, ≤ {TARGET:.0f} s wall | {wall:.2f} s "
         f"(runs {min(s.wall for s in full):.2f}–{max(s.wall for s in full):.2f} s) | {verdict(wall <= TARGET)} |"),
        "",
        (f"Checked on one run's output: {STUDENTS} pages in each PDF, {STUDENTS} students in the key; sizes: "
         + ", ".join(sizes) + "."),
        END,
    ]
    return "\n".join(lines) + "\n"


def written(report: str, text: str) -> str:
    """The report with the section in place of the one there, or after it."""
    if BEGIN in report and END in report:
        head, rest = report.split(BEGIN, 1)
        return head + text.rstrip("\n") + rest.split(END, 1)[1]
    return report.rstrip("\n") + "\n\n" + text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, choices=range(1, 100), default=3, metavar="N",
                        help="runs of each, with and without TeX (default %(default)s)")
    parser.add_argument("--write", metavar="PATH", help="also put the section into this Markdown report")
    args = parser.parse_args()
    started = datetime.datetime.now(datetime.UTC)
    command = (*derive_command(), *ARGS)
    workdir = Path(tempfile.mkdtemp(prefix="derive-bench-exercise-"))
    try:
        print("warm-up", file=sys.stderr)
        timed(command, workdir / "warm")
        sizes = checked(workdir / "warm")
        before = load()
        full, bare = [], []
        for i in range(args.repeat):
            print(f"run {i + 1} of {args.repeat}", file=sys.stderr)
            full.append(timed(command, workdir / "full"))
            bare.append(timed((*command, "--no-pdf"), workdir / "bare"))
        text = section(full, bare, args.repeat, sizes, started, (before, load()))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(text, end="")
    if args.write:
        path = Path(args.write)
        path.write_text(written(path.read_text(encoding="utf-8") if path.exists() else "", text), encoding="utf-8")


if __name__ == "__main__":
    main()
