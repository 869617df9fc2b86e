//! Answers that are not a reply to a server request travel as events of their own: a failed
//! audit append, and the progress of a snapshot-view read.

use crossterm::event::KeyCode;
use vnav::api::SprawlUpdate;
use vnav::api::model::{EndpointInfo, ListProgress, Product, Severity, TaskState};
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

/// The snapshot view's read reports progress as a sprawl update, shown as a listing task.
#[test]
fn snapshot_view_progress_shows_in_the_task_pane() {
    let mut app = app_with(&["vcd"], false);
    let Effect::Connect { req, .. } = app.start()[0] else {
        panic!("no connect")
    };
    let info = EndpointInfo {
        product: Product::Vcd,
        url: "https://vcd".into(),
        user: "admin@System".into(),
        api_version: "38.0".into(),
        capabilities: vnav::api::model::Capabilities::ALL,
    };
    answer(&mut app, req, 0, ApiAnswer::Connected(Ok(info)));
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
