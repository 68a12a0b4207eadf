"""Rendering: the slide example's figures in every format, Markdown math checked by KaTeX, escaping of user text,
explanations chosen by the layers present, --title, --templates, Jupyter."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import derive
from derive.cli import main
from derive.errors import InputError
from derive.presentation.escaping import Safe, math_name, md, md_code, md_to_tex, tex
from derive.presentation.render import render
from derive.presentation.formats import SHOW
from derive.presentation.views import view

from helpers.golden import GOLDEN
from helpers.rendering_cases import HOSTILE, ROOT, cases, katex, slide, synthetic

SLIDE_ARGS = ["show", "mobilenetv2-block", "--set", "C_in=3", "--set", "t=6", "--set", "C_out=3"]
CASES = cases()


def run(capsys, *argv):
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


# -- the figures, worked by hand ------------------------------------------------------------------
# C_in = 3, t = 6, C_out = 3, k = 3: 18 hidden channels; each part a convolution and a batch norm's 2 per channel.
HAND = {"expand": 1 * 1 * 3 * 18 + 2 * 18, "depthwise": 3 * 3 * 18 + 2 * 18, "project": 1 * 1 * 18 * 3 + 2 * 3}
STATISTICS = 2 * (18 + 18 + 3)  # moving mean and variance of the three batch norms


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "latex", "tex", "slide"])
def test_every_format_gives_the_figures_worked_by_hand(capsys, fmt):
    """348 = 90 + 198 + 60 (../shared/reference: paper 348, Keras 426 = 348 + 78, PyTorch 81 buffers)."""
    assert (HAND, sum(HAND.values()), STATISTICS) == ({"expand": 90, "depthwise": 198, "project": 60}, 348, 78)
    status, out, err = run(capsys, *SLIDE_ARGS, "--format", fmt)
    assert status == 0, err
    for figure in (*HAND.values(), sum(HAND.values())):
        assert re.search(rf"(?<![\d,]){figure}(?![\d,])", out), (fmt, figure)
    if fmt in ("text", "markdown", "tex"):  # what the frameworks report
        assert all(str(figure) in out for figure in (348 + STATISTICS, STATISTICS, STATISTICS + 3)), fmt


# -- Markdown ---------------------------------------------------------------------------------------
CODE_SPAN = re.compile(r"(`+).+?\1")
DISPLAY = re.compile(r"^\$\$\n(.*?)\n\$\$$", re.M | re.S)
INLINE = re.compile(r"(?<![\\$])\$(?!\$)((?:\\.|[^$\\\n])+?)\$")


def math_fragments(markdown: str) -> list[tuple[str, bool]]:
    """($tex, display) for every $$…$$ block and $…$ span, outside code spans and escaped dollars."""
    text = CODE_SPAN.sub("", markdown)
    fragments = [(m.group(1), True) for m in DISPLAY.finditer(text)]
    text = DISPLAY.sub("", text)
    fragments += [(m.group(1), False) for m in INLINE.finditer(text)]
    return fragments


def markdowns() -> dict[str, str]:
    return {name: render(d, "markdown", title=title) for name, (d, title) in CASES.items()}


def test_every_math_fragment_of_the_markdown_renders_with_katex():
    fragments, where = [], []
    for name, text in markdowns().items():
        found = math_fragments(text)
        assert found, name
        fragments += found
        where += [name] * len(found)
    assert sum(display for _, display in fragments) >= len(CASES)  # the closed form of each
    errors = katex(fragments)
    failed = [(w, f, e) for w, f, e in zip(where, fragments, errors) if e is not None]
    assert not failed, failed[:5]


def test_markdown_dollars_pair_up():
    """No stray `$` (user text escapes them): once the math is out, no unescaped dollar is left."""
    for name, text in markdowns().items():
        rest = DISPLAY.sub("", CODE_SPAN.sub("", text))
        rest = INLINE.sub("", rest)
        assert not re.search(r"(?<!\\)\$", rest), name


def test_markdown_tables_have_one_cell_per_column():
    for name, text in markdowns().items():
        for table in re.findall(r"(?:^\|.*\|$\n?)+", text, flags=re.M):
            widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table.strip().splitlines()}
            assert len(widths) == 1, (name, table)


def test_markdown_is_a_forum_answer():
    text = render(slide(), "markdown")
    assert text.startswith("### MobileNetV2 bottleneck")
    assert "**348 parameters**" in text.split("\n\n")[1]  # the one-line summary comes first
    assert "| `depthwise` depthwise convolution" in text and "$3 \\cdot 3 \\cdot 18$ | 162 |" in text
    # the closed form, displayed, broken over two lines where one would be wider than a forum post
    assert "\n$$\n\\begin{aligned}\nN &= " in text and "= 348\n\\end{aligned}\n$$\n" in text
    assert "#### Why these numbers" in text and "#### What Keras and PyTorch report" in text
    assert "Total params 426, Trainable params 348, Non-trainable params 78" in text
    assert "81 values in `state_dict()`" in text


def test_markdown_escapes_user_text():
    text = render(slide(), "markdown", title=HOSTILE)
    heading = text.splitlines()[0]
    assert heading == r"### \\input\{/etc/passwd\} \#\$%\&\_\^\~ Müller"
    assert re.sub(r"\\(.)", r"\1", heading[4:]) == HOSTILE
    table = render(synthetic(), "markdown")
    assert "`" + HOSTILE + "`" in table  # a layer name: a code span, which shows it as it is
    assert "**body \\| 1**" in table and "| body \\| 1 |" in table  # a pipe must not end the cell


# -- explanations -------------------------------------------------------------------------------------
def topics(d) -> list[str]:
    from derive.presentation.explain import topics as chosen

    return list(chosen(d.layers))


def test_explanations_follow_the_layers_present():
    assert topics(slide()) == ["conv2d", "depthwise_conv2d", "batch_norm", "bias_dropped", "activation", "add"]
    assert "bias_redundant" in topics(slide(options={"bias": True}))
    assert "bias_dropped" not in topics(slide(options={"bias": True}))
    assert "add" not in topics(derive.show("mobilenetv1-block"))
    assert topics(synthetic()) == ["conv2d", "depthwise_conv2d", "separable_conv2d", "dense", "batch_norm",
                                   "layer_norm", "group_norm", "bias_redundant", "activation", "parameter_free"]


def test_the_explanations_say_why():
    text = render(slide(), "markdown")
    assert "$k \\cdot k \\cdot \\left(C_{\\mathrm{in}} t\\right) = 3 \\cdot 3 \\cdot 18 = 162$ weights, not" in text
    assert "= 2{,}916$" in text  # what a full convolution would have (Markdown groups thousands by commas)
    assert "2 trainable parameters per channel" in text and "2 more values per channel" in text
    assert "cancels out" in text  # the bias before batch norm
    assert "Activations: no parameters" in text and "The residual add: no parameters" in text


def test_an_instructor_can_reword_an_explanation(tmp_path, capsys):
    (tmp_path / "explain").mkdir()
    (tmp_path / "explain" / "batch_norm.md.j2").write_text(
        "Batch norm, reworded\nScale {{ first.name|code }} & shift: ${{ first.channels.formula }}$ each.\n")
    status, out, _ = run(capsys, *SLIDE_ARGS, "--format", "markdown", "--templates", str(tmp_path))
    assert status == 0
    assert "- **Batch norm, reworded.** Scale `expand_bn` & shift: $C_{\\mathrm{in}} t$ each." in out
    status, out, _ = run(capsys, *SLIDE_ARGS, "--format", "tex", "--templates", str(tmp_path))
    assert r"\paragraph{Batch norm, reworded.} Scale \texttt{expand\_bn} \& shift: $C_{\mathrm{in}} t$ each." in out


def test_any_template_can_be_overridden(tmp_path, capsys):
    (tmp_path / "latex").mkdir()
    (tmp_path / "latex" / "show.tex.j2").write_text(r"N = \VAR{total.all.formula}, \VAR{title}_\VAR{target}" "\n")
    status, out, _ = run(capsys, *SLIDE_ARGS, "--format", "latex", "--templates", str(tmp_path))
    assert (status, out) == (0, "N = C_{\\mathrm{in}} t \\left(C_{\\mathrm{in}} + C_{\\mathrm{out}} + k^{2} + 4\\right)"
                                " + 2 C_{\\mathrm{out}}, MobileNetV2 bottleneck_mobilenetv2-block\n")


# -- LaTeX ----------------------------------------------------------------------------------------------
def test_latex_outputs_carry_no_user_markup():
    """A hostile title or layer name arrives escaped: no `\\input` command, no unbalanced brace."""
    for name, (d, title) in CASES.items():
        for fmt in ("latex", "tex", "slide"):
            text = render(d, fmt, title=title)
            assert "\\input{" not in text, (name, fmt)
            if title == HOSTILE or (name, fmt) == ("synthetic", "tex"):  # a title, or a layer's name
                assert r"\textbackslash{}input\{/etc/passwd\} \#\$\%\&\_\textasciicircum{}\textasciitilde{} M{\"u}ller" in text


def test_latex_snippet_is_an_align_derivation():
    text = render(slide(), "latex")
    body = [line for line in text.splitlines() if not line.startswith("%")]
    assert body[0] == r"\begin{align*}" and body[-1] == r"\end{align*}"
    assert r"N_{\text{depthwise}} &= k \cdot k \cdot \left(C_{\mathrm{in}} t\right) + C_{\mathrm{in}} t + C_{\mathrm{in}} t\\" in body
    assert r"  &= 3 \cdot 6 \left(3 + 3 + 3^{2} + 4\right) + 2 \cdot 3 = 348\\" in body
    macs = body.index(r"\text{MACs} &= C_{\mathrm{in}} t \left(C_{\mathrm{in}} H W + \left(C_{\mathrm{out}} + k^{2}\right) \left\lceil \frac{H}{s} \right\rceil \left\lceil \frac{W}{s} \right\rceil\right)\\")
    # then the memory (latex/memory.tex.j2), in the same align*: parameters per dtype, training, activations last
    assert body[macs + 2] == r"\intertext{Memory in bytes, for a batch of $B = 1$:}"
    assert body[macs + 3] == r"M_{\text{fp32}} &= 4 \cdot 348 = 1\,392\\"
    assert body[-3].startswith(r"M_{\text{act}} &= 8 B \left(") and body[-2].startswith("  &= 8 \\cdot 1 ")
    assert "\n\n" not in text.split(r"\begin{align*}")[1]  # a blank line inside align* is an error


def test_tex_and_slide_are_complete_documents():
    tex_doc, slide_doc = render(slide(), "tex"), render(slide(), "slide")
    assert tex_doc.startswith(r"\documentclass[11pt,a4paper]{article}") and tex_doc.endswith("\\end{document}\n")
    assert r"\boxed{N = C_{\mathrm{in}} t \left(C_{\mathrm{in}} + C_{\mathrm{out}} + k^{2} + 4\right) + 2 C_{\mathrm{out}} = 348}" in tex_doc
    assert tex_doc.count(r"\node[layer") == 10  # the input and nine layers
    assert "skip" in tex_doc and r"$H \times W \times 18$" in tex_doc
    assert slide_doc.startswith(r"\documentclass[aspectratio=169,11pt]{beamer}") and slide_doc.count(r"\begin{frame}") == 1
    assert "{identity}" in slide_doc and "expand & $C_{\\mathrm{in}} t" in slide_doc  # the skip's label, a part's row
    assert r"{\mbox{\texttt{expand}}\\\mbox{conv 1{$\times$}1}\\\mbox{BN}, \mbox{relu6}\\" in slide_doc  # conv + BN + ReLU6, one box
    no_skip = render(derive.show("mobilenetv2-block", C_in=16, C_out=24, t=6, s=2), "tex")
    assert "skip" not in no_skip.split(r"\begin{tikzpicture}")[1].split(r"\end{tikzpicture}")[0]


def test_title_sets_the_title_of_every_document(capsys):
    for fmt, expected in (("markdown", "### A title"), ("tex", r"{\Large\bfseries A title\par}"),
                          ("slide", r"\begin{frame}[t]{A title}")):
        status, out, _ = run(capsys, *SLIDE_ARGS, "--format", fmt, "--title", "A title")
        assert status == 0 and expected in out, fmt


def test_default_title_names_the_block_and_sizes():
    text = render(slide(), "markdown")
    assert text.splitlines()[0] == ("### MobileNetV2 bottleneck ($C_{\\mathrm{in}} = 3$, $t = 6$, "
                                    "$C_{\\mathrm{out}} = 3$, $k = 3$, $s = 1$)")


# -- escaping ------------------------------------------------------------------------------------------
def test_tex_escaping_is_literal():
    assert tex(HOSTILE) == (r"\textbackslash{}input\{/etc/passwd\} \#\$\%\&\_\textasciicircum{}\textasciitilde{}"
                            r" M{\"u}ller")
    assert tex("a--b <x> |y| \"q\" it's\nnext") == (r"a-{}-b \textless{}x\textgreater{} \textbar{}y\textbar{} "
                                                   r"\textquotedbl{}q\textquotedbl{} it\textquotesingle{}s next")
    assert tex("ß€😀×") == r"{\ss}??{$\times$}"
    assert tex(Safe(r"\alpha")) == r"\alpha"


def test_markdown_escaping_is_literal():
    assert md("a_b *c* [d](e) <f> | $g$ #h") == r"a\_b \*c\* \[d\](e) \<f\> \| \$g\$ \#h"
    assert md("add of (H - 2, W)") == "add of (H - 2, W)"  # \( would open math under MathJax and KaTeX
    assert md("1. x\n- y") == r"1\. x - y"
    assert md("- item") == r"\- item"
    assert md_code("a|b") == r"`a\|b`" and md_code("x`y") == "``x`y``"


def test_math_names_are_checked():
    assert math_name(r"C_{\mathrm{in}}", "C_in") == r"C_{\mathrm{in}}"
    assert math_name(r"\alpha", "alpha") == r"\alpha"
    assert math_name(r"\input{/etc/passwd}", "x") == r"\mathrm{x}"
    assert math_name(r"C_{\mathrm{in}", "C_in") == r"\mathrm{C\_in}"  # unbalanced


def test_markdown_of_explanations_in_latex():
    assert md_to_tex(r"A **b** and *c*, `d_e`, $f_{g}$, 100% \_ h's.") == (
        r"A \textbf{b} and \emph{c}, \texttt{d\_e}, $f_{g}$, 100\% \_ h's.")
    assert md_to_tex("- one\n- two $x$\n\nafter") == "\\begin{itemize}\n  \\item one\n  \\item two $x$\n\\end{itemize}\n\nafter"


# -- the rest -------------------------------------------------------------------------------------------
def test_jupyter_shows_markdown_and_latex():
    """Jupyter shows the golden Markdown, and the golden LaTeX snippet without its % comment lines."""
    d = slide()
    assert d._repr_markdown_() == (GOLDEN / "mobilenetv2-block.md").read_text(encoding="utf-8")
    snippet = (GOLDEN / "mobilenetv2-block.snippet.tex").read_text(encoding="utf-8").splitlines(keepends=True)
    assert d._repr_latex_() == "".join(line for line in snippet if not line.startswith("%"))


def test_unknown_format():
    with pytest.raises(InputError, match="unknown format 'docx'"):
        render(slide(), "docx")


def test_latex_format_imports_nothing_it_does_not_need():
    """`--format latex` needs no latexcodec (ASCII names) and none of the PDF machinery."""
    code = ("import sys, derive; d = derive.show('mobilenetv2-block', C_in=3, t=6, C_out=3);"
            "derive.render(d, 'latex'); derive.render(d, 'markdown');"
            "print(sorted(m for m in ('latexcodec', 'derive.presentation.pdf') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


def test_readme_markdown_excerpt_is_real_output():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    excerpt = re.findall(r"```markdown\n(.*?)```", readme, flags=re.S)[0]  # the slide example's answer.md
    assert render(slide(), "markdown").startswith(excerpt)


def test_signatures_print_the_bound_values():
    """A layer's notation in tables says what was bound: `3×3 /2` for k = 3, s = 2, not `k×k /s`."""
    d = derive.show("fused-mbconv", C_in=24, t=4, C_out=48, s=2, H=128, W=128)
    view_ = view(d, SHOW["markdown"])
    (expand,) = [layer for layer in view_["layers"] if layer["name"] == "expand"]
    assert expand["signature"] == "3×3 /2"
    assert "k×k" not in render(d, "text") and "3×3 /2" in render(d, "text")
    (row,) = [row for row in d.layers if row.name == "expand"]
    assert row.signature == "k×k /s"  # the layer's own notation, in its symbols
