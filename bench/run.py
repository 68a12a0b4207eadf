"""derive's benchmarks (issue 7), in one run: against the import floor, against its peers, and scaling.

Every command is a fresh process, as a user runs it. The run is paired: each round runs every command
once, right next to a run of the floor (the order rotated from round to round), `--repeat` rounds, and
the figures are medians over the rounds; a ratio to the floor and the time over it are medians of
each run against the floor run next to it, and "own work" (the time above the floor run as the
`derive` command runs: without the garbage collector and the interpreter's teardown) of each run
against that floor's run in the same round. Wall time is measured around the child; CPU time (user + system) and peak memory
(`ru_maxrss`) are the child's own, from `os.wait4` (the same figures as `getrusage(RUSAGE_CHILDREN)`
deltas, and the peak is this child's, not the largest so far). Children run without
PYTHONDONTWRITEBYTECODE: as installed for a user, byte-compiled (the warm-up round writes the cache of
an editable checkout).

What is run:
- the floor `python -c "import sympy, jinja2"`: what any derive command pays before doing anything;
  and the same run as the `derive` command runs (`derive.cli.entry`): `gc.disable()` first,
  `os._exit(0)` last;
- `derive show mobilenetv2 --format latex` (every formula and number) and the text table, the same for
  `efficientnet-b7` and `gpt2` (issue 15's targets: ≤ 1.5× the floor), and the
  block commands timed before issue 7 (`mobilenetv2-block`, json and text; `derive list`);
- peers on the same network: torchinfo's `summary()` of torchvision's MobileNetV2
  (`peer_torchinfo.py`) and Keras' `MobileNetV2(weights=None).summary()` (`peer_keras.py`);
- scaling: PyTorch code of an `nn.Sequential` of 100, 1,000 and 5,000 modules, and a 24-layer
  transformer encoder written out in `nn.Linear` / `nn.LayerNorm` / `nn.Dropout` modules, generated into a
  temporary directory.

Before timing, the counts are checked once: the peers print the parameter counts derive gives, and
the generated code, built by PyTorch itself, has the parameters derive reads off it. The report ends
with where derive's time goes (`profile_show.py`).

    python bench/run.py                          # print the report
    python bench/run.py --write bench/RESULTS.md  # and write it (`make bench`)
"""

from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from inputs import NEW_INPUTS  # bench/inputs.py: issue 13's large inputs

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
# As installed for a user: byte-compiled. PYTHONDONTWRITEBYTECODE, set in some shells, would make every
# run of an editable checkout recompile derive. Keras runs on PyTorch (TensorFlow is not installed).
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
ENV["KERAS_BACKEND"] = "torch"

WORKDIR: Path | None = None  # the children's working directory: a temporary one, with the generated code
MIB = 1024 * 1024
SIZES = (100, 1000, 5000)  # modules of the generated nn.Sequential
TRANSFORMER = {"layers": 24, "d_model": 1024, "d_ff": 4096}  # BERT-large's sizes
PACKAGES = ("derive", "sympy", "jinja2", "latexcodec", "mpmath", "torch", "torchinfo", "keras", "numpy")

# The targets of issue 7.
FLOOR_RATIO = 1.35  # derive show mobilenetv2 --format latex / the floor
NETWORK_RATIO = 1.5  # issue 15: derive show efficientnet-b7 / gpt2 --format latex / the floor
NETWORKS = ("efficientnet-b7", "gpt2")
GROWTH = 12.0  # own work of 1,000 layers / own work of 100 layers
SECONDS_1000 = 2.0  # derive on 1,000 layers, wall
MIB_1000 = 150.0  # peak memory on 1,000 layers

# What the frameworks report for MobileNetV2 (torchvision / torchinfo; keras.applications).
TORCH_PARAMETERS = 3_504_872
KERAS_TOTAL = 3_538_984


def derive_command() -> list[str]:
    """`derive`, the console script beside this Python (as a user types it), else `python -m derive`."""
    script = Path(PYTHON).with_name("derive")
    return [str(script)] if script.exists() else [PYTHON, "-m", "derive"]


# -- the generated code ---------------------------------------------------------------------------
WIDTHS = (16, 24, 32, 48, 64, 96, 128, 160)


