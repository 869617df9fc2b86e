//! vnav's vCD client (`VcdBackend`) against the built-in simulator over real HTTP: login and
//! version negotiation, tenancy, browsing every level, the "All VMs" listing with both pagings,
//! re-login on 401, errors, and actions with their tasks (real time, short task durations).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use vnav::api::http::HttpOptions;
use vnav::api::model::*;
use vnav::api::vcd::VcdBackend;
use vnav::api::vcd::query::Paging;
use vnav::api::{ApiError, Backend, ChildSink};
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, Sim, SimOptions};

use crate::backends;
use crate::sim_support::sim;

const WAIT: Duration = Duration::from_secs(10);

pub(crate) fn opts(vms: usize, task_seconds: f64, fail_rate: f64) -> SimOptions {
    SimOptions {
        vms,
        task_seconds,
        fail_rate,
        ..SimOptions::default()
    }
}

fn backend(url: &str, user: &str, password: &str) -> VcdBackend {
    backends::vcd(url, user, password, HttpOptions::default())
}

pub(crate) async fn connected(s: &Sim, user: &str) -> VcdBackend {
    let b = backend(&s.vcd_url, user, DEMO_PASSWORD);
    b.connect().await.expect("connect");
    b
}

/// Every batch a children listing delivers.
fn collecting() -> (ChildSink, Arc<Mutex<Vec<ChildBatch>>>) {
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    (ChildSink::new(move |b| g.lock().unwrap().push(b)), got)
}

async fn children(b: &VcdBackend, parent: &Node) -> Vec<Node> {
    let (sink, got) = collecting();
    b.children(parent, &sink)
        .await
        .unwrap_or_else(|e| panic!("children of {}: {e}", parent.name));
    got.lock()
        .unwrap()
        .iter()
        .flat_map(|b| b.nodes.clone())
        .collect()
}

/// (nodes, last reported total, requests) of the whole VM listing.
pub(crate) async fn all_vms(b: &VcdBackend, paging: Paging) -> (Vec<Node>, Option<u64>, u64) {
    let (sink, got) = collecting();
    let requests = b.list_all_vms(paging, &sink).await.expect("list all VMs");
    let batches = got.lock().unwrap();
    let nodes = batches.iter().flat_map(|b| b.nodes.clone()).collect();
    (nodes, batches.last().and_then(|b| b.total), requests)
}

async fn vms_with_status(b: &VcdBackend, status: &str) -> Vec<Node> {
    let (vms, _, _) = all_vms(b, Paging::FollowLinks).await;
    let out: Vec<Node> = vms
        .into_iter()
        .filter(|n| n.status.label == status)
        .collect();
    assert!(!out.is_empty(), "the simulator has no {status} VM");
    out
}

fn section<'a>(d: &'a Details, title: &str) -> &'a Section {
    d.sections
        .iter()
        .find(|s| s.title == title)
        .unwrap_or_else(|| {
            panic!(
                "no section {title} in {:?}",
                d.sections.iter().map(|s| &s.title).collect::<Vec<_>>()
            )
        })
}

fn row<'a>(s: &'a Section, key: &str) -> Option<&'a str> {
    s.rows
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

fn offer(d: &Details, id: ActionId) -> Option<ActionOffer> {
    d.actions.iter().find(|a| a.id == id).cloned()
}

fn offered(d: &Details) -> Vec<ActionId> {
    d.actions.iter().map(|a| a.id).collect()
}

async fn status(b: &VcdBackend, vm: &Node) -> String {
    b.details(vm).await.unwrap().node.status.label.to_string()
}

