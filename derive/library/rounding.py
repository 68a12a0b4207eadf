"""How the published networks round channel widths, as sympy functions that evaluate on numbers only.

`divisible(v, 8)` is the `_make_divisible(v, 8)` of the MobileNet and EfficientNet reference code,
torchvision and keras.applications alike: v rounded to the nearest multiple of 8, at least 8, and
raised by 8 if rounding lost more than 10 % of v. It is computed here in exact rationals (the
frameworks use floats: `16 * 0.35` is 5.6000000000000005 there; no published width is near a tie).
`Max` is the larger of its arguments (`max(1, C_in // 4)`, EfficientNet's squeeze width).

Symbolic arguments leave the call unevaluated, so a formula keeps `divisible(C_exp/r, 8)` as written
until the sizes are bound. The class names are what the printers show (`divisible(…)`, `max(…)`).
"""

from __future__ import annotations

import sympy

NINE_TENTHS = sympy.Rational(9, 10)


def make_divisible(value: sympy.Rational, divisor: int) -> int:
    new = max(divisor, int((value + sympy.Rational(divisor, 2)) // divisor) * divisor)
    if new < NINE_TENTHS * value:
        new += divisor
    return new


class divisible(sympy.Function):  # noqa: N801 - printed as written, lower case
    is_integer = True
    is_positive = True

    @classmethod
    def eval(cls, value: sympy.Expr, divisor: sympy.Expr):
        if value.is_Rational and divisor.is_Integer:
            return sympy.Integer(make_divisible(value, int(divisor)))


class Max(sympy.Function):
    """The larger argument once all are numbers (sympy's own `Max` asks the assumptions system)."""

    @classmethod
    def eval(cls, *args: sympy.Expr):
        if all(arg.is_Rational for arg in args):
            return max(args)
