//! Issue 17 against the simulator: `:vm` lists every VM of both products through their own
//! list calls, and `:goto` finds VMs the tree has not loaded (vCD by IP through the query
//! service, vCenter by moid through its list filter), opening only them under "All VMs".

use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::Backend;
use vnav::api::backend::ChildSink;
use vnav::api::model::NodeKind;
use vnav::api::vcd::query::Paging;
use vnav::app::tree::Load;
use vnav::runtime::driver::Driver;
use vnav::sim::SimOptions;

use crate::all_snapshots::{connected, vcd, vcenter};
use crate::backends;
use crate::sim_support::sim;

const T: Duration = Duration::from_secs(30);

fn run(d: &mut Driver, line: &str) {
    d.key(KeyCode::Char(':'));
    d.type_str(line);
    d.key(KeyCode::Enter);
}

#[tokio::test]
async fn goto_opens_unloaded_vms_found_by_ip_on_vcd_and_by_moid_on_vcenter() {
    let s = sim(SimOptions::default()).await;
    // Targets chosen through the clients, not through the app under test.
    let b = backends::vcd_admin(&s);
    b.connect().await.unwrap();
    let (sink, got) = ChildSink::collecting();
    b.list_all_vms(Paging::Parallel(4), &sink).await.unwrap();
    let with_ip = got
        .take()
        .into_iter()
        .find(|n| n.facts.as_ref().is_some_and(|f| !f.ip.is_empty()))
        .expect("a vCD VM with an IP");
    let ip = with_ip.facts.as_ref().unwrap().ip.to_string();
    let vc = backends::vcenter_admin(&s);
    vc.connect().await.unwrap();
    let (sink, got) = ChildSink::collecting();
    vc.list_kind(NodeKind::Vm, &sink).await.unwrap();
    let vc_vm = got.take().into_iter().nth(7).expect("vCenter VMs");
    let moid = vc_vm.id.as_str().rsplit('/').next().unwrap().to_string();

    let mut d = connected(&[("vcd", vcd(&s)), ("vcenter", vcenter(&s))]).await;
    for (text, endpoint, target) in [(&ip, 0, &with_ip), (&moid, 1, &vc_vm)] {
        run(&mut d, &format!("goto {text}"));
        let reached = d
            .until(T, |a| {
                a.selected_entry()
                    .is_some_and(|e| e.endpoint() == endpoint && e.node.id == target.id)
            })
            .await;
        let toast = d.app.toast.as_ref().map(|t| t.text.clone());
        assert!(reached, "goto {text}: toast {toast:?}");
        let sel = d.app.cursor.selected.unwrap();
        let path = d.app.tree.path(sel);
        assert_eq!(path[1..], ["All VMs", &*target.name], "{path:?}");
        assert!(d.app.tree.row_of(sel).is_some(), "shown in the tree");
        let group = d.app.tree.get(sel).parent().unwrap();
        assert_eq!(
            *d.app.tree.get(group).load(),
            Load::NotLoaded,
            "only the VM was read, not the whole group"
        );
    }
    d.shutdown().await;
}

#[tokio::test]
async fn vm_and_host_tables_list_both_products() {
    let s = sim(SimOptions::default()).await;
    let mut d = connected(&[("vcd", vcd(&s)), ("vcenter", vcenter(&s))]).await;
    run(&mut d, "vm");
    assert!(d.until(T, |a| a.loading_count() == 0).await);
    let t = d.app.table.as_ref().expect("a table");
    let per_endpoint = |a: &vnav::app::App, e: usize| {
        a.tree
            .visible()
            .iter()
            .filter(|&&id| a.tree.get(id).endpoint() == e)
            .count()
    };
    let (on_vcd, on_vc) = (per_endpoint(&d.app, 0), per_endpoint(&d.app, 1));
    assert!(on_vcd > 0 && on_vc > 0, "{on_vcd} {on_vc}");
    assert_eq!(t.total, on_vcd + on_vc);
    assert!(t.notes.is_empty(), "{:?}", t.notes);
    // Rows of the vCD carry their vApp, those of vCenter their sizing.
    let first_vcd = d
        .app
        .tree
        .visible()
        .iter()
        .map(|&id| d.app.tree.get(id))
        .find(|e| e.endpoint() == 0)
        .unwrap();
    assert!(!first_vcd.node.facts.as_ref().unwrap().place.is_empty());
    run(&mut d, "host");
    assert!(d.until(T, |a| a.loading_count() == 0).await);
    let t = d.app.table.as_ref().unwrap();
    assert_eq!(t.kind, NodeKind::Host);
    assert!(
        per_endpoint(&d.app, 0) > 0,
        "vCD's hosts, to its system administrator"
    );
    assert!(per_endpoint(&d.app, 1) > 0, "vCenter's hosts");
    d.shutdown().await;
}
