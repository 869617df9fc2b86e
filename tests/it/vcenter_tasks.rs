//! vim tasks that someone else started show in vnav's task pane as soon as it connects to the
//! vCenter (`TaskManager.recentTask`), over VI/JSON and over SOAP, and are followed to their end.

use std::sync::Arc;
use std::time::Duration;

use vnav::api::model::{ActionId, ActionParams, Node, NodeKind, TaskState};
use vnav::api::vcenter::VcenterBackend;
use vnav::api::{Backend, ChildSink};
use vnav::app::{App, EndpointSpec};
use vnav::runtime::driver::{Driver, screen_text};
use vnav::sim::{Sim, SimOptions, VcenterVersion};

use crate::backends;
use crate::sim_support::sim;

fn backend(s: &Sim) -> VcenterBackend {
    backends::vcenter_admin(s)
}

async fn children(b: &VcenterBackend, parent: &Node) -> Vec<Node> {
    let (sink, got) = ChildSink::collecting();
    b.children(parent, &sink).await.unwrap();
    got.take()
}

/// Another client (not vnav's session) snapshots the first VM of the first datacenter and
/// leaves the task running. Returns the VM.
async fn someone_else_snapshots(s: &Sim) -> Node {
    let other = backend(s);
    other.connect().await.unwrap();
    let dc = children(&other, &other.root())
        .await
        .into_iter()
        .find(|n| n.kind == NodeKind::Datacenter)
        .unwrap();
    let group = children(&other, &dc)
        .await
        .into_iter()
        .find(|n| &*n.name == "VMs")
        .unwrap();
    let vm = children(&other, &group).await.remove(0);
    let d = other.details(&vm).await.unwrap();
    let create = d
        .actions
        .iter()
        .find(|a| a.id == ActionId::SnapshotCreate)
        .unwrap();
    let params = ActionParams::Snapshot {
        name: "before patching".into(),
        description: String::new(),
        memory: false,
        quiesce: false,
    };
    let task = other.invoke(&vm, create, &params).await.unwrap();
    assert!(!task.state.is_terminal(), "{task:?}");
    other.logout().await;
    vm
}

async fn shown_on_connect(version: VcenterVersion) {
    let s = sim(SimOptions {
        task_seconds: 600.0,
        vcenter_version: version,
        ..SimOptions::default()
    })
    .await;
    let vm = someone_else_snapshots(&s).await;
    let b = backend(&s);
    let spec = EndpointSpec {
        label: "vc".into(),
        root: b.root(),
        insecure: false,
        read_only: false,
    };
    let app = App::new(vec![spec], vnav::theme::Theme::default(), false);
    let mut d = Driver::new(app, vec![Arc::new(b)], None);
    let theirs = |a: &App| {
        a.tasks
            .rows
            .iter()
            .find(|r| !r.ours && r.info.id.starts_with("vim:"))
            .map(|r| r.info.clone())
    };
    assert!(
        d.until(Duration::from_secs(20), |a| theirs(a).is_some())
            .await,
        "{version:?}: the other client's task shows on connect"
    );
    let task = theirs(&d.app).unwrap();
    assert_eq!(task.operation, "Create snapshot");
    assert!(
        matches!(task.state, TaskState::Queued | TaskState::Running),
        "{task:?}"
    );
    let target = task.target.expect("the task names its VM");
    assert_eq!(
        (target.kind, &*target.id, &*target.name),
        (NodeKind::Vm, &*vm.id.as_str(), &*vm.name),
        "the target is the VM's tree node"
    );
    let screen = screen_text(&d.render(160, 40));
    assert!(
        screen.contains("Create snapshot") && screen.contains(&*vm.name),
        "{screen}"
    );
    d.shutdown().await;
}

#[tokio::test]
async fn tasks_started_elsewhere_show_on_connect_over_vi_json() {
    shown_on_connect(VcenterVersion::V8_0).await;
}

#[tokio::test]
async fn tasks_started_elsewhere_show_on_connect_over_soap() {
    shown_on_connect(VcenterVersion::V7_0).await;
}
