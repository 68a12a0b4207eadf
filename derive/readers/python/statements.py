"""Statements: one `visit_<Node>` per kind of statement the interpreter follows, and assignment.

Control flow is followed where it is decided: `if` on numbers, `for` over `range(n)` or a list. An
`if` on equalities of sizes joined by `and` is followed both ways (`exec_branches`): what each side
makes carries the side's `Condition`. A call standing as a statement is followed only if it can change
the block (`followed`); `print(...)` and `model.summary()` are passed over unread. `while`, `raise`,
`global` and the like are errors naming the place.
"""

from __future__ import annotations

import ast
from typing import Any, Iterator

import sympy

from ...blocks import Condition
from ...errors import InputError
from .binder import EMPTY, Signature
from .objects import Native, PlainObject
from .scopes import Scope
from .syntax import (MAX_ITEMS, MAX_ITERATIONS, Visitors, as_load, describe, dunder,
                     harmless, only_checks, simple_default)
from .values import (Branch, Break, ClassValue, Continue, Deferred, Function, ListValue, Method, NotConditional,
                     Pending, RangeValue, Ref, Return, Super, Unknown, negated)


class Statements:
    """The statement half of the `Interpreter` (a mixin: `self` is the interpreter)."""

    statement_visitors: Visitors

    def exec_block(self, body: list[ast.stmt], scope: Scope, module_level: bool = False) -> None:
        for statement in body:
            self.exec_stmt(statement, scope, module_level)

    def exec_stmt(self, node: ast.stmt, scope: Scope, module_level: bool = False) -> None:
        self.enter(node)
        try:
            self.statement_visitors[node.__class__](self, node, scope, module_level)
        finally:
            self.depth -= 1

    def visit_other_statement(self, node: ast.stmt, scope: Scope, module_level: bool) -> None:
        raise self.error(f"{describe(node)} is not followed", node)

    # -- the kinds of statement
    def visit_Import(self, node: ast.Import | ast.ImportFrom, scope: Scope, module_level: bool) -> None:
        for alias in node.names:
            if alias.name == "*":
                continue
            local = alias.asname or alias.name.partition(".")[0]
            if isinstance(node, ast.Import):
                path = alias.name if alias.asname else alias.name.partition(".")[0]
            else:
                path = f"{'.' * node.level}{node.module or ''}.{alias.name}".lstrip(".")
            scope.vars[local] = Ref(path)

    visit_ImportFrom = visit_Import

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope,
                          module_level: bool) -> None:
        scope.vars[node.name] = self.define_function(node, scope)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node: ast.ClassDef, scope: Scope, module_level: bool) -> None:
        scope.vars[node.name] = self.define_class(node, scope)

    def visit_Assign(self, node: ast.Assign, scope: Scope, module_level: bool) -> None:
        value = self.eval(node.value, scope)
        constant = self.module_constants.get(node.targets[0].id) if isinstance(node.targets[0], ast.Name) else None
        if constant is node and isinstance(value, sympy.Expr):
            name = node.targets[0].id  # type: ignore[attr-defined]
            domain = "positive integer" if value.is_Integer else "positive rational"
            value = self.symbols.make(name, f"`{name}`, set to {value} in the code", value, domain)
        for target in node.targets:
            self.assign(target, value, scope, module_level)

    def visit_AnnAssign(self, node: ast.AnnAssign, scope: Scope, module_level: bool) -> None:
        if node.value is not None:
            self.assign(node.target, self.eval(node.value, scope), scope, module_level)

    def visit_AugAssign(self, node: ast.AugAssign, scope: Scope, module_level: bool) -> None:
        current = self.eval(as_load(node.target), scope)
        if isinstance(current, ListValue) and isinstance(node.op, ast.Add):  # in place, as Python does
            added = self.sequence(self.eval(node.value, scope), node.value)
            if len(self.branches) > current.depth and not all(self.conditional_value(v) for v in added):
                raise NotConditional()
            current.items.extend(added)
            if len(current.items) > MAX_ITEMS:
                raise self.error(f"list too long (over {MAX_ITEMS})", node)
            return
        value = self.binop(node.op, current, self.eval(node.value, scope), node)
        self.assign(node.target, value, scope, module_level)

    def visit_Expr(self, node: ast.Expr, scope: Scope, module_level: bool) -> None:
        """A call on its own line is followed only if it can change the block; the rest is passed over."""
        if isinstance(node.value, ast.Call) and self.followed(node.value, scope):
            self.eval(node.value, scope)

    def visit_Return(self, node: ast.Return, scope: Scope, module_level: bool) -> None:
        if self.branches and self.branches[-1].scope is scope:
            raise NotConditional()
        raise Return(None if node.value is None else self.eval(node.value, scope))

    def visit_If(self, node: ast.If, scope: Scope, module_level: bool) -> None:
        try:
            value = self.eval(node.test, scope)
        except InputError:
            if self.inert(node.body, scope) and self.inert(node.orelse, scope):
                return  # `if m.bias is not None: nn.init.zeros_(m.bias)`: nothing derive counts depends on it
            if not self.data_loops:
                raise
            value = Unknown(self.snippet(node.test), self.where(node.test))
        if isinstance(value, Unknown) and self.data_loops:  # `if loss < best:` in a training loop: both ways
            self.exec_block(node.body, scope, module_level)
            self.exec_block(node.orelse, scope, module_level)
            return
        if isinstance(value, (Pending, Unknown)) and self.inert(node.body, scope) and self.inert(node.orelse, scope):
            return
        if isinstance(value, Pending):
            if only_checks(node.body) and (not node.orelse or only_checks(node.orelse)):
                return  # `if stride not in (1, 2): raise ValueError(...)`: a check, not structure
            if value.clauses is not None and (not node.orelse or len(value.clauses) == 1):
                try:
                    self.exec_branches(node, value.clauses, scope, module_level)
                    return
                except NotConditional:
                    pass  # more than layers depends on the test: a default value decides it, or it is an error
        self.exec_block(node.body if self.truth(value, node.test) else node.orelse, scope, module_level)

    def visit_For(self, node: ast.For, scope: Scope, module_level: bool) -> None:
        iterable = self.eval(node.iter, scope)
        if isinstance(iterable, Unknown) and hasattr(self.framework, "made"):
            return self.data_loop(node, iterable, scope, module_level)
        items = self.iterate(iterable, node.iter)
        broke = False
        for item in items:
            self.assign(node.target, item, scope, module_level, loop=True)
            try:
                self.exec_block(node.body, scope, module_level)
            except Break:
                broke = True
                break
            except Continue:
                continue
        if not broke:
            self.exec_block(node.orelse, scope, module_level)

    def data_loop(self, node: ast.For, iterable: Unknown, scope: Scope, module_level: bool) -> None:
        """`for images, labels in loader:`, a loop over data derive does not follow (a training loop): its
        body runs once on unknown values, so what it does to the model is seen, and an `if` on those values
        runs both ways; a module made in it is refused, since how many times it runs is not known."""
        made = self.framework.made  # type: ignore[attr-defined]
        self.assign(node.target, iterable, scope, module_level, loop=True)
        self.data_loops += 1
        try:
            self.exec_block(node.body, scope, module_level)
        except (Break, Continue):
            pass
        finally:
            self.data_loops -= 1
        if self.framework.made != made:  # type: ignore[attr-defined]
            raise self.error(f"modules are made in a loop over {iterable.what} (at {iterable.where}), which derive "
                             "does not follow: how many is not known", node)

    def visit_With(self, node: ast.With, scope: Scope, module_level: bool) -> None:
        self.exec_block(node.body, scope, module_level)

    def visit_Try(self, node: ast.Try, scope: Scope, module_level: bool) -> None:
        self.exec_block(node.body, scope, module_level)
        self.exec_block(node.orelse, scope, module_level)
        self.exec_block(node.finalbody, scope, module_level)

    visit_TryStar = visit_Try

    def visit_Break(self, node: ast.Break | ast.Continue, scope: Scope, module_level: bool) -> None:
        if self.branches and self.branches[-1].scope is scope:
            raise NotConditional()
        raise Break() if isinstance(node, ast.Break) else Continue()

    visit_Continue = visit_Break

    def visit_Pass(self, node: ast.stmt, scope: Scope, module_level: bool) -> None:
        pass

    visit_Assert = visit_Delete = visit_Pass

    def visit_Raise(self, node: ast.Raise, scope: Scope, module_level: bool) -> None:
        raise self.error("the code raises an exception here", node)

    def visit_While(self, node: ast.While, scope: Scope, module_level: bool) -> None:
        raise self.error("'while' loops are not followed (write a for loop over range(n))", node)

    # -- definitions
    def define_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope,
                        owner: ClassValue | None = None) -> Function:
        """Default values are read here, as Python does; one that names something (defined later, maybe)
        is read at each call (`Deferred`)."""
        defaults = tuple(self.eval(d, scope) if simple_default(d) else Deferred(d) for d in node.args.defaults)
        kw_defaults = tuple(EMPTY if d is None else self.eval(d, scope) if simple_default(d) else Deferred(d)
                            for d in node.args.kw_defaults)
        return Function(node, scope, Signature.of(node.name, node.args, defaults, kw_defaults), owner)

    def define_class(self, node: ast.ClassDef, scope: Scope) -> ClassValue:
        bases = tuple(self.eval_callee(base, scope, quiet=True) for base in node.bases)
        cls = ClassValue(node, bases, scope)
        for statement in node.body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                cls.methods[statement.name] = self.define_function(statement, scope, cls)
            elif isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets):
                try:
                    value = self.eval(statement.value, scope)
                except InputError:
                    value = Unknown("a class attribute", self.where(statement))
                for target in statement.targets:
                    cls.attributes[target.id] = value  # type: ignore[union-attr]
            elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name) and statement.value:
                try:  # a dataclass field's default (`hidden: int = 64`)
                    cls.attributes[statement.target.id] = self.eval(statement.value, scope)
                except InputError:
                    cls.attributes[statement.target.id] = Unknown("a class attribute", self.where(statement))
        return cls

    # -- what a statement-level call, an `if` on sizes, a loop and an assignment do
    def followed(self, call: ast.Call, scope: Scope) -> bool:
        """Whether a call standing as a statement can change the block (else it is passed over unread:
        `print(...)`, `model.summary()`, `nn.init.zeros_(m.bias)`)."""
        callee = self.eval_callee(call.func, scope, quiet=True)
        if isinstance(callee, Ref) and callee.last in ("setattr", "__setattr__", "delattr"):
            raise self.error(f"{callee.last}() is not followed: assign attributes directly", call)
        if isinstance(callee, (Function, ClassValue, Super)):
            return True
        if isinstance(callee, Method):
            if isinstance(callee.target, Super):
                return True  # super().__init__(...): the base class's own __init__ makes layers too
            if isinstance(callee.target, ListValue):
                return callee.name in ("append", "extend", "insert")
            if isinstance(callee.target, dict):
                return callee.name in ("update", "pop", "setdefault")
            if isinstance(callee.target, Native):
                return True  # parser.add_argument(...)
            return self.framework.follows(self, callee)
        if isinstance(callee, Ref):
            return self.framework.resolve(self, callee, call) is not None
        return not isinstance(callee, Unknown) and self.framework.follows(self, callee)

    def inert(self, body: list[ast.stmt], scope: Scope) -> bool:
        """Whether a block only checks or passes things to calls that are not followed (`nn.init...`)."""
        for statement in body:
            if harmless(statement):
                continue
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                try:
                    if not self.followed(statement.value, scope):
                        continue
                except InputError:
                    return False
            return False
        return True

    def exec_branches(self, node: ast.If, clauses: tuple, scope: Scope, module_level: bool) -> None:
        """Both sides of an `if` on sizes: the layers each makes exist only where its side holds.

        Each side starts from the variables as they were; a name only one side assigns takes that side's
        value (where the side does not hold, its layers drop out and readers read what came before). A
        name both sides assign would need a choice the block cannot express: `NotConditional`."""
        before = dict(scope.vars)
        changed: list[dict] = []
        for body, negate in ((node.body, False), (node.orelse, True)):
            scope.vars.clear()
            scope.vars.update(before)
            if body:
                self.branches.append(Branch(negated(clauses) if negate else Condition(clauses), scope))
                try:
                    self.exec_block(body, scope, module_level)
                finally:
                    self.branches.pop()
            changed.append({k: v for k, v in scope.vars.items() if k not in before or before[k] is not v})
        if set(changed[0]) & set(changed[1]):
            raise NotConditional()
        scope.vars.clear()
        scope.vars.update({**before, **changed[0], **changed[1]})

    def iterate(self, value: Any, node: ast.AST) -> Iterator[Any]:
        if isinstance(value, RangeValue):
            items: Any = [sympy.Integer(i) for i in value.values()]
        elif isinstance(value, ListValue):
            items = list(value.items)
        elif isinstance(value, tuple):
            items = list(value)
        elif isinstance(value, dict):
            items = list(value)
        else:
            raise self.error(f"cannot loop over {self.kind(value)}", node)
        for item in items:
            self.iterations += 1
            if self.iterations > MAX_ITERATIONS:
                raise self.error(f"too many loop iterations (over {MAX_ITERATIONS})", node)
            yield item

    def assign(self, target: ast.expr, value: Any, scope: Scope, module_level: bool, loop: bool = False) -> None:
        if self.branches and self.branches[-1].scope is scope and not self.conditional_value(value):
            raise NotConditional()
        if isinstance(target, ast.Name):
            scope.vars[target.id] = value
            if module_level and not loop:
                self.module_values.append((target.id, value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, Unknown):
                for element in target.elts:
                    self.assign(element, value, scope, module_level, loop)
                return
            items = self.sequence(value, target)
            if any(isinstance(e, ast.Starred) for e in target.elts):
                raise self.error("starred assignment is not followed", target)
            if len(items) != len(target.elts):
                raise self.error(f"cannot unpack {len(items)} values into {len(target.elts)} names", target)
            for element, item in zip(target.elts, items):
                self.assign(element, item, scope, module_level, loop)
        elif isinstance(target, ast.Attribute):
            owner = self.eval(target.value, scope)
            if dunder(target.attr):
                raise self.error(f"attribute {target.attr!r} is not followed", target)
            if isinstance(owner, PlainObject):
                owner.attributes[target.attr] = value
            elif not self.framework.set_attribute(self, owner, target.attr, value, target):
                if isinstance(owner, Unknown):
                    return
                raise self.error(f"cannot set attribute {target.attr!r} of {self.kind(owner)}", target)
        elif isinstance(target, ast.Subscript):
            owner = self.eval(target.value, scope)
            if isinstance(owner, dict):
                key = self.eval(target.slice, scope)
                if not isinstance(key, str):
                    raise self.error("dictionary keys must be strings here", target.slice)
                owner[key] = value
            elif isinstance(owner, ListValue):
                index = self.index(self.eval(target.slice, scope), len(owner.items), target.slice)
                owner.items[index] = value
            elif not isinstance(owner, Unknown) and not self.framework.set_item(self, owner, target.slice, value,
                                                                              scope, target):
                raise self.error(f"cannot assign into {self.kind(owner)}", target)
        else:
            raise self.error(f"cannot assign to {describe(target)}", target)


Statements.statement_visitors = Visitors(Statements, "visit_other_statement")
