// Browser tests of the editor itself: what Enter indents, and how wide a hover tooltip gets.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { analyzed, openPlayground, waitAnalyzed } from "./harness.mjs";

let pg;
let page;

before(async () => {
  pg = await openPlayground();
  page = await pg.context.newPage();
  page.on("dialog", (d) => void d.accept());
});

after(async () => {
  await pg?.close();
});

const editorLines = () => page.locator(".cm-content .cm-line").allTextContents();

async function fresh() {
  await page.goto("about:blank");
  await page.goto(pg.url);
  await waitAnalyzed(page);
}

/** Empty the global file, then type `lines`, each followed by Enter; the lines the editor then holds. */
async function typeLines(lines) {
  await page.locator("[role=tab][data-path='global.yaml']").click();
  await page.locator(".cm-content").click();
  await page.keyboard.press("Control+a");
  await page.keyboard.press("Delete");
  for (const line of lines) {
    await page.keyboard.insertText(line);
    await page.keyboard.press("Escape"); // close a completion list, so Enter is a new line
    await page.keyboard.press("Enter");
  }
  return editorLines();
}

test("Enter after a key with no value indents one level deeper than the key", async () => {
  await fresh();
  assert.deepEqual(await typeLines(["type: MeshMultiZoneService", "spec:", "selector:  # which MeshServices", "meshService:"]), [
    "type: MeshMultiZoneService",
    "spec:",
    "  selector:  # which MeshServices",
    "    meshService:",
    "      ",
  ]);
  // In a list item, one level deeper than the key (not than the dash); a key with a value, as before.
  assert.deepEqual(await typeLines(["ports:", "- name:", "x"]), ["ports:", "  - name:", "      x", "      "]);
  assert.deepEqual(await typeLines(["ports:", "- port: 6379"]), ["ports:", "  - port: 6379", "    "]);
  assert.deepEqual(await typeLines(["name: redis"]), ["name: redis", ""]);
});

test("Enter in JSON (a YAML flow mapping) indents as before", async () => {
  await fresh();
  // CodeMirror's YAML indentation: one column in, under the first key (not 2 more than `"spec":`).
  assert.deepEqual(await typeLines(['{"type": "MeshMultiZoneService",', '"spec":']), ['{"type": "MeshMultiZoneService",', ' "spec":', " "]);
});

test("a hover tooltip with a long diagnostic wraps instead of running across the page", async () => {
  await fresh();
  await analyzed(page, () => page.selectOption("#example", "broken-selector"));
  const squiggle = page.locator(".cm-lintRange-warning").first();
  await squiggle.waitFor();
  await squiggle.hover();
  const tooltip = page.locator(".cm-tooltip-hover:has(.cm-tooltip-lint)");
  await tooltip.waitFor({ timeout: 10_000 });
  const box = await tooltip.boundingBox();
  const diagnostic = await page.locator(".cm-tooltip-lint .cm-diagnostic").first().boundingBox();
  assert.ok(box.width <= 600, `at most 600 px wide: ${JSON.stringify(box)}`);
  assert.ok(box.x >= 0 && box.x + box.width <= 1400, `on the page: ${JSON.stringify(box)}`);
  assert.ok(diagnostic.height >= 40, `the message wraps onto several lines: ${JSON.stringify(diagnostic)}`);
  assert.deepEqual(pg.errors, []);
});