/// Polls until the task ends (panics after WAIT).
pub(crate) async fn finish(b: &VcdBackend, task: &TaskInfo) -> TaskInfo {
    let end = tokio::time::Instant::now() + WAIT;
    let mut t = task.clone();
    while !t.state.is_terminal() {
        assert!(tokio::time::Instant::now() < end, "task did not end: {t:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
        t = b.poll_task(&t).await.expect("poll");
    }
    t
}

/// Invokes `id` as the VM's fresh details offer it, then waits for the task to end.
pub(crate) async fn run_to_end(
    b: &VcdBackend,
    vm: &Node,
    id: ActionId,
    params: ActionParams,
) -> TaskInfo {
    finish(b, &run(b, vm, id, params).await).await
}

/// Invokes `id` as the VM's fresh details offer it.
pub(crate) async fn run(b: &VcdBackend, vm: &Node, id: ActionId, params: ActionParams) -> TaskInfo {
    let d = b.details(vm).await.unwrap();
    let o = offer(&d, id)
        .unwrap_or_else(|| panic!("{} does not offer {id:?}: {:?}", vm.name, offered(&d)));
    b.invoke(vm, &o, &params)
        .await
        .unwrap_or_else(|e| panic!("{id:?} on {}: {e}", vm.name))
}

#[tokio::test]
async fn connect_negotiates_39_with_a_cloudapi_login() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let b = backend(&s.vcd_url, DEMO_USER, DEMO_PASSWORD);
    let before = s.request_count();
    let info = b.connect().await.expect("connect");
    assert_eq!(info.product, Product::Vcd);
    assert_eq!(info.api_version, "39.0");
    assert_eq!(info.user, "admin@System");
    assert_eq!(info.url, s.vcd_url);
    // versions + cloudapi login + session: the legacy /api/sessions (a 404 from 38.0) is never
    // tried, so the login that worked at 39.0 was the cloudapi one.
    assert_eq!(s.request_count() - before, 3);
    assert_eq!(
        info.to_string(),
        format!("vCD {} as admin@System (API 39.0)", s.vcd_url)
    );
}

#[tokio::test]
async fn a_tenant_sees_only_its_org() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let admin = connected(&s, DEMO_USER).await;
    let tenant = backend(&s.vcd_url, "orgadmin@acme", DEMO_PASSWORD);
    let info = tenant.connect().await.expect("tenant connect");
    assert_eq!(info.user, "orgadmin@acme");
    let top = children(&tenant, &tenant.root()).await;
    let names: Vec<&str> = top.iter().map(|n| &*n.name).collect();
    assert_eq!(names, ["All VMs", "acme"]);
    let admin_top = children(&admin, &admin.root()).await;
    assert!(
        admin_top.len() >= 5,
        "System plus three tenant orgs: {admin_top:?}"
    );

    let (mine, total, _) = all_vms(&tenant, Paging::Parallel(4)).await;
    let (every, _, _) = all_vms(&admin, Paging::Parallel(4)).await;
    assert_eq!(total, Some(mine.len() as u64));
    assert!(
        !mine.is_empty() && mine.len() < every.len(),
        "{} of {}",
        mine.len(),
        every.len()
    );
    let ids: HashSet<String> = mine.iter().map(|n| n.id.to_string()).collect();
    let foreign = every
        .iter()
        .find(|n| !ids.contains(&*n.id.as_str()))
        .unwrap();
    match tenant.details(foreign).await {
        Err(ApiError::Server { status: 403, .. }) => {}
        other => panic!("a VM of another org must be forbidden, got {other:?}"),
    }
    tenant.details(&mine[0]).await.expect("its own VM");
}

