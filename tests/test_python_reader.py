"""The Python reader's parts on their own: the call binder against Python's (`inspect.signature(...).bind`),
the walk over class bases, and the visitor tables against the `ast` node classes.

The binder is given a function's `ast.arguments` and the default values Python itself holds for it;
every call pattern (how many positional arguments, which keywords) binds the same values, in the same
order, as `inspect.Signature.bind` + `apply_defaults`, or is refused where Python raises `TypeError`.
"""

from __future__ import annotations

import ast
import inspect
import itertools

import pytest

from derive.errors import InputError
from derive.readers.python import classes
from derive.readers.python.binder import EMPTY, BindError, Signature
from derive.readers.python.expressions import Expressions
from derive.readers.python.statements import Statements
from derive.readers.python.values import ClassValue, Function, Ref

SIGNATURES = [
    "def f(): pass",
    "def f(a): pass",
    "def f(a, b): pass",
    "def f(a, b=2): pass",
    "def f(a=1, b=2, c=3): pass",
    "def f(a, /, b): pass",
    "def f(a, /, b=2, *, c): pass",
    "def f(a, b=None, /): pass",
    "def f(*args): pass",
    "def f(a, *args): pass",
    "def f(**kwargs): pass",
    "def f(a, /, **kwargs): pass",
    "def f(a, b=2, *args, c, d=4, **kwargs): pass",
    "def f(*, c): pass",
    "def f(*, c=None): pass",
    "def f(a, *, b, c=3): pass",
    "def f(self, x, y=0): pass",
]
NAMES = ("a", "b", "c", "d", "x", "args", "kwargs")


def python_function(source: str):
    namespace: dict = {}
    exec(compile(source, "<binder test>", "exec"), namespace)  # our own fixed test sources, not user input
    return namespace["f"]


def signature_of(source: str) -> Signature:
    """The binder's signature of `source`, with the default values Python holds for the function."""
    function = python_function(source)
    node = ast.parse(source).body[0]
    defaults = function.__defaults__ or ()
    kw_defaults = tuple((function.__kwdefaults__ or {}).get(arg.arg, EMPTY) for arg in node.args.kwonlyargs)
    return Signature.of(node.name, node.args, defaults, kw_defaults)


def calls():
    """Every call of up to five positional arguments and any set of keywords among `NAMES`."""
    for count in range(6):
        positional = [f"p{i}" for i in range(count)]
        for size in range(len(NAMES) + 1):
            for names in itertools.combinations(NAMES, size):
                yield positional, {name: f"k_{name}" for name in names}


def by_python(function, positional, keywords):
    try:
        bound = inspect.signature(function).bind(*positional, **keywords)
    except TypeError:
        return None
    bound.apply_defaults()
    return list(bound.arguments.items())


def by_binder(signature, positional, keywords):
    try:
        return list(signature.bind(positional, keywords, default=lambda param: param.default).items())
    except BindError:
        return None


@pytest.mark.parametrize("source", SIGNATURES)
def test_binder_binds_as_python_does(source):
    function, signature = python_function(source), signature_of(source)
    checked = refused = 0
    for positional, keywords in calls():
        expected = by_python(function, positional, keywords)
        assert by_binder(signature, positional, keywords) == expected, (source, positional, keywords)
        checked += 1
        refused += expected is None
    assert checked == 6 * 2 ** len(NAMES)
    assert refused > 0 or source in ("def f(*args): pass",)  # the calls exercise Python's refusals too


@pytest.mark.parametrize("source, positional, keywords, message", [
    ("def f(a, b): pass", [1], {}, "f() is missing its argument 'b'"),
    ("def f(a, b): pass", [1, 2, 3], {}, "f() takes 2 positional arguments, got 3"),
    ("def f(a, b): pass", [1], {"a": 2}, "f() got two values for 'a'"),
    ("def f(a): pass", [1], {"z": 2}, "f() has no parameter 'z'"),
    ("def f(a, *, k): pass", [1], {}, "f() is missing its keyword argument 'k'"),
    ("def f(a, /): pass", [], {"a": 1}, "f() is missing its argument 'a'"),
    ("def f(a=0, /): pass", [], {"a": 1}, "f() takes 'a' by position only"),
])
def test_binder_refusals_name_the_function_and_parameter(source, positional, keywords, message):
    with pytest.raises(BindError) as refusal:
        signature_of(source).bind(positional, keywords, default=lambda param: param.default)
    assert str(refusal.value) == message


def test_binder_asks_for_each_parameter_left_out_in_order():
    signature = signature_of("def f(self, t, k=3, *rest, n, bias=True, **more): pass")
    asked = []

    def default(param):
        asked.append(("default", param.name))
        return param.default

    def required(param):
        asked.append(("required", param.name, param.keyword_only))
        return param.name.upper()

    values = signature.bind(["me"], {}, default, required)
    assert asked == [("required", "t", False), ("default", "k"), ("required", "n", True), ("default", "bias")]
    assert values == {"self": "me", "t": "T", "k": 3, "rest": (), "n": "N", "bias": True, "more": {}}


