"""What the library's blocks share: emitting a block's nodes alone or as one block inside a network.

Every block of the library is written once, as a function that emits its nodes through an `Emit`:
alone (`derive show mbconv`) its nodes keep their own part names (`expand`, `depthwise`, ...) and read
the block's input; inside a network (`derive show efficientnet-b0`) the same nodes get a name prefix
(`stage2.1.`), the stage as their part, the previous block's output as their input, and a repeat count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..blocks import INPUT, Condition, Node
from ..layers import Activation, BatchNorm, Layer

IN = "<block input>"  # stands for the block's input in `Emit.__call__`'s inputs


@dataclass
class Emit:
    prefix: str = ""
    src: str = INPUT  # the node whose output is this block's input
    part: str | None = None  # the stage (inside a network); None: each node's own part
    repeat: object = 1  # an int, or a formula in the symbols (`n_3 − 1`)
    nodes: list[Node] = field(default_factory=list)
    when: Condition | None = None  # a condition on every node (the copies of a stage of n_3 blocks: n_3 ≠ 1)

    def __call__(self, name: str, layer: Layer, part: str | None, *inputs: str,
                 when: Condition | None = None) -> None:
        wired = tuple(self.src if i == IN else self.prefix + i for i in inputs)
        if self.when is not None:
            when = self.when if when is None else self.when & when
        self.nodes.append(Node(self.prefix + name, layer, part if self.part is None else self.part, wired, when,
                               self.repeat))

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(node.name for node in self.nodes)


def conv_bn(e: Emit, name: str, conv: Layer, part: str | None, activation: str | None = None,
            inputs: tuple[str, ...] = (), when: Condition | None = None) -> None:
    """A convolution (reading `inputs`, the previous node by default), its batch norm (`NAME_bn`) and,
    if given, its activation (`NAME_<activation>`)."""
    e(name, conv, part, *inputs, when=when)
    e(f"{name}_bn", BatchNorm(), part, when=when)
    if activation is not None:
        e(f"{name}_{activation}", Activation(activation), part, when=when)


def residual(C_in, C_out, s) -> Condition:
    """The identity shortcut exists when the block keeps the shape: s = 1 and C_in = C_out."""
    return Condition.where(s, "=", 1) & Condition.where(C_in, "=", C_out)


def projection(C_in, C_out, s) -> Condition:
    """A projection shortcut where the identity cannot be: s ≠ 1 or C_in ≠ C_out."""
    return Condition.where(s, "≠", 1) | Condition.where(C_in, "≠", C_out)
