//! The simulator's own speed: generating and serving a world, and answering vCD query pages
//! (first, last, filtered and sorted, cached) — what every other bench and test stands on.
//!
//! `cargo bench --bench sim` measures 100,000 VMs; `cargo test --benches` runs a 2,000-VM smoke.

mod common;
use common::full_run;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, Sim, SimOptions};

struct Client {
    http: reqwest::Client,
    base: String,
    token: String,
}

impl Client {
    async fn login(sim: &Sim) -> Client {
        let http = reqwest::Client::new();
        let r = http
            .post(format!("{}/cloudapi/1.0.0/sessions/provider", sim.vcd_url))
            .header("accept", "application/json;version=39.0")
            .basic_auth(DEMO_USER, Some(DEMO_PASSWORD))
            .send()
            .await
            .unwrap();
        let token = r.headers()["x-vmware-vcloud-access-token"]
            .to_str()
            .unwrap()
            .to_string();
        Client {
            http,
            base: sim.vcd_url.clone(),
            token,
        }
    }

    async fn get(&self, path: &str) -> String {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("accept", "application/*+xml;version=39.0")
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.text().await.unwrap()
    }
}

fn simulator(c: &mut Criterion) {
    let vms = if full_run() { 100_000 } else { 2_000 };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    vnav::api::tls::install_crypto_provider();
    let opts = || SimOptions {
        vms,
        ..SimOptions::default()
    };
    let started = Instant::now();
    let sim = rt
        .block_on(vnav::sim::start(([127, 0, 0, 1], 0).into(), opts()))
        .unwrap();
    eprintln!(
        "REPORT sim start (generate + listen) {vms} VMs: {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );
    let client = rt.block_on(Client::login(&sim));
    let last_page = vms.div_ceil(128);
    let mut group = c.benchmark_group("sim");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(if full_run() { 5 } else { 1 }));
    group.warm_up_time(Duration::from_millis(if full_run() { 1000 } else { 100 }));
    for (label, query) in [
        ("vm first page", "type=vm&pageSize=128".to_string()),
        (
            "vm last page",
            format!("type=vm&pageSize=128&page={last_page}"),
        ),
        (
            "vm name==web* sortAsc=name",
            "type=vm&pageSize=128&filter=name==web*&sortAsc=name".to_string(),
        ),
        (
            "vm sortDesc=memoryMB",
            "type=vm&pageSize=128&sortDesc=memoryMB".to_string(),
        ),
        ("adminVM page", "type=adminVM&pageSize=128".to_string()),
        (
            "vApp status==MIXED",
            "type=vApp&pageSize=128&filter=status==MIXED".to_string(),
        ),
        ("orgVdc", "type=orgVdc&pageSize=128".to_string()),
    ] {
        let path = format!("/api/query?{query}");
        group.bench_function(format!("{label}, {vms} VMs"), |b| {
            b.iter(|| rt.block_on(client.get(&path)))
        });
    }
    group.finish();
    c.bench_function(&format!("sim generate {vms} VMs"), |b| {
        b.iter(|| vnav::sim::generate::generate(vms, 42))
    });
}

criterion_group!(benches, simulator);
criterion_main!(benches);
