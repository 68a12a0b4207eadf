"""derive/course/tables.py: CSV in, bounded (bytes, rows, cell length, UTF-8, no NUL, the columns asked for),
each failure one error naming FILE:LINE; CSV out, safe to open in a spreadsheet (a cell that would be a
formula gets a `'` in front) and read back by Python's csv module as the same text."""

from __future__ import annotations

import csv
import io

import pytest

from derive.course import tables
from derive.course.tables import csv_text, read_table, safe_cell
from derive.errors import InputError


def table(tmp_path, content: bytes, required=("student", "part", "answer"), **kwargs):
    path = tmp_path / "t.csv"
    path.write_bytes(content)
    return read_table(str(path), "ANSWERS", list(required), **kwargs)


def error(tmp_path, content: bytes, **kwargs) -> str:
    with pytest.raises(InputError) as caught:
        table(tmp_path, content, **kwargs)
    return str(caught.value).replace(str(tmp_path / "t.csv"), "t.csv")


def test_rows_keyed_by_lower_cased_columns_with_their_lines(tmp_path):
    rows = table(tmp_path, "\ufeff Student ,PART,Answer,extra\ns1,total,\"2,168\"\n\n,,\ns2,dw\n".encode())
    assert rows == [{"_line": "2", "student": "s1", "part": "total", "answer": "2,168", "extra": ""},
                    {"_line": "5", "student": "s2", "part": "dw", "answer": "", "extra": ""}]


def test_a_quoted_cell_over_lines_keeps_the_line_it_ends_on(tmp_path):
    rows = table(tmp_path, b'student,part,answer\ns1,total,"3\n+4"\ns2,total,5\n')
    assert [(r["student"], r["_line"], r["answer"]) for r in rows] == [("s1", "3", "3\n+4"), ("s2", "4", "5")]


@pytest.mark.parametrize("content, message", [
    (b"", "t.csv: empty"),
    (b"\n\n", "t.csv: empty"),
    (b"student,answer\n", "t.csv:1: no column part in the header line (its columns: 'student', 'answer')"),
    (b"student;part;answer\n", ("t.csv:1: no column student, part, answer in the header line (its columns: "
                                "'student;part;answer'); columns are separated by commas, not ';'")),
    (b"student,part,answer\ns1,total,\xc3\x28\n", "t.csv:2: not UTF-8 text (byte 29)"),
    (b"\xef\xbb\xbfstudent,part,answer\n\xff\n", "t.csv:2: not UTF-8 text (byte 23)"),
    (b"student,part,answer\n\ns1,\x00,1\n", "t.csv:3: not a CSV file (a NUL byte at byte 24)"),
    (b"student,part,answer\ns1,total,1,2\n", "t.csv:2: 4 cells in a row under a header of 3 columns"),
    (b'student,part,answer\ns1,total,"1\n', "t.csv:2: not a CSV file"),
    (b'student,part,answer\ns1,total,"1"x\n', "t.csv:2: not a CSV file"),
    (b"student,part,answer\ns1,total," + b"9" * (tables.MAX_CELL + 1) + b"\n",
     f"t.csv:2: a cell longer than {tables.MAX_CELL:,} characters"),
    (b"student,part," + b"a" * (tables.MAX_CELL + 1) + b"\n", "t.csv:1: a column name longer than"),
])
def test_what_it_cannot_read_is_one_error_naming_the_line(tmp_path, content, message):
    said = error(tmp_path, content)
    assert said.startswith(message) and "\n" not in said, said


def test_the_bounds_in_bytes_and_rows(tmp_path):
    junk = b"student,part,answer\n" + b"x" * tables.MAX_BYTES
    assert error(tmp_path, junk) == f"t.csv: larger than {tables.MAX_BYTES:,} bytes"
    assert error(tmp_path, b"student,part,answer\n" + b"s,t,1\n" * 20, limit=100) == "t.csv: larger than 100 bytes"
    many = b"student,part,answer\n" + b"s,t,1\n" * (tables.MAX_ROWS + 1)
    assert error(tmp_path, many) == f"t.csv:{tables.MAX_ROWS + 2}: more than {tables.MAX_ROWS:,} rows"
    assert len(table(tmp_path, b"student,part,answer\n" + b"s,t,1\n" * tables.MAX_ROWS)) == tables.MAX_ROWS


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://evil\")", "+1", "-1", "@SUM(A1)", "\tx", "\rx",
                                  "=1+2", "-", "+"])
def test_a_formula_cell_gets_a_quote_and_reads_back_as_written(cell):
    assert safe_cell(cell) == "'" + cell
    text = csv_text(["student", "score"], [{"student": cell, "score": 1}])
    assert list(csv.reader(io.StringIO(text))) == [["student", "score"], ["'" + cell, "1"]]


@pytest.mark.parametrize("value, shown", [(-3, "-3"), (0, "0"), (12, "12"), (True, "true"), (None, ""),
                                          ("s 1", "s 1"), ("a=b", "a=b"), ("3-1", "3-1"), ("'x", "'x"),
                                          ("", ""), ("a\rb", "a\rb"), ("Müller, \"Jo\"", "Müller, \"Jo\"")])
def test_numbers_stay_numbers_and_text_stays_as_it_is(value, shown):
    assert safe_cell(value) == shown
    text = csv_text(["a", "b"], [{"a": value, "b": "x\ny"}])
    assert list(csv.reader(io.StringIO(text))) == [["a", "b"], [shown, "x\ny"]]


def test_written_then_read_back_is_the_same_table(tmp_path):
    rows = [{"student": "=cmd|' /C calc'!A0", "part": "total", "answer": "2,168"},
            {"student": "s2", "part": "-1", "answer": "3x3x18 + 2x18"}]
    path = tmp_path / "t.csv"
    path.write_text(csv_text(["student", "part", "answer"], rows), encoding="utf-8")
    back = read_table(str(path), "ANSWERS", ["student", "part", "answer"])
    assert [{k: v for k, v in r.items() if k != "_line"} for r in back] == [
        {"student": "'=cmd|' /C calc'!A0", "part": "total", "answer": "2,168"},
        {"student": "s2", "part": "'-1", "answer": "3x3x18 + 2x18"}]
