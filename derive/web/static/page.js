// The page of `derive serve`: the inputs (a built-in target or pasted code, its sizes, the convention, its
// options) kept in the URL, one POST /api/page per change (debounced, the answer to an older request dropped),
// and the answer laid out: the total and each part in KaTeX, the diagram, MACs, the other conventions, the
// warnings and the explanation (derive's Markdown through markdown-it, html off, with KaTeX for its math).
// Every number shown is derive's, exact: integers past 2^53 are read from the JSON text as digits.
// No user text is ever parsed as HTML: it goes into the page by textContent, value and attributes only; the
// only HTML inserted is KaTeX's and markdown-it's (html: false, which escapes whatever the text holds).
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const TARGETS = JSON.parse($("targets-data").textContent);
  const CONFIG = JSON.parse($("config-data").textContent);
  const BY_NAME = new Map(TARGETS.map((target) => [target.name, target]));
  const DELAY = 200;  // ms between the last keystroke and the request
  const RESERVED = new Set(["target", "convention", "entry"]);  // query keys that are not symbols or options
  const TOML = /^[ \t]*\[\[?[ \t]*(block|layers|symbols|options)\b/m;  // as derive/readers reads standard input

  const state = {
    mode: "builtin",      // or "code"
    target: TARGETS.length ? TARGETS[0].name : "",
    code: "",
    entry: "",            // "" = the file's default model
    set: {},              // symbol -> text, only those typed
    options: {},          // option -> bool, only those differing from the default
    args: {},             // argument of the entry -> text
    convention: CONFIG.conventions[0],
  };
  const view = {
    symbols: [],          // the names the inputs show
    described: {},        // name -> what it is (the show JSON's `symbols`)
    defaults: {},         // name -> the value it takes when left empty
    options: {},          // option -> its default
    listing: null,        // POST /api/list of the pasted code
    pending: null,        // query keys of a loaded URL with code, placed once the symbols are known
    page: null,           // the last answer of /api/page
    shownFor: "",         // the source that answer is for
    diagramURL: null,
  };
  const inflight = {};    // channel -> AbortController
  const LIBRARIES = ["/static/katex/katex.min.js", "/static/markdown-it/markdown-it.min.js", "/static/markdown-math.js"];
  let libraries = Promise.resolve();  // KaTeX and markdown-it loaded (below)

  // ---- numbers and math ----------------------------------------------------------------------------

  // JSON.parse, but integers of 16 digits or more come back as strings of their digits (exact: a double
  // holds every integer only up to 2^53).
  function parseExact(text) {
    const pieces = [];
    let last = 0;
    for (let i = 0; i < text.length;) {
      const c = text.charCodeAt(i);
      if (c === 34) {  // a string: skipped whole
        i += 1;
        while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 ? 2 : 1;
        i += 1;
      } else if (c === 45 || (c >= 48 && c <= 57)) {
        let j = i + 1;
        while (j < text.length && /[0-9.eE+-]/.test(text[j])) j += 1;
        if (/^-?\d{16,}$/.test(text.slice(i, j))) {
          pieces.push(text.slice(last, i), '"', text.slice(i, j), '"');
          last = j;
        }
        i = j;
      } else {
        i += 1;
      }
    }
    pieces.push(text.slice(last));
    return JSON.parse(pieces.join(""));
  }

  const grouped = (value, separator) => String(value).replace(/\B(?=(\d{3})+(?!\d))/g, separator);
  const number = (value) => grouped(value, ",");
  const texNumber = (value) => grouped(value, "{,}");
  const bound = (count) => count && count.value !== null && count.value !== undefined;
  const zero = (count) => !count || count.formula === "0";

  function math(element, tex, display) {
    element.textContent = "";
    if (window.katex) {
      window.katex.render(tex, element, { displayMode: Boolean(display), throwOnError: false });
    } else {
      element.textContent = tex;
    }
    return element;
  }

  function mathSpan(tex, className) {
    const span = document.createElement("span");
    if (className) span.className = className;
    return math(span, tex, false);
  }

  // "formula = value" of a count as TeX (the formula alone while unbound, the value alone when they agree).
  function countTex(count, name) {
    const head = name ? `${name} = ` : "";
    if (!bound(count)) return head + count.latex;
    const value = texNumber(count.value);
    return count.latex === String(count.value) ? head + value : `${head}${count.latex} = ${value}`;
  }

  // ---- the URL ---------------------------------------------------------------------------------------

  function toBase64url(text) {
    const bytes = new TextEncoder().encode(text);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function fromBase64url(text) {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
  }

  function writeURL() {
    const query = new URLSearchParams();
    if (state.mode === "builtin") query.set("target", state.target);
    if (state.mode === "code" && state.entry) query.set("entry", state.entry);
    for (const [name, value] of Object.entries(state.set)) query.set(name, value);
    if (state.convention !== CONFIG.conventions[0]) query.set("convention", state.convention);
    for (const [name, value] of Object.entries(state.options)) query.set(name, value ? "1" : "0");
    if (state.mode === "code") for (const [name, value] of Object.entries(state.args)) query.set(`arg.${name}`, value);
    const fragment = state.mode === "code" && state.code ? `#code=${toBase64url(state.code)}` : "";
    const url = `${location.pathname}?${query.toString().replace(/%2C/g, ",")}${fragment}`;
    if (url !== location.pathname + location.search + location.hash) history.replaceState(null, "", url);
  }

  function readURL() {
    const query = new URLSearchParams(location.search);
    const fragment = new URLSearchParams(location.hash.slice(1));
    if (fragment.has("code")) {
      try {
        state.code = fromBase64url(fragment.get("code"));
        state.mode = "code";
      } catch (error) {
        showError("derive: error: link: the code in its #code= is not base64url of UTF-8 text");
      }
    } else if (BY_NAME.has(query.get("target"))) {
      state.target = query.get("target");
    }
    if (CONFIG.conventions.includes(query.get("convention"))) state.convention = query.get("convention");
    if (state.mode === "code" && query.get("entry")) state.entry = query.get("entry");
    const rest = {};
    for (const [key, value] of query) {
      if (key.startsWith("arg.") && state.mode === "code") state.args[key.slice(4)] = value;
      else if (!RESERVED.has(key) && !key.startsWith("arg.")) rest[key] = value;
    }
    if (state.mode === "builtin") place(rest, BY_NAME.get(state.target).symbols, BY_NAME.get(state.target).options);
    else view.pending = rest;
  }

  // Query keys to symbols and options, once the target's are known; the others are dropped.
  function place(keys, symbols, options) {
    for (const [key, value] of Object.entries(keys)) {
      if (symbols.includes(key) && value !== "") state.set[key] = value;
      else if (key in options) state.options[key] = value === "1" || value === "true";
    }
    for (const [key, value] of Object.entries(state.options)) if (options[key] === value) delete state.options[key];
  }

  // ---- the inputs -------------------------------------------------------------------------------------

  function kind() {
    return TOML.test(state.code) ? "toml" : "python";
  }

  function sourceKey() {
    return state.mode === "builtin" ? `target:${state.target}` : `code:${state.entry}:${state.code}`;
  }

  function body(extra) {
    const request = {
      target: null, source: null, kind: "python", entry: null, args: {}, set: { ...state.set },
      options: { ...state.options }, convention: state.convention, math: "katex", title: null,
    };
    if (state.mode === "builtin") {
      request.target = state.target;
    } else {
      request.source = state.code;
      request.kind = kind();
      request.entry = state.entry || null;
      request.args = { ...state.args };
    }
    return { ...request, ...extra };
  }

  // A symbol's meaning as the answer words it, for a label: its Markdown code spans (`expand`) as plain text.
  function unquoted(description) {
    return String(description || "").replace(/`([^`]*)`/g, "$1");
  }

  function field(prefix, name, value, placeholder, description) {
    const row = document.createElement("div");
    row.className = "field";
    const label = document.createElement("label");
    label.htmlFor = `${prefix}-${name}`;
    const code = document.createElement("code");
    code.textContent = name;
    label.append(code);
    const input = document.createElement("input");
    input.type = "text";
    input.id = `${prefix}-${name}`;
    input.dataset.name = name;
    input.value = value || "";
    input.placeholder = placeholder;
    input.autocomplete = "off";
    input.spellcheck = false;
    input.setAttribute("autocapitalize", "off");
    if (description) {
      const hint = document.createElement("span");
      hint.className = "what";
      hint.id = `${prefix}-${name}-what`;
      hint.textContent = unquoted(description);
      label.append(" ", hint);
      input.setAttribute("aria-describedby", hint.id);
      input.title = unquoted(description);
    }
    row.append(label, input);
    return row;
  }

  function placeholder(name) {
    return name in view.defaults ? String(view.defaults[name]) : "symbolic";
  }

  // The sizes: rebuilt when the names change or the values were reset (never while typing in one of them),
  // else refreshed in place.
  function showSymbols(names, rebuild = false) {
    const box = $("symbols");
    if (rebuild || names.join(" ") !== view.symbols.join(" ")) {
      view.symbols = names;
      box.replaceChildren(...names.map((name) =>
        field("sym", name, state.set[name], placeholder(name), view.described[name])));
      $("sizes").hidden = names.length === 0;
      return;
    }
    for (const input of box.querySelectorAll("input")) {
      const name = input.dataset.name;
      input.placeholder = placeholder(name);
      const what = $(`sym-${name}-what`);
      if (view.described[name] && !what) {
        input.parentElement.replaceWith(field("sym", name, input.value, placeholder(name), view.described[name]));
      } else if (what) {
        what.textContent = unquoted(view.described[name]);
      }
    }
  }

  function showOptions(current) {
    const box = $("options");
    const names = Object.keys(current);
    $("options-set").hidden = names.length === 0;
    if (names.join(" ") !== [...box.querySelectorAll("input")].map((i) => i.dataset.name).join(" ")) {
      box.replaceChildren(...names.map((name) => {
        const label = document.createElement("label");
        const input = document.createElement("input");
        input.type = "checkbox";
        input.id = `opt-${name}`;
        input.dataset.name = name;
        const text = document.createElement("code");
        text.textContent = name;
        label.append(input, " ", text);
        return label;
      }));
    }
    for (const input of box.querySelectorAll("input")) input.checked = current[input.dataset.name];
  }

  // The entry select and the entry's other arguments, from POST /api/list.
  function showListing() {
    const listing = view.listing;
    const names = listing ? [...listing.models.map((m) => m.name), ...listing.candidates.map((c) => c.name)] : [];
    $("entry-row").hidden = names.length < 2;
    const select = $("entry");
    const wanted = ["", ...names];
    if ([...select.options].map((o) => o.value).join("\n") !== wanted.join("\n")) {
      select.replaceChildren(...wanted.map((name) => {
        const option = document.createElement("option");
        option.value = name;
        option.textContent = name || `the default (${listing && listing.default ? listing.default : "none"})`;
        return option;
      }));
    }
    select.value = names.includes(state.entry) ? state.entry : "";
    const chosen = listing && listing.candidates.find((c) => c.name === (state.entry || listing.default));
    const args = chosen ? chosen.parameters.filter((p) => p.kind === "positional" || p.kind === "keyword") : [];
    const shown = args.filter((p) => p.default !== null && !view.symbols.includes(p.name));
    const box = $("args");
    if (shown.map((p) => p.name).join(" ") !== [...box.querySelectorAll("input")].map((i) => i.dataset.name).join(" ")) {
      box.replaceChildren(...shown.map((p) =>
        field("arg", p.name, state.args[p.name], p.default, `argument of ${chosen.name}()`)));
    }
  }

  function showMode() {
    $("mode-builtin").checked = state.mode === "builtin";
    $("mode-code").checked = state.mode === "code";
    $("builtin-panel").hidden = state.mode !== "builtin";
    $("code-panel").hidden = state.mode !== "code";
    $("target").value = state.target;
    $("code").value = state.code;
    for (const input of document.querySelectorAll("input[name=convention]")) input.checked = input.value === state.convention;
    showKind();
  }

  function showKind() {
    const toml = kind() === "toml";
    $("kind").textContent = toml
      ? "Read as a TOML block spec (it has a [block], [[layers]], [symbols] or [options] header)."
      : "Read as Python (Keras or PyTorch); a [block] or [[layers]] header would make it a TOML spec.";
  }

  // What the inputs are before any answer: a built-in's from the list, the code's from its last answer
  // (none before it). `reset`: the sizes were cleared (another target or mode), their inputs are made anew.
  function prepare(reset = false) {
    if (state.mode === "code" && !view.shownFor.startsWith("code:")) {
      showSymbols([], reset);
      showOptions({});
    }
    if (state.mode === "builtin") {
      const target = BY_NAME.get(state.target);
      $("summary").textContent = target.summary;
      view.defaults = { ...target.defaults };
      view.options = { ...target.options };
      if (view.shownFor !== sourceKey()) view.described = {};
      showSymbols(target.symbols, reset);
      showOptions({ ...target.options, ...state.options });
    }
    showMode();
  }

  // ---- requests ---------------------------------------------------------------------------------------

  // POST a JSON body; the answer's body (text, or a Blob for a download), null when a newer request on the
  // same channel replaced this one (aborted: its answer is dropped), or an Error holding the one line to show.
  async function post(channel, path, payload, blob = false) {
    if (inflight[channel]) inflight[channel].abort();
    const controller = new AbortController();
    inflight[channel] = controller;
    let response, answer;
    try {
      response = await fetch(path, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
        signal: controller.signal,
      });
      answer = await (blob && response.ok ? response.blob() : response.text());
    } catch (error) {
      if (controller.signal.aborted) return null;
      throw new Error("derive: error: the server did not answer (is `derive serve` still running?)");
    }
    if (controller.signal.aborted) return null;
    if (response.ok) return answer;
    let line = `derive: error: the server answered ${response.status}`;
    try {
      const refusal = JSON.parse(answer);
      if (typeof refusal.error === "string" && refusal.error.trim()) line = refusal.error;
    } catch (error) { /* not JSON: the status says it */ }
    throw new Error(line.replace(/\s+/g, " ").trim());
  }

  let timer = null;
  function schedule(delay = DELAY) {
    clearTimeout(timer);
    writeURL();
    timer = setTimeout(update, delay);
  }

  let latest = 0;  // the number of the last update: an older one, answered late, changes nothing
  async function update() {
    const key = sourceKey();
    const mine = ++latest;
    const busy = setTimeout(() => { $("loading").hidden = false; }, 150);
    try {
      if (state.mode === "code" && kind() === "python" && state.code.trim() && view.listedFor !== state.code) {
        listCode(state.code);
      }
      $("empty").hidden = !(state.mode === "code" && !state.code.trim());
      if (!$("empty").hidden) {
        if (inflight.page) inflight.page.abort();
        hideResult();
        showError("");
        return;
      }
      const text = await post("page", "/api/page", body());
      if (text === null) return;
      const page = parseExact(text);
      await libraries;
      if (mine !== latest) return;
      if (view.pending) {  // a loaded link with code: its sizes and options, now that the names are known
        place(view.pending, Object.keys(page.show.symbols), page.show.options);
        view.pending = null;
        if (Object.keys(state.set).length || Object.keys(state.options).length) {
          schedule(0);
          return;
        }
      }
      showError("");
      render(page, key);
    } catch (error) {
      if (mine !== latest) return;
      showError(error.message);
      if (view.shownFor !== key) hideResult();
      else $("result").classList.add("stale");
    } finally {
      clearTimeout(busy);
      if (mine === latest) $("loading").hidden = true;
    }
  }

  async function listCode(code) {
    try {
      const text = await post("list", "/api/list", { source: code, kind: "python" });
      if (text === null) return;
      view.listing = parseExact(text);
      view.listedFor = code;
    } catch (error) {
      view.listing = null;  // the page's own request says what is wrong with the code
      view.listedFor = code;
    }
    const names = view.listing ? [...view.listing.models, ...view.listing.candidates].map((m) => m.name) : [];
    if (state.entry && !names.includes(state.entry) && view.listing) {
      state.entry = "";
      schedule(0);
    }
    showListing();
  }

  function showError(line) {
    $("error").textContent = line;
    $("error").hidden = !line;
  }

  function hideResult() {
    $("result").hidden = true;
    view.shownFor = "";
  }

  // ---- the answer ---------------------------------------------------------------------------------------

  function render(page, key) {
    const show = page.show;
    view.page = page;
    view.shownFor = key;
    view.described = show.symbols;
    if (state.mode === "code") {
      view.defaults = {};
      for (const [name, value] of Object.entries(show.values)) if (!(name in state.set)) view.defaults[name] = value;
      view.options = {};
      for (const [name, value] of Object.entries(show.options)) view.options[name] = name in state.options ? !value : value;
    }
    showSymbols(Object.keys(show.symbols));
    showOptions(show.options);
    if (state.mode === "code") showListing();

    $("result").hidden = false;
    $("result").classList.remove("stale");
    document.title = `${show.target}: ${bound(show.total.all) ? number(show.total.all.value) + " parameters" : "parameters"} · derive`;
    $("convention-name").textContent = `${show.convention} convention`;
    const total = show.total;
    math($("total"), countTex(total.all, "N"), false);  // inline: a long sum breaks after its + and =
    showSplit(total);
    $("macs").replaceChildren(mathSpan(countTex(total.macs, "")));
    showOthers(page.others, show.convention);
    showWarnings(show.warnings);
    showDiagram(page.svg, show.target);
    showTable(show);
    showParts(show);
    showExplanation(page.markdown);
    $("verdict").replaceChildren();
  }

  function showSplit(total) {
    const box = $("split");
    const pieces = [];
    if (!zero(total.non_trainable)) {
      pieces.push(["trainable", total.trainable], ["non-trainable", total.non_trainable]);
    }
    if (!zero(total.buffers)) pieces.push(["buffers (not parameters)", total.buffers]);
    box.replaceChildren(...pieces.map(([label, count]) => {
      const item = document.createElement("span");
      item.className = "piece";
      item.append(`${label} `, mathSpan(bound(count) ? texNumber(count.value) : count.latex));
      return item;
    }));
    box.hidden = pieces.length === 0;
  }

  function showOthers(others, current) {
    const box = $("others");
    box.replaceChildren(...CONFIG.conventions.filter((c) => others && c in others).map((name) => {
      const count = others[name];
      const button = document.createElement("button");
      button.type = "button";
      button.className = name === current ? "other current" : "other";
      button.dataset.convention = name;
      button.setAttribute("aria-pressed", String(name === current));
      const shown = count !== null && typeof count === "object"
        ? mathSpan(bound(count) ? texNumber(count.value) : count.latex)
        : mathSpan(count === null ? "\\text{—}" : texNumber(count));
      button.append(`${name} `, shown);
      return button;
    }));
  }

  function showWarnings(warnings) {
    const list = $("warnings");
    list.replaceChildren(...(warnings || []).map((warning) => {
      const item = document.createElement("li");
      item.textContent = (warning.line ? `line ${warning.line}: ` : "") + warning.message;
      return item;
    }));
    list.hidden = !warnings || warnings.length === 0;
  }

  // The SVG as an image (a blob URL): whatever it holds, nothing in it runs or reaches the page.
  function showDiagram(svg, target) {
    if (view.diagramURL) URL.revokeObjectURL(view.diagramURL);
    view.diagramURL = null;
    $("diagram").hidden = !svg;
    if (!svg) return;
    view.diagramURL = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
    $("diagram-img").removeAttribute("width");
    $("diagram-img").src = view.diagramURL;
    $("diagram-img").alt = `The layers of ${target} as a diagram`;
  }

  function cell(tag, content, className) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (content instanceof Node) element.append(content);
    else element.textContent = content;
    return element;
  }

  // Per part (or per layer, for code without parts): the formula and its value; trainable, non-trainable
  // and buffers in columns of their own where any of them is nonzero.
  function showTable(show) {
    const byPart = show.parts.length > 0;
    const rows = byPart ? show.parts : show.layers.filter((l) => !zero(l.trainable) || !zero(l.non_trainable) || !zero(l.buffers));
    const split = rows.some((r) => !zero(r.non_trainable));
    const buffers = rows.some((r) => !zero(r.buffers));
    const columns = [];
    if (byPart || !split) columns.push(["parameters", (r) => r.all || r.trainable]);
    if (split) columns.push(["trainable", (r) => r.trainable], ["non-trainable", (r) => r.non_trainable]);
    if (buffers) columns.push(["buffers", (r) => r.buffers]);
    $("table-title").textContent = byPart ? "Per part" : "Per layer";
    const head = document.createElement("tr");
    head.append(cell("th", byPart ? "part" : "layer"));
    for (const [label] of columns) head.append(cell("th", label, "formula"), cell("th", "", "num"));
    const body = rows.map((row) => {
      const line = document.createElement("tr");
      line.append(cell("th", row.name));
      for (const [, pick] of columns) line.append(...countCells(pick(row)));
      return line;
    });
    const foot = document.createElement("tr");
    foot.className = "total";
    foot.append(cell("th", "total"));
    const totals = { parameters: show.total.all, trainable: show.total.trainable,
      "non-trainable": show.total.non_trainable, buffers: show.total.buffers };
    for (const [label] of columns) foot.append(...countCells(totals[label]));
    const thead = document.createElement("thead");
    thead.append(head);
    const tbody = document.createElement("tbody");
    tbody.append(...body);
    const tfoot = document.createElement("tfoot");
    tfoot.append(foot);
    $("parts").replaceChildren(thead, tbody, tfoot);
  }

  function countCells(count) {
    return [cell("td", mathSpan(count.latex), "formula"),
      cell("td", bound(count) ? number(count.value) : "", "num")];
  }

  function showParts(show) {
    const select = $("part");
    const chosen = select.value;
    const group = (label, names) => {
      const element = document.createElement("optgroup");
      element.label = label;
      element.append(...names.map((name) => new Option(name, name)));
      return element;
    };
    const whole = new Option("the whole", "");
    const groups = [whole];
    if (show.parts.length) groups.push(group("parts", show.parts.map((p) => p.name)));
    groups.push(group("layers", show.layers.map((l) => l.name)));
    select.replaceChildren(...groups);
    select.value = [...select.options].some((o) => o.value === chosen) ? chosen : "";
  }

  let markdown = null;
  function showExplanation(text) {
    if (!markdown && window.markdownit && window.deriveMarkdownMath) {
      markdown = window.deriveMarkdownMath.use(window.markdownit({ html: false, linkify: false }), (tex, display) =>
        window.katex.renderToString(tex, { displayMode: display, throwOnError: false }));
    }
    const box = $("explanation");
    if (markdown) {
      box.innerHTML = markdown.render(text);  // markdown-it with html: false: the text's own markup is escaped
      for (const table of box.querySelectorAll("table")) {
        const wrap = document.createElement("div");
        wrap.className = "table-wrap";
        table.replaceWith(wrap);
        wrap.append(table);
      }
    } else {
      box.replaceChildren(cell("pre", text));
    }
  }

  // ---- check an answer ------------------------------------------------------------------------------------

  async function check(event) {
    event.preventDefault();
    const claim = $("claim").value.trim();
    const verdict = $("verdict");
    if (!claim) {
      verdict.replaceChildren(cell("p", "Type a count or a formula to check, e.g. (3*3*18)*18 + 2*18.", "hint"));
      return;
    }
    verdict.replaceChildren(cell("p", "Checking…", "hint"));
    try {
      const text = await post("check", "/api/check", body({ claim, part: $("part").value || null }));
      if (text === null) return;
      const answer = parseExact(text);
      const head = document.createElement("p");
      head.className = answer.correct ? "right" : "wrong";
      const what = answer.part ? `${answer.part}: ` : "";
      if (answer.correct) {
        head.append(`✓ Right. ${what}`, mathSpan(countTex(answer.claimed)));
      } else {
        head.append(`✗ Wrong. ${what}claimed `, mathSpan(countTex(answer.claimed)), "; derive: ",
          mathSpan(countTex(answer.expected)));
      }
      const lines = (answer.diagnosis || []).map((line) => cell("p", line, "diagnosis"));
      verdict.replaceChildren(head, ...lines);
    } catch (error) {
      verdict.replaceChildren(cell("p", error.message, "error"));
    }
  }

  // ---- copy and download -----------------------------------------------------------------------------------

  function say(text) {
    const status = $("status");
    status.textContent = text;
    clearTimeout(say.timer);
    say.timer = setTimeout(() => { status.textContent = ""; }, 4000);
  }

  async function copy(text, what) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {  // no clipboard API (a plain-http address other than localhost): the old way
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.className = "offscreen";
      document.body.append(area);
      area.select();
      const done = document.execCommand("copy");
      area.remove();
      if (!done) {
        say(`Could not copy the ${what}: the browser refused.`);
        return;
      }
    }
    say(`Copied the ${what}.`);
  }

  function fileName(extension) {
    const base = state.mode === "builtin" ? state.target : (view.page ? view.page.show.target : "pasted");
    return `${base}.${extension}`;
  }

  async function download(format, extension, button) {
    button.disabled = true;
    say(format === "pdf" ? "Compiling the PDF…" : `Preparing the .${extension}…`);
    try {
      const file = await post(`download-${format}`, "/api/show", body({ format }), true);
      if (file === null) return;
      const url = URL.createObjectURL(file);
      const link = document.createElement("a");
      link.href = url;
      link.download = fileName(extension);
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
      say(`Downloaded ${link.download}.`);
    } catch (error) {
      say(error.message);
    } finally {
      button.disabled = false;
    }
  }

  // ---- wiring -------------------------------------------------------------------------------------------

  function readFields(box, into) {
    for (const key of Object.keys(into)) delete into[key];
    for (const input of box.querySelectorAll("input")) if (input.value.trim()) into[input.dataset.name] = input.value.trim();
  }

  function wire() {
    for (const input of document.querySelectorAll("input[name=mode]")) {
      input.addEventListener("change", () => {
        state.mode = input.value;
        state.set = {};
        state.options = {};
        hideResult();
        prepare(true);
        if (state.mode === "code") $("code").focus();
        schedule(0);
      });
    }
    $("target").addEventListener("change", () => {
      state.target = $("target").value;
      state.set = {};
      state.options = {};
      prepare(true);
      schedule(0);
    });
    $("code").addEventListener("input", () => {
      state.code = $("code").value;
      showKind();
      schedule();
    });
    $("entry").addEventListener("change", () => {
      state.entry = $("entry").value;
      state.args = {};
      showListing();
      schedule(0);
    });
    $("symbols").addEventListener("input", () => {
      readFields($("symbols"), state.set);
      schedule();
    });
    $("args").addEventListener("input", () => {
      readFields($("args"), state.args);
      schedule();
    });
    $("options").addEventListener("change", (event) => {
      const name = event.target.dataset.name;
      if (event.target.checked === view.options[name]) delete state.options[name];
      else state.options[name] = event.target.checked;
      schedule(0);
    });
    for (const input of document.querySelectorAll("input[name=convention]")) {
      input.addEventListener("change", () => {
        state.convention = input.value;
        schedule(0);
      });
    }
    $("others").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-convention]");
      if (!button) return;
      state.convention = button.dataset.convention;
      showMode();
      schedule(0);
    });
    $("check-form").addEventListener("submit", check);
    $("diagram-img").addEventListener("load", (event) => {  // a third larger than drawn: it is read at a glance
      if (event.target.naturalWidth) event.target.width = Math.round(event.target.naturalWidth * 1.35);
    });
    $("copy-markdown").addEventListener("click", () => view.page && copy(view.page.markdown, "Markdown"));
    $("copy-latex").addEventListener("click", () => view.page && copy(view.page.latex, "LaTeX snippet"));
    $("copy-link").addEventListener("click", () => {
      writeURL();
      copy(location.href, "link");
    });
    $("download-tex").addEventListener("click", (event) => download("tex", "tex", event.currentTarget));
    $("download-pdf").addEventListener("click", (event) => download("pdf", "pdf", event.currentTarget));
    $("download-json").addEventListener("click", (event) => download("json", "json", event.currentTarget));
    if (!CONFIG.tex) $("download-pdf").title = CONFIG.tex_hint;
  }

  // KaTeX (its styles, then its fonts), markdown-it and the math rules: preloaded by the page's head, run in
  // this order after the first paint; an answer is laid out once they are there (or failed: plain text).
  function load(src) {
    return new Promise((resolve) => {
      const script = document.createElement("script");
      script.src = src;
      script.async = false;
      script.addEventListener("load", resolve);
      script.addEventListener("error", resolve);
      document.head.append(script);
    });
  }
  const style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "/static/katex/katex.min.css";
  const styled = new Promise((resolve) => {
    style.addEventListener("load", resolve);
    style.addEventListener("error", resolve);
  });
  document.head.append(style);
  libraries = Promise.all([styled, ...LIBRARIES.map(load)]);
  styled.then(() => document.fonts.load("1em KaTeX_Main").catch(() => null));

  readURL();
  wire();
  prepare();
  writeURL();
  update();
})();
