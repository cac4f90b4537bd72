// The page: wires the editor, the worker, the preview panel, export and share links.
import type { EditorState } from "@codemirror/state";
import type { EditorView } from "@codemirror/view";
import { renderChart } from "./chart";
import { EngineClient } from "./client";
import { byId, h } from "./dom";
import { createState, setDiagnostics, toCmDiagnostics } from "./editor";
import { DEFAULT_EXAMPLE, EXAMPLES } from "./examples";
import { toSpan } from "./positions";
import type { AnalyzeResult } from "./protocol";
import { allMzs, mzsKey, renderTrafficDetails, renderZoneCard } from "./render";
import { decodeWorkspace, encodeWorkspace } from "./share";
import type { CheckedDocument, Diagnostic, KumaVersion, MzsPreview, PreviewResult, Range } from "./types";
import {
  DEFAULT_KUMA_VERSION,
  GLOBAL_FILE,
  isValidZoneName,
  meshServiceTemplate,
  type Workspace,
  zoneFile,
  zoneOf,
  zones as workspaceZones,
} from "./workspace";
import { EditorView as View } from "@codemirror/view";

const early = (window as { kumaEngineWorker?: Worker }).kumaEngineWorker;
const client = new EngineClient(new URL("./worker.js", import.meta.url), early instanceof Worker ? early : undefined);

interface FileState {
  state: EditorState;
  revision: number;
  /** Diagnostics of the last analysis and the revision they belong to. */
  diagnostics: Diagnostic[];
  analyzedRevision: number;
}

let ws: Workspace;
const files = new Map<string, FileState>();
let view: EditorView;
let lastPreview: PreviewResult | undefined;
/** Resources the last analysis left out of the preview because of their errors (see blockedBy). */
let blocked: Blocked[] = [];
let analyzeCount = 0;
/** True while the workspace is an example as loaded (nothing to lose by replacing it). */
let pristine = true;
/**
 * The last preview of each MZS that took part (by mzsKey), kept for when its document breaks,
 * with the Kuma release it was computed for.
 */
const lastGood = new Map<string, { path: string | undefined; version: KumaVersion; zones: Map<string, MzsPreview> }>();
/** MZS shown from `lastGood` because their document now has errors: key -> why. */
let staleReasons = new Map<string, string>();

const hooks = {
  client,
  kumaVersion: () => ws.kumaVersion,
  onChange(path: string) {
    const f = files.get(path);
    if (f) f.revision++;
    pristine = false;
    scheduleAnalyze();
    scheduleHashUpdate();
  },
};

// ---------------------------------------------------------------- workspace <-> editor

function currentText(path: string): string {
  const f = files.get(path);
  if (!f) return "";
  return (path === ws.active ? view.state : f.state).doc.toString();
}

function snapshot(): Workspace {
  return { ...ws, files: ws.files.map((f) => ({ path: f.path, text: currentText(f.path) })) };
}

function loadWorkspace(next: Workspace, asLoaded = false): void {
  ws = next;
  pristine = asLoaded;
  files.clear();
  for (const f of ws.files) {
    files.set(f.path, { state: createState(hooks, f.path, f.text), revision: 1, diagnostics: [], analyzedRevision: 0 });
  }
  if (!files.has(ws.active)) ws.active = GLOBAL_FILE;
  const active = files.get(ws.active);
  if (active) view.setState(active.state);
  renderVersions();
  void settleVersion();
  byId("add-zone-error").textContent = "";
  renderTabs();
  renderProblems();
  scheduleAnalyze(0);
  scheduleHashUpdate();
}

function activate(path: string, focus = false): void {
  const next = files.get(path);
  if (!next) return;
  const current = files.get(ws.active);
  if (current) current.state = view.state;
  ws.active = path;
  view.setState(next.state);
  applyDiagnostics(path);
  renderTabs();
  scheduleHashUpdate();
  if (focus) view.focus();
}

function applyDiagnostics(path: string): void {
  const f = files.get(path);
  if (!f || path !== ws.active || f.analyzedRevision !== f.revision) return;
  view.dispatch(setDiagnostics(view.state, toCmDiagnostics(view.state, f.diagnostics, applyFix)));
}

function applyFix(target: EditorView, d: Diagnostic): void {
  if (!d.fix) return;
  const { from, to } = toSpan(target.state.doc, d.fix.range);
  target.dispatch({ changes: { from, to: d.fix.range.end === d.fix.range.start ? from : to, insert: d.fix.replacement } });
}

