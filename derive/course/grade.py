"""`derive grade KEY.json ANSWERS.csv [--no-pdf] [-o DIR]`: every student's answers judged against their
own sizes, the mistakes named, and what the class got wrong most.

The key is read (`key.read_key`) and verified: each student's block is derived again and must give the
key's answers, else the key is refused (made by another derive, or edited). Each answer is judged by
`checking.judge` on that student's derivation (the part it names, or the whole block for `total`), the
verdict's mistakes named by their kind; with `--ask macs` keys the answer's value is compared with the
MACs and no mistake is named. Per student and question: right, wrong (with its mistakes), blank,
unreadable (the parser's message) or missing. Rows that cannot count are noted with the student they
belong to, never fatal: a student the key does not have (an id that differs from one of the key's only in
case is that student's), a part that is not a question, a question answered again (the first answer
counts). Only a file that cannot be used at all is an error.

Out, each rendered before any is written, then written atomically into DIR (default out/grades):
`grades.csv` (a row per student; cells safe in a spreadsheet), `feedback/<id>.md` per student,
`summary.md`, `summary.tex` and its PDF (unless --no-pdf), and a short summary on standard output. The
words (mistakes, verdicts, notes) are in templates/course/_grade_words.j2; the layouts beside it.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from .. import budget
from ..errors import InputError, ToolError
from ..presentation.templating import get_template
from ..records import frozen
from .answers import TOTAL, Answer, question_of, read_answers, readable
from .key import Key, Student, read_key
from .key import answers as key_answers
from .key import questions as key_questions
from .tables import csv_text

DEFAULT_DIR = "out/grades"
SECONDS_PER_ANSWER = 0.05  # judging one answer (2-15 ms here) and its feedback, with room for a slower machine
SECONDS_PER_STUDENT = 0.02  # deriving a student's block again (1.6 ms) and rendering their feedback
WORDS = "course/_grade_words.j2"
FEEDBACK = "course/feedback.md.j2"
SUMMARY_MD = "course/summary.md.j2"
SUMMARY_TEX = "course/summary.tex.j2"
SUMMARY_TEXT = "course/grade.txt.j2"
SLUG_CHARS = 60  # of a feedback file's name, before `.md`


@frozen
class Graded:
    """One question of one student: the verdict, and what it rests on."""

    question: str
    status: str  # right, wrong, blank, unreadable, missing
    text: str | None  # the answer as written; None: no row
    line: int | None
    expected: int
    mistakes: tuple[str, ...] = ()  # kinds, for wrong answers
    diagnosis: tuple[str, ...] = ()  # the check's sentences, in Markdown (verdicts.diagnosis_markdown)
    message: str | None = None  # unreadable: the parser's message
    column: int | None = None  # and the character of the answer it points at


@frozen
class Note:
    """A row that did not count, said with the student it belongs to."""

    kind: str  # not_in_key, not_a_question, twice, no_part
    line: int | None = None
    part: str | None = None
    question: str | None = None


@frozen
class Report:
    student: str
    student_values: Mapping[str, object]  # the student's varied sizes ({} when not in the key)
    known: bool
    graded: tuple[Graded, ...]
    notes: tuple[Note, ...]
    file: str  # the feedback file's name, under feedback/

    @property
    def right(self) -> int:
        return sum(g.status == "right" for g in self.graded)


def run(args: argparse.Namespace) -> int:
    from ..cli import say, write
    from ..commands import printable
    from ..files import write_folder
    from ..presentation.pdf import MISSING, tex_available

    key = read_key(args.key)
    rows = read_answers(args.answers)
    folder = Path(args.output or DEFAULT_DIR)
    where = f"-o {args.output or DEFAULT_DIR}"
    if folder.exists() and not folder.is_dir():
        raise InputError("is not a folder", where)
    if args.pdf and not tex_available():
        raise ToolError(f"{MISSING}; or give --no-pdf", "summary.pdf")
    budget.allow_seconds(SECONDS_PER_STUDENT * len(key.students) + SECONDS_PER_ANSWER * len(rows))
    derivations = verified(key, args.key)
    reports = grade(key, derivations, rows)
    words = vocabulary()
    summary = summary_view(key, reports, rows, words)
    files = rendered(key, reports, summary, words, args.pdf)

    feedback = [name for name in files if name.startswith("feedback/")]
    last = str(folder / feedback[-1]) if feedback else None

    def wrote(path: str) -> None:
        if not path.startswith(str(folder / "feedback") + os.sep):
            say(f"derive: wrote {printable(path)}")
        elif path == last:  # the folder once, not a line per student
            say(f"derive: wrote {printable(str(folder / 'feedback'))}/ ({len(feedback)} file{'s' * (len(feedback) != 1)})")

    write_folder(folder, files, where, (args.key, args.answers), wrote)
    write(get_template(SUMMARY_TEXT, "text").render(summary), None)
    return 0


# -- the key, verified --------------------------------------------------------------------------------
def verified(key: Key, path: str) -> list:
    """Each student's derivation; the key refused (one line) where it does not give the key's answers."""
    from .. import __version__

    out = []
    for i, student in enumerate(key.students):
        try:
            derivation = key.derivation(student)
        except InputError as error:
            raise error.at(f"{path}: students[{i}]") from None
        if i == 0 and tuple(key_questions(derivation, key.ask)) != tuple(key.questions):
            raise InputError(f"its questions ({', '.join(key.questions)}) are not those of {key.target} "
                             f"({', '.join(key_questions(derivation, key.ask))}): edited, or made by another "
                             f"derive ({key.derive}; this is {__version__})", f"{path}: questions")
        expected = key_answers(derivation, key.ask)
        for question, given in student.answers.items():
            if expected.get(question) != given:
                shown = "nothing" if expected.get(question) is None else f"{expected[question]:,}"
                raise InputError(f"the key says {question} = {given:,} for {student.student!r}, derive {__version__} "
                                 f"derives {shown}: the key was edited, or made by another derive ({key.derive})",
                                 f"{path}: students[{i}]")
        out.append(derivation)
    return out


# -- grading ----------------------------------------------------------------------------------------
def grade(key: Key, derivations: Sequence, rows: Sequence[Answer]) -> list[Report]:
    """A report per student of the key (in its order), then one per student id the key does not have."""
    aliases = key.loaded().aliases
    ids = {s.student for s in key.students}
    by_case: dict[str, list[str]] = {}
    for sid in ids:
        by_case.setdefault(sid.strip().casefold(), []).append(sid)
    by_student: dict[str, list[Answer]] = {}
    for row in rows:
        if row.student:  # the key's id as written, else the one id that differs from it only in case
            alike = by_case.get(row.student.casefold(), [])
            sid = row.student if row.student in ids or len(alike) != 1 else alike[0]
            by_student.setdefault(sid, []).append(row)
    names = FileNames()
    reports = []
    for student, derivation in zip(key.students, derivations):
        reports.append(_report(key, student, derivation, by_student.pop(student.student, []), aliases,
                               names.of(student.student)))
    for student in by_student:  # in the order of the answers file
        reports.append(Report(student, {}, False, (), (Note("not_in_key"),), names.of(student)))
    return reports


def _report(key: Key, student: Student, derivation, rows: list[Answer], aliases, file: str) -> Report:
    notes: list[Note] = []
    chosen: dict[str, Answer] = {}
    for row in rows:
        question = question_of(row.part, key.questions, aliases) if row.part else None
        if not row.part:
            notes.append(Note("no_part", row.line))
        elif question is None:
            notes.append(Note("not_a_question", row.line, row.part))
        elif question in chosen:
            notes.append(Note("twice", row.line, row.part, question))
        else:
            chosen[question] = row
    graded = []
    for question in key.questions:
        row = chosen.get(question)
        expected = student.answers[question]
        if row is None:
            graded.append(Graded(question, "missing", None, None, expected))
        elif not row.text.strip():
            graded.append(Graded(question, "blank", row.text, row.line, expected))
        else:
            graded.append(judged(key, derivation, question, row, expected, aliases))
    return Report(student.student, dict(student.values), True, tuple(graded), tuple(notes), file)


def judged(key: Key, derivation, question: str, row: Answer, expected: int, aliases) -> Graded:
    """One answer judged: read with the safe parser, then `checking.judge` (or, for MACs, its value)."""
    from ..checking import judge, read_claim
    from ..presentation.verdicts import diagnosis_markdown

    try:
        claim = read_claim(readable(row.text), derivation.symbols.symbols(), "answer")
        if key.ask == "macs":
            return _macs(claim, derivation, question, row, expected)
        verdict = judge(derivation, claim, None if question == TOTAL else question, "all", aliases, where="answer")
    except InputError as error:
        column = re.search(r":(\d+)\Z", error.where or "")  # `answer: 1:COL`
        return Graded(question, "unreadable", row.text, row.line, expected, message=error.what,
                      column=int(column.group(1)) if column else None)
    if verdict.correct:
        return Graded(question, "right", row.text, row.line, expected)
    kinds = [m.kind for m in verdict.mistakes] + (["arithmetic_slip"] if verdict.slip else [])
    return Graded(question, "wrong", row.text, row.line, expected, tuple(dict.fromkeys(kinds or ["unexplained"])),
                  tuple(diagnosis_markdown(verdict)))


def _macs(claim, derivation, question: str, row: Answer, expected: int) -> Graded:
    """A MACs answer: right when its value is the key's (and any `= stated` value agrees); no mistake named."""
    subs = derivation.substitution
    value = claim.expr.xreplace(subs)
    stated = None if claim.stated is None else claim.stated.xreplace(subs)
    if value.free_symbols or (stated is not None and stated.free_symbols):
        raise InputError("a MACs answer needs every size bound (H, W)", "answer")
    kinds = []
    if stated is not None and stated != value:
        kinds.append("arithmetic_slip")
    if value != expected:
        kinds.append("unexplained")
    return Graded(question, "wrong" if kinds else "right", row.text, row.line, expected, tuple(kinds))


