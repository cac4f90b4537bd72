// Browser tests of what the playground does with the user's work (issue #16): the preview stays
// (marked stale) while an error is typed, loading an example or removing a zone asks first and
// Back brings the work back, and a 390 px phone screen wraps the editor and keeps the chart legible.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { analyzed, artifactsDir, openPlayground, repo, shot, waitAnalyzed } from "./harness.mjs";

// The preview's diagnostics located in files (`previewDiagnostics`) come with issue 16's change to
// the package (wasm/src, another branch). Until both are merged, the package built here may lack
// them; the test that needs them says so and skips instead of failing.
const packageTypes = readFileSync(join(repo, "wasm", "pkg", "web", "kuma_mzs.d.ts"), "utf8");
const hasPreviewDiagnostics = packageTypes.includes("previewDiagnostics");

let pg;
let page;
/** Messages of the confirm() dialogs the page opened, and how the next ones are answered. */
let dialogs = [];
let acceptDialogs = true;

before(async () => {
  pg = await openPlayground();
  page = await pg.context.newPage();
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void (acceptDialogs ? d.accept() : d.dismiss());
  });
});

after(async () => {
  await pg?.close();
});

const editorLines = (p = page) => p.locator(".cm-content .cm-line").allTextContents();
const tabs = () => page.locator("[role=tab]").allTextContents();

const andAnalyzed = (action, p = page) => analyzed(p, action);

async function fresh() {
  await page.goto("about:blank");
  await page.goto(pg.url);
  await waitAnalyzed(page);
  dialogs = [];
  acceptDialogs = true;
}

async function lineEl(text, p = page) {
  const lines = await editorLines(p);
  const i = lines.indexOf(text);
  assert.notEqual(i, -1, `no editor line ${JSON.stringify(text)}`);
  return p.locator(".cm-content .cm-line").nth(i);
}

async function typeAtEnd(text, line, p = page) {
  await (await lineEl(line, p)).click();
  await p.keyboard.press("End");
  await p.keyboard.type(text);
}

test("the preview stays visible, marked stale with the reason, while an error is typed", async () => {
  await fresh();
  // Record whether the zone cards ever fall back to the empty-workspace text while typing.
  await page.evaluate(() => {
    const w = window;
    w.kumaEmptied = false;
    new MutationObserver(() => {
      if (document.querySelector("#zone-cards")?.textContent?.includes("No MeshMultiZoneService")) w.kumaEmptied = true;
    }).observe(document.querySelector("#zone-cards"), { childList: true, subtree: true, characterData: true });
  });
  assert.equal(await page.locator("#preview-stale").isHidden(), true);
  const line = (await editorLines()).indexOf("    appProtocol: tcp") + 1;
  await typeAtEnd("x", "    appProtocol: tcp");
  const note = page.locator("#preview-stale");
  await note.waitFor({ state: "visible", timeout: 10_000 });
  assert.equal(await note.textContent(), `Stale (the last good result is shown): fix 1 error at global.yaml:${line}.`);
  assert.match(await page.locator("#problem-count").textContent(), /^1 error/);
  // The last good result is still there: both zones, their condition and the traffic chart.
  for (const zone of ["east", "west"]) {
    const condition = page.locator(`.zone-card[data-zone='${zone}'] .condition[data-type='MeshServicesMatched']`);
    assert.equal(await condition.getAttribute("data-status"), "True");
  }
  assert.match(await page.locator("#mzs-select option:checked").textContent(), /^redis \(mesh default\) — stale$/);
  assert.equal(await page.locator("#chart g[data-zone]").count(), 2);
  assert.ok(await page.locator("#preview.stale").count());
  await shot(page, "06-stale-preview");

  // More keystrokes through invalid states, then back to valid: never empty, and the mark goes.
  for (const key of ["y", "z", "Backspace", "Backspace", "Backspace"]) {
    await andAnalyzed(() => page.keyboard.press(key));
  }
  await note.waitFor({ state: "hidden", timeout: 10_000 });
  assert.equal(await page.locator("#preview.stale").count(), 0);
  assert.equal(await page.evaluate(() => window.kumaEmptied), false, "the preview never emptied");
  assert.deepEqual(pg.errors, []);
});

