"""The library's blocks and networks built in the real frameworks, and what the frameworks report.

PyTorch: modules written here after torchvision's own code (torchvision cannot be installed beside
torch 2.13 here), the official ConvNeXt block and `nn.TransformerEncoderLayer` itself. Keras: the
functions keras.applications builds its networks with (`_inverted_res_block`, `block`,
`residual_block_v1`, `FusedMBConvBlock`, `ConvNeXtBlock`), the applications themselves with
`weights=None`, and plain Keras layers where keras.applications has no such block.

Nothing is counted by hand: parameters come from `model.parameters()` / `model.buffers()` and
`model.count_params()` / the (non-)trainable weights; multiply-accumulates are each convolution's,
dense layer's and attention projection's weight size times the positions it was applied at, read off
PyTorch forward hooks in a real forward pass, and off the output shapes of the Keras layers.
"""

from __future__ import annotations

import math
from functools import cache

from .frameworks import need_keras, need_torch


def make_divisible(v: float, divisor: int = 8) -> int:
    """torchvision's `_make_divisible` (and keras.applications' `_make_divisible` / `_depth`)."""
    new_v = max(divisor, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


# -- what the frameworks report ------------------------------------------------------------------
def torch_report(model, shape: tuple[int, ...]) -> dict:
    """Parameters, trainable parameters, buffers, output shape and MACs of a forward pass on `shape`
    (channels first, no batch axis)."""
    torch = need_torch()
    nn = torch.nn
    macs = 0

    def hook(module, inputs, output):
        nonlocal macs
        if isinstance(module, nn.Conv2d):
            macs += module.weight.numel() * math.prod(output.shape[2:])
        elif isinstance(module, nn.Linear):
            macs += module.weight.numel() * math.prod(output.shape[1:-1])
        elif isinstance(module, nn.MultiheadAttention):  # its projections run inside F.multi_head_attention_forward
            weights = (module.in_proj_weight.numel() if module.in_proj_weight is not None else
                       sum(getattr(module, f"{n}_proj_weight").numel() for n in "qkv"))
            macs += (weights + module.out_proj.weight.numel()) * math.prod(inputs[0].shape[1:-1])

    kinds = (nn.Conv2d, nn.Linear, nn.MultiheadAttention)
    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, kinds)
               and not isinstance(m, nn.modules.linear.NonDynamicallyQuantizableLinear)]
    model.eval()
    with torch.no_grad():
        out = model(torch.zeros((1, *shape)))
    for handle in handles:
        handle.remove()
    out = out[0] if isinstance(out, tuple) else out
    return {"parameters": sum(p.numel() for p in model.parameters()),
            "trainable": sum(p.numel() for p in model.parameters() if p.requires_grad),
            "buffers": sum(b.numel() for b in model.buffers()),
            "shape": tuple(out.shape[1:]), "macs": macs}


def _keras_layers(model):
    """The model's layers, those of a nested model (ConvNeXt's stem and downsampling `Sequential`s) in its place."""
    for layer in model.layers:
        yield from _keras_layers(layer) if hasattr(layer, "layers") else (layer,)


def keras_report(model) -> dict:
    """count_params, trainable, non-trainable, output shape and MACs (read off the layers' shapes)."""
    keras = need_keras()
    macs = 0
    for layer in _keras_layers(model):
        if isinstance(layer, (keras.layers.Conv2D, keras.layers.DepthwiseConv2D)):
            macs += math.prod(layer.kernel.shape) * math.prod(layer.output.shape[1:3])
        elif isinstance(layer, keras.layers.Dense):
            macs += math.prod(layer.kernel.shape) * math.prod(layer.output.shape[1:-1])
        elif isinstance(layer, keras.layers.MultiHeadAttention):
            kernels = sum(math.prod(w.shape) for w in layer.weights if w.path.endswith("kernel"))
            macs += kernels * math.prod(layer.output.shape[1:-1])
    return {"total": model.count_params(),
            "trainable": sum(math.prod(w.shape) for w in model.trainable_weights),
            "non_trainable": sum(math.prod(w.shape) for w in model.non_trainable_weights),
            "shape": tuple(model.output_shape[1:]), "macs": macs}


