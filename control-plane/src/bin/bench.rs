//! `kuma-local-bench`: a bounded load test on loopback. Starts a global and one zone in this
//! process (memory store, status engine on), then measures over HTTP:
//! 1. PUT of N MeshServices on the zone (synced to global),
//! 2. PUT of M MeshMultiZoneServices on global (synced to the zone, status computed there),
//! 3. GET of MZS on global and zone for a fixed time,
//! 4. status latency: a new MeshService until the zone's MZS status lists it, and until the
//!    MeshService's own status shows its VIP.
//!
//! Prints a Markdown table (the BENCHMARKS.md rows).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use kuma_local::server::{Config, Topology};

#[derive(Parser)]
struct Args {
    /// MeshMultiZoneServices to create.
    #[arg(long, default_value_t = 10_000)]
    mzs: usize,
    /// MeshServices to create.
    #[arg(long, default_value_t = 100_000)]
    mesh_services: usize,
    /// Client threads.
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Seconds of GET load.
    #[arg(long, default_value_t = 10)]
    get_seconds: u64,
    /// Status latency samples.
    #[arg(long, default_value_t = 20)]
    samples: usize,
    /// Persist to SQLite here (every write fsynced before it is acknowledged).
    #[arg(long)]
    data_dir: Option<std::path::PathBuf>,
}

struct Stats {
    count: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
    errors: usize,
}

impl Stats {
    fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let index = ((self.latencies.len() as f64 * p).ceil() as usize)
            .saturating_sub(1)
            .min(self.latencies.len() - 1);
        self.latencies[index]
    }

    fn row(&self, what: &str) -> String {
        format!(
            "| {what} | {} | {:.0} | {:.2} | {:.2} | {} |",
            self.count,
            self.count as f64 / self.elapsed.as_secs_f64(),
            self.percentile(0.50).as_secs_f64() * 1000.0,
            self.percentile(0.99).as_secs_f64() * 1000.0,
            self.errors
        )
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent()
}