test("a stale result is never one computed for another Kuma version", async () => {
  await fresh();
  // A kafka port: an error under 3.0 (the 3.0 result before it is shown, stale), valid under 2.14.
  await andAnalyzed(async () => {
    await page.locator(".cm-content").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.insertText("  - port: 9092\n    appProtocol: kafka\n");
    await page.keyboard.press("Escape");
  });
  const line = (await editorLines()).indexOf("    appProtocol: kafka") + 1;
  const note = page.locator("#preview-stale");
  await note.waitFor({ state: "visible", timeout: 10_000 });
  await andAnalyzed(() => page.selectOption("#kuma-version", "2.14"));
  await note.waitFor({ state: "hidden" });
  await page.locator(".zone-card[data-zone='east'] li[data-section='9092']").waitFor();

  // Back to 3.0: the 2.14 result (the kafka port, 2.x-only warnings) is not 3.0's, so it is not
  // shown; the panel says what keeps redis out of 3.0's preview, as on a fresh load.
  await andAnalyzed(() => page.selectOption("#kuma-version", "3.0"));
  const blocked = page.locator("#preview-blocked");
  await blocked.waitFor({ state: "visible" });
  assert.equal((await blocked.locator("li").textContent()).trim(), `redis has 1 error at global.yaml:${line}; fix it to see its preview.`);
  assert.equal(await note.isHidden(), true);
  assert.equal(await page.locator(".zone-card").count(), 0);
  assert.equal(await page.locator("#preview.stale").count(), 0);
  assert.deepEqual(pg.errors, []);
});

test("the skip link moves focus to the editor and leaves the workspace in the address bar", async () => {
  await fresh();
  await page.waitForFunction(() => !document.body.dataset.hashPending);
  const before = await page.evaluate(() => ({ href: location.href, entries: history.length }));
  assert.match(before.href, /#w=/);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Skip to the editor");
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.activeElement?.classList.contains("cm-content"));
  assert.deepEqual(await page.evaluate(() => ({ href: location.href, entries: history.length })), before);
  // A reload keeps the work.
  await page.reload();
  await waitAnalyzed(page);
  assert.equal(await page.evaluate(() => location.href), before.href);
});

test("an MZS that is deleted (no error) leaves the preview instead of going stale", async () => {
  await fresh();
  await page.locator("[role=tab][data-path='global.yaml']").click();
  await andAnalyzed(async () => {
    await page.locator(".cm-content").click();
    await page.keyboard.press("Control+a");
    await page.keyboard.press("Delete");
  });
  await page.waitForFunction(() => document.querySelector("#zone-cards")?.textContent?.includes("No MeshMultiZoneService"));
  assert.equal(await page.locator("#preview-stale").isHidden(), true);
  // No MZS, nothing to pick: the MZS and Port lists and the zone-down boxes are not shown.
  for (const control of ["#mzs-select", "#port-select", "#down-zones input >> nth=0"]) {
    assert.equal(await page.locator(control).isVisible(), false, control);
  }
});

test("loading an example over edited work asks first, and Back restores the work", async () => {
  await fresh();
  // Nothing edited yet: an example loads without a question.
  await andAnalyzed(() => page.selectOption("#example", "failover"));
  assert.deepEqual(dialogs, []);
  assert.deepEqual(await tabs(), ["global", "zone us-east", "zone us-west", "zone eu-central"]);
  const first = (await editorLines())[0];
  await typeAtEnd(" (my edit)", first);
  await page.waitForFunction(() => !document.body.dataset.hashPending);

  // Dismissed: nothing changes.
  acceptDialogs = false;
  await page.selectOption("#example", "redis");
  assert.equal(dialogs.length, 1);
  assert.match(dialogs[0], /Load the example "redis in east and west \(Kuma docs\)" in place of your edited files\? Back/);
  assert.equal((await editorLines())[0], `${first} (my edit)`);
  assert.deepEqual(await tabs(), ["global", "zone us-east", "zone us-west", "zone eu-central"]);

  // Accepted: the example replaces the work, in a new history entry.
  acceptDialogs = true;
  await andAnalyzed(() => page.selectOption("#example", "redis"));
  assert.equal(dialogs.length, 2);
  assert.deepEqual(await tabs(), ["global", "zone east", "zone west"]);

  // Back: the edited work again, still on this page.
  const url = page.url().split("#")[0];
  await andAnalyzed(() => page.goBack());
  assert.equal(page.url().split("#")[0], url);
  assert.deepEqual(await tabs(), ["global", "zone us-east", "zone us-west", "zone eu-central"]);
  assert.equal((await editorLines())[0], `${first} (my edit)`);
  // Forward: the example.
  await andAnalyzed(() => page.goForward());
  assert.deepEqual(await tabs(), ["global", "zone east", "zone west"]);
  assert.deepEqual(pg.errors, []);
});

