"""Every count against the frameworks themselves: build the same layers in PyTorch and Keras 3 and
compare each convention's figures, the output shapes, and the multiply-accumulates.

Nothing here is worked out by hand: the expected numbers come from `model.parameters()`,
`model.buffers()`, `model.count_params()`, the trainable / non-trainable weights, real forward
passes, and (for MACs) each convolution's and dense layer's weight size times the positions it
was applied at, read off PyTorch's forward hooks.
"""

from __future__ import annotations

import math
import random

import pytest
import sympy

import derive
from derive.blocks import INPUT, Block, Node
from derive.derivation import derive as run_derivation
from derive.layers import (Activation, Add, BatchNorm, Conv2D, Dense, DepthwiseConv2D, Dropout, Flatten,
                           GlobalPool2D, GroupNorm, LayerNorm, Pool2D, SeparableConv2D, Shape)
from derive.symbols import SymbolTable
from helpers.frameworks import (NotApplicable, build_torch_sequence, keras_counts, mobilenetv1_block,
                                mobilenetv2_block, need_torch, normalise, torch_counts)

pytestmark = pytest.mark.frameworks
CONVENTIONS = ("paper", "pytorch", "keras")


def to_layer(description: dict):
    """The harness's framework-neutral description as a derive layer."""
    d = normalise(description)
    op = d["op"]
    if op == "conv2d":
        return Conv2D(d["filters"], d["kernel"], d["stride"], d["padding"], d["dilation"], d["groups"], d["bias"])
    if op == "depthwise_conv2d":
        return DepthwiseConv2D(d["kernel"], d["stride"], d["padding"], d["dilation"], d["multiplier"], d["bias"])
    if op == "separable_conv2d":
        return SeparableConv2D(d["filters"], d["kernel"], d["stride"], d["padding"], d["dilation"],
                               d["multiplier"], d["bias"])
    if op == "dense":
        return Dense(d["units"], d["bias"])
    if op == "batch_norm":
        return BatchNorm(d["center"], d["scale"], d["track_running_stats"])
    if op == "layer_norm":
        return LayerNorm(d["center"], d["scale"])
    if op == "group_norm":
        return GroupNorm(d["groups"], d["affine"], d["affine"])
    if op == "activation":
        return Activation(d["name"])
    if op in ("max_pool2d", "avg_pool2d"):
        return Pool2D(op[:3], d["pool"], d["stride"], d["padding"])
    if op in ("global_avg_pool2d", "global_max_pool2d"):
        return GlobalPool2D(op[7:10])
    if op == "dropout":
        return Dropout(sympy.Rational(str(d["rate"])))
    if op == "flatten":
        return Flatten()
    raise AssertionError(op)


def sequence_block(layers: list[dict], in_shape: tuple[int, int, int], residual: bool) -> Block:
    h, w, c = (sympy.Integer(v) for v in in_shape)
    nodes = [Node(f"layer{i}", to_layer(layer)) for i, layer in enumerate(layers)]
    if residual:
        nodes.append(Node("add", Add(), inputs=(nodes[-1].name, INPUT)))
    return Block("sequence", "sequence", SymbolTable.of(["C_in", "H", "W"]), Shape(c, (h, w)), tuple(nodes))


def torch_macs(layers: list[dict], in_shape, residual: bool) -> int:
    """Weight size × positions applied, for every Conv2d and Linear, read off a real forward pass."""
    torch = need_torch()
    model = build_torch_sequence(layers, in_shape, residual)
    total = 0

    def hook(module, _inputs, output):
        nonlocal total
        positions = math.prod(output.shape[2:]) if isinstance(module, torch.nn.Conv2d) else math.prod(output.shape[1:-1])
        total += module.weight.numel() * positions

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        model(torch.zeros((1, in_shape[2], in_shape[0], in_shape[1])))
    for handle in handles:
        handle.remove()
    return total


def check(derivations: dict, layers: list[dict], in_shape, residual: bool) -> None:
    """Each convention's figures, shapes and MACs against what the frameworks report."""
    paper, pytorch, keras = (derivations[c] for c in CONVENTIONS)
    try:
        torch_report = torch_counts(layers, in_shape, residual)
    except NotApplicable:
        torch_report = None
    try:
        keras_report = keras_counts(layers, in_shape, residual)
    except NotApplicable:
        keras_report = None
    assert torch_report or keras_report
    shapes = [tuple(int(d) for d in row.shape) for row in paper.layers if row.op != "add"]
    if torch_report:
        assert pytorch.total["all"].value == torch_report["parameters"]
        assert pytorch.total["trainable"].value == torch_report["trainable"]
        assert pytorch.total["buffers"].value == torch_report["buffers"]
        assert paper.total["all"].value == torch_report["parameters"]
        assert shapes == [tuple(s) for s in torch_report["layer_outputs"]]
        assert paper.total["macs"].value == torch_macs(layers, in_shape, residual)
    if keras_report:
        assert keras.total["all"].value == keras_report["total"]
        assert keras.total["trainable"].value == keras_report["trainable"]
        assert keras.total["non_trainable"].value == keras_report["non_trainable"]
        assert paper.total["all"].value == keras_report["trainable"]
        assert shapes == [tuple(s) for s in keras_report["layer_outputs"]]


