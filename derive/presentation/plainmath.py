"""`--math plain`: the math a template writes in LaTeX (`$\\gamma$`, `$k_h \\times k_w$`) as Unicode in a
code span (`γ`, `k_h × k_w`), for a forum without MathJax or KaTeX. Formulas printed from sympy do not
come through here: the plain view prints them in Unicode from the start (printing.py's text style).

Only the LaTeX of the templates' own prose is converted: Greek letters, operators, sub- and
superscripts, fractions, brackets, `\\mathrm`/`\\text`/`\\operatorname`; any other command loses its
backslash. The result has neither `$` nor a backslash.
"""

from __future__ import annotations

import re

from .escaping import Safe, md_code
from .texscan import COMMAND, group

SYMBOLS = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "lambda": "λ", "mu": "μ",
    "sigma": "σ", "theta": "θ", "pi": "π", "times": "×", "cdot": "·", "le": "≤", "leq": "≤", "ge": "≥",
    "geq": "≥", "neq": "≠", "ne": "≠", "approx": "≈", "to": "→", "rightarrow": "→", "infty": "∞",
    "lceil": "⌈", "rceil": "⌉", "lfloor": "⌊", "rfloor": "⌋", "ldots": "…", "dots": "…", "cdots": "⋯",
    "top": "ᵀ", "sum": "Σ", "in": "∈", "pm": "±", "sqrt": "√", "prime": "′",
    "max": "max", "min": "min", "log": "log", "exp": "exp",
    ",": " ", ";": " ", ":": " ", "!": "", " ": " ", "quad": " ", "qquad": "  ", "{": "{", "}": "}", "%": "%",
    "_": "_", "#": "#", "&": "&", "$": "$",
}
DROPPED = {"left", "right", "bigl", "bigr", "Bigl", "Bigr", "displaystyle", "textstyle"}
TEXTUAL = {"mathrm", "text", "operatorname", "mathit", "mathbf", "textbf", "textit", "texttt", "mathsf"}
SUPERSCRIPT = str.maketrans("0123456789+-()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿ")
MATH = re.compile(r"\$\$(?P<display>.+?)\$\$|\$(?P<inline>[^$\n]+?)\$", re.S)


def unicode(latex: str) -> str:
    """LaTeX math as Unicode text (`k^{2} \\cdot C_{\\mathrm{in}}` → `k²·C_in`)."""
    out, i = [], 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            m = COMMAND.match(latex, i)
            name, i = m.group(1), m.end()
            if name in DROPPED:
                continue
            if name in TEXTUAL:
                content, i = group(latex, i)
                out.append(unicode(content))
            elif name in ("frac", "dfrac", "tfrac"):
                top, i = group(latex, i)
                bottom, i = group(latex, i)
                top, bottom = unicode(top), unicode(bottom)
                wrap = (lambda t: f"({t})" if re.search(r"[ +\-·]", t) else t)
                out.append(f"{wrap(top)}/{wrap(bottom)}")
            else:
                out.append(SYMBOLS.get(name, name))
        elif ch == "^":
            content, i = group(latex, i + 1)
            text = unicode(content)
            raised = text.translate(SUPERSCRIPT)
            out.append(raised if all(c in "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁽⁾ⁿᵀ" for c in raised) else f"^{text}" if len(text) == 1 else f"^({text})")
        elif ch == "_":
            content, i = group(latex, i + 1)
            out.append("_" + unicode(content))
        elif ch in "{}":
            i += 1
        else:
            out.append(ch)
            i += 1
    text = "".join(out)
    text = re.sub(r"(?<=\d) (?=\d{3}(?!\d))", ",", text)  # 9\,216: thousands grouped by commas, as in Markdown
    text = re.sub(r"([⌈⌊(]) | ([⌉⌋)])", r"\1\2", text)
    text = re.sub(r"\s*·\s*", "·", text)
    return re.sub(r" {2,}", " ", text).strip()


def markdown(text: str) -> Safe:
    """Markdown whose `$…$` and `$$…$$` math becomes Unicode in code spans."""
    def span(match: re.Match) -> str:
        return md_code(unicode(match.group("display") or match.group("inline")))
    return Safe(MATH.sub(span, text))
