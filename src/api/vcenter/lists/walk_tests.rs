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
                // One resource pool a host, named after it.
                "resource_pools" => any(&format!("pool-{id}")),
                _ => false,
            }
        })
    }
}

impl Lister for Inventory {
    async fn list(&self, kind: Kind, scope: &Scope) -> ApiResult<Vec<Value>> {
        self.asked.lock().unwrap().push(kind.rest.to_string());
        tokio::time::sleep(TRIP).await;
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
        if items.len() > self.cap {
            return Err(ApiError::Server {
                status: 500,
                code: Some("unable_to_allocate_resource".into()),
                message: "too many".into(),
            });
        }
        Ok(items)
    }
}

/// The VM walk over `inv`: (paused time to the first rows, every VM id listed).
async fn walk(inv: &Inventory) -> (Duration, Vec<String>) {
    let started = Instant::now();
    let first: Arc<Mutex<Option<Duration>>> = Arc::default();
    let got: Arc<Mutex<Vec<String>>> = Arc::default();
    let (f, g) = (first.clone(), got.clone());
    let sink = ChildSink::new(move |b| {
        if !b.nodes.is_empty() {
            f.lock().unwrap().get_or_insert(started.elapsed());
        }
        (g.lock().unwrap()).extend(b.nodes.iter().map(|n| n.id.to_string()));
    });
    stream_vms_from(inv, Vec::new(), 16, &sink).await.unwrap();
    let first = first.lock().unwrap().expect("rows");
    let got = got.lock().unwrap().clone();
    (first, got)
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

fn every_vm_once(inv: &Inventory, got: &[String]) {
    let unique: HashSet<&String> = got.iter().collect();
    assert_eq!(
        (got.len(), unique.len()),
        (inv.vms(), inv.vms()),
        "every VM once"
    );
}

/// The first rows come after four round trips (all VMs and the datacenters, a datacenter's
/// VMs and clusters, its hosts and clustered hosts, the standalone host's VMs), not after the
/// seven of a walk that asks each level only once the list above was refused and works out
/// the standalone hosts before listing any cluster; the clusters' hosts are listed after five
/// (not nine); and the requests are exactly that walk's.
#[tokio::test(start_paused = true)]
async fn an_over_cap_listing_shows_rows_after_four_round_trips() {
    let inv = two_datacenters(false);
    let (first, got) = walk(&inv).await;
    assert_eq!(first, TRIP * 4, "first rows after four round trips");
    every_vm_once(&inv, &got);
    // That walk: all VMs and the datacenters (2), per datacenter its VMs, clusters, hosts and
    // clustered hosts (8), per cluster its VMs, its hosts and each host's VMs (3 × 5), the
    // standalone host's VMs (1).
    let asked = inv.asked.lock().unwrap().len();
    assert_eq!(asked, 2 + 8 + 15 + 1, "{:?}", inv.asked.lock().unwrap());
}

/// A cluster under the cap comes whole after three round trips (seven, asked level by level),
/// with the same requests as that walk.
#[tokio::test(start_paused = true)]
async fn a_cluster_under_the_cap_shows_after_three_round_trips() {
    let inv = two_datacenters(true);
    let (first, got) = walk(&inv).await;
    assert_eq!(first, TRIP * 3);
    every_vm_once(&inv, &got);
    // The walk above and b2's VMs.
    let asked = inv.asked.lock().unwrap().len();
    assert_eq!(asked, 26 + 1, "{:?}", inv.asked.lock().unwrap());
}

/// Under the cap the list comes whole, in one round trip; the datacenters asked alongside are
/// the one request made for nothing.
#[tokio::test(start_paused = true)]
async fn a_listing_under_the_cap_comes_in_one_round_trip() {
    let inv = Inventory::new(
        100,
        vec![Host {
            dc: "dc",
            cluster: Some("c"),
            vms: 7,
        }],
    );
    let (first, got) = walk(&inv).await;
    assert_eq!((first, got.len()), (TRIP, 7));
    assert_eq!(*inv.asked.lock().unwrap(), ["vm", "datacenter"]);
}
