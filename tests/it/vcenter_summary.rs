//! vCenter summaries an operator reads at a glance (issue 17), against the simulator: a VM's
//! annotation, uptime, CPU and memory use and Tools status from vim (VI/JSON and SOAP), and a
//! host's and a cluster's capacity and use, which add up.

use vnav::api::model::{Details, Node, NodeKind};
use vnav::api::{Backend, ChildSink};
use vnav::sim::{SimOptions, VcenterVersion};

use crate::sim_support::sim;
use crate::vcenter_snapshots::connected;

fn row<'a>(d: &'a Details, section: &str, key: &str) -> Option<&'a str> {
    d.sections
        .iter()
        .find(|s| s.title == section)
        .and_then(|s| s.rows.iter().find(|(k, _)| k == key))
        .map(|(_, v)| v.as_str())
}

async fn list(b: &impl Backend, kind: NodeKind) -> Vec<Node> {
    let (sink, got) = ChildSink::collecting();
    b.list_kind(kind, &sink).await.unwrap();
    got.take()
}

async fn vm_summaries(version: VcenterVersion) {
    let s = sim(SimOptions {
        vcenter_version: version,
        ..SimOptions::default()
    })
    .await;
    let b = connected(&s).await;
    let vms = list(&b, NodeKind::Vm).await;
    let on = vms.iter().find(|n| n.status.label == "POWERED_ON").unwrap();
    let off = vms
        .iter()
        .find(|n| n.status.label == "POWERED_OFF")
        .unwrap();

    let d = b.details(on).await.unwrap();
    let up = row(&d, "Summary", "Uptime").unwrap_or_else(|| panic!("{:?}", d.sections[0]));
    assert!(up.contains("(booted ") && up.ends_with(" UTC)"), "{up}");
    let cpu = row(&d, "Summary", "CPU use").unwrap();
    assert!(mhz(cpu) > 0, "{cpu}");
    assert!(row(&d, "Summary", "Guest memory use").is_some());
    assert!(
        row(&d, "Summary", "Annotation")
            .unwrap()
            .starts_with("Cost center CC-")
    );
    assert!(matches!(
        row(&d, "Summary", "VMware Tools"),
        Some("Running" | "Not running")
    ));

    let d = b.details(off).await.unwrap();
    assert_eq!(row(&d, "Summary", "VMware Tools"), Some("Not running"));
    assert_eq!(
        row(&d, "Summary", "Uptime"),
        None,
        "a powered-off VM has no uptime"
    );
    assert_eq!(row(&d, "Summary", "CPU use"), None);
    assert!(row(&d, "Summary", "Annotation").is_some());
}

#[tokio::test]
async fn vm_summary_has_uptime_use_tools_and_annotation_over_vi_json() {
    vm_summaries(VcenterVersion::V8_0).await;
}

#[tokio::test]
async fn vm_summary_has_uptime_use_tools_and_annotation_over_soap() {
    vm_summaries(VcenterVersion::V7_0).await;
}

/// "12.5 GHz" → 12500, "480 MHz" → 480.
fn mhz(v: &str) -> u64 {
    let (n, unit) = v.split_once(' ').unwrap();
    let n: f64 = n.parse().unwrap();
    match unit {
        "GHz" => (n * 1000.0).round() as u64,
        "MHz" => n as u64,
        _ => panic!("{v}"),
    }
}

/// "12.5 GHz of 83.2 GHz (15 %)" → (12500, 83200).
fn used_of(v: &str) -> (u64, u64) {
    let (used, rest) = v.split_once(" of ").unwrap();
    let total = rest.split(" (").next().unwrap();
    (mhz(used), mhz(total))
}