// ---------------------------------------------------------------- Kuma version

/** The releases the core has rules for (newest first), once the worker has said. */
let releases: KumaVersion[] | undefined;

function renderVersions(): void {
  const names = releases?.includes(ws.kumaVersion) ? releases : [ws.kumaVersion, ...(releases ?? [])];
  byId<HTMLSelectElement>("kuma-version").replaceChildren(
    ...names.map((v) => h("option", { value: v, selected: v === ws.kumaVersion }, v)),
  );
}

/**
 * Ask the core which releases it knows and which one the workspace's version names: a link from
 * when the page offered "2.x" opens as the release "2.x" means (2.14), one the core does not
 * know as the default release.
 */
async function settleVersion(): Promise<void> {
  const spelling = ws.kumaVersion;
  let name: KumaVersion;
  try {
    releases ??= await client.call({ op: "releases" });
    name = await client.call({ op: "kumaVersion", spelling });
  } catch {
    name = DEFAULT_KUMA_VERSION;
  }
  if (ws.kumaVersion !== spelling) return; // chosen again meanwhile
  if (name !== spelling) {
    ws.kumaVersion = name;
    scheduleAnalyze(0);
    scheduleHashUpdate();
  }
  renderVersions();
}

// ---------------------------------------------------------------- tabs and zones

/**
 * Re-render `container` without losing keyboard focus: the focused element's data-focus-key is
 * looked up again in the new content.
 */
function keepFocus(container: HTMLElement, render: () => void): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset.focusKey : undefined;
  render();
  if (key) container.querySelector<HTMLElement>(`[data-focus-key="${CSS.escape(key)}"]`)?.focus();
}

function renderTabs(): void {
  const tabs = byId("file-tabs");
  keepFocus(tabs, () => renderTabButtons(tabs));
  const zone = zoneOf(ws.active);
  const remove = byId<HTMLButtonElement>("remove-zone");
  remove.hidden = !zone;
  remove.textContent = zone ? `Remove zone ${zone}` : "";
  byId("editor").setAttribute("aria-labelledby", `tab-${ws.active}`);
}

function renderTabButtons(tabs: HTMLElement): void {
  tabs.replaceChildren(
    ...ws.files.map((f) => {
      const zone = zoneOf(f.path);
      const selected = f.path === ws.active;
      const fs = files.get(f.path);
      const errors = fs ? fs.diagnostics.filter((d) => d.severity === "error").length : 0;
      return h(
        "button",
        {
          role: "tab",
          id: `tab-${f.path}`,
          "aria-selected": selected ? "true" : "false",
          "aria-controls": "editor",
          tabindex: selected ? 0 : -1,
          "data-path": f.path,
          "data-focus-key": `tab:${f.path}`,
          onclick: () => activate(f.path, true),
          onkeydown: (e: Event) => tabKeys(e as KeyboardEvent, f.path),
        },
        zone ? `zone ${zone}` : "global",
        errors ? h("span", { class: "tab-errors", "aria-label": `${errors} errors` }, ` ${errors}`) : null,
      );
    }),
  );
}

function tabKeys(e: KeyboardEvent, path: string): void {
  const paths = ws.files.map((f) => f.path);
  const i = paths.indexOf(path);
  let next: string | undefined;
  if (e.key === "ArrowRight") next = paths[(i + 1) % paths.length];
  else if (e.key === "ArrowLeft") next = paths[(i - 1 + paths.length) % paths.length];
  else if (e.key === "Home") next = paths[0];
  else if (e.key === "End") next = paths[paths.length - 1];
  if (!next) return;
  e.preventDefault();
  activate(next);
  document.getElementById(`tab-${next}`)?.focus();
}

function addZone(name: string): string | undefined {
  if (!isValidZoneName(name)) return "A zone name is a DNS label: lower case letters, digits and '-'.";
  const path = zoneFile(name);
  if (files.has(path)) return `Zone ${name} already exists.`;
  const text = meshServiceTemplate(name);
  ws.files.push({ path, text });
  files.set(path, { state: createState(hooks, path, text), revision: 1, diagnostics: [], analyzedRevision: 0 });
  pristine = false;
  activate(path);
  scheduleAnalyze(0);
  return undefined;
}

