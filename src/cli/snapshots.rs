//! `vnav snapshots`: the snapshot view (snapshot sprawl: every VM with snapshots on every
//! selected endpoint, oldest snapshot first) exported in the shared formats. Endpoints that
//! have no snapshots to list (Aria Operations) are skipped. Exit codes as `vnav dump`.

use std::io::BufWriter;

use super::dump::Outcome;
use super::endpoints::{self, EndpointArgs};
use super::output::{self, Cell, Column, Format, Writer};
use crate::api::backend::SprawlSink;
use time::format_description::well_known::Rfc3339;

#[derive(clap::Args, Clone, Debug)]
pub struct SnapshotsArgs {
    #[command(flatten)]
    pub endpoints: EndpointArgs,
    /// table: aligned; json: one object per line; csv: a header row, then a row per VM.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
}

const fn col(id: &'static str, title: &'static str) -> Column {
    Column { id, title }
}

pub const COLUMNS: [Column; 7] = [
    col("oldest", "OLDEST SNAPSHOT"),
    col("vm", "VM"),
    col("endpoint", "ENDPOINT"),
    col("count", "SNAPSHOTS"),
    col("bytes", "BYTES"),
    col("place", "WHERE"),
    col("id", "ID"),
];

pub async fn run(args: &SnapshotsArgs) -> Result<Outcome, String> {
    let resolved = endpoints::resolve(&args.endpoints).await?;
    let out = BufWriter::new(std::io::stdout().lock());
    let mut writer = Writer::new(args.format, COLUMNS.to_vec(), out).map_err(write_error)?;
    let (mut failed, mut read) = (0, 0);
    for t in &resolved.targets {
        let backend = endpoints::backend(&t.ctx, &t.label, t.password.0.clone())?;
        let info = match backend.connect().await {
            Ok(info) => info,
            Err(e) => {
                eprintln!("vnav: {}: {e}", t.label);
                failed += 1;
                continue;
            }
        };
        if !info.capabilities.snapshot_sprawl {
            backend.logout().await;
            continue;
        }
        let rows = backend.snapshot_sprawl(&SprawlSink::ignore()).await;
        backend.logout().await;
        let rows = match rows {
            Ok(rows) => rows,
            Err(e) => {
                eprintln!("vnav: {}: {e}", t.label);
                failed += 1;
                continue;
            }
        };
        read += 1;
        for r in rows {
            let cells = [
                r.oldest
                    .and_then(|t| t.format(&Rfc3339).ok())
                    .map_or(Cell::Empty, Cell::Text),
                Cell::text(&*r.vm.name),
                Cell::text(&t.label),
                Cell::Number(u64::from(r.count)),
                r.bytes.map_or(Cell::Empty, Cell::Number),
                Cell::text(&*r.place),
                Cell::text(&*r.vm.id.as_str()),
            ];
            match writer.row(&cells) {
                Err(e) if output::reader_gone(&e) => return Ok(Outcome::Complete),
                Err(e) => return Err(write_error(e)),
                Ok(()) => {}
            }
        }
    }
    match writer.finish() {
        Err(e) if !output::reader_gone(&e) => return Err(write_error(e)),
        _ => {}
    }
    if read == 0 && failed > 0 {
        return Err("no endpoint could be read".into());
    }
    Ok(if failed > 0 {
        Outcome::Partial
    } else {
        Outcome::Complete
    })
}

fn write_error(e: std::io::Error) -> String {
    format!("cannot write: {e}")
}