test("removing a zone asks first, and Back brings the zone back", async () => {
  await fresh();
  await page.locator("[role=tab][data-path='zones/west.yaml']").click();
  acceptDialogs = false;
  await page.click("#remove-zone");
  assert.equal(dialogs.length, 1);
  assert.match(dialogs[0], /^Remove zone west and its file zones\/west\.yaml\?/);
  assert.deepEqual(await tabs(), ["global", "zone east", "zone west"]);

  acceptDialogs = true;
  await andAnalyzed(() => page.click("#remove-zone"));
  assert.deepEqual(await tabs(), ["global", "zone east"]);
  await page.waitForFunction(() => !document.body.dataset.hashPending);
  await andAnalyzed(() => page.goBack());
  assert.deepEqual(await tabs(), ["global", "zone east", "zone west"]);
  await page.locator(".zone-card[data-zone='west']").waitFor();
});

test(
  "the broken-selector example lists its preview warnings in Problems and underlines the selector",
  { skip: hasPreviewDiagnostics ? false : "the kuma-mzs package in wasm/pkg has no previewDiagnostics yet (issue 16, wasm/src)" },
  async () => {
    await fresh();
    await andAnalyzed(() => page.selectOption("#example", "broken-selector"));
    const selectorLine = "        kuma.io/display-name: payment";
    const line = (await editorLines()).indexOf(selectorLine) + 1;
    assert.ok(line > 0);
    assert.match(await page.locator("#problem-count").textContent(), /^0 errors, [1-9]\d* warnings?$/);
    const codes = await page.$$eval("#problem-list li.warning[data-path='global.yaml']", (lis) => lis.map((li) => li.dataset.code));
    for (const code of ["MZS101", "MZS103"]) assert.ok(codes.includes(code), `${code} in Problems: ${codes.join(", ")}`);
    // MZS103 sits on the selector's label and says which label of the closest MeshService differs.
    const mzs103 = page.locator(`#problem-list li.warning[data-code='MZS103'][data-line='${line}']`);
    assert.equal(await mzs103.count(), 1);
    const text = await mzs103.textContent();
    assert.match(text, /kuma\.io\/display-name/);
    assert.match(text, /"payments"/);
    assert.match(text, /\(zones east, west\)/);
    const squiggle = (await lineEl(selectorLine)).locator(".cm-lintRange-warning");
    await squiggle.waitFor();
    assert.equal(await squiggle.textContent(), "payment");
    await shot(page, "07b-broken-selector-problems");

    // Fixing the selector clears the warning and its squiggle.
    await typeAtEnd("s", selectorLine);
    await mzs103.waitFor({ state: "detached", timeout: 10_000 });
    await (await lineEl(`${selectorLine}s`)).locator(".cm-lintRange-warning").waitFor({ state: "detached" });
  },
);

test(
  "a zone tab is that zone's file: a label naming another zone is flagged, a MeshService without one is the zone's",
  { skip: hasPreviewDiagnostics ? false : "the kuma-mzs package in wasm/pkg has no zone files yet (issue 16, wasm/src)" },
  async () => {
    await fresh();
    await page.locator("[role=tab][data-path='zones/west.yaml']").click();
    const label = "  kuma.io/zone: west";
    const line = (await editorLines()).indexOf(label) + 1;
    await (await lineEl(label)).click();
    await page.keyboard.press("End");
    for (let i = 0; i < 4; i++) await page.keyboard.press("Backspace");
    await page.keyboard.type("east");
    await page.keyboard.press("Escape");
    const mzs202 = page.locator(`#problem-list li[data-code='MZS202'][data-path='zones/west.yaml'][data-line='${line}']`);
    await mzs202.waitFor({ timeout: 10_000 });
    assert.match(await mzs202.textContent(), /should have west value/);

    // Without the label, the MeshService is zone west's (it was "from zone ?" before issue 16).
    await andAnalyzed(async () => {
      await (await lineEl("  kuma.io/zone: east")).click();
      await page.keyboard.press("Home");
      await page.keyboard.press("Shift+End");
      await page.keyboard.press("Delete");
    });
    await mzs202.waitFor({ state: "detached", timeout: 10_000 });
    const matched = await page.$$eval(".zone-card[data-zone='east'] ul.matched li", (lis) => lis.map((li) => li.dataset.zone));
    assert.deepEqual(matched.sort(), ["east", "west"]);
  },
);

