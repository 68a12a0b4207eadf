"""Memory against the real thing (derive/memory.py): parameter bytes per dtype against the PyTorch model
cast to that dtype, Adam's training state after a real `optimizer.step()`, and the activations against
torchinfo's `summary()` (its `ModelStatistics.total_output_bytes`, the "Forward/backward pass size"), at
B = 1 and B = 32. The models are torchvision's MobileNetV2 and ResNet-50 and `nn.TransformerEncoderLayer`."""

from __future__ import annotations

import copy
from functools import cache

import pytest

import derive
from derive.memory import memory
from derive.symbols import sym
from helpers.frameworks import need, need_torch
from helpers.reference_models import torch_transformer_encoder, torchvision_model

DTYPES = ("fp32", "fp16", "bf16", "int8")
NETWORKS = [  # (derive name, options, torchvision builder)
    ("mobilenetv2", {}, "mobilenet_v2"),
    ("resnet50", {"stride_3x3": True}, "resnet50"),
]
ENCODER = {"d_model": 64, "heads": 4, "d_ff": 256, "L": 10}


@cache
def network(builder: str):
    return torchvision_model(builder)


@cache
def encoder():
    return torch_transformer_encoder(ENCODER["d_model"], ENCODER["heads"], ENCODER["d_ff"]).eval()


def models() -> list:
    return [*(pytest.param(name, options, builder, id=name) for name, options, builder in NETWORKS),
            pytest.param("transformer-encoder", {}, None, id="transformer-encoder")]


def _model(builder):
    return encoder() if builder is None else network(builder)


def _derived(name, options, B=1):
    sizes = ENCODER if name == "transformer-encoder" else {"H": 224, "W": 224}
    return derive.show(name, convention="pytorch", options=options, B=B, **{k: v for k, v in sizes.items()})


