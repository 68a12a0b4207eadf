"""The page's vendored KaTeX and markdown-it (derive/web/static/katex, markdown-it): each file the npm package's,
byte for byte, at the versions tests/katex/package-lock.json pins; katex.min.css with only its woff and ttf
fallbacks cut (the woff2 fonts are all there is); and tests/katex/vendor.js, run again, writes the same tree.
Needs the packages under tests/katex/node_modules (`npm ci` there): missing, a failure under CI=true."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from helpers.rendering_cases import KATEX, katex_ready, need

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "derive" / "web" / "static"
MODULES = KATEX / "node_modules"
PACKAGES = ("katex", "markdown-it")
LISTED = re.compile(r"^- `([^`]+)` ← `([^`]+)`$", re.M)  # VENDORED.md: - `katex/x` ← `dist/x`
FALLBACK = re.compile(r',url\(fonts/[A-Za-z0-9_-]+\.woff\) format\("woff"\),url\(fonts/[A-Za-z0-9_-]+\.ttf\) '
                      r'format\("truetype"\)')


def listed(package: str) -> list[tuple[str, str]]:
    """(file under static/, file in the npm package) for each line of the package's VENDORED.md."""
    return LISTED.findall((STATIC / package / "VENDORED.md").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def modules() -> Path:
    need(katex_ready(), "KaTeX and markdown-it under Node (cd tests/katex && npm ci)")
    need(shutil.which("node") is not None, "Node")
    return MODULES


@pytest.mark.parametrize("package", PACKAGES)
def test_versions_are_the_pinned_ones(package, modules):
    lock = json.loads((KATEX / "package-lock.json").read_text())
    pinned = lock["packages"][f"node_modules/{package}"]["version"]
    installed = json.loads((modules / package / "package.json").read_text())["version"]
    assert installed == pinned
    assert (STATIC / package / "VENDORED.md").read_text(encoding="utf-8").startswith(f"# {package} {pinned}, vendored")


@pytest.mark.parametrize("package", PACKAGES)
def test_every_file_is_the_packages(package, modules):
    files = listed(package)
    assert len(files) >= 2 and ("%s/LICENSE" % package, "LICENSE") in files
    for ours, theirs in files:
        vendored = (STATIC / ours).read_bytes()
        original = (modules / package / theirs).read_bytes()
        if ours.endswith("katex.min.css"):
            trimmed = FALLBACK.sub("", original.decode("utf-8")).encode("utf-8")
            assert trimmed != original and vendored == trimmed, ours
        else:
            assert vendored == original, ours
    on_disk = {str(p.relative_to(STATIC)) for p in (STATIC / package).rglob("*") if p.is_file()}
    assert on_disk == {ours for ours, _ in files} | {f"{package}/VENDORED.md"}


def test_the_css_names_only_woff2_fonts_that_are_there(modules):
    css = (STATIC / "katex" / "katex.min.css").read_text(encoding="utf-8")
    urls = re.findall(r"url\(([^)]+)\)", css)
    assert len(urls) == 20 and all(u.endswith(".woff2") for u in urls)
    assert all((STATIC / "katex" / u).is_file() for u in urls)
    assert {u.split("/")[-1] for u in urls} == {p.name for p in (modules / "katex" / "dist" / "fonts").glob("*.woff2")}


def test_vendor_script_writes_the_same_tree(modules, tmp_path):
    subprocess.run(["node", str(KATEX / "vendor.js"), str(tmp_path)], check=True, capture_output=True, timeout=60)
    for package in PACKAGES:
        ours = {p.relative_to(STATIC): p.read_bytes() for p in (STATIC / package).rglob("*") if p.is_file()}
        again = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / package).rglob("*") if p.is_file()}
        assert ours == again, package
