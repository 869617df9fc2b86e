//! vnav's Aria Operations client against the simulator: connect on 8.x and 9.x (9 refuses
//! Basic, so only tokens work), a new token after expiry, paging at 0, 1 and N pages, the
//! in-flight ceiling never exceeded, the tree's levels and the details of resources and alerts.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::KeyCode;

use vnav::api::http::HttpOptions;
use vnav::api::model::{ChildBatch, Node, NodeKind, Severity};
use vnav::api::vcenter::{VcenterBackend, VcenterConfig};
use vnav::api::vrops::{PAGE_SIZE, SERVER_CEILING, VropsBackend, VropsConfig};
use vnav::api::{Backend, ChildSink};
use vnav::app::tree::Load;
use vnav::sim::{
    DEMO_PASSWORD, Sim, SimOptions, VCENTER_USER, VROPS_USER, VropsOptions, VropsVersion,
};

use crate::all_snapshots::connected;
use crate::sim_support::sim;
use crate::sim_vrops_support::{ops_login, ops_sim};

const T: Duration = Duration::from_secs(30);

fn backend_with(s: &Sim, page_size: u64, concurrency: usize) -> VropsBackend {
    crate::backends::vrops(s, page_size, concurrency)
}

fn backend(s: &Sim) -> VropsBackend {
    backend_with(s, PAGE_SIZE, HttpOptions::default().concurrency)
}

async fn batches(b: &VropsBackend, parent: &Node) -> Vec<ChildBatch> {
    let got = Arc::new(Mutex::new(Vec::new()));
    let g = got.clone();
    let sink = ChildSink::new(move |batch| g.lock().unwrap().push(batch));
    b.children(parent, &sink)
        .await
        .unwrap_or_else(|e| panic!("children of {}: {e}", parent.name));
    drop(sink);
    Arc::try_unwrap(got).unwrap().into_inner().unwrap()
}

async fn children(b: &VropsBackend, parent: &Node) -> Vec<Node> {
    batches(b, parent)
        .await
        .into_iter()
        .flat_map(|b| b.nodes)
        .collect()
}

fn named<'a>(nodes: &'a [Node], name: &str) -> &'a Node {
    nodes
        .iter()
        .find(|n| &*n.name == name)
        .unwrap_or_else(|| panic!("no {name} in {nodes:?}"))
}

/// The VirtualMachine resource kind under the simulator's one adapter instance.
async fn vm_kind(b: &VropsBackend) -> Node {
    let top = children(b, &b.root()).await;
    let adapter = top
        .iter()
        .find(|n| n.kind == NodeKind::AdapterInstance)
        .expect("an adapter instance");
    let kinds = children(b, adapter).await;
    named(&kinds, "Virtual Machine").clone()
}

#[tokio::test]
async fn connects_to_8_and_9_with_tokens_only() {
    for (version, release) in [(VropsVersion::V8, "8.18.4"), (VropsVersion::V9, "9.0.1")] {
        let s = ops_sim(version, 4).await;
        let b = backend(&s);
        let info = b.connect().await.unwrap();
        assert_eq!(info.api_version, release);
        assert_eq!(info.user, VROPS_USER);
        // 9.x refuses Basic on every call: a listing works only with the token.
        assert!(!children(&b, &b.root()).await.is_empty());
        b.logout().await;
        assert!(s.live_tokens().is_empty(), "logout releases the token");
    }
}

#[tokio::test]
async fn a_wrong_password_is_refused_clearly() {
    let s = ops_sim(VropsVersion::V9, 2).await;
    let b = VropsBackend::new(VropsConfig {
        url: s.vrops_url.clone(),
        user: VROPS_USER.into(),
        password: "nope".to_string().into(),
        http: HttpOptions::default(),
        page_size: PAGE_SIZE,
    })
    .unwrap();
    let e = b.connect().await.unwrap_err().to_string();
    assert!(e.starts_with("login refused for admin"), "{e}");
}

#[tokio::test]
async fn an_expired_token_is_acquired_again_once() {
    for version in [VropsVersion::V8, VropsVersion::V9] {
        let s = ops_sim(version, 6).await;
        let b = backend(&s);
        b.connect().await.unwrap();
        let before = s.live_tokens();
        assert_eq!(before.len(), 1);
        s.expire_tokens();
        let kinds = vm_kind(&b).await;
        assert_eq!(children(&b, &kinds).await.len(), 6);
        let after = s.live_tokens();
        assert_eq!(after.len(), 1, "one new token, not one per call");
        assert_ne!(after, before);
    }
}

