"""The presentation package: views are plain data built with what a format shows, math strings come from
the printer (precedence as data), explanations are chosen from the layers, escaping follows the output
format, and the Python API's object shows itself in a notebook while the model knows nothing of it."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
import sympy

import derive
from derive.api import derive_target, load
from derive.derivation import Derivation
from derive.layers import Activation, Add, BatchNorm, Conv2D, Dropout, Layer
from derive.presentation.explain import topics
from derive.presentation.formats import SHOW, SUMMARY
from derive.presentation.printing import printer
from derive.presentation.render import render
from derive.presentation.templating import get_template
from derive.presentation.views import view
from derive.records import frozen
from derive.symbols import sym

PLAIN = (str, int, bool, type(None))


def fresh(name: str, **values):
    target = load(name)
    return derive_target(target, "paper", {}, values)


def plain_data(value, where: str = "view") -> list[str]:
    """Where `value` holds anything but dicts, lists, strings, numbers and None (a callable, a sympy
    object, a model record): what a template could call back into."""
    if isinstance(value, dict):
        return [bad for key, item in value.items() for bad in plain_data(item, f"{where}.{key}")]
    if isinstance(value, (list, tuple)):
        return [bad for i, item in enumerate(value) for bad in plain_data(item, f"{where}[{i}]")]
    return [] if isinstance(value, PLAIN) and not isinstance(value, sympy.Basic) else [f"{where}: {type(value).__name__}"]


def test_every_view_is_plain_data():
    for name in ("mobilenetv2-block", "resnet-basic", "mobilenetv2"):
        d = fresh(name)
        for fmt in [f for f in SHOW.values() if f.template is not None] + list(SUMMARY.values()):
            assert plain_data(view(d, fmt)) == [], (name, fmt.name)


def test_a_format_that_shows_no_macs_never_works_them_out():
    d = fresh("mobilenetv2")
    render(d, "latex")
    assert d.total["macs"]._count is None  # the MACs of a network are most of a derivation's cost
    render(d, "text")  # the per-stage summary shows the MACs' value, not their formula
    assert "formula" not in vars(d.total["macs"]._count)
    render(d, "text", detail=True)
    assert "formula" in vars(d.total["macs"]._count)


def test_the_view_holds_what_the_format_declares():
    d = fresh("mobilenetv2-block", C_in=3, t=6, C_out=3)
    latex, text, markdown = view(d, SHOW["latex"]), view(d, SHOW["text"]), view(d, SHOW["markdown"])
    assert set(latex["total"]) == {"all"} and "others" not in latex and "explanations" not in latex
    assert "eq" not in latex["total"]["all"] and "eq" in markdown["total"]["all"]
    assert set(text["total"]) == {"trainable", "non_trainable", "all", "buffers", "macs"}
    assert text["total"]["all"]["formula"] == "C_in·t·(C_in + C_out + k² + 4) + 2·C_out"
    assert text["total"]["all"]["value"] == 348
    assert text["others"]["keras"]["all"] == {"formula": "426", "value": 426}
    summary = view(fresh("mobilenetv2"), SUMMARY["text"])
    assert "layers" not in summary and summary["total"]["macs"] == {"value": 300774272}


def test_repeated_terms_are_bracketed_by_precedence():
    C, k = sym("C"), sym("k")
    latex, text = printer("latex"), printer("text")
    assert latex.repeated(3, (C + 1,)) == r"3 \cdot \left(C + 1\right)"
    assert latex.repeated(3, (k, k, C)) == r"3 \cdot \left(k \cdot k \cdot C\right)"  # n copies of the term as written
    assert latex.repeated(2, (k ** 2,)) == r"2 \cdot k^{2}"
    assert text.repeated(2, (sympy.ceiling(C / 2),)) == "2·⌈C/2⌉"
    assert printer("text", values={C: sympy.Integer(18)}).repeated(2, (sympy.Integer(3), sympy.Integer(3), C)) == "2·(3·3·18)"


def test_a_count_is_written_as_its_terms_or_its_closed_form():
    d = fresh("mobilenetv2-block", C_in=3, t=6, C_out=3)
    depthwise = next(row for row in d.layers if row.name == "depthwise")
    numbers = printer("text", values=d.substitution)
    assert numbers.written(depthwise.counts["trainable"]) == "3·3·18"
    assert numbers.written(depthwise.counts["buffers"]) == "0"
    assert printer("text").written(d.total["all"]) == "C_in·t·(C_in + C_out + k² + 4) + 2·C_out"


class Row:
    """A derivation's layer row as explain.py reads it: the layer, its op, its terms, its name, what it reads."""

    def __init__(self, layer, terms=(), name="", sources=()):
        self.layer, self.op, self.terms, self.name, self.sources, self.repeat = layer, layer.op, terms, name, sources, 1


