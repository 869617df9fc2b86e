//! Hedged reads against a server that stalls (issue 15): time to the complete VM list through
//! vCD's query service when some requests are never answered, with hedging on and off, and the
//! extra requests hedging costs on a healthy server.
//!
//! `cargo bench --bench hedge` measures 5,000 VMs at 10 ms with 2 % stalls (hedging on and off)
//! and 100,000 VMs at 20 ms with and without 1 % stalls; `cargo test --benches` runs a
//! 2,000-VM smoke with hedging on only. The numbers are `REPORT …` lines on stderr.

mod common;

// Timed with the allocator the binary ships with.
vnav::shipped_allocator!();
use common::{full_run, runtime, simulator};

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use vnav::api::hedge::{HedgeOptions, HedgeStats};
use vnav::api::http::HttpOptions;
use vnav::api::vcd::query::Paging;
use vnav::api::vcd::{VcdBackend, VcdConfig};
use vnav::api::{Backend, ChildSink};
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, Faults, Sim};

/// A connected client with the default options (concurrency 16, 30 s timeout), hedging on or off.
async fn connected(sim: &Sim, hedge: bool) -> VcdBackend {
    let b = VcdBackend::new(VcdConfig {
        url: sim.vcd_url.clone(),
        user: DEMO_USER.into(),
        password: DEMO_PASSWORD.to_string().into(),
        http: HttpOptions {
            hedge: HedgeOptions {
                enabled: hedge,
                ..HedgeOptions::default()
            },
            ..HttpOptions::default()
        },
    })
    .unwrap();
    b.connect().await.unwrap();
    b
}

struct Run {
    took: Duration,
    listed: usize,
    requests: u64,
    seen: u64,
    stalled: u64,
    hedged: HedgeStats,
}

/// Lists every VM once, with `faults` on from the first page.
async fn list(sim: &Sim, b: &VcdBackend, faults: Faults) -> Run {
    let stats = b.session().http().hedge_stats();
    let (seen, stalled) = (sim.seen().total, sim.fault_counts().stalled);
    sim.set_faults(faults);
    let started = Instant::now();
    let (sink, got) = ChildSink::collecting();
    let requests = b.list_all_vms(Paging::Parallel(16), &sink).await.unwrap();
    let took = started.elapsed();
    sim.set_faults(Faults::default());
    let after = b.session().http().hedge_stats();
    Run {
        took,
        listed: got.take().len(),
        requests,
        seen: sim.seen().total - seen,
        stalled: sim.fault_counts().stalled - stalled,
        hedged: HedgeStats {
            reads: after.reads - stats.reads,
            hedges: after.hedges - stats.hedges,
            won: after.won - stats.won,
            denied: after.denied - stats.denied,
        },
    }
}

fn report(label: &str, vms: usize, r: &Run) {
    assert_eq!(r.listed, vms, "{label}: listed {} of {vms}", r.listed);
    eprintln!(
        "REPORT hedge {label}: {vms} VMs in {:.2} s, {} pages, {} requests at the server, {} stalled, \
         {} hedges ({} answered first, {} refused by the budget) for {} reads = {:.2} % extra",
        r.took.as_secs_f64(),
        r.requests,
        r.seen,
        r.stalled,
        r.hedged.hedges,
        r.hedged.won,
        r.hedged.denied,
        r.hedged.reads,
        100.0 * r.hedged.hedges as f64 / r.hedged.reads.max(1) as f64
    );
}

fn stalls(rate: f64, seed: u64) -> Faults {
    Faults {
        stall_rate: rate,
        seed,
        ..Faults::default()
    }
}

/// 5,000 VMs at 10 ms with 2 % of requests never answered: hedged, then (full run only) not.
fn stalled_listing(c: &mut Criterion) {
    let vms = if full_run() { 5_000 } else { 2_000 };
    let rt = runtime();
    let sim = rt.block_on(simulator(vms, 10));
    for seed in 1..=if full_run() { 5 } else { 1 } {
        // A fresh client each time: no latency history, a full budget, like a new session.
        let b = rt.block_on(connected(&sim, true));
        let r = rt.block_on(list(&sim, &b, stalls(0.02, seed)));
        report(&format!("on, 10 ms, 2 % stalls, seed {seed}"), vms, &r);
    }
    if full_run() {
        let b = rt.block_on(connected(&sim, false));
        let r = rt.block_on(list(&sim, &b, stalls(0.02, 1)));
        report("off, 10 ms, 2 % stalls, seed 1", vms, &r);
    }
    let b = rt.block_on(connected(&sim, true));
    let mut group = c.benchmark_group("hedge");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(if full_run() { 20 } else { 1 }));
    let mut seed = 100;
    group.bench_function(
        format!("all {vms} VMs, 10 ms, 2 % stalls, hedged"),
        |bench| {
            bench.iter(|| {
                seed += 1;
                rt.block_on(list(&sim, &b, stalls(0.02, seed)))
            })
        },
    );
    group.finish();
}

/// 100,000 VMs at 20 ms: healthy (the extra requests hedging costs), then with 1 % stalls.
fn large_listing(_: &mut Criterion) {
    let vms = if full_run() { 100_000 } else { 2_000 };
    let rt = runtime();
    let sim = rt.block_on(simulator(vms, 20));
    let b = rt.block_on(connected(&sim, true));
    let healthy = rt.block_on(list(&sim, &b, Faults::default()));
    report("on, 20 ms, healthy", vms, &healthy);
    for seed in 1..=if full_run() { 3 } else { 1 } {
        let b = rt.block_on(connected(&sim, true));
        let r = rt.block_on(list(&sim, &b, stalls(0.01, seed)));
        report(&format!("on, 20 ms, 1 % stalls, seed {seed}"), vms, &r);
        eprintln!(
            "REPORT hedge 1 % stalls / healthy, {vms} VMs, seed {seed}: {:.2}x",
            r.took.as_secs_f64() / healthy.took.as_secs_f64()
        );
    }
}

criterion_group!(benches, stalled_listing, large_listing);
criterion_main!(benches);
