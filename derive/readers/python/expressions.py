"""Expressions: one `visit_<Node>` per kind of expression the interpreter reads, and the operators.

`eval` counts the step and the nesting, then calls the node class's visitor (looked up once per class:
`Visitors`). A kind without a visitor (a lambda, a set, `await`) is an error naming it. Numbers are
sympy's, through `astexpr`'s whitelisted arithmetic; a comparison that depends on symbols is a
`Pending` test; a call goes to the user's function or class, a known method, the framework, a
builtin, or is not followed (`Unknown`).
"""

from __future__ import annotations

import ast
from typing import Any

import sympy

from .. import astexpr
from ..astexpr import ArithmeticRefused, Undecided
from ..names import name_problem
from . import objects
from .builtins import CONSTANTS
from .builtins import FUNCTIONS as BUILTINS
from .classes import not_followed
from .builtins import DICT_METHODS, LIST_METHODS, STRING_METHODS, dict_method, list_method, string_method
from .scopes import Scope
from .syntax import (BUILTIN_NAMES, MAX_ITEMS, MAX_SYMBOLIC, MAX_TEXT, MODULE_NAMES,
                     OPERATOR_TEXT, TEXT_PER_STEP, Visitors, describe, dunder)
from .values import (ClassValue, Function, ListValue, Method, Open, OpenKwargs, Pending, RangeValue, Ref, Super,
                     Unknown, negated)


