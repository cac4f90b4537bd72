// `make bench-playground`: time to first preview and keystroke-to-diagnostics latency, measured
// inside headless chromium against the production build. Prints a table for BENCHMARKS.md and
// writes tests/artifacts/playground/bench.json.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { artifactsDir, distDir, openPlayground, waitAnalyzed } from "./harness.mjs";

const LOADS = 15;
const KEYSTROKES = 60;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x) => `${x.toFixed(1)} ms`;

const pg = await openPlayground();
try {
  // 1. First load: navigation start to the first preview on screen, fresh context (cold cache) each time.
  const firstPreview = [];
  const firstPaint = [];
  for (let i = 0; i < LOADS; i++) {
    const context = await pg.browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    await page.goto(pg.url);
    await waitAnalyzed(page);
    const t = await page.evaluate(() => ({
      preview: performance.getEntriesByName("kuma-first-preview")[0]?.startTime ?? NaN,
      fcp: performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN,
    }));
    firstPreview.push(t.preview);
    firstPaint.push(t.fcp);
    await context.close();
  }

  // 2. Typing: each keystroke toggles a diagnostic (x makes appProtocol invalid, Backspace fixes it).
  const page = await pg.context.newPage();
  await page.goto(pg.url);
  await waitAnalyzed(page);
  await page.evaluate(() => {
    const w = window;
    w.__latencies = [];
    w.__engine = [];
    let t0 = null;
    document.addEventListener("keydown", () => (t0 = performance.now()), true);
    window.addEventListener("kuma-analyzed", (e) => {
      if (t0 === null) return;
      const start = t0;
      t0 = null;
      w.__engine.push(e.detail.engineMs);
      // Count until the frame with the new diagnostics has been painted.
      requestAnimationFrame(() => setTimeout(() => w.__latencies.push(performance.now() - start), 0));
    });
  });
  const lines = await page.locator(".cm-content .cm-line").allTextContents();
  const line = page.locator(".cm-content .cm-line").nth(lines.indexOf("    appProtocol: tcp"));
  await line.click();
  await page.keyboard.press("End");
  for (let i = 0; i < KEYSTROKES; i++) {
    await page.keyboard.press(i % 2 === 0 ? "x" : "Backspace");
    await page.waitForFunction((n) => window.__latencies.length >= n, i + 1);
    await page.waitForTimeout(20);
  }
  const { latencies, engine } = await page.evaluate(() => ({ latencies: window.__latencies, engine: window.__engine }));
  const size = JSON.parse(await readFile(join(distDir, "size.json"), "utf8"));

  const result = {
    firstPreviewMs: { median: median(firstPreview), max: Math.max(...firstPreview), runs: firstPreview },
    firstContentfulPaintMs: { median: median(firstPaint), runs: firstPaint },
    keystrokeToDiagnosticsMs: { median: median(latencies), p95: pct(latencies, 95), max: Math.max(...latencies), n: latencies.length },
    engineMsPerAnalysis: { median: median(engine), p95: pct(engine, 95) },
    size: { initial: size.initial, total: size.total },
  };
  await writeFile(join(artifactsDir, "bench.json"), JSON.stringify(result, null, 2) + "\n");
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  console.log("| measure | result |");
  console.log("|---|---|");
  console.log(`| first contentful paint (median of ${LOADS} cold loads) | ${ms(result.firstContentfulPaintMs.median)} |`);
  console.log(`| navigation to first preview (median / max of ${LOADS} cold loads) | ${ms(result.firstPreviewMs.median)} / ${ms(result.firstPreviewMs.max)} |`);
  console.log(`| keystroke to diagnostics painted (median / p95 / max of ${latencies.length}) | ${ms(result.keystrokeToDiagnosticsMs.median)} / ${ms(result.keystrokeToDiagnosticsMs.p95)} / ${ms(result.keystrokeToDiagnosticsMs.max)} |`);
  console.log(`| wasm time per analysis (validate every file + preview; median / p95) | ${ms(result.engineMsPerAnalysis.median)} / ${ms(result.engineMsPerAnalysis.p95)} |`);
  console.log(`| first-visit download (raw / gzip / brotli) | ${kib(size.initial.raw)} / ${kib(size.initial.gzip)} / ${kib(size.initial.brotli)} |`);
  console.log(`| everything incl. on-demand export chunk (raw / gzip) | ${kib(size.total.raw)} / ${kib(size.total.gzip)} |`);
  if (pg.errors.length) throw new Error(`page errors: ${pg.errors.join("; ")}`);
} finally {
  await pg.close();
}
