"""The adversarial corpus of issue 12 as a benchmark: run tests/test_adversarial_*.py (every attack as the
real process), log each attack's CPU time and peak memory, and report the slowest and the largest.

    python bench/adversarial.py                             # print the report
    python bench/adversarial.py --write bench/ADVERSARIAL.md  # and write it (`make bench`)
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHOWN = 8  # rows of each table


def run(log: Path) -> tuple[int, str]:
    env = {**os.environ, "DERIVE_ATTACK_LOG": str(log), "KERAS_BACKEND": "torch"}
    tests = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_adversarial_*.py"))
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider", *tests],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    lines = done.stdout.splitlines()
    summary = next((line for line in reversed(lines) if line.strip()), "")
    failed = [line.removeprefix("FAILED ") for line in lines if line.startswith("FAILED ")]
    return done.returncode, summary + "".join(f"; failed: {line[:160]}" for line in failed)


def table(rows: list[dict], key: str, unit: str) -> list[str]:
    lines = ["| test | command | exit | CPU | peak |", "| --- | --- | ---: | ---: | ---: |"]
    for row in sorted(rows, key=lambda r: r[key], reverse=True)[:SHOWN]:
        command = " ".join(row["argv"]).replace("|", "\\|")[:80]
        lines.append(f"| `{row['test'].rpartition('::')[2][:60]}` | `derive {command}` | {row['status']} | "
                     f"{row['seconds']:.2f} s | {row['mebibytes']:.0f} MiB |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", metavar="PATH", help="also write the Markdown report there")
    args = parser.parse_args()
    started = datetime.datetime.now(datetime.timezone.utc)
    with tempfile.TemporaryDirectory(prefix="derive-attacks-") as folder:
        log = Path(folder) / "attacks.jsonl"
        status, summary = run(log)
        rows = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] if log.exists() else []
    if not rows:
        sys.exit(f"no attack was logged ({summary or 'pytest exit ' + str(status)})")
    slowest, largest = max(rows, key=lambda r: r["seconds"]), max(rows, key=lambda r: r["mebibytes"])
    lines = ["# The adversarial corpus (issue 12)", "",
             f"Written by `make bench` (`bench/adversarial.py`), {started:%Y-%m-%d %H:%M} UTC: "
             f"{len(rows):,} attacks run as the real process by tests/test_adversarial_*.py ({summary}). "
             "CPU is the child's user + system time (TeX's, for `--format pdf`, included) and peak its "
             "`ru_maxrss`, both from `os.wait4`; the bound for each is 2 s and 300 MiB. The peak counts the "
             "pages the child shares with pytest when it forks (about 86 MiB here), so it is an upper bound: "
             "derive's own runs take 58-66 MiB (bench/RESULTS.md).", "",
             f"- slowest: {slowest['seconds']:.2f} s of CPU (`{slowest['test'].rpartition('::')[2]}`)",
             f"- largest: {largest['mebibytes']:.0f} MiB (`{largest['test'].rpartition('::')[2]}`)", "",
             "## The slowest", "", *table(rows, "seconds", "s"), "",
             "## The largest", "", *table(rows, "mebibytes", "MiB"), ""]
    text = "\n".join(lines)
    print(text, end="")
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")
    if status != 0:
        sys.exit(f"the corpus did not pass: {summary}")


if __name__ == "__main__":
    main()
