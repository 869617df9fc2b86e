//! `vnav dump`: the inventory of every selected endpoint, streamed in one pass (see `walk` for
//! the order), in json lines, csv or a table, one row per entity.
//!
//! Exit codes: 0 everything was read; 1 some of it could not be (an endpoint down or a listing
//! refused) and the rest was written; 2 nothing was dumped: bad options or config, or no
//! endpoint could be connected to or logged in to. Errors go to stderr, rows to stdout.

use std::io::{BufWriter, IsTerminal, Write};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::endpoints::{self, EndpointArgs};
use super::output::{self, Cell, Column, Format, Writer};
use super::rows::{self, Place};
use super::walk::{self, Visitor};
use crate::api::error::ApiError;
use crate::api::model::{Node, NodeKind};

#[derive(clap::Args, Clone, Debug)]
pub struct DumpArgs {
    #[command(flatten)]
    pub endpoints: EndpointArgs,
    /// Only these kinds (comma-separated): vm, vapp, host, cluster, datastore, network, org,
    /// vdc, datacenter, catalog, resource, alert, …; every kind when not given.
    #[arg(long, value_delimiter = ',', value_parser = rows::kind_arg)]
    pub kind: Vec<NodeKind>,
    /// Only rows with this text in one of their columns (ignoring case).
    #[arg(long)]
    pub filter: Option<String>,
    /// The columns to write, in this order (comma-separated): name, kind, endpoint, path, id,
    /// state, place, cpu, memory_mib, os, ip, owner, snapshot_created, snapshot_bytes, summary.
    #[arg(long, value_delimiter = ',', value_parser = rows::column_arg)]
    pub columns: Vec<Column>,
    /// json: one object per line; csv: a header row, then a row per object; table: aligned.
    #[arg(long, value_enum, default_value = "json")]
    pub format: Format,
}

/// What a dump came to, for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Complete,
    /// Some endpoint or listing failed; the rest was written.
    Partial,
}

/// Runs the dump; Err (exit 2) when nothing could be dumped.
pub async fn run(args: &DumpArgs) -> Result<Outcome, String> {
    let resolved = endpoints::resolve(&args.endpoints).await?;
    let columns = if args.columns.is_empty() {
        rows::COLUMNS.to_vec()
    } else {
        args.columns.clone()
    };
    let stdout = BufWriter::new(std::io::stdout().lock());
    let writer = Writer::new(args.format, columns, stdout).map_err(write_error)?;
    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {pos} objects [{elapsed}] {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar
    } else {
        ProgressBar::hidden()
    };
    let single = resolved.targets.len() == 1;
    let mut dump = Dump {
        writer,
        kinds: args.kind.clone(),
        filter: args.filter.as_ref().map(|f| f.to_lowercase()),
        endpoint: String::new(),
        label_in_path: !single,
        progress,
        failures: 0,
        write_error: None,
    };
    let mut unreachable = 0;
    for t in &resolved.targets {
        let backend = endpoints::backend(&t.ctx, &t.label, t.password.0.clone())?;
        dump.endpoint = t.label.clone();
        dump.progress
            .set_message(format!("{}: connecting", t.label));
        if let Err(e) = backend.connect().await {
            dump.progress
                .suspend(|| eprintln!("vnav: {}: {e}", t.label));
            unreachable += 1;
            continue;
        }
        let mut root = backend.root();
        root.name = t.label.as_str().into();
        // One endpoint: paths start at its top level, as `vnav ls /` lists it.
        let prefix = if single {
            String::new()
        } else {
            format!("/{}", walk::path_segment(&t.label))
        };
        walk::walk(&backend, &root, &prefix, &mut dump).await;
        backend.logout().await;
        if dump.write_error.is_some() {
            break;
        }
    }
    dump.progress.finish_and_clear();
    let write = match dump.write_error.take() {
        Some(e) => Err(e),
        None => dump.writer.finish(),
    };
    match write {
        Err(e) if output::reader_gone(&e) => return Ok(Outcome::Complete),
        Err(e) => return Err(write_error(e)),
        Ok(()) => {}
    }
    if unreachable == resolved.targets.len() {
        return Err(match unreachable {
            1 => "the endpoint could not be read".to_string(),
            n => format!("none of the {n} endpoints could be read"),
        });
    }
    Ok(if unreachable > 0 || dump.failures > 0 {
        Outcome::Partial
    } else {
        Outcome::Complete
    })
}

fn write_error(e: std::io::Error) -> String {
    format!("cannot write the dump: {e}")
}

struct Dump<W: Write> {
    writer: Writer<W>,
    kinds: Vec<NodeKind>,
    /// Lower case.
    filter: Option<String>,
    endpoint: String,
    label_in_path: bool,
    progress: ProgressBar,
    failures: usize,
    write_error: Option<std::io::Error>,
}

impl<W: Write> Visitor for Dump<W> {
    fn found(&mut self, node: &Node, path: &str, parent: &Node) {
        self.progress.inc(1);
        if self.progress.position() % 256 == 1 {
            // With several endpoints the path starts with the endpoint's name already.
            self.progress.set_message(if self.label_in_path {
                path.to_string()
            } else {
                format!("{}: {path}", self.endpoint)
            });
        }
        // Endpoints and groups are the tree's own structure, not inventory.
        if matches!(node.kind, NodeKind::Endpoint | NodeKind::Group)
            || (!self.kinds.is_empty() && !self.kinds.contains(&node.kind))
            || self.write_error.is_some()
        {
            return;
        }
        let at = Place {
            endpoint: &self.endpoint,
            path,
            parent: Some(parent),
        };
        let cells: Vec<Cell> = self
            .writer
            .columns()
            .iter()
            .map(|c| rows::cell(c, node, &at))
            .collect();
        if let Some(f) = &self.filter
            && !cells.iter().any(|c| c.as_text().to_lowercase().contains(f))
        {
            return;
        }
        if let Err(e) = self.writer.row(&cells) {
            self.write_error = Some(e);
        }
    }

    fn failed(&mut self, path: &str, error: ApiError) {
        self.failures += 1;
        let path = if path.is_empty() { "/" } else { path };
        self.progress
            .suspend(|| eprintln!("vnav: {}: {path}: {error}", self.endpoint));
    }

    fn stopped(&self) -> bool {
        self.write_error.is_some()
    }
}
