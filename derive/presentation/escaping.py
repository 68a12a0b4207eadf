"""Escaping: user text into LaTeX and Markdown, literally; math names checked; inline Markdown to LaTeX.

Every `{{ … }}` / `\\VAR{…}` a Markdown or LaTeX template prints goes through the environment's
`finalize` (templating.py), which escapes it unless it is `Safe`: formulas printed from sympy, numbers,
and what a template marked on purpose. So a block name, a layer name, a title or a file name can never
become markup, whoever wrote the template.

LaTeX: the ten specials ``# $ % & ~ _ ^ \\ { }`` (and the characters T1 fonts turn into ligatures or
other glyphs) become text commands; everything outside ASCII goes through latexcodec (``ü`` →
``{\\"u}``), and a character neither knows becomes ``?``; ``,,`` prints two commas, not „. Markdown:
the punctuation that could start markup (emphasis, links, HTML, tables, math) is backslash-escaped, and
mentions and bare URLs are broken with a zero-width space so that a forum shows them as text. Every
format drops the bidirectional controls and zero-width characters, which would turn a line around.
"""

from __future__ import annotations

import re

__all__ = ["Safe", "tex", "md", "md_code", "printable", "markup_text", "math_name", "md_to_tex", "code_spans_to_tex"]


class Safe(str):
    """Text that is already markup in the output's language: printed as it is."""

    __slots__ = ()


TEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "#": r"\#",
    "%": r"\%",
    "&": r"\&",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
    # not special to TeX, but ligatures or other glyphs in T1 fonts: kept literal
    "<": r"\textless{}",
    ">": r"\textgreater{}",
    "|": r"\textbar{}",
    "'": r"\textquotesingle{}",
    "`": r"\textasciigrave{}",
    '"': r"\textquotedbl{}",
    "\n": " ",
    "\r": " ",
    "\t": " ",
}
ASCII_PLAIN = re.compile(r"[A-Za-z0-9 .,:;!?()\[\]/@*+=]+")
# Characters that change how the text around them reads without showing: the bidirectional controls
# (U+202E turns the rest of a line around), the zero-width ones and the byte order mark. Dropped from
# whatever is printed, in every format.
INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(value: object) -> object:
    """Text printed as it is (the text flavour), without invisible or control characters (not
    newlines and tabs, which the text templates lay out with); anything else unchanged."""
    if isinstance(value, str) and (INVISIBLE.search(value) or CONTROL.search(value)):
        return CONTROL.sub("", INVISIBLE.sub("", value))
    return value


NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")  # no XML document may hold these (nor a C0 control)


def markup_text(value: object) -> object:
    """Text for the html flavour (a web page, an SVG), before Jinja's autoescaping: `printable`, and
    without the characters no XML document may hold (U+FFFE, U+FFFF, lone surrogates), so that an
    SVG parses whatever a title says; of the same type (markupsafe's `Markup` stays markup)."""
    value = printable(value)
    if isinstance(value, str) and NOT_XML.search(value):
        return type(value)(NOT_XML.sub("", value))
    return value


def tex(text: object) -> Safe:
    """`text` as LaTeX that prints it literally, in text mode (T1 fonts)."""
    if isinstance(text, Safe):
        return text
    text = INVISIBLE.sub("", str(text))
    out: list[str] = []
    i = 0
    while i < len(text):
        plain = ASCII_PLAIN.match(text, i)
        if plain:
            out.append(DOUBLE_COMMA.sub(",{}", plain.group()))  # `,,` is a ligature („) in T1
            i = plain.end()
            continue
        char = text[i]
        if char == "-":
            out.append("-{}" if text[i + 1:i + 2] == "-" else "-")  # no en or em dash ligatures
        elif char in TEX_SPECIAL:
            out.append(TEX_SPECIAL[char])
        elif " " <= char < "\x7f":
            out.append(char)
        elif char < " " or char == "\x7f":
            out.append(" ")  # control characters
        else:
            out.append(_unicode(char))
        i += 1
    return Safe("".join(out))


# What latexcodec does not know but the outputs print (⌈H/s⌉ of a stride, primes): in math, as it does `×`.
TEX_MATH_CHARS = {"⌊": r"\lfloor", "⌋": r"\rfloor", "⌈": r"\lceil", "⌉": r"\rceil", "′": "'", "″": "''",
                  "⊙": r"\odot", "⊕": r"\oplus"}


def _unicode(char: str) -> str:
    """A non-ASCII character through latexcodec, braced so that it cannot swallow what follows."""
    import codecs

    if char in TEX_MATH_CHARS:
        return "{$" + TEX_MATH_CHARS[char] + "$}"

    import latexcodec  # noqa: F401 - registers the codec

    try:
        encoded = codecs.encode(char, "ulatex")
    except UnicodeEncodeError:
        return "?"
    if not encoded or any(c in encoded for c in "#%&~_\x00") or "\\input" in encoded:
        return "?"
    return "{" + encoded + "}"


DOUBLE_COMMA = re.compile(r",(?=,)")
MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#+!|$~^=&])")  # not ( ): `\(` opens math under MathJax and KaTeX
MD_LINE_START = re.compile(r"^(\s*)(\d+)([.)])", re.M)
# What forums turn into links or notifications though nobody wrote markup: `@name` (and `@everyone`)
# mentions, bare URLs (`https://…`, `www.…`), GitHub's `mailto:` / `xmpp:`. A zero-width space after
# the `@`, the scheme's colon or `www` breaks them: GitHub's and Discourse's mention and autolink rules
# need a name or `//` right after, yet the text reads (and prints) the same. An HTML entity would not
# do: both decode `&#64;` before they look for mentions.
ZWSP = "\u200b"
MD_AUTOLINK = re.compile(r"(@|(?<![A-Za-z0-9])(?:[A-Za-z][A-Za-z0-9+.-]*:(?=//)|(?:mailto|xmpp):|www(?=\.)))",
                         re.I)


