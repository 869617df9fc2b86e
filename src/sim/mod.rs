//! vnav's built-in simulator of vCloud Director, vCenter, Aria Operations and Orchestrator: one deterministic,
//! realistic cloud
//! served over HTTP(S) on loopback, for demos, tests and benchmarks. Independent of `crate::api`.

pub mod cli;
pub mod clock;
pub mod faults;
pub mod generate;
pub mod inventory;
pub mod memo;
pub mod names;
pub mod vcd;
pub mod vcenter;
pub mod vro;
pub mod vrops;
pub mod world;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::Router;
use axum_server::Handle;

pub use faults::{FaultCounts, Faults, SeenCounts};
pub use vcenter::VcenterVersion;
pub use vro::{VroOptions, VroVersion};
pub use vrops::{VROPS_USER, VropsOptions, VropsVersion};

pub const DEMO_USER: &str = "admin@System";
/// Every simulated user has this password; tenant users are `orgadmin@<OrgName>`.
pub const DEMO_PASSWORD: &str = "vnav-demo";
/// The simulated vCenter's user (password `DEMO_PASSWORD`).
pub const VCENTER_USER: &str = "administrator@vsphere.local";

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
    pub vcenter_version: VcenterVersion,
    /// Overrides every vCenter list cap (default: 1000 on 6.7; 4000 VMs, 2500 hosts and
    /// datastores, 1000 others on 7.0/8.0).
    pub list_cap: Option<usize>,
    /// The most objects a vim `RetrievePropertiesEx` answers at once (vCenter pages bigger
    /// results: the rest comes from `ContinueRetrievePropertiesEx`); a client's smaller
    /// `options.maxObjects` wins.
    pub vim_page: usize,
    /// The Aria Operations server's release, token lifetime and in-flight ceiling.
    pub vrops: VropsOptions,
    /// The Orchestrator's generation and catalogue size.
    pub vro: VroOptions,
    /// The vCD and vCenter answer a repeated GET from their first answer's bytes (`memo`):
    /// for a bench only.
    pub memo: bool,
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
            vcenter_version: VcenterVersion::default(),
            list_cap: None,
            vim_page: 100,
            vrops: VropsOptions::default(),
            vro: VroOptions::default(),
            memo: false,
        }
    }
}

/// A running simulator. Dropping it (or `shutdown`) stops the server.
pub struct Sim {
    /// e.g. `http://127.0.0.1:PORT`, no trailing slash.
    pub vcd_url: String,
    /// The vCenter server over the same world, on its own port.
    pub vcenter_url: String,
    /// The Aria Operations suite-api over the same world, on its own port (`/suite-api/api/…`
    /// below it).
    pub vrops_url: String,
    /// The Orchestrator (vRO) over the same world, on its own port (`/vco/api/…` below it).
    pub vro_url: String,
    /// The self-signed certificate (PEM) when serving https.
    pub cert_pem: Option<String>,
    shared: Arc<vcd::Shared>,
    vc_shared: Arc<vcenter::VcShared>,
    vrops_shared: Arc<vrops::VropsShared>,
    vro_shared: Arc<vro::VroShared>,
    handle: Handle<SocketAddr>,
    vc_handle: Handle<SocketAddr>,
    vrops_handle: Handle<SocketAddr>,
    vro_handle: Handle<SocketAddr>,
}

impl Sim {
    /// Invalidates every issued token, so clients see 401 and must log in again.
    pub fn expire_tokens(&self) {
        self.shared.sessions().clear();
        self.vc_shared.sessions().clear();
        self.vrops_shared.tokens().clear();
        self.vro_shared.sessions().clear();
    }

    /// Tokens valid right now, vCD's and vCenter's (REST, SOAP and VI/JSON sessions), for
    /// tests that check no secret leaks into logs.
    pub fn live_tokens(&self) -> Vec<String> {
        let vcd = self.shared.sessions().keys().cloned().collect::<Vec<_>>();
        let vcenter = self
            .vc_shared
            .sessions()
            .keys()
            .cloned()
            .collect::<Vec<_>>();
        let vrops = self
            .vrops_shared
            .tokens()
            .keys()
            .cloned()
            .collect::<Vec<_>>();
        let vro = self
            .vro_shared
            .sessions()
            .keys()
            .cloned()
            .collect::<Vec<_>>();
        vcd.into_iter()
            .chain(vcenter)
            .chain(vrops)
            .chain(vro)
            .collect()
    }

