//! Inventory lists (`/vcenter/{vm,host,cluster,datacenter,datastore,network,folder,
//! resource-pool}`): filters per the specification, no paging, and the server's cap — a list
//! whose filtered result is over it fails with `unable_to_allocate_resource`.

use axum::response::Response;
use serde::{Serialize, Serializer};
use serde_json::{Value, json};

use super::errors::{VcError, VcResult};
use super::query::{Filters, pass, pass_any};
use super::vm::power_state;
use super::{Req, VcShared, VcenterVersion, ok, ok_typed};
use crate::sim::inventory::{Inventory, Obj, vm_index};
use crate::sim::world::World;

/// The cap on one list of `kind` for this server.
pub fn cap(s: &VcShared, kind: &str) -> usize {
    s.list_cap.unwrap_or(match (s.version, kind) {
        (VcenterVersion::V6_7, _) => 1000,
        (_, "vm") => 4000,
        (_, "host" | "datastore") => 2500,
        _ => 1000,
    })
}

pub fn list(s: &VcShared, r: &Req, kind: &str) -> VcResult<Response> {
    let w = s.vcd.read();
    let (what, noun) = match kind {
        "vm" => ("vm", "virtual machines"),
        "host" => ("host", "hosts"),
        "cluster" => ("cluster", "clusters"),
        "datacenter" => ("datacenter", "datacenters"),
        "datastore" => ("datastore", "datastores"),
        "network" => ("network", "networks"),
        "folder" => ("folder", "folders"),
        "resource-pool" => ("resource_pool", "resource pools"),
        _ => return Err(VcError::no_operation(&format!("/vcenter/{kind}"))),
    };
    let found = match kind {
        "vm" => vms(&w, r, cap(s, kind))?,
        "host" => hosts(&w.vc, r)?,
        "cluster" => clusters(&w.vc, r)?,
        "datacenter" => datacenters(&w.vc, r)?,
        "datastore" => datastores(&w.vc, r)?,
        "network" => networks(&w.vc, r)?,
        "folder" => folders(&w.vc, r)?,
        _ => pools(&w.vc, r)?,
    };
    if found.len() > cap(s, kind) {
        return Err(VcError::too_many(what, noun));
    }
    if kind == "vm" {
        return Ok(ok_typed(
            r.d,
            &VmList {
                w: &w,
                found: &found,
            },
        ));
    }
    let inv = &w.vc;
    let items: Vec<Value> = found
        .into_iter()
        .map(|i| {
            let i = i as usize;
            match kind {
                "host" => json!({
                    "host": inv.hosts[i].moid,
                    "name": inv.hosts[i].name,
                    "connection_state": "CONNECTED",
                    "power_state": "POWERED_ON",
                }),
                "cluster" => json!({
                    "cluster": inv.clusters[i].moid,
                    "name": inv.clusters[i].name,
                    "ha_enabled": inv.clusters[i].ha,
                    "drs_enabled": inv.clusters[i].drs,
                }),
                "datacenter" => json!({
                    "datacenter": inv.datacenters[i].moid,
                    "name": inv.datacenters[i].name,
                }),
                "datastore" => json!({
                    "datastore": inv.datastores[i].moid,
                    "name": inv.datastores[i].name,
                    "type": inv.datastores[i].kind,
                    "free_space": inv.datastores[i].free,
                    "capacity": inv.datastores[i].capacity,
                }),
                "network" => json!({
                    "network": inv.networks[i].moid,
                    "name": inv.networks[i].name,
                    "type": network_type(inv, i as u32),
                }),
                "folder" => json!({
                    "folder": inv.folders[i].moid,
                    "name": inv.folders[i].name,
                    "type": inv.folders[i].kind.api_name(),
                }),
                _ => json!({
                    "resource_pool": inv.pools[i].moid,
                    "name": inv.pools[i].name,
                }),
            }
        })
        .collect();
    Ok(ok(r.d, Value::Array(items)))
}

