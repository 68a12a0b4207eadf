"""A `.toml` block spec to a `Target`: symbols, options, and layers with symbolic arguments.

    [block]
    title = "MobileNetV2 bottleneck"
    input = ["H", "W", "C_in"]           # height, width, channels (the default); ["n"] for a vector, ["L", "C_in"]
                                         # for a sequence, ["D", "H", "W", "C_in"] for a volume

    [symbols]
    t = 6                                # a default value; C_in, C_out, t, k, s, H, W, alpha exist
    n_out = { meaning = "output channels", default = 3 }

    [options]
    bias = false                         # --option bias=true; a boolean argument may name it

    [[layers]]
    name = "expand"                      # default: the op, numbered (conv2d, conv2d_1, ...)
    part = "expand"
    op = "conv2d"
    filters = "t*C_in"                   # an integer or an expression in the symbols
    kernel = 1
    bias = "bias"                        # true, false, or an option's name
    if = "t != 1"                        # present only where this holds

    [[layers]]
    op = "add"
    inputs = ["project_bn", "input"]     # default: the layer before

    [[layers]]                           # a group of layers, repeated
    name = "stage"
    repeat = 3
    [[layers.group]]
    op = "conv2d"
    ...

Expressions are read by `derive.expr.parse` (whitelisted, bounded); TOML by `tomllib`. Every mistake
is reported at its line and column; `Locator` finds them, since `tomllib` keeps no positions.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any, Mapping

import sympy

from ..blocks import INPUT, Block, Condition, Node, Target, walk
from ..errors import ExprError, InputError
from ..expr import parse
from ..layers import Shape, spellings
from ..symbols import BASE, SymbolTable
from .astexpr import ArithmeticRefused, complexity
from .layerargs import TomlArguments, toml_size
from .names import name_problem, symbol_info
from .source import Source

NODE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]{0,63}\Z")
CLAUSE = re.compile(r"(==|!=|≠|=)")
MAX_REPEAT = 1000
MAX_NODES = 1000
MAX_NESTING = 4
MAX_OPTIONS = 16  # the spec is assembled once per option (to find the sizes each one uses)
COMMON = ("op", "name", "part", "inputs", "if")
GROUP_KEYS = ("name", "part", "if", "repeat", "group", "inputs")


# -- where things are in the text -----------------------------------------------------------------
class Locator:
    """Line and column of each key's value in a TOML text, by its path (`("layers", 2, "filters")`)."""

    # Linear on any line: no two quantifiers may share what they match (a line of `[` and spaces once
    # backtracked for seconds); the spaces around the table name are stripped in `_header`.
    _HEADER = re.compile(r"\s*(\[\[?)([^\]]+)\]\]?\s*(?:#.*)?\Z")
    _KEY = re.compile(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)"
                      r"\s*=\s*")
    _INNER = re.compile(r"(?<![A-Za-z0-9_-])([A-Za-z0-9_-]+)\s*=\s*")  # from a key's start only: linear

    def __init__(self, text: str) -> None:
        self.places: dict[tuple, tuple[int, int]] = {}
        arrays: dict[tuple, int] = {}
        current: tuple = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._header(line)
            if header:
                brackets, name = header
                keys = tuple(self._keys(name))
                resolved: tuple = ()
                for key in keys[:-1]:
                    resolved += (key,)
                    if resolved in arrays:
                        resolved += (arrays[resolved],)
                resolved += (keys[-1],) if keys else ()
                if brackets == "[[":
                    arrays[resolved] = arrays.get(resolved, -1) + 1
                    resolved += (arrays[resolved],)
                current = resolved
                self.places.setdefault(current, (number, line.index("[") + 1))
                continue
            key = self._KEY.match(line)
            if key:
                path = current + tuple(self._keys(key.group(1)))
                self.places.setdefault(path, (number, key.end() + 1))
                self.places.setdefault(path + ("=",), (number, line.index(key.group(1)) + 1))
                rest = line[key.end():]
                if rest.lstrip().startswith("{"):
                    for inner in self._INNER.finditer(rest):
                        self.places.setdefault(path + (inner.group(1),), (number, key.end() + inner.end() + 1))

    @classmethod
    def _header(cls, line: str) -> tuple[str, str] | None:
        """`("[", name)` or `("[[", name)` for a table header line, else None."""
        match = cls._HEADER.match(line)
        if not match:
            return None
        content = match.group(2)
        return match.group(1), content.strip() or content[-1]

    @staticmethod
    def _keys(text: str) -> list[str]:
        return [part.strip().strip("\"'") for part in re.findall(r"\"[^\"]*\"|'[^']*'|[^.]+", text)]

    def find(self, path: tuple) -> tuple[int, int] | None:
        while path:
            if path in self.places:
                return self.places[path]
            path = path[:-1]
        return None

    def key(self, path: tuple) -> tuple[int, int] | None:
        """The key itself (for an unknown key), rather than its value."""
        return self.places.get(path + ("=",)) or self.find(path)


