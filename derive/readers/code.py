"""A `.py` file of Keras or PyTorch code to a `Target`: parse, tell the framework, find the block, build.

Stages, each pure: `parse_python` (the syntax tree, bounded) -> `imports` and `framework_of` (a static
look at the tree: which names mean what, and which framework adapter's spellings the code uses) ->
`Reading.build` (one interpreter pass with the adapter's hooks, repeated while a loop count or a
condition needs a default value as a number; the adapter then assembles the block, `Adapter.block`)
-> a `Block`. Nothing here knows a framework: that is `frameworks/keras.py` and `frameworks/torch.py`.

Which code is the block: `--entry NAME` (a top-level class or function, with `--arg` values for its
parameters; the module-level model is then neither built nor counted); else a model assigned at module
level (the last one: `model = keras.Model(...)`, `model = nn.Sequential(...)`, `net = Net()`); else,
for a Keras script, the layers applied to its `keras.Input`; else the last class or function that
builds a model and is not used by another one (`entry.py` has the rule: a function that returns
nothing, `test()`, is a script and never the default), called with its parameters as symbols.

Symbols: a parameter with a whole-number default (`expand=18`) is a symbol with that default, like
the built-ins' `k = 3`; without a default (`n_out`, a name the code never defines) a symbol without
one; a `True`/`False` default is an option (`--option use_bias=false`); other defaults are values.
A module-level constant assigned once (`n_out = 3`) is a symbol with a default too. The channels of
a Keras function's input tensor are `C_in`, its height and width `H`, `W`; a `keras.Input(shape=(32,
32, 8))` gives them the defaults 32, 32 and 8. Only the symbols that reach a count or a shape are kept.
"""

from __future__ import annotations

import ast
import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping

import sympy

from ..blocks import Block, CodeWarning, Condition, Node, Target
from ..errors import InputError
from ..layers import Layer, Shape
from ..records import frozen
from ..symbols import SymbolTable
from .entry import Choice, builders, candidates, module_models, named, parameters, returns_value
from .frameworks import ADAPTERS, Adapter
from .names import name_problem, symbol_info
from .python import ClassValue, Function, Interpreter, Needs, parse_python
from .python.values import OpenKwargs
from .python.classes import not_followed
from .source import Source

MAX_LAYERS = 10_000
MAX_PASSES = 40
MAX_OPTIONS = 6


def read_code(source: Source, choice: Choice | None = None) -> Target:
    tree = parse_python(source)
    found = scan(tree)
    reading = Reading(source, tree, found, framework_of(source, found), choice or Choice())
    first = reading.build({}, frozenset())
    used: dict[str, Any] = dict(first.records)
    for option, default in list(first.options.items())[:MAX_OPTIONS]:
        flipped = reading.build({option: not default}, first.fixed)
        for name, record in flipped.records.items():
            used.setdefault(name, record)
    ordered = sorted(used.values(), key=lambda r: r.order)
    table = SymbolTable(tuple(symbol_info(r.name, r.meaning, r.domain) for r in ordered))
    defaults = {r.name: r.default for r in ordered if r.default is not None}
    fixed = first.fixed
    framework = next(name for name, a in ADAPTERS.items() if a is reading.adapter)

    def builder(symbols: SymbolTable, options: Mapping[str, bool], *, name: str, title: str,
                defaults: Mapping[str, Any]) -> Block:
        built = first if dict(options) == first.options else reading.build(dict(options), fixed)
        missing = sorted(set(built.records) - set(symbols.names))
        if missing:
            raise InputError(f"with these options the code uses {', '.join(missing)}, which derive did not "
                             "expect; set the options in the code instead", source.display)
        return Block(name, title, symbols, built.input, built.nodes, defaults, dict(options),
                     warnings=built.warnings, framework=framework)

    return Target(source.stem, first.title, table, defaults, dict(first.options), builder)


# -- static looks at the tree ---------------------------------------------------------------------
@dataclass
class Scan:
    """One walk over the tree: what the imports name, every call's spelling, module-level assignments."""

    aliases: dict[str, str]
    calls: list[tuple[int, ast.Call, str]]  # (index of the top-level statement, the call, its dotted spelling)
    stores: dict[str, int]  # how often each name is assigned at module level (outside functions and classes)
    defined: frozenset[str] = frozenset()  # the file's own top-level classes and functions


