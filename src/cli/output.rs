//! The output formats every listing command shares (`vnav dump`, `vnav ls`, `vnav audit`):
//! `json` (one JSON object per line, keys in column order), `csv` (a header row, then one row
//! per object; RFC 4180 quoting by the `csv` crate) and `table` (aligned columns for people).
//! All three stream: a row is written when it is given, so output of any length takes constant
//! memory. The table sizes its columns from the first `TABLE_SAMPLE` rows and then keeps those
//! widths, cutting a longer cell with `…`.

use std::io::{self, Write};

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Json,
    /// A header row, then one row per object.
    Csv,
    /// Aligned columns.
    Table,
}

/// One output column: `id` names it in JSON keys, CSV headers and `--columns`; `title` heads
/// the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub id: &'static str,
    pub title: &'static str,
}

/// One value. Numbers stay numbers in JSON; an empty value is `null` there and empty elsewhere.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cell {
    Text(String),
    Number(u64),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        if s.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(s)
        }
    }

    /// The value as text (what CSV and the table show, and what `--filter` matches).
    pub fn as_text(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Cell::Text(s) => s.as_str().into(),
            Cell::Number(n) => n.to_string().into(),
            Cell::Empty => "".into(),
        }
    }
}

/// Rows the table reads before it fixes its column widths.
pub const TABLE_SAMPLE: usize = 500;
/// Widest a table column other than the last grows, so one long value cannot push the rest
/// off the screen.
const TABLE_MAX: usize = 60;
const GAP: &str = "  ";

/// Writes rows in one format as they come.
pub struct Writer<W: Write> {
    columns: Vec<Column>,
    kind: Kind<W>,
}

enum Kind<W: Write> {
    Json(W),
    Csv(Box<csv::Writer<W>>),
    Table {
        out: W,
        /// Rows held until the widths are known; None once they are.
        pending: Option<Vec<Vec<String>>>,
        widths: Vec<usize>,
    },
}

impl<W: Write> Writer<W> {
    pub fn new(format: Format, columns: Vec<Column>, out: W) -> io::Result<Self> {
        let kind = match format {
            Format::Json => Kind::Json(out),
            Format::Csv => {
                let mut w = csv::Writer::from_writer(out);
                w.write_record(columns.iter().map(|c| c.id))
                    .map_err(csv_io)?;
                Kind::Csv(Box::new(w))
            }
            Format::Table => Kind::Table {
                out,
                pending: Some(Vec::new()),
                widths: Vec::new(),
            },
        };
        Ok(Writer { columns, kind })
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Writes one row: one cell per column, in column order.
    pub fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        match &mut self.kind {
            Kind::Json(out) => {
                let mut line = String::from("{");
                for (i, (c, cell)) in self.columns.iter().zip(cells).enumerate() {
                    if i > 0 {
                        line.push(',');
                    }
                    line.push_str(&serde_json::to_string(c.id)?);
                    line.push(':');
                    match cell {
                        Cell::Text(s) => line.push_str(&serde_json::to_string(s)?),
                        Cell::Number(n) => line.push_str(&n.to_string()),
                        Cell::Empty => line.push_str("null"),
                    }
                }
                line.push_str("}\n");
                out.write_all(line.as_bytes())
            }
            Kind::Csv(w) => w
                .write_record(cells.iter().map(|c| c.as_text().into_owned()))
                .map_err(csv_io),
            Kind::Table {
                out,
                pending,
                widths,
            } => {
                let row: Vec<String> = cells.iter().map(|c| one_line(&c.as_text())).collect();
                match pending {
                    Some(rows) => {
                        rows.push(row);
                        if rows.len() >= TABLE_SAMPLE {
                            flush_sample(out, &self.columns, pending, widths)?;
                        }
                        Ok(())
                    }
                    None => writeln!(out, "{}", line(&row, widths)),
                }
            }
        }
    }

    /// Writes what is still held (a table shorter than its sample) and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        match &mut self.kind {
            Kind::Json(out) => out.flush(),
            Kind::Csv(w) => w.flush(),
            Kind::Table {
                out,
                pending,
                widths,
            } => {
                if pending.is_some() {
                    flush_sample(out, &self.columns, pending, widths)?;
                }
                out.flush()
            }
        }
    }
}

