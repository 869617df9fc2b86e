//! What an operator reads about a workflow (what it is, where it sits, what it asks for and
//! gives back, how its last runs went) and about one run (state, who and when, inputs with
//! secure strings masked, outputs, the exception of a failure, the logs).

use serde_json::Value;

use super::map;
use crate::api::labels;
use crate::api::model::{Node, ParamSpec, Section, Table, TableRow, TaskInfo};

fn table(title: &str, columns: &[&str], rows: Vec<TableRow>) -> Section {
    let mut s = Section::new(title);
    s.table = Some(Table {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    });
    s
}

fn row(cells: Vec<String>) -> TableRow {
    TableRow {
        cells,
        health: None,
        target: None,
    }
}

/// The workflow: name, description, version, category path, id.
pub fn workflow(v: &Value, category_path: Option<&str>) -> Section {
    let mut s = Section::new("Workflow");
    s.row("Name", v["name"].as_str().unwrap_or(""));
    if let Some(d) = v["description"].as_str().filter(|d| !d.is_empty()) {
        s.row("Description", d);
    }
    if let Some(version) = v["version"].as_str() {
        s.row("Version", version);
    }
    if let Some(path) = category_path {
        s.row("Category", path);
    }
    s.row("Id", v["id"].as_str().unwrap_or(""));
    s
}

/// Declared inputs: type, whether mandatory, default and allowed values. A Default or Allowed
/// column no input fills is left out: at 80 columns its heading cut to "Defa…" took the room
/// the rest is read in.
pub fn inputs(specs: &[ParamSpec]) -> Section {
    let cells: Vec<[String; 6]> = specs
        .iter()
        .map(|p| {
            [
                p.name.clone(),
                p.ty.label().to_string(),
                if p.mandatory { "Yes" } else { "" }.into(),
                p.default.as_ref().map(map::display).unwrap_or_default(),
                p.allowed.join(", "),
                p.description.clone(),
            ]
        })
        .collect();
    const HEADINGS: [&str; 6] = [
        "Name",
        "Type",
        "Mandatory",
        "Default",
        "Allowed",
        "Description",
    ];
    let shown: Vec<usize> = (0..HEADINGS.len())
        .filter(|&i| !matches!(i, 3 | 4) || cells.iter().any(|c| !c[i].is_empty()))
        .collect();
    let rows = cells
        .iter()
        .map(|c| row(shown.iter().map(|&i| c[i].clone()).collect()))
        .collect();
    let headings: Vec<&str> = shown.iter().map(|&i| HEADINGS[i]).collect();
    table("Inputs", &headings, rows)
}

pub fn outputs(specs: &[ParamSpec]) -> Section {
    let rows = specs
        .iter()
        .map(|p| {
            row(vec![
                p.name.clone(),
                p.ty.label().to_string(),
                p.description.clone(),
            ])
        })
        .collect();
    table("Outputs", &["Name", "Type", "Description"], rows)
}

/// The last runs, newest first; Enter on one opens it. None yet says so, rather than an
/// empty table that reads like a failed read.
pub fn last_runs(runs: &[Node]) -> Section {
    if runs.is_empty() {
        let mut s = Section::new("Last runs");
        s.row("Runs", "no runs yet");
        return s;
    }
    let rows = runs
        .iter()
        .map(|n| TableRow {
            cells: vec![
                n.name.to_string(),
                labels::status(n.status.label).to_string(),
                // The run's summary says "by alice" after its name in the tree; under the
                // "By" heading, the user alone.
                (n.summary().strip_prefix("by ").unwrap_or(&n.summary())).to_string(),
            ],
            health: None,
            target: Some(Box::new(n.clone())),
        })
        .collect();
    table("Last runs", &["Started", "State", "By"], rows)
}

/// One run: its state and times, and the exception of a failure.
pub fn run(v: &Value, task: &TaskInfo) -> Section {
    let mut s = Section::new("Run");
    s.row("Workflow", v["name"].as_str().unwrap_or(""))
        // In words, as the task pane and the tree say it ("Waiting for input").
        .row("State", labels::state(task.state.label()));
    if let Some(u) = &task.user {
        s.row("Started by", u);
    }
    if let Some(t) = task.started {
        s.row("Start", labels::when(t));
    }
    if let Some(t) = task.finished {
        s.row("End", labels::when(t));
    }
    if let (Some(a), Some(b)) = (task.started, task.finished) {
        s.row("Duration", format!("{:.1} s", (b - a).as_seconds_f64()));
    }
    if let Some(e) = &task.error {
        s.row("Exception", e);
    }
    s.row("Id", v["id"].as_str().unwrap_or(""));
    s
}

