//! One VM across products at scale: Aria Operations health and alert counts (a VM's details
//! section, asked here for every VM) and, on top, a day of metrics, for every VM of a vCenter, against the simulator with 20 ms
//! latency per request. The keys are (vCenter instance UUID, moid) as the app builds them.
//! Cold: a fresh client that first lists the VMs to index them (1,000 a page); warm: the index
//! kept. The floor for the stat calls is ceil(VMs / 1,000) × 20 ms / concurrency.
//!
//! The dots themselves are read by `Backend::vm_health` (the health alone, a part at a time):
//! its requests and seconds, and the most bytes the process held at once during each read
//! beyond what it held before (counted by this binary's allocator, the simulator's included),
//! beside the same for `vm_insight`, which answers all VMs at once.
//!
//! `cargo bench --bench insight` measures 10,000 VMs; `cargo test --benches` runs a 2,000-VM
//! smoke. Requests and seconds are printed on stderr as `REPORT …` lines.

mod common;
use common::{full_run, runtime, vcenter_backend};

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use vnav::api::Backend;
use vnav::api::http::HttpOptions;
use vnav::api::model::VmKey;
use vnav::api::vcenter::map as vc_map;
use vnav::api::vrops::{PAGE_SIZE, VropsBackend, VropsConfig};
use vnav::api::{ChildSink, HealthSink};
use vnav::sim::{DEMO_PASSWORD, Sim, SimOptions, VROPS_USER};

const LATENCY_MS: u64 = 20;

/// The system allocator, counting the bytes live and the most live at once since `reset`.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Ordering::Relaxed) + by;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

// SAFETY: every call goes to `System` unchanged; only counters are added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, passed on.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Runs `f` and returns what it gave and the most bytes live at once beyond those live before.
fn held_during<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let out = f();
    (out, PEAK.load(Ordering::Relaxed).saturating_sub(before))
}

fn vrops(sim: &Sim) -> VropsBackend {
    VropsBackend::new(VropsConfig {
        url: sim.vrops_url.clone(),
        user: VROPS_USER.into(),
        password: DEMO_PASSWORD.to_string().into(),
        http: HttpOptions::default(),
        page_size: PAGE_SIZE,
    })
    .unwrap()
}

/// Every VM of the simulator's vCenter as the app names it.
async fn keys(sim: &Sim) -> Vec<VmKey> {
    let vc = vcenter_backend(sim);
    let uuid = vc.connect().await.unwrap().instance_uuid.unwrap();
    let (sink, got) = ChildSink::collecting();
    vc.children(&vc.root(), &sink).await.unwrap();
    let all = got
        .take()
        .into_iter()
        .find(|n| &*n.name == "All VMs")
        .unwrap();
    let (sink, got) = ChildSink::collecting();
    vc.children(&all, &sink).await.unwrap();
    got.take()
        .iter()
        .map(|n| VmKey::new(&uuid, vc_map::moid(&n.id.as_str())))
        .collect()
}

/// Asks once; returns (VMs answered, requests, seconds).
async fn ask(sim: &Sim, b: &VropsBackend, keys: &[VmKey], day: bool) -> (usize, u64, f64) {
    let before = sim.vrops_request_count();
    let start = Instant::now();
    let found = b.vm_insight(keys, day).await.unwrap();
    (
        found.len(),
        sim.vrops_request_count() - before,
        start.elapsed().as_secs_f64(),
    )
}

fn insight(c: &mut Criterion) {
    let vms = if full_run() { 10_000 } else { 2_000 };
    let rt = runtime();
    let sim = rt.block_on(async {
        vnav::api::tls::install_crypto_provider();
        let opts = SimOptions {
            vms,
            latency_ms: LATENCY_MS,
            ..SimOptions::default()
        };
        vnav::sim::start(([127, 0, 0, 1], 0).into(), opts)
            .await
            .unwrap()
    });
    let keys = rt.block_on(keys(&sim));
    let concurrency = HttpOptions::default().concurrency;
    let floor = (vms as f64 / 1000.0).ceil() * LATENCY_MS as f64 / 1000.0;
    for (label, day) in [("health + alerts", false), ("health + alerts + 24 h", true)] {
        let b = vrops(&sim);
        rt.block_on(b.connect()).unwrap();
        let (n, cold_requests, cold) = rt.block_on(ask(&sim, &b, &keys, day));
        let (_, warm_requests, warm) = rt.block_on(ask(&sim, &b, &keys, day));
        eprintln!(
            "REPORT insight {label}, {n} of {} VMs, {LATENCY_MS} ms latency, concurrency \
             {concurrency}: cold {cold:.2} s / {cold_requests} requests, warm {warm:.2} s / \
             {warm_requests} requests; floor per stat call {floor:.2} s / {concurrency}",
            keys.len()
        );
        assert_eq!(n, keys.len(), "every VM matched");
    }
    let b = vrops(&sim);
    rt.block_on(b.connect()).unwrap();
    let dots = |b: &VropsBackend| {
        let before = sim.vrops_request_count();
        let start = Instant::now();
        let (placed, most) = (Arc::new(Mutex::new(0usize)), Arc::new(Mutex::new(0usize)));
        let (p, m) = (placed.clone(), most.clone());
        let sink = HealthSink::new(move |part| {
            *p.lock().unwrap() += part.len();
            let mut m = m.lock().unwrap();
            *m = (*m).max(part.len());
        });
        rt.block_on(b.vm_health(&keys, &sink)).unwrap();
        let (placed, most) = (*placed.lock().unwrap(), *most.lock().unwrap());
        let took = start.elapsed().as_secs_f64();
        (placed, most, sim.vrops_request_count() - before, took)
    };
    let ((n, part, cold_requests, cold), _) = held_during(|| dots(&b));
    let ((_, _, warm_requests, warm), dots_held) = held_during(|| dots(&b));
    let (_, all_held) = held_during(|| rt.block_on(b.vm_insight(&keys, false)).unwrap());
    eprintln!(
        "REPORT insight dots (vm_health), {n} of {} VMs in parts of at most {part}: cold \
         {cold:.2} s / {cold_requests} requests, warm {warm:.2} s / {warm_requests} requests; \
         held at most {:.1} MB beyond the start while read, against {:.1} MB for the same \
         VMs' vm_insight (all at once)",
        keys.len(),
        dots_held as f64 / 1e6,
        all_held as f64 / 1e6,
    );
    assert_eq!(n, keys.len(), "every VM dotted");
    let mut group = c.benchmark_group("insight");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(if full_run() { 20 } else { 1 }));
    group.bench_function(
        format!("health + alerts, {vms} VMs, warm, {LATENCY_MS} ms latency"),
        |bench| bench.iter(|| rt.block_on(b.vm_insight(&keys, false)).unwrap()),
    );
    group.finish();
}

criterion_group!(benches, insight);
criterion_main!(benches);
