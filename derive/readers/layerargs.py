"""A layer's arguments, read one by one as what the layer needs: one reader, two sources.

`ArgumentReader` is what a kind's `build` gets (`derive.layers.spelling`): `size`, `pair`, `flag`,
`rate`, ... read a value and check it, reporting a mistake at the argument's place. The values come
from a TOML table (`TomlArguments`: a spec's `[[layers]]` entry, placed by the `Locator` paths) or
from a Python call (`CallArguments`, bound by `bind` to a framework's signature: its parameters in
positional order, the keywords it accepts without reading, initializers, `name`, `dtype`, ...).
Read arguments are evaluated by the interpreter; ignored ones are never looked at. A keyword the
framework would refuse is refused here too, so a typo is an error, not a silent default. Each
source words its mistakes as its users write (`"kernel" must be a whole number or an expression
in quotes` in a spec, `Conv2D(): kernel_size must be positive, not 0` in code).
"""

from __future__ import annotations

import ast
import math
from abc import ABC, abstractmethod
from typing import Any, Mapping

import sympy

from ..layers.spelling import MISSING, Signature
from .astexpr import Undecided
from .python import Interpreter, ListValue, Ref, Scope, Unknown


class ArgumentReader(ABC):
    """The reading written once; a source says where a value is and how a raw value reads."""

    @abstractmethod
    def given(self, name: str) -> bool:
        ...

    @abstractmethod
    def get(self, name: str, default: Any = MISSING) -> Any:
        ...

    @abstractmethod
    def error(self, name: str, what: str) -> Exception:
        ...

    @abstractmethod
    def as_size(self, name: str, value: Any, *, zero: bool = False) -> sympy.Expr:
        ...

    @abstractmethod
    def as_flag(self, name: str, value: Any) -> bool:
        ...

    @abstractmethod
    def as_number(self, value: Any) -> Any:
        """A number as a sympy number (anything else as it is)."""
        ...

    @abstractmethod
    def sequence(self, value: Any) -> tuple | None:
        """A list or tuple as written, as a tuple; None for anything else."""
        ...

    @abstractmethod
    def two(self, name: str, items: tuple) -> tuple:
        """The two sizes of a pair written as a sequence."""
        ...

    # -- readers of one argument
    def size(self, name: str, default: Any = MISSING, *, zero: bool = False) -> sympy.Expr:
        """A positive whole number or an expression in the symbols (a count of channels, a kernel side)."""
        return self.as_size(name, self.get(name, default), zero=zero)

    def pair(self, name: str, default: Any = MISSING, *, zero: bool = False) -> tuple[sympy.Expr, sympy.Expr]:
        """One size for both axes, or two (height, width)."""
        value = self.get(name, default)
        items = self.sequence(value)
        if items is not None:
            first, second = self.two(name, items)
            return (self.as_size(name, first, zero=zero), self.as_size(name, second, zero=zero))
        one = self.as_size(name, value, zero=zero)
        return (one, one)

    def flag(self, name: str, default: Any = MISSING) -> bool:
        return self.as_flag(name, self.get(name, default))

    def rate(self, name: str, default: Any = MISSING) -> sympy.Expr:
        value = self.as_number(self.get(name, default))
        if isinstance(value, sympy.Expr) and not value.is_Number and value.free_symbols:
            return value  # a parameter's symbol (`dropout=0.2` in a signature): no count depends on a rate
        if isinstance(value, bool) or not isinstance(value, sympy.Expr) or not value.is_Number or not 0 <= value <= 1:
            raise self.error(name, f"{name} must be a number between 0 and 1")
        return value


