"""`@frozen`: a frozen dataclass that is cheaper to define.

`@dataclass(frozen=True)` writes six methods per class as source text and compiles each one when the
module is imported: about half a millisecond a class, and derive has some fifty of them on the way
to its first answer. `@frozen` lets `dataclass` write the three that depend on the class's fields
for speed or safety (`__init__`, and the `__setattr__` / `__delattr__` that refuse changes) and
gives every class the same `__eq__`, `__hash__` and `__repr__`, which read the field names
`dataclass` recorded. What a class is stays the same: a frozen dataclass (`fields`, `replace`,
`FrozenInstanceError`) whose instances compare and hash by their fields and print as
`Conv2D(filters=..., ...)`; a class that writes one of the three keeps its own.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

T = TypeVar("T", bound=type)


def frozen(cls: T) -> T:
    cls = dataclasses.dataclass(cls, frozen=True, repr=False, eq=False)  # type: ignore[assignment]
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    cls.__compared__ = tuple(f.name for f in fields if f.compare)  # type: ignore[attr-defined]
    cls.__hashed__ = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))  # type: ignore[attr-defined]
    cls.__shown__ = tuple(f.name for f in fields if f.repr)  # type: ignore[attr-defined]
    for name, method in (("__eq__", _eq), ("__hash__", _hash), ("__repr__", _repr)):
        if name not in cls.__dict__:
            type.__setattr__(cls, name, method)
    return cls


def _eq(self, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return all(getattr(self, name) == getattr(other, name) for name in self.__compared__)


def _hash(self) -> int:
    return hash(tuple(getattr(self, name) for name in self.__hashed__))


def _repr(self) -> str:
    shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__shown__)
    return f"{self.__class__.__qualname__}({shown})"