/// A VM list, written straight from the world: a big world answers 723 of them to one
/// snapshot view, and building each as a `Value` first was a share of the simulator's time
/// (issue 18). The bytes are those of the `Value` list it replaces (`tests`).
struct VmList<'a> {
    w: &'a World,
    found: &'a [u32],
}

/// One VM's summary; its fields in the order a `Value` map writes them (sorted).
#[derive(Serialize)]
struct VmSummary<'a> {
    cpu_count: u8,
    #[serde(rename = "memory_size_MiB")]
    memory: u32,
    name: &'a str,
    power_state: &'static str,
    vm: Moid,
}

/// `vm-N`, written without a `String` of its own.
struct Moid(u32);

impl Serialize for Moid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("vm-{}", self.0))
    }
}

impl Serialize for VmList<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.found.iter().map(|&i| {
            let vm = &self.w.vms[i as usize];
            VmSummary {
                cpu_count: vm.cpus,
                memory: vm.mem_mb,
                name: &vm.name,
                power_state: power_state(vm.power),
                vm: Moid(vm.moref),
            }
        }))
    }
}

pub fn network_type(inv: &Inventory, n: u32) -> &'static str {
    if inv.networks[n as usize].distributed {
        "DISTRIBUTED_PORTGROUP"
    } else {
        "STANDARD_PORTGROUP"
    }
}

macro_rules! obj_set {
    ($f:expr, $inv:expr, $key:expr, $variant:ident) => {
        $f.set($key, |m| match $inv.find(m) {
            Some(Obj::$variant(i)) => Some(i),
            _ => None,
        })
    };
}

/// A VM list's answer, in VM order. Its candidates come from the narrowest index a filter
/// names (ids, hosts, clusters, datacenters, folders), so a list costs its answer, not a pass
/// over every VM; a list over the cap is refused from the index's count when that filter is
/// the only one (the whole inventory's and a datacenter's lists of a big vCenter: issue 18).
fn vms(w: &World, r: &Req, cap: usize) -> VcResult<Vec<u32>> {
    let f = Filters::parse(
        r,
        &[
            "vms",
            "names",
            "folders",
            "datacenters",
            "hosts",
            "clusters",
            "resource_pools",
            "power_states",
        ],
    )?;
    let inv = &w.vc;
    let ids = f.set("vms", |m| vm_index(w, m));
    let names = f.set("names", |n| Some(n.to_string()));
    let folders = obj_set!(f, inv, "folders", Folder);
    let dcs = obj_set!(f, inv, "datacenters", Datacenter);
    let hosts = obj_set!(f, inv, "hosts", Host);
    let clusters = obj_set!(f, inv, "clusters", Cluster);
    let pools = obj_set!(f, inv, "resource_pools", Pool);
    let power = f.enums("power_states", &["POWERED_OFF", "POWERED_ON", "SUSPENDED"])?;
    let keys = f.key_count();
    let all_hosts = 0..inv.hosts.len() as u32;
    // Each index as the VM lists it unites (disjoint: a VM has one host and one folder).
    let host_lists = |hs: &mut dyn Iterator<Item = u32>| -> Vec<&[u32]> {
        hs.map(|h| inv.hosts[h as usize].vms.as_slice()).collect()
    };
    let mut sources: Vec<Vec<&[u32]>> = Vec::new();
    let id_list: Vec<u32>;
    if let Some(ids) = &ids {
        id_list = ids.iter().copied().collect();
        sources.push(vec![&id_list]);
    }
    if let Some(hs) = &hosts {
        sources.push(host_lists(&mut hs.iter().copied()));
    }
    if let Some(cs) = &clusters {
        let mut hs = (cs.iter()).flat_map(|&c| inv.clusters[c as usize].hosts.iter().copied());
        sources.push(host_lists(&mut hs));
    }
    if let Some(ds) = &dcs {
        let mut hs = (all_hosts.clone())
            .filter(|&h| ds.contains(&inv.clusters[inv.hosts[h as usize].cluster as usize].dc));
        sources.push(host_lists(&mut hs));
    }
    if let Some(fs) = &folders {
        let under = |fo: &u32| inv.folder_chain(*fo).any(|a| fs.contains(&a));
        sources.push(
            (0..inv.folder_vms.len() as u32)
                .filter(under)
                .map(|fo| inv.folder_vms[fo as usize].as_slice())
                .collect(),
        );
    }
    let count = |lists: &Vec<&[u32]>| lists.iter().map(|l| l.len()).sum::<usize>();
    let narrowest = sources.into_iter().min_by_key(count);
    // The index's lists are the answer when their filter is the only one.
    let exact = keys == 0 || (keys == 1 && narrowest.is_some());
    let over = match &narrowest {
        Some(lists) => count(lists) > cap,
        None => w.vms.len() > cap,
    };
    if exact && over {
        return Err(VcError::too_many("vm", "virtual machines"));
    }
    let mut candidates: Vec<u32> = match narrowest {
        Some(lists) => lists.concat(),
        None => (0..w.vms.len() as u32).collect(),
    };
    candidates.sort_unstable();
    candidates.dedup();
    if !exact {
        candidates.retain(|&v| {
            let vm = &w.vms[v as usize];
            let host = inv.vm_host[v as usize];
            let cluster = inv.hosts[host as usize].cluster;
            let dc = inv.clusters[cluster as usize].dc;
            pass(&ids, &v)
                && pass(&names, &vm.name)
                && pass(&hosts, &host)
                && pass(&clusters, &cluster)
                && pass(&dcs, &dc)
                && power
                    .as_ref()
                    .is_none_or(|p| p.contains(power_state(vm.power)))
                && pass_any(&folders, inv.folder_chain(inv.vm_folder[v as usize]))
                && pass_any(&pools, inv.pool_chain(inv.vm_pool[v as usize]))
        });
    }
    Ok(candidates)
}

