//! The `vnav` command line: the TUI (on the built-in demo, a URL, or configured contexts), and
//! the `sim`, `inspect`, `audit`, `completions`, `man` and `config example` subcommands. Everything else lives in the library.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use secrecy::SecretString;

use vnav::api::Backend;
use vnav::app::{App, EndpointSpec};
use vnav::audit::AuditLog;
use vnav::cli::dump::{self, DumpArgs};
use vnav::cli::endpoints::{self, EndpointArgs};
use vnav::cli::ls::{self, LsArgs, LsError};
use vnav::cli::output::{self, Format};
use vnav::cli::snapshots::{self, SnapshotsArgs};
use vnav::config::{self, Context, PasswordSource};
use vnav::runtime::executor::Reopen;
#[cfg(feature = "sim")]
use vnav::sim;
use vnav::theme::Theme;

vnav::shipped_allocator!();

#[derive(Parser, Debug)]
#[command(
    name = "vnav",
    version,
    about = "Browse and operate VMware clouds (vCloud Director, vCenter, Aria Operations, Aria Orchestrator) from the terminal",
    after_help = "Passwords come from VNAV_PASSWORD (or a context's password_env / \
                  password_command), else an interactive prompt; never from the command line."
)]
struct Cli {
    #[command(flatten)]
    endpoints: EndpointArgs,
    /// Hide and refuse every action that changes something.
    #[arg(long)]
    read_only: bool,
    /// Colour theme: default (dark), light, high-contrast, nord, mono, or a file in
    /// ~/.config/vnav/themes.
    #[arg(long)]
    theme: Option<String>,
    /// The terminal's colours, when its TERM/COLORTERM say less (or more) than it has:
    /// truecolor, 256, 16 or none (default: from NO_COLOR, COLORTERM and TERM).
    #[arg(long, value_enum)]
    color: Option<vnav::colour_depth::ColourDepth>,
    /// Write a log (levels from VNAV_LOG) to this file; nothing is logged to the terminal.
    #[arg(long)]
    log_file: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the simulator in the foreground and print its URLs and credentials.
    #[cfg(feature = "sim")]
    Sim(sim::cli::SimArgs),
    /// Show what vnav understands of saved API responses (XML or JSON).
    Inspect {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the audit log of confirmed actions, oldest first.
    Audit(AuditArgs),
    /// Export the inventory of the selected endpoints (exit 1: partly read; 2: not at all).
    Dump(DumpArgs),
    /// List the children of a node: `vnav ls /`, `vnav ls /acme/acme-ams-gold`.
    Ls(LsArgs),
    /// Export the snapshot view: every VM with snapshots, oldest first.
    Snapshots(SnapshotsArgs),
    /// Print a shell completion script: `vnav completions bash > /etc/bash_completion.d/vnav`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print vnav's man page (roff): `vnav man > ~/.local/share/man/man1/vnav.1`.
    Man,
    /// About the config file.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Print a commented example config (every setting, with what it does).
    Example,
}

#[derive(clap::Args, Debug)]
struct AuditArgs {
    /// Only records at or after this time: today, yesterday, an age (30m, 24h, 7d), a date
    /// (2026-11-24, UTC) or an RFC 3339 time.
    #[arg(long, value_parser = vnav::audit::since::arg)]
    since: Option<time::OffsetDateTime>,
    /// Only records whose user contains this text (ignoring case).
    #[arg(long)]
    user: Option<String>,
    /// Only records whose endpoint URL contains this text (ignoring case).
    #[arg(long)]
    endpoint: Option<String>,
    /// Only records whose result contains this text (ignoring case), e.g. success or failed.
    #[arg(long)]
    result: Option<String>,
    /// table: fitted to the terminal; json: the log lines as stored (JSON Lines); csv: a
    /// header row, then one row per record.
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// The same as --format json.
    #[arg(long, conflicts_with = "format")]
    json: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(path) = &cli.log_file
        && let Err(e) = vnav::logging::init(path)
    {
        eprintln!("vnav: {e}");
        return ExitCode::from(2);
    }
    vnav::api::tls::install_crypto_provider();
    let result = match &cli.command {
        Some(Command::Inspect { files }) => return inspect(files),
        Some(Command::Audit(args)) => audit(args),
        Some(Command::Completions { shell }) => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut cmd, "vnav", &mut std::io::stdout());
            Ok(())
        }
        Some(Command::Man) => clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
            .render(&mut std::io::stdout())
            .map_err(|e| format!("man page: {e}")),
        Some(Command::Config(ConfigCommand::Example)) => {
            print!("{}", config::EXAMPLE);
            Ok(())
        }
        Some(Command::Dump(args)) => match runtime().and_then(|rt| rt.block_on(dump::run(args))) {
            Ok(dump::Outcome::Complete) => Ok(()),
            Ok(dump::Outcome::Partial) => return ExitCode::from(1),
            Err(e) => Err(e),
        },
        Some(Command::Snapshots(args)) => {
            match runtime().and_then(|rt| rt.block_on(snapshots::run(args))) {
                Ok(dump::Outcome::Complete) => Ok(()),
                Ok(dump::Outcome::Partial) => return ExitCode::from(1),
                Err(e) => Err(e),
            }
        }
        Some(Command::Ls(args)) => {
            let result = runtime()
                .map_err(LsError::Usage)
                .and_then(|rt| rt.block_on(ls::run(args)));
            return match result {
                Ok(()) => ExitCode::SUCCESS,
                Err(LsError::Usage(e)) => {
                    eprintln!("vnav: {e}");
                    ExitCode::from(2)
                }
                Err(LsError::Failed(e)) => {
                    eprintln!("vnav: {e}");
                    ExitCode::from(1)
                }
            };
        }
        #[cfg(feature = "sim")]
        Some(Command::Sim(args)) => runtime().and_then(|rt| {
            rt.block_on(sim::cli::run(args.clone()))
                .map_err(|e| format!("simulator: {e}"))
        }),
        None => runtime().and_then(|rt| rt.block_on(tui(&cli))),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vnav: {e}");
            ExitCode::from(2)
        }
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))
}

