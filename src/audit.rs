//! The audit log: one JSON line per confirmed action, in the user's state directory
//! (`$XDG_STATE_HOME/vnav/audit.jsonl`). Secrets never reach it: records carry only what
//! `AuditRecord` holds.

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use crate::app::event::AuditRecord;

#[derive(Clone, Debug)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    pub fn new(path: PathBuf) -> Self {
        AuditLog { path }
    }

    /// `$XDG_STATE_HOME/vnav/audit.jsonl` (or the platform's equivalent).
    pub fn default_path() -> Option<PathBuf> {
        let dirs = directories::ProjectDirs::from("", "", "vnav")?;
        let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
        Some(dir.join("audit.jsonl"))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn open(&self) -> Result<std::fs::File, String> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("audit log: cannot create {}: {e}", dir.display()))?;
        }
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|e| format!("audit log: cannot open {}: {e}", self.path.display()))
    }

    /// Fails when the log cannot be written, so the action is refused before it starts.
    pub fn check_writable(&self) -> Result<(), String> {
        self.open().map(|_| ())
    }

    pub fn append(&self, record: &AuditRecord) -> Result<(), String> {
        let mut line = serde_json::to_string(record).map_err(|e| format!("audit log: {e}"))?;
        line.push('\n');
        // One write call per line so concurrent vnav processes do not interleave lines.
        self.open()?
            .write_all(line.as_bytes())
            .map_err(|e| format!("audit log: cannot write {}: {e}", self.path.display()))
    }

    /// Every record at or after `since` (RFC 3339 or a date); unreadable lines are reported.
    pub fn read(&self, since: Option<&str>) -> Result<(Vec<AuditRecord>, usize), String> {
        let file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => return Err(format!("cannot read {}: {e}", self.path.display())),
        };
        let mut records = Vec::new();
        let mut bad = 0;
        for line in BufReader::new(file).lines() {
            let line = line.map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<AuditRecord>(&line) {
                // RFC 3339 UTC timestamps sort as text, so a prefix like "2026-11-24" works too.
                Ok(r) if since.is_none_or(|s| r.timestamp.as_str() >= s) => records.push(r),
                Ok(_) => {}
                Err(_) => bad += 1,
            }
        }
        Ok((records, bad))
    }
}
