//! vCenter's view of the generated world: datacenters (one per site), clusters (one per VDC),
//! hosts (~40 VMs each), datastores, port groups, folders, resource pools and tags, with moids.
//! Built after generation from its own rng, so the vCD world stays exactly as generated.

mod build;

use std::collections::HashMap;

use super::world::World;

pub use build::build;

/// Target VMs per host; a cluster gets `ceil(vms / 40)` hosts (at least 2, at most 255).
pub const VMS_PER_HOST: usize = 40;
/// Datastores per cluster (VMs already carry `datastore` 1..=8).
pub const DATASTORES_PER_CLUSTER: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FolderKind {
    Datacenter,
    Datastore,
    Host,
    Network,
    Vm,
}

impl FolderKind {
    pub fn api_name(self) -> &'static str {
        match self {
            FolderKind::Datacenter => "DATACENTER",
            FolderKind::Datastore => "DATASTORE",
            FolderKind::Host => "HOST",
            FolderKind::Network => "NETWORK",
            FolderKind::Vm => "VIRTUAL_MACHINE",
        }
    }
}

pub struct Folder {
    pub moid: String,
    pub name: String,
    pub kind: FolderKind,
    pub parent: Option<u32>,
    pub dc: Option<u32>,
}

pub struct Datacenter {
    pub moid: String,
    pub name: String,
    /// vm, host, datastore, network folder indexes.
    pub vm_folder: u32,
    pub host_folder: u32,
    pub datastore_folder: u32,
    pub network_folder: u32,
    pub dvs_uuid: String,
}

pub struct Cluster {
    pub moid: String,
    pub name: String,
    pub dc: u32,
    pub vdc: u32,
    pub ha: bool,
    pub drs: bool,
    pub hosts: Vec<u32>,
    pub datastores: Vec<u32>,
    pub root_pool: u32,
}

pub struct Host {
    pub moid: String,
    pub name: String,
    pub cluster: u32,
    pub vms: Vec<u32>,
}

pub struct Datastore {
    pub moid: String,
    pub name: String,
    pub cluster: u32,
    pub kind: &'static str,
    pub capacity: u64,
    pub free: u64,
}

pub struct PortGroup {
    pub moid: String,
    pub name: String,
    pub dc: u32,
    pub distributed: bool,
}

pub struct Pool {
    pub moid: String,
    pub name: String,
    pub cluster: u32,
    pub parent: Option<u32>,
    pub children: Vec<u32>,
}

pub struct Category {
    pub id: String,
    pub name: &'static str,
    pub description: &'static str,
    pub tags: Vec<u32>,
}

pub struct Tag {
    pub id: String,
    pub name: String,
    pub category: u32,
}

/// Any inventory object except a VM, found by moid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Obj {
    Datacenter(u32),
    Folder(u32),
    Cluster(u32),
    Host(u32),
    Pool(u32),
    Datastore(u32),
    Network(u32),
}

/// Per-VM placement is indexed like `World::vms`.
#[derive(Default)]
pub struct Inventory {
    pub root_folder: u32,
    pub folders: Vec<Folder>,
    pub datacenters: Vec<Datacenter>,
    pub clusters: Vec<Cluster>,
    pub hosts: Vec<Host>,
    pub datastores: Vec<Datastore>,
    pub networks: Vec<PortGroup>,
    pub pools: Vec<Pool>,
    pub categories: Vec<Category>,
    pub tags: Vec<Tag>,
    /// Cluster of each VDC.
    pub vdc_cluster: Vec<u32>,
    /// Port group of each vCD network.
    pub vcd_net_pg: Vec<u32>,
    pub vm_host: Vec<u32>,
    pub vm_datastore: Vec<u32>,
    pub vm_folder: Vec<u32>,
    pub vm_pool: Vec<u32>,
    /// The VMs directly in each folder (`vm_folder` inverted), so that a VM list filtered by
    /// folder costs its answer, not a pass over every VM.
    pub folder_vms: Vec<Vec<u32>>,
    pub by_moid: HashMap<String, Obj>,
}

impl Inventory {
    pub fn find(&self, moid: &str) -> Option<Obj> {
        self.by_moid.get(moid).copied()
    }

    /// Folder chain from `f` up to the root, `f` included.
    pub fn folder_chain(&self, f: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(f), |&f| self.folders[f as usize].parent)
    }

    /// Pool chain from `p` up to its cluster's root pool, `p` included.
    pub fn pool_chain(&self, p: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(p), |&p| self.pools[p as usize].parent)
    }

    /// Tags attached to VM `v` (its vApp's environment and application).
    pub fn vm_tags(&self, w: &World, v: u32) -> [u32; 2] {
        let a = &w.vapps[w.vms[v as usize].vapp as usize];
        [
            self.categories[0].tags[a.env as usize],
            self.categories[1].tags[a.app as usize],
        ]
    }
}

/// The moid of VM `v` (`vm-N`, the same `moref` vCD reports).
pub fn vm_moid(w: &World, v: u32) -> String {
    format!("vm-{}", w.vms[v as usize].moref)
}

/// VM index for a `vm-N` moid.
pub fn vm_index(w: &World, moid: &str) -> Option<u32> {
    let n: u32 = moid.strip_prefix("vm-")?.parse().ok()?;
    let i = n.checked_sub(w.vms.first()?.moref)?;
    (w.vms.get(i as usize)?.moref == n).then_some(i)
}
