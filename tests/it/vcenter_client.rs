//! vnav's vCenter client against the simulator: both dialects (6.7 has only /rest), the
//! inventory tree, VM details, power actions that change the world, re-login on 401, and lists
//! over the server's cap split into parts and merged without duplicates.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use vnav::api::http::HttpOptions;
use vnav::api::model::{ActionId, ActionParams, ChildBatch, Node, NodeKind};
use vnav::api::vcenter::VcenterBackend;
use vnav::api::{ApiError, Backend, ChildSink};
use vnav::sim::{DEMO_PASSWORD, Sim, SimOptions, VCENTER_USER, VcenterVersion};

use crate::backends;
use crate::sim_support::sim;

fn backend(s: &Sim, password: &str) -> VcenterBackend {
    backends::vcenter(
        &s.vcenter_url,
        VCENTER_USER,
        password,
        HttpOptions::default(),
    )
}

async fn batches(b: &VcenterBackend, parent: &Node) -> Vec<ChildBatch> {
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let sink = ChildSink::new(move |batch| g.lock().unwrap().push(batch));
    b.children(parent, &sink)
        .await
        .unwrap_or_else(|e| panic!("children of {}: {e}", parent.name));
    drop(sink);
    Arc::try_unwrap(got).unwrap().into_inner().unwrap()
}

/// The datacenters under the endpoint.
async fn datacenters(b: &VcenterBackend) -> Vec<Node> {
    children(b, &b.root())
        .await
        .into_iter()
        .filter(|n| n.kind == NodeKind::Datacenter)
        .collect()
}

async fn children(b: &VcenterBackend, parent: &Node) -> Vec<Node> {
    batches(b, parent)
        .await
        .into_iter()
        .flat_map(|b| b.nodes)
        .collect()
}

fn find(nodes: &[Node], kind: NodeKind) -> Node {
    nodes
        .iter()
        .find(|n| n.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} in {nodes:?}"))
        .clone()
}

async fn browse_and_power(version: VcenterVersion, dialect: &str) {
    let s = sim(SimOptions {
        vcenter_version: version,
        ..SimOptions::default()
    })
    .await;
    let b = backend(&s, DEMO_PASSWORD);
    let info = b.connect().await.unwrap();
    assert_eq!(info.api_version, dialect);
    assert_eq!(info.user, VCENTER_USER);

    let dcs = datacenters(&b).await;
    assert!(
        dcs.len() >= 2 && dcs.iter().all(|n| n.kind == NodeKind::Datacenter),
        "{dcs:?}"
    );
    let level = children(&b, &dcs[0]).await;
    let groups: Vec<&str> = level
        .iter()
        .filter(|n| n.kind == NodeKind::Group)
        .map(|n| &*n.name)
        .collect();
    assert_eq!(
        groups,
        ["VMs", "Datastores", "Networks", "Folders", "Resource pools"]
    );
    let cluster = find(&level, NodeKind::Cluster);
    let host = find(&children(&b, &cluster).await, NodeKind::Host);
    let vms = children(&b, &host).await;
    assert!(!vms.is_empty() && vms.iter().all(|n| n.kind == NodeKind::Vm));
    for group in level.iter().filter(|n| n.kind == NodeKind::Group) {
        assert!(
            !children(&b, group).await.is_empty(),
            "{} is empty",
            group.name
        );
    }

    let vm = vms
        .iter()
        .find(|v| v.status.label == "POWERED_ON")
        .expect("a running VM");
    let d = b.details(vm).await.unwrap();
    let titles: Vec<&str> = d.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Summary",
            "General",
            "Hardware",
            "Guest/OS",
            "Disks",
            "NICs",
            "Tags",
            "Snapshots"
        ]
    );
    assert!(!d.raw.text.is_empty());
    // Issue 17: the summary says, in words, whether Tools run (vim's `guest.toolsRunningStatus`)
    // and each NIC's addresses.
    let summary = &d.sections[0];
    assert!(
        summary
            .rows
            .contains(&("VMware Tools".into(), "Running".into())),
        "{summary:?}"
    );
    assert!(
        summary
            .rows
            .iter()
            .any(|(k, v)| k.starts_with("IP of ") && v.split('.').count() == 4),
        "the simulator's guest reports an IPv4 address per NIC: {summary:?}"
    );
    let tags = &d.sections[6];
    assert!(
        tags.rows.iter().any(|(k, _)| k == "Environment"),
        "the simulator tags every VM with its environment: {tags:?}"
    );
    let ids: Vec<ActionId> = d.actions.iter().map(|a| a.id).collect();
    assert!(
        ids.contains(&ActionId::PowerOff) && !ids.contains(&ActionId::PowerOn),
        "{ids:?}"
    );

    let off = d
        .actions
        .iter()
        .find(|a| a.id == ActionId::PowerOff)
        .unwrap();
    let task = b.invoke(vm, off, &ActionParams::None).await.unwrap();
    assert!(task.state.is_terminal() && task.error.is_none());
    let after = b.details(vm).await.unwrap();
    assert_eq!(after.node.status.label, "POWERED_OFF");
    let ids: Vec<ActionId> = after.actions.iter().map(|a| a.id).collect();
    assert!(
        ids.contains(&ActionId::PowerOn) && !ids.contains(&ActionId::PowerOff),
        "{ids:?}"
    );
    // The stale offer now meets the server's refusal, in its own words.
    match b.invoke(vm, off, &ActionParams::None).await {
        Err(ApiError::Server { code, .. }) => assert!(code.is_some()),
        other => panic!("expected the server's error, got {other:?}"),
    }
}

