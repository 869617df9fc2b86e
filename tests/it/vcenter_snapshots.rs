//! vCenter snapshots through vim25 SOAP against the simulator: create (twice, so the tree has
//! depth), list as children, details of one snapshot, revert to a chosen one, remove one, remove
//! all — each a vim Task polled to its end.

use std::time::Duration;

use vnav::api::http::HttpOptions;
use vnav::api::model::{ActionId, ActionOffer, ActionParams, Node, NodeKind, TaskInfo, TaskState};
use vnav::api::vcenter::{VcenterBackend, VcenterConfig};
use vnav::api::{Backend, ChildSink};
use vnav::sim::{DEMO_PASSWORD, Sim, SimOptions, VCENTER_USER};

use crate::sim_support::sim;

async fn connected(s: &Sim) -> VcenterBackend {
    let b = VcenterBackend::new(VcenterConfig {
        url: s.vcenter_url.clone(),
        user: VCENTER_USER.into(),
        password: DEMO_PASSWORD.to_string().into(),
        http: HttpOptions::default(),
    })
    .unwrap();
    b.connect().await.unwrap();
    b
}

async fn children(b: &VcenterBackend, parent: &Node) -> Vec<Node> {
    let (sink, got) = ChildSink::collecting();
    b.children(parent, &sink).await.unwrap();
    got.take()
}

/// A VM with no snapshot yet.
async fn bare_vm(b: &VcenterBackend) -> Node {
    for dc in children(b, &b.root()).await {
        for c in children(b, &dc)
            .await
            .into_iter()
            .filter(|n| n.kind == NodeKind::Cluster)
        {
            for h in children(b, &c).await {
                for vm in children(b, &h).await {
                    if children(b, &vm).await.is_empty() {
                        return vm;
                    }
                }
            }
        }
    }
    panic!("no VM without snapshots");
}

async fn run(
    b: &VcenterBackend,
    node: &Node,
    offer: &ActionOffer,
    params: ActionParams,
) -> TaskInfo {
    let mut task = b.invoke(node, offer, &params).await.unwrap();
    assert!(task.id.starts_with("vim:"), "a vim task: {task:?}");
    for _ in 0..200 {
        if task.state.is_terminal() {
            return task;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
        task = b.poll_task(&task).await.unwrap();
    }
    panic!("task never ended: {task:?}");
}

fn offer(actions: &[ActionOffer], id: ActionId) -> ActionOffer {
    actions
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("{id:?} not offered in {actions:?}"))
        .clone()
}

fn snapshot(name: &str) -> ActionParams {
    ActionParams::Snapshot {
        name: name.into(),
        description: "by <vnav> & tests".into(),
        memory: false,
        quiesce: true,
    }
}

#[tokio::test]
async fn create_list_revert_remove_through_vim_tasks() {
    let s = sim(SimOptions {
        task_seconds: 0.2,
        ..SimOptions::default()
    })
    .await;
    let b = connected(&s).await;
    let vm = bare_vm(&b).await;
    let d = b.details(&vm).await.unwrap();
    let snaps = d.sections.iter().find(|s| s.title == "Snapshots").unwrap();
    assert_eq!(snaps.rows, [("Snapshots".to_string(), "none".to_string())]);
    let ids: Vec<ActionId> = d.actions.iter().map(|a| a.id).collect();
    assert!(ids.contains(&ActionId::SnapshotCreate) && !ids.contains(&ActionId::SnapshotRemoveAll));

    let create = offer(&d.actions, ActionId::SnapshotCreate);
    for name in ["before-upgrade", "after-upgrade"] {
        let t = run(&b, &vm, &create, snapshot(name)).await;
        assert_eq!(t.state, TaskState::Success, "{t:?}");
    }
    let list = children(&b, &vm).await;
    let names: Vec<&str> = list.iter().map(|n| &*n.name).collect();
    assert_eq!(
        names,
        ["before-upgrade", "· after-upgrade"],
        "a tree of two"
    );
    assert_eq!(list[1].status.label, "current");

    // Revert to the first, chosen in the tree.
    let first = b.details(&list[0]).await.unwrap();
    assert!(
        first.sections[0]
            .rows
            .iter()
            .any(|(k, v)| k == "Quiesced" && v == "true")
    );
    let revert = offer(&first.actions, ActionId::SnapshotRevert);
    assert_eq!(
        run(&b, &list[0], &revert, ActionParams::None).await.state,
        TaskState::Success
    );
    assert_eq!(children(&b, &vm).await[0].status.label, "current");

    // Remove the second one, then all.
    let second = b.details(&list[1]).await.unwrap();
    let remove = offer(&second.actions, ActionId::SnapshotRemove);
    assert_eq!(
        run(&b, &list[1], &remove, ActionParams::None).await.state,
        TaskState::Success
    );
    assert_eq!(children(&b, &vm).await.len(), 1);
    let d = b.details(&vm).await.unwrap();
    let all = offer(&d.actions, ActionId::SnapshotRemoveAll);
    assert_eq!(
        run(&b, &vm, &all, ActionParams::None).await.state,
        TaskState::Success
    );
    assert!(children(&b, &vm).await.is_empty());
}

/// Snapshot sprawl: the same world seen from vCD and vCenter lists the same VMs with
/// snapshots, oldest first, and each one listed really has a snapshot.
#[tokio::test]
async fn the_snapshot_view_lists_every_vm_with_snapshots_oldest_first() {
    use vnav::api::vcd::{VcdBackend, VcdConfig};
    let s = sim(SimOptions::default()).await;
    let vc = connected(&s).await;
    let group = children(&vc, &vc.root())
        .await
        .into_iter()
        .find(|n| n.kind == NodeKind::Group)
        .expect("a snapshot view under the vCenter");
    let vc_list = children(&vc, &group).await;
    assert!(!vc_list.is_empty(), "the demo world has snapshots");
    for vm in vc_list.iter().take(3) {
        assert!(
            !children(&vc, vm).await.is_empty(),
            "{} has a snapshot",
            vm.name
        );
        assert!(vm.summary.contains("snapshot"), "{}", vm.summary);
    }

    let vcd = VcdBackend::new(VcdConfig {
        url: s.vcd_url.clone(),
        user: vnav::sim::DEMO_USER.into(),
        password: DEMO_PASSWORD.to_string().into(),
        http: HttpOptions::default(),
    })
    .unwrap();
    vcd.connect().await.unwrap();
    let (sink, top) = ChildSink::collecting();
    vcd.children(&vcd.root(), &sink).await.unwrap();
    let top = top.take();
    let view = top
        .iter()
        .find(|n| n.name.starts_with("Snapshots"))
        .unwrap();
    let (sink, got) = ChildSink::collecting();
    vcd.children(view, &sink).await.unwrap();
    let vcd_list = got.take();
    let names = |l: &[Node]| {
        let mut v: Vec<String> = l.iter().map(|n| n.name.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(
        names(&vcd_list),
        names(&vc_list),
        "both products see the same sprawl"
    );
    // Oldest first in vCD, where the record carries the date.
    let first = vcd.details(&vcd_list[0]).await.unwrap();
    let last = vcd.details(vcd_list.last().unwrap()).await.unwrap();
    let created = |d: &vnav::api::model::Details| {
        d.sections
            .iter()
            .find(|s| s.title == "Snapshot")
            .and_then(|s| s.rows.iter().find(|(k, _)| k == "Created"))
            .map(|(_, v)| v.clone())
            .expect("a Created row")
    };
    assert!(created(&first) <= created(&last), "oldest first");
}
