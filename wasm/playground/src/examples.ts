// Ready-made workspaces. Each one is what a user could have typed.
import { GLOBAL_FILE, type Workspace, zoneFile } from "./workspace";

export interface Example {
  id: string;
  title: string;
  workspace: () => Workspace;
}

// Store names are unique across zones (Kuma's global renames the copies it syncs), so each zone's
// MeshService gets a "-<zone>" suffix; kuma.io/display-name carries the name users know.
// Named as in the zone: Kuma 3.0 sets the display-name label to the name on every write, so the
// MZS's display-name selector matches the same name in every zone.
function meshService(name: string, zone: string, ports: string, extra = ""): string {
  return `# Selects its proxies by dataplaneLabels (Kuma 2.14 and later; on 2.9-2.13 Kuma ignores
# it: write dataplaneTags: {app: ${name}} there instead).
type: MeshService
name: ${name}
mesh: default
labels:
  kuma.io/origin: zone
  kuma.io/zone: ${zone}${extra}
spec:
  selector:
    dataplaneLabels:
      matchLabels:
        app: ${name}
  state: Available
  ports:
${ports}`;
}

const REDIS_MZS = `# Kuma docs: one "redis" reachable from every zone, as redis.mzsvc.mesh.local.
# Written in the Kubernetes shape; the global control plane owns it.
apiVersion: kuma.io/v1alpha1
kind: MeshMultiZoneService
metadata:
  name: redis
  namespace: kuma-system
  labels:
    kuma.io/mesh: default
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: redis
        k8s.kuma.io/namespace: redis-system
  ports:
  - port: 6379
    appProtocol: tcp
`;

const redisPorts = `  - port: 6379
    targetPort: 6379
    appProtocol: tcp
`;

function redis(): Workspace {
  const ns = "\n  k8s.kuma.io/namespace: redis-system";
  return {
    kumaVersion: "3.0",
    active: GLOBAL_FILE,
    downZones: [],
    clientZone: "east",
    files: [
      { path: GLOBAL_FILE, text: REDIS_MZS },
      { path: zoneFile("east"), text: meshService("redis", "east", redisPorts, ns) },
      { path: zoneFile("west"), text: meshService("redis", "west", redisPorts, ns) },
    ],
  };
}

const backendPorts = `  - name: http
    port: 80
    targetPort: 8080
    appProtocol: http
`;

function failover(): Workspace {
  const global = `# "backend" runs in three zones. Clients prefer their own zone; when it is down,
# they fail over to us-west only, and only when that is down too, to any zone.
type: MeshMultiZoneService
name: backend
mesh: default
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: backend
  ports:
  - name: http
    port: 80
    appProtocol: http
---
type: MeshLoadBalancingStrategy
name: backend-failover
mesh: default
spec:
  targetRef:
    kind: Mesh
  to:
  - targetRef:
      kind: MeshMultiZoneService
      labels:
        kuma.io/display-name: backend
    default:
      localityAwareness:
        crossZone:
          failover:
          - to:
              type: Only
              zones: [us-west]
          - to:
              type: Any
`;
  return {
    kumaVersion: "3.0",
    active: GLOBAL_FILE,
    downZones: [],
    clientZone: "us-east",
    files: [
      { path: GLOBAL_FILE, text: global },
      { path: zoneFile("us-east"), text: meshService("backend", "us-east", backendPorts) },
      { path: zoneFile("us-west"), text: meshService("backend", "us-west", backendPorts) },
      { path: zoneFile("eu-central"), text: meshService("backend", "eu-central", backendPorts) },
    ],
  };
}

function brokenSelector(): Workspace {
  const global = `# Three mistakes that Kuma accepts silently:
# "payments" selects display name "payment" (no s), so it matches nothing in any zone;
# "orders" names its port "grpc-api" but the MeshServices call it "grpc" (Kuma 3.0 pairs
#   ports by name; 2.x pairs them by number, so only 3.0 shows this one);
# the "by-tier" HostnameGenerator gives both MZS the same hostname: a collision.
type: MeshMultiZoneService
name: payments
mesh: default
labels:
  tier: backend
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: payment
  ports:
  - port: 8443
    appProtocol: http2
---
type: MeshMultiZoneService
name: orders
mesh: default
labels:
  tier: backend
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: orders
  ports:
  - name: grpc-api
    port: 9090
    appProtocol: grpc
---
type: HostnameGenerator
name: by-tier
spec:
  template: '{{ label "tier" }}.{{ .Mesh }}.mesh.local'
  selector:
    meshMultiZoneService:
      matchLabels:
        tier: backend
`;
  const zone = (z: string) =>
    meshService("payments", z, "  - port: 8443\n    appProtocol: http2\n") +
    "---\n" +
    meshService("orders", z, "  - name: grpc\n    port: 9090\n    appProtocol: grpc\n");
  return {
    kumaVersion: "3.0",
    active: GLOBAL_FILE,
    downZones: [],
    clientZone: "east",
    files: [
      { path: GLOBAL_FILE, text: global },
      { path: zoneFile("east"), text: zone("east") },
      { path: zoneFile("west"), text: zone("west") },
    ],
  };
}

export const EXAMPLES: Example[] = [
  { id: "redis", title: "redis in east and west (Kuma docs)", workspace: redis },
  { id: "failover", title: "3-zone failover (MeshLoadBalancingStrategy)", workspace: failover },
  { id: "broken-selector", title: "Broken selector and port names", workspace: brokenSelector },
];

export const DEFAULT_EXAMPLE = "redis";
