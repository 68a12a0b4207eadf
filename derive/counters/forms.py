"""How a reference implementation calls each layer, which changes what ptflops and thop see.

ptflops (pytorch backend) hooks `nn.Module`s and also patches a few `torch.nn.functional` functions
(`F.relu`, `F.gelu`, `F.elu`, `F.prelu`, `F.relu6`, `F.silu`, `F.softmax`, the poolings, ...) for as long
as it counts; thop hooks modules only. So a layer is one of three forms:

* `module`: an `nn.Module` called as such (`nn.ReLU()`, `nn.AdaptiveAvgPool2d(1)`): its hook fires, and
  where its `forward` calls a patched function (nn.ReLU calls `F.relu`), ptflops counts that call too;
* `functional`: a `torch.nn.functional` function looked up when called (torchvision's MobileNetV2 pools
  with `nn.functional.adaptive_avg_pool2d(x, (1, 1))`): ptflops counts it once, thop not at all;
* `bound`: a function the module took hold of before any patching (`nn.TransformerEncoderLayer` keeps
  `F.relu` as `self.activation` from its default argument): neither tool sees it.

Layers are modules unless the target's reference implementation says otherwise (`REFERENCE`: derive's
library networks after torchvision's code and PyTorch's own layers).
"""

from __future__ import annotations

from typing import Callable

from ..derivation import Derivation, LayerRow
from ..layers import Layer

MODULE, FUNCTIONAL, BOUND = "module", "functional", "bound"

# target -> {op: form}: where the reference implementation does not call a module
REFERENCE = {
    # torchvision.models.mobilenetv2.MobileNetV2._forward_impl: nn.functional.adaptive_avg_pool2d(x, (1, 1))
    "mobilenetv2": {"global_pool2d": FUNCTIONAL},
    # torch.nn.TransformerEncoderLayer(activation=F.relu): the function held as self.activation
    "transformer-encoder": {"activation": BOUND},
}


def of(d: Derivation) -> Callable[[LayerRow, Layer], str]:
    """The form of each row of `d` (a function of the row and its core layer)."""
    table = REFERENCE.get(d.target, {})
    return lambda row, layer: table.get(row.op, MODULE)