def _sequential_modules():
    """An endless stream of (module, channels after it): conv 3×3 + batch norm + ReLU, depthwise 3×3 +
    batch norm + ReLU6, conv 1×1 with bias + SiLU, a Dropout2d every fourth unit; widths vary."""
    channels, unit = 3, 0
    while True:
        width = WIDTHS[unit % len(WIDTHS)]
        after = WIDTHS[(unit * 3 + 1) % len(WIDTHS)]
        unit += 1
        yield f"nn.Conv2d({channels},{width},3,1,1,bias=False)", width
        yield f"nn.BatchNorm2d({width})", width
        yield "nn.ReLU(True)", width
        yield f"nn.Conv2d({width},{width},3,1,1,groups={width},bias=False)", width
        yield f"nn.BatchNorm2d({width})", width
        yield "nn.ReLU6(True)", width
        yield f"nn.Conv2d({width},{after},1)", after
        yield "nn.SiLU()", after
        if unit % 4 == 0:
            yield "nn.Dropout2d(0.1)", after
        channels = after


def sequential_code(modules: int) -> str:
    """PyTorch code of `model = nn.Sequential(...)` of exactly `modules` modules, one a line, as pasted:
    the stream above, then a classifier (adaptive average pool, flatten, linear to 10 classes)."""
    lines, channels = [], 3
    for (text, channels), _ in zip(_sequential_modules(), range(modules - 3)):
        lines.append(text)
    lines += ["nn.AdaptiveAvgPool2d(1)", "nn.Flatten()", f"nn.Linear({channels},10)"]
    body = "".join(f"    {line},\n" for line in lines)
    return f"from torch import nn\n\nmodel = nn.Sequential(\n{body})\n"


def transformer_code(layers: int, d_model: int, d_ff: int) -> str:
    """`nn.TransformerEncoder` of `layers` post-norm layers written out in modules derive reads (it does
    not read nn.MultiheadAttention): q, k, v and output projections as `nn.Linear`. The same parameters
    as `nn.TransformerEncoder(nn.TransformerEncoderLayer(d_model, heads, d_ff), layers)`."""
    return f'''from torch import nn

D_MODEL = {d_model}
D_FF = {d_ff}
LAYERS = {layers}


class EncoderLayer(nn.Module):
    def __init__(self, d_model, d_ff, dropout=0.1):
        super().__init__()
        self.q = nn.Linear(d_model, d_model)
        self.k = nn.Linear(d_model, d_model)
        self.v = nn.Linear(d_model, d_model)
        self.out = nn.Linear(d_model, d_model)
        self.dropout1 = nn.Dropout(dropout)
        self.norm1 = nn.LayerNorm(d_model)
        self.linear1 = nn.Linear(d_model, d_ff)
        self.activation = nn.ReLU()
        self.dropout = nn.Dropout(dropout)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout2 = nn.Dropout(dropout)
        self.norm2 = nn.LayerNorm(d_model)


class Encoder(nn.Module):
    def __init__(self, d_model=D_MODEL, d_ff=D_FF, layers=LAYERS):
        super().__init__()
        self.layers = nn.ModuleList([EncoderLayer(d_model, d_ff) for _ in range(layers)])


model = Encoder()
'''


# -- the commands ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Case:
    key: str
    label: str  # as RESULTS.md shows it
    argv: tuple[str, ...]
    layers: int | None = None  # modules of generated code
    path: Path | None = None  # the generated file


