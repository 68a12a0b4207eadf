"""The Python around a PyTorch model, as tutorials and repositories write it, read by derive and run by PyTorch.

Each snippet is our own test data in the style people paste (the PyTorch quickstart, the CIFAR tutorial,
torchvision's helpers, nanoGPT's config, vit-pytorch's tokens, MAE's frozen embedding, the transformer
tutorial's positional encoding). The test runs it (`exec`) to build the real model and compares what
derive reads from the same text under every convention with what PyTorch itself reports:

- `pytorch`: `all` = `sum(p.numel() for p in model.parameters())` (shared tensors once), `trainable` =
  those with `requires_grad`, `buffers` = the buffers `state_dict()` saves (persistent ones);
- `paper`: the trainable parameters only, no buffers;
- `keras`: the parameters plus the batch norms' running mean and variance (non-trainable), no buffers.

Then each refusal: its message names the real cause, at its FILE:LINE:COL.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from helpers.frameworks import need_torch

import derive
from derive.errors import InputError

pytestmark = pytest.mark.frameworks

QUICKSTART = '''
import torch
from torch import nn

device = (
    "cuda"
    if torch.cuda.is_available()
    else "mps"
    if torch.backends.mps.is_available()
    else "cpu"
)
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28*28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


model = NeuralNetwork().to(device)
print(model)
'''

DEVICE_AND_MODES = '''
import torch
import torch.nn as nn

torch.manual_seed(42)
torch.backends.cudnn.deterministic = True
torch.backends.cudnn.benchmark = False
device = torch.device('cuda:0' if torch.cuda.is_available() else 'cpu')

num_classes = 10
learning_rate = 0.001


class ConvNet(nn.Module):
    def __init__(self, num_classes=10):
        super(ConvNet, self).__init__()
        self.layer1 = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(16),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.layer2 = nn.Sequential(
            nn.Conv2d(16, 32, kernel_size=5, stride=1, padding=2),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(kernel_size=2, stride=2))
        self.fc = nn.Linear(7*7*32, num_classes)

    def forward(self, x):
        out = self.layer1(x)
        out = self.layer2(out)
        out = out.reshape(out.size(0), -1)
        return self.fc(out)


model = ConvNet(num_classes).to(device)
if torch.cuda.is_available():
    model = model.cuda()
model = model.float()
model.train()
model.eval()
model = model.cpu().double()
torch.save(model.state_dict(), 'model.ckpt') if False else None
'''

HYPERPARAMETERS = '''
import torch.nn as nn

input_size = 784
hidden_sizes = [128, 64]
output_size = 10
dropout = 0.2
activation = "relu"
use_batchnorm = True
cfg = {"hidden": 32, "dropout": 0.5, "bias": False}


def make_mlp():
    layers = []
    prev = input_size
    for h in hidden_sizes:
        layers.append(nn.Linear(prev, h))
        if use_batchnorm:
            layers.append(nn.BatchNorm1d(h))
        layers.append(nn.ReLU() if activation == "relu" else nn.Tanh())
        layers.append(nn.Dropout(dropout))
        prev = h
    layers.append(nn.Linear(prev, cfg["hidden"], bias=cfg["bias"]))
    layers.append(nn.Dropout(p=cfg["dropout"]))
    layers.append(nn.Linear(cfg.get("hidden", 16), output_size))
    return nn.Sequential(*layers)


model = make_mlp()
'''

CONFIG_CLASS = '''
import torch.nn as nn


class Config:
    n_embd = 64
    dropout = 0.1
    bias = True


class Settings:
    def __init__(self, hidden=48, classes=5):
        self.hidden = hidden
        self.classes = classes


class MLP(nn.Module):

    def __init__(self, config, settings):
        super().__init__()
        self.c_fc    = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu    = nn.GELU()
        self.c_proj  = nn.Linear(4 * config.n_embd, settings.hidden, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)
        self.head    = nn.Linear(settings.hidden, settings.classes)


model = MLP(Config(), Settings(classes=3))
'''

DATACLASS_CONFIG = '''
from dataclasses import dataclass

import torch.nn as nn


@dataclass
class GPTConfig:
    block_size: int = 64
    n_layer: int = 2
    n_embd: int = 48
    dropout: float = 0.0
    bias: bool = True


class MLP(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.gelu = nn.GELU()
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)


class Block(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd)
        self.ln_2 = nn.LayerNorm(config.n_embd)
        self.mlp = MLP(config)


class Tiny(nn.Module):
    def __init__(self, config):
        super().__init__()
        assert config.block_size is not None
        self.config = config
        self.h = nn.ModuleList([Block(config) for _ in range(config.n_layer)])
        self.ln_f = nn.LayerNorm(config.n_embd)


config = GPTConfig(n_layer=3, bias=False)
model = Tiny(config)
'''

KWARGS = '''
import torch.nn as nn


class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, kernel_size=3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)


class ConvBNAct(nn.Module):
    def __init__(self, *args, **kwargs):
        super().__init__()
        self.conv = nn.Conv2d(*args, bias=False, **kwargs)
        self.bn = nn.BatchNorm2d(args[1])


class TinyResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000, width=16):
        super().__init__()
        self.stem = ConvBNAct(3, width, kernel_size=3, padding=1)
        self.layer1 = nn.Sequential(*[block(width, width) for _ in range(layers[0])])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(width * block.expansion, num_classes)


def _resnet(block, layers, **kwargs):
    model = TinyResNet(block, layers, **kwargs)
    return model


def tiny_resnet(*, weights=None, progress=True, **kwargs):
    return _resnet(BasicBlock, [2], **kwargs)
'''

SEQUENTIAL_SUBCLASS = '''
import torch.nn as nn


class ConvNormActivation(nn.Sequential):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, groups=1,
                 norm_layer=nn.BatchNorm2d, activation_layer=nn.ReLU6):
        padding = (kernel_size - 1) // 2
        super().__init__(
            nn.Conv2d(in_channels, out_channels, kernel_size, stride, padding, groups=groups, bias=False),
            norm_layer(out_channels),
            activation_layer(inplace=True),
        )
        self.out_channels = out_channels


class InvertedResidual(nn.Module):
    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        hidden_dim = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers = []
        if expand_ratio != 1:
            layers.append(ConvNormActivation(inp, hidden_dim, kernel_size=1))
        layers.extend([
            ConvNormActivation(hidden_dim, hidden_dim, stride=stride, groups=hidden_dim),
            nn.Conv2d(hidden_dim, oup, 1, 1, 0, bias=False),
            nn.BatchNorm2d(oup),
        ])
        self.conv = nn.Sequential(*layers)
        self.out_channels = oup


class Stem(nn.Sequential):
    pass


model = nn.Sequential(
    Stem(nn.Conv2d(3, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16)),
    ConvNormActivation(16, 16, stride=2),
    InvertedResidual(16, 24, 2, 6),
    InvertedResidual(24, 24, 1, 6),
)
'''

USER_BASE_CLASSES = '''
import torch.nn as nn


class BaseEncoder(nn.Module):
    def __init__(self, in_channels, width):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, width, 3, padding=1)
        self.bn = nn.BatchNorm2d(width)

    def make_head(self, width, classes):
        return nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, classes))


class Classifier(BaseEncoder):
    def __init__(self, in_channels=3, width=32, classes=10):
        super().__init__(in_channels, width)
        self.head = self.make_head(width, classes)


class Deeper(Classifier):
    def __init__(self):
        super(Deeper, self).__init__(width=16, classes=4)
        self.extra = nn.Conv2d(16, 16, 1)


model = Deeper()
'''

HELPERS_ORDEREDDICT = '''
from collections import OrderedDict

import torch.nn as nn


def conv_bn(inp, oup, stride):
    return nn.Sequential(
        nn.Conv2d(inp, oup, 3, stride, 1, bias=False),
        nn.BatchNorm2d(oup),
        nn.ReLU(inplace=True)
    )


def conv_dw(inp, oup, stride):
    return nn.Sequential(OrderedDict([
        ("dw", nn.Conv2d(inp, inp, 3, stride, 1, groups=inp, bias=False)),
        ("dw_bn", nn.BatchNorm2d(inp)),
        ("dw_relu", nn.ReLU(inplace=True)),
        ("pw", nn.Conv2d(inp, oup, 1, 1, 0, bias=False)),
        ("pw_bn", nn.BatchNorm2d(oup)),
        ("pw_relu", nn.ReLU(inplace=True)),
    ]))


model = nn.Sequential(OrderedDict([
    ("conv1", conv_bn(3, 32, 2)),
    ("conv2", conv_dw(32, 64, 1)),
    ("conv3", conv_dw(64, 128, 2)),
    ("pool", nn.AdaptiveAvgPool2d(1)),
]))
'''

MODULE_DICT = '''
import torch.nn as nn


class MyModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.choices = nn.ModuleDict({
                'conv': nn.Conv2d(10, 10, 3),
                'pool': nn.MaxPool2d(3)
        })
        self.activations = nn.ModuleDict([
                ['lrelu', nn.LeakyReLU()],
                ['relu', nn.ReLU()]
        ])
        self.heads = nn.ModuleDict()
        for name, n in {"age": 1, "gender": 2}.items():
            self.heads[name] = nn.Linear(10, n)
        self.heads.update({"mood": nn.Linear(10, 5)})
        self.trunk = self.choices['conv']


model = MyModule()
'''

GETATTR_IDENTITY = '''
import torch.nn as nn


class Head(nn.Module):
    def __init__(self, dim, num_classes=0, act_layer="GELU", norm="LayerNorm"):
        super().__init__()
        self.norm = getattr(nn, norm)(dim)
        self.act = getattr(nn, act_layer)()
        self.fc = nn.Linear(dim, num_classes) if num_classes > 0 else nn.Identity()


model = nn.Sequential(Head(32, 10), Head(32, norm="BatchNorm1d", act_layer="SiLU"))
'''

VIT_TOKENS = '''
import torch
from torch import nn


def pair(t):
    return t if isinstance(t, tuple) else (t, t)


class ViTStem(nn.Module):
    def __init__(self, *, image_size, patch_size, num_classes, dim, channels=3, emb_dropout=0.):
        super().__init__()
        image_height, image_width = pair(image_size)
        patch_height, patch_width = pair(patch_size)

        num_patches = (image_height // patch_height) * (image_width // patch_width)
        patch_dim = channels * patch_height * patch_width

        self.to_patch_embedding = nn.Sequential(
            nn.LayerNorm(patch_dim),
            nn.Linear(patch_dim, dim),
            nn.LayerNorm(dim),
        )

        self.pos_embedding = nn.Parameter(torch.randn(1, num_patches + 1, dim))
        self.cls_token = nn.Parameter(torch.randn(1, 1, dim))
        self.dropout = nn.Dropout(emb_dropout)
        self.mlp_head = nn.Linear(dim, num_classes)


model = ViTStem(image_size=32, patch_size=8, num_classes=10, dim=64)
'''

MAE_FROZEN = '''
import torch
import torch.nn as nn


class MaskedAutoencoderStem(nn.Module):
    def __init__(self, num_patches=16, embed_dim=64, decoder_embed_dim=32):
        super().__init__()
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, embed_dim), requires_grad=False)  # fixed sin-cos embedding
        self.decoder_embed = nn.Linear(embed_dim, decoder_embed_dim, bias=True)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, decoder_embed_dim))
        self.register_parameter("gamma", nn.Parameter(1e-4 * torch.ones(decoder_embed_dim)))
        self.register_parameter("unused", None)
        self.decoder_pos_embed = nn.Parameter(torch.zeros(1, num_patches + 1, decoder_embed_dim))
        self.decoder_pos_embed.requires_grad = False
        torch.nn.init.normal_(self.cls_token, std=.02)
        torch.nn.init.normal_(self.mask_token, std=.02)
        self.apply(self._init_weights)

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            torch.nn.init.xavier_uniform_(m.weight)
            if isinstance(m, nn.Linear) and m.bias is not None:
                nn.init.constant_(m.bias, 0)


model = MaskedAutoencoderStem()
'''

BUFFERS = '''
import math

import torch
from torch import nn


class PositionalEncoding(nn.Module):

    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)

        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer('pe', pe)


class TinyEncoder(nn.Module):
    def __init__(self, ntoken=100, d_model=32, seq_len=64):
        super().__init__()
        self.pos_encoder = PositionalEncoding(d_model, 0.1, max_len=seq_len)
        self.norm = nn.BatchNorm1d(d_model)
        self.decoder = nn.Linear(d_model, ntoken)
        self.register_buffer("causal_mask", torch.triu(torch.ones(seq_len, seq_len), diagonal=1), persistent=False)
        self.register_buffer("step", torch.tensor(0))
        self.register_buffer("scale", torch.ones(d_model), persistent=True)


model = TinyEncoder()
'''

TIED_AND_SHARED = '''
import torch.nn as nn


class TiedAutoencoder(nn.Module):
    def __init__(self, dim=32, code=32):
        super().__init__()
        self.encoder = nn.Linear(dim, code)
        self.act = nn.ReLU()
        self.decoder = nn.Linear(code, dim)
        self.decoder.weight = self.encoder.weight


class Siamese(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(16, 8), nn.ReLU())
        self.left = self.encoder
        self.right = self.encoder
        shared = nn.Linear(8, 8)
        self.tower = nn.Sequential(shared, nn.ReLU(), shared)
        self.ae = TiedAutoencoder(8, 8)


model = Siamese()
model.ae.encoder.bias = None
'''

MAIN_BLOCK = '''
import torch
import torch.nn as nn
import torch.nn.functional as F


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 6, 5)
        self.pool = nn.MaxPool2d(2, 2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = self.pool(F.relu(self.conv1(x)))
        x = self.pool(F.relu(self.conv2(x)))
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


if __name__ == "__main__":
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    model = Net().to(device)
    try:
        from torchsummary import summary
        summary(model, (3, 32, 32))
    except ImportError:
        print(model)
    x = torch.randn(1, 3, 32, 32)
    print(model(x).shape)
    print(sum(p.numel() for p in model.parameters() if p.requires_grad))
'''

WORD_LANGUAGE_MODEL = '''
import torch.nn as nn


class RNNModel(nn.Module):
    """Container module with an encoder, a recurrent module, and a decoder."""

    def __init__(self, rnn_type, ntoken, ninp, nhid, nlayers, dropout=0.5, tie_weights=False):
        super(RNNModel, self).__init__()
        self.ntoken = ntoken
        self.drop = nn.Dropout(dropout)
        self.encoder = nn.Embedding(ntoken, ninp)
        if rnn_type in ['LSTM', 'GRU']:
            self.rnn = getattr(nn, rnn_type)(ninp, nhid, nlayers, dropout=dropout)
        else:
            raise ValueError("An invalid option for `--model` was supplied")
        self.decoder = nn.Linear(nhid, ntoken)

        if tie_weights:
            if nhid != ninp:
                raise ValueError('When using the tied flag, nhid must be equal to emsize')
            self.decoder.weight = self.encoder.weight

        self.init_weights()

        self.rnn_type = rnn_type
        self.nhid = nhid
        self.nlayers = nlayers

    def init_weights(self):
        initrange = 0.1
        nn.init.uniform_(self.encoder.weight, -initrange, initrange)
        nn.init.zeros_(self.decoder.bias)
        nn.init.uniform_(self.decoder.weight, -initrange, initrange)


model = RNNModel("LSTM", 1000, 64, 64, 2, dropout=0.2, tie_weights=True)
'''

GPT_HEAD_TIED = '''
import torch
import torch.nn as nn


class TinyGPT(nn.Module):
    def __init__(self, vocab_size=500, block_size=32, n_embd=48):
        super().__init__()
        self.transformer = nn.ModuleDict(dict(
            wte = nn.Embedding(vocab_size, n_embd),
            wpe = nn.Embedding(block_size, n_embd),
            ln_f = nn.LayerNorm(n_embd),
        ))
        self.lm_head = nn.Linear(n_embd, vocab_size, bias=False)
        # https://paperswithcode.com/method/weight-tying
        self.transformer.wte.weight = self.lm_head.weight


model = TinyGPT()
'''

FROZEN_BACKBONE = '''
import torch.nn as nn


def set_parameter_requires_grad(model, feature_extracting):
    if feature_extracting:
        for param in model.parameters():
            param.requires_grad = False


class FineTuned(nn.Module):
    def __init__(self, num_classes=5, feature_extract=True):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(inplace=True),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
            nn.AdaptiveAvgPool2d(1), nn.Flatten())
        set_parameter_requires_grad(self.features, feature_extract)
        self.neck = nn.Linear(32, 32).requires_grad_(False)
        self.neck.requires_grad_()
        self.classifier = nn.Linear(32, num_classes)
        self.frozen_head = nn.Linear(32, 2)
        self.frozen_head.requires_grad_(False)


model = FineTuned()
params_to_update = [p for p in model.parameters() if p.requires_grad]
'''

TRAINING_SCRIPT = '''
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

batch_size = 16
learning_rate = 1e-3
epochs = 1
device = "cuda" if torch.cuda.is_available() else "cpu"

train_set = TensorDataset(torch.randn(64, 784), torch.randint(0, 10, (64,)))
train_loader = DataLoader(train_set, batch_size=batch_size, shuffle=True)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 128)
        self.bn = nn.BatchNorm1d(128)
        self.fc2 = nn.Linear(128, 10)

    def forward(self, x):
        return self.fc2(torch.relu(self.bn(self.fc1(x.view(-1, 784)))))


model = Net().to(device)
criterion = nn.CrossEntropyLoss()
optimizer = optim.Adam(model.parameters(), lr=learning_rate)
total_steps = epochs * len(train_loader)


def train(model, loader):
    model.train()
    best = None
    for epoch in range(epochs):
        running_loss = 0.0
        for i, (images, labels) in enumerate(loader):
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            outputs = model(images)
            loss = criterion(outputs, labels)
            loss.backward()
            optimizer.step()
            running_loss += loss.item()
            if best is None or loss.item() < best:
                best = loss.item()
        print(f"epoch {epoch}: {running_loss / len(loader):.3f}")
    return best


if __name__ == "__main__":
    train(model, train_loader)
    model.eval()
    with torch.no_grad():
        correct = 0
        for images, labels in train_loader:
            _, predicted = torch.max(model(images).data, 1)
            correct += (predicted == labels).sum().item()
'''

ARGPARSE_SCRIPT = '''
import argparse

import torch
import torch.nn as nn

parser = argparse.ArgumentParser(description="PyTorch MNIST Example")
parser.add_argument("--batch-size", type=int, default=64, metavar="N", help="input batch size for training")
parser.add_argument("--hidden-size", type=int, default=128)
parser.add_argument("--dropout", type=float, default=0.25)
parser.add_argument("--no-bn", action="store_true", default=False)
parser.add_argument("--lr", type=float, default=1.0, metavar="LR")
args = parser.parse_args()
use_cuda = torch.cuda.is_available()
device = torch.device("cuda" if use_cuda else "cpu")


class Net(nn.Module):
    def __init__(self, args):
        super(Net, self).__init__()
        self.fc1 = nn.Linear(784, args.hidden_size)
        self.bn = nn.Identity() if args.no_bn else nn.BatchNorm1d(args.hidden_size)
        self.dropout = nn.Dropout(args.dropout)
        self.fc2 = nn.Linear(args.hidden_size, 10)


model = Net(args).to(device)
'''

LAYER_SUBCLASSES = '''
import torch
import torch.nn as nn


class Layer(nn.Linear):
    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None, threshold=2.0):
        super().__init__(in_features, out_features, bias, device, dtype)
        self.relu = torch.nn.ReLU()
        self.threshold = threshold
        self.scale = nn.Parameter(torch.ones(out_features))

    def forward(self, x):
        x_direction = x / (x.norm(2, 1, keepdim=True) + 1e-4)
        return self.relu(torch.mm(x_direction, self.weight.T) + self.bias.unsqueeze(0)) * self.scale


class ScaledConv(nn.Conv2d):
    pass


class Net(torch.nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.layers = nn.ModuleList([Layer(dims[d], dims[d + 1]) for d in range(len(dims) - 1)])
        self.conv = ScaledConv(3, 8, 3, bias=False)
        self.bn = nn.BatchNorm2d(8)
        self.head = Layer(8, 2, bias=False)
        self.head.relu = nn.Identity()
        self.tail = nn.Linear(2, 8)
        self.tail.weight = self.layers[0].weight if self.layers[0].out_features == 8 else self.tail.weight


model = Net([784, 64, 8])
'''

PARAMETER_CONTAINERS = '''
import torch
import torch.nn as nn


class MyModule(nn.Module):
    def __init__(self):
        super().__init__()
        self.params = nn.ParameterList([nn.Parameter(torch.randn(10, 10)) for i in range(10)])
        self.params.append(nn.Parameter(torch.zeros(3)))
        self.choices = nn.ParameterDict({
                'left': nn.Parameter(torch.randn(5, 10)),
                'right': nn.Parameter(torch.randn(5, 10), requires_grad=False)
        })
        self.fc = nn.Linear(10, 2)
        first = self.params[0]
        self.extra = nn.Parameter(torch.zeros(first.shape[0]))


model = MyModule()
'''

# name -> (source, how the test builds the model from the namespace, the values derive is given)
PLAIN_LIST = '''
import torch.nn as nn


class Net(nn.Module):
    def __init__(self, dims):
        super().__init__()
        self.layers = []
        for d in range(len(dims) - 1):
            self.layers = self.layers + [nn.Linear(dims[d], dims[d + 1])]
        self.pair = (nn.Linear(4, 4), nn.ReLU())
        self.head = nn.Linear(dims[-1], 10)


model = Net([784, 500, 500])
'''

TRANSFORMER_SUBCLASS = '''
import torch.nn as nn


class TransformerModel(nn.Transformer):
    def __init__(self, ntoken, ninp, nhead, nhid, nlayers):
        super().__init__(d_model=ninp, nhead=nhead, dim_feedforward=nhid, num_encoder_layers=nlayers)
        self.input_emb = nn.Embedding(ntoken, ninp)
        self.decoder = nn.Linear(ninp, ntoken)


model = TransformerModel(100, 16, 2, 32, 2)
'''

SNIPPETS = {
    "transformer_subclass_replaces_decoder": (TRANSFORMER_SUBCLASS, "model", {}),
    "plain_list_not_registered": (PLAIN_LIST, "model", {}),
    "quickstart_device": (QUICKSTART, "model", {}),
    "seed_backends_modes": (DEVICE_AND_MODES, "model", {}),
    "module_level_hyperparameters": (HYPERPARAMETERS, "model", {}),
    "config_class": (CONFIG_CLASS, "model", {}),
    "dataclass_config": (DATACLASS_CONFIG, "model", {}),
    "kwargs_default": (KWARGS, "tiny_resnet()", {}),
    "kwargs_set": (KWARGS, "tiny_resnet(num_classes=7, width=8)", {"num_classes": 7, "width": 8}),
    "sequential_subclass": (SEQUENTIAL_SUBCLASS, "model", {}),
    "user_base_classes": (USER_BASE_CLASSES, "model", {}),
    "helpers_ordereddict": (HELPERS_ORDEREDDICT, "model", {}),
    "module_dict": (MODULE_DICT, "model", {}),
    "getattr_identity": (GETATTR_IDENTITY, "model", {}),
    "vit_tokens": (VIT_TOKENS, "model", {}),
    "mae_frozen": (MAE_FROZEN, "model", {}),
    "buffers": (BUFFERS, "model", {}),
    "tied_and_shared": (TIED_AND_SHARED, "model", {}),
    "main_block": (MAIN_BLOCK, "model", {}),
    "word_language_model_tied": (WORD_LANGUAGE_MODEL, "model", {}),
    "gpt_head_tied": (GPT_HEAD_TIED, "model", {}),
    "frozen_backbone": (FROZEN_BACKBONE, "model", {}),
    "training_script": (TRAINING_SCRIPT, "model", {}),
    "argparse_defaults": (ARGPARSE_SCRIPT, "model", {}),
    "layer_subclasses": (LAYER_SUBCLASSES, "model", {}),
    "parameter_containers": (PARAMETER_CONTAINERS, "model", {}),
    "argparse_set": (ARGPARSE_SCRIPT, "model --hidden-size 32", {"hidden_size": 32}),
    "readme_example": ((Path(__file__).resolve().parents[1] / "examples" / "torch_tokens.py").read_text(
        encoding="utf-8"), "model", {}),
}


def torch_truth(model) -> dict[str, dict[str, int]]:
    """What PyTorch reports, per convention (see the module's docstring)."""
    params = list(model.parameters())  # each shared tensor once, as PyTorch counts
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    saved = model.state_dict()
    buffers = dict(model.named_buffers())
    persistent = sum(b.numel() for name, b in buffers.items() if name in saved)
    statistics = sum(b.numel() for name, b in buffers.items()
                     if name in saved and name.rpartition(".")[2] in ("running_mean", "running_var"))
    return {
        "paper": {"all": trainable, "trainable": trainable, "non_trainable": 0, "buffers": 0},
        "pytorch": {"all": total, "trainable": trainable, "non_trainable": total - trainable, "buffers": persistent},
        "keras": {"all": total + statistics, "trainable": trainable,
                  "non_trainable": total - trainable + statistics, "buffers": 0},
    }


def build(source: str, how: str):
    namespace: dict = {"__name__": "__main__"}
    argv = sys.argv
    sys.argv = ["snippet.py", *how.split()[1:]]  # what an argparse script parses: its command line
    try:
        exec(compile(source, "<snippet>", "exec"), namespace)  # our own test data, not user input
    finally:
        sys.argv = argv
    if how.startswith("model"):
        return namespace["model"]
    function, _, arguments = how.partition("(")
    keywords = dict(item.split("=") for item in arguments.rstrip(")").split(", ") if item)
    return namespace[function](**{key: int(value) for key, value in keywords.items()})


def derived(tmp_path: Path, source: str, convention: str, values: dict) -> dict[str, int]:
    path = tmp_path / "snippet.py"
    path.write_text(source, encoding="utf-8")
    d = derive.show(str(path), convention=convention, **values)
    return {key: d.total[key].value for key in ("all", "trainable", "non_trainable", "buffers")}


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_snippet_counts_as_pytorch_does(name, tmp_path):
    need_torch()
    source, how, values = SNIPPETS[name]
    truth = torch_truth(build(source, how))
    for convention, expected in truth.items():
        assert derived(tmp_path, source, convention, values) == expected, (name, convention)


def test_the_snippets_use_what_they_are_about():
    """Each construct is really in the snippets (a guard against a snippet edited into triviality)."""
    text = "".join(source for source, _, _ in SNIPPETS.values())
    for construct in (".to(device)", ".cuda()", ".cpu()", ".eval()", ".train()", ".float()", ".double()",
                      "torch.cuda.is_available()", "torch.device(", "torch.manual_seed(", "torch.backends.",
                      "print(model)", "summary(", 'if __name__ == "__main__":', "dropout = 0.2", "@dataclass",
                      "**kwargs", "*args", "(nn.Sequential):", "OrderedDict(", "nn.ModuleDict(", "getattr(nn,",
                      "nn.Identity()", "nn.Parameter(torch.zeros(", "torch.randn(1, 1, dim)", "register_buffer(",
                      "persistent=False", "requires_grad=False", "bias, device, dtype)", ".weight = self.encoder.weight", "self.left = "):
        assert construct in text, construct


def test_float_hyper_parameter_is_read_as_its_value(tmp_path):
    """`dropout = 0.2` at module level is a number `nn.Dropout` takes, not a symbol it refuses; the
    whole-number sizes beside it stay symbols with their defaults."""
    path = tmp_path / "snippet.py"
    path.write_text(HYPERPARAMETERS, encoding="utf-8")
    d = derive.show(str(path), convention="pytorch")
    assert "dropout" not in d.symbols.names and "input_size" in d.symbols.names
    assert [row.op for row in d.layers].count("dropout") == 3


# -- refusals: the real cause, at its place ----------------------------------------------------------
HEADER = "import torch\nimport torch.nn as nn\n\n\nclass M(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
REFUSALS = [
    # (what the code does, the lines after the header, message fragment, line, column)
    ("a dropout rate named but never given a value", "        self.drop = nn.Dropout(p_drop)\n",
     "Dropout(): p here depends on p_drop", 8, 32),
    ("a parameter from a file", "        self.w = nn.Parameter(torch.load('w.pt'))\n",
     "nn.Parameter(): its tensor comes from torch.load(...) (at", 8, 18),
    ("a buffer derive cannot size", "        self.fc = nn.Linear(4, 4)\n        self.register_buffer('pe', make_table(64))\n",
     "register_buffer(): the tensor comes from make_table(...)", 9, 9),
    ("a weight tied to a module that is not registered",
     "        other = nn.Linear(4, 4)\n        self.fc = nn.Linear(4, 4)\n        self.fc.weight = other.weight\n",
     "belongs to a module that is not registered", 10, 9),
    ("a module's weight replaced by a new parameter",
     "        self.fc = nn.Linear(4, 4)\n        self.fc.weight = nn.Parameter(torch.zeros(4, 4))\n",
     "nn.Linear.weight replaced by an nn.Parameter", 9, 9),
    ("getattr with a name derive cannot read", "        self.fc = nn.Linear(4, 4)\n        self.act = getattr(nn, 3)()\n",
     "getattr() is followed with a name derive can read", 9, 20),
    ("a module's argument changed after it was made",
     "        self.conv = nn.Conv2d(3, 8, 3)\n        self.conv.stride = 2\n",
     "setting stride of nn.Conv2d is not followed", 9, 9),
    ("a size from the command line", "        args = parser.parse_args()\n        self.fc = nn.Linear(args.hidden, 4)\n",
     "in_features comes from parser.parse_args(...)", 9, 29),
    ("a module made in a loop over data",
     "        self.fc = nn.Linear(4, 4)\n        for x in DataLoader(data):\n            self.extra = nn.Linear(4, 4)\n",
     "modules are made in a loop over DataLoader(...) (at", 9, 9),
    ("a weighted loss inside the model",
     "        self.fc = nn.Linear(4, 4)\n        self.loss = nn.CrossEntropyLoss(weight=torch.ones(4))\n",
     "nn.CrossEntropyLoss with a weight registers it as a buffer of M", 9, 9),
    ("a loss in a Sequential", "        self.seq = nn.Sequential(nn.Linear(4, 4), nn.MSELoss())\n",
     "unsupported module nn.MSELoss: a loss", 8, 51),
    ("a subclass of a layer with modules of its own", "        self.fc = nn.Linear(4, 4)\n        self.out = Scaled(4, 2)\n",
     "class Scaled derives from nn.MultiheadAttention, whose own modules it may replace", 9, 20),
    ("a subclassed layer's weight replaced",
     "        self.fc = Dense(4, 4)\n        self.fc.weight = nn.Parameter(torch.zeros(4, 4))\n",
     "weight of Dense, a subclass of nn.Linear, replaced", 9, 9),
    ("unfreezing a parameter after the fact",
     "        self.w = nn.Parameter(torch.zeros(3), requires_grad=False)\n        self.w.requires_grad = True\n",
     "setting requires_grad of a tensor here is not followed", 9, 9),
]


@pytest.mark.parametrize("what,body,message,line,col", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_refusal_names_the_real_cause(what, body, message, line, col, tmp_path):
    path = tmp_path / "bad.py"
    path.write_text(HEADER + body + "\n\nclass Scaled(nn.MultiheadAttention):\n    pass\n\n\nclass Dense(nn.Linear):"
                    "\n    pass\n\n\nmodel = M()\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        derive.show(str(path), convention="pytorch")
    assert message in caught.value.what, caught.value.what
    assert caught.value.where == f"{path}:{line}:{col}", caught.value.where


def test_registered_tensors_are_explained(tmp_path):
    """The Markdown answer says why `cls_token` and a buffer count as they do, per convention."""
    path = tmp_path / "snippet.py"
    path.write_text(VIT_TOKENS.replace("self.dropout = nn.Dropout(emb_dropout)",
                                       "self.register_buffer('mask', torch.ones(4, 4))"), encoding="utf-8")
    for convention, words in (("paper", "Papers count what is trained"), ("pytorch", "the buffers are apart"),
                              ("keras", "it has no buffers")):
        text = derive.render(derive.show(str(path), convention=convention), "markdown")
        explained = text[text.index("Tensors a module registers itself"):]
        assert "`pos_embedding` (1×17×64)" in explained and "`mask` (4×4)" in explained and words in explained


def test_modules_in_a_plain_list_are_said_not_registered(tmp_path):
    """PyTorch registers no module held in a plain list or tuple (the forward-forward example's
    `self.layers = self.layers + [...]`): derive counts none of them, as PyTorch does, and says why."""
    path = tmp_path / "plain.py"
    path.write_text(PLAIN_LIST, encoding="utf-8")
    messages = [w.message for w in derive.show(str(path)).warnings]
    assert len(messages) == 2, messages
    assert messages[0].startswith("self.layers of Net is a plain Python list of modules")
    assert messages[1].startswith("self.pair of Net is a plain Python tuple of modules")
    assert all("nn.ModuleList" in m for m in messages)
