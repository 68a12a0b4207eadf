"""`derive grade` (derive/course/grade.py, answers.py): a generated class's answers, made from the sizes with
the known mistakes injected and the right ones written every way students write them, judged against the key;
the counts the test writes are held to PyTorch's own (the same block built in torch); bad answer files and
hostile ids; the outputs (grades.csv safe in a spreadsheet, a feedback file per student, the summaries)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.browser import pages
from helpers.rendering_cases import KATEX, need, tex_ready

import derive
from derive.cli import main
from derive.course import grade as grading
from derive.course.answers import question_of, read_answers, readable
from derive.course.key import Key, Student, answers, questions, read_key
from tests.helpers.reference_models import torch_mobilenetv2_block, torch_report

BLOCK = "mobilenetv2-block"
VARY = {"C_in": "3..32", "t": "2,4,6", "C_out": "C_in..2*C_in"}
QUESTIONS = ("expand", "depthwise", "project", "total")


# -- the class ------------------------------------------------------------------------------------------
def exercise(tmp_path: Path, capsys, count: int, seed: int, *options: str) -> Path:
    """The class's key as the lecturer makes it: `derive exercise` with the issue's ranges."""
    folder = tmp_path / f"exercise-{seed}"
    vary = [a for name, rule in VARY.items() for a in ("--vary", f"{name}={rule}")]
    status = main(["exercise", BLOCK, *vary, "--count", str(count), "--seed", str(seed), *options, "--no-pdf",
                   "-o", str(folder)])
    _, err = capsys.readouterr()
    assert status == 0, err
    return folder / "key.json"


def sizes_of(key_path: Path) -> list[tuple[str, tuple[int, int, int]]]:
    return [(s.student, (s.values["C_in"], s.values["t"], s.values["C_out"])) for s in read_key(str(key_path)).students]


def write_key(tmp_path: Path, students, convention="paper", options=None, ask="parts", values=None,
              name="key.json") -> Path:
    """A key in the form `derive exercise` writes (key.py's Key) for sizes and ids of the test's choosing."""
    options, values = options or {}, values or {}
    made = []
    for sid, (c, t, o) in students:
        d = derive.show(BLOCK, convention=convention, options=options, C_in=c, t=t, C_out=o, **values)
        made.append(Student(sid, {"C_in": c, "t": t, "C_out": o}, answers(d, ask)))
    key = Key(BLOCK, None, {}, convention, {k: str(v).lower() for k, v in options.items()},
              {k: str(v) for k, v in values.items()}, VARY, 1, ask, questions(d, ask), tuple(made))
    path = tmp_path / name
    path.write_text(key.to_json(), encoding="utf-8")
    return path


def terms(c: int, t: int, o: int, bias: bool) -> dict[str, list[tuple[list[int], str]]]:
    """Each question's terms as a student writes them: the factors, and the same term in the symbols
    (a conv's weights, its bias when it has one, its batch norm's gamma and beta)."""
    e = c * t
    b = 1 if bias else 0
    expand = [([1, 1, c, e], "C_in·t·C_in")] + [([e], "t·C_in")] * b + [([2, e], "2·t·C_in")]
    depthwise = [([3, 3, e], "k²·t·C_in")] + [([e], "t·C_in")] * b + [([2, e], "2·t·C_in")]
    project = [([1, 1, e, o], "t·C_in·C_out")] + [([o], "C_out")] * b + [([2, o], "2·C_out")]
    return {"expand": expand, "depthwise": depthwise, "project": project, "total": expand + depthwise + project}


def value(ts) -> int:
    total = 0
    for factors, _ in ts:
        product = 1
        for f in factors:
            product *= f
        total += product
    return total


def written(ts, form: int) -> str:
    """The right answer in one of the ways students write it."""
    v = value(ts)
    if form == 0:
        return str(v)
    if form == 1:
        return f"{v:,}"
    if form == 2:
        return f"{v:,}".replace(",", " ")
    if form in (3, 4, 5):
        sign = {3: "x", 4: "×", 5: "·"}[form]
        return " + ".join(sign.join(map(str, f)) for f, _ in ts)
    if form == 6:
        return " + ".join(s for _, s in ts)
    if form == 7:  # a superscript for the kernel, the products in brackets, and the result stated
        return " + ".join("3²·" + "·".join(map(str, f[2:])) if f[:2] == [3, 3] else
                          "(" + "*".join(map(str, f)) + ")" for f, _ in ts) + f" = {v:,}"
    raise ValueError(form)


FORMS = 8


def torch_parts(c: int, t: int, o: int, bias: bool = False) -> dict[str, int]:
    """Parameters of each part and in all, off the torch block's modules (PyTorch's parameters())."""
    model = torch_mobilenetv2_block(c, t, o, bias=bias)
    parts = dict(zip(["expand", "depthwise", "project"], model.body))
    out = {name: sum(p.numel() for p in part.parameters()) for name, part in parts.items()}
    out["total"] = torch_report(model, (c, 8, 8))["parameters"]
    return out


def injected_class(tmp_path: Path, capsys, count: int = 30, seed: int = 1):
    """The paper class: every fifth student (i % 5 == 0) counts the depthwise as (k·k·C)·C in the depthwise
    and in the total; i % 5 == 1 counts batch norm with 4 per channel in the expand; i % 5 == 2 slips in the
    arithmetic of the project (`a*b + c = wrong`); the others are right throughout. Returns the key's path,
    the answers' path, and what each answer's verdict must be (student, question) → (status, kinds)."""
    key = exercise(tmp_path, capsys, count, seed)
    students = sizes_of(key)
    assert len(students) == count
    rows, expected = [], {}
    for i, (sid, (c, t, o)) in enumerate(students):
        e = c * t
        ts = terms(c, t, o, bias=False)
        assert {q: value(ts[q]) for q in QUESTIONS} == torch_parts(c, t, o)  # the test's counts are torch's
        for j, q in enumerate(QUESTIONS):
            text, kinds = written(ts[q], (i + j) % FORMS), ()
            if i % 5 == 0 and q in ("depthwise", "total"):
                text = f"(3*3*{e})*{e} + 2*{e}" if q == "depthwise" else \
                    f"{value(ts['expand'])} + (3·3·{e})·{e} + 2·{e} + {value(ts['project'])}"
                kinds = ("depthwise_as_full",)
            elif i % 5 == 1 and q == "expand":
                text, kinds = f"{c}*{e} + 4*{e}", ("statistics_counted",)
            elif i % 5 == 2 and q == "project":
                text, kinds = f"{e}*{o} + 2*{o} = {value(ts[q]) + 10}", ("arithmetic_slip",)
            rows.append((sid, q, text))
            expected[sid, q] = ("wrong" if kinds else "right", kinds)
    answers_path = tmp_path / "answers.csv"
    write_answers(answers_path, rows)
    return key, answers_path, expected


def write_answers(path: Path, rows, header=("student", "part", "answer")) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def run(capsys, *argv) -> tuple[int, str, str]:
    status = main(["grade", *map(str, argv)])
    out, err = capsys.readouterr()
    return status, out, err


def read_grades(folder: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO((folder / "grades.csv").read_text(encoding="utf-8"))))


def graded(tmp_path: Path, capsys, key_path: Path, rows) -> tuple[dict[str, dict[str, str]], str]:
    """`derive grade --no-pdf` on `rows` written as answers.csv: grades.csv's rows by student, and stdout."""
    answers_path = tmp_path / "answers.csv"
    write_answers(answers_path, rows)
    status, out, err = run(capsys, key_path, answers_path, "--no-pdf", "-o", tmp_path / "out")
    assert status == 0, err
    return {r["student"]: r for r in read_grades(tmp_path / "out")}, out


