//! Lists that never page, and what to do when one is over the server's cap: split the query by
//! cluster and standalone host (by datacenter first only when those lists are over the cap too),
//! then host, then resource pool; list the parts with bounded concurrency, merge and
//! de-duplicate, and show the parts as they arrive, each VM placed in the cluster or host it was
//! listed by. A whole inventory under the cap is listed by its clusters and hosts too when they
//! are few, so its VMs say where they run as well.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use futures::{StreamExt, stream};
use serde_json::Value;

use super::dialect::over_cap;
use super::map::{self, CLUSTER, DATACENTER, HOST, Kind, RESOURCE_POOL, VM};
use super::session::Session;
use crate::api::backend::ChildSink;
use crate::api::error::ApiResult;
use crate::api::model::{ChildBatch, ListProgress, Node, Sym, intern};

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

/// What the VM walk asks of the server: plain lists, and VM lists as nodes. The session does
/// it; tests give an inventory of their own, to count the round trips before the first rows.
pub trait Lister: Sync {
    fn list(&self, kind: Kind, scope: &Scope)
    -> impl Future<Output = ApiResult<Vec<Value>>> + Send;

    /// A scope's VMs as nodes; by default its plain list, mapped.
    fn vms(&self, scope: &Scope) -> impl Future<Output = ApiResult<Vec<Node>>> + Send {
        async move {
            let items = self.list(VM, scope).await?;
            Ok((items.iter())
                .filter_map(|v| map::summary_node(VM, v))
                .collect())
        }
    }
}

impl Lister for Session {
    fn list(
        &self,
        kind: Kind,
        scope: &Scope,
    ) -> impl Future<Output = ApiResult<Vec<Value>>> + Send {
        list(self, kind, scope)
    }

    fn vms(&self, scope: &Scope) -> impl Future<Output = ApiResult<Vec<Node>>> + Send {
        vm_nodes(self, scope)
    }
}

fn with(scope: &Scope, key: &str, value: String) -> Scope {
    let mut s = scope.clone();
    s.push((key.to_string(), value));
    s
}

/// A part of an over-cap scope: a narrower scope, and the container it is asked by (a
/// cluster's or a host's name; empty above the clusters). The REST list does not say where a
/// VM runs, so the part's VMs take that name in their vApp/host column.
struct Part {
    scope: Scope,
    place: Sym,
}

/// One part per item of a list (clusters, hosts, …), each named after its item, or after
/// `place` when given (a host's resource pools keep the host's name).
fn parts(scope: &Scope, kind: Kind, items: &[Value], place: Option<Sym>) -> Vec<Part> {
    (items.iter())
        .filter_map(|i| {
            let id = i[kind.id_field].as_str()?;
            let name = i["name"].as_str().unwrap_or(id);
            Some(Part {
                scope: with(scope, kind.filter, id.to_string()),
                place: place.unwrap_or_else(|| intern(name)),
            })
        })
        .collect()
}

/// The next finer parts of a scope, or None when it cannot be split further.
async fn split<L: Lister>(
    session: &L,
    scope: &Scope,
    place: Sym,
) -> ApiResult<Option<(Vec<Part>, &'static str)>> {
    let has = |k: &str| scope.iter().any(|(key, _)| *key == k);
    if has(RESOURCE_POOL.filter) {
        return Ok(None);
    }
    if has(HOST.filter) {
        let pools = session.list(RESOURCE_POOL, scope).await?;
        let parts = parts(scope, RESOURCE_POOL, &pools, Some(place));
        return Ok(Some((parts, "resource pools")));
    }
    if has(CLUSTER.filter) {
        let hosts = session.list(HOST, scope).await?;
        return Ok(Some((parts(scope, HOST, &hosts, None), "hosts")));
    }
    match clusters_and_standalone_hosts(session, scope).await {
        // More clusters or standalone hosts than one list holds: a datacenter at a time.
        Err(e) if over_cap(&e) && !has(DATACENTER.filter) => {
            let dcs = session.list(DATACENTER, scope).await?;
            Ok(Some((
                parts(scope, DATACENTER, &dcs, Some(place)),
                "datacenters",
            )))
        }
        found => Ok(Some((found?, "clusters and hosts"))),
    }
}

