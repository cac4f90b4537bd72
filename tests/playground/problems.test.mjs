// Browser tests of what a newcomer pastes into the playground: manifests with other kinds, an
// MZS whose only document has errors, a long Problems list, quick fixes on a phone and on a wide
// screen, and the Kuma release picker (each release the core knows; old "2.x" links).
import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { after, before, test } from "node:test";
import { join } from "node:path";
import { analyzed, artifactsDir, openPlayground, shot, waitAnalyzed } from "./harness.mjs";

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


const andAnalyzed = (action, p = page) => analyzed(p, action);

async function fresh(p = page) {
  await p.goto("about:blank");
  await p.goto(pg.url);
  await waitAnalyzed(p);
}

/** Replace the text of the global file. */
async function setGlobal(text, p = page) {
  await p.locator("[role=tab][data-path='global.yaml']").click();
  await andAnalyzed(async () => {
    await p.locator(".cm-content").click();
    await p.keyboard.press("Control+a");
    await p.keyboard.press("Delete");
    await p.keyboard.insertText(text);
    await p.keyboard.press("Escape"); // close the completion list typing opened
  }, p);
  // insertText may be analysed in more than one step; wait for the address bar (debounced) too.
  await p.waitForFunction(() => !document.body.dataset.hashPending);
}

const problems = (p = page) =>
  p.$$eval("#problem-list > li", (lis) => lis.map((li) => ({ severity: li.classList[1], line: Number(li.dataset.line), code: li.dataset.code })));

const redis = (appProtocol, name = "redis") => `type: MeshMultiZoneService
name: ${name}
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

/** A share link holding `workspace` (what share.ts writes: JSON, deflate-raw, base64url). */
const linkTo = (workspace) => `${pg.url}#w=${deflateRawSync(Buffer.from(JSON.stringify(workspace))).toString("base64url")}`;

test("documents that are not Kuma resources get no diagnostics, and Kuma kinds the core does not check one info", async () => {
  await fresh();
  await setGlobal(`apiVersion: v1
kind: Namespace
metadata:
  name: kuma-demo
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: demo-app
  namespace: kuma-demo
spec:
  replicas: 1
---
apiVersion: kuma.io/v1alpha1
kind: MeshTrafficPermission
metadata:
  name: kv
  namespace: kuma-demo
spec:
  targetRef:
    kind: Dataplane
---
type: MeshHTTPRoute
name: test-route-1
mesh: default
spec:
  to: []
---
${redis("tcp")}`);
  assert.equal(await page.locator("#problem-count").textContent(), "0 errors, 0 warnings, 2 info");
  const infos = await problems();
  assert.deepEqual(infos.map((p) => p.code), ["unmodelled-kind", "unmodelled-kind"]);
  assert.deepEqual(infos.map((p) => p.line), [15, 23]);
  assert.equal(await page.locator("#problem-list").getByText(/unknown resource/).count(), 0);
  // The MZS among them still gets its preview.
  await page.locator(".zone-card[data-zone='east'] .condition[data-type='MeshServicesMatched']").waitFor();
  assert.deepEqual(pg.errors, []);
});

/** The preview's pickers and zone-down boxes a user can see and use. */
const previewControls = (p = page) =>
  p.$$eval("#preview select, #preview input", (els) =>
    els.filter((el) => el.checkVisibility() && !el.disabled).map((el) => (el.name === "down" ? `down:${el.value}` : el.id)),
  );

