//! The vCD simulator's actions over HTTP: tasks, their lifecycle and effects, wrong states,
//! busy entities, cancel, failures, snapshots, vApp-wide power.

use reqwest::StatusCode;
use vnav::sim::{DEMO_USER, SimOptions};

use crate::sim_support::*;

async fn first_vm(c: &Client, filter: &str) -> String {
    let doc = c
        .doc(&format!("/api/query?type=vm&pageSize=1&filter={filter}"))
        .await;
    let rec = tags(&doc, "VMRecord");
    c.doc(&attr(rec[0], "href").unwrap()).await
}

#[tokio::test]
async fn power_off_runs_a_task_then_offers_power_on() {
    let s = sim(opts(0.3)).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let vm = first_vm(&c, "status==POWERED_ON").await;
    assert!(links(&vm, "power:powerOn").is_empty());
    let off = links(&vm, "power:powerOff")
        .pop()
        .expect("powerOff offered");
    let (st, task) = c.post(&off, "").await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert!(["queued", "running"].contains(&root_attr(&task, "status").unwrap().as_str()));
    assert_eq!(
        root_attr(&task, "operationName").as_deref(),
        Some("vmPowerOff")
    );
    assert!(!links(&task, "task:cancel").is_empty());
    assert!(task.contains("<Owner ") && task.contains("<User ") && task.contains("<Organization "));
    let done = wait_task(&c, &root_attr(&task, "href").unwrap()).await;
    assert_eq!(root_attr(&done, "status").as_deref(), Some("success"));
    assert!(links(&done, "task:cancel").is_empty());
    let vm = c.doc(&root_attr(&vm, "href").unwrap()).await;
    assert_eq!(root_attr(&vm, "status").as_deref(), Some("8"));
    assert!(!links(&vm, "power:powerOn").is_empty() && links(&vm, "power:powerOff").is_empty());
    let tasks = c.doc("/api/query?type=task").await;
    assert_eq!(tags(&tasks, "TaskRecord").len(), 1);
}

#[tokio::test]
async fn wrong_state_busy_and_cancel() {
    let s = sim(opts(30.0)).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let vm = first_vm(&c, "status==POWERED_ON").await;
    let href = root_attr(&vm, "href").unwrap();
    let (st, body) = c.post(&format!("{href}/power/action/powerOn"), "").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert!(body.contains("is not powered off"), "{body}");
    let (st, task) = c.post(&format!("{href}/power/action/reboot"), "").await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let (st, body) = c.post(&format!("{href}/power/action/powerOff"), "").await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(body.contains("BUSY_ENTITY"));
    let cancel = links(&task, "task:cancel").pop().unwrap();
    assert_eq!(c.post(&cancel, "").await.0, StatusCode::NO_CONTENT);
    let t = c.doc(&root_attr(&task, "href").unwrap()).await;
    assert_eq!(root_attr(&t, "status").as_deref(), Some("canceled"));
    assert_eq!(c.post(&cancel, "").await.0, StatusCode::BAD_REQUEST);
    // The entity is free again.
    assert_eq!(
        c.post(&format!("{href}/power/action/powerOff"), "").await.0,
        StatusCode::ACCEPTED
    );
}

#[tokio::test]
async fn failing_tasks_end_in_error() {
    let s = sim(SimOptions {
        task_seconds: 0.2,
        fail_rate: 1.0,
        ..SimOptions::default()
    })
    .await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let vm = first_vm(&c, "status==POWERED_OFF").await;
    let (st, task) = c
        .post(&links(&vm, "power:powerOn").pop().unwrap(), "")
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    let done = wait_task(&c, &root_attr(&task, "href").unwrap()).await;
    assert_eq!(root_attr(&done, "status").as_deref(), Some("error"));
    assert!(done.contains("<Error "));
    let vm = c.doc(&root_attr(&vm, "href").unwrap()).await;
    assert_eq!(root_attr(&vm, "status").as_deref(), Some("8"));
}

#[tokio::test]
async fn snapshots_create_and_remove() {
    let s = sim(opts(0.1)).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let vm = first_vm(&c, "snapshot==false").await;
    let href = root_attr(&vm, "href").unwrap();
    assert!(links(&vm, "snapshot:removeAll").is_empty());
    let (st, body) = c
        .post(&format!("{href}/action/revertToCurrentSnapshot"), "")
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{body}");
    let (st, _) = c
        .post(&format!("{href}/action/createSnapshot"), "this is not xml")
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let params = r#"<CreateSnapshotParams xmlns="http://www.vmware.com/vcloud/v1.5" name="before-upgrade" memory="false" quiesce="false"><Description>x</Description></CreateSnapshotParams>"#;
    let (st, task) = c
        .post(&links(&vm, "snapshot:create").pop().unwrap(), params)
        .await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_eq!(
        root_attr(&task, "operationName").as_deref(),
        Some("vmCreateSnapshot")
    );
    wait_task(&c, &root_attr(&task, "href").unwrap()).await;
    let vm = c.doc(&href).await;
    assert!(vm.contains("<Snapshot ") && !links(&vm, "snapshot:removeAll").is_empty());
    let (_, task) = c
        .post(&links(&vm, "snapshot:removeAll").pop().unwrap(), "")
        .await;
    wait_task(&c, &root_attr(&task, "href").unwrap()).await;
    assert!(!c.doc(&href).await.contains("<Snapshot "));
}

#[tokio::test]
async fn vapp_power_off_turns_every_vm_off() {
    let s = sim(opts(0.1)).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let doc = c
        .doc("/api/query?type=vApp&pageSize=1&filter=status==POWERED_ON")
        .await;
    let vapp = c
        .doc(&attr(tags(&doc, "VAppRecord")[0], "href").unwrap())
        .await;
    let (st, task) = c.post(&links(&vapp, "power:powerOff")[0], "").await;
    assert_eq!(st, StatusCode::ACCEPTED);
    assert_eq!(
        root_attr(&task, "operationName").as_deref(),
        Some("vappPowerOff")
    );
    wait_task(&c, &root_attr(&task, "href").unwrap()).await;
    let vapp = c.doc(&root_attr(&vapp, "href").unwrap()).await;
    assert_eq!(root_attr(&vapp, "status").as_deref(), Some("8"));
    assert!(
        tags(&vapp, "Vm")
            .iter()
            .all(|t| attr(t, "status").as_deref() == Some("8"))
    );
}
