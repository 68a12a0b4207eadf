"""Code read by derive against the frameworks that would run it: the recorded reference cases, and
random code from `helpers/codegen.py` built for real with PyTorch and Keras in the test.

The reference file (`../shared/reference/framework_cases.json`, beside the clone) holds code a user
pasted and the counts Keras / PyTorch reported for it. The generated code is our own, so the test
runs it (`exec`) to build the real model; derive only ever reads the same text.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

import derive
from helpers.codegen import Case, keras_source, torch_source
from helpers.frameworks import need_keras, need_torch

pytestmark = pytest.mark.frameworks
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference" / "framework_cases.json"
GENERATED = int(os.environ.get("DERIVE_GENERATED_CASES", "60"))  # per framework; 120 a run by default


def reference_cases() -> list:
    if not REFERENCE.exists():
        return [None]
    return json.loads(REFERENCE.read_text(encoding="utf-8"))


def derived(tmp_path: Path, source: str, convention: str, **values) -> dict:
    path = tmp_path / "pasted.py"
    path.write_text(source, encoding="utf-8")
    d = derive.show(str(path), convention=convention, **values)
    return {key: count.value for key, count in d.total.items()}


@pytest.mark.parametrize("case", reference_cases(), ids=lambda c: "missing" if c is None else c["framework"])
def test_reference_case_gives_the_recorded_counts(case, tmp_path):
    if case is None:
        message = f"{REFERENCE} is missing"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    if case["framework"] == "keras":
        got = derived(tmp_path, case["source"], "keras")
        assert (got["all"], got["trainable"], got["non_trainable"]) == (
            case["total"], case["trainable"], case["non_trainable"])
    else:
        got = derived(tmp_path, case["source"], "pytorch")
        assert (got["all"], got["trainable"], got["buffers"]) == (case["total"], case["trainable"], case["buffers"])


def run(case: Case):
    namespace: dict = {"__name__": "generated"}
    exec(compile(case.runnable, "<generated>", "exec"), namespace)  # our own generated code, not user input
    return namespace["model"]


@pytest.mark.parametrize("seed", range(GENERATED))
def test_generated_keras_code(seed, tmp_path):
    need_keras()
    case = keras_source(seed)
    model = run(case)
    expected = (model.count_params(), sum(math.prod(w.shape) for w in model.trainable_weights),
                sum(math.prod(w.shape) for w in model.non_trainable_weights))
    got = derived(tmp_path, case.source, "keras", **case.values)
    assert (got["all"], got["trainable"], got["non_trainable"]) == expected, case.source


@pytest.mark.parametrize("seed", range(GENERATED))
def test_generated_torch_code(seed, tmp_path):
    need_torch()
    case = torch_source(seed)
    model = run(case)
    params = list(model.parameters())
    expected = (sum(p.numel() for p in params), sum(p.numel() for p in params if p.requires_grad),
                sum(b.numel() for b in model.buffers()))
    got = derived(tmp_path, case.source, "pytorch", **case.values)
    assert (got["all"], got["trainable"], got["buffers"]) == expected, case.source


@pytest.mark.parametrize("name,convention,values", [
    ("keras_inverted_res_block.py", "keras", {"C_in": 16, "H": 32, "W": 32}),
    ("torch_resnet.py", "pytorch", {}),
    ("../../examples/inverted_residual.py", "pytorch", {"inp": 8, "oup": 16, "stride": 2}),
])
def test_code_as_found_in_the_wild(name, convention, values, tmp_path):
    """Code people copy (keras.applications, torchvision, tutorials), read by derive and run for real."""
    path = Path(__file__).resolve().parent / "data" / name
    source = path.read_text(encoding="utf-8")
    namespace: dict = {"__name__": "wild"}
    if convention == "keras":
        keras = need_keras()
        exec(compile(source, str(path), "exec"), namespace)  # our fixture, not user input
        inputs = keras.Input((values["H"], values["W"], values["C_in"]))
        model = keras.Model(inputs, namespace["_inverted_res_block"](inputs))
        expected = (model.count_params(), sum(math.prod(w.shape) for w in model.non_trainable_weights))
        got = derived(tmp_path, source, "keras", **values)
        assert (got["all"], got["non_trainable"]) == expected
    else:
        need_torch()
        exec(compile(source, str(path), "exec"), namespace)
        model = namespace["model"] if "model" in namespace else namespace["InvertedResidual"](8, 16, stride=2)
        expected = (sum(p.numel() for p in model.parameters()), sum(b.numel() for b in model.buffers()))
        got = derived(tmp_path, source, "pytorch", **values)
        assert (got["all"], got["buffers"]) == expected


@pytest.mark.frameworks
def test_long_pasted_network_is_read_whole(tmp_path):
    """Code that writes out more layers than a loop may make (2,000) is read whole: 2,500 modules."""
    from helpers.frameworks import need_torch

    units = ["nn.Conv2d(8, 8, 3, padding=1, bias=False)", "nn.BatchNorm2d(8)", "nn.ReLU()"] * 834
    code = "import torch.nn as nn\n\nmodel = nn.Sequential(\n    nn.Conv2d(3, 8, 1),\n" + \
        "".join(f"    {unit},\n" for unit in units[:2499]) + ")\n"
    path = tmp_path / "long.py"
    path.write_text(code)
    d = derive.show(str(path), convention="pytorch")
    torch = need_torch()
    scope: dict = {"nn": torch.nn}
    exec(compile(code, "long.py", "exec"), scope)  # our own generated code, run to count it with PyTorch
    model = scope["model"]
    assert len(d.layers) == 2500
    assert d.total["all"].value == sum(p.numel() for p in model.parameters())
    assert d.total["buffers"].value == sum(b.numel() for b in model.buffers())
