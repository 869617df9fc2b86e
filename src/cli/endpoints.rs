//! The endpoint options every command that talks to servers shares (the interactive vnav,
//! `vnav dump`, `vnav ls`): `--demo`, `--url`/`--user`/`--product`, `-c/--context`, the TLS
//! flags and `--config`. Turns them into the endpoints to open, each with its password (from
//! `VNAV_PASSWORD`, a context's `password_env`/`password_command`, or a prompt), and builds the
//! product's backend for one of them.

use std::path::PathBuf;
use std::sync::Arc;

use secrecy::SecretString;

use crate::api::Backend;
use crate::api::vcd::{VcdBackend, VcdConfig};
use crate::api::vcenter::{VcenterBackend, VcenterConfig};
use crate::api::vro::{VroBackend, VroConfig};
use crate::api::vrops::{VropsBackend, VropsConfig};
use crate::config::{self, ConfigFile, Context, PasswordSource, ProductName};
#[cfg(feature = "sim")]
use crate::sim;

#[derive(clap::Args, Clone, Debug)]
pub struct EndpointArgs {
    /// Run against the built-in simulator (no VMware needed).
    #[arg(long, conflicts_with_all = ["url", "context"])]
    pub demo: bool,
    /// VMs in the demo world. Each is seen through both the demo vCD and the demo vCenter
    /// (one world, as a vCD sits on its vCenter), so `:vm` lists twice as many.
    #[arg(long, default_value_t = 200, requires = "demo")]
    pub demo_vms: usize,
    /// vCenters in the demo. The first sits under the demo vCD; each other one is a world of
    /// its own with --demo-vms VMs, as in a shop with several vCenters (2 and 100000 make
    /// 300,000 VMs on three endpoints).
    #[arg(long, default_value_t = 1, requires = "demo", value_parser = clap::value_parser!(u8).range(1..=8))]
    pub demo_vcenters: u8,
    /// Endpoint URL, e.g. https://vcd.example.com.
    #[arg(long, requires = "user")]
    pub url: Option<String>,
    /// User for --url, e.g. admin@System.
    #[arg(long)]
    pub user: Option<String>,
    /// Product at --url.
    #[arg(long, value_enum, default_value = "vcd")]
    pub product: ProductName,
    /// Named context(s) from the config file; all of them when none is given.
    #[arg(short = 'c', long = "context")]
    pub context: Vec<String>,
    /// Config file (default: ~/.config/vnav/config.toml).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Do not verify the server's TLS certificate.
    #[arg(long)]
    pub insecure: bool,
    /// Extra CA bundle (PEM) to trust for --url.
    #[arg(long)]
    pub ca_file: Option<PathBuf>,
    /// Accept exactly this sha256 certificate fingerprint for --url.
    #[arg(long)]
    pub fingerprint: Option<String>,
    /// vCD API version to speak with --url (default: the highest both sides know).
    #[arg(long)]
    pub api_version: Option<String>,
}

/// One endpoint to open: the label it goes by (a context name, the URL's host, "demo vCD"),
/// its settings, and its password with where that came from.
pub struct Target {
    pub label: String,
    pub ctx: Context,
    pub password: (SecretString, PasswordSource),
}

/// What the endpoint options resolved to.
pub struct Resolved {
    pub targets: Vec<Target>,
    pub config: ConfigFile,
    pub config_path: Option<PathBuf>,
    /// The in-process simulator behind `--demo`: serving while this is kept.
    pub demo: Option<Demo>,
}

/// The endpoints the options name: the demo's four, the one `--url`, or the selected contexts
/// (all of them when none is named). Asks for passwords that no variable or command gives.
pub async fn resolve(args: &EndpointArgs) -> Result<Resolved, String> {
    let config_path = args.config.clone().or_else(config::default_path);
    let cfg = match &config_path {
        Some(p) => config::load(p, args.config.is_some())?,
        None => ConfigFile::default(),
    };
    let mut targets = Vec::new();
    let mut demo = None;
    if args.demo {
        let (demo_targets, sim) = start_demo(args).await?;
        targets = demo_targets;
        demo = Some(sim);
    } else if let Some(url) = &args.url {
        let ctx = cli_context(args, url);
        ctx.validate()?;
        let label = url::Url::parse(&ctx.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| url.clone());
        let password = ctx.password()?;
        targets.push(Target {
            label,
            ctx,
            password,
        });
    } else {
        let contexts = config::select(&cfg, &args.context)?;
        if contexts.is_empty() {
            return Err(format!(
                "nothing to connect to: try `vnav --demo`, or `vnav --url https://HOST --user USER@ORG`, \
                 or define contexts in {}",
                config_path
                    .as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_else(|| "~/.config/vnav/config.toml".into())
            ));
        }
        for ctx in contexts {
            targets.push(Target {
                label: ctx.name.clone(),
                ctx: ctx.clone(),
                password: ctx.password()?,
            });
        }
    }
    Ok(Resolved {
        targets,
        config: cfg,
        config_path,
        demo,
    })
}

