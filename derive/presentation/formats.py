"""The output formats, as data: for each, the template that writes it, its flavour of escaping, how its
formulas print, and what it shows, so that its view is built with exactly that and nothing more.

Imports nothing heavy: the command line reads the format names from here before anything is derived.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Mapping

from ..conventions import TOTALS

WHOLE = tuple(key for key in TOTALS if key != "macs")  # the parameter figures of the whole

# How many layers a diagram draws one box each before it draws a box per run of layers (a convolution
# with its batch norm and activation; diagram.py). A slide always draws runs, in rows of at most
# `width` characters of its boxes' font as diagram_labels.py estimates them (the frame's 148 mm at 9 pt, slide/show.tex.j2).
ARTICLE_DIAGRAM = MappingProxyType({"layers": 16})
SLIDE_DIAGRAM = MappingProxyType({"collapse": True, "width": 98})
# An SVG's diagram (svg.py): a slide's, boxes per run of layers in bands left to right, placed in pixels,
# the bands at most `width` px wide (the page's result column, ~830 px at its widest), one picture.
SVG_DIAGRAM = MappingProxyType({"collapse": True, "width": 800})


class Format:
    """One output format and what it shows.

    `kind` is the templating flavour (escaping and syntax: "text", "markdown", "latex" or "html"), `style` how
    formulas print ("text" or "latex"). The rest says what the view holds: `totals`, the whole's
    figures with their formulas; `macs`, the whole's multiply-accumulates as a "value" alone or a
    "formula" (the costly part) or not at all; `layers`, each layer with its shape and its sum's value
    alone ("drawn", for an SVG's boxes), with its terms ("terms") or also with its sum, shape and
    channels ("full", for diagrams and explanations); `parts`, each part's
    sum; `groups`, the layers in runs of one part with their terms and sums; `others`, the figures
    under the other conventions; `stages`, a network's rows per stage; the diagrams (an article's, a
    slide's, an SVG's placed in pixels); `explanations`
    and `frameworks`, the worked solution's prose; `equations`, each figure as one equation; `brief`,
    the whole's figures as a value and a formula only (no numbers put in);
    `compiled`, the template's text compiled to PDF; `memory`, the memory section (presentation/memory.py); `width`, how much math fits on one line (in digits,
    breaking.py), for the formulas broken over lines.

    A plain class, not a dataclass: the command line imports it before anything else, and a dataclass
    of this many fields costs a millisecond to define."""

    __slots__ = ("name", "template", "kind", "style", "totals", "macs", "layers", "parts", "groups", "others",
                 "stages", "diagram", "slide_diagram", "svg_diagram", "explanations", "frameworks", "equations", "brief", "compiled", "width", "memory")

    def __init__(self, name: str, template: str | None, *, kind: str = "text", style: str = "text",
                 totals: tuple[str, ...] = WHOLE, macs: str | None = None, layers: str | None = None,
                 parts: bool = False, groups: bool = False, others: bool = False, stages: bool = False,
                 diagram: Mapping[str, int] | None = None, slide_diagram: Mapping[str, int] | None = None,
                 svg_diagram: Mapping[str, int] | None = None,
                 explanations: bool = False, frameworks: bool = False, equations: bool = False,
                 brief: bool = False, compiled: bool = False, width: int = 0, memory: bool = True) -> None:
        values = locals()
        for field in self.__slots__:
            object.__setattr__(self, field, values[field])

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Format is not changed ({name})")

    def __repr__(self) -> str:
        return f"Format({self.name!r}, {self.template!r})"


_TEX = dict(template="tex/show.tex.j2", kind="latex", style="latex", macs="formula", layers="full", groups=True,
            others=True, stages=True, diagram=ARTICLE_DIAGRAM, explanations=True, frameworks=True, equations=True, width=72)

SHOW: Mapping[str, Format] = MappingProxyType({
    "text": Format("text", "text/show.txt.j2", macs="formula", layers="terms", parts=True, others=True),
    "json": Format("json", None),
    "markdown": Format("markdown", "markdown/show.md.j2", kind="markdown", style="latex", macs="formula",
                       layers="terms", parts=True, groups=True, others=True, stages=True, explanations=True,
                       frameworks=True, equations=True, width=54),
    "latex": Format("latex", "latex/show.tex.j2", kind="latex", style="latex", macs="formula", layers="terms",
                    groups=True, stages=True, equations=True, width=56),
    "tex": Format("tex", **_TEX),
    "slide": Format("slide", "slide/show.tex.j2", kind="latex", style="latex", macs="value", layers="full",
                    groups=True, slide_diagram=SLIDE_DIAGRAM),
    "pdf": Format("pdf", **_TEX, compiled=True),
    "svg": Format("svg", "svg/diagram.svg.j2", kind="html", totals=(), layers="drawn", parts=True,
                  svg_diagram=SVG_DIAGRAM, memory=False),
})
# A network without --detail: one line per stage, no layers (the explanations take the layers they explain).
SUMMARY: Mapping[str, Format] = MappingProxyType({
    "text": Format("text", "text/network.txt.j2", macs="value", others=True, stages=True, brief=True),
    "markdown": Format("markdown", "markdown/show.md.j2", kind="markdown", style="latex", macs="formula",
                       others=True, stages=True, explanations=True, frameworks=True, equations=True, width=54),
})

# `--math plain`: Markdown for a forum without MathJax or KaTeX, every formula in Unicode (C_in·t·(C_in + 2)).
PLAIN: Mapping[str, Format] = MappingProxyType({
    "markdown": Format("markdown", "markdown/show.md.j2", kind="markdown", style="text", macs="formula",
                       layers="terms", parts=True, groups=True, others=True, stages=True, explanations=True,
                       frameworks=True, equations=True, width=72),
})
PLAIN_SUMMARY: Mapping[str, Format] = MappingProxyType({
    "markdown": Format("markdown", "markdown/show.md.j2", kind="markdown", style="text", macs="formula",
                       others=True, stages=True, explanations=True, frameworks=True, equations=True, width=72),
})
MATH = ("katex", "plain")  # --math: how Markdown writes its formulas

CHECK: Mapping[str, Format] = MappingProxyType({
    "text": Format("text", "check/check.txt.j2"),
    "json": Format("json", None),
    "markdown": Format("markdown", "check/check.md.j2", kind="markdown"),
})
ANSWER = MappingProxyType({"text": "check/answer.txt.j2", "markdown": "check/answer.md.j2"})  # --claim-file
DIAGNOSES = "check/diagnoses.j2"  # the diagnosis, plain sentences, one a line, in every check format
LIST: Mapping[str, Format] = MappingProxyType({
    "text": Format("text", "text/list.txt.j2"),
    "json": Format("json", None),
})
FILE_LIST = "text/entries.txt.j2"  # `derive list FILE.py`: what the file can count
EXPLANATION = "explain/{topic}.md.j2"  # Markdown in every format (the LaTeX ones convert it)
FRAMEWORKS = "explain/frameworks.md.j2"
FLOPS_EXPLANATION = "explain/flops_{tool}.md.j2"  # --flops-as: what the tool counts (Markdown in every format)
