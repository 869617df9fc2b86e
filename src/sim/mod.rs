//! vnav's built-in simulator of the vCloud Director API: a deterministic, realistic cloud served
//! over HTTP(S) on loopback, for demos, tests and benchmarks. Independent of `crate::api`.

pub mod cli;
pub mod faults;
pub mod generate;
pub mod names;
pub mod vcd;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum_server::Handle;

pub use faults::{FaultCounts, Faults};

pub const DEMO_USER: &str = "admin@System";
/// Every simulated user has this password; tenant users are `orgadmin@<OrgName>`.
pub const DEMO_PASSWORD: &str = "vnav-demo";

#[derive(Clone, Debug)]
pub struct SimOptions {
    pub vms: usize,
    pub seed: u64,
    pub tls: bool,
    pub latency_ms: u64,
    pub task_seconds: f64,
    pub fail_rate: f64,
    /// Injected faults (none by default); change them at runtime with `Sim::set_faults`.
    pub faults: Faults,
}

impl Default for SimOptions {
    fn default() -> Self {
        SimOptions {
            vms: 200,
            seed: 42,
            tls: false,
            latency_ms: 0,
            task_seconds: 3.0,
            fail_rate: 0.0,
            faults: Faults::default(),
        }
    }
}

/// A running simulator. Dropping it (or `shutdown`) stops the server.
pub struct Sim {
    /// e.g. `http://127.0.0.1:PORT`, no trailing slash.
    pub vcd_url: String,
    /// The self-signed certificate (PEM) when serving https.
    pub cert_pem: Option<String>,
    shared: Arc<vcd::Shared>,
    handle: Handle<SocketAddr>,
}

impl Sim {
    /// Invalidates every issued token, so clients see 401 and must log in again.
    pub fn expire_tokens(&self) {
        self.shared.sessions().clear();
    }

    /// Tokens valid right now (for tests that check no secret leaks into logs).
    pub fn live_tokens(&self) -> Vec<String> {
        self.shared.sessions().keys().cloned().collect()
    }

    /// Replaces the injected faults; `Faults::default()` makes the server healthy again.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.set(faults);
    }

    /// How many requests each fault has hit so far.
    pub fn fault_counts(&self) -> FaultCounts {
        self.shared.faults.counts()
    }

    /// HTTP requests served so far.
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.shared.faults.close();
        self.handle.shutdown();
    }
}

/// Builds the world and serves it in background tasks. `listen` must be a loopback address;
/// port 0 picks a free port.
pub async fn start(listen: SocketAddr, opts: SimOptions) -> std::io::Result<Sim> {
    if !listen.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("the simulator only listens on loopback (127.0.0.1 or ::1), not {listen}"),
        ));
    }
    let listener = std::net::TcpListener::bind(listen)?;
    let addr = listener.local_addr()?;
    let scheme = if opts.tls { "https" } else { "http" };
    let vcd_url = format!("{scheme}://{addr}");
    let vms = opts.vms;
    let seed = opts.seed;
    let world = tokio::task::spawn_blocking(move || generate::generate(vms, seed))
        .await
        .map_err(std::io::Error::other)?;
    let fault_state = Arc::new(faults::FaultState::new(
        opts.latency_ms,
        opts.faults.clone(),
    ));
    let shared = Arc::new(vcd::Shared::new(
        vcd_url.clone(),
        opts.clone(),
        world,
        fault_state.clone(),
    ));
    let app = Router::new()
        .fallback(vcd::handle)
        .with_state(shared.clone())
        .layer(axum::middleware::from_fn_with_state(
            (fault_state, faults::Flavor::Vcd),
            faults::layer,
        ));
    let handle: Handle<SocketAddr> = Handle::new();
    let mut cert_pem = None;
    if opts.tls {
        crate::api::tls::install_crypto_provider();
        let cert = rcgen::generate_simple_self_signed(vec![
            "127.0.0.1".to_string(),
            "localhost".to_string(),
            "::1".to_string(),
        ])
        .map_err(std::io::Error::other)?;
        let pem = cert.cert.pem();
        let config = axum_server::tls_rustls::RustlsConfig::from_pem(
            pem.clone().into_bytes(),
            cert.signing_key.serialize_pem().into_bytes(),
        )
        .await?;
        cert_pem = Some(pem);
        let server = axum_server::from_tcp_rustls(listener, config)?.handle(handle.clone());
        tokio::spawn(async move {
            if let Err(e) = server.serve(app.into_make_service()).await {
                tracing::warn!("simulator stopped: {e}");
            }
        });
    } else {
        let server = axum_server::from_tcp(listener)?.handle(handle.clone());
        tokio::spawn(async move {
            if let Err(e) = server.serve(app.into_make_service()).await {
                tracing::warn!("simulator stopped: {e}");
            }
        });
    }
    Ok(Sim {
        vcd_url,
        cert_pem,
        shared,
        handle,
    })
}