# -- the generated class -----------------------------------------------------------------------------------
def test_a_generated_class_every_verdict_right_every_mistake_named(tmp_path, capsys):
    key_path, answers_path, expected = injected_class(tmp_path, capsys)
    key = read_key(str(key_path))
    reports = grading.grade(key, grading.verified(key, str(key_path)), read_answers(str(answers_path)))
    assert len(reports) == 30 and all(r.known and not r.notes for r in reports)
    for report in reports:
        for g in report.graded:
            assert (g.status, g.mistakes) == expected[report.student, g.question], (report.student, g)
    # the same through the command: grades.csv, the feedback, the summary's counts
    out = tmp_path / "grades"
    status, stdout, err = run(capsys, key_path, answers_path, "--no-pdf", "-o", out)
    assert status == 0, err
    words = grading.vocabulary()
    grades = read_grades(out)
    assert [g["student"] for g in grades] == [s.student for s in key.students]
    for row in grades:
        sid = row["student"]
        assert [row[q] for q in QUESTIONS] == [expected[sid, q][0] for q in QUESTIONS]
        right = sum(expected[sid, q][0] == "right" for q in QUESTIONS)
        assert float(row["score"]) == right / 4
        named = {words.mistakes[k] for q in QUESTIONS for k in expected[sid, q][1]}
        assert all(name in row["mistakes"] for name in named) and bool(row["mistakes"]) == bool(named)
    injected: dict[str, list[str]] = {}
    for (sid, q), (_, kinds) in expected.items():
        for kind in kinds:
            injected.setdefault(kind, []).append(sid)
    summary = (out / "summary.md").read_text(encoding="utf-8")
    for kind, sids in injected.items():
        name = words.mistakes[kind]
        assert re.search(rf"\| {re.escape(name)} \| {len(sids)} \| {len(set(sids))} \|", summary), (kind, summary)
    assert len(injected["depthwise_as_full"]) == 2 * len(set(injected["depthwise_as_full"]))  # two answers each
    for q in QUESTIONS:
        right = sum(expected[s.student, q][0] == "right" for s in key.students)
        assert re.search(rf"\| {q} \| {right} \| {30 - right} \| 0 \| 0 \| 0 \|", summary)
        assert f"{q} {right}/30" in stdout
    assert words.mistakes["depthwise_as_full"] in stdout
    feedback = sorted((out / "feedback").iterdir())
    assert len(feedback) == 30
    first = (out / "feedback" / "s001.md").read_text(encoding="utf-8")
    assert "depthwise convolution is counted as a full convolution" in first  # the check's own words
    # escaped only where a student wrote it: their answers in code spans, derive's words and numbers as they are
    c, t, _ = sizes_of(key_path)[0][1]
    e = c * t
    assert f"| depthwise | `(3*3*{e})*{e} + 2*{e}` | wrong: {words.mistakes['depthwise_as_full']} |" in first
    assert f"Your answer (line 3): `(3*3*{e})*{e} + 2*{e}`," in first and "(score 0.5)" in first
    assert f"3·3·{e} = {9 * e:,} weights" in first and f"`C_in = {c}`, `t = {t}`" in first
    assert "\\" not in first and "\\" not in summary, first  # nothing needed escaping
    slip = (out / "feedback" / "s003.md").read_text(encoding="utf-8")
    assert re.search(r"The arithmetic is off: `\d+\*\d+ \+ 2\*\d+` is [\d,]+, not \d+\.", slip), slip
    mean = f"{sum(float(g['score']) for g in grades) / len(grades):.4f}".rstrip("0").rstrip(".")
    assert f"; mean score {mean}." in summary, summary
    # standard error: a line per file, the feedback folder once
    assert err.splitlines() == [f"derive: wrote {out}/grades.csv", f"derive: wrote {out}/feedback/ (30 files)",
                                f"derive: wrote {out}/summary.md", f"derive: wrote {out}/summary.tex"], err