/// A run's input or output parameters as name, type, value (secure strings masked).
pub fn parameters(title: &str, list: &Value) -> Section {
    let rows = list
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| {
            let ty = p["type"].as_str().unwrap_or("");
            let text = if ty.eq_ignore_ascii_case("SecureString") {
                "***".to_string()
            } else {
                map::param_text_typed(p)
            };
            row(vec![
                p["name"].as_str().unwrap_or("").to_string(),
                ty.to_string(),
                text,
            ])
        })
        .collect();
    table(title, &["Name", "Type", "Value"], rows)
}

/// A run's log as a table: time, severity, user, entry. The time is the time of day when
/// every entry is on one day (the Run section's Start says which), else the date too; in UTC
/// either way, as the Events tables write it.
pub fn logs(entries: Vec<map::LogEntry>) -> Section {
    let day = entries.first().and_then(|e| e.at).map(|t| utc(t).date());
    let one_day = entries.iter().all(|e| e.at.map(|t| utc(t).date()) == day);
    let when = |t: Option<time::OffsetDateTime>| match t {
        Some(t) if one_day => {
            let t = utc(t);
            format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
        }
        Some(t) => labels::time(t),
        None => String::new(),
    };
    let rows = entries
        .into_iter()
        .map(|e| row(vec![when(e.at), e.severity, e.user, e.text]))
        .collect();
    table("Logs", &["Time (UTC)", "Severity", "User", "Entry"], rows)
}

fn utc(t: time::OffsetDateTime) -> time::OffsetDateTime {
    t.to_offset(time::UtcOffset::UTC)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inputs_leave_out_default_and_allowed_when_none_has_one() {
        use crate::api::model::{ParamSpec, ParamType, ParamValue};
        let mut vm = ParamSpec::new("vm", ParamType::String);
        vm.mandatory = true;
        let columns = |specs: &[ParamSpec]| inputs(specs).table.unwrap().columns;
        assert_eq!(
            columns(std::slice::from_ref(&vm)),
            ["Name", "Type", "Mandatory", "Description"]
        );
        let mut days = ParamSpec::new("days", ParamType::Number);
        days.default = Some(ParamValue::Text("14".into()));
        let table = inputs(&[vm, days]).table.unwrap();
        assert_eq!(
            table.columns,
            ["Name", "Type", "Mandatory", "Default", "Description"]
        );
        assert_eq!(table.rows[1].cells, ["days", "number", "", "14", ""]);
    }

    #[test]
    fn no_runs_yet_says_so() {
        let s = last_runs(&[]);
        assert_eq!(s.rows, [("Runs".to_string(), "no runs yet".to_string())]);
        assert!(s.table.is_none());
        let kind = crate::api::model::NodeKind::WorkflowRun;
        let run = Node::new(kind, "run/1", "2026-12-07 18:42").with_summary("by alice@corp");
        let table = last_runs(&[run]).table.expect("a table");
        assert_eq!(table.columns[2], "By");
        assert_eq!(table.rows[0].cells[2], "alice@corp", "not \"by by\"");
        let run = Node::new(
            crate::api::model::NodeKind::WorkflowRun,
            "r",
            "2026-12-06 10:00",
        );
        assert_eq!(last_runs(&[run]).table.unwrap().rows.len(), 1);
    }

    #[test]
    fn log_times_read_in_utc_the_date_only_when_the_entries_span_days() {
        let entry = |at: &str, text: &str| map::LogEntry {
            at: crate::api::model::parse_time(at),
            severity: "info".into(),
            user: "admin".into(),
            text: text.into(),
        };
        let one_day = logs(vec![
            entry("2026-12-07T12:04:00.000Z", "started"),
            entry("2026-12-07T13:04:05.250+01:00", "done"),
        ]);
        let t = one_day.table.unwrap();
        assert_eq!(t.columns, ["Time (UTC)", "Severity", "User", "Entry"]);
        assert_eq!(t.rows[0].cells, ["12:04:00", "info", "admin", "started"]);
        assert_eq!(t.rows[1].cells[0], "12:04:05");
        let two_days = logs(vec![
            entry("2026-12-07T23:59:59Z", "started"),
            entry("2026-12-08T00:00:01Z", "done"),
        ]);
        let t = two_days.table.unwrap();
        assert_eq!(t.rows[0].cells[0], "2026-12-07 23:59:59");
        assert_eq!(t.rows[1].cells[0], "2026-12-08 00:00:01");
    }

    #[test]
    fn a_secure_input_is_masked_even_when_the_server_echoes_it() {
        let list = json!([
            {"name": "pw", "type": "SecureString", "value": {"secure-string": {"value": "hunter2"}}},
            {"name": "host", "type": "string", "value": {"string": {"value": "esx-1"}}},
        ]);
        let s = parameters("Inputs", &list);
        let t = s.table.unwrap();
        assert_eq!(t.rows[0].cells, ["pw", "SecureString", "***"]);
        assert_eq!(t.rows[1].cells[2], "esx-1");
    }
}