/// A scope's clusters and its hosts in no cluster, asked together: every VM of the scope runs
/// on exactly one of them, so their VM lists hold each VM once, whatever the datacenters.
async fn clusters_and_standalone_hosts<L: Lister>(
    session: &L,
    scope: &Scope,
) -> ApiResult<Vec<Part>> {
    let standalone = with(scope, "standalone", "true".to_string());
    let (clusters, hosts) = futures::try_join!(
        session.list(CLUSTER, scope),
        session.list(HOST, &standalone)
    )?;
    // The hosts first: one host's VMs are fewer than a cluster's, so with more parts than
    // lists in flight they are not left for last, and the first rows come from a short list.
    let mut found = parts(scope, HOST, &hosts, None);
    found.extend(parts(scope, CLUSTER, &clusters, None));
    Ok(found)
}

/// Whether a scope's parts are worth asking alongside its VM list: the whole inventory and a
/// datacenter, whose VM lists a big vCenter refuses (so asking the next level only after the
/// refusal would put a round trip per level before the first rows), and of which there are
/// few (two lists asked for nothing, where the VM list comes whole, cost little). Not a
/// cluster or a host: there are dozens to hundreds, many under the cap, and a parts list asked
/// for each would add requests (4 % more at 100,000 VMs) for no earlier rows.
fn ask_ahead(scope: &Scope) -> bool {
    scope.iter().all(|(k, _)| *k == DATACENTER.filter)
}

/// At most this many clusters and standalone hosts (one round of lists at the default width)
/// are listed in place of a whole inventory's VM list under the cap.
const PLACED_PARTS: usize = 16;

/// What a scope's VM list gave: the VMs, or (over the cap) the parts to list instead.
enum Listed {
    Whole(Vec<Node>),
    Parts(Vec<Part>, &'static str),
    /// The whole inventory under the cap, and its few clusters and standalone hosts, listed
    /// instead: the list names no host, and an operator reads a VM's row for where it runs,
    /// worth a round trip more on a small vCenter. The whole list shows if a part fails.
    Placed(Vec<Part>, Vec<Node>),
}

/// A scope's VM list, split when over the cap. Above the clusters the split is asked
/// alongside the list (`ask_ahead`) and dropped, its requests cancelled, when the list comes
/// whole, unless `placed` asks for its few parts instead (`Listed::Placed`).
async fn vms_or_parts<L: Lister>(
    session: &L,
    scope: &Scope,
    place: Sym,
    placed: bool,
) -> ApiResult<Listed> {
    let vms = session.vms(scope);
    let refused = if ask_ahead(scope) {
        let parts = split(session, scope, place);
        let (mut vms, mut parts) = (std::pin::pin!(vms), std::pin::pin!(parts));
        let mut early = None;
        let vms = loop {
            tokio::select! {
                biased;
                v = &mut vms => break v,
                p = &mut parts, if early.is_none() => early = Some(p),
            }
        };
        let parts = async {
            match early {
                Some(p) => p,
                None => parts.await,
            }
        };
        match vms {
            Err(e) if over_cap(&e) => (e, parts.await),
            Ok(vms) if placed => {
                return Ok(match parts.await {
                    Ok(Some((parts, _))) if (1..=PLACED_PARTS).contains(&parts.len()) => {
                        Listed::Placed(parts, vms)
                    }
                    _ => Listed::Whole(vms),
                });
            }
            other => return other.map(Listed::Whole),
        }
    } else {
        match vms.await {
            Err(e) if over_cap(&e) => (e, split(session, scope, place).await),
            other => return other.map(Listed::Whole),
        }
    };
    match refused {
        (_, Ok(Some((parts, unit)))) => Ok(Listed::Parts(parts, unit)),
        (e, Ok(None)) => Err(e),
        (_, Err(e)) => Err(e),
    }
}

/// Where each list that came whole goes.
type Found<'a> = &'a (dyn Fn(Vec<Node>) + Send + Sync);

/// Every VM in a part, splitting as deep as the cap requires. Each list the server answers
/// whole (a cluster's, a host's) goes to `found` as it lands, its VMs placed in the part's
/// container: the first rows show once the first such list is in, not once a whole
/// datacenter is.
fn vms_in<'a, L: Lister>(
    session: &'a L,
    part: Part,
    width: usize,
    found: Found<'a>,
) -> Pin<Box<dyn Future<Output = ApiResult<()>> + Send + 'a>> {
    Box::pin(async move {
        let parts = match vms_or_parts(session, &part.scope, part.place, false).await? {
            Listed::Whole(mut vms) => {
                if !part.place.is_empty() {
                    for f in vms.iter_mut().filter_map(|vm| vm.facts.as_mut()) {
                        f.place = part.place;
                    }
                }
                found(vms);
                return Ok(());
            }
            Listed::Parts(parts, _) | Listed::Placed(parts, _) => parts,
        };
        let mut results = stream::iter(parts)
            .map(|p| vms_in(session, p, width, found))
            .buffer_unordered(width.max(1));
        while let Some(part) = results.next().await {
            part?;
        }
        Ok(())
    })
}

