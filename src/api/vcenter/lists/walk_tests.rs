//! The over-cap VM walk against an inventory of its own: every request takes one round trip
//! of tokio's paused clock, so the round trips before the first rows and the requests made are
//! counted exactly, without a server or wall time.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::time::Instant;

use super::*;
use crate::api::error::ApiError;

const TRIP: Duration = Duration::from_millis(20);

/// A host: its datacenter, its cluster (None: standalone) and how many VMs it runs.
struct Host {
    dc: &'static str,
    cluster: Option<&'static str>,
    vms: usize,
}

struct Inventory {
    hosts: Vec<(String, Host)>,
    cap: usize,
    /// A cap of a kind's own (`"cluster"`), else `cap`.
    caps: Vec<(&'static str, usize)>,
    /// A kind whose every list fails as a dead server's would.
    dead: Option<&'static str>,
    /// A cluster or host whose VM list fails (a server that drops one request).
    broken: Option<&'static str>,
    /// VMs the whole list names but no part's does (moved between the reads).
    unhosted: usize,
    asked: Mutex<Vec<String>>,
}

impl Inventory {
    fn new(cap: usize, hosts: Vec<Host>) -> Inventory {
        let hosts = (hosts.into_iter().enumerate())
            .map(|(i, h)| (format!("host-{i}"), h))
            .collect();
        Inventory {
            hosts,
            cap,
            caps: Vec::new(),
            dead: None,
            broken: None,
            unhosted: 0,
            asked: Mutex::default(),
        }
    }

    fn vms(&self) -> usize {
        self.hosts.iter().map(|(_, h)| h.vms).sum()
    }

    /// Whether a host passes the scope's filters (values of one key: any of them).
    fn passes(&self, id: &str, h: &Host, scope: &Scope) -> bool {
        let keys: HashSet<&str> = scope.iter().map(|(k, _)| k.as_str()).collect();
        keys.into_iter().all(|k| {
            let any = |v: &str| scope.iter().any(|(kk, vv)| kk == k && vv == v);
            match k {
                "datacenters" => any(h.dc),
                "clusters" => h.cluster.is_some_and(any),
                "hosts" => any(id),
                "standalone" => any(if h.cluster.is_none() { "true" } else { "false" }),
                // One resource pool a host, named after it.
                "resource_pools" => any(&format!("pool-{id}")),
                _ => false,
            }
        })
    }

    /// The VMs of a host of this inventory (their ids hold the host's).
    fn host_vms(&self, host: &str) -> usize {
        (self.hosts.iter())
            .find(|(id, _)| id == host)
            .unwrap()
            .1
            .vms
    }

    /// Where a VM's row says it runs: its cluster when the cluster's list comes whole, else
    /// its host (a standalone host, or a host of a cluster over the cap).
    fn place_of(&self, vm: &str) -> String {
        let host = vm.trim_start_matches("vm-").rsplit_once('-').unwrap().0;
        let (_, h) = self.hosts.iter().find(|(id, _)| id == host).unwrap();
        let Some(cluster) = h.cluster else {
            return host.to_string();
        };
        let in_cluster: usize = (self.hosts.iter())
            .filter(|(_, o)| o.cluster == Some(cluster))
            .map(|(_, o)| o.vms)
            .sum();
        match in_cluster > self.cap_of("vm") {
            true => host.to_string(),
            false => cluster.to_string(),
        }
    }

