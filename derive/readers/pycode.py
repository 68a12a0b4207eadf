"""Python code read as data: `ast.parse`, then a small interpreter of a safe subset. Nothing is run.

The interpreter walks the syntax tree itself and knows only what it is told: numbers (sympy), strings,
booleans, `None`, tuples, lists, dicts, the user's own functions and classes, and the values a
framework module (`keras_code`, `torch_code`) makes for layer calls. A name it does not know is a
`Ref` (a spelling such as `keras.layers.Conv2D` or `print`) when called, and a free symbol when used
as a number. Calls of anything else (`print`, `np.load`, `model.fit`) are not followed: their
arguments are not even looked at, and their result is `Unknown`, an error only where a value is
needed. `eval`, `exec`, `compile`, imports, attribute access on real objects: none of it exists here.

Control flow is followed where it is decided: `if` on numbers, `for` over `range(n)` or a list,
user functions called with their arguments. A test that depends on symbols is `Pending`. An `if` on
equalities joined by `and` (`if expand_ratio != 1:`) is followed both ways (`exec_branches`): what
each side makes carries the side's `Condition`, as the built-in blocks' conditional layers do. Any
other use of a pending test (a loop count, an `if` that also assigns numbers) needs a number: a
symbol with a default value (a parameter `expand=18`) is then read as that value, in a fresh pass,
and is no symbol any more (`Needs`); a symbol without one is an error naming the place.

Bounds: `MAX_STEPS` statements and expressions, `MAX_DEPTH` nested evaluations, `MAX_CALLS` nested
calls, `MAX_ITEMS` items in a list, `MAX_TEXT` characters in a string.
"""

from __future__ import annotations

import ast
import builtins
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import sympy

from ..blocks import Condition
from ..errors import InputError
from ..records import frozen
from ..symbols import make_symbol
from . import astexpr
from .astexpr import ArithmeticRefused, Undecided
from .names import name_problem
from .source import Source

MAX_STEPS = 100_000
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


# -- values ---------------------------------------------------------------------------------------
@frozen
class Ref:
    """Something named but not held: a module, a class or a function of a library, by its spelling."""

    path: str

    @property
    def last(self) -> str:
        return self.path.rpartition(".")[2]


@frozen
class Unknown:
    """The result of a call that is not followed; an error only where a value is needed."""

    what: str
    where: str


@dataclass
class ListValue:
    """A Python list (mutable: `layers.append(...)`); `depth`: how many branches on sizes were open when
    it was made (a list made inside a branch may take anything; one from before, only what the branch made)."""

    items: list
    depth: int = 0


@frozen
class Function:
    node: ast.FunctionDef
    scope: "Scope"
    defaults: tuple  # evaluated at definition, as Python does
    kw_defaults: tuple
    owner: "ClassValue | None" = None


@dataclass
class ClassValue:
    node: ast.ClassDef
    bases: tuple
    scope: "Scope"
    methods: dict = field(default_factory=dict)
    attributes: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.node.name


@frozen
class Method:
    """A bound method of a value the interpreter knows (`layers.append`, `"a{}".format`)."""

    target: Any
    name: str


@frozen
class Super:
    cls: ClassValue
    instance: Any


@frozen
class Pending:
    """A test that depends on symbols (`stride == 1 and inp == oup`): fine to keep, an error (or a
    default value's `Needs`) only where the code branches on it."""

    symbols: frozenset
    text: str
    where: str
    clauses: tuple | None = None  # (lhs, "=" or "≠", rhs)... when it is a conjunction of equalities


@frozen
class Branch:
    """An `if` on sizes that is followed both ways: what runs in it exists only where `condition` holds."""

    condition: Condition
    scope: "Scope"


class NotConditional(Exception):
    """The branch does more than make layers: it cannot be a condition on them."""


@frozen
class RangeValue:
    start: int
    stop: int
    step: int

    def values(self) -> range:
        return range(self.start, self.stop, self.step)


class Scope:
    """Variables of a module or a function call; reads fall through to the enclosing scope."""

    def __init__(self, parent: "Scope | None" = None) -> None:
        self.vars: dict[str, Any] = {}
        self.parent = parent

    def lookup(self, name: str) -> tuple[bool, Any]:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.vars:
                return True, scope.vars[name]
            scope = scope.parent
        return False, None


