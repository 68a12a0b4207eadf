"""The one JSON builder: `derive show`, `derive check` and `derive list` as ../CONTRACT.md lays them out.

Takes the model and the contract's printers (printing.contract); imports no sympy, so that `derive list
--format json` starts as fast as the text listing.
"""

from __future__ import annotations

import json
from typing import Iterable

from ..conventions import BUCKETS, TOTALS

LAYER = (*BUCKETS, "macs")  # a layer's figures


def dumps(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def count(c, p) -> dict:
    """COUNT: the formula in the symbols, with the values put in, in LaTeX, and its value."""
    return {"formula": p.plain(c.formula), "expr": p.values.written(c), "latex": p.latex(c.formula), "value": c.value}


def _size(v, p) -> int | str:
    return int(v) if v.is_Integer else p.plain(v)


def derivation(d, p) -> dict:
    """Everything, as the contract lays it out (plus `options`, each layer's `condition` and `shape`, and a
    network's `repeat` and `stages`)."""
    return {
        "target": d.target,
        "convention": d.convention,
        "symbols": {info.name: info.meaning for info in d.symbols.infos},
        "values": {name: _size(v, p) for name, v in d.values.items()},
        "options": dict(d.options),
        "layers": [
            {"name": row.name, "op": row.op, "part": row.part,
             "condition": None if row.condition is None else p.plain.condition(row.condition),
             "shape": [_size(dim, p) for dim in row.shape],
             **({"repeat": row.repeat} if d.stages else {}),
             **{key: count(row.counts[key], p) for key in LAYER},
             **({"attention_macs": count(row.counts["attention_macs"], p)} if "attention_macs" in row.counts else {})}
            for row in d.layers
        ],
        "parts": [{"name": part.name, **{key: count(part.counts[key], p) for key in TOTALS}} for part in d.parts],
        "total": {**{key: count(d.total[key], p) for key in TOTALS},
                  **({"attention_macs": count(d.total["attention_macs"], p)} if "attention_macs" in d.total else {})},
        **({"stages": [_stage(stage, p) for stage in d.stages]} if d.stages else {}),
        "warnings": warnings(d),
    }


def warnings(d) -> list[dict]:
    """Code its framework would refuse (derive counts on): `line` and `message` as the contract says,
    plus `column` and the `layer` it concerns."""
    return [{"line": w.line, "column": w.column, "layer": w.layer, "message": w.message} for w in d.warnings]


def _stage(stage, p) -> dict:
    return {"name": stage.name, "repeat": stage.repeat, "table": dict(stage.table),
            "shape": [_size(v, p) for v in stage.shape],
            **{key: None if counts is None else {k: count(counts[k], p) for k in TOTALS}
               for key, counts in (("block", stage.block), ("difference", stage.difference))}}


def verdict(v, claimed, diagnosis: list[str], p) -> dict:
    """`derive check --format json`: `claimed` is the claim as a count (its formula, no products)."""
    return {"correct": v.correct, "part": v.scope, "claimed": count(claimed, p),
            "expected": count(v.expected, p), "diagnosis": diagnosis}


def answer(lines: Iterable[tuple[str, dict]]) -> dict:
    """`derive check --claim-file F --format json`: one verdict per line of the answer."""
    lines = list(lines)
    return {"correct": all(line["correct"] for _, line in lines), "lines": [{"line": label, **line} for label, line in lines]}


def catalog(entries: Iterable) -> list[dict]:
    """`derive list --format json`: every built-in target with its symbols, defaults and options."""
    return [{"name": e.name, "summary": e.summary, "symbols": list(e.symbols), "defaults": dict(e.defaults),
             "options": dict(e.options)} for e in entries]
