// Unit tests of the export module (no browser): bundled on the fly with the playground's esbuild.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { playgroundDir } from "./harness.mjs";

const { build } = createRequire(join(playgroundDir, "package.json"))("esbuild");
// Written under the playground's node_modules so that `yaml` resolves from there.
const bundle = join(playgroundDir, "node_modules", ".cache", "export.test-bundle.mjs");
await build({
  entryPoints: [join(playgroundDir, "src", "export.ts")],
  bundle: true,
  packages: "external",
  format: "esm",
  platform: "node",
  outfile: bundle,
  logLevel: "silent",
});
const { exportWorkspace } = await import(pathToFileURL(bundle).href);

const files = [
  {
    path: "global.yaml",
    text: `type: MeshMultiZoneService
name: web
mesh: prod
labels:
  team: "a\\"b"
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: web
  ports:
  - name: http
    port: 80
    appProtocol: http
  - port: 443
    appProtocol: tcp
---
apiVersion: kuma.io/v1alpha1
kind: HostnameGenerator
metadata:
  name: by-zone
  namespace: kuma-system
spec:
  template: "{{ .DisplayName }}.\${zone}.mesh"
  selector:
    meshMultiZoneService:
      matchLabels:
        kuma.io/origin: global
---
type: MeshLoadBalancingStrategy
name: lb
mesh: prod
spec:
  targetRef: {kind: Mesh}
`,
  },
  { path: "zones/east.yaml", text: "type: MeshService\nname: web\nmesh: prod\nspec: {}\n" },
];

test("Terraform HCL has one block per MZS port, escapes strings and names what it left out", () => {
  const hcl = exportWorkspace(files, "terraform");
  assert.match(hcl, /resource "kuma_mesh_multi_zone_service" "prod_web" \{\n  mesh = "prod"\n  name = "web"\n/);
  assert.match(hcl, /labels = \{\n    "team" = "a\\"b"\n  \}/);
  assert.match(hcl, /  port \{\n    name         = "http"\n    port         = 80\n    app_protocol = "http"\n  \}/);
  assert.match(hcl, /  port \{\n    port         = 443\n    app_protocol = "tcp"\n  \}/);
  // `${` would start a Terraform interpolation; it must come out as `$${`.
  assert.match(hcl, /resource "kuma_hostname_generator" "by-zone" \{\n  name     = "by-zone"\n  template = "\{\{ \.DisplayName \}\}\.\$\$\{zone\}\.mesh"/);
  assert.match(hcl, /selector \{\n    mesh_multi_zone_service \{\n      match_labels = \{\n        "kuma\.io\/origin" = "global"/);
  assert.match(hcl, /# not exported: MeshLoadBalancingStrategy lb \(the kuma provider has no resource for it/);
  assert.match(hcl, /# not exported: zones\/east\.yaml: MeshService web/);
});

test("Kubernetes and kumactl shapes convert into each other", () => {
  const k8s = exportWorkspace(files, "kubernetes");
  assert.match(k8s, /kind: MeshMultiZoneService\nmetadata:\n  name: web\n  namespace: kuma-system\n  labels:\n    kuma\.io\/mesh: prod\n    team: a"b/);
  const universal = exportWorkspace(files, "kumactl");
  assert.match(universal, /type: HostnameGenerator\nname: by-zone\nspec:/);
  assert.doesNotMatch(universal, /type: HostnameGenerator\nname: by-zone\nmesh:/, "HostnameGenerator is global-scoped");
  assert.match(universal, /type: MeshLoadBalancingStrategy\nname: lb\nmesh: prod/);
});

test("invalid YAML is reported, not thrown", () => {
  const out = exportWorkspace([{ path: "global.yaml", text: "type: [oops\n" }], "kumactl");
  assert.match(out, /# not exported: global\.yaml: a document that is not valid YAML/);
});
