"""Functions handed to a layer (Keras `Lambda(lambda x: x / 255)`): derive does not read them.

A `lambda` written in a `Lambda` layer's call is not evaluated (the interpreter follows no lambdas); the
call is read with it replaced by `None`, so the layer gets its other arguments and the function stays
opaque. Anywhere else a lambda stays what the interpreter refuses ("a lambda is not followed").
"""

from __future__ import annotations

import ast


def _plain(value: ast.expr) -> ast.expr:
    return ast.copy_location(ast.Constant(None), value) if isinstance(value, ast.Lambda) else value


def opaque_functions(node: ast.Call) -> ast.Call:
    """The call, with each `lambda` given as an argument replaced by `None` (the same call if none is)."""
    if not any(isinstance(v, ast.Lambda) for v in (*node.args, *(k.value for k in node.keywords))):
        return node
    keywords = [ast.copy_location(ast.keyword(arg=k.arg, value=_plain(k.value)), k) for k in node.keywords]
    return ast.copy_location(ast.Call(func=node.func, args=[_plain(a) for a in node.args], keywords=keywords), node)
