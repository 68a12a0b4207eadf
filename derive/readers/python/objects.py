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
