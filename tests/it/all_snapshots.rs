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
use vnav::api::vcd::{VcdBackend, VcdConfig};
use vnav::api::vcenter::{VcenterBackend, VcenterConfig};
use vnav::api::{Backend, SprawlSink, SprawlUpdate};
use vnav::app::tree::{EntryId, Load};
use vnav::app::{App, DetailState, EndpointSpec};
use vnav::runtime::driver::Driver;
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, Sim, SimOptions, VCENTER_USER};
use vnav::theme::Theme;

use crate::sim_support::sim;

const T: Duration = Duration::from_secs(30);

fn vcd(s: &Sim) -> Arc<dyn Backend> {
    Arc::new(
        VcdBackend::new(VcdConfig {
            url: s.vcd_url.clone(),
            user: DEMO_USER.into(),
            password: DEMO_PASSWORD.to_string().into(),
            http: HttpOptions::default(),
        })
        .unwrap(),
    )
}

fn vcenter(s: &Sim) -> Arc<dyn Backend> {
    let http = HttpOptions {
        max_attempts: 2,
        ..HttpOptions::default()
    };
    Arc::new(
        VcenterBackend::new(VcenterConfig {
            url: s.vcenter_url.clone(),
            user: VCENTER_USER.into(),
            password: DEMO_PASSWORD.to_string().into(),
            http,
        })
        .unwrap(),
    )
}

/// The app on these endpoints, every one connected.
async fn connected(endpoints: &[(&str, Arc<dyn Backend>)]) -> Driver {
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
async fn open_view(d: &mut Driver) -> EntryId {
    let root = d.app.all_snapshots.as_ref().expect("two endpoints").root;
    d.key(KeyCode::Home);
    assert_eq!(d.app.selected, Some(root), "the view is the first row");
    d.key(KeyCode::Enter);
    assert!(
        d.until(T, |app| !matches!(
            app.tree.get(root).load,
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
        assert_eq!(sent.get(&r.vm.id).copied(), r.bytes, "{}", r.vm.name);
    }
    rows
}

#[tokio::test]
async fn vcd_and_vcenter_merge_into_one_list_oldest_first_with_sizes() {
    let s = sim(SimOptions::default()).await;
    let (cd, vc) = (vcd(&s), vcenter(&s));
    let mut expected: HashMap<(usize, String), SprawlRow> = HashMap::new();
    for (i, b) in [(0, &cd), (1, &vc)] {
        for r in sprawl(b).await {
            expected.insert((i, r.vm.id.to_string()), r);
        }
    }
    assert!(
        expected.keys().any(|k| k.0 == 0) && expected.keys().any(|k| k.0 == 1),
        "both endpoints have VMs with snapshots in the demo world"
    );

    let mut d = connected(&[("vcd", cd.clone()), ("vcenter", vc.clone())]).await;
    let root = open_view(&mut d).await;
    let app = &d.app;
    assert_eq!(app.tree.get(root).load, Load::Loaded);
    let rows: Vec<EntryId> = app.tree.get(root).children.clone();
    assert_eq!(rows.len(), expected.len(), "every VM of both endpoints");
    let mut last: Option<OffsetDateTime> = None;
    for &id in &rows {
        let e = app.tree.get(id);
        let want = &expected[&(e.endpoint, e.node.id.to_string())];
        let label = ["vcd", "vcenter"][e.endpoint];
        assert!(
            e.node.summary.contains(&format!(" · {label} · ")),
            "{}",
            e.node.summary
        );
        assert!(want.oldest >= last, "oldest first across endpoints");
        last = want.oldest;
        assert!(want.bytes.is_some(), "{} has a size", e.node.name);
    }
    // Both products see the same snapshot of the same VM: the same size, give or take the
    // small .vmsn file vCenter lists besides the disk and memory.
    let mut compared = 0;
    for ((ep, _), r) in expected.iter().filter(|(k, _)| k.0 == 0) {
        let twin = expected
            .iter()
            .find(|(k, v)| k.0 == 1 && v.vm.name == r.vm.name && v.count == 1);
        if let Some((_, v)) = twin {
            let (a, b) = (r.bytes.unwrap(), v.bytes.unwrap());
            assert!(b >= a && b - a < 1 << 20, "{ep}: {} vs {}", a, b);
            compared += 1;
        }
    }
    assert!(compared > 0);

    let report = app.all_snapshots_report();
    let line = |k: &str| report.iter().find(|(l, _)| l == k).unwrap().1.clone();
    assert!(line("vcd").contains("snapshot"), "{report:?}");
    assert!(line("vcenter").contains("snapshot"), "{report:?}");
    assert!(line("All").starts_with(&format!("{} VMs", expected.len())));

    // Each row's details come from its own endpoint, and reading them keeps the row's age and
    // size (vCD's fresh VM would say CPU and memory there).
    for (endpoint, label) in [(0, "vcd"), (1, "vcenter")] {
        let pos = rows
            .iter()
            .position(|&id| d.app.tree.get(id).endpoint == endpoint)
            .unwrap();
        d.key(KeyCode::Home);
        for _ in 0..=pos {
            d.key(KeyCode::Down);
        }
        assert!(
            d.until(T, |app| matches!(app.detail.state, DetailState::Loaded(_)))
                .await
        );
        let e = d.app.tree.get(d.app.selected.unwrap());
        assert_eq!(e.endpoint, endpoint);
        assert!(
            e.node.summary.contains(&format!(" · {label} · ")),
            "{}",
            e.node.summary
        );
    }
    // The vCenter row (selected now) opens to its snapshots, read from vCenter.
    let vm = d.app.selected.unwrap();
    d.key(KeyCode::Enter);
    assert!(
        d.until(T, |app| app.tree.get(vm).load == Load::Loaded)
            .await
    );
    let kids = &d.app.tree.get(vm).children;
    assert!(!kids.is_empty());
    assert!(
        kids.iter()
            .all(|&k| d.app.tree.get(k).node.kind == NodeKind::Snapshot)
    );
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
    assert_eq!(app.tree.get(root).load, Load::Loaded, "vCD's part is there");
    assert_eq!(app.tree.get(root).children.len(), alone);
    assert!(
        app.tree
            .get(root)
            .children
            .iter()
            .all(|&c| app.tree.get(c).endpoint == 0)
    );
    let report = app.all_snapshots_report();
    let vc_line = &report.iter().find(|(l, _)| l == "vcenter").unwrap().1;
    assert!(vc_line.starts_with("failed: "), "{report:?}");
    let toast = app
        .toast
        .as_ref()
        .map(|t| t.text.clone())
        .unwrap_or_default();
    assert!(toast.starts_with("vcenter: snapshots: "), "{toast}");
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
    assert_eq!(*first.summary, alone[0].summary(None), "no endpoint name");
    d.shutdown().await;
}
