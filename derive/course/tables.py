"""CSV files in and out: a roster, the students' answers, the key, the grades.

In: at most `MAX_BYTES` of UTF-8 (a byte-order mark allowed), the header's column names matched without
regard to case or surrounding spaces, each required column present, at most `MAX_ROWS` rows and
`MAX_CELL` characters a cell; anything else is one error naming FILE:LINE. Out: every cell that a
spreadsheet would read as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage return) is
written with a `'` in front (OWASP's advice on CSV injection), so the file is safe to open.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from ..errors import InputError
from ..files import read_capped

MAX_BYTES = 1_000_000
MAX_ROWS = 20_000
MAX_CELL = 2_000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def read_table(path: str, option: str, required: Sequence[str], limit: int = MAX_BYTES) -> list[dict[str, str]]:
    """The rows of the CSV file at `path` (`-`: standard input) as dicts keyed by the lower-cased column
    names, each with a "_line" key (its line in the file, for messages); `required` columns must be there."""
    data = read_capped(path, limit, f"{option} {path}")
    if len(data) > limit:
        raise InputError(f"larger than {limit:,} bytes", path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        start = error.start + (3 if data.startswith(b"\xef\xbb\xbf") else 0)
        raise InputError(f"not UTF-8 text (byte {start})", f"{path}:{_line_of(data, start)}") from None
    if "\x00" in text:
        start = data.index(b"\x00")
        raise InputError(f"not a CSV file (a NUL byte at byte {start})", f"{path}:{_line_of(data, start)}")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise InputError(f"not a CSV file: {error}", f"{path}:1") from None
    if header is None or not any(cell.strip() for cell in header):
        raise InputError(f"empty: a header line with the columns {', '.join(required)} comes first", path)
    names = [cell.strip().lower() for cell in header]
    for name in names:
        if len(name) > MAX_CELL:
            raise InputError(f"a column name longer than {MAX_CELL:,} characters", f"{path}:1")
    missing = [c for c in required if c not in names]
    if missing:
        shown = ", ".join(repr(n) for n in names[:8] if n) or "none"
        other = next((s for s in (";", "\t") if any(s in n for n in names)), None)
        hint = f"; columns are separated by commas, not {other!r}" if other else ""
        raise InputError(f"no column {', '.join(missing)} in the header line (its columns: {shown}){hint}",
                         f"{path}:1")
    rows: list[dict[str, str]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if len(rows) == MAX_ROWS:
                raise InputError(f"more than {MAX_ROWS:,} rows", f"{path}:{line}")
            if len(cells) > len(names):
                raise InputError(f"{len(cells)} cells in a row under a header of {len(names)} columns",
                                 f"{path}:{line}")
            row = {"_line": str(line)}
            for name, cell in zip(names, cells):
                if len(cell) > MAX_CELL:
                    raise InputError(f"a cell longer than {MAX_CELL:,} characters", f"{path}:{line}")
                if name and name not in row:
                    row[name] = cell.strip()
            for name in names:
                row.setdefault(name, "")
            rows.append(row)
    except csv.Error as error:
        raise InputError(f"not a CSV file: {error}", f"{path}:{reader.line_num}") from None
    return rows


def _line_of(data: bytes, offset: int) -> int:
    """The line (from 1) that byte `offset` of `data` is on."""
    return data.count(b"\n", 0, offset) + 1


def safe_cell(value: object) -> str:
    """A cell as text that no spreadsheet runs: `=HYPERLINK(...)` becomes `'=HYPERLINK(...)`. Numbers
    (negative ones too) stay numbers."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, object]]) -> str:
    """A CSV file's text: the header, then a line per row, every cell through `safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for cells in ([safe_cell(c) for c in columns], *([safe_cell(row.get(c)) for c in columns] for row in rows)):
        # a carriage return inside a cell is no line end to csv's writer under "\n" endings: quoted, the row
        # reads back as written
        (quoted if any("\r" in cell for cell in cells) else writer).writerow(cells)
    return out.getvalue()