def md(text: object) -> Safe:
    """`text` as Markdown that prints it literally (also inside a table cell, and with math on)."""
    if isinstance(text, Safe):
        return text
    text = CONTROL.sub("", re.sub(r"\s+", " ", INVISIBLE.sub("", str(text))))  # no line breaks: they would
    text = MD_SPECIAL.sub(r"\\\1", text)  # end a table row or a paragraph
    text = MD_AUTOLINK.sub(lambda m: m.group() + ZWSP, text)
    text = MD_LINE_START.sub(r"\1\2\\\3", text)
    if text.startswith(("-", ".")):
        text = "\\" + text
    return Safe(text)


def md_code(text: object) -> Safe:
    """`text` as a Markdown code span (pipes escaped, so that it may stand in a table cell)."""
    text = " ".join(CONTROL.sub("", INVISIBLE.sub("", str(text))).split())
    ticks = max((len(run) for run in re.findall(r"`+", text)), default=0) + 1
    fence = "`" * ticks
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return Safe(f"{fence}{pad}{text.replace('|', chr(92) + '|')}{pad}{fence}")


# -- math names ---------------------------------------------------------------------------------
MATH_COMMANDS = frozenset("""
    mathrm mathit mathbf mathsf mathtt mathcal text textrm textit operatorname hat bar tilde vec dot prime
    alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa lambda mu nu xi pi varpi
    rho varrho sigma varsigma tau upsilon phi varphi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma
    Upsilon Phi Psi Omega ell
""".split())
MATH_NAME = re.compile(r"(?:\\[A-Za-z]+|[A-Za-z0-9_{}^' ,])+\Z")


def math_name(latex: str, name: str) -> Safe:
    """A symbol's LaTeX form if it is plain math (letters, digits, sub/superscripts and a few known
    commands, braces balanced), else its name set upright: nothing in it can read a file or run."""
    if MATH_NAME.match(latex) and _balanced(latex) and all(
            command in MATH_COMMANDS for command in re.findall(r"\\([A-Za-z]+)", latex)):
        return Safe(latex)
    return Safe(r"\mathrm{" + re.sub(r"[^A-Za-z0-9]", lambda m: "\\_" if m.group() == "_" else "", name) + "}")


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


# -- the Markdown of explanations, in LaTeX ----------------------------------------------------------
INLINE = re.compile(r"""
    (?P<escape>\\[!-/:-@\[-`{-~])         # a backslash-escaped punctuation character
  | (?P<code>(?P<ticks>`+)(?P<codetext>.+?)(?P=ticks))
  | \$(?P<math>[^$\s](?:[^$]*[^$\s])?)\$   # inline math, as written (already LaTeX)
  | \*\*(?P<strong>.+?)\*\*
  | \*(?P<em>[^*\s](?:[^*]*[^*\s])?)\*
""", re.X | re.S)


def md_to_tex(markdown: str) -> Safe:
    """The small Markdown of explanation templates (paragraphs, lists of `- ` items, `code`, $math$,
    **strong**, *emphasis*, backslash escapes) as LaTeX; everything else is text, escaped."""
    blocks = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        items = re.split(r"^- ", block, flags=re.M)
        if block.startswith("- "):
            lines = "\n".join(r"  \item " + _inline(" ".join(item.split())) for item in items[1:])
            blocks.append("\\begin{itemize}\n" + lines + "\n\\end{itemize}")
        elif block.strip():
            blocks.append(_inline(" ".join(block.split())))
    return Safe("\n\n".join(blocks))


def code_spans_to_tex(text: object) -> Safe:
    """Plain text whose only markup is `code` spans (a symbol's meaning: "parameter `expand` of f()"): the
    spans in \\texttt, everything escaped, nothing else read as Markdown (no math, no emphasis)."""
    if isinstance(text, Safe):
        return text
    text, out, pos = str(text), [], 0
    for match in CODE_SPAN.finditer(text):
        out += [tex(text[pos:match.start()]), r"\texttt{" + tex(match.group("codetext").strip()) + "}"]
        pos = match.end()
    return Safe("".join(out) + tex(text[pos:]))


CODE_SPAN = re.compile(r"(?P<ticks>`+)(?P<codetext>.+?)(?P=ticks)", re.S)


GROUPED = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")  # a thousands comma (3,504,872): a thin space in LaTeX


def _prose(text: str) -> str:
    """Running text: escaped, but with typographic apostrophes (`'` is TeX's right quote) and numbers'
    thousands grouped by thin spaces, as the LaTeX outputs group them."""
    return GROUPED.sub(r"\\,", "'".join(tex(piece) for piece in text.split("'")))


def _inline(text: str) -> str:
    out, pos = [], 0
    for match in INLINE.finditer(text):
        out.append(_prose(text[pos:match.start()]))
        pos = match.end()
        if match.group("escape"):
            out.append(tex(match.group("escape")[1]))
        elif match.group("code") is not None:
            out.append(r"\texttt{" + tex(match.group("codetext").strip()) + "}")
        elif match.group("math") is not None:
            out.append("$" + match.group("math").replace("{,}", r"\,") + "$")
        elif match.group("strong") is not None:
            out.append(r"\textbf{" + _inline(match.group("strong")) + "}")
        else:
            out.append(r"\emph{" + _inline(match.group("em")) + "}")
    out.append(_prose(text[pos:]))
    return "".join(out)
