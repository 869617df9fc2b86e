//! Where a vCenter object sits in the tree (`Backend::ancestors`, for `:goto`): its datacenter,
//! then a host's cluster, a VM's cluster and host, a datastore's (network's, folder's, pool's)
//! group under the datacenter. The REST lists name no parent, but their filters combine (every
//! key must match, any value of one key), so "is it in one of these?" is one list call. The
//! candidates of a level are asked at once, in as many groups as the endpoint's concurrency
//! allows (all of them, one each, when they are that few), and the datacenter and the cluster
//! in the same round, so a VM is placed in four round trips (lists; its datacenter and
//! cluster; the cluster's hosts; its host) rather than log2(n) + 1 a level one after another.

use futures::future::{join, join_all};

use super::lists::{Lister, Scope};
use super::map::{self, CLUSTER, DATACENTER, HOST, Kind, VM};
use super::{GROUPS, group_id};
use crate::api::error::{ApiError, ApiResult};
use crate::api::model::{Node, NodeKind};

/// The nodes a browse passes from the endpoint to `node`, the datacenter first; at most
/// `width` requests in flight.
pub async fn ancestors<L: Lister>(l: &L, node: &Node, width: usize) -> ApiResult<Vec<Node>> {
    let kind = map::kind_of(node.kind)
        .filter(|k| k.node != NodeKind::Datacenter)
        .ok_or_else(|| {
            ApiError::Unsupported(format!("{} sits under the endpoint", node.kind.label()))
        })?;
    let own: Scope = vec![(kind.filter.into(), map::moid(&node.id.as_str()).into())];
    let in_cluster = matches!(node.kind, NodeKind::Host | NodeKind::Vm);
    // The clusters of every datacenter, listed beside the datacenters, so the one holding it
    // is asked in the same round as its datacenter.
    let (dcs, clusters) = join(nodes(l, DATACENTER, &Vec::new()), async {
        match in_cluster {
            true => nodes(l, CLUSTER, &Vec::new()).await,
            false => Ok(Vec::new()),
        }
    })
    .await;
    let half = (width / 2).max(1);
    let (dc, cluster) = join(
        holder(l, kind, &own, DATACENTER.filter, dcs?, half),
        holder(l, kind, &own, CLUSTER.filter, clusters?, half),
    )
    .await;
    let (Some(dc), cluster) = (dc?, cluster?) else {
        return Err(not_found(node));
    };
    let dc_moid = map::moid(&dc.id.as_str()).to_string();
    let mut chain = vec![dc];
    match node.kind {
        NodeKind::Cluster => {}
        NodeKind::Host => chain.extend(cluster),
        NodeKind::Vm => {
            let hosts_scope = match &cluster {
                Some(c) => vec![(CLUSTER.filter.into(), map::moid(&c.id.as_str()).into())],
                None => vec![
                    (DATACENTER.filter.into(), dc_moid.clone()),
                    ("standalone".into(), "true".into()),
                ],
            };
            let hosts = nodes(l, HOST, &hosts_scope).await?;
            match holder(l, VM, &own, HOST.filter, hosts, width).await? {
                Some(host) => chain.extend(cluster.into_iter().chain([host])),
                // A host that would not say: the datacenter's VMs group still holds it.
                None => chain.push(group(VM, &dc_moid)),
            }
        }
        _ => chain.push(group(kind, &dc_moid)),
    }
    Ok(chain)
}

fn not_found(node: &Node) -> ApiError {
    ApiError::Server {
        status: 404,
        code: None,
        message: format!("no datacenter lists {}", node.name),
    }
}

/// The datacenter's group that lists `kind` (`VMs`, `Datastores`, …), as the datacenter's
/// listing names it.
fn group(kind: Kind, dc: &str) -> Node {
    let (prefix, label, _) = GROUPS
        .iter()
        .find(|(_, _, k)| k.node == kind.node)
        .copied()
        .unwrap_or(GROUPS[0]);
    Node::new(NodeKind::Group, group_id(prefix, dc), label).expandable(true)
}

async fn nodes<L: Lister>(l: &L, kind: Kind, scope: &Scope) -> ApiResult<Vec<Node>> {
    let items = l.list(kind, scope).await?;
    Ok(items
        .iter()
        .filter_map(|v| map::summary_node(kind, v))
        .collect())
}

/// The one of `candidates` (filtered by `key`) whose `kind` list holds the object `own` names,
/// or None (a standalone host's VM has no cluster). Each round asks up to `width` groups of
/// them at once and goes on in the one that holds it.
async fn holder<L: Lister>(
    l: &L,
    kind: Kind,
    own: &Scope,
    key: &str,
    mut candidates: Vec<Node>,
    width: usize,
) -> ApiResult<Option<Node>> {
    while !candidates.is_empty() {
        // Two groups at least, or a group holding it would be all of them again.
        let size = candidates.len().div_ceil(width.max(2));
        let groups: Vec<&[Node]> = candidates.chunks(size).collect();
        let answers = join_all(groups.iter().map(|g| holds(l, kind, own, key, g))).await;
        let mut found = None;
        for (g, answer) in groups.iter().zip(answers) {
            if answer? {
                found = Some(g.to_vec());
                break;
            }
        }
        match found {
            None => return Ok(None),
            Some(mut one) if one.len() == 1 => return Ok(one.pop()),
            Some(group) => candidates = group,
        }
    }
    Ok(None)
}

