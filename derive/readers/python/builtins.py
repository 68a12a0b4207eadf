"""Python's builtins and the methods of lists and strings, as tables of small functions.

`FUNCTIONS` maps a builtin's spelling (`range`, `len`, `math.ceil`, `collections.OrderedDict`) to a
function `(interp, path, node, scope) -> value` that reads the call's arguments itself (a builtin
decides whether they are read at all); `NotImplemented` means the call is not followed (its result
is `Unknown`). `list_method` and `STRING_METHODS` do `layers.append(...)`, `"{}_{}".format(...)` and
the like. `interp` is the `Interpreter` running the pass.
"""

from __future__ import annotations

import ast
import math
import string
from typing import Any, Callable

import sympy

from ...errors import InputError
from .. import astexpr
from ..astexpr import ArithmeticRefused, Undecided
from . import objects
from .scopes import Scope
from .syntax import MAX_ITEMS
from .values import ListValue, Method, NotConditional, RangeValue, Ref, Scalar, Super, Unknown

Builtin = Callable[[Any, str, ast.Call, Scope], Any]


def _arithmetic(interp: Any, path: str, node: ast.Call, scope: Scope) -> Any:
    """`int`, `round`, `max`, `math.ceil`...: whitelisted arithmetic on numbers and sizes (`astexpr`)."""
    args, kwargs = interp.arguments(node, scope)
    if kwargs:
        raise interp.error(f"{path}() with keyword arguments is not followed", node)
    if path == "int" and len(args) == 1 and isinstance(args[0], str):
        raise interp.error("int() of a string is not followed", node)
    if path in ("min", "max") and len(args) == 1:
        args = interp.sequence(args[0], node)
    if path == "round" and len(args) == 2 and args[1] is None:
        args = args[:1]
    if not args or not all(isinstance(a, sympy.Expr) for a in args):
        raise interp.error(f"{path}() needs numbers here", node)
    try:
        return astexpr.call(path, args)
    except ArithmeticRefused as refusal:
        raise interp.error(str(refusal), node) from None
    except Undecided as undecided:
        raise interp.undecided(undecided, node) from None


def _range(interp: Any, path: str, node: ast.Call, scope: Scope) -> RangeValue:
    args, kwargs = interp.arguments(node, scope)
    if kwargs or not 1 <= len(args) <= 3:
        raise interp.error("range() takes 1 to 3 numbers", node)
    bounds = [interp.concrete_int(arg, node) for arg in args]
    start, stop, step = (0, bounds[0], 1) if len(bounds) == 1 else (*bounds, 1)[:3]
    if step == 0:
        raise interp.error("range() step cannot be zero", node)
    if len(range(start, stop, step)) > MAX_ITEMS:
        raise interp.error(f"range too long (over {MAX_ITEMS})", node)
    return RangeValue(start, stop, step)


def _len(interp: Any, path: str, node: ast.Call, scope: Scope) -> sympy.Integer:
    args, _ = interp.arguments(node, scope)
    if len(args) != 1:
        raise interp.error("len() takes one argument", node)
    if isinstance(args[0], Unknown):  # len(train_loader): as unknown as the loader
        return args[0]
    if isinstance(args[0], str):  # len(string.ascii_letters + " .,;'")
        return sympy.Integer(len(args[0]))
    if isinstance(args[0], RangeValue):
        return sympy.Integer(len(args[0].values()))
    if isinstance(args[0], str):  # len(chars): a vocabulary's size
        return sympy.Integer(len(args[0]))
    return sympy.Integer(len(interp.sequence(args[0], node)))


def _list(interp: Any, path: str, node: ast.Call, scope: Scope) -> ListValue:
    args, _ = interp.arguments(node, scope)
    return interp.new_list(interp.sequence(args[0], node) if args else [])


def _tuple(interp: Any, path: str, node: ast.Call, scope: Scope) -> tuple:
    args, _ = interp.arguments(node, scope)
    return tuple(interp.sequence(args[0], node) if args else [])


def _sequences(interp: Any, path: str, node: ast.Call, scope: Scope) -> tuple:
    """`enumerate(seq)`, `zip(*seqs)`, `reversed(seq)`: tuples of what they would yield."""
    args, _ = interp.arguments(node, scope)
    unknown = next((arg for arg in args if isinstance(arg, Unknown)), None)
    if unknown is not None:  # enumerate(train_loader): as unknown as the loader
        return unknown
    sequences = [interp.sequence(arg, node) for arg in args]
    if path == "enumerate" and len(sequences) == 1:
        return tuple((sympy.Integer(i), item) for i, item in enumerate(sequences[0]))
    if path == "zip":
        return tuple(zip(*sequences))
    if path == "reversed" and len(sequences) == 1:
        return tuple(reversed(sequences[0]))
    raise interp.error(f"{path}() with these arguments is not followed", node)


def _str(interp: Any, path: str, node: ast.Call, scope: Scope) -> Any:
    args, _ = interp.arguments(node, scope)
    return interp.as_text(args[0], node) if len(args) == 1 else NotImplemented


