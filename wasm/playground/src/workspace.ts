// The workspace: a global file (MZS, HostnameGenerators, MeshLoadBalancingStrategies) and one
// file per zone (that zone's MeshServices). It is plain data so it can go into a URL.
import type { KumaVersion, WorkspaceFile } from "./types";

export const GLOBAL_FILE = "global.yaml";
const ZONE_PREFIX = "zones/";

export interface Workspace {
  kumaVersion: KumaVersion;
  files: WorkspaceFile[];
  /** Path of the file shown in the editor. */
  active: string;
  /** Preview choices. */
  clientZone?: string;
  mzs?: string;
  port?: string;
  downZones: string[];
}

export function zoneFile(zone: string): string {
  return `${ZONE_PREFIX}${zone}.yaml`;
}

export function zoneOf(path: string): string | undefined {
  if (!path.startsWith(ZONE_PREFIX) || !path.endsWith(".yaml")) return undefined;
  return path.slice(ZONE_PREFIX.length, -".yaml".length);
}

export function zones(ws: Workspace): string[] {
  return ws.files.map((f) => zoneOf(f.path)).filter((z): z is string => z !== undefined);
}

/** Kuma zone names are DNS labels; the same rule keeps file names and URLs sane. */
export function isValidZoneName(name: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name);
}

export function meshServiceTemplate(zone: string): string {
  return `# MeshServices of zone "${zone}" (Kuma creates them from your workloads).
# A zone takes a MeshService only with kuma.io/origin: zone; kuma.io/zone tells the preview
# which zone owns it. Names must be unique across zones (Kuma renames synced copies),
# kuma.io/display-name is the name selectors use.
type: MeshService
name: my-service-${zone}
mesh: default
labels:
  kuma.io/display-name: my-service
  kuma.io/origin: zone
  kuma.io/zone: ${zone}
spec:
  selector:
    dataplaneLabels:
      matchLabels:
        app: my-service
  state: Available
  ports:
  - port: 8080
    appProtocol: http
`;
}

/** The Kuma release a workspace is checked against unless it says otherwise (the core's default). */
export const DEFAULT_KUMA_VERSION: KumaVersion = "3.0";

/**
 * A shared link's version as a spelling of a release ("2.14", or "2.x" from links made when the
 * page offered only "3.0" and "2.x"). The page asks the core what release it names (settleVersion
 * in main.ts), so "2.x" opens as 2.14 and an unknown one as the default.
 */
function kumaVersionOf(value: unknown): KumaVersion {
  return typeof value === "string" && /^v?[23](\.[0-9a-z.+-]{1,24})?$/.test(value)
    ? (value as KumaVersion)
    : DEFAULT_KUMA_VERSION;
}

/** Parse a workspace from untrusted JSON (a shared link); returns undefined when it is not one. */
export function fromJson(value: unknown): Workspace | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as Record<string, unknown>;
  if (!Array.isArray(v.files)) return undefined;
  const files: WorkspaceFile[] = [];
  for (const f of v.files) {
    if (!f || typeof f !== "object") return undefined;
    const { path, text } = f as Record<string, unknown>;
    if (typeof path !== "string" || typeof text !== "string") return undefined;
    if (path !== GLOBAL_FILE && !isValidZoneName(zoneOf(path) ?? "")) return undefined;
    if (!files.some((g) => g.path === path)) files.push({ path, text });
  }
  if (!files.some((f) => f.path === GLOBAL_FILE)) files.unshift({ path: GLOBAL_FILE, text: "" });
  const str = (x: unknown) => (typeof x === "string" ? x : undefined);
  const active = str(v.active);
  return {
    kumaVersion: kumaVersionOf(v.kumaVersion),
    files,
    active: active && files.some((f) => f.path === active) ? active : GLOBAL_FILE,
    clientZone: str(v.clientZone),
    mzs: str(v.mzs),
    port: str(v.port),
    downZones: Array.isArray(v.downZones) ? v.downZones.filter((z): z is string => typeof z === "string") : [],
  };
}
