// Browser tests of the built playground (wasm/playground/dist) in headless Debian chromium.
// Screenshots of the main states go to tests/artifacts/playground/.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { join } from "node:path";
import { analyzed, artifactsDir, openPlayground, shot, waitAnalyzed } from "./harness.mjs";

let pg;
let page;

before(async () => {
  pg = await openPlayground();
  page = await pg.context.newPage();
  // Loading an example over edited work and removing a zone ask first (work.test.mjs tests the
  // questions); these tests answer yes.
  page.on("dialog", (d) => void d.accept());
});

after(async () => {
  await pg?.close();
});

const shotOf = (name) => shot(page, name);

/** The text of every rendered editor line (all lines of these small files are rendered). */
const editorLines = () => page.locator(".cm-content .cm-line").allTextContents();

async function lineNumberOf(text) {
  const lines = await editorLines();
  const i = lines.findIndex((l) => l === text);
  assert.notEqual(i, -1, `no editor line ${JSON.stringify(text)} in:\n${lines.join("\n")}`);
  return i + 1;
}

/** Run `action` and wait until the page has applied a newer analysis than before it. */
const andAnalyzed = (action) => analyzed(page, action);

async function loadExample(id) {
  await andAnalyzed(() => page.selectOption("#example", id));
}

async function shares() {
  return page.$$eval("#chart g[data-zone]", (gs) =>
    Object.fromEntries(gs.map((g) => [g.getAttribute("data-zone"), Number(g.getAttribute("data-share"))])),
  );
}

async function setDown(zone, down) {
  const box = page.locator(`#down-zones input[value="${zone}"]`);
  await andAnalyzed(() => (down ? box.check() : box.uncheck()));
}

test("the page loads, runs the wasm engine and shows the redis preview", async () => {
  const started = Date.now();
  await page.goto(pg.url);
  await waitAnalyzed(page);
  assert.deepEqual(pg.errors, []);
  assert.match(await page.locator("#engine-version").textContent(), /^kuma-mzs \d/);
  assert.equal(await page.locator("#problem-count").textContent(), "0 errors, 0 warnings");
  assert.equal(await page.locator("#problem-count").getAttribute("aria-live"), "polite");
  assert.deepEqual(await page.locator("[role=tab]").allTextContents(), ["global", "zone east", "zone west"]);
  assert.ok(Date.now() - started < 10_000);
  await shotOf("01-loaded");
});

test("an invalid appProtocol gets a squiggle and a message on its line, and fixing it clears both", async () => {
  await page.locator("[role=tab][data-path='global.yaml']").click();
  const line = await lineNumberOf("    appProtocol: tcp");
  assert.equal(line, 18);
  const lineEl = page.locator(".cm-content .cm-line").nth(line - 1);
  await lineEl.click();
  await page.keyboard.press("End");
  await page.keyboard.type("x");
  const problem = page.locator(`#problem-list li.error[data-path='global.yaml'][data-line='${line}']`);
  await problem.waitFor({ timeout: 10_000 });
  assert.match(await problem.textContent(), /appProtocol must be one of: grpc, http, http2, tcp/);
  assert.match(await problem.textContent(), /spec\.ports\[0\]\.appProtocol/);
  const squiggle = lineEl.locator(".cm-lintRange-error");
  await squiggle.waitFor();
  assert.equal(await squiggle.textContent(), "tcpx");
  assert.match(await page.locator("#problem-count").textContent(), /^1 error/);
  await squiggle.hover();
  const tooltip = page.locator(".cm-tooltip-lint");
  await tooltip.waitFor();
  assert.match(await tooltip.textContent(), /appProtocol must be one of/);
  await shotOf("02-invalid-protocol");

  await lineEl.click();
  await page.keyboard.press("End");
  await page.keyboard.press("Backspace");
  await problem.waitFor({ state: "detached", timeout: 10_000 });
  await page.locator(".cm-lintRange-error").waitFor({ state: "detached" });
  assert.equal(await page.locator("#problem-count").textContent(), "0 errors, 0 warnings");
  await shotOf("03-fixed");
});

