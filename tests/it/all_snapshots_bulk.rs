//! The snapshot view when the vCenter behind a vCD is connected too: the sizes of those vCD
//! VMs are read on the vCenter in bulk (layouts in batches) instead of one vCD request per VM,
//! and are the vCenter's; when the view reads that vCenter's own part, its layout answers size
//! the vCD rows too (no layout read twice); a vCD whose vCenter is not connected still reads
//! each VM itself.

use std::collections::HashMap;

use vnav::api::model::SprawlRow;
use vnav::sim::{Sim, SimOptions};

use crate::all_snapshots::{connected, open_view_of, sprawl_of, vcd, vcenter};
use crate::sim_support::sim;

/// The simulator's vCenter without hedged copies, so requests can be counted exactly.
fn vcenter_counted(s: &Sim) -> std::sync::Arc<dyn vnav::api::Backend> {
    let mut http = vnav::api::http::HttpOptions {
        max_attempts: 2,
        ..Default::default()
    };
    http.hedge.enabled = false;
    std::sync::Arc::new(crate::backends::vcenter(
        &s.vcenter_url,
        vnav::sim::VCENTER_USER,
        vnav::sim::DEMO_PASSWORD,
        http,
    ))
}

/// GETs of single vCD VMs (their document or their SnapshotSection).
fn per_vm_reads(s: &Sim) -> u64 {
    s.seen_all()
        .into_iter()
        .filter(|((method, path), _)| method == "GET" && path.starts_with("/api/vApp/vm-"))
        .map(|(_, n)| n)
        .sum()
}

/// Each vCD row with its size as the app shows it (the row's typed facts).
fn shown_sizes(
    d: &vnav::runtime::driver::Driver,
    root: vnav::app::tree::EntryId,
) -> HashMap<Box<str>, Option<u64>> {
    let app = &d.app;
    app.tree
        .get(root)
        .children
        .iter()
        .map(|&c| app.tree.get(c))
        .filter(|e| e.endpoint() == 0)
        .map(|e| {
            (
                e.node.id.as_str().into(),
                e.node.facts.as_ref().and_then(|f| f.snapshot_bytes.get()),
            )
        })
        .collect()
}

#[tokio::test]
async fn vcd_sizes_come_from_the_connected_vcenter_in_bulk_with_no_per_vm_read() {
    let s = sim(SimOptions::default()).await;
    let (cd, vc) = (vcd(&s), vcenter_counted(&s));
    let cd_rows: Vec<SprawlRow> = sprawl_of(&cd).await;
    let vc_sizes: HashMap<Box<str>, u64> = sprawl_of(&vc)
        .await
        .into_iter()
        .map(|r| (r.vm.id.as_str().into(), r.bytes.unwrap()))
        .collect();
    // What the vCenter's own part of the view costs alone: its VM list, snapshot trees and
    // layouts, each read once.
    // Read twice, counting the second: the first also opens the vim session, which the
    // app's backend has open already (its own read above).
    let alone = vcenter_counted(&s);
    alone.connect().await.unwrap();
    let ignore = vnav::api::SprawlSink::ignore;
    alone.snapshot_sprawl(&ignore()).await.unwrap();
    let at = s.vcenter_request_count();
    alone.snapshot_sprawl(&ignore()).await.unwrap();
    let own_part = s.vcenter_request_count() - at;
    let before = per_vm_reads(&s);

    let mut d = connected(&[("vcd", cd), ("vcenter", vc)]).await;
    assert!(
        d.until(std::time::Duration::from_secs(30), |app| app
            .loading_count()
            == 0)
            .await
    );
    let layouts_before = s.vcenter_request_count();
    let root = open_view_of(&mut d).await;
    assert_eq!(per_vm_reads(&s), before, "no vCD VM is read one by one");
    let shown = shown_sizes(&d, root);
    assert_eq!(shown.len(), cd_rows.len(), "every vCD row, shown once");
    for r in &cd_rows {
        let moid = &r.vm.backing().unwrap().moid;
        let want = vc_sizes[&*format!("vm/{moid}")];
        assert_eq!(
            shown[&*r.vm.id.as_str()],
            Some(want),
            "{}: the vCenter's size",
            r.vm.name
        );
    }
    // The vCD rows' sizes came from the layouts the vCenter part read for itself: the view
    // asked the vCenter nothing more than that part alone does.
    let vc_requests = s.vcenter_request_count() - layouts_before;
    assert_eq!(
        vc_requests, own_part,
        "no layout batch read a second time for the vCD rows"
    );
    let report = d.app.all_snapshots_report();
    let all = &report.iter().find(|(l, _)| l == "All").unwrap().1;
    assert!(!all.contains("at least"), "every size known: {all}");
    d.shutdown().await;
}