fn hosts(inv: &Inventory, r: &Req) -> VcResult<Vec<u32>> {
    let f = Filters::parse(
        r,
        &[
            "hosts",
            "names",
            "folders",
            "datacenters",
            "standalone",
            "clusters",
            "connection_states",
        ],
    )?;
    let ids = obj_set!(f, inv, "hosts", Host);
    let names = f.set("names", |n| Some(n.to_string()));
    let folders = obj_set!(f, inv, "folders", Folder);
    let dcs = obj_set!(f, inv, "datacenters", Datacenter);
    let clusters = obj_set!(f, inv, "clusters", Cluster);
    let standalone = f.boolean("standalone")?;
    let states = f.enums(
        "connection_states",
        &["CONNECTED", "DISCONNECTED", "NOT_RESPONDING"],
    )?;
    Ok((0..inv.hosts.len() as u32)
        .filter(|&h| {
            let host = &inv.hosts[h as usize];
            let dc = inv.clusters[host.cluster as usize].dc;
            pass(&ids, &h)
                && pass(&names, &host.name)
                && pass(&clusters, &host.cluster)
                && pass(&dcs, &dc)
                && standalone != Some(true)
                && pass(&states, &"CONNECTED".to_string())
                && pass_any(
                    &folders,
                    inv.folder_chain(inv.datacenters[dc as usize].host_folder),
                )
        })
        .collect())
}

fn clusters(inv: &Inventory, r: &Req) -> VcResult<Vec<u32>> {
    let f = Filters::parse(r, &["clusters", "names", "folders", "datacenters"])?;
    let ids = obj_set!(f, inv, "clusters", Cluster);
    let names = f.set("names", |n| Some(n.to_string()));
    let folders = obj_set!(f, inv, "folders", Folder);
    let dcs = obj_set!(f, inv, "datacenters", Datacenter);
    Ok((0..inv.clusters.len() as u32)
        .filter(|&c| {
            let cl = &inv.clusters[c as usize];
            pass(&ids, &c)
                && pass(&names, &cl.name)
                && pass(&dcs, &cl.dc)
                && pass_any(
                    &folders,
                    inv.folder_chain(inv.datacenters[cl.dc as usize].host_folder),
                )
        })
        .collect())
}