#[tokio::test]
async fn resources_page_at_0_1_and_n_pages() {
    // (VMs, page size, pages read)
    for (vms, page_size, pages) in [(0u64, 10, 1), (5, 10, 1), (10, 10, 1), (25, 10, 3)] {
        let s = ops_sim(VropsVersion::V8, vms as usize).await;
        let b = backend_with(&s, page_size, 4);
        b.connect().await.unwrap();
        let kind = vm_kind(&b).await;
        let requests = s.vrops_request_count();
        let got = batches(&b, &kind).await;
        assert_eq!(s.vrops_request_count() - requests, pages, "{vms} VMs");
        assert_eq!(got.len() as u64, pages);
        assert!(got.iter().all(|g| g.total == Some(vms)));
        let ids: HashSet<Box<str>> = got
            .iter()
            .flat_map(|g| &g.nodes)
            .map(|n| n.id.as_str().into())
            .collect();
        assert_eq!(ids.len() as u64, vms, "each VM once");
        if vms > 0 {
            let last = got.last().unwrap().progress.clone();
            assert_eq!(
                last.map(|p| (p.done, p.total)),
                (pages > 1).then_some((vms, vms))
            );
        }
    }
}

#[tokio::test]
async fn vnav_stays_under_the_in_flight_ceiling() {
    // Latency keeps requests in flight long enough to overlap.
    let s = sim(SimOptions {
        vms: 60,
        latency_ms: 20,
        vrops: VropsOptions {
            max_inflight: 4,
            ..VropsOptions::default()
        },
        ..SimOptions::default()
    })
    .await;
    let b = Arc::new(backend_with(&s, 5, 4));
    b.connect().await.unwrap();
    let vms = children(&b, &vm_kind(&b).await).await;
    assert_eq!(vms.len(), 60);
    let requests = s.vrops_request_count();
    let reads = vms.iter().map(|vm| {
        let b = b.clone();
        let vm = vm.clone();
        async move { b.details(&vm).await }
    });
    let details = futures::future::join_all(reads).await;
    assert!(details.iter().all(Result::is_ok));
    // Not one request turned away by the ceiling (and sent again): seven reads per details
    // (the resource, its latest stats, its day of stats, its active alerts, its properties,
    // its parents and its children), and the alert definitions (and their symptoms and
    // recommendations) the alerts name, read once.
    let definitions = definition_reads(&s);
    assert!((1..=16).contains(&definitions), "{definitions}");
    assert_eq!(s.vrops_request_count() - requests, 7 * 60 + definitions);
    let (now, peak) = s.vrops_in_flight();
    assert_eq!(now, 0);
    assert!((2..=4).contains(&peak), "peak in flight {peak}");
}

#[tokio::test]
async fn a_context_concurrency_above_the_servers_ceiling_is_lowered_to_it() {
    let s = sim(SimOptions {
        vms: 150,
        latency_ms: 20,
        ..SimOptions::default()
    })
    .await;
    let b = Arc::new(backend_with(&s, PAGE_SIZE, 200));
    b.connect().await.unwrap();
    let vms = children(&b, &vm_kind(&b).await).await;
    let requests = s.vrops_request_count();
    let reads = vms.iter().map(|vm| {
        let b = b.clone();
        let vm = vm.clone();
        async move { b.details(&vm).await }
    });
    let details = futures::future::join_all(reads).await;
    assert!(details.iter().all(Result::is_ok));
    // Nothing refused and sent again (the alert definitions are read once, see
    // `alert_rows_carry_their_definitions_description_and_recommendation_read_once`).
    assert_eq!(
        s.vrops_request_count() - requests,
        7 * 150 + definition_reads(&s)
    );
    let peak = s.vrops_in_flight().1;
    assert!(
        (2..=SERVER_CEILING).contains(&peak),
        "peak in flight {peak}"
    );
}

