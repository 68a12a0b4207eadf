// derive's Markdown math for markdown-it: `$…$` on one line and a line `$$`, the TeX, a line `$$`, rendered by
// KaTeX. One implementation for the page of `derive serve` (a classic script: `window.deriveMarkdownMath`) and
// for the tests under Node (tests/katex/page.js: `require`), so the page shows what the tests check.
"use strict";
(function (root, factory) {
  if (typeof module === "object" && module.exports) module.exports = factory();
  else root.deriveMarkdownMath = factory();
}(typeof self !== "undefined" ? self : this, function () {
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

  // The rules added to a markdown-it instance; `math(tex, displayMode)` returns the HTML of one fragment.
  function use(md, math) {
    md.inline.ruler.before("escape", "math_inline", mathInline);
    md.block.ruler.before("fence", "math_block", mathBlock, { alt: ["paragraph", "reference", "blockquote", "list"] });
    md.renderer.rules.math_inline = (tokens, i) => math(tokens[i].content, false);
    md.renderer.rules.math_block = (tokens, i) => math(tokens[i].content, true) + "\n";
    return md;
  }

  return { mathInline, mathBlock, use };
}));
