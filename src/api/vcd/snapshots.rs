//! Snapshot sprawl on vCD: every VM with a snapshot, oldest first, with the snapshot's size.
//! The query service finds the VMs and their snapshot dates in a few pages (`type=vm` covers the
//! whole system for a system administrator) and those rows go out at once; the size is only in
//! each VM's SnapshotSection, read with the endpoint's concurrency and sent on in chunks. A size
//! that cannot be read stays unknown, not an error. A system administrator reads the whole Vm
//! document instead, which also names the vCenter VM behind it (so the view counts it once).
//! When the caller reads sizes on the vCenters behind the VMs (`SprawlSink::sized_elsewhere`),
//! the adminVM pages say which vCenter VM each row is, and only the VMs on other vCenters are
//! read one by one. Before a new snapshot replaces a VM's one, `snapshot_slot` says which.

use std::collections::HashMap;

use futures::{StreamExt, stream};

use super::query::{self, Query};
use super::{VcdBackend, map};
use crate::api::backend::SprawlSink;
use crate::api::error::ApiResult;
use crate::api::model::{SnapshotSlot, SprawlRow, VimRef, parse_time, sort_oldest_first};
use crate::api::xml::Element;

/// Sizes sent on together: few enough updates for a big estate, soon enough for a small one.
const SIZES_PER_UPDATE: usize = 64;

impl VcdBackend {
    pub(super) async fn sprawl(&self, sink: &SprawlSink) -> ApiResult<Vec<SprawlRow>> {
        let mut q = Query::new("vm")
            .filter("isVAppTemplate==false;snapshot==true")
            .fields("name,status,containerName,snapshotCreated");
        q.sort_asc = Some("snapshotCreated".into());
        let progress = |done, total| sink.progress("listing snapshots", done, total);
        let mut rows = query::collect(&self.session, &q, self.paging(), progress, row).await?;
        sort_oldest_first(&mut rows, |r| r);
        sink.rows(&rows);
        let whole_vm = self.info.read().await.is_system();
        // When the caller reads sizes on the vCenters behind these VMs, learn which vCenter VM
        // each one is from the adminVM pages (one per 128 VMs) rather than a Vm document each.
        let mut known = false;
        if whole_vm && sink.any_elsewhere() && !rows.is_empty() {
            match self.backings(None).await {
                Ok(backings) => {
                    known = true;
                    let by_vm = backings.by_vm();
                    for r in &mut rows {
                        let at = by_vm.get(&r.vm.id).copied();
                        r.vm.set_backing(at.map(|at| backings.vim_ref(at)));
                    }
                    let learned: Vec<(Box<str>, VimRef)> = rows
                        .iter()
                        .filter_map(|r| Some((r.vm.id.as_str().into(), r.vm.backing()?.clone())))
                        .collect();
                    sink.backings(learned);
                }
                Err(e) => {
                    tracing::info!(target: "vnav::vcd", error = %e, "adminVM not readable");
                }
            }
        }
        // Sizes of VMs whose vCenter the caller reads are left to it (each vCenter's URL
        // matched once, not once per row).
        let mut elsewhere: HashMap<&str, bool> = HashMap::new();
        let todo: Vec<(usize, Box<str>)> = rows
            .iter()
            .enumerate()
            .filter(|(_, r)| {
                !r.vm.backing().is_some_and(|b| {
                    *elsewhere
                        .entry(&b.vcenter_url)
                        .or_insert_with(|| sink.is_sized_elsewhere(b))
                })
            })
            .map(|(i, r)| (i, r.vm.id.as_str().into()))
            .collect();
        let total = todo.len() as u64;
        // Read the whole Vm only to learn its backing, when the adminVM pages did not say.
        let whole_vm = whole_vm && !known;
        let mut reads =
            stream::iter(todo)
                .map(|(i, id)| async move {
                    (i, id.clone(), self.snapshot_section(&id, whole_vm).await)
                })
                .buffer_unordered(self.session.http().options().concurrency);
        let (mut done, mut read) = (0, Vec::new());
        while let Some((i, id, section)) = reads.next().await {
            done += 1;
            if let Some((count, bytes, backing)) = section {
                rows[i].count = count;
                rows[i].bytes = bytes;
                if whole_vm {
                    rows[i].vm.set_backing(backing);
                }
                read.extend(bytes.map(|b| (id, b)));
            }
            if read.len() == SIZES_PER_UPDATE || done == total {
                sink.sizes(std::mem::take(&mut read));
                sink.progress("reading snapshot sizes", done, total);
            }
        }
        Ok(rows)
    }

    /// What a new snapshot of this VM would replace (the legacy API keeps one per VM): from
    /// the SnapshotSection of the Vm document when it holds one, else read on its own. A
    /// section that cannot be read is Unknown, never taken for "no snapshot".
    pub(super) async fn snapshot_slot(&self, vm_doc: &Element, vm: &str) -> SnapshotSlot {
        if let Some(section) = vm_doc.child("SnapshotSection") {
            return slot(section);
        }
        match self.session.get(&format!("{vm}/snapshotSection")).await {
            Ok(doc) => slot(&doc.root),
            Err(e) => SnapshotSlot::Unknown(e.to_string()),
        }
    }

    /// (snapshot count, total size, the vCenter VM behind) from a VM's SnapshotSection, or from
    /// the whole VM document when `whole_vm`; None if it cannot be read.
    async fn snapshot_section(
        &self,
        vm: &str,
        whole_vm: bool,
    ) -> Option<(u32, Option<u64>, Option<VimRef>)> {
        let (doc, backing) = if whole_vm {
            let doc = self.session.get(vm).await.ok()?;
            let backing = self.backing(&doc.root).await;
            (doc, backing)
        } else {
            let url = format!("{vm}/snapshotSection");
            (self.session.get(&url).await.ok()?, None)
        };
        let section = if whole_vm {
            doc.root.child("SnapshotSection")?
        } else {
            &doc.root
        };
        let snaps: Vec<&Element> = section.children_named("Snapshot").collect();
        let bytes = snaps
            .iter()
            .map(|s| s.attr("size").and_then(|v| v.parse::<u64>().ok()))
            .sum();
        Some(((snaps.len() as u32).max(1), bytes, backing))
    }
}

/// The snapshot a SnapshotSection holds (the legacy API keeps at most one).
fn slot(section: &Element) -> SnapshotSlot {
    match section.children_named("Snapshot").next() {
        None => SnapshotSlot::Empty,
        Some(s) => SnapshotSlot::Taken {
            created: s.attr("created").and_then(parse_time),
            bytes: s.attr("size").and_then(|v| v.parse().ok()),
        },
    }
}

/// A VM record of the snapshot query. The legacy API keeps one snapshot per VM.
fn row(r: &Element) -> Option<SprawlRow> {
    let vm = map::record_node(r)?;
    let vapp = r.attr("containerName").unwrap_or("");
    Some(SprawlRow {
        vm,
        count: 1,
        oldest: r.attr("snapshotCreated").and_then(parse_time),
        bytes: None,
        place: if vapp.is_empty() {
            "".into()
        } else {
            format!("vApp {vapp}").into()
        },
    })
}
