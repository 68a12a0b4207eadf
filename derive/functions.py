"""⌈x⌉ and ⌊x⌋ in formulas: sympy functions cheap to build (`derive.arithmetic.Rounding`).

The class names are sympy's, so the plain printer's `ceiling(H/s)` reads back with `sympify`.
"""

from __future__ import annotations

from .arithmetic import Rounding, ceil_div, floor_div


class ceiling(Rounding):  # noqa: N801 - named as sympy's, for printing and reading back
    exact = staticmethod(ceil_div)


class floor(Rounding):  # noqa: N801
    exact = staticmethod(floor_div)
