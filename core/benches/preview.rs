//! Preview engine benchmarks (results in BENCHMARKS.md, section `preview`):
//! - full status computation of one zone for 100,000 MeshServices x 10,000 MZS across 10 zones,
//!   against a naive all-pairs matching loop measured on a 1% sample of the MZS (extrapolate x100);
//! - one incremental update (a MeshService changes state);
//! - 1,000,000 VIP allocations.
//!
//! Every benchmark runs twice: with wall-clock time (criterion's default) and with the thread's
//! CPU time (`/proc/thread-self/schedstat`, Linux), because the shared 2-core CI machine is often
//! oversubscribed and wall time then mostly measures waiting for a core.

// Benchmarks sort freely: core/clippy.toml keeps `crate::sort` for the wasm build's sake only.
#![allow(clippy::disallowed_methods)]

use std::hint::black_box;
use std::time::Duration;

use criterion::measurement::{Measurement, ValueFormatter, WallTime};
use criterion::{criterion_group, criterion_main, Criterion};
use kuma_mzs_core::explain::explain_with_skipped;
use kuma_mzs_core::model::{
    Labels, MeshMultiZoneServiceSpec, MeshServicePort, MeshServiceSpec, MeshServiceState, Meta,
    MzsPort, Resource, Spec,
};
use kuma_mzs_core::preview::{Change, MzsStatusEngine, PreviewOptions};
use kuma_mzs_core::selector::mzs_matches;
use kuma_mzs_core::syntax::Limits;
use kuma_mzs_core::vips::VipAllocator;
use kuma_mzs_core::workspace::{preview_workspace, WorkspaceFile};
use kuma_mzs_core::CheckOptions;

const SERVICES: usize = 100_000;
const MZS: usize = 10_000;
const ZONES: usize = 10;
/// The naive loop runs over this many MZS; its time is multiplied by `MZS / NAIVE_SAMPLE`.
const NAIVE_SAMPLE: usize = 100;

fn labels(pairs: &[(&str, String)]) -> Labels {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn mesh_service(i: usize, state: MeshServiceState) -> Resource {
    let zone = format!("zone-{}", i / (SERVICES / ZONES));
    let display = format!("svc-{}", i % MZS);
    Resource {
        meta: Meta {
            name: format!("{display}-{zone}"),
            mesh: "default".to_owned(),
            labels: labels(&[
                ("kuma.io/display-name", display),
                ("kuma.io/zone", zone),
                ("kuma.io/mesh", "default".to_owned()),
                ("kuma.io/origin", "global".to_owned()),
                ("app", format!("app-{}", i % 1000)),
            ]),
            creation_time: None,
        },
        spec: Spec::MeshService(MeshServiceSpec {
            state: Some(state),
            selector: None,
            ports: vec![MeshServicePort {
                name: Some("http".to_owned()),
                port: 8080,
                target_port: None,
                app_protocol: Some("http".to_owned()),
            }],
            identities: None,
        }),
        status: None,
    }
}

fn mzs(j: usize) -> Resource {
    let mut spec = MeshMultiZoneServiceSpec {
        ports: vec![MzsPort {
            name: Some("http".to_owned()),
            port: 80,
            app_protocol: "http".to_owned(),
        }],
        ..MeshMultiZoneServiceSpec::default()
    };
    spec.selector.mesh_service.match_labels = Some(labels(&[
        ("kuma.io/display-name", format!("svc-{j}")),
        ("kuma.io/mesh", "default".to_owned()),
    ]));
    Resource {
        meta: Meta {
            name: format!("mzs-{j}"),
            mesh: "default".to_owned(),
            labels: Labels::new(),
            creation_time: None,
        },
        spec: Spec::MeshMultiZoneService(spec),
        status: None,
    }
}

fn universe() -> Vec<Resource> {
    let mut out: Vec<Resource> = (0..SERVICES)
        .map(|i| mesh_service(i, MeshServiceState::Available))
        .collect();
    out.extend((0..MZS).map(mzs));
    out
}

/// Kuma's status updater: every MZS against every MeshService.
/// `mzs` MZS selecting `app: svc-<i>`, and a MeshService for every third of them in each of the
/// zones east and west, as one multi-document YAML text.
fn workspace_text(mzs: usize) -> String {
    let mut text = String::new();
    for i in 0..mzs {
        text.push_str(&format!(
            "---\ntype: MeshMultiZoneService\nname: svc-{i}\nmesh: default\nspec:\n  selector:\n    meshService:\n      matchLabels:\n        app: svc-{i}\n  ports:\n  - port: 80\n    appProtocol: http\n"
        ));
    }
    for zone in ["east", "west"] {
        for i in (0..mzs).step_by(3) {
            text.push_str(&format!(
                "---\ntype: MeshService\nname: svc-{i}\nmesh: default\nlabels:\n  app: svc-{i}\n  kuma.io/origin: zone\n  kuma.io/zone: {zone}\nspec:\n  ports:\n  - port: 80\n    appProtocol: http\n"
            ));
        }
    }
    text
}

fn naive_matching(mzs: &[Resource], services: &[Resource]) -> usize {
    let mut total = 0;
    for m in mzs {
        let Spec::MeshMultiZoneService(spec) = &m.spec else {
            continue;
        };
        let selector = spec.selector_labels();
        let mut matched: Vec<String> = services
            .iter()
            .filter(|s| mzs_matches(&selector, &s.meta.labels))
            .map(|s| {
                format!(
                    "{}/{}/{}/{}",
                    s.meta.display_name(),
                    s.meta.namespace(),
                    s.meta.zone(),
                    s.meta.mesh
                )
            })
            .collect();
        matched.sort();
        total += matched.len();
    }
    total
}

/// Nanoseconds this thread has run on a CPU.
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Criterion measurement: CPU time of the benchmarking thread (formatted like wall time).
struct CpuTime(WallTime);

impl Measurement for CpuTime {
    type Intermediate = u64;
    type Value = Duration;

    fn start(&self) -> u64 {
        thread_cpu_ns()
    }

    fn end(&self, start: u64) -> Duration {
        Duration::from_nanos(thread_cpu_ns().saturating_sub(start))
    }

    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }

    fn zero(&self) -> Duration {
        Duration::ZERO
    }

    fn to_f64(&self, value: &Duration) -> f64 {
        value.as_nanos() as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        self.0.formatter()
    }
}

