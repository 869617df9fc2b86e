//! Query record values: each attribute of each record type, computed from the world or tasks.

use tokio::time::Instant;

use super::entities::{describe, vdc_usage};
use super::records::{QType, identity, provider_vdc_name, storage_profile_name};
use super::tasks::Tasks;
use super::xml::{datetime, unix_datetime};
use crate::sim::world::{Entity, World, status_name, uuid_str};

/// The name vCD knows the simulated vCenter by.
pub const VC_NAME: &str = "vc-sim";

pub fn b(v: bool) -> Option<String> {
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
                // Filterable, not written as attributes (a record's href is always there).
                "id" => Some(uuid_str(vm.id)),
                "href" => Some(href(Entity::Vm(i))),
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
                "storageProfileName" => Some(storage_profile_name(a.vdc)),
                "snapshot" => b(vm.snapshot.is_some()),
                "snapshotCreated" => vm.snapshot.map(|s| unix_datetime(s.created)),
                "dateCreated" => Some(unix_datetime(vm.created)),
                "hostName" => Some(w.host_name(i)),
                "datastoreName" => Some(w.datastore_name(i)),
                "vc" => Some(super::vim_server::href(w, base)),
                "moref" => Some(format!("vm-{}", vm.moref)),
                "vmNameInVc" => Some(format!("{} ({})", vm.name, uuid_str(vm.id))),
                _ => None,
            }
        }
        QType::VApp | QType::AdminVApp => {
            let a = &w.vapps[i as usize];
            let vms = &w.vms[a.vms()];
            match attr {
                "name" => Some(a.name.clone()),
                "org" => Some(href(Entity::Org(a.org))),
                "isVdcEnabled" => b(true),
                "isBusy" => b(false),
                "storageKB" => Some(
                    vms.iter()
                        .flat_map(|v| &v.disks_gb)
                        .map(|g| *g as u64 * 1024 * 1024)
                        .sum::<u64>()
                        .to_string(),
                ),
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
        QType::OrgVdc | QType::AdminOrgVdc => {
            let d = &w.vdcs[i as usize];
            let usage = || vdc_usage(w, i);
            match attr {
                "name" => Some(d.name.clone()),
                "org" => Some(href(Entity::Org(d.org))),
                "providerVdc" => Some(identity(w, tasks, base, QType::ProviderVdc, i).0),
                "vcName" => Some(VC_NAME.into()),
                "isBusy" => b(false),
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
                "providerVdcName" => Some(provider_vdc_name(w, i)),
                "orgName" => Some(w.orgs[d.org as usize].name.clone()),
                "numberOfVApps" => Some(d.vapps.len().to_string()),
                _ => None,
            }
        }
        QType::Task | QType::AdminTask => {
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
                "ownerName" => Some(match task.by {
                    Some(by) => by.to_string(),
                    None => super::tasks::user_ref(w, base, task.user).0,
                }),
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
        QType::Catalog
        | QType::AdminCatalog
        | QType::CatalogItem
        | QType::AdminCatalogItem
        | QType::VAppTemplate
        | QType::AdminVAppTemplate => super::values_catalog::value(w, tasks, base, t, i, attr),
        QType::OrgVdcNetwork
        | QType::User
        | QType::AdminUser
        | QType::OrgVdcStorageProfile
        | QType::AdminOrgVdcStorageProfile
        | QType::Host
        | QType::Datastore
        | QType::ProviderVdc
        | QType::VirtualCenter => super::values_provider::value(w, base, t, i, attr),
    }
}