def _bool(interp: Any, path: str, node: ast.Call, scope: Scope) -> bool:
    args, _ = interp.arguments(node, scope)
    return bool(args) and interp.truth(args[0], node)


def _dict(interp: Any, path: str, node: ast.Call, scope: Scope) -> dict:
    args, kwargs = interp.arguments(node, scope)
    out: dict[str, Any] = {}
    for arg in args:
        pairs = arg.items() if isinstance(arg, dict) else (
            interp.sequence(pair, node) for pair in interp.sequence(arg, node))
        for pair in pairs:
            key, value = pair if isinstance(pair, tuple) else tuple(pair)
            if not isinstance(key, str):
                raise interp.error("dictionary keys must be strings here", node)
            out[key] = value
    out.update(kwargs)
    return out


def _super(interp: Any, path: str, node: ast.Call, scope: Scope) -> Super:
    if not interp.current_class:
        raise interp.error("super() outside a method", node)
    cls, instance = interp.current_class[-1]
    return Super(cls, instance)


def _isinstance(interp: Any, path: str, node: ast.Call, scope: Scope) -> bool:
    args, _ = interp.arguments(node, scope)
    if len(args) == 2:
        classes = args[1] if isinstance(args[1], tuple) else (args[1],)
        answers = [python_instance(args[0], c) for c in classes]
        answers = [interp.framework.is_instance(interp, args[0], c) if a is NotImplemented else a
                   for a, c in zip(answers, classes)]
        if all(a is not NotImplemented for a in answers):
            return any(answers)
    raise interp.error("isinstance() is only followed on modules and layer classes", node)


def _getattr(interp: Any, path: str, node: ast.Call, scope: Scope) -> Any:
    """`getattr(nn, "ReLU")`, `getattr(cfg, "hidden", 64)`: an attribute whose name is a string derive reads."""
    args, kwargs = interp.arguments(node, scope)
    if kwargs or len(args) not in (2, 3) or not isinstance(args[1], str):
        raise interp.error("getattr() is followed with a name derive can read (a string)", node)
    if len(args) == 2 or isinstance(args[0], Ref):
        return interp.attribute(args[0], args[1], node)
    try:
        return interp.attribute(args[0], args[1], node)
    except InputError:
        return args[2]


MATH = {"math.sqrt": math.sqrt, "math.log": math.log, "math.log2": math.log2, "math.log10": math.log10,
        "math.exp": math.exp, "math.pow": math.pow, "math.sin": math.sin, "math.cos": math.cos, "math.tan": math.tan,
        "math.atan": math.atan, "math.tanh": math.tanh, "np.sqrt": math.sqrt, "np.log": math.log,
        "numpy.sqrt": math.sqrt, "numpy.log": math.log}
CONSTANTS = {"math.pi": math.pi, "math.e": math.e, "math.tau": math.tau, "np.pi": math.pi, "numpy.pi": math.pi,
             "string.ascii_letters": string.ascii_letters, "string.ascii_lowercase": string.ascii_lowercase,
             "string.ascii_uppercase": string.ascii_uppercase, "string.digits": string.digits,
             "string.punctuation": string.punctuation}


def _math(interp: Any, path: str, node: ast.Call, scope: Scope) -> Any:
    """`math.sqrt(784)`, `math.log(4, 2)`: computed on numbers (as Python would, in floating point); of a
    size, a number derive does not compute (`Scalar`)."""
    args, kwargs = interp.arguments(node, scope)
    if kwargs or not args or not all(isinstance(a, sympy.Expr) and not isinstance(a, bool) for a in args):
        return Unknown(f"{interp.snippet(node.func)}(...)", interp.where(node))
    if not all(a.is_Number for a in args):
        return Scalar(f"{interp.snippet(node.func)}(...)", interp.where(node))
    try:
        return astexpr.number(MATH[path](*(float(a) for a in args)))
    except (ValueError, OverflowError, ZeroDivisionError, ArithmeticRefused):
        raise interp.error(f"{path}() of these numbers is not a finite number", node) from None


_PYTHON_TYPES = {"str": str, "tuple": tuple, "list": ListValue, "dict": dict}


def python_instance(value: Any, cls: Any) -> Any:
    """`isinstance(value, int)` and the like for the values the interpreter holds, or NotImplemented."""
    if not isinstance(cls, Ref) or cls.path not in ("int", "float", "str", "bool", "tuple", "list", "dict"):
        return NotImplemented
    if cls.path == "bool":
        return isinstance(value, bool)
    if cls.path == "int":
        return isinstance(value, sympy.Expr) and value.is_integer is True
    if cls.path == "float":
        return isinstance(value, sympy.Expr) and value.is_Rational is True and not value.is_Integer
    return isinstance(value, _PYTHON_TYPES[cls.path])


FUNCTIONS: dict[str, Builtin] = {
    "range": _range, "len": _len, "list": _list, "tuple": _tuple,
    "enumerate": _sequences, "zip": _sequences, "reversed": _sequences,
    "str": _str, "bool": _bool, "dict": _dict, "collections.OrderedDict": _dict, "OrderedDict": _dict,
    "super": _super, "isinstance": _isinstance, "getattr": _getattr,
    "argparse.ArgumentParser": objects.make_parser, "ArgumentParser": objects.make_parser,
    **{path: _math for path in MATH},
    **{path: _arithmetic for path in astexpr.FUNCTIONS},
}


