"""`@frozen`: a frozen dataclass that is cheap to define.

`@dataclass(frozen=True)` writes six methods per class (`__init__`, `__repr__`, `__eq__`, `__hash__`,
`__setattr__`, `__delattr__`) as source text and compiles each one when the module is imported: about
half a millisecond a class, and derive has some fifty of them on the way to its first answer, a fifth
of its own start-up. `@frozen` lets `dataclass` write only `__init__` and gives every class the same
five others, which read the field names `dataclass` recorded. What a class is stays the same: a
dataclass (`fields`, `replace` and `asdict` work) whose instances compare and hash by their fields,
print as `Conv2D(filters=..., ...)`, and whose fields cannot be assigned again or deleted.
"""

from __future__ import annotations

import dataclasses
from typing import TypeVar

T = TypeVar("T", bound=type)


def frozen(cls: T) -> T:
    cls = dataclasses.dataclass(cls, repr=False, eq=False)  # type: ignore[assignment]
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    cls.__compared__ = tuple(f.name for f in fields if f.compare)  # type: ignore[attr-defined]
    cls.__hashed__ = tuple(f.name for f in fields if (f.compare if f.hash is None else f.hash))  # type: ignore[attr-defined]
    cls.__shown__ = tuple(f.name for f in fields if f.repr)  # type: ignore[attr-defined]
    for name, method in _METHODS.items():
        if name not in cls.__dict__:
            setattr(cls, name, method)
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


def _setattr(self, name: str, value: object) -> None:
    if name in self.__dict__:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)  # `__init__` setting a field the first time


def _delattr(self, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


_METHODS = {"__eq__": _eq, "__hash__": _hash, "__repr__": _repr, "__setattr__": _setattr, "__delattr__": _delattr}
