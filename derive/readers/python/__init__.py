"""Python code read as data: `ast.parse`, then a small interpreter of a safe subset. Nothing is run.

Stages, data moving one way:

- `syntax.py`: source to syntax tree (`parse_python`), the bounds of a pass, shared readings of nodes;
- `values.py`, `scopes.py`: what the interpreter holds (`Ref`, `Unknown`, `ListValue`, `Function`,
  `ClassValue`, ...), the variables of a module or a call, the symbols a pass creates;
- `binder.py`: one call binder (`Signature.bind`, Python's rules); `classes.py`: one walk over a
  class's bases (`lineage`);
- `expressions.py`, `statements.py`, `builtins.py`: one `visit_<Node>` per kind of node, looked up
  once per node class, and the builtins as a table;
- `interpreter.py`: the `Interpreter` tying them (one pass over one module) and the `Framework` hook
  through which the Keras and PyTorch modules add their calls and values.

The interpreter knows only what it is told: numbers (sympy), strings, booleans, `None`, tuples, lists,
dicts, the user's own functions and classes, and the values a framework module makes for layer calls.
A name it does not know is a `Ref` (a spelling such as `keras.layers.Conv2D` or `print`) when called,
and a free symbol when used as a number. Calls of anything else (`print`, `np.load`, `model.fit`) are
not followed: their arguments are not even looked at, and their result is `Unknown`, an error only
where a value is needed. `eval`, `exec`, `compile`, imports, attribute access on real objects: none of
it exists here.

Control flow is followed where it is decided: `if` on numbers, `for` over `range(n)` or a list, user
functions called with their arguments. A test that depends on symbols is `Pending`. An `if` on
equalities joined by `and` (`if expand_ratio != 1:`) is followed both ways: what each side makes
carries the side's `Condition`, as the built-in blocks' conditional layers do. Any other use of a
pending test (a loop count, an `if` that also assigns numbers) needs a number: a symbol with a default
value (a parameter `expand=18`) is then read as that value, in a fresh pass, and is no symbol any more
(`Needs`); a symbol without one is an error naming the place.
"""

from __future__ import annotations

from .binder import Parameter, Signature
from .classes import lineage
from .interpreter import Framework, Interpreter
from .scopes import Scope, SymbolRecord
from .syntax import parse_python
from .values import ClassValue, Function, ListValue, Method, Needs, NotConditional, Ref, Super, Unknown

__all__ = ["ClassValue", "Framework", "Function", "Interpreter", "ListValue", "Method", "Needs", "NotConditional",
           "Parameter", "Ref", "Scope", "Signature", "Super", "SymbolRecord", "Unknown", "lineage", "parse_python"]
