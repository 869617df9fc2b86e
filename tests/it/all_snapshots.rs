//! The snapshot view across all endpoints, on the whole app headless: a vCD and a vCenter over
//! one simulated world merged into one list, oldest first, with sizes; rows that act on their
//! own endpoint; a dead endpoint that leaves the other's rows in place.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::KeyCode;
use time::OffsetDateTime;
use vnav::api::http::HttpOptions;
use vnav::api::model::{NodeKind, SprawlRow};
use vnav::api::{Backend, SprawlSink, SprawlUpdate};
use vnav::app::tree::{EntryId, Load};
use vnav::app::{App, DetailState, EndpointSpec};
use vnav::runtime::driver::Driver;
use vnav::sim::{DEMO_PASSWORD, Sim, SimOptions, VCENTER_USER};
use vnav::theme::Theme;

use crate::backends;
use crate::sim_support::sim;
use crate::support::toast;

const T: Duration = Duration::from_secs(30);

pub(crate) fn vcd(s: &Sim) -> Arc<dyn Backend> {
    Arc::new(backends::vcd_admin(s))
}

pub(crate) fn vcenter(s: &Sim) -> Arc<dyn Backend> {
    let http = HttpOptions {
        max_attempts: 2,
        ..HttpOptions::default()
    };
    Arc::new(backends::vcenter(
        &s.vcenter_url,
        VCENTER_USER,
        DEMO_PASSWORD,
        http,
    ))
}

/// The app on these endpoints, every one connected.
pub(crate) async fn connected(endpoints: &[(&str, Arc<dyn Backend>)]) -> Driver {
    let specs = endpoints
        .iter()
        .map(|(label, b)| EndpointSpec {
            label: label.to_string(),
            root: b.root(),
            insecure: false,
            read_only: false,
        })
        .collect();
    let app = App::new(specs, Theme::default(), false);
    let backends = endpoints.iter().map(|(_, b)| b.clone()).collect();
    let mut d = Driver::new(app, backends, None);
    assert!(
        d.until(T, |app| app.endpoints.iter().all(|e| e.info.is_some()))
            .await
    );
    d
}

/// Goes to the first row (the view across all endpoints), opens it and waits for every answer.
pub(crate) async fn open_view_of(d: &mut Driver) -> EntryId {
    open_view(d).await
}

/// What the endpoint itself lists, read apart from the app (see `sprawl`).
pub(crate) async fn sprawl_of(b: &Arc<dyn Backend>) -> Vec<SprawlRow> {
    sprawl(b).await
}

async fn open_view(d: &mut Driver) -> EntryId {
    let root = d.app.all_snapshots.as_ref().expect("two endpoints").root;
    d.key(KeyCode::Home);
    assert_eq!(
        d.app.cursor.selected,
        Some(root),
        "the view is the first row"
    );
    d.key(KeyCode::Enter);
    assert!(
        d.until(T, |app| !matches!(
            app.tree.get(root).load(),
            Load::Loading { .. }
        ))
        .await
    );
    root
}

