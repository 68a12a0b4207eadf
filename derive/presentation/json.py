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


def derivation(d, p, flops=None) -> dict:
    """Everything, as the contract lays it out (plus `options`, each layer's `condition` and `shape`, a
    network's `repeat` and `stages`, with --flops-as the tool's figure, `flops`; `memory`, and each layer's
    `activations`: presentation/memory.py)."""
    memory, activations = _memory(d)
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
             **({"attention_macs": count(row.counts["attention_macs"], p)} if "attention_macs" in row.counts else {}),
             "activations": layer_memory}
            for row, layer_memory in zip(d.layers, activations)
        ],
        "parts": [{"name": part.name, **{key: count(part.counts[key], p) for key in TOTALS}} for part in d.parts],
        "total": {**{key: count(d.total[key], p) for key in TOTALS},
                  **({"attention_macs": count(d.total["attention_macs"], p)} if "attention_macs" in d.total else {})},
        **({"flops": {"as": flops.tool, **count(flops.count, p)}} if flops is not None else {}),
        **({"stages": [_stage(stage, p) for stage in d.stages]} if d.stages else {}),
        "memory": memory,
        "warnings": warnings(d),
    }


def _memory(d) -> tuple[dict, list[dict]]:
    """`memory` (the batch B, the parameters per dtype, training with Adam, the activations: COUNTs in bytes)
    and each layer's `activations` COUNT, in the layers' order (derive/memory.py says what each counts)."""
    from .memory import for_json  # the memory model: sympy, which the listing's JSON does without

    m, p, batch = for_json(d)
    section = {"batch": {"symbol": "B", "value": batch},
               "parameters": {dtype: count(c, p) for dtype, c in m.parameters.items()},
               "training": count(m.training, p), "activations": count(m.activations, p)}
    return section, [count(c, p) for c in m.layers]


def warnings(d) -> list[dict]:
    """Code its framework would refuse (derive counts on): `line` and `message` as the contract says,
    plus `column` and the `layer` it concerns."""
    return [{"line": w.line, "column": w.column, "layer": w.layer, "message": w.message} for w in d.warnings]


def _stage(stage, p) -> dict:
    return {"name": stage.name, "repeat": stage.repeat, "table": dict(stage.table),
            "shape": [_size(v, p) for v in stage.shape],
            **{key: None if counts is None else {k: count(counts[k], p) for k in TOTALS}
               for key, counts in (("block", stage.block), ("difference", stage.difference))}}


def verdict(v, value: int | None, diagnosis: list[str], p) -> dict:
    """`derive check --format json`: the claim as a COUNT as written (`1*1*3*18 + 2*18`, not 90), its
    `value` (None while it needs an unbound symbol)."""
    subs = v.derivation.substitution
    claimed = {"formula": _as_written(v.claim.written, "plain", p, subs),
               "expr": _as_written(v.claim.written, "values", p, subs),
               "latex": _as_written(v.claim.written, "latex", p, subs), "value": value}
    return {"correct": v.correct, "part": v.scope, "claimed": claimed, "expected": count(v.expected, p),
            "diagnosis": diagnosis}


# The claim's operators: as sympy reads them back, and in LaTeX; a sign is binary after an operand.
PLAIN_OPS = {"+": " + ", "-": " - ", "*": "*", "/": "/", "**": "**", "(": "(", "[": "(", ")": ")", "]": ")",
             ",": ", "}
LATEX_OPS = {**PLAIN_OPS, "*": r" \cdot ", "(": r"\left(", "[": r"\left(", ")": r"\right)", "]": r"\right)"}
PLAIN_FUNCTIONS = {"ceil": "ceiling"}  # the parser's names that sympy spells otherwise


def _as_written(tokens: tuple, style: str, p, subs) -> str:
    """The claim token by token (checking.Claim.written) in `style`: "plain" (sympy reads it back with the
    symbols), "values" (the bound symbols' values put in), "latex" (the symbols' LaTeX names)."""
    out, i, operand = [], 0, False  # operand: the previous token ends an operand (a sign after it is binary)
    while i < len(tokens):
        kind, text, value = tokens[i]
        if kind == "op" and text == "**" and style == "latex":
            end = _operand_end(tokens, i + 1)
            out.append("^{" + _as_written(tokens[i + 1:end], style, p, subs) + "}")
            i, operand = end, True
            continue
        if kind == "num":
            out.append(text.replace("_", ""))
        elif kind == "sup":
            out.append(f"^{{{value}}}" if style == "latex" else f"**{value}" if value >= 0 else f"**({value})")
        elif kind == "name" and value is None:  # a function
            out.append(rf"\operatorname{{{text}}}" if style == "latex" else PLAIN_FUNCTIONS.get(text, text))
        elif kind == "name":
            out.append(_name(value, style, p, subs))
        elif text in "+-" and not operand:
            out.append(text)  # a sign
        else:
            out.append((LATEX_OPS if style == "latex" else PLAIN_OPS)[text])
        operand = kind != "op" or text in ")]"
        i += 1
    return "".join(out)


def _name(expr, style: str, p, subs) -> str:
    """A name of the claim: its symbol (or the expression it stands for, bracketed), or its value."""
    if style == "values":
        bound = expr.xreplace(subs)
        if bound.is_Integer:
            return f"({bound})" if bound.is_negative else str(bound)
    printed = (p.latex if style == "latex" else p.values if style == "values" else p.plain)(expr)
    if expr.is_Atom:
        return printed
    return rf"\left({printed}\right)" if style == "latex" else f"({printed})"


def _operand_end(tokens: tuple, i: int) -> int:
    """Where the exponent starting at `i` ends: signs, then a number, name, function call or bracket,
    then superscripts and a further `**` (right-associative)."""
    while i < len(tokens) and tokens[i][:2] in (("op", "+"), ("op", "-")):
        i += 1
    if i < len(tokens) and tokens[i][0] == "name" and tokens[i][2] is None:
        i += 1  # a function: its bracket follows
    if i < len(tokens) and tokens[i][:2] in (("op", "("), ("op", "[")):
        depth = 0
        while i < len(tokens):
            depth += {"(": 1, "[": 1, ")": -1, "]": -1}.get(tokens[i][1], 0) if tokens[i][0] == "op" else 0
            i += 1
            if depth == 0:
                break
    else:
        i += 1
    while i < len(tokens) and tokens[i][0] == "sup":
        i += 1
    if i < len(tokens) and tokens[i][:2] == ("op", "**"):
        return _operand_end(tokens, i + 1)
    return i


def answer(lines: Iterable[tuple[str, dict]]) -> dict:
    """`derive check --claim-file F --format json`: one verdict per line of the answer."""
    lines = list(lines)
    return {"correct": all(line["correct"] for _, line in lines), "lines": [{"line": label, **line} for label, line in lines]}


def catalog(entries: Iterable) -> list[dict]:
    """`derive list --format json`: every built-in target with its symbols, defaults and options."""
    return [{"name": e.name, "kind": "network" if e.target else "block", "summary": e.summary,
             "symbols": list(e.symbols), "defaults": dict(e.defaults), "options": dict(e.options), "also": list(e.also)}
            for e in entries]
