"""The built-in library: a catalog (read without sympy, for `derive list`) and builders per family."""

from __future__ import annotations

import importlib
import tomllib
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from ..errors import InputError
from ..records import frozen


@frozen
class Entry:
    """One built-in target of catalog.toml: how to build it and the sizes it starts from."""

    name: str
    summary: str
    title: str
    builder: str
    symbols: tuple[str, ...]
    defaults: Mapping[str, int]
    options: Mapping[str, bool]
    aliases: Mapping[str, str]
    target: str | None = None  # module:function making the whole Target (networks), instead of the generic one

    def build_function(self):
        return _function(self.builder)

    def target_function(self):
        return _function(self.target)


def _function(spec: str):
    module, function = spec.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)


@cache
def catalog() -> Mapping[str, Entry]:
    data = tomllib.loads((Path(__file__).parent / "catalog.toml").read_text(encoding="utf-8"))
    return MappingProxyType({
        name: Entry(name, spec["summary"], spec["title"], spec["builder"], tuple(spec["symbols"]),
                    MappingProxyType(spec.get("defaults", {})), MappingProxyType(spec.get("options", {})),
                    MappingProxyType(spec.get("aliases", {})), spec.get("target"))
        for name, spec in data.items()
    })


def entry(name: str) -> Entry:
    entries = catalog()
    if name not in entries:
        import difflib

        close = difflib.get_close_matches(name, entries, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else " (see `derive list`)"
        raise InputError(f"unknown target {name!r}{hint}", "TARGET")
    return entries[name]