def test_binder_keeps_a_none_default():
    """A keyword-only parameter whose default is None has a default (Python's rule), it is not missing."""
    assert signature_of("def f(*, norm=None): pass").bind([], {}, lambda p: p.default) == {"norm": None}


# -- the walk over class bases
def _class(name: str, *bases) -> ClassValue:
    return ClassValue(ast.ClassDef(name=name, bases=[], keywords=[], body=[], decorator_list=[]), bases, None)


def _method(cls: ClassValue, name: str) -> Function:
    node = ast.parse(f"def {name}(self): pass").body[0]
    method = Function(node, None, Signature.of(name, node.args), cls)
    cls.methods[name] = method
    return method


def test_lineage_is_the_class_then_its_bases_breadth_first():
    top = _class("Top", Ref("torch.nn.Module"))
    left, right = _class("Left", top), _class("Right", Ref("object"))
    child = _class("Child", left, right)
    assert [c.name for c in classes.lineage(child)] == ["Child", "Left", "Right", "Top"]
    assert classes.is_subclass(child, lambda ref: ref.path == "torch.nn.Module")
    assert not classes.is_subclass(right, lambda ref: ref.path == "torch.nn.Module")


def test_methods_and_attributes_come_from_the_first_class_along_the_lineage():
    top = _class("Top")
    left, right = _class("Left", top), _class("Right")
    child = _class("Child", left, right)
    from_top, from_right = _method(top, "forward"), _method(right, "forward")
    assert classes.find_method(child, "forward") is from_right  # Right comes before Left's base
    assert classes.find_method(left, "forward") is from_top
    assert classes.find_method(child, "missing") is None
    top.attributes["width"] = 8
    assert classes.class_attribute(child, "width") == (True, 8)
    assert classes.class_attribute(child, "forward") == (True, from_right)
    assert classes.class_attribute(child, "depth") == (False, None)


def test_lineage_is_bounded():
    cls = _class("C0")
    for index in range(1, 20):  # a diamond on every level: 2**19 paths to the root
        cls = _class(f"C{index}", cls, cls)
    assert len(list(classes.lineage(cls))) == classes.MAX_LINEAGE


# -- the visitor tables
@pytest.mark.parametrize("mixin, base", [(Expressions, ast.expr), (Statements, ast.stmt)])
def test_every_visitor_is_named_after_a_node_class_of_its_kind(mixin, base):
    names = [name for name in vars(mixin) if name.startswith("visit_") and not name.startswith("visit_other")]
    assert names
    for name in names:
        node_class = getattr(ast, name.removeprefix("visit_"), None)
        assert isinstance(node_class, type) and issubclass(node_class, base), name


def test_a_node_class_without_a_visitor_is_refused_with_its_name(tmp_path):
    from derive.readers import load_file

    path = tmp_path / "lam.py"
    path.write_text("from torch import nn\nf = lambda x: x\nmodel = nn.Sequential(nn.Linear(2, 3))\n"
                    "g = {1, 2}\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_file(str(path))
    assert str(refused.value).endswith("lam.py:2:5: a lambda is not supported here")
    path.write_text("from torch import nn\nglobal g\nmodel = nn.Sequential(nn.Linear(2, 3))\n", encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_file(str(path))
    assert str(refused.value).endswith("lam.py:2:1: 'global' is not followed")


# -- what the one binder changed: Python's rules where the two bindings before it differed from Python
def _layers(tmp_path, source: str) -> list[str]:
    from derive.readers import load_file

    path = tmp_path / "pasted.py"
    path.write_text(source, encoding="utf-8")
    target = load_file(str(path))
    return [type(node.layer).__name__ for node in target.build(dict(target.options)).nodes]


def test_a_keyword_only_parameter_defaulting_to_none_is_none(tmp_path):
    source = ("from torch import nn\n\ndef block(c, *, norm=None):\n    layers = [nn.Conv2d(c, 8, 3)]\n"
              "    if norm is not None:\n        layers.append(nn.BatchNorm2d(8))\n    return nn.Sequential(*layers)\n")
    assert _layers(tmp_path, source) == ["Conv2D"]
    called = ("from torch import nn\n\ndef conv(c, *, norm=None):\n    return nn.Conv2d(c, 8, 3)\n\n"
              "def block(c):\n    return nn.Sequential(conv(c))\n")
    assert _layers(tmp_path, called) == ["Conv2D"]


def test_a_positional_only_parameter_is_not_given_by_keyword(tmp_path):
    source = ("from torch import nn\n\ndef conv(c, k=3, /):\n    return nn.Conv2d(c, 8, k)\n\n"
              "def block(c):\n    return nn.Sequential(conv(c, k=5))\n")
    with pytest.raises(InputError) as refused:
        _layers(tmp_path, source)
    assert str(refused.value).endswith("pasted.py:7:26: conv() takes 'k' by position only")


def test_count_calls_counts_what_ast_walk_finds():
    from pathlib import Path

    from derive.readers.python.syntax import count_calls

    counted = 0
    for path in sorted(Path(__file__).resolve().parents[1].glob("derive/readers/**/*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert count_calls(tree) == sum(isinstance(node, ast.Call) for node in ast.walk(tree)), path
        counted += count_calls(tree)
    assert counted > 1000
