//! A vCenter object's Events (`Backend::events`) through vim's `EventManager.QueryEvents`
//! against the simulator, over VI/JSON (8.0) and SOAP (7.0): a VM's history, the power
//! operation and snapshot task vnav just ran on it, newest first with user and time; a host's
//! own events.

use vnav::api::Backend;
use vnav::api::model::{ActionId, NodeKind};
use vnav::sim::{SimOptions, VcenterVersion};

use crate::sim_support::sim;
use crate::vcenter_snapshots::{bare_vm, connected, offer, run, snapshot};

const ADMIN: &str = "VSPHERE.LOCAL\\Administrator";

async fn events_of_a_vm_and_a_host(version: VcenterVersion) {
    let s = sim(SimOptions {
        task_seconds: 0.2,
        vcenter_version: version,
        ..SimOptions::default()
    })
    .await;
    let b = connected(&s).await;
    let vm = bare_vm(&b).await;

    let history = b.events(&vm).await.expect("events");
    let texts: Vec<&str> = history.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts.len(), 2, "{texts:?}");
    assert!(
        texts[0].ends_with("is powered on"),
        "newest first: {texts:?}"
    );
    assert!(texts[1].starts_with(&format!("Created virtual machine {}", vm.name)));
    assert!(history[0].time > history[1].time, "{history:?}");

    // vnav powers it off (REST) and takes a snapshot (a vim task): both show, newest first.
    let d = b.details(&vm).await.unwrap();
    let (power, said) = if d.actions.iter().any(|a| a.id == ActionId::PowerOff) {
        (ActionId::PowerOff, "is powered off")
    } else {
        (ActionId::PowerOn, "is powered on")
    };
    b.invoke(
        &vm,
        &offer(&d.actions, power),
        &vnav::api::model::ActionParams::None,
    )
    .await
    .expect("power operation");
    let d = b.details(&vm).await.unwrap();
    run(
        &b,
        &vm,
        &offer(&d.actions, ActionId::SnapshotCreate),
        snapshot("before patching"),
    )
    .await;
    let events = b.events(&vm).await.expect("events");
    let texts: Vec<&str> = events.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts.len(), 4, "{texts:?}");
    assert_eq!(texts[0], "Task: Create virtual machine snapshot");
    assert!(texts[1].ends_with(said), "{texts:?}");
    for e in &events {
        assert_eq!(e.user.as_deref(), Some(ADMIN), "{e:?}");
        assert!(e.time.is_some(), "{e:?}");
    }
    assert!(
        events.windows(2).all(|p| p[0].time >= p[1].time),
        "{events:?}"
    );

    // A host has its own events; the filter is on the entity asked about.
    let (sink, hosts) = vnav::api::ChildSink::collecting();
    b.list_kind(NodeKind::Host, &sink).await.unwrap();
    let host = hosts.take().remove(0);
    let list = b.events(&host).await.expect("host events");
    assert_eq!(list.len(), 1, "{list:?}");
    assert!(
        list[0]
            .text
            .starts_with(&format!("Connected to {} in ", host.name)),
        "{list:?}"
    );
}

#[tokio::test]
async fn vm_events_over_vi_json() {
    events_of_a_vm_and_a_host(VcenterVersion::V8_0).await;
}

#[tokio::test]
async fn vm_events_over_soap() {
    events_of_a_vm_and_a_host(VcenterVersion::V7_0).await;
}