test("completion offers the appProtocol values and hover documents the field", async () => {
  await page.locator("[role=tab][data-path='global.yaml']").click();
  const line = await lineNumberOf("    appProtocol: tcp");
  const lineEl = page.locator(".cm-content .cm-line").nth(line - 1);
  await lineEl.click();
  await page.keyboard.press("End");
  for (let i = 0; i < 3; i++) await page.keyboard.press("Backspace");
  await page.keyboard.press("Control+Space");
  const options = page.locator(".cm-tooltip-autocomplete li");
  await options.first().waitFor({ timeout: 10_000 });
  const labels = await options.allTextContents();
  for (const value of ["grpc", "http", "http2", "tcp"]) {
    assert.ok(labels.some((l) => l.startsWith(value)), `${value} offered: ${labels.join(" | ")}`);
  }
  await shotOf("02b-completion");
  await page.keyboard.press("Escape");
  await page.keyboard.type("tcp");
  await page.keyboard.press("Escape");
  await page.waitForFunction(() => document.querySelector("#problem-count")?.textContent === "0 errors, 0 warnings");
  assert.equal((await editorLines())[line - 1], "    appProtocol: tcp");

  const key = lineEl.locator("text=appProtocol");
  await key.hover();
  const hover = page.locator(".kuma-hover");
  await hover.waitFor({ timeout: 10_000 });
  assert.match(await hover.textContent(), /Allowed values: grpc, http, http2, tcp/);
  assert.equal(await hover.locator("strong").first().textContent(), "spec.ports[].appProtocol");
  await shotOf("02c-hover");
  await page.mouse.move(0, 0);
});

test("the Kuma version switch changes the rules: kafka is a protocol in 2.14 only", async () => {
  const line = await lineNumberOf("    appProtocol: tcp");
  const lineEl = page.locator(".cm-content .cm-line").nth(line - 1);
  await lineEl.click();
  await page.keyboard.press("End");
  for (let i = 0; i < 3; i++) await page.keyboard.press("Backspace");
  await page.keyboard.type("kafka");
  const problem = page.locator(`#problem-list li.error[data-line='${line}']`);
  await problem.waitFor({ timeout: 10_000 });
  assert.match(await problem.textContent(), /appProtocol must be one of: grpc, http, http2, tcp/);
  assert.equal(
    await problem.locator(".hint").textContent(),
    "hint: Kuma 2.14 accepts this; if your control plane runs Kuma 2.14, validate with Kuma version 2.14 instead of 3.0",
  );
  await shotOf("02d-version-hint");
  await andAnalyzed(() => page.selectOption("#kuma-version", "2.14"));
  assert.equal(await problem.count(), 0);
  await andAnalyzed(() => page.selectOption("#kuma-version", "3.0"));
  await problem.waitFor();
  await lineEl.click();
  await page.keyboard.press("End");
  for (let i = 0; i < 5; i++) await page.keyboard.press("Backspace");
  await page.keyboard.type("tcp");
  await problem.waitFor({ state: "detached", timeout: 10_000 });
  assert.equal((await editorLines())[line - 1], "    appProtocol: tcp");
});

test("adding a zone adds its tab and its column in the preview", async () => {
  await page.fill("#new-zone", "north");
  await andAnalyzed(() => page.click("#add-zone button[type=submit]"));
  assert.equal(await page.locator("[role=tab][aria-selected=true]").textContent(), "zone north");
  await page.locator(".zone-card[data-zone='north']").waitFor();
  await page.fill("#new-zone", "Bad Name");
  await page.click("#add-zone button[type=submit]");
  assert.match(await page.locator("#add-zone-error").textContent(), /DNS label/);
  await andAnalyzed(() => page.click("#remove-zone"));
  assert.equal(await page.locator(".zone-card[data-zone='north']").count(), 0);
  await page.fill("#new-zone", "");
});

