// The preview panel: what each zone's control plane computes for the chosen MZS.
import { h } from "./dom";
import type { Condition, MzsPreview, PortPreview, PreviewResult } from "./types";

export function mzsKey(m: { mesh: string; name: string }): string {
  return `${m.mesh}/${m.name}`;
}

/** Every MZS in the preview, by key, in first-seen order. */
export function allMzs(preview: PreviewResult): { key: string; mesh: string; name: string }[] {
  const seen = new Map<string, { key: string; mesh: string; name: string }>();
  for (const zone of preview.zones) {
    for (const m of zone.multiZoneServices) {
      const key = mzsKey(m);
      if (!seen.has(key)) seen.set(key, { key, mesh: m.mesh, name: m.name });
    }
  }
  return [...seen.values()];
}

function conditionView(c: Condition): HTMLElement {
  const ok = c.status === "True";
  return h(
    "p",
    { class: `condition ${ok ? "ok" : "bad"}`, "data-type": c.type, "data-status": c.status },
    h("span", { class: "badge" }, ok ? "✓" : "✗"),
    ` ${c.type}: ${c.status} (${c.reason})`,
    c.message ? ` — ${c.message}` : "",
  );
}

function text(value: unknown): string {
  if (typeof value === "string") return value;
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (typeof v.message === "string") return v.message;
  }
  return JSON.stringify(value);
}

function portLabel(p: PortPreview): string {
  const name = p.name && p.name !== String(p.port) ? ` "${p.name}"` : "";
  return `${p.port ?? "?"}${name} ${p.appProtocol ?? ""}`.trim();
}

function portExtras(p: PortPreview): string {
  const extra = Object.entries(p)
    .filter(([k]) => !["port", "name", "appProtocol"].includes(k))
    .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  return extra.join("; ");
}

export function renderZoneCard(zone: string, m: MzsPreview | undefined): HTMLElement {
  const card = h("section", { class: "zone-card", "data-zone": zone, "aria-label": `Zone ${zone}` });
  card.append(h("h3", {}, `Zone ${zone}`));
  if (!m) {
    card.append(h("p", { class: "muted" }, "This zone does not know this MeshMultiZoneService."));
    return card;
  }
  const st = m.status ?? {};
  for (const c of st.conditions ?? []) card.append(conditionView(c));

  const services = st.meshServices ?? [];
  card.append(
    h("h4", {}, "Matched MeshServices"),
    services.length
      ? h(
          "ul",
          { class: "matched" },
          services.map((ms) =>
            h(
              "li",
              { "data-zone": ms.zone },
              h("code", {}, ms.name),
              ms.namespace ? ` in namespace ${ms.namespace}` : "",
              ` from zone ${ms.zone || "?"}`,
              ms.mesh && ms.mesh !== m.mesh ? ` (mesh ${ms.mesh})` : "",
            ),
          ),
        )
      : h("p", { class: "muted" }, "none"),
  );

  const vips = (st.vips ?? []).map((v) => v.ip).filter(Boolean);
  card.append(
    h("h4", {}, "VIP"),
    vips.length ? h("p", { class: "vip" }, vips.map((ip) => h("code", {}, ip))) : h("p", { class: "muted" }, "none"),
  );

  const addresses = st.addresses ?? [];
  const generatorProblems = (st.hostnameGenerators ?? []).flatMap((g) =>
    (g.conditions ?? [])
      .filter((c) => c.status !== "True")
      .map((c) => ({ generator: g.hostnameGeneratorRef.coreName, c })),
  );
  card.append(
    h("h4", {}, "Hostnames"),
    addresses.length || generatorProblems.length
      ? h(
          "ul",
          { class: "hostnames" },
          addresses.map((a) =>
            h(
              "li",
              {},
              h("code", { class: "hostname" }, a.hostname ?? "?"),
              a.hostnameGeneratorRef ? ` from generator ${a.hostnameGeneratorRef.coreName}` : a.origin ? ` (${a.origin})` : "",
            ),
          ),
          generatorProblems.map(({ generator, c }) =>
            h("li", { class: "warn", "data-reason": c.reason }, `⚠ ${generator}: ${c.reason}`, c.message ? ` — ${c.message}` : ""),
          ),
        )
      : h("p", { class: "muted" }, "none"),
  );

  card.append(
    h("h4", {}, "Ports"),
    m.ports.length
      ? h(
          "ul",
          { class: "ports" },
          m.ports.map((p) => {
            const extra = portExtras(p);
            return h("li", {}, h("code", {}, portLabel(p)), extra ? ` — ${extra}` : "");
          }),
        )
      : h("p", { class: "muted" }, "none"),
  );
  if (m.warnings.length) {
    card.append(h("ul", { class: "warnings" }, m.warnings.map((w) => h("li", { class: "warn" }, `⚠ ${text(w)}`))));
  }
  return card;
}