class _Return(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


class _Open(Exception):
    """A comparison that depends on symbols (becomes a `Pending` value)."""

    def __init__(self, symbols: frozenset) -> None:
        super().__init__()
        self.symbols = symbols


class Needs(Exception):
    """A pass needs the default values of these symbols as numbers (a loop count, a condition)."""

    def __init__(self, names: frozenset[str], steps: int = 0) -> None:
        super().__init__(", ".join(sorted(names)))
        self.names = names
        self.steps = steps  # spent so far: the next pass continues the count


# -- symbols the code brings ----------------------------------------------------------------------
@dataclass
class SymbolRecord:
    name: str
    meaning: str
    default: sympy.Expr | None
    domain: str
    order: int


class Symbols:
    """The symbols one pass creates, with their defaults; names in `fixed` are read as their default."""

    def __init__(self, fixed: frozenset[str]) -> None:
        self.records: dict[str, SymbolRecord] = {}
        self.fixed = fixed

    def make(self, name: str, meaning: str, default: sympy.Expr | None = None,
             domain: str = "positive integer", order: int | None = None) -> sympy.Expr:
        if name in self.fixed and default is not None:
            return default
        record = self.records.get(name)
        if record is None:
            record = SymbolRecord(name, meaning, default, domain, len(self.records) if order is None else order)
            self.records[name] = record
        return make_symbol(name, record.domain)

    def default_of(self, symbol: sympy.Symbol) -> sympy.Expr | None:
        record = self.records.get(symbol.name)
        return None if record is None else record.default


# -- the interpreter ------------------------------------------------------------------------------
class Framework:
    """What a framework module adds: its calls, its values' attributes and operators."""

    def resolve(self, interp: "Interpreter", ref: Ref, node: ast.Call) -> Callable | None:
        """A handler `(interp, node, scope) -> value` for a framework call, or None if not ours."""
        return None

    def call_value(self, interp: "Interpreter", value: Any, node: ast.Call, scope: Scope) -> Any:
        return NotImplemented

    def attribute(self, interp: "Interpreter", value: Any, attr: str, node: ast.AST) -> Any:
        return NotImplemented

    def binop(self, interp: "Interpreter", op: ast.operator, left: Any, right: Any, node: ast.AST) -> Any:
        return NotImplemented

    def set_attribute(self, interp: "Interpreter", target: Any, attr: str, value: Any, node: ast.AST) -> bool:
        return False

    def instantiate(self, interp: "Interpreter", cls: ClassValue, node: ast.Call, scope: Scope) -> Any:
        return NotImplemented

    def follows(self, interp: "Interpreter", value: Any) -> bool:
        """Whether a statement-level call of `value` has an effect to follow (`model.add(...)`)."""
        return False

    def is_instance(self, interp: "Interpreter", value: Any, cls: Any) -> Any:
        """`isinstance(value, cls)` for the framework's values, or NotImplemented."""
        return NotImplemented


class Interpreter:
    """One pass over one module. State lives in the instance; nothing outlives the pass."""

    def __init__(self, source: Source, tree: ast.Module, framework: Framework, aliases: dict[str, str],
                 fixed: frozenset[str] = frozenset()) -> None:
        self.source = source
        self.tree = tree
        # as many layers as the code writes out (a pasted network), and `MAX_MADE` from loops on top
        self.max_made = MAX_MADE + sum(isinstance(node, ast.Call) for node in ast.walk(tree))
        self.framework = framework
        self.aliases = aliases
        self.symbols = Symbols(fixed)
        self.module = Scope()
        self.steps = 0
        self.depth = 0
        self.calls = 0
        self.iterations = 0
        self.symbolic = 0
        self.module_values: list[tuple[str, Any]] = []  # (name, value) assigned at module level, in order
        self.current_class: list[tuple[ClassValue, Any]] = []
        self.module_constants: dict[str, ast.stmt] = {}  # NAME = <number> at module level: a symbol
        self.branches: list[Branch] = []  # the `if`s on sizes being followed, outermost first

    @property
    def condition(self) -> Condition | None:
        """Where what is made now exists: the conjunction of the branches being followed."""
        if not self.branches:
            return None
        return Condition(tuple(dict.fromkeys(c for b in self.branches for c in b.condition.clauses)))

    def made_here(self, condition: Condition | None) -> bool:
        """Whether a value made under `condition` was made inside the innermost branch."""
        if not self.branches:
            return True
        return condition is not None and set(self.branches[-1].condition.clauses) <= set(condition.clauses)

    # -- places and errors
    def where(self, node: ast.AST) -> str:
        line = getattr(node, "lineno", None)
        if line is None:
            return self.source.display
        return self.source.where(line, self.source.char_col(line, getattr(node, "col_offset", 0)))

    def error(self, what: str, node: ast.AST) -> InputError:
        return InputError(what, self.where(node))

    def snippet(self, node: ast.AST, limit: int = 40) -> str:
        line = getattr(node, "lineno", None)
        end = getattr(node, "end_lineno", None)
        if line is None:
            return type(node).__name__
        text = self.source.line_text(line)
        if end == line:
            start = self.source.char_col(line, node.col_offset) - 1
            stop = self.source.char_col(line, node.end_col_offset) - 1
            text = text[start:stop]
        else:
            text = text[self.source.char_col(line, node.col_offset) - 1:] + " ..."
        text = "".join(c if c.isprintable() else "?" for c in " ".join(text.split()))  # one harmless line
        return text if len(text) <= limit else text[: limit - 3] + "..."

    def tick(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise self.error(f"too much to follow (over {MAX_STEPS} steps)", node)

    # -- running
    def run_module(self) -> None:
        try:
            self.exec_block(self.tree.body, self.module, module_level=True)
        except _Return:
            raise self.error("'return' outside a function", self.tree) from None
        except (_Break, _Continue):
            raise self.error("'break' or 'continue' outside a loop", self.tree) from None
        except RecursionError:
            raise self.source.error("too deeply nested") from None

    def exec_block(self, body: list[ast.stmt], scope: Scope, module_level: bool = False) -> None:
        for statement in body:
            self.exec_stmt(statement, scope, module_level)

    def exec_stmt(self, node: ast.stmt, scope: Scope, module_level: bool = False) -> None:
        self.tick(node)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise self.error("too deeply nested", node)
            self._exec(node, scope, module_level)
        finally:
            self.depth -= 1

    def _exec(self, node: ast.stmt, scope: Scope, module_level: bool) -> None:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                if alias.name == "*":
                    continue
                local = alias.asname or alias.name.partition(".")[0]
                if isinstance(node, ast.Import):
                    path = alias.name if alias.asname else alias.name.partition(".")[0]
                else:
                    path = f"{'.' * node.level}{node.module or ''}.{alias.name}".lstrip(".")
                scope.vars[local] = Ref(path)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope.vars[node.name] = self.define_function(node, scope)
        elif isinstance(node, ast.ClassDef):
            scope.vars[node.name] = self.define_class(node, scope)
        elif isinstance(node, ast.Assign):
            value = self.eval(node.value, scope)
            constant = self.module_constants.get(node.targets[0].id) if isinstance(node.targets[0], ast.Name) else None
            if constant is node and isinstance(value, sympy.Expr):
                name = node.targets[0].id  # type: ignore[attr-defined]
                domain = "positive integer" if value.is_Integer else "positive rational"
                value = self.symbols.make(name, f"`{name}`, set to {value} in the code", value, domain)
            for target in node.targets:
                self.assign(target, value, scope, module_level)
        elif isinstance(node, ast.AnnAssign):
            if node.value is not None:
                self.assign(node.target, self.eval(node.value, scope), scope, module_level)
        elif isinstance(node, ast.AugAssign):
            current = self.eval(_as_load(node.target), scope)
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
        elif isinstance(node, ast.Expr):
            self.exec_expression_statement(node.value, scope)
        elif isinstance(node, ast.Return):
            if self.branches and self.branches[-1].scope is scope:
                raise NotConditional()
            raise _Return(None if node.value is None else self.eval(node.value, scope))
        elif isinstance(node, ast.If):
            self.exec_if(node, scope, module_level)
        elif isinstance(node, ast.For):
            self.exec_for(node, scope, module_level)
        elif isinstance(node, ast.With):
            self.exec_block(node.body, scope, module_level)
        elif isinstance(node, ast.Try) or type(node).__name__ == "TryStar":
            self.exec_block(node.body, scope, module_level)
            self.exec_block(node.orelse, scope, module_level)
            self.exec_block(node.finalbody, scope, module_level)
        elif isinstance(node, (ast.Break, ast.Continue)):
            if self.branches and self.branches[-1].scope is scope:
                raise NotConditional()
            raise _Break() if isinstance(node, ast.Break) else _Continue()
        elif isinstance(node, (ast.Pass, ast.Assert, ast.Delete)):
            pass
        elif isinstance(node, ast.Raise):
            raise self.error("the code raises an exception here", node)
        elif isinstance(node, ast.While):
            raise self.error("'while' loops are not followed (write a for loop over range(n))", node)
        else:
            raise self.error(f"{_describe(node)} is not followed", node)

    def exec_expression_statement(self, value: ast.expr, scope: Scope) -> None:
        """A call on its own line is followed only if it can change the block; the rest is passed over."""
        if isinstance(value, ast.Call) and self.followed(value, scope):
            self.eval(value, scope)

    def followed(self, call: ast.Call, scope: Scope) -> bool:
        """Whether a call standing as a statement can change the block (else it is passed over unread:
        `print(...)`, `model.summary()`, `nn.init.zeros_(m.bias)`)."""
        callee = self.eval_callee(call.func, scope, quiet=True)
        if isinstance(callee, Ref) and callee.last in ("setattr", "__setattr__", "delattr"):
            raise self.error(f"{callee.last}() is not followed: assign attributes directly", call)
        if isinstance(callee, (Function, ClassValue, Super)):
            return True
        if isinstance(callee, Method):
            return self._method_has_effect(callee)
        if isinstance(callee, Ref):
            return self.framework.resolve(self, callee, call) is not None
        return not isinstance(callee, Unknown) and self.framework.follows(self, callee)

    def inert(self, body: list[ast.stmt], scope: Scope) -> bool:
        """Whether a block only checks or passes things to calls that are not followed (`nn.init...`)."""
        for statement in body:
            if _harmless(statement):
                continue
            if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
                try:
                    if not self.followed(statement.value, scope):
                        continue
                except InputError:
                    return False
            return False
        return True

    def _method_has_effect(self, method: Method) -> bool:
        if isinstance(method.target, ListValue):
            return method.name in ("append", "extend", "insert")
        return self.framework.follows(self, method)

    def exec_if(self, node: ast.If, scope: Scope, module_level: bool) -> None:
        try:
            value = self.eval(node.test, scope)
        except InputError:
            if self.inert(node.body, scope) and self.inert(node.orelse, scope):
                return  # `if m.bias is not None: nn.init.zeros_(m.bias)`: nothing derive counts depends on it
            raise
        if isinstance(value, (Pending, Unknown)) and self.inert(node.body, scope) and self.inert(node.orelse, scope):
            return
        if isinstance(value, Pending):
            if _only_checks(node.body) and (not node.orelse or _only_checks(node.orelse)):
                return  # `if stride not in (1, 2): raise ValueError(...)`: a check, not structure
            if value.clauses is not None and (not node.orelse or len(value.clauses) == 1):
                try:
                    self.exec_branches(node, value.clauses, scope, module_level)
                    return
                except NotConditional:
                    pass  # more than layers depends on the test: a default value decides it, or it is an error
        self.exec_block(node.body if self.truth(value, node.test) else node.orelse, scope, module_level)

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
                self.branches.append(Branch(_negated(clauses) if negate else Condition(clauses), scope))
                try:
                    self.exec_block(body, scope, module_level)
                finally:
                    self.branches.pop()
            changed.append({k: v for k, v in scope.vars.items() if k not in before or before[k] is not v})
        if set(changed[0]) & set(changed[1]):
            raise NotConditional()
        scope.vars.clear()
        scope.vars.update({**before, **changed[0], **changed[1]})

    def exec_for(self, node: ast.For, scope: Scope, module_level: bool) -> None:
        items = self.iterate(self.eval(node.iter, scope), node.iter)
        broke = False
        for item in items:
            self.assign(node.target, item, scope, module_level, loop=True)
            try:
                self.exec_block(node.body, scope, module_level)
            except _Break:
                broke = True
                break
            except _Continue:
                continue
        if not broke:
            self.exec_block(node.orelse, scope, module_level)

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
            if _dunder(target.attr):
                raise self.error(f"attribute {target.attr!r} is not followed", target)
            if not self.framework.set_attribute(self, owner, target.attr, value, target):
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
            elif not isinstance(owner, Unknown):
                raise self.error(f"cannot assign into {self.kind(owner)}", target)
        else:
            raise self.error(f"cannot assign to {_describe(target)}", target)

    # -- definitions
    def define_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope,
                        owner: ClassValue | None = None) -> Function:
        defaults = tuple(self.eval(d, scope) if _simple_default(d) else _Deferred(d) for d in node.args.defaults)
        kw_defaults = tuple(None if d is None else self.eval(d, scope) if _simple_default(d) else _Deferred(d)
                            for d in node.args.kw_defaults)
        return Function(node, scope, defaults, kw_defaults, owner)  # type: ignore[arg-type]

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
        return cls

    def find_method(self, cls: ClassValue, name: str) -> Function | None:
        seen = 0
        todo = [cls]
        while todo:
            seen += 1
            if seen > 64:
                break
            current = todo.pop(0)
            if name in current.methods:
                return current.methods[name]
            todo.extend(base for base in current.bases if isinstance(base, ClassValue))
        return None

    def class_attribute(self, cls: ClassValue, name: str) -> tuple[bool, Any]:
        todo, seen = [cls], 0
        while todo and seen < 64:
            seen += 1
            current = todo.pop(0)
            if name in current.attributes:
                return True, current.attributes[name]
            if name in current.methods:
                return True, current.methods[name]
            todo.extend(base for base in current.bases if isinstance(base, ClassValue))
        return False, None

    def is_subclass(self, cls: ClassValue, test: Callable[[Ref], bool]) -> bool:
        todo, seen = [cls], 0
        while todo and seen < 64:
            seen += 1
            current = todo.pop(0)
            for base in current.bases:
                if isinstance(base, Ref) and test(base):
                    return True
                if isinstance(base, ClassValue):
                    todo.append(base)
        return False

    # -- calling the user's functions
    def call_function(self, function: Function, args: list, kwargs: dict, node: ast.AST,
                      bound: Any = None) -> Any:
        if isinstance(function.node, ast.AsyncFunctionDef):
            raise self.error("async functions are not followed", node)
        if function.node.decorator_list:
            decorator = function.node.decorator_list[0]
            if not (isinstance(decorator, ast.Name) and decorator.id in ("staticmethod", "classmethod")):
                raise self.error(f"{function.node.name}() has a decorator, which derive does not follow "
                                 f"(line {decorator.lineno})", node)
        self.calls += 1
        if self.calls > MAX_CALLS:
            self.calls -= 1
            raise self.error(f"calls nested too deeply (over {MAX_CALLS}): recursion is not followed", node)
        try:
            scope = Scope(function.scope)
            positional = ([bound] if bound is not None else []) + list(args)
            self.bind_parameters(function, positional, kwargs, scope, node)
            if function.owner is not None:
                self.current_class.append((function.owner, bound))
            try:
                self.exec_block(function.node.body, scope)
            except _Return as result:
                return result.value
            except (_Break, _Continue):
                raise self.error("'break' or 'continue' outside a loop", function.node) from None
            finally:
                if function.owner is not None:
                    self.current_class.pop()
            return None
        finally:
            self.calls -= 1

    def bind_parameters(self, function: Function, positional: list, kwargs: dict, scope: Scope,
                        node: ast.AST) -> None:
        spec = function.node.args
        params = [*spec.posonlyargs, *spec.args]
        name = function.node.name
        for index, param in enumerate(params):
            if index < len(positional):
                if param.arg in kwargs:
                    raise self.error(f"{name}() got two values for {param.arg!r}", node)
                scope.vars[param.arg] = positional[index]
            elif param.arg in kwargs:
                scope.vars[param.arg] = kwargs.pop(param.arg)
            else:
                default_index = index - (len(params) - len(spec.defaults))
                if default_index < 0:
                    raise self.error(f"{name}() is missing its argument {param.arg!r}", node)
                scope.vars[param.arg] = self.resolve_default(function.defaults[default_index], function)
        extra = positional[len(params):]
        if spec.vararg is not None:
            scope.vars[spec.vararg.arg] = tuple(extra)
        elif extra:
            raise self.error(f"{name}() takes {len(params)} positional arguments, got {len(positional)}", node)
        for param, default in zip(spec.kwonlyargs, function.kw_defaults):
            if param.arg in kwargs:
                scope.vars[param.arg] = kwargs.pop(param.arg)
            elif default is None:
                raise self.error(f"{name}() is missing its keyword argument {param.arg!r}", node)
            else:
                scope.vars[param.arg] = self.resolve_default(default, function)
        if spec.kwarg is not None:
            scope.vars[spec.kwarg.arg] = dict(kwargs)
        elif kwargs:
            raise self.error(f"{name}() has no parameter {next(iter(kwargs))!r}", node)

    def resolve_default(self, default: Any, function: Function) -> Any:
        if isinstance(default, _Deferred):
            return self.eval(default.node, function.scope)
        return default

    # -- expressions
    def eval(self, node: ast.expr, scope: Scope) -> Any:
        self.tick(node)
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise self.error("too deeply nested", node)
            return self._eval(node, scope)
        finally:
            self.depth -= 1

    def _eval(self, node: ast.expr, scope: Scope) -> Any:
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node, scope)
        if isinstance(node, ast.Attribute):
            return self.attribute(self.eval(node.value, scope), node.attr, node)
        if isinstance(node, ast.BinOp):
            return self.binop(node.op, self.eval(node.left, scope), self.eval(node.right, scope), node)
        if isinstance(node, ast.UnaryOp):
            return self.unary(node, self.eval(node.operand, scope))
        if isinstance(node, ast.BoolOp):
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
        if isinstance(node, ast.Compare):
            if len(node.ops) == 1:
                left, right = self.eval(node.left, scope), self.eval(node.comparators[0], scope)
                try:
                    return self.compare_pair(node.ops[0], left, right, node)
                except _Open as open_test:
                    clauses = None
                    if isinstance(node.ops[0], (ast.Eq, ast.NotEq)):
                        clauses = ((left, "=" if isinstance(node.ops[0], ast.Eq) else "≠", right),)
                    return self.pending(open_test.symbols, node, clauses)
            try:
                return self.compare(node, scope)
            except _Open as open_test:
                return self.pending(open_test.symbols, node)
        if isinstance(node, ast.IfExp):
            return self.eval(node.body if self.truth(self.eval(node.test, scope), node.test) else node.orelse,
                             scope)
        if isinstance(node, ast.Call):
            return self.call(node, scope)
        if isinstance(node, ast.Tuple):
            return tuple(self.elements(node.elts, scope, node))
        if isinstance(node, ast.List):
            return self.new_list(self.elements(node.elts, scope, node))
        if isinstance(node, ast.Dict):
            return self.dictionary(node, scope)
        if isinstance(node, ast.Subscript):
            return self.subscript(self.eval(node.value, scope), node, scope)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)):
            items = self.comprehension(node, scope)
            return self.new_list(items) if isinstance(node, ast.ListComp) else tuple(items)
        if isinstance(node, ast.JoinedStr):
            return self.fstring(node, scope)
        raise self.error(f"{_describe(node)} is not supported here", node)

    def constant(self, node: ast.Constant) -> Any:
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

    def name(self, node: ast.Name, scope: Scope, callee: bool = False) -> Any:
        found, value = scope.lookup(node.id)
        if found:
            return value
        if node.id == "__name__":
            return "__main__"
        if _dunder(node.id):
            raise self.error(f"{node.id!r} is not followed", node)
        if callee or node.id in BUILTIN_NAMES or node.id in MODULE_NAMES or node.id in self.aliases:
            return Ref(self.aliases.get(node.id, node.id))
        return self.free_symbol(node)

    def free_symbol(self, node: ast.Name) -> sympy.Expr:
        problem = name_problem(node.id)
        if problem:
            raise self.error(problem, node)
        return self.symbols.make(node.id, f"`{node.id}`, used in the code without a value")

    def eval_callee(self, node: ast.expr, scope: Scope, quiet: bool = False) -> Any:
        """What a call calls: names not bound are `Ref`s by their spelling, never symbols."""
        if isinstance(node, ast.Name):
            return self.name(node, scope, callee=True)
        if isinstance(node, ast.Attribute):
            return self.attribute(self.eval_callee(node.value, scope, quiet), node.attr, node)
        if quiet and not isinstance(node, (ast.Call, ast.Subscript)):
            return Unknown(self.snippet(node), self.where(node))
        return self.eval(node, scope)

    def attribute(self, value: Any, attr: str, node: ast.AST) -> Any:
        if _dunder(attr) and not (attr == "__init__" and isinstance(value, (Super, Ref, ClassValue))):
            raise self.error(f"attribute {attr!r} is not followed", node)
        if isinstance(value, Ref):
            return Ref(f"{value.path}.{attr}")
        if isinstance(value, Unknown):
            return value
        if isinstance(value, Super):
            return Method(value, attr)
        if isinstance(value, ListValue) and attr in ("append", "extend", "insert", "index", "count"):
            return Method(value, attr)
        if isinstance(value, str) and attr in ("format", "join", "lower", "upper", "strip", "replace"):
            return Method(value, attr)
        if isinstance(value, ClassValue):
            found, member = self.class_attribute(value, attr)
            if found:
                return member
            if attr == "__init__":
                return Ref("object.__init__")
        result = self.framework.attribute(self, value, attr, node)
        if result is not NotImplemented:
            return result
        raise self.error(f"{self.kind(value)} has no attribute {attr!r} that derive knows", node)

    def unary(self, node: ast.UnaryOp, value: Any) -> Any:
        if isinstance(node.op, ast.Not):
            if isinstance(value, Pending):
                clauses = None if value.clauses is None or len(value.clauses) != 1 else _negated(value.clauses).clauses
                return Pending(value.symbols, value.text, value.where, clauses)
            return not self.truth(value, node.operand)
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
                return self.items(left + right, node)
            if isinstance(left, ListValue) and isinstance(right, ListValue):
                return self.new_list(list(self.items(tuple(left.items + right.items), node)))
        if isinstance(op, ast.Mult):
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (tuple, ListValue, str)) and isinstance(times, sympy.Expr):
                    count = self.concrete_int(times, node)
                    if count < 0 or count * max(len(seq if not isinstance(seq, ListValue) else seq.items), 1) > MAX_ITEMS:
                        raise self.error("sequence too long", node)
                    if isinstance(seq, ListValue):
                        return self.new_list(seq.items * count)
                    return seq * count
        if isinstance(op, ast.Mod) and isinstance(left, str):
            raise self.error("%-formatting is not supported", node)
        result = self.framework.binop(self, op, left, right, node)
        if result is not NotImplemented:
            return result
        raise self.error(f"cannot compute {self.kind(left)} {_OPERATOR_TEXT.get(type(op), '?')} "
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
            if isinstance(pool, RangeValue):
                pool = tuple(sympy.Integer(i) for i in pool.values())
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
        if isinstance(left, sympy.Expr) and isinstance(right, sympy.Expr):
            try:
                return astexpr.compare(op, left, right)
            except Undecided as undecided:
                raise _Open(undecided.symbols) from None
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

    def new_list(self, items: list) -> ListValue:
        return ListValue(list(items), len(self.branches))

    def pending(self, symbols: frozenset, node: ast.AST, clauses: tuple | None = None) -> Pending:
        return Pending(frozenset(symbols), self.snippet(node, 60), self.where(node), clauses)

    def conditional_value(self, value: Any) -> bool:
        """Whether `value` may be assigned inside a branch on sizes: what the branch made (a layer's output,
        a module), which exists only where the branch holds."""
        condition = getattr(value, "condition", None)
        return isinstance(condition, Condition) and self.made_here(condition)

    def undecided(self, undecided: Undecided, node: ast.AST) -> Exception:
        """`Needs` if default values can decide it, else the error naming the place."""
        names = frozenset(s.name for s in undecided.symbols)
        open_names = sorted(n for n in names if self.symbols.records.get(n) is None
                            or self.symbols.records[n].default is None)
        if not open_names and names:
            return Needs(names, self.steps)
        listed = ", ".join(open_names) or "the sizes"
        return self.error(f"{undecided.text} here depends on {listed}, which derive cannot decide for every size"
                          f" ({self.snippet(node)}); give {'it' if len(open_names) == 1 else 'them'}"
                          " a default value in the code", node)

    def truth(self, value: Any, node: ast.AST) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, Pending):
            names = frozenset(value.symbols)
            undecided = Undecided(frozenset(names), "this test")
            error = self.undecided(undecided, node)
            if isinstance(error, Needs):
                raise error
            raise InputError(f"`{value.text}` depends on sizes derive cannot decide for every size; give "
                             f"{', '.join(sorted(s.name for s in names if self.symbols.default_of(s) is None))}"
                             " a default value in the code", value.where)
        if value is None:
            return False
        if isinstance(value, sympy.Expr):
            try:
                return not astexpr.compare(ast.Eq(), value, sympy.Integer(0))
            except Undecided as undecided:
                raise self.undecided(undecided, node) from None
        if isinstance(value, (str, tuple)):
            return len(value) > 0
        if isinstance(value, ListValue):
            return len(value.items) > 0
        if isinstance(value, dict):
            return len(value) > 0
        if isinstance(value, Unknown):
            raise self.error(f"cannot tell whether this holds: it depends on {value.what}, which derive "
                             "does not follow", node)
        return True

    def call(self, node: ast.Call, scope: Scope) -> Any:
        callee = self.eval_callee(node.func, scope)
        if isinstance(callee, Function):
            args, kwargs = self.arguments(node, scope)
            return self.call_function(callee, args, kwargs, node)
        if isinstance(callee, Method):
            return self.call_method(callee, node, scope)
        if isinstance(callee, ClassValue):
            result = self.framework.instantiate(self, callee, node, scope)
            if result is not NotImplemented:
                return result
            raise self.error(f"class {callee.name} is not something derive follows (only PyTorch "
                             "nn.Module subclasses are)", node)
        if isinstance(callee, Ref):
            handler = self.framework.resolve(self, callee, node)
            if handler is not None:
                return handler(self, node, scope)
            builtin = self.builtin(callee, node, scope)
            if builtin is not NotImplemented:
                return builtin
            return Unknown(f"{self.snippet(node.func)}(...)", self.where(node))
        if isinstance(callee, Unknown):
            return Unknown(f"{self.snippet(node.func)}(...)", self.where(node))
        result = self.framework.call_value(self, callee, node, scope)
        if result is not NotImplemented:
            return result
        raise self.error(f"cannot call {self.kind(callee)}", node)

    def arguments(self, node: ast.Call, scope: Scope) -> tuple[list, dict]:
        args = self.elements(node.args, scope, node)
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                value = self.eval(keyword.value, scope)
                if not isinstance(value, dict):
                    raise self.error("**arguments must be a dict", keyword)
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

    def sequence(self, value: Any, node: ast.AST) -> list:
        if isinstance(value, tuple):
            return list(value)
        if isinstance(value, ListValue):
            return list(value.items)
        if isinstance(value, RangeValue):
            return [sympy.Integer(i) for i in value.values()]
        if isinstance(value, dict):
            return list(value)
        seq = self.framework.attribute(self, value, "__iter__", node)
        if isinstance(seq, (list, tuple)):
            return list(seq)
        raise self.error(f"{self.kind(value)} is not a sequence derive can unpack", node)

    def items(self, items: tuple, node: ast.AST) -> tuple:
        if len(items) > MAX_ITEMS:
            raise self.error(f"too many items (over {MAX_ITEMS})", node)
        return items

    def text(self, text: str, node: ast.AST) -> str:
        if len(text) > MAX_TEXT:
            raise self.error(f"string too long (over {MAX_TEXT} characters)", node)
        return text

    def dictionary(self, node: ast.Dict, scope: Scope) -> dict:
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

    def index(self, value: Any, length: int, node: ast.AST) -> int:
        index = self.concrete_int(value, node)
        if not -length <= index < length:
            raise self.error(f"index {index} out of range", node)
        return index

    def subscript(self, value: Any, node: ast.Subscript, scope: Scope) -> Any:
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
            if not isinstance(result, (list, tuple)):
                raise self.error(f"cannot index {self.kind(value)}", node)
            items = tuple(result)
        if isinstance(node.slice, ast.Slice):
            bounds = [None if part is None else self.concrete_int(self.eval(part, scope), part)
                      for part in (node.slice.lower, node.slice.upper, node.slice.step)]
            if bounds[2] == 0:
                raise self.error("slice step cannot be zero", node.slice)
            picked = items[slice(*bounds)]
            return self.new_list(list(picked)) if isinstance(value, ListValue) else picked
        return items[self.index(self.eval(node.slice, scope), len(items), node.slice)]

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

    def fstring(self, node: ast.JoinedStr, scope: Scope) -> str:
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

    def as_text(self, value: Any, node: ast.AST) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, sympy.Expr) and value.is_Integer:
            return str(value)
        if isinstance(value, sympy.Expr) and value.is_Rational:
            return repr(float(value))
        if isinstance(value, sympy.Expr) and value.free_symbols:  # a name made of a size: its default serves
            raise self.undecided(Undecided(frozenset(value.free_symbols), "text made of a size"), node)
        if isinstance(value, bool) or value is None:
            return str(value)
        raise self.error(f"cannot turn {self.kind(value)} into text here", node)

    def call_method(self, method: Method, node: ast.Call, scope: Scope) -> Any:
        target, name = method.target, method.name
        if isinstance(target, Super):
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
        if isinstance(target, ListValue):
            args, kwargs = self.arguments(node, scope)
            if kwargs:
                raise self.error(f"list.{name}() takes no keyword arguments", node)
            if len(self.branches) > target.depth:
                added = args[-1:] if name != "extend" else self.sequence(args[0], node) if args else []
                if not all(self.conditional_value(item) for item in added):
                    raise NotConditional()
            if name == "append" and len(args) == 1:
                target.items.append(args[0])
            elif name == "extend" and len(args) == 1:
                target.items.extend(self.sequence(args[0], node))
            elif name == "insert" and len(args) == 2:
                target.items.insert(self.concrete_int(args[0], node), args[1])
            else:
                raise self.error(f"list.{name}() is not followed", node)
            if len(target.items) > MAX_ITEMS:
                raise self.error(f"list too long (over {MAX_ITEMS})", node)
            return None
        if isinstance(target, str):
            args, kwargs = self.arguments(node, scope)
            if name == "format" and not kwargs and "{}" in target and target.count("{") == len(args):
                text = target
                for arg in args:
                    text = text.replace("{}", self.as_text(arg, node), 1)
                return self.text(text, node)
            if name == "join" and len(args) == 1:
                return self.text(target.join(self.as_text(v, node) for v in self.sequence(args[0], node)), node)
            if name in ("lower", "upper", "strip") and not args:
                return getattr(target, name)()
            if name == "replace" and len(args) == 2 and all(isinstance(a, str) for a in args):
                return self.text(target.replace(args[0], args[1]), node)
            raise self.error(f"str.{name}() with these arguments is not followed", node)
        result = self.framework.call_value(self, method, node, scope)
        if result is not NotImplemented:
            return result
        raise self.error(f"{self.snippet(node.func)}() is not followed", node)

    def builtin(self, ref: Ref, node: ast.Call, scope: Scope) -> Any:
        path = ref.path
        if path in astexpr.FUNCTIONS:
            args, kwargs = self.arguments(node, scope)
            if kwargs:
                raise self.error(f"{path}() with keyword arguments is not followed", node)
            if path == "int" and len(args) == 1 and isinstance(args[0], str):
                raise self.error("int() of a string is not followed", node)
            if path in ("min", "max") and len(args) == 1:
                args = self.sequence(args[0], node)
            if path == "round" and len(args) == 2 and args[1] is None:
                args = args[:1]
            if not args or not all(isinstance(a, sympy.Expr) for a in args):
                raise self.error(f"{path}() needs numbers here", node)
            try:
                return astexpr.call(path, args)
            except ArithmeticRefused as refusal:
                raise self.error(str(refusal), node) from None
            except Undecided as undecided:
                raise self.undecided(undecided, node) from None
        if path == "range":
            args, kwargs = self.arguments(node, scope)
            if kwargs or not 1 <= len(args) <= 3:
                raise self.error("range() takes 1 to 3 numbers", node)
            bounds = [self.concrete_int(arg, node) for arg in args]
            start, stop, step = (0, bounds[0], 1) if len(bounds) == 1 else (*bounds, 1)[:3]
            if step == 0:
                raise self.error("range() step cannot be zero", node)
            if len(range(start, stop, step)) > MAX_ITEMS:
                raise self.error(f"range too long (over {MAX_ITEMS})", node)
            return RangeValue(start, stop, step)
        if path in ("len",):
            args, _ = self.arguments(node, scope)
            if len(args) != 1:
                raise self.error("len() takes one argument", node)
            return sympy.Integer(len(self.sequence(args[0], node)))
        if path in ("list", "tuple"):
            args, _ = self.arguments(node, scope)
            items = self.sequence(args[0], node) if args else []
            return self.new_list(items) if path == "list" else tuple(items)
        if path in ("enumerate", "zip", "reversed"):
            args, _ = self.arguments(node, scope)
            sequences = [self.sequence(arg, node) for arg in args]
            if path == "enumerate" and len(sequences) == 1:
                return tuple((sympy.Integer(i), item) for i, item in enumerate(sequences[0]))
            if path == "zip":
                return tuple(zip(*sequences))
            if path == "reversed" and len(sequences) == 1:
                return tuple(reversed(sequences[0]))
            raise self.error(f"{path}() with these arguments is not followed", node)
        if path in ("str",):
            args, _ = self.arguments(node, scope)
            if len(args) == 1:
                return self.as_text(args[0], node)
        if path == "bool":
            args, _ = self.arguments(node, scope)
            return bool(args) and self.truth(args[0], node)
        if path in ("dict", "collections.OrderedDict", "OrderedDict"):
            args, kwargs = self.arguments(node, scope)
            out: dict[str, Any] = {}
            for arg in args:
                pairs = arg.items() if isinstance(arg, dict) else (
                    self.sequence(pair, node) for pair in self.sequence(arg, node))
                for pair in pairs:
                    key, value = pair if isinstance(pair, tuple) else tuple(pair)
                    if not isinstance(key, str):
                        raise self.error("dictionary keys must be strings here", node)
                    out[key] = value
            out.update(kwargs)
            return out
        if path == "super":
            if not self.current_class:
                raise self.error("super() outside a method", node)
            cls, instance = self.current_class[-1]
            return Super(cls, instance)
        if path == "isinstance":
            args, _ = self.arguments(node, scope)
            if len(args) == 2:
                classes = args[1] if isinstance(args[1], tuple) else (args[1],)
                answers = [self.python_instance(args[0], c) for c in classes]
                answers = [self.framework.is_instance(self, args[0], c) if a is NotImplemented else a
                           for a, c in zip(answers, classes)]
                if all(a is not NotImplemented for a in answers):
                    return any(answers)
            raise self.error("isinstance() is only followed on modules and layer classes", node)
        return NotImplemented

    def python_instance(self, value: Any, cls: Any) -> Any:
        """`isinstance(value, int)` and the like for the values the interpreter holds."""
        if not isinstance(cls, Ref) or cls.path not in ("int", "float", "str", "bool", "tuple", "list", "dict"):
            return NotImplemented
        if cls.path == "bool":
            return isinstance(value, bool)
        if cls.path == "int":
            return isinstance(value, sympy.Expr) and value.is_integer is True
        if cls.path == "float":
            return isinstance(value, sympy.Expr) and value.is_Rational is True and not value.is_Integer
        return isinstance(value, {"str": str, "tuple": tuple, "list": ListValue, "dict": dict}[cls.path])

    # -- helpers for numbers
    def concrete_int(self, value: Any, node: ast.AST) -> int:
        """A whole number the structure depends on (a loop count, an index)."""
        if isinstance(value, bool) or not isinstance(value, sympy.Expr):
            raise self.error(f"expected a whole number, got {self.kind(value)}", node)
        if not value.is_Number:
            raise self.undecided(Undecided(frozenset(value.free_symbols), "a count"), node)
        if not value.is_Integer:
            raise self.error(f"expected a whole number, got {value}", node)
        if abs(value) > 10**9:
            raise self.error("number too large here", node)
        return int(value)

    def kind(self, value: Any) -> str:
        if isinstance(value, bool):
            return f"the boolean {value}"
        if value is None:
            return "None"
        if isinstance(value, sympy.Expr):
            return f"the number {value}" if value.is_Number else f"the size {value}"
        if isinstance(value, str):
            return "a string"
        if isinstance(value, tuple):
            return "a tuple"
        if isinstance(value, ListValue):
            return "a list"
        if isinstance(value, dict):
            return "a dict"
        if isinstance(value, Unknown):
            return f"{value.what} (at {value.where}, not followed)"
        if isinstance(value, Ref):
            return f"`{value.path}`"
        if isinstance(value, Function):
            return f"function {value.node.name}()"
        if isinstance(value, ClassValue):
            return f"class {value.name}"
        describe = getattr(value, "describe", None)
        return describe() if callable(describe) else type(value).__name__


