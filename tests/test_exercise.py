"""`derive exercise`: a problem per student, their worked solutions and the key (derive/course/exercise.py,
key.py, sheets.py). The key's answers are held to what PyTorch and Keras count for the same block built in
them (each part built on its own, and the whole); the sheets are compiled and read back as text; bad
rosters and impossible requests are one error line and write nothing. Needs TeX and pdftotext, torch and
keras (each fails under CI=true without them)."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess

import pytest
import sympy
from helpers.frameworks import (
    build_keras_sequence,
    build_torch_sequence,
    mobilenetv2_block,
    need_keras,
)
from helpers.reference_models import (
    keras_application,
    keras_mobilenetv2_block,
    keras_report,
    torch_report,
)
from helpers.rendering_cases import need, tex_ready

import derive
from derive.cli import main
from derive.course.key import Key, Student, answers, questions, read_key
from derive.errors import InputError

BLOCK = "mobilenetv2-block"
CLASS = ["--vary", "C_in=3..32", "--vary", "t=2,4,6", "--vary", "C_out=C_in..2*C_in"]
PARTS = ("expand", "depthwise", "project")
FILES = ("problems.tex", "solutions.tex", "problems.pdf", "solutions.pdf", "key.json", "key.csv")
HOSTILE = ['=HYPERLINK("http://x")', r"\input{/etc/passwd}", "$x$", "_^&%#", "+1 @a -b"]


def exercise(capsys, out, *argv) -> tuple[int, str]:
    status = main(["exercise", BLOCK, *argv, "-o", str(out)])
    return status, capsys.readouterr().err


def pages(tex: str) -> list[str]:
    """A sheet's pages, split where the template starts a new one."""
    body = tex.split(r"\begin{document}", 1)[1]
    return body.split(r"\newpage")


def page_texts(pdf) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")[:-1]


def page_count(pdf) -> int:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def grouped(n: int) -> str:
    """A number as the PDF's text has it (thousands apart by a thin space)."""
    return f"{n:,}".replace(",", " ")


# -- what the frameworks count ----------------------------------------------------------------------
def reference(framework: str, c_in: int, t: int, c_out: int, s: int = 1, h: int = 9, w: int = 9) -> dict:
    """Each part's and the whole block's figures as the framework reports them, each part built on its own
    on the shape the part before it puts out: torch's `parameters()` (pytorch) and trainable ones (paper),
    Keras' `count_params()` (keras) and trainable weights (paper), and MACs off each (forward hooks,
    output shapes)."""
    layers, residual = mobilenetv2_block(c_in, t, c_out, s=s)
    chunks = dict(zip(PARTS, (layers[:3], layers[3:6], layers[6:]))) if t > 1 else \
        dict(zip(PARTS[1:], (layers[:3], layers[3:])))
    shape, out = (h, w, c_in), {}
    for name, chunk in [*chunks.items(), ("total", layers)]:
        if name == "total":
            shape = (h, w, c_in)
        if framework == "torch":
            report = torch_report(build_torch_sequence(chunk, shape, residual and name == "total"),
                                  (shape[-1], *shape[:-1]))
            out[name] = {"pytorch": report["parameters"], "paper": report["trainable"], "macs": report["macs"]}
            shape = (*report["shape"][1:], report["shape"][0])
        else:
            report = keras_report(build_keras_sequence(chunk, shape, residual and name == "total"))
            out[name] = {"keras": report["total"], "paper": report["trainable"], "macs": report["macs"]}
            shape = report["shape"]
    return out


# -- 150 students ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The class of the issue: 150 variants with their PDFs, and again from the same seed and another one."""
    need(tex_ready() and shutil.which("pdfinfo") is not None, "TeX (pdflatex), pdftotext and pdfinfo")
    root = tmp_path_factory.mktemp("exercise")
    runs = {}
    for name, seed, pdf in (("first", "1", []), ("again", "1", ["--no-pdf"]), ("other", "2", ["--no-pdf"])):
        status = main(["exercise", BLOCK, *CLASS, "--count", "150", "--seed", seed, *pdf, "-o", str(root / name)])
        assert status == 0
        runs[name] = root / name
    return runs


