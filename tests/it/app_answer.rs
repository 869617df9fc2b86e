//! Answering a run waiting for user interaction from the task pane, in the app alone: the pane
//! says the run waits for an answer and which key gives it; the key reads the run afresh and
//! opens the one form of what its interaction asks; the answer goes through the confirmation,
//! is invoked on the run's node, is audited with secure strings masked, and the same task row
//! follows the run to its end. Read-only refuses it; a task that is not waiting says so.

use crossterm::event::KeyCode;
use vnav::api::model::*;
use vnav::app::Overlay;
use vnav::app::dialog::Dialog;
use vnav::app::event::{ApiAnswer, Effect};

use crate::app_form::{form, go_to, invoked};
use crate::app_form_runs::{RUN, run, started, started_polled};
use crate::support::*;

const ASKS: &str = "https://vro/vco/api/workflows/wf-1/executions/ex-1/interaction/";

fn asked() -> Vec<ParamSpec> {
    vec![
        ParamSpec::new("approved", ParamType::Boolean),
        ParamSpec::new("comment", ParamType::String),
        ParamSpec::new("pin", ParamType::SecureString),
    ]
}

/// The run's details as the Orchestrator client reads a waiting run: it offers the answer.
fn waiting_details(node: Node) -> Details {
    Details {
        actions: vec![ActionOffer::described(
            ASKS,
            Described {
                label: "Answer Restart app tier".into(),
                description: "Approve the restart (asked of vcoadmins)".into(),
                risk: Risk::Disruptive,
                risk_rule: String::new(),
                params: asked(),
            },
        )],
        node,
        sections: vec![],
        links: vec![],
        snapshot_slot: None,
        copies: vec![],
        raw: Raw {
            format: RawFormat::Json,
            text: String::new(),
        },
    }
}

fn details_read(effects: &[Effect]) -> Option<(u64, Node)> {
    effects.iter().find_map(|e| match e {
        Effect::Details { req, node, .. } => Some((*req, node.clone())),
        _ => None,
    })
}

fn audits(effects: &[Effect]) -> Vec<vnav::app::event::AuditRecord> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Audit(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_waiting_run_is_answered_from_the_task_pane_and_followed_to_its_end() {
    let (mut app, poll) = started_polled(TaskState::WaitingForInput);
    let poll = poll.expect("a waiting run is polled");
    let text = screen(&mut app, 160, 45);
    assert!(
        text.contains("waiting for your answer: press A"),
        "the pane says how to answer: {text}"
    );
    let rows = app.tasks.rows.len();

    let out = key(&mut app, KeyCode::Char('A'));
    let (req, node) = details_read(&out.effects).expect("the run is read afresh");
    assert_eq!(
        (node.kind, &*node.id.as_str()),
        (NodeKind::WorkflowRun, RUN)
    );
    answer(
        &mut app,
        req,
        0,
        ApiAnswer::Details(Box::new(Ok(waiting_details(node)))),
    );
    let f = form(&app);
    assert_eq!(f.label, "Answer Restart app tier");
    assert_eq!(f.form.fields.len(), 3);
    assert!(
        f.listed.is_empty(),
        "the label names the run: {:?}",
        f.listed
    );
    let text = screen(&mut app, 160, 45);
    assert!(text.contains("Answer Restart app tier"), "{text}");

    go_to(&mut app, "approved");
    key(&mut app, KeyCode::Char(' '));
    go_to(&mut app, "comment");
    keys(&mut app, "go ahead");
    go_to(&mut app, "pin");
    keys(&mut app, "hunter2");
    let out = key(&mut app, KeyCode::Enter);
    assert!(invoked(&out.effects).is_none(), "disruptive: asked first");
    let Some(Overlay::Dialog(Dialog::Confirm(c))) = &app.overlay else {
        panic!("no confirmation: {:?}", app.overlay);
    };
    assert!(c.summary.contains("approved = Yes"), "{}", c.summary);
    assert!(c.summary.contains("pin = ***"), "{}", c.summary);
    let out = key(&mut app, KeyCode::Char('y'));
    let (req, node, action, params) = out
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Invoke {
                req,
                node,
                action,
                params,
                ..
            } => Some((*req, node.clone(), action.clone(), params.clone())),
            _ => None,
        })
        .expect("the answer is invoked");
    assert_eq!(
        (node.kind, &*node.id.as_str()),
        (NodeKind::WorkflowRun, RUN)
    );
    assert_eq!(&*action.href, ASKS);
    let ActionParams::Inputs(given) = &params else {
        panic!("{params:?}")
    };
    assert!(given.contains(&("approved".into(), ParamValue::Bool(true))));
    assert!(given.contains(&("comment".into(), ParamValue::Text("go ahead".into()))));

    // The client answers with the run going on, about its workflow.
    let mut going = run(TaskState::Running);
    going.target = Some(TaskTarget {
        kind: NodeKind::Workflow,
        id: crate::app_form::WF.into(),
        name: "Restart app tier".into(),
    });
    let out = answer(&mut app, req, 0, ApiAnswer::Invoked(Ok(going)));
    assert_eq!(app.tasks.rows.len(), rows, "the same row follows the run");
    assert_eq!(app.tasks.rows[0].info.state, TaskState::Running);
    assert!(audits(&out.effects).is_empty(), "audited when the run ends");
    let text = screen(&mut app, 160, 45);
    assert!(!text.contains("waiting for your answer"), "{text}");

    // Still followed by the poll it had.
    let mut done = run(TaskState::Success);
    done.cancel = None;
    let out = answer(&mut app, poll, 0, ApiAnswer::TaskPolled(Ok(done)));
    assert_eq!(app.tasks.rows[0].info.state, TaskState::Success);
    let lines = audits(&out.effects);
    let answered = lines
        .iter()
        .find(|r| r.action == "Answer Restart app tier")
        .unwrap_or_else(|| panic!("no answer audit line: {lines:?}"));
    assert_eq!(answered.parameters["approved"], true);
    assert_eq!(answered.parameters["comment"], "go ahead");
    assert_eq!(answered.parameters["pin"], "***");
    assert_eq!(answered.result, "success");
    assert!(!format!("{lines:?}").contains("hunter2"));
}

#[tokio::test(start_paused = true)]
async fn read_only_refuses_the_answer_and_a_task_not_waiting_says_so() {
    let mut app = started(TaskState::WaitingForInput);
    app.read_only = true;
    let out = key(&mut app, KeyCode::Char('A'));
    assert!(details_read(&out.effects).is_none());
    assert!(app.overlay.is_none());
    let said = toast(&app);
    assert!(said.contains("read-only"), "{said}");

    let mut app = started(TaskState::Running);
    let out = key(&mut app, KeyCode::Char('A'));
    assert!(details_read(&out.effects).is_none());
    let said = toast(&app);
    assert!(said.contains("not waiting for an answer"), "{said}");
}

#[tokio::test(start_paused = true)]
async fn the_answer_key_is_in_the_help() {
    let mut app = started(TaskState::WaitingForInput);
    key(&mut app, KeyCode::Char('?'));
    let text = screen(&mut app, 160, 60);
    assert!(
        text.contains("answer the selected run waiting for input"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_run_that_starts_waiting_says_how_to_answer_it() {
    let (mut app, poll) = started_polled(TaskState::Running);
    answer(
        &mut app,
        poll.expect("a running run is polled"),
        0,
        ApiAnswer::TaskPolled(Ok(run(TaskState::WaitingForInput))),
    );
    let toast = toast(&app);
    assert_eq!(
        toast,
        "Run workflow Restart app tier: waiting for your answer: press A"
    );
}
