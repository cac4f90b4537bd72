// The packaged extension (`make vsix` -> target/vscode/kuma-mzs.vsix): what is inside, what its
// manifest promises VS Code, and its bundled language server started the way the extension's
// client options start it (src/config.js), over stdio, from the unpacked .vsix.
import assert from "node:assert/strict";
import { builtinModules, createRequire } from "node:module";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL, fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { execFileSync } from "node:child_process";
import { readZip } from "./zip.mjs";
import { startServer } from "./lsp.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");
const vsixPath = process.env.KUMA_MZS_VSIX ?? join(repo, "target", "vscode", "kuma-mzs.vsix");
const require = createRequire(import.meta.url);
const config = require("../src/config.js");

let entries;
let manifest;
let unpacked;

before(() => {
  entries = readZip(readFileSync(vsixPath));
  manifest = JSON.parse(entries.get("extension/package.json").toString("utf8"));
  unpacked = mkdtempSync(join(tmpdir(), "kuma-mzs-vsix-"));
  for (const [name, data] of entries) {
    if (name.endsWith("/")) continue;
    const to = join(unpacked, name);
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, data);
  }
});

after(() => {
  if (unpacked) rmSync(unpacked, { recursive: true, force: true });
});

const extensionDir = () => join(unpacked, "extension");

test("the .vsix holds the client bundle, the language server, the wasm module and no sources", () => {
  const names = [...entries.keys()];
  for (const required of [
    "extension.vsixmanifest",
    "extension/package.json",
    // vsce stores the README and the changelog under lower-case names.
    "extension/readme.md",
    "extension/changelog.md",
    "extension/dist/extension.js",
    `extension/${config.SERVER_MODULE.join("/")}`,
    "extension/server/lib/server.js",
    "extension/server/node/kuma_mzs.js",
    "extension/server/web/kuma_mzs_bg.wasm",
    "extension/server/node_modules/vscode-languageserver/package.json",
    "extension/server/node_modules/vscode-languageserver-textdocument/package.json",
  ]) {
    assert.ok(names.includes(required), `${required} is in the .vsix`);
  }
  for (const name of names) {
    assert.doesNotMatch(name, /^extension\/(src|test|node_modules)\//, `${name}: sources, tests and dev dependencies stay out`);
  }
  const wasm = entries.get("extension/server/web/kuma_mzs_bg.wasm");
  assert.deepEqual([...wasm.subarray(0, 4)], [0x00, 0x61, 0x73, 0x6d], "the wasm module is a WebAssembly binary");
  // The README's screenshots travel with it (the Marketplace page and the Extensions view show them).
  const readme = entries.get("extension/readme.md").toString("utf8");
  for (const [, image] of readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
    assert.ok(names.includes(`extension/${image}`), `README image ${image} is in the .vsix`);
  }
});

test("the manifest activates on YAML and JSON, names its entry point, engine and settings", () => {
  assert.equal(manifest.main, "./dist/extension.js");
  assert.ok(entries.has("extension/dist/extension.js"));
  // Only when a YAML or JSON file opens: not at start-up, not for every workspace.
  assert.deepEqual(manifest.activationEvents, ["onLanguage:yaml", "onLanguage:json"]);
  // vscode-languageclient states the oldest VS Code it runs in; the manifest must not claim older.
  const clientEngine = require("vscode-languageclient/package.json").engines.vscode;
  assert.equal(manifest.engines.vscode, clientEngine);
  const properties = manifest.contributes.configuration.properties;
  assert.deepEqual(Object.keys(properties).sort(), [
    "kumaMzs.debounceMs",
    "kumaMzs.kumaVersion",
    "kumaMzs.lints.ignore",
    "kumaMzs.lints.warningsAsErrors",
    "kumaMzs.maxBytes",
    "kumaMzs.reportUnknownResources",
    "kumaMzs.systemNamespace",
    "kumaMzs.trace.server",
    "kumaMzs.workspacePreview",
    "kumaMzs.zones",
  ]);
  assert.equal(properties["kumaMzs.kumaVersion"].default, "3.0");
  // zone -> glob patterns; empty by default (every file is the global's).
  assert.deepEqual(properties["kumaMzs.zones"].default, {});
  assert.equal(properties["kumaMzs.zones"].additionalProperties.items.type, "string");
  assert.equal(properties["kumaMzs.reportUnknownResources"].default, false);
  // Every Kuma release the setting offers is one the bundled core accepts.
  const core = createRequire(join(extensionDir(), "server", "package.json"))("./node/kuma_mzs.js");
  const setting = properties["kumaMzs.kumaVersion"];
  for (const version of setting.enum) {
    assert.doesNotThrow(() => core.validate("", { kumaVersion: version }), `the core accepts kumaVersion ${version}`);
  }
  assert.throws(() => core.validate("", { kumaVersion: "1.8" }), /kumaVersion/);
  // The manifest is static, so its list is written out: it must be every release the bundled
  // package supports (kumaVersions(), from the core), in its order, plus the `2.x` shorthand, and
  // each description must name the release the core reads it as.
  const { releases, default: defaultRelease } = core.kumaVersions();
  assert.deepEqual(setting.enum, [...releases, "2.x"]);
  assert.equal(setting.default, defaultRelease);
  assert.equal(setting.enumDescriptions.length, setting.enum.length);
  setting.enum.forEach((version, i) => {
    const release = core.kumaVersion(version);
    assert.match(setting.enumDescriptions[i], new RegExp(`\\b${release.replace(".", "\\.")}\\b`), `${version} is described as Kuma ${release}`);
    for (const other of releases.filter((r) => r !== release)) {
      assert.doesNotMatch(setting.enumDescriptions[i], new RegExp(`\\b${other.replace(".", "\\.")}\\b`), `${version} is not described as ${other}`);
    }
  });
});

test("the client bundle needs nothing at run time but VS Code and Node", () => {
  const bundle = entries.get("extension/dist/extension.js").toString("utf8");
  const required = new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]));
  assert.ok(required.has("vscode"));
  for (const name of required) {
    const bare = name.replace(/^node:/, "");
    assert.ok(name === "vscode" || builtinModules.includes(bare), `the bundle requires only vscode and Node built-ins, not ${name}`);
  }
});

