"""The user's classes: one walk over a class and its bases, and what is looked up along it.

`lineage(cls)` is the class, then its bases breadth first (the bases of a base after every base of
the class before it; a base two classes share is met twice), at most `MAX_LINEAGE` classes: a method,
a class attribute and whether a class derives from a library class are all looked up along it.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Callable, Iterator

from .values import ClassValue, Function, Ref

MAX_LINEAGE = 64


def lineage(cls: ClassValue) -> Iterator[ClassValue]:
    """`cls` and the user's classes it derives from, breadth first."""
    todo = deque([cls])
    for _ in range(MAX_LINEAGE):
        if not todo:
            return
        current = todo.popleft()
        yield current
        todo.extend(base for base in current.bases if isinstance(base, ClassValue))


def find_method(cls: ClassValue, name: str) -> Function | None:
    """The function `cls.name` calls, from the first class along the lineage that defines it."""
    for current in lineage(cls):
        if name in current.methods:
            return current.methods[name]
    return None


def class_attribute(cls: ClassValue, name: str) -> tuple[bool, Any]:
    """`cls.name`: a class attribute or a method, from the first class along the lineage that has it."""
    for current in lineage(cls):
        if name in current.attributes:
            return True, current.attributes[name]
        if name in current.methods:
            return True, current.methods[name]
    return False, None


def not_followed(cls: ClassValue) -> str | None:
    """Why derive cannot read `cls` as written (a class decorator or `metaclass=` along its lineage may
    change what it makes), or None."""
    for current in lineage(cls):
        node = current.node
        if node.decorator_list and not all(dataclass_decorator(d) for d in node.decorator_list):
            return (f"class {node.name} has a decorator, which derive does not follow "
                    f"(line {node.decorator_list[0].lineno})")
        if node.keywords:
            given = node.keywords[0]
            what = "**keywords" if given.arg is None else f"{given.arg}="
            return f"class {node.name} has {what}, which derive does not follow (line {node.lineno})"
    return None


def is_subclass(cls: ClassValue, test: Callable[[Ref], bool]) -> bool:
    """Whether a class along the lineage names a library base (a `Ref`) that passes `test`."""
    return any(isinstance(base, Ref) and test(base) for current in lineage(cls) for base in current.bases)


def dataclass_decorator(node: Any) -> bool:
    """`@dataclass`, `@dataclasses.dataclass`, `@dataclass(frozen=True)`: an `__init__` from the fields."""
    target = getattr(node, "func", node)
    if getattr(target, "attr", None) == "dataclass":
        target = target.value
        return getattr(target, "id", None) == "dataclasses"
    return getattr(target, "id", None) == "dataclass"
