"""The Python entry point: a target name, a convention, options and sizes in; a `Derivation` out (from
`show`, one that also shows itself in a notebook and has `to_dict()`: presentation.notebook.Shown).

    >>> import derive
    >>> d = derive.show("mobilenetv2-block", C_in=3, t=6, C_out=3)
    >>> d.total["all"].value
    348

Values may be integers, sympy expressions, or text (`"2*C_in"`), which is read by the safe parser.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

import sympy

from . import library
from .blocks import Target
from .derivation import Derivation, Later, bind, derive
from .errors import ExprError, InputError
from .expr import parse
from .symbols import BASE, BATCH, SymbolTable

TRUE_WORDS = {"true": True, "yes": True, "on": True, "1": True, "false": False, "no": False, "off": False, "0": False}


def load(target: str, entry: str | None = None, args: Mapping[str, object] | None = None) -> Target:
    """A built-in name, a `.toml` block spec or a `.py` file of Keras / PyTorch code (`-`: stdin); for
    code, `entry` the class or function to count and `args` its arguments (text as on the command line,
    or numbers; read by readers/entry.py)."""
    if target == "-" or target.endswith((".toml", ".py")):
        from .readers import load_file

        return load_file(target, entry, _texts(args))
    if entry is not None or args:
        raise InputError("--entry and --arg choose what to count in a .py file", "--entry" if entry else "--arg")
    entry = library.entry(target)
    if entry.target is not None:  # a network: its own symbols (stage widths) and option-dependent defaults
        return replace(entry.target_function()(entry), published=True)
    return Target(entry.name, entry.title, SymbolTable.of(entry.symbols), entry.defaults, entry.options,
                  entry.build_function(), entry.aliases, published=True)


def load_text(text: str, name: str, entry: str | None = None, args: Mapping[str, object] | None = None) -> Target:
    """As `load` for a file, from its text given as it is (pasted into `derive serve`'s page) and read as
    the file `name` (`pasted.py` or `pasted.toml`, which says which reader): errors point at `name:LINE:COL`."""
    from .readers import load_text as read

    return read(text, name, entry, _texts(args))


def _texts(args: Mapping[str, object] | None) -> dict[str, str]:
    return {k: str(v) if not isinstance(v, str) else v for k, v in (args or {}).items()}


def read_value(target: Target, name: str, value: object) -> sympy.Expr:
    """A size as given: an int, a sympy expression, or text read by the whitelist parser."""
    if isinstance(value, bool):
        raise InputError(f"{name} must be a number, not {value}", f"--set {name}")
    if isinstance(value, int):
        return sympy.Integer(value)
    if isinstance(value, sympy.Expr):
        return value
    if isinstance(value, str):
        if name not in target.symbols:
            raise InputError(f"unknown symbol {name!r} (this target has {', '.join(target.symbols.names)})",
                             f"--set {name}")
        decimals = target.symbols[name].domain != "positive integer"
        try:
            return parse(value, target.symbols.symbols(), decimals=decimals)
        except ExprError as error:  # the value as typed, unless it holds what a terminal would act on
            raise error.at(f"--set {name}={value if value.isprintable() else repr(value)}") from None
    raise InputError(f"{name} must be a number or an expression, not {type(value).__name__}", f"--set {name}")


def read_options(target: Target, given: Mapping[str, object]) -> dict[str, bool]:
    out = dict(target.options)
    for name, value in given.items():
        if name not in target.options:
            have = ", ".join(target.options) or "none"
            raise InputError(f"unknown option {name!r} (this target has {have})", f"--option {name}")
        if isinstance(value, str):
            if value.lower() not in TRUE_WORDS:
                raise InputError(f"{name} must be true or false, not {value!r}", f"--option {name}")
            value = TRUE_WORDS[value.lower()]
        if not isinstance(value, bool):
            raise InputError(f"{name} must be true or false", f"--option {name}")
        out[name] = value
    return out


def show(target: str, *, convention: str = "paper", options: Mapping[str, object] | None = None,
         entry: str | None = None, args: Mapping[str, object] | None = None, **values: object):
    """Derive a target: `show("mobilenetv2-block", convention="keras", options={"bias": True}, C_in=3)`;
    in a `.py` file, `entry="MobileNetV2", args={"num_classes": 5}` chooses what to count.
    Gives a `presentation.notebook.Shown`: the derivation, which also shows itself in a notebook."""
    from .presentation.notebook import Shown  # the command line derives without it

    return Shown.of(derive_target(load(target, entry, args), convention, options, values))


def derive_target(resolved: Target, convention: str, options: Mapping[str, object] | None,
                  values: Mapping[str, object]) -> Derivation:
    chosen = read_options(resolved, options or {})
    batched = _batched(resolved)
    given = {name: read_value(batched, name, value) for name, value in values.items()}
    bound, batch = _bind(resolved, batched, chosen, given)
    derived = derive(resolved.build(chosen), convention, bound, resolved.name, batch)
    if resolved.published and "bias" in resolved.options:
        derived = replace(derived, published_bias=bool(resolved.options["bias"]))
    if resolved.published and chosen.get("bias") and resolved.options.get("bias") is False:
        # biases the published architecture lacks: what it has without them, for the texts to say both
        # (derived when a text first asks for it: most formats never do)
        as_published = {**chosen, "bias": False}

        def published():
            values, _ = _bind(resolved, batched, as_published, given)
            return derive(resolved.build(as_published), "paper", values, resolved.name).total["all"]

        derived = replace(derived, published=Later(published))
    return derived


def _batched(resolved: Target) -> Target:
    """The target with the batch size B beside its own symbols (default 1), unless it has a B of its own
    (then the batch is 1)."""
    if BATCH in resolved.symbols:
        return resolved
    return replace(resolved, symbols=SymbolTable((*resolved.symbols.infos, BASE[BATCH])))


def _bind(resolved: Target, batched: Target, chosen: Mapping[str, bool],
          given: Mapping[str, sympy.Expr]) -> tuple[dict[str, sympy.Expr], sympy.Expr]:
    """The bound sizes, and apart from them the batch size (which only the memory figures use)."""
    defaults = resolved.defaults_for(chosen)
    if batched is resolved:
        return bind(resolved.symbols, defaults, given), sympy.Integer(1)
    bound = bind(batched.symbols, {**defaults, BATCH: 1}, given)
    return bound, bound.pop(BATCH)


def check(target: str, claim: str, *, part: str | None = None, count: str = "all", convention: str = "paper",
          options: Mapping[str, object] | None = None, **values: object):
    """Judge a claimed count: `check("mobilenetv2-block", "(3*3*18)*18 + 2*18", part="depthwise", C_in=3, t=6, C_out=3)`."""
    from .checking import judge

    resolved = load(target)
    return judge(derive_target(resolved, convention, options, values), claim, part, count, resolved.aliases)


def flops(derivation: Derivation, tool: str):
    """The figure `tool` (fvcore, ptflops, thop, torchinfo, 2mac) prints for the derivation's network in
    PyTorch, as `derive show --flops-as TOOL` gives it: a count with `formula` and `value` (None while a size
    is unbound). See derive/counters/."""
    from .counters.total import count

    return count(derivation, tool).count