def scan(tree: ast.Module) -> Scan:
    aliases: dict[str, str] = {}
    raw: list[tuple[int, ast.Call, list[str]]] = []
    stores: dict[str, int] = {}
    for index, statement in enumerate(tree.body):
        stack: list[tuple[ast.AST, bool]] = [(statement, False)]
        while stack:
            node, inside = stack.pop()
            if isinstance(node, ast.Import):
                for alias in node.names:
                    aliases[alias.asname or alias.name.partition(".")[0]] = alias.name if alias.asname else \
                        alias.name.partition(".")[0]
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.name != "*":
                        aliases[alias.asname or alias.name] = f"{node.module or ''}.{alias.name}".lstrip(".")
            elif isinstance(node, ast.Call):
                parts = _dotted(node.func)
                if parts is not None:
                    raw.append((index, node, parts))
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and not inside:
                stores[node.id] = stores.get(node.id, 0) + 1
            inner = inside or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
            stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    calls = [(index, node, ".".join([aliases.get(parts[0], parts[0]), *parts[1:]])) for index, node, parts in raw]
    defined = frozenset(n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef)))
    return Scan(aliases, calls, stores, defined)


def _dotted(node: ast.AST) -> list[str] | None:
    parts = []
    while isinstance(node, ast.Attribute) and len(parts) < 32:
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def framework_of(source: Source, found: Scan) -> Adapter:
    """The one framework whose spellings the code uses (an unqualified name several have is no evidence)."""
    first: dict[str, ast.Call] = {}
    for _, node, path in found.calls:
        if path.partition(".")[0] in found.defined:  # the file's own `Linear`, not `nn.Linear`
            continue
        owners = [name for name, adapter in ADAPTERS.items() if adapter.is_spelling(path)]
        if len(owners) == 1 and (owners[0] not in first or node.lineno < first[owners[0]].lineno):
            first[owners[0]] = node
    if len(first) > 1:
        (one, at), (other, other_at) = sorted(first.items(), key=lambda item: list(ADAPTERS).index(item[0]))[:2]
        raise source.error(f"the code mixes {ADAPTERS[one].evidence} (line {at.lineno}) and "
                           f"{ADAPTERS[other].evidence} (line {other_at.lineno}); derive reads one framework at a "
                           "time", other_at.lineno, source.char_col(other_at.lineno, other_at.col_offset))
    if not first:
        raise source.error("no Keras or PyTorch layers found (derive reads Conv2D(...), layers.Dense(...), "
                           "nn.Conv2d(...), nn.Sequential(...) and the like)")
    return ADAPTERS[next(iter(first))]


def list_candidates(source: Source) -> dict:
    """`derive list FILE.py`: every top-level class and function that makes layers, with its parameters
    as written, the module-level models, and which one `derive show FILE.py` counts by default."""
    tree = parse_python(source)
    found = scan(tree)
    adapter = framework_of(source, found)
    every, _ = builders(tree, found.calls, adapter.makes_layers)
    top = candidates(tree, found.calls, adapter.makes_layers)
    models = module_models(tree, found.calls, adapter.makes_layers, every)
    default = models[-1].targets[0].id if models else top[-1].name if top else None
    return {
        "file": source.display,
        "framework": next(name for name, a in ADAPTERS.items() if a is adapter),
        "default": default,
        "models": [{"name": m.targets[0].id, "line": m.lineno, "default": m is models[-1]} for m in models],
        "candidates": [{"name": d.name, "kind": "class" if isinstance(d, ast.ClassDef) else "function",
                        "line": d.lineno, "parameters": parameters(d), "returns": returns_value(d),
                        "default": not models and d is top[-1]} for d in every],
    }


# -- one reading ----------------------------------------------------------------------------------
@frozen
class Built:
    title: str
    input: Shape
    nodes: tuple[Node, ...]
    records: Mapping[str, Any]  # name -> SymbolRecord, the symbols that reach the block
    options: Mapping[str, bool]  # declared, with their defaults
    fixed: frozenset[str]
    warnings: tuple[CodeWarning, ...] = ()  # what the framework would refuse, in the block's layers