test(
  "an MZS moved into a zone's file stays in the preview, stale, with the core's reason and an MZS203 error",
  { skip: hasPreviewDiagnostics ? false : "the kuma-mzs package in wasm/pkg has no zone files yet (issue 16, wasm/src)" },
  async () => {
    await fresh();
    const mzs = (await editorLines()).join("\n");
    await page.locator("[role=tab][data-path='zones/west.yaml']").click();
    await page.locator(".cm-content").click();
    await page.keyboard.press("Control+End");
    await page.keyboard.insertText(`\n---\n${mzs}\n`);
    await page.locator("[role=tab][data-path='global.yaml']").click();
    await andAnalyzed(async () => {
      await page.locator(".cm-content").click();
      await page.keyboard.press("Control+a");
      await page.keyboard.press("Delete");
    });
    const note = page.locator("#preview-stale");
    await note.waitFor({ state: "visible", timeout: 10_000 });
    assert.match(await note.textContent(), /^Stale \(the last good result is shown\): .*zone west/);
    assert.equal(await page.locator("#problem-list li.error[data-code='MZS203'][data-path='zones/west.yaml']").count(), 1);
    assert.equal(await page.locator(".zone-card .condition[data-type='MeshServicesMatched']").count(), 2);
  },
);

test("on a 390 px screen the editor wraps long lines and the chart labels keep their size", async () => {
  const context = await pg.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const phone = await context.newPage();
  try {
    await phone.goto(pg.url);
    await waitAnalyzed(phone);
    const comment = "# redis is reachable from every zone as redis.mzsvc.mesh.local, on the VIP each zone assigns";
    await andAnalyzed(async () => {
      // A new first line. (Home would go to the start of a wrapped row, not of the line.)
      await phone.locator(".cm-content .cm-line").first().click();
      await phone.keyboard.press("Control+Home");
      await phone.keyboard.type(comment);
      await phone.keyboard.press("Escape");
      await phone.keyboard.press("Enter");
    }, phone);
    const layout = await phone.evaluate((text) => {
      const lines = [...document.querySelectorAll(".cm-content .cm-line")];
      const long = lines.find((l) => l.textContent === text);
      const short = lines.find((l) => l.textContent === "kind: MeshMultiZoneService");
      const scroller = document.querySelector(".cm-scroller");
      const svg = document.querySelector("#chart svg");
      const label = document.querySelector("#chart text.label");
      return {
        longHeight: long?.getBoundingClientRect().height ?? 0,
        shortHeight: short?.getBoundingClientRect().height ?? 0,
        scrollWidth: scroller?.scrollWidth ?? 0,
        clientWidth: scroller?.clientWidth ?? 0,
        pageScrollWidth: document.documentElement.scrollWidth,
        // The label's size on screen: its CSS size times how much the SVG is scaled.
        labelPx: label && svg ? parseFloat(getComputedStyle(label).fontSize) * (svg.getBoundingClientRect().width / svg.viewBox.baseVal.width) : 0,
      };
    }, comment);
    assert.ok(layout.shortHeight > 0, JSON.stringify(layout));
    assert.ok(layout.longHeight >= 2 * layout.shortHeight, `the long line wraps onto several rows: ${JSON.stringify(layout)}`);
    assert.ok(layout.scrollWidth <= layout.clientWidth + 1, `no sideways scrolling in the editor: ${JSON.stringify(layout)}`);
    assert.ok(layout.pageScrollWidth <= 390, `the page fits the screen: ${JSON.stringify(layout)}`);
    assert.ok(layout.labelPx >= 13.5, `chart labels stay at 14 px, not scaled down: ${JSON.stringify(layout)}`);
    await phone.locator(".cm-content .cm-line").first().scrollIntoViewIfNeeded();
    await phone.screenshot({ path: join(artifactsDir, "390px-wrapped.png"), fullPage: true });
  } finally {
    await context.close();
  }
});