def test_150_variants_are_distinct_within_the_ranges_and_reproducible(made):
    first = made["first"]
    assert sorted(p.name for p in first.iterdir()) == sorted(FILES)
    key = read_key(str(first / "key.json"))
    assert [s.student for s in key.students] == [f"s{i:03d}" for i in range(1, 151)]
    sizes = [(s.values["C_in"], s.values["t"], s.values["C_out"]) for s in key.students]
    assert len(set(sizes)) == 150
    for c_in, t, c_out in sizes:
        assert 3 <= c_in <= 32 and t in (2, 4, 6) and c_in <= c_out <= 2 * c_in
    assert len({c_in for c_in, _, _ in sizes}) > 20 and {t for _, t, _ in sizes} == {2, 4, 6}  # spread, not clustered
    for name in ("key.json", "key.csv", "problems.tex", "solutions.tex"):
        assert (made["again"] / name).read_bytes() == (first / name).read_bytes(), name
        assert (made["other"] / name).read_bytes() != (first / name).read_bytes(), name
    csv_lines = (first / "key.csv").read_text().splitlines()
    assert csv_lines[0] == "student,C_in,t,C_out,expand,depthwise,project,total"
    assert csv_lines[1] == ",".join(map(str, [key.students[0].student, *sizes[0], *key.students[0].answers.values()]))


def test_the_pdfs_have_a_page_per_student_showing_their_numbers(made):
    first = made["first"]
    key = read_key(str(first / "key.json"))
    assert page_count(first / "problems.pdf") == page_count(first / "solutions.pdf") == 150
    problems, solutions = page_texts(first / "problems.pdf"), page_texts(first / "solutions.pdf")
    assert len(problems) == len(solutions) == 150
    for i in (0, 1, 74, 149):
        student = key.students[i]
        c_in, t, c_out = (student.values[n] for n in ("C_in", "t", "C_out"))
        for text in (problems[i], solutions[i]):
            assert f"Student: {student.student}" in text
            assert f"Cin = {c_in}" in text and f"t = {t}" in text and f"Cout = {c_out}" in text
        assert f"depthwise convolution 3 × 3, stride 1, {c_in * t} groups" in problems[i]
        assert f"H × W × {c_out}" in problems[i]
        for value in student.answers.values():
            assert grouped(value) not in problems[i].replace("H × W", "")  # no answer given away
            assert grouped(value) in solutions[i]
    assert len(pages((first / "problems.tex").read_text())) == 150


def test_the_keys_answers_are_what_torch_and_keras_count_under_each_convention(capsys, tmp_path):
    need_keras()
    for i, convention in enumerate(("paper", "pytorch", "keras")):
        status, _ = exercise(capsys, tmp_path / convention, *CLASS, "--count", "10", "--seed", str(10 + i),
                             "--convention", convention, "--no-pdf")
        assert status == 0
        key = read_key(str(tmp_path / convention / "key.json"))
        assert key.convention == convention and key.questions == ("expand", "depthwise", "project", "total")
        for student in key.students:
            sizes = (student.values["C_in"], student.values["t"], student.values["C_out"])
            frameworks = ("torch", "keras") if convention == "paper" else \
                ("torch",) if convention == "pytorch" else ("keras",)
            for framework in frameworks:
                counted = reference(framework, *sizes)
                assert student.answers == {q: counted[q][convention] for q in key.questions}, (framework, sizes)


