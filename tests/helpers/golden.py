"""The golden-file harness (a pytest plugin, as torchinfo's `verify_capsys`): a test marked
`@pytest.mark.golden("<case>.<ext>")` prints derive's output; this autouse fixture compares what it
printed with tests/golden/<case>.<ext>, byte for byte, and shows a unified diff when they differ.
`pytest --update-golden` rewrites the files instead: read the diff (git diff tests/golden) before you
commit it."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
MAX_DIFF_LINES = 120


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite tests/golden/ with what derive prints now, instead of comparing")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "golden(name): the test's stdout must equal tests/golden/<name>")


@pytest.fixture(autouse=True)
def golden(request: pytest.FixtureRequest):
    """For a test marked golden: its stdout, held against its golden file once the test has run."""
    marker = request.node.get_closest_marker("golden")
    if marker is None:
        yield
        return
    capsys = request.getfixturevalue("capsys")
    yield
    out, err = capsys.readouterr()
    update = request.config.getoption("update_golden")
    stderr = GOLDEN / f"{marker.args[0]}.stderr"  # warnings (code its framework would refuse) have their own
    if err or stderr.exists() or update:
        assert all(line.startswith("derive: warning: ") for line in err.splitlines()), \
            f"derive wrote to stderr:\n{err}"
        if err or stderr.exists():
            verify(stderr, err, update)
    verify(GOLDEN / marker.args[0], out, update)


def verify(path: Path, out: str, update: bool) -> None:
    """`out` is the golden file's text; or, updating, becomes it."""
    if update:
        if not path.exists() or path.read_bytes().decode("utf-8") != out:
            path.write_bytes(out.encode("utf-8"))
        return
    if not path.exists():
        pytest.fail(f"{path.name}: no golden file (pytest --update-golden writes it; read it before you commit it)",
                    pytrace=False)
    expected = path.read_bytes().decode("utf-8")
    if out != expected:
        pytest.fail(f"{path.name}: the output differs from its golden file (pytest --update-golden rewrites it)\n"
                    + diff(expected, out, path), pytrace=False)


def diff(expected: str, out: str, path: Path) -> str:
    lines = list(difflib.unified_diff(expected.splitlines(keepends=True), out.splitlines(keepends=True),
                                      fromfile=f"tests/golden/{path.name}", tofile="derive's output now"))
    if not lines:  # the same lines: only line endings or the final newline differ
        return f"same lines, other line endings: expected {expected[-40:]!r}, got {out[-40:]!r}"
    shown = [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines]
    if len(shown) > MAX_DIFF_LINES:
        shown = shown[:MAX_DIFF_LINES] + [f"... {len(shown) - MAX_DIFF_LINES} more diff lines\n"]
    return "".join(shown)
