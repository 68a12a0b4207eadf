"""How a reference implementation calls each layer, which changes what ptflops and thop see.

ptflops (pytorch backend) hooks `nn.Module`s and also patches a few `torch.nn.functional` functions
(`F.relu`, `F.gelu`, `F.elu`, `F.prelu`, `F.relu6`, `F.silu`, `F.softmax`, the poolings, ...) for as long
as it counts; thop hooks modules only. So a layer is one of three forms:

* `module`: an `nn.Module` called as such (`nn.ReLU()`, `nn.AdaptiveAvgPool2d(1)`): its hook fires, and
  where its `forward` calls a patched function (nn.ReLU calls `F.relu`), ptflops counts that call too;
* `functional`: a `torch.nn.functional` function looked up when called (torchvision's MobileNetV2 pools
  with `nn.functional.adaptive_avg_pool2d(x, (1, 1))`): ptflops counts it once, thop not at all;
* `bound`: a function the module took hold of before any patching (`nn.TransformerEncoderLayer` keeps
  `F.relu` as `self.activation` from its default argument): neither tool sees it;
* `subclass`: a module of a class derived from the one the tools know (torchvision's `LayerNorm2d`):
  both look their rules up by the exact type, and count nothing for it.

Layers are modules unless the target's reference implementation says otherwise (`REFERENCE`: derive's
library networks after torchvision's code and PyTorch's own layers). A learned table added to a sequence
(`added_table`) is counted only where derive knows it is a bare `nn.Parameter` (`parameter`: ViT's position
embedding), not an `nn.Embedding` whose lookup some tools count (BERT's, GPT-2's in `transformers`).
"""

from __future__ import annotations

from typing import Callable

from ..derivation import Derivation, LayerRow
from ..layers import Layer

MODULE, FUNCTIONAL, BOUND = "module", "functional", "bound"
PARAMETER = "parameter"  # a learned table kept as a bare nn.Parameter and added with `+` (not an nn.Embedding)
SUBCLASS = "subclass"  # a subclass of the nn module (torchvision's LayerNorm2d(nn.LayerNorm)): ptflops and thop
# look their rules up by the exact type, so they count nothing for it; fvcore and torchinfo count it as the module

# target -> ((op, the rows' name prefixes or None for every row of that op, form), ...): where the reference
# implementation does not call the plain module
REFERENCE = {
    # torchvision.models.mobilenetv2.MobileNetV2._forward_impl: nn.functional.adaptive_avg_pool2d(x, (1, 1))
    "mobilenetv2": (("global_pool2d", None, FUNCTIONAL),),
    # torch.nn.TransformerEncoderLayer(activation=F.relu): the function held as self.activation
    "transformer-encoder": (("activation", None, BOUND),),
    # torchvision.models.vision_transformer.Encoder: `input + self.pos_embedding`, an nn.Parameter
    "vit-b16": (("added_table", None, PARAMETER),),
    # torchvision.models.convnext: the stem's, the downsampling layers' and the head's norms are LayerNorm2d
    "convnext-t": (("layer_norm", ("stem.", "downsample", "classifier."), SUBCLASS),),
}


def of(d: Derivation) -> Callable[[LayerRow, Layer], str]:
    """The form of each row of `d` (a function of the row and its core layer)."""
    rules = REFERENCE.get(d.target, ())

    def form(row: LayerRow, layer: Layer) -> str:
        for op, prefixes, chosen in rules:
            if row.op == op and (prefixes is None or row.name.startswith(prefixes)):
                return chosen
        return MODULE

    return form
