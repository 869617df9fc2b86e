//! A workflow run in the task pane: its state (also waiting for input), who started it, when
//! and for how long; Enter reads the run (`details` of its `WorkflowRun` node) into the detail
//! pane with its outputs, exception and logs; `c` cancels it like any task.

use crossterm::event::KeyCode;
use vnav::api::model::*;
use vnav::app::dialog::Dialog;
use vnav::app::event::{ApiAnswer, Effect};
use vnav::app::{App, Overlay, Pane};

use crate::app_form::{app, fill_host, inputs, invoked, open_form};
use crate::support::*;

pub(crate) const RUN: &str = "https://vro/vco/api/workflows/wf-1/executions/ex-1/";

pub(crate) fn run(state: TaskState) -> TaskInfo {
    TaskInfo {
        id: RUN.into(),
        operation: "Run workflow".into(),
        // As the Orchestrator says: a run names no target; the app knows what it started.
        target: None,
        state,
        progress: None,
        started: Some(NOW - time::Duration::seconds(95)),
        finished: None,
        error: None,
        cancel: Some(format!("{RUN}state").into()),
        user: Some("maria@corp".into()),
    }
}

/// Runs the workflow from its form; the server answers with a run in `state`.
pub(crate) fn started(state: TaskState) -> App {
    started_polled(state).0
}

/// The same, with the request of the poll that follows the run now.
pub(crate) fn started_polled(state: TaskState) -> (App, Option<u64>) {
    let mut app = app(false);
    open_form(&mut app, inputs(), Risk::Safe);
    fill_host(&mut app);
    let (req, _) = invoked(&key(&mut app, KeyCode::Enter).effects).unwrap();
    let out = answer(&mut app, req, 0, ApiAnswer::Invoked(Ok(run(state))));
    // Polled once: the server still names no target.
    let poll = out.effects.iter().find_map(|e| match e {
        Effect::PollTask { req, .. } => Some(*req),
        _ => None,
    });
    let mut next = None;
    if let Some(poll) = poll {
        let out = answer(&mut app, poll, 0, ApiAnswer::TaskPolled(Ok(run(state))));
        next = out.effects.iter().find_map(|e| match e {
            Effect::PollTask { req, .. } => Some(*req),
            _ => None,
        });
    }
    let row = &app.tasks.rows[0];
    assert_eq!(
        row.info.target.as_ref().map(|t| &*t.name),
        Some("Restart app tier"),
        "the run is about the workflow it was started on"
    );
    app.focus = Pane::Tasks;
    (app, next)
}

#[tokio::test(start_paused = true)]
async fn a_run_waiting_for_input_says_so_with_who_started_it_when_and_how_long() {
    for (state, label) in [
        (TaskState::WaitingForInput, "‖ Waiting for input"),
        (TaskState::Suspended, "‖ Suspended"),
    ] {
        let mut app = started(state);
        let text = screen(&mut app, 120, 40);
        let row = text
            .lines()
            // "maria@corp", or "maria" where the row is tight: a user of the endpoint's own
            // domain (`ops@corp`) may go without it.
            .find(|l| l.contains(" maria"))
            .unwrap_or_else(|| panic!("no run row: {text}"));
        assert!(
            row.contains(label)
                && row.contains("Restart app tier")
                && row.contains("11:58")
                && row.contains("1m35s"),
            "{row}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn enter_on_a_run_reads_it_into_the_detail_pane() {
    let mut app = started(TaskState::Error);
    let out = key(&mut app, KeyCode::Enter);
    let (req, node) = out
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Details { req, node, .. } => Some((*req, node.clone())),
            _ => None,
        })
        .expect("the run is read at once");
    assert_eq!(
        (node.kind, &*node.id.as_str()),
        (NodeKind::WorkflowRun, RUN)
    );
    assert_eq!(app.focus, Pane::Detail);
    let section = |title: &str, rows: &[(&str, &str)]| Section {
        title: title.into(),
        rows: rows
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        table: None,
        series: vec![],
    };
    let d = Details {
        node: node.clone(),
        sections: vec![
            section("Run", &[("State", "failed"), ("Started by", "maria@corp")]),
            section("Outputs", &[("restarted", "2")]),
            section(
                "Exception",
                &[(
                    "Message",
                    "Service httpd did not start (Workflow:Restart app tier)",
                )],
            ),
            section("Logs", &[("11:58:01", "[info] stopping httpd")]),
        ],
        links: vec![],
        actions: vec![],
        snapshot_slot: None,
        copies: vec![],
        raw: Raw {
            format: RawFormat::Json,
            text: String::new(),
        },
    };
    answer(&mut app, req, 0, ApiAnswer::Details(Box::new(Ok(d))));
    let text = screen(&mut app, 160, 45);
    for s in [
        "Outputs",
        "restarted",
        "Exception",
        "Service httpd did not start",
        "Logs",
        "[info] stopping httpd",
    ] {
        assert!(text.contains(s), "{s}: {text}");
    }
    // The run sits under its workflow in the tree, so Enter again finds the same entry.
    let runs = app.tree.find(0, RUN);
    assert_eq!(runs.len(), 1);
    let parent = app.tree.get(runs[0]).parent().unwrap();
    assert_eq!(&*app.tree.get(parent).node.id.as_str(), crate::app_form::WF);
    app.focus = Pane::Tasks;
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.tree.find(0, RUN).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn c_cancels_a_run_like_any_task() {
    let mut app = started(TaskState::WaitingForInput);
    key(&mut app, KeyCode::Char('c'));
    assert!(matches!(
        app.overlay,
        Some(Overlay::Dialog(Dialog::CancelTask { .. }))
    ));
    let out = key(&mut app, KeyCode::Char('y'));
    let task = out
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::CancelTask { task, .. } => Some(task.clone()),
            _ => None,
        })
        .expect("a cancel");
    assert_eq!(&*task.id, RUN);
}

/// A run as the Orchestrator client starts it reads like a power task in the pane: Operation
/// "Run workflow", the workflow's name under Target, said once.
#[tokio::test]
async fn a_run_reads_run_workflow_with_the_workflow_as_its_target() {
    use vnav::api::Backend;
    let s = crate::sim_vro_support::vro_sim(vnav::sim::VroVersion::V8).await;
    let b = crate::vro_client::backend(&s);
    b.connect().await.unwrap();
    let name = "Get virtual machines by name";
    let task =
        crate::vro_runs::start(&b, name, vec![("criteria", ParamValue::Text("web".into()))]).await;
    let mut app = app(false);
    open_form(&mut app, inputs(), Risk::Safe);
    fill_host(&mut app);
    let (req, _) = invoked(&key(&mut app, KeyCode::Enter).effects).unwrap();
    answer(&mut app, req, 0, ApiAnswer::Invoked(Ok(task)));
    app.focus = Pane::Tasks;
    let buf = render(&mut app, 160, 45);
    let text = vnav::runtime::driver::screen_text(&buf);
    let (op_x, head_y) = find(&buf, "Operation").expect("the task pane's header");
    let (target_x, _) = find(&buf, "Target").unwrap();
    let row = text
        .lines()
        .nth(head_y as usize + 1)
        .unwrap_or_else(|| panic!("no run row: {text}"));
    assert_eq!(row.matches(name).count(), 1, "the name is said once: {row}");
    let (x, y) = find(&buf, "Run workflow").unwrap_or_else(|| panic!("{text}"));
    assert_eq!((x, y), (op_x, head_y + 1), "{text}");
    let (x, y) = find(&buf, name).unwrap();
    assert_eq!((x, y), (target_x, head_y + 1), "{text}");
}