#[tokio::test]
async fn vcenter_8_speaks_api() {
    browse_and_power(VcenterVersion::V8_0, "/api").await;
}

#[tokio::test]
async fn vcenter_6_7_falls_back_to_rest() {
    browse_and_power(VcenterVersion::V6_7, "/rest").await;
}

#[tokio::test]
async fn lists_over_the_cap_are_split_merged_and_deduplicated() {
    let s = sim(SimOptions {
        vms: 3000,
        list_cap: Some(250),
        vcenter_version: VcenterVersion::V7_0,
        ..SimOptions::default()
    })
    .await;
    let b = backend(&s, DEMO_PASSWORD);
    b.connect().await.unwrap();
    let mut all = HashSet::new();
    let mut split = false;
    for dc in datacenters(&b).await {
        let level = children(&b, &dc).await;
        let group = level.iter().find(|n| &*n.name == "VMs").unwrap();
        let parts = batches(&b, group).await;
        if let Some(last) = parts.last().and_then(|p| p.progress.clone()) {
            split = true;
            assert_eq!(last.done, last.total, "every part listed");
            assert!(parts.len() > 1);
        }
        for node in parts.into_iter().flat_map(|p| p.nodes) {
            assert!(all.insert(node.id.clone()), "{} listed twice", node.name);
        }
    }
    assert!(split, "a 3000-VM world with a 250 cap needs splitting");
    assert_eq!(all.len(), 3000, "every VM exactly once");

    // "All VMs", first under the endpoint, lists the same VMs, split the same way.
    let top = children(&b, &b.root()).await;
    assert_eq!(&*top[0].name, "All VMs");
    assert!(top[1..].iter().all(|n| n.kind == NodeKind::Datacenter));
    let parts = batches(&b, &top[0]).await;
    assert!(parts.len() > 1 && parts.last().unwrap().progress.is_some());
    let mut every = HashSet::new();
    for node in parts.into_iter().flat_map(|p| p.nodes) {
        assert!(every.insert(node.id.clone()), "{} listed twice", node.name);
    }
    assert_eq!(every, all, "All VMs holds every VM of every datacenter");
}

/// A split listing hands each list the server answered whole (a host's, a cluster's) over as
/// it lands, so the first rows show after the first such list, not after a whole datacenter:
/// every batch of rows is within the cap, and there are more of them than datacenters.
#[tokio::test]
async fn a_split_listing_hands_each_list_over_as_it_lands() {
    let cap = 250;
    let s = sim(SimOptions {
        vms: 3000,
        list_cap: Some(cap),
        ..SimOptions::default()
    })
    .await;
    let b = backend(&s, DEMO_PASSWORD);
    b.connect().await.unwrap();
    let dcs = datacenters(&b).await.len();
    let top = children(&b, &b.root()).await;
    let parts = batches(&b, &top[0]).await;
    let rows: Vec<usize> = (parts.iter())
        .map(|p| p.nodes.len())
        .filter(|&n| n > 0)
        .collect();
    assert!(rows.iter().all(|&n| n <= cap), "{rows:?}");
    assert!(
        rows.len() > dcs,
        "{} batches, {dcs} datacenters",
        rows.len()
    );
    assert_eq!(rows.iter().sum::<usize>(), 3000);
}

/// The first datacenter's VMs through its "VMs" group: (VM ids, whether the list was split).
async fn first_datacenter_vms(s: &Sim) -> (Vec<Box<str>>, bool) {
    let b = backend(s, DEMO_PASSWORD);
    b.connect().await.unwrap();
    let dc = datacenters(&b).await.remove(0);
    let level = children(&b, &dc).await;
    let group = level.iter().find(|n| &*n.name == "VMs").unwrap();
    let parts = batches(&b, group).await;
    let split = parts.iter().any(|p| p.progress.is_some());
    (
        parts
            .into_iter()
            .flat_map(|p| p.nodes)
            .map(|n| n.id.as_str().into())
            .collect(),
        split,
    )
}

