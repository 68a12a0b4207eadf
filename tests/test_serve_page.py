"""The page of `derive serve` in a real browser: Debian's chromium driven by Playwright against a real server
(tests/helpers/server.py), each figure compared with what the `derive` command prints for the same input.

Issue 16's must-shows: `mobilenetv2-block` with C_in=3, t=6, C_out=3 shows 348 rendered by KaTeX; the forum's
Keras code (examples/forum_bottleneck.py, README) shows 465 under keras; hostile snippets from
tests/test_hostile.py's corpus show the CLI's one error line, as text (no element made from it, no dialog);
copy-Markdown puts `derive show … --format markdown`'s text on the clipboard. Also: the URL holds the state
(query string; pasted code in the fragment, never in a request), the check box names the depthwise ×C mistake,
downloads are the CLI's bytes, one column on a phone and two on a laptop, every input labelled, nothing
before the first paint but the HTML (how fast it paints is measured by `make bench`: bench/serve.py, not
here). Every test watches the page: no console error, no dialog, no request to another host.
Missing Playwright, chromium or the web extra: a failure under CI=true (`need`), a skip elsewhere.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from helpers.rendering_cases import need
from helpers.server import running
from test_hostile import INJECTIONS, KERAS

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
BLOCK = {"C_in": "3", "t": "6", "C_out": "3"}
FORUM = (ROOT / "examples" / "forum_bottleneck.py").read_text(encoding="utf-8")
MARKUP = "<img src=x onerror=alert(1)>"
HOSTILE = {  # pasted code: tests/test_hostile.py's template with its payloads, and markup
    "deep-nesting": KERAS.format(arg="(" * 1000 + "1" + ")" * 1000),
    "injection": KERAS.format(arg=INJECTIONS[0]),
    "markup-name": KERAS.replace("Conv2D({arg}, 3)", f"Conv2D(4, 3, name='{MARKUP}')"),
    "markup-statement": KERAS.format(arg="4") + MARKUP + "\n",
}
WAIT_MS = 20_000  # an answer, a busy machine included


# ---- the command line, for the expected figures --------------------------------------------------------------

def cli(*argv: str, source: str | None = None, suffix: str = ".py") -> subprocess.CompletedProcess:
    """`derive ARGV` as a user runs it; pasted text as the file `pasted.py` (or .toml) in a fresh folder, the
    name the server gives it."""
    with tempfile.TemporaryDirectory() as folder:
        if source is not None:
            Path(folder, f"pasted{suffix}").write_text(source, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
        return subprocess.run([sys.executable, "-m", "derive", *argv], cwd=folder, env=env, capture_output=True,
                              timeout=120)


def sets(values: dict[str, str]) -> list[str]:
    return [item for name, value in values.items() for item in ("--set", f"{name}={value}")]


def shown(*argv: str, **kwargs) -> dict:
    done = cli(*argv, "--format", "json", **kwargs)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def error_line(*argv: str, **kwargs) -> str:
    done = cli(*argv, **kwargs)
    assert done.returncode == 2 and done.stdout == b"", done
    lines = done.stderr.decode("utf-8").splitlines()
    assert len(lines) == 1, lines
    return lines[0]


# ---- the browser --------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def browser():
    need(importlib.util.find_spec("playwright") is not None, "Playwright (pip install playwright)")
    need(os.access(CHROMIUM, os.X_OK), "Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()


class Watch:
    """What a page did besides showing things: console errors, dialogs, and requests to hosts but the server."""

    def __init__(self, page, origin: str) -> None:
        self.origin = origin
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[tuple[str, str]] = []
        page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        page.on("dialog", self.dialog)
        page.on("request", lambda request: self.requests.append((request.method, request.url)))

    def dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def check(self, refused: bool = False) -> None:
        """No dialog, no request elsewhere, no console error (but the browser's own line for a refused request,
        when the test sends bad input on purpose)."""
        assert self.dialogs == []
        foreign = [url for _, url in self.requests
                   if not url.startswith(self.origin + "/") and urlsplit(url).scheme not in ("blob", "data")]
        assert foreign == []
        errors = [e for e in self.errors if not (refused and "status of 422" in e)]
        assert errors == []


@pytest.fixture
def site(server, browser):
    """A fresh page (its own context: clipboard allowed) on the server, watched; checked at the end."""
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    watch = Watch(page, server.url)
    yield page, watch, server.url
    context.close()


def total_text(page) -> str:
    """The visible text of the KaTeX rendering of the total (no MathML copy, no zero-width spaces)."""
    return page.eval_on_selector("#total .katex .katex-html", "e => e.textContent").replace("\u200b", "")


def wait_total(page, value: int) -> None:
    """Until the total, rendered by KaTeX and not stale, ends in `= value` (digits grouped by commas)."""
    page.wait_for_function(
        """value => {
          const html = document.querySelector('#result:not([hidden]):not(.stale) #total .katex .katex-html');
          return html !== null && html.textContent.replace(/\\u200b/g, '').endsWith('=' + value);
        }""", arg=f"{value:,}")


def wait_error(page) -> str:
    page.wait_for_selector("#error:not([hidden])")
    return page.text_content("#error")


def open_block(page, url: str, values: dict[str, str]) -> None:
    """The page, `mobilenetv2-block` picked from the select (another one first), the sizes typed in."""
    page.goto(url + "/")
    page.wait_for_selector("#total .katex")
    page.select_option("#target", "resnet-basic")
    page.wait_for_selector("#sym-C_mid, #sym-s")
    page.select_option("#target", "mobilenetv2-block")
    page.wait_for_selector("#sym-t")
    for name, value in values.items():
        page.locator(f"#sym-{name}").press_sequentially(value, delay=30)


def paste(page, code: str) -> None:
    page.click("label:has(#mode-code)")
    page.fill("#code", code)


def elements(page) -> dict[str, int]:
    return page.evaluate("""() => ({img: document.querySelectorAll('img').length,
                                   script: document.querySelectorAll('script').length,
                                   iframe: document.querySelectorAll('iframe, object, embed').length})""")


# ---- the must-shows -------------------------------------------------------------------------------------------

def test_block_348_rendered_by_katex(site):
    page, watch, url = site
    expected = shown("show", "mobilenetv2-block", *sets(BLOCK))
    assert expected["total"]["all"]["value"] == 348
    open_block(page, url, BLOCK)
    wait_total(page, 348)
    assert page.locator("#total .katex").count() == 1
    assert total_text(page).startswith("N=")
    rows = page.eval_on_selector_all("#parts tbody tr", "rows => rows.map(r => [r.cells[0].textContent, "
                                     "r.cells[r.cells.length - 1].textContent])")
    assert rows == [[p["name"], f"{p['all']['value']:,}"] for p in expected["parts"]]
    assert page.locator("#parts tbody .katex").count() == len(expected["parts"])
    assert page.text_content("#explanation h3").startswith("MobileNetV2 bottleneck")
    assert page.locator("#explanation .katex").count() > 10
    query = dict(part.split("=") for part in urlsplit(page.url).query.split("&"))
    assert query == {"target": "mobilenetv2-block", **BLOCK}
    watch.check()


def test_forum_keras_code_465_under_keras(site):
    page, watch, url = site
    values = {"C_in": "3", "n_out": "3"}
    expected = {c: shown("show", "pasted.py", *sets(values), "--convention", c, source=FORUM)["total"]["all"]["value"]
                for c in ("paper", "pytorch", "keras")}
    assert expected["keras"] == 465
    page.goto(url + "/")
    paste(page, FORUM)
    page.wait_for_selector("#sym-n_out")
    for name, value in values.items():
        page.fill(f"#sym-{name}", value)
    page.click("label:has(#convention-keras)")
    wait_total(page, 465)
    assert page.text_content("#convention-name") == "keras convention"
    others = page.eval_on_selector_all("#others button", "bs => bs.map(b => [b.dataset.convention, "
                                       "b.querySelector('.katex-html').textContent])")
    assert others == [[c, f"{v:,}"] for c, v in expected.items()]
    assert "padding='same'" in page.text_content("#warnings")  # the forum code's add of unequal shapes
    watch.check()


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_code_is_one_line_of_text(site, case):
    page, watch, url = site
    code = HOSTILE[case]
    expected = error_line("show", "pasted.py", source=code)
    page.goto(url + "/")
    page.wait_for_selector("#total .katex")
    before = elements(page)
    paste(page, code)
    assert wait_error(page) == expected
    assert page.eval_on_selector("#error", "e => e.children.length") == 0
    assert "\n" not in expected
    assert page.is_hidden("#result")
    page.wait_for_timeout(300)
    assert elements(page) == before
    watch.check(refused=True)


def test_markup_in_a_size_is_shown_as_text(site):
    page, watch, url = site
    expected = error_line("show", "mobilenetv2-block", "--set", f"C_in={MARKUP}")
    assert MARKUP in expected
    open_block(page, url, BLOCK)
    wait_total(page, 348)
    before = elements(page)
    page.fill("#sym-C_in", MARKUP)
    assert wait_error(page) == expected
    assert page.eval_on_selector("#result", "e => e.classList.contains('stale')")  # the last figure, dimmed
    page.wait_for_timeout(300)
    assert elements(page) == before
    page.fill("#sym-C_in", "3")
    wait_total(page, 348)
    assert page.is_hidden("#error")
    watch.check(refused=True)


def test_markup_in_a_spec_title_is_shown_as_text(site):
    page, watch, url = site
    title = MARKUP + "<script>alert(2)</script>"
    spec = f'[block]\ntitle = "{title}"\n[[layers]]\nop = "conv2d"\nkernel = 3\nfilters = 4\n'
    expected = shown("show", "pasted.toml", "--set", "C_in=3", source=spec, suffix=".toml")
    page.goto(url + "/")
    page.wait_for_selector("#total .katex")
    before = elements(page)
    paste(page, spec)
    page.wait_for_selector("#sym-C_in")
    page.fill("#sym-C_in", "3")
    wait_total(page, expected["total"]["all"]["value"])
    assert "TOML" in page.text_content("#kind")
    assert page.text_content("#explanation h3").startswith(title)
    assert elements(page) == before
    watch.check()


def test_copy_markdown_and_latex_are_the_clis(site):
    page, watch, url = site
    markdown = cli("show", "mobilenetv2-block", *sets(BLOCK), "--format", "markdown")
    latex = cli("show", "mobilenetv2-block", *sets(BLOCK), "--format", "latex")
    open_block(page, url, BLOCK)
    wait_total(page, 348)
    page.click("#copy-markdown")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('Markdown')")
    assert page.evaluate("navigator.clipboard.readText()") == markdown.stdout.decode("utf-8")
    page.click("#copy-latex")
    page.wait_for_function("() => document.getElementById('status').textContent.includes('LaTeX')")
    assert page.evaluate("navigator.clipboard.readText()") == latex.stdout.decode("utf-8")
    watch.check()


# ---- the rest of issue 16 ----------------------------------------------------------------------------------------

def test_check_names_the_depthwise_mistake(site):
    page, watch, url = site
    claim = "(3*3*18)*18 + 2*18"
    expected = json.loads(cli("check", "mobilenetv2-block", *sets(BLOCK), "--claim", claim, "--part", "depthwise",
                              "--format", "json").stdout)
    assert not expected["correct"] and "full convolution" in expected["diagnosis"][0]
    open_block(page, url, BLOCK)
    wait_total(page, 348)
    page.fill("#claim", claim)
    page.select_option("#part", "depthwise")
    page.click("#check")
    page.wait_for_selector("#verdict .wrong")
    assert page.eval_on_selector_all("#verdict .diagnosis", "ps => ps.map(p => p.textContent)") == expected["diagnosis"]
    verdict = page.eval_on_selector("#verdict .wrong", "e => e.textContent").replace("\u200b", "")
    assert "=2,952" in verdict and verdict.endswith("=198")
    page.fill("#claim", "198")
    page.press("#claim", "Enter")
    page.wait_for_selector("#verdict .right")
    watch.check()


def test_url_holds_the_state(site, browser):
    page, watch, url = site
    expected = shown("show", "mobilenetv2-block", *sets(BLOCK), "--convention", "keras", "--option", "bias=true")
    link = f"{url}/?target=mobilenetv2-block&C_in=3&t=6&C_out=3&convention=keras&bias=1"
    page.goto(link)
    wait_total(page, expected["total"]["all"]["value"])
    assert page.is_checked("#convention-keras") and page.is_checked("#opt-bias")
    assert [page.input_value(f"#sym-{name}") for name in BLOCK] == list(BLOCK.values())
    assert urlsplit(page.url).query == urlsplit(link).query
    page.click("label:has(#convention-pytorch)")  # changed on the page: the URL follows, and opens the same
    page.fill("#sym-t", "4")
    pytorch = shown("show", "mobilenetv2-block", *sets({**BLOCK, "t": "4"}), "--convention", "pytorch", "--option",
                    "bias=true")["total"]["all"]["value"]
    wait_total(page, pytorch)
    other = page.context.new_page()
    other.goto(page.url)
    wait_total(other, pytorch)
    assert total_text(other) == total_text(page)
    watch.check()


def test_pasted_code_travels_in_the_fragment_only(site):
    page, watch, url = site
    fragment = base64.urlsafe_b64encode(FORUM.encode("utf-8")).decode("ascii").rstrip("=")
    page.goto(f"{url}/?C_in=3&n_out=3&convention=keras#code={fragment}")
    wait_total(page, 465)
    assert page.input_value("#code") == FORUM
    assert page.input_value("#sym-n_out") == "3"
    assert urlsplit(page.url).fragment == f"code={fragment}"
    gets = [u for method, u in watch.requests if method == "GET"]
    assert gets and not any(fragment[:40] in u or "code=" in u for u in gets)
    page.fill("#sym-C_in", "4")  # typed on the page: the link still holds the code, in its fragment
    wait_total(page, shown("show", "pasted.py", "--set", "C_in=4", "--set", "n_out=3", "--convention", "keras",
                           source=FORUM)["total"]["all"]["value"])
    assert urlsplit(page.url).fragment == f"code={fragment}" and "C_in=4" in page.url
    watch.check()


def test_entry_choice_for_a_file_with_several_models(site):
    page, watch, url = site
    code = (ROOT / "examples" / "keras_subclassed.py").read_text(encoding="utf-8")
    listing = json.loads(cli("list", "pasted.py", "--format", "json", source=code).stdout)
    expected = shown("show", "pasted.py", "--entry", "ConvBlock", "--set", "filters=8", "--set", "C_in=3", source=code)
    page.goto(url + "/")
    paste(page, code)
    page.wait_for_selector("#entry-row:not([hidden])")
    names = page.eval_on_selector_all("#entry option", "os => os.map(o => o.value)")
    assert names == ["", *[c["name"] for c in listing["candidates"]]]
    page.select_option("#entry", "ConvBlock")
    page.wait_for_selector("#sym-filters")
    page.fill("#sym-filters", "8")
    page.fill("#sym-C_in", "3")
    wait_total(page, expected["total"]["all"]["value"])
    assert "entry=ConvBlock" in page.url
    watch.check()


def test_downloads_are_the_clis_bytes(site, server):
    page, watch, url = site
    open_block(page, url, BLOCK)
    wait_total(page, 348)
    for button, fmt in (("#download-tex", "tex"), ("#download-json", "json")):
        with page.expect_download() as download:
            page.click(button)
        assert download.value.suggested_filename == f"mobilenetv2-block.{fmt}"
        assert Path(download.value.path()).read_bytes() == cli("show", "mobilenetv2-block", *sets(BLOCK),
                                                               "--format", fmt).stdout
    need(json.loads(server.get("/healthz")[2])["tex"], "TeX (pdflatex)")
    with page.expect_download(timeout=60_000) as download:
        page.click("#download-pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF-")
    watch.check()


def test_without_tex_the_pdf_button_says_what_to_install(browser, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pdflatex to be found: the server's page says so
    with running() as bare:
        health = json.loads(bare.get("/healthz")[2])
        assert health["tex"] is False and "pdflatex" in health["tex_hint"]
        context = browser.new_context()
        page = context.new_page()
        page.set_default_timeout(WAIT_MS)
        watch = Watch(page, bare.url)
        page.goto(bare.url + "/?target=mobilenetv2-block&C_in=3&t=6&C_out=3")
        wait_total(page, 348)
        assert page.is_disabled("#download-pdf")
        assert page.get_attribute("#download-pdf", "title") == health["tex_hint"]
        assert page.text_content("#pdf-hint") == f"PDF: {health['tex_hint']}"
        assert page.is_enabled("#download-tex")
        watch.check()
        context.close()


def test_answers_to_older_keystrokes_are_dropped(site):
    page, watch, url = site
    open_block(page, url, BLOCK)
    page.press("#sym-C_in", "End")
    page.locator("#sym-C_in").press_sequentially("21", delay=60)  # 3 → 32 → 321, as fast as one types
    expected = shown("show", "mobilenetv2-block", *sets({**BLOCK, "C_in": "321"}))["total"]["all"]["value"]
    wait_total(page, expected)
    page.wait_for_timeout(1000)
    assert total_text(page).endswith(f"={expected:,}")
    watch.check()


def test_counts_past_two_to_the_53_are_exact(site):
    page, watch, url = site
    big = {"C_in": "123456789012", "t": "6", "C_out": "3"}
    expected = shown("show", "mobilenetv2-block", *sets(big))
    assert expected["total"]["all"]["value"] > 2 ** 53 and float(expected["total"]["all"]["value"]) != \
        expected["total"]["all"]["value"]  # a float would round it
    page.goto(url + "/?target=mobilenetv2-block&" + "&".join(f"{name}={value}" for name, value in big.items()))
    wait_total(page, expected["total"]["all"]["value"])
    values = page.eval_on_selector_all("#parts tbody td.num", "cells => cells.map(c => c.textContent)")
    assert values == [f"{p['all']['value']:,}" for p in expected["parts"]]
    watch.check()


# ---- layout, accessibility, speed -------------------------------------------------------------------------------

def test_two_columns_on_a_laptop_one_on_a_phone(site):
    page, watch, url = site
    open_block(page, url, BLOCK)
    wait_total(page, 348)
    inputs, results = page.locator(".inputs").bounding_box(), page.locator(".results").bounding_box()
    assert results["x"] >= inputs["x"] + inputs["width"]
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    inputs, results = page.locator(".inputs").bounding_box(), page.locator(".results").bounding_box()
    assert results["y"] >= inputs["y"] + inputs["height"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    watch.check()


def test_every_input_is_labelled_and_reached_by_the_keyboard(site):
    page, watch, url = site
    open_block(page, url, BLOCK)
    wait_total(page, 348)
    unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, select, textarea, button')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
        .map(e => e.id || e.outerHTML)""")
    assert unlabelled == []
    assert page.evaluate("document.querySelectorAll('[tabindex]:not([tabindex=\"-1\"])').length") == 0
    page.focus("#mode-builtin")
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id"))
    assert {"target", "sym-C_in", "sym-W", "convention-paper", "opt-bias", "copy-markdown", "copy-link", "claim",
            "part", "check"} <= reached
    watch.check()


def test_nothing_blocks_the_first_paint(server):
    """The page's styles are in the page (a <style>: the CSP allows inline styles), its one script deferred, and
    the rest (KaTeX, markdown-it) only preloaded: no request stands between the HTML and the first paint."""
    status, headers, body = server.get("/")
    html = body.decode("utf-8")
    head = html[:html.index("<body>")]
    assert status == 200 and "style-src 'self' 'unsafe-inline'" in headers["content-security-policy"]
    assert (ROOT / "templates" / "web" / "page.css.j2").read_text(encoding="utf-8") in head
    assert 'rel="stylesheet"' not in html
    scripts = [tag for tag in head.split("<script")[1:]]
    assert len(scripts) == 1 and scripts[0].startswith(' src="/static/page.js" defer>')
    assert sorted(line.split('href="')[1].split('"')[0] for line in head.splitlines() if 'rel="preload"' in line) == \
        ["/static/katex/katex.min.css", "/static/katex/katex.min.js", "/static/markdown-it/markdown-it.min.js",
         "/static/markdown-math.js"]