#[tokio::test]
async fn hosts_and_clusters_show_capacity_and_use_that_add_up() {
    let s = sim(SimOptions::default()).await;
    let b = connected(&s).await;
    let cluster = list(&b, NodeKind::Cluster).await.remove(0);
    let hosts = {
        let (sink, got) = ChildSink::collecting();
        b.children(&cluster, &sink).await.unwrap();
        got.take()
            .into_iter()
            .filter(|n| n.kind == NodeKind::Host)
            .collect::<Vec<_>>()
    };
    assert!(!hosts.is_empty());
    let (mut cpu, mut vms) = (0, 0);
    for h in &hosts {
        let d = b.details(h).await.unwrap();
        let (used, total) = used_of(row(&d, "Capacity", "CPU").unwrap());
        assert_eq!(total, 32 * 2600, "{d:?}");
        assert!(used <= total);
        assert!(
            row(&d, "Capacity", "Memory")
                .unwrap()
                .contains(" of 512 GiB")
        );
        cpu += used;
        let (sink, got) = ChildSink::collecting();
        b.children(h, &sink).await.unwrap();
        let n = got.take().iter().filter(|n| n.kind == NodeKind::Vm).count();
        assert_eq!(row(&d, "Capacity", "VMs"), Some(n.to_string().as_str()));
        vms += n;
    }
    let d = b.details(&cluster).await.unwrap();
    assert_eq!(
        row(&d, "Capacity", "Hosts"),
        Some(hosts.len().to_string().as_str())
    );
    let (used, total) = used_of(row(&d, "Capacity", "CPU").unwrap());
    assert_eq!(total, hosts.len() as u64 * 32 * 2600);
    // Each figure is written to a tenth of a GHz: the hosts' add up to the cluster's within that.
    let slack = 50 * (hosts.len() as u64 + 1);
    assert!(
        used.abs_diff(cpu) <= slack,
        "cluster {used} MHz, hosts {cpu} MHz"
    );
    assert_eq!(row(&d, "Capacity", "VMs"), Some(vms.to_string().as_str()));
}

/// A cluster's details name its resource pool ("Resources"), its moid beside it for the
/// commands that need one; the name is read once, not on each read of the cluster.
#[tokio::test]
async fn a_clusters_resource_pool_reads_by_name_with_its_moid_beside() {
    use std::time::Duration;
    use vnav::app::DetailState;
    let s = sim(SimOptions::default()).await;
    let cluster = list(&connected(&s).await, NodeKind::Cluster)
        .await
        .remove(0);
    let mut d = crate::all_snapshots::connected(&[("vc", crate::all_snapshots::vcenter(&s))]).await;
    d.key(crossterm::event::KeyCode::Char(':'));
    d.type_str(&format!("goto {}", cluster.name));
    d.key(crossterm::event::KeyCode::Enter);
    let shown = |a: &vnav::app::App| matches!(&a.detail.state, DetailState::Loaded(x) if x.node.id == cluster.id);
    assert!(d.until(Duration::from_secs(30), shown).await);
    let text = vnav::runtime::driver::screen_text(&d.render(160, 45));
    let row = text
        .lines()
        .find(|l| l.contains("Resource pool"))
        .unwrap_or_else(|| panic!("{text}"));
    let (_, value) = row.split_once("Resource pool").unwrap();
    let value = value.trim().trim_end_matches('│').trim();
    assert!(
        value.starts_with("Resources (resgroup-") && value.ends_with(')'),
        "{row}"
    );
    let moid = value
        .trim_start_matches("Resources (")
        .trim_end_matches(')');
    let path = format!("/api/vcenter/resource-pool/{moid}");
    assert_eq!(s.seen_at("GET", &path), 1, "{:?}", s.seen_all());
    // Read again (refreshed): the name is kept.
    let b = connected(&s).await;
    let dd = b.details(&cluster).await.unwrap();
    let dd2 = b.details(&cluster).await.unwrap();
    assert_eq!(row_of(&dd), row_of(&dd2));
    assert_eq!(
        s.seen_at("GET", &path),
        2,
        "one more read for the new session's cache"
    );
    d.shutdown().await;
}

fn row_of(d: &Details) -> Option<String> {
    row(d, "General", "Resource pool").map(str::to_string)
}
