"""The first stage: Python source to its syntax tree, with the bounds every later stage keeps.

`parse_python` is `ast.parse` with its failures as `InputError`s naming the place. The limits bound
one interpreter pass: `MAX_STEPS` statements and expressions, `MAX_DEPTH` nested evaluations,
`MAX_CALLS` nested calls, `MAX_ITEMS` items in a list, `MAX_TEXT` characters in a string,
`MAX_ITERATIONS` loop iterations, `MAX_SYMBOLIC` operations on symbols, `MAX_MADE` layers made beyond
those written out. The rest are small readings of nodes that several stages share.
"""

from __future__ import annotations

import ast
import builtins
import warnings

from ..source import Source

MAX_STEPS = 100_000  # nodes visited, and items of the sequences made, copied or searched
TEXT_PER_STEP = 16  # characters of a string made that count as one step
MAX_DEPTH = 150
MAX_CALLS = 24
MAX_ITEMS = 10_000
MAX_TEXT = 10_000
MAX_ITERATIONS = 10_000
MAX_SYMBOLIC = 500  # arithmetic on symbols (sympy is slow at it; real blocks need a few dozen)
MAX_MADE = 2_000  # layers a pass may make beyond those written out (loops), so small code does little work
BUILTIN_NAMES = frozenset(dir(builtins))
MODULE_NAMES = frozenset({"keras", "tf", "tensorflow", "layers", "nn", "torch", "math", "np", "numpy", "F",
                          "K", "models", "backend", "collections"})


def parse_python(source: Source) -> ast.Module:
    """The module's syntax tree; any failure of the parser is an `InputError` with the place."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning and the like would print a second line
            return ast.parse(source.text, filename=source.display)
    except (RecursionError, MemoryError):
        raise source.error("too deeply nested") from None
    except SyntaxError as error:
        message = error.msg or "invalid syntax"
        if "too many nested" in message or "too many levels" in message or "too complex" in message:
            message = f"too deeply nested ({message})"
        line = error.lineno or 1
        col = error.offset or 1
        raise source.error(f"invalid Python: {message}", line, max(col, 1)) from None
    except ValueError as error:
        raise source.error(f"invalid Python: {error}") from None


def count_calls(tree: ast.AST) -> int:
    """How many calls the code writes out (`ast.walk`'s nodes, walked without its generators: a pasted
    network of thousands of modules is read in one pass, and this walk is a fifth of it)."""
    count = 0
    todo = [tree]
    while todo:
        node = todo.pop()
        if node.__class__ is ast.Call:
            count += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if value.__class__ is list:
                todo.extend([item for item in value if isinstance(item, ast.AST)])
            elif isinstance(value, ast.AST):
                todo.append(value)
    return count


def dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__") and len(name) > 4


def as_load(target: ast.expr) -> ast.expr:
    """An assignment target read as a value (`x += 1` reads `x`)."""
    if isinstance(target, ast.Name):
        return ast.copy_location(ast.Name(target.id, ast.Load()), target)
    if isinstance(target, ast.Attribute):
        return ast.copy_location(ast.Attribute(target.value, target.attr, ast.Load()), target)
    return target


def simple_default(node: ast.expr) -> bool:
    """A default value that can be read where the function is defined (a number, a tuple of them)."""
    return isinstance(node, ast.Constant) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant)) or (
        isinstance(node, ast.Tuple) and all(simple_default(e) for e in node.elts))


def harmless(statement: ast.stmt) -> bool:
    """`pass`, `raise`, `assert`, or a constant on its own (a docstring): nothing a count depends on."""
    return isinstance(statement, (ast.Pass, ast.Raise, ast.Assert)) or (
        isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))


def only_checks(body: list[ast.stmt]) -> bool:
    """Whether a block only validates (raise, assert, warnings, pass)."""
    for statement in body:
        if harmless(statement):
            continue
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            func = statement.value.func
            while isinstance(func, ast.Attribute):
                func = func.value
            if isinstance(func, ast.Name) and func.id in ("print", "warnings", "logging", "logger", "log"):
                continue
        return False
    return True


_DESCRIPTIONS = {
    "Lambda": "a lambda", "NamedExpr": "an assignment expression (:=)", "Await": "await", "Yield": "yield",
    "YieldFrom": "yield from", "SetComp": "a set comprehension", "DictComp": "a dict comprehension",
    "Set": "a set", "Starred": "a starred expression", "Global": "'global'", "Nonlocal": "'nonlocal'",
    "Match": "'match'", "AsyncFor": "'async for'", "AsyncWith": "'async with'",
}
OPERATOR_TEXT = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
                 ast.Pow: "**", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
                 ast.LShift: "<<", ast.RShift: ">>"}


def describe(node: ast.AST) -> str:
    """A node's kind in an error message (`a lambda`, `'Global'`)."""
    name = type(node).__name__
    return _DESCRIPTIONS.get(name, f"'{name}'")


class Visitors(dict):
    """The `visit_<NodeClass>` methods of a class, looked up once per node class and kept (the way sympy's
    printers find `_print_<Class>`): `visitors[type(node)](self, node, ...)`; a node class without its
    own method gets `fallback`."""

    def __init__(self, owner: type, fallback: str) -> None:
        super().__init__()
        self.owner = owner
        self.fallback = fallback

    def __missing__(self, node_class: type) -> object:
        method = getattr(self.owner, f"visit_{node_class.__name__}", None) or getattr(self.owner, self.fallback)
        self[node_class] = method
        return method
