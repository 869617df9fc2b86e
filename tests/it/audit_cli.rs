//! `vnav audit` as a user runs it: a `--since` that is not a time is refused (exit 2, with the
//! accepted forms), the table is in time order with snapshot names, and the filters and
//! `--json` pick the stored lines.

use std::process::{Command, Output};

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

fn record(age_hours: i64, user: &str, target: &str, params: &str, result: &str) -> String {
    let at = (OffsetDateTime::now_utc() - time::Duration::hours(age_hours))
        .format(&Rfc3339)
        .unwrap();
    format!(
        r#"{{"timestamp":"{at}","endpoint":"https://vcd.example.com","user":"{user}","target_id":"urn:vm:{target}","target_name":"{target}","action":"Create snapshot","parameters":{params},"task_id":null,"result":"{result}"}}"#
    )
}

struct Log {
    home: tempfile::TempDir,
    lines: Vec<String>,
}

/// An audit log written out of time order, as concurrent actions do.
fn log() -> Log {
    let home = tempfile::tempdir().unwrap();
    let lines = vec![
        record(1, "admin@System", "web-02", "{}", "success"),
        record(
            100,
            "alice@acme",
            "db-01",
            r#"{"name":"before-patch"}"#,
            "success",
        ),
        record(30, "alice@acme", "web-01", "{}", "failed: 400 busy"),
    ];
    let dir = home.path().join("state/vnav");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("audit.jsonl"), lines.join("\n") + "\n").unwrap();
    Log { home, lines }
}

fn audit(log: &Log, args: &[&str]) -> (Output, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vnav"))
        .arg("audit")
        .args(args)
        .env("HOME", log.home.path())
        .env("XDG_STATE_HOME", log.home.path().join("state"))
        .env("COLUMNS", "200")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

#[test]
fn a_since_that_is_not_a_time_is_refused() {
    let log = log();
    for bad in ["2026-13-45", "yesterdy", "last week"] {
        let (out, stdout, stderr) = audit(&log, &["--since", bad]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.contains("is not a time") && stderr.contains("today, yesterday"),
            "{bad}: {stderr}"
        );
    }
}

#[test]
fn since_yesterday_and_ages_select_by_time() {
    let log = log();
    let (out, stdout, _) = audit(&log, &["--since", "2d"]);
    assert!(out.status.success());
    let rows: Vec<&str> = stdout.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{stdout}");
    // Oldest first although the file holds them the other way round.
    assert!(
        rows[0].contains("web-01") && rows[1].contains("web-02"),
        "{stdout}"
    );
    let (_, stdout, _) = audit(&log, &["--since", "yesterday"]);
    assert!(
        stdout.contains("web-02") && !stdout.contains("db-01"),
        "{stdout}"
    );
}

#[test]
fn the_table_is_in_time_order_with_snapshot_names() {
    let log = log();
    let (out, stdout, _) = audit(&log, &[]);
    assert!(out.status.success());
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("TIME (UTC)"), "{stdout}");
    assert!(lines[1].contains("db-01 › before-patch"), "{stdout}");
    assert!(
        lines[2].contains("web-01") && lines[3].contains("web-02"),
        "{stdout}"
    );
}

#[test]
fn filters_and_json_print_the_stored_lines() {
    let log = log();
    let (_, stdout, _) = audit(&log, &["--json", "--user", "ALICE", "--result", "failed"]);
    assert_eq!(stdout, format!("{}\n", log.lines[2]));
    let (_, stdout, _) = audit(&log, &["--json", "--endpoint", "vcd.example"]);
    assert_eq!(stdout.lines().count(), 3);
    let (out, stdout, stderr) = audit(&log, &["--user", "bob"]);
    assert!(out.status.success() && stdout.is_empty());
    assert!(
        stderr.contains("no audit records match") && stderr.contains("holds 3"),
        "{stderr}"
    );
}

#[test]
fn csv_has_a_header_and_one_quoted_row_per_record() {
    let log = log();
    let (out, stdout, stderr) = audit(&log, &["--format", "csv", "--user", "alice"]);
    assert!(out.status.success(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines[0], "time_utc,action,target,endpoint,user,result");
    assert_eq!(lines.len(), 3, "{stdout}");
    // Oldest first, the snapshot name with its VM, the endpoint without its scheme.
    assert!(
        lines[1]
            .ends_with(",Create snapshot,db-01 › before-patch,vcd.example.com,alice@acme,success"),
        "{stdout}"
    );
    assert!(lines[2].ends_with(",failed: 400 busy"), "{stdout}");
    let (out, _, stderr) = audit(&log, &["--format", "json", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
}
