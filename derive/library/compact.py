"""What the compact networks (DenseNet, SqueezeNet, ShuffleNetV2: `densenet.py`, `squeezenet.py`,
`shufflenet.py`) share: their stage tables (`stages/compact.toml`), a Target whose own symbols (growth
rate, fire widths, stage widths) are bound by default to the published sizes, and the classifier."""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Callable, Mapping

import sympy

from ..blocks import Target
from ..layers import Dense, GlobalPool2D
from ..symbols import BASE, SymbolInfo, SymbolTable, sym
from .common import Emit
from .networks import Network


@cache
def table(name: str) -> dict:
    """The stage table of one network of `stages/compact.toml`; one with `like = "NAME"` is NAME's, with its
    own keys on top (DenseNet-169 and -201 are DenseNet-121's with other block sizes)."""
    path = Path(__file__).parent / "stages" / "compact.toml"
    specs = tomllib.loads(path.read_text(encoding="utf-8"))
    spec = specs[name]
    return {**specs[spec["like"]], **spec} if "like" in spec else spec


def network_target(entry, own: tuple[SymbolInfo, ...], defaults: Callable[[Mapping[str, bool]], Mapping[str, object]],
                   build: Callable) -> Target:
    """The Target of a network of the catalog: the base symbols it lists (H, W, classes) and its own,
    in the catalog's order, `defaults(options)` binding its own to the published sizes."""
    return Target(entry.name, entry.title, _symbols(entry, own), entry.defaults, entry.options, build, entry.aliases,
                  defaults)


def width(name: str) -> sympy.Symbol:
    """A width symbol of these networks (`c_0`, `s_1`, `k`): a positive whole number."""
    return SymbolInfo(name, "", "").symbol


def classifier(net: Network, bias: bool = True) -> None:
    """Global average pool and a dense layer to `classes`, as torchvision's `fc` / `classifier`."""
    classes = sym("classes")

    def emit(e: Emit) -> None:
        e("pool", GlobalPool2D("avg"), None)
        e("dense", Dense(classes, bias=bias), None)

    net.single("classifier", {"block": "avgpool, dense", "c": "classes"}, emit)


def _symbols(entry, own: tuple[SymbolInfo, ...]) -> SymbolTable:
    """The symbols the catalog lists for `entry`, in its order: its own (`own`) or the base ones."""
    by_name = {info.name: info for info in own}
    return SymbolTable(tuple(by_name[name] if name in by_name else BASE[name] for name in entry.symbols))