/// Fixes the table's widths from the rows held so far, then writes the header and them.
fn flush_sample<W: Write>(
    out: &mut W,
    columns: &[Column],
    pending: &mut Option<Vec<Vec<String>>>,
    widths: &mut Vec<usize>,
) -> io::Result<()> {
    let rows = pending.take().unwrap_or_default();
    let titles: Vec<String> = columns.iter().map(|c| c.title.to_string()).collect();
    *widths = titles.iter().map(|t| t.width()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    // The last column is never padded, so it need not be cut either.
    let last = widths.len().saturating_sub(1);
    for (i, w) in widths.iter_mut().enumerate() {
        *w = if i == last {
            usize::MAX
        } else {
            (*w).min(TABLE_MAX)
        };
    }
    for row in std::iter::once(&titles).chain(&rows) {
        writeln!(out, "{}", line(row, widths))?;
    }
    Ok(())
}

/// Cells padded to their column's width, two spaces apart; the last column is not padded.
pub fn line(row: &[String], widths: &[usize]) -> String {
    let mut out = String::new();
    for (i, (cell, &w)) in row.iter().zip(widths).enumerate() {
        let last = i == row.len() - 1;
        let text = cut(cell, w);
        out.push_str(&text);
        if !last {
            out.push_str(&" ".repeat(w.saturating_sub(text.width())));
            out.push_str(GAP);
        }
    }
    out.trim_end().to_string()
}

/// `s` in at most `w` columns, ending in `…` when cut.
pub fn cut(s: &str, w: usize) -> String {
    if s.width() <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let cw = c.width().unwrap_or(0);
        if used + cw + 1 > w {
            break;
        }
        out.push(c);
        used += cw;
    }
    if w > 0 {
        out.push('…');
    }
    out
}

/// Control characters (a multi-line server error) would break a table's lines.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The I/O error under a CSV one, so a closed pipe is still recognised as one.
fn csv_io(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

/// Says whether an error only means the reader went away (`vnav dump | head`): then the
/// command stops quietly instead of reporting a failure.
pub fn reader_gone(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Column; 3] = [
        Column {
            id: "name",
            title: "NAME",
        },
        Column {
            id: "cpu",
            title: "CPU",
        },
        Column {
            id: "note",
            title: "NOTE",
        },
    ];

    fn write(format: Format, rows: &[Vec<Cell>]) -> String {
        let mut buf = Vec::new();
        let mut w = Writer::new(format, COLS.to_vec(), &mut buf).unwrap();
        for r in rows {
            w.row(r).unwrap();
        }
        w.finish().unwrap();
        String::from_utf8(buf).unwrap()
    }

    fn rows() -> Vec<Vec<Cell>> {
        vec![
            vec![
                Cell::text("web-01"),
                Cell::Number(2),
                Cell::text("a, \"quoted\"\nnote"),
            ],
            vec![Cell::text("db"), Cell::Empty, Cell::Empty],
        ]
    }

    #[test]
    fn json_is_one_object_per_line_with_numbers_and_nulls() {
        let out = write(Format::Json, &rows());
        assert_eq!(
            out,
            "{\"name\":\"web-01\",\"cpu\":2,\"note\":\"a, \\\"quoted\\\"\\nnote\"}\n\
             {\"name\":\"db\",\"cpu\":null,\"note\":null}\n"
        );
    }

    #[test]
    fn csv_quotes_what_needs_it() {
        let out = write(Format::Csv, &rows());
        assert_eq!(
            out,
            "name,cpu,note\nweb-01,2,\"a, \"\"quoted\"\"\nnote\"\ndb,,\n"
        );
    }

    #[test]
    fn table_aligns_and_keeps_its_widths_past_the_sample() {
        let mut many = rows();
        for i in 0..TABLE_SAMPLE {
            many.push(vec![
                Cell::text(format!("vm-{i}")),
                Cell::Number(1),
                Cell::Empty,
            ]);
        }
        many.push(vec![
            Cell::text("a-much-longer-name-than-any-before"),
            Cell::Number(4),
            Cell::text("x"),
        ]);
        let out = write(Format::Table, &many);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "NAME    CPU  NOTE");
        assert_eq!(lines[1], "web-01  2    a, \"quoted\" note");
        assert_eq!(lines.last().unwrap(), &"a-muc…  4    x");
        assert_eq!(lines.len(), TABLE_SAMPLE + 4);
    }
}
