"""Long formulas broken over lines: a printed LaTeX formula (or a chain `formula = numbers = value`) cut
at its top-level `=`, `+` and `-` into lines of at most `limit` characters of rendered math, for
`align*`, `aligned` (in `\\[ … \\]`, a `\\boxed{}` or Markdown's `$$ … $$`, which KaTeX renders).

The width is estimated from the LaTeX itself, in the width of a digit: a letter or digit 1, a capital
1.5, a binary operator with its spacing 2.5 (`\\cdot` 1.5), a subscript 0.7 of its content, a fraction
its wider half. That is about what the same formula takes printed as plain text (`C_in·t·(C_in + 2)`);
a line of 70 fits an A4 page in 11 pt with its label. A term longer than a line by itself is opened at
its widest bracket: `\\left( … \\right)` cannot span lines, so it becomes `\\bigl( … \\bigr)` with the
bracket's own terms broken.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .escaping import Safe
from .texscan import COMMAND, group

LIMIT = 70  # rendered characters of math on one line (an A4 page in 11 pt, after the line's label)

_WIDE = {"cdot": 1.5, "times": 2.5, "quad": 2, "qquad": 4, "lceil": 1.2, "rceil": 1.2, "lfloor": 1.2,
         "rfloor": 1.2, ",": 0.33, ";": 0.55, ":": 0.45, "!": 0, " ": 0.66, "neq": 2.5, "wedge": 2, "vee": 2,
         "max": 3.3, "min": 3.3, "log": 3, "exp": 3,
         "left": 0, "right": 0, "bigl": 0, "bigr": 0, "Bigl": 0, "Bigr": 0, "top": 1.5, "{": 1, "}": 1}
_VALUE = re.compile(r"[0-9]+(?:(?:\\,|\{,\}|,)[0-9]{3})*")  # a number, its thousands grouped
_TEXTUAL = {"mathrm", "text", "operatorname", "mathit", "mathbf", "textit", "texttt", "mathsf"}


@lru_cache(maxsize=8192)  # the greedy breaker asks for the same pieces again and again
def width(latex: str) -> float:
    """The rendered width of `latex` (math), in digits."""
    total, i = 0.0, 0
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            m = COMMAND.match(latex, i)
            name, i = m.group(1), m.end()
            if name in _TEXTUAL:
                content, i = group(latex, i)
                total += 1.05 * len(content)
            elif name in ("frac", "dfrac", "tfrac"):
                top, i = group(latex, i)
                bottom, i = group(latex, i)
                total += max(width(top), width(bottom)) + 1.2
            else:
                total += _WIDE.get(name, 1)
        elif ch in "_^":
            content, i = group(latex, i + 1)
            total += 0.7 * width(content)
        elif ch in "{}":
            i += 1
        elif ch == " ":
            i += 1
        elif ch in "+=<>":
            total += 2.5
            i += 1
        elif ch == "-":
            total += 2.5 if latex[i - 1:i] == " " else 1.6
            i += 1
        elif ch in "()[]|":
            total += 0.8
            i += 1
        elif ch in ",.;":
            total += 0.6
            i += 1
        elif ch.isupper():
            total += 1.5
            i += 1
        else:
            total += 1
            i += 1
    return total


def _split(latex: str, ops: tuple[str, ...]) -> list[tuple[str, str]]:
    """`latex` cut at its top-level ` op ` (outside braces and \\left … \\right): (op, piece) pairs, the
    first with op ""."""
    out, start, depth, i, op = [], 0, 0, 0, ""
    while i < len(latex):
        ch = latex[i]
        if ch == "\\":
            m = COMMAND.match(latex, i)
            name = m.group(1)
            if name in ("left", "bigl", "Bigl"):
                depth += 1
            elif name in ("right", "bigr", "Bigr"):
                depth -= 1
            i = m.end()
            continue
        if ch in "{(⌈⌊":
            depth += 1
        elif ch in "})⌉⌋":
            depth -= 1
        elif depth == 0 and ch == " " and latex[i + 1:i + 3] in tuple(o + " " for o in ops):
            out.append((op, latex[start:i]))
            op = latex[i + 1]
            start = i = i + 3
            continue
        i += 1
    out.append((op, latex[start:]))
    return out


def _bracket(term: str) -> tuple[str, str, str] | None:
    """The term's widest top-level `\\left( … \\right)`: what stands before it, inside it, after it."""
    best, depth, i, opened = None, 0, 0, None
    while i < len(term):
        if term.startswith(r"\left(", i) and depth == 0:
            opened = i
        m = COMMAND.match(term, i) if term[i] == "\\" else None
        if m:
            if m.group(1) == "left":
                depth += 1
            elif m.group(1) == "right":
                depth -= 1
                if depth == 0 and opened is not None and term.startswith(r"\right)", i):
                    inner = term[opened + len(r"\left("):i]
                    if best is None or len(inner) > len(best[1]):
                        best = (term[:opened], inner, term[i + len(r"\right)"):])
                    opened = None
            i = m.end()
            continue
        depth += {"{": 1, "}": -1}.get(term[i], 0)
        i += 1
    return best


INDENT = 4  # a continued line's `\quad{} + `


