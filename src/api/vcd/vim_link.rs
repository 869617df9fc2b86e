//! The vCenter VM behind a vCD VM. vCD tells a system administrator in the VM's
//! `VCloudExtension` (`vmext:VmVimInfo/VmVimObjectRef`: a `VimServerRef` and a `MoRef`); the
//! VimServer (`/api/admin/extension/vimServer/{id}`) gives the vCenter's URL, read once per
//! server. Tenants see no extension: then there is no link.

use super::{VcdBackend, map};
use crate::api::model::{Section, VimRef};
use crate::api::xml::Element;

impl VcdBackend {
    /// The vCenter VM behind a Vm document, if vCD says and its VimServer can be read.
    pub(super) async fn backing(&self, vm: &Element) -> Option<VimRef> {
        let (server, vcenter_name, moid) = map::vm_vim_ref(vm)?;
        let known = self
            .vim_servers
            .lock()
            .ok()
            .and_then(|m| m.get(&server).cloned());
        let vcenter_url = match known {
            Some(url) => url,
            None => {
                let doc = match self.session.get(&server).await {
                    Ok(doc) => doc,
                    Err(e) => {
                        tracing::info!(target: "vnav::vcd", error = %e, "VimServer not readable");
                        return None;
                    }
                };
                let url = doc.root.child_text("Url")?.to_string();
                if let Ok(mut m) = self.vim_servers.lock() {
                    m.insert(server, url.clone());
                }
                url
            }
        };
        Some(VimRef {
            vcenter_url: vcenter_url.into(),
            vcenter_name: vcenter_name.into(),
            moid: moid.into(),
        })
    }
}

/// The details section naming the vCenter VM.
pub fn section(b: &VimRef) -> Section {
    let mut s = Section::new("vCenter");
    s.row("vCenter VM", &*b.moid)
        .row("vCenter", format!("{} ({})", b.vcenter_name, b.vcenter_url));
    s
}
