"""One-line printers for formulas: plain (sympy-readable), text (Unicode) and LaTeX. Every math string
of the output is built here.

Like sympy's own printers, one method per node type. Unlike them, a printer can put bound values in
place of symbols *without evaluating*, so `t·C_in·(C_in + k² + 4)` prints as `6·3·(3 + 3² + 4)`: the
"formula after substitution" a person checks by hand. `print_product` prints a term's factors as they
were written (`1·1·C_in·(t·C_in)`), each factor evaluated on its own when values are given (`1·1·3·18`).
"""

from __future__ import annotations

from dataclasses import field
from typing import Iterable, Mapping

import sympy
from sympy.core.sorting import default_sort_key

from .. import memo
from ..numeric import substituted
from ..records import frozen

SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")

PREC_ADD, PREC_MUL, PREC_POW, PREC_ATOM = 10, 20, 30, 40


@frozen
class Style:
    """How a printer writes products, powers, fractions, rounding and functions."""

    name: str
    times: str
    pow_fmt: str  # with {base} and {exp}
    frac: bool  # LaTeX \frac instead of a slash
    ceil: str  # with {0}
    floor: str
    func: str  # with {name} and {args}
    superscripts: bool = False
    by: str = "×"  # between the dimensions of a shape


PLAIN = Style("plain", "*", "{base}**{exp}", False, "ceiling({0})", "floor({0})", "{name}({args})")
TEXT = Style("text", "·", "{base}^{exp}", False, "⌈{0}⌉", "⌊{0}⌋", "{name}({args})", superscripts=True)
LATEX = Style(
    "latex",
    r" \cdot ",
    "{base}^{{{exp}}}",
    True,
    r"\left\lceil {0} \right\rceil",
    r"\left\lfloor {0} \right\rfloor",
    r"\{name}\left({args}\right)",
    by=r" \times ",
)
STYLES = {"plain": PLAIN, "text": TEXT, "latex": LATEX}
# How a condition's relations and its `and` / `or` are written in each style.
RELATIONS = {"plain": {"=": "==", "≠": "!="}, "text": {}, "latex": {"=": "=", "≠": r"\neq"}}
JOINERS = {"plain": {False: " and ", True: " or "}, "text": {False: " and ", True: " or "},
           "latex": {False: r" \wedge ", True: r" \vee "}}