#[tokio::test]
async fn the_tree_has_adapters_kinds_resources_alerts_and_health() {
    let s = ops_sim(VropsVersion::V9, 300).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let top = children(&b, &b.root()).await;
    let names: Vec<&str> = top.iter().map(|n| &*n.name).collect();
    assert_eq!(names, ["Alerts", "Health", "vcsa-01.sim.local"]);
    // Each kind by the name the server gives it, not its key ("ClusterComputeResource"),
    // which stays in the summary where it differs.
    let kinds = children(&b, &top[2]).await;
    for (kind, key) in [
        ("Datacenter", ""),
        ("Cluster Compute Resource", "ClusterComputeResource"),
        ("Host System", "HostSystem"),
        ("Datastore", ""),
        ("Virtual Machine", "VirtualMachine"),
    ] {
        assert_eq!(named(&kinds, kind).stored_summary(), key);
    }
    // A datacenter contains resources (relationships), lazily.
    let dcs = children(&b, named(&kinds, "Datacenter")).await;
    assert!(
        dcs.iter()
            .all(|n| n.kind == NodeKind::Datacenter && n.expandable)
    );
    assert!(
        !children(&b, &dcs[0]).await.is_empty(),
        "a datacenter has children"
    );

    let alerts = children(&b, &top[0]).await;
    assert!(!alerts.is_empty(), "the simulator raises some alerts");
    let rank = |n: &Node| match &*n.status.label {
        "critical" => 0,
        "immediate" => 1,
        "warning" => 2,
        _ => 3,
    };
    assert!(
        alerts.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])),
        "most critical first"
    );
    assert!(
        alerts
            .iter()
            .all(|a| a.kind == NodeKind::Alert && !a.summary().is_empty())
    );

    let health = children(&b, &top[1]).await;
    assert!(!health.is_empty(), "the simulator has unhealthy resources");
    let colour = |n: &Node| {
        ["red", "orange", "yellow"]
            .iter()
            .position(|c| *c == n.status.label)
    };
    assert!(
        health.iter().all(|n| colour(n).is_some()),
        "only unhealthy resources"
    );
    assert!(
        health.windows(2).all(|w| colour(&w[0]) <= colour(&w[1])),
        "red, orange, yellow"
    );
    assert!(health.iter().all(|n| n.status.severity != Severity::Ok));
}

/// The adapter instance's row names its kind as `/adapterkinds` does ("vCenter"); the key
/// (`VMWARE`) stays in its details.
#[tokio::test]
async fn an_adapter_instance_names_its_kind_in_words() {
    let s = ops_sim(VropsVersion::V8, 4).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let top = children(&b, &b.root()).await;
    let adapter = (top.iter())
        .find(|n| n.kind == NodeKind::AdapterInstance)
        .expect("an adapter instance");
    let summary = adapter.summary();
    assert!(summary.starts_with("vCenter · "), "{summary}");
    let d = b.details(adapter).await.unwrap();
    let kind = d.sections[0].rows.iter().find(|(k, _)| k == "Adapter kind");
    assert_eq!(kind.map(|(_, v)| v.as_str()), Some("VMWARE"));
}

#[tokio::test]
async fn details_of_a_vm_resource_and_an_alert() {
    let s = ops_sim(VropsVersion::V8, 50).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let vms = children(&b, &vm_kind(&b).await).await;
    let d = b.details(&vms[0]).await.unwrap();
    assert_eq!(d.node.id, vms[0].id);
    let row = |title: &str, key: &str| {
        d.sections
            .iter()
            .find(|s| s.title == title)
            .and_then(|s| s.rows.iter().find(|(k, _)| k == key))
            .map(|(_, v)| v.clone())
    };
    assert_eq!(row("Resource", "Kind").as_deref(), Some("VM"));
    assert!(row("Identifiers", "vCenter moid").is_some_and(|m| m.starts_with("vm-")));
    assert!(row("Identifiers", "vCenter instance UUID").is_some());
    let badges = d
        .sections
        .iter()
        .find(|s| s.title == "Badges")
        .and_then(|s| s.table.as_ref())
        .expect("a table of badges");
    for badge in ["Health", "Risk", "Efficiency"] {
        let r = badges.rows.iter().find(|r| r.cells[0] == badge);
        assert!(r.is_some_and(|r| r.health.is_some()), "{badge} badge");
    }
    assert!(d.raw.text.contains("\"identifier\""));

    let top = children(&b, &b.root()).await;
    let alerts = children(&b, named(&top, "Alerts")).await;
    let a = b.details(&alerts[0]).await.unwrap();
    let alert = &a.sections[0];
    let get = |k: &str| {
        alert
            .rows
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("Status"), Some("Active"));
    // States and times in words: "Immediate", "2026-12-06 21:45 UTC · open 3 h".
    let criticality = get("Criticality").unwrap();
    assert!(criticality.starts_with(char::is_uppercase), "{criticality}");
    let started = get("Started").unwrap();
    assert!(started.contains(" UTC · open "), "{started}");
    assert_eq!(Some(&*alerts[0].name), get("Definition"));
    assert!(get("Resource").is_some());
    let definition = a.sections.iter().find(|s| s.title == "Definition").unwrap();
    assert!(
        definition
            .rows
            .iter()
            .any(|(k, v)| k == "Description" && !v.is_empty())
    );
    // The symptom by its name and what it tests, not its id.
    let symptoms = &definition
        .rows
        .iter()
        .find(|(k, _)| k == "Symptoms")
        .unwrap()
        .1;
    assert!(
        !symptoms.starts_with("SymptomDefinition-") && symptoms.contains(" ("),
        "{symptoms}"
    );
    let recs = a
        .sections
        .iter()
        .find(|s| s.title == "Recommendations")
        .unwrap();
    assert_eq!(recs.rows[0].0, "1");
    assert!(
        !recs.rows[0].1.starts_with("Recommendation-"),
        "the text, not the id: {recs:?}"
    );
}