def test_ask_macs_and_total_keys_against_the_frameworks(capsys, tmp_path):
    need_keras()
    status, _ = exercise(capsys, tmp_path / "macs", *CLASS, "--vary", "s=1,2", "--set", "H=14", "--set", "W=9",
                         "--count", "6", "--seed", "4", "--ask", "macs", "--no-pdf")
    assert status == 0
    key = read_key(str(tmp_path / "macs" / "key.json"))
    assert key.ask == "macs" and key.set == {"H": "14", "W": "9"}
    assert {s.values["s"] for s in key.students} == {1, 2}
    for student in key.students:
        sizes = [student.values[n] for n in ("C_in", "t", "C_out", "s")]
        for framework in ("torch", "keras"):
            counted = reference(framework, *sizes, h=14, w=9)
            assert student.answers == {q: counted[q]["macs"] for q in key.questions}, (framework, sizes)
    status, _ = exercise(capsys, tmp_path / "total", *CLASS, "--count", "5", "--seed", "5", "--ask", "total",
                         "--convention", "keras", "--no-pdf")
    assert status == 0
    key = read_key(str(tmp_path / "total" / "key.json"))
    assert key.questions == ("total",)
    assert (tmp_path / "total" / "key.csv").read_text().splitlines()[0] == "student,C_in,t,C_out,total"
    for student in key.students:
        sizes = [student.values[n] for n in ("C_in", "t", "C_out")]
        assert student.answers == {"total": reference("keras", *sizes)["total"]["keras"]}
    assert "How many parameters does the whole block have?" in (tmp_path / "total" / "problems.tex").read_text()


def test_the_residual_is_there_exactly_where_keras_applications_adds_it(capsys, tmp_path):
    """keras.applications' own `_inverted_res_block` decides its add (C_in = C_out and stride 1): every
    combination of these sizes, the page shows the add where Keras has one, and the MACs are Keras'."""
    keras = need_keras()
    status, _ = exercise(capsys, tmp_path, "--vary", "C_in=8,16", "--vary", "C_out=8,16", "--vary", "s=1,2",
                         "--vary", "t=2,6", "--set", "H=10", "--set", "W=7", "--ask", "macs", "--count", "16",
                         "--seed", "6", "--no-pdf")
    assert status == 0
    key = read_key(str(tmp_path / "key.json"))
    problems = pages((tmp_path / "problems.tex").read_text())
    added = 0
    for student, page in zip(key.students, problems):
        v = student.values
        model = keras_mobilenetv2_block((10, 7, v["C_in"]), v["t"], v["C_out"], v["s"])
        residual = any(isinstance(layer, keras.layers.Add) for layer in model.layers)
        assert (r"\texttt{add}" in page) == residual, v
        added += residual
        assert student.answers["total"] == keras_report(model)["macs"], v
    assert added == 4  # C_in = C_out (two ways) × t (two ways) at stride 1


def test_a_network_by_its_width_multiplier_against_keras_applications(capsys, tmp_path):
    """A rational size in the key ("7/20"), the totals of keras.applications' MobileNetV2 at each alpha, and a
    network's hundred-odd layers in tables that run over pages (longtables): every layer is in the PDF."""
    need(tex_ready(), "TeX (pdflatex) and pdftotext")
    need_keras()
    status, err = main(["exercise", "mobilenetv2", "--vary", "alpha=0.35,0.5", "--ask", "total", "--convention",
                        "keras", "--count", "2", "--seed", "1", "-o", str(tmp_path)]), capsys.readouterr().err
    assert status == 0, err
    key = read_key(str(tmp_path / "key.json"))
    assert sorted(s.values["alpha"] for s in key.students) == ["1/2", "7/20"]
    for student in key.students:
        model = keras_application("MobileNetV2", 224, 224, float(sympy.Rational(student.values["alpha"])))
        assert student.answers == {"total": model.count_params()}
    layers = [line.split(" & ")[0] for line in pages((tmp_path / "problems.tex").read_text())[0].splitlines()
              if line.startswith(r"\texttt{")]
    assert len(layers) > 100
    for texts in (page_texts(tmp_path / "problems.pdf"), page_texts(tmp_path / "solutions.pdf")):
        assert len(texts) > 2 and "classifier.dense" in "".join(texts)
    assert "How many parameters does the whole network have?" in "".join(page_texts(tmp_path / "problems.pdf"))


