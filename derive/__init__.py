"""derive: symbolic parameter counts (and multiply-accumulates) of neural-network blocks.

    import derive
    d = derive.show("mobilenetv2-block", C_in=3, t=6, C_out=3)      # a Derivation
    d.total["all"].formula, d.total["all"].value                      # closed form, 348
    d.to_dict()                                                        # the JSON of `derive show --format json`

Modules, in the order data flows: `symbols`, `expr` (safe parser), `layers`, `blocks`, `library`
(built-in blocks), `readers`, `conventions`, `closedform`, `derivation`, `checking`, `presentation`
(views, printers, templates, JSON), `api`, `cli`.
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["show", "check", "list_targets", "render", "flops"]


def show(target: str, **kwargs):
    """Derive a built-in target; see `derive.api.show`."""
    from .api import show as _show

    return _show(target, **kwargs)


def check(target: str, claim: str, **kwargs):
    """Judge a claimed count of a target (or of one part); see `derive.api.check`."""
    from .api import check as _check

    return _check(target, claim, **kwargs)


def flops(derivation, tool: str):
    """The figure a FLOP-counting tool prints for the derivation's network; see `derive.api.flops`."""
    from .api import flops as _flops

    return _flops(derivation, tool)


def list_targets():
    """The built-in catalog: name -> entry (summary, symbols, defaults, options)."""
    from .library import catalog

    return catalog()


def render(derivation, fmt: str = "text", **kwargs) -> str:
    """Render a derivation in a format of `derive show --format`."""
    from .presentation.render import render as _render

    return _render(derivation, fmt, **kwargs)