def cases(workdir: Path) -> list[Case]:
    derive = derive_command()
    block = ["show", "mobilenetv2-block", "--set", "C_in=3", "--set", "t=6", "--set", "C_out=3"]
    found = [
        Case("floor", '`python -c "import sympy, jinja2"` (floor)', (PYTHON, "-c", "import sympy, jinja2")),
        Case("floor-exit", "the floor run as the `derive` command runs: `gc.disable()` first, `os._exit(0)` last",
             (PYTHON, "-c", "import gc; gc.disable(); import sympy, jinja2, os; os._exit(0)")),
        Case("latex", "`derive show mobilenetv2 --format latex`",
             (*derive, "show", "mobilenetv2", "--format", "latex")),
        Case("latex-teardown", "the same, by `derive.cli.main` in `python -c`: with the garbage collector and "
             "the interpreter's teardown", (PYTHON, "-c", "import sys; from derive.cli import main; sys.exit(main())", "show",
                          "mobilenetv2", "--format", "latex")),
        Case("text", "`derive show mobilenetv2` (text)", (*derive, "show", "mobilenetv2")),
        *(Case(f"latex-{name}", f"`derive show {name} --format latex`", (*derive, "show", name, "--format", "latex"))
          for name in NETWORKS),
        Case("block-json", "`derive show mobilenetv2-block --format json`", (*derive, *block, "--format", "json")),
        Case("block-text", "`derive show mobilenetv2-block` (text)", (*derive, *block)),
        Case("list", "`derive list`", (*derive, "list")),
        Case("torchinfo", "torchinfo `summary(MobileNetV2())` (`peer_torchinfo.py`)",
             (PYTHON, str(HERE / "peer_torchinfo.py"))),
        Case("keras", "Keras `MobileNetV2(weights=None).summary()` (`peer_keras.py`)",
             (PYTHON, str(HERE / "peer_keras.py"))),
    ]
    for size in SIZES:
        path = workdir / f"sequential_{size}.py"
        path.write_text(sequential_code(size), encoding="utf-8")
        found.append(Case(f"seq{size}", f"`nn.Sequential` of {size:,} modules", (*derive, "show", path.name),
                          size, path))
    path = workdir / f"transformer_{TRANSFORMER['layers']}.py"
    path.write_text(transformer_code(**TRANSFORMER), encoding="utf-8")
    found.append(Case("transformer", f"{TRANSFORMER['layers']}-layer transformer encoder, written out",
                      (*derive, "show", path.name), TRANSFORMER["layers"] * 12, path))
    for key, name, label, layers in NEW_INPUTS:  # issue 13: bench/inputs/, written by bench/inputs.py
        path = workdir / name
        shutil.copyfile(HERE / "inputs" / name, path)
        found.append(Case(key, label, (*derive, "show", path.name), layers, path))
    return found


# -- one run --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Sample:
    wall: float  # seconds
    cpu: float  # seconds, user + system
    peak: float  # MiB, ru_maxrss


def run(argv: tuple[str, ...], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) -> tuple[Sample, int]:
    """Run `argv` to its end in the work directory (where the generated code is): the child's wall
    time, CPU time and peak memory, and its exit status."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=stdout, stderr=stderr, env=ENV, cwd=WORKDIR)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024 / MIB), child.returncode


def output(argv: tuple[str, ...] | list[str]) -> tuple[int, str, str]:
    """Exit status, standard output and standard error of one run (through files: no pipe to fill)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        _, status = run(tuple(argv), stdout=out, stderr=err)
        out.seek(0)
        err.seek(0)
        return status, out.read(), err.read()


def last_line(text: str, otherwise: object) -> str:
    """The last non-empty line of what a child said on standard error, or `otherwise`."""
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1].strip() if lines else str(otherwise)


def warm_up(found: list[Case]) -> tuple[list[Case], dict[str, str]]:
    """Run each command once (writes the byte-code cache, fills the file cache). Those that fail are
    left out of the timing, with the last line of what they said."""
    kept, failed = [], {}
    for case in found:
        status, _, err = output(case.argv)
        if status == 0:
            kept.append(case)
        else:
            failed[case.key] = f"exit status {status}: {last_line(err, '(nothing on standard error)')}"
            print(f"  {case.key}: {failed[case.key]}", file=sys.stderr)
    return kept, failed


@dataclass
class Timings:
    """Per command, one run per round; "floor" has every run of the floor. `floors[key]` are the floor
    runs each next to a run of `key` (in the same round, right before or right after it)."""

    runs: dict[str, list[Sample]]
    floors: dict[str, list[Sample]]

    def __contains__(self, key: str) -> bool:
        return key in self.runs

    def median(self, key: str, field: str) -> float:
        return statistics.median(getattr(s, field) for s in self.runs[key])

    def per_round(self, key: str, base: str, field: str, how: str) -> list[float]:
        """key ÷ base (`ratio`) or key − base (`over`) in each round: against the floor run next to it,
        or against another command of the same round."""
        bases = self.floors[key] if base == "floor" else self.runs[base]
        pairs = [(getattr(a, field), getattr(b, field)) for a, b in zip(self.runs[key], bases)]
        return [a / b if how == "ratio" else a - b for a, b in pairs]

    def paired(self, key: str, base: str, field: str, how: str) -> float:
        return statistics.median(self.per_round(key, base, field, how))

    def quartiles(self, key: str, base: str, field: str, how: str) -> tuple[float, float]:
        """The first and third quartiles of the per-round figures: how much the rounds disagree."""
        q1, _, q3 = statistics.quantiles(self.per_round(key, base, field, how), n=4)
        return q1, q3


