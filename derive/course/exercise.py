"""`derive exercise`: a problem per student, their worked solutions, and the answer key.

    derive exercise mobilenetv2-block --vary C_in=3..32 --vary t=2,4,6 --vary C_out=C_in..2*C_in \\
        --count 150 --seed 1 [--students roster.csv] [--ask parts|total|macs] [-o DIR]

The target is loaded once and derived with `--set`, `--option` and `--convention` plus each variant's
sizes, drawn from the `--vary` ranges (ranges.py) reproducibly from the seed. A variant is valid when its
derivation succeeds without a warning, its block has every part of the target (a part a condition leaves
out, the expansion at t = 1, would leave a question without an answer) and every question has a whole
number for an answer. Out, into DIR (default out/exercise): problems.tex and solutions.tex (a page per
student: its data from sheets.py, its words from templates/course/), their PDFs unless --no-pdf (each
compiled in one TeX run, the two side by side; two runs for a network's tables over pages), key.json and
key.csv (key.py). Everything is made first, then each file written whole (files.write_folder): a bad
roster, too few variants or a TeX failure writes nothing.
"""

from __future__ import annotations

import argparse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import sympy

from .. import budget
from ..api import derive_target, load, read_options
from ..commands import pairs, printable
from ..errors import InputError, ToolError
from ..files import write_folder
from ..presentation.render import MAX_TITLE
from . import ranges as rng
from .key import Key, Student, answers, questions, student_id_problem
from .tables import read_table

DEFAULT_OUTPUT = "out/exercise"
SECONDS_PER_VARIANT = 0.05  # CPU time allowed per student: a derivation (2 ms), its page's view (10 ms), drawing
FILES = ("problems.tex", "solutions.tex", "problems.pdf", "solutions.pdf", "key.json", "key.csv")
PAGE_ROWS = 30  # layers a page's table holds; more (a network's), and the tables are longtables


def run(args: argparse.Namespace) -> int:
    if args.title is not None and len(args.title) > MAX_TITLE:
        raise InputError(f"a title of at most {MAX_TITLE} characters (this one has {len(args.title):,})", "--title")
    output = Path(args.output or DEFAULT_OUTPUT)
    if output.exists() and not output.is_dir():
        raise InputError("is not a folder", f"-o {args.output or DEFAULT_OUTPUT}")
    target = load(args.target, args.entry, pairs(args.args, "--arg"))
    options, values = pairs(args.options, "--option"), pairs(args.values, "--set")
    roster = read_roster(args.students) if args.students else generated(args.count)
    if args.pdf:
        from ..presentation.pdf import MISSING, tex_available

        if not tex_available():  # said once the input is read, before the work, and nothing is written
            raise ToolError(f"{MISSING}; or give --no-pdf for the .tex files alone", "derive exercise")
    budget.allow_seconds(SECONDS_PER_VARIANT * len(roster))
    key, derivations = drawn(target, args, options, values, [sid for sid, _ in roster])
    files = made(key, derivations, [name for _, name in roster], args)
    from ..cli import say

    write_folder(output, files, f"-o {output}", tuple(p for p in (args.students, args.target) if p),
                 lambda path: say(f"derive: wrote {printable(path)}"))
    return 0


# -- the students -------------------------------------------------------------------------------------
def read_roster(path: str) -> list[tuple[str, str | None]]:
    """The roster's students: (id, name or None), ids checked (not blank, unique, at most 200 characters,
    no control character): anything wrong is one error naming ROSTER:LINE."""
    rows = read_table(path, "--students", ["student"])
    if not rows:
        raise InputError("no students: a line per student comes after the header line", path)
    seen: dict[str, str] = {}
    out = []
    for row in rows:
        sid, where = row["student"], f"{path}:{row['_line']}"
        problem = student_id_problem(sid)
        if problem:
            raise InputError(problem, where)
        if sid in seen:
            raise InputError(f"the student {sid!r} again (first on line {seen[sid]})", where)
        seen[sid] = row["_line"]
        out.append((sid, row.get("name") or None))
    return out


def generated(count: int) -> list[tuple[str, None]]:
    """--count N: the students s001, s002, ... (as many digits as N needs, at least three)."""
    if not 1 <= count <= rng.MAX_VARIANTS:
        raise InputError(f"from 1 to {rng.MAX_VARIANTS:,} students", f"--count {count}")
    digits = max(3, len(str(count)))
    return [(f"s{i:0{digits}d}", None) for i in range(1, count + 1)]


