"""Instances of the user's plain classes: the configuration objects code passes to a model.

`class Config: hidden = 64`, `@dataclass class Config: hidden: int = 64`, or a class whose `__init__`
sets `self.hidden = hidden`: an instance is a `PlainObject`, its attributes set by `__init__` (or, for a
dataclass, by the fields in order: the call's arguments, else the defaults), its class's attributes and
methods read through it. A class is plain when all its bases are the user's plain classes or `object`:
a class built on a library's class is the framework's business (or refused).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from .classes import dataclass_decorator, lineage
from .values import ClassValue, Method, Ref


@dataclass
class PlainObject:
    cls: ClassValue
    attributes: dict = field(default_factory=dict)

    def describe(self) -> str:
        return f"an instance of {self.cls.name}"


def plain(cls: ClassValue) -> bool:
    """Whether every class along the lineage derives only from the user's classes or `object`."""
    return all(isinstance(base, ClassValue) or (isinstance(base, Ref) and base.path == "object")
               for current in lineage(cls) for base in current.bases)


def fields(cls: ClassValue) -> list[str]:
    """A dataclass's fields, the bases' first, in the order written."""
    out: list[str] = []
    for current in reversed(list(lineage(cls))):
        for statement in current.node.body:
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and \
                    statement.target.id not in out:
                out.append(statement.target.id)
    return out


def instantiate(interp: Any, cls: ClassValue, node: ast.Call, scope: Any) -> PlainObject:
    instance = PlainObject(cls)
    init = interp.find_method(cls, "__init__")
    args, kwargs = interp.arguments(node, scope)
    if init is not None:
        interp.call_function(init, args, kwargs, node, bound=instance)
        return instance
    if any(dataclass_decorator(d) for current in lineage(cls) for d in current.node.decorator_list):
        names = fields(cls)
        if len(args) > len(names):
            raise interp.error(f"{cls.name}() takes {len(names)} arguments, got {len(args)}", node)
        given = dict(zip(names, args))
        for key, value in kwargs.items():
            if key not in names or key in given:
                raise interp.error(f"{cls.name}() has no field {key!r}" if key not in names else
                                   f"{cls.name}() got two values for {key!r}", node)
            given[key] = value
        for name in names:
            if name in given:
                instance.attributes[name] = given[name]
            elif not interp.class_attribute(cls, name)[0]:
                raise interp.error(f"{cls.name}() is missing its field {name!r}", node)
        return instance
    if args or kwargs:
        raise interp.error(f"{cls.name}() takes no arguments", node)
    return instance


def attribute(interp: Any, value: PlainObject, attr: str, node: ast.AST) -> Any:
    if attr in value.attributes:
        return value.attributes[attr]
    found, member = interp.class_attribute(value.cls, attr)
    if found:
        return Method(value, attr) if hasattr(member, "signature") and hasattr(member, "owner") else member
    raise interp.error(f"{value.cls.name} has no attribute {attr!r}", node)


def call_method(interp: Any, method: Method, node: ast.Call, scope: Any) -> Any:
    function = interp.find_method(method.target.cls, method.name)
    if function is None:
        raise interp.error(f"{method.target.cls.name}.{method.name}() is not followed", node)
    args, kwargs = interp.arguments(node, scope)
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in function.node.decorator_list)
    return interp.call_function(function, args, kwargs, node, bound=None if static else method.target)


# -- argparse: a script's command-line options, read as their defaults ------------------------------
class Native:
    """A library object derive follows itself (an `argparse` parser and what it parses)."""

    def get(self, interp: Any, attr: str, node: ast.AST) -> Any:
        raise interp.error(f"{self.describe()} has no attribute {attr!r} that derive knows", node)

    def call(self, interp: Any, name: str, node: ast.Call, scope: Any) -> Any:
        raise interp.error(f"{self.describe()}.{name}() is not followed", node)

    def describe(self) -> str:
        return type(self).__name__


@dataclass
class Namespace(Native):
    """What `parser.parse_args()` gives: each option's default (a number is a symbol you can `--set`)."""

    values: dict = field(default_factory=dict)

    def get(self, interp: Any, attr: str, node: ast.AST) -> Any:
        if attr in self.values:
            return self.values[attr]
        raise interp.error(f"the command-line options have no {attr!r} (no add_argument gives it)", node)

    def describe(self) -> str:
        return "the parsed command-line options"


@dataclass
class Parser(Native):
    """`argparse.ArgumentParser()`: the options `add_argument` declares, with their defaults."""

    options: dict = field(default_factory=dict)  # dest -> (default, the node of the call)

    def get(self, interp: Any, attr: str, node: ast.AST) -> Any:
        if attr in ("add_argument", "parse_args", "parse_known_args", "add_argument_group", "set_defaults",
                    "add_mutually_exclusive_group"):
            return Method(self, attr)
        return super().get(interp, attr, node)

    def call(self, interp: Any, name: str, node: ast.Call, scope: Any) -> Any:
        if name in ("add_argument_group", "add_mutually_exclusive_group"):
            return self
        args, kwargs = interp.arguments(node, scope)
        if name == "set_defaults":
            self.options.update({key: (value, node) for key, value in kwargs.items()})
            return None
        if name == "add_argument":
            flags = [a for a in args if isinstance(a, str)]
            if not flags:
                raise interp.error("add_argument() needs the option's name", node)
            long = next((f for f in flags if f.startswith("--")), flags[0])
            dest = kwargs.get("dest") or long.lstrip("-").replace("-", "_")
            action = kwargs.get("action")
            default = kwargs.get("default", False if action == "store_true" else True if action == "store_false"
                                 else None)
            self.options[dest] = (default, node)
            return None
        values = {dest: self.option(interp, dest, default, where) for dest, (default, where) in self.options.items()}
        return Namespace(values) if name == "parse_args" else (Namespace(values), interp.new_list([]))

    @staticmethod
    def option(interp: Any, dest: str, default: Any, node: ast.AST) -> Any:
        import sympy

        from ..names import name_problem

        if isinstance(default, sympy.Expr) and not isinstance(default, bool) and default.is_Rational and \
                default > 0 and not name_problem(dest):
            domain = "positive integer" if default.is_Integer else "positive rational"
            return interp.symbols.make(dest, f"the command-line option --{dest} (default {default})", default, domain)
        return default

    def describe(self) -> str:
        return "an argparse parser"


def make_parser(interp: Any, path: str, node: ast.Call, scope: Any) -> Parser:
    return Parser()