#[tokio::test]
async fn a_vcd_whose_vcenter_is_not_connected_reads_each_vm_itself() {
    let s = sim(SimOptions::default()).await;
    let other = sim(SimOptions::default()).await;
    let cd = vcd(&s);
    let cd_rows = sprawl_of(&cd).await;
    let before = per_vm_reads(&s);

    let mut d = connected(&[("vcd", cd), ("vcenter", vcenter(&other))]).await;
    let root = open_view_of(&mut d).await;
    assert_eq!(
        per_vm_reads(&s) - before,
        cd_rows.len() as u64,
        "one read per vCD VM: its vCenter is not one of vnav's endpoints"
    );
    let shown = shown_sizes(&d, root);
    for r in &cd_rows {
        assert_eq!(
            shown[&*r.vm.id.as_str()],
            r.bytes,
            "{}: vCD's own size",
            r.vm.name
        );
    }
    d.shutdown().await;
}

/// An app connected to a vCD and a vCenter, and the effects of opening `:snapshots` there.
fn vcd_and_vcenter_snapshots() -> (vnav::app::App, Vec<vnav::app::event::Effect>) {
    use crate::support::{app_with, key, keys};
    use crossterm::event::KeyCode;
    use vnav::api::model::{Capabilities, EndpointInfo, Product};

    let mut app = app_with(&["vcd", "vc-a"], false);
    let info = |product, url: &str| EndpointInfo {
        product,
        url: url.into(),
        user: "u".into(),
        api_version: "x".into(),
        capabilities: Capabilities::ALL,
        instance_uuid: None,
    };
    app.endpoints[0].info = Some(info(Product::Vcd, "https://vcd.example.com"));
    app.endpoints[1].info = Some(info(Product::Vcenter, "https://vc-a.example.com"));
    let mut effects = keys(&mut app, ":snapshots");
    effects.extend(key(&mut app, KeyCode::Enter).effects);
    (app, effects)
}

