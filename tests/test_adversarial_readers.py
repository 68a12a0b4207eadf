"""Issue 12, the readers and layers: small, ordinary-looking inputs that once took seconds to minutes,
impossible shapes that were accepted, and refusals worded as something else. Each attack runs derive as
the real process (`tests/helpers/adversary.py`), is held to its bounds (≤ 2 s of CPU, ≤ 300 MiB, one
line, no traceback) and to its exact outcome: the exit status and the gist of the message. Growth
tests: doubling an input family at most multiplies derive's own work by `GROWTH`."""

from __future__ import annotations

import pytest

from tests.helpers.adversary import assert_bounded, attack
from tests.helpers.timing import command_time

GROWTH = 2.5


# -- the inputs -----------------------------------------------------------------------------------
def torch_class(init: str, forward: str = "        return x\n", params: str = "") -> str:
    return (f"import torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self{params}):\n"
            f"        super().__init__()\n{init}    def forward(self, x):\n{forward}")


def torch_module_code(before: str) -> str:
    """Module-level statements, then a one-convolution model."""
    return f"import torch.nn as nn\n{before}\nmodel = nn.Sequential(nn.Conv2d(3, 8, 1))\n"


def spec(layers: str, input_: str = "[8, 8, 3]", extra: str = "") -> str:
    return f'[block]\nname = "x"\ninput = {input_}\n{extra}\n{layers}'


def conv_chain_torch(n: int, padding: str = "") -> str:
    init = "".join(f"        self.c{i} = nn.Conv2d(c, c, 3{padding})\n" for i in range(n))
    forward = "".join(f"        x = self.c{i}(x)\n" for i in range(n)) + "        return x\n"
    return torch_class(init, forward, ", c")


def conv_chain_keras(n: int) -> str:
    body = "".join("    layers.Conv2D(8, 3),\n" for _ in range(n))
    return ("from tensorflow import keras\nfrom tensorflow.keras import layers\n"
            f"model = keras.Sequential([\n    keras.Input(shape=(None, None, 3)),\n{body}])\n")


def pointwise_symbols(n: int) -> str:
    params = "".join(f", c{i}" for i in range(n + 1))
    init = "".join(f"        self.m{i} = nn.Conv2d(c{i}, c{i + 1}, 1)\n" for i in range(n))
    forward = "".join(f"        x = self.m{i}(x)\n" for i in range(n)) + "        return x\n"
    return torch_class(init, forward, params)


def branches(n: int) -> str:
    init = "".join(f"        if a != {i}:\n            self.c{i} = nn.Conv2d(8, 8, 1)\n" for i in range(n))
    forward = "".join(f"        x = self.c{i}(x)\n" for i in range(n)) + "        return x\n"
    return torch_class(init, forward, ", a")


def membership(n: int) -> str:
    return torch_module_code(f"r = range(10000)\nflags = [i in r for i in range({n})]")


def zips(n: int) -> str:
    return torch_module_code(f"r = range(10000)\nz = [zip(r, r) for i in range({n})]")


def options_spec(n: int, layers: int = 1) -> str:
    options = "".join(f"o{i} = false\n" for i in range(n))
    body = "".join(f'\n[[layers]]\nop = "conv2d"\nfilters = 8\nkernel = 1\nbias = "o{i % max(n, 1)}"\n'
                   for i in range(layers))
    return spec(body, extra=f"[options]\n{options}")


def header_redos(spaces: int) -> str:
    """A line of `[` and spaces inside a multi-line string: the table-header pattern once backtracked on it."""
    layers = '[[layers]]\nop = "conv2d"\nfilters = 4\nkernel = 1\n'
    return f'[block]\nname = "x"\ntitle = """\n[{" " * spaces}\n"""\ninput = [8, 8, 3]\n{layers}'


NESTED = "import torch.nn as nn\n" + "".join(
    f"\n\nclass C{i}(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
    f"        self.m = {f'C{i + 1}()' if i < 29 else 'nn.Conv2d(3, 8, 1)'}\n"
    f"    def forward(self, x):\n        return self.m(x)\n" for i in reversed(range(30)))

