"""`derive plot`: a count against a size, a line per value of another size, as a pgfplots figure (`tex`,
`pdf`) or a CSV file, for slides: `derive plot mobilenetv2-block --x t=1..8 --series C_in=16,32,64`.

The x range and the series are read by ranges.py in the target's symbols (a bound may name a `--set`
size or a default, and the x range may name the series' size; the series is fixed along each line, so its
range may not name the x size). Every point is a derivation (`api.derive_target` with `--set`, the
series' value and the x value), and each `--y` is read off its totals: `all`, `trainable`,
`non_trainable` (parameters under the convention) or `macs`. At most `MAX_POINTS` points; the command's
CPU budget grows by what the first point took, per point (`budget.allow_seconds`).

Two or more `--y` are panels side by side (a pgfplots `groupplot`, two to a row), each with its own y
axis: parameters and MACs differ by orders of magnitude. The words, the layout and the tick labels are
in templates/course/plot.tex.j2 (the figure) and plot-document.tex.j2 (the PDF around it); this module
gives them numbers: the points, each panel's power of a thousand, the legend's columns, the x ticks.
"""

from __future__ import annotations

import argparse
import itertools
import time
from decimal import Decimal, localcontext

import sympy

from .. import budget
from ..commands import pairs
from ..errors import DeriveError, InputError
from .ranges import Range, ordered, read_range

MAX_POINTS = 2_000  # points of one figure, every line together
MIN_SECONDS_PER_POINT = 0.05  # CPU time allowed per point at least (a block takes ~2 ms, MobileNetV2 ~30 ms)
MAX_TEX_VALUE = 10**30  # beyond this pgfplots' arithmetic (its fpu, then TeX's dimensions) gives up
MAX_TICKS = 12  # at most this many x values common to every line: a tick at each
FIGURE_CM = 11.0  # a beamer frame's text width (4:3), about
AXIS_CM = {1: 9.0, 2: 4.0}  # an axis' length on a slide, by panels to a row (a beamer frame's text is ~11 cm)
CHARACTER_CM = 0.18  # a digit of a tick label (\footnotesize)
LEGEND_SAMPLE_CM = 1.2  # a legend entry's line sample and the space after it
MAX_MARKED = 24  # points per line drawn with a mark at each


def run(args: argparse.Namespace) -> int:
    from ..api import load, read_options
    from ..cli import make_out, say, warn, write

    target = load(args.target, args.entry, pairs(args.args, "--arg"))
    options = pairs(args.options, "--option")
    given = pairs(args.values, "--set")
    ys = list(dict.fromkeys(args.y or ["all"]))
    x, series = _ranges(target, args, given)
    varied = {x.name} | ({series.name} if series else set())
    sizes = {name: value for name, value in {**target.defaults_for(read_options(target, options)), **given}.items()
             if name in target.symbols and name not in varied}
    lines = _lines(x, series, _read(target, sizes), target.symbols.symbols())
    count = sum(len(xs) for _, xs in lines)
    output = _output_path(args, target.name)  # refused before any work
    rows, first = _derived(target, args, options, given, x, series, lines, ys, count)
    warn(first)
    if args.format == "csv":
        from .tables import csv_text

        columns = [x.name, *([series.name] if series else []), *ys]
        write(csv_text(columns, rows), output, (args.target,))
    else:
        figure = _figure(target, first, args, x, series, lines, rows, ys, given)
        if args.format == "tex":
            write(figure, output, (args.target,))
        else:
            from ..presentation.pdf import compile_tex
            from ..presentation.templating import get_template

            pdf = compile_tex(get_template("course/plot-document.tex.j2", "latex").render(figure=figure))
            if output != args.output:
                make_out()
            write(pdf, output, (args.target,))
    if output != args.output:
        from ..commands import printable

        say(f"derive: wrote {printable(output)}")
    return 0


def _ranges(target, args, given: dict[str, str]) -> tuple[Range, Range | None]:
    """--x and --series read in the target's symbols, checked against each other and --set."""
    symbols = target.symbols.symbols()
    domains = {info.name: info.domain for info in target.symbols.infos}
    x = read_range(args.x, symbols, domains, "--x")
    series = read_range(args.series, symbols, domains, "--series") if args.series is not None else None
    if series is not None:
        if series.name == x.name:
            raise InputError(f"{x.name} is already along the x axis: a series is another size", series.where)
        if x.name in series.needs:
            raise InputError(f"a series is one value per line, so its range cannot name {x.name}, the x axis's size",
                             series.where)
    for r in (x, series):
        if r is not None and r.name in given:
            raise InputError(f"{r.name} is both along {'the x axis' if r is x else 'the series'} and set "
                             f"(--set {r.name}={given[r.name]}): drop one", r.where)
    return x, series