/// Run `total` requests (or until `deadline`) over `threads` threads; `request(i)` returns
/// whether it succeeded.
fn drive(
    threads: usize,
    total: Option<usize>,
    deadline: Option<Duration>,
    request: impl Fn(&ureq::Agent, usize) -> bool + Send + Sync + 'static,
) -> Stats {
    let request = Arc::new(request);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let request = request.clone();
            let next = next.clone();
            std::thread::spawn(move || {
                let agent = agent();
                let mut latencies = Vec::new();
                let mut errors = 0;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if total.is_some_and(|t| i >= t)
                        || deadline.is_some_and(|d| started.elapsed() >= d)
                    {
                        break;
                    }
                    let t = Instant::now();
                    if !request(&agent, i) {
                        errors += 1;
                    }
                    latencies.push(t.elapsed());
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut latencies = Vec::new();
    let mut errors = 0;
    for handle in handles {
        if let Ok((l, e)) = handle.join() {
            latencies.extend(l);
            errors += e;
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Stats {
        count: latencies.len(),
        elapsed,
        latencies,
        errors,
    }
}

fn put(agent: &ureq::Agent, url: &str, token: &str, body: String) -> bool {
    match agent
        .put(url)
        .header("Authorization", &format!("Bearer {token}"))
        .header("Content-Type", "application/json")
        .send(body)
    {
        Ok(r) if r.status() == 200 || r.status() == 201 => true,
        Ok(mut r) => {
            let text = r.body_mut().read_to_string().unwrap_or_default();
            eprintln!("PUT {url}: {} {text}", r.status());
            false
        }
        Err(e) => {
            eprintln!("PUT {url}: {e}");
            false
        }
    }
}

fn get(agent: &ureq::Agent, url: &str, token: &str) -> Option<serde_json::Value> {
    let mut response = agent
        .get(url)
        .header("Authorization", &format!("Bearer {token}"))
        .call()
        .ok()?;
    if response.status() != 200 {
        return None;
    }
    response.body_mut().read_json().ok()
}

fn main() -> Result<(), String> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let running = runtime
        .block_on(kuma_local::start(Config {
            topology: Topology::All {
                zones: vec!["east".to_owned()],
            },
            port: 0,
            admin_token: Some("bench".to_owned()),
            data_dir: args.data_dir.clone(),
            ..Config::default()
        }))
        .map_err(|e| e.to_string())?;
    let global = running.info.global.clone().unwrap_or_default();
    let east = running.info.zones.get("east").cloned().unwrap_or_default();
    let groups = args.mzs.max(1);
    let mut rows = Vec::new();

    let url = east.clone();
    let ms = drive(
        args.concurrency,
        Some(args.mesh_services),
        None,
        move |agent, i| {
            let name = format!("ms-{i}");
            let body = serde_json::json!({
                "type": "MeshService", "name": name, "mesh": "default",
                "labels": {"app": format!("svc-{}", i % groups)},
                "spec": {"state": "Available", "ports": [{"port": 8080, "appProtocol": "http"}]}
            });
            put(
                agent,
                &format!("{url}/meshes/default/meshservices/{name}"),
                "bench",
                body.to_string(),
            )
        },
    );
    rows.push(ms.row("PUT MeshService (zone)"));

    let url = global.clone();
    let mzs = drive(args.concurrency, Some(args.mzs), None, move |agent, i| {
        let name = format!("mzs-{i}");
        let body = serde_json::json!({
            "type": "MeshMultiZoneService", "name": name, "mesh": "default",
            "spec": {"selector": {"meshService": {"matchLabels": {"app": format!("svc-{i}")}}},
                     "ports": [{"port": 8080, "appProtocol": "http"}]}
        });
        put(
            agent,
            &format!("{url}/meshes/default/meshmultizoneservices/{name}"),
            "bench",
            body.to_string(),
        )
    });
    rows.push(mzs.row("PUT MeshMultiZoneService (global)"));

    // Wait until the zone has every MZS with a status.
    let started = Instant::now();
    let probe = agent();
    let last = format!(
        "{east}/meshes/default/meshmultizoneservices/{}",
        on_zone(&format!("mzs-{}", args.mzs.saturating_sub(1)))
    );
    while get(&probe, &last, "bench")
        .is_none_or(|v| v["status"]["vips"][0]["ip"].as_str().is_none())
    {
        if started.elapsed() > Duration::from_secs(300) {
            return Err("the zone did not converge within 300 s".to_owned());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let converged = started.elapsed();

    let (g, e, n) = (global.clone(), east.clone(), args.mzs.max(1));
    let gets = drive(
        args.concurrency,
        None,
        Some(Duration::from_secs(args.get_seconds)),
        move |agent, i| {
            let name = format!("mzs-{}", (i * 7919) % n);
            let url = if i % 2 == 0 {
                format!("{g}/meshes/default/meshmultizoneservices/{name}")
            } else {
                format!(
                    "{e}/meshes/default/meshmultizoneservices/{}",
                    on_zone(&name)
                )
            };
            get(agent, &url, "bench").is_some()
        },
    );
    rows.push(gets.row("GET MeshMultiZoneService (global + zone)"));

    // Status latency: a new MeshService for mzs-0 until east's status lists it.
    let mut samples = Vec::new();
    let mut vip_samples = Vec::new();
    let probe = agent();
    for s in 0..args.samples {
        let name = format!("probe-{s}");
        let body = serde_json::json!({
            "type": "MeshService", "name": name, "mesh": "default",
            "labels": {"app": "svc-0"},
            "spec": {"state": "Available", "ports": [{"port": 8080, "appProtocol": "http"}]}
        });
        let t = Instant::now();
        if !put(
            &probe,
            &format!("{east}/meshes/default/meshservices/{name}"),
            "bench",
            body.to_string(),
        ) {
            return Err("probe PUT failed".to_owned());
        }
        let url = format!(
            "{east}/meshes/default/meshmultizoneservices/{}",
            on_zone("mzs-0")
        );
        let own = format!("{east}/meshes/default/meshservices/{name}");
        let (mut listed_after, mut vip_after) = (None, None);
        while listed_after.is_none() || vip_after.is_none() {
            if listed_after.is_none()
                && get(&probe, &url, "bench").is_some_and(|v| {
                    v["status"]["meshServices"]
                        .as_array()
                        .is_some_and(|l| l.iter().any(|m| m["name"] == name.as_str()))
                })
            {
                listed_after = Some(t.elapsed());
            }
            if vip_after.is_none()
                && get(&probe, &own, "bench")
                    .is_some_and(|v| v["status"]["vips"][0]["ip"].is_string())
            {
                vip_after = Some(t.elapsed());
            }
            if t.elapsed() > Duration::from_secs(30) {
                return Err("status did not converge within 30 s".to_owned());
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        samples.extend(listed_after);
        vip_samples.extend(vip_after);
    }
    vip_samples.sort();
    let vip_latency = Stats {
        count: vip_samples.len(),
        elapsed: vip_samples.iter().sum(),
        latencies: vip_samples,
        errors: 0,
    };
    samples.sort();
    let latency = Stats {
        count: samples.len(),
        elapsed: samples.iter().sum(),
        latencies: samples,
        errors: 0,
    };

    println!("| operation | requests | per second | p50 ms | p99 ms | errors |");
    println!("|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
    println!();
    println!(
        "Zone status for all {} MZS after the last PUT: {:.2} s. New MeshService -> zone MZS status lists it: p50 {:.1} ms, max {:.1} ms ({} samples, {} MZS x {} MeshServices in the zone).",
        args.mzs,
        converged.as_secs_f64(),
        latency.percentile(0.5).as_secs_f64() * 1000.0,
        latency.percentile(1.0).as_secs_f64() * 1000.0,
        latency.count,
        args.mzs,
        args.mesh_services,
    );
    println!(
        "New MeshService -> its own VIP in the zone's GET: p50 {:.1} ms, max {:.1} ms.",
        vip_latency.percentile(0.5).as_secs_f64() * 1000.0,
        vip_latency.percentile(1.0).as_secs_f64() * 1000.0,
    );
    runtime.block_on(running.shutdown());
    runtime.shutdown_timeout(Duration::from_secs(1));
    Ok(())
}

/// A global MZS's name on a zone (Kuma's KDS hash suffix).
fn on_zone(name: &str) -> String {
    kuma_mzs_core::api::hashed_name("default", name, &[])
}
