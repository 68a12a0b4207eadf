"""The memory figures (derive/memory.py) as each output shows them: JSON's `memory` section and each
layer's `activations`, and the view the templates' memory sections read (`templates/*/memory.*.j2`).

The figures are in the derivation's symbols and the batch size B, which is not among the sizes a
target lists (it changes no parameter or MAC figure): the printers here are given it beside them.
"""

from __future__ import annotations

from ..derivation import Derivation
from ..memory import ACTIVATION, ADAM, DTYPES, PASSES, WEIGHT, Memory, memory
from ..symbols import BASE, BATCH, SymbolTable
from .escaping import Safe, math_name
from .printing import contract, printer
from .templating import number

UNITS = (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10))


def symbols(d: Derivation) -> SymbolTable:
    """The derivation's symbols and B."""
    return d.symbols if BATCH in d.symbols else SymbolTable((*d.symbols.infos, BASE[BATCH]))


def substitution(d: Derivation) -> dict:
    return {**d.substitution, BASE[BATCH].symbol: d.batch}


def _batch(d: Derivation, text) -> int | str:
    return int(d.batch) if d.batch.is_Integer else text(d.batch)


def for_json(d: Derivation) -> tuple[Memory, object, int | str]:
    """What JSON's `memory` section is built from (json.py): the figures, the contract's printers with B
    beside the derivation's symbols, and the batch (a number, or its formula)."""
    p = contract(symbols(d), substitution(d))
    return memory(d), p, _batch(d, p.plain)


def human(value: int | None) -> str | None:
    """A byte figure in binary units, two decimals (1.36 KiB, 13.37 MiB); None for a figure with no value."""
    if value is None:
        return None
    for unit, size in UNITS:
        if value >= size:
            return f"{value / size:.2f} {unit}"
    return None  # under a KiB: the bytes say it


def view(d: Derivation, style: str, kind: str, brief: bool = False) -> dict:
    """What a template's memory section reads: per dtype, training and activations, each a figure (`formula`,
    `expr`, `value`, `human`: the value in KiB, MiB or GiB, `bytes`: the value grouped as the format groups
    thousands), with the bytes each figure is made of (`sizes`, `stored`) and the batch (`batch`, its `latex`
    name); `brief`: the values alone (a network's summary)."""
    m: Memory = memory(d)
    table = symbols(d)
    latex = style == "latex"
    names = {info.symbol: math_name(info.latex, info.name) for info in table.infos} if latex else {}
    subs = substitution(d)
    order = {info.symbol: i for i, info in enumerate(table.infos)}
    plain, numbers = printer(style, names), printer(style, names, subs)
    mark = Safe if latex or kind == "markdown" else str
    grouped = kind if latex else "text"  # how the equations group thousands (as views.Figures)

    def figure(c, formulas: bool = True, named: bool = False) -> dict:
        """A figure: its value, and (with `formulas`, or when it has no value) its formula, the numbers put in,
        the equation of both, and (also with `named`) the symbols it is in."""
        out = {"value": c.value, "human": None if c.value is None else Safe(human(c.value) or ""),
               "bytes": None if c.value is None else number(c.value, math=False, kind=kind)}
        if c.value is not None and not formulas and not named:
            return out
        free = sorted(c.raw.free_symbols, key=lambda s: order.get(s, len(order)))
        out["symbols"] = [mark(plain(s)) for s in free]  # what the formula is in
        if c.value is None:
            out["unbound"] = [mark(plain(s)) for s in free if s not in subs]
        elif not formulas:
            return out
        out.update(formula=mark(plain.written(c)), expr=mark(numbers.written(c)))
        steps = [out["formula"]] + ([out["expr"]] if out["expr"] != out["formula"] else [])
        if c.value is not None and out["expr"] != str(c.value):
            steps.append(number(c.value, math=grouped != "text", kind=grouped))
        out["eq"] = mark(" = ".join(steps))  # formula = numbers = value, each when it says something new
        return out

    return {
        "batch": {"value": _batch(d, plain), "latex": mark(names.get(BASE[BATCH].symbol, BATCH)) if latex else BATCH,
                  "eq": mark(f"{names.get(BASE[BATCH].symbol, BATCH)} = {_batch(d, plain)}")},
        # the parameters and training as values (each a number of parameters times bytes), formulas where none
        "parameters": {dtype: figure(m.parameters[dtype], formulas=False) for dtype in DTYPES},
        "training": figure(m.training, formulas=False),
        # what training stores, by bytes an element: 16 a trainable parameter, 4 a non-trainable one or a buffer, 8 an int64
        "stored": [{"bytes": size, "what": what, "count": {"value": count.value}} for size, what, count in m.training_parts],
        "count": {"value": d.total["all"].value},  # the parameters the dtypes multiply
        "activations": figure(m.activations, formulas=not brief, named=True),
        "brief": brief,  # values alone, the formulas left to JSON (a network's summary)
        "sizes": {"dtypes": dict(DTYPES), "adam": ADAM, "weight": WEIGHT, "activation": ACTIVATION,
                  "passes": PASSES},
    }