/// At the boundary: a list one under or exactly at the cap comes whole; one over is split.
/// Either way every VM comes exactly once.
#[tokio::test]
async fn partitioning_at_cap_minus_one_cap_and_cap_plus_one() {
    let world = |cap| SimOptions {
        vms: 400,
        list_cap: cap,
        vcenter_version: VcenterVersion::V7_0,
        ..SimOptions::default()
    };
    let (all, split) = first_datacenter_vms(&sim(world(None)).await).await;
    assert!(!split && all.len() > 10, "{} VMs", all.len());
    let n = all.len();
    let want: HashSet<Box<str>> = all.into_iter().collect();
    for (cap, splits) in [(n - 1, true), (n, false), (n + 1, false)] {
        let (got, split) = first_datacenter_vms(&sim(world(Some(cap))).await).await;
        assert_eq!(split, splits, "cap {cap} for {n} VMs");
        assert_eq!(got.len(), n, "cap {cap}: every VM once");
        assert_eq!(got.into_iter().collect::<HashSet<_>>(), want, "cap {cap}");
    }
}

#[tokio::test]
async fn an_expired_session_is_renewed_and_a_wrong_password_refused() {
    let s = sim(SimOptions::default()).await;
    let b = backend(&s, DEMO_PASSWORD);
    b.connect().await.unwrap();
    s.expire_tokens();
    assert!(!children(&b, &b.root()).await.is_empty());
    match backend(&s, "not-the-password").connect().await {
        Err(e @ ApiError::LoginRefused { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains(VCENTER_USER) && !msg.contains("not-the-password"),
                "{msg}"
            )
        }
        other => panic!("expected an auth error, got {other:?}"),
    }
}

/// In the app, a split listing is a vnav task with its progress, and ends in success.
#[tokio::test]
async fn a_split_listing_shows_as_a_task_in_the_app() {
    use std::time::Duration;
    use vnav::app::{App, EndpointSpec};
    use vnav::runtime::driver::Driver;

    let s = sim(SimOptions {
        vms: 3000,
        list_cap: Some(250),
        ..SimOptions::default()
    })
    .await;
    let b = backend(&s, DEMO_PASSWORD);
    let spec = EndpointSpec {
        label: "vc".into(),
        root: b.root(),
        insecure: false,
        read_only: false,
    };
    let app = App::new(vec![spec], vnav::theme::Theme::default(), false);
    let mut d = Driver::new(app, vec![Arc::new(b)], None);
    let wait = Duration::from_secs(20);
    let dc = |a: &App| {
        a.tree
            .iter_all()
            .find(|&e| a.tree.get(e).node.kind == NodeKind::Datacenter)
    };
    assert!(d.until(wait, |a| dc(a).is_some()).await);
    let dc = dc(&d.app).unwrap();
    d.app.select_entry(dc);
    d.key(crossterm::event::KeyCode::Char('l'));
    let group = |a: &App| {
        a.tree
            .iter_all()
            .find(|&e| &*a.tree.get(e).node.name == "VMs")
    };
    assert!(d.until(wait, |a| group(a).is_some()).await);
    let group = group(&d.app).unwrap();
    d.app.select_entry(group);
    d.key(crossterm::event::KeyCode::Char('l'));
    let listing = |a: &App| {
        a.tasks
            .rows
            .iter()
            .find(|r| r.local && r.info.operation.starts_with("listing VMs by"))
            .map(|r| r.info.state)
    };
    assert!(
        d.until(wait, |a| listing(a).is_some()).await,
        "a listing task appears"
    );
    assert!(
        d.until(wait, |a| listing(a).is_some_and(|s| s.is_terminal()))
            .await,
        "the listing task ends"
    );
    assert_eq!(listing(&d.app), Some(vnav::api::model::TaskState::Success));
    let screen = vnav::runtime::driver::screen_text(&d.render(140, 40));
    assert!(screen.contains("listing VMs by"), "{screen}");
    d.shutdown().await;
}