class Reading:
    """The parsed file and what is known about it; `build` makes one block (a fresh pass each time)."""

    def __init__(self, source: Source, tree: ast.Module, found: Scan, adapter: Adapter, choice: Choice) -> None:
        self.source = source
        self.choice = choice
        self.chosen = choice.entry  # `--entry`: the module-level model is not the block then
        self.module = tree
        if self.chosen is not None:  # nor is it built: its statements (`model = build_model()`) are left out
            every, _ = builders(tree, found.calls, adapter.makes_layers)
            skipped = {id(s) for s in module_models(tree, found.calls, adapter.makes_layers, every)}
            self.module = ast.Module(body=[s for s in tree.body if id(s) not in skipped], type_ignores=[])
        self.tree = tree
        self.found = found
        self.aliases = found.aliases
        self.adapter = adapter
        self.constants = module_constants(tree, found.stores)
        self.spent = 0  # interpreter steps over all passes

    def build(self, options: Mapping[str, bool], fixed: frozenset[str]) -> Built:
        for _ in range(MAX_PASSES):
            try:
                return self.once(options, fixed)
            except Needs as needs:
                self.spent = needs.steps
                if needs.names <= fixed:
                    raise self.source.error("cannot settle the sizes the structure depends on") from None
                fixed = fixed | needs.names
        raise self.source.error("the structure depends on too many sizes")

    def once(self, options: Mapping[str, bool], fixed: frozenset[str]) -> Built:
        framework = self.adapter.framework()
        interp = Interpreter(self.source, self.module, framework, self.aliases, fixed)
        interp.steps = self.spent
        interp.module_constants = self.constants  # type: ignore[attr-defined]
        interp.run_module()
        if self.chosen is not None:  # `--entry NAME`: that one, not the model the module builds
            interp.module_values = []
        declared: dict[str, bool] = {}
        title, block_input, nodes = self.adapter.block(self, interp, framework, options, declared)
        if not nodes and not getattr(framework, "warnings", ()):  # none, and a warning says why: 0 is the count
            raise self.source.error("the code makes no layers derive can count")
        if len(nodes) > MAX_LAYERS:
            raise self.source.error(f"more than {MAX_LAYERS} layers: derive reads blocks, not whole zoos")
        used = symbols_in(block_input, nodes)
        records = {name: record for name, record in interp.symbols.records.items() if name in used}
        names = {node.name for node in nodes}
        warnings = tuple(w for w in getattr(framework, "warnings", ()) if w.layer is None or w.layer in names)
        return Built(title, block_input, nodes, records, declared, fixed, warnings)

    # -- the entry: a function or class, called with symbols
    def entry(self, interp: Interpreter) -> Function | ClassValue:
        found = candidates(self.tree, self.found.calls, self.adapter.makes_layers)
        if self.chosen is not None:
            chosen = named(self.tree, self.chosen, builders(self.tree, self.found.calls, self.adapter.makes_layers)[0])
        elif not found:
            raise self.source.error("no model, function or class that makes layers was found")
        else:
            chosen = found[-1]
        value = interp.module.vars.get(chosen.name)
        if not isinstance(value, (Function, ClassValue)):
            raise self.source.error(f"{chosen.name} is redefined; derive cannot tell which to read",
                                    chosen.lineno, chosen.col_offset + 1)
        refusal = not_followed(value) if isinstance(value, ClassValue) else None
        if refusal:
            raise interp.error(refusal, value.node)
        return value

    @staticmethod
    def first_param(function: Function) -> str:
        positional = function.signature.positional
        return positional[0].name if positional else "x"

    def call_entry(self, interp: Interpreter, function: Function, options: Mapping[str, bool],
                   declared: dict[str, bool], tensor: Any, bound: Any = None, title: str | None = None) -> Any:
        """The entry called with nothing but its instance (`bound`): the binder asks for every parameter,
        in order. One without a default takes the input `tensor` (the first positional one) or a symbol;
        one with a default, what its default makes of it (`parameter_value`)."""
        owner = title or f"{function.node.name}()"
        tensor_given = False
        given = self.choice.given  # `--arg NAME=VALUE`: the entry's arguments, the rest to its **kwargs
        signature = function.signature
        named_params = {p.name for p in (*signature.positional, *signature.keyword_only)}
        extra = {name: value for name, value in given.items() if name not in named_params}
        if extra and signature.kwarg is None:
            name = next(iter(extra))
            have = ", ".join(p.name for p in (*signature.positional, *signature.keyword_only)
                             if p.name != "self") or "none"
            raise InputError(f"{owner} has no parameter {name!r} (it has {have})", f"--arg {name}")

        def required(param: Any) -> Any:  # a binder.Parameter without a default
            nonlocal tensor_given
            if param.name in given:
                return given[param.name]
            if tensor is not None and not tensor_given and not param.keyword_only:
                tensor_given = True
                return tensor
            return self.symbol_for(interp, param.node, owner)

        def default(param: Any) -> Any:  # a binder.Parameter with one
            if param.name in given:
                return given[param.name]
            value = interp.resolve_default(param.default, function)
            return self.parameter_value(interp, param.node, value, owner, options, declared)

        values = interp.bind(function, [bound] if bound is not None else [], extra, function.node, default, required)
        if function.signature.kwarg is not None:  # what **kwargs reaches with its default is settable too
            def opener(name: str, value: Any, node: ast.AST) -> Any:
                return self.parameter_value(interp, ast.copy_location(ast.arg(name), node), value,
                                            f"{owner} (through **{function.signature.kwarg})", options, declared)
            values[function.signature.kwarg] = OpenKwargs(values[function.signature.kwarg], opener)
        return interp.call_bound(function, values, function.node, bound=bound)

    def symbol_for(self, interp: Interpreter, param: ast.arg, owner: str) -> Any:
        problem = name_problem(param.arg)
        if problem:
            raise interp.error(problem, param)
        return interp.symbols.make(param.arg, f"parameter `{param.arg}` of {owner}")

    def parameter_value(self, interp: Interpreter, param: ast.arg, default: Any, owner: str,
                        options: Mapping[str, bool], declared: dict[str, bool]) -> Any:
        if isinstance(default, bool):
            declared[param.arg] = default
            return options.get(param.arg, default)
        if isinstance(default, sympy.Expr) and default.is_Rational and default > 0 and not name_problem(param.arg):
            domain = "positive integer" if default.is_Integer else "positive rational"
            return interp.symbols.make(param.arg, f"parameter `{param.arg}` of {owner}", default, domain)
        return default


