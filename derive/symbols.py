"""The symbol registry: every size a formula may use, with its meaning, LaTeX form and domain.

Formulas are built from `sympy.Symbol`s made here and nowhere else, so that a name always carries the
same assumptions (positive integer, or positive rational for `alpha`) and the same LaTeX form. Blocks
may add symbols of their own with `SymbolInfo`; a `SymbolTable` is the immutable set in use.
"""

from __future__ import annotations

from functools import cache, cached_property
from types import MappingProxyType
from typing import Iterable, Mapping

import sympy

from .records import frozen


@frozen
class SymbolInfo:
    """A named size: its name, its meaning in words, how LaTeX writes it, and its domain."""

    name: str
    meaning: str
    latex: str
    domain: str = "positive integer"  # or "positive rational"

    @property
    def symbol(self) -> sympy.Symbol:
        return make_symbol(self.name, self.domain)


@cache
def make_symbol(name: str, domain: str = "positive integer") -> sympy.Symbol:
    if domain == "positive integer":
        return sympy.Symbol(name, positive=True, integer=True)
    if domain == "positive rational":
        return sympy.Symbol(name, positive=True, rational=True)
    raise ValueError(f"unknown domain {domain!r}")


BASE: Mapping[str, SymbolInfo] = MappingProxyType(
    {
        info.name: info
        for info in (
            SymbolInfo("C_in", "input channels", r"C_{\mathrm{in}}"),
            SymbolInfo("C_out", "output channels", r"C_{\mathrm{out}}"),
            SymbolInfo("t", "expansion factor", "t"),
            SymbolInfo("k", "kernel size", "k"),
            SymbolInfo("s", "stride", "s"),
            SymbolInfo("H", "input height", "H"),
            SymbolInfo("W", "input width", "W"),
            SymbolInfo("alpha", "width multiplier", r"\alpha", "positive rational"),
            # the block and network library (library/*.py)
            SymbolInfo("C", "channels (in = out)", "C"),
            SymbolInfo("C_exp", "expanded channels", r"C_{\mathrm{exp}}"),
            SymbolInfo("C_mid", "bottleneck width", r"C_{\mathrm{mid}}"),
            SymbolInfo("r", "squeeze-and-excitation reduction", "r"),
            SymbolInfo("d_model", "model width", r"d_{\mathrm{model}}"),
            SymbolInfo("heads", "attention heads", "h"),
            SymbolInfo("d_ff", "feed-forward width", r"d_{\mathrm{ff}}"),
            SymbolInfo("L", "sequence length", "L"),
            SymbolInfo("T", "time steps", "T"),  # inputs of any rank (readers/frameworks/shapes.py)
            SymbolInfo("D", "input depth", "D"),
            SymbolInfo("classes", "classes", r"n_{\mathrm{classes}}"),
            # every target's batch size, for its memory (memory.py; default 1, `--set B=32`)
            SymbolInfo("B", "batch size", "B"),
            # DenseNet's bottleneck and SqueezeNet's fire module (library/densenet.py, squeezenet.py)
            SymbolInfo("b", "bottleneck factor: the 1×1 convolution gives b·k channels (bn_size)", "b"),
            SymbolInfo("s_1x1", "squeeze channels (1×1)", r"s_{\mathrm{1x1}}"),
            SymbolInfo("e_1x1", "expand channels of the 1×1", r"e_{\mathrm{1x1}}"),
            SymbolInfo("e_3x3", "expand channels of the 3×3", r"e_{\mathrm{3x3}}"),
        )
    }
)


@frozen
class SymbolTable:
    """The symbols one block uses, in the order it declares them."""

    infos: tuple[SymbolInfo, ...]

    @classmethod
    def of(cls, names: Iterable[str | SymbolInfo]) -> "SymbolTable":
        return cls(tuple(BASE[n] if isinstance(n, str) else n for n in names))

    @cached_property
    def _by_name(self) -> dict[str, SymbolInfo]:  # the first of a name, as a scan would find it
        out: dict[str, SymbolInfo] = {}
        for info in self.infos:
            out.setdefault(info.name, info)
        return out

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._by_name

    def __getitem__(self, name: str) -> SymbolInfo:
        return self._by_name[name]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(info.name for info in self.infos)

    def symbols(self) -> Mapping[str, sympy.Symbol]:
        """Each name's symbol (read-only, made once: one is looked up per `--set` value)."""
        return self._symbols

    @cached_property
    def _symbols(self) -> Mapping[str, sympy.Symbol]:
        return MappingProxyType({info.name: info.symbol for info in self.infos})

    def latex_names(self) -> dict[sympy.Symbol, str]:
        return {info.symbol: info.latex for info in self.infos}


BATCH = "B"  # the batch size: every target has it (api.derive_target), only the memory figures use it


def sym(name: str) -> sympy.Symbol:
    """The registry's symbol for a base name (`sym("C_in")`)."""
    return BASE[name].symbol