/// A power call whose answer is lost is settled by reading the power state, never re-sent.
#[tokio::test]
async fn a_lost_power_answer_is_settled_by_reading_the_state() {
    use vnav::sim::Faults;
    let s = sim(SimOptions {
        vms: 1000,
        ..SimOptions::default()
    })
    .await;
    let b = backend(&s, DEMO_PASSWORD);
    b.connect().await.unwrap();
    let dcs = datacenters(&b).await;
    let cluster = find(&children(&b, &dcs[0]).await, NodeKind::Cluster);
    let mut on = Vec::new();
    for host in children(&b, &cluster).await {
        on.extend(
            children(&b, &host)
                .await
                .into_iter()
                .filter(|v| v.status.label == "POWERED_ON"),
        );
    }
    on.truncate(10);
    assert!(on.len() >= 5, "enough running VMs");
    s.set_faults(Faults {
        drop_rate: 0.5,
        seed: 9,
        ..Faults::default()
    });
    let mut results = Vec::new();
    for vm in &on {
        let offer = vnav::api::model::ActionOffer::new(ActionId::PowerOff, vm.id.clone());
        results.push(b.invoke(vm, &offer, &ActionParams::None).await);
    }
    assert!(s.fault_counts().dropped > 0, "some answers were lost");
    s.set_faults(Faults::default());
    for (vm, result) in on.iter().zip(results) {
        let state = b.details(vm).await.unwrap().node.status.label.to_string();
        match result {
            Ok(task) => {
                assert!(task.state.is_terminal());
                assert_eq!(
                    state, "POWERED_OFF",
                    "{}: reported done, so it is off",
                    vm.name
                );
            }
            Err(e) => assert!(
                e.to_string().contains("before trying again"),
                "{}: {e}",
                vm.name
            ),
        }
    }
}

/// The names under the first datacenter's "VMs" group once the app has listed it, and whether
/// the listing was split.
async fn vm_group_in_app(s: &Sim) -> (Vec<String>, bool) {
    use std::time::Duration;
    use vnav::app::tree::Load;
    use vnav::app::{App, EndpointSpec};
    use vnav::runtime::driver::Driver;

    let b = backend(s, DEMO_PASSWORD);
    let spec = EndpointSpec {
        label: "vc".into(),
        root: b.root(),
        insecure: false,
        read_only: false,
    };
    let app = App::new(vec![spec], vnav::theme::Theme::default(), false);
    let mut d = Driver::new(app, vec![Arc::new(b)], None);
    let wait = Duration::from_secs(20);
    let first = |a: &App, kind: NodeKind, name: Option<&str>| {
        a.tree.iter_all().find(|&e| {
            let n = &a.tree.get(e).node;
            n.kind == kind && name.is_none_or(|m| &*n.name == m)
        })
    };
    assert!(
        d.until(wait, |a| first(a, NodeKind::Datacenter, None).is_some())
            .await
    );
    let dc = first(&d.app, NodeKind::Datacenter, None).unwrap();
    d.app.select_entry(dc);
    d.key(crossterm::event::KeyCode::Char('l'));
    let group = |a: &App| first(a, NodeKind::Group, Some("VMs"));
    assert!(d.until(wait, |a| group(a).is_some()).await);
    let group = group(&d.app).unwrap();
    d.app.select_entry(group);
    d.key(crossterm::event::KeyCode::Char('l'));
    assert!(
        d.until(wait, |a| a.tree.get(group).load() == &Load::Loaded)
            .await,
        "the VMs group loads: {:?}",
        d.app.tree.get(group).load()
    );
    let split = d
        .app
        .tasks
        .rows
        .iter()
        .any(|r| r.local && r.info.operation.starts_with("listing VMs by"));
    let names = d.app.tree.get(group).children.iter();
    let names = names
        .map(|&c| d.app.tree.get(c).node.name.to_string())
        .collect();
    d.shutdown().await;
    (names, split)
}

/// A VMs folder read in parts (over the cap) is in one name order in the tree, the same as
/// when it comes whole: not sorted per part (ad-dc-08 after zookeeper-55).
#[tokio::test]
async fn a_split_vm_list_is_in_one_order_in_the_tree() {
    let world = |cap| SimOptions {
        vms: 400,
        list_cap: cap,
        vcenter_version: VcenterVersion::V7_0,
        ..SimOptions::default()
    };
    let (whole, split) = vm_group_in_app(&sim(world(None)).await).await;
    assert!(!split && whole.len() > 10, "{} VMs", whole.len());
    assert!(whole.is_sorted(), "{whole:?}");
    let n = whole.len();
    for (cap, splits) in [(n - 1, true), (n, false), (n + 1, false)] {
        let (got, split) = vm_group_in_app(&sim(world(Some(cap))).await).await;
        assert_eq!(split, splits, "cap {cap} for {n} VMs");
        assert_eq!(got, whole, "cap {cap}: one order for the whole list");
    }
}