# -- reading --------------------------------------------------------------------------------------
@dataclass
class SymbolSpec:
    name: str
    meaning: str
    default: Any
    order: int


@dataclass
class Spec:
    """The spec as read, before options are known."""

    name: str
    title: str
    symbols: dict = field(default_factory=dict)  # name -> SymbolSpec (declared)
    options: dict = field(default_factory=dict)  # name -> bool
    input: tuple = ()
    layers: list = field(default_factory=list)


class Reader:
    def __init__(self, source: Source, data: dict) -> None:
        self.source = source
        self.data = data
        self.locator = Locator(source.text)
        self.names: dict[str, sympy.Expr] = {}
        self.used: dict[str, int] = {}

    def error(self, what: str, path: tuple, key: bool = False) -> InputError:
        place = self.locator.key(path) if key else self.locator.find(path)
        return self.source.error(what, *(place or (None, None)))

    def expr_error(self, error: ExprError, path: tuple, text: str) -> InputError:
        place = self.locator.find(path)
        if place is None:
            return self.source.error(f"{error.what} in {text[:40]!r}")
        line, col = place
        raw = self.source.line_text(line)[col - 1:]
        if raw[:1] in "\"'" and error.line == 1:
            return self.source.error(error.what, line, col + error.col)
        return self.source.error(error.what, line + error.line - 1, col if error.line == 1 else error.col)

    def table(self, value: Any, path: tuple, what: str) -> dict:
        if not isinstance(value, dict):
            raise self.error(f"{what} must be a table", path)
        return value

    def unknown_keys(self, table: dict, allowed: tuple[str, ...], path: tuple, what: str) -> None:
        for key in table:
            if key not in allowed:
                import difflib

                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else f" (allowed: {', '.join(allowed)})"
                raise self.error(f"unknown key {key!r} in {what}{hint}", path + (key,), key=True)

    # -- top level
    def read(self) -> Spec:
        self.unknown_keys(self.data, ("block", "symbols", "options", "layers"), (), "the spec")
        block = self.table(self.data.get("block", {}), ("block",), "[block]")
        self.unknown_keys(block, ("name", "title", "input"), ("block",), "[block]")
        name = block.get("name", self.source.stem)
        if not isinstance(name, str) or not NODE_NAME.match(name):
            raise self.error("[block] name must be 1 to 64 letters, digits, _ . or -", ("block", "name"))
        title = block.get("title", name)
        if not isinstance(title, str) or not title.strip() or len(title) > 200 or any(c < " " for c in title):
            raise self.error("[block] title must be one line of text (at most 200 characters)", ("block", "title"))
        spec = Spec(name, title.strip())
        self.read_symbols(spec)
        self.read_options(spec)
        spec.input = self.read_input(block.get("input", ["H", "W", "C_in"]))
        layers = self.data.get("layers")
        if not isinstance(layers, list) or not layers:
            raise self.error("a spec needs layers: [[layers]] tables, each with an op", ("layers",))
        spec.layers = layers
        return spec

    def read_symbols(self, spec: Spec) -> None:
        symbols = self.table(self.data.get("symbols", {}), ("symbols",), "[symbols]")
        for order, (name, entry) in enumerate(symbols.items()):
            path = ("symbols", name)
            problem = name_problem(name)
            if problem:
                raise self.error(problem, path, key=True)
            meaning, default = "", None
            if isinstance(entry, dict):
                self.unknown_keys(entry, ("meaning", "default"), path, f"symbol {name}")
                meaning = entry.get("meaning", "")
                default = entry.get("default")
                if not isinstance(meaning, str) or len(meaning) > 200 or any(c < " " for c in meaning):
                    raise self.error("meaning must be one line of text", path + ("meaning",))
                default_path = path + ("default",)
            else:
                default, default_path = entry, path
            if name not in BASE and not meaning:
                meaning = f"`{name}` of the spec"
            spec.symbols[name] = SymbolSpec(name, meaning, default, order)
            self.names[name] = symbol_info(name, meaning).symbol
            spec.symbols[name].default = (default, default_path)
        for name, info in BASE.items():
            self.names.setdefault(name, info.symbol)
        for symbol in spec.symbols.values():
            default, default_path = symbol.default
            symbol.default = None if default is None else self.default_value(symbol.name, default, default_path)

    def default_value(self, name: str, value: Any, path: tuple) -> sympy.Expr:
        rational = name in BASE and BASE[name].domain != "positive integer"
        if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
            raise self.error(f"the default of {name} must be a number", path)
        if isinstance(value, int):
            result: sympy.Expr = sympy.Integer(value)
        elif isinstance(value, float) and rational:
            result = sympy.Rational(repr(value))
        elif isinstance(value, str):
            result = self.expression(value, path, decimals=rational)
        else:
            raise self.error(f"the default of {name} must be {'a number' if rational else 'a whole number'} "
                             "or an expression", path)
        if result.is_Number and (result <= 0 or (not rational and not result.is_Integer)):
            raise self.error(f"the default of {name} must be a positive {'number' if rational else 'whole number'}",
                             path)
        return result

    def read_options(self, spec: Spec) -> None:
        options = self.table(self.data.get("options", {}), ("options",), "[options]")
        if len(options) > MAX_OPTIONS:
            raise self.error(f"more than {MAX_OPTIONS} options ({len(options):,} here)", ("options",))
        for name, value in options.items():
            problem = name_problem(name)
            if problem:
                raise self.error(problem, ("options", name), key=True)
            if not isinstance(value, bool):
                raise self.error(f"option {name} must be true or false (its default)", ("options", name))
            spec.options[name] = value

    def read_input(self, value: Any) -> tuple:
        path = ("block", "input")
        if not isinstance(value, list) or not 1 <= len(value) <= 8:
            raise self.error("[block] input must be a list of sizes, channels last: [features], [steps, features], "
                             "[height, width, channels], [depth, height, width, channels]", path)
        return tuple(toml_size(self, item, path, "input size") for item in value)

    # -- values
    def expression(self, text: str, path: tuple, decimals: bool = False) -> sympy.Expr:
        try:
            value = parse(text, self.names, decimals=decimals)
            complexity(value)
        except ExprError as error:
            raise self.expr_error(error, path, text) from None
        except ArithmeticRefused as refusal:
            raise self.error(str(refusal), path) from None
        for symbol in value.free_symbols:
            self.used.setdefault(symbol.name, len(self.used))
        return value

    def condition(self, text: Any, path: tuple) -> Condition:
        if not isinstance(text, str) or not text.strip():
            raise self.error("if must be a condition such as \"t != 1\" or \"s == 1 and C_in == C_out\"", path)
        clauses = []
        for clause in re.split(r"\band\b", text):
            parts = CLAUSE.split(clause)
            if len(parts) != 3:
                raise self.error(f"{clause.strip()[:40]!r}: write SIZE == SIZE or SIZE != SIZE, joined by 'and'",
                                 path)
            relation = "=" if parts[1] in ("==", "=") else "≠"
            clauses.append((self.expression(parts[0], path), relation, self.expression(parts[2], path)))
        return Condition(tuple(clauses))