class FileNames:
    """Feedback file names: a slug of the student id (letters, digits, `.`, `_`, `-`; never a path, never
    hidden), unique without regard to case (`-2`, `-3` … where two ids give the same slug)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def of(self, student: str) -> str:
        stem = re.sub(r"[^A-Za-z0-9._-]+", "-", student).strip(".-_")[:SLUG_CHARS].rstrip(".-_") or "student"
        name, n = stem, 1
        while name.lower() in self.used:
            n += 1
            name = f"{stem}-{n}"
        self.used.add(name.lower())
        return f"{name}.md"


# -- the outputs ------------------------------------------------------------------------------------
@frozen
class Words:
    """templates/course/_grade_words.j2: the words for each mistake, verdict and note (kind → words), and
    its sentences: a note (`note`), the mistakes of a student's answers (`listed`)."""

    mistakes: Mapping[str, str]
    statuses: Mapping[str, str]
    notes: Mapping[str, str]
    module: object

    def note(self, note: Note) -> str:
        return str(self.module.note(note))

    def listed(self, graded: Sequence[Graded]) -> str:
        return str(self.module.listed(graded))


def vocabulary() -> Words:
    module = get_template(WORDS, "text").template.module
    return Words(*(dict(getattr(module, name)) for name in ("mistakes", "statuses", "notes")), module)


