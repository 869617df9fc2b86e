//! Running workflows with vnav's Orchestrator client against the simulator, the way the task
//! pane follows them: one that completes with outputs, one that fails with its exception, one
//! cancelled, one waiting for a person; the run's details read from a bare task id; a run that
//! powers a VM off, seen from vnav's vCenter and vCD clients; the 7.x dialect; bad inputs
//! refused with the server's words; and secure strings absent from a TRACE log.

use std::collections::BTreeMap;
use std::time::Duration;

use vnav::api::Backend;
use vnav::api::model::{
    ActionId, ActionOffer, ActionParams, Details, Node, NodeKind, ParamValue, SecretText, TaskInfo,
    TaskState,
};
use vnav::api::vro::{PAGE_SIZE, VroBackend};
use vnav::sim::inventory::vm_moid;
use vnav::sim::world::{Power, uuid_str};
use vnav::sim::{Sim, VroVersion};

use crate::sim_vro_support::vro_sim;
use crate::trace_log::TraceLog;
use crate::vro_client::{backend, workflow};

/// The Run offered on the workflow called `name`.
async fn run_offer(b: &VroBackend, name: &str) -> (Node, ActionOffer) {
    let wf = workflow(b, name).await;
    let d = b.details(&wf).await.unwrap();
    let offer = d
        .actions
        .into_iter()
        .find(|a| a.id == ActionId::Run)
        .expect("a workflow offers Run");
    (wf, offer)
}

pub async fn start(b: &VroBackend, name: &str, inputs: Vec<(&str, ParamValue)>) -> TaskInfo {
    let (wf, offer) = run_offer(b, name).await;
    let inputs = inputs
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    b.invoke(&wf, &offer, &ActionParams::Inputs(inputs))
        .await
        .unwrap_or_else(|e| panic!("run {name}: {e}"))
}

/// The details of the run behind a task, asked the way the task pane does: a `WorkflowRun`
/// node whose id is the task's id and nothing else.
pub async fn run_details(b: &VroBackend, task: &TaskInfo) -> Details {
    b.details(&Node::new(NodeKind::WorkflowRun, task.id.clone(), ""))
        .await
        .unwrap()
}

pub fn rows(d: &Details, title: &str) -> Vec<Vec<String>> {
    let s = d
        .sections
        .iter()
        .find(|s| s.title == title)
        .unwrap_or_else(|| panic!("no {title} in {:?}", d.sections));
    match &s.table {
        Some(t) => t.rows.iter().map(|r| r.cells.clone()).collect(),
        None => s
            .rows
            .iter()
            .map(|(k, v)| vec![k.clone(), v.clone()])
            .collect(),
    }
}

pub fn value(d: &Details, title: &str, key: &str) -> Option<String> {
    rows(d, title)
        .into_iter()
        .find(|r| r[0] == key)
        .map(|r| r.last().unwrap().clone())
}

/// The first powered-on VM of the world the test simulator builds (100 VMs, seed 42): its
/// index, moid and vCD UUID.
fn powered_on_vm() -> (u32, String, String) {
    let w = vnav::sim::generate::generate(100, 42);
    let v = w.vms.iter().position(|v| v.power == Power::On).unwrap() as u32;
    (v, vm_moid(&w, v), uuid_str(w.vms[v as usize].id))
}

fn vm(moid: &str) -> ParamValue {
    ParamValue::SdkObject {
        ty: "VC:VirtualMachine".into(),
        id: moid.into(),
    }
}

async fn poll_after(s: &Sim, b: &VroBackend, task: &TaskInfo, secs: u64) -> TaskInfo {
    s.advance(Duration::from_secs(secs));
    b.poll_task(task).await.unwrap()
}

