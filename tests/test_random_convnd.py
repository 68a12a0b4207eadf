"""Random programs of any rank (sequences, images, volumes), in Keras and PyTorch, against the frameworks.

`helpers/codegen_convnd.py` writes seeded random code from the kinds of issue 13's "images and volumes":
1-D, 2-D and 3-D convolutions (grouped, dilated, strided, every padding), depthwise and separable ones,
transposed convolutions (output_padding, groups, dilation), pooling of every rank, global and adaptive
pooling, upsampling, pixel shuffle, cropping, zero padding, reshape, permute, RepeatVector, nn.Unflatten,
Dense and Flatten on any rank, channels_first. Each candidate layer is kept only if the framework itself
builds it, so every program runs. derive reads the text; every convention's figures, each layer's output
shape and the multiply-accumulates must be what Keras or PyTorch give.
"""

from __future__ import annotations

import os

import pytest

from helpers.codegen_convnd import check_keras, check_torch, random_keras, random_torch, torch_values

pytestmark = pytest.mark.frameworks
CASES = int(os.environ.get("DERIVE_CONVND_CASES", "30"))  # per framework: 60 programs a run by default


@pytest.mark.parametrize("seed", range(CASES))
def test_random_keras_program(seed, tmp_path):
    check_keras(tmp_path, random_keras(seed))


@pytest.mark.parametrize("seed", range(CASES))
def test_random_torch_program(seed, tmp_path):
    source, shape = random_torch(seed)
    check_torch(tmp_path, source, shape, torch_values(shape))
