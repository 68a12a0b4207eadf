"""What `derive.show` gives in Python: a `Derivation` that also shows itself in a notebook (Jupyter's
`_repr_markdown_` and `_repr_latex_`) and turns into the JSON of `derive show --format json`."""

from __future__ import annotations

from dataclasses import fields

from ..derivation import Derivation
from . import json
from .printing import contract
from .render import render


class Shown(Derivation):
    """A derivation as the Python API hands it out; the model is unchanged, the display is added here."""

    @classmethod
    def of(cls, d: Derivation) -> "Shown":
        return cls(**{f.name: getattr(d, f.name) for f in fields(d)})

    def to_dict(self) -> dict:
        """Everything, as `derive show --format json` lays it out."""
        return json.derivation(self, contract(self.symbols, self.substitution))

    def _repr_markdown_(self) -> str:
        """Jupyter: the forum answer (`--format markdown`)."""
        return render(self, "markdown")  # type: ignore[return-value]

    def _repr_latex_(self) -> str:
        """Jupyter (and other LaTeX-aware front ends): the align* derivation of `--format latex`, without
        its comment lines, which MathJax would show."""
        text = render(self, "latex")
        return "\n".join(line for line in text.splitlines() if not line.startswith("%")) + "\n"  # type: ignore[union-attr]