LOOP_MADE = torch_class("        self.layers = nn.ModuleList()\n        for i in range(2001):\n"
                        "            self.layers.append(nn.Conv2d(8, 8, 1))\n            self.layers.append(nn.ReLU())\n",
                        "        for layer in self.layers:\n            x = layer(x)\n        return x\n")

DECORATED = ("import torch.nn as nn\n\n\ndef register(cls):\n    return cls\n\n\n@register\n"
             "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
             "        self.c = nn.Conv2d(3, 8, 3)\n\n    def forward(self, x):\n        return self.c(x)\n")
METACLASS = ("import torch.nn as nn\n\n\nclass Meta(type):\n    pass\n\n\nclass Net(nn.Module, metaclass=Meta):\n"
             "    def __init__(self):\n        super().__init__()\n        self.c = nn.Conv2d(3, 8, 3)\n\n"
             "    def forward(self, x):\n        return self.c(x)\n")
DECORATED_BASE = ("import torch.nn as nn\n\n\ndef register(cls):\n    return cls\n\n\n@register\n"
                  "class Base(nn.Module):\n    pass\n\n\nclass Net(Base):\n    def __init__(self):\n"
                  "        super().__init__()\n        self.c = nn.Conv2d(3, 8, 3)\n\n"
                  "    def forward(self, x):\n        return self.c(x)\n")

VALID_TOO_LARGE_KERAS = ("from tensorflow import keras\nfrom tensorflow.keras import layers\n"
                         "model = keras.Sequential([keras.Input(shape=(4, 4, 3)), layers.Conv2D(8, 7)])\n")
VALID_TOO_LARGE_TORCH = ("import torch.nn as nn\nimport torch\n\nmodel = nn.Sequential(nn.Conv2d(3, 8, 7), nn.ReLU())\n"
                         "x = torch.randn(1, 3, 4, 4)\n")
VALID_TOO_LARGE_SPEC = spec('[[layers]]\nop = "conv2d"\nfilters = 4\nkernel = 7\npadding = "valid"\n', "[4, 4, 3]")
POOL_TOO_LARGE_SPEC = spec('[[layers]]\nop = "max_pool2d"\npool = 8\n', "[4, 4, 3]")
CONCAT_MISMATCH = spec('[[layers]]\nop = "conv2d"\nname = "a"\nfilters = 4\nkernel = 3\npadding = "valid"\n'
                       '[[layers]]\nop = "concatenate"\ninputs = ["input", "a"]\n')
CONCAT_SYMBOLIC = spec('[[layers]]\nop = "conv2d"\nname = "a"\nfilters = 4\nkernel = 3\npadding = "valid"\n'
                       '[[layers]]\nop = "concatenate"\ninputs = ["input", "a"]\n', '["H", "W", 3]')


def default_spec(value: str, name: str = "alpha") -> str:
    return spec('[[layers]]\nop = "conv2d"\nfilters = "C"\nkernel = 1\n', '[8, 8, "C"]',
                f"[symbols]\n{name} = {value}\nC = 4\n")


