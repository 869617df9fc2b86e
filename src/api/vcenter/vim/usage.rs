//! vim properties that no vCenter REST call carries, for the summaries an operator reads: a
//! VM's annotation, boot time, CPU and memory use and Tools status; a host's capacity, use and
//! VM count; a cluster's hosts (its capacity and use are theirs added up).

use time::OffsetDateTime;

use super::data::{Data, moids};
use super::{Chosen, Object, Transport, Vim};
use crate::api::error::ApiResult;
use crate::api::http::Http;
use crate::api::model::parse_time;

const VM_PATHS: &[&str] = &[
    "summary.config.annotation",
    "runtime.bootTime",
    "summary.quickStats.overallCpuUsage",
    "summary.quickStats.guestMemoryUsage",
    "guest.toolsRunningStatus",
];
const HOST_PATHS: &[&str] = &[
    "summary.hardware.cpuMhz",
    "summary.hardware.numCpuCores",
    "summary.hardware.memorySize",
    "summary.quickStats.overallCpuUsage",
    "summary.quickStats.overallMemoryUsage",
    "vm",
];

/// What a VM's summary adds from vim; each unset when the server does not say (a powered-off
/// VM has no boot time and no use).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VmRuntime {
    pub annotation: Option<String>,
    pub boot: Option<OffsetDateTime>,
    pub cpu_mhz: Option<u64>,
    pub guest_memory_mb: Option<u64>,
    /// `guestToolsRunning`, `guestToolsNotRunning`, `guestToolsExecutingScripts`.
    pub tools: Option<String>,
}

/// A host's capacity and use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostUsage {
    pub cpu_used_mhz: u64,
    pub cpu_total_mhz: u64,
    pub memory_used_mb: u64,
    pub memory_total_bytes: u64,
    pub vms: usize,
}

fn text<D: Data>(o: &Object<D>, path: &str) -> Option<String> {
    o.prop(path)?.text().filter(|t| !t.is_empty())
}

fn num<D: Data>(o: &Object<D>, path: &str) -> Option<u64> {
    text(o, path)?.parse().ok()
}

fn host_usage<D: Data>(o: &Object<D>) -> HostUsage {
    let n = |p| num(o, p).unwrap_or(0);
    HostUsage {
        cpu_used_mhz: n("summary.quickStats.overallCpuUsage"),
        cpu_total_mhz: n("summary.hardware.cpuMhz") * n("summary.hardware.numCpuCores"),
        memory_used_mb: n("summary.quickStats.overallMemoryUsage"),
        memory_total_bytes: n("summary.hardware.memorySize"),
        vms: o.prop("vm").map(|v| moids(v).len()).unwrap_or(0),
    }
}

impl Vim {
    pub async fn vm_runtime(&self, http: &Http, vm: &str) -> ApiResult<VmRuntime> {
        with_transport!(self, http, |t| {
            let found = t.retrieve("VirtualMachine", &[vm], VM_PATHS).await?;
            Ok(found
                .first()
                .map(|o| VmRuntime {
                    annotation: text(o, "summary.config.annotation"),
                    boot: text(o, "runtime.bootTime").and_then(|b| parse_time(&b)),
                    cpu_mhz: num(o, "summary.quickStats.overallCpuUsage"),
                    guest_memory_mb: num(o, "summary.quickStats.guestMemoryUsage"),
                    tools: text(o, "guest.toolsRunningStatus"),
                })
                .unwrap_or_default())
        })
    }

    /// Each host's capacity and use, in the order asked.
    pub async fn host_usage(&self, http: &Http, hosts: &[&str]) -> ApiResult<Vec<HostUsage>> {
        with_transport!(self, http, |t| {
            let found = t.retrieve("HostSystem", hosts, HOST_PATHS).await?;
            Ok(hosts
                .iter()
                .map(|h| {
                    found
                        .iter()
                        .find(|o| o.moid == *h)
                        .map(host_usage)
                        .unwrap_or_default()
                })
                .collect())
        })
    }

    /// The moids of a cluster's hosts.
    pub async fn cluster_hosts(&self, http: &Http, cluster: &str) -> ApiResult<Vec<String>> {
        with_transport!(self, http, |t| {
            let found = t
                .retrieve("ClusterComputeResource", &[cluster], &["host"])
                .await?;
            Ok(found
                .first()
                .and_then(|o| o.prop("host"))
                .map(moids)
                .unwrap_or_default())
        })
    }
}
