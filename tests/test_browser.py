"""The forum-width measure (tests/helpers/browser.py) on pages made to fit and made not to: Markdown rendered by
markdown-it and KaTeX, laid out by headless Chromium at 690 px."""

from __future__ import annotations

from helpers import browser


def test_the_measure_sees_what_is_too_wide():
    """The browser helper itself: a short answer fits; a 200-term sum, a 40-column table and a long line of code
    do not, and a KaTeX error is reported."""
    wide_sum = "$$\n" + " + ".join(f"a_{{{i}}}" for i in range(200)) + "\n$$\n"
    wide_table = "| " + " | ".join(f"column{i}" for i in range(40)) + " |\n|" + "---|" * 40 + "\n" + \
        "| " + " | ".join("1" for _ in range(40)) + " |\n"
    short, long_sum, table, code, error = browser.layouts(
        ["# N\n\nThe block has $3 \\cdot 6 = 18$ channels.\n", wide_sum, wide_table, "```\n" + "x" * 300 + "\n```\n",
         "$\\frac{1}$\n"])
    assert short.fits and not short.errors and short.fonts, short.describe()
    for layout in (long_sum, table, code):
        assert not layout.fits and layout.scroll > browser.WIDTH + 100, layout.describe()
        assert layout.wide
    assert error.errors and error.fits