test("lint settings hide or raise only the project's lint codes", () => {
  const severity = { Error: 0, Warning: 1 };
  const diagnostics = () => [
    { code: "MZS004", severity: 1 },
    { code: { value: "MZS103", target: "x" }, severity: 1 },
    { code: "schema", severity: 0 },
    { code: "unknown-resource", severity: 1 },
  ];
  const ignored = config.adjustDiagnostics(diagnostics(), config.lintSettings({ lints: { ignore: ["mzs004", "schema"] } }), severity);
  assert.deepEqual(ignored.map((d) => (typeof d.code === "object" ? d.code.value : d.code)), ["MZS103", "schema", "unknown-resource"]);
  const raised = config.adjustDiagnostics(diagnostics(), config.lintSettings({ lints: { warningsAsErrors: true } }), severity);
  assert.deepEqual(raised.map((d) => d.severity), [0, 0, 0, 1]);
  assert.deepEqual(
    config.initializationOptions({ kumaVersion: "2.x", reportUnknownResources: true, workspacePreview: false, debounceMs: 0, lints: {} }),
    { kumaVersion: "2.x", reportUnknownResources: true, workspacePreview: false, debounceMs: 0 },
  );
  // maxBytes goes when it is a size; null (the setting's default: the core's limit) stays out.
  assert.deepEqual(config.initializationOptions({ maxBytes: 2097152 }), { maxBytes: 2097152 });
  assert.deepEqual(config.initializationOptions({ maxBytes: null }), {});
  assert.deepEqual(config.initializationOptions({ maxBytes: 0 }), {});
  assert.deepEqual(config.initializationOptions({ systemNamespace: "kong-mesh-system" }), { systemNamespace: "kong-mesh-system" });
  assert.deepEqual(config.initializationOptions({ systemNamespace: null }), {});
  // The zones setting goes to the server as it is; anything but an object is left out.
  const zones = { east: ["clusters/east/**"], global: ["global.yaml"] };
  assert.deepEqual(config.initializationOptions({ zones }), { zones });
  assert.deepEqual(config.initializationOptions({ zones: ["east"] }), {});
});

const MZS = (appProtocol) => `type: MeshMultiZoneService
name: redis
mesh: default
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: redis
  ports:
  - port: 6379
    appProtocol: ${appProtocol}
`;

/** Start the unpacked .vsix's server as vscode-languageclient does for `transport: stdio`. */
async function startBundledServer(settings) {
  const { run } = config.serverOptions(extensionDir());
  assert.equal(run.transport, "stdio");
  const server = startServer(process.execPath, [run.module, ...run.args, "--stdio"], { cwd: unpacked });
  const init = await server.request("initialize", {
    processId: process.pid,
    rootUri: null,
    capabilities: { textDocument: { publishDiagnostics: {} } },
    initializationOptions: config.initializationOptions(settings),
  });
  server.notify("initialized", {});
  return { server, init };
}