#[tokio::test]
async fn resource_details_show_key_metrics_and_the_resources_active_alerts() {
    let s = ops_sim(VropsVersion::V9, 200).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let top = children(&b, &b.root()).await;
    let alerts = children(&b, named(&top, "Alerts")).await;
    // The alert leads to its resource.
    let first = b.details(&alerts[0]).await.unwrap();
    let resource_name = first.sections[0]
        .rows
        .iter()
        .find(|(k, _)| k == "Resource")
        .map(|(_, v)| v.clone())
        .unwrap();
    let alerted = first
        .sections
        .iter()
        .find(|s| s.title == "Alerted resource")
        .and_then(|s| s.table.as_ref())
        .and_then(|t| t.rows[0].target.as_deref())
        .expect("the alert leads to its resource")
        .clone();
    assert_eq!(*alerted.name, *resource_name);
    let d = b.details(&alerted).await.unwrap();
    assert_eq!(d.node.id, alerted.id);
    let section = |title: &str| {
        d.sections
            .iter()
            .find(|s| s.title == title)
            .unwrap_or_else(|| panic!("no {title} in {:?}", d.sections))
    };
    let metrics = section("Key metrics (latest)");
    let labels: Vec<&str> = metrics.rows.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        labels,
        ["CPU usage", "Memory usage", "Disk I/O", "Network I/O"],
        "{metrics:?}"
    );
    assert!(metrics.rows[0].1.ends_with(" %"));
    // A day of 5-minute points for each key metric.
    let day = section("Last 24 h");
    let labels: Vec<&str> = day.series.iter().map(|x| x.label.as_str()).collect();
    assert_eq!(
        labels,
        ["CPU usage", "Memory usage", "Disk I/O", "Network I/O"]
    );
    for series in &day.series {
        assert!(
            (287..=289).contains(&series.points.len()),
            "{}: {} points",
            series.label,
            series.points.len()
        );
    }
    // Its parents (a host, at least) and its properties; every related row leads somewhere.
    let parents = section("Parents").table.as_ref().expect("parents");
    assert!(!parents.rows.is_empty());
    assert!(
        parents
            .rows
            .iter()
            .all(|r| r.target.is_some() && r.health.is_some())
    );
    assert!(section("Children").rows.len() + section("Children").table.iter().count() > 0);
    assert!(!section("Properties").rows.is_empty());
    let active = section("Active alerts");
    assert!(
        active
            .table
            .as_ref()
            .is_some_and(|t| t.rows.iter().any(|r| r.cells[2] == *alerts[0].name
                && r.target.as_ref().is_some_and(|n| n.id == alerts[0].id))),
        "{active:?}"
    );
}

/// Requests for alert definitions and recommendations the simulator has answered.
fn definition_reads(s: &Sim) -> u64 {
    s.seen_at("GET", "/suite-api/api/alertdefinitions")
        + s.seen_at("GET", "/suite-api/api/symptomdefinitions")
        + s.seen_at("GET", "/suite-api/api/recommendations")
}

