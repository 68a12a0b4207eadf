"""The answer key of `derive exercise`: what it writes (`key.json`, `key.csv`) and what `derive grade` reads.

A `Key` holds how the exercise was made (target, convention, options, `--set`, `--vary`, seed, what was
asked) and a `Student` per problem: the varied sizes and the expected answer to each question. Questions
are the block's part names (as `show`'s JSON "parts") then `total`: the `all` count under the convention,
or the MACs with `--ask macs`; `--ask total` asks the total alone (`questions`, `answers`).

`read_key` reads a key back bounded (`MAX_BYTES`) and checks every field, so that a wrong or edited key is
one error line naming the file and the field; `Key.derivation(student)` derives that student's block again
(the target loaded once per key), for `grade` to judge answers against and to refuse a key whose answers
the derivation does not give.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence

import sympy

from .. import __version__
from ..errors import InputError
from ..files import read_capped
from ..records import frozen
from .tables import csv_text

FORMAT = "derive exercise key"
VERSION = 1
ASKS = ("parts", "total", "macs")
CONVENTIONS = ("paper", "pytorch", "keras")
MAX_BYTES = 20_000_000  # 10,000 students with their sizes and answers, with room to spare
MAX_STUDENTS = 10_000
MAX_ID = 200  # characters of a student id
FIELDS = ("format", "version", "derive", "target", "entry", "args", "convention", "options", "set", "vary",
          "seed", "ask", "questions", "students")
RATIONAL = re.compile(r"[1-9][0-9]{0,50}/[1-9][0-9]{0,50}\Z")


@frozen
class Student:
    """One student's problem: their id, the varied sizes (name → int, or a rational as text "7/20") and
    the expected answers (question → int)."""

    student: str
    values: Mapping[str, int | str]
    answers: Mapping[str, int]

    @property
    def sizes(self) -> dict[str, sympy.Expr]:
        """The varied sizes as numbers, for the derivation."""
        return {name: sympy.Integer(v) if isinstance(v, int) else sympy.Rational(v) for name, v in self.values.items()}

    def to_dict(self) -> dict:
        return {"student": self.student, "values": dict(self.values), "answers": dict(self.answers)}


@frozen
class Key:
    target: str
    entry: str | None
    args: Mapping[str, str]
    convention: str
    options: Mapping[str, str]
    set: Mapping[str, str]
    vary: Mapping[str, str]
    seed: int
    ask: str
    questions: tuple[str, ...]
    students: tuple[Student, ...]
    derive: str = __version__

    def to_dict(self) -> dict:
        return {"format": FORMAT, "version": VERSION, "derive": self.derive, "target": self.target,
                "entry": self.entry, "args": dict(self.args), "convention": self.convention,
                "options": dict(self.options), "set": dict(self.set), "vary": dict(self.vary), "seed": self.seed,
                "ask": self.ask, "questions": list(self.questions), "students": [s.to_dict() for s in self.students]}

    def to_json(self) -> str:
        """key.json's text: the same key, the same bytes."""
        head = json.dumps({k: v for k, v in self.to_dict().items() if k != "students"}, indent=2, ensure_ascii=False)
        students = ",\n".join("    " + json.dumps(s.to_dict(), ensure_ascii=False) for s in self.students)
        return head[:-2] + ',\n  "students": [\n' + students + "\n  ]\n}\n"

    def to_csv(self) -> str:
        """key.csv's text: a row per student with `student`, the varied sizes, then the answers (cells a
        spreadsheet would run are escaped: tables.csv_text)."""
        columns = ["student", *self.vary, *self.questions]
        rows = [{"student": s.student, **{n: str(v) for n, v in s.values.items()}, **s.answers} for s in self.students]
        return csv_text(columns, rows)

    def student(self, student_id: str) -> Student | None:
        return next((s for s in self.students if s.student == student_id), None)

    def derivation(self, student: Student):
        """The student's block derived again: the key's convention, options and `--set`, and their sizes."""
        from ..api import derive_target

        return derive_target(self.loaded(), self.convention, self.options, {**self.set, **student.sizes})

    def loaded(self):
        """The target, loaded once per key."""
        cache = _LOADED.get(id(self))
        if cache is None or cache[0] is not self:
            from ..api import load

            cache = (self, load(self.target, self.entry, self.args))
            _LOADED.clear()
            _LOADED[id(self)] = cache
        return cache[1]


_LOADED: dict[int, tuple[Key, object]] = {}


# -- the questions and their answers ---------------------------------------------------------------
def questions(derivation, ask: str) -> tuple[str, ...]:
    """What is asked of a derivation's block: its part names then `total` (`ask` parts or macs), or `total`."""
    if ask == "total":
        return ("total",)
    return (*(part.name for part in derivation.parts), "total")


def answers(derivation, ask: str) -> dict[str, int | None]:
    """The expected answer to each question: the `all` count under the derivation's convention, or its
    MACs with `ask` macs (None where a size the answer needs is unbound)."""
    figure = "macs" if ask == "macs" else "all"
    parts = {part.name: part.counts[figure].value for part in derivation.parts}
    return {q: derivation.total[figure].value if q == "total" else parts[q] for q in questions(derivation, ask)}