# -- methods
LIST_METHODS = ("append", "extend", "insert", "index", "count")  # those attribute access gives; the first three run


def list_method(interp: Any, method: Method, node: ast.Call, scope: Scope) -> None:
    """`items.append(x)`, `.extend(seq)`, `.insert(i, x)`; inside a branch on sizes, only what the branch made
    may be added to a list from before it."""
    target, name = method.target, method.name
    args, kwargs = interp.arguments(node, scope)
    if kwargs:
        raise interp.error(f"list.{name}() takes no keyword arguments", node)
    if len(interp.branches) > target.depth:
        added = args[-1:] if name != "extend" else interp.sequence(args[0], node) if args else []
        if not all(interp.conditional_value(item) for item in added):
            raise NotConditional()
    if name == "append" and len(args) == 1:
        target.items.append(args[0])
    elif name == "extend" and len(args) == 1:
        target.items.extend(interp.sequence(args[0], node))
    elif name == "insert" and len(args) == 2:
        target.items.insert(interp.concrete_int(args[0], node), args[1])
    else:
        raise interp.error(f"list.{name}() is not followed", node)
    if len(target.items) > MAX_ITEMS:
        raise interp.error(f"list too long (over {MAX_ITEMS})", node)


def _format(interp: Any, text: str, args: list, kwargs: dict, node: ast.Call) -> Any:
    if kwargs or "{}" not in text or text.count("{") != len(args):
        return NotImplemented
    for arg in args:
        text = text.replace("{}", interp.as_text(arg, node), 1)
    return interp.text(text, node)


def _join(interp: Any, text: str, args: list, kwargs: dict, node: ast.Call) -> Any:
    if len(args) != 1:
        return NotImplemented
    return interp.text(text.join(interp.as_text(v, node) for v in interp.sequence(args[0], node)), node)


def _case(change: Callable[[str], str]) -> Callable[[Any, str, list, dict, ast.Call], Any]:
    return lambda interp, text, args, kwargs, node: NotImplemented if args else change(text)


def _replace(interp: Any, text: str, args: list, kwargs: dict, node: ast.Call) -> Any:
    if len(args) != 2 or not all(isinstance(a, str) for a in args):
        return NotImplemented
    return interp.text(text.replace(args[0], args[1]), node)


STRING_METHODS = {"format": _format, "join": _join, "lower": _case(str.lower), "upper": _case(str.upper),
                  "strip": _case(str.strip), "replace": _replace}


def string_method(interp: Any, method: Method, node: ast.Call, scope: Scope) -> str:
    """`"{}_{}".format(a, b)`, `"_".join(parts)`, `.lower()`, `.upper()`, `.strip()`, `.replace(a, b)`."""
    args, kwargs = interp.arguments(node, scope)
    unknown = next((a for a in (*args, *kwargs.values()) if isinstance(a, Unknown)), None)
    if unknown is not None:  # "{:,}".format(sum(p.numel() for p in model.parameters())): text of data
        return unknown
    run = STRING_METHODS.get(method.name)
    result = NotImplemented if run is None else run(interp, method.target, args, kwargs, node)
    if result is NotImplemented:
        raise interp.error(f"str.{method.name}() with these arguments is not followed", node)
    return result


DICT_METHODS = ("get", "pop", "setdefault", "items", "keys", "values", "update", "copy")


def dict_method(interp: Any, method: Method, node: ast.Call, scope: Scope) -> Any:
    """`cfg.get("hidden", 64)`, `kwargs.pop("num_classes", 10)`, `.items()`, `.update(...)`: on an entry's
    open `**kwargs` a key it lacks is the entry's own parameter, its default the one given here."""
    target, name = method.target, method.name
    args, kwargs = interp.arguments(node, scope)
    if name in ("get", "pop", "setdefault") and 1 <= len(args) <= 2 and not kwargs:
        key = args[0]
        if not isinstance(key, str):
            raise interp.error("dictionary keys must be strings here", node)
        if key in target:
            return target.pop(key) if name == "pop" else target[key]
        default = args[1] if len(args) == 2 else None
        opener = getattr(target, "opener", None)
        if opener is not None:
            default = opener(key, default, node)
        if name == "pop" and len(args) == 1 and opener is None:
            raise interp.error(f"no key {key!r}", node)
        if name == "setdefault":
            target[key] = default
        return default
    if name in ("items", "keys", "values", "copy") and not args and not kwargs:
        interp.charge(len(target), node)
        if name == "copy":
            return target.like(dict(target)) if hasattr(target, "like") else dict(target)
        return tuple(target.items() if name == "items" else target.keys() if name == "keys" else target.values())
    if name == "update" and len(args) <= 1 and (not args or isinstance(args[0], dict)):
        target.update(args[0] if args else {})
        target.update(kwargs)
        return None
    raise interp.error(f"dict.{name}() with these arguments is not followed", node)
