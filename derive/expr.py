"""Read user arithmetic into a sympy expression without ever evaluating code.

Text such as ``--set C_in=3*t``, a claim like ``(3*3*18)*18 + 2*18`` or a layer argument read from
source is tokenised and parsed by hand into sympy objects: nothing reaches ``eval``, ``exec``,
``sympify`` or ``parse_expr``, and no Symbol is made here (every name is a key of the caller's
mapping). Any bad input raises `ExprError` with its 1-based line and column.

Grammar, loosest binding first::

    sum     := product (("+" | "-") product)*        one sympy Add of all the terms
    product := unary (("*" | "/") unary)*            one sympy Mul of all the factors, a/b = a*b**-1
    unary   := ("+" | "-")* power                    -2**2 = -(2**2)
    power   := primary SUPERSCRIPT* ("**" unary)?    right-associative, 2**3**2 = 2**9; k² = k**2
    primary := NUMBER | NAME | FUNCTION "(" sum ("," sum)* ")" | "(" sum ")" | "[" sum "]"

NUMBER is ASCII digits with single underscores between them (``1_000``), at most 40 digits; with
``decimals=True`` also ``0.75`` or ``.5``, read exactly as a Rational; no exponent notation. NAME is
``[A-Za-z_][A-Za-z0-9_]*``, a key of ``names``. FUNCTION, only right before ``(``: ceil/ceiling,
floor, min, max (2+ arguments), round (half to even, numbers only), abs, sqrt, computed by
`derive.arithmetic`. They are exact on rational numbers; symbolic arguments are simplified by
structure only (whole terms leave ceil and floor, numbers in min/max fold into one, abs of a
non-negative sum is the sum) and otherwise kept unevaluated, since sympy's assumption-based
evaluation may take 0.1 s a call. sqrt of a number must come out rational: a count has no
irrational numbers, and sympy's simplification of their products has no useful bound.

Pasted math: ``^`` is ``**``; ``× · ⋅ ∙ ∗`` are ``*``; ``−`` (minus sign) and ``–`` (en dash)
are ``-``; ``÷`` is ``/``; superscript digits (and ``⁻``) are exponents; Unicode spaces are
spaces. ``x``/``X`` is ``*`` after a number, ``)``, ``]`` or superscript and before a number,
``(``, ``[`` or a name (``1x1x3x18``, ``3 x 3``, ``(3x3)x18``, ``2 x k``), but a letter that is a
key of ``names`` is that name unless glued between digits (``1x1``).

Bounds, so that any text is answered quickly: 2000 characters; brackets, signs and ``**`` nested
at most 64 deep; and `derive.arithmetic`'s: exponents whole numbers in [-64, 64], no number over 400
digits, checked before a power is computed and on every number in the result. What a caller then
does with the value is bounded by `derive.arithmetic`'s cost model (`bounded`: degree, terms once
multiplied out, digits, estimated before anything is expanded or substituted): `bind` for ``--set``
values and spec defaults, `checking.read_claim` for claims.
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import sympy
from sympy import Expr

from derive.arithmetic import (
    BAD_EXPONENT, NOT_FINITE, ArithmeticRefused, absolute, exponent_allowed, min_max, power, reciprocal,
    round_half_even, rounded, square_root, too_large,
)
from derive.errors import ExprError
from derive.functions import ceiling, floor

__all__ = ["parse"]

MAX_LENGTH = 2000
MAX_DEPTH = 64
MAX_DIGITS = 40

_SPACES = " \t\r\n\u00a0\u1680\u202f\u205f\u3000" + "".join(map(chr, range(0x2000, 0x200B)))
_OPERATORS = {
    "+": "+", "-": "-", "\u2212": "-", "\u2013": "-", "*": "*", "\u00d7": "*", "\u00b7": "*",
    "\u22c5": "*", "\u2219": "*", "\u2217": "*", "/": "/", "\u00f7": "/", "**": "**", "^": "**",
    "(": "(", ")": ")", "[": "[", "]": "]", ",": ",",
}  # fmt: skip
_SUPERSCRIPT_DIGITS = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"
_SUPERSCRIPTS = str.maketrans(_SUPERSCRIPT_DIGITS + "\u207b", "0123456789-")
_TOKEN = re.compile(
    f"(?P<space>[{re.escape(_SPACES)}]+)"
    r"|(?P<num>[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    f"|(?P<sup>\u207b?[{_SUPERSCRIPT_DIGITS}]+)"
    f"|(?P<op>{'|'.join(map(re.escape, sorted(_OPERATORS, key=len, reverse=True)))})"
)
_OPERAND_AHEAD = re.compile(f"[{re.escape(_SPACES)}]*(?:[0-9A-Za-z_(\\[]|\\.[0-9])")
_E_NOTATION = re.compile(r"[eE][0-9_]*")
_CLOSING = {"(": ")", "[": "]"}
_CLOSERS = {("op", ")"), ("op", "]")}


class _Token(NamedTuple):
    kind: str  # "num", "name", "sup", "op", "end", or "error" (value is then the message)
    text: str  # as written; for "op" the plain operator it stands for ("*" for "×" or "x")
    start: int
    end: int
    value: Any = None


def parse(text: str, names: Mapping[str, Expr], *, decimals: bool = False) -> Expr:
    """The sympy expression *text* stands for, with *names* giving each allowed identifier."""
    if len(text) > MAX_LENGTH:
        raise ExprError(f"expression too long (over {MAX_LENGTH} characters)")
    if not text.strip(_SPACES):
        raise ExprError("empty expression")
    return _Parser(text, names, tokenize(text, names, decimals)).parse()


def tokenize(text: str, names: Mapping[str, object], decimals: bool) -> list[_Token]:
    """The tokens of *text*, then "end"; a bad spot ends them as an "error" token, raised if met."""
    tokens: list[_Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if match is None:
            return _stop(tokens, f"unexpected character {text[pos]!r}", pos)
        kind, word, end = match.lastgroup, match.group(), match.end()
        prev = tokens[-1] if tokens else _Token("", "", -1, -1)
        glued_to_number = prev.kind == "num" and prev.end == pos
        after_operand = prev.kind in ("num", "sup") or (prev.kind, prev.text) in _CLOSERS
        if kind == "num":
            whole, point, fraction = word.replace("_", "").partition(".")
            if glued_to_number:  # "3.4.5"
                return _stop(tokens, "unexpected character '.'", pos)
            if len(whole) + len(fraction) > MAX_DIGITS:
                return _stop(tokens, f"number too long (over {MAX_DIGITS} digits)", pos)
            if point and not decimals:
                return _stop(tokens, "decimal numbers are not allowed here", pos)
            value = sympy.Rational(int(whole + fraction), 10 ** len(fraction))
            tokens.append(_Token("num", word, pos, end, value))
        elif kind == "name" and glued_to_number and _E_NOTATION.fullmatch(word):
            what = f"unexpected {_quote(word)} after a number (no exponent notation: write 10**N)"
            return _stop(tokens, what, pos)
        elif kind == "name" and after_operand and _is_times(text, pos, word, names):
            end = pos + 1
            tokens.append(_Token("op", "*", pos, end))
        elif kind == "name":
            tokens.append(_Token("name", word, pos, end))
        elif kind == "sup":
            tokens.append(_Token("sup", word, pos, end, int(word.translate(_SUPERSCRIPTS))))
        elif kind == "op":
            tokens.append(_Token("op", _OPERATORS[word], pos, end))
        pos = end
    end = tokens[-1].end if tokens else 0
    return [*tokens, _Token("end", "", end, end)]


def _stop(tokens: list[_Token], message: str, pos: int) -> list[_Token]:
    return [*tokens, _Token("error", "", pos, pos, message), _Token("end", "", pos, pos)]


def _is_times(text: str, pos: int, word: str, names: Mapping[str, object]) -> bool:
    """Whether the x or X opening *word* at *pos*, right after a numeric operand, means times."""
    letter = word[0]
    if letter not in "xX":
        return False
    if len(word) > 1:  # "x18" as in "2x18"
        return word[1].isdigit() and (letter not in names or text[pos - 1].isdigit())
    return letter not in names and _OPERAND_AHEAD.match(text, pos + 1) is not None


class _Parser:
    """Recursive descent over the tokens, building sympy values bottom-up; depth is counted."""

    def __init__(self, text: str, names: Mapping[str, Expr], tokens: list[_Token]) -> None:
        self.text, self.names, self.tokens = text, names, tokens
        self.i = 0
        self.depth = 0

    def error(self, what: str, offset: int) -> ExprError:
        line = self.text.count("\n", 0, offset) + 1
        return ExprError(what, line, offset - self.text.rfind("\n", 0, offset))

    def written(self, token: _Token) -> str:
        return _quote(self.text[token.start : token.end])

    def stray(self, token: _Token) -> ExprError:
        """The error for *token* where an operator or the end should be."""
        if token.kind == "error":
            return self.error(str(token.value), token.start)
        if token.kind in ("num", "name") or (token.kind == "op" and token.text in _CLOSING):
            return self.error(f"missing operator before {self.written(token)}", token.start)
        return self.error(f"unexpected {self.written(token)}", token.start)

    def missing_operand(self, token: _Token) -> ExprError:
        """The error for *token* where an operand should start."""
        prev = self.tokens[self.i - 1]
        if token.kind == "error":
            return self.error(str(token.value), token.start)
        if self.i and prev.kind == "op" and prev.text not in ("(", "[", ")", "]"):
            return self.error(f"missing operand after {self.written(prev)}", prev.start)
        if token.kind == "end":
            return self.error("unexpected end of expression", token.start)
        return self.error(f"unexpected {self.written(token)}", token.start)

    def take_op(self, *ops: str) -> _Token | None:
        token = self.tokens[self.i]
        if token.kind == "op" and token.text in ops:
            self.i += 1
            return token
        return None

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error("expression nested too deeply", token.start)

    def close(self, opener: _Token) -> None:
        token, closing = self.tokens[self.i], _CLOSING[opener.text]
        if token.kind == "op" and token.text == closing:
            self.i += 1
        elif token.kind == "end" or (token.kind == "op" and token.text in (")", "]", ",")):
            at = self.error("", opener.start)
            what = f"expected '{closing}' to close {self.written(opener)} at {at.line}:{at.col}"
            raise self.error(what, token.start)
        else:
            raise self.stray(token)

    def apply(self, token: _Token, function: Callable[..., Expr], *args: Any) -> Expr:
        """*function* of *args*, any failure or oversized number reported at *token*."""
        try:
            value = function(*args)
        except ArithmeticRefused as refusal:
            raise self.error(str(refusal), token.start) from None
        except RecursionError:
            raise self.error("expression nested too deeply", token.start) from None
        except (ArithmeticError, ValueError, TypeError):
            raise self.error(f"cannot compute {self.written(token)} here", token.start) from None
        if too_large(value):
            raise self.error("number too large", token.start)
        return value

    def parse(self) -> Expr:
        value = self.sum()
        if self.tokens[self.i].kind != "end":
            raise self.stray(self.tokens[self.i])
        for atom in value.atoms():
            if too_large(atom):
                raise ExprError("number too large")
            if atom in NOT_FINITE:
                raise ExprError("expression has no finite value")
            if atom is sympy.S.ImaginaryUnit:
                raise ExprError("expression is not a real number")
        return value

    def sum(self) -> Expr:
        first, terms = self.tokens[self.i], [self.product()]
        while (token := self.take_op("+", "-")) is not None:
            term = self.product()
            terms.append(self.apply(token, operator.neg, term) if token.text == "-" else term)
        return terms[0] if len(terms) == 1 else self.apply(first, _combine, sympy.Add, terms)

    def product(self) -> Expr:
        first, factors = self.tokens[self.i], [self.unary()]
        while (token := self.take_op("*", "/")) is not None:
            factor = self.unary()
            factors.append(self.apply(token, reciprocal, factor) if token.text == "/" else factor)
        return factors[0] if len(factors) == 1 else self.apply(first, _combine, sympy.Mul, factors)

    def unary(self) -> Expr:
        depth, negative = self.depth, None
        while (token := self.take_op("+", "-")) is not None:
            self.enter(token)
            if token.text == "-":
                negative = None if negative else token
        value = self.power()
        self.depth = depth
        return value if negative is None else self.apply(negative, operator.neg, value)

    def power(self) -> Expr:
        value = self.primary()
        while (token := self.tokens[self.i]).kind == "sup":
            self.i += 1
            value = self.raise_to(value, sympy.Integer(token.value), token, token)
        if (token := self.take_op("**")) is None:
            return value
        self.enter(token)
        first, exponent = self.tokens[self.i], self.unary()
        self.depth -= 1
        return self.raise_to(value, exponent, token, first)

    def raise_to(self, base: Expr, exponent: Expr, token: _Token, first: _Token) -> Expr:
        if not exponent_allowed(exponent):
            raise self.error(BAD_EXPONENT, first.start)
        return self.apply(token, power, base, exponent)

    def primary(self) -> Expr:
        token = self.tokens[self.i]
        if token.kind in ("num", "name"):
            self.i += 1
            return token.value if token.kind == "num" else self.name(token)
        if token.kind != "op" or token.text not in _CLOSING:
            raise self.missing_operand(token)
        self.i += 1
        self.enter(token)
        value = self.sum()
        self.close(token)
        self.depth -= 1
        return value

    def name(self, token: _Token) -> Expr:
        word, opener = token.text, self.tokens[self.i]
        if opener.kind != "op" or opener.text != "(":
            if word in self.names:
                return self.names[word]
            if word in _FUNCTIONS:
                raise self.error(f"{_quote(word)} is a function: write {word}(...)", token.start)
            what = f"unknown name {_quote(word)}{_suggest(word, self.names)}"
            raise self.error(what, token.start)
        if word not in _FUNCTIONS:
            what = f"{_quote(word)} is not a function{_suggest(word, _FUNCTIONS)}"
            raise self.error(what, token.start)
        self.i += 1
        self.enter(opener)
        args = []
        if self.take_op(")") is None:
            args.append(self.sum())
            while self.take_op(",") is not None:
                args.append(self.sum())
            self.close(opener)
        self.depth -= 1
        function, wanted = _FUNCTIONS[word]
        if len(args) < wanted or (wanted == 1 and len(args) > 1):
            count = "at least 2 arguments" if wanted > 1 else "exactly 1 argument"
            raise self.error(f"{word}() takes {count} ({len(args)} given)", token.start)
        return self.apply(token, function, *args)


def _quote(text: str) -> str:
    return f"'{text if len(text) <= 32 else text[:29] + '...'}'"


def _suggest(word: str, candidates: Mapping[str, object]) -> str:
    import difflib  # only when there is a mistake to report

    matches = difflib.get_close_matches(word, list(candidates), n=1) if len(word) <= 64 else []
    return f"; did you mean {_quote(matches[0])}?" if matches else ""


def _combine(kind: type[sympy.Add] | type[sympy.Mul], args: list[Expr]) -> Expr:
    """One Add or Mul of *args*, in linear time unlike folding; plain arithmetic for numbers."""
    if all(arg.is_Rational for arg in args):
        return functools.reduce(operator.add if kind is sympy.Add else operator.mul, args)
    return kind(*args)


def _round(value: Expr) -> Expr:
    if not value.is_Rational:
        raise ArithmeticRefused("round() needs numbers here")
    return sympy.Integer(round_half_even(value.p, value.q))


_FUNCTIONS: dict[str, tuple[Callable[..., Expr], int]] = {
    "ceil": (functools.partial(rounded, ceiling), 1),
    "ceiling": (functools.partial(rounded, ceiling), 1),
    "floor": (functools.partial(rounded, floor), 1),
    "round": (_round, 1),
    "abs": (absolute, 1),
    "sqrt": (square_root, 1),
    "min": (functools.partial(min_max, sympy.Min), 2),
    "max": (functools.partial(min_max, sympy.Max), 2),
}
