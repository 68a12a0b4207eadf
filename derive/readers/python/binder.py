"""One call binder, as `inspect.Signature` binds: a function's parameters from its `ast.arguments` and
the default values read where it was defined, and `bind` puts a call's arguments on them by Python's
rules. The interpreter binds every call of a user function with it; the code reader binds the entry
function (called with its parameters as symbols) with it too.

Python's rules, with derive's messages: positional arguments fill the positional parameters in order,
the rest go to `*args` (else an error); a keyword fills the parameter of its name unless that one is
positional-only or already filled by position (an error: two values); keywords left over go to
`**kwargs` (else an error); a parameter nothing fills takes its default, and one without a default is
missing (an error) unless the caller says what a required parameter takes (`required`).
"""

from __future__ import annotations

import ast
from typing import Any, Callable

from ...records import frozen


class _Empty:
    """No default value (a default may well be `None`)."""

    def __repr__(self) -> str:
        return "EMPTY"


EMPTY = _Empty()


class BindError(Exception):
    """The call does not fit the signature; the message names the function and the parameter."""


@frozen
class Parameter:
    name: str
    node: ast.arg
    default: Any = EMPTY  # the value read at definition (or a `Deferred` one), EMPTY for none
    positional_only: bool = False
    keyword_only: bool = False


@frozen
class Signature:
    function: str  # the function's name, for messages
    positional: tuple[Parameter, ...]  # positional-only and positional-or-keyword, in order
    keyword_only: tuple[Parameter, ...]
    vararg: str | None = None  # the name of `*args`
    kwarg: str | None = None  # the name of `**kwargs`

    @classmethod
    def of(cls, function: str, arguments: ast.arguments, defaults: tuple = (), kw_defaults: tuple = ()) -> Signature:
        """`defaults` belong to the last positional parameters, as in `ast.arguments`; `kw_defaults` to the
        keyword-only ones, one each, EMPTY where there is none."""
        params = [*arguments.posonlyargs, *arguments.args]
        first = len(params) - len(defaults)
        positional = tuple(
            Parameter(arg.arg, arg, defaults[index - first] if index >= first else EMPTY,
                      positional_only=index < len(arguments.posonlyargs))
            for index, arg in enumerate(params))
        keyword_only = tuple(Parameter(arg.arg, arg, default, keyword_only=True)
                             for arg, default in zip(arguments.kwonlyargs, kw_defaults))
        return cls(function, positional, keyword_only,
                   None if arguments.vararg is None else arguments.vararg.arg,
                   None if arguments.kwarg is None else arguments.kwarg.arg)

    def bind(self, positional: list | tuple, keywords: dict[str, Any], default: Callable[[Parameter], Any],
             required: Callable[[Parameter], Any] | None = None) -> dict[str, Any]:
        """Each parameter's value, in the order of the signature (`*args` after the positional ones,
        `**kwargs` last). A parameter the call leaves out takes `default(parameter)` if it has a
        default, else `required(parameter)`, else the call is missing it (`BindError`)."""
        name = self.function
        keywords_given, keywords = keywords, dict(keywords)
        values: dict[str, Any] = {}
        for index, param in enumerate(self.positional):
            by_keyword = not param.positional_only and param.name in keywords
            if index < len(positional):
                if by_keyword:
                    raise BindError(f"{name}() got two values for {param.name!r}")
                values[param.name] = positional[index]
            elif by_keyword:
                values[param.name] = keywords.pop(param.name)
            else:
                values[param.name] = self._left_out(param, default, required)
        extra = positional[len(self.positional):]
        if self.vararg is not None:
            values[self.vararg] = tuple(extra)
        elif extra:
            raise BindError(f"{name}() takes {len(self.positional)} positional arguments, got {len(positional)}")
        for param in self.keyword_only:
            if param.name in keywords:
                values[param.name] = keywords.pop(param.name)
            else:
                values[param.name] = self._left_out(param, default, required)
        if self.kwarg is not None:
            opened = getattr(keywords_given, "like", None)  # an entry's **kwargs passed on stays open
            values[self.kwarg] = keywords if opened is None else opened(keywords)
        elif keywords:
            key = next(iter(keywords))
            if any(param.name == key for param in self.positional):
                raise BindError(f"{name}() takes {key!r} by position only")
            raise BindError(f"{name}() has no parameter {key!r}")
        return values

    def _left_out(self, param: Parameter, default: Callable[[Parameter], Any],
                  required: Callable[[Parameter], Any] | None) -> Any:
        if param.default is not EMPTY:
            return default(param)
        if required is not None:
            return required(param)
        which = "keyword argument" if param.keyword_only else "argument"
        raise BindError(f"{self.function}() is missing its {which} {param.name!r}")