#[tokio::test]
async fn browse_every_level() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let top = children(&b, &b.root()).await;
    assert_eq!(
        (top[0].kind, &*top[0].id.as_str()),
        (NodeKind::Group, "query:vm")
    );
    let acme = top.iter().find(|n| &*n.name == "acme").unwrap();
    assert!(acme.kind == NodeKind::Org && acme.expandable);

    let org = children(&b, acme).await;
    let kinds: Vec<NodeKind> = org.iter().map(|n| n.kind).collect();
    let mut sorted = kinds.clone();
    sorted.sort();
    assert_eq!(kinds, sorted, "VDCs, then catalogs, then networks");
    for k in [NodeKind::Vdc, NodeKind::Catalog, NodeKind::Network] {
        assert!(kinds.contains(&k), "{k:?} missing from {org:?}");
    }

    // VDC → vApps (query service) → VMs (embedded) → details.
    let mut vm = None;
    for vdc in org.iter().filter(|n| n.kind == NodeKind::Vdc) {
        let vapps = children(&b, vdc).await;
        assert!(
            vapps
                .iter()
                .all(|n| n.kind == NodeKind::VApp && n.expandable),
            "{vapps:?}"
        );
        if let Some(vapp) = vapps.first() {
            let vms = children(&b, vapp).await;
            assert!(!vms.is_empty() && vms.iter().all(|n| n.kind == NodeKind::Vm && !n.expandable));
            vm = Some(vms[0].clone());
            break;
        }
    }
    let vm = vm.expect("acme has a vApp");
    assert!(vm.summary().contains("vCPU"), "{}", vm.summary());
    let d = b.details(&vm).await.unwrap();
    assert_eq!(
        (d.node.kind, &d.node.id, &d.node.status),
        (NodeKind::Vm, &vm.id, &vm.status)
    );
    let titles: Vec<&str> = d.sections.iter().map(|s| s.title.as_str()).collect();
    for t in [
        "General", "Hardware", "Guest/OS", "Disks", "NICs", "Snapshot", "Metadata",
    ] {
        assert!(titles.contains(&t), "{t} missing from {titles:?}");
    }
    assert!(
        row(section(&d, "Hardware"), "CPU")
            .unwrap()
            .ends_with("vCPU")
    );
    assert!(row(section(&d, "Guest/OS"), "Guest OS").is_some());
    assert!(!section(&d, "Disks").rows.is_empty() && !section(&d, "NICs").rows.is_empty());
    assert!(
        row(section(&d, "Metadata"), "cost-center")
            .unwrap()
            .starts_with("CC-")
    );
    assert!(d.links.iter().any(|l| l.rel == "up"), "{:?}", d.links);
    assert!(!d.actions.is_empty() && offer(&d, ActionId::SnapshotCreate).is_some());
    assert!(d.raw.text.contains("<Vm"));

    let catalog = org.iter().find(|n| n.kind == NodeKind::Catalog).unwrap();
    let items = children(&b, catalog).await;
    assert!(
        !items.is_empty() && items.iter().all(|n| n.kind == NodeKind::CatalogItem),
        "{items:?}"
    );

    let net = org.iter().find(|n| n.kind == NodeKind::Network).unwrap();
    let d = b.details(net).await.unwrap();
    assert_eq!(d.node.kind, NodeKind::Network);
    let fence = row(section(&d, "Configuration"), "Fence mode").unwrap();
    assert!(
        ["natRouted", "isolated", "bridged"].contains(&fence),
        "{fence}"
    );
    assert!(row(section(&d, "Configuration"), "Gateway").is_some());
}

#[tokio::test]
async fn all_vms_lists_every_vm_once_with_both_pagings() {
    let s = sim(opts(1000, 0.3, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let (parallel, total_p, req_p) = all_vms(&b, Paging::Parallel(8)).await;
    let (follow, total_f, req_f) = all_vms(&b, Paging::FollowLinks).await;
    println!("All VMs, 1000 VMs: Parallel(8) {req_p} requests, FollowLinks {req_f} requests");
    for (nodes, total) in [(&parallel, total_p), (&follow, total_f)] {
        assert_eq!(total, Some(1000));
        assert_eq!(nodes.len(), 1000);
        let ids: HashSet<String> = nodes.iter().map(|n| n.id.to_string()).collect();
        assert_eq!(ids.len(), 1000, "a VM listed twice");
        assert!(nodes.iter().all(|n| n.kind == NodeKind::Vm));
    }
    // Same records in the same (name) order, whichever way the pages were fetched.
    let ids = |v: &[Node]| v.iter().map(|n| n.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&parallel), ids(&follow));
    assert_eq!(req_p, req_f, "parallel paging must not cost extra requests");
    assert_eq!(req_p, 1000u64.div_ceil(128));
}

#[tokio::test]
async fn an_expired_token_is_renewed_once() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let vm = vms_with_status(&b, "POWERED_ON").await.remove(0);
    s.expire_tokens();
    let before = s.request_count();
    let d = b.details(&vm).await.expect("details after expiry");
    assert_eq!(d.node.id, vm.id);
    // 401, one cloudapi login, the VM again, its metadata, its query record (owner, Tools
    // state) and (a system administrator's first VM) the VimServer its vCenter VM is on.
    assert_eq!(s.request_count() - before, 6);
    s.expire_tokens();
    assert!(!children(&b, &b.root()).await.is_empty());
}