/// The app's side, answered by hand: a vCD whose VMs sit on two vCenters, one of them
/// connected. Only the connected vCenter is asked, only for its VMs and only once its own part
/// of the view has listed its rows without them, and its sizes land on the vCD rows of those
/// VMs; the other rows wait for vCD's own reads.
#[tokio::test(start_paused = true)]
async fn only_the_connected_vcenter_is_asked_and_only_for_its_vms() {
    use vnav::api::SprawlUpdate;
    use vnav::api::model::VimRef;
    use vnav::app::event::{ApiAnswer, Effect};

    use crate::support::{answer, vm};

    let (mut app, effects) = vcd_and_vcenter_snapshots();
    let (req, vcenters) = effects
        .iter()
        .find_map(|e| match e {
            Effect::Sprawl {
                req,
                endpoint: 0,
                vcenters,
            } => Some((*req, vcenters.clone())),
            _ => None,
        })
        .expect("vCD asked");
    assert_eq!(vcenters, vec![Box::<str>::from("https://vc-a.example.com")]);
    let vc_part = effects
        .iter()
        .find_map(|e| match e {
            Effect::Sprawl {
                req, endpoint: 1, ..
            } => Some(*req),
            _ => None,
        })
        .expect("the vCenter's own part read too");

    let row = |id: &str| SprawlRow {
        vm: vm(id, id, true),
        count: 1,
        oldest: None,
        bytes: None,
        place: "".into(),
    };
    let update = |u| ApiAnswer::SprawlUpdate(u);
    answer(
        &mut app,
        req,
        0,
        update(SprawlUpdate::Rows(vec![row("on-a"), row("elsewhere")])),
    );
    let on = |url: &str, moid: &str| VimRef {
        vcenter_url: url.into(),
        vcenter_name: "vc".into(),
        moid: moid.into(),
    };
    let backings = vec![
        ("on-a".into(), on("https://VC-A.example.com:443/", "vm-7")),
        ("elsewhere".into(), on("https://vc-b.example.com", "vm-7")),
    ];
    let effects = answer(&mut app, req, 0, update(SprawlUpdate::Backings(backings))).effects;
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::SnapshotSizes { .. })),
        "nothing asked while the vCenter's own part may still read those layouts"
    );
    // The vCenter's part lists its VMs with snapshots: vm-7 is not among them.
    let effects = answer(&mut app, vc_part, 1, update(SprawlUpdate::Rows(vec![]))).effects;
    let asked: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::SnapshotSizes { req, endpoint, vms } => Some((*req, *endpoint, vms.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(asked.len(), 1, "{asked:?}");
    let (sizes_req, endpoint, vms) = asked[0].clone();
    assert_eq!((endpoint, vms), (1, vec![Box::<str>::from("vm/vm-7")]));

    let sizes = Ok(vec![("vm/vm-7".into(), 42 << 20)]);
    answer(&mut app, sizes_req, 1, ApiAnswer::SnapshotSizes(sizes));
    let root = app.all_snapshots.as_ref().unwrap().root;
    let bytes = |id: &str| {
        let e = app.tree.get(root).children.iter().map(|&c| app.tree.get(c));
        e.clone()
            .find(|e| &*e.node.id.as_str() == id)
            .and_then(|e| e.node.facts.as_ref()?.snapshot_bytes.get())
    };
    assert_eq!(bytes("on-a"), Some(42 << 20), "the vCenter's size");
    assert_eq!(bytes("elsewhere"), None, "vCD reads it itself");
}

/// By hand again: the vCenter's own part lists vm-7, so the vCD row behind which it sits is
/// never asked for: it takes the size that part reads for itself, when that arrives.
#[tokio::test(start_paused = true)]
async fn a_vcd_row_takes_the_size_its_vcenter_part_reads_for_itself() {
    use vnav::api::SprawlUpdate;
    use vnav::api::model::VimRef;
    use vnav::app::event::{ApiAnswer, Effect};

    use crate::support::{answer, vm};

    let (mut app, effects) = vcd_and_vcenter_snapshots();
    let sprawl_of = |endpoint| {
        effects.iter().find_map(|e| match e {
            Effect::Sprawl {
                req, endpoint: e, ..
            } if *e == endpoint => Some(*req),
            _ => None,
        })
    };
    let (cd, vc) = (sprawl_of(0).unwrap(), sprawl_of(1).unwrap());
    let row = |id: &str| SprawlRow {
        vm: vm(id, id, true),
        count: 1,
        oldest: None,
        bytes: None,
        place: "".into(),
    };
    let update = |u| ApiAnswer::SprawlUpdate(u);
    let mut all = Vec::new();
    all.extend(
        answer(
            &mut app,
            vc,
            1,
            update(SprawlUpdate::Rows(vec![row("vm/vm-7")])),
        )
        .effects,
    );
    all.extend(
        answer(
            &mut app,
            cd,
            0,
            update(SprawlUpdate::Rows(vec![row("on-a")])),
        )
        .effects,
    );
    let backing = VimRef {
        vcenter_url: "https://vc-a.example.com".into(),
        vcenter_name: "vc".into(),
        moid: "vm-7".into(),
    };
    let backings = vec![("on-a".into(), backing)];
    all.extend(answer(&mut app, cd, 0, update(SprawlUpdate::Backings(backings))).effects);
    let sizes = vec![("vm/vm-7".into(), 42 << 20)];
    all.extend(answer(&mut app, vc, 1, update(SprawlUpdate::Sizes(sizes))).effects);
    assert!(
        !all.iter()
            .any(|e| matches!(e, Effect::SnapshotSizes { .. })),
        "the vCenter is not asked again for a layout its part reads: {all:?}"
    );
    let root = app.all_snapshots.as_ref().unwrap().root;
    let on_a = app
        .tree
        .get(root)
        .children
        .iter()
        .map(|&c| app.tree.get(c))
        .find(|e| e.endpoint() == 0 && &*e.node.id.as_str() == "on-a")
        .expect("the vCD row");
    let bytes = on_a
        .node
        .facts
        .as_ref()
        .and_then(|f| f.snapshot_bytes.get());
    assert_eq!(bytes, Some(42 << 20), "the size the vCenter part read");
}
