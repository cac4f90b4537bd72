// Renders media/editor.png for the README: the extension's bundled language server (server/,
// laid out by build.mjs) is started as src/config.js configures it and asked for the diagnostics
// and a hover of a sample file; an HTML mock-up of a VS Code editor shows them, and headless
// Chromium (playwright-core from the playground's dev dependencies) takes the picture.
// Run: `make vsix && node editors/vscode/media/screenshot.mjs` (needs /usr/bin/chromium).
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startServer } from "../test/lsp.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const extension = join(here, "..");
const require = createRequire(import.meta.url);
const config = require("../src/config.js");
const { chromium } = createRequire(join(extension, "..", "..", "wasm", "playground", "package.json"))("playwright-core");

const text = `# One "redis" for every zone: redis.mzsvc.mesh.local
type: MeshMultiZoneService
name: redis
mesh: default
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: redis
  ports:
  - port: 6379
    appProtocol: httpx
  - port: 6379
    name: redis-again
    appProtocol: tcp
`;

const { run } = config.serverOptions(extension);
const server = startServer(process.execPath, [run.module, ...run.args, "--stdio"]);
await server.request("initialize", { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions: config.initializationOptions({ kumaVersion: "3.0" }) });
server.notify("initialized", {});
const uri = pathToFileURL(join(extension, "global.yaml")).href;
const published = server.diagnostics(uri, (ds) => ds.length > 0);
server.notify("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version: 1, text } });
const diagnostics = await published;
const hoverLine = text.split("\n").findIndex((l) => l.includes("appProtocol: httpx"));
const hover = await server.request("textDocument/hover", { textDocument: { uri }, position: { line: hoverLine, character: 6 } });
// Completion of the value after `appProtocol: ` in a second file.
const completionText = text.replace("appProtocol: httpx", "appProtocol: ");
const completionUri = pathToFileURL(join(extension, "redis.yaml")).href;
const completionPublished = server.diagnostics(completionUri);
server.notify("textDocument/didOpen", { textDocument: { uri: completionUri, languageId: "yaml", version: 1, text: completionText } });
const completionAt = { line: hoverLine, character: "    appProtocol: ".length };
const completion = await server.request("textDocument/completion", { textDocument: { uri: completionUri }, position: completionAt });
const completionDiagnostics = await completionPublished;
await server.close();

const esc = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const lines = text.replace(/\n$/, "").split("\n");
const sevName = { 1: "error", 2: "warning", 3: "info", 4: "hint" };
function renderLine(line, i, all = diagnostics) {
  // Squiggles: the server's ranges on this line (single-line ranges are enough for the sample).
  const marks = all.filter((d) => d.range.start.line === i);
  let html = "";
  let at = 0;
  for (const d of marks.sort((a, b) => a.range.start.character - b.range.start.character)) {
    const from = Math.max(at, d.range.start.character);
    const to = d.range.end.line === i ? d.range.end.character : line.length;
    html += esc(line.slice(at, from)) + `<span class="sq ${sevName[d.severity]}">${esc(line.slice(from, to))}</span>`;
    at = to;
  }
  html += esc(line.slice(at));
  const comment = /^\s*#/.test(line) ? " comment" : "";
  return `<div class="ln"><span class="no">${i + 1}</span><span class="code${comment}">${html || " "}</span></div>`;
}
const hoverText = hover ? hover.contents.value : "";
/** The little Markdown a hover uses: **bold** and `code`. */
const markdown = (md) =>
  esc(md.trim())
    .replace(/\*\*([^*]+)\*\*/g, "<b>$1</b>")
    .replace(/`([^`]+)`/g, '<code style="color:#ce9178">$1</code>');
const problemsOf = (all) =>
  all.length
    ? all
        .map((d) => `<div class="pr"><span class="icon ${sevName[d.severity]}">${d.severity === 1 ? "⊗" : "⚠"}</span> ${esc(d.message)} <span class="src">kuma-mzs(${esc(String(d.code))})</span> <span class="pos">[Ln ${d.range.start.line + 1}, Col ${d.range.start.character + 1}]</span></div>`)
        .join("")
    : '<div class="pr">No problems have been detected in the workspace.</div>';
const STYLE = `
body { margin: 0; background: #1e1e1e; color: #d4d4d4; font: 13px/1.5 "DejaVu Sans Mono", monospace; width: 1000px; }
.tabs { background: #252526; height: 35px; display: flex; } .tab { background: #1e1e1e; padding: 8px 16px; color: #fff; font-family: "DejaVu Sans", sans-serif; }
.editor { padding: 6px 0; position: relative; } .ln { display: flex; white-space: pre; } .no { width: 48px; text-align: right; padding-right: 18px; color: #858585; }
.comment { color: #6a9955; }
.sq { text-decoration: underline wavy; text-decoration-skip-ink: none; text-underline-offset: 3px; }
.sq.error { text-decoration-color: #f14c4c; } .sq.warning { text-decoration-color: #cca700; }
.hover code { font-family: "DejaVu Sans Mono", monospace; }
.hover { position: absolute; left: 380px; bottom: calc(100% - ${hoverLine * 19.5 + 6}px); width: 560px; background: #252526; border: 1px solid #454545; padding: 8px 10px; white-space: pre-wrap; font-family: "DejaVu Sans", sans-serif; font-size: 12px; color: #ccc; }
.panel { border-top: 1px solid #414141; font-family: "DejaVu Sans", sans-serif; font-size: 12.5px; }
.panel h2 { margin: 0; padding: 6px 16px; font-size: 11px; letter-spacing: .05em; color: #e7e7e7; font-weight: 400; border-bottom: 1px solid #e7e7e7; display: inline-block; }
.pr { padding: 3px 16px; } .icon.error { color: #f14c4c; } .icon.warning { color: #cca700; } .src, .pos { color: #a0a0a0; }
.suggest { position: absolute; width: 330px; background: #252526; border: 1px solid #454545; font-size: 13px; }
.suggest .item { padding: 1px 8px; display: flex; gap: 6px; } .suggest .sel { background: #04395e; }
.suggest .k { color: #ee9d28; } .suggest .d { margin-left: auto; color: #8a8a8a; }
.status { background: #007acc; color: #fff; padding: 3px 12px; font-family: "DejaVu Sans", sans-serif; font-size: 12px; }
`;
/** The mock-up: a tab, the lines with the server's squiggles, an overlay, the Problems panel. */
const frame = ({ tab, lines, all, overlay }) => `<!doctype html><meta charset="utf-8"><style>${STYLE}</style>
<div class="tabs"><div class="tab">${esc(tab)}</div></div>
<div class="editor">${lines.map((l, i) => renderLine(l, i, all)).join("")}${overlay}</div>
<div class="panel"><h2>PROBLEMS ${all.length}</h2>${problemsOf(all)}</div>
<div class="status">YAML · kuma-mzs language server (bundled) · Kuma 3.0</div>`;
const html = frame({ tab: "global.yaml", lines, all: diagnostics, overlay: hoverText ? `<div class="hover">${markdown(hoverText)}</div>` : "" });

// The completion picture: the same frame, the caret after `appProtocol: `, the server's items.
const kindName = { 10: "property", 20: "enum" };
const completionLines = completionText.replace(/\n$/, "").split("\n");
const suggest = `<div class="suggest" style="left: ${66 + completionAt.character * 7.83}px; top: ${(completionAt.line + 1) * 19.5 + 8}px">${completion
  .map((c, i) => `<div class="item${i === 0 ? " sel" : ""}"><span class="k">${kindName[c.kind] === "enum" ? "▤" : "◇"}</span> ${esc(c.label)}<span class="d">${esc(c.detail ?? "")}</span></div>`)
  .join("")}</div>`;
const completionHtml = frame({ tab: "redis.yaml", lines: completionLines, all: completionDiagnostics, overlay: suggest });

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
try {
  for (const [name, content] of [["editor", html], ["completion", completionHtml]]) {
    const page = join(here, `${name}.html`);
    writeFileSync(page, content);
    const tab = await browser.newPage({ viewport: { width: 1000, height: 200 } });
    await tab.goto(pathToFileURL(page).href);
    await tab.screenshot({ path: join(here, `${name}.png`), fullPage: true });
  }
} finally {
  await browser.close();
}
console.log(`media/editor.png: ${diagnostics.length} diagnostics, hover ${hoverText ? "shown" : "none"}; media/completion.png: ${completion.length} items`);
