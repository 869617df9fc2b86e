//! CIS tagging, read side: categories, tags, and tag associations (each VM carries its vApp's
//! Environment and Application tags), at `/rest/com/vmware/cis/tagging/…` (`id:` segments,
//! `~action=`) and `/api/cis/tagging/…` (`action=`).

use axum::response::Response;
use serde_json::{Value, json};

use super::errors::{VcError, VcResult};
use super::{Req, VcShared, ok};
use crate::sim::inventory::{Inventory, vm_index, vm_moid};
use crate::sim::world::World;

fn category_json(inv: &Inventory, c: usize) -> Value {
    let cat = &inv.categories[c];
    json!({
        "id": cat.id,
        "name": cat.name,
        "description": cat.description,
        "cardinality": "SINGLE",
        "associable_types": ["VirtualMachine"],
        "used_by": [],
    })
}

fn tag_json(inv: &Inventory, t: usize) -> Value {
    let tag = &inv.tags[t];
    let cat = &inv.categories[tag.category as usize];
    json!({
        "id": tag.id,
        "category_id": cat.id,
        "name": tag.name,
        "description": format!("{} {}", cat.name, tag.name),
        "used_by": [],
    })
}

fn find_category(inv: &Inventory, id: &str) -> VcResult<usize> {
    inv.categories
        .iter()
        .position(|c| c.id == id)
        .ok_or_else(|| VcError::not_found(id))
}

fn find_tag(inv: &Inventory, id: &str) -> VcResult<usize> {
    inv.tags
        .iter()
        .position(|t| t.id == id)
        .ok_or_else(|| VcError::not_found(id))
}

/// Tags on a `{"type", "id"}` dynamic id; only VMs carry tags.
fn attached(w: &World, object: &Value) -> Vec<String> {
    if object["type"] != "VirtualMachine" {
        return vec![];
    }
    let Some(v) = object["id"].as_str().and_then(|id| vm_index(w, id)) else {
        return vec![];
    };
    w.vc.vm_tags(w, v)
        .iter()
        .map(|&t| w.vc.tags[t as usize].id.clone())
        .collect()
}

fn tagged_vms(w: &World, t: usize) -> Vec<Value> {
    let tag = &w.vc.tags[t];
    let position = w.vc.categories[tag.category as usize]
        .tags
        .iter()
        .position(|&x| x as usize == t)
        .unwrap_or(usize::MAX);
    (0..w.vms.len() as u32)
        .filter(|&v| {
            let a = &w.vapps[w.vms[v as usize].vapp as usize];
            let value = if tag.category == 0 { a.env } else { a.app };
            value as usize == position
        })
        .map(|v| json!({"type": "VirtualMachine", "id": vm_moid(w, v)}))
        .collect()
}

pub fn route(s: &VcShared, r: &Req, rest: &[&str]) -> VcResult<Response> {
    let w = s.vcd.read();
    let inv = &w.vc;
    let ids: Vec<&str> = rest
        .iter()
        .map(|p| p.strip_prefix("id:").unwrap_or(p))
        .collect();
    let get = *r.method == axum::http::Method::GET;
    let action = r.action().unwrap_or("");
    let v = match (ids.as_slice(), get, action) {
        (["category"], true, _) => json!(inv.categories.iter().map(|c| &c.id).collect::<Vec<_>>()),
        (["category", id], true, _) => category_json(inv, find_category(inv, id)?),
        (["tag"], true, _) => json!(inv.tags.iter().map(|t| &t.id).collect::<Vec<_>>()),
        (["tag", id], true, _) => tag_json(inv, find_tag(inv, id)?),
        // The category comes in the path (/rest) or in the body (/api).
        (["tag", ..], false, "list-tags-for-category") => {
            let body;
            let cat = match ids.get(1) {
                Some(cat) => *cat,
                None => {
                    body = r.json()?;
                    body["category_id"].as_str().unwrap_or_default()
                }
            };
            let c = find_category(inv, cat)?;
            json!(
                inv.categories[c]
                    .tags
                    .iter()
                    .map(|&t| &inv.tags[t as usize].id)
                    .collect::<Vec<_>>()
            )
        }
        (["tag-association"], false, "list-attached-tags") => {
            let body = r.json()?;
            json!(attached(&w, &body["object_id"]))
        }
        (["tag-association"], false, "list-attached-tags-on-objects") => {
            let body = r.json()?;
            let objects = body["object_ids"].as_array().cloned().unwrap_or_default();
            Value::Array(
                objects
                    .iter()
                    .map(|o| json!({"object_id": o, "tag_ids": attached(&w, o)}))
                    .collect(),
            )
        }
        (["tag-association", tag], false, "list-attached-objects") => {
            Value::Array(tagged_vms(&w, find_tag(inv, tag)?))
        }
        _ => {
            return Err(VcError::no_operation(&format!(
                "tagging/{} {action}",
                rest.join("/")
            )));
        }
    };
    Ok(ok(r.d, v))
}