# (id, file name, content, exit status, what the error line says — or, for status 0, what stdout says)
CASES = [
    ("toml-header-redos", "b.toml", header_redos(30_000), 2, "title must be"),
    ("toml-header-redos-10x", "b.toml", header_redos(150_000), 2, "title must be"),
    ("toml-inline-key-long-word", "b.toml",
     spec('[[layers]]\nop = "conv2d"\nfilters = 4\nkernel = 1\n', extra='[symbols]\nx = { meaning = "'
          + "a" * 150_000 + '" }\n'), 2, "meaning must be one line"),
    ("toml-nan-default", "b.toml", default_spec("nan"), 2, "the default of alpha must be a number"),
    ("toml-inf-default", "b.toml", default_spec("inf"), 2, "the default of alpha must be a number"),
    ("toml-minus-inf-size", "b.toml", default_spec("-inf", "C_in"), 2, "must be a number"),
    ("toml-1000-options", "b.toml", options_spec(1_000), 2, "more than 16 options (1,000 here)"),
    ("toml-13000-options", "b.toml", options_spec(13_000), 2, "more than 16 options (13,000 here)"),
    ("toml-16-options-1000-layers", "b.toml", options_spec(16, 1_000), 0, "parameters:"),
    ("valid-window-too-large-spec", "b.toml", VALID_TOO_LARGE_SPEC, 2,
     "b.toml:5:1: the input (4 x 4 x 3) is too small for this layer: its output would have size -2"),
    ("pool-window-too-large-spec", "b.toml", POOL_TOO_LARGE_SPEC, 2, "is too small for this layer"),
    ("valid-window-too-large-keras", "m.py", VALID_TOO_LARGE_KERAS, 2,
     "the input (4 x 4 x 3) is too small for this layer: its output would have size -2"),
    ("concatenate-4x4-with-8x8", "b.toml", CONCAT_MISMATCH, 2,
     "b.toml:11:1: concatenate needs inputs of the same height and width"),
    ("concatenate-H-with-H-2", "b.toml", CONCAT_SYMBOLIC, 2, "concatenate needs inputs of the same height and width"),
    ("class-decorator", "m.py", DECORATED, 2, ("m.py:9:1: class Net has a decorator, which derive does not follow "
                                               "(line 8)")),
    ("class-metaclass", "m.py", METACLASS, 2, "m.py:8:1: class Net has metaclass=, which derive does not follow (line 8)"),
    ("decorated-base-class", "m.py", DECORATED_BASE, 2, "class Base has a decorator"),
    ("nested-classes-30", "m.py", NESTED, 2, "calls nested more than 24 deep"),
    ("two-modules-per-iteration", "m.py", LOOP_MADE, 2,
     "more than 2,000 modules made by loops and calls beyond the 9 calls the code writes out"),
    ("membership-in-range", "m.py", membership(1_000), 0, "parameters:"),
    ("membership-in-list", "m.py", torch_module_code("r = list(range(10000))\nf = [i in r for i in range(1000)]"),
     2, "too much to follow (over 100000 steps)"),
    ("zip-of-ranges", "m.py", zips(10_000), 2, "too much to follow (over 100000 steps)"),
    ("list-repeated", "m.py", torch_module_code("z = [[0] * 9999 for i in range(10000)]"), 2, "too much to follow"),
    ("tuple-repeated", "m.py", torch_module_code("z = [(0,) * 9999 for i in range(10000)]"), 2, "too much to follow"),
    ("string-repeated", "m.py", torch_module_code("z = ['a' * 9999 for i in range(10000)]"), 2, "too much to follow"),
    ("list-sliced", "m.py", torch_module_code("a = list(range(9999))\nz = [a[1:] for i in range(10000)]"), 2,
     "too much to follow"),
    ("list-concatenated", "m.py",
     torch_module_code("a = list(range(9999))\nz = [a[:5000] + a[:5000] for i in range(10000)]"), 2,
     "too much to follow"),
    ("fstring-doubled", "m.py", torch_module_code("s = 'x' * 4999\nz = [f'{s}{s}' for i in range(10000)]"), 2,
     "too much to follow"),
    ("starred-range", "m.py", torch_module_code("r = range(9999)\nz = [[*r] for i in range(10000)]"), 2,
     "too much to follow"),
    ("len-of-range", "m.py", torch_module_code("r = range(10000)\nz = [len(r) for i in range(5000)]"), 0,
     "parameters:"),
    ("199-branches", "m.py", branches(199), 0, "parameters:"),
    ("padded-conv-chain-250", "m.py", conv_chain_torch(250, ", padding=1"), 0, "parameters:"),
]