fn datacenters(inv: &Inventory, r: &Req) -> VcResult<Vec<u32>> {
    let f = Filters::parse(r, &["datacenters", "names", "folders"])?;
    let ids = obj_set!(f, inv, "datacenters", Datacenter);
    let names = f.set("names", |n| Some(n.to_string()));
    let folders = obj_set!(f, inv, "folders", Folder);
    Ok((0..inv.datacenters.len() as u32)
        .filter(|&d| {
            pass(&ids, &d)
                && pass(&names, &inv.datacenters[d as usize].name)
                && pass_any(&folders, inv.folder_chain(inv.root_folder))
        })
        .collect())
}

fn datastores(inv: &Inventory, r: &Req) -> VcResult<Vec<u32>> {
    let f = Filters::parse(
        r,
        &["datastores", "names", "types", "folders", "datacenters"],
    )?;
    let ids = obj_set!(f, inv, "datastores", Datastore);
    let names = f.set("names", |n| Some(n.to_string()));
    let folders = obj_set!(f, inv, "folders", Folder);
    let dcs = obj_set!(f, inv, "datacenters", Datacenter);
    let types = f.enums(
        "types",
        &["VMFS", "NFS", "NFS41", "CIFS", "VSAN", "VFFS", "VVOL"],
    )?;
    Ok((0..inv.datastores.len() as u32)
        .filter(|&d| {
            let ds = &inv.datastores[d as usize];
            let dc = inv.clusters[ds.cluster as usize].dc;
            pass(&ids, &d)
                && pass(&names, &ds.name)
                && pass(&dcs, &dc)
                && pass(&types, &ds.kind.to_string())
                && pass_any(
                    &folders,
                    inv.folder_chain(inv.datacenters[dc as usize].datastore_folder),
                )
        })
        .collect())
}

fn networks(inv: &Inventory, r: &Req) -> VcResult<Vec<u32>> {
    let f = Filters::parse(r, &["networks", "names", "types", "folders", "datacenters"])?;
    let ids = obj_set!(f, inv, "networks", Network);
    let names = f.set("names", |n| Some(n.to_string()));
    let folders = obj_set!(f, inv, "folders", Folder);
    let dcs = obj_set!(f, inv, "datacenters", Datacenter);
    let types = f.enums(
        "types",
        &[
            "STANDARD_PORTGROUP",
            "DISTRIBUTED_PORTGROUP",
            "OPAQUE_NETWORK",
        ],
    )?;
    Ok((0..inv.networks.len() as u32)
        .filter(|&n| {
            let pg = &inv.networks[n as usize];
            pass(&ids, &n)
                && pass(&names, &pg.name)
                && pass(&dcs, &pg.dc)
                && pass(&types, &network_type(inv, n).to_string())
                && pass_any(
                    &folders,
                    inv.folder_chain(inv.datacenters[pg.dc as usize].network_folder),
                )
        })
        .collect())
}

fn folders(inv: &Inventory, r: &Req) -> VcResult<Vec<u32>> {
    let f = Filters::parse(
        r,
        &["folders", "names", "type", "parent_folders", "datacenters"],
    )?;
    let ids = obj_set!(f, inv, "folders", Folder);
    let names = f.set("names", |n| Some(n.to_string()));
    let parents = obj_set!(f, inv, "parent_folders", Folder);
    let dcs = obj_set!(f, inv, "datacenters", Datacenter);
    let kind = f.enums(
        "type",
        &[
            "DATACENTER",
            "DATASTORE",
            "HOST",
            "NETWORK",
            "VIRTUAL_MACHINE",
        ],
    )?;
    Ok((0..inv.folders.len() as u32)
        .filter(|&i| {
            let fo = &inv.folders[i as usize];
            pass(&ids, &i)
                && pass(&names, &fo.name)
                && pass(&kind, &fo.kind.api_name().to_string())
                && pass_any(&parents, fo.parent.into_iter())
                && pass_any(&dcs, fo.dc.into_iter())
        })
        .collect())
}

