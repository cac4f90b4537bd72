// Shared by the playground tests and the benchmark: the built page on a loopback server and
// Debian's chromium driven by playwright-core. A missing chromium or build is an error, not a skip.
import { existsSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repo = fileURLToPath(new URL("../../", import.meta.url));
export const playgroundDir = join(repo, "wasm", "playground");
export const distDir = join(playgroundDir, "dist");
export const artifactsDir = join(repo, "tests", "artifacts", "playground");
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

// playwright-core is a dev dependency of the playground package (one lockfile for both).
const require = createRequire(join(playgroundDir, "package.json"));
const { chromium } = require("playwright-core");
const { startServer } = await import(join(playgroundDir, "serve.mjs"));

export async function openPlayground() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`chromium not found at ${CHROMIUM}: run \`.ci/tools.sh chromium\` (apt-get install -y chromium)`);
  }
  if (!existsSync(join(distDir, "index.html"))) {
    throw new Error(`no playground build at ${distDir}: run \`make playground-build\``);
  }
  mkdirSync(artifactsDir, { recursive: true });
  const server = await startServer({ root: distDir });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // playwright-core gives every launch a fresh temporary profile (it refuses --user-data-dir).
  });
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  context.on("weberror", (e) => errors.push(String(e.error())));
  return {
    url: server.url,
    browser,
    context,
    errors,
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/** Wait until the page has applied at least `count` analyses (body[data-analyzed]). */
export async function waitAnalyzed(page, count = 1) {
  await page.waitForFunction((n) => Number(document.body.dataset.analyzed ?? 0) >= n, count, { timeout: 10_000 });
}

export async function analyzedCount(page) {
  return page.evaluate(() => Number(document.body.dataset.analyzed ?? 0));
}

/** A full-page screenshot into the artifacts directory. */
export const shot = (page, name) => page.screenshot({ path: join(artifactsDir, `${name}.png`), fullPage: true });

/** Run `action` and wait until the playground has analysed once more. */
export async function analyzed(page, action) {
  const n = await analyzedCount(page);
  await action();
  await waitAnalyzed(page, n + 1);
}
