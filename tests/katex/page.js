// Markdown to the HTML page a forum would show: markdown-it (CommonMark and GitHub tables) with every
// $…$ and $$…$$ rendered by KaTeX on the server, errors fatal (throwOnError, strict), as
// tests/helpers/browser.py measures it in headless Chromium.
// Input on stdin: a JSON array of Markdown texts. Output on stdout: a JSON array, one entry per text:
// {"html": the page body, "errors": [KaTeX's message for each fragment that did not render]}.
"use strict";
const katex = require("katex");
const MarkdownIt = require("markdown-it");
// The math rules the page of `derive serve` uses too: one implementation.
const markdownMath = require("../../derive/web/static/markdown-math.js");

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
  const md = markdownMath.use(MarkdownIt({ html: false, linkify: false }), math);
  return { html: md.render(markdown), errors };
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(JSON.parse(input).map(page)));
});
