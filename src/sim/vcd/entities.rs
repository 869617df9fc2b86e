//! Read-only entity documents: OrgList, Org, Vdc, Catalog, network, Entity resolver, Metadata.

use std::fmt::Write as _;

use axum::http::StatusCode;
use axum::response::Response;

use super::errors::{VcdError, VcdResult};
use super::xml::{DECL, VCLOUD_NS, esc, link, media, respond};
use super::{Ctx, Shared, resolve, vm_doc};
use crate::sim::world::{Entity, World, uuid_str};

/// How an entity is addressed: href, media kind (`vnd.vmware.vcloud.<kind>+xml`), URN, name.
pub struct Desc {
    pub href: String,
    pub kind: &'static str,
    pub urn: String,
    pub name: String,
}

pub fn describe(w: &World, base: &str, e: Entity) -> Desc {
    let (path, kind, urn_kind, id, name) = match e {
        Entity::Org(i) => (
            "org/",
            "org",
            "org",
            w.orgs[i as usize].id,
            &w.orgs[i as usize].name,
        ),
        Entity::Vdc(i) => (
            "vdc/",
            "vdc",
            "vdc",
            w.vdcs[i as usize].id,
            &w.vdcs[i as usize].name,
        ),
        Entity::Network(i) => (
            "network/",
            "orgNetwork",
            "network",
            w.networks[i as usize].id,
            &w.networks[i as usize].name,
        ),
        Entity::Catalog(i) => (
            "catalog/",
            "catalog",
            "catalog",
            w.catalogs[i as usize].id,
            &w.catalogs[i as usize].name,
        ),
        Entity::VApp(i) => (
            "vApp/vapp-",
            "vApp",
            "vapp",
            w.vapps[i as usize].id,
            &w.vapps[i as usize].name,
        ),
        Entity::Vm(i) => (
            "vApp/vm-",
            "vm",
            "vm",
            w.vms[i as usize].id,
            &w.vms[i as usize].name,
        ),
    };
    let u = uuid_str(id);
    Desc {
        href: format!("{base}/api/{path}{u}"),
        kind,
        urn: format!("urn:vcloud:{urn_kind}:{u}"),
        name: name.clone(),
    }
}

/// Opening tag of an entity document with its identity attributes.
pub fn open(out: &mut String, elem: &str, d: &Desc, extra: &str) {
    let _ = writeln!(
        out,
        "<{elem} xmlns=\"{VCLOUD_NS}\"{extra} name=\"{}\" id=\"{}\" type=\"{}\" href=\"{}\">",
        esc(&d.name),
        d.urn,
        media(d.kind),
        d.href
    );
}

pub fn org_list(s: &Shared, ctx: &Ctx) -> Response {
    let w = s.read();
    let mut out = String::from(DECL);
    let _ = writeln!(
        out,
        "<OrgList xmlns=\"{VCLOUD_NS}\" type=\"{}\" href=\"{}/api/org/\">",
        media("orgList"),
        s.base
    );
    for (i, _) in w
        .orgs
        .iter()
        .enumerate()
        .filter(|(i, _)| ctx.user.is_system() || *i as u32 == ctx.user.org)
    {
        let d = describe(&w, &s.base, Entity::Org(i as u32));
        let _ = writeln!(
            out,
            "<Org type=\"{}\" name=\"{}\" href=\"{}\"/>",
            media("org"),
            esc(&d.name),
            d.href
        );
    }
    out.push_str("</OrgList>\n");
    respond(StatusCode::OK, "orgList", &ctx.version, out)
}

/// `GET /api/{kind}/{id}` for every entity kind.
pub fn get(s: &Shared, ctx: &Ctx, kind: &str, id: &str) -> VcdResult<Response> {
    let w = s.read();
    let b = &s.base;
    let (e, body) = match kind {
        "org" => {
            let (e, i) = resolve(&w, ctx, id, |e| {
                if let Entity::Org(i) = e {
                    Some(i)
                } else {
                    None
                }
            })?;
            (e, org_doc(&w, b, i, &ctx.version))
        }
        "vdc" => {
            let (e, i) = resolve(&w, ctx, id, |e| {
                if let Entity::Vdc(i) = e {
                    Some(i)
                } else {
                    None
                }
            })?;
            (e, vdc_doc(&w, b, i))
        }
        "catalog" => {
            let (e, i) = resolve(&w, ctx, id, |e| {
                if let Entity::Catalog(i) = e {
                    Some(i)
                } else {
                    None
                }
            })?;
            (e, catalog_doc(&w, b, i))
        }
        "network" => {
            let (e, i) = resolve(&w, ctx, id, |e| {
                if let Entity::Network(i) = e {
                    Some(i)
                } else {
                    None
                }
            })?;
            (e, network_doc(&w, b, i))
        }
        "vApp" => {
            let e = vapp_path(&w, ctx, id)?;
            let body = match e {
                Entity::VApp(i) => vm_doc::vapp_doc(&w, b, i, ctx.user.is_system()),
                Entity::Vm(i) => vm_doc::vm_doc(&w, b, i, true, ctx.user.is_system()),
                _ => return Err(VcdError::not_found(id)),
            };
            (e, body)
        }
        _ => return Err(VcdError::not_found(&format!("/api/{kind}/{id}"))),
    };
    let d = describe(&w, b, e);
    Ok(respond(StatusCode::OK, d.kind, &ctx.version, body))
}