@pytest.mark.parametrize("name, content, status, gist", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_attack(tmp_path, name, content, status, gist):
    result = attack(["show", name], tmp_path, files={name: content})
    assert_bounded(result)
    assert result.status == status, result.err
    assert gist in (result.out if status == 0 else result.err), (result.out[-500:], result.err)


# The chains of unpadded convolutions and of 1×1 convolutions between distinct symbols spend their time
# in `closedform._best_factor` (not in the readers): a factor that divides one monomial alone is taken out
# (one level of recursion per monomial), and every candidate is tested against every monomial.
SLOW_CLOSED_FORMS = [
    pytest.param("m.py", conv_chain_torch(250), id="unpadded-conv-chain-250"),
    pytest.param("m.py", conv_chain_keras(250), id="keras-conv-chain-250"),
    # 150 symbols: 1.2 s of CPU on a fast day here, 2.7 s on a slow one (over the bound); 100 keep it clear of it
    pytest.param("m.py", pointwise_symbols(100), id="pointwise-100-symbols"),
]


@pytest.mark.parametrize("name, content", SLOW_CLOSED_FORMS)
def test_closed_form_attack(tmp_path, name, content):
    result = attack(["show", name], tmp_path, files={name: content})
    assert_bounded(result)
    assert result.status == 0 and "parameters:" in result.out


# -- growth ---------------------------------------------------------------------------------------
def own_seconds(tmp_path, name: str, content: str) -> float:
    """derive's CPU on `content` less its CPU on a trivial input of the same kind, timed in process
    (`tests/helpers/timing.py`): the whole command, without a process's start-up and its noise."""
    trivial = spec('[[layers]]\nop = "conv2d"\nfilters = 4\nkernel = 1\n') if name.endswith(".toml") \
        else torch_module_code("")

    def least(text: str, where: str) -> float:
        folder = tmp_path / where
        folder.mkdir(parents=True)
        (folder / name).write_text(text, encoding="utf-8")
        return command_time(["show", str(folder / name)], folder / "out.txt", runs=5)

    return max(least(content, "input") - least(trivial, "trivial"), 0.05)  # below: noise


GROWING = [
    ("b.toml", header_redos, 100_000),
    ("b.toml", lambda n: options_spec(n, 500), 8),
    ("m.py", membership, 5_000),
    ("m.py", zips, 5_000),
    ("m.py", branches, 400),
    ("m.py", lambda n: torch_module_code(f"a = list(range(2000))\nz = [a[:{n}] for i in range(40)]"), 1_000),
    ("m.py", lambda n: conv_chain_torch(n, ", padding=1"), 400),
]


def assert_doubling_at_most(name: str, make, size: int, tmp_path) -> None:
    """Own work measured as a difference of two timings, whose noise adds up (the padded chain once measured
    0.16 s → 0.50 s on CI, 0.18 → 0.43 s and 0.44 → 0.92 s at 800 → 1,600 here; the unpadded chain 0.26 →
    0.73 s at 100 → 200 on CI, 0.31 → 0.78 and 0.38 → 0.79 here): measured again, up to three times, until a
    pair is within the bound. Quadratic work (4×) fails every attempt."""
    for attempt in range(3):
        small = own_seconds(tmp_path / f"small{attempt}", name, make(size))
        large = own_seconds(tmp_path / f"large{attempt}", name, make(2 * size))
        if large <= GROWTH * small:
            return
    assert large <= GROWTH * small, f"{small:.2f} s → {large:.2f} s"


@pytest.mark.parametrize("name, make, size", GROWING,
                         ids=["toml-header-line", "toml-options", "range-membership", "zips", "branches",
                              "slices", "padded-conv-chain"])
def test_doubling_at_most_doubles(tmp_path, name, make, size):
    assert_doubling_at_most(name, make, size, tmp_path)


@pytest.mark.parametrize("make, size", [
    pytest.param(conv_chain_torch, 100, id="unpadded-conv-chain"),
    pytest.param(pointwise_symbols, 50, id="pointwise-symbols"),
])
def test_closed_form_doubling(tmp_path, make, size):
    assert_doubling_at_most("m.py", make, size, tmp_path)