# -- reading a key back ---------------------------------------------------------------------------
def read_key(path: str) -> Key:
    """The key at `path`, every field checked: anything wrong is one error `PATH: FIELD: what`."""
    data = read_capped(path, MAX_BYTES, path)
    if len(data) > MAX_BYTES:
        raise InputError(f"larger than {MAX_BYTES:,} bytes: not a key derive exercise wrote", path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"not UTF-8 text (byte {error.start})", path) from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"not JSON: {error.msg}", f"{path}:{error.lineno}") from None
    except (RecursionError, ValueError) as error:
        raise InputError(f"not a key derive exercise wrote ({type(error).__name__})", path) from None
    return _key(obj, path)


def _key(obj: object, path: str) -> Key:
    def fail(field: str, what: str):
        raise InputError(what, f"{path}: {field}")

    if not isinstance(obj, dict):
        raise InputError("not a key derive exercise wrote (a JSON object comes first)", path)
    if obj.get("format") != FORMAT:
        raise InputError(f'not a key derive exercise wrote ("format" is not "{FORMAT}")', path)
    if obj.get("version") != VERSION:
        fail("version", f"version {_shown(obj.get('version'))}: this derive reads version {VERSION}")
    missing = [f for f in FIELDS if f not in obj]
    if missing:
        fail(missing[0], "missing")
    extra = [f for f in obj if f not in FIELDS]
    if extra:
        fail(_shown(extra[0]), "not a field of a key")
    if not isinstance(obj["derive"], str):
        fail("derive", "a version, as text")
    if not isinstance(obj["target"], str) or not obj["target"]:
        fail("target", "a target's name, as text")
    if obj["entry"] is not None and not isinstance(obj["entry"], str):
        fail("entry", "null or a name, as text")
    texts = {name: _texts(obj[name], name, fail) for name in ("args", "options", "set", "vary")}
    if obj["convention"] not in CONVENTIONS:
        fail("convention", f"one of {', '.join(CONVENTIONS)}, not {_shown(obj['convention'])}")
    if type(obj["seed"]) is not int:
        fail("seed", "a whole number")
    if obj["ask"] not in ASKS:
        fail("ask", f"one of {', '.join(ASKS)}, not {_shown(obj['ask'])}")
    asked = obj["questions"]
    if (not isinstance(asked, list) or not asked or not all(isinstance(q, str) and q for q in asked)
            or len(set(asked)) != len(asked) or asked[-1] != "total"):
        fail("questions", "a list of distinct part names ending with \"total\"")
    if obj["ask"] == "total" and asked != ["total"]:
        fail("questions", 'with ask "total", ["total"]')
    students = obj["students"]
    if not isinstance(students, list) or not students:
        fail("students", "a list of at least one student")
    if len(students) > MAX_STUDENTS:
        fail("students", f"more than {MAX_STUDENTS:,}")
    read = tuple(_student(s, i, texts["vary"], asked, fail) for i, s in enumerate(students))
    seen: set[str] = set()
    for i, s in enumerate(read):
        if s.student in seen:
            fail(f"students[{i}].student", f"{_shown(s.student)} appears twice")
        seen.add(s.student)
    return Key(obj["target"], obj["entry"], texts["args"], obj["convention"], texts["options"], texts["set"],
               texts["vary"], obj["seed"], obj["ask"], tuple(asked), read, obj["derive"])


def _texts(value: object, field: str, fail) -> dict[str, str]:
    if not isinstance(value, dict) or not all(isinstance(k, str) and k and isinstance(v, str) for k, v in value.items()):
        fail(field, "an object of names to text")
    return dict(value)


def _student(obj: object, i: int, vary: Mapping[str, str], asked: Sequence[str], fail) -> Student:
    field = f"students[{i}]"
    if not isinstance(obj, dict) or set(obj) != {"student", "values", "answers"}:
        fail(field, "an object with student, values and answers")
    student = obj["student"]
    problem = student_id_problem(student) if isinstance(student, str) else "a student id, as text"
    if problem:
        fail(f"{field}.student", problem)
    values = obj["values"]
    if not isinstance(values, dict) or list(values) != list(vary):
        fail(f"{field}.values", f"the varied sizes {', '.join(vary)}, in that order")
    for name, value in values.items():
        whole = type(value) is int and value > 0
        if not whole and not (isinstance(value, str) and RATIONAL.match(value)):
            fail(f"{field}.values.{name}", f"a positive whole number or a fraction like \"7/20\", not {_shown(value)}")
    given = obj["answers"]
    if not isinstance(given, dict) or list(given) != list(asked):
        fail(f"{field}.answers", f"an answer to each question ({', '.join(asked)}), in that order")
    for name, value in given.items():
        if type(value) is not int:
            fail(f"{field}.answers.{name}", f"a whole number, not {_shown(value)}")
    return Student(student, dict(values), dict(given))


def student_id_problem(text: str) -> str | None:
    """What is wrong with a student id (None: nothing): empty, too long, or holding control characters."""
    if not text.strip():
        return "a blank student id"
    if len(text) > MAX_ID:
        return f"a student id longer than {MAX_ID} characters"
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in text):
        return "a control character in a student id"
    return None


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else text[:37] + "..."
