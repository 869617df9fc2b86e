//! Query record types: which attributes each type has (XSD names and order), which items a user
//! may see, and how each item is identified (values live in `values`).

use super::User;
use super::entities::describe;
use super::tasks::Tasks;
use crate::sim::world::{Entity, World, uuid_str};

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
