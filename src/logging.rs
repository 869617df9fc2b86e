//! `--log-file PATH`: tracing to a file, levels from `VNAV_LOG` (default `info`). Nothing is
//! ever logged to the terminal, which the TUI owns. Request lines carry method, path, status,
//! size and duration — never headers or bodies, so tokens and passwords cannot reach the log.

use std::fs::OpenOptions;
use std::path::Path;
use std::sync::Mutex;

use tracing_subscriber::EnvFilter;

pub fn init(path: &Path) -> Result<(), String> {
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("cannot open log file {}: {e}", path.display()))?;
    let filter = EnvFilter::try_from_env("VNAV_LOG")
        .or_else(|_| EnvFilter::try_new("info"))
        .map_err(|e| format!("VNAV_LOG: {e}"))?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(Mutex::new(file))
        .with_ansi(false)
        .try_init()
        .map_err(|e| format!("logging: {e}"))
}
