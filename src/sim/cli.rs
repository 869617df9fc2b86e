//! `vnav sim`: command-line flags and the foreground runner that prints where the simulator is.

use std::io::Write as _;
use std::net::SocketAddr;

use super::{
    DEMO_PASSWORD, DEMO_USER, Faults, SimOptions, VCENTER_USER, VROPS_USER, VcenterVersion,
    VroOptions, VroVersion, VropsOptions, VropsVersion, start,
};

#[derive(clap::Args, Debug, Clone)]
pub struct SimArgs {
    /// Loopback address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Number of VMs in the simulated cloud.
    #[arg(long, default_value_t = 200)]
    pub vms: usize,
    /// Seed of the generated world (same seed, same cloud).
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Serve https with a self-signed certificate for 127.0.0.1/localhost.
    #[arg(long)]
    pub tls: bool,
    /// Delay added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// How long a task takes from queued to done, in seconds.
    #[arg(long, default_value_t = 3.0)]
    pub task_seconds: f64,
    /// Fraction of tasks that end in error (0.0 to 1.0).
    #[arg(long, default_value_t = 0.0)]
    pub fail_rate: f64,
    /// Extra random delay per request, uniform in 0..=N milliseconds.
    #[arg(long, default_value_t = 0)]
    pub jitter_ms: u64,
    /// Fraction of requests answered 503 without being processed.
    #[arg(long, default_value_t = 0.0)]
    pub error_rate: f64,
    /// Requests per second allowed; the excess gets 429 with Retry-After.
    #[arg(long)]
    pub rate_limit: Option<u32>,
    /// Fraction of requests processed, then cut off mid-body (connection reset).
    #[arg(long, default_value_t = 0.0)]
    pub drop_rate: f64,
    /// Fraction of requests processed, then answered with a truncated body.
    #[arg(long, default_value_t = 0.0)]
    pub truncate_rate: f64,
    /// Fraction of requests never answered.
    #[arg(long, default_value_t = 0.0)]
    pub stall_rate: f64,
    /// Fraction of requests answered late (after --slow-ms) but answered.
    #[arg(long, default_value_t = 0.0)]
    pub slow_rate: f64,
    /// How late a slow answer is, in milliseconds.
    #[arg(long, default_value_t = 2000)]
    pub slow_ms: u64,
    /// Sessions expire this many seconds after login.
    #[arg(long)]
    pub session_ttl: Option<u64>,
    /// vCenter release to imitate: 6.7 (/rest only), 7.0 or 8.0.
    #[arg(long, default_value = "8.0")]
    pub vcenter_version: VcenterVersion,
    /// Largest vCenter list answered; longer lists fail like a real server's.
    #[arg(long)]
    pub list_cap: Option<usize>,
    /// Most objects one vim RetrievePropertiesEx answers; the rest come by
    /// ContinueRetrievePropertiesEx, as on a real vCenter.
    #[arg(long, default_value_t = 100)]
    pub vim_page: usize,
    /// Aria Operations release to imitate: 8 (Aria Operations, Basic accepted) or 9 (VCF
    /// Operations, tokens only).
    #[arg(long, default_value = "8")]
    pub vrops_version: VropsVersion,
    /// Aria Operations token lifetime in seconds, renewed on each use.
    #[arg(long, default_value_t = 6 * 3600)]
    pub vrops_token_ttl: u64,
    /// Aria Operations requests one client may have in flight; the excess gets 429.
    #[arg(long, default_value_t = 50)]
    pub vrops_max_inflight: usize,
    /// Aria Operations also collects from a second vCenter with this instance UUID, whose VMs
    /// repeat the first's moids (to try matching on VCID and moid).
    #[arg(long)]
    pub vrops_second_vcid: Option<String>,
    /// Orchestrator generation to imitate: 7 (Basic), 8 (Basic or bearer token) or 9 (logs in
    /// like Cloud Director, lists report total -1).
    #[arg(long, default_value = "8")]
    pub vro_version: VroVersion,
    /// Workflows in the Orchestrator's catalogue (at least its fixed library of ten).
    #[arg(long, default_value_t = 45)]
    pub vro_workflows: usize,
    /// Workflow categories in the Orchestrator's catalogue (0: about one per four workflows).
    #[arg(long, default_value_t = 0)]
    pub vro_categories: usize,
}