test("the redis example: both zones match both MeshServices, with a VIP and redis.mzsvc.mesh.local", async () => {
  await loadExample("redis");
  for (const zone of ["east", "west"]) {
    const card = page.locator(`.zone-card[data-zone='${zone}']`);
    const condition = card.locator(".condition[data-type='MeshServicesMatched']");
    assert.equal(await condition.getAttribute("data-status"), "True");
    assert.match(await condition.textContent(), /MatchesFound/);
    const matched = await card.locator("ul.matched li").evaluateAll((lis) => lis.map((li) => li.dataset.zone));
    assert.deepEqual(matched.sort(), ["east", "west"]);
    assert.ok((await card.locator("code.hostname").allTextContents()).includes("redis.mzsvc.mesh.local"));
    const vip = await card.locator(".vip code").first().textContent();
    assert.match(vip, /^243\.\d+\.\d+\.\d+$/);
  }
  await shotOf("04-redis");
});

test("taking a zone down moves the traffic to the other zone", async () => {
  await page.selectOption("#client-zone", "east");
  let s = await shares();
  assert.equal(s.east, 1, JSON.stringify(s));
  assert.equal(s.west, 0, JSON.stringify(s));
  await setDown("east", true);
  s = await shares();
  assert.equal(s.east, 0, JSON.stringify(s));
  assert.equal(s.west, 1, JSON.stringify(s));
  assert.match(await page.locator("#chart-summary").textContent(), /east 0 % \(down\), west 100 %/);
  await shotOf("05-zone-down");
  await setDown("east", false);
});

test("the 3-zone failover example follows the MeshLoadBalancingStrategy order", async () => {
  await loadExample("failover");
  await page.selectOption("#client-zone", "us-east");
  assert.equal((await shares())["us-east"], 1);
  await setDown("us-east", true);
  let s = await shares();
  assert.equal(s["us-west"], 1, `Only [us-west] comes first: ${JSON.stringify(s)}`);
  await setDown("us-west", true);
  s = await shares();
  assert.equal(s["eu-central"], 1, `then Any: ${JSON.stringify(s)}`);
  await shotOf("06-failover");
});

test("the broken selector example reports NoMatchesFound", async () => {
  await loadExample("broken-selector");
  await page.selectOption("#mzs-select", "default/payments");
  const conditions = page.locator(".zone-card .condition[data-type='MeshServicesMatched']");
  assert.equal(await conditions.count(), 2);
  for (const status of await conditions.evaluateAll((cs) => cs.map((c) => c.dataset.status))) assert.equal(status, "False");
  assert.match(await conditions.first().textContent(), /NoMatchesFound/);
  const east = page.locator(".zone-card[data-zone='east']");
  assert.equal(await east.locator(".warnings li[data-code='MZS103']").count(), 1, "selector matches nothing");
  // Named as the zone stores global's generator: its KDS name (Kuma's zones hash it).
  assert.match(await east.locator(".hostnames li[data-reason='Collision']").textContent(), /by-tier-[a-z0-9]{16}: Collision/);
  await shotOf("07-broken-selector");

  // "orders": Kuma 3.0 pairs MZS and MeshService ports by name, 2.x by number.
  await page.selectOption("#mzs-select", "default/orders");
  assert.equal(await east.locator(".warnings li[data-code='MZS101']").count(), 1);
  assert.match(await east.locator(".ports li").first().textContent(), /no matched MeshService port serves it/);
  await andAnalyzed(() => page.selectOption("#kuma-version", "2.14"));
  assert.equal(await east.locator(".warnings li[data-code='MZS101']").count(), 0);
  // And 2.x labels no MeshService applied in a zone with kuma.io/display-name: east's own
  // "orders" is not matched there, so east's clients are served from west.
  assert.match(await east.locator(".ports li").first().textContent(), /served by orders@west:9090/);
  assert.match(
    await east.locator(".warnings li[data-code='MZS103']").first().textContent(),
    /MeshService orders of zone east is not matched: Kuma 2\.14 adds kuma\.io\/display-name/,
  );
  await andAnalyzed(() => page.selectOption("#kuma-version", "3.0"));
});