// "payments" never had a good preview (an MZS that had one stays, marked stale: work.test.mjs).
for (const [what, text, line] of [
  ["appProtocol: kafka under Kuma 3.0", redis("kafka", "payments"), 11],
  ["a matchLabel: typo", redis("tcp", "payments").replace("matchLabels:", "matchLabel:"), 6],
]) {
  test(`an MZS with ${what} as the only one: the preview names it and where its error is`, async () => {
    await fresh();
    await setGlobal(text);
    const note = page.locator("#preview-blocked");
    await note.waitFor({ state: "visible" });
    assert.equal(
      (await note.locator("li").textContent()).trim(),
      `payments has 1 error at global.yaml:${line}; fix it to see its preview.`,
    );
    assert.doesNotMatch(await page.locator("#preview").textContent(), /No MeshMultiZoneService in the workspace/);
    // Nothing to pick or take down: no empty MZS and Port lists, no zone-down boxes.
    assert.deepEqual(await previewControls(), []);
    if (line === 11) await shot(page, "11-blocked-preview");

    // The location is a button that puts the cursor on the error.
    await page.locator("[role=tab][data-path='zones/east.yaml']").click();
    await note.getByRole("button", { name: `global.yaml:${line}: go to the error` }).click();
    assert.equal(await page.locator("[role=tab][aria-selected=true]").textContent(), "global 1");
    const cursorLine = await page.evaluate(() => {
      const sel = window.getSelection();
      const el = sel?.anchorNode?.parentElement?.closest(".cm-line");
      return el ? [...document.querySelectorAll(".cm-content .cm-line")].indexOf(el) + 1 : 0;
    });
    assert.equal(cursorLine, line);

    // Fixed: the preview is back and the note goes.
    await setGlobal(redis("tcp", "payments"));
    await note.waitFor({ state: "hidden" });
    await page.locator(".zone-card[data-zone='east'] .condition[data-type='MeshServicesMatched']").waitFor();
    assert.deepEqual(await previewControls(), ["mzs-select", "client-zone", "port-select", "down:east", "down:west"]);
  });
}

test("a Helm template is one note to render it first, and an unquoted HostnameGenerator template an error that says to quote it", async () => {
  await fresh();
  await setGlobal(`{{- if .Values.mzs.enabled }}
type: MeshMultiZoneService
name: {{ .Values.name }}
mesh: default
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: redis
  ports:
  - port: 6379
{{- end }}
`);
  assert.equal(await page.locator("#problem-count").textContent(), "0 errors, 0 warnings, 1 info");
  assert.deepEqual(await problems(), [{ severity: "info", line: 1, code: "syntax" }]);
  await page.locator("#problem-list").getByText(/render it first/).waitFor();
  await shot(page, "helm-template");

  await setGlobal(`type: HostnameGenerator
name: by-zone
spec:
  selector:
    meshMultiZoneService:
      matchLabels:
        app: redis
  template: {{ .DisplayName }}.mzsvc.mesh.local
`);
  assert.equal(await page.locator("#problem-count").textContent(), "1 error, 0 warnings");
  assert.deepEqual(await problems(), [{ severity: "error", line: 8, code: "syntax" }]);
  await page
    .locator("#problem-list")
    .getByText('write `template: "{{ .DisplayName }}.mzsvc.mesh.local"`')
    .waitFor();
  await shot(page, "unquoted-hostname-template");
  assert.deepEqual(pg.errors, []);
});

test("Problems lists errors first, then warnings, each by position", async () => {
  await fresh();
  // 40 MZS with a warning each (an unknown field), then one with an error.
  const warned = Array.from({ length: 40 }, (_, i) => redis("tcp").replace("name: redis", `name: redis-${i}`).replace("spec:\n", "spec:\n  extra: 1\n"));
  await setGlobal([...warned, redis("tcpx")].join("---\n"));
  const list = await problems();
  assert.equal(list.length, 41, JSON.stringify(list));
  assert.equal(list[0].severity, "error");
  assert.ok(list[0].line > list[40].line, "the error is the last in the text but first in the list");
  const warnings = list.slice(1);
  assert.ok(warnings.every((p) => p.severity === "warning"));
  assert.deepEqual(warnings.map((p) => p.line), [...warnings.map((p) => p.line)].sort((a, b) => a - b));
});

/** The quick-fix buttons' boxes against their list item and the list. */
async function fixLayout(p) {
  return p.$$eval("#problem-list li:has(button.fix)", (lis) =>
    lis.map((li) => {
      const list = li.closest("#problem-list").getBoundingClientRect();
      const fix = li.querySelector("button.fix").getBoundingClientRect();
      const item = li.getBoundingClientRect();
      return { fixLeft: fix.left, fixRight: fix.right, fixTop: fix.top, fixBottom: fix.bottom, fixHeight: fix.height, itemRight: item.right, itemTop: item.top, itemBottom: item.bottom, listRight: list.right };
    }),
  );
}

const typo = redis("tcp").replace("matchLabels:", "matchLabel:");