def module_constants(tree: ast.Module, stores: Mapping[str, int]) -> dict[str, ast.stmt]:
    """Module-level `NAME = <positive number>` assigned once: symbols with that default."""
    out = {}
    for statement in tree.body:
        if (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name) and isinstance(statement.value, ast.Constant)):
            name, value = statement.targets[0].id, statement.value.value
            if (stores.get(name) == 1 and not isinstance(value, bool) and isinstance(value, (int, float))
                    and 0 < value < 10**12 and not name_problem(name)):
                out[name] = statement
    return out


def symbols_in(block_input: Shape, nodes: tuple[Node, ...]) -> set[str]:
    found: set[sympy.Symbol] = set()

    def visit(value: Any, depth: int = 0) -> None:
        if depth > 8:
            return
        if isinstance(value, sympy.Basic):
            found.update(value.free_symbols)
        elif isinstance(value, (tuple, list)):
            for item in value:
                visit(item, depth + 1)
        elif isinstance(value, Shape):
            visit(value.channels, depth + 1)
            visit(value.spatial, depth + 1)
        elif isinstance(value, Condition):
            visit(value.clauses, depth + 1)
        elif isinstance(value, Layer):
            for item in dataclasses.fields(value):
                visit(getattr(value, item.name), depth + 1)

    visit(block_input)
    for node in nodes:
        visit(node.layer)
        if node.condition is not None:
            visit(node.condition)
    return {s.name for s in found}

