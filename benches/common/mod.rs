//! What every benchmark needs: whether this is a full run or the test suite's smoke run, a
//! runtime, a simulator of a given size and latency, and a client of its vCenter.
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
    vnav::api::tls::install_crypto_provider();
    let opts = SimOptions {
        vms,
        latency_ms,
        ..SimOptions::default()
    };
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