async fn holds<L: Lister>(
    l: &L,
    kind: Kind,
    own: &Scope,
    key: &str,
    candidates: &[Node],
) -> ApiResult<bool> {
    let mut scope = own.clone();
    scope.extend(
        candidates
            .iter()
            .map(|c| (key.to_string(), map::moid(&c.id.as_str()).to_string())),
    );
    Ok(!l.list(kind, &scope).await?.is_empty())
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    /// Two datacenters; dc-2 holds cluster c-1 (hosts h-1, h-2) and standalone host h-3; VMs
    /// vm-1 on h-2, vm-2 on h-3; datastore ds-1 in dc-2.
    struct World;

    /// (kind, moid, dc, cluster, host) of every object.
    const OBJECTS: &[(&str, &str, &str, &str, &str)] = &[
        ("datacenter", "dc-1", "dc-1", "", ""),
        ("datacenter", "dc-2", "dc-2", "", ""),
        ("cluster", "c-1", "dc-2", "c-1", ""),
        ("host", "h-1", "dc-2", "c-1", "h-1"),
        ("host", "h-2", "dc-2", "c-1", "h-2"),
        ("host", "h-3", "dc-2", "", "h-3"),
        ("vm", "vm-1", "dc-2", "c-1", "h-2"),
        ("vm", "vm-2", "dc-2", "", "h-3"),
        ("datastore", "ds-1", "dc-2", "", ""),
    ];

    impl Lister for World {
        async fn list(&self, kind: Kind, scope: &Scope) -> ApiResult<Vec<Value>> {
            let keys: Vec<&str> = scope.iter().map(|(k, _)| k.as_str()).collect();
            Ok(OBJECTS
                .iter()
                .filter(|o| o.0 == kind.rest)
                .filter(|(_, moid, dc, cluster, host)| {
                    keys.iter().all(|&k| {
                        let any = |v: &str| scope.iter().any(|(kk, vv)| kk == k && vv == v);
                        match k {
                            "datacenters" => any(dc),
                            "clusters" => any(cluster),
                            "hosts" => any(host),
                            "standalone" => any(if cluster.is_empty() { "true" } else { "false" }),
                            _ => any(moid),
                        }
                    })
                })
                .map(|o| {
                    let mut v = json!({ "name": format!("{}-name", o.1) });
                    v[kind.id_field] = json!(o.1);
                    v
                })
                .collect())
        }
    }

    async fn chain_of(kind: NodeKind, moid: &str) -> Vec<String> {
        let w = World;
        let k = map::kind_of(kind).unwrap();
        let node = Node::new(kind, map::node_id(k, moid), moid);
        let chain = ancestors(&w, &node, 16).await.unwrap();
        chain.iter().map(|n| n.id.to_string()).collect()
    }

    #[tokio::test]
    async fn a_cluster_sits_under_its_datacenter() {
        assert_eq!(
            chain_of(NodeKind::Cluster, "c-1").await,
            ["datacenter/dc-2"]
        );
    }

    #[tokio::test]
    async fn a_host_sits_under_its_cluster_or_its_datacenter() {
        assert_eq!(
            chain_of(NodeKind::Host, "h-2").await,
            ["datacenter/dc-2", "cluster/c-1"]
        );
        assert_eq!(chain_of(NodeKind::Host, "h-3").await, ["datacenter/dc-2"]);
    }

    #[tokio::test]
    async fn a_vm_sits_under_its_host() {
        assert_eq!(
            chain_of(NodeKind::Vm, "vm-1").await,
            ["datacenter/dc-2", "cluster/c-1", "host/h-2"]
        );
        assert_eq!(
            chain_of(NodeKind::Vm, "vm-2").await,
            ["datacenter/dc-2", "host/h-3"]
        );
    }

    #[tokio::test]
    async fn a_datastore_sits_in_its_datacenters_group() {
        assert_eq!(
            chain_of(NodeKind::Datastore, "ds-1").await,
            ["datacenter/dc-2", "group/datastores/dc-2"]
        );
    }

    /// The world behind a 20 ms round trip, counting requests; on tokio's paused clock the
    /// time taken says how many round trips went one after another.
    struct Slow(std::sync::atomic::AtomicUsize);

    impl Lister for Slow {
        async fn list(&self, kind: Kind, scope: &Scope) -> ApiResult<Vec<Value>> {
            self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            World.list(kind, scope).await
        }
    }

    /// (round trips, requests) to place `moid`, `width` requests at a time.
    async fn cost(kind: NodeKind, moid: &str, width: usize) -> (u128, usize) {
        let slow = Slow(Default::default());
        let k = map::kind_of(kind).unwrap();
        let node = Node::new(kind, map::node_id(k, moid), moid);
        let start = tokio::time::Instant::now();
        ancestors(&slow, &node, width).await.unwrap();
        let trips = start.elapsed().as_millis() / 20;
        (trips, slow.0.load(std::sync::atomic::Ordering::Relaxed))
    }

    #[tokio::test(start_paused = true)]
    async fn a_level_is_asked_at_once_and_the_cluster_beside_the_datacenter() {
        // Lists; datacenter and cluster; the cluster's (or the standalone) hosts; the host.
        assert_eq!(cost(NodeKind::Vm, "vm-1", 16).await, (4, 8));
        assert_eq!(cost(NodeKind::Vm, "vm-2", 16).await, (4, 7));
        assert_eq!(cost(NodeKind::Host, "h-2", 16).await, (2, 5));
        assert_eq!(cost(NodeKind::Datastore, "ds-1", 16).await, (2, 3));
        // One request at a time still ends (two groups a round, halving).
        assert!(cost(NodeKind::Vm, "vm-1", 1).await.0 >= 4);
    }

    #[tokio::test]
    async fn an_object_no_datacenter_lists_is_an_error_not_a_guess() {
        let w = World;
        let node = Node::new(NodeKind::Vm, "vm/vm-99", "gone");
        assert!(ancestors(&w, &node, 16).await.is_err());
    }
}
