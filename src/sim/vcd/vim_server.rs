//! The one vCenter registered in the simulated vCD, as the admin extension shows it to a system
//! administrator: `GET /api/admin/extension/vimServer/{id}` (`vmext:VimServer`, with the
//! vCenter's URL and instance UUID), referenced from each Vm's `VmVimInfo`.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use super::errors::{VcdError, VcdResult};
use super::xml::{DECL, VCLOUD_NS, esc};
use super::{Ctx, Shared};
use crate::sim::VCENTER_USER;
use crate::sim::world::{World, uuid_str};

pub const VMEXT_NS: &str = "http://www.vmware.com/vcloud/extension/v1.5";
const MEDIA: &str = "application/vnd.vmware.admin.vmwvirtualcenter+xml";
const NAME: &str = "vCenter (simulated)";

/// The VimServer's vCD id: derived from, but not equal to, the vCenter's instance UUID.
fn id(w: &World) -> String {
    uuid_str(w.vcenter ^ 0x5649_4d53_6572_7665_7200_0000_0000_0001)
}

/// The VimServer's href: what VM records' and provider records' `vc` name too.
pub fn href(w: &World, b: &str) -> String {
    format!("{b}/api/admin/extension/vimServer/{}", id(w))
}

/// `<vmext:VimServerRef …/>` for a `VimObjectRef`.
pub fn vim_server_ref(w: &World, b: &str) -> String {
    format!(
        "<vmext:VimServerRef href=\"{}\" name=\"{NAME}\" type=\"{MEDIA}\"/>",
        href(w, b)
    )
}

/// `GET /api/admin/extension/vimServer/{id}`: system administrators only.
pub fn get(s: &Shared, ctx: &Ctx, id_asked: &str) -> VcdResult<Response> {
    if !ctx.user.is_system() {
        return Err(VcdError::forbidden());
    }
    let w = s.read();
    if id_asked != id(&w) {
        return Err(VcdError::not_found(&format!(
            "/api/admin/extension/vimServer/{id_asked}"
        )));
    }
    let version = match s.opts.vcenter_version {
        crate::sim::VcenterVersion::V6_7 => "6.7.0",
        crate::sim::VcenterVersion::V7_0 => "7.0.3",
        crate::sim::VcenterVersion::V8_0 => "8.0.2",
    };
    let body = format!(
        "{DECL}<vmext:VimServer xmlns=\"{VCLOUD_NS}\" xmlns:vmext=\"{VMEXT_NS}\" name=\"{NAME}\" \
         id=\"urn:vcloud:vimserver:{}\" type=\"{MEDIA}\" href=\"{}\">\n\
         <vmext:Username>{}</vmext:Username>\n<vmext:Url>{}</vmext:Url>\n\
         <vmext:IsEnabled>true</vmext:IsEnabled>\n<vmext:IsConnected>true</vmext:IsConnected>\n\
         <vmext:Uuid>{}</vmext:Uuid>\n<vmext:VcVersion>{version}</vmext:VcVersion>\n</vmext:VimServer>\n",
        id(&w),
        href(&w, &s.base),
        esc(VCENTER_USER),
        esc(&s.vcenter_url),
        uuid_str(w.vcenter),
    );
    let mut r = Response::new(Body::from(body));
    let ct = format!("{MEDIA};version={}", ctx.version);
    if let Ok(v) = HeaderValue::from_str(&ct) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    *r.status_mut() = StatusCode::OK;
    Ok(r)
}