# -- the built-in blocks, at random sizes ---------------------------------------------------------
def block_cases(n: int, seed: int):
    rng = random.Random(seed)
    for _ in range(n):
        c_in = rng.randint(1, 24)
        yield {
            "C_in": c_in,
            "t": rng.choice([1, 1, 2, 3, 4, 6]),
            "C_out": c_in if rng.random() < 0.35 else rng.randint(1, 24),
            "k": rng.choice([1, 3, 3, 5, 7]),
            "s": rng.choice([1, 1, 2]),
            "H": rng.randint(3, 17),
            "W": rng.randint(3, 17),
            "bias": rng.random() < 0.4,
        }


@pytest.mark.parametrize("case", list(block_cases(60, seed=2)), ids=lambda c: "-".join(f"{k}{v}" for k, v in c.items()))
def test_mobilenetv2_block_matches_frameworks(case):
    sizes = {k: v for k, v in case.items() if k != "bias"}
    derivations = {c: derive.show("mobilenetv2-block", convention=c, options={"bias": case["bias"]}, **sizes)
                   for c in CONVENTIONS}
    layers, residual = mobilenetv2_block(case["C_in"], case["t"], case["C_out"], case["k"], case["s"], case["bias"])
    check(derivations, layers, (case["H"], case["W"], case["C_in"]), residual)
    assert any(row.op == "add" for row in derivations["paper"].layers) == residual
    assert any(row.part == "expand" for row in derivations["paper"].layers) == (case["t"] != 1)


@pytest.mark.parametrize("case", list(block_cases(20, seed=3)), ids=lambda c: "-".join(f"{k}{v}" for k, v in c.items()))
def test_mobilenetv1_block_matches_frameworks(case):
    sizes = {k: case[k] for k in ("C_in", "C_out", "k", "s", "H", "W")}
    derivations = {c: derive.show("mobilenetv1-block", convention=c, options={"bias": case["bias"]}, **sizes)
                   for c in CONVENTIONS}
    layers, residual = mobilenetv1_block(case["C_in"], case["C_out"], case["k"], case["s"], case["bias"])
    check(derivations, layers, (case["H"], case["W"], case["C_in"]), residual)


