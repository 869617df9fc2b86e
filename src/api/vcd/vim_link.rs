//! The vCenter VM behind a vCD VM. vCD tells a system administrator in the VM's
//! `VCloudExtension` (`vmext:VmVimInfo/VmVimObjectRef`: a `VimServerRef` and a `MoRef`); the
//! VimServer (`/api/admin/extension/vimServer/{id}`) gives the vCenter's URL, read once per
//! server. Tenants see no extension: then there is no link. For many VMs at once, the `adminVM`
//! query names the same VimServer (`vc`) and moid (`moref`) per record.

use std::collections::HashMap;

use super::query::{self, Query};
use super::{VcdBackend, map};
use crate::api::error::ApiResult;
use crate::api::model::{Section, VimRef};
use crate::api::xml::Element;

impl VcdBackend {
    /// The vCenter VM behind a Vm document, if vCD says and its VimServer can be read.
    pub(super) async fn backing(&self, vm: &Element) -> Option<VimRef> {
        let (server, vcenter_name, moid) = map::vm_vim_ref(vm)?;
        let (vcenter_url, _) = self.vim_server(&server).await?;
        Some(VimRef {
            vcenter_url: vcenter_url.into(),
            vcenter_name: vcenter_name.into(),
            moid: moid.into(),
        })
    }

    /// The vCenter VM behind each VM of the system, or of the vApp whose href is `vapp` (VM
    /// href → it), from the `adminVM` query's `vc` and `moref`: a page per 128 VMs instead of
    /// a Vm document each. System administrators only.
    pub(super) async fn backings(
        &self,
        vapp: Option<&str>,
    ) -> ApiResult<HashMap<Box<str>, VimRef>> {
        let filter = match vapp {
            Some(href) => format!("isVAppTemplate==false;container=={href}"),
            None => "isVAppTemplate==false".into(),
        };
        let q = Query::new("adminVM").filter(filter).fields("vc,moref");
        let records = query::collect(
            &self.session,
            &q,
            self.paging(),
            |_, _| (),
            |r| {
                let vm: Box<str> = r.attr("href")?.into();
                let (vc, moref) = (r.attr("vc")?, r.attr("moref")?);
                (!vc.is_empty() && !moref.is_empty()).then(|| (vm, vc.to_string(), moref.into()))
            },
        )
        .await?;
        let mut out = HashMap::with_capacity(records.len());
        let mut servers: HashMap<String, Option<(String, String)>> = HashMap::new();
        for (vm, vc, moid) in records {
            if !servers.contains_key(&vc) {
                let server = self.vim_server(&vc).await;
                servers.insert(vc.clone(), server);
            }
            if let Some(Some((url, name))) = servers.get(&vc) {
                let r = VimRef {
                    vcenter_url: url.as_str().into(),
                    vcenter_name: name.as_str().into(),
                    moid,
                };
                out.insert(vm, r);
            }
        }
        Ok(out)
    }

    /// (URL, name) of the vCenter a VimServer href names, read once per server.
    pub(super) async fn vim_server(&self, server: &str) -> Option<(String, String)> {
        let known = self
            .vim_servers
            .lock()
            .ok()
            .and_then(|m| m.get(server).cloned());
        if known.is_some() {
            return known;
        }
        let doc = match self.session.get(server).await {
            Ok(doc) => doc,
            Err(e) => {
                tracing::info!(target: "vnav::vcd", error = %e, "VimServer not readable");
                return None;
            }
        };
        let url = doc.root.child_text("Url")?.to_string();
        let name = doc.root.attr("name").unwrap_or("").to_string();
        if let Ok(mut m) = self.vim_servers.lock() {
            m.insert(server.to_string(), (url.clone(), name.clone()));
        }
        Some((url, name))
    }
}

/// The details section naming the vCenter VM.
pub fn section(b: &VimRef) -> Section {
    let mut s = Section::new("vCenter");
    s.row("vCenter VM", &*b.moid)
        .row("vCenter", format!("{} ({})", b.vcenter_name, b.vcenter_url));
    s
}