fn bench_wall(c: &mut Criterion) {
    bench_preview(c, "wall");
}

fn bench_cpu(c: &mut Criterion<CpuTime>) {
    bench_preview(c, "cpu");
}

fn bench_preview<M: Measurement + 'static>(c: &mut Criterion<M>, clock: &str) {
    let resources = universe();
    let options = PreviewOptions::default();

    let mut group = c.benchmark_group(format!("preview-{clock}"));
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(5));

    group.bench_function("full_zone_100k_ms_x_10k_mzs", |b| {
        b.iter(|| {
            black_box(MzsStatusEngine::with_resources(
                "zone-0",
                options.clone(),
                &resources,
            ))
        })
    });

    let services = &resources[..SERVICES];
    let sample = &resources[SERVICES..SERVICES + NAIVE_SAMPLE];
    group.bench_function("naive_all_pairs_matching_1pct_sample", |b| {
        b.iter(|| black_box(naive_matching(sample, services)))
    });

    let mut engine = MzsStatusEngine::with_resources("zone-0", options.clone(), &resources);
    let down = mesh_service(12_345, MeshServiceState::Unavailable);
    let up = mesh_service(12_345, MeshServiceState::Available);
    let mut flip = false;
    group.bench_function("incremental_mesh_service_update", |b| {
        b.iter(|| {
            flip = !flip;
            let r = if flip { down.clone() } else { up.clone() };
            black_box(engine.apply(Change::Upsert(r)))
        })
    });
    group.finish();

    // A workspace as files: 3,000 MZS, of which a third select one of 1,000 MeshServices in each
    // of two zones, so 2,000 MZS match nothing and each gets its closest miss located in the
    // text. The engine alone on the same resources is the floor: what the text adds above it is
    // reading the files, the located warnings and the explanation.
    let text = workspace_text(3_000);
    let files = [WorkspaceFile {
        path: "all.yaml",
        text: &text,
        zone: None,
    }];
    let zones = ["east".to_owned(), "west".to_owned()];
    let check_options = CheckOptions {
        limits: Limits {
            max_bytes: usize::MAX,
            ..Limits::default()
        },
        ..CheckOptions::default()
    };
    let run = preview_workspace(&files, &zones, &check_options, &options);
    let mut group = c.benchmark_group(format!("workspace-{clock}"));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("files_3k_mzs_2k_ms_preview_and_explain", |b| {
        b.iter(|| {
            let run = preview_workspace(&files, &zones, &check_options, &options);
            black_box(explain_with_skipped(&run.resources, &run.preview, &[]))
        })
    });
    group.bench_function("engine_only_same_resources_two_zones", |b| {
        b.iter(|| {
            black_box(kuma_mzs_core::preview::preview(
                &run.resources,
                &zones,
                &options,
            ))
        })
    });
    group.finish();

    let mut group = c.benchmark_group(format!("vips-{clock}"));
    group.sample_size(10);
    group.bench_function("allocate_1m", |b| {
        b.iter(|| {
            let mut allocator = VipAllocator::new(options.mzs_cidr);
            for _ in 0..1_000_000 {
                black_box(allocator.allocate().ok());
            }
            allocator.len()
        })
    });
    group.finish();
}

criterion_group!(wall_time, bench_wall);
criterion_group! {
    name = cpu_time;
    config = Criterion::default().with_measurement(CpuTime(WallTime));
    targets = bench_cpu
}
criterion_main!(wall_time, cpu_time);