# -- every layer kind, alone and in sequences -----------------------------------------------------
def random_layer(rng: random.Random, op: str, channels: int) -> dict:
    k = rng.choice([1, 2, 3, 5])
    s = rng.choice([1, 1, 2, 3])
    d = rng.choice([1, 1, 2]) if s == 1 else 1
    padding = rng.choice(["same", "valid", (rng.randint(0, k // 2), rng.randint(0, k // 2))])
    bias = rng.random() < 0.5
    if op == "conv2d":
        groups = rng.choice([g for g in (1, 2, 3, channels) if channels % g == 0])
        filters = groups * rng.randint(1, 6)
        return {"op": op, "filters": filters, "kernel": (k, rng.choice([k, 1, 3])), "stride": (s, s),
                "padding": padding, "dilation": (d, d), "groups": groups, "bias": bias}
    if op == "depthwise_conv2d":
        return {"op": op, "kernel": (k, k), "stride": (s, s), "padding": padding, "dilation": (d, d),
                "multiplier": rng.choice([1, 1, 2, 3]), "bias": bias}
    if op == "separable_conv2d":
        return {"op": op, "filters": rng.randint(1, 12), "kernel": (k, k), "stride": (s, s),
                "padding": rng.choice(["same", "valid"]), "dilation": (d, d),
                "multiplier": rng.choice([1, 2]), "bias": bias}
    if op == "dense":
        return {"op": op, "units": rng.randint(1, 20), "bias": bias}
    if op == "batch_norm":
        both = rng.random() < 0.7
        center = rng.random() < 0.5
        return {"op": op, "center": both or center, "scale": both or not center,
                "track_running_stats": rng.random() < 0.85}
    if op == "layer_norm":
        return {"op": op, "center": rng.random() < 0.8, "scale": True}
    if op == "group_norm":
        return {"op": op, "groups": rng.choice([g for g in (1, 2, 3, channels) if channels % g == 0]),
                "affine": rng.random() < 0.8}
    if op == "activation":
        return {"op": op, "name": rng.choice(["relu", "relu6", "sigmoid", "swish", "hard_swish", "gelu", "tanh"])}
    if op in ("max_pool2d", "avg_pool2d"):
        pool = rng.choice([2, 3])
        return {"op": op, "pool": (pool, pool), "stride": rng.choice([None, (1, 1), (2, 2)]),
                "padding": rng.choice(["valid", "same", (pool // 2, pool // 2)])}
    if op == "dropout":
        return {"op": op, "rate": rng.choice([0.1, 0.5])}
    return {"op": op}


IMAGE_OPS = ["conv2d", "depthwise_conv2d", "separable_conv2d", "dense", "batch_norm", "layer_norm", "group_norm",
             "activation", "max_pool2d", "avg_pool2d", "dropout"]


def layer_cases(n: int, seed: int):
    rng = random.Random(seed)
    for i in range(n):
        channels = rng.choice([1, 2, 3, 4, 6, 8, 12])
        h, w = rng.randint(6, 20), rng.randint(6, 20)
        op = IMAGE_OPS[i % len(IMAGE_OPS)]
        layers = [random_layer(rng, op, channels)]
        if rng.random() < 0.5:  # end as a vector: flatten or global pooling, then a dense head
            layers.append({"op": rng.choice(["flatten", "global_avg_pool2d", "global_max_pool2d"])})
            layers.append({"op": "dense", "units": rng.randint(1, 10), "bias": rng.random() < 0.5})
        yield layers, (h, w, channels)


@pytest.mark.parametrize("layers,in_shape", list(layer_cases(66, seed=5)))
def test_layer_matches_frameworks(layers, in_shape):
    block = sequence_block(layers, in_shape, residual=False)
    derivations = {c: run_derivation(block, c, {}) for c in CONVENTIONS}
    check(derivations, layers, in_shape, residual=False)


# -- branches: two convolutions of the same input, concatenated, then a 1×1 convolution -----------
@pytest.mark.parametrize("c_in,a,b,out,bias", [(3, 4, 5, 6, True), (8, 16, 8, 4, False), (1, 2, 2, 3, True)])
def test_concatenated_branches_match_frameworks(c_in, a, b, out, bias):
    from derive.layers import Concatenate
    from helpers.frameworks import need_keras

    h = w = 9
    nodes = (Node("left", Conv2D(a, 3, padding="same", bias=bias), inputs=(INPUT,)),
             Node("right", Conv2D(b, 1, bias=bias), inputs=(INPUT,)),
             Node("join", Concatenate(), inputs=("left", "right")),
             Node("mix", Conv2D(out, 1, bias=bias)),
             Node("bn", BatchNorm()))
    block = Block("branches", "branches", SymbolTable.of(["C_in", "H", "W"]),
                  Shape(sympy.Integer(c_in), (sympy.Integer(h), sympy.Integer(w))), nodes)
    keras_d, torch_d = run_derivation(block, "keras", {}), run_derivation(block, "pytorch", {})

    keras = need_keras()
    inputs = keras.Input(shape=(h, w, c_in))
    joined = keras.layers.Concatenate()([keras.layers.Conv2D(a, 3, padding="same", use_bias=bias)(inputs),
                                         keras.layers.Conv2D(b, 1, use_bias=bias)(inputs)])
    output = keras.layers.BatchNormalization()(keras.layers.Conv2D(out, 1, use_bias=bias)(joined))
    model = keras.Model(inputs, output)
    assert keras_d.total["all"].value == model.count_params()
    assert keras_d.total["non_trainable"].value == sum(int(math.prod(w.shape)) for w in model.non_trainable_weights)
    assert tuple(int(d) for d in keras_d.layers[-1].shape) == tuple(model.output_shape[1:])

    torch = need_torch()

    class Branches(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.left = torch.nn.Conv2d(c_in, a, 3, padding=1, bias=bias)
            self.right = torch.nn.Conv2d(c_in, b, 1, bias=bias)
            self.mix = torch.nn.Conv2d(a + b, out, 1, bias=bias)
            self.bn = torch.nn.BatchNorm2d(out)

        def forward(self, x):
            return self.bn(self.mix(torch.cat([self.left(x), self.right(x)], dim=1)))

    module = Branches()
    assert torch_d.total["all"].value == sum(p.numel() for p in module.parameters())
    assert torch_d.total["buffers"].value == sum(b.numel() for b in module.buffers())
    with torch.no_grad():
        result = module(torch.zeros(1, c_in, h, w))
    assert tuple(int(d) for d in torch_d.layers[-1].shape) == (*result.shape[2:], result.shape[1])
