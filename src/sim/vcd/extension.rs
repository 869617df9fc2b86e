//! The provider's hosts and datastores as the admin extension shows them to a system
//! administrator: `GET /api/admin/extension/host/{id}` (`vmext:Host`) and
//! `GET /api/admin/extension/datastore/{id}` (`vmext:Datastore`), the hrefs the `host` and
//! `datastore` query records name. Capacity and use are the vCenter's own numbers for the same
//! objects, so both products agree.

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;

use super::errors::{VcdError, VcdResult};
use super::records::derived_id;
use super::vim_server::{VMEXT_NS, vim_server_ref};
use super::xml::{DECL, VCLOUD_NS, esc};
use super::{Ctx, Shared};
use crate::sim::vcenter::vim::usage::{HOST_CORES, HOST_MEMORY_MB, HOST_MHZ, host_use};
use crate::sim::world::{World, uuid_str};

const MIB: f64 = (1u64 << 20) as f64;
const GIB: f64 = (1u64 << 30) as f64;

/// The salts `records.rs` derives host and datastore ids with.
const HOST_SALT: u16 = 2;
const DATASTORE_SALT: u16 = 3;

/// The index of the host or datastore (`kind`, as in its path) whose derived id is `asked`:
/// system administrators only, like every admin extension document.
fn find(w: &World, ctx: &Ctx, kind: &str, asked: &str) -> VcdResult<u32> {
    if !ctx.user.is_system() {
        return Err(VcdError::forbidden());
    }
    let (salt, n) = match kind {
        "host" => (HOST_SALT, w.vc.hosts.len()),
        _ => (DATASTORE_SALT, w.vc.datastores.len()),
    };
    (0..n as u32)
        .find(|&i| uuid_str(derived_id(w.vcenter, salt, i)) == asked)
        .ok_or_else(|| VcdError::not_found(&format!("/api/admin/extension/{kind}/{asked}")))
}

fn respond(media: &str, ctx: &Ctx, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    if let Ok(v) = HeaderValue::from_str(&format!("{media};version={}", ctx.version)) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

/// `GET /api/admin/extension/host/{id}`: system administrators only.
pub fn host(s: &Shared, ctx: &Ctx, id: &str) -> VcdResult<Response> {
    let w = s.read();
    let i = find(&w, ctx, "host", id)?;
    let h = &w.vc.hosts[i as usize];
    let (_, mem_used) = host_use(&w, i);
    const MEDIA: &str = "application/vnd.vmware.admin.host+xml";
    let body = format!(
        "{DECL}<vmext:Host xmlns=\"{VCLOUD_NS}\" xmlns:vmext=\"{VMEXT_NS}\" name=\"{name}\" \
         id=\"urn:vcloud:host:{id}\" type=\"{MEDIA}\" href=\"{b}/api/admin/extension/host/{id}\">\n\
         <Link rel=\"up\" type=\"application/vnd.vmware.admin.vmwvirtualcenter+xml\" href=\"{vc}\"/>\n\
         <vmext:Ready>true</vmext:Ready>\n<vmext:Available>true</vmext:Available>\n\
         <vmext:Enabled>true</vmext:Enabled>\n<vmext:Busy>false</vmext:Busy>\n\
         <vmext:EnableHostForHostSpanning>false</vmext:EnableHostForHostSpanning>\n\
         <vmext:CpuType>Intel(R) Xeon(R) Gold 6342 CPU @ 2.80GHz</vmext:CpuType>\n\
         <vmext:NumOfCpuCoresPhysical>{HOST_CORES}</vmext:NumOfCpuCoresPhysical>\n\
         <vmext:NumOfCpuCoresLogical>{logical}</vmext:NumOfCpuCoresLogical>\n\
         <vmext:NumOfCpusPackages>2</vmext:NumOfCpusPackages>\n\
         <vmext:NumOfCpusLogical>{logical}</vmext:NumOfCpusLogical>\n\
         <vmext:CpuTotal>{cpu_total}</vmext:CpuTotal>\n\
         <vmext:MemUsed>{mem_used}.0</vmext:MemUsed>\n<vmext:MemTotal>{HOST_MEMORY_MB}.0</vmext:MemTotal>\n\
         <vmext:HostOsName>VMware ESXi</vmext:HostOsName>\n\
         <vmext:HostOsVersion>8.0.2</vmext:HostOsVersion>\n\
         <vmext:VmMoRef>{moid}</vmext:VmMoRef>\n</vmext:Host>\n",
        name = esc(&h.name),
        b = s.base,
        vc = super::vim_server::href(&w, &s.base),
        logical = HOST_CORES * 2,
        cpu_total = HOST_CORES * HOST_MHZ,
        moid = esc(&h.moid),
    );
    Ok(respond(MEDIA, ctx, body))
}

/// `GET /api/admin/extension/datastore/{id}`: system administrators only.
pub fn datastore(s: &Shared, ctx: &Ctx, id: &str) -> VcdResult<Response> {
    let w = s.read();
    let i = find(&w, ctx, "datastore", id)?;
    let d = &w.vc.datastores[i as usize];
    let (total, used) = (d.capacity as f64, (d.capacity - d.free) as f64);
    const MEDIA: &str = "application/vnd.vmware.admin.datastore+xml";
    let body = format!(
        "{DECL}<vmext:Datastore xmlns=\"{VCLOUD_NS}\" xmlns:vmext=\"{VMEXT_NS}\" name=\"{name}\" \
         id=\"urn:vcloud:datastore:{id}\" type=\"{MEDIA}\" href=\"{b}/api/admin/extension/datastore/{id}\">\n\
         <vmext:VimObjectRef>{server}<vmext:MoRef>{moid}</vmext:MoRef>\
         <vmext:VimObjectType>DATASTORE</vmext:VimObjectType></vmext:VimObjectRef>\n\
         <vmext:Enabled>true</vmext:Enabled>\n<vmext:Busy>false</vmext:Busy>\n\
         <vmext:ThresholdYellowGb>{yellow:.0}</vmext:ThresholdYellowGb>\n\
         <vmext:ThresholdRedGb>{red:.0}</vmext:ThresholdRedGb>\n\
         <vmext:DatastoreFsType>{kind}</vmext:DatastoreFsType>\n\
         <vmext:VcDisplayName>{vc_name}</vmext:VcDisplayName>\n\
         <vmext:TotalCapacityMb>{total_mb:.1}</vmext:TotalCapacityMb>\n\
         <vmext:TotalCapacityGb>{total_gb:.1}</vmext:TotalCapacityGb>\n\
         <vmext:UsedCapacityMb>{used_mb:.1}</vmext:UsedCapacityMb>\n\
         <vmext:UsedCapacityGb>{used_gb:.1}</vmext:UsedCapacityGb>\n\
         <vmext:UsedCapacityPercent>{pct:.1}</vmext:UsedCapacityPercent>\n</vmext:Datastore>\n",
        name = esc(&d.name),
        b = s.base,
        server = vim_server_ref(&w, &s.base),
        moid = esc(&d.moid),
        yellow = total / GIB * 0.25,
        red = total / GIB * 0.15,
        kind = esc(d.kind),
        vc_name = super::values::VC_NAME,
        total_mb = total / MIB,
        total_gb = total / GIB,
        used_mb = used / MIB,
        used_gb = used / GIB,
        pct = used * 100.0 / total.max(1.0),
    );
    Ok(respond(MEDIA, ctx, body))
}
