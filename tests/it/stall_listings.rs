//! Listings against a server that stalls (issue 15) for vCenter (`/api` and `/rest` lists, the
//! SOAP property collector) and Aria Operations, like vCD's in `vcd_faults.rs`: a fraction of
//! requests is never answered and another answered late. Requests are tried once
//! (`max_attempts: 1`) under the default 30 s request timeout, so a stalled read that was not
//! hedged fails its listing: a listing that completes, whole and right, proves every stall was
//! answered by a copy, not waited out. Copies are counted and stay within the budget (a burst
//! of 5, then 10 % of reads).

use vnav::api::hedge::{HedgeOptions, HedgeStats};
use vnav::api::http::HttpOptions;
use vnav::api::model::{Node, NodeKind};
use vnav::api::vcenter::VcenterBackend;
use vnav::api::vrops::VropsBackend;
use vnav::api::{Backend, ChildSink};
use vnav::sim::{DEMO_PASSWORD, Faults, Sim, SimOptions, VCENTER_USER, VcenterVersion};

use crate::backends;
use crate::sim_support::sim;

/// One try per request, the default timeout; copies after 300 ms before there is history,
/// p95 × 3 (at least 100 ms) after.
fn one_try() -> HttpOptions {
    HttpOptions {
        max_attempts: 1,
        hedge: HedgeOptions {
            first_delay: std::time::Duration::from_millis(300),
            ..HedgeOptions::default()
        },
        ..HttpOptions::default()
    }
}

fn stalls(seed: u64) -> Faults {
    Faults {
        stall_rate: 0.04,
        slow_rate: 0.03,
        slow_ms: 2_000,
        seed,
        ..Faults::default()
    }
}

/// Copies sent, and never more than the budget allows for the reads made.
fn within_budget(stats: HedgeStats) {
    let defaults = HedgeOptions::default();
    let allowed = defaults.burst as u64 + stats.reads * defaults.budget_percent as u64 / 100;
    assert!(stats.hedges > 0, "stalled reads were hedged: {stats:?}");
    assert!(stats.hedges <= allowed, "{stats:?} within {allowed}");
}

async fn children<B: Backend + ?Sized>(b: &B, parent: &Node) -> Vec<Node> {
    let (sink, got) = ChildSink::collecting();
    b.children(parent, &sink)
        .await
        .unwrap_or_else(|e| panic!("children of {}: {e}", parent.name));
    got.take()
}

fn ids(nodes: &[Node]) -> Vec<String> {
    let mut v: Vec<String> = nodes.iter().map(|n| n.id.to_string()).collect();
    v.sort();
    v
}

/// Every VM of the vCenter, the way a user reaches them: each datacenter, each cluster, each
/// host (lists capped at 40, so every level is a request or more).
async fn walk_vms(b: &VcenterBackend) -> Vec<Node> {
    let mut vms = Vec::new();
    let mut todo = vec![b.root()];
    while let Some(n) = todo.pop() {
        for c in children(b, &n).await {
            match c.kind {
                NodeKind::Vm => vms.push(c),
                NodeKind::Datacenter | NodeKind::Cluster | NodeKind::Host => todo.push(c),
                _ => {}
            }
        }
    }
    vms
}

async fn vcenter_on(version: VcenterVersion, vms: usize) -> (Sim, VcenterBackend) {
    let s = sim(SimOptions {
        vms,
        vcenter_version: version,
        list_cap: Some(40),
        ..SimOptions::default()
    })
    .await;
    let b = backends::vcenter(&s.vcenter_url, VCENTER_USER, DEMO_PASSWORD, one_try());
    b.connect().await.unwrap();
    (s, b)
}

async fn vcenter_lists_survive_stalls(version: VcenterVersion) {
    let (s, b) = vcenter_on(version, 400).await;
    let healthy = ids(&walk_vms(&b).await);
    assert_eq!(healthy.len(), 400);
    s.set_faults(stalls(3));
    // Three walks: enough reads for stalls to hit some of them.
    for _ in 0..3 {
        assert_eq!(ids(&walk_vms(&b).await), healthy, "{version:?}");
    }
    let hit = s.fault_counts();
    assert!(hit.stalled > 0 && hit.slowed > 0, "{hit:?}");
    within_budget(b.session().http().hedge_stats());
}

#[tokio::test]
async fn vcenter_api_lists_complete_through_stalls() {
    vcenter_lists_survive_stalls(VcenterVersion::V8_0).await;
}

#[tokio::test]
async fn vcenter_rest_lists_complete_through_stalls() {
    vcenter_lists_survive_stalls(VcenterVersion::V6_7).await;
}

/// The SOAP property collector (`RetrievePropertiesEx`, a read vnav marks `Retry::Read`): a
/// VM's snapshots read again and again while requests stall.
#[tokio::test]
async fn soap_property_reads_complete_through_stalls() {
    let (s, b) = vcenter_on(VcenterVersion::V7_0, 60).await;
    let sprawl = b
        .snapshot_sprawl(&vnav::api::SprawlSink::ignore())
        .await
        .unwrap();
    let vm = &sprawl[0].vm;
    let healthy = ids(&children(&b, vm).await);
    assert!(!healthy.is_empty());
    let posts = s.seen_at("POST", "/sdk");
    let before = b.session().http().hedge_stats();
    s.set_faults(stalls(5));
    let reads = 80;
    for _ in 0..reads {
        assert_eq!(ids(&children(&b, vm).await), healthy);
    }
    let hit = s.fault_counts();
    assert!(hit.stalled > 0, "{hit:?}");
    let after = b.session().http().hedge_stats();
    let copies = after.hedges - before.hedges;
    // Only property reads went out: every copy was one, and each reached the server.
    assert_eq!(s.seen_at("POST", "/sdk") - posts, reads + copies);
    within_budget(after);
}

async fn ops_vms(b: &VropsBackend) -> Vec<Node> {
    let top = children(b, &b.root()).await;
    let adapter = top
        .iter()
        .find(|n| n.kind == NodeKind::AdapterInstance)
        .expect("an adapter instance");
    let kinds = children(b, adapter).await;
    let vms = kinds
        .iter()
        .find(|n| &*n.name == "Virtual Machine")
        .expect("the VirtualMachine kind");
    children(b, vms).await
}

/// Aria Operations' resource pages (GET) and its Health view (`POST /resources/query`, a read).
#[tokio::test]
async fn aria_operations_listings_complete_through_stalls() {
    let s = sim(SimOptions {
        vms: 400,
        ..SimOptions::default()
    })
    .await;
    vnav::api::tls::install_crypto_provider();
    let b = VropsBackend::new(vnav::api::vrops::VropsConfig {
        url: s.vrops_url.clone(),
        user: vnav::sim::VROPS_USER.into(),
        password: DEMO_PASSWORD.to_string().into(),
        http: one_try(),
        page_size: 10,
    })
    .unwrap();
    b.connect().await.unwrap();
    let healthy = ids(&ops_vms(&b).await);
    assert_eq!(healthy.len(), 400);
    let health = vnav::api::model::Node::new(NodeKind::Group, "health", "Health");
    let unhealthy = ids(&children(&b, &health).await);
    s.set_faults(stalls(11));
    for _ in 0..3 {
        assert_eq!(ids(&ops_vms(&b).await), healthy);
        assert_eq!(ids(&children(&b, &health).await), unhealthy);
    }
    let hit = s.fault_counts();
    assert!(hit.stalled > 0 && hit.slowed > 0, "{hit:?}");
    within_budget(b.session().http().hedge_stats());
}
