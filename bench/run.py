"""derive's benchmarks (issue 7), in one run: against the import floor, against its peers, and scaling.

Every command is a fresh process, as a user runs it. The run is paired: each round runs every command
once (the order rotated from round to round), `--repeat` rounds, and the figures are medians over the
rounds; ratios and "own work" (time above the floor) are medians of the per-round figures, each taken
within one round. Wall time is measured around the child; CPU time (user + system) and peak memory
(`ru_maxrss`) are the child's own, from `os.wait4` (the same figures as `getrusage(RUSAGE_CHILDREN)`
deltas, and the peak is this child's, not the largest so far). Children run without
PYTHONDONTWRITEBYTECODE: as installed for a user, byte-compiled (the warm-up round writes the cache of
an editable checkout).

What is run:
- the floor `python -c "import sympy, jinja2"`: what any derive command pays before doing anything;
- `derive show mobilenetv2 --format latex` (every formula and number) and the text table, and the
  block commands `bench_show.py` used to time (`mobilenetv2-block`, json and text; `derive list`);
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
        Case("latex", "`derive show mobilenetv2 --format latex`",
             (*derive, "show", "mobilenetv2", "--format", "latex")),
        Case("text", "`derive show mobilenetv2` (text)", (*derive, "show", "mobilenetv2")),
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


def warm_up(found: list[Case]) -> tuple[list[Case], dict[str, str]]:
    """Run each command once (writes the byte-code cache, fills the file cache). Those that fail are
    left out of the timing, with the last line of what they said."""
    kept, failed = [], {}
    for case in found:
        status, _, err = output(case.argv)
        if status == 0:
            kept.append(case)
        else:
            lines = [line for line in err.strip().splitlines() if line.strip()]
            failed[case.key] = f"exit status {status}: {lines[-1] if lines else '(nothing on standard error)'}"
            print(f"  {case.key}: {failed[case.key]}", file=sys.stderr)
    return kept, failed


def measure(found: list[Case], repeat: int) -> dict[str, list[Sample]]:
    samples: dict[str, list[Sample]] = {case.key: [] for case in found}
    for round_ in range(repeat):
        shift = round_ % len(found)
        for case in found[shift:] + found[:shift]:
            sample, status = run(case.argv)
            if status != 0:
                raise SystemExit(f"{case.key} failed in round {round_ + 1} (exit status {status})")
            samples[case.key].append(sample)
        print(f"  round {round_ + 1}/{repeat}", file=sys.stderr)
    return samples


# -- the checks, once -----------------------------------------------------------------------------
def derive_total(argv: list[str], convention: str) -> int | str:
    status, out, err = output([*derive_command(), *argv, "--convention", convention, "--format", "json"])
    if status != 0:
        return f"error: {err.strip().splitlines()[-1] if err.strip() else status}"
    return json.loads(out)["total"]["all"]["value"]


def printed_total(argv: tuple[str, ...]) -> int | str:
    """The `Total params: N` a peer prints."""
    status, out, err = output(argv)
    found = re.search(r"Total params:\s*([\d,]+)", out)
    if status != 0 or not found:
        return f"error: {err.strip().splitlines()[-1] if err.strip() else 'no Total params line'}"
    return int(found[1].replace(",", ""))


TORCH_COUNT = """
import runpy, sys
model = runpy.run_path(sys.argv[1])["model"]
print(sum(p.numel() for p in model.parameters()))
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
        return f"error: {err.strip().splitlines()[-1] if err.strip() else status}"
    return int(out.strip().splitlines()[-1])


def checks(found: list[Case]) -> list[tuple[str, object, object]]:
    """(what, derive's figure, the other's) for every count that must agree."""
    by_key = {case.key: case for case in found}
    rows: list[tuple[str, object, object]] = [
        ("MobileNetV2 parameters, `--convention pytorch` vs torchinfo's `Total params`",
         derive_total(["show", "mobilenetv2"], "pytorch"), printed_total(by_key["torchinfo"].argv)),
        ("MobileNetV2 parameters, `paper` vs torchvision's 3,504,872",
         derive_total(["show", "mobilenetv2"], "paper"), TORCH_PARAMETERS),
        ("MobileNetV2 `count_params()`, `--convention keras` vs Keras' `Total params`",
         derive_total(["show", "mobilenetv2"], "keras"), printed_total(by_key["keras"].argv)),
        ("MobileNetV2 `count_params()`, `--convention keras` vs keras.applications' 3,538,984",
         derive_total(["show", "mobilenetv2"], "keras"), KERAS_TOTAL),
    ]
    status, latex, _ = output(by_key["latex"].argv)
    rows.append(("`--format latex` ends its derivation at `N = ... = 3\\,504\\,872`",
                 "yes" if status == 0 and f"= {TORCH_PARAMETERS:,}".replace(",", r"\,") in latex else "no", "yes"))
    for case in found:
        if case.path is not None:
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
def median(samples: list[Sample], field: str) -> float:
    return statistics.median(getattr(s, field) for s in samples)


