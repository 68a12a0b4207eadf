"""The public corpus (tests/realworld/): each snippet's truth from its own framework, and what derive reads.

`tests/realworld/manifest.toml` has one `[[snippet]]` table per file:

- `file`, `framework` (`keras` or `pytorch`), `source` (the address it was modelled on), `notes`;
- how to build the model when the snippet runs: `model = "NAME"` (an object the file makes at module level),
  or `construct = "NAME"` with `args = {...}` (a class or function called with those keyword arguments);
  for a Keras function that takes a tensor, `input_shape = [...]` too (the model is
  `keras.Model(inputs, NAME(inputs, **args))`); `build_shape = [...]` calls a subclassed model on zeros of
  that shape (batch axis included) before counting;
- derive's arguments: `entry` (`--entry`), `arg = {...}` (`--arg NAME=VALUE`), `set = {...}`
  (`--set NAME=VALUE`, sizes the code leaves open).

The truth is what the framework counts, mapped to derive's three conventions as `derive/conventions.py` and
the README define them (`paper`: the trainable parameters; `keras`: what `count_params()` would count, a
torch buffer of the code's own, `register_buffer`, having no Keras counterpart):

| | PyTorch model | Keras model |
| --- | --- | --- |
| `paper` all | parameters with `requires_grad` | trainable weights |
| `pytorch` all / trainable / buffers | `parameters()` / those with `requires_grad` / `buffers()` | every weight but the batch norms' moving statistics / trainable weights / the moving statistics plus one `num_batches_tracked` per batch norm |
| `keras` all / trainable / non_trainable | parameters and running statistics (`running_mean`, `running_var`) / `requires_grad` / the rest | `count_params()` / trainable / non-trainable weights |

The snippets are our curated test data, never user input: running them (`exec` in a fresh namespace) is how
the truth is found; derive only ever reads the same text.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import tomllib
import traceback
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parents[1] / "realworld"
MANIFEST = CORPUS / "manifest.toml"
CONVENTIONS = ("paper", "pytorch", "keras")
FIGURES = {"paper": ("all",), "pytorch": ("all", "trainable", "buffers"),
           "keras": ("all", "trainable", "non_trainable")}


@dataclass(frozen=True)
class Snippet:
    file: str
    framework: str
    source: str
    model: str | None = None
    construct: str | None = None
    args: dict = field(default_factory=dict)
    input_shape: tuple | None = None
    build_shape: tuple | None = None
    entry: str | None = None
    arg: dict = field(default_factory=dict)
    set: dict = field(default_factory=dict)
    notes: str = ""

    @property
    def path(self) -> Path:
        return CORPUS / self.file

    @property
    def key(self) -> str:
        return Path(self.file).stem


def snippets() -> list[Snippet]:
    data = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))
    found = []
    for table in data["snippet"]:
        table = dict(table)
        for name in ("input_shape", "build_shape"):
            if name in table:
                table[name] = tuple(table[name])
        found.append(Snippet(**table))
    return found


# -- the truth ------------------------------------------------------------------------------------
def _run(snippet: Snippet) -> dict:
    namespace: dict = {"__name__": "realworld"}
    text = snippet.path.read_text(encoding="utf-8")
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):  # the snippets print summaries
        warnings.simplefilter("ignore")
        exec(compile(text, str(snippet.path), "exec"), namespace)  # our curated test data, not user input
    return namespace


def build(snippet: Snippet) -> Any:
    """The model the snippet makes, built by its framework."""
    namespace = _run(snippet)
    if snippet.model is not None:
        model = namespace[snippet.model]
    else:
        made = namespace[snippet.construct]
        if snippet.input_shape is not None:
            import keras

            inputs = keras.Input(shape=snippet.input_shape)
            model = keras.Model(inputs, made(inputs, **snippet.args))
        else:
            model = made(**snippet.args)
    if snippet.build_shape is not None:
        import keras

        model(keras.ops.zeros(snippet.build_shape))
    return model


def torch_truth(model: Any) -> dict[str, dict[str, int]]:
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    named = list(model.named_buffers())
    buffers = sum(b.numel() for _, b in named)
    statistics = sum(b.numel() for name, b in named if name.rsplit(".", 1)[-1] in ("running_mean", "running_var"))
    return {"paper": {"all": trainable},
            "pytorch": {"all": total, "trainable": trainable, "buffers": buffers},
            "keras": {"all": total + statistics, "trainable": trainable,
                      "non_trainable": total - trainable + statistics}}


def keras_truth(model: Any) -> dict[str, dict[str, int]]:
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    frozen = model.non_trainable_weights
    non_trainable = sum(math.prod(w.shape) for w in frozen)
    moving = [w for w in frozen if w.path.rsplit("/", 1)[-1] in ("moving_mean", "moving_variance")]
    statistics = sum(math.prod(w.shape) for w in moving)
    norms = sum(1 for w in moving if w.path.endswith("moving_mean"))
    return {"paper": {"all": trainable},
            "pytorch": {"all": trainable + non_trainable - statistics, "trainable": trainable,
                        "buffers": statistics + norms},
            "keras": {"all": model.count_params(), "trainable": trainable, "non_trainable": non_trainable}}


def truth(snippet: Snippet) -> dict[str, dict[str, int]]:
    model = build(snippet)
    return torch_truth(model) if snippet.framework == "pytorch" else keras_truth(model)


# -- what derive says -----------------------------------------------------------------------------
def argv(snippet: Snippet, convention: str, output: Path) -> list[str]:
    line = ["show", str(snippet.path), "--convention", convention, "--format", "json", "-o", str(output)]
    if snippet.entry:
        line += ["--entry", snippet.entry]
    for flag, values in (("--arg", snippet.arg), ("--set", snippet.set)):
        for name, value in values.items():
            line += [flag, f"{name}={value}"]
    return line


@dataclass(frozen=True)
class Reading:
    """derive's figures per convention, or the one line it refused with (or the crash)."""

    figures: dict[str, dict[str, int | None]] | None
    refusal: str = ""


def derive_reads(snippet: Snippet, workdir: Path) -> Reading:
    from derive import cli

    figures = {}
    for convention in CONVENTIONS:
        output = workdir / f"{snippet.key}.{convention}.json"
        err = io.StringIO()
        try:
            with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
                status = cli.main(argv(snippet, convention, output))
        except Exception:  # noqa: BLE001 - a crash is reported as such
            lines = traceback.format_exc().strip().splitlines()
            return Reading(None, f"crash: {lines[-1]}")
        if status != 0:
            said = [line for line in err.getvalue().splitlines() if line.strip()]
            return Reading(None, said[-1] if said else f"exit status {status}")
        total = json.loads(output.read_text(encoding="utf-8"))["total"]
        figures[convention] = {name: total[name]["value"] for name in FIGURES[convention]}
    return Reading(figures)


def differences(expected: dict, reading: Reading) -> list[str]:
    """Each convention's figure where derive and the framework disagree, as `convention.figure: derive ≠ truth`."""
    out = []
    for convention in CONVENTIONS:
        for name in FIGURES[convention]:
            got, want = reading.figures[convention][name], expected[convention][name]
            if got != want:
                out.append(f"{convention}.{name}: derive {got} != {want}")
    return out
