//! What every benchmark needs: whether this is a full run or the test suite's smoke run, a
//! runtime, and a simulator of a given size and latency.
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
