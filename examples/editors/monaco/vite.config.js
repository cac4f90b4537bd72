// Vite set-up for the example: what the defaults get wrong for kuma-mzs and monaco-yaml.
// - kuma-mzs loads its .wasm files with `new URL('kuma_mzs_bg.wasm', import.meta.url)`. Vite's
//   dependency pre-bundling moves the JavaScript to node_modules/.vite/deps/ without the .wasm
//   beside it (the page then gets index.html for the .wasm: "expected magic word 00 61 73 6d"),
//   so kuma-mzs is excluded from it and served as it is.
// - `kuma-mzs/templates` is CommonJS (the CLI and the language server share it), so it is the one
//   part of kuma-mzs that is pre-bundled (to ESM) in dev, and converted by the build's CommonJS
//   plugin, also when the package is linked from the repository (`file:../../../wasm/pkg`).
// - The dev server serves only files below the project (server.fs.allow); npm links a `file:`
//   dependency, so the package's files are in the repository's wasm/pkg, which is allowed too
//   (without it: 403 for /@fs/.../wasm/pkg/web/kuma_mzs_bg.wasm).
// - monaco-yaml's worker is pre-bundled at start (yaml.worker.js), not found on the first page
//   load, which would reload the page.
// main.js starts with `init().then(...)`, not a top-level `await`, which the default build
// target does not allow.
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineConfig, searchForWorkspaceRoot } from 'vite';

// Where a package really is: node_modules/kuma-mzs when installed from a tarball, the repository's
// wasm/pkg when linked.
function packageDir(name) {
  try {
    return dirname(realpathSync(createRequire(import.meta.url).resolve(`${name}/package.json`)));
  } catch (error) {
    throw new Error(`${name} is not installed: run \`make wasm\` at the repository root, then \`npm install\` here`, { cause: error });
  }
}
const kumaMzs = packageDir('kuma-mzs');
const inKumaMzs = new RegExp(`^${kumaMzs.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}[\\\\/]`);

export default defineConfig({
  optimizeDeps: {
    exclude: ['kuma-mzs'],
    include: ['kuma-mzs/templates', 'monaco-yaml/yaml.worker.js'],
  },
  server: {
    fs: { allow: [searchForWorkspaceRoot(process.cwd()), kumaMzs] },
  },
  build: {
    // Monaco is one chunk of about 3.4 MB (870 KB gzipped); the .wasm files are separate assets.
    chunkSizeWarningLimit: 4000,
    commonjsOptions: { include: [/node_modules/, inKumaMzs] },
  },
});
