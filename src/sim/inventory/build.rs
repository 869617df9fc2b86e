//! Builds the vCenter inventory over a generated world: one datacenter per site, one cluster
//! per VDC with `ceil(vms / 40)` hosts, 8 datastores, port groups per vCD network, VM folders per
//! org, a resource pool per VDC, and the Environment / Application tag categories.

use std::collections::HashMap;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::sim::names::{APPS, ENVS};
use crate::sim::world::Id;

fn tagging_id(rng: &mut ChaCha8Rng, kind: &str) -> String {
    let id: Id = rng.random();
    format!(
        "urn:vmomi:InventoryService{kind}:{}:GLOBAL",
        crate::sim::world::uuid_str(id)
    )
}

struct Builder<'a> {
    inv: Inventory,
    next: u32,
    w: &'a mut World,
    rng: ChaCha8Rng,
}

impl Builder<'_> {
    fn moid(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    fn folder(&mut self, prefix: &str, name: &str, kind: FolderKind, parent: u32, dc: u32) -> u32 {
        let moid = self.moid(prefix);
        let i = self.inv.folders.len() as u32;
        self.inv.by_moid.insert(moid.clone(), Obj::Folder(i));
        self.inv.folders.push(Folder {
            moid,
            name: name.into(),
            kind,
            parent: Some(parent),
            dc: Some(dc),
        });
        i
    }

    fn datacenter(&mut self, site: &str) -> u32 {
        let d = self.inv.datacenters.len() as u32;
        let moid = self.moid("datacenter-");
        self.inv.by_moid.insert(moid.clone(), Obj::Datacenter(d));
        let root = self.inv.root_folder;
        let vm_folder = self.folder("group-v", "vm", FolderKind::Vm, root, d);
        let host_folder = self.folder("group-h", "host", FolderKind::Host, root, d);
        let datastore_folder = self.folder("group-s", "datastore", FolderKind::Datastore, root, d);
        let network_folder = self.folder("group-n", "network", FolderKind::Network, root, d);
        let u: Id = self.rng.random();
        let hex = format!("{u:032x}");
        let dvs_uuid = (0..16)
            .map(|b| &hex[b * 2..b * 2 + 2])
            .collect::<Vec<_>>()
            .join(" ");
        self.inv.datacenters.push(Datacenter {
            moid,
            name: format!("dc-{site}"),
            vm_folder,
            host_folder,
            datastore_folder,
            network_folder,
            dvs_uuid,
        });
        self.port_group(d, "VM Network", false);
        self.port_group(d, &format!("dvs-{site}-mgmt"), true);
        d
    }

    fn port_group(&mut self, dc: u32, name: &str, distributed: bool) -> u32 {
        let moid = self.moid(if distributed {
            "dvportgroup-"
        } else {
            "network-"
        });
        let i = self.inv.networks.len() as u32;
        self.inv.by_moid.insert(moid.clone(), Obj::Network(i));
        self.inv.networks.push(PortGroup {
            moid,
            name: name.into(),
            dc,
            distributed,
        });
        i
    }

    fn pool(&mut self, name: String, cluster: u32, parent: Option<u32>) -> u32 {
        let moid = self.moid("resgroup-");
        let i = self.inv.pools.len() as u32;
        self.inv.by_moid.insert(moid.clone(), Obj::Pool(i));
        self.inv.pools.push(Pool {
            moid,
            name,
            cluster,
            parent,
            children: vec![],
        });
        if let Some(p) = parent {
            self.inv.pools[p as usize].children.push(i);
        }
        i
    }
}