test("quick fixes fit a 390 px screen and stay button-sized at 1400 px", async () => {
  for (const [width, height] of [[390, 844], [1400, 900]]) {
    const context = await pg.browser.newContext({ viewport: { width, height }, deviceScaleFactor: width < 600 ? 2 : 1 });
    const p = await context.newPage();
    try {
      await fresh(p);
      await setGlobal(typo, p);
      await p.locator("#problem-list button.fix").first().waitFor();
      const layout = await fixLayout(p);
      assert.ok(layout.length > 0);
      for (const l of layout) {
        const where = `${width} px: ${JSON.stringify(l)}`;
        assert.ok(l.fixRight <= l.itemRight + 0.5 && l.fixRight <= l.listRight + 0.5, `the fix is not cut off: ${where}`);
        assert.ok(l.fixTop >= l.itemTop - 0.5 && l.fixBottom <= l.itemBottom + 0.5, `the fix stays inside its problem: ${where}`);
        assert.ok(l.fixHeight <= (width < 600 ? 44 : 26), `the fix is button-sized: ${where}`);
      }
      assert.ok((await p.evaluate(() => document.documentElement.scrollWidth)) <= width, `${width} px: the page fits`);
      await p.locator("#problems").scrollIntoViewIfNeeded();
      await p.screenshot({ path: join(artifactsDir, `12-quick-fix-${width}px.png`), fullPage: width > 600 });
      // It still works: the typo is renamed and its problems go.
      await andAnalyzed(() => p.locator("#problem-list button.fix").first().click(), p);
      await p.waitForFunction(() => document.querySelector("#problem-count")?.textContent === "0 errors, 0 warnings");
    } finally {
      await context.close();
    }
  }
});

const lbWithoutTo = `type: MeshLoadBalancingStrategy
name: lb
mesh: default
spec:
  targetRef: {kind: Dataplane}
`;

test("the version picker offers each release the core knows, and each has its own rules", async () => {
  await fresh();
  const select = page.locator("#kuma-version");
  assert.deepEqual(await select.locator("option").allTextContents(), ["3.0", "2.14", "2.13", "2.12", "2.11", "2.10", "2.9"]);
  assert.equal(await select.inputValue(), "3.0");
  await setGlobal(`${redis("tcp")}---\n${lbWithoutTo}`);
  assert.equal(await page.locator("#problem-count").textContent(), "0 errors, 0 warnings");
  // 2.9 to 2.13 need a `to` on a MeshLoadBalancingStrategy; 2.14 does not.
  await andAnalyzed(() => page.selectOption("#kuma-version", "2.13"));
  const error = page.locator("#problem-list li.error");
  await error.waitFor();
  assert.equal(
    await error.locator(".hint").textContent(),
    "hint: Kuma 2.14 and later accept this; if your control plane runs Kuma 2.14 or later, validate with its version instead of 2.13",
  );
  await andAnalyzed(() => page.selectOption("#kuma-version", "2.14"));
  assert.equal(await error.count(), 0);
  // The address bar carries the release, so a reload keeps it.
  await page.waitForFunction(() => !document.body.dataset.hashPending);
  await page.reload();
  await waitAnalyzed(page);
  assert.equal(await select.inputValue(), "2.14");
});

test("a share link from when the page offered \"2.x\" opens as Kuma 2.14", async () => {
  const other = await pg.context.newPage();
  try {
    await other.goto(
      linkTo({ kumaVersion: "2.x", files: [{ path: "global.yaml", text: redis("kafka") }, { path: "zones/east.yaml", text: "" }], active: "global.yaml", downZones: [] }),
    );
    await waitAnalyzed(other);
    await other.waitForFunction(() => document.querySelector("#kuma-version")?.value === "2.14");
    assert.deepEqual(await other.locator("#kuma-version option").allTextContents(), ["3.0", "2.14", "2.13", "2.12", "2.11", "2.10", "2.9"]);
    // kafka is a protocol in 2.x: no error, and the preview is there.
    // (The empty zone east serves no port: warnings, but no error.)
    await other.waitForFunction(() => /^0 errors/.test(document.querySelector("#problem-count")?.textContent ?? ""));
    await other.locator(".zone-card[data-zone='east']").waitFor();
    // A link naming a release the core does not know opens with the default one.
    await other.goto("about:blank");
    await other.goto(linkTo({ kumaVersion: "2.99", files: [{ path: "global.yaml", text: redis("kafka") }], active: "global.yaml", downZones: [] }));
    await other.waitForFunction(() => document.querySelector("#kuma-version")?.value === "3.0");
    await other.locator("#problem-list li.error").waitFor();
  } finally {
    await other.close();
  }
});
