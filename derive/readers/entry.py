"""Choosing what to count in a `.py` file: `--entry NAME` with `--arg NAME=VALUE`, the default rule, and
the candidates `derive list FILE.py` shows.

The default, when no `--entry` is given: the model the file builds at module level (the last one:
`model = keras.Model(...)`, `net = Net()`; the adapters find it), else the last top-level class or
function that builds one and is not used by another one. "Builds one": a class that makes layers
(an `nn.Module`, a `keras.Model` or `Layer` subclass), or a function that makes layers, directly or
through the file's other classes and functions, and returns something (a tensor, a model, a
layer). A function that returns nothing (`def test(): net = Net(); print(net(x).shape)`, `main()`)
is a script, not a model: it is no candidate, and the models it uses stay candidates. Only when no
candidate is left is the last function that makes layers taken (as before).

`--arg` values are read without any eval: `true`/`false`, `None`, a number or an arithmetic
expression in numbers (the whitelist parser of `--set`), a tuple `(32, 32, 3)` of those, else the
text itself (`--arg activation=relu`).
"""

from __future__ import annotations

import ast
from typing import Any, Callable, Mapping

import sympy

from ..errors import ExprError, InputError
from ..expr import parse
from ..records import frozen

WORDS = {"true": True, "false": False, "none": None}
MAX_ARGS = 64
MAX_ARG_CHARS = 1000  # one --arg value
MAX_ARG_DEPTH = 8  # brackets in one --arg value (a tuple of tuples)


@frozen
class Choice:
    """What the command line chose: the entry's name (None: the default rule) and its arguments."""

    entry: str | None = None
    args: Mapping[str, Any] = None  # type: ignore[assignment]

    @property
    def given(self) -> Mapping[str, Any]:
        return self.args or {}


def read_arg(name: str, text: str) -> Any:
    """One `--arg` value as the interpreter holds values (sympy numbers, bools, None, text, tuples)."""
    stripped = text.strip()
    if stripped.lower() in WORDS:
        return WORDS[stripped.lower()]
    if stripped.startswith(("(", "[")) and stripped.endswith((")", "]")):
        items = top_level_items(stripped[1:-1])
        if stripped[0] == "(" and len(items) == 1 and not stripped[1:-1].rstrip().endswith(","):
            return read_arg(name, items[0])  # `(16)` is 16, as in Python; `(16,)` a tuple
        return tuple(read_arg(name, item) for item in items)
    if stripped[:1].isdigit() or stripped[:1] in "-+.(":
        try:
            value = parse(stripped, {}, decimals=True)
        except ExprError as error:
            raise error.at(f"--arg {name}={text if text.isprintable() else repr(text)}") from None
        return sympy.Integer(value) if value.is_Integer else value
    if (stripped[:1] in "'\"") and stripped[-1:] == stripped[:1] and len(stripped) >= 2:
        return stripped[1:-1]
    return stripped


def top_level_items(text: str) -> list[str]:
    """`1, (2, 3), 4` -> ["1", "(2, 3)", "4"]: split at the commas outside brackets (a trailing one ends it)."""
    items, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += char in "([" and 1 or char in ")]" and -1 or 0
        if char == "," and depth == 0:
            items.append(text[start:i])
            start = i + 1
    items.append(text[start:])
    return [item for item in items if item.strip()]


def read_args(pairs: Mapping[str, str]) -> dict[str, Any]:
    if len(pairs) > MAX_ARGS:
        raise InputError(f"at most {MAX_ARGS} --arg", "--arg")
    for name, value in pairs.items():
        if len(value) > MAX_ARG_CHARS or value.count("(") + value.count("[") > MAX_ARG_DEPTH:
            raise InputError(f"a value of at most {MAX_ARG_CHARS} characters and {MAX_ARG_DEPTH} brackets", f"--arg {name}")
    return {name: read_arg(name, value) for name, value in pairs.items()}