fn inspect(files: &[PathBuf]) -> ExitCode {
    let mut failed = 0;
    for file in files {
        println!("== {}", file.display());
        let result = std::fs::read(file)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|body| vnav::inspect::inspect(&body));
        match result {
            Ok(report) => print!("{report}"),
            Err(e) => {
                failed += 1;
                eprintln!("vnav: {}: {e}", file.display());
            }
        }
    }
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn audit(args: &AuditArgs) -> Result<(), String> {
    use std::io::IsTerminal;
    let path = AuditLog::default_path().ok_or("no home directory for the audit log")?;
    let (entries, bad) = AuditLog::new(path.clone()).entries()?;
    let filter = vnav::audit::Filter {
        since: args.since,
        user: args.user.clone(),
        endpoint: args.endpoint.clone(),
        result: args.result.clone(),
    };
    let chosen: Vec<_> = entries.iter().filter(|e| filter.matches(e)).collect();
    let format = if args.json { Format::Json } else { args.format };
    if format == Format::Json {
        for e in &chosen {
            println!("{}", e.line);
        }
    } else if format == Format::Csv {
        let write = || -> std::io::Result<()> {
            let columns = vnav::audit::table::COLUMNS.to_vec();
            let mut w = output::Writer::new(Format::Csv, columns, std::io::stdout().lock())?;
            for e in &chosen {
                w.row(&vnav::audit::table::cells(e).map(output::Cell::text))?;
            }
            w.finish()
        };
        match write() {
            Err(e) if !output::reader_gone(&e) => return Err(format!("cannot write: {e}")),
            _ => {}
        }
    } else if !chosen.is_empty() {
        let width = if std::io::stdout().is_terminal() {
            crossterm::terminal::size().ok().map(|(w, _)| w as usize)
        } else {
            None
        }
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .unwrap_or(120);
        for line in vnav::audit::table::render(&chosen, width) {
            println!("{line}");
        }
    }
    if bad > 0 {
        eprintln!("vnav: {bad} unreadable line(s) in {}", path.display());
    }
    if chosen.is_empty() {
        // Say why nothing shows, so an empty answer is never mistaken for an empty log.
        match entries.last() {
            None => eprintln!("no audit records in {}", path.display()),
            Some(newest) if !filter.is_empty() => eprintln!(
                "no audit records match; {} holds {} (the newest from {})",
                path.display(),
                entries.len(),
                newest
                    .record
                    .timestamp
                    .get(..19)
                    .unwrap_or(&newest.record.timestamp)
            ),
            Some(_) => {}
        }
    }
    Ok(())
}

/// One endpoint to open: its tree label, backend, and safety settings.
struct Opened {
    spec: EndpointSpec,
    backend: Arc<dyn Backend>,
    source: PasswordSource,
    /// The same endpoint with another password, for the prompt after a refused login.
    reopen: Reopen,
}

