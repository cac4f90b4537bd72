// Lays out the extension for `vsce package` (mk/vscode.mk runs both; nothing here uses the network):
//   dist/extension.js  the client (src/) with vscode-languageclient, bundled by esbuild;
//   server/            the language server of the npm package that `make wasm` built into
//                      wasm/pkg, copied unchanged: bin/, lib/, the Node entry and glue, the two
//                      .wasm modules, data/ and the server's production dependencies
//                      (node_modules/).
import { build } from "esbuild";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, "..", "..", "wasm", "pkg");
const server = join(here, "server");

if (!existsSync(join(pkg, "bin", "kuma-mzs-language-server.js"))) {
  throw new Error(`build: no kuma-mzs package at ${pkg}: run \`make wasm\` first`);
}

rmSync(join(here, "dist"), { recursive: true, force: true });
await build({
  entryPoints: [join(here, "src", "extension.js")],
  outfile: join(here, "dist", "extension.js"),
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  // VS Code provides `vscode` at run time; everything else is inside the bundle.
  external: ["vscode"],
  minify: true,
  legalComments: "none",
  logLevel: "warning",
});

rmSync(server, { recursive: true, force: true });
mkdirSync(join(server, "bin"), { recursive: true });
mkdirSync(join(server, "node"), { recursive: true });
mkdirSync(join(server, "web"), { recursive: true });
cpSync(join(pkg, "bin", "kuma-mzs-language-server.js"), join(server, "bin", "kuma-mzs-language-server.js"));
cpSync(join(pkg, "lib"), join(server, "lib"), { recursive: true });
// The Node entry and the glue of both modules; the glue loads ../web/*.wasm (wasm/build.sh ships
// one copy for both builds): the main module, and the editor module (hover, completion) that the
// entry compiles on first use. The JSON Schemas and resource types are the package's data/.
for (const file of ["kuma_mzs.js", "kuma_mzs_main.js", "kuma_mzs_editor.js"]) {
  cpSync(join(pkg, "node", file), join(server, "node", file));
}
for (const file of ["kuma_mzs_bg.wasm", "kuma_mzs_editor_bg.wasm"]) {
  cpSync(join(pkg, "web", file), join(server, "web", file));
}
cpSync(join(pkg, "data"), join(server, "data"), { recursive: true });
cpSync(join(pkg, "node_modules"), join(server, "node_modules"), { recursive: true });
const pkgJson = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8"));
// A minimal package.json: CommonJS for lib/ and the glue, and the version the server reports.
writeFileSync(
  join(server, "package.json"),
  JSON.stringify({ name: pkgJson.name, version: pkgJson.version, private: true, license: pkgJson.license }, null, 2) + "\n",
);

const ext = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
if (ext.version !== pkgJson.version) {
  throw new Error(`build: extension version ${ext.version} != kuma-mzs package version ${pkgJson.version}`);
}
console.log(`build: dist/extension.js and server/ (kuma-mzs ${pkgJson.version}) ready`);