#[tokio::test]
async fn a_wrong_password_is_an_auth_error() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let b = backend(&s.vcd_url, DEMO_USER, "not-the-password");
    match b.connect().await {
        Err(e @ ApiError::LoginRefused { .. }) => {
            let msg = e.to_string();
            assert!(msg.contains("admin@System"), "names the user: {msg}");
            assert!(msg.contains("401"), "says what the server answered: {msg}");
            assert!(
                !msg.contains("not-the-password"),
                "never the password: {msg}"
            );
        }
        other => panic!("expected ApiError::LoginRefused, got {other:?}"),
    }
}

#[tokio::test]
async fn an_unreachable_endpoint_is_a_transport_error() {
    let b = backend("http://127.0.0.1:1", DEMO_USER, DEMO_PASSWORD);
    let r = tokio::time::timeout(Duration::from_secs(30), b.connect())
        .await
        .expect("no hang");
    match r {
        Err(ApiError::Transport(msg)) => assert!(!msg.is_empty()),
        other => panic!("expected ApiError::Transport, got {other:?}"),
    }
}

#[tokio::test]
async fn power_off_runs_a_task_and_changes_the_offers() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let vm = vms_with_status(&b, "POWERED_ON").await.remove(0);
    let task = run(&b, &vm, ActionId::PowerOff, ActionParams::None).await;
    assert!(!task.state.is_terminal(), "{task:?}");
    assert!(task.cancel.is_some(), "a running task can be cancelled");
    let target = task.target.clone().expect("task target");
    assert_eq!(
        (target.kind, &*target.id, &*target.name),
        (NodeKind::Vm, &*vm.id.as_str(), &*vm.name)
    );
    let done = finish(&b, &task).await;
    assert_eq!(done.state, TaskState::Success, "{done:?}");
    assert_eq!((done.progress, done.error.as_deref()), (Some(100), None));
    assert!(done.finished.is_some() && done.cancel.is_none());
    let d = b.details(&vm).await.unwrap();
    assert_eq!(d.node.status.label, "POWERED_OFF");
    assert!(offer(&d, ActionId::PowerOn).is_some(), "{:?}", offered(&d));
    assert!(offer(&d, ActionId::PowerOff).is_none(), "{:?}", offered(&d));
}

/// An action after the session expired is sent once, on the new session: vnav finds the
/// expiry on the read that checks the offer, before the POST.
#[tokio::test]
async fn an_action_on_an_expired_session_acts_once() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let vm = vms_with_status(&b, "POWERED_ON").await.remove(0);
    let off = offer(&b.details(&vm).await.unwrap(), ActionId::PowerOff).expect("PowerOff");
    s.expire_tokens();
    let task = b.invoke(&vm, &off, &ActionParams::None).await.unwrap();
    assert_eq!(finish(&b, &task).await.state, TaskState::Success);
    let path = url::Url::parse(&off.href).unwrap().path().to_string();
    let answered: Vec<_> = s
        .answered_all()
        .into_iter()
        .filter(|((m, p, _), _)| m == "POST" && *p == path)
        .map(|((_, _, status), n)| (status, n))
        .collect();
    assert_eq!(
        answered,
        vec![(202, 1)],
        "one accepted action, nothing refused"
    );
}