test("export as Terraform HCL for the kuma provider", async () => {
  await loadExample("redis");
  await page.click("#export-open");
  await page.getByRole("button", { name: "Terraform HCL" }).click();
  const hcl = await page.locator("#export-text").inputValue();
  assert.match(hcl, /resource "kuma_mesh_multi_zone_service" "redis" \{/);
  assert.match(hcl, /mesh = "default"/);
  assert.match(hcl, /selector \{\n    mesh_service \{\n      match_labels = \{/);
  assert.match(hcl, /"kuma\.io\/display-name"\s+= "redis"/);
  assert.match(hcl, /"k8s\.kuma\.io\/namespace"\s+= "redis-system"/);
  assert.match(hcl, /port \{\n    port\s+= 6379\n    app_protocol = "tcp"\n  \}/);
  assert.match(hcl, /not exported: zones\/east\.yaml: MeshService redis/);
  await shotOf("08-export-hcl");
  await page.getByRole("button", { name: "Kubernetes YAML" }).click();
  assert.match(await page.locator("#export-text").inputValue(), /apiVersion: kuma\.io\/v1alpha1\nkind: MeshMultiZoneService/);
  await page.getByRole("button", { name: "kumactl apply YAML" }).click();
  assert.match(await page.locator("#export-text").inputValue(), /type: MeshMultiZoneService\nname: redis\nmesh: default/);
  await page.click("#export-close");
});

test("a shared link reproduces the workspace", async () => {
  await loadExample("failover");
  await page.locator("[role=tab][data-path='zones/us-west.yaml']").click();
  await page.locator(".cm-content .cm-line").first().click();
  await page.keyboard.press("Control+Home");
  await page.keyboard.type("# edited before sharing\n");
  await setDown("us-east", true);
  await page.selectOption("#client-zone", "us-east");
  await page.click("#share");
  await page.waitForFunction(() => document.querySelector("#share-url")?.value);
  const url = await page.locator("#share-url").inputValue();
  assert.match(url, /#w=[A-Za-z0-9_-]+$/);
  const before = { lines: await editorLines(), shares: await shares(), tabs: await page.locator("[role=tab]").allTextContents() };

  const other = await pg.context.newPage();
  await other.goto(url);
  await waitAnalyzed(other);
  const after = {
    lines: await other.locator(".cm-content .cm-line").allTextContents(),
    shares: await other.$$eval("#chart g[data-zone]", (gs) =>
      Object.fromEntries(gs.map((g) => [g.getAttribute("data-zone"), Number(g.getAttribute("data-share"))])),
    ),
    tabs: await other.locator("[role=tab]").allTextContents(),
  };
  assert.deepEqual(after, before);
  assert.equal(after.lines[0], "# edited before sharing");
  assert.equal(await other.locator("[role=tab][aria-selected=true]").textContent(), "zone us-west");
  assert.ok(await other.locator("#down-zones input[value='us-east']").isChecked());
  await other.screenshot({ path: join(artifactsDir, "09-shared-link.png"), fullPage: true });
  await other.close();
  await page.bringToFront();
});

test("a damaged share link falls back to the default example; the explain panel speaks for the core", async () => {
  const other = await pg.context.newPage();
  await other.goto(`${pg.url}#w=not-a-workspace`);
  await waitAnalyzed(other);
  assert.deepEqual(await other.locator("[role=tab]").allTextContents(), ["global", "zone east", "zone west"]);
  await other.locator("#explain summary").click();
  await other.waitForFunction(() => (document.querySelector("#explain-text")?.textContent ?? "").length > 0);
  const explained = await other.locator("#explain-text").textContent();
  assert.match(explained, /redis/);
  assert.match(explained, /east/);
  await other.close();
  await page.bringToFront();
});

test("keyboard: the file tabs follow the arrow keys and every control has a label", async () => {
  await page.locator("[role=tab][aria-selected=true]").focus();
  await page.keyboard.press("Home");
  assert.equal(await page.locator("[role=tab][aria-selected=true]").textContent(), "global");
  await page.keyboard.press("ArrowRight");
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), "zone us-east");
  // Toggling a zone with the keyboard re-renders the preview; focus stays on the checkbox.
  const box = page.locator("#down-zones input[value='us-west']");
  await box.focus();
  const wasChecked = await box.isChecked();
  await andAnalyzed(() => page.keyboard.press("Space"));
  assert.equal(await box.isChecked(), !wasChecked);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("value")), "us-west");
  await andAnalyzed(() => page.keyboard.press("Space"));

  // Text contrast (WCAG AA, 4.5:1) of every visible text element of the page chrome and preview.
  const lowContrast = await page.evaluate(() => {
    const rgb = (c) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const background = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const bad = [];
    for (const el of document.querySelectorAll("header *, .preview *, #problems *, label, button")) {
      if (!el.offsetParent || el.closest("svg")) continue;
      const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!own) continue;
      const fg = lum(rgb(getComputedStyle(el).color).slice(0, 3));
      const bg = lum(background(el));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5) bad.push(`${el.tagName}.${el.className}: ${ratio.toFixed(2)} "${el.textContent.trim().slice(0, 30)}"`);
    }
    return bad;
  });
  assert.deepEqual(lowContrast, []);

  const unlabeled = await page.evaluate(() =>
    [...document.querySelectorAll("input, select, textarea, button, [role=tab], [contenteditable=true]")]
      .filter((el) => !el.closest("[hidden]") && !el.closest("dialog:not([open])"))
      .filter((el) => {
        const named = el.getAttribute("aria-label") || el.getAttribute("aria-labelledby") || (el.labels && el.labels.length) || el.textContent?.trim();
        return !named;
      })
      .map((el) => el.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unlabeled, []);
});

