//! What the runtime gives the app besides server answers: events of their own for a failed
//! audit append and a snapshot-view read's progress, and the clock (`App::now`), which the app
//! never reads itself.

use crossterm::event::KeyCode;
use vnav::api::SprawlUpdate;
use vnav::api::model::{ListProgress, Severity, TaskState};
use vnav::app::event::{ApiAnswer, AuditRecord, Effect, Event};
use vnav::audit::AuditLog;
use vnav::runtime::executor::Executor;

use crate::support::*;

fn record() -> AuditRecord {
    AuditRecord {
        timestamp: "2026-12-06T12:00:00Z".into(),
        endpoint: "https://vcd".into(),
        user: "admin@System".into(),
        target_id: "vm-1".into(),
        target_name: "web-1".into(),
        action: "Power off".into(),
        parameters: serde_json::Value::Null,
        task_id: None,
        result: "success".into(),
    }
}

/// An audit line that cannot be written comes back as its own event, naming the action and
/// its target, and the operator is told.
#[tokio::test]
async fn an_audit_line_not_written_is_reported_with_what_it_was() {
    let dir = tempfile::tempdir().unwrap();
    // A directory where the log file should be: appending fails.
    let path = dir.path().join("audit.jsonl");
    std::fs::create_dir(&path).unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut exec = Executor::new(vec![], tx, Some(AuditLog::new(path)));
    exec.run(Effect::Audit(record()));
    let event = rx.recv().await.expect("an event");
    let Event::AuditNotWritten { record: r, error } = &event else {
        panic!("{event:?}")
    };
    assert_eq!(r.target_name, "web-1");
    assert!(!error.is_empty());

    let mut app = app_with(&["vcd"], false);
    assert!(app.handle(event).redraw);
    let toast = app.toast.as_ref().expect("a toast");
    assert_eq!(toast.severity, Severity::Error);
    assert!(
        toast.text.contains("Power off") && toast.text.contains("web-1"),
        "{}",
        toast.text
    );
}

/// An app with one connected endpoint whose snapshot view was just opened; returns the app and
/// the view's read of that endpoint.
fn snapshot_view_reading() -> (vnav::app::App, u64) {
    let mut app = app_with(&["vcd"], false);
    connect_first(&mut app);
    // The snapshot view is the first row; opening it reads every endpoint's part.
    let root = app.tree.roots()[0];
    app.select_entry(root);
    let effects = key(&mut app, KeyCode::Char('l')).effects;
    let sprawl = effects
        .iter()
        .find_map(|e| match e {
            Effect::Sprawl { req, .. } => Some(*req),
            _ => None,
        })
        .expect("a sprawl read");
    (app, sprawl)
}

/// The snapshot view's read reports progress as a sprawl update, shown as a listing task.
#[test]
fn snapshot_view_progress_shows_in_the_task_pane() {
    let (mut app, sprawl) = snapshot_view_reading();
    let progress = ListProgress {
        label: "snapshot sizes".into(),
        done: 10,
        total: 40,
    };
    let out = answer(
        &mut app,
        sprawl,
        0,
        ApiAnswer::SprawlUpdate(SprawlUpdate::Progress(progress)),
    );
    assert!(out.redraw);
    let row = app
        .tasks
        .rows
        .iter()
        .find(|t| t.info.operation.starts_with("snapshot sizes"))
        .expect("a listing task");
    assert_eq!(row.info.state, TaskState::Running);
    assert_eq!(row.info.progress, Some(25));
}

/// At 80 columns the view's job names its target short ("Snapshots", the tag saying which
/// endpoint answers), and the operation reads whole beside it: "Snapshots, all endpoints
/// (oldest first)" cut both itself and "reading snapsho…".
#[test]
fn the_snapshot_views_job_reads_whole_at_80_columns() {
    let mut app = app_with(&["vcd", "vc"], false);
    connect_first(&mut app);
    let root = app.tree.roots()[0];
    assert_eq!(
        &*app.tree.get(root).node.name,
        "Snapshots, all endpoints (oldest first)"
    );
    app.select_entry(root);
    let sprawl = (key(&mut app, KeyCode::Char('l')).effects.iter())
        .find_map(|e| match e {
            Effect::Sprawl { req, .. } => Some(*req),
            _ => None,
        })
        .expect("a sprawl read");
    let progress = ListProgress {
        label: "reading snapshot sizes".into(),
        done: 120,
        total: 569,
    };
    let update = ApiAnswer::SprawlUpdate(SprawlUpdate::Progress(progress));
    answer(&mut app, sprawl, 0, update);
    let text = screen(&mut app, 80, 24);
    let row = (text.lines())
        .find(|l| l.contains("reading snapshot"))
        .unwrap_or_else(|| panic!("{text}"));
    for whole in ["reading snapshot sizes: 120/569", "Snapshots · vCD "] {
        assert!(row.contains(whole), "{whole}: {row}");
    }
}

