//! What the vSphere Client's summary tabs read through vim and no REST call carries: a VM's
//! annotation, boot time, quick stats and Tools status; a host's hardware, quick stats and VMs;
//! a cluster's hosts. Usage is a deterministic share of each VM's size (powered-on VMs only),
//! and a host's use is the sum of its VMs', so the numbers agree wherever they are read.

use super::{Fault, Val};
use crate::sim::vcd::xml::unix_datetime;
use crate::sim::world::{Power, Tools, World};

pub const VM_USAGE_PROPS: &[&str] = &[
    "summary.config.annotation",
    "runtime.bootTime",
    "summary.quickStats.overallCpuUsage",
    "summary.quickStats.guestMemoryUsage",
    "guest.toolsRunningStatus",
];
pub const HOST_PROPS: &[&str] = &[
    "name",
    "summary.hardware.cpuMhz",
    "summary.hardware.numCpuCores",
    "summary.hardware.memorySize",
    "summary.quickStats.overallCpuUsage",
    "summary.quickStats.overallMemoryUsage",
    "vm",
];
pub const CLUSTER_PROPS: &[&str] = &["name", "host"];

/// Every simulated host: 32 cores at 2.6 GHz, 512 GiB.
pub const HOST_MHZ: i64 = 2600;
pub const HOST_CORES: i64 = 32;
pub const HOST_MEMORY_MB: i64 = 512 * 1024;

/// (CPU MHz, guest memory MB) a VM uses now: none while it is not running.
fn vm_use(w: &World, v: u32) -> (i64, i64) {
    let vm = &w.vms[v as usize];
    if vm.power != Power::On {
        return (0, 0);
    }
    let pct = 5 + (vm.id % 56) as i64;
    let cpu = i64::from(vm.cpus) * HOST_MHZ * pct / 100;
    let mem = i64::from(vm.mem_mb) * (pct + 20).min(95) / 100;
    (cpu, mem)
}

/// A VM's property among `VM_USAGE_PROPS`: `None` when it is not one, `Some(None)` when unset.
pub fn vm_prop(w: &World, v: u32, path: &str) -> Option<Option<Val>> {
    let vm = &w.vms[v as usize];
    let on = vm.power == Power::On;
    let (cpu, mem) = vm_use(w, v);
    Some(match path {
        "summary.config.annotation" => Some(Val::str(format!(
            "Cost center CC-{:04}; patched monthly",
            vm.cost_center
        ))),
        // Booted five minutes after it was created (its VmPoweredOnEvent).
        "runtime.bootTime" => on.then(|| Val::Str(unix_datetime(vm.created + 300))),
        "summary.quickStats.overallCpuUsage" => on.then_some(Val::Int(cpu)),
        "summary.quickStats.guestMemoryUsage" => on.then_some(Val::Int(mem)),
        "guest.toolsRunningStatus" => Some(Val::str(if on && vm.tools != Tools::NotInstalled {
            "guestToolsRunning"
        } else {
            "guestToolsNotRunning"
        })),
        _ => return None,
    })
}

/// (CPU MHz, memory MB) a host uses now: the sum of its running VMs'.
pub fn host_use(w: &World, h: u32) -> (i64, i64) {
    w.vc.hosts[h as usize]
        .vms
        .iter()
        .map(|&v| vm_use(w, v))
        .fold((0, 0), |a, u| (a.0 + u.0, a.1 + u.1))
}

pub fn host_prop(w: &World, h: u32, path: &str) -> Result<Option<Val>, Fault> {
    let host = &w.vc.hosts[h as usize];
    Ok(Some(match path {
        "name" => Val::str(&host.name),
        "summary.hardware.cpuMhz" => Val::Int(HOST_MHZ),
        "summary.hardware.numCpuCores" => Val::Int(HOST_CORES),
        "summary.hardware.memorySize" => Val::Int(HOST_MEMORY_MB * 1024 * 1024),
        "summary.quickStats.overallCpuUsage" => Val::Int(host_use(w, h).0),
        "summary.quickStats.overallMemoryUsage" => Val::Int(host_use(w, h).1),
        "vm" => Val::List(
            "ManagedObjectReference",
            host.vms
                .iter()
                .map(|&v| Val::Ref("VirtualMachine", crate::sim::inventory::vm_moid(w, v)))
                .collect(),
        ),
        _ => return Err(Fault::invalid_property(path)),
    }))
}

pub fn cluster_prop(w: &World, c: u32, path: &str) -> Result<Option<Val>, Fault> {
    let inv = &w.vc;
    Ok(Some(match path {
        "name" => Val::str(&inv.clusters[c as usize].name),
        "host" => Val::List(
            "ManagedObjectReference",
            inv.clusters[c as usize]
                .hosts
                .iter()
                .map(|&h| Val::Ref("HostSystem", inv.hosts[h as usize].moid.clone()))
                .collect(),
        ),
        _ => return Err(Fault::invalid_property(path)),
    }))
}
