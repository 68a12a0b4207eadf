"""Seeded random programs of norms, PReLU, rescaling, Lambda, element-wise joins and activations, in
Keras and in PyTorch, each read by derive and run by its framework (`helpers/codegen_norms.py`): every
convention's figures, the output shape and (PyTorch) the multiply-accumulates must be the framework's.
Keras inputs are images, vectors, sequences and volumes; PyTorch ones sequences, images and volumes.
20 Keras and 20 PyTorch programs a run; `DERIVE_RANDOM_SEED` picks another seed (the default is fixed,
so a failure is repeatable)."""

from __future__ import annotations

import os
import random

import pytest
from helpers.codegen_norms import (
    check_keras,
    check_torch,
    derived,
    figures,
    keras_truth,
    random_keras,
    random_torch,
    torch_truth,
)

pytestmark = pytest.mark.frameworks

SEED = int(os.environ.get("DERIVE_RANDOM_SEED", "1313"))
PROGRAMS = 20


def keras_programs():
    rng = random.Random(SEED)
    return [random_keras(rng) for _ in range(PROGRAMS)]


def torch_programs():
    rng = random.Random(SEED + 1)
    return [random_torch(rng) for _ in range(PROGRAMS)]


@pytest.mark.parametrize("code, sizes", keras_programs(), ids=[f"keras{i}" for i in range(PROGRAMS)])
def test_a_random_keras_program(tmp_path, code, sizes):
    got = figures(derived(tmp_path, code))
    truth = keras_truth(code)
    check_keras(got, truth)
    assert got["shape"] == truth["shape"], code


@pytest.mark.parametrize("code, input_shape, sizes", torch_programs(), ids=[f"torch{i}" for i in range(PROGRAMS)])
def test_a_random_torch_program(tmp_path, code, input_shape, sizes):
    got = figures(derived(tmp_path, code, **sizes))
    truth = torch_truth(code, input_shape)
    check_torch(got, truth)
    assert got["shape"] == truth["shape"], code


def test_the_programs_cover_every_layer_of_the_area():
    """The generator reaches every kind it is meant to (so a change to it cannot quietly narrow the test)."""
    keras_text = "".join(code for code, _ in keras_programs())
    torch_text = "".join(code for code, _, _ in torch_programs())
    for name in ("BatchNormalization", "LayerNormalization", "RMSNormalization", "GroupNormalization", "PReLU",
                 "Normalization", "Rescaling", "Lambda", "multiply", "Subtract", "keepdims=True"):
        assert name.lower() in keras_text.lower(), name
    for name in ("BatchNorm2d", "InstanceNorm2d", "LayerNorm", "RMSNorm", "GroupNorm", "PReLU", "Linear", "Conv1d",
                 "Conv3d"):
        assert name in torch_text, name