# -- the variants -------------------------------------------------------------------------------------
def drawn(target, args, options: dict[str, str], values: dict[str, str], students: list[str]):
    """The key (a valid variant per student, drawn from the seed) and each student's derivation."""
    base = derive_target(target, args.convention, options, values)  # --set, --option and --convention said wrong first
    symbols = dict(target.symbols.symbols())
    domains = {info.name: info.domain for info in target.symbols.infos}
    ranges = [rng.read_range(text, symbols, domains, "--vary") for text in args.vary]
    given = [r.name for r in ranges]
    ordered = rng.ordered(ranges, list(values), [n for n, v in base.values.items() if v.is_number])
    unbound(base, args.ask, given)
    asked = wanted(target, options, base, args.ask)
    fixed = {symbols[n]: v for n, v in base.values.items() if v.is_number and n not in given}
    made: dict[tuple, object] = {}

    def valid(variant: dict) -> bool:
        try:
            d = derive_target(target, args.convention, options, {**values, **variant})
        except InputError:
            return False
        expected = answers(d, args.ask) if questions(d, args.ask) == asked else None
        if d.warnings or expected is None or None in expected.values():
            return False
        made[tuple(variant.items())] = d
        return True

    chosen = rng.variants(ordered, fixed, symbols, len(students), args.seed, valid)
    derivations = [made[tuple(v.items())] for v in chosen]
    students = tuple(Student(sid, {n: _json(v[n]) for n in given}, answers(d, args.ask))
                     for sid, v, d in zip(students, chosen, derivations))
    key = Key(args.target, args.entry, pairs(args.args, "--arg"), args.convention, options, values,
              {r.name: r.text for r in ranges}, args.seed, args.ask, asked, students)
    return key, derivations


def unbound(base, ask: str, given: list[str]) -> None:
    """A size the answers need that is neither varied nor set nor has a default: said at once (H and W for
    the MACs), rather than as no variant being valid."""
    figure = "macs" if ask == "macs" else "all"
    missing = sorted(s.name for s in base.total[figure].formula.free_symbols
                     if s.name not in given and s.name not in base.values)
    if missing:
        names = " and ".join(missing)
        what = "the MACs need" if ask == "macs" else "the counts need"
        raise InputError(f"{what} {names}: give {'them' if len(missing) > 1 else 'it'} (--set "
                         f"{missing[0]}=...) or vary {'them' if len(missing) > 1 else 'it'}", f"--ask {ask}")


def wanted(target, options: dict[str, str], base, ask: str) -> tuple[str, ...]:
    """The questions: every part the target's block has (whatever the sizes) then the total; or the total."""
    if ask == "total":
        return ("total",)
    block = target.build(read_options(target, options))
    names = [s.name for s in block.stages] or list(dict.fromkeys(n.part for n in block.nodes if n.part is not None))
    return (*names, "total")


def _json(value: sympy.Expr) -> int | str:
    return int(value) if value.is_Integer else str(value)


# -- the files ----------------------------------------------------------------------------------------
def made(key: Key, derivations: list, names: list[str | None], args) -> dict[str, str | bytes]:
    """Every file's content, in the order written: the sheets (compiled unless --no-pdf), then the key."""
    from ..presentation.templating import get_template
    from .sheets import page

    pages = [page(d, key.ask, s.student, name, list(key.vary)) for s, d, name in zip(key.students, derivations, names)]
    long = any(len(p["layers"]) > PAGE_ROWS for p in pages)  # tables over pages, settled in a second TeX run
    common = {"pages": pages, "title": args.title or derivations[0].title, "block": derivations[0].title,
              "convention": key.convention, "ask": key.ask, "long": long}
    tex = {name: get_template(f"course/{name}.j2", "latex").render(common) for name in FILES[:2]}
    files: dict[str, str | bytes] = dict(tex)
    if args.pdf:
        from ..presentation.pdf import compile_tex

        with ThreadPoolExecutor(2) as pool:  # the two documents side by side: TeX runs in child processes
            pdfs = list(pool.map(lambda name: compile_tex(tex[name], passes=2 if long else 1, where=name), FILES[:2]))
        files.update(zip(FILES[2:4], pdfs))
    files["key.json"] = key.to_json()
    files["key.csv"] = key.to_csv()
    return files
