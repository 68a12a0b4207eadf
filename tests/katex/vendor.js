// Copies the page's KaTeX and markdown-it (derive serve) from their npm packages, pinned by package-lock.json,
// into derive/web/static/: `cd tests/katex && npm ci && node vendor.js` (or `node vendor.js DIR` to write
// under DIR instead, as tests/test_serve_page.py does to compare).
//
// Every file is copied byte for byte but katex.min.css, whose @font-face rules name each font three times
// (woff2, woff, ttf): only the woff2 is kept, the woff and ttf fallbacks are cut from the url lists and not
// copied (every browser that runs the page's script reads woff2). Nothing else is changed.
"use strict";
const fs = require("fs");
const path = require("path");

const HERE = __dirname;
const MODULES = path.join(HERE, "node_modules");
const OUT = path.resolve(process.argv[2] || path.join(HERE, "..", "..", "derive", "web", "static"));

// `,url(fonts/X.woff) format("woff"),url(fonts/X.ttf) format("truetype")` after each woff2.
const FALLBACKS = /,url\(fonts\/[A-Za-z0-9_-]+\.woff\) format\("woff"\),url\(fonts\/[A-Za-z0-9_-]+\.ttf\) format\("truetype"\)/g;

function version(name) {
  return JSON.parse(fs.readFileSync(path.join(MODULES, name, "package.json"), "utf8")).version;
}

function put(target, bytes) {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, bytes);
}

function copy(name, from, to) {
  put(path.join(OUT, to), fs.readFileSync(path.join(MODULES, name, from)));
}

function vendored(name, files, note) {
  const lines = [
    `# ${name} ${version(name)}, vendored`,
    "",
    `From the npm package \`${name}@${version(name)}\` (pinned by tests/katex/package-lock.json), copied by`,
    "tests/katex/vendor.js; tests/test_serve_page.py checks every file against the package.",
    "",
    ...files.map(([from, to]) => `- \`${to}\` ← \`${from}\``),
    "",
    note,
    "",
  ];
  return lines.join("\n");
}

const katexFonts = fs.readdirSync(path.join(MODULES, "katex", "dist", "fonts"))
  .filter((font) => font.endsWith(".woff2")).sort();
const katexFiles = [
  ["LICENSE", "katex/LICENSE"],
  ["dist/katex.min.js", "katex/katex.min.js"],
  ["dist/katex.min.css", "katex/katex.min.css"],
  ...katexFonts.map((font) => [`dist/fonts/${font}`, `katex/fonts/${font}`]),
];
const markdownFiles = [
  ["LICENSE", "markdown-it/LICENSE"],
  ["dist/markdown-it.min.js", "markdown-it/markdown-it.min.js"],
];

fs.rmSync(path.join(OUT, "katex"), { recursive: true, force: true });
fs.rmSync(path.join(OUT, "markdown-it"), { recursive: true, force: true });
for (const [from, to] of katexFiles) {
  if (to.endsWith(".css")) {
    const css = fs.readFileSync(path.join(MODULES, "katex", from), "utf8");
    const trimmed = css.replace(FALLBACKS, "");
    if (/\.(woff|ttf)\)/.test(trimmed)) throw new Error("katex.min.css: a woff or ttf url left after trimming");
    put(path.join(OUT, to), trimmed);
  } else {
    copy("katex", from, to);
  }
}
for (const [from, to] of markdownFiles) copy("markdown-it", from, to);

put(path.join(OUT, "katex", "VENDORED.md"), vendored("katex", katexFiles,
  "Byte for byte, but `katex.min.css`: its `@font-face` rules keep only the woff2 url of each font (the woff\n" +
  "and ttf fallbacks are cut from their url lists, and those files are not copied). contrib/ (auto-render)\n" +
  "is not used: the page calls `katex.render` itself."));
put(path.join(OUT, "markdown-it", "VENDORED.md"), vendored("markdown-it", markdownFiles,
  "Byte for byte. The page uses it with `html: false`, its `$…$` and `$$…$$` math rendered by KaTeX."));
process.stdout.write(`vendored katex ${version("katex")} and markdown-it ${version("markdown-it")} into ${OUT}\n`);