test("the bundled server starts from the unpacked .vsix, and an invalid MZS gets a diagnostic on its line", async () => {
  const { server, init } = await startBundledServer({ kumaVersion: "3.0", reportUnknownResources: false });
  try {
    assert.equal(init.serverInfo.name, "kuma-mzs-language-server");
    assert.ok(init.capabilities.hoverProvider);
    const uri = pathToFileURL(join(unpacked, "global.yaml")).href;
    const waiting = server.diagnostics(uri, (ds) => ds.length > 0);
    server.notify("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version: 1, text: MZS("httpx") } });
    const diagnostics = await waiting;
    const bad = diagnostics.find((d) => d.range.start.line === 10);
    assert.ok(bad, `a diagnostic on line 11 (appProtocol): ${JSON.stringify(diagnostics)}`);
    assert.equal(bad.severity, 1, "an error");
    assert.match(bad.message, /appProtocol/);
    assert.equal(bad.source, "kuma-mzs");

    // Fixing the value clears it.
    const cleared = server.diagnostics(uri, (ds) => ds.every((d) => d.severity !== 1));
    server.notify("textDocument/didChange", {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: MZS("http") }],
    });
    await cleared;

    // A Kubernetes Deployment is not a Kuma resource: no diagnostics with the default settings.
    const deployment = pathToFileURL(join(unpacked, "deployment.yaml")).href;
    const quiet = server.diagnostics(deployment);
    server.notify("textDocument/didOpen", {
      textDocument: {
        uri: deployment,
        languageId: "yaml",
        version: 1,
        text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n",
      },
    });
    assert.deepEqual(await quiet, []);
  } finally {
    await server.close();
  }
});