#[tokio::test]
async fn a_stale_offer_is_refused_with_the_servers_message() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let vm = vms_with_status(&b, "POWERED_OFF").await.remove(0);
    let stale = offer(&b.details(&vm).await.unwrap(), ActionId::PowerOn)
        .expect("powered-off VM offers PowerOn");
    let task = b.invoke(&vm, &stale, &ActionParams::None).await.unwrap();
    assert_eq!(finish(&b, &task).await.state, TaskState::Success);
    // The VM runs now; the old offer is stale.
    match b.invoke(&vm, &stale, &ActionParams::None).await {
        Err(ApiError::Server {
            status: 400,
            message,
            ..
        }) => {
            assert!(
                message.contains(&*vm.name) && message.contains("is not powered off"),
                "{message}"
            )
        }
        other => panic!("expected a 400 from the server, got {other:?}"),
    }
}

#[tokio::test]
async fn a_running_task_can_be_cancelled() {
    let s = sim(opts(200, 5.0, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let vm = vms_with_status(&b, "POWERED_ON").await.remove(0);
    let task = run(&b, &vm, ActionId::PowerOff, ActionParams::None).await;
    b.cancel_task(&task).await.expect("cancel");
    let t = b.poll_task(&task).await.unwrap();
    assert_eq!(t.state, TaskState::Canceled, "{t:?}");
    assert!(t.cancel.is_none());
    assert_eq!(status(&b, &vm).await, "POWERED_ON", "no effect");
    // Cancelling again is the server's 400, not a silent success.
    assert!(matches!(
        b.cancel_task(&task).await,
        Err(ApiError::Server { status: 400, .. })
    ));
}

#[tokio::test]
async fn a_failing_task_reports_its_error() {
    let s = sim(opts(200, 0.3, 1.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let vm = vms_with_status(&b, "POWERED_ON").await.remove(0);
    let done = run_to_end(&b, &vm, ActionId::PowerOff, ActionParams::None).await;
    assert_eq!(done.state, TaskState::Error);
    let err = done.error.expect("error message");
    assert!(
        err.contains("Simulated failure") && err.contains(&*vm.name),
        "{err}"
    );
    assert_eq!(status(&b, &vm).await, "POWERED_ON");
}

#[tokio::test]
async fn a_snapshot_is_created_then_revert_and_remove_all_are_offered() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let mut vm = None;
    for n in vms_with_status(&b, "POWERED_ON").await {
        let d = b.details(&n).await.unwrap();
        if row(section(&d, "Snapshot"), "Snapshot") == Some("none") {
            assert!(
                offer(&d, ActionId::SnapshotRevert).is_none()
                    && offer(&d, ActionId::SnapshotRemoveAll).is_none()
            );
            vm = Some(n);
            break;
        }
    }
    let vm = vm.expect("a running VM without a snapshot");
    let params = ActionParams::Snapshot {
        name: "pre-patch <1>".into(),
        description: "before & after".into(),
        memory: false,
        quiesce: false,
    };
    let done = run_to_end(&b, &vm, ActionId::SnapshotCreate, params).await;
    assert_eq!(done.state, TaskState::Success, "{done:?}");
    let d = b.details(&vm).await.unwrap();
    let snap = section(&d, "Snapshot");
    assert!(row(snap, "Created").is_some(), "{snap:?}");
    assert_eq!(row(snap, "With memory"), Some("No"));
    for id in [ActionId::SnapshotRevert, ActionId::SnapshotRemoveAll] {
        assert!(offer(&d, id).is_some(), "{id:?} not in {:?}", offered(&d));
    }
    let done = run_to_end(&b, &vm, ActionId::SnapshotRemoveAll, ActionParams::None).await;
    assert_eq!(done.state, TaskState::Success);
    let d = b.details(&vm).await.unwrap();
    assert_eq!(row(section(&d, "Snapshot"), "Snapshot"), Some("none"));
}

/// Before a new snapshot replaces a VM's one (issue 12 item 1), the VM's details say which:
/// its date and size from the SnapshotSection, or that there is none; other nodes say nothing.
#[tokio::test]
async fn the_details_of_a_vm_say_which_snapshot_a_new_one_replaces() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let (vms, _, _) = all_vms(&b, Paging::FollowLinks).await;
    let (mut with, mut without) = (0, 0);
    for vm in vms.iter().take(60) {
        let d = b.details(vm).await.unwrap();
        let created = row(section(&d, "Snapshot"), "Created").map(str::to_string);
        match (
            d.snapshot_slot.as_ref().expect("a vCD VM has a slot"),
            created,
        ) {
            (SnapshotSlot::Empty, None) => without += 1,
            (SnapshotSlot::Taken { created, bytes }, Some(text)) => {
                // The row says the slot's time as an operator reads it.
                assert_eq!(
                    created.map(vnav::api::labels::when).as_ref(),
                    Some(&text),
                    "{}",
                    vm.name
                );
                let size = row(section(&d, "Snapshot"), "Size").unwrap();
                assert_eq!(bytes.map(bytes_text).as_deref(), Some(size), "{}", vm.name);
                let says = d
                    .snapshot_slot
                    .as_ref()
                    .unwrap()
                    .replaces(time::OffsetDateTime::now_utc())
                    .unwrap();
                assert!(
                    says.starts_with(&format!("replaces the snapshot of {}", &text[..10]))
                        && says.contains(size),
                    "{says}"
                );
                with += 1;
            }
            (slot, created) => panic!("{}: {slot:?} but Created {created:?}", vm.name),
        }
    }
    assert!(with > 0 && without > 0, "{with} with, {without} without");
    let top = children(&b, &b.root()).await;
    let acme = top.iter().find(|n| &*n.name == "acme").unwrap();
    assert_eq!(b.details(acme).await.unwrap().snapshot_slot, None, "an Org");
}

#[tokio::test]
async fn recent_tasks_lists_the_tasks_started() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let on = vms_with_status(&b, "POWERED_ON").await;
    let off = vms_with_status(&b, "POWERED_OFF").await;
    let t1 = run(&b, &on[0], ActionId::PowerOff, ActionParams::None).await;
    let t2 = run(&b, &off[0], ActionId::PowerOn, ActionParams::None).await;
    finish(&b, &t1).await;
    finish(&b, &t2).await;
    let recent = b.recent_tasks().await.expect("recent tasks");
    for (t, vm) in [(&t1, &on[0]), (&t2, &off[0])] {
        let r = recent
            .iter()
            .find(|r| r.id == t.id)
            .unwrap_or_else(|| panic!("{} not in {recent:?}", t.id));
        assert_eq!(r.state, TaskState::Success);
        let target = r.target.as_ref().expect("record names its object");
        assert_eq!((&*target.id, &*target.name), (&*vm.id.as_str(), &*vm.name));
    }
    assert_eq!(recent.len(), 2, "only the tasks started: {recent:?}");
}

/// VDC details speak GHz and GiB/TiB, never raw MHz or MB, and the VDC overcommitted on
/// purpose says so.
#[tokio::test]
async fn vdc_details_read_in_ghz_and_gib_and_name_overcommitment() {
    let s = sim(opts(200, 0.3, 0.0)).await;
    let b = connected(&s, DEMO_USER).await;
    let mut rows = vec![];
    for org in children(&b, &b.root())
        .await
        .iter()
        .filter(|n| n.kind == NodeKind::Org)
    {
        for vdc in children(&b, org)
            .await
            .iter()
            .filter(|n| n.kind == NodeKind::Vdc)
        {
            let d = b.details(vdc).await.unwrap();
            let compute = section(&d, "Compute");
            let storage = section(&d, "Storage");
            for (key, sec, unit) in [
                ("CPU", compute, " GHz"),
                ("Memory", compute, " GiB"),
                ("Capacity", storage, "iB"),
            ] {
                let text = row(sec, key).unwrap_or_else(|| panic!("no {key} in {sec:?}"));
                assert!(text.contains(unit) && !text.contains("MB"), "{key}: {text}");
                rows.push(format!("{} {key}: {text}", vdc.name));
            }
        }
    }
    let over: Vec<&String> = rows
        .iter()
        .filter(|r| r.contains("overcommitted"))
        .collect();
    assert_eq!(over.len(), 1, "{rows:#?}");
    assert!(
        over[0].contains("CPU: ") && over[0].ends_with("— overcommitted 120 %"),
        "{}",
        over[0]
    );
}
