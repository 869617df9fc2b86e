//! Listing an Orchestrator's workflows at scale against the simulator with 20 ms latency per
//! request: 5,000 workflows in 200 categories, two ways. Flat (`:workflows`): the paged
//! `GET /workflows`, 500 a page, on 8.x (with a total) and 9 (total -1: one more page to find
//! the end when the count divides evenly). Tree: the root categories, then every category
//! read once (its child categories and workflows are its `down` links), level by level with
//! the levels' reads in flight together under the endpoint's concurrency limit.
//!
//! `cargo bench --bench vro_listing` measures 5,000 workflows; `cargo test --benches` runs a
//! 500-workflow, 20-category smoke. Requests and seconds are printed on stderr as `REPORT` lines.

mod common;

// Timed with the allocator the binary ships with.
vnav::shipped_allocator!();
use common::{full_run, runtime};

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use vnav::api::http::HttpOptions;
use vnav::api::model::{Node, NodeKind};
use vnav::api::vro::{PAGE_SIZE, VroBackend, VroConfig};
use vnav::api::{Backend, ChildSink};
use vnav::sim::{DEMO_PASSWORD, Sim, SimOptions, VroOptions, VroVersion};

const LATENCY_MS: u64 = 20;

fn backend(sim: &Sim) -> VroBackend {
    VroBackend::new(VroConfig {
        url: sim.vro_url.clone(),
        user: sim.vro_user().into(),
        password: DEMO_PASSWORD.to_string().into(),
        http: HttpOptions::default(),
        page_size: PAGE_SIZE,
        risks: Default::default(),
    })
    .unwrap()
}

async fn start(version: VroVersion, workflows: usize, categories: usize) -> Sim {
    vnav::api::tls::install_crypto_provider();
    let opts = SimOptions {
        vms: 200,
        latency_ms: LATENCY_MS,
        vro: VroOptions {
            version,
            workflows,
            categories,
        },
        ..SimOptions::default()
    };
    vnav::sim::start(([127, 0, 0, 1], 0).into(), opts)
        .await
        .unwrap()
}

async fn flat(b: &VroBackend) -> usize {
    let (sink, got) = ChildSink::collecting();
    b.list_kind(NodeKind::Workflow, &sink).await.unwrap();
    got.take().len()
}

async fn children(b: &VroBackend, node: &Node) -> Vec<Node> {
    let (sink, got) = ChildSink::collecting();
    b.children(node, &sink).await.unwrap();
    got.take()
}

/// Every workflow through the categories: (workflows, categories read).
async fn tree(b: &VroBackend) -> (usize, usize) {
    let mut level = children(b, &b.root()).await;
    let (mut workflows, mut categories) = (0, 0);
    while !level.is_empty() {
        categories += level.len();
        let answers = futures::future::join_all(level.iter().map(|c| children(b, c))).await;
        level = Vec::new();
        for n in answers.into_iter().flatten() {
            match n.kind {
                NodeKind::WorkflowCategory => level.push(n),
                _ => workflows += 1,
            }
        }
    }
    (workflows, categories)
}

/// Runs `f` once; returns (its answer, requests, seconds).
async fn measure<T>(sim: &Sim, f: impl std::future::Future<Output = T>) -> (T, u64, f64) {
    let before = sim.vro_request_count();
    let t = Instant::now();
    let out = f.await;
    (
        out,
        sim.vro_request_count() - before,
        t.elapsed().as_secs_f64(),
    )
}

fn vro_listing(c: &mut Criterion) {
    let (workflows, categories) = if full_run() { (5000, 200) } else { (500, 20) };
    let rt = runtime();
    let concurrency = HttpOptions::default().concurrency;
    let mut benched = None;
    for version in [VroVersion::V8, VroVersion::V9] {
        let sim = rt.block_on(start(version, workflows, categories));
        let b = backend(&sim);
        rt.block_on(b.connect()).unwrap();
        let (n, requests, secs) = rt.block_on(measure(&sim, flat(&b)));
        assert_eq!(n, workflows, "every workflow listed");
        eprintln!(
            "REPORT vro {version:?} flat :workflows, {n} workflows, {PAGE_SIZE} a page, \
             {LATENCY_MS} ms latency: {requests} requests, {secs:.2} s"
        );
        let ((n, cats), requests, secs) = rt.block_on(measure(&sim, tree(&b)));
        assert_eq!(n, workflows, "every workflow under the categories");
        assert_eq!(cats, categories, "every category read once");
        eprintln!(
            "REPORT vro {version:?} tree, {n} workflows in {cats} categories, {LATENCY_MS} ms \
             latency, concurrency {concurrency}: {requests} requests, {secs:.2} s"
        );
        if version == VroVersion::V8 {
            benched = Some((sim, b));
        }
    }
    let (_sim, b) = benched.unwrap();
    let mut group = c.benchmark_group("vro_listing");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(if full_run() { 20 } else { 1 }));
    group.bench_function(
        format!("flat, {workflows} workflows, {LATENCY_MS} ms latency"),
        |bench| bench.iter(|| rt.block_on(flat(&b))),
    );
    group.bench_function(
        format!("tree, {workflows} workflows in {categories} categories, {LATENCY_MS} ms latency"),
        |bench| bench.iter(|| rt.block_on(tree(&b))),
    );
    group.finish();
}

criterion_group!(benches, vro_listing);
criterion_main!(benches);
