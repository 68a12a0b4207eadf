"""The interpreter: one pass over one module, and the hook a framework module plugs into.

`Interpreter` ties the stages together: it holds a pass's state (scopes, symbols, counters, the `if`s on
sizes being followed), runs the module through the statement visitors (`statements.py`), which run
expressions through theirs (`expressions.py`), and calls the user's functions through the one call
binder (`binder.py`). It also holds what every stage and the framework modules ask of values: is it
true, is it a sequence, a whole number, how is it named in an error. A `Framework` (Keras, PyTorch)
answers for its own calls and values.
"""

from __future__ import annotations

import ast
from typing import Any, Callable

import sympy

from ...blocks import Condition
from ...errors import InputError
from .. import astexpr
from ..astexpr import Undecided
from ..source import Source
from .classes import class_attribute, find_method, is_subclass
from .binder import BindError, Parameter
from .expressions import Expressions
from .scopes import Scope, Symbols
from .statements import Statements
from .syntax import MAX_CALLS, MAX_DEPTH, MAX_ITEMS, MAX_MADE, MAX_STEPS, MAX_TEXT, TEXT_PER_STEP, count_calls
from .values import (Branch, Break, ClassValue, Continue, Deferred, Function, ListValue, Needs, OpenKwargs,
                     Pending, RangeValue, Ref, Return, Unknown)


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

    def set_item(self, interp: "Interpreter", owner: Any, key: ast.expr, value: Any, scope: Scope,
                 node: ast.AST) -> bool:
        """`owner[key] = value` for the framework's values (the key node unread until needed)."""
        return False

    def instantiate(self, interp: "Interpreter", cls: ClassValue, node: ast.Call, scope: Scope) -> Any:
        return NotImplemented

    def follows(self, interp: "Interpreter", value: Any) -> bool:
        """Whether a statement-level call of `value` has an effect to follow (`model.add(...)`)."""
        return False

    def is_instance(self, interp: "Interpreter", value: Any, cls: Any) -> Any:
        """`isinstance(value, cls)` for the framework's values, or NotImplemented."""
        return NotImplemented


