// Renders TeX math fragments with KaTeX, errors fatal (throwOnError), as a forum would show them.
// Input on stdin: a JSON array of {"tex": "...", "display": true|false}.
// Output on stdout: a JSON array, one entry per fragment: null if it rendered, else the error message.
"use strict";
const katex = require("katex");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const fragments = JSON.parse(input);
  const results = fragments.map(({ tex, display }) => {
    try {
      katex.renderToString(tex, { displayMode: Boolean(display), throwOnError: true, strict: "error" });
      return null;
    } catch (error) {
      return String(error.message || error);
    }
  });
  process.stdout.write(JSON.stringify(results));
});