def paired(samples: dict[str, list[Sample]], key: str, base: str, field: str, how: str) -> float:
    """Median over the rounds of key/base (`ratio`) or key − base (`over`), each within one round."""
    pairs = zip(samples[key], samples[base])
    if how == "ratio":
        return statistics.median(getattr(a, field) / getattr(b, field) for a, b in pairs)
    return statistics.median(getattr(a, field) - getattr(b, field) for a, b in pairs)


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


def report(found: list[Case], failed: dict[str, str], samples: dict[str, list[Sample]],
           rows: list[tuple[str, object, object]], repeat: int, started: datetime.datetime,
           loads: tuple[str, str], profile: str) -> str:
    labels = {case.key: case for case in found}
    has = samples.__contains__
    lines = ["# derive benchmarks", "",
             f"Written by `make bench` (`bench/run.py`), started {started:%Y-%m-%d %H:%M} UTC: median of "
             f"{repeat} paired rounds; load average {loads[0]} before, {loads[1]} after.", "",
             *machine(), "",
             "Each round runs every command once as a fresh process, the order rotated from round to round. "
             "Wall time is measured around the child; CPU is the child's user + system time, peak memory its "
             "`ru_maxrss`, both from `os.wait4`. Ratios and \"own work\" (time above the floor) are the medians of "
             "the per-round ratios and differences. Children run byte-compiled (without "
             "PYTHONDONTWRITEBYTECODE); derive is the console script of the venv.", ""]

    # -- targets
    lines += ["## Targets (issue 7)", "", "| target | measured | |", "| --- | ---: | --- |"]
    if has("latex"):
        wall = paired(samples, "latex", "floor", "wall", "ratio")
        cpu = paired(samples, "latex", "floor", "cpu", "ratio")
        lines.append(f"| `derive show mobilenetv2 --format latex` ≤ {FLOOR_RATIO}× the floor, wall | {wall:.2f}× "
                     f"| {verdict(wall <= FLOOR_RATIO)} |")
        lines.append(f"| the same, CPU | {cpu:.2f}× | {verdict(cpu <= FLOOR_RATIO)} |")
    if has("seq100") and has("seq1000"):
        own100 = paired(samples, "seq100", "floor", "wall", "over")
        own1000 = paired(samples, "seq1000", "floor", "wall", "over")
        growth = own1000 / own100
        lines.append(f"| own work of 1,000 modules ≤ {GROWTH:.0f}× that of 100 | {growth:.1f}× "
                     f"({ms(own1000)} / {ms(own100)}) | {verdict(growth <= GROWTH)} |")
    if has("seq1000"):
        wall = median(samples["seq1000"], "wall")
        peak = median(samples["seq1000"], "peak")
        lines.append(f"| 1,000 modules in under {SECONDS_1000:.0f} s (wall, floor included) | {wall:.2f} s "
                     f"| {verdict(wall < SECONDS_1000)} |")
        lines.append(f"| 1,000 modules in under {MIB_1000:.0f} MiB (peak) | {peak:.0f} MiB "
                     f"| {verdict(peak < MIB_1000)} |")
    elif "seq1000" in failed:
        lines.append(f"| 1,000 modules | {failed['seq1000']} | **not met** |")
    if "seq5000" in failed:
        lines.append(f"| 5,000 modules read | `{failed['seq5000']}` | **not met** |")
    elif has("seq5000"):
        lines.append(f"| 5,000 modules read | {median(samples['seq5000'], 'wall'):.2f} s | met |")
    for peer in ("torchinfo", "keras"):
        if has(peer) and has("latex"):
            ratio = paired(samples, peer, "latex", "wall", "ratio")
            lines.append(f"| faster than {peer} on MobileNetV2 (peer ÷ derive latex, wall) | {ratio:.1f}× "
                         f"| {verdict(ratio > 1)} |")
        elif peer in failed:
            lines.append(f"| faster than {peer} | not run: {failed[peer]} | |")
    lines.append("")

    # -- against the floor
    lines += ["## derive against the import floor", "",
              "| command | wall | ÷ floor | over floor | CPU | ÷ floor | over floor | peak |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for key in ("floor", "latex", "text", "block-json", "block-text", "list"):
        if not has(key):
            continue
        s = samples[key]
        cells = [labels[key].label, ms(median(s, "wall"))]
        if key == "floor":
            cells += ["", "", ms(median(s, "cpu")), "", ""]
        else:
            cells += [f"{paired(samples, key, 'floor', 'wall', 'ratio'):.2f}×",
                      ms(paired(samples, key, "floor", "wall", "over"), sign=True), ms(median(s, "cpu")),
                      f"{paired(samples, key, 'floor', 'cpu', 'ratio'):.2f}×",
                      ms(paired(samples, key, "floor", "cpu", "over"), sign=True)]
        cells.append(f"{median(s, 'peak'):.0f} MiB")
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")

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
        s = samples[key]
        ratios = ["", ""]
        if key in ("torchinfo", "keras"):
            ratios = [f"{paired(samples, key, base, 'wall', 'ratio'):.1f}×" for base in ("latex", "text")
                      if has(base)]
        lines.append(f"| {labels[key].label} | {ms(median(s, 'wall'))} | {ms(median(s, 'cpu'))} | "
                     f"{median(s, 'peak'):.0f} MiB | " + " | ".join(ratios) + " |")
    lines += ["", "The counts, checked once in the same run:", "", "| what | derive | the other | |",
              "| --- | ---: | ---: | --- |"]
    for what, ours, theirs in rows:
        show = [f"{v:,}" if isinstance(v, int) else str(v) for v in (ours, theirs)]
        lines.append(f"| {what} | {show[0]} | {show[1]} | {agreement(ours, theirs)} |")
    lines.append("")

    # -- scaling
    lines += ["## Scaling: pasted PyTorch code", "",
              "`derive show FILE` (the text table) on generated code: an `nn.Sequential` of conv 3×3 / batch norm "
              "/ ReLU, depthwise 3×3 / batch norm / ReLU6, conv 1×1 / SiLU units of mixed widths (16 to 160), a "
              "`Dropout2d` every fourth unit, and a pooled linear classifier; and a "
              f"{TRANSFORMER['layers']}-layer transformer encoder (d_model = {TRANSFORMER['d_model']}, "
              f"d_ff = {TRANSFORMER['d_ff']}) as an `nn.Module` with an `nn.ModuleList` of "
              "`EncoderLayer`s of 12 modules each (q, k, v, out `nn.Linear`, dropouts, layer norms, FFN).", "",
              "| input | modules | file | wall | own work | own ÷ own(100) | CPU | peak |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    base = paired(samples, "seq100", "floor", "wall", "over") if has("seq100") else None
    for case in found:
        if case.path is None:
            continue
        size = f"{case.path.stat().st_size / 1000:,.0f} KB"
        if not has(case.key):
            lines.append(f"| {case.label} | {case.layers:,} | {size} | `{failed.get(case.key, 'not run')}` "
                         "| | | | |")
            continue
        s = samples[case.key]
        own = paired(samples, case.key, "floor", "wall", "over")
        growth = f"{own / base:.1f}×" if base else ""
        lines.append(f"| {case.label} | {case.layers:,} | {size} | {ms(median(s, 'wall'))} | {ms(own)} | "
                     f"{growth} | {ms(median(s, 'cpu'))} | {median(s, 'peak'):.0f} MiB |")
    lines.append("")

    # -- profile
    lines += ["## Where the time goes: `derive show mobilenetv2 --format latex`", "",
              "`python bench/profile_show.py` (cProfile, in process, after the floor's imports):", "", profile.rstrip(), ""]
    return "\n".join(lines)


def profile_section() -> str:
    status, out, err = output([PYTHON, str(HERE / "profile_show.py"), "--top", "20"])
    return out if status == 0 else f"(the profile failed: {err.strip().splitlines()[-1] if err.strip() else status})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="paired rounds (at least 5; default %(default)s)")
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
        samples = measure(kept, args.repeat)
        loads = (before, load())
        print("profiling", file=sys.stderr)
        text = report(found, failed, samples, rows, args.repeat, started, loads, profile_section())
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(text, end="")
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