fn open(
    ctx: &Context,
    label: &str,
    (password, source): (SecretString, PasswordSource),
) -> Result<Opened, String> {
    let backend = endpoints::backend(ctx, label, password)?;
    let mut root = backend.root();
    root.name = label.into();
    let reopen: Reopen = {
        let (ctx, label) = (ctx.clone(), label.to_string());
        Arc::new(move |password| {
            open(&ctx, &label, (password, PasswordSource::Prompt)).map(|o| o.backend)
        })
    };
    Ok(Opened {
        spec: EndpointSpec {
            label: label.to_string(),
            root,
            insecure: ctx.insecure,
            read_only: ctx.read_only,
        },
        backend,
        source,
        reopen,
    })
}

async fn tui(cli: &Cli) -> Result<(), String> {
    // Keeps the in-process simulator of `--demo` alive for the whole session.
    let resolved = endpoints::resolve(&cli.endpoints).await?;
    let mut opened = Vec::new();
    for t in &resolved.targets {
        opened.push(open(&t.ctx, &t.label, t.password.clone())?);
    }
    let cfg = &resolved.config;
    let theme_name = cli.theme.clone().or(cfg.theme.clone());
    let theme = match theme_name {
        Some(name) => Theme::load(
            &name,
            resolved
                .config_path
                .as_deref()
                .map(config::themes_dir)
                .as_deref(),
        )?,
        None => Theme::default(),
    };
    let mut specs = Vec::new();
    let mut backends = Vec::new();
    let mut sources = Vec::new();
    let mut reopen = Vec::new();
    for o in opened {
        specs.push(o.spec);
        backends.push(o.backend);
        sources.push(o.source);
        reopen.push(Some(o.reopen));
    }
    // The flag, then the config, then the environment (NO_COLOR, COLORTERM, TERM): a user's
    // explicit choice overrides NO_COLOR, as no-color.org asks.
    let depth = cli
        .color
        .or(cfg.color)
        .unwrap_or_else(vnav::colour_depth::ColourDepth::from_env);
    let theme = theme.fitted(depth);
    if specs.len() > vnav::app::tree::MAX_ENDPOINTS {
        return Err(format!(
            "{} endpoints: vnav holds at most {}",
            specs.len(),
            vnav::app::tree::MAX_ENDPOINTS
        ));
    }
    let mut app = App::new(specs, theme, cli.read_only || cfg.read_only);
    app.keymap =
        vnav::app::keymap::Keymap::with_overrides(&cfg.keys).map_err(|e| format!("config: {e}"))?;
    for (i, source) in sources.into_iter().enumerate() {
        app.set_password_source(i, source);
    }
    app.columns = vnav::api::columns::Choice::from_config(&cfg.columns)
        .map_err(|e| format!("config: {e}"))?;
    load_bookmarks(&mut app);
    load_sorts(&mut app);
    app.contexts = cfg.contexts.iter().map(|c| c.name.clone()).collect();
    app.themes_dir = resolved.config_path.as_deref().map(config::themes_dir);
    app.user_themes = app
        .themes_dir
        .as_deref()
        .map(vnav::theme::user_names)
        .unwrap_or_default();
    let audit = AuditLog::default_path().map(AuditLog::new);
    // Contexts of the config not opened now can be by `:ctx NAME` (not in the demo, whose
    // endpoints are not the config's).
    let opener =
        (!cli.endpoints.demo).then(|| vnav::cli::open_context::opener(cfg.contexts.clone()));
    vnav::runtime::run_tui(app, backends, audit, reopen, opener)
        .await
        .map_err(|e| format!("terminal: {e}"))
}

/// Each kind of table's last sort from the state directory; a damaged file is reported and
/// replaced at the next sort.
fn load_sorts(app: &mut App) {
    let Some(path) = vnav::app::table::sorts_path() else {
        return;
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            if let Err(e) = app.load_sorts(&text) {
                app.notify(
                    format!("{e} ({})", path.display()),
                    vnav::api::model::Severity::Warn,
                );
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => app.notify(
            format!("sorts not read from {}: {e}", path.display()),
            vnav::api::model::Severity::Warn,
        ),
    }
    app.sorts_path = Some(path);
}

/// Bookmarks from the state directory; a damaged file is reported and left as it is (the
/// next bookmark set replaces it).
fn load_bookmarks(app: &mut App) {
    let Some(path) = vnav::app::history::default_path() else {
        return;
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => match vnav::app::history::parse(&text) {
            Ok(file) => app.bookmarks.file = file,
            Err(e) => app.notify(
                format!("{e} ({})", path.display()),
                vnav::api::model::Severity::Warn,
            ),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => app.notify(
            format!("bookmarks not read from {}: {e}", path.display()),
            vnav::api::model::Severity::Warn,
        ),
    }
    app.bookmarks.path = Some(path);
}