# -- PyTorch building blocks (after torchvision) --------------------------------------------------
def _conv_bn(cin: int, cout: int, k: int, s: int = 1, groups: int = 1, act=None, bias: bool = False):
    nn = need_torch().nn
    layers = [nn.Conv2d(cin, cout, k, s, (k - 1) // 2, groups=groups, bias=bias), nn.BatchNorm2d(cout)]
    return nn.Sequential(*layers, act()) if act is not None else nn.Sequential(*layers)


def _residual(body, use):
    nn = need_torch().nn

    class Residual(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = body

        def forward(self, x):
            return x + self.body(x) if use else self.body(x)

    return Residual()


def _squeeze_excitation(channels: int, squeezed: int, inner, gate):
    """torchvision's SqueezeExcitation: pool, 1×1 conv (biased), inner activation, 1×1 conv, gate, scale."""
    nn = need_torch().nn

    class SqueezeExcitation(nn.Module):
        def __init__(self):
            super().__init__()
            self.pool = nn.AdaptiveAvgPool2d(1)
            self.fc1 = nn.Conv2d(channels, squeezed, 1)
            self.fc2 = nn.Conv2d(squeezed, channels, 1)
            self.inner, self.gate = inner(), gate()

        def forward(self, x):
            return x * self.gate(self.fc2(self.inner(self.fc1(self.pool(x)))))

    return SqueezeExcitation()


def torch_mobilenetv2_block(c_in, t, c_out, k=3, s=1, bias=False):
    nn = need_torch().nn
    hidden = c_in * t
    layers = [] if t == 1 else [_conv_bn(c_in, hidden, 1, act=nn.ReLU6, bias=bias)]
    layers += [_conv_bn(hidden, hidden, k, s, groups=hidden, act=nn.ReLU6, bias=bias), _conv_bn(hidden, c_out, 1, bias=bias)]
    return _residual(nn.Sequential(*layers), s == 1 and c_in == c_out)


def torch_mobilenetv1_block(c_in, c_out, k=3, s=1, bias=False):
    nn = need_torch().nn
    return nn.Sequential(_conv_bn(c_in, c_in, k, s, groups=c_in, act=nn.ReLU, bias=bias),
                         _conv_bn(c_in, c_out, 1, act=nn.ReLU, bias=bias))


def torch_mobilenetv3_block(c_in, c_exp, c_out, k=3, s=1, r=4, bias=False, se=True, hard_swish=True):
    """torchvision's MobileNetV3 InvertedResidual (its squeeze width is make_divisible(c_exp // r, 8))."""
    nn = need_torch().nn
    act = nn.Hardswish if hard_swish else nn.ReLU
    layers = [] if c_exp == c_in else [_conv_bn(c_in, c_exp, 1, act=act, bias=bias)]
    layers.append(_conv_bn(c_exp, c_exp, k, s, groups=c_exp, act=act, bias=bias))
    if se:
        layers.append(_squeeze_excitation(c_exp, make_divisible(c_exp // r, 8), nn.ReLU, nn.Hardsigmoid))
    layers.append(_conv_bn(c_exp, c_out, 1, bias=bias))
    return _residual(nn.Sequential(*layers), s == 1 and c_in == c_out)


def torch_mbconv(c_in, t, c_out, k=3, s=1, r=4, bias=False, se=True):
    """EfficientNet's MBConv as torchvision builds it (expanded width c_in·t, squeeze max(1, c_in // r))."""
    nn = need_torch().nn
    hidden = c_in * t
    layers = [] if t == 1 else [_conv_bn(c_in, hidden, 1, act=nn.SiLU, bias=bias)]
    layers.append(_conv_bn(hidden, hidden, k, s, groups=hidden, act=nn.SiLU, bias=bias))
    if se:
        layers.append(_squeeze_excitation(hidden, max(1, c_in // r), nn.SiLU, nn.Sigmoid))
    layers.append(_conv_bn(hidden, c_out, 1, bias=bias))
    return _residual(nn.Sequential(*layers), s == 1 and c_in == c_out)


def torch_fused_mbconv(c_in, t, c_out, k=3, s=1, bias=False):
    """torchvision's FusedMBConv."""
    nn = need_torch().nn
    if t == 1:
        body = _conv_bn(c_in, c_out, k, s, act=nn.SiLU, bias=bias)
    else:
        body = nn.Sequential(_conv_bn(c_in, c_in * t, k, s, act=nn.SiLU, bias=bias), _conv_bn(c_in * t, c_out, 1, bias=bias))
    return _residual(body, s == 1 and c_in == c_out)


def torch_resnet_block(kind, c_in, c_out, s=1, c_mid=None, bias=False, stride_3x3=True):
    """torchvision's BasicBlock / Bottleneck (`stride_3x3=False`: the stride on the first 1×1, as the paper)."""
    torch = need_torch()
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            if kind == "basic":
                self.body = nn.Sequential(_conv_bn(c_in, c_out, 3, s, act=nn.ReLU, bias=bias), _conv_bn(c_out, c_out, 3, bias=bias))
            else:
                self.body = nn.Sequential(_conv_bn(c_in, c_mid, 1, 1 if stride_3x3 else s, act=nn.ReLU, bias=bias),
                                          _conv_bn(c_mid, c_mid, 3, s if stride_3x3 else 1, act=nn.ReLU, bias=bias),
                                          _conv_bn(c_mid, c_out, 1, bias=bias))
            self.downsample = (nn.Sequential(nn.Conv2d(c_in, c_out, 1, s, bias=bias), nn.BatchNorm2d(c_out))
                               if s != 1 or c_in != c_out else None)
            self.relu = nn.ReLU()

        def forward(self, x):
            identity = x if self.downsample is None else self.downsample(x)
            return self.relu(self.body(x) + identity)

    return Block()


def torch_convnext_block(dim, k=7, t=4, bias=True, layer_scale=True):
    """The official ConvNeXt block (facebookresearch/ConvNeXt, models/convnext.py)."""
    torch = need_torch()
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.dwconv = nn.Conv2d(dim, dim, k, padding=k // 2, groups=dim, bias=bias)
            self.norm = nn.LayerNorm(dim, eps=1e-6)
            self.pwconv1 = nn.Linear(dim, t * dim, bias=bias)
            self.act = nn.GELU()
            self.pwconv2 = nn.Linear(t * dim, dim, bias=bias)
            self.gamma = nn.Parameter(1e-6 * torch.ones(dim)) if layer_scale else None

        def forward(self, x):
            y = self.dwconv(x).permute(0, 2, 3, 1)
            y = self.pwconv2(self.act(self.pwconv1(self.norm(y))))
            if self.gamma is not None:
                y = self.gamma * y
            return x + y.permute(0, 3, 1, 2)

    return Block()


def torch_transformer_encoder(d_model, heads, d_ff, bias=True, norm_first=False):
    nn = need_torch().nn
    return nn.TransformerEncoderLayer(d_model, heads, d_ff, dropout=0.0, batch_first=True, norm_first=norm_first,
                                      bias=bias)


# -- PyTorch networks -----------------------------------------------------------------------------
def _classifier_net(features, channels: int, classes: int):
    torch = need_torch()
    nn = torch.nn

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = features
            self.classifier = nn.Sequential(nn.Dropout(0.2), nn.Linear(channels, classes))

        def forward(self, x):
            return self.classifier(torch.flatten(nn.functional.adaptive_avg_pool2d(self.features(x), 1), 1))

    return Net()


@cache
def torch_mobilenetv2(alpha: float = 1.0, classes: int = 1000):
    """torchvision.models.MobileNetV2(width_mult=alpha, num_classes=classes), rewritten."""
    nn = need_torch().nn
    setting = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)]
    c_in = make_divisible(32 * alpha)
    last = make_divisible(1280 * max(1.0, alpha))
    layers = [_conv_bn(3, c_in, 3, 2, act=nn.ReLU6)]
    for t, c, n, s in setting:
        c_out = make_divisible(c * alpha)
        for i in range(n):
            layers.append(torch_mobilenetv2_block(c_in, t, c_out, 3, s if i == 0 else 1))
            c_in = c_out
    layers.append(_conv_bn(c_in, last, 1, act=nn.ReLU6))
    return _classifier_net(nn.Sequential(*layers), last, classes)


@cache
def torch_mobilenetv1(alpha: float = 1.0, classes: int = 1000):
    """MobileNet (V1) as its paper's Table 1, widths int(c·alpha) as keras.applications."""
    nn = need_torch().nn
    c_in = int(32 * alpha)
    layers = [_conv_bn(3, c_in, 3, 2, act=nn.ReLU)]
    for c, n, s in [(64, 1, 1), (128, 2, 2), (256, 2, 2), (512, 6, 2), (1024, 2, 2)]:
        for i in range(n):
            layers.append(torch_mobilenetv1_block(c_in, int(c * alpha), 3, s if i == 0 else 1))
            c_in = int(c * alpha)
    return _classifier_net(nn.Sequential(*layers), c_in, classes)


@cache
def torch_resnet(depth: int, classes: int = 1000, stride_3x3: bool = True):
    """torchvision.models.resnet18/34/50 (stride_3x3=False: the paper's stride on the first 1×1)."""
    torch = need_torch()
    nn = torch.nn
    kind, counts = {18: ("basic", [2, 2, 2, 2]), 34: ("basic", [3, 4, 6, 3]), 50: ("bottleneck", [3, 4, 6, 3])}[depth]
    expansion = 4 if kind == "bottleneck" else 1
    layers = [_conv_bn(3, 64, 7, 2, act=nn.ReLU), nn.MaxPool2d(3, 2, 1)]
    c_in = 64
    for i, (width, n) in enumerate(zip([64, 128, 256, 512], counts)):
        for j in range(n):
            s = 2 if i > 0 and j == 0 else 1
            layers.append(torch_resnet_block(kind, c_in, width * expansion, s, width, stride_3x3=stride_3x3))
            c_in = width * expansion

    class ResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(*layers)
            self.fc = nn.Linear(c_in, classes)

        def forward(self, x):
            return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(self.features(x), 1), 1))

    return ResNet()


@cache
def torch_efficientnet_b0(width: float = 1.0, classes: int = 1000):
    """torchvision.models.efficientnet_b0 (width_mult=width, depth_mult=1), rewritten."""
    nn = need_torch().nn
    setting = [(1, 3, 1, 32, 16, 1), (6, 3, 2, 16, 24, 2), (6, 5, 2, 24, 40, 2), (6, 3, 2, 40, 80, 3),
               (6, 5, 1, 80, 112, 3), (6, 5, 2, 112, 192, 4), (6, 3, 1, 192, 320, 1)]
    layers = [_conv_bn(3, make_divisible(32 * width), 3, 2, act=nn.SiLU)]
    for t, k, s, c_in, c_out, n in setting:
        c_in, c_out = make_divisible(c_in * width), make_divisible(c_out * width)
        for i in range(n):
            layers.append(torch_mbconv(c_in if i == 0 else c_out, t, c_out, k, s if i == 0 else 1))
    last_in = make_divisible(320 * width)
    layers.append(_conv_bn(last_in, 4 * last_in, 1, act=nn.SiLU))
    return _classifier_net(nn.Sequential(*layers), 4 * last_in, classes)


# -- Keras -----------------------------------------------------------------------------------------
def keras_model(shape: tuple[int, ...], body):
    """A functional model applying `body` (a function of a Keras tensor) to an input of `shape` (H, W, C)."""
    keras = need_keras()
    inputs = keras.Input(shape=shape)
    return keras.Model(inputs, body(inputs))


def keras_mobilenetv2_block(shape, t, c_out, s=1):
    """keras.applications' own `_inverted_res_block` (alpha 1, 3×3; block_id 0 skips the expansion)."""
    from keras.src.applications.mobilenet_v2 import _inverted_res_block

    return keras_model(shape, lambda x: _inverted_res_block(x, t, s, 1.0, c_out, 0 if t == 1 else 1))


def keras_mobilenetv3_block(shape, c_exp, c_out, k=3, s=1, r=4, se=True, hard_swish=True):
    """keras.applications' own MobileNetV3 `_inverted_res_block` (its expanded width _depth(c_in·x) = c_exp)."""
    from keras.src.applications import mobilenet_v3

    c_in = shape[-1]
    act = mobilenet_v3.hard_swish if hard_swish else mobilenet_v3.relu
    return keras_model(shape, lambda x: mobilenet_v3._inverted_res_block(
        x, c_exp / c_in, c_out, k, s, 1 / r if se else None, act, 0 if c_exp == c_in else 1))


def keras_mbconv(shape, t, c_out, k=3, s=1, r=4, se=True):
    """keras.applications' own EfficientNet `block`."""
    from keras.src.applications.efficientnet import block

    return keras_model(shape, lambda x: block(x, "swish", 0.0, "b_", shape[-1], c_out, k, s, t, 1 / r if se else 0.0))


def keras_fused_mbconv(shape, t, c_out, k=3, s=1):
    from keras.src.applications.efficientnet_v2 import FusedMBConvBlock

    return keras_model(shape, FusedMBConvBlock(shape[-1], c_out, t, k, s, 0.0, survival_probability=0.0, name="f_"))


def keras_bottleneck(shape, c_mid, s=1):
    """keras.applications' own ResNet `residual_block_v1` (biased convolutions, stride on the first 1×1)."""
    from keras.src.applications.resnet import residual_block_v1

    shortcut = s != 1 or shape[-1] != 4 * c_mid
    return keras_model(shape, lambda x: residual_block_v1(x, c_mid, 3, s, shortcut, name="r"))


def keras_basic_block(shape, c_out, s=1, bias=False):
    """The ResNet-18/34 basic block in Keras layers (keras.applications has none)."""
    layers = need_keras().layers

    def body(x):
        y = layers.Conv2D(c_out, 3, s, padding="same", use_bias=bias)(x)
        y = layers.ReLU()(layers.BatchNormalization()(y))
        y = layers.BatchNormalization()(layers.Conv2D(c_out, 3, padding="same", use_bias=bias)(y))
        if s != 1 or shape[-1] != c_out:
            x = layers.BatchNormalization()(layers.Conv2D(c_out, 1, s, padding="same", use_bias=bias)(x))
        return layers.ReLU()(layers.Add()([x, y]))

    return keras_model(shape, body)


def keras_convnext_block(shape):
    """keras.applications' own `ConvNeXtBlock` (7×7, 4× MLP, layer scale)."""
    from keras.src.applications.convnext import ConvNeXtBlock

    return keras_model(shape, ConvNeXtBlock(shape[-1], 0.0, 1e-6, name="cnx"))


def keras_transformer_encoder(shape, heads, d_ff, bias=True, norm_first=False):
    """The encoder layer in Keras layers: MultiHeadAttention(key_dim = d_model / heads), Dense, LayerNormalization."""
    layers = need_keras().layers
    d_model = shape[-1]

    def body(x):
        norm1, norm2 = layers.LayerNormalization(center=bias), layers.LayerNormalization(center=bias)
        attention = layers.MultiHeadAttention(heads, d_model // heads, use_bias=bias)
        ffn1, ffn2 = layers.Dense(d_ff, "relu", use_bias=bias), layers.Dense(d_model, use_bias=bias)
        if norm_first:
            y = norm1(x)
            x = x + attention(y, y)
            return x + ffn2(ffn1(norm2(x)))
        x = norm1(x + attention(x, x))
        return norm2(x + ffn2(ffn1(x)))

    return keras_model(shape, body)


@cache
def keras_application(name: str, height: int, width: int, alpha: float = 1.0, classes: int = 1000):
    """keras.applications.NAME(weights=None, input_shape=(height, width, 3), ...)."""
    keras = need_keras()
    shape = (height, width, 3)
    if name == "EfficientNet":  # EfficientNetB0's builder with another width coefficient
        from keras.src.applications.efficientnet import EfficientNet

        return EfficientNet(alpha, 1.0, 224, weights=None, input_shape=shape, classes=classes)
    build = getattr(keras.applications, name)
    if name in ("MobileNet", "MobileNetV2"):
        return build(input_shape=shape, alpha=alpha, weights=None, classes=classes)
    return build(input_shape=shape, weights=None, classes=classes)


# -- torchvision's own models, and fvcore's count of them ---------------------------------------------
def torchvision_model(name: str, **kwargs):
    """`torchvision.models.<name>(**kwargs)`, no weights (none are downloaded: `weights=None` is the default)."""
    from .frameworks import need_torchvision

    return getattr(need_torchvision().models, name)(**kwargs).eval()


FVCORE_MACS = ("conv", "linear", "matmul", "bmm", "einsum", "addmm")  # fvcore's one-multiply-add-one-flop operators


def fvcore_by_operator(model, shape: tuple[int, ...]) -> dict[str, int]:
    """fvcore's FlopCountAnalysis of a forward pass on `shape` (no batch axis), by operator: one
    multiply-add counts one; `FVCORE_MACS` are the operators of convolutions, linear layers and matrix
    products (torchvision's "GFLOPS" column is the sum over those)."""
    from .frameworks import need, need_torch

    torch = need_torch()
    fvcore_nn = need("fvcore.nn")
    with torch.no_grad():
        analysis = fvcore_nn.FlopCountAnalysis(model, torch.zeros((1, *shape)))
        analysis.unsupported_ops_warnings(False)
        analysis.uncalled_modules_warnings(False)
        return {op: int(n) for op, n in analysis.by_operator().items()}
