// Markdown to the HTML page a forum would show: markdown-it (CommonMark and GitHub tables) with every
// $…$ and $$…$$ rendered by KaTeX on the server, errors fatal (throwOnError, strict), as
// tests/helpers/browser.py measures it in headless Chromium.
// Input on stdin: a JSON array of Markdown texts. Output on stdout: a JSON array, one entry per text:
// {"html": the page body, "errors": [KaTeX's message for each fragment that did not render]}.
"use strict";
const katex = require("katex");
const MarkdownIt = require("markdown-it");

// $…$ on one line, not $$, a backslash escaping the next character (as tests/test_rendering.py reads it).
function mathInline(state, silent) {
  const src = state.src;
  const start = state.pos;
  if (src[start] !== "$" || src[start + 1] === "$") return false;
  let end = start + 1;
  while (end < state.posMax && src[end] !== "$") {
    if (src[end] === "\n") return false;
    end += src[end] === "\\" ? 2 : 1;
  }
  if (end >= state.posMax || end === start + 1) return false;
  if (!silent) state.push("math_inline", "math", 0).content = src.slice(start + 1, end);
  state.pos = end + 1;
  return true;
}

// A line `$$`, the TeX, a line `$$`.
function mathBlock(state, startLine, endLine, silent) {
  const line = (n) => state.src.slice(state.bMarks[n] + state.tShift[n], state.eMarks[n]).trim();
  if (line(startLine) !== "$$") return false;
  let next = startLine + 1;
  while (next < endLine && line(next) !== "$$") next += 1;
  if (next >= endLine) return false;
  if (silent) return true;
  const token = state.push("math_block", "math", 0);
  token.block = true;
  token.content = state.getLines(startLine + 1, next, state.tShift[startLine], false);
  token.map = [startLine, next + 1];
  state.line = next + 1;
  return true;
}

function page(markdown) {
  const errors = [];
  const math = (tex, displayMode) => {
    try {
      return katex.renderToString(tex, { displayMode, throwOnError: true, strict: "error" });
    } catch (error) {
      errors.push(String(error.message || error));
      return `<code class="katex-failed">${MarkdownIt().utils.escapeHtml(tex)}</code>`;
    }
  };
  const md = MarkdownIt({ html: false, linkify: false });
  md.inline.ruler.before("escape", "math_inline", mathInline);
  md.block.ruler.before("fence", "math_block", mathBlock, { alt: ["paragraph", "reference", "blockquote", "list"] });
  md.renderer.rules.math_inline = (tokens, i) => math(tokens[i].content, false);
  md.renderer.rules.math_block = (tokens, i) => math(tokens[i].content, true) + "\n";
  return { html: md.render(markdown), errors };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(page)));
});