@frozen
class SpatialDropout(Layer):
    """A kind that only says its family: explained as the parameter-free layers are."""

    op: ClassVar[str] = "spatial_dropout"
    family: ClassVar[str] = "parameter_free"


@frozen
class Mystery(Layer):
    op: ClassVar[str] = "mystery"


def test_explanations_follow_the_layer_families():
    rows = [Row(Conv2D(8, bias=False)), Row(BatchNorm()), Row(Activation("relu")), Row(Dropout(), name="dropout"),
            Row(Add(), sources=("dropout", "input"))]
    chosen = topics(rows)
    assert list(chosen) == ["conv2d", "batch_norm", "bias_dropped", "activation", "add", "parameter_free"]
    assert chosen["bias_dropped"] == [0] and chosen["parameter_free"] == [3]
    # a layer that names its family is explained by it, whatever its op; one with neither topic nor family, not at all
    assert topics([Row(SpatialDropout())]) == {"parameter_free": [0]}
    assert topics([Row(Mystery())]) == {}


def test_escaping_follows_the_output_format_not_the_folder():
    """The same template, rendered for Markdown and for a terminal."""
    data = {"target": "a_b", "scope": None, "correct": True, "claim": {"text": "2*3*4", "value": 24, "bare": False},
            "symbolic": False, "convention": "paper", "count": "all", "diagnosis": ["2*3*4 = 24"]}
    markdown = get_template("check/check.txt.j2", "markdown").render(data)
    text = get_template("check/check.txt.j2", "text").render(data)
    assert markdown == "✓ a\\_b: 2\\*3\\*4 = 24 is right (paper convention).\n  2\\*3\\*4 \\= 24\n"  # what {{ }} prints
    assert text == "✓ a_b: 2*3*4 = 24 is right (paper convention).\n  2*3*4 = 24\n"


def test_the_python_api_shows_itself_and_the_model_does_not():
    d = derive.show("mobilenetv2-block", C_in=3, t=6, C_out=3)
    assert isinstance(d, Derivation) and d.total["all"].value == 348
    assert d._repr_markdown_().startswith("### MobileNetV2 bottleneck ($C_{\\mathrm{in}} = 3$")
    latex = d._repr_latex_()
    assert latex.startswith(r"\begin{align*}") and "\n%" not in latex
    assert d.to_dict()["total"]["all"]["value"] == 348
    for name in ("to_dict", "_repr_markdown_", "_repr_latex_", "count_dict", "condition_text"):
        assert not hasattr(Derivation, name)


# -- the texts name only what the block has -------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["text", "markdown", "tex"])
def test_a_block_without_norms_is_not_said_to_have_moving_statistics(fmt, capsys):
    """An Embedding → LSTM → Dense model has no batch norm, no buffer, nothing frozen: no text may say it has."""
    from derive.cli import main as cli_main
    path = Path(__file__).resolve().parents[1] / "examples" / "lstm_sentiment.py"
    assert cli_main(["show", str(path), "--format", fmt]) == 0
    out = capsys.readouterr().out.lower()
    for claim in ("batch norm", "moving statistics", "moving mean", "running statistics", "num_batches_tracked",
                  "register_buffer", "frozen"):
        assert claim not in out, (fmt, claim)


def test_a_block_with_batch_norms_and_buffers_says_each(capsys):
    from derive.cli import main as cli_main
    assert cli_main(["show", "mobilenetv2-block", "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "moving means and variances" in out and "register_buffer" not in out
    path = Path(__file__).resolve().parents[1] / "examples" / "torch_tokens.py"
    assert cli_main(["show", str(path), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert "registered with `register_buffer` are buffers" in out and "batch norm" not in out
