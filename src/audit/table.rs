//! The `vnav audit` table: one line per record, columns sized to their contents and shrunk to
//! fit the terminal's width (long values end in `…`), so a long error or URL cannot push the
//! other columns out of line.

use unicode_width::UnicodeWidthStr;

use crate::cli::output::{Column, line, one_line};

use super::Entry;

const HEADERS: [&str; 6] = [
    "TIME (UTC)",
    "ACTION",
    "TARGET",
    "ENDPOINT",
    "USER",
    "RESULT",
];
/// Narrowest a column is shrunk to, so each stays recognisable.
const MIN: [usize; 6] = [19, 6, 8, 8, 5, 6];
const GAP: &str = "  ";

/// The table's lines, header first, for records already filtered and in time order.
pub fn render(entries: &[&Entry], width: usize) -> Vec<String> {
    let rows: Vec<[String; 6]> = entries.iter().map(|e| cells(e)).collect();
    let mut natural = HEADERS.map(UnicodeWidthStr::width);
    for row in &rows {
        for (n, cell) in natural.iter_mut().zip(row) {
            *n = (*n).max(cell.width());
        }
    }
    let widths = fit(
        &natural,
        width.saturating_sub(GAP.len() * (HEADERS.len() - 1)),
    );
    std::iter::once(HEADERS.map(str::to_string))
        .chain(rows)
        .map(|row| line(&row, &widths))
        .collect()
}

/// The same columns for the other formats (`vnav audit --format csv`).
pub const COLUMNS: [Column; 6] = [
    Column {
        id: "time_utc",
        title: HEADERS[0],
    },
    Column {
        id: "action",
        title: HEADERS[1],
    },
    Column {
        id: "target",
        title: HEADERS[2],
    },
    Column {
        id: "endpoint",
        title: HEADERS[3],
    },
    Column {
        id: "user",
        title: HEADERS[4],
    },
    Column {
        id: "result",
        title: HEADERS[5],
    },
];

/// A record's values, one per column, uncut.
pub fn cells(e: &Entry) -> [String; 6] {
    let r = &e.record;
    // Whole seconds are enough to read; `--json` keeps the full timestamp.
    let time = r
        .timestamp
        .get(..19)
        .unwrap_or(&r.timestamp)
        .replace('T', " ");
    let snapshot = ["name", "snapshot"]
        .iter()
        .find_map(|k| r.parameters.get(*k).and_then(|v| v.as_str()))
        .filter(|s| !s.is_empty());
    let target = match snapshot {
        Some(s) => format!("{} › {s}", r.target_name),
        None => r.target_name.clone(),
    };
    let endpoint = r
        .endpoint
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .to_string();
    let result = if r.result.is_empty() {
        "(no result recorded)".to_string()
    } else {
        r.result.clone()
    };
    [
        time,
        r.action.clone(),
        target,
        endpoint,
        r.user.clone(),
        result,
    ]
    .map(|c| one_line(&c))
}

/// Column widths: each column's natural width when all fit. Otherwise columns give up room
/// in the order people need them least: endpoint and user down to 16, then the target and the
/// result (widest first), then anything down to its minimum.
fn fit(natural: &[usize; 6], room: usize) -> [usize; 6] {
    const TARGET: usize = 2;
    const ENDPOINT: usize = 3;
    const USER: usize = 4;
    const RESULT: usize = 5;
    let mut widths = *natural;
    let stages: [(&[usize], Option<usize>); 3] = [
        (&[ENDPOINT, USER], Some(16)),
        (&[TARGET, RESULT], None),
        (&[1, TARGET, ENDPOINT, USER, RESULT], None),
    ];
    for (columns, floor) in stages {
        let floor_of = |i: usize| floor.unwrap_or(MIN[i]).max(MIN[i]).min(natural[i]);
        while widths.iter().sum::<usize>() > room {
            // Narrow the widest column of this stage that may still give room.
            let Some(&i) = columns
                .iter()
                .filter(|&&i| widths[i] > floor_of(i))
                .max_by_key(|&&i| widths[i])
            else {
                break;
            };
            widths[i] -= 1;
        }
    }
    widths
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::event::AuditRecord;

    fn entry(time: &str, target: &str, params: serde_json::Value, result: &str) -> Entry {
        let record = AuditRecord {
            timestamp: time.into(),
            endpoint: "https://vcd.example.com".into(),
            user: "admin@System".into(),
            target_id: "urn:vm:1".into(),
            target_name: target.into(),
            action: "Create snapshot".into(),
            parameters: params,
            task_id: None,
            result: result.into(),
        };
        Entry::new(serde_json::to_string(&record).unwrap(), record)
    }

    #[test]
    fn columns_fit_the_width_and_long_values_end_in_an_ellipsis() {
        let long_error = format!("failed: {}", "the server said no. ".repeat(20));
        let entries = [
            entry(
                "2026-12-06T11:36:25.683Z",
                "ad-dc-02",
                serde_json::json!({"name": "before-patch"}),
                "success",
            ),
            entry(
                "2026-12-06T11:37:00Z",
                &"very-long-vm-name-".repeat(6),
                serde_json::json!({}),
                &long_error,
            ),
        ];
        let refs: Vec<&Entry> = entries.iter().collect();
        let lines = render(&refs, 120);
        for l in &lines {
            assert!(l.width() <= 120, "{} columns: {l}", l.width());
        }
        assert!(lines[0].starts_with("TIME (UTC)"), "{}", lines[0]);
        assert!(
            lines[1].starts_with("2026-12-06 11:36:25  Create snapshot  ad-dc-02 › before-patch"),
            "{}",
            lines[1]
        );
        assert!(
            lines[2].contains('…') && lines[2].ends_with('…'),
            "{}",
            lines[2]
        );
        // Every column starts where its header does, whatever the values' lengths.
        for header in ["ENDPOINT", "USER"] {
            let at = lines[0].find(header).unwrap();
            for l in &lines[1..] {
                let rest: String = l.chars().skip(at).collect();
                let expected = if header == "USER" {
                    "admin@System"
                } else {
                    "vcd.example.com"
                };
                assert!(rest.starts_with(expected), "{header} at {at}: {l}");
            }
        }
    }

    #[test]
    fn a_wide_terminal_shows_everything_uncut() {
        let e = entry(
            "2026-12-06T11:36:25Z",
            "web-01",
            serde_json::json!({}),
            "failed: line one\nline two",
        );
        let lines = render(&[&e], 300);
        assert!(!lines[1].contains('…'), "{}", lines[1]);
        assert!(
            lines[1].ends_with("failed: line one line two"),
            "{}",
            lines[1]
        );
    }

    #[test]
    fn long_endpoints_and_users_give_way_before_the_result() {
        let mut e = entry(
            "2026-12-05T09:10:11Z",
            "db-01",
            serde_json::json!({}),
            "failed: 400 BUSY_ENTITY: the VM is busy completing another operation",
        );
        e.record.endpoint = "https://vcd-prod-eu-west-1.corp.example.com".into();
        e.record.user = "operator@acme-corporation-holdings".into();
        let lines = render(&[&e], 100);
        // Endpoint and user stop at 16 columns; the result takes every column left.
        assert_eq!(lines[1].width(), 100, "{}", lines[1]);
        assert!(
            lines[1].contains("vcd-prod-eu-wes…  operator@acme-c…  failed: 400 BUSY_"),
            "{}",
            lines[1]
        );
    }
}
