//! Single inventory objects other than VMs: `GET /vcenter/{datacenter,cluster,datastore,
//! resource-pool}/{id}` (the specification has no host or folder get).

use axum::response::Response;
use serde_json::json;

use super::errors::{VcError, VcResult};
use super::{Req, VcShared, ok};
use crate::sim::inventory::Obj;

pub fn get(s: &VcShared, r: &Req, kind: &str, id: &str) -> VcResult<Response> {
    let w = s.vcd.read();
    let inv = &w.vc;
    let found = inv.find(id);
    let v = match (kind, found) {
        ("datacenter", Some(Obj::Datacenter(i))) => {
            let dc = &inv.datacenters[i as usize];
            let f = |i: u32| inv.folders[i as usize].moid.clone();
            json!({
                "name": dc.name,
                "datastore_folder": f(dc.datastore_folder),
                "host_folder": f(dc.host_folder),
                "network_folder": f(dc.network_folder),
                "vm_folder": f(dc.vm_folder),
            })
        }
        ("cluster", Some(Obj::Cluster(i))) => {
            let c = &inv.clusters[i as usize];
            json!({
                "name": c.name,
                "resource_pool": inv.pools[c.root_pool as usize].moid,
            })
        }
        ("datastore", Some(Obj::Datastore(i))) => {
            let ds = &inv.datastores[i as usize];
            json!({
                "name": ds.name,
                "type": ds.kind,
                "accessible": true,
                "free_space": ds.free,
                "multiple_host_access": true,
                "thin_provisioning_supported": ds.kind != "NFS",
            })
        }
        ("resource-pool", Some(Obj::Pool(i))) => {
            let p = &inv.pools[i as usize];
            let children: Vec<&str> = p
                .children
                .iter()
                .map(|&c| inv.pools[c as usize].moid.as_str())
                .collect();
            json!({"name": p.name, "resource_pools": children})
        }
        ("datacenter" | "cluster" | "datastore" | "resource-pool", _) => {
            return Err(VcError::not_found(id));
        }
        _ => {
            return Err(VcError::no_operation(&format!("/vcenter/{kind}/{id}")));
        }
    };
    Ok(ok(r.d, v))
}
