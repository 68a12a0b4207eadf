"""`derive check`: right claims pass, wrong ones get the diagnosis a teaching assistant would give."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sympy

import derive
from derive.blocks import Block, Node
from derive.checking import judge
from derive.cli import main
from derive.derivation import derive as run_derivation
from derive.layers import BatchNorm, Conv2D, Shape
from derive.symbols import SymbolTable

SLIDE = {"C_in": 3, "t": 6, "C_out": 3}
SLIDE_ARGS = ["--set", "C_in=3", "--set", "t=6", "--set", "C_out=3"]
FORUM = Path(__file__).parent / "data" / "forum_answer.txt"


def check(claim, part=None, **kwargs):
    values = {**SLIDE, **kwargs.pop("values", {})}
    return derive.check("mobilenetv2-block", claim, part=part, **kwargs, **values)


def diagnosis(verdict) -> str:
    from derive.presentation.verdicts import diagnosis as lines

    return "\n".join(lines(verdict))


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# -- the forum thread -------------------------------------------------------------------------------
def test_forum_answer_two_lines_right_depthwise_wrong(capsys):
    status, out, err = run(capsys, "check", "mobilenetv2-block", *SLIDE_ARGS, "--claim-file", str(FORUM))
    assert status == 1 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("✓ expansion: 1x1x3 x18 + 2 x 18 = 90 — right")
    assert lines[1].startswith("✗ depthwise: (3 x 3 x 18) x18 + 2 x 18 = 2,952 — wrong; it is 3·3·18 + 2·18 = 198")
    assert "depthwise convolution is counted as a full convolution" in lines[2]
    assert "3·3·18 = 162 weights, not 3·3·18·18 = 2,916 (18 times too many)" in lines[2]
    assert "Corrected: 3·3·18 + 2·18 = 198." in out
    assert any(line.startswith("✓ pointwise: (1 x 1 x 18) x 3 + 2 x 3 = 60 — right") for line in lines)
    assert lines[-1] == "2 of 3 lines right."


def test_forum_answer_as_a_markdown_reply(capsys):
    status, out, _ = run(capsys, "check", "mobilenetv2-block", *SLIDE_ARGS, "--claim-file", str(FORUM),
                         "--format", "markdown")
    assert status == 1
    assert out.startswith("**What's right:** the expansion line")
    assert "**What's wrong: the depthwise line.**" in out
    assert "Corrected: 3·3·18 + 2·18 = 198." in out  # derive's own words as they are (mailed and read raw too)
    assert "\\" not in out  # nothing escaped: what the author wrote is in code spans


def test_markdown_reply_puts_what_the_author_wrote_in_code_spans(capsys):
    """`2*3*4` must not turn 3 into italics: the claim is a code span, in the diagnosis too; derive's own
    words and numbers are written as they are (layer names are letters, digits and `_ . - /`)."""
    status, out, _ = run(capsys, "check", "mobilenetv2-block", *SLIDE_ARGS, "--claim", "2*3*4", "--format", "markdown")
    assert status == 1
    assert out.startswith("**mobilenetv2-block: not quite.** `2*3*4` = 24, but the paper count is 348.")
    assert "`2*3*4` = 24: matches no term of the block." in out
    assert "Missing: expand_bn gamma 18." in out


def test_markdown_reply_to_a_slip_keeps_both_sides_in_code_spans(capsys):
    status, out, _ = run(capsys, "check", "mobilenetv2-block", *SLIDE_ARGS, "--part", "depthwise", "--claim",
                         "3*3*18 + 2*18 = 2_00", "--format", "markdown")
    assert status == 1
    assert "The arithmetic is off: `3*3*18 + 2*18` is 198, not 200." in out
    assert "`3*3*18` = 162: matches depthwise." in out and "`2*18` = 36: matches depthwise_bn." in out


def test_json_per_contract(capsys):
    status, out, _ = run(capsys, "check", "mobilenetv2-block", *SLIDE_ARGS, "--part", "depthwise",
                         "--claim", "(3*3*18)*18 + 2*18", "--format", "json")
    data = json.loads(out)
    assert status == 1
    assert set(data) == {"correct", "part", "claimed", "expected", "diagnosis"}
    assert data["correct"] is False and data["part"] == "depthwise"
    assert data["claimed"]["value"] == 2952 and data["expected"]["value"] == 198
    assert set(data["expected"]) == {"formula", "expr", "latex", "value"}
    assert any("full convolution" in line for line in data["diagnosis"])


# -- claims as people paste them ----------------------------------------------------------------------
@pytest.mark.parametrize("part,claim", [
    ("expand", "1x1x3x18 + 2x18"),
    ("expand", "1x1x3 x18 + 2 x 18"),
    ("depthwise", "3 × 3 × 18 + 2 × 18"),
    ("depthwise", "k^2*t*C_in + 2*t*C_in"),
    ("depthwise", "t·C_in·k² + 2·t·C_in"),
    ("project", "(1 x 1 x 18) x 3 + 2 x 3"),
    (None, "348"),
    (None, "t·C_in·(C_in + k² + C_out + 4) + 2·C_out"),
    ("depthwise", "3*3*18 + 2*18 = 198"),
])
def test_right_claims(part, claim):
    verdict = check(claim, part)
    assert verdict.correct, diagnosis(verdict)


def test_symbolic_claim_is_judged_for_all_sizes():
    verdict = check("t·C_in·k²", "depthwise")
    assert not verdict.correct and verdict.symbolic
    assert [m.kind for m in verdict.mistakes] == ["norm_left_out"]
    # equal at these sizes is not enough for a formula: 9·t·C_in + 36 is 198 here, but not in general
    assert not check("9*t*C_in + 36", "depthwise", values={"k": 4}).correct


def test_arithmetic_slip_is_named():
    verdict = check("3*3*18 + 2*18 = 200", "depthwise")
    assert not verdict.correct
    assert "The arithmetic is off: 3*3*18 + 2*18 is 198, not 200." in diagnosis(verdict)


# -- each known mistake, made on purpose ----------------------------------------------------------------
MISTAKES = [
    # (what the student did, options, convention, count, part, claim, mistake, words in the diagnosis)
    ("depthwise counted as a full convolution", {}, "paper", "all", "depthwise", "(3*3*18)*18 + 2*18",
     "depthwise_as_full", "18 times too many"),
    ("bias forgotten", {"bias": True}, "keras", "all", "expand", "1*1*3*18 + 4*18",
     "bias_forgotten", "bias is left out"),
    ("bias counted before batch norm", {}, "paper", "all", "expand", "1*1*3*18 + 18 + 2*18",
     "bias_added", "batch norm's beta shifts each channel anyway"),
    ("batch norm with 4 per channel under paper", {}, "paper", "all", None, "426",
     "statistics_counted", "4 values per channel where 2 are trainable"),
    ("batch norm with 4 per channel under pytorch", {}, "pytorch", "all", "project", "1*1*18*3 + 4*3",
     "statistics_counted", "running mean and variance are buffers"),
    ("batch norm with 2 where Keras shows 4", {}, "keras", "all", None, "348",
     "statistics_left_out", "Keras shows 4"),
    ("moving statistics counted as trainable", {}, "keras", "trainable", None, "426",
     "statistics_counted", "counted as trainable"),
    ("expansion width t·C_in confused with t", {}, "paper", "all", "expand", "1*1*3*6 + 2*6",
     "expansion_as_t", "expanded width is t·C_in"),
    ("k where k² belongs", {}, "paper", "all", "depthwise", "3*18 + 2*18",
     "kernel_not_squared", "k² weights"),
    ("wrong channel count feeding a layer", {}, "paper", "all", "project", "1*1*3*3 + 2*3",
     "wrong_channels", "18 channels reach it"),
    ("batch norm forgotten", {}, "paper", "all", "depthwise", "3*3*18",
     "norm_left_out", "gamma and beta"),
]


@pytest.mark.parametrize("what,options,convention,count,part,claim,kind,words", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_known_mistake_is_diagnosed(what, options, convention, count, part, claim, kind, words):
    verdict = check(claim, part, convention=convention, count=count, options=options)
    assert not verdict.correct
    assert verdict.mistakes and verdict.mistakes[0].kind == kind, [m.kind for m in verdict.mistakes]
    text = diagnosis(verdict)
    assert words in text
    assert "Corrected: " in text


def test_groups_ignored():
    """A grouped convolution: each of its filters sees C_in/g channels."""
    c = sympy.Integer(8)
    block = Block("grouped", "grouped", SymbolTable.of(["C_in", "H", "W"]), Shape(c, (sympy.Integer(9),) * 2),
                  (Node("conv", Conv2D(16, 3, groups=4, bias=False), "conv"), Node("bn", BatchNorm(), "conv")))
    d = run_derivation(block, "paper", {})
    assert judge(d, "3*3*2*16 + 2*16").correct
    verdict = judge(d, "3*3*8*16 + 2*16")
    assert [m.kind for m in verdict.mistakes][:1] == ["groups_ignored"]
    assert "With g groups each filter sees only C_in/g input channels" in diagnosis(verdict)


def test_unknown_mistake_gets_term_by_term_comparison():
    verdict = check("1*1*3*18 + 2*18 + 7", "expand")
    assert not verdict.correct and not verdict.mistakes
    text = diagnosis(verdict)
    assert "1*1*3*18 = 54: matches expand." in text
    assert "7 = 7: matches no term of expand." in text
    assert "Expected: 1·1·3·18 + 2·18 = 90." in text


# -- exit statuses and errors ---------------------------------------------------------------------------
def test_exit_status_right_wrong_unreadable(capsys, tmp_path):
    assert run(capsys, "check", "mobilenetv2-block", *SLIDE_ARGS, "--claim", "348")[0] == 0
    assert run(capsys, "check", "mobilenetv2-block", *SLIDE_ARGS, "--claim", "349")[0] == 1
    status, out, err = run(capsys, "check", "mobilenetv2-block", *SLIDE_ARGS, "--claim", "3 x * 18")
    assert status == 2 and out == "" and err.startswith("derive: error: --claim: 1:")
    bad = tmp_path / "answer.txt"
    bad.write_text("expansion: 1x1x3 x18 + 2 x 18\ndepthwise: (3 x 3 x 18 x18\n")
    status, out, err = run(capsys, "check", "mobilenetv2-block", *SLIDE_ARGS, "--claim-file", str(bad))
    assert status == 2 and out == ""
    assert err.startswith(f"derive: error: {bad}:2:") and err.count("\n") == 1


@pytest.mark.parametrize("argv,message", [
    (["--part", "squeeze", "--claim", "1"], "no part or layer 'squeeze'"),
    (["--claim", "os.system('x')"], "--claim: 1:"),
    (["--claim", "C_in + n"], "unknown name 'n'"),
    (["--claim-file", "/nonexistent"], "--claim-file /nonexistent"),
])
def test_bad_check_input(capsys, argv, message):
    status, out, err = run(capsys, "check", "mobilenetv2-block", *SLIDE_ARGS, *argv)
    assert status == 2 and out == "" and message in err and err.count("\n") == 1


def test_a_number_needs_the_sizes_bound(capsys):
    status, _, err = run(capsys, "check", "mobilenetv2-block", "--claim", "348")
    assert status == 2 and "bind C_in, C_out, t" in err