/// `GET /api/vApp/vm-<uuid>/snapshotSection`.
pub fn snapshot_section(s: &Shared, ctx: &Ctx, id: &str) -> VcdResult<Response> {
    let w = s.read();
    match vapp_path(&w, ctx, id)? {
        Entity::Vm(i) => Ok(respond(
            StatusCode::OK,
            "snapshotSection",
            &ctx.version,
            vm_doc::snapshot_section_doc(&w, &s.base, i),
        )),
        _ => Err(VcdError::not_found(id)),
    }
}

/// `vapp-<uuid>` or `vm-<uuid>` under `/api/vApp/`.
pub fn vapp_path(w: &World, ctx: &Ctx, id: &str) -> VcdResult<Entity> {
    if let Some(u) = id.strip_prefix("vapp-") {
        return resolve(w, ctx, u, |e| matches!(e, Entity::VApp(_)).then_some(0)).map(|(e, _)| e);
    }
    if let Some(u) = id.strip_prefix("vm-") {
        return resolve(w, ctx, u, |e| matches!(e, Entity::Vm(_)).then_some(0)).map(|(e, _)| e);
    }
    Err(VcdError::not_found(id))
}

/// The query that lists an org's VDCs, which the Org document links to from API 33.
pub fn org_vdcs_query(b: &str, org_name: &str) -> String {
    let filter: String =
        url::form_urlencoded::byte_serialize(format!("orgName=={org_name}").as_bytes()).collect();
    format!("{b}/api/query?type=orgVdc&format=records&filter={filter}")
}

fn org_doc(w: &World, b: &str, i: u32, version: &str) -> String {
    let org = &w.orgs[i as usize];
    let d = describe(w, b, Entity::Org(i));
    let mut out = String::from(DECL);
    open(&mut out, "Org", &d, "");
    // From API 33 a real Org lists its VDCs through a query link only (clients must follow and
    // page it); below 33 it carries one vdc link per VDC.
    if super::auth::major(version) >= 33 {
        link(
            &mut out,
            "down",
            "query.records",
            "orgVdcs",
            &org_vdcs_query(b, &org.name),
        );
    } else {
        for &v in &org.vdcs {
            let vd = describe(w, b, Entity::Vdc(v));
            link(&mut out, "down", "vdc", &vd.name, &vd.href);
        }
    }
    for &c in &org.catalogs {
        let cd = describe(w, b, Entity::Catalog(c));
        link(&mut out, "down", "catalog", &cd.name, &cd.href);
    }
    for &n in &org.networks {
        let nd = describe(w, b, Entity::Network(n));
        link(&mut out, "down", "orgNetwork", &nd.name, &nd.href);
    }
    link(
        &mut out,
        "down",
        "metadata",
        "",
        &format!("{}/metadata", d.href),
    );
    let _ = write!(
        out,
        "<Description>{} organization</Description>\n<FullName>{}</FullName>\n</Org>\n",
        esc(&org.full_name),
        esc(&org.full_name)
    );
    out
}

fn capacity(out: &mut String, elem: &str, units: &str, allocated: u64, limit: u64, used: u64) {
    let _ = writeln!(
        out,
        "<{elem}><Units>{units}</Units><Allocated>{allocated}</Allocated><Limit>{limit}</Limit><Used>{used}</Used><Overhead>0</Overhead></{elem}>"
    );
}

/// (running VMs, all VMs, CPU MHz used, memory MB used, storage MB used) of a VDC.
pub fn vdc_usage(w: &World, v: u32) -> (u64, u64, u64, u64, u64) {
    let (mut running, mut all, mut cpu, mut mem, mut disk) = (0, 0, 0, 0, 0);
    for &a in &w.vdcs[v as usize].vapps {
        for vm in &w.vms[w.vapps[a as usize].vms()] {
            all += 1;
            disk += vm.disks_gb.iter().map(|g| *g as u64 * 1024).sum::<u64>();
            if vm.power == crate::sim::world::Power::On {
                running += 1;
                cpu += vm.cpus as u64 * crate::sim::world::MHZ_PER_VCPU;
                mem += vm.mem_mb as u64;
            }
        }
    }
    (running, all, cpu, mem, disk)
}

