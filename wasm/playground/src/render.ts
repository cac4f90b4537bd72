// The preview panel: what each zone's control plane computes for the chosen MZS.
import { h } from "./dom";
import { percent } from "./chart";
import type { Condition, MzsPreview, PortPreview, PreviewResult, TrafficPreview } from "./types";

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

function portView(p: PortPreview): HTMLElement {
  const served = p.servedBy.map((s) => `${s.name}@${s.zone || "?"}:${s.port}`);
  return h(
    "li",
    { "data-section": p.sectionName },
    h("code", {}, `${p.port}/${p.appProtocol}`),
    p.sectionName !== String(p.port) ? ` "${p.sectionName}"` : "",
    served.length
      ? ` served by ${served.join(", ")}`
      : h("span", { class: "warn" }, " — no matched MeshService port serves it"),
  );
}

/** Priorities, dropped zones, failing share and the policy behind a traffic split. */
export function renderTrafficDetails(t: TrafficPreview): HTMLElement {
  const total = Object.values(t.shares).reduce((a, b) => a + b, 0);
  return h(
    "div",
    { class: "traffic-details" },
    total === 0 ? h("p", { class: "warn" }, "⚠ No zone can serve this port: every request fails.") : null,
    t.failingShare ? h("p", { class: "warn" }, `⚠ ${percent(t.failingShare)} of requests go to unhealthy endpoints (Envoy panic routing) and fail.`) : null,
    h(
      "ul",
      { class: "priorities", "aria-label": "Envoy priority levels" },
      t.priorities.map((p) =>
        h(
          "li",
          {},
          `priority ${p.priority}: ${p.zones.join(", ") || "—"} — health ${p.health} %, gets ${p.load} % of requests`,
          p.panic ? " (panic)" : "",
        ),
      ),
    ),
    t.droppedZones?.length ? h("p", {}, `Dropped by failover rules: ${t.droppedZones.join(", ")}.`) : null,
    h(
      "p",
      { class: "muted" },
      t.policy ? `MeshLoadBalancingStrategy: ${t.policy.policies.join(", ")} (${t.policy.level} rule). ` : "No MeshLoadBalancingStrategy: local zone first, then the others equally. ",
      `Overprovisioning factor ${t.overprovisioningFactor} %.`,
    ),
  );
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
    m.ports.length ? h("ul", { class: "ports" }, m.ports.map(portView)) : h("p", { class: "muted" }, "none"),
  );
  if (m.warnings.length) {
    card.append(
      h("h4", {}, "Warnings"),
      h(
        "ul",
        { class: "warnings" },
        m.warnings.map((w) =>
          h("li", { class: "warn", "data-code": w.code }, `⚠ ${w.message}`, h("span", { class: "code" }, ` [${w.code}]`)),
        ),
      ),
    );
  }
  return card;
}