def _read(target, sizes: dict[str, object]) -> dict[sympy.Symbol, sympy.Expr]:
    """The sizes a range may name (`sizes`: the target's defaults and --set, the varied ones left out) as
    numbers or formulas (`--set C_in=2*t`)."""
    from ..api import read_value

    symbols = target.symbols.symbols()
    return {symbols[name]: read_value(target, name, value) for name, value in sizes.items()}


def _known(sizes: dict[sympy.Symbol, sympy.Expr], chosen: dict[sympy.Symbol, sympy.Expr]) -> dict:
    """The sizes that are numbers once the `chosen` ones (a series' value) are put in."""
    known = dict(chosen)
    for _ in range(len(sizes) + 1):
        more = {s: v.xreplace(known) for s, v in sizes.items() if s not in known}
        more = {s: v for s, v in more.items() if v.is_Rational}
        if not more:
            return known
        known.update(more)
    return known


def _lines(x: Range, series: Range | None, sizes: dict, symbols) -> list[tuple[sympy.Expr | None, list]]:
    """(the series' value or None, the x values) for each line, at most MAX_POINTS points in all; a range
    naming a size neither set nor varied is refused (`ordered`)."""
    ordered([r for r in (series, x) if r is not None], sorted(s.name for s in sizes))
    out: list[tuple[sympy.Expr | None, list]] = []
    total = 0
    for value in series.values(_known(sizes, {})) if series is not None else [None]:
        xs = x.values(_known(sizes, {} if value is None else {symbols[series.name]: value}))
        if not xs:
            said = "" if value is None else f" for {series.name} = {_decimal(value)}"
            raise InputError(f"no positive value{said}", x.where)
        total += len(xs)
        if total > MAX_POINTS:
            raise InputError(f"more than {MAX_POINTS:,} points: fewer x values or fewer series", x.where)
        out.append((value, xs))
    if not out:
        raise InputError("no positive value", series.where)
    return out


def _derived(target, args, options, given, x, series, lines, ys, count):
    """A CSV row per point (x, series, each y as an integer), and the first point's derivation."""
    from ..api import derive_target

    rows, first = [], None
    for value, xs in lines:
        for x_value in xs:
            sizes = {**given, x.name: x_value, **({series.name: value} if series is not None else {})}
            started = time.process_time()
            try:
                d = derive_target(target, args.convention, options, sizes)
            except DeriveError as error:
                raise error.at(f"{x.name} = {_decimal(x_value)}" + (
                    f", {series.name} = {_decimal(value)}" if series is not None else "")) from None
            if first is None:
                first = d
                spent = time.process_time() - started
                budget.allow_seconds((count - 1) * max(MIN_SECONDS_PER_POINT, 1.5 * spent))
            row = {x.name: _decimal(x_value), **({series.name: _decimal(value)} if series is not None else {})}
            for y in ys:
                row[y] = _figure_of(d, y)
            rows.append(row)
    return rows, first


def _figure_of(d, y: str) -> int:
    count = d.total[y]
    if count.value is None:
        bound = set(d.values)
        unbound = sorted({s.name for s in count.formula.free_symbols} - bound)
        names = ", ".join(unbound) or "a size"
        raise InputError(f"{y} stays a formula in {names}: give {'it' if len(unbound) < 2 else 'them'} with "
                         f"--set NAME=VALUE or along an axis", f"--y {y}")
    if not isinstance(count.value, int):
        raise InputError(f"{y} is {count.value}, not a whole number", f"--y {y}")
    return count.value


def _decimal(value: sympy.Expr) -> str:
    """A size as a number a spreadsheet and pgfplots read: `0.35` for 7/20, `0.3333333333` for 1/3."""
    if value.is_Integer:
        return str(int(value))
    p, q = int(value.p), int(value.q)
    rest = q
    for factor in (2, 5):
        while rest % factor == 0:
            rest //= factor
    with localcontext() as context:
        context.prec = 60
        exact = Decimal(p) / Decimal(q)
    if rest == 1:
        return format(exact.normalize(), "f")
    return format(float(value), ".10g")