class TomlArguments(ArgumentReader):
    """A spec's layer table: values as `tomllib` gives them, places from the reader's `Locator`.

    Sizes are whole numbers or expressions in quotes; a flag may name one of the spec's options."""

    def __init__(self, reader: Any, table: dict, path: tuple, options: Mapping[str, bool]) -> None:
        self.reader, self.table, self.path, self.options = reader, table, path, options

    def given(self, name: str) -> bool:
        return name in self.table

    def get(self, name: str, default: Any = MISSING) -> Any:
        return self.table.get(name, None if default is MISSING else default)

    def error(self, name: str, what: str) -> Exception:
        return self.reader.error(what, self.path + (name,))

    def as_size(self, name: str, value: Any, *, zero: bool = False) -> sympy.Expr:
        return toml_size(self.reader, value, self.path + (name,), name, zero)

    def as_flag(self, name: str, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in self.options:
            return self.options[value]
        raise self.error(name, f"{name} must be true, false or the name of an option "
                               f"({', '.join(self.options) or 'none'})")

    def as_number(self, value: Any) -> Any:
        if isinstance(value, float) and math.isfinite(value):
            return sympy.Rational(repr(value))
        return sympy.Integer(value) if isinstance(value, int) and not isinstance(value, bool) else value

    def sequence(self, value: Any) -> tuple | None:
        return tuple(value) if isinstance(value, list) else None

    def two(self, name: str, items: tuple) -> tuple:
        if len(items) != 2:
            raise self.error(name, f"{name} must be one size or two")
        return items


def toml_size(reader: Any, value: Any, path: tuple, what: str, zero: bool = False) -> sympy.Expr:
    """A size in a spec: a whole number, or an expression in the symbols, in quotes."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise reader.error(f"{what} must be a whole number or an expression in quotes", path)
    result = sympy.Integer(value) if isinstance(value, int) else reader.expression(value, path)
    if result.is_Number and (not result.is_Integer or result < 0 or (result == 0 and not zero)):
        raise reader.error(f"{what} must be a {'' if zero else 'positive '}whole number, not {result}", path)
    return result


class CallArguments(ArgumentReader):
    """A layer call's arguments bound to a signature: `args.get(name, default)` evaluated, with the
    node each came from (for the place of a mistake)."""

    def __init__(self, interp: Interpreter, signature: Signature, call: ast.Call,
                 values: dict[str, tuple[Any, ast.AST]]) -> None:
        self.interp = interp
        self.signature = signature
        self.call = call
        self.values = values

    def given(self, name: str) -> bool:
        return name in self.values

    def get(self, name: str, default: Any = MISSING) -> Any:
        if name in self.values:
            return self.values[name][0]
        if default is MISSING:
            raise self.interp.error(f"{self.signature.label}() needs its argument {name!r}", self.call)
        return default

    def node(self, name: str) -> ast.AST:
        return self.values[name][1] if name in self.values else self.call

    def error(self, name: str, what: str) -> Exception:
        return self.interp.error(f"{self.signature.label}(): {what}", self.node(name))

    def as_size(self, name: str, value: Any, *, zero: bool = False) -> sympy.Expr:
        if isinstance(value, int) and not isinstance(value, bool):
            value = sympy.Integer(value)
        if isinstance(value, Unknown):
            raise self.error(name, f"{name} comes from {value.what} (at {value.where}), which derive does not follow")
        if isinstance(value, bool) or not isinstance(value, sympy.Expr):
            raise self.error(name, f"{name} must be a number, not {self.interp.kind(value)}")
        if value.is_Number:
            if not value.is_Integer:
                raise self.error(name, f"{name} must be a whole number, not {value}")
            if value < 0 or (value == 0 and not zero):
                raise self.error(name, f"{name} must be {'at least 0' if zero else 'positive'}, not {value}")
        return value

    def as_flag(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(name, f"{name} must be True or False, not {self.interp.kind(value)}")
        return value

    def as_number(self, value: Any) -> Any:
        return value

    def rate(self, name: str, default: Any = MISSING) -> sympy.Expr:
        """A probability or a fraction (`nn.Dropout(dropout)`): a size from the code (`dropout = 0.2` at
        module level) is read as its default value; one without a value is named as the cause."""
        value = self.get(name, default)
        if isinstance(value, sympy.Expr) and not isinstance(value, bool) and value.free_symbols:
            raise self.interp.undecided(Undecided(frozenset(value.free_symbols), f"{self.signature.label}(): {name}"),
                                        self.node(name))
        if isinstance(value, Unknown):
            raise self.error(name, f"{name} comes from {value.what} (at {value.where}), which derive does not follow")
        return super().rate(name, default)

    def sequence(self, value: Any) -> tuple | None:
        if isinstance(value, ListValue):
            return tuple(value.items)
        return value if isinstance(value, tuple) else None

    def two(self, name: str, items: tuple) -> tuple:
        if len(items) == 1:
            items = items * 2
        if len(items) != 2:
            raise self.error(name, f"{name} must be one number or two, got {len(items)}")
        return items

    def word(self, value: Any) -> str | None:
        """A string, or the last name of a reference (`keras.activations.relu`); else None."""
        if isinstance(value, Ref):
            return value.last
        return value if isinstance(value, str) else None

    def text(self, name: str, default: Any = MISSING, choices: tuple[str, ...] | None = None) -> str:
        value = self.get(name, default)
        if not isinstance(value, str):
            raise self.error(name, f"{name} must be a string, not {self.interp.kind(value)}")
        if choices is not None and value.lower() not in choices:
            raise self.error(name, f"{name} must be one of {', '.join(map(repr, choices))}, not {value[:40]!r}")
        return value.lower() if choices is not None else value

    def number(self, name: str, default: Any = MISSING) -> sympy.Expr:
        value = self.get(name, default)
        if isinstance(value, bool) or not isinstance(value, sympy.Expr):
            raise self.error(name, f"{name} must be a number, not {self.interp.kind(value)}")
        return value

    def none_or(self, name: str, allowed: tuple = ()) -> None:
        """`name` must be absent, None, or one of `allowed` (a feature derive does not model)."""
        if name not in self.values:
            return
        value = self.get(name)
        if value is None or any(type(value) is type(a) and value == a for a in allowed):
            return
        raise self.error(name, f"{name}={self.interp.snippet(self.node(name))} is not supported")


def bind(interp: Interpreter, signature: Signature, call: ast.Call, scope: Scope) -> CallArguments:
    positional = interp.elements(call.args, scope, call)
    limit = len(signature.params) if signature.positional is None else signature.positional
    if len(positional) > limit:
        raise interp.error(f"{signature.label}() takes at most {limit} positional arguments, got "
                           f"{len(positional)}", call)
    values: dict[str, tuple[Any, ast.AST]] = {}
    for index, value in enumerate(positional[:len(signature.params)]):  # beyond: accepted unread (nn.Identity)
        arg_node = call.args[index] if index < len(call.args) else call
        values[signature.params[index]] = (value, arg_node)
    keywords: list[tuple[str, Any, ast.AST]] = []  # (name, value or the node to read it from, place)
    for keyword in call.keywords:
        if keyword.arg is None:  # **kwargs passed through: each key as a keyword written out
            passed = interp.eval(keyword.value, scope)
            if not isinstance(passed, dict):
                raise interp.error(f"{signature.label}(**...) needs a dict, not {interp.kind(passed)}", keyword)
            keywords.extend((key, (value,), keyword) for key, value in passed.items())
        else:
            keywords.append((keyword.arg, keyword.value, keyword))
    for name, given, keyword in keywords:
        if name in values:
            raise interp.error(f"{signature.label}() got {name!r} twice", keyword)
        if name in signature.params:
            value = given[0] if isinstance(given, tuple) else interp.eval(given, scope)
            values[name] = (value, keyword.value if isinstance(keyword, ast.keyword) and keyword.arg else keyword)
        elif name not in signature.ignored:
            import difflib

            close = difflib.get_close_matches(name, [*signature.params, *signature.ignored], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise interp.error(f"{signature.label}() has no argument {name!r}{hint}", keyword)
    args = CallArguments(interp, signature, call, values)
    for name in signature.required:
        args.get(name)
    return args