def measure(found: list[Case], repeat: int) -> Timings:
    """`repeat` rounds; in each, every command next to a run of the floor (floor first in even rounds,
    last in odd ones), the commands in an order rotated from round to round."""
    floor, others = found[0], found[1:]
    timings = Timings({case.key: [] for case in found}, {case.key: [] for case in others})
    for round_ in range(repeat):
        shift = round_ % len(others)
        for case in others[shift:] + others[:shift]:
            pair = (floor, case) if round_ % 2 == 0 else (case, floor)
            for one in pair:
                sample, status = run(one.argv)
                if status != 0:
                    raise SystemExit(f"{one.key} failed in round {round_ + 1} (exit status {status})")
                timings.runs[one.key].append(sample)
                if one is floor:
                    timings.floors[case.key].append(sample)
        print(f"  round {round_ + 1}/{repeat}", file=sys.stderr)
    return timings


# -- the checks, once -----------------------------------------------------------------------------
def derive_total(argv: list[str], convention: str) -> int | str:
    status, out, err = output([*derive_command(), *argv, "--convention", convention, "--format", "json"])
    if status != 0:
        return f"error: {last_line(err, status)}"
    return json.loads(out)["total"]["all"]["value"]


def printed_total(argv: tuple[str, ...]) -> int | str:
    """The `Total params: N` a peer prints."""
    status, out, err = output(argv)
    found = re.search(r"Total params:\s*([\d,]+)", out)
    if status != 0 or not found:
        return f"error: {last_line(err, 'no Total params line')}"
    return int(found[1].replace(",", ""))


TORCH_COUNT = """
import runpy, sys
model = runpy.run_path(sys.argv[1])["model"]
print(sum(p.numel() for p in model.parameters()))
"""
KERAS_COUNT = """
import runpy, sys
print(runpy.run_path(sys.argv[1])["model"].count_params())
"""
TORCH_ENCODER = """
import sys
from torch import nn
layers, d_model, d_ff = map(int, sys.argv[1:])
layer = nn.TransformerEncoderLayer(d_model, 16, d_ff)
print(sum(p.numel() for p in nn.TransformerEncoder(layer, layers, enable_nested_tensor=False).parameters()))
"""


def torch_total(script: str, *args: str) -> int | str:
    status, out, err = output([PYTHON, "-c", script, *args])
    if status != 0:
        return f"error: {last_line(err, status)}"
    return int(out.strip().splitlines()[-1])


def checks(found: list[Case]) -> list[tuple[str, object, object]]:
    """(what, derive's figure, the other's) for every count that must agree."""
    by_key = {case.key: case for case in found}
    keras = derive_total(["show", "mobilenetv2"], "keras")
    rows: list[tuple[str, object, object]] = [
        ("MobileNetV2 parameters, `--convention pytorch` vs torchinfo's `Total params`",
         derive_total(["show", "mobilenetv2"], "pytorch"), printed_total(by_key["torchinfo"].argv)),
        ("MobileNetV2 parameters, `paper` vs torchvision's 3,504,872",
         derive_total(["show", "mobilenetv2"], "paper"), TORCH_PARAMETERS),
        ("MobileNetV2 `count_params()`, `--convention keras` vs Keras' `Total params`",
         keras, printed_total(by_key["keras"].argv)),
        ("MobileNetV2 `count_params()`, `--convention keras` vs keras.applications' 3,538,984", keras, KERAS_TOTAL),
    ]
    status, latex, _ = output(by_key["latex"].argv)
    rows.append(("`--format latex` ends its derivation at `N = ... = 3\\,504\\,872`",
                 "yes" if status == 0 and f"= {TORCH_PARAMETERS:,}".replace(",", r"\,") in latex else "no", "yes"))
    for case in found:
        if case.key == "keras500":
            rows.append((f"{case.label}: `--convention keras` vs Keras' `count_params()` of the same code",
                         derive_total(["show", case.path.name], "keras"), torch_total(KERAS_COUNT, case.path.name)))
        elif case.path is not None:
            rows.append((f"{case.label}: `--convention pytorch` vs PyTorch's `parameters()` of the same code",
                         derive_total(["show", case.path.name], "pytorch"), torch_total(TORCH_COUNT, case.path.name)))
    t = TRANSFORMER
    one = derive_total(["show", "transformer-encoder", "--set", f"d_model={t['d_model']}", "--set",
                        f"d_ff={t['d_ff']}"], "pytorch")
    rows.append((f"built-in `transformer-encoder` × {t['layers']} vs `nn.TransformerEncoder` of "
                 f"{t['layers']} `nn.TransformerEncoderLayer`s",
                 one * t["layers"] if isinstance(one, int) else one,
                 torch_total(TORCH_ENCODER, str(t["layers"]), str(t["d_model"]), str(t["d_ff"]))))
    return rows