def rendered(key: Key, reports: Sequence[Report], summary: dict, words, pdf: bool) -> dict[str, str | bytes]:
    """Every output file's path under DIR and its contents, all made before any is written."""
    files: dict[str, str | bytes] = {"grades.csv": grades_csv(key, reports, words)}
    feedback = get_template(FEEDBACK, "markdown")
    for report in reports:
        files[f"feedback/{report.file}"] = feedback.render(feedback_view(key, report, words))
    files["summary.md"] = get_template(SUMMARY_MD, "markdown").render(summary)
    tex = get_template(SUMMARY_TEX, "latex").render(summary)
    files["summary.tex"] = tex
    if pdf:
        from ..presentation.pdf import compile_tex

        files["summary.pdf"] = compile_tex(tex, passes=1, where="summary.pdf")  # nothing to settle: one run
    return files


def grades_csv(key: Key, reports: Sequence[Report], words) -> str:
    """grades.csv: student, a column per question (its verdict), mistakes, score (right / questions), notes."""
    columns = ["student", *key.questions, "mistakes", "score", "notes"]
    out = []
    for report in reports:
        row: dict[str, object] = {"student": report.student, "notes": "; ".join(words.note(n) for n in report.notes)}
        if report.known:
            row.update({g.question: words.statuses[g.status] for g in report.graded})
            row["mistakes"] = words.listed(report.graded)
            row["score"] = _score(report.right, len(key.questions))
        out.append(row)
    return csv_text(columns, out)


def _score(right: int, questions: int) -> str:
    return f"{right / questions:.4f}".rstrip("0").rstrip(".")


def feedback_view(key: Key, report: Report, words) -> dict:
    return {
        "student": report.student, "known": report.known, "target": key.target, "convention": key.convention,
        "ask": key.ask, "questions": len(key.questions), "right": report.right,
        "score": _score(report.right, len(key.questions)),
        "values": [{"name": n, "value": str(v)} for n, v in report.student_values.items()],
        "set": [{"name": n, "value": v} for n, v in key.set.items()],
        "graded": [{"question": g.question, "status": g.status, "verdict": words.statuses[g.status],
                    "text": g.text, "line": g.line, "expected": g.expected,
                    "mistakes": [words.mistakes[m] for m in g.mistakes], "diagnosis": list(g.diagnosis),
                    "message": g.message, "column": g.column} for g in report.graded],
        "notes": [{"kind": n.kind, "text": words.note(n)} for n in report.notes],
    }


def summary_view(key: Key, reports: Sequence[Report], rows: Sequence[Answer], words) -> dict:
    """The class at a glance: right answers per question, each mistake's count of answers and of students."""
    known = [r for r in reports if r.known]
    per_question = []
    for question in key.questions:
        counts = dict.fromkeys(words.statuses, 0)
        for report in known:
            counts[next(g.status for g in report.graded if g.question == question)] += 1
        per_question.append({"question": question, **counts})
    answers: dict[str, int] = {}
    students: dict[str, set[str]] = {}
    for report in known:
        for g in report.graded:
            for kind in g.mistakes:
                answers[kind] = answers.get(kind, 0) + 1
                students.setdefault(kind, set()).add(report.student)
    order = list(words.mistakes)
    mistakes = [{"kind": kind, "name": words.mistakes[kind], "answers": n, "students": len(students[kind])}
                for kind, n in sorted(answers.items(), key=lambda item: (-item[1], order.index(item[0])))]
    return {
        "target": key.target, "convention": key.convention, "ask": key.ask, "questions": list(key.questions),
        "students": len(known), "rows": len(rows), "per_question": per_question, "mistakes": mistakes,
        "statuses": words.statuses, "judged": sum(q["right"] + q["wrong"] for q in per_question),
        "mean": _score(sum(r.right for r in known), len(key.questions) * len(known)) if known else None,
        "unknown": [r.student for r in reports if not r.known],
        "noted": sum(len(r.notes) for r in known),
        "anonymous": [row.line for row in rows if not row.student],
    }