def _terms(pieces: list[tuple[str, str]], limit: float, lead: float, measure=width) -> list[tuple[str, str]]:
    """Signed terms as lines (op, text), the first line after `lead`, the others after INDENT; a line's
    first term keeps its sign as the op. As few lines as filling each in turn gives, made even: the
    narrowest width that needs no more lines (unless a term had to be opened at its bracket)."""
    lines, opened = _greedy(pieces, limit, lead, measure)
    if len(lines) < 2 or opened:
        return lines
    low, high = max(measure(term) for _, term in pieces), limit
    while high - low > 0.5:
        middle = (low + high) / 2
        if len(_greedy(pieces, middle, lead, measure)[0]) <= len(lines):
            high = middle
        else:
            low = middle
    return _greedy(pieces, high, lead, measure)[0]


def _greedy(pieces: list[tuple[str, str]], limit: float, lead: float, measure=width) -> tuple[list[tuple[str, str]], bool]:
    """Each line filled in turn; and whether a term longer than a line was opened at its bracket."""
    lines: list[tuple[str, str]] = []
    used, opened_any = 0.0, False  # the width of the last line, its lead included
    for op, term in pieces:
        if lines and used + 2.5 + measure(term) <= limit:
            lines[-1] = (lines[-1][0], f"{lines[-1][1]} {op} {term}")
            used += 2.5 + measure(term)
            continue
        start = lead if not lines else INDENT
        if start + measure(term) > limit and (opened := _bracket(term)) is not None:
            before, inner, after = opened
            inside = _terms(_split(inner, ("+", "-")), limit - measure(after) - 1, start + measure(before) + 1, measure)
            if len(inside) > 1:
                lines.append((op, before + r"\bigl(" + inside[0][1]))
                lines.extend(inside[1:-1])
                last_op, last = inside[-1]
                lines.append((last_op, last + r"\bigr)" + after))
                used, opened_any = INDENT + measure(lines[-1][1]), True
                continue
        lines.append((op, term))
        used = start + measure(term)
    return lines, opened_any


def lines(latex: str, limit: float = LIMIT, lead: float = 0, measure=width) -> list[tuple[str, str]]:
    """`latex` (a formula or a chain of equal ones) as lines (op, text): op is "" for the first, "=" for
    a line that starts a new side of the chain, "+" or "-" for a continued sum. `lead`: the width
    already taken on the first line (its label); `measure`, the width of a piece (`width` for LaTeX,
    `len` for Unicode in a monospaced block)."""
    if measure(latex) + lead <= limit:
        return [("", latex)]
    out: list[tuple[str, str]] = []
    sides = _split(latex, ("=",))
    for i, (op, side) in enumerate(sides):
        # a side per line, but the value (a last side of one number) joins the line before if it fits
        last = i == len(sides) - 1 and _VALUE.fullmatch(side) is not None
        if last and out and out[-1][0] in ("", "=") and \
                measure(out[-1][1]) + 2.5 + measure(side) + (lead if len(out) == 1 else 0) <= limit:
            out[-1] = (out[-1][0], f"{out[-1][1]} = {side}")
            continue
        broken = _terms(_split(side, ("+", "-")), limit, lead if not out else 0, measure)
        out.append(("=" if out else "", broken[0][1]))
        out.extend(broken[1:])
    return out


def aligned(latex: str, limit: float = LIMIT, lead: float = 0) -> Safe:
    """`latex` broken for an alignment whose first line the template starts (`N &= …`): later sides
    of the chain as `&= …`, a continued sum as `&\\quad{} + …` (the `{}` keeps the plus binary)."""
    out = []
    for op, text in lines(latex, limit, lead):
        if not out:
            out.append(text)
        elif op == "=":
            out.append(r"\\" + "\n  &= " + text)
        else:
            out.append(r"\\" + "\n  &\\quad{} " + op + " " + text)
    return Safe("".join(out))


def plain(text: str, lhs: str, limit: float = LIMIT) -> Safe:
    """A Unicode formula (`C_in·t·(C_in + 2) = 90`) as the lines of a monospaced block, `lhs = …` first:
    later sides of the chain under its `=`, a continued sum indented under them, at most `limit`
    characters a line."""
    pad = " " * len(lhs)
    out = []
    for op, text in lines(text, limit, len(lhs) + 3, len):
        if not out:
            out.append(f"{lhs} = {text}")
        elif op == "=":
            out.append(f"{pad} = {text}")
        else:
            out.append(f"{pad}     {op} {text}")
    return Safe("\n".join(out))


def indented(text: str, lead: int, limit: int = 100) -> str:
    """A Unicode formula after a label `lead` characters wide (a terminal's `parameters:     …`), broken
    into lines of at most `limit` characters, the later ones under it: `= …` for a new side of the
    chain, `    + …` for a continued sum."""
    out = []
    for op, piece in lines(text, limit - lead - 2, 0, len):  # measured from the label on
        if not out:
            out.append(piece)
        elif op == "=":
            out.append("\n" + " " * lead + "= " + piece)
        else:
            out.append("\n" + " " * lead + "    " + op + " " + piece)
    return "".join(out)
