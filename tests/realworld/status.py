"""Which snippets of the corpus derive reads exactly, which it refuses (with its line) and which differ.

    KERAS_BACKEND=torch PYTHONPATH=. python tests/realworld/status.py [--markdown] [NAME ...]
"""

from __future__ import annotations

import argparse
import collections
import os
import re
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for helpers

from helpers.realworld import derive_reads, differences, snippets, truth


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these snippets (file names without .py)")
    parser.add_argument("--markdown", action="store_true", help="a Markdown table")
    args = parser.parse_args()
    rows, counts = [], collections.Counter()
    with tempfile.TemporaryDirectory() as workdir:
        for snippet in snippets():
            if args.names and snippet.key not in args.names:
                continue
            try:
                expected = truth(snippet)
            except Exception as error:  # noqa: BLE001 - the table says so
                status, detail = "truth-fails", f"{type(error).__name__}: {error}"
            else:
                reading = derive_reads(snippet, Path(workdir))
                if reading.figures is None:
                    status = "crash" if reading.refusal.startswith("crash") else "refused"
                    detail = reading.refusal
                else:
                    wrong = differences(expected, reading)
                    status, detail = ("differs", "; ".join(wrong)) if wrong else ("exact", "")
            counts[status] += 1
            rows.append((snippet.key, snippet.framework, status, detail))
            print(f"{snippet.key:40} {snippet.framework:8} {status:10} {detail}", file=sys.stderr, flush=True)
    if args.markdown:
        print("| snippet | framework | status | derive's line / the difference |")
        print("| --- | --- | --- | --- |")
        for key, framework, status, detail in rows:
            print(f"| {key} | {framework} | {status} | {detail.replace('|', '/')} |")
    causes = collections.Counter(cause(detail) for _, _, status, detail in rows if status != "exact")
    if causes:
        print("\nnot exact, by cause (snippets):")
        for text, n in causes.most_common():
            print(f"  {n:3}  {text}")
    print("counts: " + ", ".join(f"{name} {n}" for name, n in counts.most_common()) + f" (of {len(rows)})")


def cause(detail: str) -> str:
    """derive's line without the file and place, so that snippets stopped by the same thing group together."""
    text = re.sub(r"^derive: error: (\S+?\.py(:\d+:\d+)?: )?", "", detail)
    return re.sub(r"\(at \S+?\.py:\d+:\d+, ", "(", text)


if __name__ == "__main__":
    main()
