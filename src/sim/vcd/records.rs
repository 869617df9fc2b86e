//! Query record types: which attributes each type has (XSD names and order), which items a user
//! may see, and each attribute's value for one item.

use tokio::time::Instant;

use super::User;
use super::entities::{describe, vdc_usage};
use super::tasks::Tasks;
use super::xml::{datetime, unix_datetime};
use crate::sim::world::{Entity, World, status_name, uuid_str};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QType {
    Vm,
    AdminVm,
    VApp,
    Org,
    OrgVdc,
    Task,
}

pub const ALL: &[QType] = &[
    QType::Vm,
    QType::AdminVm,
    QType::VApp,
    QType::Org,
    QType::OrgVdc,
    QType::Task,
];

const VM_ATTRS: &[&str] = &[
    "name",
    "containerName",
    "container",
    "ownerName",
    "vdc",
    "isVAppTemplate",
    "isDeleted",
    "guestOs",
    "numberOfCpus",
    "memoryMB",
    "status",
    "networkName",
    "ipAddress",
    "isDeployed",
    "isPublished",
    "hardwareVersion",
    "vmToolsStatus",
    "isInMaintenanceMode",
    "storageProfileName",
    "snapshot",
    "snapshotCreated",
    "dateCreated",
];
const ADMIN_VM_ATTRS: &[&str] = &[
    "name",
    "containerName",
    "container",
    "status",
    "vdc",
    "hostName",
    "isVAppTemplate",
    "isDeleted",
    "guestOs",
    "numberOfCpus",
    "memoryMB",
    "networkName",
    "isDeployed",
    "isPublished",
    "isVdcEnabled",
    "hardwareVersion",
    "vmToolsVersion",
    "datastoreName",
    "vc",
    "moref",
    "org",
    "storageProfileName",
    "ipAddress",
    "dateCreated",
    "vmNameInVc",
];
const VAPP_ATTRS: &[&str] = &[
    "name",
    "vdc",
    "vdcName",
    "description",
    "isEnabled",
    "creationDate",
    "status",
    "ownerName",
    "memoryAllocationMB",
    "isDeployed",
    "isInMaintenanceMode",
    "isExpired",
    "numberOfCpus",
    "numberOfVMs",
];
const ORG_ATTRS: &[&str] = &[
    "name",
    "isReadOnly",
    "isEnabled",
    "deployedVMQuota",
    "storedVMQuota",
    "displayName",
    "canPublishCatalogs",
    "numberOfCatalogs",
    "numberOfVdcs",
    "numberOfVApps",
    "numberOfGroups",
    "numberOfDisks",
];
const VDC_ATTRS: &[&str] = &[
    "name",
    "description",
    "isEnabled",
    "cpuAllocationMhz",
    "cpuLimitMhz",
    "cpuUsedMhz",
    "memoryAllocationMB",
    "memoryLimitMB",
    "memoryUsedMB",
    "storageLimitMB",
    "storageUsedMB",
    "providerVdcName",
    "orgName",
    "numberOfVApps",
    "isSystemVdc",
    "status",
    "numberOfVMs",
    "numberOfRunningVMs",
];
const TASK_ATTRS: &[&str] = &[
    "org",
    "orgName",
    "name",
    "operationFull",
    "message",
    "startDate",
    "endDate",
    "status",
    "progress",
    "ownerName",
    "object",
    "objectType",
    "objectName",
    "serviceNamespace",
];

impl QType {
    pub fn parse(s: &str) -> Option<QType> {
        ALL.iter()
            .copied()
            .find(|t| t.name() == s)
            .or((s == "organization").then_some(QType::Org))
    }
    pub fn name(self) -> &'static str {
        match self {
            QType::Vm => "vm",
            QType::AdminVm => "adminVM",
            QType::VApp => "vApp",
            QType::Org => "org",
            QType::OrgVdc => "orgVdc",
            QType::Task => "task",
        }
    }
    pub fn record(self) -> &'static str {
        match self {
            QType::Vm => "VMRecord",
            QType::AdminVm => "AdminVMRecord",
            QType::VApp => "VAppRecord",
            QType::Org => "OrgRecord",
            QType::OrgVdc => "OrgVdcRecord",
            QType::Task => "TaskRecord",
        }
    }
    /// Element name stem of the references format (`<stem>References`/`<stem>Reference`);
    /// the schema has no admin VM references, so adminVM uses the VM ones.
    pub fn reference(self) -> &'static str {
        match self {
            QType::Vm | QType::AdminVm => "VM",
            QType::VApp => "VApp",
            QType::Org => "Org",
            QType::OrgVdc => "OrgVdc",
            QType::Task => "Task",
        }
    }
    pub fn attrs(self) -> &'static [&'static str] {
        match self {
            QType::Vm => VM_ATTRS,
            QType::AdminVm => ADMIN_VM_ATTRS,
            QType::VApp => VAPP_ATTRS,
            QType::Org => ORG_ATTRS,
            QType::OrgVdc => VDC_ATTRS,
            QType::Task => TASK_ATTRS,
        }
    }
    pub fn has_attr(self, a: &str) -> bool {
        a == "href" || a == "id" || self.attrs().contains(&a)
    }
    fn entity(self, i: u32) -> Option<Entity> {
        match self {
            QType::Vm | QType::AdminVm => Some(Entity::Vm(i)),
            QType::VApp => Some(Entity::VApp(i)),
            QType::Org => Some(Entity::Org(i)),
            QType::OrgVdc => Some(Entity::Vdc(i)),
            QType::Task => None,
        }
    }
}

