//! Issue 17 against the simulator: `:vm` lists every VM of both products through their own
//! list calls, and `:goto` finds VMs the tree has not loaded (vCD by IP through the query
//! service, vCenter by moid through its list filter), opening only them where browsing
//! reaches them (vCD: org › VDC › vApp; vCenter: datacenter › cluster › host).

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
        assert!(d.app.tree.row_of(sel).is_some(), "shown in the tree");
        let parent = d.app.tree.get(sel).parent().unwrap();
        if endpoint == 0 {
            // A vCD VM opens where browsing reaches it: org › VDC › vApp, read up its links.
            let mut kinds = Vec::new();
            let mut up = d.app.tree.get(sel).parent();
            while let Some(a) = up {
                kinds.insert(0, d.app.tree.get(a).node.kind);
                up = d.app.tree.get(a).parent();
            }
            assert_eq!(
                kinds[1..],
                [NodeKind::Org, NodeKind::Vdc, NodeKind::VApp],
                "{path:?}"
            );
            let vapp = target.facts.as_ref().unwrap().place.to_string();
            assert_eq!(path[3..], [vapp.as_str(), &*target.name], "{path:?}");
            assert!(d.until(T, |a| a.loading_count() == 0).await);
            let same = (d.app.tree.get(parent).children.iter())
                .filter(|&&c| d.app.tree.get(c).node.id == target.id)
                .count();
            assert_eq!(same, 1, "the vApp listed, the found VM merged in");
            let all_vms = d.app.tree.get(d.app.endpoints[0].root).children[0];
            assert_eq!(
                *d.app.tree.get(all_vms).load(),
                Load::NotLoaded,
                "the whole VM list was not read"
            );
            continue;
        }
        // A vCenter places it where browsing reaches it: under its host, in its datacenter.
        let host = &d.app.tree.get(parent).node;
        assert_eq!(host.kind, NodeKind::Host, "{path:?}");
        let (sink, got) = ChildSink::collecting();
        vc.children(host, &sink).await.unwrap();
        assert!(
            got.take().iter().any(|n| n.id == target.id),
            "{path:?}: the client lists it under that host"
        );
        let mut top = parent;
        while let Some(up) = d
            .app
            .tree
            .get(top)
            .parent()
            .filter(|&u| u != d.app.endpoints[1].root)
        {
            top = up;
        }
        assert_eq!(
            d.app.tree.get(top).node.kind,
            NodeKind::Datacenter,
            "{path:?}"
        );
    }
    d.shutdown().await;
}