#[tokio::test]
async fn a_run_completes_with_its_outputs_and_logs() {
    for version in [VroVersion::V7, VroVersion::V8, VroVersion::V9] {
        let s = vro_sim(version).await;
        let b = backend(&s);
        b.connect().await.unwrap();
        let (_, moid, _) = powered_on_vm();
        let task = start(
            &b,
            "Extend disk",
            vec![("vm", vm(&moid)), ("growGb", ParamValue::Number(20.0))],
        )
        .await;
        assert_eq!(task.state, TaskState::Running, "{version:?}");
        assert_eq!(task.operation, "Run workflow");
        let target = task.target.clone().expect("a run is about its workflow");
        assert_eq!(
            (target.kind, &*target.name),
            (NodeKind::Workflow, "Extend disk")
        );
        assert!(
            task.id.ends_with('/'),
            "polled where the server said: {}",
            task.id
        );
        assert!(task.cancel.is_some());
        assert_eq!(s.vro_executions(), 1);
        let done = poll_after(&s, &b, &task, 31).await;
        assert_eq!(done.state, TaskState::Success, "{version:?}: {done:?}");
        assert!(done.finished.is_some() && done.cancel.is_none());
        assert_eq!(done.target, task.target, "the target stays");
        let d = run_details(&b, &done).await;
        assert_eq!(value(&d, "Run", "State").as_deref(), Some("Success"));
        assert!(value(&d, "Run", "Started by").is_some());
        let grown = value(&d, "Outputs", "newCapacityGb").unwrap();
        assert!(grown.parse::<f64>().unwrap() >= 20.0, "{grown}");
        assert_eq!(value(&d, "Inputs", "growGb").as_deref(), Some("20"));
        // /logs on 7, /syslogs after: either way the run's log is there.
        let logs = rows(&d, "Logs");
        assert!(!logs.is_empty(), "{version:?}: {:?}", d.sections);
        // Times as every pane writes them (UTC, the time of day on a one-day run), never
        // the server's "2026-12-07T12:04:00.000Z".
        for r in &logs {
            let t = r[0].as_bytes();
            let clock = t.len() >= 8 && t[t.len() - 6] == b':' && t[t.len() - 3] == b':';
            assert!(clock && !r[0].contains('T'), "{version:?}: {r:?}");
            assert!(!r.iter().any(|c| c.ends_with('Z')), "{version:?}: {r:?}");
        }
        // The run is among the workflow's runs, and the recent tasks.
        let recent = b.recent_tasks().await.unwrap();
        assert_eq!(recent[0].id, done.id);
        assert_eq!(recent[0].state, TaskState::Success);
        assert_eq!(
            recent[0].target.as_ref().map(|t| &*t.name),
            Some("Extend disk"),
            "a run read back names its workflow as the target"
        );
    }
}

#[tokio::test]
async fn a_failed_run_carries_its_exception() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let task = start(
        &b,
        "Rotate certificate",
        vec![
            ("hostname", ParamValue::Text("esx-07.lab".into())),
            ("adminPassword", ParamValue::Secret(SecretText::new("pw"))),
        ],
    )
    .await;
    let done = poll_after(&s, &b, &task, 31).await;
    assert_eq!(done.state, TaskState::Error);
    let e = done.error.as_deref().unwrap();
    assert!(e.contains("thumbprint") && e.contains("esx-07.lab"), "{e}");
    let d = run_details(&b, &done).await;
    assert_eq!(value(&d, "Run", "Exception").as_deref(), Some(e));
}

#[tokio::test]
async fn a_long_run_is_cancelled() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let (_, moid, _) = powered_on_vm();
    let task = start(&b, "Apply guest OS patches", vec![("vm", vm(&moid))]).await;
    let running = poll_after(&s, &b, &task, 5).await;
    assert_eq!(running.state, TaskState::Running);
    let deletes = s.seen().delete;
    b.cancel_task(&running).await.unwrap();
    assert_eq!(s.seen().delete - deletes, 1, "one DELETE of …/state");
    let done = b.poll_task(&running).await.unwrap();
    assert_eq!(done.state, TaskState::Canceled);
    assert!(done.cancel.is_none());
    // Cancelling again is the server's refusal, in its words.
    let e = b.cancel_task(&running).await.unwrap_err().to_string();
    assert!(e.contains("cannot be canceled"), "{e}");
}

#[tokio::test]
async fn a_run_waiting_for_a_person_says_so() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let task = start(
        &b,
        "Request maintenance window",
        vec![
            (
                "start",
                ParamValue::Date(time::macros::datetime!(2026-12-24 22:00 UTC)),
            ),
            ("reason", ParamValue::Text("firmware".into())),
            (
                "tags",
                ParamValue::Properties(vec![("ticket".into(), "CHG-42".into())]),
            ),
        ],
    )
    .await;
    let waiting = poll_after(&s, &b, &task, 16).await;
    assert_eq!(waiting.state, TaskState::WaitingForInput);
    assert!(!waiting.state.is_terminal());
    assert!(waiting.cancel.is_some(), "a waiting run can be cancelled");
    let d = run_details(&b, &waiting).await;
    assert_eq!(
        value(&d, "Run", "State").as_deref(),
        Some("Waiting for input")
    );
    assert_eq!(
        value(&d, "Inputs", "tags").as_deref(),
        Some("ticket=CHG-42")
    );
}

#[tokio::test]
async fn bad_inputs_are_refused_with_the_servers_words_and_start_nothing() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let (wf, offer) = run_offer(&b, "Extend disk").await;
    let posts = s.seen().post;
    let e = b
        .invoke(&wf, &offer, &ActionParams::Inputs(vec![]))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("mandatory"), "{e}");
    assert_eq!(s.seen().post - posts, 1, "sent once, never again");
    let e = b
        .invoke(
            &wf,
            &offer,
            &ActionParams::Inputs(vec![("nope".into(), ParamValue::Bool(true))]),
        )
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("nope"), "{e}");
    assert_eq!(s.vro_executions(), 0);
}