    /// Replaces the injected faults; `Faults::default()` makes the server healthy again.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.faults.set(faults);
    }

    /// How many requests each fault has hit so far.
    pub fn fault_counts(&self) -> FaultCounts {
        self.shared.faults.counts()
    }

    /// Requests every server has seen so far, per method, and the most in flight at once.
    pub fn seen(&self) -> SeenCounts {
        self.shared.faults.seen()
    }

    /// How many `method path` requests the servers have seen (path without the query).
    pub fn seen_at(&self, method: &str, path: &str) -> u64 {
        self.shared.faults.seen_at(method, path)
    }

    /// Every `(method, path)` seen, with its count.
    pub fn seen_all(&self) -> Vec<((String, String), u64)> {
        self.shared.faults.seen_all()
    }

    /// Every `(method, path, status)` the servers' handlers answered (not the faults'), with
    /// its count.
    pub fn answered_all(&self) -> Vec<((String, String, u16), u64)> {
        self.shared.faults.answered_all()
    }

    /// vCD HTTP requests served so far.
    pub fn request_count(&self) -> u64 {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// vCenter HTTP requests served so far.
    pub fn vcenter_request_count(&self) -> u64 {
        self.vc_shared.requests.load(Ordering::Relaxed)
    }

    /// The vim property collector's paging so far: continuations and cancels asked, results
    /// still pending.
    pub fn vim_pages(&self) -> vcenter::vim::pages::PageCounts {
        self.vc_shared.pages().counts()
    }

    /// Aria Operations HTTP requests served so far (those refused by the in-flight ceiling
    /// included).
    pub fn vrops_request_count(&self) -> u64 {
        self.vrops_shared.requests.load(Ordering::Relaxed)
    }

    /// Aria Operations requests in flight right now, and the most there ever were at once.
    pub fn vrops_in_flight(&self) -> (usize, usize) {
        let l = &self.vrops_shared.limits;
        (
            l.total.load(Ordering::Relaxed),
            l.peak.load(Ordering::Relaxed),
        )
    }

    /// Orchestrator HTTP requests served so far.
    pub fn vro_request_count(&self) -> u64 {
        self.vro_shared.requests.load(Ordering::Relaxed)
    }

    /// Workflow runs clients started on the Orchestrator so far (not the past runs it starts
    /// with).
    pub fn vro_executions(&self) -> usize {
        let runs = self.vro_shared.runs();
        runs.len() - runs.preloaded
    }

    /// The user that logs in to the Orchestrator (its generation decides; password
    /// `DEMO_PASSWORD`).
    pub fn vro_user(&self) -> &'static str {
        self.vro_shared.opts.version.user()
    }

    /// The id of the Orchestrator workflow named `name` (the fixed library's names are stable:
    /// "Power off virtual machine", "Rotate certificate", …).
    pub fn vro_workflow_id(&self, name: &str) -> Option<String> {
        self.vro_shared.catalogue.named(name).map(|w| w.id.clone())
    }

    /// Moves the simulator's time forward by `by` for all its servers: tokens age, tasks
    /// progress and the rate limiter refills as if `by` had passed (tests never sleep).
    pub fn advance(&self, by: std::time::Duration) {
        self.shared.faults.clock.advance(by);
    }

    pub fn shutdown(self) {
        drop(self);
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        self.shared.faults.close();
        self.handle.shutdown();
        self.vc_handle.shutdown();
        self.vrops_handle.shutdown();
        self.vro_handle.shutdown();
    }
}

/// Serves `app` on `listener` (TLS when `tls` is given) until `handle` shuts it down.
fn serve(
    listener: std::net::TcpListener,
    app: Router,
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
    handle: &Handle<SocketAddr>,
) -> std::io::Result<()> {
    let make = app.into_make_service();
    match tls {
        Some(config) => {
            let server = axum_server::from_tcp_rustls(listener, config)?.handle(handle.clone());
            tokio::spawn(async move {
                if let Err(e) = server.serve(make).await {
                    tracing::warn!("simulator stopped: {e}");
                }
            });
        }
        None => {
            let server = axum_server::from_tcp(listener)?.handle(handle.clone());
            tokio::spawn(async move {
                if let Err(e) = server.serve(make).await {
                    tracing::warn!("simulator stopped: {e}");
                }
            });
        }
    }
    Ok(())
}