/// Items of this type the user may see, in world order.
pub fn scope(w: &World, tasks: &Tasks, t: QType, user: User) -> Vec<u32> {
    let all = user.is_system();
    let n = |len: usize| 0..len as u32;
    match t {
        QType::Vm | QType::AdminVm => n(w.vms.len())
            .filter(|&v| all || w.vm_org(v) == user.org)
            .collect(),
        QType::VApp => n(w.vapps.len())
            .filter(|&a| all || w.vapps[a as usize].org == user.org)
            .collect(),
        QType::Org => n(w.orgs.len()).filter(|&o| all || o == user.org).collect(),
        QType::OrgVdc => n(w.vdcs.len())
            .filter(|&d| all || w.vdcs[d as usize].org == user.org)
            .collect(),
        QType::Task => n(tasks.list.len())
            .filter(|&i| all || tasks.list[i as usize].org == user.org)
            .collect(),
    }
}

/// (href, urn, name, media kind) of one item, for references and the always-present `href`.
pub fn identity(
    w: &World,
    tasks: &Tasks,
    base: &str,
    t: QType,
    i: u32,
) -> (String, String, String, &'static str) {
    match t.entity(i) {
        Some(e) => {
            let d = describe(w, base, e);
            (d.href, d.urn, d.name, d.kind)
        }
        None => {
            let task = &tasks.list[i as usize];
            let u = uuid_str(task.id);
            (
                format!("{base}/api/task/{u}"),
                format!("urn:vcloud:task:{u}"),
                task.op.operation_name(task.target),
                "task",
            )
        }
    }
}

fn b(v: bool) -> Option<String> {
    Some(v.to_string())
}

