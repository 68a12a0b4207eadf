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
    """One built-in target of `catalog/*.toml`: how to build it and the sizes it starts from."""

    name: str
    summary: str
    title: str
    builder: str
    symbols: tuple[str, ...]
    defaults: Mapping[str, int]
    options: Mapping[str, bool]
    aliases: Mapping[str, str]
    target: str | None = None  # module:function making the whole Target (networks), instead of the generic one
    also: tuple[str, ...] = ()  # other names it answers to: the reference implementations' (`vgg16_bn`, `ResNet50`)

    def build_function(self):
        return _function(self.builder)

    def target_function(self):
        return _function(self.target)


def _function(spec: str):
    module, function = spec.split(":")
    return getattr(importlib.import_module(f"{__name__}.{module}"), function)


CATALOG = Path(__file__).parent / "catalog"


@cache
def catalog() -> Mapping[str, Entry]:
    """Every built-in target, the blocks before the networks (those with a `target` function); in each, the
    files `blocks.toml` and `networks.toml` (the first ones) before the others in name order."""
    first = {"blocks.toml": 0, "networks.toml": 1}
    files = sorted(CATALOG.glob("*.toml"), key=lambda f: (first.get(f.name, 2), f.name))
    data = {name: spec for f in files for name, spec in tomllib.loads(f.read_text(encoding="utf-8")).items()}
    data = dict(sorted(data.items(), key=lambda item: "target" in item[1]))  # stable: file order kept in each
    return MappingProxyType({
        name: Entry(name, spec["summary"], spec["title"], spec["builder"], tuple(spec["symbols"]),
                    MappingProxyType(spec.get("defaults", {})), MappingProxyType(spec.get("options", {})),
                    MappingProxyType(spec.get("aliases", {})), spec.get("target"), tuple(spec.get("also", ())))
        for name, spec in data.items()
    })


def _key(name: str) -> str:
    """A name as typed, letters and digits only, lower case: `vgg16_bn`, `VGG16-BN`, `vgg16bn` are one name."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


@cache
def _names() -> Mapping[str, str]:
    """Every name a target answers to (its own, its `also` names), by key."""
    names: dict[str, str] = {}
    for e in catalog().values():
        for name in (e.name, *e.also):
            names.setdefault(_key(name), e.name)
    return MappingProxyType(names)


def entry(name: str) -> Entry:
    entries = catalog()
    if name in entries:
        return entries[name]
    found = _names().get(_key(name))
    if found is not None:
        return entries[found]
    import difflib

    close = difflib.get_close_matches(name, entries, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else " (see `derive list`)"
    raise InputError(f"unknown target {name!r}{hint}", "TARGET")
