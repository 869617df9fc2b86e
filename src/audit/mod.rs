//! The audit log: one JSON line per confirmed action, in the user's state directory
//! (`$XDG_STATE_HOME/vnav/audit.jsonl`). Secrets never reach it: records carry only what
//! `AuditRecord` holds. Reading it back (`vnav audit`) filters and orders the records here;
//! `since` reads the `--since` forms and `table` lays the records out.

pub mod since;
pub mod table;

use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::app::event::AuditRecord;

/// One record as read back: the line as written (for `--json`) and its parsed time.
#[derive(Clone, Debug)]
pub struct Entry {
    pub line: String,
    pub record: AuditRecord,
    pub time: Option<OffsetDateTime>,
}

impl Entry {
    pub fn new(line: String, record: AuditRecord) -> Entry {
        let time = OffsetDateTime::parse(&record.timestamp, &Rfc3339).ok();
        Entry { line, record, time }
    }
}

/// What `vnav audit` keeps: records at or after `since` whose user, endpoint and result
/// contain the given text (ignoring case).
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub since: Option<OffsetDateTime>,
    pub user: Option<String>,
    pub endpoint: Option<String>,
    pub result: Option<String>,
}

impl Filter {
    pub fn matches(&self, e: &Entry) -> bool {
        let has = |field: &str, wanted: &Option<String>| {
            wanted
                .as_ref()
                .is_none_or(|w| field.to_lowercase().contains(&w.to_lowercase()))
        };
        // A record whose time cannot be read cannot be placed after `since`.
        self.since.is_none_or(|s| e.time.is_some_and(|t| t >= s))
            && has(&e.record.user, &self.user)
            && has(&e.record.endpoint, &self.endpoint)
            && has(&e.record.result, &self.result)
    }

    pub fn is_empty(&self) -> bool {
        self.since.is_none()
            && self.user.is_none()
            && self.endpoint.is_none()
            && self.result.is_none()
    }
}

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

    /// Every record at or after `since`, oldest first (concurrent actions can write their
    /// lines out of order); the count of unreadable lines is returned beside them.
    pub fn read(&self, since: Option<OffsetDateTime>) -> Result<(Vec<AuditRecord>, usize), String> {
        let filter = Filter {
            since,
            ..Filter::default()
        };
        let (entries, bad) = self.entries()?;
        let records = entries
            .into_iter()
            .filter(|e| filter.matches(e))
            .map(|e| e.record)
            .collect();
        Ok((records, bad))
    }

    /// Every readable record in time order, and the count of unreadable lines.
    pub fn entries(&self) -> Result<(Vec<Entry>, usize), String> {
        let file = match std::fs::File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((Vec::new(), 0)),
            Err(e) => return Err(format!("cannot read {}: {e}", self.path.display())),
        };
        let mut entries = Vec::new();
        let mut bad = 0;
        for line in BufReader::new(file).lines() {
            let line = line.map_err(|e| format!("cannot read {}: {e}", self.path.display()))?;
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<AuditRecord>(&line) {
                Ok(r) => entries.push(Entry::new(line, r)),
                Err(_) => bad += 1,
            }
        }
        // Stable, so lines with the same (or an unreadable) time keep the file's order.
        entries.sort_by_key(|e| (e.time.is_none(), e.time));
        Ok((entries, bad))
    }
}
