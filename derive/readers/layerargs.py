"""Binding a layer call's arguments by a signature, and reading each one as what a layer needs.

A framework's table says, per layer, its parameters in positional order and which other keywords
it accepts without reading (initializers, regularizers, `name`, `dtype`, ...). Arguments that are
read are evaluated by the interpreter; ignored ones are never looked at. A keyword the framework
would refuse is refused here too, so a typo is an error, not a silent default.
"""

from __future__ import annotations

import ast
from typing import Any

import sympy

from ..records import frozen
from .pycode import Interpreter, ListValue, Scope, Unknown

MISSING: Any = object()


@frozen
class Signature:
    label: str  # as the user spells the class, for messages
    params: tuple[str, ...]  # read, in positional order
    required: tuple[str, ...] = ()
    ignored: frozenset[str] = frozenset()
    positional: int | None = None  # how many may be positional (default: all of params)


class Args:
    """The bound arguments: `args.get(name, default)` evaluated, with the node each came from."""

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

    # -- readers of one argument
    def size(self, name: str, default: Any = MISSING, *, zero: bool = False) -> sympy.Expr:
        """A positive whole number or an expression in the symbols (a count of channels, a kernel side)."""
        value = self.get(name, default)
        return self.as_size(name, value, zero=zero)

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

    def pair(self, name: str, default: Any = MISSING, *, zero: bool = False) -> tuple[sympy.Expr, sympy.Expr]:
        value = self.get(name, default)
        if isinstance(value, ListValue):
            value = tuple(value.items)
        if isinstance(value, tuple):
            if len(value) == 1:
                value = value * 2
            if len(value) != 2:
                raise self.error(name, f"{name} must be one number or two, got {len(value)}")
            return (self.as_size(name, value[0], zero=zero), self.as_size(name, value[1], zero=zero))
        one = self.as_size(name, value, zero=zero)
        return (one, one)

    def flag(self, name: str, default: Any = MISSING) -> bool:
        value = self.get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"{name} must be True or False, not {self.interp.kind(value)}")
        return value

    def text(self, name: str, default: Any = MISSING, choices: tuple[str, ...] | None = None) -> str:
        value = self.get(name, default)
        if not isinstance(value, str):
            raise self.error(name, f"{name} must be a string, not {self.interp.kind(value)}")
        if choices is not None and value.lower() not in choices:
            raise self.error(name, f"{name} must be one of {', '.join(map(repr, choices))}, not {value[:40]!r}")
        return value.lower() if choices is not None else value

    def rate(self, name: str, default: Any = MISSING) -> sympy.Expr:
        value = self.get(name, default)
        if isinstance(value, bool) or not isinstance(value, sympy.Expr) or not value.is_Number or not 0 <= value <= 1:
            raise self.error(name, f"{name} must be a number between 0 and 1")
        return value

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


def bind(interp: Interpreter, signature: Signature, call: ast.Call, scope: Scope) -> Args:
    positional = interp.elements(call.args, scope, call)
    limit = len(signature.params) if signature.positional is None else signature.positional
    if len(positional) > limit:
        raise interp.error(f"{signature.label}() takes at most {limit} positional arguments, got "
                           f"{len(positional)}", call)
    values: dict[str, tuple[Any, ast.AST]] = {}
    for index, value in enumerate(positional[:len(signature.params)]):  # beyond: accepted unread (nn.Identity)
        arg_node = call.args[index] if index < len(call.args) else call
        values[signature.params[index]] = (value, arg_node)
    for keyword in call.keywords:
        if keyword.arg is None:
            raise interp.error(f"{signature.label}(**...) is not followed: write the arguments out", keyword)
        if keyword.arg in values:
            raise interp.error(f"{signature.label}() got {keyword.arg!r} twice", keyword)
        if keyword.arg in signature.params:
            values[keyword.arg] = (interp.eval(keyword.value, scope), keyword.value)
        elif keyword.arg not in signature.ignored:
            import difflib

            close = difflib.get_close_matches(keyword.arg, [*signature.params, *signature.ignored], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise interp.error(f"{signature.label}() has no argument {keyword.arg!r}{hint}", keyword)
    args = Args(interp, signature, call, values)
    for name in signature.required:
        args.get(name)
    return args