def test_a_hostile_roster_compiles_and_its_cells_are_escaped(capsys, tmp_path):
    need(tex_ready(), "TeX (pdflatex) and pdftotext")
    roster = tmp_path / "roster.csv"
    with roster.open("w", newline="") as handle:
        csv.writer(handle).writerows([("student", "name"), *zip(HOSTILE, ["Müller", r"\input{/etc/passwd}", "$y$",
                                                                      '=HYPERLINK("y")', "~{}"])])
    status, err = exercise(capsys, tmp_path / "out", *CLASS, "--students", str(roster), "--seed", "7",
                           "--title", r"Quiz \input{/etc/passwd} $z$ 50% #1")
    assert status == 0, err
    key = read_key(str(tmp_path / "out" / "key.json"))
    assert [s.student for s in key.students] == HOSTILE
    rows = (tmp_path / "out" / "key.csv").read_text().splitlines()[1:]
    assert [row.split(",")[0] for row in rows] == ['"\'=HYPERLINK(""http://x"")"', r"\input{/etc/passwd}", "$x$",
                                                  "_^&%#", "'+1 @a -b"]
    tex = (tmp_path / "out" / "problems.tex").read_text()
    assert r"\input{/etc/passwd}" not in tex and "$x$" not in tex
    texts = page_texts(tmp_path / "out" / "problems.pdf")
    assert 'Student: =HYPERLINK("http://x") — Müller' in texts[0]
    assert all(r"Quiz \input{/etc/passwd} $z$ 50% #1" in text for text in texts)
    assert r"\input{/etc/passwd}" in texts[1] and "$x$ — $y$" in texts[2] and "_^&%#" in texts[3]
    assert err.count("derive: wrote") == 6


@pytest.mark.parametrize("content, where, what", [
    (b"id,name\ns1,A\n", ":1", "no column student"),
    (b"student,name\ns1,A\n ,B\n", ":3", "a blank student id"),
    (b"student\ns1\ns2\ns1\n", ":4", "again (first on line 2)"),
    (b"student\n" + b"x" * 2500 + b"\n", ":2", "longer than"),
    (b"student\n" + b"junk," * 210_000, "", "larger than 1,000,000 bytes"),
    (b"student\ns\xe9\n", ":2", "not UTF-8"),
    (b"student\n", "", "no students"),
    (b"student\n\"a\x1bb\"\n", ":2", "a control character"),
])
def test_a_bad_roster_is_one_line_and_writes_nothing(capsys, tmp_path, content, where, what):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(content)
    status, err = exercise(capsys, tmp_path / "out", *CLASS, "--students", str(roster), "--seed", "1")
    assert status == 2
    assert err.count("\n") == 1 and err.startswith(f"derive: error: {roster}{where}: "), err
    assert what in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv, what", [
    (["--vary", "C_in=3..4", "--vary", "t=2", "--vary", "C_out=C_in", "--count", "5"],
     "--vary: the ranges hold 2 distinct valid variants, fewer than the 5 asked for: widen a range"),
    ([*CLASS, "--ask", "macs", "--count", "3"], "--ask macs: the MACs need H and W: give them (--set H=...) or vary them"),
    ([*CLASS, "--ask", "macs", "--set", "H=8", "--count", "3"], "--ask macs: the MACs need W"),
    (["--vary", "C_in=3..9", "--vary", "t=2,4", "--count", "3"], "--ask parts: the counts need C_out"),
    (["--vary", "C_in=3..9", "--vary", "t=1", "--vary", "C_out=4", "--count", "3"],
     "the ranges hold 0 distinct valid variants"),
    ([*CLASS, "--count", "0"], "--count 0: from 1 to 10,000 students"),
    ([*CLASS, "--count", "3", "--set", "C_in=4"], "C_in is both varied and set"),
    ([*CLASS, "--count", "3", "--title", "x" * 201], "--title: a title of at most 200 characters"),
])
def test_what_cannot_be_made_is_one_line_and_writes_nothing(capsys, tmp_path, argv, what):
    status, err = exercise(capsys, tmp_path / "out", *argv, "--seed", "1", "--no-pdf")
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("derive: error: ") and what in err, err
    assert not (tmp_path / "out").exists()