function removeZone(path: string): void {
  const zone = zoneOf(path);
  if (!zone || !confirm(`Remove zone ${zone} and its file ${path}? Back in the browser brings it back.`)) return;
  pristine = false;
  // The current history entry keeps the workspace with the zone; the removal gets its own entry.
  void replaceHashNow().then(() => {
    history.pushState(null, "", location.href);
    dropZone(path);
  });
}

function dropZone(path: string): void {
  ws.files = ws.files.filter((f) => f.path !== path);
  files.delete(path);
  const zone = zoneOf(path);
  ws.downZones = ws.downZones.filter((z) => z !== zone);
  ws.active = GLOBAL_FILE;
  const g = files.get(GLOBAL_FILE);
  if (g) view.setState(g.state);
  applyDiagnostics(GLOBAL_FILE);
  renderTabs();
  scheduleAnalyze(0);
  scheduleHashUpdate();
}

// ---------------------------------------------------------------- analysis

let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight = false;
let dirty = false;

function scheduleAnalyze(delay = 30): void {
  clearTimeout(timer);
  timer = setTimeout(() => void analyze(), delay);
}

async function analyze(): Promise<void> {
  if (inFlight) {
    dirty = true;
    return;
  }
  inFlight = true;
  dirty = false;
  const revisions = new Map([...files].map(([p, f]) => [p, f.revision]));
  const current = snapshot();
  const kumaVersion = ws.kumaVersion;
  const started = performance.now();
  try {
    const result = await client.call({
      op: "analyze",
      files: current.files,
      options: { kumaVersion, zones: workspaceZones(ws), downZones: ws.downZones },
    });
    applyAnalysis(result, revisions, kumaVersion);
    byId("engine-error").hidden = true;
    analyzeCount++;
    // Fetch the on-demand export code now, so export works offline once the page has loaded.
    if (analyzeCount === 1) {
      performance.mark("kuma-first-preview");
      void import("./export");
      registerServiceWorker();
    }
    document.body.dataset.analyzed = String(analyzeCount);
    window.dispatchEvent(
      new CustomEvent("kuma-analyzed", { detail: { ms: performance.now() - started, engineMs: result.engineMs } }),
    );
  } catch (error) {
    const box = byId("engine-error");
    box.hidden = false;
    box.textContent = `The engine failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    inFlight = false;
    if (dirty) void analyze();
  }
}

function applyAnalysis(result: AnalyzeResult, revisions: Map<string, number>, kumaVersion: KumaVersion): void {
  // The preview's own findings (MZS1xx at the selector, port or label; MZS2xx) join each file's
  // diagnostics: squiggles in the editor and entries in the Problems list.
  const fromPreview = new Map(result.preview.diagnostics.map((f) => [f.path, f.previewDiagnostics ?? []]));
  for (const [path, validation] of Object.entries(result.validations)) {
    const f = files.get(path);
    if (!f || revisions.get(path) !== f.revision) continue; // stale; a newer run is queued
    f.diagnostics = [
      ...validation.diagnostics,
      ...validation.documents.flatMap((d) => d.diagnostics),
      ...(fromPreview.get(path) ?? []),
    ];
    f.analyzedRevision = f.revision;
    applyDiagnostics(path);
  }
  lastPreview = withStale(result, kumaVersion);
  blocked = blockedBy(result);
  renderTabs();
  renderProblems();
  renderPreview();
}

// ---------------------------------------------------------------- stale, never absent

/**
 * The preview with the last good result of every MZS whose document now has errors (the core
 * leaves such documents out), so typing through an invalid state never empties the panel.
 * An MZS that is gone without an error (deleted, renamed) is dropped.
 *
 * So is a last good result computed for another Kuma release than `version`, the one this
 * analysis used. Switching releases is a question ("what does 3.0 compute?"), and another
 * release's answer (a kafka port 3.0 refuses, a 2.x-only warning) is wrong for it however it is
 * labelled; dropped, the MZS is out of the preview as on a fresh load of the same text and
 * release, and the panel names its errors instead.
 */
function withStale(result: AnalyzeResult, version: KumaVersion): PreviewResult {
  const preview = result.preview;
  const fresh = allMzs(preview);
  for (const m of fresh) lastGood.set(m.key, { path: fileOfMzs(result, m), version, zones: new Map() });
  for (const zone of preview.zones) {
    for (const m of zone.multiZoneServices) lastGood.get(mzsKey(m))?.zones.set(zone.zone, m);
  }
  const freshKeys = new Set(fresh.map((m) => m.key));
  const next = new Map<string, string>();
  for (const [key, good] of lastGood) {
    if (freshKeys.has(key)) continue;
    const reason = good.version === version ? staleReason(result, key, good.path) : undefined;
    if (reason) next.set(key, reason);
    else lastGood.delete(key);
  }
  staleReasons = next;
  if (!next.size) return preview;
  const zones = preview.zones.map((z) => ({
    zone: z.zone,
    multiZoneServices: [
      ...z.multiZoneServices,
      ...[...next.keys()].flatMap((key) => {
        const m = lastGood.get(key)?.zones.get(z.zone);
        return m ? [m] : [];
      }),
    ],
  }));
  return { ...preview, zones };
}

const MZS_KIND = "MeshMultiZoneService";
// The core gives every mesh-scoped document its mesh (the default one when the text omits it).
const keyOfDoc = (d: CheckedDocument) => mzsKey({ mesh: d.mesh ?? "", name: d.name ?? "" });

/** The file that holds the MZS `m` (the first with a document of that kind, mesh and name). */
function fileOfMzs(result: AnalyzeResult, m: { key: string }): string | undefined {
  return Object.entries(result.validations).find(([, v]) =>
    v.documents.some((d) => d.kind === MZS_KIND && keyOfDoc(d) === m.key),
  )?.[0];
}

/**
 * Why the MZS `key`, last seen in `path`, is out of the preview, as something to do ("fix 1 error
 * at global.yaml:18"): its document has errors, or its file has errors that hide which documents
 * it holds (a YAML syntax error). Undefined when it is simply gone.
 */
function staleReason(result: AnalyzeResult, key: string, path: string | undefined): string | undefined {
  const where = (file: string, errors: Diagnostic[]) => {
    const first = errors[0];
    if (!first) return undefined;
    return `fix ${errors.length} error${errors.length === 1 ? "" : "s"} at ${file}:${first.range.start.line}`;
  };
  const isError = (d: Diagnostic) => d.severity === "error";
  // The core's own account of what it left out, when the package gives one.
  const skipped = result.preview.skipped?.find(
    (r) => r.kind === MZS_KIND && mzsKey({ mesh: r.mesh, name: r.name }) === key,
  );
  if (skipped) return skipped.reason;
  for (const [file, v] of Object.entries(result.validations)) {
    const doc = v.documents.find((d) => d.kind === MZS_KIND && keyOfDoc(d) === key && d.diagnostics.some(isError));
    if (doc) return where(file, doc.diagnostics.filter(isError));
  }
  const v = path === undefined ? undefined : result.validations[path];
  if (!v || path === undefined) return undefined;
  // Errors in the file that leave a document without a readable kind or name (or outside any).
  const unreadable = [
    ...v.diagnostics,
    ...v.documents.filter((d) => d.kind === null || (d.kind === MZS_KIND && d.name === null)).flatMap((d) => d.diagnostics),
  ].filter(isError);
  return where(path, unreadable);
}

/** An MZS (or a file's unreadable part) the preview leaves out until its errors are fixed. */
interface Blocked {
  /** The MZS's name; undefined for errors that hide which documents a file holds. */
  name: string | undefined;
  path: string;
  errors: number;
  /** Where the first error is. */
  first: Range;
}

/**
 * What keeps MeshMultiZoneServices out of the preview: each MZS whose document has errors (the
 * core's `skipped`, or the documents' own errors with a package that lacks it), and errors that
 * leave a file's documents unreadable (a YAML syntax error). The empty preview names them,
 * instead of saying the workspace has no MZS.
 */
function blockedBy(result: AnalyzeResult): Blocked[] {
  const isError = (d: Diagnostic) => d.severity === "error";
  const out: Blocked[] = [];
  const skipped = result.preview.skipped?.filter((r) => r.kind === MZS_KIND);
  for (const r of skipped ?? []) {
    const first = r.firstError ?? result.validations[r.path]?.documents.find((d) => d.kind === MZS_KIND && d.name === r.name)?.diagnostics.find(isError)?.range;
    if (first) out.push({ name: r.name, path: r.path, errors: r.errors ?? 1, first });
  }
  for (const [path, v] of Object.entries(result.validations)) {
    const docs = v.documents.filter((d) => (d.kind === MZS_KIND && (!skipped || d.name === null)) || d.kind === null);
    for (const d of docs) {
      const errors = d.diagnostics.filter(isError);
      const first = errors[0];
      if (first) out.push({ name: d.kind === MZS_KIND ? d.name ?? undefined : undefined, path, errors: errors.length, first: first.range });
    }
    const fileErrors = v.diagnostics.filter(isError);
    const first = fileErrors[0];
    if (first) out.push({ name: undefined, path, errors: fileErrors.length, first: first.range });
  }
  return out;
}

function renderBlocked(b: Blocked): HTMLElement {
  const errors = `${b.errors} error${b.errors === 1 ? "" : "s"}`;
  const at = `${b.path}:${b.first.start.line}`;
  const them = b.errors === 1 ? "it" : "them";
  return h(
    "li",
    { "data-path": b.path, "data-line": b.first.start.line },
    b.name === undefined ? `${b.path} has ${errors} at ` : `${b.name} has ${errors} at `,
    h("button", { type: "button", class: "link", "aria-label": `${at}: go to the error`, onclick: () => reveal(b.path, b.first) }, at),
    b.name === undefined ? `; fix ${them} to see what the file holds.` : `; fix ${them} to see its preview.`,
  );
}

// ---------------------------------------------------------------- problems list

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

function renderProblems(): void {
  const all = ws.files.flatMap((f) => (files.get(f.path)?.diagnostics ?? []).map((d) => ({ path: f.path, d })));
  // The preview repeats each file's diagnostics; keep only ones validate did not report.
  const same = (a: { path: string; d: Diagnostic }, path: string, d: Diagnostic) =>
    a.path === path && a.d.code === d.code && a.d.message === d.message && a.d.range.start.offset === d.range.start.offset;
  const extra = (lastPreview?.diagnostics ?? []).flatMap((f) =>
    f.diagnostics.filter((d) => !all.some((a) => same(a, f.path, d))).map((d) => ({ path: f.path, d })),
  );
  const list = byId("problem-list");
  const items = [...all, ...extra];
  // As editors list problems: errors first, then warnings, then info; by position within each.
  // An error after hundreds of warnings must not be the last entry.
  items.sort(
    (a, b) =>
      SEVERITY_ORDER[a.d.severity] - SEVERITY_ORDER[b.d.severity] ||
      ws.files.findIndex((f) => f.path === a.path) - ws.files.findIndex((f) => f.path === b.path) ||
      a.d.range.start.line - b.d.range.start.line ||
      a.d.range.start.character - b.d.range.start.character,
  );
  list.replaceChildren(
    ...items.map(({ path, d }) =>
      h(
        "li",
        { class: `problem ${d.severity}`, "data-path": path, "data-line": d.range.start.line, "data-code": d.code },
        h(
          "button",
          { type: "button", onclick: () => reveal(path, d.range) },
          h("span", { class: "sev" }, d.severity),
          ` ${path || "workspace"}:${d.range.start.line}:${d.range.start.column} `,
          d.field ? h("code", {}, d.field) : null,
          d.field ? " " : "",
          d.message,
          zonesOf(d).length ? h("span", { class: "zones" }, ` (${zonesOf(d).length === 1 ? "zone" : "zones"} ${zonesOf(d).join(", ")})`) : null,
          h("span", { class: "code" }, ` [${d.code}]`),
          // The core's "likely a version mismatch" hint: another Kuma release accepts this field.
          d.hint ? h("span", { class: "hint" }, `hint: ${d.hint}`) : null,
        ),
        d.fix && files.has(path)
          ? h("button", { type: "button", class: "fix", onclick: () => fixFromList(path, d) }, `Fix: ${d.fix.title}`)
          : null,
      ),
    ),
  );
  const count = (s: string) => items.filter((i) => i.d.severity === s).length;
  const errors = count("error");
  const warnings = count("warning");
  const infos = count("info");
  const parts = [`${errors} error${errors === 1 ? "" : "s"}`, `${warnings} warning${warnings === 1 ? "" : "s"}`];
  if (infos) parts.push(`${infos} info`);
  setStatus("problem-count", parts.join(", "));
  byId("problems-empty").hidden = items.length > 0;
}

/** The zones whose preview gives a preview diagnostic (issue 16's `zones`; none on check diagnostics). */
function zonesOf(d: Diagnostic): string[] {
  const zones = (d as { zones?: unknown }).zones;
  return Array.isArray(zones) ? zones.filter((z): z is string => typeof z === "string") : [];
}

function fixFromList(path: string, d: Diagnostic): void {
  activate(path);
  applyFix(view, d);
  view.focus();
}

/** Live regions speak on every change, so only touch them when the text really changes. */
function setStatus(id: string, text: string): void {
  const el = byId(id);
  if (el.textContent !== text) el.textContent = text;
}

function reveal(path: string, range: Range): void {
  if (!files.has(path)) return;
  activate(path);
  const { from, to } = toSpan(view.state.doc, range);
  view.dispatch({ selection: { anchor: from, head: to }, effects: View.scrollIntoView(from, { y: "center" }) });
  view.focus();
}

// ---------------------------------------------------------------- preview panel

function renderPreview(): void {
  const preview = lastPreview;
  if (!preview) return;
  const select = byId<HTMLSelectElement>("mzs-select");
  const services = allMzs(preview);
  if (!ws.mzs || !services.some((m) => m.key === ws.mzs)) ws.mzs = services[0]?.key;
  select.replaceChildren(
    ...services.map((m) =>
      h(
        "option",
        { value: m.key, selected: m.key === ws.mzs },
        `${m.name} (mesh ${m.mesh})${staleReasons.has(m.key) ? " — stale" : ""}`,
      ),
    ),
  );
  select.disabled = services.length === 0;
  // No MZS to preview (none yet, or each has errors): an empty MZS list, an empty Port list and
  // zone-down boxes that change nothing would only be in the way, so they are not shown.
  byId("mzs-picker").hidden = services.length === 0;
  byId("traffic").hidden = services.length === 0;

  const zoneNames = preview.zones.map((z) => z.zone);
  const find = (zone: string): MzsPreview | undefined =>
    preview.zones.find((z) => z.zone === zone)?.multiZoneServices.find((m) => mzsKey(m) === ws.mzs);

  const cards = byId("zone-cards");
  const blockedNote = byId("preview-blocked");
  const isBlocked = !services.length && blocked.length > 0;
  blockedNote.hidden = !isBlocked;
  blockedNote.replaceChildren(
    ...(isBlocked ? [h("p", {}, "No preview yet:"), h("ul", {}, blocked.map(renderBlocked))] : []),
  );
  if (isBlocked) {
    cards.replaceChildren(h("p", { class: "muted" }, "Fix the errors named above to see what each zone computes."));
  } else if (!services.length) {
    cards.replaceChildren(
      h("p", { class: "muted" }, "No MeshMultiZoneService in the workspace yet. Write one in the global file or load an example."),
    );
  } else {
    cards.replaceChildren(...zoneNames.map((z) => renderZoneCard(z, find(z))));
  }
  const stale = ws.mzs ? staleReasons.get(ws.mzs) : undefined;
  const note = byId("preview-stale");
  note.hidden = !stale;
  note.textContent = stale ? `Stale (the last good result is shown): ${stale}.` : "";
  byId("preview").classList.toggle("stale", Boolean(stale));
  renderTraffic(zoneNames, find);
  void renderExplain();
}

async function renderExplain(): Promise<void> {
  const details = byId<HTMLDetailsElement>("explain");
  if (!details.open) return;
  const current = snapshot();
  try {
    const text = await client.call({
      op: "explain",
      files: current.files,
      options: { kumaVersion: ws.kumaVersion, zones: workspaceZones(ws), downZones: ws.downZones },
    });
    byId("explain-text").textContent = text;
  } catch (error) {
    byId("explain-text").textContent = `explain failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function renderTraffic(zoneNames: string[], find: (zone: string) => MzsPreview | undefined): void {
  const clientSelect = byId<HTMLSelectElement>("client-zone");
  if (!ws.clientZone || !zoneNames.includes(ws.clientZone)) ws.clientZone = zoneNames[0];
  clientSelect.replaceChildren(...zoneNames.map((z) => h("option", { value: z, selected: z === ws.clientZone }, z)));

  const mzs = ws.clientZone ? find(ws.clientZone) : undefined;
  const traffic = mzs?.traffic ?? [];
  const ports = traffic.map((t) => t.sectionName);
  if (!ws.port || !ports.includes(ws.port)) ws.port = ports[0];
  const portSelect = byId<HTMLSelectElement>("port-select");
  portSelect.replaceChildren(
    ...traffic.map((t) =>
      h(
        "option",
        { value: t.sectionName, selected: t.sectionName === ws.port },
        t.sectionName === String(t.port) ? t.sectionName : `${t.sectionName} (${t.port})`,
      ),
    ),
  );
  portSelect.disabled = ports.length === 0;

  const down = new Set(ws.downZones);
  const downBox = byId("down-zones");
  keepFocus(downBox, () => downBox.replaceChildren(
    h("legend", {}, "Take a zone down"),
    ...zoneNames.map((z) =>
      h(
        "label",
        { class: "toggle" },
        h("input", {
          type: "checkbox",
          name: "down",
          value: z,
          checked: down.has(z),
          "data-focus-key": `down:${z}`,
          onchange: (e: Event) => {
            const on = (e.target as HTMLInputElement).checked;
            ws.downZones = on ? [...new Set([...ws.downZones, z])] : ws.downZones.filter((d) => d !== z);
            scheduleAnalyze(0);
            scheduleHashUpdate();
          },
        }),
        ` ${z} down`,
      ),
    ),
  ));

  const chart = byId("chart");
  const entry = traffic.find((t) => t.sectionName === ws.port);
  if (!entry || !ws.clientZone) {
    chart.replaceChildren(h("p", { class: "muted" }, "No traffic to show: pick an MZS with ports."));
    return;
  }
  const chartZones = [...new Set([...zoneNames, ...Object.keys(entry.shares)])];
  chart.replaceChildren(
    renderChart({
      clientZone: ws.clientZone,
      port: ws.port ?? "",
      shares: entry.shares,
      zones: chartZones,
      down,
      width: chart.clientWidth || undefined,
    }),
  );
  setStatus("traffic-status", byId("chart-summary").textContent ?? "");
  chart.append(renderTrafficDetails(entry));
}

// ---------------------------------------------------------------- share and export

let hashTimer: ReturnType<typeof setTimeout> | undefined;

let hashGeneration = 0;

function scheduleHashUpdate(): void {
  clearTimeout(hashTimer);
  const generation = ++hashGeneration;
  // Tests wait for this flag to clear instead of sleeping.
  document.body.dataset.hashPending = "1";
  hashTimer = setTimeout(() => {
    void updateHash().finally(() => {
      if (generation === hashGeneration) delete document.body.dataset.hashPending;
    });
  }, 300);
}

async function updateHash(): Promise<string> {
  const hash = await encodeWorkspace(snapshot());
  try {
    history.replaceState(null, "", hash);
  } catch {
    // Browsers throttle replaceState; the next edit or the Share button tries again.
  }
  return location.href;
}

/** Write the current workspace into the current history entry now (not after the debounce). */
async function replaceHashNow(): Promise<void> {
  clearTimeout(hashTimer);
  hashGeneration++;
  await updateHash();
  delete document.body.dataset.hashPending;
}

/** Open an example in a new history entry, so Back returns to the work it replaced. */
async function openExample(next: Workspace): Promise<void> {
  await replaceHashNow();
  history.pushState(null, "", await encodeWorkspace(next));
  loadWorkspace(next, true);
}

async function share(): Promise<void> {
  const url = await updateHash();
  const out = byId<HTMLInputElement>("share-url");
  out.value = url;
  byId("share-box").hidden = false;
  let message = "Link copied to the clipboard.";
  try {
    await navigator.clipboard.writeText(url);
  } catch {
    message = "Copy the link from the box.";
  }
  byId("share-status").textContent = message;
  out.select();
}

async function openExport(): Promise<void> {
  const { EXPORT_FORMATS, exportWorkspace } = await import("./export");
  const dialog = byId<HTMLDialogElement>("export-dialog");
  const output = byId<HTMLTextAreaElement>("export-text");
  const formats = byId("export-formats");
  const show = (id: (typeof EXPORT_FORMATS)[number]["id"]) => {
    output.value = exportWorkspace(snapshot().files, id);
    output.dataset.format = id;
    for (const b of formats.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.format === id));
  };
  formats.replaceChildren(
    ...EXPORT_FORMATS.map((f) =>
      h("button", { type: "button", "data-format": f.id, "aria-pressed": "false", onclick: () => show(f.id) }, f.title),
    ),
  );
  byId("export-copy").onclick = async () => {
    try {
      await navigator.clipboard.writeText(output.value);
      byId("export-status").textContent = "Copied.";
    } catch {
      output.select();
      byId("export-status").textContent = "Press Ctrl+C to copy the selected text.";
    }
  };
  byId("export-download").onclick = () => {
    const format = EXPORT_FORMATS.find((f) => f.id === output.dataset.format) ?? EXPORT_FORMATS[0];
    const a = h("a", { href: URL.createObjectURL(new Blob([output.value], { type: "text/plain" })), download: format?.file ?? "export.txt" });
    a.click();
    URL.revokeObjectURL(a.href);
  };
  byId("export-status").textContent = "";
  show("kumactl");
  dialog.showModal();
}

// ---------------------------------------------------------------- start

/** Keeps the page loadable offline (network first, cache as fallback; see sw.js). */
function registerServiceWorker(): void {
  if (!("serviceWorker" in navigator) || !window.isSecureContext) return;
  navigator.serviceWorker.register("./sw.js").catch(() => undefined);
}

async function initialWorkspace(): Promise<Workspace> {
  const fromUrl = await decodeWorkspace(location.hash);
  if (fromUrl) return fromUrl;
  const example = EXAMPLES.find((e) => e.id === DEFAULT_EXAMPLE) ?? EXAMPLES[0];
  if (!example) throw new Error("no examples");
  return example.workspace();
}

async function start(): Promise<void> {
  // The skip link moves focus only: following its href would put "#editor" in the address bar in
  // place of the workspace (a reload would lose the work) and add a history entry.
  byId("skip-to-editor").onclick = (e) => {
    e.preventDefault();
    view?.focus();
  };
  const exampleSelect = byId<HTMLSelectElement>("example");
  exampleSelect.replaceChildren(
    h("option", { value: "" }, "Load an example…"),
    ...EXAMPLES.map((e) => h("option", { value: e.id }, e.title)),
  );
  exampleSelect.onchange = () => {
    const example = EXAMPLES.find((e) => e.id === exampleSelect.value);
    exampleSelect.value = "";
    if (!example) return;
    if (!pristine && !confirm(`Load the example "${example.title}" in place of your edited files? Back in the browser brings them back.`)) {
      return;
    }
    void openExample(example.workspace());
  };
  byId<HTMLSelectElement>("kuma-version").onchange = (e) => {
    ws.kumaVersion = (e.target as HTMLSelectElement).value as KumaVersion;
    scheduleAnalyze(0);
    scheduleHashUpdate();
  };
  byId<HTMLSelectElement>("mzs-select").onchange = (e) => {
    ws.mzs = (e.target as HTMLSelectElement).value;
    renderPreview();
    scheduleHashUpdate();
  };
  byId<HTMLSelectElement>("client-zone").onchange = (e) => {
    ws.clientZone = (e.target as HTMLSelectElement).value;
    renderPreview();
    scheduleHashUpdate();
  };
  byId<HTMLSelectElement>("port-select").onchange = (e) => {
    ws.port = (e.target as HTMLSelectElement).value;
    renderPreview();
    scheduleHashUpdate();
  };
  byId<HTMLFormElement>("add-zone").onsubmit = (e) => {
    e.preventDefault();
    const input = byId<HTMLInputElement>("new-zone");
    const error = addZone(input.value.trim());
    byId("add-zone-error").textContent = error ?? "";
    if (!error) input.value = "";
  };
  byId("new-zone").oninput = () => (byId("add-zone-error").textContent = "");
  byId("remove-zone").onclick = () => removeZone(ws.active);
  byId("explain").addEventListener("toggle", () => void renderExplain());
  byId("share").onclick = () => void share();
  byId("export-open").onclick = () => void openExport();
  byId("export-close").onclick = () => byId<HTMLDialogElement>("export-dialog").close();
  // The chart is drawn for the width it has (so its labels never scale down): redraw on resize.
  let resizeTimer: ReturnType<typeof setTimeout> | undefined;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => renderPreview(), 100);
  });
  // Back and Forward: a pending debounced write must not land in the entry we arrive at.
  window.addEventListener("popstate", () => {
    clearTimeout(hashTimer);
    delete document.body.dataset.hashPending;
  });
  window.addEventListener("hashchange", async () => {
    const next = await decodeWorkspace(location.hash);
    if (next && JSON.stringify(next) !== JSON.stringify(snapshot())) loadWorkspace(next);
  });

  const first = await initialWorkspace();
  view = new View({ parent: byId("editor") });
  loadWorkspace(first, !location.hash);
  client.call({ op: "version" }).then(
    (v) => (byId("engine-version").textContent = `kuma-mzs ${v}`),
    () => undefined,
  );
}

void start();
