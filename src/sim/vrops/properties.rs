//! Properties: what the vCenter adapter reports about each resource (power state, guest OS,
//! sizes, placement), read from the world at request time; `GET /resources/{id}/properties` and
//! `POST /resources/properties/latest/query`.

use axum::response::Response;
use serde_json::{Value, json};

use super::resources::{self, Res};
use super::{ApiError, ApiResult, Req, VropsShared, limits, now_ms, ok};
use crate::sim::world::{Power, Tools, World, uuid_str};

fn num(v: impl Into<f64>) -> String {
    format!("{:?}", v.into())
}

/// Every property of `r`, as (key, value) pairs sorted by key.
pub fn of(s: &VropsShared, w: &World, r: Res) -> Vec<(&'static str, String)> {
    let inv = &w.vc;
    let mut p: Vec<(&'static str, String)> = match r {
        Res::Adapter => vec![
            ("summary|version", "8.0.2".to_string()),
            ("summary|vcuuid", uuid_str(w.vcenter)),
            ("summary|url", format!("{}/sdk", s.vcenter_url)),
        ],
        Res::Datacenter(_) => vec![("summary|parentVcenter", resources::ADAPTER_NAME.into())],
        Res::Cluster(c) => {
            let c = &inv.clusters[c as usize];
            vec![
                ("configuration|dasConfig|enabled", c.ha.to_string()),
                ("configuration|drsConfig|enabled", c.drs.to_string()),
                ("summary|number_host", num(c.hosts.len() as u32)),
                (
                    "summary|parentDatacenter",
                    inv.datacenters[c.dc as usize].name.clone(),
                ),
            ]
        }
        Res::Host(h) => {
            let h = &inv.hosts[h as usize];
            vec![
                ("runtime|connectionState", "connected".into()),
                ("runtime|maintenanceState", "notInMaintenance".into()),
                ("summary|number_vm", num(h.vms.len() as u32)),
                (
                    "summary|parentCluster",
                    inv.clusters[h.cluster as usize].name.clone(),
                ),
            ]
        }
        Res::Datastore(d) => {
            let d = &inv.datastores[d as usize];
            let gb = |b: u64| num((b as f64 / 1024f64.powi(3)).round());
            vec![
                ("summary|type", d.kind.to_string()),
                ("summary|diskCapacity", gb(d.capacity)),
                ("summary|freeSpace", gb(d.free)),
                (
                    "summary|parentCluster",
                    inv.clusters[d.cluster as usize].name.clone(),
                ),
            ]
        }
        Res::Vm(v) | Res::Twin(v) => {
            let vm = &w.vms[v as usize];
            let power = match vm.power {
                Power::On => "Powered On",
                Power::Off => "Powered Off",
                Power::Suspended => "Suspended",
            };
            let tools = match (vm.tools, vm.power) {
                (Tools::NotInstalled, _) => "guestToolsNotInstalled",
                (_, Power::On) => "guestToolsRunning",
                _ => "guestToolsNotRunning",
            };
            let host = &inv.hosts[inv.vm_host[v as usize] as usize];
            let mut p = vec![
                ("summary|runtime|powerState", power.to_string()),
                ("config|name", vm.name.clone()),
                ("config|guestFullName", vm.os().0.to_string()),
                ("config|hardware|num_Cpu", num(vm.cpus)),
                ("config|hardware|memoryKB", num(vm.mem_mb as f64 * 1024.0)),
                (
                    "config|hardware|diskSpace",
                    num(vm.disks_gb.iter().sum::<u32>()),
                ),
                ("config|version", format!("vmx-{}", vm.hw_version)),
                ("summary|guest|toolsRunningStatus", tools.to_string()),
                ("summary|parentHost", host.name.clone()),
                (
                    "summary|parentCluster",
                    inv.clusters[host.cluster as usize].name.clone(),
                ),
                (
                    "summary|datastore",
                    inv.datastores[inv.vm_datastore[v as usize] as usize]
                        .name
                        .clone(),
                ),
                ("summary|parentVcenter", resources::ADAPTER_NAME.into()),
            ];
            if let Some(ip) = w.primary_ip(v).filter(|_| vm.power == Power::On) {
                p.push(("summary|guest|ipAddress", ip));
            }
            p
        }
    };
    p.sort();
    p
}

pub fn get(s: &VropsShared, id: &str) -> ApiResult<Response> {
    let w = s.vcd.read();
    let r = resources::find(s, &w, id)?;
    let props: Vec<Value> = of(s, &w, r)
        .into_iter()
        .map(|(name, value)| json!({"name": name, "value": value}))
        .collect();
    ok(json!({"resourceId": id, "property": props}))
}

fn list(v: &Value, key: &str) -> Vec<String> {
    v[key]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

pub fn query(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    let body = r.json()?;
    let ids = list(&body, "resourceIds");
    let keys = list(&body, "propertyKeys");
    limits::check_ids(ids.len())?;
    if ids.is_empty() || keys.is_empty() {
        return Err(ApiError::bad_request(
            "resourceIds and propertyKeys are required",
        ));
    }
    let w = s.vcd.read();
    let now = now_ms();
    let values: Vec<Value> = ids
        .iter()
        .filter_map(|id| resources::resolve(s, &w, id))
        .map(|res| {
            let contents: Vec<Value> = of(s, &w, res)
                .into_iter()
                .filter(|(k, _)| keys.iter().any(|q| q == k))
                .map(|(k, v)| json!({"statKey": k, "timestamps": [now], "values": [v]}))
                .collect();
            json!({
                "resourceId": res.id(s.seed()),
                "property-contents": {"property-content": contents},
            })
        })
        .collect();
    ok(json!({ "values": values }))
}
