"""Markdown as a forum shows it: rendered by markdown-it with KaTeX (tests/katex/page.js, under Node) into a
690 px wide post column, laid out by headless Chromium (Debian's `chromium`, installed by .ci/run), and
measured: the page's scrollWidth and every element that reaches past the column.

Chromium runs with a fresh profile, no network and no sandbox (CI runs as root), once for a whole batch of
pages: each page is an iframe of its own (srcdoc, so the measuring script can read it) 690 px wide, whose
document's scrollWidth is what a reader of that post would have to scroll. The script writes the figures
into the DOM that `--dump-dom` prints, after the KaTeX fonts have loaded. Missing Node, KaTeX, markdown-it
or Chromium fails under CI=true and skips elsewhere (`need`)."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .rendering_cases import KATEX, need

WIDTH = 690  # px: a Discourse post column
TOLERANCE = 2  # px: sub-pixel rounding of the widths
STYLE = """
body { margin: 0; font: 15px/1.4 "DejaVu Sans", sans-serif; }
iframe { display: block; width: %(w)dpx; height: 40px; border: 0; }
""" % {"w": WIDTH}
# The post: what Discourse's and GitHub's default styles give a post's tables and code, nothing that scrolls.
POST_STYLE = """
html, body { margin: 0; padding: 0; }
body { width: %(w)dpx; font: 15px/1.4 "DejaVu Sans", sans-serif; overflow-wrap: break-word; }
table { border-collapse: collapse; }
th, td { border: 1px solid #ddd; padding: 4px 6px; }
code, pre { font: 13px "DejaVu Sans Mono", monospace; }
pre { white-space: pre; }
""" % {"w": WIDTH}
MEASURE = """
function measure(frame) {
  // Per element whose parent is within the column: the child reaching furthest past it (a block's overflowing
  // content: a formula's last term, a table's last column).
  const doc = frame.contentDocument, limit = %(w)d + %(t)d, widest = new Map();
  const right = (element) => element.getBoundingClientRect().right;
  const shown = (element) => {  // its text as read, without KaTeX's MathML copy
    const walk = doc.createTreeWalker(element, NodeFilter.SHOW_TEXT), parts = [];
    while (walk.nextNode() && parts.join("").length < 200) {
      if (!walk.currentNode.parentElement.closest(".katex-mathml")) parts.push(walk.currentNode.data);
    }
    return parts.join("").replace(/[\\s\\u200b]+/g, " ").trim().slice(0, 80);
  };
  for (const element of doc.body.querySelectorAll("*")) {
    if (element.closest(".katex-mathml")) continue;  // KaTeX's MathML copy: for screen readers, clipped to 1 px
    const parent = element.parentElement, reach = right(element);
    if (reach <= limit || (parent !== doc.body && right(parent) > limit)) continue;
    if (!widest.has(parent) || widest.get(parent).right < reach) {
      widest.set(parent, {tag: element.tagName.toLowerCase(), cls: String(element.className || ""),
                          right: Math.round(reach), text: shown(parent === doc.body ? element : parent)});
    }
  }
  const fonts = [...doc.fonts].filter((font) => font.status === "loaded").length;
  return {scroll: doc.documentElement.scrollWidth, wide: [...widest.values()], fonts: fonts};
}
async function run() {
  const frames = [...document.querySelectorAll("iframe")];
  await Promise.all(frames.map((f) => f.contentDocument.readyState === "complete" ? null
                                     : new Promise((ok) => f.addEventListener("load", ok))));
  await Promise.all(frames.map((f) => f.contentDocument.fonts.ready));
  const out = document.createElement("pre");
  out.id = "measured";
  out.textContent = JSON.stringify(frames.map(measure));
  document.body.appendChild(out);
}
window.addEventListener("load", run);
""" % {"w": WIDTH, "t": TOLERANCE}
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-extensions", "--hide-scrollbars", "--allow-file-access-from-files", "--virtual-time-budget=20000",
         f"--window-size={WIDTH},800")


@dataclass(frozen=True)
class Layout:
    """A page's scrollWidth, the outermost elements reaching past the column, KaTeX's errors."""

    scroll: int
    wide: tuple[dict, ...]
    errors: tuple[str, ...]
    fonts: int  # KaTeX fonts loaded

    @property
    def fits(self) -> bool:
        return self.scroll <= WIDTH + TOLERANCE and not self.wide

    def describe(self) -> str:
        worst = max(self.wide, key=lambda w: w["right"], default=None)
        where = f"; widest {worst['tag']}.{worst['cls'][:30]} to {worst['right']} px: {worst['text'][:60]!r}" \
            if worst else ""
        return f"scrollWidth {self.scroll} px (+{self.scroll - WIDTH}){where}"


def chromium() -> str | None:
    return next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)


def ready() -> bool:
    return (chromium() is not None and shutil.which("node") is not None
            and (KATEX / "node_modules" / "katex").is_dir() and (KATEX / "node_modules" / "markdown-it").is_dir())


def pages(markdowns: list[str]) -> list[dict]:
    """markdown-it + KaTeX (tests/katex/page.js): {"html", "errors"} per text."""
    done = subprocess.run(["node", str(KATEX / "page.js")], input=json.dumps(markdowns), capture_output=True,
                          text=True, timeout=300, check=True)
    return json.loads(done.stdout)


def document(body: str) -> str:
    css = (KATEX / "node_modules" / "katex" / "dist" / "katex.min.css").as_uri()
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="{css}">'
            f"<style>{POST_STYLE}</style></head><body>{body}</body></html>")


def measure(page: str, timeout: int = 300):
    """A page loaded by headless Chromium, whose script writes its figures as JSON into `<pre id="measured">`:
    those figures, read from the DOM Chromium dumps."""
    with tempfile.TemporaryDirectory(prefix="derive-chromium-") as tmp:
        index = Path(tmp) / "index.html"
        index.write_text(page, encoding="utf-8")
        command = [chromium(), *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}", "--dump-dom", index.as_uri()]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL)
    found = re.search(r'<pre id="measured">(.*?)</pre>', done.stdout, re.S)
    assert found, f"Chromium measured nothing (exit {done.returncode}): {done.stderr[-2000:]}"
    return json.loads(html.unescape(found.group(1)))


def layouts(markdowns: list[str]) -> list[Layout]:
    """Each Markdown text laid out at WIDTH px by headless Chromium (one run for all of them)."""
    need(ready(), "Chromium, Node, KaTeX and markdown-it (apt-get install chromium; cd tests/katex && npm ci)")
    if not markdowns:
        return []
    rendered = pages(markdowns)
    frames = "".join(f'<iframe srcdoc="{html.escape(document(page["html"]), quote=True)}"></iframe>'
                     for page in rendered)
    measured = measure(f'<!DOCTYPE html><html><head><meta charset="utf-8"><style>{STYLE}</style></head>'
                       f"<body>{frames}<script>{MEASURE}</script></body></html>")
    assert len(measured) == len(markdowns), (len(measured), len(markdowns))
    return [Layout(m["scroll"], tuple(m["wide"]), tuple(page["errors"]), m["fonts"]) for m, page in zip(measured, rendered)]