# -- the candidates -------------------------------------------------------------------------------
def returns_value(definition: ast.FunctionDef | ast.ClassDef) -> bool:
    """A class, or a function with a `return <something>` of its own (not in a nested def)."""
    if isinstance(definition, ast.ClassDef):
        return True
    stack: list[ast.AST] = list(definition.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return) and node.value is not None and not (
                isinstance(node.value, ast.Constant) and node.value.value is None):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def builders(tree: ast.Module, calls: list[tuple[int, ast.Call, str]],
             makes_layers: Callable[[str], bool]) -> tuple[list[ast.stmt], dict[str, set[str]]]:
    """Top-level functions and classes that make layers (directly or through each other), in order,
    and which of the file's names each one calls."""
    definitions = {i: n for i, n in enumerate(tree.body) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    names = {d.name for d in definitions.values()}
    called: dict[str, set[str]] = {d.name: set() for d in definitions.values()}
    direct: set[str] = set()
    for index, _, path in calls:
        definition = definitions.get(index)
        if definition is None:
            continue
        if makes_layers(path):
            direct.add(definition.name)
        head = path.partition(".")[0]
        if head in names:
            called[definition.name].add(head)
    for definition in definitions.values():  # `class Net(Block)`: a class built on another counts as using it
        if isinstance(definition, ast.ClassDef):
            called[definition.name].update(b.id for b in definition.bases if isinstance(b, ast.Name) and b.id in names)
    callers: dict[str, list[str]] = {}  # the other way: who uses each name (a linear walk from `direct`)
    for name, used in called.items():
        for other in used:
            callers.setdefault(other, []).append(name)
    found = set(direct)
    todo = list(direct)
    while todo:
        for caller in callers.get(todo.pop(), ()):
            if caller not in found:
                found.add(caller)
                todo.append(caller)
    return [d for d in definitions.values() if d.name in found], called


def candidates(tree: ast.Module, calls: list, makes_layers: Callable[[str], bool]) -> list[ast.stmt]:
    """The classes and functions that build a model and are not used by another one, in order; the
    default entry is the last (see the module's docstring)."""
    found, called = builders(tree, calls, makes_layers)
    models = [d for d in found if returns_value(d)]
    used = set().union(*(called[d.name] - {d.name} for d in models)) if models else set()
    chosen = [d for d in models if d.name not in used]
    if chosen:
        return chosen
    used = set().union(*(called[d.name] - {d.name} for d in found)) if found else set()
    return [d for d in found if d.name not in used]


def named(tree: ast.Module, name: str, found: list[ast.stmt]) -> ast.stmt:
    """The top-level class or function `--entry` names (the last definition of it)."""
    definitions = [n for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == name]
    if not definitions:
        have = ", ".join(dict.fromkeys(d.name for d in found)) or "none that builds a model"
        raise InputError(f"no class or function {name!r} in the file (candidates: {have}; `derive list FILE` "
                         "lists them)", f"--entry {name}")
    return definitions[-1]


def parameters(definition: ast.stmt) -> list[dict[str, Any]]:
    """A candidate's parameters as written: name, default (the source text, or None), kind."""
    function = definition
    if isinstance(definition, ast.ClassDef):
        function = next((n for n in definition.body if isinstance(n, ast.FunctionDef) and n.name == "__init__"), None)
        if function is None:
            return []
    args = function.args
    positional = [*args.posonlyargs, *args.args]
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    out = []
    for index, (arg, default) in enumerate(zip(positional, defaults)):
        if index == 0 and isinstance(definition, ast.ClassDef):
            continue  # self
        out.append({"name": arg.arg, "default": None if default is None else ast.unparse(default)[:80],
                    "kind": "positional"})
    if args.vararg is not None:
        out.append({"name": args.vararg.arg, "default": None, "kind": "*args"})
    for arg, default in zip(args.kwonlyargs, args.kw_defaults):
        out.append({"name": arg.arg, "default": None if default is None else ast.unparse(default)[:80],
                    "kind": "keyword"})
    if args.kwarg is not None:
        out.append({"name": args.kwarg.arg, "default": None, "kind": "**kwargs"})
    return out


def module_models(tree: ast.Module, calls: list, makes_layers: Callable[[str], bool],
                  found: list[ast.stmt]) -> list[ast.Assign]:
    """Module-level `NAME = <a call that makes a model>` (a framework's model or one of the builders)."""
    names = {d.name for d in found}
    spelled = {id(node): path for _, node, path in calls}
    out = []
    for statement in tree.body:
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name) and isinstance(statement.value, ast.Call)):
            path = spelled.get(id(statement.value))
            if path is not None and (path.partition(".")[0] in names or (
                    makes_layers(path) and path.rpartition(".")[2] in ("Model", "Sequential", "Functional"))):
                out.append(statement)
    return out
