"""The import graph of derive/: every `import` and `from ... import` (inside functions too, relative
ones resolved), walked with `ast`, has no cycle; the model never imports the presentation."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "derive"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> set[str]:
    """The derive modules `name` imports, wherever in the file the import stands."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[:len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # `from . import x` imports the module x when there is one, else a name of the package
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:  # `derive.a.b` where b is a name in derive.a
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: imports(name) for name in MODULES}


def cycle_through(start: str) -> list[str] | None:
    """A shortest cycle through `start` (as the list of modules along it), or None."""
    paths = {target: [start, target] for target in GRAPH[start]}
    queue = list(paths)
    while queue:
        current = queue.pop(0)
        if current == start:
            return paths[current]
        for target in sorted(GRAPH[current]):
            if target not in paths:
                paths[target] = paths[current] + [target]
                queue.append(target)
    return None


def test_the_walk_sees_the_imports_it_should():
    """The walk itself: relative imports resolved, imports inside functions found, names not modules."""
    assert "derive.derivation" in GRAPH["derive.checking"]
    assert "derive.presentation.render" in GRAPH["derive.commands"]  # imported inside `rendered_show`
    assert "derive.presentation.printing" in GRAPH["derive.presentation.views"]
    assert "derive.conventions" in GRAPH["derive.derivation"]  # `from . import conventions as conv`


def reachable(module: str) -> set[str]:
    """Every derive module `module` imports, directly or through others."""
    reached, queue = set(), [module]
    while queue:
        for target in GRAPH[queue.pop()] - reached:
            reached.add(target)
            queue.append(target)
    return reached


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_import_cycle(module):
    cycle = cycle_through(module)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


ENTRY = ("derive", "derive.__main__", "derive.api", "derive.cli", "derive.commands")  # what may use the presentation
SERVER = "derive.web"  # `derive serve`: an entry like the command line (its jobs make the same calls)
COURSE = "derive.course"  # `derive exercise`, `grade`, `plot`: commands, which render what they derive
MODEL = sorted(name for name in MODULES
               if name not in ENTRY and not name.startswith(("derive.presentation", SERVER, COURSE)))


@pytest.mark.parametrize("module", MODEL)
def test_the_model_never_imports_the_presentation(module):
    """Data flows one way: readers → block model → derivation → presentation → cli / api."""
    reached = reachable(module)
    assert not {name for name in reached if name.startswith("derive.presentation")}


MAX_LINES = 600


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_longer_than_a_reader_can_hold(module):
    """One job per module: none over 600 lines (the Python reader was one file of 1,450)."""
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(PACKAGE.parent)} has {lines} lines"


CORE = [name for name in MODEL if not name.startswith(("derive.readers", "derive.library"))]  # not the inputs


@pytest.mark.parametrize("module", CORE)
def test_the_model_reads_no_input_format(module):
    """The block model and the derivation know no reader: readers → model, never back."""
    reached = reachable(module)
    assert not {name for name in reached if name.startswith("derive.readers")}, module


INPUTS = sorted(name for name in MODULES if name.startswith(("derive.readers", "derive.library")))
LATER = ("derive.derivation", "derive.checking", "derive.presentation", "derive.api", "derive.cli")


@pytest.mark.parametrize("module", INPUTS)
def test_the_inputs_stop_at_the_block_model(module):
    """A reader or the library makes a block; it never reaches the derivation or anything after it."""
    reached = reachable(module)
    assert not {name for name in reached if name.startswith(LATER)}, module
