//! The vCenter VM behind a vCD VM. vCD tells a system administrator in the VM's
//! `VCloudExtension` (`vmext:VmVimInfo/VmVimObjectRef`: a `VimServerRef` and a `MoRef`); the
//! VimServer (`/api/admin/extension/vimServer/{id}`) gives the vCenter's URL, read once per
//! server. Tenants see no extension: then there is no link. For many VMs at once, the `adminVM`
//! query names the same VimServer (`vc`) and moid (`moref`) per record.

use std::sync::Mutex;

use super::query::{self, Query};
use super::{VcdBackend, map};
use crate::api::error::ApiResult;
use crate::api::model::{Backings, NodeId, Section, VimRef};
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

    /// The vCenter VM behind each VM of the system, or of the vApp whose href is `vapp`, from
    /// the `adminVM` query's `vc` and `moref`: a page per 128 VMs instead of a Vm document
    /// each. Each VimServer is read once; VMs of one that cannot be read are left out. System
    /// administrators only.
    pub(super) async fn backings(&self, vapp: Option<&str>) -> ApiResult<Backings> {
        let filter = match vapp {
            Some(href) => format!("isVAppTemplate==false;container=={href}"),
            None => "isVAppTemplate==false".into(),
        };
        let q = Query::new("adminVM").filter(filter).fields("vc,moref");
        // The VimServer hrefs named, each once: a record keeps its place here.
        let servers: Mutex<Vec<String>> = Mutex::default();
        let vms = query::collect(
            &self.session,
            &q,
            self.paging(),
            |_, _| (),
            |r| {
                let vm = NodeId::new(r.attr("href")?);
                let (vc, moref) = (r.attr("vc")?, r.attr("moref")?);
                if vc.is_empty() || moref.is_empty() {
                    return None;
                }
                let mut servers = servers.lock().ok()?;
                let at = match servers.iter().position(|s| s == vc) {
                    Some(at) => at,
                    None => {
                        servers.push(vc.to_string());
                        servers.len() - 1
                    }
                };
                Some((vm, at as u32, moref.into()))
            },
        )
        .await?;
        let servers = servers.into_inner().unwrap_or_default();
        // Each server's place among those read, if it could be.
        let mut out = Backings::default();
        let mut places = Vec::with_capacity(servers.len());
        for server in &servers {
            let read = self.vim_server(server).await;
            places.push(read.map(|(url, name)| {
                out.vcenters.push((url.into(), name.into()));
                (out.vcenters.len() - 1) as u32
            }));
        }
        out.vms = (vms.into_iter())
            .filter_map(|(vm, at, moid)| Some((vm, places[at as usize]?, moid)))
            .collect();
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
