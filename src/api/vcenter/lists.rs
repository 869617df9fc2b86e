//! Lists that never page, and what to do when one is over the server's cap: split the query by
//! datacenter, then cluster (and standalone hosts), then host, then resource pool; list the parts
//! with bounded concurrency, merge and de-duplicate, and show the parts as they arrive.

use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use futures::{StreamExt, stream};
use serde_json::Value;

use super::dialect::over_cap;
use super::map::{CLUSTER, DATACENTER, HOST, Kind, RESOURCE_POOL, VM};
use super::session::Session;
use crate::api::backend::ChildSink;
use crate::api::error::ApiResult;
use crate::api::model::{ChildBatch, ListProgress, Node};

/// Filter pairs narrowing a list (`("hosts", "host-12")`).
pub type Scope = Vec<(String, String)>;

/// One plain list call.
pub async fn list(session: &Session, kind: Kind, scope: &Scope) -> ApiResult<Vec<Value>> {
    let pairs: Vec<(&str, &str)> = scope
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let path = session.dialect().await.list(kind.rest, &pairs);
    let (v, _) = session.get(&path).await?;
    Ok(v.as_array().cloned().unwrap_or_default())
}

/// One VM list call as nodes, read straight from the answer's bytes (`vm_list`).
async fn vm_nodes(session: &Session, scope: &Scope) -> ApiResult<Vec<Node>> {
    let pairs: Vec<(&str, &str)> = scope
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let path = session.dialect().await.list(VM.rest, &pairs);
    session.get_with(&path, super::vm_list::nodes).await
}

fn ids(items: &[Value], kind: Kind) -> Vec<String> {
    items
        .iter()
        .filter_map(|i| i[kind.id_field].as_str().map(str::to_string))
        .collect()
}

fn with(scope: &Scope, key: &str, value: String) -> Scope {
    let mut s = scope.clone();
    s.push((key.to_string(), value));
    s
}

/// The next finer parts of a scope, or None when it cannot be split further.
async fn split(session: &Session, scope: &Scope) -> ApiResult<Option<(Vec<Scope>, &'static str)>> {
    let has = |k: &str| scope.iter().any(|(key, _)| *key == k);
    if has(RESOURCE_POOL.filter) {
        return Ok(None);
    }
    if has(HOST.filter) {
        let pools = ids(&list(session, RESOURCE_POOL, scope).await?, RESOURCE_POOL);
        let parts = pools
            .into_iter()
            .map(|p| with(scope, RESOURCE_POOL.filter, p))
            .collect();
        return Ok(Some((parts, "resource pools")));
    }
    if has(CLUSTER.filter) {
        let hosts = ids(&list(session, HOST, scope).await?, HOST);
        let parts = hosts
            .into_iter()
            .map(|h| with(scope, HOST.filter, h))
            .collect();
        return Ok(Some((parts, "hosts")));
    }
    if has(DATACENTER.filter) {
        let clusters = ids(&list(session, CLUSTER, scope).await?, CLUSTER);
        let mut parts: Vec<Scope> = clusters
            .iter()
            .map(|c| with(scope, CLUSTER.filter, c.clone()))
            .collect();
        // Hosts outside any cluster hold VMs too.
        let all_hosts = ids(&list(session, HOST, scope).await?, HOST);
        let clustered: HashSet<String> = if clusters.is_empty() {
            HashSet::new()
        } else {
            let in_clusters: Scope = clusters
                .iter()
                .map(|c| (CLUSTER.filter.to_string(), c.clone()))
                .collect();
            ids(&list(session, HOST, &in_clusters).await?, HOST)
                .into_iter()
                .collect()
        };
        parts.extend(
            all_hosts
                .into_iter()
                .filter(|h| !clustered.contains(h))
                .map(|h| with(scope, HOST.filter, h)),
        );
        return Ok(Some((parts, "clusters and hosts")));
    }
    let dcs = ids(&list(session, DATACENTER, scope).await?, DATACENTER);
    let parts = dcs
        .into_iter()
        .map(|d| with(scope, DATACENTER.filter, d))
        .collect();
    Ok(Some((parts, "datacenters")))
}

/// Where each list that came whole goes.
type Found<'a> = &'a (dyn Fn(Vec<Node>) + Send + Sync);

/// Every VM in a scope, splitting as deep as the cap requires. Each list the server answers
/// whole (a host's, a cluster's) goes to `found` as it lands: the first rows show once the
/// first such list is in, not once a whole datacenter is.
fn vms_in<'a>(
    session: &'a Session,
    scope: Scope,
    width: usize,
    found: Found<'a>,
) -> Pin<Box<dyn Future<Output = ApiResult<()>> + Send + 'a>> {
    Box::pin(async move {
        match vm_nodes(session, &scope).await {
            Err(e) if over_cap(&e) => {
                let Some((parts, _)) = split(session, &scope).await? else {
                    return Err(e);
                };
                let mut results = stream::iter(parts)
                    .map(|p| vms_in(session, p, width, found))
                    .buffer_unordered(width.max(1));
                while let Some(part) = results.next().await {
                    part?;
                }
                Ok(())
            }
            other => {
                found(other?);
                Ok(())
            }
        }
    })
}

fn by_name(mut nodes: Vec<Node>) -> Vec<Node> {
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    nodes
}

/// Streams every VM of a scope into the sink: in one call when the server allows it, else part
/// by part with progress ("listing VMs: 37/120 hosts"), de-duplicated.
pub async fn stream_vms(
    session: &Session,
    scope: Scope,
    width: usize,
    sink: &ChildSink,
) -> ApiResult<u64> {
    let first = match vm_nodes(session, &scope).await {
        Err(e) if over_cap(&e) => e,
        other => {
            sink.all(by_name(other?));
            return Ok(1);
        }
    };
    let Some((parts, unit)) = split(session, &scope).await? else {
        return Err(first);
    };
    tracing::info!(target: "vnav::vcenter", parts = parts.len(), unit, "VM list over the cap, splitting");
    let total = parts.len() as u64;
    let seen = Mutex::new(HashSet::new());
    let found = |mut nodes: Vec<Node>| {
        {
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            nodes.retain(|n| seen.insert(n.id.clone()));
        }
        if !nodes.is_empty() {
            sink.push(ChildBatch {
                nodes: by_name(nodes),
                total: None,
                progress: None,
                // Lists land in any order: each is sorted, the tree puts it in its place.
                by_name: true,
            });
        }
    };
    let mut done = 0;
    let mut results = stream::iter(parts)
        .map(|p| vms_in(session, p, width, &found))
        .buffer_unordered(width.max(1));
    while let Some(part) = results.next().await {
        part?;
        done += 1;
        // The part's rows went as its lists landed: this says how far the listing is.
        sink.push(ChildBatch {
            nodes: Vec::new(),
            total: None,
            progress: Some(ListProgress {
                label: format!("listing VMs by {unit}"),
                done,
                total,
            }),
            by_name: false,
        });
    }
    Ok(total)
}