/// Sorted in place: a stable sort's scratch (half a list of 120-byte nodes) was one block
/// faulted in afresh for every list (issue 18). The id breaks ties, so the order is still one.
fn by_name(mut nodes: Vec<Node>) -> Vec<Node> {
    nodes.sort_unstable_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
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
    stream_vms_from(session, scope, width, sink, false).await
}

/// `stream_vms` for rows an operator reads: under the cap too, each VM placed in its cluster
/// or host when they are few (`Listed::Placed`).
pub async fn stream_placed_vms(
    session: &Session,
    scope: Scope,
    width: usize,
    sink: &ChildSink,
) -> ApiResult<u64> {
    stream_vms_from(session, scope, width, sink, true).await
}

async fn stream_vms_from<L: Lister>(
    session: &L,
    scope: Scope,
    width: usize,
    sink: &ChildSink,
    placed: bool,
) -> ApiResult<u64> {
    let listed = vms_or_parts(session, &scope, Sym::default(), placed).await?;
    let (parts, unit, whole) = match listed {
        Listed::Whole(nodes) => {
            sink.all(by_name(nodes));
            return Ok(1);
        }
        Listed::Parts(parts, unit) => {
            tracing::info!(target: "vnav::vcenter", parts = parts.len(), unit, "VM list over the cap, splitting");
            (parts, unit, None)
        }
        Listed::Placed(parts, whole) => (parts, "", Some(whole)),
    };
    let total = parts.len() as u64;
    // Every listed VM passes through this set: a bit a VM where it can (see `seen`).
    let seen = Mutex::new(super::seen::Seen::default());
    let found = |mut nodes: Vec<Node>| {
        {
            let mut seen = seen.lock().unwrap_or_else(|e| e.into_inner());
            nodes.retain(|n| seen.insert(&n.id));
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
        if let Err(e) = part {
            // Where the whole list came, its VMs show instead (below).
            if whole.is_none() {
                return Err(e);
            }
            break;
        }
        done += 1;
        // A list under the cap, read by parts for places, is one round of lists: no progress.
        if whole.is_some() {
            continue;
        }
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
    // Under the cap, the whole list's VMs no part listed (its part failed, or it changed host
    // between the two reads) show too, without a place: no VM the server listed is lost.
    if let Some(whole) = whole {
        found(whole);
    }
    Ok(total)
}

#[cfg(test)]
mod walk_tests;

#[cfg(test)]
mod overlap_tests;
