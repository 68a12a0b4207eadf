"""Random attention programs (tests/helpers/codegen_attention.py), read by derive and run for real:
Keras `MultiHeadAttention` scripts and PyTorch modules with `nn.MultiheadAttention` and the
transformer modules. For each: the parameters under every convention, the output shape, and the
multiply-accumulates, the projections and attention's matrix products apart, as the frameworks'
own flop counter measures them on a forward pass."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers.codegen_attention import (
    keras_attention,
    measure_keras,
    measure_torch,
    torch_attention,
)
from helpers.frameworks import need_keras, need_torch

import derive

pytestmark = pytest.mark.frameworks
PROGRAMS = int(os.environ.get("DERIVE_ATTENTION_PROGRAMS", "16"))  # per framework: 32 a run by default
SEED = int(os.environ.get("DERIVE_SEED", "13"))


def run(source: str):
    namespace: dict = {"__name__": "generated"}
    exec(compile(source, "<generated>", "exec"), namespace)  # our own generated code, not user input
    return namespace["model"]


def derived(tmp_path: Path, source: str, convention: str, values: dict):
    path = tmp_path / "attention.py"
    path.write_text(source, encoding="utf-8")
    return derive.show(str(path), convention=convention, **values)


def figures(d) -> dict:
    return {key: count.value for key, count in d.total.items()}


@pytest.mark.parametrize("seed", range(SEED * 1000, SEED * 1000 + PROGRAMS))
def test_random_keras_attention_program(seed, tmp_path):
    need_keras()
    program = keras_attention(seed)
    real = measure_keras(run(program.source), program.inputs)
    d = derived(tmp_path, program.source, "keras", program.values)
    got = figures(d)
    assert (got["all"], got["trainable"], got["non_trainable"]) == (
        real["total"], real["trainable"], real["non_trainable"]), program.source
    assert figures(derived(tmp_path, program.source, "paper", program.values))["all"] == real["trainable"]
    assert figures(derived(tmp_path, program.source, "pytorch", program.values))["all"] == real["total"]
    assert tuple(int(v) for v in d.layers[-1].shape) == real["shape"], program.source
    assert got["macs"] == real["projection_macs"], program.source
    assert got["macs"] + got["attention_macs"] == real["all_macs"], program.source


@pytest.mark.parametrize("seed", range(SEED * 1000, SEED * 1000 + PROGRAMS))
def test_random_torch_attention_program(seed, tmp_path):
    need_torch()
    program = torch_attention(seed)
    real = measure_torch(run(program.source), program.inputs)
    d = derived(tmp_path, program.source, "pytorch", program.values)
    got = figures(d)
    assert (got["all"], got["buffers"]) == (real["parameters"], real["buffers"]), program.source
    assert figures(derived(tmp_path, program.source, "keras", program.values))["all"] == real["parameters"]
    assert figures(derived(tmp_path, program.source, "paper", program.values))["all"] == real["parameters"]
    assert tuple(int(v) for v in d.layers[-1].shape) == real["shape"], program.source
    assert (got["macs"], got["attention_macs"]) == (real["projection_macs"], real["attention_macs"]), program.source
    assert not real["other"], real["other"]  # nothing else the counter saw
