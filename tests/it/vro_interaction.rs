//! Answering a run that waits for a person with vnav's Orchestrator client: the run's details
//! say what it asks and offer "Answer …" with typed parameters; invoking it on the run's node
//! posts the answer once and the run goes on to completed with it; a wrong answer comes back
//! in the server's words; a refused answer is never sent again; an answered run offers nothing.

use vnav::api::Backend;
use vnav::api::model::{
    ActionId, ActionOffer, ActionParams, Node, NodeKind, ParamType, ParamValue, TaskInfo, TaskState,
};
use vnav::api::vro::VroBackend;
use vnav::sim::{Sim, VroVersion};

use crate::sim_vro_support::vro_sim;
use crate::vro_client::backend;
use crate::vro_runs::{rows, run_details, start, value};

/// A "Request maintenance window" run moved on until it waits for its answer.
async fn waiting(s: &Sim, b: &VroBackend) -> TaskInfo {
    let task = start(
        b,
        "Request maintenance window",
        vec![
            (
                "start",
                ParamValue::Date(time::macros::datetime!(2026-12-24 22:00 UTC)),
            ),
            ("reason", ParamValue::Text("firmware".into())),
        ],
    )
    .await;
    s.advance(std::time::Duration::from_secs(16));
    let t = b.poll_task(&task).await.unwrap();
    assert_eq!(t.state, TaskState::WaitingForInput);
    t
}

fn run_node(task: &TaskInfo) -> Node {
    Node::new(NodeKind::WorkflowRun, task.id.clone(), "")
}

async fn answer_offer(b: &VroBackend, task: &TaskInfo) -> Option<ActionOffer> {
    run_details(b, task)
        .await
        .actions
        .into_iter()
        .find(|a| a.id == ActionId::Run)
}

fn answer(approved: Option<bool>, comment: &str) -> ActionParams {
    let mut v = vec![("comment".to_string(), ParamValue::Text(comment.into()))];
    if let Some(a) = approved {
        v.push(("approved".into(), ParamValue::Bool(a)));
    }
    ActionParams::Inputs(v)
}

#[tokio::test]
async fn a_waiting_run_offers_its_interaction_and_completes_with_the_answer() {
    for version in [VroVersion::V8, VroVersion::V9] {
        let s = vro_sim(version).await;
        let b = backend(&s);
        b.connect().await.unwrap();
        let task = waiting(&s, &b).await;
        let d = run_details(&b, &task).await;
        assert_eq!(
            value(&d, "User interaction", "State").as_deref(),
            Some("Waiting")
        );
        assert!(
            value(&d, "User interaction", "Assigned to").is_some_and(|a| a.contains("vcoadmins"))
        );
        let offer = answer_offer(&b, &task)
            .await
            .expect("a waiting run offers Answer");
        let described = offer.described.clone().unwrap();
        assert_eq!(described.label, "Answer Request maintenance window");
        let types: Vec<(&str, &ParamType)> = described
            .params
            .iter()
            .map(|p| (p.name.as_str(), &p.ty))
            .collect();
        assert_eq!(
            types,
            [
                ("approved", &ParamType::Boolean),
                ("comment", &ParamType::String)
            ]
        );

        let posts = s.seen().post;
        let answered = b
            .invoke(&run_node(&task), &offer, &answer(Some(true), "ship it"))
            .await
            .unwrap();
        assert_eq!(s.seen().post - posts, 1, "the answer is posted once");
        assert_eq!(answered.id, task.id, "the same run goes on");
        assert_eq!(answered.state, TaskState::Running);
        assert_eq!(answered.operation, "Run workflow");
        let target = answered.target.clone().unwrap();
        assert_eq!(
            (target.kind, &*target.name),
            (NodeKind::Workflow, "Request maintenance window")
        );
        assert!(task.id.starts_with(&*target.id));
        assert!(
            answer_offer(&b, &answered).await.is_none(),
            "answered: nothing left to answer"
        );

        s.advance(std::time::Duration::from_secs(16));
        let done = b.poll_task(&answered).await.unwrap();
        assert_eq!(done.state, TaskState::Success, "{version:?}");
        let d = run_details(&b, &done).await;
        let outputs = rows(&d, "Outputs");
        assert!(
            outputs
                .iter()
                .any(|r| r[0] == "approved" && r.last().unwrap() == "Yes"),
            "{outputs:?}"
        );
        assert!(
            outputs
                .iter()
                .any(|r| r[0] == "comment" && r.last().unwrap() == "ship it"),
            "{outputs:?}"
        );
        assert!(
            rows(&d, "Logs")
                .iter()
                .flatten()
                .any(|l| l.contains("answered by"))
        );
    }
}

#[tokio::test]
async fn a_wrong_answer_comes_back_in_the_servers_words_and_the_run_still_waits() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let task = waiting(&s, &b).await;
    let offer = answer_offer(&b, &task).await.unwrap();
    let e = b
        .invoke(&run_node(&task), &offer, &answer(None, "no verdict"))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("400") && e.contains("'approved' is mandatory"),
        "{e}"
    );
    assert_eq!(
        b.poll_task(&task).await.unwrap().state,
        TaskState::WaitingForInput
    );
    assert!(answer_offer(&b, &task).await.is_some());
}

/// A write is never retried: a busy server's 503 is reported, not answered again behind the
/// user's back.
#[tokio::test]
async fn an_answer_the_server_refuses_is_not_sent_again() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let task = waiting(&s, &b).await;
    let offer = answer_offer(&b, &task).await.unwrap();
    let posts = s.seen().post;
    s.set_faults(vnav::sim::Faults {
        error_rate: 1.0,
        ..vnav::sim::Faults::default()
    });
    let e = b
        .invoke(&run_node(&task), &offer, &answer(Some(false), "no"))
        .await
        .unwrap_err()
        .to_string();
    s.set_faults(vnav::sim::Faults::default());
    assert!(e.starts_with("503"), "{e}");
    assert_eq!(s.seen().post - posts, 1, "one POST, never repeated");
    assert_eq!(
        b.poll_task(&task).await.unwrap().state,
        TaskState::WaitingForInput
    );
}
