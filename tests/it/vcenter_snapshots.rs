//! vCenter snapshots through vim25 SOAP against the simulator: create (twice, so the tree has
//! depth), list as children, details of one snapshot, revert to a chosen one, remove one, remove
//! all — each a vim Task polled to its end.

use std::time::Duration;

use vnav::api::model::{ActionId, ActionOffer, ActionParams, Node, NodeKind, TaskInfo, TaskState};
use vnav::api::vcenter::VcenterBackend;
use vnav::api::{Backend, ChildSink};
use vnav::sim::{Sim, SimOptions, VcenterVersion};

use crate::backends;
use crate::sim_support::sim;

pub(crate) async fn connected(s: &Sim) -> VcenterBackend {
    let b = backends::vcenter_admin(s);
    b.connect().await.unwrap();
    b
}

async fn children(b: &VcenterBackend, parent: &Node) -> Vec<Node> {
    let (sink, got) = ChildSink::collecting();
    b.children(parent, &sink).await.unwrap();
    got.take()
}

/// A VM with no snapshot yet.
pub(crate) async fn bare_vm(b: &VcenterBackend) -> Node {
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

pub(crate) async fn run(
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

pub(crate) fn offer(actions: &[ActionOffer], id: ActionId) -> ActionOffer {
    actions
        .iter()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("{id:?} not offered in {actions:?}"))
        .clone()
}

pub(crate) fn snapshot(name: &str) -> ActionParams {
    ActionParams::Snapshot {
        name: name.into(),
        description: "by <vnav> & tests".into(),
        memory: false,
        quiesce: true,
    }
}

fn row<'a>(d: &'a vnav::api::model::Details, section: &str, key: &str) -> &'a str {
    d.sections
        .iter()
        .find(|s| s.title == section)
        .and_then(|s| s.rows.iter().find(|(k, _)| k == key))
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no {section}/{key} in {:?}", d.sections))
}