fn pools(inv: &Inventory, r: &Req) -> VcResult<Vec<u32>> {
    let f = Filters::parse(
        r,
        &[
            "resource_pools",
            "names",
            "parent_resource_pools",
            "datacenters",
            "hosts",
            "clusters",
        ],
    )?;
    let ids = obj_set!(f, inv, "resource_pools", Pool);
    let names = f.set("names", |n| Some(n.to_string()));
    let parents = obj_set!(f, inv, "parent_resource_pools", Pool);
    let dcs = obj_set!(f, inv, "datacenters", Datacenter);
    let hosts = obj_set!(f, inv, "hosts", Host);
    let clusters = obj_set!(f, inv, "clusters", Cluster);
    Ok((0..inv.pools.len() as u32)
        .filter(|&p| {
            let pool = &inv.pools[p as usize];
            let cl = &inv.clusters[pool.cluster as usize];
            pass(&ids, &p)
                && pass(&names, &pool.name)
                && pass_any(&parents, pool.parent.into_iter())
                && pass(&clusters, &pool.cluster)
                && pass(&dcs, &cl.dc)
                && pass_any(&hosts, cl.hosts.iter().copied())
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::inventory::vm_moid;

    /// A VM list written straight from the world has the bytes of the `Value` list it
    /// replaces, in both dialects, with names that need escaping.
    #[test]
    fn written_vm_lists_are_the_value_bytes() {
        let mut w = crate::sim::generate::generate(300, 42);
        w.vms[1].name = "web \"01\" \\ tab\t\u{1} é".into();
        let found: Vec<u32> = (0..w.vms.len() as u32)
            .filter(|i| i % 3 != 1 || *i == 1)
            .collect();
        let values: Vec<Value> = (found.iter())
            .map(|&i| {
                let vm = &w.vms[i as usize];
                json!({
                    "vm": vm_moid(&w, i),
                    "name": vm.name,
                    "power_state": power_state(vm.power),
                    "cpu_count": vm.cpus,
                    "memory_size_MiB": vm.mem_mb,
                })
            })
            .collect();
        let list = VmList {
            w: &w,
            found: &found,
        };
        let api = serde_json::to_string(&list).unwrap();
        assert_eq!(api, Value::Array(values.clone()).to_string());
        let rest = serde_json::to_string(&super::super::Wrapped { value: &list }).unwrap();
        assert_eq!(rest, json!({ "value": values }).to_string());
        assert!(api.contains(r#""web \"01\" \\ tab\t\u0001 é""#), "{api}");
    }

    /// The VM list as it was before the indexes: every VM passed through every filter. The
    /// reference the indexed list must answer like.
    fn scanned(w: &World, r: &Req) -> Vec<u32> {
        let keys = [
            "vms",
            "names",
            "folders",
            "datacenters",
            "hosts",
            "clusters",
        ];
        let keys = [&keys[..], &["resource_pools", "power_states"]].concat();
        let f = Filters::parse(r, &keys);
        let f = f.expect("the test's filters");
        let inv = &w.vc;
        let ids = f.set("vms", |m| vm_index(w, m));
        let names = f.set("names", |n| Some(n.to_string()));
        let folders = obj_set!(f, inv, "folders", Folder);
        let dcs = obj_set!(f, inv, "datacenters", Datacenter);
        let hosts = obj_set!(f, inv, "hosts", Host);
        let clusters = obj_set!(f, inv, "clusters", Cluster);
        let pools = obj_set!(f, inv, "resource_pools", Pool);
        let power = f.set("power_states", |p| Some(p.to_string()));
        (0..w.vms.len() as u32)
            .filter(|&v| {
                let vm = &w.vms[v as usize];
                let host = inv.vm_host[v as usize];
                let cluster = inv.hosts[host as usize].cluster;
                let dc = inv.clusters[cluster as usize].dc;
                pass(&ids, &v)
                    && pass(&names, &vm.name)
                    && pass(&hosts, &host)
                    && pass(&clusters, &cluster)
                    && pass(&dcs, &dc)
                    && pass(&power, &power_state(vm.power).to_string())
                    && pass_any(&folders, inv.folder_chain(inv.vm_folder[v as usize]))
                    && pass_any(&pools, inv.pool_chain(inv.vm_pool[v as usize]))
            })
            .collect()
    }

    /// Every filter alone and in pairs, over and under the cap, answers as the scan over
    /// every VM did: the same VMs in the same order, or the same refusal when over the cap.
    #[test]
    fn indexed_vm_lists_answer_as_the_scan_did() {
        let w = crate::sim::generate::generate(3000, 7);
        let inv = &w.vc;
        assert!(
            inv.datacenters.len() > 1 && inv.clusters.len() > 2,
            "a world worth splitting"
        );
        let (dc, cl, host) = (&inv.datacenters, &inv.clusters, &inv.hosts);
        let vm_folder = &inv.folders[inv.vm_folder[5] as usize].moid;
        let pool = &inv.pools[inv.vm_pool[9] as usize].moid;
        let q = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            (pairs.iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let queries: Vec<Vec<(String, String)>> = vec![
            q(&[]),
            q(&[("datacenters", &dc[0].moid)]),
            q(&[("datacenters", &dc[1].moid), ("datacenters", &dc[0].moid)]),
            q(&[("datacenters", "datacenter-nope")]),
            q(&[("clusters", &cl[0].moid)]),
            q(&[("clusters", &cl[2].moid), ("clusters", &cl[1].moid)]),
            q(&[("hosts", &host[3].moid)]),
            q(&[("hosts", &host[3].moid), ("hosts", &host[0].moid)]),
            q(&[("folders", &inv.folders[0].moid)]),
            q(&[("folders", &dc[0].moid)]),
            q(&[("folders", &inv.folders[dc[1].vm_folder as usize].moid)]),
            q(&[("folders", vm_folder)]),
            q(&[("folders", vm_folder), ("datacenters", &dc[0].moid)]),
            q(&[("folders", vm_folder), ("datacenters", &dc[1].moid)]),
            q(&[
                ("vms", "vm-1"),
                ("vms", &vm_moid(&w, 17)),
                ("vms", &vm_moid(&w, 4)),
            ]),
            q(&[("names", &w.vms[8].name)]),
            q(&[("power_states", "POWERED_OFF")]),
            q(&[("power_states", "POWERED_ON"), ("hosts", &host[1].moid)]),
            q(&[("resource_pools", pool)]),
            q(&[("resource_pools", pool), ("clusters", &cl[0].moid)]),
            q(&[("clusters", &cl[0].moid), ("datacenters", &dc[1].moid)]),
            q(&[
                ("clusters", &cl[1].moid),
                ("hosts", &cl[1].hosts[0].to_string()),
            ]),
            q(&[
                ("clusters", &cl[1].moid),
                ("hosts", &host[cl[1].hosts[0] as usize].moid),
            ]),
        ];
        let (method, headers) = (axum::http::Method::GET, axum::http::HeaderMap::new());
        for query in queries {
            let r = Req {
                d: super::super::Dialect::Api,
                method: &method,
                parts: vec!["vcenter".into(), "vm".into()],
                query: query.clone(),
                body: &[],
                headers: &headers,
            };
            let expected = scanned(&w, &r);
            for cap in [
                usize::MAX,
                200,
                expected.len(),
                expected.len().saturating_sub(1),
            ] {
                match vms(&w, &r, cap) {
                    // The list's own check refuses what the index did not.
                    Ok(found) if found.len() > cap => {
                        assert_eq!(found, expected, "{query:?}");
                    }
                    Ok(found) => assert_eq!(found, expected, "{query:?} cap {cap}"),
                    Err(e) => {
                        assert_eq!(e.kind, "unable_to_allocate_resource", "{query:?}");
                        assert!(
                            expected.len() > cap,
                            "{query:?} refused under the cap {cap}"
                        );
                    }
                }
            }
        }
    }
}
