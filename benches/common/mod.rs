//! What every benchmark needs: whether this is a full run or the test suite's smoke run, a
//! runtime, a simulator of a given size and latency, a client of its vCenter, and CPU clocks.
// Each bench uses what it needs of these.
#![allow(dead_code)]

use vnav::sim::{Sim, SimOptions};

/// `cargo bench` passes `--bench`; `cargo test --all-targets` runs each bench once, small.
pub fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

pub async fn simulator(vms: usize, latency_ms: u64) -> Sim {
    simulator_with(SimOptions {
        vms,
        latency_ms,
        ..SimOptions::default()
    })
    .await
}

pub async fn simulator_with(opts: SimOptions) -> Sim {
    vnav::api::tls::install_crypto_provider();
    vnav::sim::start(([127, 0, 0, 1], 0).into(), opts)
        .await
        .unwrap()
}

/// A client of the simulator's vCenter with the default options, as the app makes one.
pub fn vcenter_backend(sim: &Sim) -> vnav::api::vcenter::VcenterBackend {
    vnav::api::vcenter::VcenterBackend::new(vnav::api::vcenter::VcenterConfig {
        url: sim.vcenter_url.clone(),
        user: vnav::sim::VCENTER_USER.into(),
        password: vnav::sim::DEMO_PASSWORD.to_string().into(),
        http: vnav::api::http::HttpOptions::default(),
    })
    .unwrap()
}

/// CPU time used so far on `clock` (`libc::CLOCK_THREAD_CPUTIME_ID` for this thread,
/// `CLOCK_PROCESS_CPUTIME_ID` for the process): on the shared machine a run waits for a core
/// more than for its latency, and this says which.
pub fn cpu_time(clock: libc::clockid_t) -> std::time::Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: a valid out-pointer; both clocks exist on Linux.
    unsafe { libc::clock_gettime(clock, &mut ts) };
    std::time::Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// p50, p99 and worst of some durations.
pub fn percentiles(mut v: Vec<std::time::Duration>) -> String {
    if v.is_empty() {
        return "none".into();
    }
    v.sort();
    let p = |q: f64| v[((v.len() as f64 * q) as usize).min(v.len() - 1)];
    format!(
        "p50 {:.2?} p99 {:.2?} max {:.2?} (n={})",
        p(0.5),
        p(0.99),
        v[v.len() - 1],
        v.len()
    )
}

/// An endpoint of each label, as the app is given them (its root a node at `https://<label>`).
pub fn endpoint_specs(labels: &[&str]) -> Vec<vnav::app::EndpointSpec> {
    use vnav::api::model::{Node, NodeKind};
    (labels.iter())
        .map(|l| vnav::app::EndpointSpec {
            label: l.to_string(),
            root: Node::new(NodeKind::Endpoint, format!("https://{l}"), *l),
            insecure: false,
            read_only: false,
        })
        .collect()
}