/// The whole cycle on one VM, each step a vim Task polled to its end: create a chain of three,
/// revert to a chosen one, remove one (its child moves up), remove one with its children,
/// remove all. `protocol` is the vim protocol the client must have chosen.
async fn snapshot_cycle(version: VcenterVersion, protocol: &str) {
    let s = sim(SimOptions {
        task_seconds: 0.2,
        vcenter_version: version,
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
    for name in ["base", "middle", "top"] {
        let t = run(&b, &vm, &create, snapshot(name)).await;
        assert_eq!(t.state, TaskState::Success, "{t:?}");
        assert_eq!(t.operation, "Create snapshot");
    }
    let names =
        |list: &[Node]| -> Vec<String> { list.iter().map(|n| n.name.to_string()).collect() };
    let list = children(&b, &vm).await;
    assert_eq!(names(&list), ["base", "· middle", "· · top"], "a chain");
    assert_eq!(list[2].status.label, "current");
    let d = b.details(&vm).await.unwrap();
    assert_eq!(row(&d, "Snapshots", "Read over"), protocol);
    assert!(row(&d, "Snapshots", "Total size").ends_with("iB"));

    // Revert to the first, chosen in the tree.
    let base = b.details(&list[0]).await.unwrap();
    assert_eq!(row(&base, "Snapshot", "Quiesced"), "Yes");
    assert_eq!(row(&base, "Snapshot", "Taken from it"), "2");
    let revert = offer(&base.actions, ActionId::SnapshotRevert);
    let t = run(&b, &list[0], &revert, ActionParams::None).await;
    assert_eq!(
        (t.state, t.operation.as_str()),
        (TaskState::Success, "Revert to snapshot")
    );
    assert_eq!(children(&b, &vm).await[0].status.label, "current");

    // Remove the middle one alone: the top one now hangs off the base.
    let middle = b.details(&list[1]).await.unwrap();
    let remove = offer(&middle.actions, ActionId::SnapshotRemove);
    offer(&middle.actions, ActionId::SnapshotRemoveTree);
    assert_eq!(
        run(&b, &list[1], &remove, ActionParams::None).await.state,
        TaskState::Success
    );
    let list = children(&b, &vm).await;
    assert_eq!(names(&list), ["base", "· top"]);
    let top = b.details(&list[1]).await.unwrap();
    assert!(
        top.actions
            .iter()
            .all(|a| a.id != ActionId::SnapshotRemoveTree),
        "nothing was taken from the top one"
    );

    // Remove the base with what was taken from it: nothing is left.
    let base = b.details(&list[0]).await.unwrap();
    let tree = offer(&base.actions, ActionId::SnapshotRemoveTree);
    assert_eq!(
        run(&b, &list[0], &tree, ActionParams::None).await.state,
        TaskState::Success
    );
    assert!(children(&b, &vm).await.is_empty());

    // And remove-all, on a fresh one.
    run(&b, &vm, &create, snapshot("last")).await;
    let d = b.details(&vm).await.unwrap();
    let all = offer(&d.actions, ActionId::SnapshotRemoveAll);
    assert_eq!(
        run(&b, &vm, &all, ActionParams::None).await.state,
        TaskState::Success
    );
    assert!(children(&b, &vm).await.is_empty());
    b.logout().await;
}

#[tokio::test]
async fn the_snapshot_cycle_over_vi_json_on_8_0() {
    snapshot_cycle(VcenterVersion::V8_0, "VI/JSON 8.0.2.0").await;
}

#[tokio::test]
async fn the_snapshot_cycle_over_soap_on_7_0() {
    snapshot_cycle(VcenterVersion::V7_0, "SOAP vim25").await;
}

/// Snapshot sprawl: the same world seen from vCD and vCenter lists the same VMs with
/// snapshots, oldest first, and each one listed really has a snapshot.
#[tokio::test]
async fn the_snapshot_view_lists_every_vm_with_snapshots_oldest_first() {
    use vnav::api::SprawlSink;
    let s = sim(SimOptions::default()).await;
    let vc = connected(&s).await;
    let vc_list = vc.snapshot_sprawl(&SprawlSink::ignore()).await.unwrap();
    assert!(!vc_list.is_empty(), "the demo world has snapshots");
    for r in vc_list.iter().take(3) {
        assert!(
            !children(&vc, &r.vm).await.is_empty(),
            "{} has a snapshot",
            r.vm.name
        );
        assert!(r.summary(None).contains("snapshot"), "{}", r.summary(None));
    }

    let vcd = backends::vcd_admin(&s);
    vcd.connect().await.unwrap();
    let vcd_list = vcd.snapshot_sprawl(&SprawlSink::ignore()).await.unwrap();
    let names = |l: &[vnav::api::model::SprawlRow]| {
        let mut v: Vec<String> = l.iter().map(|r| r.vm.name.to_string()).collect();
        v.sort();
        v
    };
    assert_eq!(
        names(&vcd_list),
        names(&vc_list),
        "both products see the same sprawl"
    );
    for list in [&vcd_list, &vc_list] {
        assert!(
            list.windows(2).all(|w| w[0].oldest <= w[1].oldest),
            "oldest first"
        );
    }
    // The dates are the servers' own: the oldest in vCD is the one its details say.
    let first = vcd.details(&vcd_list[0].vm).await.unwrap();
    let created = first
        .sections
        .iter()
        .find(|s| s.title == "Snapshot")
        .and_then(|s| s.rows.iter().find(|(k, _)| k == "Created"))
        .map(|(_, v)| v.clone())
        .expect("a Created row");
    assert_eq!(
        Some(created),
        vcd_list[0].oldest.map(vnav::api::labels::when)
    );
}

/// Snapshot reads over a flaky link (bodies cut short half the time, some 503s and dropped
/// connections), over both protocols: each read ends in the right answer or a clear error, and
/// nearly all succeed, because a read whose answer is unreadable is asked again.
#[tokio::test]
async fn snapshot_reads_survive_a_flaky_link() {
    use vnav::sim::Faults;
    for version in [VcenterVersion::V8_0, VcenterVersion::V7_0] {
        let s = sim(SimOptions {
            vcenter_version: version,
            ..SimOptions::default()
        })
        .await;
        let b = connected(&s).await;
        let sprawl = b
            .snapshot_sprawl(&vnav::api::SprawlSink::ignore())
            .await
            .unwrap();
        let vm = &sprawl[0].vm;
        let names = |l: Vec<Node>| l.into_iter().map(|n| n.name).collect::<Vec<_>>();
        let healthy = names(children(&b, vm).await);
        s.set_faults(Faults {
            truncate_rate: 0.5,
            error_rate: 0.1,
            drop_rate: 0.05,
            seed: 7,
            ..Faults::default()
        });
        let mut ok = 0;
        for _ in 0..20 {
            let (sink, got) = ChildSink::collecting();
            match b.children(vm, &sink).await {
                Ok(()) => {
                    assert_eq!(names(got.take()), healthy, "{version:?}");
                    ok += 1;
                }
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
        assert!(ok >= 16, "{version:?}: {ok} of 20 reads succeeded");
        assert!(s.fault_counts().truncated >= 5, "{:?}", s.fault_counts());
    }
}

/// The snapshot view's bulk reads (trees and layouts of 100 VMs a page, each page parsed
/// straight into what is kept) over a link that cuts bodies short, over both protocols: a page
/// cut short is asked again within its read, so the view ends with the rows and sizes of a
/// healthy link (or a clear error), not a failed read at the first cut page.
#[tokio::test]
async fn bulk_snapshot_reads_ask_again_for_a_page_cut_short() {
    use vnav::sim::Faults;
    for version in [VcenterVersion::V8_0, VcenterVersion::V7_0] {
        let s = sim(SimOptions {
            vms: 1_000,
            vcenter_version: version,
            ..SimOptions::default()
        })
        .await;
        let b = connected(&s).await;
        let sink = vnav::api::SprawlSink::ignore();
        let healthy = b.snapshot_sprawl(&sink).await.unwrap();
        assert!(healthy.len() > 100 && healthy.iter().all(|r| r.bytes.is_some()));
        s.set_faults(Faults {
            truncate_rate: 0.3,
            seed: 11,
            ..Faults::default()
        });
        let mut ok = 0;
        for _ in 0..8 {
            match b.snapshot_sprawl(&sink).await {
                Ok(rows) => {
                    assert!(
                        rows == healthy,
                        "{version:?}: other rows than on a healthy link"
                    );
                    ok += 1;
                }
                Err(e) => assert!(!e.to_string().is_empty()),
            }
        }
        assert!(ok >= 4, "{version:?}: {ok} of 8 reads succeeded");
        assert!(s.fault_counts().truncated >= 20, "{:?}", s.fault_counts());
    }
}

/// The snapshot view over a VM list split into many parts (over the list cap): the snapshot
/// trees of the first VMs are read while the rest of the list is still arriving, not after
/// it, and each property read is one page (a batch is the 100 objects a vCenter answers at
/// once, so no read waits on `ContinueRetrievePropertiesEx` round trips). The rows and sizes
/// are those of the whole list, rows first (`all_snapshots::sprawl_of` checks the order).
#[tokio::test]
async fn the_snapshot_view_reads_trees_while_the_vm_list_arrives_one_page_a_batch() {
    use std::sync::{Arc, Mutex};
    use vnav::api::{SprawlSink, SprawlUpdate};
    let s = Arc::new(
        sim(SimOptions {
            vms: 1000,
            list_cap: Some(40),
            latency_ms: 5,
            ..SimOptions::default()
        })
        .await,
    );
    let mut http = vnav::api::http::HttpOptions {
        concurrency: 2,
        ..Default::default()
    };
    http.hedge.enabled = false;
    let b: Arc<dyn Backend> = Arc::new(backends::vcenter(
        &s.vcenter_url,
        vnav::sim::VCENTER_USER,
        vnav::sim::DEMO_PASSWORD,
        http,
    ));
    b.connect().await.unwrap();
    let vm_lists = |s: &Sim| -> u64 {
        s.seen_all()
            .into_iter()
            .filter(|((method, path), _)| method == "GET" && path.ends_with("/vcenter/vm"))
            .map(|(_, n)| n)
            .sum()
    };
    let before = vm_lists(&s);
    // VM list requests seen when the first batch of trees had been read.
    let at_first_trees: Arc<Mutex<Option<u64>>> = Arc::default();
    let (seen, server) = (at_first_trees.clone(), s.clone());
    let sink = SprawlSink::new(move |u| {
        if let SprawlUpdate::Progress(p) = &u
            && p.label == "reading snapshots"
        {
            seen.lock()
                .unwrap()
                .get_or_insert_with(|| vm_lists(&server));
        }
    });
    let rows = b.snapshot_sprawl(&sink).await.unwrap();
    let listed = vm_lists(&s) - before;
    assert!(listed > 10, "the list is split into many parts: {listed}");
    let first = at_first_trees.lock().unwrap().expect("trees were read") - before;
    assert!(
        first < listed,
        "the first trees were read after {first} of {listed} VM list requests"
    );
    assert_eq!(s.vim_pages().continued, 0, "every read is one page");
    assert!(rows.len() > 100 && rows.iter().all(|r| r.bytes.is_some()));
    let alone = crate::all_snapshots::sprawl_of(&b).await;
    let ids = |rows: &[vnav::api::model::SprawlRow]| {
        rows.iter()
            .map(|r| (r.vm.id.clone(), r.bytes))
            .collect::<Vec<_>>()
    };
    assert_eq!(ids(&alone), ids(&rows));
}
