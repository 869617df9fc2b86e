//! What a VM's own document does not say but its query record does (`vm` type, API 29+): who
//! owns it (`ownerName`) and whether VMware Tools run (`vmToolsStatus`). One small query by
//! href, added to the VM's Summary; a failed or empty answer leaves the Summary as it was.

use super::VcdBackend;
use super::query::{self, Query};
use crate::api::labels;
use crate::api::model::Section;
use crate::api::xml::Element;

/// Adds Owner and the Tools running state from a `VMRecord` to a VM's Summary.
pub fn add_rows(summary: &mut Section, record: &Element) {
    if let Some(owner) = record.attr("ownerName").filter(|o| !o.is_empty()) {
        summary.row("Owner", owner);
    }
    let Some(status) = record.attr("vmToolsStatus").filter(|s| !s.is_empty()) else {
        return;
    };
    let said = labels::vcd_tools_status(status);
    match summary.rows.iter_mut().find(|(k, _)| k == "VMware Tools") {
        // "Running, installed, version 12345".
        Some(row) if row.1.starts_with("installed") => row.1 = format!("{said}, {}", row.1),
        Some(row) => row.1 = said,
        None => {
            summary.row("VMware Tools", said);
        }
    }
}

impl VcdBackend {
    /// The VM's query record, if the server has one for it.
    pub(super) async fn vm_record(&self, href: &str) -> Option<Element> {
        // By its uuid (`…/vApp/vm-<uuid>`), as `:goto` finds a VM by id.
        let uuid = href.rsplit('/').next()?.trim_start_matches("vm-");
        let mut q = Query::new("vm")
            .filter(format!("id=={uuid}"))
            .fields("name,ownerName,vmToolsStatus");
        q.page_size = 1;
        match query::records(&self.session, &q).await {
            Ok(mut r) if !r.is_empty() => Some(r.remove(0)),
            Ok(_) => None,
            Err(e) => {
                tracing::debug!(target: "vnav::vcd", "no VM record for the summary: {e}");
                None
            }
        }
    }
}