@frozen
class _Deferred:
    """A default value evaluated when the function is called (it names something defined later)."""

    node: ast.expr


def _simple_default(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) or (
        isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant)) or (
        isinstance(node, ast.Tuple) and all(_simple_default(e) for e in node.elts))


def _negated(clauses: tuple) -> Condition:
    (lhs, relation, rhs), = clauses
    return Condition(((lhs, "≠" if relation == "=" else "=", rhs),))


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__") and len(name) > 4


def _as_load(target: ast.expr) -> ast.expr:
    if isinstance(target, ast.Name):
        return ast.copy_location(ast.Name(target.id, ast.Load()), target)
    if isinstance(target, ast.Attribute):
        return ast.copy_location(ast.Attribute(target.value, target.attr, ast.Load()), target)
    return target


def _harmless(statement: ast.stmt) -> bool:
    """`pass`, `raise`, `assert`, or a constant on its own (a docstring): nothing a count depends on."""
    return isinstance(statement, (ast.Pass, ast.Raise, ast.Assert)) or (
        isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant))


def _only_checks(body: list[ast.stmt]) -> bool:
    """Whether a block only validates (raise, assert, warnings, pass)."""
    for statement in body:
        if _harmless(statement):
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
_OPERATOR_TEXT = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.FloorDiv: "//", ast.Mod: "%",
                  ast.Pow: "**", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
                  ast.LShift: "<<", ast.RShift: ">>"}


def _describe(node: ast.AST) -> str:
    name = type(node).__name__
    return _DESCRIPTIONS.get(name, f"'{name}'")