/// What the endpoint itself lists, read apart from the app. Its rows go out before their sizes
/// are read, and the sizes sent on are those of the final rows.
async fn sprawl(b: &Arc<dyn Backend>) -> Vec<SprawlRow> {
    b.connect().await.unwrap();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let keep = seen.clone();
    let sink = SprawlSink::new(move |u| keep.lock().unwrap().push(u));
    let rows = b.snapshot_sprawl(&sink).await.unwrap();
    let seen = seen.lock().unwrap();
    let ids = |rows: &[SprawlRow]| rows.iter().map(|r| r.vm.id.clone()).collect::<Vec<_>>();
    let listed = seen
        .iter()
        .find_map(|u| match u {
            SprawlUpdate::Rows(r) => Some(r),
            _ => None,
        })
        .expect("the rows before the sizes");
    assert!(listed.iter().all(|r| r.bytes.is_none()));
    assert_eq!(ids(listed), ids(&rows), "the same rows, in the same order");
    let sent: HashMap<Box<str>, u64> = seen
        .iter()
        .filter_map(|u| match u {
            SprawlUpdate::Sizes(s) => Some(s.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    for r in &rows {
        assert_eq!(
            sent.get(&*r.vm.id.as_str()).copied(),
            r.bytes,
            "{}",
            r.vm.name
        );
    }
    rows
}

/// The vCenter row of the VM a vCD row names as its backing (vCD tells a system administrator).
fn twin_of<'a>(vc_rows: &'a [SprawlRow], r: &SprawlRow) -> Option<&'a SprawlRow> {
    let moid = &r.vm.backing()?.moid;
    vc_rows
        .iter()
        .find(|v| *v.vm.id.as_str() == *format!("vm/{moid}"))
}

#[tokio::test]
async fn vcd_and_vcenter_merge_into_one_list_oldest_first_with_sizes_each_vm_once() {
    let s = sim(SimOptions::default()).await;
    let (cd, vc) = (vcd(&s), vcenter(&s));
    let (cd_rows, vc_rows) = (sprawl(&cd).await, sprawl(&vc).await);
    assert!(!cd_rows.is_empty() && !vc_rows.is_empty());
    assert!(
        cd_rows.iter().all(|r| r.vm.backing().is_some()),
        "a system administrator learns the vCenter VM behind each vCD VM"
    );
    // Each vCD row's vCenter twin is the same VM: the same name, and the same snapshot give or
    // take the small .vmsn file vCenter lists besides the disk and memory.
    let mut twins = 0;
    for r in &cd_rows {
        if let Some(v) = twin_of(&vc_rows, r) {
            assert_eq!(v.vm.name, r.vm.name);
            let (a, b) = (r.bytes.unwrap(), v.bytes.unwrap());
            assert!(b >= a && b - a < 1 << 20, "{}: {a} vs {b}", r.vm.name);
            twins += 1;
        }
    }
    assert!(twins > 0, "the demo world's vCD VMs are in its vCenter");
    let unique = cd_rows.len() + vc_rows.len() - twins;

    let mut d = connected(&[("vcd", cd.clone()), ("vcenter", vc.clone())]).await;
    let root = open_view(&mut d).await;
    let app = &d.app;
    assert_eq!(*app.tree.get(root).load(), Load::Loaded);
    let rows: Vec<EntryId> = app.tree.get(root).children.to_vec();
    assert_eq!(rows.len(), unique, "every VM of both endpoints, once");
    let mut last: Option<OffsetDateTime> = None;
    for &id in &rows {
        let e = app.tree.get(id);
        let list = [&cd_rows, &vc_rows][e.endpoint()];
        let want = list.iter().find(|r| r.vm.id == e.node.id).unwrap();
        let label = match (e.endpoint(), twin_of(&vc_rows, want)) {
            (0, Some(_)) => "vcd + vcenter",
            (0, None) => "vcd",
            _ => "vcenter",
        };
        assert!(
            e.node.summary().contains(&format!(" · {label} · ")),
            "{}",
            e.node.summary()
        );
        assert!(want.oldest >= last, "oldest first across endpoints");
        last = want.oldest;
        assert!(want.bytes.is_some(), "{} has a size", e.node.name);
    }

    let report = app.all_snapshots_report();
    let line = |k: &str| report.iter().find(|(l, _)| l == k).unwrap().1.clone();
    assert!(
        line("vcd").starts_with(&format!("{} VMs", cd_rows.len())),
        "{report:?}"
    );
    assert!(
        line("vcenter").starts_with(&format!("{} VMs", vc_rows.len())),
        "{report:?}"
    );
    let all = line("All");
    assert!(all.starts_with(&format!("{unique} VMs")), "{all}");
    assert!(
        all.contains(&format!(
            "{twins} VMs seen through both vCD and vCenter, counted once"
        )),
        "{all}"
    );

    // A row's details come from its own endpoint, keep the row's age and size, and name the
    // same VM on the other side.
    d.key(KeyCode::Home);
    d.key(KeyCode::Down);
    assert!(
        d.until(T, |app| matches!(app.detail.state, DetailState::Loaded(_)))
            .await
    );
    let row = d.app.cursor.selected.unwrap();
    let (cd_vm, summary) = {
        let e = d.app.tree.get(row);
        assert_eq!(e.endpoint(), 0);
        (e.node.clone(), e.node.summary().into_owned())
    };
    assert!(summary.contains(" · vcd + vcenter · "), "{summary}");
    let moid = cd_vm.backing().unwrap().moid.clone();
    let screen = vnav::runtime::driver::screen_text(&d.render(160, 45));
    assert!(
        screen.contains(&format!("{moid} on vcenter (b goes there)")),
        "{screen}"
    );

    // b: to the vCenter VM, which the tree has not loaded: it opens by id under its endpoint,
    // with its details (read from vCenter) and its snapshots.
    d.key(KeyCode::Char('b'));
    let vc_vm = d.app.cursor.selected.unwrap();
    let e = d.app.tree.get(vc_vm).clone();
    assert_eq!(
        (e.endpoint(), &*e.node.id.as_str()),
        (1, &*format!("vm/{moid}"))
    );
    // Under the endpoint's All VMs group, where a listing of it will find it again.
    let parent = d.app.tree.get(e.parent().unwrap());
    assert_eq!(parent.parent(), Some(d.app.endpoints[1].root));
    assert_eq!(&*parent.node.name, "All VMs");
    assert!(
        d.until(
            T,
            |app| matches!(&app.detail.state, DetailState::Loaded(x) if x.node.id == e.node.id)
        )
        .await
    );
    assert_eq!(
        d.app.tree.get(vc_vm).node.name,
        cd_vm.name,
        "the vCenter's own name for it"
    );
    let screen = vnav::runtime::driver::screen_text(&d.render(160, 45));
    assert!(
        screen.contains(&format!("{} on vcd (b goes there)", cd_vm.name)),
        "{screen}"
    );
    d.key(KeyCode::Enter);
    assert!(
        d.until(T, |app| app.tree.get(vc_vm).load() == &Load::Loaded)
            .await
    );
    let kids = &d.app.tree.get(vc_vm).children;
    assert!(!kids.is_empty());
    assert!(
        kids.iter()
            .all(|&k| d.app.tree.get(k).node.kind == NodeKind::Snapshot)
    );
    // And back: b on the vCenter VM returns to the vCD VM's row.
    d.key(KeyCode::Char('b'));
    assert_eq!(d.app.cursor.selected, Some(row));
    d.shutdown().await;
}

#[tokio::test]
async fn a_dead_endpoint_leaves_the_others_rows_and_says_why() {
    let alive = sim(SimOptions::default()).await;
    let doomed = sim(SimOptions::default()).await;
    let cd = vcd(&alive);
    let vc = vcenter(&doomed);
    let alone = sprawl(&cd).await.len();
    let mut d = connected(&[("vcd", cd), ("vcenter", vc)]).await;
    doomed.shutdown();
    let root = open_view(&mut d).await;
    let app = &d.app;
    assert_eq!(
        *app.tree.get(root).load(),
        Load::Loaded,
        "vCD's part is there"
    );
    assert_eq!(app.tree.get(root).children.len(), alone);
    assert!(
        app.tree
            .get(root)
            .children
            .iter()
            .all(|&c| app.tree.get(c).endpoint() == 0)
    );
    let report = app.all_snapshots_report();
    let vc_line = &report.iter().find(|(l, _)| l == "vcenter").unwrap().1;
    assert!(vc_line.starts_with("failed: "), "{report:?}");
    // Its listing failed, or (when the vCD's rows came first) so did the read of their sizes
    // on it, or its recent tasks' list: which toast is last depends on which answer came last,
    // and each names the endpoint.
    let toast = toast(app);
    let reads = ["snapshots", "snapshot sizes", "task list"];
    assert!(
        reads
            .iter()
            .any(|r| toast.starts_with(&format!("vcenter: {r}: "))),
        "{toast}"
    );
    d.shutdown().await;
}

#[tokio::test]
async fn with_one_endpoint_the_view_is_that_endpoints_own() {
    let s = sim(SimOptions::default()).await;
    let cd = vcd(&s);
    let alone = sprawl(&cd).await;
    let mut d = connected(&[("vcd", cd)]).await;
    let root = open_view(&mut d).await;
    let app = &d.app;
    assert_eq!(&*app.tree.get(root).node.name, "Snapshots (oldest first)");
    let rows = &app.tree.get(root).children;
    assert_eq!(rows.len(), alone.len());
    let first = &app.tree.get(rows[0]).node;
    assert_eq!(first.id, alone[0].vm.id);
    assert_eq!(first.summary(), alone[0].summary(None), "no endpoint name");
    d.shutdown().await;
}

/// A tenant sees no VCloudExtension: no link, so no VM is merged, and `b` says why instead of
/// going anywhere.
#[tokio::test]
async fn a_tenant_gets_no_link_and_b_says_why() {
    let s = sim(SimOptions::default()).await;
    let tenant: Arc<dyn Backend> = Arc::new(backends::vcd(
        &s.vcd_url,
        "orgadmin@acme",
        DEMO_PASSWORD,
        HttpOptions::default(),
    ));
    let vc = vcenter(&s);
    let (cd_rows, vc_rows) = (sprawl(&tenant).await, sprawl(&vc).await);
    assert!(!cd_rows.is_empty());
    assert!(cd_rows.iter().all(|r| r.vm.backing().is_none()));
    let mut d = connected(&[("vcd", tenant), ("vcenter", vc)]).await;
    let root = open_view(&mut d).await;
    let rows = d.app.tree.get(root).children.clone();
    assert_eq!(
        rows.len(),
        cd_rows.len() + vc_rows.len(),
        "nothing to merge"
    );
    let first_vcd = rows
        .iter()
        .position(|&r| d.app.tree.get(r).endpoint() == 0)
        .unwrap();
    d.key(KeyCode::Home);
    for _ in 0..=first_vcd {
        d.key(KeyCode::Down);
    }
    assert!(
        d.until(T, |app| matches!(app.detail.state, DetailState::Loaded(_)))
            .await
    );
    let at = d.app.cursor.selected;
    d.key(KeyCode::Char('b'));
    assert_eq!(d.app.cursor.selected, at, "b stays put");
    let toast = d.app.toast.as_ref().map(|t| t.text.clone()).unwrap();
    assert!(toast.contains("system administrators only"), "{toast}");
    d.shutdown().await;
}

/// `:snapshots` read from these endpoints, drawn 120 columns wide once every part is in.
async fn snapshot_table_at_120(endpoints: &[(&str, Arc<dyn Backend>)]) -> String {
    let mut d = connected(endpoints).await;
    d.key(KeyCode::Char(':'));
    d.type_str("snapshots");
    d.key(KeyCode::Enter);
    let root = d.app.all_snapshots.as_ref().expect("two endpoints").root;
    let done = |app: &App| {
        !matches!(app.tree.get(root).load(), Load::Loading { .. }) && !app.tree.visible().is_empty()
    };
    assert!(d.until(T, done).await);
    let text = vnav::runtime::driver::screen_text(&d.render(120, 40));
    d.shutdown().await;
    text
}

/// The table names each row's endpoint (the narrow "Src" tag at 120 columns) only when its
/// rows come from more than one, as `:vm` does: a vCD over the vCenter also connected has
/// every VM as one row of its own, and "vCD" on every row told the operator nothing.
#[tokio::test]
async fn the_snapshot_table_tags_rows_only_when_they_come_from_several_endpoints() {
    let s = sim(SimOptions::default()).await;
    let text = snapshot_table_at_120(&[("vcd", vcd(&s)), ("vcenter", vcenter(&s))]).await;
    let header = text.lines().find(|l| l.contains("Snapshot▲")).expect(&text);
    assert!(!header.contains("Src"), "one endpoint's rows:\n{text}");
    assert!(!text.contains(" vCD│"), "{text}");
    // A vCenter of a world of its own lists rows of its own: then each row says whose.
    let other = sim(SimOptions::default()).await;
    let text = snapshot_table_at_120(&[("vcd", vcd(&s)), ("vcenter", vcenter(&other))]).await;
    let header = text.lines().find(|l| l.contains("Snapshot▲")).expect(&text);
    assert!(header.contains("Src"), "{text}");
    // The tag, and the state beside it in the cells the short names leave.
    let row = |tag: &str| (text.lines()).any(|l| l.contains(&format!(" {tag} Powered")));
    assert!(row("vCD") && row("vC "), "{text}");
}
