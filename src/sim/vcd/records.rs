//! Query record types: which attributes each type has (XSD names and order), which items a user
//! may see, and how each item is identified (values live in `values`).

use super::User;
use super::entities::describe;
use super::tasks::{Tasks, user_ref};
use crate::sim::world::{Entity, Id, World, uuid_str};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QType {
    Vm,
    AdminVm,
    VApp,
    AdminVApp,
    Org,
    OrgVdc,
    AdminOrgVdc,
    Task,
    AdminTask,
    Catalog,
    AdminCatalog,
    CatalogItem,
    AdminCatalogItem,
    VAppTemplate,
    AdminVAppTemplate,
    OrgVdcNetwork,
    User,
    AdminUser,
    OrgVdcStorageProfile,
    AdminOrgVdcStorageProfile,
    Host,
    Datastore,
    ProviderVdc,
    VirtualCenter,
}

/// Every type the world can fill, in the order the QueryList names them. Not served, because the
/// world holds none: media, disks, groups, edge gateways, events and the like.
pub const ALL: &[QType] = &[
    QType::Vm,
    QType::AdminVm,
    QType::VApp,
    QType::AdminVApp,
    QType::Org,
    QType::OrgVdc,
    QType::AdminOrgVdc,
    QType::Task,
    QType::AdminTask,
    QType::Catalog,
    QType::AdminCatalog,
    QType::CatalogItem,
    QType::AdminCatalogItem,
    QType::VAppTemplate,
    QType::AdminVAppTemplate,
    QType::OrgVdcNetwork,
    QType::User,
    QType::AdminUser,
    QType::OrgVdcStorageProfile,
    QType::AdminOrgVdcStorageProfile,
    QType::Host,
    QType::Datastore,
    QType::ProviderVdc,
    QType::VirtualCenter,
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
const ADMIN_VAPP_ATTRS: &[&str] = &[
    "name",
    "org",
    "vdc",
    "vdcName",
    "isVdcEnabled",
    "description",
    "isEnabled",
    "isBusy",
    "creationDate",
    "status",
    "ownerName",
    "storageKB",
    "numberOfVMs",
    "memoryAllocationMB",
    "isDeployed",
    "isInMaintenanceMode",
    "isExpired",
    "numberOfCpus",
];
const ADMIN_VDC_ATTRS: &[&str] = &[
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
    "providerVdc",
    "orgName",
    "org",
    "numberOfVApps",
    "vcName",
    "isSystemVdc",
    "isBusy",
    "status",
    "numberOfVMs",
    "numberOfRunningVMs",
];
const CATALOG_ATTRS: &[&str] = &[
    "name",
    "description",
    "isPublished",
    "isShared",
    "orgName",
    "ownerName",
    "numberOfVAppTemplates",
    "numberOfMedia",
    "owner",
    "isLocal",
];
const ADMIN_CATALOG_ATTRS: &[&str] = &[
    "org",
    "name",
    "isPublished",
    "isShared",
    "orgName",
    "ownerName",
    "numberOfTemplates",
    "numberOfMedia",
    "owner",
    "isLocal",
];
const CATALOG_ITEM_ATTRS: &[&str] = &[
    "entity",
    "entityName",
    "entityType",
    "catalog",
    "catalogName",
    "ownerName",
    "owner",
    "isPublished",
    "status",
    "name",
];
const ADMIN_CATALOG_ITEM_ATTRS: &[&str] = &[
    "entity",
    "entityName",
    "entityType",
    "catalog",
    "catalogName",
    "ownerName",
    "owner",
    "isPublished",
    "org",
    "status",
    "name",
];
const TEMPLATE_ATTRS: &[&str] = &[
    "ownerName",
    "catalogName",
    "isPublished",
    "name",
    "description",
    "org",
    "isBusy",
    "isGoldMaster",
    "isEnabled",
    "status",
    "isDeployed",
    "isExpired",
];
const ADMIN_TEMPLATE_ATTRS: &[&str] = &[
    "org",
    "ownerName",
    "owner",
    "isPublished",
    "name",
    "catalog",
    "catalogName",
    "catalogItem",
    "isBusy",
    "isGoldMaster",
    "isEnabled",
    "isExpired",
    "isDeployed",
    "status",
];
const NETWORK_ATTRS: &[&str] = &[
    "name",
    "defaultGateway",
    "netmask",
    "subnetPrefixLength",
    "dns1",
    "dnsSuffix",
    "linkType",
    "vdc",
    "isBusy",
    "isShared",
    "vdcName",
    "isIpScopeInherited",
];
const USER_ATTRS: &[&str] = &[
    "name",
    "fullName",
    "isEnabled",
    "isLdapUser",
    "isExternal",
    "isLocked",
    "roleNames",
];
const ADMIN_USER_ATTRS: &[&str] = &[
    "name",
    "org",
    "fullName",
    "isEnabled",
    "isLdapUser",
    "isExternal",
];
const STORAGE_PROFILE_ATTRS: &[&str] = &[
    "name",
    "isEnabled",
    "isDefaultStorageProfile",
    "storageUsedMB",
    "storageLimitMB",
    "vdc",
    "vdcName",
    "isVdcBusy",
];
const ADMIN_STORAGE_PROFILE_ATTRS: &[&str] = &[
    "name",
    "isEnabled",
    "isDefaultStorageProfile",
    "storageUsedMB",
    "storageLimitMB",
    "vdc",
    "vdcName",
    "org",
    "vc",
];
const VIRTUAL_CENTER_ATTRS: &[&str] = &[
    "name",
    "userName",
    "isEnabled",
    "status",
    "isBusy",
    "uuid",
    "isSupported",
    "clustersCount",
    "totalVmCount",
    "poweredOnVmCount",
];
const HOST_ATTRS: &[&str] = &[
    "name",
    "isEnabled",
    "isDeleted",
    "isBusy",
    "isPrepared",
    "isSupported",
    "isHung",
    "isPendingUpgrade",
    "numberOfVMs",
    "isInMaintenanceMode",
    "connectionState",
    "vc",
    "vcName",
];
const DATASTORE_ATTRS: &[&str] = &[
    "name",
    "datastoreType",
    "isEnabled",
    "isDeleted",
    "storageUsedMB",
    "storageMB",
    "vc",
    "vcName",
    "moref",
    "numberOfProviderVdcs",
];
const PROVIDER_VDC_ATTRS: &[&str] = &[
    "name",
    "isEnabled",
    "isDeleted",
    "cpuUsedMhz",
    "cpuLimitMhz",
    "memoryUsedMB",
    "memoryLimitMB",
    "storageUsedMB",
    "storageLimitMB",
    "numberOfDatastores",
    "numberOfVdcs",
    "vcName",
    "isBusy",
    "status",
];
const ADMIN_TASK_ATTRS: &[&str] = &[
    "org",
    "orgName",
    "name",
    "operationFull",
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
        self.spec().0
    }
    pub fn record(self) -> &'static str {
        self.spec().1
    }
    /// Element name stem of the references format (`<stem>References`/`<stem>Reference`); the
    /// schema has references for only some admin types, the others use the tenant ones.
    pub fn reference(self) -> &'static str {
        self.spec().2
    }
    pub fn attrs(self) -> &'static [&'static str] {
        self.spec().3
    }
    /// (query type name, record element, references stem, attributes).
    fn spec(
        self,
    ) -> (
        &'static str,
        &'static str,
        &'static str,
        &'static [&'static str],
    ) {
        use QType::*;
        match self {
            Vm => ("vm", "VMRecord", "VM", VM_ATTRS),
            AdminVm => ("adminVM", "AdminVMRecord", "VM", ADMIN_VM_ATTRS),
            VApp => ("vApp", "VAppRecord", "VApp", VAPP_ATTRS),
            AdminVApp => ("adminVApp", "AdminVAppRecord", "VApp", ADMIN_VAPP_ATTRS),
            Org => ("org", "OrgRecord", "Org", ORG_ATTRS),
            OrgVdc => ("orgVdc", "OrgVdcRecord", "OrgVdc", VDC_ATTRS),
            AdminOrgVdc => ("adminOrgVdc", "AdminVdcRecord", "AdminVdc", ADMIN_VDC_ATTRS),
            Task => ("task", "TaskRecord", "Task", TASK_ATTRS),
            AdminTask => ("adminTask", "AdminTaskRecord", "Task", ADMIN_TASK_ATTRS),
            Catalog => ("catalog", "CatalogRecord", "Catalog", CATALOG_ATTRS),
            AdminCatalog => (
                "adminCatalog",
                "AdminCatalogRecord",
                "Catalog",
                ADMIN_CATALOG_ATTRS,
            ),
            CatalogItem => (
                "catalogItem",
                "CatalogItemRecord",
                "CatalogItem",
                CATALOG_ITEM_ATTRS,
            ),
            AdminCatalogItem => (
                "adminCatalogItem",
                "AdminCatalogItemRecord",
                "CatalogItem",
                ADMIN_CATALOG_ITEM_ATTRS,
            ),
            VAppTemplate => (
                "vAppTemplate",
                "VAppTemplateRecord",
                "VAppTemplate",
                TEMPLATE_ATTRS,
            ),
            AdminVAppTemplate => (
                "adminVAppTemplate",
                "AdminVAppTemplateRecord",
                "VAppTemplate",
                ADMIN_TEMPLATE_ATTRS,
            ),
            OrgVdcNetwork => (
                "orgVdcNetwork",
                "OrgVdcNetworkRecord",
                "OrgVdcNetwork",
                NETWORK_ATTRS,
            ),
            User => ("user", "UserRecord", "User", USER_ATTRS),
            AdminUser => ("adminUser", "AdminUserRecord", "User", ADMIN_USER_ATTRS),
            OrgVdcStorageProfile => (
                "orgVdcStorageProfile",
                "OrgVdcStorageProfileRecord",
                "OrgVdcStorageProfile",
                STORAGE_PROFILE_ATTRS,
            ),
            AdminOrgVdcStorageProfile => (
                "adminOrgVdcStorageProfile",
                "AdminOrgVdcStorageProfileRecord",
                "AdminOrgVdcStorageProfile",
                ADMIN_STORAGE_PROFILE_ATTRS,
            ),
            VirtualCenter => (
                "virtualCenter",
                "VirtualCenterRecord",
                "VirtualCenter",
                VIRTUAL_CENTER_ATTRS,
            ),
            Host => ("host", "HostRecord", "Host", HOST_ATTRS),
            Datastore => ("datastore", "DatastoreRecord", "Datastore", DATASTORE_ATTRS),
            ProviderVdc => (
                "providerVdc",
                "VMWProviderVdcRecord",
                "VMWProviderVdc",
                PROVIDER_VDC_ATTRS,
            ),
        }
    }
    /// Only the system administrator may query it: the admin types and provider resources.
    pub fn system_only(self) -> bool {
        use QType::*;
        self.name().starts_with("admin")
            || matches!(self, Host | Datastore | ProviderVdc | VirtualCenter)
    }
    /// Task state moves with time, so such queries are never cached.
    pub fn moves_with_time(self) -> bool {
        matches!(self, QType::Task | QType::AdminTask)
    }
    pub fn has_attr(self, a: &str) -> bool {
        a == "href" || a == "id" || self.attrs().contains(&a)
    }
}