@frozen
class Printer:
    """Prints formulas in a style, with symbols' names and, if given, their values put in."""

    style: Style
    names: Mapping[sympy.Symbol, str] = field(default_factory=dict)
    values: Mapping[sympy.Symbol, sympy.Expr] = field(default_factory=dict)

    # -- entry points -------------------------------------------------------------------------
    def __call__(self, expr: sympy.Expr) -> str:
        expr = sympy.Integer(expr) if isinstance(expr, int) else expr
        if not self.values and memo.remembering():  # in the symbols alone: the same text every time (memo.py)
            return _printed(self.style, tuple(self.names.items()), expr)
        return self._print(expr)[0]

    def product(self, factors: Iterable[sympy.Expr]) -> str:
        """A term as written: its factors joined, each evaluated alone when values are bound."""
        return self._product(tuple(factors))[0]

    def _product(self, factors: tuple[sympy.Expr, ...]) -> tuple[str, int]:
        plain = Printer(self.style, self.names)
        parts = []
        for factor in factors:
            if self.values:
                factor = substituted(factor, self.values)
            parts.append(plain._print(factor))
        if len(parts) == 1:
            return parts[0]
        if not parts:
            return "1", PREC_ATOM
        return self._times([self._wrap(*part, PREC_MUL + 1) for part in parts], dots=True), PREC_MUL

    def written(self, count) -> str:
        """A count as written: a layer's terms as products (`k·k·C + 2·C`), a sum of several layers as its
        closed form."""
        first = getattr(count, "first", None)
        if first is not None and count.once.formula != 0 and first.formula != 0:  # a stage: first block + (n − 1)·block
            once = self._print(count.once.formula)
            # n − 1 as a number with values put in, else as the count's formula (`n_3 − 1`, a symbol's)
            copies = sympy.Integer(count.repeat - 1) if self.values else count.copies
            rest = once[0] if copies == 1 else self._times([self._wrap(*self._print(copies), PREC_MUL + 1),
                                                            self._wrap(*once, PREC_MUL + 1)], dots=True)
            return f"{self._wrap(*self._print(first.formula), PREC_ADD + 1)} + {rest}"
        if count.products is None:
            return self(count.formula)
        return " + ".join(self.product(factors) for factors in count.products) if count.products else "0"

    def repeated(self, n: int | sympy.Expr, factors: Iterable[sympy.Expr]) -> str:
        """n copies of a term as written: `n·(term)`, the term bracketed unless it is one factor; n may be
        a formula (`(n_3 − 1)·(term)`, a stage's block count as a symbol)."""
        text, prec = self._product(tuple(factors))
        times = str(n) if isinstance(n, int) else self._wrap(*self._print(n), PREC_MUL + 1)
        return self._times([times, self._wrap(text, prec, PREC_MUL + 1)], dots=True)

    def factor(self, expr: sympy.Expr) -> str:
        """`expr` as one factor of a product written out (`2 \\cdot (C_in t)`): bracketed unless it binds
        at least as tightly as a power."""
        return self._wrap(*self._print(expr), PREC_POW)

    def shape(self, dims: Iterable[sympy.Expr]) -> str:
        """A tensor's shape, its dimensions joined by ×; a sum in brackets (`(H - 2) × (W - 2) × C`)."""
        dims = tuple(dims)
        if len(dims) == 1:
            return self(dims[0])
        return self.style.by.join(self._wrap(*self._print(dim), PREC_MUL) for dim in dims)

    def equation(self, sides: Iterable[str]) -> str:
        """Printed sides as one chain of equalities (`formula = numbers = value`)."""
        return " = ".join(sides)

    def condition(self, condition) -> str:
        """A layer's condition of presence (`t ≠ 1`, `s != 1 or C_in != C_out`)."""
        relation, joiner = RELATIONS[self.style.name], JOINERS[self.style.name][condition.either]
        return joiner.join(f"{self(lhs)} {relation.get(rel, rel)} {self(rhs)}" for lhs, rel, rhs in condition.clauses)

    # -- dispatch -----------------------------------------------------------------------------
    def _print(self, expr: sympy.Basic) -> tuple[str, int]:
        for cls in type(expr).__mro__:
            method = getattr(self, f"_print_{cls.__name__}", None)
            if method is not None:
                return method(expr)
        raise TypeError(f"cannot print {type(expr).__name__}")

    def _wrap(self, text: str, prec: int, needed: int) -> str:
        if prec >= needed:
            return text
        return rf"\left({text}\right)" if self.style is LATEX else f"({text})"

    # -- leaves -------------------------------------------------------------------------------
    def _print_Symbol(self, expr: sympy.Symbol) -> tuple[str, int]:
        if expr in self.values:
            value = self.values[expr]
            text, prec = Printer(self.style, self.names)._print(value)
            return text, prec if prec < PREC_ATOM else PREC_ATOM
        return self.names.get(expr, expr.name), PREC_ATOM

    def _print_Integer(self, expr: sympy.Integer) -> tuple[str, int]:
        return str(expr.p), PREC_ATOM if expr.p >= 0 else PREC_ADD

    def _print_Rational(self, expr: sympy.Rational) -> tuple[str, int]:
        if self.style.frac:
            sign = "-" if expr.p < 0 else ""
            return rf"{sign}\frac{{{abs(expr.p)}}}{{{expr.q}}}", PREC_ATOM if not sign else PREC_ADD
        return f"{expr.p}/{expr.q}", PREC_MUL

    def _print_Boolean(self, expr: sympy.Basic) -> tuple[str, int]:
        return str(expr), PREC_ATOM

    # -- operators ----------------------------------------------------------------------------
    def _print_Add(self, expr: sympy.Add) -> tuple[str, int]:
        out = []
        for term in ordered_terms(expr):
            coeff, rest = term.as_coeff_Mul()
            negative = coeff.is_negative
            text, prec = self._print(-term if negative else term)
            text = self._wrap(text, prec, PREC_ADD + 1)
            if not out:
                out.append(f"-{text}" if negative else text)
            else:
                out.append(f" - {text}" if negative else f" + {text}")
        return "".join(out), PREC_ADD

    def _print_Mul(self, expr: sympy.Mul) -> tuple[str, int]:
        coeff, rest = expr.as_coeff_Mul()
        if coeff.is_negative:
            text, prec = self._print(-expr)
            return "-" + self._wrap(text, prec, PREC_MUL), PREC_ADD
        numer, denom = [], []
        for factor in expr.as_ordered_factors():
            if factor.is_Rational and factor.q != 1:
                if factor.p != 1:
                    numer.append(sympy.Integer(factor.p))
                denom.append(sympy.Integer(factor.q))
            elif factor.is_Pow and factor.exp.is_Rational and factor.exp.is_negative:
                denom.append(factor.base ** -factor.exp)
            else:
                numer.append(factor)
        top = self._join(numer) if numer else ("1", PREC_ATOM)
        if not denom:
            return top
        bottom = self._join(denom)
        if self.style.frac:
            return rf"\frac{{{top[0]}}}{{{bottom[0]}}}", PREC_ATOM
        return f"{self._wrap(*top, PREC_MUL)}/{self._wrap(*bottom, PREC_POW)}", PREC_MUL

    def _join(self, factors: list[sympy.Expr]) -> tuple[str, int]:
        if len(factors) == 1:
            return self._print(factors[0])
        texts = [self._wrap(*self._print(f), PREC_MUL + 1) for f in factors]
        return self._times(texts), PREC_MUL

    def _times(self, texts: list[str], dots: bool = False) -> str:
        """Factors joined; in LaTeX by juxtaposition unless a number follows (or `dots`, for a term as written)."""
        if self.style is not LATEX or dots:
            return self.style.times.join(texts)
        out = texts[0]
        for text in texts[1:]:
            out += (self.style.times if text[:1].isdigit() or text.startswith("-") else " ") + text
        return out

    def _print_Pow(self, expr: sympy.Pow) -> tuple[str, int]:
        base, exp = expr.base, expr.exp
        if exp.is_Rational and exp.is_negative:
            inverse = self._print(base ** -exp)
            if self.style.frac:
                return rf"\frac{{1}}{{{inverse[0]}}}", PREC_ATOM
            return f"1/{self._wrap(*inverse, PREC_POW)}", PREC_MUL
        base_text = self._wrap(*self._print(base), PREC_POW + 1)
        if self.style.superscripts and exp.is_Integer and 0 <= exp < 10:
            return base_text + str(exp).translate(SUPERSCRIPTS), PREC_POW
        exp_text = self._print(exp)[0] if self.style is LATEX else self._wrap(*self._print(exp), PREC_ATOM)
        return self.style.pow_fmt.format(base=base_text, exp=exp_text), PREC_POW

    # -- functions: evaluated once their arguments are bound (⌈H/1⌉ is H) ---------------------
    def _evaluated(self, expr: sympy.Basic) -> tuple[str, int] | None:
        if self.values:
            value = substituted(expr, self.values)
            if value != expr:
                return Printer(self.style, self.names)._print(value)
        return None

    def _print_ceiling(self, expr: sympy.ceiling) -> tuple[str, int]:
        if (done := self._evaluated(expr)) is not None:
            return done
        return self.style.ceil.format(self._print(expr.args[0])[0]), PREC_ATOM

    def _print_floor(self, expr: sympy.floor) -> tuple[str, int]:
        if (done := self._evaluated(expr)) is not None:
            return done
        return self.style.floor.format(self._print(expr.args[0])[0]), PREC_ATOM

    def _print_Function(self, expr: sympy.Function) -> tuple[str, int]:
        if (done := self._evaluated(expr)) is not None:
            return done
        name = type(expr).__name__
        if self.style is not PLAIN:
            name = name.lower()
        args = ", ".join(self._print(arg)[0] for arg in expr.args)
        if self.style is LATEX and name not in ("max", "min"):
            return rf"\operatorname{{{name}}}\left({args}\right)", PREC_ATOM
        return self.style.func.format(name=name, args=args), PREC_ATOM

    _print_MinMaxBase = _print_Function