/// A resource's alert rows say what each alert means and what to do (from its definition),
/// and definitions are read once for the endpoint, not once per alert or per details.
#[tokio::test]
async fn alert_rows_carry_their_definitions_description_and_recommendation_read_once() {
    let s = ops_sim(VropsVersion::V9, 300).await;
    let b = backend(&s);
    b.connect().await.unwrap();
    let ops = ops_login(&s.vrops_url, "OpsToken").await;
    let alerts = ops.ok("/alerts?activeOnly=true&pageSize=10000").await;
    let alerts = alerts["alerts"].as_array().unwrap();
    let defs = ops.ok("/alertdefinitions").await;
    let recs = ops.ok("/recommendations").await;
    let before = definition_reads(&s);
    // Resources with alerts of at least two definitions.
    let mut resources: Vec<&str> = Vec::new();
    let mut seen_defs = HashSet::new();
    for a in alerts {
        if seen_defs.insert(a["alertDefinitionId"].as_str().unwrap()) {
            resources.push(a["resourceId"].as_str().unwrap());
        }
    }
    assert!(resources.len() >= 2, "{} alerts", alerts.len());
    for id in &resources {
        let node = Node::new(NodeKind::Resource, format!("res/{id}"), *id);
        let d = b.details(&node).await.unwrap();
        let table = d
            .sections
            .iter()
            .find(|s| s.title == "Active alerts")
            .and_then(|s| s.table.clone())
            .unwrap_or_else(|| panic!("an alert table in {:?}", d.sections));
        assert_eq!(
            table.columns,
            [
                "Criticality",
                "Age",
                "Alert",
                "Description",
                "Recommendation"
            ]
        );
        for row in &table.rows {
            let target = row.target.as_ref().unwrap().id.as_str();
            let alert_id = target.strip_prefix("alert/").unwrap();
            let alert = alerts.iter().find(|a| a["alertId"] == alert_id).unwrap();
            let def = defs["alertDefinitions"]
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["id"] == alert["alertDefinitionId"])
                .unwrap();
            let top = def["states"][0]["recommendationPriorityMap"]
                .as_object()
                .unwrap()
                .iter()
                .find(|(_, p)| **p == 1)
                .map(|(id, _)| id.as_str())
                .unwrap();
            let text = recs["recommendations"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["id"] == top)
                .and_then(|r| r["description"].as_str())
                .unwrap();
            assert_eq!(
                row.cells[0],
                vnav::api::labels::state(alert["alertLevel"].as_str().unwrap())
            );
            assert!(
                row.cells[1].ends_with(" min")
                    || row.cells[1].ends_with(" h")
                    || row.cells[1].ends_with(" d"),
                "{row:?}"
            );
            assert_eq!(row.cells[3], def["description"].as_str().unwrap());
            assert_eq!(row.cells[4], text, "{row:?}");
        }
    }
    // One read of the definitions the first resource's alerts name, one of their symptoms and
    // one of their recommendations; each later resource only when it names a definition not
    // read yet.
    let reads = definition_reads(&s) - before;
    assert!((3..=3 * resources.len() as u64).contains(&reads), "{reads}");
    // Again, and an alert's own details: all known now.
    let again = definition_reads(&s);
    for id in &resources {
        b.details(&Node::new(NodeKind::Resource, format!("res/{id}"), *id))
            .await
            .unwrap();
    }
    let top = children(&b, &b.root()).await;
    let listed = children(&b, named(&top, "Alerts")).await;
    let a = b.details(&listed[0]).await.unwrap();
    assert!(a.sections.iter().any(|s| s.title == "Recommendations"));
    assert_eq!(definition_reads(&s), again, "{:?}", s.seen_all());
}

#[tokio::test]
async fn the_snapshot_view_skips_aria_operations_instead_of_failing() {
    let s = ops_sim(VropsVersion::V8, 20).await;
    let vc: Arc<dyn Backend> = Arc::new(
        VcenterBackend::new(VcenterConfig {
            url: s.vcenter_url.clone(),
            user: VCENTER_USER.into(),
            password: DEMO_PASSWORD.to_string().into(),
            http: HttpOptions::default(),
        })
        .unwrap(),
    );
    let mut d = connected(&[("vcenter", vc), ("ops", Arc::new(backend(&s)))]).await;
    let root = d.app.all_snapshots.as_ref().unwrap().root;
    d.key(KeyCode::Home);
    d.key(KeyCode::Enter);
    assert!(
        d.until(T, |app| !matches!(
            app.tree.get(root).load(),
            Load::Loading { .. }
        ))
        .await
    );
    let app = &d.app;
    assert_eq!(*app.tree.get(root).load(), Load::Loaded);
    assert!(!app.tree.get(root).children.is_empty(), "vCenter's rows");
    let report = app.all_snapshots_report();
    let ops = &report.iter().find(|(l, _)| l == "ops").unwrap().1;
    assert_eq!(ops, "has no snapshots (not a VM platform)", "{report:?}");
    assert!(
        app.toast.is_none(),
        "no error shown: {:?}",
        app.toast.as_ref().map(|t| &t.text)
    );
    d.shutdown().await;
}