# -- the report -----------------------------------------------------------------------------------
def ms(seconds: float, sign: bool = False) -> str:
    return f"{seconds * 1000:+,.0f} ms" if sign else f"{seconds * 1000:,.0f} ms"


def machine() -> list[str]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = next((int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), 0)
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {importlib.metadata.version(name)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{name} (not installed)")
    return [f"- machine: {cpu}, {os.cpu_count()} cores, {memory / 1024 / 1024:.1f} GiB RAM; "
            f"{platform.system()} {platform.release()} ({platform.machine()})",
            f"- Python {platform.python_version()} ({platform.python_implementation()}); " + ", ".join(versions)]


def load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def agreement(ours: object, theirs: object) -> str:
    if str(ours).startswith("error"):
        return "**derive fails**"
    if str(theirs).startswith("error"):
        return "**not checked**"
    return "agree" if ours == theirs else "**differ**"


def verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report(found: list[Case], failed: dict[str, str], timings: Timings,
           rows: list[tuple[str, object, object]], repeat: int, started: datetime.datetime,
           loads: tuple[str, str], profile: str) -> str:
    labels = {case.key: case for case in found}
    has = timings.__contains__

    def own(key: str) -> float:
        """derive's own work: its time above the floor run as the `derive` command runs."""
        return timings.paired(key, "floor-exit" if has("floor-exit") else "floor", "wall", "over")

    lines = ["# derive benchmarks", "",
             f"Written by `make bench` (`bench/run.py`), started {started:%Y-%m-%d %H:%M} UTC: median of "
             f"{repeat} paired rounds; load average {loads[0]} before, {loads[1]} after.", "",
             *machine(), "",
             "Each round runs every command once as a fresh process, next to a run of the floor (before it in "
             "even rounds, after it in odd ones), the commands in an order rotated from round to round. Wall "
             "time is measured around the child; CPU is the child's user + system time, peak memory its "
             "`ru_maxrss`, both from `os.wait4`. A ratio to the floor and the time over it are the medians over "
             "the rounds of each run against the floor run next to it; \"own work\", of each run against the run "
             "of the floor run as `derive` runs in the same round; a ratio of two commands, the median over "
             "the rounds. Children run byte-compiled (without PYTHONDONTWRITEBYTECODE); derive "
             "is the console script of the venv.", ""]

    # -- targets
    lines += ["## Targets (issues 7 and 15)", "", "| target | measured | |", "| --- | ---: | --- |"]
    if has("latex"):
        for field, what in (("wall", f"`derive show mobilenetv2 --format latex` ≤ {FLOOR_RATIO}× the floor, wall"),
                            ("cpu", "the same, CPU")):
            ratio = timings.paired("latex", "floor", field, "ratio")
            q1, q3 = timings.quartiles("latex", "floor", field, "ratio")
            medians = timings.median("latex", field) / timings.median("floor", field)
            lines.append(f"| {what} | {ratio:.2f}× (rounds' quartiles {q1:.2f}–{q3:.2f}; ratio of the medians "
                         f"{medians:.2f}×) | {verdict(ratio <= FLOOR_RATIO)} |")
        if has("latex-teardown"):
            ratio = timings.paired("latex-teardown", "floor", "wall", "ratio")
            q1, q3 = timings.quartiles("latex-teardown", "floor", "wall", "ratio")
            lines.append(f"| for comparison, not a target: the same work with the garbage collector on and the "
                         f"interpreter's teardown, as the floor runs (see below) | {ratio:.2f}× (quartiles "
                         f"{q1:.2f}–{q3:.2f}) | |")
    for name in NETWORKS:  # issue 15
        if has(f"latex-{name}"):
            ratio = timings.paired(f"latex-{name}", "floor", "wall", "ratio")
            q1, q3 = timings.quartiles(f"latex-{name}", "floor", "wall", "ratio")
            lines.append(f"| `derive show {name} --format latex` ≤ {NETWORK_RATIO}× the floor, wall (issue 15) | "
                         f"{ratio:.2f}× (rounds' quartiles {q1:.2f}–{q3:.2f}) | {verdict(ratio <= NETWORK_RATIO)} |")
    if has("seq100") and has("seq1000"):
        own100, own1000 = own("seq100"), own("seq1000")
        growth = own1000 / own100
        lines.append(f"| own work of 1,000 modules ≤ {GROWTH:.0f}× that of 100 | {growth:.1f}× "
                     f"({ms(own1000)} / {ms(own100)}) | {verdict(growth <= GROWTH)} |")
    if has("seq1000"):
        wall = timings.median("seq1000", "wall")
        peak = timings.median("seq1000", "peak")
        lines.append(f"| 1,000 modules in under {SECONDS_1000:.0f} s (wall, floor included) | {wall:.2f} s "
                     f"| {verdict(wall < SECONDS_1000)} |")
        lines.append(f"| 1,000 modules in under {MIB_1000:.0f} MiB (peak) | {peak:.0f} MiB "
                     f"| {verdict(peak < MIB_1000)} |")
    elif "seq1000" in failed:
        lines.append(f"| 1,000 modules | {failed['seq1000']} | **not met** |")
    if "seq5000" in failed:
        lines.append(f"| 5,000 modules read | `{failed['seq5000']}` | **not met** |")
    elif has("seq5000"):
        lines.append(f"| 5,000 modules read | {timings.median('seq5000', 'wall'):.2f} s | met |")
    for peer in ("torchinfo", "keras"):
        if has(peer) and has("latex"):
            ratio = timings.paired(peer, "latex", "wall", "ratio")
            lines.append(f"| faster than {peer} on MobileNetV2 (peer ÷ derive latex, wall) | {ratio:.1f}× "
                         f"| {verdict(ratio > 1)} |")
        elif peer in failed:
            lines.append(f"| faster than {peer} | not run: {failed[peer]} | |")
    lines.append("")

    # -- against the floor
    lines += ["## derive against the import floor", "",
              "| command | wall | ÷ floor | over floor | own work | CPU | ÷ floor | over floor | peak |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key in ("floor", "floor-exit", "latex", "latex-teardown", "text", "block-json", "block-text", "list"):
        if not has(key):
            continue
        cells = [labels[key].label, ms(timings.median(key, "wall"))]
        if key == "floor":
            cells += ["", "", "", ms(timings.median(key, "cpu")), "", ""]
        else:
            cells += [f"{timings.paired(key, 'floor', 'wall', 'ratio'):.2f}×",
                      ms(timings.paired(key, "floor", "wall", "over"), sign=True),
                      "" if key.startswith("floor") else ms(own(key)), ms(timings.median(key, "cpu")),
                      f"{timings.paired(key, 'floor', 'cpu', 'ratio'):.2f}×",
                      ms(timings.paired(key, "floor", "cpu", "over"), sign=True)]
        cells.append(f"{timings.median(key, 'peak'):.0f} MiB")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "The `derive` command (`derive.cli.entry`) runs with Python's cyclic garbage collector off "
              "and exits with `os._exit` once its output is written and flushed: that spares the collector's "
              "passes over sympy's long-lived objects and the interpreter's teardown of them, both a good part "
              "of the floor's own time and neither of use to a command that has finished (peak memory is the "
              "same). The floor run the same way shows what they cost; \"own work\" is the time above it, "
              "what derive itself does. The second derive row runs the same work through `derive.cli.main` "
              "with the collector on and the usual teardown, as the floor runs.", ""]

    # -- peers
    lines += ["## Peers: the same MobileNetV2", "",
              "Each from the start of the process (imports included) to the printed summary.", "",
              "| command | wall | CPU | peak | ÷ derive latex (wall) | ÷ derive text (wall) |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for key in ("latex", "text", "torchinfo", "keras"):
        if not has(key):
            if key in failed:
                lines.append(f"| {labels[key].label} | not run: {failed[key]} | | | | |")
            continue
        ratios = ["", ""]
        if key in ("torchinfo", "keras"):
            ratios = [f"{timings.paired(key, base, 'wall', 'ratio'):.1f}×" for base in ("latex", "text")
                      if has(base)]
        lines.append(f"| {labels[key].label} | {ms(timings.median(key, 'wall'))} | {ms(timings.median(key, 'cpu'))} | "
                     f"{timings.median(key, 'peak'):.0f} MiB | " + " | ".join(ratios) + " |")
    lines += ["", "The counts, checked once in the same run:", "", "| what | derive | the other | |",
              "| --- | ---: | ---: | --- |"]
    for what, ours, theirs in rows:
        show = [f"{v:,}" if isinstance(v, int) else str(v) for v in (ours, theirs)]
        lines.append(f"| {what} | {show[0]} | {show[1]} | {agreement(ours, theirs)} |")
    lines.append("")

    # -- scaling
    lines += ["## Scaling: pasted code", "",
              "`derive show FILE` (the text table) on generated code: an `nn.Sequential` of conv 3×3 / batch norm "
              "/ ReLU, depthwise 3×3 / batch norm / ReLU6, conv 1×1 / SiLU units of mixed widths (16 to 160), a "
              "`Dropout2d` every fourth unit, and a pooled linear classifier; and a "
              f"{TRANSFORMER['layers']}-layer transformer encoder (d_model = {TRANSFORMER['d_model']}, "
              f"d_ff = {TRANSFORMER['d_ff']}) as an `nn.Module` with an `nn.ModuleList` of "
              "`EncoderLayer`s of 12 modules each (q, k, v, out `nn.Linear`, dropouts, layer norms, FFN). Issue 13's "
              "two inputs are `bench/inputs/` (`bench/inputs.py`); `bench/GROWTH.md` has their growth.", "",
              "| input | modules | file | wall | own work | own ÷ own(100) | CPU | peak |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    base = own("seq100") if has("seq100") else None
    for case in found:
        if case.path is None:
            continue
        size = f"{case.path.stat().st_size / 1000:,.0f} KB"
        if not has(case.key):
            lines.append(f"| {case.label} | {case.layers:,} | {size} | `{failed.get(case.key, 'not run')}` "
                         "| | | | |")
            continue
        work = own(case.key)
        growth = f"{work / base:.1f}×" if base else ""
        lines.append(f"| {case.label} | {case.layers:,} | {size} | {ms(timings.median(case.key, 'wall'))} | {ms(work)} | "
                     f"{growth} | {ms(timings.median(case.key, 'cpu'))} | {timings.median(case.key, 'peak'):.0f} MiB |")
    lines.append("")

    # -- profile
    lines += ["## Where the time goes: `derive show mobilenetv2 --format latex`", "",
              "`python bench/profile_show.py` (cProfile, in process, after the floor's imports):", "", profile.rstrip(), ""]
    return "\n".join(lines)


def profile_section() -> str:
    status, out, err = output([PYTHON, str(HERE / "profile_show.py"), "--top", "20"])
    return out if status == 0 else f"(the profile failed: {last_line(err, status)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15, help="paired rounds (at least 5; default %(default)s)")
    parser.add_argument("--write", metavar="PATH", help="also write the Markdown report there")
    args = parser.parse_args()
    if args.repeat < 5:
        parser.error("--repeat: at least 5 rounds")
    started = datetime.datetime.now(datetime.timezone.utc)
    global WORKDIR
    WORKDIR = workdir = Path(tempfile.mkdtemp(prefix="derive-bench-"))
    try:
        found = cases(workdir)
        print("warm-up", file=sys.stderr)
        kept, failed = warm_up(found)
        print("checking the counts", file=sys.stderr)
        rows = checks(found)
        before = load()
        print(f"timing ({args.repeat} rounds of {len(kept)} commands)", file=sys.stderr)
        timings = measure(kept, args.repeat)
        loads = (before, load())
        print("profiling", file=sys.stderr)
        text = report(found, failed, timings, rows, args.repeat, started, loads, profile_section())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(text, end="")
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