/// The context `--url` and the flags beside it describe.
fn cli_context(args: &EndpointArgs, url: &str) -> Context {
    Context {
        name: "cli".into(),
        product: args.product,
        url: config::normalize_url(url),
        user: args.user.clone().unwrap_or_default(),
        password_env: None,
        password_command: None,
        password_command_timeout_secs: None,
        insecure: args.insecure,
        ca_file: args.ca_file.clone(),
        fingerprint: args.fingerprint.clone(),
        read_only: false,
        concurrency: None,
        api_version: args.api_version.clone(),
        connect_timeout_secs: None,
        request_timeout_secs: None,
        workflow_risk: Default::default(),
    }
}

/// The backend for a context's product; `label` names the endpoint in errors.
pub fn backend(
    ctx: &Context,
    label: &str,
    password: SecretString,
) -> Result<Arc<dyn Backend>, String> {
    ctx.validate()?;
    Ok(match ctx.product {
        ProductName::Vcd => {
            let backend = VcdBackend::new(VcdConfig {
                url: ctx.url.clone(),
                user: ctx.user.clone(),
                password,
                http: ctx.http_options(),
            })
            .map_err(|e| format!("{label}: {e}"))?;
            match &ctx.api_version {
                Some(v) => Arc::new(backend.with_api_version(v)),
                None => Arc::new(backend),
            }
        }
        ProductName::Vcenter => Arc::new(
            VcenterBackend::new(VcenterConfig {
                url: ctx.url.clone(),
                user: ctx.user.clone(),
                password,
                http: ctx.http_options(),
            })
            .map_err(|e| format!("{label}: {e}"))?,
        ),
        ProductName::Vrops => Arc::new(
            VropsBackend::new(VropsConfig {
                url: ctx.url.clone(),
                user: ctx.user.clone(),
                password,
                http: ctx.http_options(),
                page_size: crate::api::vrops::PAGE_SIZE,
            })
            .map_err(|e| format!("{label}: {e}"))?,
        ),
        ProductName::Vro => Arc::new(
            VroBackend::new(VroConfig {
                url: ctx.url.clone(),
                user: ctx.user.clone(),
                password,
                http: ctx.http_options(),
                page_size: crate::api::vro::PAGE_SIZE,
                risks: ctx
                    .workflow_risk
                    .iter()
                    .map(|(name, risk)| (name.clone(), (*risk).into()))
                    .collect(),
            })
            .map_err(|e| format!("{label}: {e}"))?,
        ),
    })
}

/// The simulators `--demo` runs in-process (nothing, in a build without the `sim` feature):
/// the demo's world, then one per further vCenter.
#[cfg(feature = "sim")]
pub type Demo = Vec<sim::Sim>;
#[cfg(not(feature = "sim"))]
pub type Demo = std::convert::Infallible;

/// The demo's endpoints on a freshly started simulator, logged in as its users.
#[cfg(feature = "sim")]
async fn start_demo(args: &EndpointArgs) -> Result<(Vec<Target>, Demo), String> {
    let mut targets = Vec::new();
    let opts = sim::SimOptions {
        vms: args.demo_vms,
        ..sim::SimOptions::default()
    };
    let sim = sim::start(([127, 0, 0, 1], 0).into(), opts)
        .await
        .map_err(|e| format!("cannot start the demo simulator: {e}"))?;
    let demo_endpoints = [
        (ProductName::Vcd, &sim.vcd_url, sim::DEMO_USER, "demo vCD"),
        (
            ProductName::Vcenter,
            &sim.vcenter_url,
            sim::VCENTER_USER,
            "demo vCenter",
        ),
        (
            ProductName::Vro,
            &sim.vro_url,
            sim.vro_user(),
            "demo Orchestrator",
        ),
        // Last, where the tests that browse its Alerts look for it.
        (
            ProductName::Vrops,
            &sim.vrops_url,
            sim::VROPS_USER,
            "demo Aria Operations",
        ),
    ];
    let target = |product, url: &str, user: &str, label: String| {
        let mut ctx = cli_context(args, url);
        ctx.product = product;
        ctx.user = user.into();
        Target {
            label,
            ctx,
            password: (SecretString::from(sim::DEMO_PASSWORD), PasswordSource::Demo),
        }
    };
    for (product, url, user, label) in demo_endpoints {
        targets.push(target(product, url, user, label.into()));
    }
    // Further vCenters: each its own world (another seed, so other names), listed after the
    // first one.
    let mut sims = vec![sim];
    for n in 2..=args.demo_vcenters {
        let opts = sim::SimOptions {
            vms: args.demo_vms,
            seed: sim::SimOptions::default().seed + u64::from(n),
            ..sim::SimOptions::default()
        };
        let more = sim::start(([127, 0, 0, 1], 0).into(), opts)
            .await
            .map_err(|e| format!("cannot start demo vCenter {n}: {e}"))?;
        // After the vCD (0) and the vCenters before it.
        targets.insert(
            usize::from(n),
            target(
                ProductName::Vcenter,
                &more.vcenter_url,
                sim::VCENTER_USER,
                format!("demo vCenter {n}"),
            ),
        );
        sims.push(more);
    }
    Ok((targets, sims))
}

#[cfg(not(feature = "sim"))]
async fn start_demo(_: &EndpointArgs) -> Result<(Vec<Target>, Demo), String> {
    Err("this vnav was built without the simulator (cargo feature `sim`): no demo".into())
}