/// The value of `attr` for item `i`; `None` when the item has no such value.
pub fn value(
    w: &World,
    tasks: &Tasks,
    base: &str,
    t: QType,
    i: u32,
    attr: &str,
    now: Instant,
) -> Option<String> {
    let href = |e| describe(w, base, e).href;
    match t {
        QType::Vm | QType::AdminVm => {
            let vm = &w.vms[i as usize];
            let a = &w.vapps[vm.vapp as usize];
            let first_net = vm.nics.first().map(|n| &w.networks[n.net as usize]);
            match attr {
                "name" => Some(vm.name.clone()),
                "containerName" => Some(a.name.clone()),
                "container" => Some(href(Entity::VApp(vm.vapp))),
                "ownerName" => Some(w.owner_name(vm.vapp).into()),
                "vdc" => Some(href(Entity::Vdc(a.vdc))),
                "org" => Some(href(Entity::Org(a.org))),
                "isVAppTemplate" | "isDeleted" | "isPublished" | "isInMaintenanceMode" => b(false),
                "isVdcEnabled" => b(true),
                "guestOs" => Some(vm.os().0.into()),
                "numberOfCpus" => Some(vm.cpus.to_string()),
                "memoryMB" => Some(vm.mem_mb.to_string()),
                "status" => Some(status_name(vm.power.status()).into()),
                "networkName" => first_net.map(|n| n.name.clone()),
                "ipAddress" => w.primary_ip(i),
                "isDeployed" => b(vm.deployed()),
                "hardwareVersion" => Some(vm.hw_version.to_string()),
                "vmToolsStatus" => Some(vm.tools_status().into()),
                "vmToolsVersion" => Some(vm.tools_version().to_string()),
                "storageProfileName" => Some(format!(
                    "{}-storage",
                    crate::sim::names::VDC_TIERS[(a.vdc % 3) as usize]
                )),
                "snapshot" => b(vm.snapshot.is_some()),
                "snapshotCreated" => vm.snapshot.map(|s| unix_datetime(s.created)),
                "dateCreated" => Some(unix_datetime(vm.created)),
                "hostName" => Some(w.host_name(i)),
                "datastoreName" => Some(w.datastore_name(i)),
                "vc" => Some(format!(
                    "{base}/api/admin/extension/vimServer/{}",
                    uuid_str(w.vcenter)
                )),
                "moref" => Some(format!("vm-{}", vm.moref)),
                "vmNameInVc" => Some(format!("{} ({})", vm.name, uuid_str(vm.id))),
                _ => None,
            }
        }
        QType::VApp => {
            let a = &w.vapps[i as usize];
            let vms = &w.vms[a.vms()];
            match attr {
                "name" => Some(a.name.clone()),
                "vdc" => Some(href(Entity::Vdc(a.vdc))),
                "vdcName" => Some(w.vdcs[a.vdc as usize].name.clone()),
                "description" => Some(format!("{} application", a.name)),
                "isEnabled" => b(true),
                "isInMaintenanceMode" | "isExpired" => b(false),
                "creationDate" => Some(unix_datetime(a.created)),
                "status" => Some(status_name(w.vapp_status(i)).into()),
                "ownerName" => Some(w.owner_name(i).into()),
                "memoryAllocationMB" => {
                    Some(vms.iter().map(|v| v.mem_mb as u64).sum::<u64>().to_string())
                }
                "numberOfCpus" => Some(vms.iter().map(|v| v.cpus as u64).sum::<u64>().to_string()),
                "isDeployed" => b(w.vapp_deployed(i)),
                "numberOfVMs" => Some(a.vm_count.to_string()),
                _ => None,
            }
        }
        QType::Org => {
            let o = &w.orgs[i as usize];
            match attr {
                "name" => Some(o.name.clone()),
                "displayName" => Some(o.full_name.clone()),
                "isEnabled" | "canPublishCatalogs" => b(true),
                "isReadOnly" => b(false),
                "deployedVMQuota" | "storedVMQuota" | "numberOfGroups" | "numberOfDisks" => {
                    Some("0".into())
                }
                "numberOfCatalogs" => Some(o.catalogs.len().to_string()),
                "numberOfVdcs" => Some(o.vdcs.len().to_string()),
                "numberOfVApps" => Some(
                    o.vdcs
                        .iter()
                        .map(|&d| w.vdcs[d as usize].vapps.len())
                        .sum::<usize>()
                        .to_string(),
                ),
                _ => None,
            }
        }
        QType::OrgVdc => {
            let d = &w.vdcs[i as usize];
            let usage = || vdc_usage(w, i);
            match attr {
                "name" => Some(d.name.clone()),
                "description" => Some(format!("{} virtual datacenter", d.name)),
                "isEnabled" => b(true),
                "isSystemVdc" => b(false),
                "status" => Some("READY".into()),
                "cpuAllocationMhz" | "cpuLimitMhz" => Some(d.cpu_limit_mhz.to_string()),
                "memoryAllocationMB" | "memoryLimitMB" => Some(d.mem_limit_mb.to_string()),
                "storageLimitMB" => Some(d.storage_limit_mb.to_string()),
                "cpuUsedMhz" => Some(usage().2.to_string()),
                "memoryUsedMB" => Some(usage().3.to_string()),
                "storageUsedMB" => Some(usage().4.to_string()),
                "numberOfVMs" => Some(usage().1.to_string()),
                "numberOfRunningVMs" => Some(usage().0.to_string()),
                "providerVdcName" => Some(format!("pvdc-{}", d.cluster)),
                "orgName" => Some(w.orgs[d.org as usize].name.clone()),
                "numberOfVApps" => Some(d.vapps.len().to_string()),
                _ => None,
            }
        }
        QType::Task => {
            let task = &tasks.list[i as usize];
            let st = task.state(now);
            let target = describe(w, base, task.target);
            match attr {
                "org" => Some(href(Entity::Org(task.org))),
                "orgName" => Some(w.orgs[task.org as usize].name.clone()),
                "name" => Some(task.op.operation_name(task.target)),
                "operationFull" => Some(task.op.describe(task.target, &target.name, &target.urn)),
                "message" => {
                    (st == super::tasks::State::Error).then(|| "Simulated failure".to_string())
                }
                "startDate" => Some(datetime(task.start_wall)),
                "endDate" => task.end_time(now).map(datetime),
                "status" => Some(st.name().into()),
                "progress" => Some(st.progress().to_string()),
                "ownerName" => Some(super::tasks::user_ref(w, base, task.user).0),
                "object" => Some(target.href),
                "objectType" => Some(
                    if matches!(task.target, Entity::Vm(_)) {
                        "vm"
                    } else {
                        "vApp"
                    }
                    .into(),
                ),
                "objectName" => Some(target.name),
                "serviceNamespace" => Some("com.vmware.vcloud".into()),
                _ => None,
            }
        }
    }
}