# -- building -------------------------------------------------------------------------------------
@dataclass
class Builder:
    reader: Reader
    options: Mapping[str, bool]
    nodes: list = field(default_factory=list)
    places: dict = field(default_factory=dict)  # node name -> path
    taken: set = field(default_factory=lambda: {INPUT})

    def build(self, layers: list, path: tuple, prefix: str, entry: str, part: str | None,
              condition: Condition | None, depth: int, counters: dict) -> str:
        """Nodes for `layers` (a list of tables) after the node `entry`; the name of the last one."""
        if depth > MAX_NESTING:
            raise self.reader.error(f"groups nested too deeply (over {MAX_NESTING})", path)
        previous = entry
        local: dict[str, str] = {}  # names as written in this list -> full node names
        for index, table in enumerate(layers):
            here = path + (index,)
            table = self.reader.table(table, here, "a layer")
            if "group" in table or "repeat" in table:
                previous = self.group(table, here, prefix, previous, part, condition, depth, counters, local)
                continue
            previous = self.layer(table, here, prefix, previous, part, condition, counters, local, entry)
        return previous

    def group(self, table: dict, path: tuple, prefix: str, previous: str, part: str | None,
              condition: Condition | None, depth: int, counters: dict, local: dict) -> str:
        reader = self.reader
        reader.unknown_keys(table, GROUP_KEYS, path, "a group")
        if "group" not in table:
            raise reader.error("a layer with repeat needs its layers in [[layers.group]] tables", path)
        group = table["group"]
        if not isinstance(group, list) or not group:
            raise reader.error("group must be a list of layers ([[layers.group]] tables)", path + ("group",))
        times = table.get("repeat", 1)
        if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= MAX_REPEAT:
            raise reader.error(f"repeat must be a whole number from 1 to {MAX_REPEAT}", path + ("repeat",))
        if "inputs" in table:
            raise reader.error("a group reads the layer before it; give inputs to its layers", path + ("inputs",))
        name = self.name(table, path, prefix, "group", counters, local)
        group_part = self.part(table, path, part)
        group_condition = self.condition(table, path, condition)
        for repetition in range(1, times + 1):
            inner_prefix = f"{name}.{repetition}." if times > 1 else f"{name}."
            previous = self.build(group, path + ("group",), inner_prefix, previous, group_part, group_condition,
                                  depth + 1, {})
        local[table.get("name", name)] = previous
        return previous

    def layer(self, table: dict, path: tuple, prefix: str, previous: str, part: str | None,
              condition: Condition | None, counters: dict, local: dict, entry: str) -> str:
        reader = self.reader
        op_name = table.get("op")
        ops = spellings("spec")
        if not isinstance(op_name, str) or op_name not in ops:
            import difflib

            close = difflib.get_close_matches(str(op_name), ops, n=1) if isinstance(op_name, str) else []
            hint = f"; did you mean {close[0]!r}?" if close else f" (one of {', '.join(ops)})"
            raise reader.error(f"unknown op {str(op_name)[:40]!r}{hint}" if op_name is not None else
                               "a layer needs an op", path + ("op",))
        op = ops[op_name]
        reader.unknown_keys(table, COMMON + op.signature.params, path, f"an {op_name} layer" if op_name[0] in "aeiou"
                            else f"a {op_name} layer")
        for key in op.signature.required:
            if key not in table:
                raise reader.error(f"{op_name} needs {key}", path)
        layer = op.build(TomlArguments(reader, table, path, self.options))
        name = self.name(table, path, prefix, op_name, counters, local)
        inputs = self.inputs(table, path, previous, local, entry, op.merge)
        node = Node(name, layer, self.part(table, path, part), inputs, self.condition(table, path, condition))
        if len(self.nodes) >= MAX_NODES:
            raise reader.error(f"more than {MAX_NODES} layers", path)
        self.nodes.append(node)
        self.places[name] = path
        local[table.get("name", name)] = name
        return name

    def name(self, table: dict, path: tuple, prefix: str, default: str, counters: dict, local: dict) -> str:
        written = table.get("name")
        if written is None:
            count = counters.get(default, 0)
            while True:
                candidate = default if count == 0 else f"{default}_{count}"
                count += 1
                if prefix + candidate not in self.taken and candidate not in local:
                    break
            counters[default] = count
            written = candidate
        if not isinstance(written, str) or not NODE_NAME.match(written) or written == INPUT:
            raise self.reader.error("name must be 1 to 64 letters, digits, _ . or - (and not 'input')",
                                    path + ("name",))
        full = prefix + written
        if full in self.taken or written in local:
            raise self.reader.error(f"two layers are named {full!r}", path + ("name",))
        self.taken.add(full)
        return full

    def inputs(self, table: dict, path: tuple, previous: str, local: dict, entry: str, merge: bool) -> tuple:
        if "inputs" not in table:
            if merge:
                raise self.reader.error(f"{_merges()} need inputs = [\"a\", \"b\", ...]", path)
            return (previous,)
        given = table["inputs"]
        if isinstance(given, str):
            given = [given]
        if not isinstance(given, list) or not given or not all(isinstance(g, str) for g in given):
            raise self.reader.error("inputs must be a list of layer names", path + ("inputs",))
        if merge and len(given) < 2:
            raise self.reader.error(f"{_merges()} need at least two inputs", path + ("inputs",))
        if not merge and len(given) != 1:
            raise self.reader.error("this layer takes one input", path + ("inputs",))
        out = []
        for written in given:
            if written == INPUT:
                out.append(entry)
            elif written in local:
                out.append(local[written])
            elif written in self.taken and written != INPUT:
                out.append(written)
            else:
                raise self.reader.error(f"inputs: no layer named {written[:40]!r} before this one",
                                        path + ("inputs",))
        return tuple(out)

    def part(self, table: dict, path: tuple, part: str | None) -> str | None:
        value = table.get("part", part)
        if value is not None and (not isinstance(value, str) or not NODE_NAME.match(value)):
            raise self.reader.error("part must be 1 to 64 letters, digits, _ . or -", path + ("part",))
        return value

    def condition(self, table: dict, path: tuple, outer: Condition | None) -> Condition | None:
        if "if" not in table:
            return outer
        own = self.reader.condition(table["if"], path + ("if",))
        return own if outer is None else outer & own