def test_every_way_of_writing_a_right_answer_is_right(tmp_path):
    c, t, o = 12, 4, 20
    key_path = write_key(tmp_path, [("s1", (c, t, o))])
    ts = terms(c, t, o, bias=False)
    rows = [("s1", q, written(ts[q], form)) for form in range(FORMS) for q in QUESTIONS]
    assert {r[2] for r in rows} >= {"2,200", "2 200", "2200"}
    key = read_key(str(key_path))
    derivation = grading.verified(key, str(key_path))[0]
    aliases = key.loaded().aliases
    for sid, q, text in rows:
        row = grading.Answer(sid, q, text, 2)
        g = grading.judged(key, derivation, q, row, key.students[0].answers[q], aliases)
        assert g.status == "right", (text, g)


def test_bias_forgotten_where_the_key_has_biases(tmp_path, capsys):
    key_path = exercise(tmp_path, capsys, 12, 5, "--convention", "pytorch", "--option", "bias=true")
    students = sizes_of(key_path)
    rows, wrong = [], set()
    for i, (sid, (c, t, o)) in enumerate(students):
        ts = terms(c, t, o, bias=True)
        assert {q: value(ts[q]) for q in QUESTIONS} == torch_parts(c, t, o, bias=True)
        for j, q in enumerate(QUESTIONS):
            if i % 2 == 0 and q in ("expand", "project"):  # the conv's bias left out: weights + gamma, beta
                kept = [ts[q][0], ts[q][2]]
                rows.append((sid, q, written(kept, (i + j) % 6)))
                wrong.add((sid, q))
            else:
                rows.append((sid, q, written(ts[q], (i + j) % FORMS)))
    answers_path = tmp_path / "answers.csv"
    write_answers(answers_path, rows)
    key = read_key(str(key_path))
    reports = grading.grade(key, grading.verified(key, str(key_path)), read_answers(str(answers_path)))
    for report in reports:
        for g in report.graded:
            if (report.student, g.question) in wrong:
                assert (g.status, g.mistakes) == ("wrong", ("bias_forgotten",)), g
            else:
                assert g.status == "right", g
    status, _, err = run(capsys, key_path, answers_path, "--no-pdf", "-o", tmp_path / "out")
    assert status == 0, err
    name = grading.vocabulary().mistakes["bias_forgotten"]
    assert f"| {name} | {len(wrong)} | 6 |" in (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")


def test_macs_are_compared_by_value(tmp_path, capsys):
    students = [("m1", (8, 6, 16)), ("m2", (16, 2, 24))]
    key_path = write_key(tmp_path, students, ask="macs", values={"H": 8, "W": 8})
    key = read_key(str(key_path))
    for student, (_, (c, t, o)) in zip(key.students, students):  # the key's MACs are torch's
        model = torch_mobilenetv2_block(c, t, o)
        assert student.answers["total"] == torch_report(model, (c, 8, 8))["macs"]
    m1 = key.students[0].answers
    rows = [("m1", "expand", f"{m1['expand']:,}"), ("m1", "depthwise", str(m1["depthwise"] + 1)),
            ("m1", "project", f"{m1['project']} = {m1['project'] + 5}"), ("m1", "total", "H*W*1"),
            ("m2", "total", str(key.students[1].answers["total"]))]
    grades, _ = graded(tmp_path, capsys, key_path, rows)
    assert [grades["m1"][q] for q in QUESTIONS] == ["right", "wrong", "wrong", "wrong"]
    assert [grades["m2"][q] for q in QUESTIONS] == ["missing", "missing", "missing", "right"]
    words = grading.vocabulary().mistakes
    assert words["arithmetic_slip"] in grades["m1"]["mistakes"]
    feedback = (tmp_path / "out" / "feedback" / "m1.md").read_text(encoding="utf-8")
    assert "compared by their value only" in feedback


# -- rows that cannot count, per student ----------------------------------------------------------------
def test_unknown_students_parts_repeats_blanks_are_noted_not_fatal(tmp_path, capsys):
    key_path = write_key(tmp_path, [("s1", (3, 6, 3)), ("s2", (8, 2, 12))])
    rows = [("s1", "Expand", "1x1x3x18 + 2x18"), ("s1", "DW", "3x3x18+2x18"), ("s1", "projection", ""),
            ("s1", "whole", "348"), ("s1", "total", "349"), ("s1", "stem", "5"), ("s1", "", "5"),
            ("s2", "total", "3 * ? 4"), ("ghost", "total", "1"), ("", "total", "1"),
            ("S2 ", "depthwise", f"{value(terms(8, 2, 12, bias=False)['depthwise']):,} parameters")]
    grades, out = graded(tmp_path, capsys, key_path, rows)
    assert [grades["s1"][q] for q in QUESTIONS] == ["right", "right", "blank", "right"]
    assert [grades["s2"][q] for q in QUESTIONS] == ["missing", "right", "missing", "unreadable"]  # S2: s2
    assert grades["s1"]["score"] == "0.75" and grades["s2"]["score"] == "0.25" and "S2" not in grades
    notes = grades["s1"]["notes"]
    assert "line 6: total answered more than once" in notes and "line 7: 'stem' is not a question" in notes
    assert "line 8: no part named" in notes
    assert grades["ghost"]["score"] == "" and "not in the key" in grades["ghost"]["notes"]
    s2 = (tmp_path / "out" / "feedback" / "s2.md").read_text(encoding="utf-8")
    assert "could not be read" in s2 and "at character 5" in s2
    assert "not in the key: 1 student id" in out
    summary = (tmp_path / "out" / "summary.md").read_text(encoding="utf-8")
    assert "1 row without a student id (line 11)" in summary


def test_question_names_and_written_numbers():
    questions_ = ("expand", "depthwise", "project", "total")
    aliases = derive.api.load(BLOCK).aliases
    assert [question_of(p, questions_, aliases) for p in ("EXPAND", " depthwise ", "dw", "Pointwise", "all",
                                                         "Total", "whole", "stem", "depthwise_bn")] == \
        ["expand", "depthwise", "depthwise", "project", "total", "total", "total", None, None]
    assert question_of("expand", ("total",), aliases) is None
    assert [readable(t) for t in ("2,168", "2 168", "1,234,567", "2'168", "max(3,128)", "12 34", "2,16",
                                  "2,168 parameters", "348 Params.", "3*3*18 weights", "1 024 MACs")] == \
        ["2168", "2168", "1234567", "2168", "max(3,128)", "12 34", "2,16", "2168", "348", "3*3*18", "1024"]


# -- hostile ids and answers --------------------------------------------------------------------------------
HOSTILE = ['=HYPERLINK("http://evil")', "../../x", "*a*", "<script>alert(1)</script>", "$x$",
           r"\input{/etc/passwd}", "+1", "-1", "@SUM(A1)", "s 1", "S 1"]


def test_hostile_ids_and_answers_stay_text(tmp_path, capsys):
    key_path = write_key(tmp_path, [(sid, (3 + i, 2, 3 + i)) for i, sid in enumerate(HOSTILE)])
    rows = [(sid, "total", '=HYPERLINK("http://evil")') for sid in HOSTILE]
    rows += [(r"\input{/etc/passwd} ghost", "total", "1"), ("<b>ghost</b>", "total", "1")]
    answers_path = tmp_path / "answers.csv"
    write_answers(answers_path, rows)
    out = tmp_path / "out"
    status, _, err = run(capsys, key_path, answers_path, "--no-pdf", "-o", out)
    assert status == 0, err
    text = (out / "grades.csv").read_text(encoding="utf-8")
    for line in text.splitlines()[1:]:
        assert not line.startswith(("=", "+", "-", "@", '"=', '"+', '"-', '"@'))
    grades = read_grades(out)
    assert grades[0]["student"] == """'=HYPERLINK("http://evil")"""
    assert [g["total"] for g in grades[:len(HOSTILE)]] == ["unreadable"] * len(HOSTILE)
    assert "No answer was judged." in (out / "summary.md").read_text(encoding="utf-8")
    names = sorted(p.name for p in (out / "feedback").iterdir())
    assert len(names) == len(HOSTILE) + 2 and len({n.lower() for n in names}) == len(names)
    assert all(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*\.md", n) for n in names), names
    assert not (tmp_path / "x.md").exists() and not list(tmp_path.glob("*.md"))
    for path in (out / "feedback").iterdir():
        md = path.read_text(encoding="utf-8")
        assert "<script>" not in md and "<b>" not in md and "*a*" not in md and "$x$" not in md
        assert not re.search(r"(?<!\\)\[.*\]\(", md)  # no link made of a student's text
    first = (out / "feedback" / "HYPERLINK-http-evil.md").read_text(encoding="utf-8")
    assert first.startswith("# Feedback for \\=HYPERLINK")
    assert "(at character 1)" in first  # the parser's message, per student


# what students write that a forum would read as markup; with the sizes (3, 2, 3), `3*3*6 + 2*6` is right
ANSWERS = ["=HYPERLINK(\"http://evil\")", "3 | 4", "`x` `` y", "[x](javascript:alert(1))", "<b>1</b>", "*a* _b_",
           "$x$", "@everyone https://x.y", "3*3*6 + 2*6 + *5*", "\\|`"]


def markdown_ready() -> bool:
    return shutil.which("node") is not None and all((KATEX / "node_modules" / m).is_dir() for m in ("katex", "markdown-it"))


def test_feedback_and_summary_read_as_text_on_a_forum(tmp_path, capsys):
    """Rendered as GitHub or Discourse would (markdown-it, html off, GitHub tables, $math$): every hostile id and
    answer shows as the text it is: no link, no HTML, no emphasis, no math, no table cell split off."""
    need(markdown_ready(), "Node with markdown-it and KaTeX (cd tests/katex && npm ci)")
    ids = [*HOSTILE, "[x](javascript:alert(1))", "_u_"]
    key_path = write_key(tmp_path, [(sid, (3, 2, 3)) for sid in ids])
    rows = [(sid, "depthwise", ANSWERS[i % len(ANSWERS)]) for i, sid in enumerate(ids)]
    rows += [(ids[0], "expand", "3*3*6 + 2*6"), ("*ghost* <i>", "total", "1")]
    graded(tmp_path, capsys, key_path, rows)
    folder = tmp_path / "out"
    files = sorted((folder / "feedback").iterdir()) + [folder / "summary.md"]
    texts = [path.read_text(encoding="utf-8") for path in files]
    for text in texts:  # GitHub lets some tags through: none outside a code span
        outside = re.sub(r"(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)", "", text)
        assert "<b>" not in outside and "<i>" not in outside, outside
    rendered = pages(texts)
    shown = {}
    for path, page in zip(files, rendered):
        body = page["html"]
        assert not page["errors"] and "katex" not in body, (path.name, body)
        for tag in ("<a ", "<em>", "<img", "<b>", "<i>", "<script"):
            assert tag not in body, (path.name, tag, body)
        heading = re.match(r"<h1>Feedback for (.*)</h1>", body)
        if heading:
            shown[html.unescape(heading.group(1)).replace("\u200b", "")] = body
    assert set(shown) == {*ids, "*ghost* <i>"}  # each id as written, its answer in a cell of its own, as written
    for i, sid in enumerate(ids):
        cells = re.findall(r"<tr>\n<td>(\w+)</td>\n<td>(.*)</td>\n<td>(\w+)</td>", shown[sid])
        answer = " ".join(ANSWERS[i % len(ANSWERS)].split())
        assert ("depthwise", f"<code>{answer}</code>", "unreadable") in [(q, html.unescape(a), v) for q, a, v in cells]
    wrong = shown[ids[0]]  # a parsed answer's terms, in the check's sentences, are code too
    assert "<code>3*3*6</code> = 54: matches" in wrong and "<p>Your answer (line " in wrong
    summary = rendered[-1]["html"]
    assert "*ghost* &lt;i&gt;" in summary


@pytest.mark.parametrize("content, message", [
    (b"student,answer\ns1,3\n", "ANSWERS.csv:1: no column part in the header line"),
    (b"student,part,answer\ns1,total," + b"x" * 1_000_100 + b"\n", "ANSWERS.csv: larger than 1,000,000 bytes"),
    (b"student,part,answer\ns1,total," + b"7" * 3000 + b"\n", "ANSWERS.csv:2: a cell longer than 2,000 characters"),
    (b"student,part,answer\ns1,total,\xff\xfe\n", "ANSWERS.csv:2: not UTF-8 text (byte 29)"),
    (b"student,part,answer\ns1,total,3\x00\n", "ANSWERS.csv:2: not a CSV file (a NUL byte at byte 30)"),
    (b"student,part,answer\ns1,total,\"3\n", "ANSWERS.csv:2: not a CSV file"),
    (b"", "ANSWERS.csv: empty"),
])
def test_answer_files_it_cannot_use_are_one_line_and_nothing_written(tmp_path, capsys, content, message):
    key_path = write_key(tmp_path, [("s1", (3, 6, 3))])
    (tmp_path / "ANSWERS.csv").write_bytes(content)
    status, out, err = run(capsys, key_path, tmp_path / "ANSWERS.csv", "--no-pdf", "-o", tmp_path / "out")
    assert status == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("derive: error: ") and message in err, err
    assert not (tmp_path / "out").exists()


def test_a_key_that_derive_does_not_give_is_refused(tmp_path, capsys):
    key_path = write_key(tmp_path, [("s1", (3, 6, 3)), ("s2", (8, 2, 12))])
    data = json.loads(key_path.read_text())
    data["students"][1]["answers"]["depthwise"] += 1
    key_path.write_text(json.dumps(data))
    write_answers(tmp_path / "answers.csv", [("s1", "total", "348")])
    status, _, err = run(capsys, key_path, tmp_path / "answers.csv", "--no-pdf", "-o", tmp_path / "out")
    assert status == 2 and err.count("\n") == 1
    assert "students[1]" in err and "the key was edited, or made by another derive" in err
    assert not (tmp_path / "out").exists()
    key_path.write_text("{not json")
    status, _, err = run(capsys, key_path, tmp_path / "answers.csv", "--no-pdf", "-o", tmp_path / "out")
    assert status == 2 and err.count("\n") == 1 and "not JSON" in err


def test_tex_missing_is_exit_3_before_anything_is_written(tmp_path, capsys, monkeypatch):
    from derive.presentation import pdf

    key_path = write_key(tmp_path, [("s1", (3, 6, 3))])
    write_answers(tmp_path / "answers.csv", [("s1", "total", "348")])
    monkeypatch.setattr(pdf, "tex_available", lambda: False)
    status, _, err = run(capsys, key_path, tmp_path / "answers.csv", "-o", tmp_path / "out")
    assert status == 3 and "TeX is not installed" in err and "--no-pdf" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


# -- the summary PDF -------------------------------------------------------------------------------------
def test_the_summary_pdf_compiles_and_names_the_mistakes(tmp_path, capsys):
    need(tex_ready() and shutil.which("pdftoppm") is not None, "TeX (pdflatex, latexmk), pdftotext and pdftoppm")
    key_path, answers_path, _ = injected_class(tmp_path, capsys, count=30, seed=2)
    rows = answers_path.read_text(encoding="utf-8") + '"\\input{/etc/passwd} $x$ #_%",total,1\n'
    answers_path.write_text(rows, encoding="utf-8")
    out = tmp_path / "out"
    status, _, err = run(capsys, key_path, answers_path, "-o", out)
    assert status == 0, err
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out / "summary.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    words = grading.vocabulary().mistakes
    flat = " ".join(text.split())
    for kind in ("depthwise_as_full", "statistics_counted", "arithmetic_slip"):
        assert " ".join(words[kind].split()) in flat.replace("’", "'"), (kind, flat)
    assert r"\input{/etc/passwd} $x$ #_%" in flat
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(out / "summary.pdf"),
                    str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 5_000


def test_ask_total_default_folder_and_no_pdf(tmp_path, capsys, monkeypatch):
    write_key(tmp_path, [("s1", (3, 6, 3))], ask="total")
    write_answers(tmp_path / "answers.csv", [("s1", "depthwise", "198"), ("s1", "Everything", "348")])
    monkeypatch.chdir(tmp_path)
    status, _, err = run(capsys, "key.json", "answers.csv", "--no-pdf")
    assert status == 0, err
    folder = tmp_path / "out" / "grades"
    assert sorted(p.name for p in folder.iterdir()) == ["feedback", "grades.csv", "summary.md", "summary.tex"]
    grades = read_grades(folder)
    assert list(grades[0]) == ["student", "total", "mistakes", "score", "notes"]
    assert grades[0]["total"] == "right" and grades[0]["score"] == "1"
    assert "line 2: 'depthwise' is not a question" in grades[0]["notes"]
    assert "derive: wrote out/grades/grades.csv" in err
    (tmp_path / "file").write_text("x")
    status, _, err = run(capsys, "key.json", "answers.csv", "--no-pdf", "-o", "file")
    assert status == 2 and err == "derive: error: -o file: is not a folder\n"