/// (catalog, item within it) of the `i`th catalog item of the world.
pub fn catalog_item(w: &World, mut i: u32) -> (u32, usize) {
    for (c, cat) in w.catalogs.iter().enumerate() {
        if (i as usize) < cat.items.len() {
            return (c as u32, i as usize);
        }
        i -= cat.items.len() as u32;
    }
    (0, 0)
}

/// A stable id for something the world keeps no id of (template, host, provider VDC): `base`
/// with its last 48 bits replaced, so it stays a well-formed version 4 UUID.
pub fn derived_id(base: Id, salt: u16, i: u32) -> Id {
    (base & !0xffff_ffff_ffff) | (u128::from(salt) << 32) | u128::from(i)
}

/// Items of this type the user may see, in world order.
pub fn scope(w: &World, tasks: &Tasks, t: QType, user: User) -> Vec<u32> {
    use QType::*;
    let all = user.is_system();
    let n = |len: usize| 0..len as u32;
    let mine = |org: u32| all || org == user.org;
    match t {
        Vm | AdminVm => n(w.vms.len()).filter(|&v| mine(w.vm_org(v))).collect(),
        VApp | AdminVApp => n(w.vapps.len())
            .filter(|&a| mine(w.vapps[a as usize].org))
            .collect(),
        Org => n(w.orgs.len()).filter(|&o| mine(o)).collect(),
        OrgVdc | AdminOrgVdc | ProviderVdc | OrgVdcStorageProfile | AdminOrgVdcStorageProfile => {
            n(w.vdcs.len())
                .filter(|&d| mine(w.vdcs[d as usize].org))
                .collect()
        }
        // The seeded history only where a query names its object (`task_history`).
        Task | AdminTask => n(tasks.list.len())
            .filter(|&i| !tasks.list[i as usize].past && mine(tasks.list[i as usize].org))
            .collect(),
        Catalog | AdminCatalog => n(w.catalogs.len())
            .filter(|&c| mine(w.catalogs[c as usize].org))
            .collect(),
        CatalogItem | AdminCatalogItem | VAppTemplate | AdminVAppTemplate => {
            let items: usize = w.catalogs.iter().map(|c| c.items.len()).sum();
            n(items)
                .filter(|&i| mine(w.catalogs[catalog_item(w, i).0 as usize].org))
                .collect()
        }
        OrgVdcNetwork => n(w.networks.len())
            .filter(|&x| mine(w.networks[x as usize].org))
            .collect(),
        User | AdminUser => n(w.orgs.len()).filter(|&o| mine(o)).collect(),
        VirtualCenter => vec![0],
        Host => n(w.vc.hosts.len()).collect(),
        Datastore => n(w.vc.datastores.len()).collect(),
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
    use QType::*;
    let entity = |e| {
        let d = describe(w, base, e);
        (d.href, d.urn, d.name, d.kind)
    };
    let made = |path: &str, urn: &str, id: Id, name: String, kind| {
        let u = uuid_str(id);
        (
            format!("{base}/api/{path}{u}"),
            format!("urn:vcloud:{urn}:{u}"),
            name,
            kind,
        )
    };
    match t {
        Vm | AdminVm => entity(Entity::Vm(i)),
        VApp | AdminVApp => entity(Entity::VApp(i)),
        Org => entity(Entity::Org(i)),
        OrgVdc | AdminOrgVdc => entity(Entity::Vdc(i)),
        Catalog | AdminCatalog => entity(Entity::Catalog(i)),
        OrgVdcNetwork => entity(Entity::Network(i)),
        Task | AdminTask => {
            let task = &tasks.list[i as usize];
            made(
                "task/",
                "task",
                task.id,
                task.op.operation_name(task.target),
                "task",
            )
        }
        CatalogItem | AdminCatalogItem => {
            let (c, j) = catalog_item(w, i);
            let (id, name) = w.catalogs[c as usize].items[j];
            made(
                "catalogItem/",
                "catalogitem",
                id,
                name.to_string(),
                "catalogItem",
            )
        }
        VAppTemplate | AdminVAppTemplate => {
            let (c, j) = catalog_item(w, i);
            let (id, name) = w.catalogs[c as usize].items[j];
            made(
                "vAppTemplate/vappTemplate-",
                "vapptemplate",
                derived_id(id, 1, 0),
                name.to_string(),
                "vAppTemplate",
            )
        }
        User | AdminUser => {
            let (name, _) = user_ref(w, base, super::User { org: i });
            made(
                "admin/user/",
                "user",
                w.orgs[i as usize].admin_user,
                name,
                "admin.user",
            )
        }
        OrgVdcStorageProfile | AdminOrgVdcStorageProfile => made(
            "vdcStorageProfile/",
            "vdcstorageProfile",
            derived_id(w.vdcs[i as usize].id, 5, 0),
            storage_profile_name(i),
            "vdcStorageProfile",
        ),
        VirtualCenter => made(
            "admin/extension/vimServer/",
            "vimserver",
            w.vcenter,
            super::values::VC_NAME.into(),
            "admin.vmwvirtualcenter",
        ),
        Host => made(
            "admin/extension/host/",
            "host",
            derived_id(w.vcenter, 2, i),
            w.vc.hosts[i as usize].name.clone(),
            "admin.host",
        ),
        Datastore => made(
            "admin/extension/datastore/",
            "datastore",
            derived_id(w.vcenter, 3, i),
            w.vc.datastores[i as usize].name.clone(),
            "admin.datastore",
        ),
        ProviderVdc => made(
            "admin/providervdc/",
            "providervdc",
            derived_id(w.vdcs[i as usize].id, 4, 0),
            provider_vdc_name(w, i),
            "admin.providervdc",
        ),
    }
}

/// Each VDC has one storage policy, named for its tier (as its VMs' `storageProfileName`).
pub fn storage_profile_name(vdc: u32) -> String {
    format!(
        "{}-storage",
        crate::sim::names::VDC_TIERS[(vdc % 3) as usize]
    )
}

/// Each VDC is backed by a provider VDC of its own cluster.
pub fn provider_vdc_name(w: &World, vdc: u32) -> String {
    format!("pvdc-{}", w.vdcs[vdc as usize].cluster)
}