/// Builds the world and serves it in background tasks: vCloud Director on `listen`; vCenter,
/// Aria Operations and Orchestrator each on another port of the same address. `listen` must be a loopback address; port 0 picks a free
/// port.
pub async fn start(listen: SocketAddr, opts: SimOptions) -> std::io::Result<Sim> {
    if !listen.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("the simulator only listens on loopback (127.0.0.1 or ::1), not {listen}"),
        ));
    }
    let listener = std::net::TcpListener::bind(listen)?;
    let vc_listener = std::net::TcpListener::bind(SocketAddr::new(listen.ip(), 0))?;
    let vrops_listener = std::net::TcpListener::bind(SocketAddr::new(listen.ip(), 0))?;
    let vro_listener = std::net::TcpListener::bind(SocketAddr::new(listen.ip(), 0))?;
    let scheme = if opts.tls { "https" } else { "http" };
    let vcd_url = format!("{scheme}://{}", listener.local_addr()?);
    let vcenter_url = format!("{scheme}://{}", vc_listener.local_addr()?);
    let vrops_url = format!("{scheme}://{}", vrops_listener.local_addr()?);
    let vro_url = format!("{scheme}://{}", vro_listener.local_addr()?);
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
        (vcd_url.clone(), vcenter_url.clone()),
        opts.clone(),
        world,
        fault_state.clone(),
    ));
    // Inside the fault layer: a remembered answer still waits its latency and is counted.
    let memo = |router: Router, requests: Arc<dyn Fn() + Send + Sync>| match opts.memo {
        true => router.layer(axum::middleware::from_fn_with_state(
            Arc::new(memo::Memo::new(requests.clone())),
            memo::layer,
        )),
        false => router,
    };
    let counted = shared.clone();
    let app = memo(
        Router::new()
            .fallback(vcd::handle)
            .with_state(shared.clone()),
        Arc::new(move || _ = counted.requests.fetch_add(1, Ordering::Relaxed)),
    )
    .layer(axum::middleware::from_fn_with_state(
        (fault_state.clone(), faults::Flavor::Vcd),
        faults::layer,
    ));
    let vc_shared = Arc::new(vcenter::VcShared::new(shared.clone()));
    let counted = vc_shared.clone();
    let vc_app = memo(
        Router::new()
            .fallback(vcenter::handle)
            .with_state(vc_shared.clone()),
        Arc::new(move || _ = counted.requests.fetch_add(1, Ordering::Relaxed)),
    )
    .layer(axum::middleware::from_fn_with_state(
        (fault_state.clone(), faults::Flavor::Vcenter),
        faults::layer,
    ));
    let vrops_shared = Arc::new(vrops::VropsShared::new(
        shared.clone(),
        opts.vrops.clone(),
        vcenter_url.clone(),
    ));
    // The in-flight ceiling is outermost, so requests held by injected latency count.
    let vrops_app = Router::new()
        .fallback(vrops::handle)
        .with_state(vrops_shared.clone())
        .layer(axum::middleware::from_fn_with_state(
            (fault_state.clone(), faults::Flavor::Vrops),
            faults::layer,
        ))
        .layer(axum::middleware::from_fn_with_state(
            vrops_shared.clone(),
            vrops::limits::layer,
        ));
    let vro_shared = Arc::new(vro::VroShared::new(
        shared.clone(),
        opts.vro.clone(),
        vro_url.clone(),
    ));
    let vro_app = Router::new()
        .fallback(vro::handle)
        .with_state(vro_shared.clone())
        .layer(axum::middleware::from_fn_with_state(
            (fault_state, faults::Flavor::Vro),
            faults::layer,
        ));
    let handle: Handle<SocketAddr> = Handle::new();
    let vro_handle: Handle<SocketAddr> = Handle::new();
    let vc_handle: Handle<SocketAddr> = Handle::new();
    let vrops_handle: Handle<SocketAddr> = Handle::new();
    let mut cert_pem = None;
    let mut tls = None;
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
        tls = Some(config);
    }
    serve(listener, app, tls.clone(), &handle)?;
    serve(vc_listener, vc_app, tls.clone(), &vc_handle)?;
    serve(vrops_listener, vrops_app, tls.clone(), &vrops_handle)?;
    serve(vro_listener, vro_app, tls, &vro_handle)?;
    Ok(Sim {
        vcd_url,
        vcenter_url,
        vrops_url,
        vro_url,
        cert_pem,
        shared,
        vc_shared,
        vrops_shared,
        vro_shared,
        handle,
        vc_handle,
        vrops_handle,
        vro_handle,
    })
}
