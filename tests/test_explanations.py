"""The worked solution's prose says what holds for THIS block: each explanation is chosen by what the block
has (its kinds of layer and its structure), and names no kind of layer it lacks. The sentences that must
appear are keyed on the block's real content; every count they must show is read from the derivation's
JSON, never written here."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from derive.api import derive_target, load
from derive.presentation.render import render
from test_golden import SHOWN

ROOT = Path(__file__).resolve().parents[1]
BOTTLENECK = {"C_in": 64, "C_mid": 64, "C_out": 256, "H": 56, "W": 56}  # a projection shortcut
TRANSFORMER = {"d_model": 512, "heads": 8, "d_ff": 2048, "L": 196}
MBCONV = {"C_in": 16, "t": 6, "C_out": 24, "s": 2, "H": 112, "W": 112}
FORUM = ("examples/forum_bottleneck.py", {"C_in": 3, "n_out": 3})
INVERTED = ("examples/inverted_residual.py", {"inp": 3, "oup": 3})


def derived(target: str, values: dict, convention: str = "paper", options: dict | None = None):
    path = str(ROOT / target) if target.endswith(".py") else target
    return derive_target(load(path), convention, options or {}, {k: str(v) for k, v in values.items()})


def shown(d, fmt: str = "markdown") -> str:
    return render(d, fmt)


def data(d) -> dict:
    return json.loads(render(d, "json"))


def part(d, name: str) -> int:
    return next(p for p in data(d)["parts"] if p["name"] == name)["all"]["value"]


def explanation(markdown: str, heading: str) -> str:
    """The bullet of "Why these numbers" whose bold heading starts with `heading` ('' if none)."""
    for line in markdown.splitlines():
        if line.startswith(f"- **{heading}"):
            return line
    return ""


def grouped(value: int) -> str:
    return f"{value:,}"


def has_number(text: str, value: int) -> bool:
    """Whether `text` shows `value`, its thousands grouped in any of the styles (1,234 / 1\\,234 / 1{,}234)."""
    digits = f"{value:,}".split(",")
    return re.search(r"(?<![\d.])" + r"(?:,|\\,|\{,\}|\s)?".join(digits) + r"(?![\d])", text) is not None


STUDENT = ("markdown", "tex")
CLI = ("derive show", "--option", "--set", "--detail", "bind ", "for a number")


# -- projection and identity shortcuts ------------------------------------------------------------------
def test_a_projection_shortcut_says_why_it_is_there_and_what_it_costs():
    d = derived("resnet-bottleneck", BOTTLENECK)
    md = shown(d)
    text = explanation(md, "The projection shortcut")
    assert text, "no explanation of the projection shortcut"
    cost = part(d, "shortcut")  # the shortcut's conv + batch norm, as the derivation counts them
    assert has_number(text, cost)
    assert "channels come in" in text and "= 64" in text and "= 256" in text  # the reason: C_in ≠ C_out
    assert "stride $s = 2$ makes" not in text  # s = 1 here: the stride is no reason
    assert "the skip path is the identity" not in md and "adds no parameters" not in md.split("What Keras")[0]


def test_a_strided_projection_names_the_stride_as_its_reason():
    d = derived("resnet-basic", {"C_in": 64, "C_out": 64, "s": 2, "H": 56, "W": 56})
    text = explanation(shown(d), "The projection shortcut")
    assert "the stride $s = 2$ makes the output's height and width smaller" in text
    assert "channels come in" not in text  # C_in = C_out: the channels are no reason
    assert has_number(text, part(d, "shortcut"))


def test_an_identity_shortcut_keeps_the_identity_text():
    d = derived("resnet-bottleneck", {**BOTTLENECK, "C_in": 256})
    md = shown(d)
    assert "projection shortcut" not in md.lower()
    assert "the skip path is the identity" in explanation(md, "The residual add")


def test_an_open_shortcut_condition_is_said_as_a_condition():
    md = shown(derived("resnet-bottleneck", {}))  # C_in, C_out unbound: the shortcut may or may not be there
    text = explanation(md, "The projection shortcut")
    assert r"When $C_{\mathrm{in}} \neq C_{\mathrm{out}}$" in text and "otherwise the input is added as it is" in text


# -- attention, no convolutions or batch norms ------------------------------------------------------------
@pytest.mark.parametrize("fmt", STUDENT)
def test_the_transformer_is_explained_by_attention_not_by_convolutions(fmt):
    out = shown(derived("transformer-encoder", TRANSFORMER), fmt)
    low = out.lower()
    for absent in ("batch norm", "moving mean", "running mean", "num_batches_tracked", "convolution",
                   "height", "heads heads", r"$\gamma$ and $\beta$"):
        assert absent not in low, absent
    assert "multi-head attention" in low and "head" in low
    assert "layer norm" in low


# -- grouped and depthwise convolutions -------------------------------------------------------------------
def test_a_grouped_convolution_is_not_explained_as_a_full_one():
    d = derived(*INVERTED, convention="pytorch")
    md = shown(d)
    conv3 = next(layer for layer in data(d)["layers"] if layer["name"] == "conv.3")
    weights = conv3["trainable"]["value"]  # its weights: no bias
    grouped_text = explanation(md, "Depthwise convolution written with groups")
    assert "`conv.3`" in grouped_text and has_number(grouped_text, weights)
    assert "covers every input channel" not in grouped_text and "one input channel per filter" in grouped_text
    full = explanation(md, "Convolution: one filter per output channel")
    assert "`conv.3`" not in full  # the full-convolution text is about a full convolution (conv.0)


# -- squeeze-and-excitation ------------------------------------------------------------------------------
def test_a_squeeze_and_excitation_gate_is_explained_with_its_cost():
    d = derived("mbconv", MBCONV)
    md = shown(d)
    text = explanation(md, "Squeeze-and-excitation")
    assert text and has_number(text, part(d, "se"))
    assert "Element-wise joins" not in md  # the multiply is the gate's, explained with it
    assert "Squeeze-and-excitation" not in shown(derived("mbconv", MBCONV, options={"se": False}))


# -- networks: repeated stages --------------------------------------------------------------------------
def test_a_network_explains_its_repeated_stages_with_their_counts():
    d = derived("mobilenetv2", {})
    text = explanation(shown(d), "Repeated blocks")
    stage = next(s for s in data(d)["stages"] if s["repeat"] > 2)
    block, first = stage["block"]["all"]["value"], stage["block"]["all"]["value"] + stage["difference"]["all"]["value"]
    n = stage["repeat"]
    assert f"In {stage['name']}, with n = {n}," in text
    assert f"{grouped(first)} + {n - 1} × {grouped(block)} = {grouped(part(d, stage['name']))}" in text


# -- the forum leads with what the asker's framework prints ---------------------------------------------
def test_pasted_keras_code_leads_with_its_model_summary():
    d = derived(*FORUM, convention="keras")
    totals = data(d)["total"]
    lead = shown(d).split("\n\n")[1]
    k = [totals[key]["value"] for key in ("all", "trainable", "non_trainable")]
    assert lead.startswith(f"**{grouped(k[0])} parameters**: Keras' `model.summary()`")
    assert f"Total params {grouped(k[0])}, Trainable params {grouped(k[1])}, Non-trainable params {grouped(k[2])}" in lead
    paper = derived(*FORUM)  # the same code under the default convention: the same lead, Keras' figures first
    assert shown(paper).split("\n\n")[1].startswith(f"**{grouped(k[0])} parameters**: Keras' `model.summary()`")
    assert "- **Papers**" not in shown(paper)  # derive does not know a published form of pasted code


def test_pasted_torch_code_leads_with_parameters_and_buffers():
    d = derived(*INVERTED, convention="pytorch")
    totals = data(d)["total"]
    lead = shown(d).split("\n\n")[1]
    assert lead.startswith(f"**{grouped(totals['all']['value'])} parameters**: `sum(p.numel() for p in model.parameters())`")
    assert f"{grouped(totals['buffers']['value'])} values more in its buffers" in lead


def test_biases_the_published_block_lacks_are_said_with_both_counts():
    biased = derived("mobilenetv2-block", {"C_in": 3, "t": 6, "C_out": 3}, options={"bias": True})
    published = derived("mobilenetv2-block", {"C_in": 3, "t": 6, "C_out": 3})
    trained, plain = data(biased)["total"]["all"]["value"], data(published)["total"]["all"]["value"]
    assert trained != plain
    papers = next(line for line in shown(biased).splitlines() if line.startswith("- **Papers**"))
    assert f"trains {grouped(trained)}" in papers and f"as published, {grouped(plain)}" in papers
    # without the option there is nothing to set apart
    assert "as published," not in shown(published)


# -- student documents carry no command-line text --------------------------------------------------------
@pytest.mark.parametrize("fmt", STUDENT)
@pytest.mark.parametrize("case", ["resnet-bottleneck", "mobilenetv2", "mobilenetv1-block-symbolic", "forum"])
def test_student_documents_carry_no_command_line(case, fmt):
    d = {"resnet-bottleneck": lambda: derived("resnet-bottleneck", {}), "mobilenetv2": lambda: derived("mobilenetv2", {}),
         "mobilenetv1-block-symbolic": lambda: derived("mobilenetv1-block", {}), "forum": lambda: derived(*FORUM)}[case]()
    out = shown(d, fmt) if not (fmt == "tex" and d.stages) else shown(d, "tex")
    for hint in CLI:
        assert hint not in out.replace("-{}-", "--"), hint


def test_the_bias_note_gives_the_count_a_bias_would_add():
    d = derived("mobilenetv2-block", {"C_in": 3, "t": 6, "C_out": 3})
    biased = derived("mobilenetv2-block", {"C_in": 3, "t": 6, "C_out": 3}, options={"bias": True})
    added = data(biased)["total"]["all"]["value"] - data(d)["total"]["all"]["value"]
    assert f"one more parameter per output channel, {grouped(added)} more in all" in shown(d)


# -- every topic rendered for every golden case names a kind the block has --------------------------------
def _fork(d) -> bool:
    """A tensor read by two layers, one of them a convolution, and an add: a branch that can be a shortcut."""
    readers: dict[str, list] = {}
    for row in d.layers:
        for source in row.sources:
            readers.setdefault(source, []).append(row)
    return any(row.op == "add" for row in d.layers) and any(
        len(rows) > 1 and any(r.layer.family == "convolution" for r in rows) for rows in readers.values())


def _ops(d) -> set[str]:
    return {row.op for row in d.layers}


NEEDS = {  # topic -> what the block must have for it to be said (read from the derivation's layers)
    "conv2d": lambda d: "conv2d" in _ops(d),
    "depthwise_conv2d": lambda d: "depthwise_conv2d" in _ops(d),
    "grouped_conv": lambda d: any(getattr(r.layer, "groups", 1) != 1 for r in d.layers),
    "dense": lambda d: "dense" in _ops(d),
    "batch_norm": lambda d: "batch_norm" in _ops(d),
    "layer_norm": lambda d: "layer_norm" in _ops(d),
    "multi_head_attention": lambda d: "multi_head_attention" in _ops(d),
    "bias_dropped": lambda d: any(a.layer.family == "convolution" and b.op == "batch_norm" for a, b in zip(d.layers, d.layers[1:])),
    "bias_redundant": lambda d: any(a.layer.family == "convolution" and b.op == "batch_norm"
                                    and any(t.term.kind == "bias" for t in a.terms) for a, b in zip(d.layers, d.layers[1:])),
    "activation": lambda d: any(r.layer.family == "activation" for r in d.layers),
    "add": lambda d: "add" in _ops(d),
    "projection": _fork,
    "squeeze_excite": lambda d: "multiply" in _ops(d) and bool(_ops(d) & {"adaptive_pool2d", "global_pool2d"}),
    "elementwise": lambda d: bool(_ops(d) & {"multiply", "subtract", "average", "maximum", "minimum"}),
    "concatenate": lambda d: "concatenate" in _ops(d),
    "repeated": lambda d: any(r.repeat > 1 for r in d.layers),
    "parameter_free": lambda d: any(r.layer.family == "parameter_free" for r in d.layers),
}
HEADINGS = {"Convolution:": "conv2d", "Depthwise convolution:": "depthwise_conv2d", "Depthwise convolution written": "grouped_conv",
            "Grouped convolution": "grouped_conv", "Dense layer": "dense", "Batch norm:": "batch_norm",
            "Layer norm": "layer_norm", "Multi-head attention": "multi_head_attention", "No bias before": "bias_dropped",
            "A bias before batch norm": "bias_redundant", "Activations": "activation", "The residual add": "add",
            "The projection shortcut": "projection", "Squeeze-and-excitation": "squeeze_excite",
            "Element-wise joins": "elementwise", "Concatenation": "concatenate", "Repeated blocks": "repeated"}


def _golden(case: str):
    args = list(SHOWN[case])
    target, values, options, convention = args.pop(0), {}, {}, "paper"
    while args:
        flag, value = args.pop(0), args.pop(0)
        if flag == "--set":
            name, _, v = value.partition("=")
            values[name] = v
        elif flag == "--option":
            name, _, v = value.partition("=")
            options[name] = v
        elif flag == "--convention":
            convention = value
    return derived(target, values, convention, options)


@pytest.mark.parametrize("case", sorted(SHOWN))
def test_every_explanation_names_only_what_the_block_has(case):
    d = _golden(case)
    md = shown(d)
    said = re.findall(r"^- \*\*(.+?)\*\*", md.split("#### Why these numbers")[-1].split("#### What Keras")[0], flags=re.M)
    for heading in said:
        topic = next((t for start, t in HEADINGS.items() if heading.startswith(start)), None)
        if topic is not None:
            assert NEEDS[topic](d), f"{case}: {heading!r} said of a block without it"
    low = md.lower()
    if "batch_norm" not in _ops(d):
        for absent in ("batch norm", "moving mean", "running mean", "num_batches_tracked"):
            assert absent not in low, f"{case}: {absent}"
    if not any(r.layer.family == "convolution" and r.op != "dense" for r in d.layers):
        assert "convolution" not in low, case
    if "- **Papers**" in md:
        assert not d.framework, f"{case}: pasted code's published form is not known"