#[tokio::test]
async fn the_power_off_workflow_is_seen_from_vcenter_and_vcd() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let (_, moid, uuid) = powered_on_vm();
    let vc = crate::backends::vcenter_admin(&s);
    vc.connect().await.unwrap();
    let vcd = crate::backends::vcd_admin(&s);
    vcd.connect().await.unwrap();
    let vc_vm = Node::new(NodeKind::Vm, moid.as_str(), "");
    let vcd_vm = Node::new(
        NodeKind::Vm,
        format!("{}/api/vApp/vm-{uuid}", s.vcd_url),
        "",
    );
    let vc_state = async || vc.details(&vc_vm).await.unwrap().node.status.label;
    let vcd_state = async || vcd.details(&vcd_vm).await.unwrap().node.status.label;
    assert_eq!(vc_state().await, "POWERED_ON");
    assert_eq!(vcd_state().await, "POWERED_ON");
    let task = start(&b, "Power off virtual machine", vec![("vm", vm(&moid))]).await;
    let done = poll_after(&s, &b, &task, 31).await;
    assert_eq!(done.state, TaskState::Success, "{done:?}");
    assert_eq!(vc_state().await, "POWERED_OFF");
    assert_eq!(vcd_state().await, "POWERED_OFF");
}

// current_thread: the simulator, the client and the HTTP stack all log on this thread, so the
// thread-local subscriber sees everything.
#[tokio::test(flavor = "current_thread")]
async fn a_secure_string_is_absent_from_a_trace_log_and_the_run_details() {
    const SECRET: &str = "Adm1n-S3cret-4-esx";
    let log = TraceLog::start();

    for version in [VroVersion::V8, VroVersion::V9] {
        let s = vro_sim(version).await;
        let b = crate::backends::vro(&s, PAGE_SIZE, BTreeMap::new());
        b.connect().await.unwrap();
        let (wf, offer) = run_offer(&b, "Rotate certificate").await;
        let params = ActionParams::Inputs(vec![
            ("hostname".into(), ParamValue::Text("esx-01".into())),
            (
                "adminPassword".into(),
                ParamValue::Secret(SecretText::new(SECRET)),
            ),
        ]);
        assert!(!format!("{params:?}").contains(SECRET));
        let task = b.invoke(&wf, &offer, &params).await.unwrap();
        let done = poll_after(&s, &b, &task, 31).await;
        assert_eq!(done.state, TaskState::Error);
        let d = run_details(&b, &done).await;
        assert_eq!(value(&d, "Inputs", "adminPassword").as_deref(), Some("***"));
        let shown = format!("{:?}{}", d.sections, d.raw.text);
        assert!(!shown.contains(SECRET));
        let tokens = s.live_tokens();
        b.logout().await;
        let text = log.text();
        assert!(text.contains("vco/api"), "the log captured the requests");
        assert!(
            !text.contains(SECRET),
            "{version:?}: the trace log holds the secret"
        );
        assert!(!text.contains(vnav::sim::DEMO_PASSWORD));
        for t in tokens {
            assert!(!text.contains(&t), "the trace log holds a session token");
        }
    }
}

#[tokio::test]
async fn a_start_whose_answer_is_lost_is_never_sent_again() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let (wf, offer) = run_offer(&b, "Request maintenance window").await;
    let params = ActionParams::Inputs(vec![
        (
            "start".into(),
            ParamValue::Date(time::macros::datetime!(2026-12-24 22:00 UTC)),
        ),
        ("reason".into(), ParamValue::Text("lost answer".into())),
    ]);
    let posts = s.seen().post;
    s.set_faults(vnav::sim::Faults {
        drop_rate: 1.0,
        ..vnav::sim::Faults::default()
    });
    let e = b
        .invoke(&wf, &offer, &params)
        .await
        .unwrap_err()
        .to_string();
    s.set_faults(vnav::sim::Faults::default());
    assert!(e.contains("may be running"), "{e}");
    assert_eq!(
        s.seen().post - posts,
        1,
        "one POST: a second would be a second run"
    );
    assert_eq!(s.vro_executions(), 1);
}

/// A run's outputs name SDK objects by id beside their type ("Array/VC:VirtualMachine":
/// "vm-1014, vm-1018"), not "VC:VirtualMachine vm-1014, VC:VirtualMachine vm-1018".
#[tokio::test]
async fn objects_in_a_runs_outputs_read_by_id_their_type_said_once() {
    let s = vro_sim(VroVersion::V8).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let task = start(
        &b,
        "Get virtual machines by name",
        vec![("criteria", ParamValue::Text("web".into()))],
    )
    .await;
    let done = poll_after(&s, &b, &task, 60).await;
    assert_eq!(done.state, TaskState::Success, "{done:?}");
    let d = run_details(&b, &done).await;
    let out = rows(&d, "Outputs");
    let vms = out.iter().find(|r| r[0] == "vms").expect("the vms output");
    assert_eq!(vms[1], "Array/VC:VirtualMachine");
    assert!(
        vms[2].starts_with("vm-") && vms[2].contains(", vm-"),
        "{vms:?}"
    );
    assert!(!vms[2].contains("VC:"), "{vms:?}");
}