/// Ages are drawn from the app's clock, not baked into rows: a session left open past
/// midnight shows a snapshot as a day older without reading anything again.
#[test]
fn snapshot_ages_follow_the_clock_the_app_is_given() {
    use vnav::api::model::{Node, NodeKind, SprawlRow};
    let (mut app, sprawl) = snapshot_view_reading();
    let row = SprawlRow {
        vm: Node::new(NodeKind::Vm, "vm-1", "web-1"),
        count: 1,
        oldest: Some(NOW - time::Duration::hours(1)),
        bytes: Some(1 << 30),
        place: "".into(),
    };
    answer(&mut app, sprawl, 0, ApiAnswer::Sprawl(Ok(vec![row])));
    let line = |app: &mut vnav::app::App| {
        screen(app, 120, 30)
            .lines()
            .find(|l| l.contains("web-1"))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line(&mut app).contains("today · 1.0 GiB"),
        "{}",
        screen(&mut app, 120, 30)
    );
    app.now = NOW + time::Duration::days(2);
    assert!(
        line(&mut app).contains("2 days old · 1.0 GiB"),
        "{}",
        line(&mut app)
    );
}

/// The audit line's time is the executor's, taken when it writes the line.
#[tokio::test]
async fn audit_lines_are_stamped_when_written() {
    let dir = tempfile::tempdir().unwrap();
    let log = AuditLog::new(dir.path().join("audit.jsonl"));
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let mut exec = Executor::new(vec![], tx, Some(log.clone()));
    let mut unstamped = record();
    unstamped.timestamp = String::new();
    let before = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
    exec.run(Effect::Audit(unstamped));
    let (records, bad) = log.read(None).unwrap();
    assert_eq!((records.len(), bad), (1, 0));
    let stamped = vnav::api::model::parse_time(&records[0].timestamp).expect("RFC 3339");
    assert!(stamped >= before, "{stamped}");
}

/// The bookmarks file is written where the app says, its directory made first, and replaced
/// whole on the next write.
#[tokio::test]
async fn state_files_are_written_whole_into_a_new_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/vnav/bookmarks.json");
    let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
    let mut exec = Executor::new(vec![], tx, None);
    for text in ["{\"a\": 1, \"longer\": true}", "{}"] {
        exec.run(Effect::WriteState {
            path: path.clone(),
            text: text.into(),
        });
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    }
}

/// A first sort of a big table: the executor sorts the values on a blocking thread
/// (`Effect::SortOrder`) and hands the order back (`Event::SortBuilt`), which sorts the rows.
#[tokio::test]
async fn a_sort_order_is_built_off_the_ui_thread_and_comes_back() {
    use crate::app_command::{command, list_kind_reqs, rows, two_endpoints};
    use vnav::api::model::{ChildBatch, VmFacts};
    let mut app = two_endpoints();
    app.sort_off_ui_from = 10;
    let (req, ep, _) = list_kind_reqs(&command(&mut app, "vm"))[0];
    let nodes = (0..50)
        .map(|i| {
            vm(&format!("vm-{i}"), &format!("web-{i:02}"), true).with_facts(VmFacts {
                cpus: (50 - i).into(),
                ..VmFacts::default()
            })
        })
        .collect();
    let batch = ChildBatch {
        nodes,
        ..Default::default()
    };
    answer(&mut app, req, ep, ApiAnswer::Children(batch));
    let mut effects = command(&mut app, "sort cpu");
    // Its values are read on ticks (due at once), then the job goes to the runtime.
    for _ in 0..10 {
        effects.extend(app.handle(Event::Tick).effects);
    }
    let job = effects
        .into_iter()
        .find(|e| matches!(e, Effect::SortOrder { .. }))
        .expect("a sort job");
    assert_eq!(rows(&app)[0], "web-00", "by name until it lands");
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut exec = Executor::new(vec![], tx, None);
    exec.run(job);
    let event = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .expect("answered")
        .expect("the order");
    assert!(
        matches!(event, Event::SortBuilt { built: Some(_), .. }),
        "{event:?}"
    );
    assert!(app.handle(event).redraw);
    assert!(!app.table.as_ref().unwrap().sorting());
    assert_eq!(rows(&app)[0], "web-49", "the fewest CPUs first");
    assert_eq!(rows(&app)[49], "web-00");
}