test("once loaded, the page keeps working offline, and reloads offline from its service worker", async () => {
  await loadExample("redis");
  await page.waitForFunction(async () => {
    const reg = await navigator.serviceWorker.ready;
    return reg.active?.state === "activated" && navigator.serviceWorker.controller !== null;
  });
  await pg.context.setOffline(true);
  try {
    await page.locator("[role=tab][data-path='global.yaml']").click();
    const lineEl = page.locator(".cm-content .cm-line").nth((await lineNumberOf("    appProtocol: tcp")) - 1);
    await lineEl.click();
    await page.keyboard.press("End");
    await page.keyboard.type("x");
    await page.locator("#problem-list li.error").waitFor({ timeout: 10_000 });
    await page.keyboard.press("Backspace");
    await page.locator("#problem-list li.error").waitFor({ state: "detached", timeout: 10_000 });
    await page.click("#export-open");
    await page.getByRole("button", { name: "Terraform HCL" }).click();
    assert.match(await page.locator("#export-text").inputValue(), /kuma_mesh_multi_zone_service/);
    await page.click("#export-close");

    // The address bar catches up with the last edit (debounced), then a reload restores it.
    await page.waitForFunction(() => document.body.dataset.hashPending === undefined);
    await page.reload();
    await waitAnalyzed(page);
    await shotOf("10-offline-reload");
    assert.equal(await page.locator("#problem-count").textContent(), "0 errors, 0 warnings");
    assert.ok((await page.locator("code.hostname").allTextContents()).includes("redis.mzsvc.mesh.local"));
  } finally {
    await pg.context.setOffline(false);
  }
  assert.deepEqual(pg.errors, []);
});
