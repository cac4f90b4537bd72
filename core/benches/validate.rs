//! `check()` on a typical MeshMultiZoneService document (about 1 KB), as YAML and as JSON.
//! Goal: under 20 µs per document natively (BENCHMARKS.md, section core).

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use kuma_mzs_core::{check, CheckOptions};

const YAML: &str = r#"# The payments backend, served from every zone that runs it.
type: MeshMultiZoneService
name: payments-backend
mesh: default
labels:
  team: payments
  kuma.io/origin: global
  app.kubernetes.io/part-of: checkout
spec:
  selector:
    meshService:
      matchLabels:
        kuma.io/display-name: payments-backend
        k8s.kuma.io/namespace: payments
        app.kubernetes.io/version: v2
  ports:
  - port: 80
    name: http
    appProtocol: http
  - port: 443
    name: https
    appProtocol: http2
  - port: 9090
    name: grpc-admin
    appProtocol: grpc
  - port: 5432
    name: postgres
    appProtocol: tcp
  - port: 6379
    name: redis
  - port: 8080
    name: http-alt
    appProtocol: http
  - port: 8443
    name: https-alt
    appProtocol: http2
  - port: 9000
    name: metrics
    appProtocol: http
  - port: 9901
    name: envoy-admin
    appProtocol: http
  - port: 15000
    name: debug
    appProtocol: tcp
  - port: 27017
    name: mongo
    appProtocol: tcp
  - port: 11211
    name: memcached
    appProtocol: tcp
"#;

fn json() -> String {
    let checked = check(YAML, &CheckOptions::default());
    let r = checked.documents[0].resource.clone();
    let r = r.map(|r| {
        serde_json::json!({
            "type": "MeshMultiZoneService",
            "name": r.meta.name,
            "mesh": r.meta.mesh,
            "labels": r.meta.labels,
            "spec": r.spec.to_json(),
        })
    });
    serde_json::to_string_pretty(&r.unwrap_or_default()).unwrap_or_default()
}

fn bench(c: &mut Criterion) {
    let options = CheckOptions::default();
    assert!(!check(YAML, &options).has_errors());
    let json = json();
    assert!(!check(&json, &options).has_errors());

    let mut group = c.benchmark_group("check");
    group.throughput(Throughput::Bytes(YAML.len() as u64));
    group.bench_function("mzs_yaml_1k", |b| {
        b.iter(|| check(black_box(YAML), black_box(&options)))
    });
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function("mzs_json", |b| {
        b.iter(|| check(black_box(&json), black_box(&options)))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