class Interpreter(Statements, Expressions):
    """One pass over one module. State lives in the instance; nothing outlives the pass."""

    def __init__(self, source: Source, tree: ast.Module, framework: Framework, aliases: dict[str, str],
                 fixed: frozenset[str] = frozenset()) -> None:
        self.source = source
        self.tree = tree
        # as many layers as the code writes out (a pasted network), and `MAX_MADE` from loops on top
        self.written = count_calls(tree)
        self.max_made = MAX_MADE + self.written
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
        self.data_loops = 0  # loops over data being followed once (`Statements.data_loop`)

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

    def enter(self, node: ast.AST) -> None:
        """One more step, one level deeper (the caller steps back out: `self.depth -= 1`)."""
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise self.error(f"too much to follow (over {MAX_STEPS} steps)", node)
        if self.depth >= MAX_DEPTH:
            raise self.error("too deeply nested", node)
        self.depth += 1

    def charge(self, count: int, node: ast.AST) -> None:
        """*count* more steps for work done item by item (a sequence made, a value looked for in one)."""
        self.steps += count
        if self.steps > MAX_STEPS:
            raise self.error(f"too much to follow (over {MAX_STEPS} steps)", node)

    # -- running
    def run_module(self) -> None:
        try:
            self.exec_block(self.tree.body, self.module, module_level=True)
        except Return:
            raise self.error("'return' outside a function", self.tree) from None
        except (Break, Continue):
            raise self.error("'break' or 'continue' outside a loop", self.tree) from None
        except RecursionError:
            raise self.source.error("too deeply nested") from None

    def too_many_made(self, what: str) -> str:
        """The refusal once a pass has made `max_made` layers (*what*: "modules" or "layers")."""
        return (f"more than {MAX_MADE:,} {what} made by loops and calls beyond the {self.written:,} calls the code "
                "writes out: derive reads blocks, not whole zoos")

    # -- the user's classes (one walk over their bases: `classes.lineage`)
    def find_method(self, cls: ClassValue, name: str) -> Function | None:
        return find_method(cls, name)

    def class_attribute(self, cls: ClassValue, name: str) -> tuple[bool, Any]:
        return class_attribute(cls, name)

    def is_subclass(self, cls: ClassValue, test: Callable[[Ref], bool]) -> bool:
        return is_subclass(cls, test)

    # -- calling the user's functions
    def call_function(self, function: Function, args: list, kwargs: dict, node: ast.AST,
                      bound: Any = None) -> Any:
        """`function(*args, **kwargs)`, a method's instance first if `bound`."""
        positional = [bound, *args] if bound is not None else list(args)
        return self._call(function, node, bound, lambda: self.bind(function, positional, kwargs, node))

    def call_bound(self, function: Function, values: dict[str, Any], node: ast.AST, bound: Any = None) -> Any:
        """`function` with its parameters' values bound already (by `bind`)."""
        return self._call(function, node, bound, lambda: values)

    def bind(self, function: Function, positional: list, keywords: dict[str, Any], node: ast.AST,
             default: Callable[[Parameter], Any] | None = None,
             required: Callable[[Parameter], Any] | None = None) -> dict[str, Any]:
        """The values of `function`'s parameters for a call (`Signature.bind`); a parameter left out takes
        `default(parameter)` if it has a default (its default value, read now if it was deferred),
        `required(parameter)` if it has none (else the call is an error at `node`)."""
        if default is None and isinstance(keywords, OpenKwargs):
            def default(parameter: Parameter) -> Any:  # reached by an entry's **kwargs: settable as its own
                return keywords.opener(parameter.name, self.resolve_default(parameter.default, function),
                                       parameter.node)
        if default is None:
            def default(parameter: Parameter) -> Any:
                return self.resolve_default(parameter.default, function)
        try:
            return function.signature.bind(positional, keywords, default, required)
        except BindError as refusal:
            raise self.error(str(refusal), node) from None

    def _call(self, function: Function, node: ast.AST, bound: Any, values: Callable[[], dict[str, Any]]) -> Any:
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
            raise self.error(f"calls nested more than {MAX_CALLS} deep (a function or class calling the next): "
                             "derive follows no deeper nesting, nor recursion", node)
        try:
            scope = Scope(function.scope)
            scope.vars.update(values())
            if function.owner is not None:
                self.current_class.append((function.owner, bound))
            try:
                self.exec_block(function.node.body, scope)
            except Return as result:
                return result.value
            except (Break, Continue):
                raise self.error("'break' or 'continue' outside a loop", function.node) from None
            finally:
                if function.owner is not None:
                    self.current_class.pop()
            return None
        finally:
            self.calls -= 1

    def resolve_default(self, default: Any, function: Function) -> Any:
        if isinstance(default, Deferred):
            return self.eval(default.node, function.scope)
        return default

    # -- what values are, for every stage and the framework modules
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

    def sequence(self, value: Any, node: ast.AST) -> list:
        """The items of *value*, each charged as a step."""
        if isinstance(value, RangeValue):
            self.charge(len(value.values()), node)
            return [sympy.Integer(i) for i in value.values()]
        if isinstance(value, (tuple, ListValue, dict)):
            items = value.items if isinstance(value, ListValue) else value
            self.charge(len(items), node)
            return list(items)
        seq = self.framework.attribute(self, value, "__iter__", node)
        if isinstance(seq, (list, tuple)):
            self.charge(len(seq), node)
            return list(seq)
        raise self.error(f"{self.kind(value)} is not a sequence derive can unpack", node)

    def items(self, items: tuple, node: ast.AST) -> tuple:
        if len(items) > MAX_ITEMS:
            raise self.error(f"too many items (over {MAX_ITEMS})", node)
        return items

    def text(self, text: str, node: ast.AST) -> str:
        if len(text) > MAX_TEXT:
            raise self.error(f"string too long (over {MAX_TEXT} characters)", node)
        self.charge(len(text) // TEXT_PER_STEP, node)
        return text

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

    def index(self, value: Any, length: int, node: ast.AST) -> int:
        index = self.concrete_int(value, node)
        if not -length <= index < length:
            raise self.error(f"index {index} out of range", node)
        return index

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
        """How a value is named in an error message."""
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
