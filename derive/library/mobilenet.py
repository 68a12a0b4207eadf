"""MobileNet blocks as published: no bias in the convolutions, batch norm after each (unless `bias`)."""

from __future__ import annotations

from typing import Mapping

from ..blocks import INPUT, Block, Condition, Node
from ..layers import Activation, Add, BatchNorm, Conv2D, DepthwiseConv2D, Shape
from ..symbols import SymbolTable, sym


def mobilenetv2_block(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    """Expand (1×1, t·C_in, only when t ≠ 1), depthwise (k×k, stride s), project (1×1, C_out, linear);
    the input is added back when s = 1 and C_in = C_out."""
    C_in, t, C_out, k, s, H, W = (sym(n) for n in ("C_in", "t", "C_out", "k", "s", "H", "W"))
    bias = bool(options["bias"])
    expands = Condition.where(t, "≠", 1)
    nodes = (
        Node("expand", Conv2D(t * C_in, 1, bias=bias), "expand", condition=expands),
        Node("expand_bn", BatchNorm(), "expand", condition=expands),
        Node("expand_relu6", Activation("relu6"), "expand", condition=expands),
        Node("depthwise", DepthwiseConv2D(k, s, bias=bias), "depthwise"),
        Node("depthwise_bn", BatchNorm(), "depthwise"),
        Node("depthwise_relu6", Activation("relu6"), "depthwise"),
        Node("project", Conv2D(C_out, 1, bias=bias), "project"),
        Node("project_bn", BatchNorm(), "project"),
        Node("add", Add(), None, ("project_bn", INPUT), Condition.where(s, "=", 1) & Condition.where(C_in, "=", C_out)),
    )
    return Block(symbols=symbols, input=Shape(C_in, (H, W)), nodes=nodes, options=options, **meta)


def mobilenetv1_block(symbols: SymbolTable, options: Mapping[str, bool], **meta) -> Block:
    """Depthwise (k×k, stride s) and pointwise (1×1, C_out), each followed by batch norm and ReLU."""
    C_in, C_out, k, s, H, W = (sym(n) for n in ("C_in", "C_out", "k", "s", "H", "W"))
    bias = bool(options["bias"])
    nodes = (
        Node("depthwise", DepthwiseConv2D(k, s, bias=bias), "depthwise"),
        Node("depthwise_bn", BatchNorm(), "depthwise"),
        Node("depthwise_relu", Activation("relu"), "depthwise"),
        Node("pointwise", Conv2D(C_out, 1, bias=bias), "pointwise"),
        Node("pointwise_bn", BatchNorm(), "pointwise"),
        Node("pointwise_relu", Activation("relu"), "pointwise"),
    )
    return Block(symbols=symbols, input=Shape(C_in, (H, W)), nodes=nodes, options=options, **meta)