    fn cap_of(&self, kind: &str) -> usize {
        (self.caps.iter())
            .find(|(k, _)| *k == kind)
            .map_or(self.cap, |(_, c)| *c)
    }
}

impl Lister for Inventory {
    async fn list(&self, kind: Kind, scope: &Scope) -> ApiResult<Vec<Value>> {
        self.asked.lock().unwrap().push(kind.rest.to_string());
        tokio::time::sleep(TRIP).await;
        let broken = |v: &String| self.broken == Some(v.as_str());
        if self.dead == Some(kind.rest)
            || (kind.rest == "vm" && scope.iter().any(|(_, v)| broken(v)))
        {
            return Err(ApiError::Transport("connection refused".into()));
        }
        let hosts = (self.hosts.iter()).filter(|(id, h)| self.passes(id, h, scope));
        let mut items: Vec<Value> = Vec::new();
        let mut seen = HashSet::new();
        for (id, h) in hosts {
            let item = |key: &str, v: String| json!({ key: v.clone(), "name": v });
            match kind.rest {
                "vm" => items.extend((0..h.vms).map(|i| item("vm", format!("vm-{id}-{i}")))),
                "host" => items.push(item("host", id.clone())),
                "resource-pool" => items.push(item("resource_pool", format!("pool-{id}"))),
                "cluster" => items.extend(
                    (h.cluster.filter(|c| seen.insert(*c))).map(|c| item("cluster", c.into())),
                ),
                _ => items.extend(seen.insert(h.dc).then(|| item("datacenter", h.dc.into()))),
            }
        }
        if kind.rest == "vm" && scope.is_empty() {
            items.extend((0..self.unhosted).map(|i| json!({ "vm": format!("vm-moved-{i}") })));
        }
        if items.len() > self.cap_of(kind.rest) {
            return Err(ApiError::Server {
                status: 500,
                code: Some("unable_to_allocate_resource".into()),
                message: "too many".into(),
            });
        }
        Ok(items)
    }
}

/// What a walk gave: paused time to the first rows, and every VM listed with its place.
struct Walked {
    first: Duration,
    got: Vec<(String, String)>,
}

/// The VM walk over `inv`.
async fn try_walk(inv: &Inventory) -> (ApiResult<u64>, Walked) {
    let started = Instant::now();
    let first: Arc<Mutex<Option<Duration>>> = Arc::default();
    let got: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let (f, g) = (first.clone(), got.clone());
    let sink = ChildSink::new(move |b| {
        if !b.nodes.is_empty() {
            f.lock().unwrap().get_or_insert(started.elapsed());
        }
        (g.lock().unwrap()).extend(b.nodes.iter().map(|n| {
            let place = n.facts.as_ref().map_or("", |f| f.place.as_str());
            (map::moid(&n.id.as_str()).to_string(), place.to_string())
        }));
    });
    let result = stream_vms_from(inv, Vec::new(), 16, &sink, true).await;
    let first = first.lock().unwrap().unwrap_or_default();
    let got = got.lock().unwrap().clone();
    (result, Walked { first, got })
}

async fn walk(inv: &Inventory) -> Walked {
    let (result, walked) = try_walk(inv).await;
    result.unwrap();
    walked
}

/// Two datacenters over a cap of 10: dc-a with clusters a1 and a2 (12 VMs each) and a
/// standalone host, dc-b with b1 (12 VMs) and, when `small`, b2 (6: under the cap).
fn two_datacenters(small: bool) -> Inventory {
    let host = |dc, cluster, vms| Host { dc, cluster, vms };
    let mut hosts = Vec::new();
    for cluster in ["a1", "a2"] {
        hosts.extend((0..3).map(|_| host("dc-a", Some(cluster), 4)));
    }
    hosts.push(host("dc-a", None, 4));
    hosts.extend((0..3).map(|_| host("dc-b", Some("b1"), 4)));
    if small {
        hosts.extend((0..3).map(|_| host("dc-b", Some("b2"), 2)));
    }
    Inventory::new(10, hosts)
}

/// Every VM listed once, each placed in the cluster or host it was listed by.
fn every_vm_once(inv: &Inventory, walked: &Walked) {
    let got = &walked.got;
    let unique: HashSet<&String> = got.iter().map(|(id, _)| id).collect();
    assert_eq!(
        (got.len(), unique.len()),
        (inv.vms(), inv.vms()),
        "every VM once"
    );
    for (vm, place) in got {
        assert_eq!(*place, inv.place_of(vm), "{vm}");
    }
}

fn asked(inv: &Inventory) -> Vec<String> {
    inv.asked.lock().unwrap().clone()
}

/// The first rows come after two round trips (all VMs, the clusters and the standalone hosts;
/// then every cluster's and standalone host's VMs at once), not after the four of a walk that
/// splits by datacenter first; and the requests are fewer than that walk's 26.
#[tokio::test(start_paused = true)]
async fn an_over_cap_listing_shows_rows_after_two_round_trips() {
    let inv = two_datacenters(false);
    let walked = walk(&inv).await;
    assert_eq!(walked.first, TRIP * 2, "first rows after two round trips");
    every_vm_once(&inv, &walked);
    // All VMs, the clusters and the standalone hosts (3), each cluster's and the standalone
    // host's VMs (4), each cluster over the cap its hosts (3) and their VMs (9).
    assert_eq!(asked(&inv).len(), 3 + 4 + 3 + 9, "{:?}", asked(&inv));
}

/// A cluster under the cap comes whole after two round trips (three before), its VMs placed
/// in it; one request more than the walk above (27 before).
#[tokio::test(start_paused = true)]
async fn a_cluster_under_the_cap_shows_after_two_round_trips() {
    let mut inv = two_datacenters(true);
    // No standalone host, so the first rows are a cluster's.
    inv.hosts.retain(|(_, h)| h.cluster.is_some());
    let walked = walk(&inv).await;
    assert_eq!(walked.first, TRIP * 2);
    every_vm_once(&inv, &walked);
    assert!(walked.got.iter().any(|(_, place)| place == "b2"));
    assert_eq!(asked(&inv).len(), 3 + 4 + 3 + 9, "{:?}", asked(&inv));
}

/// With more parts than lists in flight (16), the standalone hosts' short lists go first: the
/// first rows come after two round trips even when every cluster is over the cap (after four
/// when the hosts waited behind the clusters).
#[tokio::test(start_paused = true)]
async fn standalone_hosts_are_listed_before_the_clusters() {
    const CLUSTERS: [&str; 16] = [
        "c00", "c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08", "c09", "c10", "c11", "c12",
        "c13", "c14", "c15",
    ];
    let host = |cluster, vms| Host {
        dc: "dc",
        cluster,
        vms,
    };
    let mut hosts: Vec<Host> = (CLUSTERS.iter())
        .flat_map(|c| (0..3).map(move |_| host(Some(*c), 4)))
        .collect();
    hosts.push(host(None, 4));
    let mut inv = Inventory::new(10, hosts);
    inv.caps.push(("cluster", 100));
    let walked = walk(&inv).await;
    assert_eq!(walked.first, TRIP * 2);
    every_vm_once(&inv, &walked);
}

/// A small inventory under the cap: its clusters and standalone hosts, asked alongside the
/// whole list, are listed instead, so every row says where its VM runs; the rows come a round
/// trip later than the whole list did.
#[tokio::test(start_paused = true)]
async fn a_listing_under_the_cap_comes_placed_after_two_round_trips() {
    let inv = small(None);
    let walked = walk(&inv).await;
    assert_eq!(walked.first, TRIP * 2);
    every_vm_once(&inv, &walked);
    assert_eq!(asked(&inv)[..3], ["vm", "cluster", "host"]);
    assert_eq!(asked(&inv).len(), 3 + 2, "{:?}", asked(&inv));
}

/// 7 VMs in cluster c, 2 on a standalone host, under a cap of 100; `broken`: a part whose VM
/// list fails.
fn small(broken: Option<&'static str>) -> Inventory {
    let mut inv = Inventory::new(
        100,
        vec![
            Host {
                dc: "dc",
                cluster: Some("c"),
                vms: 7,
            },
            Host {
                dc: "dc",
                cluster: None,
                vms: 2,
            },
        ],
    );
    inv.broken = broken;
    inv
}

/// A part's list fails where the whole list came: every VM still shows, once; those of the
/// failed part without a place.
#[tokio::test(start_paused = true)]
async fn a_part_that_fails_under_the_cap_leaves_the_whole_list() {
    let inv = small(Some("c"));
    let walked = walk(&inv).await;
    let unique: HashSet<&String> = walked.got.iter().map(|(id, _)| id).collect();
    assert_eq!((walked.got.len(), unique.len()), (9, 9), "every VM once");
    for (vm, place) in &walked.got {
        let want = if vm.starts_with("vm-host-1-") {
            "host-1"
        } else {
            ""
        };
        assert_eq!(place, want, "{vm}");
    }
}

/// A VM the whole list names and no part's list does (it moved between the reads) is not
/// lost: it shows without a place.
#[tokio::test(start_paused = true)]
async fn a_vm_only_the_whole_list_names_still_shows() {
    let mut inv = small(None);
    inv.unhosted = 1;
    let walked = walk(&inv).await;
    assert_eq!(walked.got.len(), 10, "{:?}", walked.got);
    assert!(
        walked
            .got
            .contains(&("vm-moved-0".to_string(), String::new()))
    );
}

/// More clusters and hosts than one round of lists: under the cap, the whole list shows in
/// one round trip, without places.
#[tokio::test(start_paused = true)]
async fn many_parts_under_the_cap_come_whole_in_one_round_trip() {
    let clusters = ["c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"];
    let mut hosts: Vec<Host> = (clusters.iter())
        .map(|&c| Host {
            dc: "dc",
            cluster: Some(c),
            vms: 2,
        })
        .collect();
    hosts.extend((0..PLACED_PARTS - clusters.len() + 1).map(|_| Host {
        dc: "dc",
        cluster: None,
        vms: 1,
    }));
    let inv = Inventory::new(100, hosts);
    let walked = walk(&inv).await;
    assert_eq!((walked.first, walked.got.len()), (TRIP, inv.vms()));
    assert!(walked.got.iter().all(|(_, place)| place.is_empty()));
    assert_eq!(asked(&inv), ["vm", "cluster", "host"]);
}

/// Many small datacenters, each under the cap, all over it: the cost of asking by cluster.
/// Every cluster is a list (3 + clusters: 9 requests) where splitting by datacenter took
/// 2 + 2 × datacenters (8); the first rows still come after two round trips. Empty clusters
/// and datacenters (hosts without VMs) are asked like the others and give no rows.
#[tokio::test(start_paused = true)]
async fn small_datacenters_cost_a_list_per_cluster() {
    let host = |dc, cluster, vms| Host { dc, cluster, vms };
    let mut hosts = Vec::new();
    for (dc, clusters) in [("dc-1", ["c1", "c2"]), ("dc-2", ["c3", "c4"])] {
        hosts.extend(clusters.map(|c| host(dc, Some(c), 4)));
    }
    hosts.push(host("dc-3", Some("c5"), 0));
    hosts.push(host("dc-3", Some("c6"), 0));
    let inv = Inventory::new(10, hosts);
    let walked = walk(&inv).await;
    assert_eq!(walked.first, TRIP * 2);
    every_vm_once(&inv, &walked);
    assert_eq!(asked(&inv).len(), 3 + 6, "{:?}", asked(&inv));
}

/// More clusters than a list holds: the walk goes by datacenter first (one round trip more),
/// and still lists every VM once, placed.
#[tokio::test(start_paused = true)]
async fn too_many_clusters_to_list_splits_by_datacenter_first() {
    let mut inv = two_datacenters(true);
    inv.caps.push(("cluster", 3));
    let walked = walk(&inv).await;
    every_vm_once(&inv, &walked);
    // All VMs, clusters (refused), standalone hosts; the datacenters; per datacenter its VMs,
    // clusters and standalone hosts; then the parts as above.
    assert_eq!(walked.first, TRIP * 4);
    let asked = asked(&inv);
    assert_eq!(asked.len(), 3 + 1 + 2 * 3 + 5 + 3 + 9, "{asked:?}");
}

/// Split by datacenter (more clusters than a list holds), a datacenter under the cap comes whole
/// in one list, which names no cluster or host, so its rows have no place; an empty one gives
/// no rows; the other is split by cluster and standalone host as the whole inventory is.
#[tokio::test(start_paused = true)]
async fn a_datacenter_under_the_cap_comes_whole_when_split_by_datacenter() {
    let host = |dc, cluster, vms| Host { dc, cluster, vms };
    let mut hosts: Vec<Host> = (0..3).map(|_| host("dc-a", Some("a1"), 4)).collect();
    hosts.push(host("dc-a", None, 4));
    hosts.extend((0..2).map(|_| host("dc-b", Some("b1"), 3)));
    hosts.push(host("dc-c", Some("c1"), 0));
    let mut inv = Inventory::new(10, hosts);
    inv.caps.push(("cluster", 1));
    let (result, walked) = try_walk(&inv).await;
    result.unwrap();
    assert_eq!(walked.first, TRIP * 3, "dc-b's list, after the datacenters");
    let unique: HashSet<&String> = walked.got.iter().map(|(id, _)| id).collect();
    assert_eq!((walked.got.len(), unique.len()), (22, 22), "every VM once");
    for (vm, place) in &walked.got {
        let in_dc_b = vm.starts_with("vm-host-4-") || vm.starts_with("vm-host-5-");
        let want = if in_dc_b {
            String::new()
        } else {
            inv.place_of(vm)
        };
        assert_eq!(*place, want, "{vm}");
    }
    // All VMs, clusters (refused), standalone hosts; the datacenters; per datacenter its VMs,
    // clusters and standalone hosts; dc-a's standalone host's and a1's VMs (refused); a1's
    // hosts; their VMs.
    assert_eq!(
        asked(&inv).len(),
        3 + 1 + 3 * 3 + 2 + 1 + 3,
        "{:?}",
        asked(&inv)
    );
}

/// A host over the cap is split by resource pool; one pool over it too cannot be split, and
/// the walk ends with the server's refusal (no hang, no rows twice).
#[tokio::test(start_paused = true)]
async fn a_refusal_at_every_level_ends_in_the_servers_error() {
    let host = |dc, cluster, vms| Host { dc, cluster, vms };
    let inv = Inventory::new(
        10,
        vec![host("dc", Some("c"), 4), host("dc", Some("c"), 11)],
    );
    let (result, walked) = try_walk(&inv).await;
    let err = result.unwrap_err();
    assert!(over_cap(&err), "{err}");
    assert_eq!(inv.host_vms("host-0"), walked.got.len());
    // All VMs, clusters, standalone hosts; the cluster's VMs; its hosts; each host's VMs; the
    // big host's pools; that pool's VMs.
    assert_eq!(
        asked(&inv),
        [
            "vm",
            "cluster",
            "host",
            "vm",
            "host",
            "vm",
            "vm",
            "resource-pool",
            "vm"
        ]
    );
}

/// A server that stops answering a list the walk needs fails the walk with its error.
#[tokio::test(start_paused = true)]
async fn a_dead_endpoint_fails_the_walk() {
    for dead in ["vm", "cluster", "host"] {
        let mut inv = two_datacenters(false);
        inv.dead = Some(dead);
        let (result, _) = try_walk(&inv).await;
        assert!(
            matches!(result, Err(ApiError::Transport(_))),
            "{dead}: {result:?}"
        );
    }
}