fn vdc_doc(w: &World, b: &str, i: u32) -> String {
    let vdc = &w.vdcs[i as usize];
    let d = describe(w, b, Entity::Vdc(i));
    let org = describe(w, b, Entity::Org(vdc.org));
    let (_, _, cpu, mem, disk) = vdc_usage(w, i);
    let mut out = String::from(DECL);
    open(&mut out, "Vdc", &d, " status=\"1\"");
    link(&mut out, "up", "org", "", &org.href);
    link(
        &mut out,
        "down",
        "metadata",
        "",
        &format!("{}/metadata", d.href),
    );
    let _ = writeln!(
        out,
        "<Description>{} virtual datacenter</Description>\n<AllocationModel>AllocationPool</AllocationModel>",
        esc(&vdc.name)
    );
    out.push_str("<StorageCapacity><Units>MB</Units>");
    let _ = writeln!(
        out,
        "<Allocated>{0}</Allocated><Limit>{0}</Limit><Used>{disk}</Used><Overhead>0</Overhead></StorageCapacity>",
        vdc.storage_limit_mb
    );
    out.push_str("<ComputeCapacity>\n");
    capacity(
        &mut out,
        "Cpu",
        "MHz",
        vdc.cpu_limit_mhz,
        vdc.cpu_limit_mhz,
        cpu,
    );
    capacity(
        &mut out,
        "Memory",
        "MB",
        vdc.mem_limit_mb,
        vdc.mem_limit_mb,
        mem,
    );
    out.push_str("</ComputeCapacity>\n<ResourceEntities>\n");
    for &a in &vdc.vapps {
        let ad = describe(w, b, Entity::VApp(a));
        let _ = writeln!(
            out,
            "<ResourceEntity type=\"{}\" name=\"{}\" href=\"{}\"/>",
            media("vApp"),
            esc(&ad.name),
            ad.href
        );
    }
    out.push_str("</ResourceEntities>\n<AvailableNetworks>\n");
    for &n in &w.orgs[vdc.org as usize].networks {
        let nd = describe(w, b, Entity::Network(n));
        let _ = writeln!(
            out,
            "<Network type=\"{}\" name=\"{}\" href=\"{}\"/>",
            media("network"),
            esc(&nd.name),
            nd.href
        );
    }
    out.push_str("</AvailableNetworks>\n<Capabilities><SupportedHardwareVersions>");
    for hw in crate::sim::names::HW_VERSIONS {
        let _ = write!(
            out,
            "<SupportedHardwareVersion>vmx-{hw}</SupportedHardwareVersion>"
        );
    }
    out.push_str("</SupportedHardwareVersions></Capabilities>\n");
    out.push_str("<NicQuota>0</NicQuota>\n<NetworkQuota>20</NetworkQuota>\n<VmQuota>0</VmQuota>\n<IsEnabled>true</IsEnabled>\n</Vdc>\n");
    out
}

fn catalog_doc(w: &World, b: &str, i: u32) -> String {
    let cat = &w.catalogs[i as usize];
    let d = describe(w, b, Entity::Catalog(i));
    let mut out = String::from(DECL);
    open(&mut out, "Catalog", &d, "");
    link(
        &mut out,
        "up",
        "org",
        "",
        &describe(w, b, Entity::Org(cat.org)).href,
    );
    link(
        &mut out,
        "down",
        "metadata",
        "",
        &format!("{}/metadata", d.href),
    );
    out.push_str(
        "<Description>Templates shared within the organization</Description>\n<CatalogItems>\n",
    );
    for (id, name) in &cat.items {
        let _ = writeln!(
            out,
            "<CatalogItem type=\"{}\" name=\"{}\" id=\"urn:vcloud:catalogitem:{2}\" href=\"{b}/api/catalogItem/{2}\"/>",
            media("catalogItem"),
            esc(name),
            uuid_str(*id)
        );
    }
    out.push_str("</CatalogItems>\n<IsPublished>false</IsPublished>\n</Catalog>\n");
    out
}

fn network_doc(w: &World, b: &str, i: u32) -> String {
    let net = &w.networks[i as usize];
    let d = describe(w, b, Entity::Network(i));
    let mut out = String::from(DECL);
    open(&mut out, "OrgVdcNetwork", &d, " status=\"1\"");
    link(
        &mut out,
        "up",
        "vdc",
        "",
        &describe(w, b, Entity::Vdc(net.vdc)).href,
    );
    link(
        &mut out,
        "down",
        "metadata",
        "",
        &format!("{}/metadata", d.href),
    );
    let _ = writeln!(
        out,
        "<Description>{} network</Description>\n<Configuration><IpScopes><IpScope><IsInherited>false</IsInherited>\
         <Gateway>{}</Gateway><Netmask>255.255.0.0</Netmask><Dns1>{}</Dns1><DnsSuffix>{}.sim.local</DnsSuffix>\
         <IsEnabled>true</IsEnabled><IpRanges><IpRange><StartAddress>{}</StartAddress><EndAddress>{}</EndAddress>\
         </IpRange></IpRanges></IpScope></IpScopes><FenceMode>{}</FenceMode>\
         <RetainNetInfoAcrossDeployments>false</RetainNetInfoAcrossDeployments></Configuration>\n<IsShared>true</IsShared>\n</OrgVdcNetwork>",
        esc(&net.name),
        net.ip(1),
        net.ip(2),
        esc(&w.orgs[net.org as usize].name),
        net.ip(10),
        net.ip(65530),
        net.fence
    );
    out
}
