//! Relationships: the vCenter hierarchy as vROps parents and children (adapter instance →
//! datacenters → clusters → hosts → VMs; datacenter → datastores → VMs);
//! `GET /resources/{id}/relationships` and `POST /resources/bulk/relationships`.

use axum::response::Response;
use serde_json::{Value, json};

use super::limits::{self, Page};
use super::resources::{self, Res};
use super::{ApiError, ApiResult, Req, VropsShared, ok};
use crate::sim::world::World;

pub fn parents(w: &World, r: Res) -> Vec<Res> {
    let inv = &w.vc;
    match r {
        Res::Adapter => vec![],
        Res::Datacenter(_) => vec![Res::Adapter],
        Res::Cluster(c) => vec![Res::Datacenter(inv.clusters[c as usize].dc)],
        Res::Host(h) => vec![Res::Cluster(inv.hosts[h as usize].cluster)],
        Res::Datastore(d) => {
            let c = inv.datastores[d as usize].cluster;
            vec![Res::Datacenter(inv.clusters[c as usize].dc)]
        }
        // The second vCenter's inventory is not simulated: its VMs stand alone.
        Res::Twin(_) => vec![],
        Res::Vm(v) => vec![
            Res::Host(inv.vm_host[v as usize]),
            Res::Datastore(inv.vm_datastore[v as usize]),
        ],
    }
}

pub fn children(w: &World, r: Res) -> Vec<Res> {
    let inv = &w.vc;
    let n = |len: usize| 0..len as u32;
    match r {
        Res::Adapter => n(inv.datacenters.len()).map(Res::Datacenter).collect(),
        Res::Datacenter(dc) => {
            let clusters = n(inv.clusters.len()).filter(|&c| inv.clusters[c as usize].dc == dc);
            let stores = n(inv.datastores.len())
                .filter(|&d| inv.clusters[inv.datastores[d as usize].cluster as usize].dc == dc);
            clusters
                .map(Res::Cluster)
                .chain(stores.map(Res::Datastore))
                .collect()
        }
        Res::Cluster(c) => inv.clusters[c as usize]
            .hosts
            .iter()
            .map(|&h| Res::Host(h))
            .collect(),
        Res::Host(h) => inv.hosts[h as usize]
            .vms
            .iter()
            .map(|&v| Res::Vm(v))
            .collect(),
        Res::Datastore(d) => n(w.vms.len())
            .filter(|&v| inv.vm_datastore[v as usize] == d)
            .map(Res::Vm)
            .collect(),
        Res::Vm(_) | Res::Twin(_) => vec![],
    }
}

/// Related resources up (`up`) or down, `depth` levels, nearest first, without repeats.
fn walk(w: &World, r: Res, up: bool, depth: usize) -> Vec<Res> {
    let step = |x: Res| if up { parents(w, x) } else { children(w, x) };
    let mut out: Vec<Res> = vec![];
    let mut level = vec![r];
    for _ in 0..depth {
        let mut next = vec![];
        for x in level {
            for y in step(x) {
                if !out.contains(&y) && y != r {
                    out.push(y);
                    next.push(y);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        level = next;
    }
    out
}

fn related(w: &World, r: Res, kind: &str, depth: usize) -> ApiResult<Vec<Res>> {
    Ok(match kind {
        "PARENT" => parents(w, r),
        "CHILD" => children(w, r),
        "ANCESTOR" => walk(w, r, true, depth),
        "DESCENDANT" => walk(w, r, false, depth),
        "ALL" => parents(w, r).into_iter().chain(children(w, r)).collect(),
        other => {
            return Err(ApiError::bad_request(format!(
                "Invalid relationshipType {other}"
            )));
        }
    })
}

pub fn get(s: &VropsShared, r: &Req, id: &str) -> ApiResult<Response> {
    let page = Page::of(r)?;
    let kind = r.one("relationshipType");
    if kind.is_some_and(|k| !["PARENT", "CHILD"].contains(&k)) {
        return Err(ApiError::bad_request(
            "relationshipType must be PARENT or CHILD",
        ));
    }
    let w = s.vcd.read();
    let res = resources::find(s, &w, id)?;
    let found = related(&w, res, kind.unwrap_or("ALL"), 1)?;
    let path = format!("/suite-api/api/resources/{id}/relationships");
    let mut v = json!({
        "pageInfo": page.info(found.len()),
        "links": page.links(&path, found.len()),
        "resourceList": page.slice(&found).iter().map(|&x| resources::to_json(s, &w, x)).collect::<Vec<_>>(),
    });
    if let Some(k) = kind {
        v["relationshipType"] = json!(k);
    }
    ok(v)
}

pub fn bulk(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    let page = Page::of(r)?;
    let body = r.json()?;
    let Some(kind) = body["relationshipType"].as_str() else {
        return Err(ApiError::bad_request("relationshipType is required"));
    };
    let ids: Vec<String> = body["resourceIds"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    limits::check_ids(ids.len())?;
    let depth = body["hierarchyDepth"].as_i64().unwrap_or(1).clamp(1, 5) as usize;
    let w = s.vcd.read();
    let mut rels = vec![];
    for id in &ids {
        let Some(res) = resources::resolve(s, &w, id) else {
            continue;
        };
        let found = related(&w, res, kind, depth)?;
        rels.push((res, found));
    }
    let list: Vec<Value> = page
        .slice(&rels)
        .iter()
        .map(|(res, found)| {
            json!({
                "resource": resources::to_json(s, &w, *res),
                "relatedResources": found.iter().map(|x| x.id(s.seed())).collect::<Vec<_>>(),
            })
        })
        .collect();
    ok(json!({
        "pageInfo": page.info(rels.len()),
        "links": page.links("/suite-api/api/resources/bulk/relationships", rels.len()),
        "relationshipType": kind,
        "resourcesRelations": list,
    }))
}