impl SimArgs {
    pub fn options(&self) -> SimOptions {
        SimOptions {
            vms: self.vms,
            seed: self.seed,
            tls: self.tls,
            latency_ms: self.latency_ms,
            task_seconds: self.task_seconds,
            fail_rate: self.fail_rate.clamp(0.0, 1.0),
            faults: Faults {
                jitter_ms: self.jitter_ms,
                error_rate: self.error_rate.clamp(0.0, 1.0),
                rate_limit: self.rate_limit,
                drop_rate: self.drop_rate.clamp(0.0, 1.0),
                truncate_rate: self.truncate_rate.clamp(0.0, 1.0),
                stall_rate: self.stall_rate.clamp(0.0, 1.0),
                slow_rate: self.slow_rate.clamp(0.0, 1.0),
                slow_ms: self.slow_ms,
                token_ttl_secs: self.session_ttl,
                seed: self.seed,
            },
            vcenter_version: self.vcenter_version,
            list_cap: self.list_cap,
            vim_page: self.vim_page.max(1),
            vrops: VropsOptions {
                version: self.vrops_version,
                token_ttl_secs: self.vrops_token_ttl.max(1),
                max_inflight: self.vrops_max_inflight.max(1),
                second_vcid: self.vrops_second_vcid.clone(),
            },
            vro: VroOptions {
                version: self.vro_version,
                workflows: self.vro_workflows,
                categories: self.vro_categories,
            },
            memo: false,
        }
    }
}

/// Starts the simulator, prints `vcd <url>`, `vcenter <url>`, `vrops <url>`, `vro <url>` and the
/// credentials, then serves until killed. The first `credentials <user> <password>` line is the
/// vCD's (scripts written before vCenter existed read it); then one `credentials <product>
/// <user> <password>` per product, since each product has its own user. Stopped by Ctrl-C
/// (SIGINT), it prints how many requests each product's server saw.
pub async fn run(args: SimArgs) -> std::io::Result<()> {
    let sim = start(args.listen, args.options()).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "vcd {}", sim.vcd_url)?;
    writeln!(out, "vcenter {}", sim.vcenter_url)?;
    writeln!(out, "vrops {}", sim.vrops_url)?;
    writeln!(out, "vro {}", sim.vro_url)?;
    writeln!(out, "credentials {DEMO_USER} {DEMO_PASSWORD}")?;
    writeln!(out, "credentials vcd {DEMO_USER} {DEMO_PASSWORD}")?;
    writeln!(out, "credentials vcenter {VCENTER_USER} {DEMO_PASSWORD}")?;
    writeln!(out, "credentials vrops {VROPS_USER} {DEMO_PASSWORD}")?;
    writeln!(out, "credentials vro {} {DEMO_PASSWORD}", sim.vro_user())?;
    out.flush()?;
    drop(out);
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handling available: serve until the process is killed.
        std::future::pending::<()>().await;
    }
    // What the servers saw, for scripts that count a client's requests
    // (`scripts/measure-rss.sh`): `requests <product> <n>`, then `seen <method> <path> <n>`.
    let mut out = std::io::stdout().lock();
    writeln!(out, "requests vcd {}", sim.request_count())?;
    writeln!(out, "requests vcenter {}", sim.vcenter_request_count())?;
    writeln!(out, "requests vrops {}", sim.vrops_request_count())?;
    writeln!(out, "requests vro {}", sim.vro_request_count())?;
    for ((method, path), n) in sim.seen_all() {
        writeln!(out, "seen {method} {path} {n}")?;
    }
    out.flush()?;
    drop(out);
    sim.shutdown();
    Ok(())
}
