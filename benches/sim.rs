//! The simulator's own speed: generating and serving a world, and answering vCD query pages
//! (first, last, filtered and sorted, cached) — what every other bench and test stands on —
//! then one page of each product at 300,000 VMs (issue 18, target 5: each ≤ 5 ms): a vCD query
//! page of 128, a vCenter host's VM list and a vim property batch, an Aria Operations page of
//! 1,000 resources, an Orchestrator workflow page.
//!
//! `cargo bench --bench sim` measures 100,000 VMs (300,000 for the products); `cargo test
//! --benches` runs a 2,000-VM smoke.

mod common;

// Timed with the allocator the binary ships with.
vnav::shipped_allocator!();
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

/// A plain client of each product, logged in the simplest way each allows.
struct Products {
    http: reqwest::Client,
    vcenter: String,
    vc_session: String,
    vrops: String,
    vro: String,
    vro_user: &'static str,
}

impl Products {
    async fn login(sim: &Sim) -> Products {
        let http = reqwest::Client::new();
        let r = http
            .post(format!("{}/api/session", sim.vcenter_url))
            .basic_auth(vnav::sim::VCENTER_USER, Some(DEMO_PASSWORD))
            .send()
            .await
            .unwrap();
        let vc_session: String = r.json().await.unwrap();
        Products {
            http,
            vcenter: sim.vcenter_url.clone(),
            vc_session,
            vrops: sim.vrops_url.clone(),
            vro: sim.vro_url.clone(),
            vro_user: sim.vro_user(),
        }
    }

    async fn vcenter_get(&self, path: &str) -> String {
        let r = self
            .http
            .get(format!("{}{path}", self.vcenter))
            .header("vmware-api-session-id", &self.vc_session)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.text().await.unwrap()
    }

    async fn soap(&self, body: &str) -> String {
        let r = self
            .http
            .post(format!("{}/sdk", self.vcenter))
            .header("vmware-api-session-id", &self.vc_session)
            .header("content-type", "text/xml")
            .body(format!(
                r#"<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
            ))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "SOAP: {}", r.status());
        r.text().await.unwrap()
    }

    async fn vrops_get(&self, path: &str) -> Vec<u8> {
        let r = self
            .http
            .get(format!("{}/suite-api/api{path}", self.vrops))
            .header("accept", "application/json")
            .basic_auth(vnav::sim::VROPS_USER, Some(DEMO_PASSWORD))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.bytes().await.unwrap().to_vec()
    }

    async fn vro_get(&self, path: &str) -> Vec<u8> {
        let r = self
            .http
            .get(format!("{}/vco/api{path}", self.vro))
            .header("accept", "application/json")
            .basic_auth(self.vro_user, Some(DEMO_PASSWORD))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.bytes().await.unwrap().to_vec()
    }
}

/// The resident set of this process, in kB (Linux).
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

fn product_pages(c: &mut Criterion) {
    let vms = if full_run() { 300_000 } else { 2_000 };
    let rt = common::runtime();
    vnav::api::tls::install_crypto_provider();
    let before = rss_kb();
    let started = Instant::now();
    let sim = rt
        .block_on(vnav::sim::start(
            ([127, 0, 0, 1], 0).into(),
            SimOptions {
                vms,
                ..SimOptions::default()
            },
        ))
        .unwrap();
    eprintln!(
        "REPORT sim start {vms} VMs: {:.0} ms, RSS +{} MB",
        started.elapsed().as_secs_f64() * 1000.0,
        (rss_kb().saturating_sub(before)) / 1024
    );
    let vcd = rt.block_on(Client::login(&sim));
    let p = rt.block_on(Products::login(&sim));
    let world = vnav::sim::generate::generate(vms, SimOptions::default().seed);
    let host = world.vc.hosts[world.vc.hosts.len() / 2].moid.clone();
    let batch: String = (0..250u32)
        .map(|v| {
            format!(
                r#"<objectSet><obj type="VirtualMachine">{}</obj></objectSet>"#,
                vnav::sim::inventory::vm_moid(&world, v * (vms as u32 / 250))
            )
        })
        .collect();
    drop(world);
    let soap = |path: &str| {
        format!(
            r#"<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>VirtualMachine</type><pathSet>{path}</pathSet></propSet>{batch}</specSet><options/></RetrievePropertiesEx>"#
        )
    };
    let (snapshot, layout) = (soap("snapshot"), soap("layoutEx"));
    let last = vms.div_ceil(128);
    let vm_page = |page: usize| {
        format!(
            "/resources?adapterKind=VMWARE&resourceKind=VirtualMachine&page={page}&pageSize=1000"
        )
    };
    let (ops_first, ops_last) = (vm_page(0), vm_page(vms / 1000 - 1));
    let mut group = c.benchmark_group("sim pages");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(if full_run() { 4 } else { 1 }));
    group.warm_up_time(Duration::from_millis(if full_run() { 500 } else { 100 }));
    let vcd_last = format!("/api/query?type=vm&pageSize=128&page={last}");
    group.bench_function(format!("vCD vm query last page of 128, {vms} VMs"), |b| {
        b.iter(|| rt.block_on(vcd.get(&vcd_last)))
    });
    let hosts_vms = format!("/api/vcenter/vm?hosts={host}");
    group.bench_function(format!("vCenter a host's VM list, {vms} VMs"), |b| {
        b.iter(|| rt.block_on(p.vcenter_get(&hosts_vms)))
    });
    group.bench_function(
        format!("vCenter vim snapshot of 250 VMs (first page), {vms} VMs"),
        |b| b.iter(|| rt.block_on(p.soap(&snapshot))),
    );
    group.bench_function(
        format!("vCenter vim layoutEx of 250 VMs (first page), {vms} VMs"),
        |b| b.iter(|| rt.block_on(p.soap(&layout))),
    );
    group.bench_function(
        format!("Aria Operations first VM page of 1,000, {vms} VMs"),
        |b| b.iter(|| rt.block_on(p.vrops_get(&ops_first))),
    );
    group.bench_function(
        format!("Aria Operations last VM page of 1,000, {vms} VMs"),
        |b| b.iter(|| rt.block_on(p.vrops_get(&ops_last))),
    );
    group.bench_function(
        format!("Orchestrator workflow page of 500, {vms} VMs"),
        |b| b.iter(|| rt.block_on(p.vro_get("/workflows?startIndex=0&maxResult=500"))),
    );
    group.finish();
}

criterion_group!(benches, simulator, product_pages);
criterion_main!(benches);