test("the Kuma release setting reaches the server at start and on change (kafka: 3.0 refuses, 2.x accepts)", async () => {
  const { server } = await startBundledServer({ kumaVersion: "3.0" });
  try {
    const uri = pathToFileURL(join(unpacked, "kafka.yaml")).href;
    const refused = server.diagnostics(uri, (ds) => ds.some((d) => d.severity === 1 && /appProtocol/.test(d.message)));
    server.notify("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version: 1, text: MZS("kafka") } });
    await refused;
    // What vscode-languageclient sends for `synchronize.configurationSection: "kumaMzs"`.
    const accepted = server.diagnostics(uri, (ds) => !ds.some((d) => d.severity === 1));
    server.notify("workspace/didChangeConfiguration", { settings: { [config.SECTION]: { kumaVersion: "2.x" } } });
    await accepted;
  } finally {
    await server.close();
  }
});

test("the packaged client activates, starts its bundled server with the settings, and stops it", () => {
  // fake-vscode-host.cjs loads dist/extension.js from the unpacked .vsix with a stand-in for the
  // `vscode` module (settings answered, the rest inert stubs) and runs activate() and deactivate().
  const out = execFileSync(
    process.execPath,
    [join(here, "fake-vscode-host.cjs"), extensionDir(), JSON.stringify({ "kumaMzs.kumaVersion": "2.x", "kumaMzs.reportUnknownResources": true })],
    { encoding: "utf8", timeout: 30_000 },
  );
  const result = JSON.parse(out.trim().split("\n").pop());
  assert.equal(result.error, undefined, result.error);
  assert.equal(result.forks.length, 1, "one server process");
  const [server] = result.forks;
  assert.equal(server.modulePath, join(extensionDir(), ...config.SERVER_MODULE));
  assert.ok(server.args.includes("--stdio"), server.args.join(" "));
  // activate() resolved, so the server answered initialize; it got the settings as initializationOptions.
  assert.deepEqual(result.initializationOptions, { kumaVersion: "2.x", reportUnknownResources: true });
  assert.ok(server.exited, "deactivate() stops the server");
});

// The workspace view (issue 16's language-server part) reads the workspace folder's Kuma files and
// previews them together. A server bundled from a package without it says nothing about MZS103
// here, so this test needs that server and says so instead of failing.
const bundledServerSource = () => readFileSync(join(extensionDir(), "server", "lib", "server.js"), "utf8");

test("the workspace-preview setting reaches the server: MeshServices in other files count only with it on", async (t) => {
  if (!bundledServerSource().includes("workspacePreview")) {
    t.skip("the bundled language server has no workspace view yet (issue 16, wasm/npm)");
    return;
  }
  // On disk: redis in zone east. Open: the MZS, and zone west's file with another service.
  const folder = join(unpacked, "workspace");
  mkdirSync(join(folder, "zones"), { recursive: true });
  const global = join(folder, "global.yaml");
  const west = join(folder, "zones", "west.yaml");
  // Named as in its zone: Kuma 3.0 writes the name as `kuma.io/display-name`, so a service
  // named `redis-east` with a hand-written display name `redis` would match nothing.
  const meshService = (name, zone) =>
    `type: MeshService\nname: ${name}\nmesh: default\nlabels:\n  kuma.io/display-name: ${name}\n  kuma.io/zone: ${zone}\nspec:\n  ports:\n  - port: 6379\n    appProtocol: tcp\n`;
  writeFileSync(global, MZS("tcp"));
  writeFileSync(join(folder, "zones", "east.yaml"), meshService("redis", "east"));
  writeFileSync(west, meshService("cache", "west"));
  const { run } = config.serverOptions(extensionDir());
  const server = startServer(process.execPath, [run.module, ...run.args, "--stdio"], { cwd: unpacked });
  try {
    await server.request("initialize", {
      processId: process.pid,
      rootUri: pathToFileURL(folder).href,
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: "workspace" }],
      capabilities: {},
      initializationOptions: config.initializationOptions({ kumaVersion: "3.0", workspacePreview: true, debounceMs: 0 }),
    });
    server.notify("initialized", {});
    const uri = pathToFileURL(global).href;
    const westUri = pathToFileURL(west).href;
    const matched = server.diagnostics(uri, (ds) => !ds.some((d) => d.code === "MZS103"));
    server.notify("textDocument/didOpen", { textDocument: { uri, languageId: "yaml", version: 1, text: MZS("tcp") } });
    server.notify("textDocument/didOpen", {
      textDocument: { uri: westUri, languageId: "yaml", version: 1, text: readFileSync(west, "utf8") },
    });
    await matched;
    // Off: only the open files count, so no redis anywhere: MZS103 on the selector's label.
    const unmatched = server.diagnostics(uri, (ds) => ds.some((d) => d.code === "MZS103"));
    server.notify("workspace/didChangeConfiguration", { settings: { [config.SECTION]: { workspacePreview: false } } });
    const mzs103 = (await unmatched).find((d) => d.code === "MZS103");
    assert.equal(mzs103.range.start.line, 7, "on the selector's label");
  } finally {
    await server.close();
  }
});

test("the zones setting reaches the server: MZS202 on the label of a MeshService whose label names another zone", async (t) => {
  if (!bundledServerSource().includes("zoneRules")) {
    t.skip("the bundled language server has no zones setting yet");
    return;
  }
  const folder = join(unpacked, "zoned");
  mkdirSync(join(folder, "clusters", "east"), { recursive: true });
  const file = join(folder, "clusters", "east", "cache.yaml");
  writeFileSync(file, "type: MeshService\nname: cache\nmesh: default\nlabels:\n  kuma.io/zone: west\nspec:\n  ports:\n  - port: 6379\n");
  const { run } = config.serverOptions(extensionDir());
  const server = startServer(process.execPath, [run.module, ...run.args, "--stdio"], { cwd: unpacked });
  try {
    const uri = pathToFileURL(file).href;
    const mismatch = server.diagnostics(uri, (ds) => ds.some((d) => d.code === "MZS202"));
    await server.request("initialize", {
      processId: process.pid,
      rootUri: pathToFileURL(folder).href,
      workspaceFolders: [{ uri: pathToFileURL(folder).href, name: "zoned" }],
      capabilities: {},
      initializationOptions: config.initializationOptions({ debounceMs: 0, zones: { east: ["clusters/east/**"] } }),
    });
    server.notify("initialized", {});
    const d = (await mismatch).find((x) => x.code === "MZS202");
    assert.equal(d.range.start.line, 4, "on the kuma.io/zone label");
    // Without zones the file is the global's: the label is fine there.
    const cleared = server.diagnostics(uri, (ds) => !ds.some((x) => x.code === "MZS202"));
    server.notify("workspace/didChangeConfiguration", { settings: { [config.SECTION]: { zones: {} } } });
    await cleared;
  } finally {
    await server.close();
  }
});