def _figure(target, first, args, x: Range, series: Range | None, lines, rows, ys: list[str], given) -> str:
    """The pgfplots figure (templates/course/plot.tex.j2)."""
    from ..presentation.escaping import math_name
    from ..presentation.templating import get_template

    _drawable(x, lines, rows, ys)
    table = {info.name: info for info in target.symbols.infos}

    def named(name: str) -> dict:
        info = table[name]
        return {"name": name, "latex": math_name(info.latex, info.name), "meaning": info.meaning}

    common = lines[0][1] if all(xs == lines[0][1] for _, xs in lines) else None
    values = [None if value is None else _decimal(value) for value, _ in lines]
    sizes = [{**named(name), "value": _number_text(value)} for name, value in first.values.items()
             if name in given and name in table]
    return get_template("course/plot.tex.j2", "latex").render(
        heading=args.title, title=first.title, values=sizes, convention=first.convention,
        x=named(x.name), series=named(series.name) if series is not None else None,
        ticks=_ticks(common, 1 if len(ys) == 1 else 2) if common is not None else None,
        legend_columns=_legend_columns(series.name, values) if series is not None else 1,
        marks=max(len(xs) for _, xs in lines) <= MAX_MARKED, panels=_panels(x, lines, rows, ys, values))


def _drawable(x: Range, lines, rows, ys) -> None:
    """Every number within what pgfplots computes with, else one error saying to take the CSV."""
    for row in rows:
        for y in ys:
            if abs(row[y]) >= MAX_TEX_VALUE:
                raise InputError(f"{y} reaches {row[y]:.3g}, more than pgfplots can draw: --format csv", f"--y {y}")
    for value, xs in lines:
        for v in [*xs, *([value] if value is not None else [])]:
            if abs(v) >= MAX_TEX_VALUE:
                raise InputError(f"{_decimal(v)} is more than pgfplots can draw: --format csv", x.where)


def _panels(x: Range, lines, rows, ys, values) -> list[dict]:
    """A panel per y: its power of a thousand (`exponent`, 0 below 10,000), `flat` when every count is 0,
    and a line per series value with its coordinates."""
    per_line, at = [], 0
    for _, xs in lines:
        per_line.append(rows[at:at + len(xs)])
        at += len(xs)
    panels = []
    for y in ys:
        top = max(abs(row[y]) for row in rows)
        panels.append({"y": y, "exponent": 0 if top < 10_000 else 3 * ((len(str(top)) - 1) // 3), "flat": top == 0,
                       "lines": [{"value": value, "coordinates": _coordinates(these, x.name, y)}
                                 for value, these in zip(values, per_line)]})
    return panels


def _legend_columns(name: str, values: list[str]) -> int:
    """As many legend entries to a row (above the plot) as fit in `FIGURE_CM`."""
    entry = LEGEND_SAMPLE_CM + CHARACTER_CM * (len(name) + 3 + max(map(len, values)))
    return max(1, min(len(values), int(FIGURE_CM // entry)))


def _ticks(values: list, columns: int) -> list[str] | None:
    """A tick at each x value, if they are few and far enough apart for their labels not to touch on an
    axis about `AXIS_CM[columns]` long; else None (pgfplots chooses)."""
    if len(values) > MAX_TICKS:
        return None
    labels = [_decimal(v) for v in values]
    if len(values) < 2:
        return labels
    order = sorted(zip(values, labels))
    span = float(order[-1][0] - order[0][0])
    for (a, text_a), (b, text_b) in itertools.pairwise(order):
        room = float(b - a) / span * AXIS_CM[columns]
        if room < (len(text_a) + len(text_b)) / 2 * CHARACTER_CM + 0.25:
            return None
    return labels


def _coordinates(rows: list[dict], x: str, y: str, per_line: int = 8) -> list[str]:
    """pgfplots' `(x,y)` pairs, `per_line` to a line of the .tex file."""
    pairs = [f"({row[x]},{row[y]})" for row in rows]
    return [" ".join(pairs[i:i + per_line]) for i in range(0, len(pairs), per_line)]


def _number_text(value: sympy.Expr) -> str:
    return _decimal(value) if value.is_Rational else str(value)


def _output_path(args, target: str) -> str | None:
    """-o as given (`FOLDER/`: `<target>-plot.<format>` in it); a PDF without -o: out/<target>-plot.pdf."""
    from ..cli import output_path, pdf_in_out, safe_stem

    stem = f"{safe_stem(target)}-plot"
    path = output_path(args.output, stem, args.format)
    return pdf_in_out(stem) if path is None and args.format == "pdf" else path
