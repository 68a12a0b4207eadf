"""Hostile input: each answered within a second, with exit status 2 and one line (or a correct result),
and nothing in it ever runs.

The corpus (`corpus()`, over 400 cases) puts code-injection payloads, oversized and deeply nested
expressions, wrong types and junk into every place a user's text reaches: `--set` values, TOML spec
fields, Keras and PyTorch layer arguments, default values, statements of their own, standard input;
and adds whole hostile files (binary junk, 5 MB, 10,000-deep nesting, recursion, endless loops).

`test_nothing_runs` proves that nothing in it ran: with `os.system`, `subprocess`, sockets, `eval`,
`exec`, `compile` (other than `ast.parse`'s), `open` for writing, `sympify` on text and
`importlib.import_module` made to fail loudly, the whole corpus is answered; no file appears in the
working directory; and the second pass imports no module at all (the first only derive's own).
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import io
import json
import os
import random
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from derive.cli import main

LIMIT = 2.0  # seconds per input (in-process: no budget), as a job of derive serve may take
PWNED = "PWNED"


@dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]  # after `derive`; FILE in it is replaced by the written file's path
    text: str | bytes | None = None  # the file's content, if any
    suffix: str = ".py"
    expect: int | None = 2  # exit status; None: 0 or 2 (a correct result, or an error)
    stdin: bool = False


PAYLOADS = [
    "__import__('os').system('touch PWNED')", "open('PWNED', 'w').write('x')", "eval('1+1')",
    "exec('import os')", "compile('1', 'x', 'eval')", "getattr(__builtins__, 'eval')('1')",
    "().__class__.__base__.__subclasses__()", "[c for c in ().__class__.__mro__]", "lambda: 1", "(x := 3)",
    "f'{__import__(\"os\").getcwd()}'", "{1, 2}", "{'a': 1}", "globals()", "locals()", "vars()", "breakpoint()",
    "input()", "exit()", "quit()", "import os", "os.system('touch PWNED')", "sys.modules['os']",
    "type('X', (), {})", "__builtins__", "__loader__", "__spec__", "importlib.import_module('os')",
    "C_in.__class__", "C_in._assumptions", "C_in.func", "Symbol('zz')", "sympify('1')", "S(1)", "1e1000",
    "9**9**9", "2**2**2**2**2**2", "10**10**10", "(" * 1000 + "1" + ")" * 1000, "-" * 5000 + "1",
    "+".join(["C_in"] * 3000), "1" * 5000, "0x10", "1j", "1" + "0" * 60, "'" + "a" * 100 + "'", "b'x'",
    "None", "True", "...", "\x00", "\u202e1", "\u0661\u0662", "C_in if 1 else 2", "yield 1", "await x", "*[1]",
    "**{}", "print", "max", "min()", "round(1.5, 2)", "(C_in + t + k + s)**64", "C_in**C_in", "1/0",
    "floor(-1)", "sqrt(2)", "\x1b[2J\x1b[31mred", "C_in\nt", "𝐂_in", "C_in; import os",
]
INJECTIONS = PAYLOADS[:28]  # these must be refused wherever they stand in for a number
KERAS = "import keras\ninputs = keras.Input(shape=(8, 8, 3))\nx = keras.layers.Conv2D({arg}, 3)(inputs)\n" \
        "model = keras.Model(inputs, x)\n"
TORCH = "import torch.nn as nn\nmodel = nn.Sequential(nn.Conv2d(3, {arg}, 3), nn.BatchNorm2d(4))\n"
DEFAULT = "import keras\ndef block(x, filters={arg}):\n    return keras.layers.Conv2D(filters, 3)(x)\n"
STATEMENT = "import keras\n{arg}\ninputs = keras.Input(shape=(8, 8, 3))\nx = keras.layers.Conv2D(4, 3)(inputs)\n" \
            "model = keras.Model(inputs, x)\n"
ASSIGNED = "import keras\ny = {arg}\ninputs = keras.Input(shape=(8, 8, 3))\nx = keras.layers.Conv2D(4, 3)(inputs)\n" \
           "model = keras.Model(inputs, x)\n"
SPEC = "[block]\ntitle = \"hostile\"\n[[layers]]\nop = \"conv2d\"\nkernel = 3\nfilters = {arg}\n"
SPEC_N = "[block]\ntitle = \"hostile\"\n[symbols.n]\nmeaning = \"n\"\n[[layers]]\nop = \"conv2d\"\nkernel = 3\n" \
         "filters = \"2*n\"\n"
STATEMENT_TOTAL = 3 * 3 * 3 * 4 + 4  # what the scripts around a passed-over statement count


def corpus() -> list[Case]:
    cases: list[Case] = []
    for i, payload in enumerate(PAYLOADS):
        injection = payload in INJECTIONS
        cases.append(Case(f"set-{i}", ("show", "mobilenetv2-block", "--set", f"C_in={payload}")))
        cases.append(Case(f"set-file-{i}", ("show", "FILE", "--set", f"n={payload}"), SPEC_N, ".toml"))
        cases.append(Case(f"spec-{i}", ("show", "FILE"), SPEC.format(arg=json.dumps(payload)), ".toml"))
        cases.append(Case(f"keras-arg-{i}", ("show", "FILE"), KERAS.format(arg=payload),
                          expect=2 if injection else None))
        cases.append(Case(f"torch-arg-{i}", ("show", "FILE"), TORCH.format(arg=payload),
                          expect=2 if injection else None))
        cases.append(Case(f"default-{i}", ("show", "FILE", "--set", "C_in=3"), DEFAULT.format(arg=payload),
                          expect=2 if injection else None))
        cases.append(Case(f"statement-{i}", ("show", "FILE"), STATEMENT.format(arg=payload), expect=None))
        cases.append(Case(f"assigned-{i}", ("show", "FILE"), ASSIGNED.format(arg=payload), expect=None))
    cases += [Case(f"stdin-{i}", ("show", "-"), KERAS.format(arg=payload), stdin=True,
                   expect=2 if payload in INJECTIONS else None) for i, payload in enumerate(PAYLOADS[:20])]
    cases += whole_files()
    return cases


def whole_files() -> list[Case]:
    rng = random.Random(4)
    junk = [bytes(rng.randrange(256) for _ in range(n)) for n in (1, 10, 1000, 100_000)]
    deep = 10_000
    files = [
        *(Case(f"junk-{i}{suffix}", ("show", "FILE"), data, suffix) for i, data in enumerate(junk)
          for suffix in (".py", ".toml")),
        Case("five-megabytes.py", ("show", "FILE"), "x = 1\n" * 900_000),
        Case("five-megabytes.toml", ("show", "FILE"), "# " + "a" * 5_000_000 + "\n", ".toml"),
        Case("empty.py", ("show", "FILE"), ""), Case("empty.toml", ("show", "FILE"), "", ".toml"),
        Case("blank.py", ("show", "FILE"), " \n\t\n"), Case("bom.py", ("show", "FILE"), "\ufeff"),
        Case("nul.py", ("show", "FILE"), "import keras\x00\n"), Case("latin1.py", ("show", "FILE"), b"x = '\xe9'\n"),
        Case("parens.py", ("show", "FILE"), "x = " + "(" * deep + "1" + ")" * deep + "\n"),
        Case("lists.py", ("show", "FILE"), "x = " + "[" * deep + "]" * deep + "\n"),
        Case("unary.py", ("show", "FILE"), "x = " + "-" * deep + "1\n"),
        Case("nots.py", ("show", "FILE"), "x = " + "not " * deep + "1\n"),
        Case("attributes.py", ("show", "FILE"), "x = a" + ".b" * deep + "\n"),
        Case("calls.py", ("show", "FILE"), "x = f" + "()" * deep + "\n"),
        Case("subscripts.py", ("show", "FILE"), "x = a" + "[0]" * deep + "\n"),
        Case("sum.py", ("show", "FILE"), "x = " + "+".join(["a"] * deep) + "\n"),
        Case("ifs.py", ("show", "FILE"), "".join(" " * i + "if a:\n" for i in range(200)) + " " * 200 + "pass\n"),
        Case("lambdas.py", ("show", "FILE"), "x = " + "lambda: " * deep + "1\n"),
        Case("sum-1000.py", ("show", "FILE"), KERAS.format(arg="+".join(["1"] * 1000))),
        Case("nest-190.py", ("show", "FILE"), KERAS.format(arg="(" * 190 + "4" + ")" * 190), expect=0),
        Case("arrays.toml", ("show", "FILE"), "a = " + "[" * deep + "]" * deep + "\n", ".toml"),
        Case("tables.toml", ("show", "FILE"), "a = " + "{b = " * 2000 + "1" + "}" * 2000 + "\n", ".toml"),
        Case("json.toml", ("show", "FILE"), '{"layers": [{"op": "conv2d"}]}', ".toml"),
        Case("python.toml", ("show", "FILE"), KERAS.format(arg="4"), ".toml"),
        Case("toml.py", ("show", "FILE"), SPEC.format(arg="4")),
        Case("yaml.toml", ("show", "FILE"), "layers:\n  - op: conv2d\n", ".toml"),
        Case("recursion.py", ("show", "FILE"), "import keras\ndef f(x):\n    return f(x)\n"
                                                  "y = keras.layers.Conv2D(1, 1)(f(keras.Input((8, 8, 3))))\n"),
        Case("mutual.py", ("show", "FILE"), "import keras\ndef f(x):\n    return g(x)\ndef g(x):\n    return f(x)\n"
                                               "y = keras.layers.Conv2D(1, 1)(f(keras.Input((8, 8, 3))))\n"),
        Case("while.py", ("show", "FILE"), "import keras\nwhile True:\n    pass\n"
                                              "y = keras.layers.Conv2D(1, 1)(keras.Input((8, 8, 3)))\n"),
        Case("range.py", ("show", "FILE"), "import keras\nfor i in range(10**9):\n    pass\n"
                                              "y = keras.layers.Conv2D(1, 1)(keras.Input((8, 8, 3)))\n"),
        Case("nested-loops.py", ("show", "FILE"), "import keras\nfor i in range(5000):\n    for j in range(5000):\n"
                                                     "        pass\ny = keras.layers.Conv2D(1, 1)(keras.Input((8, 8, 3)))\n"),
        Case("big-list.py", ("show", "FILE"), "import keras\nx = [0] * 10**9\n"
                                                 "y = keras.layers.Conv2D(1, 1)(keras.Input((8, 8, 3)))\n"),
        Case("big-text.py", ("show", "FILE"), "import keras\nx = 'a' * 10**9\n"
                                                 "y = keras.layers.Conv2D(1, 1)(keras.Input((8, 8, 3)))\n"),
        Case("squares.py", ("show", "FILE"), "import keras\ny = C_in\nfor i in range(40):\n    y = y * y + 1\n"
                                                "x = keras.layers.Conv2D(y, 1)(keras.Input((8, 8, 3)))\n"),
        Case("arithmetic.py", ("show", "FILE"), "import keras\ny = 0\nfor i in range(9000):\n    y = y + n\n"
                                                   "x = keras.layers.Conv2D(4, 1)(keras.Input((8, 8, 3)))\n"),
        Case("many-layers.py", ("show", "FILE"), "import keras\nx = keras.Input((8, 8, 3))\nfor i in range(5000):\n"
                                                    "    x = keras.layers.BatchNormalization()(x)\n"),
        Case("evil-class.py", ("show", "FILE"), "import keras\nclass Evil:\n    def __init__(self):\n"
                                                   "        __import__('os').system('touch PWNED')\n"
                                                   "x = keras.layers.Conv2D(1, 1)(keras.Input((8, 8, 3)))\ne = Evil()\n"),
        Case("evil-module.py", ("show", "FILE"), "import torch.nn as nn\nclass Evil(nn.Module):\n"
                                                    "    def __init__(self):\n        super().__init__()\n"
                                                    "        self.c = nn.Conv2d(3, 4, 1)\n"
                                                    "        open('PWNED', 'w').write('x')\nmodel = Evil()\n", expect=None),
        Case("decorated.py", ("show", "FILE"), "import keras\n@__import__('os').system('touch PWNED')\n"
                                                  "def block(x):\n    return keras.layers.Conv2D(1, 1)(x)\n"),
        Case("async.py", ("show", "FILE"), "import keras\nasync def block(x):\n    return keras.layers.Conv2D(1, 1)(x)\n"),
        Case("generator.py", ("show", "FILE"), "import keras\ndef block(x):\n    yield keras.layers.Conv2D(1, 1)(x)\n"),
        Case("match.py", ("show", "FILE"), "import keras\nmatch 1:\n    case 1:\n        pass\n"
                                              "x = keras.layers.Conv2D(1, 1)(keras.Input((8, 8, 3)))\n"),
        Case("global.py", ("show", "FILE"), "import keras\ndef block(x):\n    global y\n"
                                               "    return keras.layers.Conv2D(1, 1)(x)\n"),
        Case("kwargs.py", ("show", "FILE"), "import keras\nevil = {'__class__': 1}\n"
                                               "x = keras.layers.Conv2D(1, 1, **evil)(keras.Input((8, 8, 3)))\n"),
        Case("star.py", ("show", "FILE"), "import keras\nevil = __import__('os').listdir('.')\n"
                                             "x = keras.layers.Conv2D(*evil)(keras.Input((8, 8, 3)))\n"),
        Case("shadow.py", ("show", "FILE"), "import keras\nint = eval\n"
                                               "x = keras.layers.Conv2D(int('4'), 1)(keras.Input((8, 8, 3)))\n"),
        Case("shadow-range.py", ("show", "FILE"), "import keras\nrange = __import__('os').system\n"
                                                     "for i in range('touch PWNED'):\n    pass\n"
                                                     "x = keras.layers.Conv2D(4, 1)(keras.Input((8, 8, 3)))\n"),
        Case("load-model.py", ("show", "FILE"), "import keras\nmodel = keras.models.load_model('evil.keras')\n"),
        Case("pickle.py", ("show", "FILE"), "import pickle, torch.nn as nn\nm = pickle.loads(b'cos\\nsystem\\n')\n"
                                               "model = nn.Sequential(m)\n"),
        Case("torch-load.py", ("show", "FILE"), "import torch\nmodel = torch.load('evil.pt')\n"
                                                   "layer = torch.nn.Linear(2, 2)\n", expect=None),
        Case("dunder-attr.py", ("show", "FILE"), "import torch.nn as nn\nclass M(nn.Module):\n"
                                                    "    def __init__(self):\n        super().__init__()\n"
                                                    "        self.__dict__['x'] = nn.Linear(2, 2)\nmodel = M()\n"),
        Case("setattr.py", ("show", "FILE"), "import torch.nn as nn\nclass M(nn.Module):\n"
                                                "    def __init__(self):\n        super().__init__()\n"
                                                "        setattr(self, 'x', nn.Linear(2, 2))\nmodel = M()\n", expect=None),
        Case("buffer.py", ("show", "FILE"), "import torch, torch.nn as nn\nclass M(nn.Module):\n"
                                               "    def __init__(self):\n        super().__init__()\n"
                                               "        self.register_buffer('b', torch.zeros(10))\n"
                                               "        self.c = nn.Linear(2, 2)\nmodel = M()\n", expect=None),
        Case("parameter.py", ("show", "FILE"), "import torch, torch.nn as nn\nclass M(nn.Module):\n"
                                                  "    def __init__(self):\n        super().__init__()\n"
                                                  "        self.w = nn.Parameter(torch.zeros(10))\nmodel = M()\n",
             expect=None),
        Case("ansi-name.py", ("show", "FILE"), "import keras\nx = keras.layers.Conv2D(1, 1, name='\\x1b[2Jx')("
                                                  "keras.Input((8, 8, 3)))\n"),
        Case("long-name.py", ("show", "FILE"), "import keras\nx = keras.layers.Conv2D(1, 1, name='" + "n" * 100 +
             "')(keras.Input((8, 8, 3)))\n"),
        Case("huge-repeat.toml", ("show", "FILE"), "[[layers]]\nrepeat = 1000000000\n[[layers.group]]\n"
                                                      "op = 'batch_norm'\n", ".toml"),
        Case("repeat-nest.toml", ("show", "FILE"), "[[layers]]\nrepeat = 1000\n[[layers.group]]\nrepeat = 1000\n"
                                                      "[[layers.group.group]]\nop = 'batch_norm'\n", ".toml"),
        Case("deep-groups.toml", ("show", "FILE"), "[[layers]]\n" + "".join(
            f"[[layers{'.group' * i}]]\n" for i in range(1, 12)) + "op = 'batch_norm'\n", ".toml"),
        Case("many-layers.toml", ("show", "FILE"), "[[layers]]\nop = 'batch_norm'\n" * 1500, ".toml"),
        Case("ansi-title.toml", ("show", "FILE"), "[block]\ntitle = \"\\u001b[2Jx\"\n[[layers]]\nop = 'flatten'\n",
             ".toml"),
        Case("newline-name.toml", ("show", "FILE"), "[block]\nname = \"a\\nb\"\n[[layers]]\nop = 'flatten'\n", ".toml"),
        Case("path-name.toml", ("show", "FILE"), "[block]\nname = \"../../etc/passwd\"\n[[layers]]\nop = 'flatten'\n",
             ".toml"),
        Case("symbol-dunder.toml", ("show", "FILE"), "[symbols.__import__]\ndefault = 1\n[[layers]]\nop = 'flatten'\n",
             ".toml"),
        Case("symbol-dotted.toml", ("show", "FILE"), "[symbols]\n\"os.system\" = 1\n[[layers]]\nop = 'flatten'\n",
             ".toml"),
        Case("symbol-cycle.toml", ("show", "FILE"), "[symbols]\na = \"b\"\nb = \"a\"\n[[layers]]\nop = 'dense'\n"
                                                       "units = \"a\"\n", ".toml"),
        Case("latex-injection.toml", ("show", "FILE", "--format", "latex"), "[symbols.n]\nmeaning = '\\\\input{/etc/passwd}'"
             "\n[[layers]]\nop = 'dense'\nunits = 'n'\n", ".toml", expect=None),
        Case("option-type.toml", ("show", "FILE"), "[options]\nbias = 'yes'\n[[layers]]\nop = 'flatten'\n", ".toml"),
        Case("wrong-types.toml", ("show", "FILE"), "[[layers]]\nop = 'conv2d'\nfilters = {a = 1}\nkernel = 1\n",
             ".toml"),
        Case("float-filters.toml", ("show", "FILE"), "[[layers]]\nop = 'conv2d'\nfilters = 1.5\nkernel = 1\n",
             ".toml"),
        Case("int64.toml", ("show", "FILE"), "[[layers]]\nop = 'conv2d'\nfilters = 9223372036854775807\nkernel = 1\n",
             ".toml", expect=None),
        Case("layers-not-list.toml", ("show", "FILE"), "layers = 3\n", ".toml"),
        Case("layer-not-table.toml", ("show", "FILE"), "layers = [1, 2]\n", ".toml"),
        Case("future-input.toml", ("show", "FILE"), "[[layers]]\nop = 'add'\ninputs = ['b', 'input']\n[[layers]]\n"
                                                       "name = 'b'\nop = 'flatten'\n", ".toml"),
        Case("bad-set-name", ("show", "mobilenetv2-block", "--set", "__class__=1")),
        Case("bad-set-dotted", ("show", "mobilenetv2-block", "--set", "os.system=1")),
        Case("bad-option", ("show", "FILE", "--option", "use_bias=__import__('os')"), DEFAULT.format(arg="4")),
        Case("stdin-junk", ("show", "-"), bytes(range(256)), stdin=True),
        Case("stdin-deep", ("show", "-"), "x = " + "(" * deep + ")" * deep, stdin=True),
        Case("stdin-big", ("show", "-"), "x = 1\n" * 200_000, stdin=True),
    ]
    return files


CORPUS = corpus()


def run(case: Case, directory: Path) -> tuple[int, str, str, float]:
    argv = list(case.argv)
    if "FILE" in argv:
        path = directory / f"{case.name}{case.suffix if not case.name.endswith(case.suffix) else ''}"
        data = case.text.encode("utf-8", "surrogatepass") if isinstance(case.text, str) else case.text
        path.write_bytes(data or b"")
        argv[argv.index("FILE")] = str(path)
    return run_in_place(case, argv)


def check(case: Case, status: int, out: str, err: str, seconds: float) -> None:
    assert seconds < LIMIT, f"{case.name}: {seconds:.2f} s"
    if case.expect is None:
        assert status in (0, 2), (case.name, status, err)
    else:
        assert status == case.expect, (case.name, status, err, out[:300])
    if status == 2:
        assert err.startswith("derive: error: ") and err.endswith("\n"), (case.name, err)
        assert out == "", case.name
        if not case.name.startswith("set-"):  # `--set` errors quote the value as given (derive.api's business)
            assert err.count("\n") == 1 and "\x1b" not in err and "\r" not in err, (case.name, err)
    else:  # nothing on standard error but warnings, each one line (code its framework would refuse, counted on)
        lines = err.splitlines()
        assert all(line.startswith("derive: warning: ") for line in lines), (case.name, err)
        assert err.count("\n") == len(lines) and "\x1b" not in err and "\r" not in err, (case.name, err)
    if status == 0 and case.name.startswith("statement-"):
        assert f"= {STATEMENT_TOTAL}\n" in out or f" {STATEMENT_TOTAL}\n" in out, (case.name, out[-400:])


def test_corpus_is_large():
    assert len(CORPUS) >= 400


@pytest.fixture(scope="module")
def warm(tmp_path_factory):
    """Run what a benign session runs once, so that timing and imports measure the inputs, not start-up."""
    directory = tmp_path_factory.mktemp("warm")
    for case in [Case("warm-keras", ("show", "FILE", "--convention", "keras"), KERAS.format(arg="4")),
                 Case("warm-torch", ("show", "FILE", "--convention", "pytorch"), TORCH.format(arg="4")),
                 Case("warm-spec", ("show", "FILE", "--format", "json"), SPEC.format(arg="4"), ".toml"),
                 Case("warm-builtin", ("show", "mobilenetv2-block", "--format", "latex"))]:
        assert run(case, directory)[0] == 0
    return directory


@pytest.mark.parametrize("case", CORPUS, ids=[c.name for c in CORPUS])
def test_hostile_input_is_answered_quickly(case, tmp_path, warm):
    check(case, *run(case, tmp_path))


@contextlib.contextmanager
def nothing_may_run(monkeypatch):
    """Every way out of the process (shell, processes, network, eval/exec, writing files) made to fail."""
    calls: list[str] = []

    def refuse(name):
        def refused(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} was called")
        return refused

    for module, names in ((os, ("system", "popen", "execv", "execve", "execvp", "spawnv", "fork", "remove",
                                "unlink", "rmdir", "rename", "kill")),
                          (subprocess, ("Popen", "run", "call", "check_call", "check_output")),
                          (socket, ("socket", "create_connection", "getaddrinfo")),
                          (importlib, ("reload",))):
        for name in names:
            if hasattr(module, name):
                monkeypatch.setattr(module, name, refuse(f"{module.__name__}.{name}"))
    real_open, real_compile, real_import_module = builtins.open, builtins.compile, importlib.import_module

    def own_modules_only(name, package=None):  # the built-in library imports its builders by name
        if not (name.startswith("derive.") or (package or "").startswith("derive")):
            calls.append(f"import_module({name!r})")
            raise AssertionError(f"import_module({name!r})")
        return real_import_module(name, package)

    monkeypatch.setattr(importlib, "import_module", own_modules_only)

    def read_only_open(file, mode="r", *args, **kwargs):
        if any(flag in mode for flag in "wax+"):
            calls.append(f"open({file!r}, {mode!r})")
            raise AssertionError(f"open for writing: {file}")
        return real_open(file, mode, *args, **kwargs)

    def ast_only_compile(source, filename, mode, flags=0, *args, **kwargs):
        import ast

        library = str(filename).startswith((sys.prefix, sys.base_prefix)) and str(filename).endswith(".py")
        if not flags & ast.PyCF_ONLY_AST and not library:  # a library's module imported lazily is compiled
            calls.append("compile")
            raise AssertionError(f"compile() to code: {filename}")
        return real_compile(source, filename, mode, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", read_only_open)
    monkeypatch.setattr(builtins, "compile", ast_only_compile)
    monkeypatch.setattr(builtins, "eval", refuse("eval"))
    monkeypatch.setattr(builtins, "exec", refuse("exec"))
    import sympy

    real_sympify = sys.modules["sympy.core.sympify"].sympify

    def guarded_sympify(value, *args, **kwargs):  # sympy calls it on its own objects: never on text
        if isinstance(value, str):
            calls.append("sympify")
            raise AssertionError(f"sympify({value[:40]!r})")
        return real_sympify(value, *args, **kwargs)

    monkeypatch.setattr(sympy, "sympify", guarded_sympify)
    monkeypatch.setattr(sys.modules["sympy.core.sympify"], "sympify", guarded_sympify)
    monkeypatch.setattr(sympy, "parse_expr", refuse("parse_expr"))
    yield calls


def test_nothing_runs(tmp_path, monkeypatch, warm):
    files, cwd = tmp_path / "files", tmp_path / "cwd"
    files.mkdir()
    cwd.mkdir()
    for case in CORPUS:  # written beforehand: writing them is the test's business, not derive's
        if "FILE" in case.argv:
            path = files / f"{case.name}{case.suffix if not case.name.endswith(case.suffix) else ''}"
            path.write_bytes(case.text.encode("utf-8", "surrogatepass") if isinstance(case.text, str)
                             else case.text or b"")
    monkeypatch.chdir(cwd)
    before = set(sys.modules)
    first_new: set[str] = set()
    for attempt in range(2):
        with nothing_may_run(monkeypatch) as calls:
            for case in CORPUS:
                argv = [str(files / f"{case.name}{case.suffix if not case.name.endswith(case.suffix) else ''}")
                        if a == "FILE" else a for a in case.argv]
                check(case, *run_in_place(case, argv))
            assert calls == []
        monkeypatch.undo()
        monkeypatch.chdir(cwd)
        new = set(sys.modules) - before
        if attempt == 0:
            first_new = new
            assert all(name.split(".")[0] in ("derive", "sympy", "mpmath", "jinja2", "markupsafe", "latexcodec",
                                              "tomllib", "difflib", "unicodedata", "encodings") for name in new), new
        else:
            assert new == first_new, new - first_new  # the second pass imports nothing at all
    assert list(cwd.iterdir()) == []
    assert not any(path.name == PWNED for path in tmp_path.rglob("*"))


def run_in_place(case: Case, argv: list[str]) -> tuple[int, str, str, float]:
    out, err = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    if case.stdin:
        data = case.text.encode("utf-8", "surrogatepass") if isinstance(case.text, str) else case.text
        sys.stdin = io.TextIOWrapper(io.BytesIO(data))
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = main(argv)
    finally:
        sys.stdin = stdin
    return status, out.getvalue(), err.getvalue(), time.perf_counter() - start


# -- mutations: valid code and specs, cut and spliced at random, never crash the reader -------------
def mutants(count: int = 150) -> list[Case]:
    from helpers.codegen import keras_source, torch_source

    rng = random.Random(11)
    seeds = [(EXAMPLES / name).read_text(encoding="utf-8") for name in
             ("forum_bottleneck.py", "inverted_residual.py", "mobilenetv2_block.toml", "separable_stack.toml")]
    seeds += [keras_source(i).source for i in range(6)] + [torch_source(i).source for i in range(6)]
    pieces = ["(", ")", "[", "]", ",", ":", "=", "*", "**", "-", "0", "-1", "None", "True", "'same'", "x", "self",
              "C_in", "\n", "    ", "\"", "'", "#", "[[layers]]\n", "if", "for", "import", "lambda", "1.5", "{", "}"]
    out = []
    for i in range(count):
        text = rng.choice(seeds)
        suffix = ".toml" if text.lstrip().startswith(("#", "[")) and "[[layers]]" in text else ".py"
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(text) + 1)
            what = rng.random()
            if what < 0.4:
                text = text[:at] + text[at + rng.randint(1, 12):]
            elif what < 0.8:
                text = text[:at] + rng.choice(pieces) + text[at:]
            else:
                other = rng.randrange(len(text) + 1)
                text = text[:at] + text[other:other + rng.randint(1, 40)] + text[at:]
        out.append(Case(f"mutant-{i}{suffix}", ("show", "FILE", "--convention", rng.choice(["paper", "keras",
                                                                                              "pytorch"])),
                        text, suffix, expect=None))
    return out


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MUTANTS = mutants()


@pytest.mark.parametrize("case", MUTANTS, ids=[c.name for c in MUTANTS])
def test_mutated_input_is_answered_quickly(case, tmp_path, warm):
    check(case, *run(case, tmp_path))
