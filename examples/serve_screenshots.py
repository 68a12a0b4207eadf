"""Screenshots of `derive serve`'s page in the states issue 16 asks to see, for `make demo` and the README.

    python examples/serve_screenshots.py OUTDIR [--readme FILE.png]

Starts `derive serve --port 0` (as a user does), drives Debian's chromium (/usr/bin/chromium) with Playwright
through the must-show states and writes into OUTDIR:

- serve-block.png: `mobilenetv2-block` with C_in=3, t=6, C_out=3 typed in: 348, per part, the diagram;
- serve-keras.png: the forum's Keras code (examples/forum_bottleneck.py) under the keras convention: 465;
- serve-error.png: a hostile paste (10,000 nested parentheses): the one error line;
- serve-check.png: the check box on `(3*3*18)*18 + 2*18` for the depthwise part: the named mistake;

and with --readme, the README's picture of the page (docs/images/serve.png). Needs the web extra
(`pip install 'derive[web]'`), Playwright (`pip install playwright`, no browser download) and chromium.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--hide-scrollbars"]
FORUM = (ROOT / "examples" / "forum_bottleneck.py").read_text(encoding="utf-8")
HOSTILE = "import keras\nx = " + "(" * 10_000 + "1" + ")" * 10_000 + "\n"
WAIT_MS = 30_000


def start() -> tuple[subprocess.Popen, str]:
    """`derive serve --port 0`, and its URL once it listens (the line it prints on standard error)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    process = subprocess.Popen([sys.executable, "-m", "derive", "serve", "--port", "0"], env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in process.stderr:
        if line.startswith("derive: serving on "):
            threading.Thread(target=lambda: [None for _ in process.stderr], daemon=True).start()  # keep it drained
            return process, line.split()[-1].rstrip("/")
        sys.stderr.write(line)
    raise SystemExit(f"derive serve did not start (exit status {process.wait()})")


def total(page, text: str) -> None:
    """Until the KaTeX total, not stale, ends in `= text`."""
    page.wait_for_function(
        """text => {
          const html = document.querySelector('#result:not([hidden]):not(.stale) #total .katex .katex-html');
          return html !== null && html.textContent.replace(/\\u200b/g, '').endsWith('=' + text);
        }""", arg=text)
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(150)


def settle(page) -> None:
    """The page at its top, nothing focused, the fonts in."""
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.evaluate("window.scrollTo(0, 0); document.querySelector('.inputs').scrollTo(0, 0)")
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(150)


def block(page, url: str) -> None:
    page.goto(url + "/")
    page.wait_for_selector("#total .katex")
    page.select_option("#target", "mobilenetv2-block")
    for name, value in (("C_in", "3"), ("t", "6"), ("C_out", "3")):
        page.locator(f"#sym-{name}").press_sequentially(value, delay=40)
    total(page, "348")
    settle(page)


def paste(page, url: str, code: str) -> None:
    page.goto(url + "/")
    page.wait_for_selector("#total .katex")
    page.click("label:has(#mode-code)")
    page.fill("#code", code)


def keras(page, url: str) -> None:
    paste(page, url, FORUM)
    page.wait_for_selector("#sym-n_out")
    page.fill("#sym-C_in", "3")
    page.fill("#sym-n_out", "3")
    page.click("label:has(#convention-keras)")
    total(page, "465")
    settle(page)


def error(page, url: str) -> None:
    paste(page, url, HOSTILE)
    page.wait_for_selector("#error:not([hidden])")
    settle(page)


def check(page, url: str) -> None:
    block(page, url)
    page.fill("#claim", "(3*3*18)*18 + 2*18")
    page.select_option("#part", "depthwise")
    page.click("#check")
    page.wait_for_selector("#verdict .wrong")
    page.evaluate("document.activeElement.blur()")
    page.evaluate("document.getElementById('check-form').scrollIntoView({block: 'center'})")
    page.evaluate("document.fonts.ready")
    page.wait_for_timeout(150)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("outdir", type=Path)
    parser.add_argument("--readme", type=Path, help="also the README's screenshot, there")
    args = parser.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise SystemExit("serve_screenshots: needs Playwright: pip install playwright (chromium from Debian)")
    if not os.access(CHROMIUM, os.X_OK):
        raise SystemExit(f"serve_screenshots: needs chromium at {CHROMIUM}: apt install chromium")
    args.outdir.mkdir(parents=True, exist_ok=True)
    process, url = start()
    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            for name, state in (("block", block), ("keras", keras), ("error", error), ("check", check)):
                state(page, url)
                path = args.outdir / f"serve-{name}.png"
                page.screenshot(path=path)
                written.append(path)
            if args.readme:
                readme = browser.new_context(viewport={"width": 1200, "height": 760}, device_scale_factor=1.5)
                page = readme.new_page()
                page.set_default_timeout(WAIT_MS)
                block(page, url)
                args.readme.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=args.readme)
                written.append(args.readme)
            browser.close()
    finally:
        process.terminate()
        process.wait(10)
    print("wrote: " + " ".join(str(path) for path in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
