//! Query record values of org VDC networks, users, VDC storage policies and the provider's
//! resources (the vCenter, its hosts and datastores, provider VDCs), taken from the vCenter
//! inventory over the same VMs.

use super::User;
use super::entities::{describe, vdc_usage};
use super::records::{QType, provider_vdc_name, storage_profile_name};
use super::tasks::user_ref;
use super::values::{VC_NAME, b};
use crate::sim::world::{Entity, World, uuid_str};

const MIB: u64 = 1 << 20;

/// The value of `attr` for item `i`: a network, an org (its user), a host, a datastore, or a
/// VDC (its provider VDC).
pub fn value(w: &World, base: &str, t: QType, i: u32, attr: &str) -> Option<String> {
    let vc = || super::vim_server::href(w, base);
    match (t, attr) {
        (QType::Host | QType::Datastore | QType::ProviderVdc, "vcName") => Some(VC_NAME.into()),
        (QType::Host | QType::Datastore | QType::AdminOrgVdcStorageProfile, "vc") => Some(vc()),
        (_, "isEnabled") => b(true),
        (_, "isDeleted" | "isBusy") => b(false),
        (QType::OrgVdcNetwork, _) => network(w, base, i, attr),
        (QType::User | QType::AdminUser, _) => user(w, base, i, attr),
        (QType::OrgVdcStorageProfile | QType::AdminOrgVdcStorageProfile, _) => {
            let d = &w.vdcs[i as usize];
            match attr {
                "name" => Some(storage_profile_name(i)),
                "isDefaultStorageProfile" => b(true),
                "isVdcBusy" => b(false),
                "storageUsedMB" => Some(vdc_usage(w, i).4.to_string()),
                "storageLimitMB" => Some(d.storage_limit_mb.to_string()),
                "vdc" => Some(describe(w, base, Entity::Vdc(i)).href),
                "vdcName" => Some(d.name.clone()),
                "org" => Some(describe(w, base, Entity::Org(d.org)).href),
                _ => None,
            }
        }
        (QType::VirtualCenter, _) => match attr {
            "name" => Some(VC_NAME.into()),
            "userName" => Some(crate::sim::VCENTER_USER.into()),
            "status" => Some("READY".into()),
            "uuid" => Some(uuid_str(w.vcenter)),
            "isSupported" => b(true),
            "clustersCount" => Some(w.vc.clusters.len().to_string()),
            "totalVmCount" => Some(w.vms.len().to_string()),
            "poweredOnVmCount" => Some(
                w.vms
                    .iter()
                    .filter(|v| v.power == crate::sim::world::Power::On)
                    .count()
                    .to_string(),
            ),
            _ => None,
        },
        (QType::Host, _) => {
            let h = &w.vc.hosts[i as usize];
            match attr {
                "name" => Some(h.name.clone()),
                "isPrepared" | "isSupported" => b(true),
                "isHung" | "isPendingUpgrade" | "isInMaintenanceMode" => b(false),
                "numberOfVMs" => Some(h.vms.len().to_string()),
                "connectionState" => Some("CONNECTED".into()),
                _ => None,
            }
        }
        (QType::Datastore, _) => {
            let d = &w.vc.datastores[i as usize];
            match attr {
                "name" => Some(d.name.clone()),
                "datastoreType" => Some(d.kind.into()),
                "storageMB" => Some((d.capacity / MIB).to_string()),
                "storageUsedMB" => Some(((d.capacity - d.free) / MIB).to_string()),
                "moref" => Some(d.moid.clone()),
                "numberOfProviderVdcs" => Some("1".into()),
                _ => None,
            }
        }
        (QType::ProviderVdc, _) => {
            let d = &w.vdcs[i as usize];
            let usage = || vdc_usage(w, i);
            match attr {
                "name" => Some(provider_vdc_name(w, i)),
                "status" => Some("READY".into()),
                "cpuUsedMhz" => Some(usage().2.to_string()),
                "memoryUsedMB" => Some(usage().3.to_string()),
                "storageUsedMB" => Some(usage().4.to_string()),
                "cpuLimitMhz" => Some(d.cpu_limit_mhz.to_string()),
                "memoryLimitMB" => Some(d.mem_limit_mb.to_string()),
                "storageLimitMB" => Some(d.storage_limit_mb.to_string()),
                "numberOfDatastores" => {
                    Some(crate::sim::inventory::DATASTORES_PER_CLUSTER.to_string())
                }
                "numberOfVdcs" => Some("1".into()),
                _ => None,
            }
        }
        _ => None,
    }
}

fn network(w: &World, base: &str, i: u32, attr: &str) -> Option<String> {
    let n = &w.networks[i as usize];
    match attr {
        "name" => Some(n.name.clone()),
        "defaultGateway" => Some(n.ip(1)),
        "netmask" => Some("255.255.0.0".into()),
        "subnetPrefixLength" => Some("16".into()),
        "dns1" => Some(n.ip(2)),
        "dnsSuffix" => Some(format!("{}.sim.local", w.orgs[n.org as usize].name)),
        // 0 direct, 1 routed, 2 isolated.
        "linkType" => Some(
            match n.fence {
                "bridged" => "0",
                "natRouted" => "1",
                _ => "2",
            }
            .into(),
        ),
        "vdc" => Some(describe(w, base, Entity::Vdc(n.vdc)).href),
        "vdcName" => Some(w.vdcs[n.vdc as usize].name.clone()),
        "isShared" => b(true),
        "isIpScopeInherited" => b(false),
        _ => None,
    }
}

fn user(w: &World, base: &str, org: u32, attr: &str) -> Option<String> {
    let system = w.orgs[org as usize].system;
    match attr {
        "org" => Some(describe(w, base, Entity::Org(org)).href),
        "name" => Some(user_ref(w, base, User { org }).0),
        "fullName" => Some(format!("{} administrator", w.orgs[org as usize].full_name)),
        "isLdapUser" | "isExternal" | "isLocked" => b(false),
        "roleNames" => Some(
            if system {
                "System Administrator"
            } else {
                "Organization Administrator"
            }
            .into(),
        ),
        _ => None,
    }
}
