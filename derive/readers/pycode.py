"""The names the framework modules import from the Python reader, now the package `derive.readers.python`
(kept until their imports move there)."""

from __future__ import annotations

from .python import (ClassValue, Framework, Function, Interpreter, ListValue, Method, Needs, NotConditional, Ref,
                     Scope, Super, Unknown, parse_python)

__all__ = ["ClassValue", "Framework", "Function", "Interpreter", "ListValue", "Method", "Needs", "NotConditional",
           "Ref", "Scope", "Super", "Unknown", "parse_python"]