def _cast(model, dtype: str):
    torch = need_torch()
    if dtype == "int8":  # the weights alone as int8 (no scales): each tensor's elements, one byte each
        return [torch.zeros(p.shape, dtype=torch.int8) for p in model.parameters()]
    kind = {"fp32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}[dtype]
    return list(copy.deepcopy(model).to(kind).parameters())


@pytest.mark.frameworks
@pytest.mark.parametrize("name,options,builder", models())
def test_parameter_bytes_per_dtype_are_the_cast_models(name, options, builder):
    m = memory(_derived(name, options))
    for dtype in DTYPES:
        assert m.parameters[dtype].value == sum(p.numel() * p.element_size() for p in _cast(_model(builder), dtype)), dtype


@pytest.mark.frameworks
@pytest.mark.parametrize("name,options,builder", models())
def test_training_with_adam_is_weights_gradients_moments_and_buffers(name, options, builder):
    """One real step of `torch.optim.Adam`: the weights, their gradients, its exp_avg and exp_avg_sq, and the
    buffers (running statistics fp32, num_batches_tracked int64), in bytes."""
    torch = need_torch()
    model = copy.deepcopy(_model(builder)).train()
    optimizer = torch.optim.Adam(model.parameters())
    shape = (2, ENCODER["L"], ENCODER["d_model"]) if builder is None else (2, 3, 64, 64)
    model(torch.randn(shape)).sum().backward()
    optimizer.step()
    nbytes = lambda t: t.numel() * t.element_size()  # noqa: E731
    weights = sum(nbytes(p) for p in model.parameters())
    gradients = sum(nbytes(p.grad) for p in model.parameters() if p.grad is not None)
    moments = sum(nbytes(state[key]) for state in optimizer.state.values() for key in ("exp_avg", "exp_avg_sq"))
    buffers = sum(nbytes(b) for b in model.buffers())
    assert gradients == weights and moments == 2 * weights  # every parameter trained here
    assert memory(_derived(name, options)).training.value == weights + gradients + moments + buffers


@cache
def _torchinfo(builder: str, B: int) -> int:
    torchinfo = need("torchinfo")
    stats = torchinfo.summary(network(builder), input_size=(B, 3, 224, 224), verbose=0)
    return stats.total_output_bytes


@pytest.mark.frameworks
@pytest.mark.parametrize("B", [1, 32])
@pytest.mark.parametrize("name,options,builder", NETWORKS, ids=[n[0] for n in NETWORKS])
def test_activations_are_torchinfos_forward_backward_pass_size(name, options, builder, B):
    d = _derived(name, options, B)
    m = memory(d)
    assert m.activations.value == _torchinfo(builder, B)
    assert sum(count.value * row.repeat for count, row in zip(m.layers, d.layers)) == m.activations.value
    # the formula is in H, W and B, and with their values put in it is the figure torchinfo gives
    formula = m.activations.formula
    assert {"H", "W", "B"} <= {s.name for s in formula.free_symbols}
    assert formula.xreplace({**d.substitution, sym("B"): B}) == m.activations.value


def _hooked_activations(model, x) -> int:
    """2 · the bytes of the output of every module that holds parameters of its own, in a forward pass."""
    torch = need_torch()
    total = 0

    def hook(module, inputs, output):
        nonlocal total
        out = output[0] if isinstance(output, tuple) else output
        total += 2 * out.numel() * out.element_size()

    handles = [m.register_forward_hook(hook) for m in model.modules() if any(True for _ in m.parameters(recurse=False))]
    with torch.no_grad():
        model(x)
    for handle in handles:
        handle.remove()
    return total


@pytest.mark.frameworks
@pytest.mark.parametrize("B", [1, 32])
def test_transformer_activations_and_torchinfos_relation(B):
    """torchinfo counts the outputs of leaf modules only: `nn.MultiheadAttention` has a child (`out_proj`,
    never called as a module), so its output is not in torchinfo's figure. derive counts it, as it counts
    every layer's with parameters (measured with forward hooks); the difference is that one output."""
    torch, torchinfo = need_torch(), need("torchinfo")
    model = encoder()
    L, d_model = ENCODER["L"], ENCODER["d_model"]
    x = torch.zeros((B, L, d_model))
    derived = memory(_derived("transformer-encoder", {}, B)).activations.value
    assert derived == _hooked_activations(model, x)
    attention_output = 2 * 4 * B * L * d_model
    stats = torchinfo.summary(model, input_data=x, verbose=0)
    assert stats.total_output_bytes == derived - attention_output


def test_batch_changes_no_parameter_or_mac_figure():
    one, many = derive.show("mobilenetv2"), derive.show("mobilenetv2", B=32)
    for key in ("all", "trainable", "non_trainable", "buffers", "macs"):
        assert one.total[key].value == many.total[key].value
    assert one.values == many.values and "B" not in one.values
    assert memory(many).activations.value == 32 * memory(one).activations.value
    assert memory(many).parameters["fp32"].value == memory(one).parameters["fp32"].value


def test_batch_unbound_leaves_the_activations_a_formula_in_it():
    d = derive.show("mobilenetv2-block", C_in=3, t=6, C_out=3)
    m = memory(d)
    assert m.activations.value is None and m.parameters["fp32"].value == 4 * d.total["all"].value
    bound = memory(derive.show("mobilenetv2-block", C_in=3, t=6, C_out=3, H=8, W=8, B=5))
    assert bound.activations.value is not None and bound.batch == 5


def test_json_memory_section_and_batch_on_the_command_line(capsys):
    """`--set B=32` binds the batch: JSON's memory says so, its sizes do not list B, and the layers' activations
    (times the copies a row stands for) add up to the total."""
    import json

    from derive.cli import main

    main(["show", "mobilenetv2", "--set", "B=32", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    memory_ = data["memory"]
    assert memory_["batch"] == {"symbol": "B", "value": 32}
    assert "B" not in data["values"] and "B" not in data["symbols"]
    assert memory_["parameters"]["fp32"]["value"] == 4 * data["total"]["all"]["value"]
    assert memory_["parameters"]["int8"]["value"] == data["total"]["all"]["value"]
    layers = sum(layer["activations"]["value"] * layer["repeat"] for layer in data["layers"])
    assert layers == memory_["activations"]["value"] > 0
    assert main(["show", "mobilenetv2", "--set", "B=0"]) == 2  # a batch size is a positive integer
    assert "--set B: B (batch size) must be a positive integer" in capsys.readouterr().err