def _merges() -> str:
    """The ops that join inputs, for messages: "add and concatenate"."""
    ops = [op for op, spelling in spellings("spec").items() if spelling.merge]
    return " and ".join(ops) if len(ops) < 3 else ", ".join(ops[:-1]) + " and " + ops[-1]


class _Consulted(dict):
    """The options, noting which ones a build looked up."""

    def __init__(self, options: Mapping[str, bool]) -> None:
        super().__init__(options)
        self.seen: set[str] = set()

    def __contains__(self, key: object) -> bool:
        self.seen.add(key)  # type: ignore[arg-type]
        return super().__contains__(key)

    def __getitem__(self, key: str) -> bool:
        self.seen.add(key)
        return super().__getitem__(key)


def read_spec(source: Source) -> Target:
    try:
        data = tomllib.loads(source.text)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        place = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        text = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", message)
        if place:
            raise source.error(f"invalid TOML: {text}", int(place.group(1)), int(place.group(2))) from None
        lines = source.text.splitlines() or [""]
        raise source.error(f"invalid TOML: {text}", len(lines), len(lines[-1]) + 1) from None
    except RecursionError:
        raise source.error("too deeply nested") from None
    reader = Reader(source, data)
    spec = reader.read()
    consulted = _Consulted(spec.options)
    first = assemble(reader, spec, consulted)
    used = dict(reader.used)
    for option in [option for option in spec.options if option in consulted.seen]:  # flipping another changes nothing
        assemble(reader, spec, {**spec.options, option: not spec.options[option]})
        used.update({k: v for k, v in reader.used.items() if k not in used})
    table = symbol_table(spec, used)
    defaults = {name: s.default for name, s in spec.symbols.items() if s.default is not None and name in table}
    check_shapes(reader, spec, first, table)

    def builder(symbols: SymbolTable, options: Mapping[str, bool], *, name: str, title: str,
                defaults: Mapping[str, Any]) -> Block:
        input_shape, nodes = assemble(reader, spec, options)
        return Block(name, title, symbols, input_shape, nodes, defaults, dict(options))

    return Target(spec.name, spec.title, table, defaults, dict(spec.options), builder)


