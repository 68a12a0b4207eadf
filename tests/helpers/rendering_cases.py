"""Derivations the rendering tests share: the slide example, its variants, a block with every kind of
layer and hostile names, and the tools (TeX, KaTeX under Node) with CI's rule: missing fails under
CI=true, skips elsewhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
import sympy

import derive
from derive.blocks import Block, Node
from derive.derivation import bind
from derive.derivation import derive as derive_block
from derive.layers import (Activation, BatchNorm, Conv2D, DepthwiseConv2D, Dense, Dropout, GlobalPool2D, GroupNorm,
                           LayerNorm, Pool2D, SeparableConv2D, Shape)
from derive.symbols import SymbolTable, sym

ROOT = Path(__file__).resolve().parents[2]
KATEX = ROOT / "tests" / "katex"
SLIDE = {"C_in": 3, "t": 6, "C_out": 3}
HOSTILE = r"\input{/etc/passwd} #$%&_^~ Müller"
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def need(ok: bool, what: str) -> None:
    """Skip without `what`, except under CI=true, where it is a failure (.ci/run installs it)."""
    if not ok:
        if CI:
            pytest.fail(f"{what} is missing under CI=true (.ci/run installs it)")
        pytest.skip(f"{what} is not installed")


def slide(**kwargs):
    return derive.show("mobilenetv2-block", **SLIDE, **kwargs)


def synthetic(convention: str = "keras"):
    """Every kind of layer, a stride, a bias before batch norm, a part name with a pipe, and a layer
    named with every character LaTeX and Markdown treat specially."""
    symbols = SymbolTable.of(["C_in", "C_out", "k", "s", "H", "W"])
    C_out, k = sym("C_out"), sym("k")
    nodes = (
        Node("stem", Conv2D(C_out, k, 2), "stem"),
        Node("stem_bn", BatchNorm(), "stem"),
        Node(HOSTILE, Activation("relu"), "stem"),
        Node("dw", DepthwiseConv2D(k, 1, bias=False), "body | 1"),
        Node("dw_ln", LayerNorm(), "body | 1"),
        Node("sep", SeparableConv2D(C_out, k), "body | 1"),
        Node("gn", GroupNorm(1), "body | 1"),
        Node("pool", Pool2D("max", 2)),
        Node("gap", GlobalPool2D("avg"), "head"),
        Node("drop", Dropout(), "head"),
        Node("fc", Dense(10), "head"),
    )
    block = Block("synthetic", "A *synthetic* block_with [specials] & 100%", symbols,
                  Shape(sym("C_in"), (sym("H"), sym("W"))), nodes)
    values = bind(symbols, {"k": 3, "s": 1}, {name: sympy.Integer(v) for name, v in
                                              {"C_in": 3, "C_out": 8, "H": 32, "W": 32}.items()})
    return derive_block(block, convention, values, "synthetic")


def cases() -> dict:
    """name -> (derivation, title): what every format is rendered from in the tests."""
    return {
        "slide": (slide(), None),
        "slide-keras-bias": (slide(convention="keras", options={"bias": True}), None),
        "slide-pytorch": (slide(convention="pytorch"), None),
        "v1-unbound": (derive.show("mobilenetv1-block"), None),
        "v2-stride-2": (derive.show("mobilenetv2-block", C_in=16, t=6, C_out=24, s=2, H=56, W=56), None),
        "synthetic": (synthetic(), None),
        "hostile-title": (slide(), HOSTILE),
        **{f"builtin-{name}": (derive.show(name), None) for name in derive.list_targets()},  # as defaults leave them
    }


# -- the tools ------------------------------------------------------------------------------------
def katex_ready() -> bool:
    return shutil.which("node") is not None and (KATEX / "node_modules" / "katex").is_dir()


def katex(fragments: list[tuple[str, bool]]) -> list[str | None]:
    """Every fragment rendered by KaTeX (one Node process for all); None where it rendered, else the error."""
    need(katex_ready(), "KaTeX under Node (cd tests/katex && npm ci)")
    payload = json.dumps([{"tex": tex, "display": display} for tex, display in fragments])
    done = subprocess.run(["node", str(KATEX / "check.js")], input=payload, capture_output=True, text=True,
                          timeout=120, check=True)
    return json.loads(done.stdout)


def tex_ready() -> bool:
    from derive.presentation.pdf import tex_available

    return tex_available() and shutil.which("pdftotext") is not None


@cache
def compiled(source: str) -> bytes:
    from derive.presentation.pdf import compile_tex

    need(tex_ready(), "TeX (pdflatex, latexmk) and pdftotext")
    return compile_tex(source)


def pdftotext(pdf: bytes, tmp: Path) -> str:
    path = tmp / "out.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
