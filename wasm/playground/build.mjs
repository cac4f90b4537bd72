// Production build: esbuild bundles the page and the worker, copies the kuma-mzs .wasm next to
// them, and reports the sizes. Output: dist/ (static files, all same-origin).
import { build } from "esbuild";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

const root = dirname(fileURLToPath(import.meta.url));
const dist = join(root, "dist");
// The package's editor module, which holds everything (validate, preview, explain, hover,
// complete): the page previews from its first analysis, so it loads this one module instead of
// the main one (validate only) and then this.
const WASM_NAME = "kuma_mzs.wasm";

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });

// The npm package that `make wasm` builds, imported straight from wasm/pkg (no copy, no install):
// its browser entry is the "default" (not "node") condition of "." in its package.json exports.
const pkgDir = join(root, "..", "pkg");
if (!existsSync(join(pkgDir, "package.json"))) {
  throw new Error(`build: no kuma-mzs package at ${pkgDir}: run \`make wasm\` first`);
}
const pkgJson = JSON.parse(await readFile(join(pkgDir, "package.json"), "utf8"));
const dot = pkgJson.exports?.["."];
const browserEntry = typeof dot?.default === "string" ? dot.default : dot?.default?.default;
if (typeof browserEntry !== "string") throw new Error('build: kuma-mzs package.json has no browser ("default") export');
// How the package reports Go (Helm) templates, shared with its CLI and language server.
const templatesEntry = pkgJson.exports?.["./templates"]?.default;
if (typeof templatesEntry !== "string") throw new Error('build: kuma-mzs package.json has no "./templates" export');

const common = {
  bundle: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  absWorkingDir: root,
  alias: { "kuma-mzs": join(pkgDir, browserEntry), "kuma-mzs/templates": join(pkgDir, templatesEntry) },
};

const worker = await build({
  ...common,
  entryPoints: ["src/worker.ts"],
  outfile: join(dist, "worker.js"),
  define: {
    __KUMA_WASM_FILE__: JSON.stringify(`./${WASM_NAME}`),
  },
  metafile: true,
});

// The wasm modules sit beside whichever glue file of the package the worker bundled.
const glue = Object.keys(worker.metafile.inputs).find((p) => join(root, p).startsWith(pkgDir) && p.endsWith(".js"));
if (!glue) throw new Error("build: the worker did not bundle the kuma-mzs package");
const glueDir = dirname(join(root, glue));
for (const [wasm, name] of [["kuma_mzs_editor_bg.wasm", WASM_NAME]]) {
  if (!existsSync(join(glueDir, wasm))) throw new Error(`build: no ${wasm} next to ${glue}`);
  await mkdir(dirname(join(dist, name)), { recursive: true });
  await copyFile(join(glueDir, wasm), join(dist, name));
}

await build({
  ...common,
  entryPoints: ["src/main.ts"],
  outdir: dist,
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
});

await copyFile(join(root, "index.html"), join(dist, "index.html"));
await copyFile(join(root, "style.css"), join(dist, "style.css"));

// Service worker: network first (so a reload always gets the current build), the cache only when
// the network is gone. The cache name changes with the build, so old copies are dropped.
{
  const assets = [];
  const hash = createHash("sha256");
  async function walk(dir) {
    for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(dir, entry.name);
      if (entry.isDirectory()) await walk(p);
      else {
        assets.push(`./${relative(dist, p)}`);
        hash.update(await readFile(p));
      }
    }
  }
  await walk(dist);
  const sw = `const CACHE = "kuma-mzs-playground-${hash.digest("hex").slice(0, 16)}";
const ASSETS = ${JSON.stringify(["./", ...assets])};
self.addEventListener("install", (e) => e.waitUntil(caches.open(CACHE).then((c) => c.addAll(ASSETS)).then(() => self.skipWaiting())));
self.addEventListener("activate", (e) => e.waitUntil(caches.keys().then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k)))).then(() => self.clients.claim())));
self.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET" || new URL(req.url).origin !== self.location.origin) return;
  e.respondWith(fetch(req).catch(() => caches.open(CACHE).then((c) => c.match(req, { ignoreSearch: true })).then((r) => r || Response.error())));
});
`;
  await writeFile(join(dist, "sw.js"), sw);
}

// Size report: raw, gzip -9 and brotli -11 of every file; "initial" is what the first visit loads.
async function files(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(p)));
    else if (entry.name !== "size.json") out.push(p);
  }
  return out.sort();
}
const rows = [];
for (const file of await files(dist)) {
  const bytes = await readFile(file);
  rows.push({
    file: relative(dist, file),
    raw: (await stat(file)).size,
    gzip: gzipSync(bytes, { level: 9 }).length,
    brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    initial: !relative(dist, file).startsWith("chunks/"),
  });
}
const sum = (rs, k) => rs.reduce((a, r) => a + r[k], 0);
const initial = rows.filter((r) => r.initial);
const report = {
  files: rows,
  initial: { raw: sum(initial, "raw"), gzip: sum(initial, "gzip"), brotli: sum(initial, "brotli") },
  total: { raw: sum(rows, "raw"), gzip: sum(rows, "gzip"), brotli: sum(rows, "brotli") },
};
await writeFile(join(dist, "size.json"), JSON.stringify(report, null, 2) + "\n");
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const r of rows) console.log(`${r.file.padEnd(36)} ${kb(r.raw).padStart(11)} ${kb(r.gzip).padStart(11)} gz ${kb(r.brotli).padStart(11)} br${r.initial ? "" : "  (on demand)"}`);
console.log(`${"first visit".padEnd(36)} ${kb(report.initial.raw).padStart(11)} ${kb(report.initial.gzip).padStart(11)} gz ${kb(report.initial.brotli).padStart(11)} br`);