def assemble(reader: Reader, spec: Spec, options: Mapping[str, bool]) -> tuple[Shape, tuple[Node, ...]]:
    builder = Builder(reader, options)
    builder.build(spec.layers, ("layers",), "", INPUT, None, None, 0, {})
    reader.places = builder.places  # type: ignore[attr-defined]
    dims = spec.input
    block_input = Shape(dims[-1], tuple(dims[:-1]))
    return block_input, tuple(builder.nodes)


def symbol_table(spec: Spec, used: Mapping[str, int]) -> SymbolTable:
    """Input channels first, then declared symbols in order, then others by first use, height and width last."""
    names = [n for n in used]
    for name, declared in spec.symbols.items():
        if name not in names:
            names.append(name)
        if declared.default is not None:
            for symbol in declared.default.free_symbols:
                if symbol.name not in names:
                    names.append(symbol.name)

    def rank(name: str) -> tuple:
        if name == "C_in":
            return (0, 0)
        if name in ("H", "W"):
            return (3, ("H", "W").index(name))
        if name in spec.symbols:
            return (1, spec.symbols[name].order)
        return (2, used.get(name, 0))

    infos = []
    for name in sorted(names, key=rank):
        declared = spec.symbols.get(name)
        infos.append(symbol_info(name, declared.meaning if declared else ""))
    return SymbolTable(tuple(infos))


def check_shapes(reader: Reader, spec: Spec, built: tuple[Shape, tuple[Node, ...]], table: SymbolTable) -> None:
    """Walk the block once with every layer present, so that a shape mistake is reported at its line."""
    block_input, nodes = built
    block = Block(spec.name, spec.title, table, block_input, nodes)
    try:
        walk(block, {})
    except InputError as error:
        node_name = (error.where or "").partition(":")[0]
        path = getattr(reader, "places", {}).get(node_name)
        if path is None:
            raise
        raise reader.error(error.what, path) from None