/// Lays the vCenter inventory over `w` and places every VM on a host of its VDC's cluster
/// (round robin, so hosts carry at most `ceil(vms / hosts)` VMs).
pub fn build(w: &mut World, seed: u64) {
    let rng = ChaCha8Rng::seed_from_u64(seed ^ 0x7663_656e_7465_7221);
    let mut b = Builder {
        inv: Inventory::default(),
        next: 0,
        w,
        rng,
    };
    let root_moid = b.moid("group-d");
    b.inv.by_moid.insert(root_moid.clone(), Obj::Folder(0));
    b.inv.folders.push(Folder {
        moid: root_moid,
        name: "Datacenters".into(),
        kind: FolderKind::Datacenter,
        parent: None,
        dc: None,
    });
    let mut dc_of_site: HashMap<String, u32> = HashMap::new();
    let mut org_folder: HashMap<(u32, u32), u32> = HashMap::new();
    let vm_count = b.w.vms.len();
    b.inv.vm_host = vec![0; vm_count];
    b.inv.vm_datastore = vec![0; vm_count];
    b.inv.vm_folder = vec![0; vm_count];
    b.inv.vm_pool = vec![0; vm_count];
    for vdc in 0..b.w.vdcs.len() {
        let cname = b.w.vdcs[vdc].cluster.clone();
        let site: String = cname
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        let dc = match dc_of_site.get(&site) {
            Some(&d) => d,
            None => {
                let d = b.datacenter(&site);
                dc_of_site.insert(site.clone(), d);
                d
            }
        };
        let c = b.inv.clusters.len() as u32;
        let moid = b.moid("domain-c");
        b.inv.by_moid.insert(moid.clone(), Obj::Cluster(c));
        let root_pool = b.pool("Resources".into(), c, None);
        let vdc_pool = b.pool(
            format!(
                "{} ({})",
                b.w.vdcs[vdc].name,
                crate::sim::world::uuid_str(b.w.vdcs[vdc].id)
            ),
            c,
            Some(root_pool),
        );
        let vms: Vec<usize> = b.w.vdcs[vdc]
            .vapps
            .iter()
            .flat_map(|&a| b.w.vapps[a as usize].vms())
            .collect();
        let host_count = vms.len().div_ceil(VMS_PER_HOST).clamp(2, 255);
        let mut hosts = vec![];
        for h in 1..=host_count {
            let moid = b.moid("host-");
            let i = b.inv.hosts.len() as u32;
            b.inv.by_moid.insert(moid.clone(), Obj::Host(i));
            b.inv.hosts.push(Host {
                moid,
                name: format!("esx-{cname}-{h:02}.sim.local"),
                cluster: c,
                vms: vec![],
            });
            hosts.push(i);
        }
        let kind = match vdc % 5 {
            0 | 2 => "VMFS",
            1 => "VSAN",
            3 => "NFS41",
            _ => "NFS",
        };
        let mut used = [0u64; DATASTORES_PER_CLUSTER];
        let org = b.w.vdcs[vdc].org;
        let folder = match org_folder.get(&(dc, org)) {
            Some(&f) => f,
            None => {
                let parent = b.inv.datacenters[dc as usize].vm_folder;
                let name = b.w.orgs[org as usize].name.clone();
                let f = b.folder(
                    "group-v",
                    &format!("vcd-{name}"),
                    FolderKind::Vm,
                    parent,
                    dc,
                );
                org_folder.insert((dc, org), f);
                f
            }
        };
        for (k, &v) in vms.iter().enumerate() {
            let vm = &mut b.w.vms[v];
            vm.host = (k % host_count + 1) as u8;
            let host = hosts[k % host_count];
            b.inv.hosts[host as usize].vms.push(v as u32);
            b.inv.vm_host[v] = host;
            let ds = (vm.datastore as usize - 1) % DATASTORES_PER_CLUSTER;
            used[ds] += vm.disks_gb.iter().map(|g| u64::from(*g) << 30).sum::<u64>();
            b.inv.vm_folder[v] = folder;
            b.inv.vm_pool[v] = vdc_pool;
        }
        let mut datastores = vec![];
        for (d, used) in used.iter().enumerate() {
            let moid = b.moid("datastore-");
            let i = b.inv.datastores.len() as u32;
            b.inv.by_moid.insert(moid.clone(), Obj::Datastore(i));
            let tib = b.rng.random_range(4..=16u64) << 40;
            let capacity = tib.max(used * 3 / 2);
            b.inv.datastores.push(Datastore {
                moid,
                name: format!("ds-{cname}-{:02}", d + 1),
                cluster: c,
                kind,
                capacity,
                free: capacity - used,
            });
            datastores.push(i);
        }
        for &v in &vms {
            let ds = (b.w.vms[v].datastore as usize - 1) % DATASTORES_PER_CLUSTER;
            b.inv.vm_datastore[v] = datastores[ds];
        }
        let (ha, drs) = (vdc % 7 != 3, vdc % 4 != 2);
        b.inv.clusters.push(Cluster {
            moid,
            name: format!("cl-{cname}"),
            dc,
            vdc: vdc as u32,
            ha,
            drs,
            hosts,
            datastores,
            root_pool,
        });
        b.inv.vdc_cluster.push(c);
    }
    for n in 0..b.w.networks.len() {
        let vdc = b.w.networks[n].vdc as usize;
        let dc = b.inv.clusters[b.inv.vdc_cluster[vdc] as usize].dc;
        let name = b.w.networks[n].name.clone();
        let pg = b.port_group(dc, &name, true);
        b.inv.vcd_net_pg.push(pg);
    }
    let groups: [(&str, &str, Vec<String>); 2] = [
        (
            "Environment",
            "Lifecycle stage of the workload",
            ENVS.iter().map(|s| s.to_string()).collect(),
        ),
        (
            "Application",
            "Business application the VM belongs to",
            APPS.iter().map(|s| s.to_string()).collect(),
        ),
    ];
    for (name, description, tags) in groups {
        let c = b.inv.categories.len() as u32;
        let id = tagging_id(&mut b.rng, "Category");
        let mut members = vec![];
        for t in tags {
            members.push(b.inv.tags.len() as u32);
            let id = tagging_id(&mut b.rng, "Tag");
            b.inv.tags.push(Tag {
                id,
                name: t,
                category: c,
            });
        }
        b.inv.categories.push(Category {
            id,
            name,
            description,
            tags: members,
        });
    }
    let mut inv = b.inv;
    inv.folder_vms = vec![Vec::new(); inv.folders.len()];
    for (v, &f) in inv.vm_folder.iter().enumerate() {
        inv.folder_vms[f as usize].push(v as u32);
    }
    w.vc = inv;
}
