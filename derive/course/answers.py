"""The students' answers (`answers.csv`, the columns `student,part,answer`, a row per answer) as `derive
grade` reads them: rows read bounded (`tables.read_table`), each row's `part` matched to a question of the
key, each answer's text made readable for the safe parser the way students write numbers.

Students write `2,168`, `2 168` or `2'168` for 2168: digits grouped by threes with one separator are
joined before the answer is parsed (not the commas of a function's arguments, `max(3,128)`); a unit
after the answer (`2,168 parameters`, `params`, `weights`, `MACs`) is left out. Everything
else (`3x3x18`, `×`, `·`, `k²·t·C_in`, `(3*3*18)*18 = 2916`) the safe parser reads itself
(`checking.read_claim`). Which rows count: blank, repeated or unknown questions, unknown students, is
`grade.py`'s to decide; this module only reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ..checking import WHOLE
from ..records import frozen
from .tables import read_table

COLUMNS = ("student", "part", "answer")
OPTION = "ANSWERS"
TOTAL = "total"

# a number grouped by threes, one separator throughout (comma, space, no-break or thin space, apostrophe)
GROUPED = re.compile(r"(?<![\w.])(\d{1,3})([, '\u00a0\u2009\u202f])(\d{3})((?:\2\d{3})*)(?![\w.])")
CALL = re.compile(r"[A-Za-z_]\w*\s*\(")  # a function call: its commas separate arguments
UNIT = re.compile(r"\s+(?:parameters?|params?|weights|MACs?|multiply-accumulates)\s*\.?\s*\Z", re.IGNORECASE)


@frozen
class Answer:
    """One row of answers.csv: who, which question as written, the answer as written, its line."""

    student: str
    part: str
    text: str
    line: int


def read_answers(path: str) -> list[Answer]:
    """Every row of the answers file (a row without a student id or part is kept: grade notes it)."""
    rows = read_table(path, OPTION, COLUMNS)
    return [Answer(row["student"], row["part"], row["answer"], int(row["_line"])) for row in rows]


def question_of(part: str, questions: Sequence[str], aliases: Mapping[str, str]) -> str | None:
    """The question `part` names (a question's own name in any case, with spaces or hyphens for
    underscores, one of the target's aliases for it, or a word for the whole block: `total`, `all`, ...);
    None when it names none of `questions`."""
    wanted = part.strip().lower()
    if wanted in WHOLE:
        return TOTAL if TOTAL in questions else None
    key = re.sub(r"[\s-]+", "_", wanted)
    by_lower = {q.lower(): q for q in questions}
    for name in (key, aliases.get(key)):
        if name is not None and name.lower() in by_lower:
            return by_lower[name.lower()]
    return None


def readable(text: str) -> str:
    """The answer with its grouped numbers joined (`2,168` and `2 168` as `2168`) and a unit after it left
    out (`2168 parameters`, `1.2 MACs`), for the safe parser."""
    text = UNIT.sub("", text.strip())
    if not GROUPED.search(text):
        return text
    call = CALL.search(text) is not None

    def joined(match: re.Match) -> str:
        if call and match.group(2) == ",":
            return match.group()
        return match.group().replace(match.group(2), "")

    return GROUPED.sub(joined, text)