/// `:goto cl-fra04`: a vCenter cluster, host or datastore opens where browsing reaches it
/// (its datacenter, the host's cluster, the datacenter's Datastores group), each step listed
/// as browsing lists it, not right under the endpoint.
#[tokio::test]
async fn goto_opens_vcenter_objects_under_their_datacenter() {
    let s = sim(SimOptions::default()).await;
    let vc = backends::vcenter_admin(&s);
    vc.connect().await.unwrap();
    // Where each lives, asked of the client by browsing: datacenter → its children.
    let (sink, got) = ChildSink::collecting();
    vc.children(&vc.root(), &sink).await.unwrap();
    let dcs: Vec<_> = got
        .take()
        .into_iter()
        .filter(|n| n.kind == NodeKind::Datacenter)
        .collect();
    let mut cluster = None;
    for dc in &dcs {
        let (sink, got) = ChildSink::collecting();
        vc.children(dc, &sink).await.unwrap();
        if let Some(c) = got.take().into_iter().find(|n| n.kind == NodeKind::Cluster) {
            cluster = Some((dc.clone(), c));
        }
    }
    let (dc, cluster) = cluster.expect("a datacenter with a cluster");
    let (sink, got) = ChildSink::collecting();
    vc.children(&cluster, &sink).await.unwrap();
    let host = got
        .take()
        .into_iter()
        .last()
        .expect("a host in the cluster");

    let mut d = connected(&[("vcenter", vcenter(&s))]).await;
    assert!(d.until(T, |a| a.loading_count() == 0).await);
    for (target, want) in [
        (&cluster, vec![&*dc.name, &*cluster.name]),
        (&host, vec![&*dc.name, &*cluster.name, &*host.name]),
    ] {
        run(&mut d, &format!("goto {}", target.name));
        let reached = d
            .until(T, |a| {
                a.loading_count() == 0 && a.selected_entry().is_some_and(|e| e.node.id == target.id)
            })
            .await;
        let toast = d.app.toast.as_ref().map(|t| t.text.clone());
        assert!(reached, "goto {}: toast {toast:?}", target.name);
        let sel = d.app.cursor.selected.unwrap();
        assert_eq!(d.app.tree.path(sel)[1..], want);
        assert!(d.app.tree.row_of(sel).is_some(), "shown in the tree");
        let parent = d.app.tree.get(sel).parent().unwrap();
        assert_eq!(*d.app.tree.get(parent).load(), Load::Loaded);
        let same = (d.app.tree.get(parent).children.iter())
            .filter(|&&c| d.app.tree.get(c).node.id == target.id)
            .count();
        assert_eq!(same, 1, "listed once, the found one merged in");
    }
    let root = d.app.endpoints[0].root;
    assert!(
        (d.app.tree.get(root).children.iter())
            .all(|&c| d.app.tree.get(c).node.kind != NodeKind::Cluster),
        "nothing opened right under the endpoint"
    );
    // A datastore: its datacenter's Datastores group.
    let (sink, got) = ChildSink::collecting();
    vc.list_kind(NodeKind::Datastore, &sink).await.unwrap();
    let ds = got.take().into_iter().nth(1).expect("datastores");
    run(&mut d, &format!("goto {}", ds.name));
    let reached = d
        .until(T, |a| {
            a.loading_count() == 0 && a.selected_entry().is_some_and(|e| e.node.id == ds.id)
        })
        .await;
    assert!(reached, "goto {}", ds.name);
    let sel = d.app.cursor.selected.unwrap();
    let path = d.app.tree.path(sel);
    assert_eq!(path[2..], ["Datastores", &*ds.name], "{path:?}");
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

/// `:goto` reaches hosts too: vCenter's through its host list, Aria Operations' through its
/// name filter (or a resource id); the same name on both goes to the endpoint configured first.
#[tokio::test]
async fn goto_finds_a_host_on_vcenter_and_on_aria_operations() {
    let s = sim(SimOptions::default()).await;
    let vc = backends::vcenter_admin(&s);
    vc.connect().await.unwrap();
    let (sink, got) = ChildSink::collecting();
    vc.list_kind(NodeKind::Host, &sink).await.unwrap();
    let host = got.take().into_iter().nth(3).expect("vCenter hosts");
    // What an alert's summary shows: the short name.
    let short = host.name.split('.').next().unwrap().to_string();
    let ops: std::sync::Arc<dyn Backend> = std::sync::Arc::new(backends::vrops(&s, 1000, 4));

    let mut both = connected(&[("vcenter", vcenter(&s)), ("ops", ops.clone())]).await;
    let mut alone = connected(&[("ops", ops.clone())]).await;
    for (d, endpoint, kind) in [
        (&mut both, 0, NodeKind::Host),
        (&mut alone, 0, NodeKind::Host),
    ] {
        run(d, &format!("goto {short}"));
        let reached = d
            .until(T, |a| {
                a.selected_entry().is_some_and(|e| {
                    e.endpoint() == endpoint && e.node.kind == kind && e.node.name == host.name
                })
            })
            .await;
        let toast = d.app.toast.as_ref().map(|t| t.text.clone());
        assert!(reached, "goto {short}: toast {toast:?}");
    }
    let sel = alone.app.selected_entry().unwrap().node.clone();
    let path = alone.app.tree.path(alone.app.cursor.selected.unwrap());
    assert_eq!(path[1..], [&*host.name], "under its endpoint: {path:?}");
    // By its resource id: exactly that one.
    let uuid = sel.id.as_str().trim_start_matches("res/").to_string();
    let found = ops.find(&uuid).await.unwrap();
    assert_eq!(
        found.iter().map(|n| n.id.clone()).collect::<Vec<_>>(),
        [sel.id]
    );
    both.shutdown().await;
    alone.shutdown().await;
}

/// The REST VM list names no host, but a vCenter over its cap is listed by cluster and host:
/// its `:vm` rows say where they were listed, in the vApp/host column. A VM whose cluster came
/// whole shows the cluster's name; one of a cluster split by host (over the cap), its host's.
#[tokio::test]
async fn vcenter_vm_rows_name_the_cluster_or_host_they_were_listed_by() {
    rows_name_where_their_vms_run(3000, 400).await;
}

/// A small vCenter, under its cap, is listed by its few clusters and hosts all the same (a
/// round trip more): its rows say where they run too, as the demo's do.
#[tokio::test]
async fn a_small_vcenters_vm_rows_name_their_cluster_or_host_too() {
    rows_name_where_their_vms_run(200, 1000).await;
}

async fn rows_name_where_their_vms_run(vms: usize, cap: usize) {
    use std::collections::HashMap;
    let s = sim(SimOptions {
        vms,
        list_cap: Some(cap),
        ..SimOptions::default()
    })
    .await;
    // Where each VM runs, read through the client's tree (a cluster's hosts, a host's VMs),
    // not through the app under test: VM id → (its cluster's name and VM count, its host's).
    let vc = backends::vcenter_admin(&s);
    vc.connect().await.unwrap();
    let (sink, got) = ChildSink::collecting();
    vc.list_kind(NodeKind::Cluster, &sink).await.unwrap();
    let mut home: HashMap<String, (String, usize, String)> = HashMap::new();
    for cluster in got.take() {
        let (sink, hosts) = ChildSink::collecting();
        vc.children(&cluster, &sink).await.unwrap();
        let mut in_cluster = Vec::new();
        for host in hosts.take() {
            let (sink, vms) = ChildSink::collecting();
            vc.children(&host, &sink).await.unwrap();
            in_cluster.extend(vms.take().into_iter().map(|vm| (vm.id, host.name.clone())));
        }
        let size = in_cluster.len();
        for (vm, host) in in_cluster {
            home.insert(
                vm.to_string(),
                (cluster.name.to_string(), size, host.to_string()),
            );
        }
    }
    assert_eq!(home.len(), vms);
    let whole = home.values().filter(|(_, size, _)| *size <= cap).count();
    assert!(whole > 0, "clusters under the cap");
    assert!(
        vms <= cap || whole < vms,
        "over the cap: clusters both under and over it"
    );

    let mut d = connected(&[("vcenter", vcenter(&s))]).await;
    run(&mut d, "vm");
    assert!(d.until(T, |a| a.loading_count() == 0).await);
    let rows: Vec<(String, String)> = (d.app.tree.visible().iter())
        .map(|&id| &d.app.tree.get(id).node)
        .map(|n| {
            let place = n.facts.as_ref().map_or("", |f| f.place.as_str());
            (n.id.to_string(), place.to_string())
        })
        .collect();
    assert_eq!(rows.len(), vms);
    for (vm, place) in &rows {
        let (cluster, size, host) = &home[vm];
        let want = if *size <= cap { cluster } else { host };
        assert_eq!(place, want, "{vm}");
    }
    // The column shows it: the first row's place is on screen (its start: a host's name is
    // wider than the column), under the column's header.
    let screen = vnav::runtime::driver::screen_text(&d.render(200, 30));
    let shown: String = rows[0].1.chars().take(12).collect();
    assert!(screen.contains("vApp/host"), "{screen}");
    assert!(screen.contains(&shown), "{shown}\n{screen}");
    d.shutdown().await;
}

/// Under its host, a VM row leaves the vApp/host column empty (the row above says it), as
/// under a vCD vApp; under "All VMs" the rows still say where each runs.
#[tokio::test]
async fn vm_rows_under_their_host_do_not_repeat_its_name() {
    let s = sim(SimOptions::default()).await;
    let vc = backends::vcenter_admin(&s);
    vc.connect().await.unwrap();
    let (sink, got) = ChildSink::collecting();
    vc.list_kind(NodeKind::Host, &sink).await.unwrap();
    let host = got.take().into_iter().nth(2).expect("vCenter hosts");
    let mut d = connected(&[("vcenter", vcenter(&s))]).await;
    run(&mut d, &format!("goto {}", host.name));
    let on_host = |a: &vnav::app::App| {
        a.loading_count() == 0 && a.selected_entry().is_some_and(|e| e.node.id == host.id)
    };
    assert!(d.until(T, on_host).await);
    d.key(KeyCode::Right);
    assert!(d.until(T, |a| a.loading_count() == 0).await);
    let sel = d.app.cursor.selected.unwrap();
    let vms = d.app.tree.get(sel).children.clone();
    assert!(!vms.is_empty(), "the host runs VMs");
    let text = vnav::runtime::driver::screen_text(&d.render(160, 45));
    let short: String = host.name.chars().take(12).collect();
    for &vm in &vms {
        let e = d.app.tree.get(vm);
        assert_eq!(&*e.node.facts.as_ref().unwrap().place, &*host.name);
        let line = (text.lines())
            .find(|l| l.contains(&format!("▸ {} ", e.node.name)))
            .unwrap_or_else(|| panic!("{} on screen:\n{text}", e.node.name));
        let row = line.split('│').nth(1).unwrap();
        assert!(!row.contains(&short), "{row}");
        assert!(row.contains("GiB"), "the other columns stay: {row}");
    }
    d.shutdown().await;
}

/// `:goto` a vCD vApp, VDC or network the tree has not loaded: found by name through the query
/// service and opened where browsing reaches it (a vApp under its org and VDC, a VDC and a
/// network under their org), each step listed around it.
#[tokio::test]
async fn goto_opens_vcd_vapps_vdcs_and_networks_under_their_org() {
    let s = sim(SimOptions::default()).await;
    let b = backends::vcd_admin(&s);
    b.connect().await.unwrap();
    let mut lists = Vec::new();
    for kind in [NodeKind::VApp, NodeKind::Vdc, NodeKind::Network] {
        let (sink, got) = ChildSink::collecting();
        b.list_kind(kind, &sink).await.unwrap();
        lists.push(got.take());
    }
    let [vapps, vdcs, nets] = <[_; 3]>::try_from(lists).unwrap();
    let mut d = connected(&[("vcd", vcd(&s))]).await;
    assert!(d.until(T, |a| a.loading_count() == 0).await);
    for (target, want) in [
        (&vapps[vapps.len() / 2], vec![NodeKind::Org, NodeKind::Vdc]),
        (&vdcs[vdcs.len() - 1], vec![NodeKind::Org]),
        (&nets[nets.len() / 2], vec![NodeKind::Org]),
    ] {
        run(&mut d, &format!("goto {}", target.name));
        let reached = d
            .until(T, |a| {
                a.loading_count() == 0
                    && a.selected_entry()
                        .is_some_and(|e| e.node.name == target.name)
            })
            .await;
        let toast = d.app.toast.as_ref().map(|t| t.text.clone());
        assert!(reached, "goto {}: toast {toast:?}", target.name);
        let sel = d.app.cursor.selected.unwrap();
        let path = d.app.tree.path(sel);
        let mut kinds = Vec::new();
        let mut up = d.app.tree.get(sel).parent();
        while let Some(a) = up.filter(|&a| a != d.app.endpoints[0].root) {
            kinds.insert(0, d.app.tree.get(a).node.kind);
            up = d.app.tree.get(a).parent();
        }
        assert_eq!(kinds, want, "{path:?}");
        assert!(d.app.tree.row_of(sel).is_some(), "shown in the tree");
        let parent = d.app.tree.get(sel).parent().unwrap();
        assert_eq!(*d.app.tree.get(parent).load(), Load::Loaded, "{path:?}");
        let same = (d.app.tree.get(parent).children.iter())
            .filter(|&&c| d.app.tree.get(c).node.name == target.name)
            .count();
        assert_eq!(same, 1, "{path:?}: listed once, the found one merged in");
    }
    d.shutdown().await;
}

/// `:goto` a VM that `:vm` listed (a row of the table, not in the tree) once back in the tree:
/// it opens where browsing reaches it, as one the server found does, not under "All VMs".
#[tokio::test]
async fn goto_places_a_vm_the_vm_table_listed() {
    let s = sim(SimOptions::default()).await;
    let mut d = connected(&[("vcd", vcd(&s))]).await;
    run(&mut d, "vm");
    assert!(d.until(T, |a| a.loading_count() == 0).await);
    let name = d.app.selected_entry().unwrap().node.name.to_string();
    run(&mut d, "tree");
    run(&mut d, &format!("goto {name}"));
    let reached = d
        .until(T, |a| {
            a.loading_count() == 0
                && a.table.is_none()
                && a.selected_entry().is_some_and(|e| e.node.name == name)
        })
        .await;
    assert!(reached, "goto {name}");
    let sel = d.app.cursor.selected.unwrap();
    let parent = d.app.tree.get(sel).parent().unwrap();
    let path = d.app.tree.path(sel);
    assert_eq!(d.app.tree.get(parent).node.kind, NodeKind::VApp, "{path:?}");
    assert!(d.app.tree.row_of(sel).is_some(), "shown in the tree");
    d.shutdown().await;
}