def ordered_terms(expr: sympy.Add) -> list[sympy.Expr]:
    """The terms in sympy's printing order (lexicographic in the sorted generators, numbers last),
    computed from the exponents alone: `Expr.as_ordered_terms` also converts every coefficient to a
    complex number, which costs more than all the rest of the printing."""
    powers = []
    for term in expr.args:
        _, monomial = term.as_coeff_Mul()
        powers.append({} if monomial == 1 else monomial.as_powers_dict())
    rank = {g: i for i, g in enumerate(sorted({base for p in powers for base in p}, key=default_sort_key))}

    def exponent(e: sympy.Expr) -> float:
        return float(e) if e.is_Number else 1  # a symbolic exponent ranks as 1

    def key(index: int) -> tuple:
        """The exponents over all generators, compared as a dense vector would be but built from the
        term's own generators alone (a dense vector per term costs terms × generators): an entry sorts
        first by the sign of its exponent, a positive one at an earlier generator above one at a later;
        the closing (0,) stands for the zeros after the last."""
        entries = sorted((rank[g], exponent(e)) for g, e in powers[index].items())
        return tuple((1, -r, e) if e > 0 else (-1, r, e) for r, e in entries if e != 0) + ((0,),)

    order = sorted(range(len(expr.args)), key=key, reverse=True)
    return [expr.args[i] for i in order]


def printer(style: str, names: Mapping[sympy.Symbol, str] | None = None,
            values: Mapping[sympy.Symbol, sympy.Expr] | None = None) -> Printer:
    return Printer(STYLES[style], names or {}, values or {})


@frozen
class Contract:
    """The printers of the JSON contract: a formula `plain` (sympy reads it back) and in `latex` (the
    symbols' own LaTeX names), and plain with the bound values put in (`values`)."""

    plain: Printer
    values: Printer
    latex: Printer


def contract(symbols, substitution: Mapping[sympy.Symbol, sympy.Expr]) -> Contract:
    return Contract(printer("plain"), printer("plain", values=substitution), printer("latex", symbols.latex_names()))


@memo.memoised
def _printed(style: Style, names: tuple[tuple[sympy.Symbol, str], ...], expr: sympy.Expr) -> str:
    return Printer(style, dict(names))._print(expr)[0]