class Expressions:
    """The expression half of the `Interpreter` (a mixin: `self` is the interpreter)."""

    expression_visitors: Visitors

    def eval(self, node: ast.expr, scope: Scope) -> Any:
        self.enter(node)
        try:
            return self.expression_visitors[node.__class__](self, node, scope)
        finally:
            self.depth -= 1

    def visit_other_expression(self, node: ast.expr, scope: Scope) -> Any:
        raise self.error(f"{describe(node)} is not supported here", node)

    # -- the kinds of expression
    def visit_Constant(self, node: ast.Constant, scope: Scope) -> Any:
        value = node.value
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise self.error(f"string too long (over {MAX_TEXT} characters)", node)
            return value
        if isinstance(value, (int, float)):
            try:
                return astexpr.number(value)
            except ArithmeticRefused as refusal:
                raise self.error(str(refusal), node) from None
        raise self.error(f"{type(value).__name__} constants are not supported", node)

    def visit_Attribute(self, node: ast.Attribute, scope: Scope) -> Any:
        return self.attribute(self.eval(node.value, scope), node.attr, node)

    def visit_BinOp(self, node: ast.BinOp, scope: Scope) -> Any:
        return self.binop(node.op, self.eval(node.left, scope), self.eval(node.right, scope), node)

    def visit_UnaryOp(self, node: ast.UnaryOp, scope: Scope) -> Any:
        return self.unary(node, self.eval(node.operand, scope))

    def visit_BoolOp(self, node: ast.BoolOp, scope: Scope) -> Any:
        result: Any = None
        pending: list[Pending] = []
        for value in node.values:
            result = self.eval(value, scope)
            if isinstance(result, Pending):
                pending.append(result)
                continue
            truth = self.truth(result, value)
            if truth is isinstance(node.op, ast.Or):
                return result
        if pending:
            clauses = None
            if isinstance(node.op, ast.And) and all(p.clauses is not None for p in pending):
                clauses = tuple(c for p in pending for c in p.clauses)  # type: ignore[union-attr]
            return self.pending(frozenset().union(*(p.symbols for p in pending)), node, clauses)
        return result

    def visit_Compare(self, node: ast.Compare, scope: Scope) -> Any:
        if len(node.ops) == 1:
            left, right = self.eval(node.left, scope), self.eval(node.comparators[0], scope)
            try:
                return self.compare_pair(node.ops[0], left, right, node)
            except Open as open_test:
                clauses = None
                if isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
                    clauses = ((left, "=" if isinstance(node.ops[0], ast.Eq) else "≠", right),)
                return self.pending(open_test.symbols, node, clauses)
        try:
            return self.compare(node, scope)
        except Open as open_test:
            return self.pending(open_test.symbols, node)

    def visit_IfExp(self, node: ast.IfExp, scope: Scope) -> Any:
        return self.eval(node.body if self.truth(self.eval(node.test, scope), node.test) else node.orelse, scope)

    def visit_Tuple(self, node: ast.Tuple, scope: Scope) -> Any:
        return tuple(self.elements(node.elts, scope, node))

    def visit_List(self, node: ast.List, scope: Scope) -> Any:
        return self.new_list(self.elements(node.elts, scope, node))

    def visit_Dict(self, node: ast.Dict, scope: Scope) -> dict:
        out: dict[str, Any] = {}
        for key_node, value_node in zip(node.keys, node.values):
            if key_node is None:
                value = self.eval(value_node, scope)
                if not isinstance(value, dict):
                    raise self.error("** in a dict needs a dict", value_node)
                out.update(value)
                continue
            key = self.eval(key_node, scope)
            if not isinstance(key, str):
                raise self.error("dictionary keys must be strings here", key_node)
            out[key] = self.eval(value_node, scope)
            if len(out) > MAX_ITEMS:
                raise self.error("dictionary too large", node)
        return out

    def visit_Subscript(self, node: ast.Subscript, scope: Scope) -> Any:
        value = self.eval(node.value, scope)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, dict):
            key = self.eval(node.slice, scope)
            if not isinstance(key, str) or key not in value:
                raise self.error(f"no key {key!r}", node.slice)
            return value[key]
        items: Any
        if isinstance(value, ListValue):
            items = value.items
        elif isinstance(value, (tuple, str)):
            items = value
        else:
            result = self.framework.attribute(self, value, "__getitem__", node)
            if isinstance(result, dict):  # a framework's mapping (nn.ModuleDict)
                key = self.eval(node.slice, scope)
                if not isinstance(key, str) or key not in result:
                    raise self.error(f"no key {key!r}", node.slice)
                return result[key]
            if not isinstance(result, (list, tuple)):
                raise self.error(f"cannot index {self.kind(value)}", node)
            items = tuple(result)
        if isinstance(node.slice, ast.Slice):
            bounds = [None if part is None else self.concrete_int(self.eval(part, scope), part)
                      for part in (node.slice.lower, node.slice.upper, node.slice.step)]
            if bounds[2] == 0:
                raise self.error("slice step cannot be zero", node.slice)
            picked = items[slice(*bounds)]
            self.charge(len(picked) // TEXT_PER_STEP if isinstance(picked, str) else len(picked), node)
            return self.new_list(list(picked)) if isinstance(value, ListValue) else picked
        return items[self.index(self.eval(node.slice, scope), len(items), node.slice)]

    def visit_ListComp(self, node: ast.ListComp, scope: Scope) -> Any:
        return self.new_list(self.comprehension(node, scope))

    def visit_GeneratorExp(self, node: ast.GeneratorExp, scope: Scope) -> Any:
        return tuple(self.comprehension(node, scope))

    def visit_JoinedStr(self, node: ast.JoinedStr, scope: Scope) -> str:
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            elif isinstance(value, ast.FormattedValue):
                if value.conversion != -1 or value.format_spec is not None:
                    raise self.error("f-string conversions and formats are not supported", value)
                parts.append(self.as_text(self.eval(value.value, scope), value))
            else:
                raise self.error("f-string part not supported", value)
        return self.text("".join(parts), node)

    # -- names and attributes
    def visit_Name(self, node: ast.Name, scope: Scope, callee: bool = False) -> Any:
        """A variable's value; else a `Ref` by its spelling if it is called or names a module or builtin,
        else a free symbol."""
        found, value = scope.lookup(node.id)
        if found:
            return value
        if node.id == "__name__":
            return "__main__"
        if dunder(node.id):
            raise self.error(f"{node.id!r} is not followed", node)
        if callee or node.id in BUILTIN_NAMES or node.id in MODULE_NAMES or node.id in self.aliases:
            return Ref(self.aliases.get(node.id, node.id))
        problem = name_problem(node.id)
        if problem:
            raise self.error(problem, node)
        return self.symbols.make(node.id, f"`{node.id}`, used in the code without a value")

    def eval_callee(self, node: ast.expr, scope: Scope, quiet: bool = False) -> Any:
        """What a call calls: names not bound are `Ref`s by their spelling, never symbols."""
        if isinstance(node, ast.Name):
            return self.visit_Name(node, scope, callee=True)
        if isinstance(node, ast.Attribute):
            return self.attribute(self.eval_callee(node.value, scope, quiet), node.attr, node)
        if quiet and not isinstance(node, (ast.Call, ast.Subscript)):
            return Unknown(self.snippet(node), self.where(node))
        return self.eval(node, scope)

    def attribute(self, value: Any, attr: str, node: ast.AST) -> Any:
        if dunder(attr) and not (attr == "__init__" and isinstance(value, (Super, Ref, ClassValue))):
            raise self.error(f"attribute {attr!r} is not followed", node)
        if isinstance(value, Ref):
            constant = CONSTANTS.get(f"{value.path}.{attr}")  # math.pi, string.ascii_letters
            if constant is not None:
                return self.visit_Constant(ast.copy_location(ast.Constant(constant), node), Scope())
            return Ref(f"{value.path}.{attr}")
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Super):
            return Method(value, attr)
        if isinstance(value, ListValue) and attr in LIST_METHODS:
            return Method(value, attr)
        if isinstance(value, str) and attr in STRING_METHODS:
            return Method(value, attr)
        if isinstance(value, dict) and attr in DICT_METHODS:
            return Method(value, attr)
        if isinstance(value, ClassValue):
            found, member = self.class_attribute(value, attr)
            if found:
                return member
            if attr == "__init__":
                return Ref("object.__init__")
        if isinstance(value, objects.PlainObject):
            return objects.attribute(self, value, attr, node)
        if isinstance(value, objects.Native):
            return value.get(self, attr, node)
        result = self.framework.attribute(self, value, attr, node)
        if result is not NotImplemented:
            return result
        raise self.error(f"{self.kind(value)} has no attribute {attr!r} that derive knows", node)

    # -- operators
    def unary(self, node: ast.UnaryOp, value: Any) -> Any:
        if isinstance(node.op, ast.Not):
            if isinstance(value, Pending):
                clauses = None if value.clauses is None or len(value.clauses) != 1 else negated(value.clauses).clauses
                return Pending(value.symbols, value.text, value.where, clauses)
            return not self.truth(value, node.operand)
        if isinstance(value, Unknown) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Invert)):
            return value  # `-math.log(10000.0)`: as unknown as what it negates
        if isinstance(node.op, ast.USub) and not isinstance(value, (sympy.Expr, bool)):
            negated_value = self.framework.binop(self, ast.Mult(), sympy.Integer(-1), value, node)  # `-tensor`
            if negated_value is not NotImplemented:
                return negated_value
        if isinstance(value, sympy.Expr) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return -value if isinstance(node.op, ast.USub) else value
        raise self.error(f"cannot apply {type(node.op).__name__} to {self.kind(value)}", node)

    def binop(self, op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        if isinstance(left, sympy.Expr) and isinstance(right, sympy.Expr):
            if not (left.is_Number and right.is_Number):
                self.symbolic += 1
                if self.symbolic > MAX_SYMBOLIC:
                    raise self.error(f"too much arithmetic on sizes (over {MAX_SYMBOLIC} operations)", node)
            try:
                return astexpr.binary(op, left, right)
            except ArithmeticRefused as refusal:
                raise self.error(str(refusal), node) from None
            except Undecided as undecided:
                raise self.undecided(undecided, node) from None
        if isinstance(op, ast.Add):
            if isinstance(left, str) and isinstance(right, str):
                return self.text(left + right, node)
            if isinstance(left, tuple) and isinstance(right, tuple):
                self.charge(len(left) + len(right), node)
                return self.items(left + right, node)
            if isinstance(left, ListValue) and isinstance(right, ListValue):
                self.charge(len(left.items) + len(right.items), node)
                return self.new_list(list(self.items(tuple(left.items + right.items), node)))
        if isinstance(op, ast.Mult):
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (tuple, ListValue, str)) and isinstance(times, sympy.Expr):
                    count = self.concrete_int(times, node)
                    if count < 0 or count * max(len(seq if not isinstance(seq, ListValue) else seq.items), 1) > MAX_ITEMS:
                        raise self.error("sequence too long", node)
                    size = count * len(seq.items if isinstance(seq, ListValue) else seq)
                    self.charge(size // TEXT_PER_STEP if isinstance(seq, str) else size, node)
                    if isinstance(seq, ListValue):
                        return self.new_list(seq.items * count)
                    return seq * count
        if isinstance(op, ast.Mod) and isinstance(left, str):
            raise self.error("%-formatting is not supported", node)
        result = self.framework.binop(self, op, left, right, node)
        if result is not NotImplemented:
            return result
        raise self.error(f"cannot compute {self.kind(left)} {OPERATOR_TEXT.get(type(op), '?')} "
                         f"{self.kind(right)}", node)

    def compare(self, node: ast.Compare, scope: Scope) -> bool:
        left = self.eval(node.left, scope)
        for op, right_node in zip(node.ops, node.comparators):
            right = self.eval(right_node, scope)
            if not self.compare_pair(op, left, right, node):
                return False
            left = right
        return True

    def compare_pair(self, op: ast.cmpop, left: Any, right: Any, node: ast.AST) -> bool:
        if isinstance(op, (ast.Is, ast.IsNot)):
            same = (left is None and right is None) or (left is right)
            if left is not None and right is not None and not isinstance(left, bool):
                raise self.error("'is' is only followed with None, True and False", node)
            return same if isinstance(op, ast.Is) else not same
        if isinstance(op, (ast.In, ast.NotIn)):
            pool = right.items if isinstance(right, ListValue) else right
            if isinstance(pool, RangeValue) and isinstance(left, sympy.Expr) and left.is_Rational:
                found = left.is_Integer and int(left) in pool.values()  # at once, however long the range
                return found if isinstance(op, ast.In) else not found
            if isinstance(pool, RangeValue):
                pool = tuple(sympy.Integer(i) for i in pool.values())
            if isinstance(pool, (tuple, list, dict)):
                self.charge(len(pool), node)  # one comparison an item
            if isinstance(pool, dict):
                pool = tuple(pool)
            if not isinstance(pool, (tuple, list, str)):
                raise self.error(f"cannot look for a value in {self.kind(right)}", node)
            if isinstance(pool, str):
                if not isinstance(left, str):
                    raise self.error("'in' a string needs a string", node)
                found = left in pool
            else:
                found = any(self.compare_pair(ast.Eq(), left, item, node) for item in pool)
            return found if isinstance(op, ast.In) else not found
        if isinstance(left, Unknown) or isinstance(right, Unknown):  # `(predicted == labels)`: as unknown
            return left if isinstance(left, Unknown) else right
        if isinstance(left, sympy.Expr) and isinstance(right, sympy.Expr):
            try:
                return astexpr.compare(op, left, right)
            except Undecided as undecided:
                raise Open(undecided.symbols) from None
            except ArithmeticRefused as refusal:
                raise self.error(str(refusal), node) from None
        if isinstance(op, (ast.Eq, ast.NotEq)):
            plain = (str, bool, type(None))
            if isinstance(left, plain) or isinstance(right, plain):
                equal = type(left) is type(right) and left == right
                return equal if isinstance(op, ast.Eq) else not equal
            if isinstance(left, tuple) and isinstance(right, tuple):
                equal = len(left) == len(right) and all(
                    self.compare_pair(ast.Eq(), a, b, node) for a, b in zip(left, right))
                return equal if isinstance(op, ast.Eq) else not equal
        raise self.error(f"cannot compare {self.kind(left)} with {self.kind(right)}", node)

    # -- calls
    def visit_Call(self, node: ast.Call, scope: Scope) -> Any:
        callee = self.eval_callee(node.func, scope)
        if isinstance(callee, Function):
            args, kwargs = self.arguments(node, scope)
            return self.call_function(callee, args, kwargs, node)
        if isinstance(callee, Method):
            return self.call_method(callee, node, scope)
        if isinstance(callee, ClassValue):
            refusal = not_followed(callee)
            if refusal:
                raise self.error(refusal, node)
            result = self.framework.instantiate(self, callee, node, scope)
            if result is not NotImplemented:
                return result
            if objects.plain(callee):  # a configuration class
                return objects.instantiate(self, callee, node, scope)
            raise self.error(f"class {callee.name} is not something derive follows (only PyTorch "
                             "nn.Module subclasses are)", node)
        if isinstance(callee, Ref):
            handler = self.framework.resolve(self, callee, node)
            if handler is not None:
                return handler(self, node, scope)
            builtin = BUILTINS.get(callee.path)
            if builtin is not None:
                result = builtin(self, callee.path, node, scope)
                if result is not NotImplemented:
                    return result
            return Unknown(f"{self.snippet(node.func)}(...)", self.where(node))
        if isinstance(callee, Unknown):
            return Unknown(f"{self.snippet(node.func)}(...)", self.where(node))
        result = self.framework.call_value(self, callee, node, scope)
        if result is not NotImplemented:
            return result
        raise self.error(f"cannot call {self.kind(callee)}", node)

    def call_method(self, method: Method, node: ast.Call, scope: Scope) -> Any:
        target = method.target
        if isinstance(target, Super):
            return self.call_super(method, node, scope)
        if isinstance(target, ListValue):
            return list_method(self, method, node, scope)
        if isinstance(target, str):
            return string_method(self, method, node, scope)
        if isinstance(target, objects.PlainObject):
            return objects.call_method(self, method, node, scope)
        if isinstance(target, objects.Native):
            return target.call(self, method.name, node, scope)
        if isinstance(target, dict):
            return dict_method(self, method, node, scope)
        result = self.framework.call_value(self, method, node, scope)
        if result is not NotImplemented:
            return result
        raise self.error(f"{self.snippet(node.func)}() is not followed", node)

    def call_super(self, method: Method, node: ast.Call, scope: Scope) -> Any:
        """`super().name(...)`: the method of the first base that has it, bound to the same instance."""
        target, name = method.target, method.name
        args, kwargs = self.arguments(node, scope)
        for base in target.cls.bases:
            if isinstance(base, ClassValue):
                function = self.find_method(base, name)
                if function is not None:
                    return self.call_function(function, args, kwargs, node, bound=target.instance)
        result = self.framework.call_value(self, method, node, scope)
        if result is not NotImplemented:
            return result
        if name == "__init__":
            return None
        raise self.error(f"super().{name}() is not followed", node)

    def arguments(self, node: ast.Call, scope: Scope) -> tuple[list, dict]:
        args = self.elements(node.args, scope, node)
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                value = self.eval(keyword.value, scope)
                if not isinstance(value, dict):
                    raise self.error("**arguments must be a dict", keyword)
                if isinstance(value, OpenKwargs):  # the entry's **kwargs passed on: still open
                    kwargs = value.like(kwargs)
                for key, item in value.items():
                    if key in kwargs:
                        raise self.error(f"argument {key!r} given twice", keyword)
                    kwargs[key] = item
                continue
            if keyword.arg in kwargs:
                raise self.error(f"argument {keyword.arg!r} given twice", keyword)
            kwargs[keyword.arg] = self.eval(keyword.value, scope)
        return args, kwargs

    def elements(self, nodes: list[ast.expr], scope: Scope, where: ast.AST) -> list:
        out: list = []
        for element in nodes:
            if isinstance(element, ast.Starred):
                out.extend(self.sequence(self.eval(element.value, scope), element))
            else:
                out.append(self.eval(element, scope))
            if len(out) > MAX_ITEMS:
                raise self.error(f"too many items (over {MAX_ITEMS})", where)
        return out

    def comprehension(self, node: ast.ListComp | ast.GeneratorExp, scope: Scope) -> list:
        inner = Scope(scope)
        out: list = []

        def run(level: int) -> None:
            if level == len(node.generators):
                out.append(self.eval(node.elt, inner))
                if len(out) > MAX_ITEMS:
                    raise self.error(f"too many items (over {MAX_ITEMS})", node)
                return
            generator = node.generators[level]
            if generator.is_async:
                raise self.error("async comprehensions are not followed", node)
            for item in self.iterate(self.eval(generator.iter, inner), generator.iter):
                self.assign(generator.target, item, inner, False, loop=True)
                if all(self.truth(self.eval(test, inner), test) for test in generator.ifs):
                    run(level + 1)

        run(0)
        return out


Expressions.expression_visitors = Visitors(Expressions, "visit_other_expression")
