"""`derive exercise`: a problem per student, their worked solutions and the key (derive/course/exercise.py,
key.py). The key's answers are held to what PyTorch and Keras count for the same block built in them."""

from __future__ import annotations

import json

import pytest

import derive
from derive.course.key import Key, Student, answers, questions, read_key
from derive.errors import InputError
from tests.helpers.reference_models import (
    torch_mobilenetv2_block,
    torch_report,
)

BLOCK = "mobilenetv2-block"


def torch_parts(c_in, t, c_out, s=1) -> dict[str, int]:
    """Parameters of each part (expand, depthwise, project) and in all, off the torch block's modules."""
    model = torch_mobilenetv2_block(c_in, t, c_out, s=s)
    parts = dict(zip(["expand", "depthwise", "project"][3 - len(model.body):], model.body))
    out = {name: sum(p.numel() for p in part.parameters()) for name, part in parts.items()}
    out["total"] = torch_report(model, (c_in, 8, 8))["parameters"]
    return out


def small_key(tmp_path, students=(("s1", 3, 6, 3), ("s2", 8, 2, 12))) -> Key:
    made = []
    for sid, c_in, t, c_out in students:
        d = derive.show(BLOCK, C_in=c_in, t=t, C_out=c_out)
        made.append(Student(sid, {"C_in": c_in, "t": t, "C_out": c_out}, answers(d, "parts")))
    return Key(BLOCK, None, {}, "paper", {}, {}, {"C_in": "3..32", "t": "2,4,6", "C_out": "C_in..2*C_in"}, 1,
               "parts", questions(d, "parts"), tuple(made))


def test_key_written_and_read_back_is_the_same_and_its_answers_are_torchs(tmp_path):
    key = small_key(tmp_path)
    path = tmp_path / "key.json"
    path.write_text(key.to_json())
    back = read_key(str(path))
    assert back == key
    assert back.to_json() == key.to_json()
    for student in back.students:
        sizes = student.values
        assert student.answers == torch_parts(sizes["C_in"], sizes["t"], sizes["C_out"])
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
    obj = json.loads(small_key(tmp_path).to_json())
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