def test_a_folder_where_a_file_goes_is_said_before_anything_is_written(capsys, tmp_path):
    (tmp_path / "out" / "key.csv").mkdir(parents=True)
    status, err = exercise(capsys, tmp_path / "out", *CLASS, "--count", "3", "--seed", "1", "--no-pdf")
    assert status == 2 and err == f"derive: error: {tmp_path / 'out' / 'key.csv'}: is not a regular file: derive " \
                                  "writes regular files only\n"
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["key.csv"]


def test_without_tex_it_is_exit_3_before_anything_is_written(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    status, err = exercise(capsys, tmp_path / "out", *CLASS, "--count", "3", "--seed", "1")
    assert status == 3 and "TeX is not installed" in err and "--no-pdf" in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists()


# -- the key read back ---------------------------------------------------------------------------------
def small_key(students=(("s1", 3, 6, 3), ("s2", 8, 2, 12))) -> Key:
    made = []
    for sid, c_in, t, c_out in students:
        d = derive.show(BLOCK, C_in=c_in, t=t, C_out=c_out)
        made.append(Student(sid, {"C_in": c_in, "t": t, "C_out": c_out}, answers(d, "parts")))
    return Key(BLOCK, None, {}, "paper", {}, {}, {"C_in": "3..32", "t": "2,4,6", "C_out": "C_in..2*C_in"}, 1,
               "parts", questions(d, "parts"), tuple(made))


def test_key_written_and_read_back_is_the_same_and_its_answers_are_torchs(tmp_path):
    key = small_key()
    path = tmp_path / "key.json"
    path.write_text(key.to_json())
    back = read_key(str(path))
    assert back == key
    assert back.to_json() == key.to_json()
    for student in back.students:
        sizes = student.values
        counted = reference("torch", sizes["C_in"], sizes["t"], sizes["C_out"])
        assert student.answers == {q: counted[q]["paper"] for q in back.questions}
        assert answers(back.derivation(student), "parts") == student.answers
    assert key.to_csv().splitlines()[0] == "student,C_in,t,C_out,expand,depthwise,project,total"


@pytest.mark.parametrize("edit, where", [
    (lambda k: k.update(version=2), "version"),
    (lambda k: k.pop("seed"), "seed"),
    (lambda k: k.update(extra=1), '"extra"'),
    (lambda k: k.update(convention="tf"), "convention"),
    (lambda k: k.update(ask="all"), "ask"),
    (lambda k: k.update(questions=["expand"]), "questions"),
    (lambda k: k["students"][1].update(student=""), "students[1].student"),
    (lambda k: k["students"][1].update(student="s1"), "students[1].student"),
    (lambda k: k["students"][0]["values"].update(C_in=-3), "students[0].values.C_in"),
    (lambda k: k["students"][0]["values"].pop("t"), "students[0].values"),
    (lambda k: k["students"][0]["answers"].update(total="348"), "students[0].answers.total"),
    (lambda k: k["students"][0]["answers"].update(total=True), "students[0].answers.total"),
    (lambda k: k["students"][0].update(student="a\x1b[2Jb"), "students[0].student"),
])
def test_an_edited_key_is_one_error_naming_the_field(tmp_path, edit, where):
    obj = json.loads(small_key().to_json())
    edit(obj)
    path = tmp_path / "key.json"
    path.write_text(json.dumps(obj))
    with pytest.raises(InputError) as caught:
        read_key(str(path))
    assert str(caught.value).startswith(f"{path}: {where}")
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize("data", [b"", b"{", b"[1]", b"\xff\xfe", b"[" * 100_000, b'{"format": "x"}',
                                  b'{"format": "derive exercise key", "version": 1, "x": ' + b"9" * 5000 + b"}"])
def test_not_a_key_is_one_error(tmp_path, data):
    path = tmp_path / "key.json"
    path.write_bytes(data)
    with pytest.raises(InputError) as caught:
        read_key(str(path))
    assert str(caught.value).startswith(str(path))
