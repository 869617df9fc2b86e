//! Health dots on vCD VM rows, end to end against the simulator: with the vCenter behind the
//! vCD and the Aria Operations watching it connected, `:vm`'s vCD rows get the health of the
//! vCenter VM behind each, read through one bulk `adminVM` query (`vc`, `moref`), never a Vm
//! document per row; a vApp's VMs are read through the same query, filtered to that vApp.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::Backend;
use vnav::api::http::HttpOptions;
use vnav::api::model::{Health, Node, NodeKind, VmKey};
use vnav::api::vrops::PAGE_SIZE;
use vnav::app::App;

use crate::all_snapshots::connected;
use crate::backends;
use crate::sim_support::sim_of;

const T: Duration = Duration::from_secs(30);
const VMS: usize = 80;

/// The table's vCD rows: (href, health).
fn vcd_rows(app: &App) -> Vec<(String, Option<Health>)> {
    (app.tree.visible().iter())
        .map(|&r| app.tree.get(r))
        .filter(|e| e.endpoint() == 0 && e.node.kind == NodeKind::Vm)
        .map(|e| (e.node.id.as_str().to_string(), e.node.health))
        .collect()
}

#[tokio::test]
async fn vcd_rows_in_vm_get_the_health_of_the_vcenter_vm_behind_them() {
    let s = sim_of(VMS).await;
    let vcd = backends::vcd_admin(&s);
    let vc = backends::vcenter_admin(&s);
    let ops = backends::vrops(&s, PAGE_SIZE, HttpOptions::default().concurrency);
    vcd.connect().await.unwrap();
    let uuid = vc.connect().await.unwrap().instance_uuid.unwrap();
    ops.connect().await.unwrap();

    // What is expected: each vCD VM's vCenter VM, as Aria Operations rates it.
    let backings = vcd.vm_backings(None).await.unwrap();
    assert_eq!(
        backings.vms.len(),
        VMS,
        "every VM of the simulated vCD is backed"
    );
    assert_eq!(backings.vcenters.len(), 1, "one vCenter, named once");
    let keys: Vec<VmKey> = (backings.vms.iter())
        .map(|(_, _, moid)| VmKey::new(&uuid, moid))
        .collect();
    let rated = ops.vm_insight(&keys, false).await.unwrap();
    let health_of: HashMap<&VmKey, Option<Health>> =
        rated.iter().map(|i| (&i.key, i.health)).collect();
    let want: HashMap<String, Option<Health>> = (backings.vms.iter().zip(&keys))
        .map(|((href, _, _), k)| (href.to_string(), health_of.get(k).copied().flatten()))
        .collect();
    assert!(
        want.values().filter(|h| h.is_some()).count() > VMS / 2,
        "most VMs are rated"
    );
    let colours: std::collections::HashSet<_> = want.values().collect();
    assert!(colours.len() > 1, "not every VM has the same health");
    let vm_docs_before = vm_doc_reads(&s);

    let mut d = connected(&[
        ("vcd", Arc::new(vcd)),
        ("vc", Arc::new(vc)),
        ("ops", Arc::new(ops)),
    ])
    .await;
    d.key(KeyCode::Char(':'));
    d.type_str("vm");
    d.key(KeyCode::Enter);
    let all_dotted = |a: &App| {
        let rows = vcd_rows(a);
        rows.len() == VMS && rows.iter().all(|(href, h)| want.get(href) == Some(h))
    };
    assert!(
        d.until(T, all_dotted).await,
        "vCD rows with their vCenter VM's health: {:?}",
        vcd_rows(&d.app)
    );
    assert_eq!(
        vm_doc_reads(&s),
        vm_docs_before,
        "no Vm document read per row"
    );
    d.shutdown().await;
}

/// GETs of single vCD VM documents.
fn vm_doc_reads(s: &vnav::sim::Sim) -> u64 {
    (s.seen_all().into_iter())
        .filter(|((method, path), _)| method == "GET" && path.starts_with("/api/vApp/vm-"))
        .map(|(_, n)| n)
        .sum()
}

/// Within a vApp, only that vApp's VMs are read, each with the vCenter VM the whole read gives.
#[tokio::test]
async fn a_vapps_backings_are_its_vms_only() {
    let s = sim_of(VMS).await;
    let vcd = backends::vcd_admin(&s);
    vcd.connect().await.unwrap();
    let all: HashMap<Box<str>, String> = (vcd.vm_backings(None).await.unwrap().vms.into_iter())
        .map(|(id, _, moid)| (id.as_str().into(), moid.to_string()))
        .collect();
    // A vApp with more than one VM, found by browsing: org, VDC, vApp.
    let mut vapp: Option<Node> = None;
    let mut level = vec![vcd.root()];
    'find: for _ in 0..4 {
        let mut next = Vec::new();
        for n in &level {
            for c in children(&vcd, n).await {
                if c.kind == NodeKind::VApp && children(&vcd, &c).await.len() > 1 {
                    vapp = Some(c);
                    break 'find;
                }
                next.push(c);
            }
        }
        level = next;
    }
    let vapp = vapp.expect("a vApp with VMs");
    let vms: Vec<Box<str>> = (children(&vcd, &vapp).await.into_iter())
        .filter(|n| n.kind == NodeKind::Vm)
        .map(|n| n.id.as_str().into())
        .collect();
    let within = vcd.vm_backings(Some(&vapp)).await.unwrap();
    let mut got: Vec<(Box<str>, String)> = (within.vms.into_iter())
        .map(|(id, _, moid)| (id.as_str().into(), moid.to_string()))
        .collect();
    got.sort();
    let mut want: Vec<(Box<str>, String)> =
        (vms.iter()).map(|h| (h.clone(), all[h].clone())).collect();
    want.sort();
    assert_eq!(got, want);
}

async fn children(b: &dyn Backend, n: &Node) -> Vec<Node> {
    let (sink, got) = vnav::api::ChildSink::collecting();
    match b.children(n, &sink).await {
        Ok(()) => got.take(),
        Err(_) => Vec::new(),
    }
}
