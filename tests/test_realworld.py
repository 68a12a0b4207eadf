"""The public corpus (tests/realworld/, issue 13): each snippet built by its own framework, and derive's
reading of the same file compared with it under every convention (helpers/realworld.py says how the
frameworks' figures map to `paper`, `pytorch` and `keras`). Nothing is marked as expected to fail: a
snippet derive refuses or miscounts fails here; `python tests/realworld/status.py` prints the table."""

from __future__ import annotations

import pytest
from helpers.frameworks import need_keras, need_torch
from helpers.realworld import derive_reads, differences, snippets, truth

pytestmark = pytest.mark.frameworks
SNIPPETS = snippets()


def test_the_corpus_is_what_issue_13_asks():
    """At least 80 snippets, about half of each framework, every file listed once, each with its source."""
    files = sorted(p.name for p in SNIPPETS[0].path.parent.glob("*.py") if p.name != "status.py")
    assert sorted(s.file for s in SNIPPETS) == files
    assert len(SNIPPETS) >= 80
    keras = sum(s.framework == "keras" for s in SNIPPETS)
    assert 0.4 <= keras / len(SNIPPETS) <= 0.6
    for snippet in SNIPPETS:
        header = snippet.path.read_text(encoding="utf-8").split("\n\n", 1)[0]
        assert snippet.source in header and "Taken:" in header, snippet.file


@pytest.mark.parametrize("snippet", SNIPPETS, ids=lambda s: s.key)
def test_derive_reads_the_snippet_as_its_framework_counts_it(snippet, tmp_path):
    need_torch() if snippet.framework == "pytorch" else need_keras()
    expected = truth(snippet)
    reading = derive_reads(snippet, tmp_path)
    if reading.figures is None:
        pytest.fail(f"derive refused {snippet.file}: {reading.refusal}")
    wrong = differences(expected, reading)
    assert not wrong, f"{snippet.file}: " + "; ".join(wrong)
