//! `vnav sim`: command-line flags and the foreground runner that prints where the simulator is.

use std::io::Write as _;
use std::net::SocketAddr;

use super::{DEMO_PASSWORD, DEMO_USER, SimOptions, start};

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
        }
    }
}

/// Starts the simulator, prints `vcd <url>` and the credentials, then serves until killed.
pub async fn run(args: SimArgs) -> std::io::Result<()> {
    let sim = start(args.listen, args.options()).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "vcd {}", sim.vcd_url)?;
    writeln!(out, "credentials {DEMO_USER} {DEMO_PASSWORD}")?;
    out.flush()?;
    drop(out);
    if tokio::signal::ctrl_c().await.is_err() {
        // No signal handling available: serve until the process is killed.
        std::future::pending::<()>().await;
    }
    sim.shutdown();
    Ok(())
}
