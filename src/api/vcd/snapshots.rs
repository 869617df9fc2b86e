//! Snapshot sprawl on vCD: every VM with a snapshot, oldest first, with the snapshot's size.
//! The query service finds the VMs and their snapshot dates in a few pages (`type=vm` covers the
//! whole system for a system administrator); the size is only in each VM's SnapshotSection, read
//! with the endpoint's concurrency. A size that cannot be read stays unknown, not an error.

use futures::{StreamExt, stream};

use super::query::{self, Query};
use super::xml::Element;
use super::{VcdBackend, map};
use crate::api::backend::ChildSink;
use crate::api::error::ApiResult;
use crate::api::model::{ChildBatch, SprawlRow, parse_time, sort_oldest_first};

impl VcdBackend {
    pub(super) async fn sprawl(&self, progress: &ChildSink) -> ApiResult<Vec<SprawlRow>> {
        let mut q = Query::new("vm")
            .filter("isVAppTemplate==false;snapshot==true")
            .fields("name,status,containerName,snapshotCreated");
        q.sort_asc = Some("snapshotCreated".into());
        let found = query::collect(
            &self.session,
            &q,
            self.paging(),
            "listing snapshots",
            progress,
            row,
        )
        .await?;
        let total = found.len() as u64;
        let mut done = 0;
        let mut sized = stream::iter(found)
            .map(|mut r| async move {
                let section = format!("{}/snapshotSection", r.vm.id);
                if let Ok(doc) = self.session.get(&section).await {
                    let snaps: Vec<&Element> = doc.root.children_named("Snapshot").collect();
                    r.count = (snaps.len() as u32).max(1);
                    r.bytes = snaps
                        .iter()
                        .map(|s| s.attr("size").and_then(|v| v.parse::<u64>().ok()))
                        .sum();
                }
                r
            })
            .buffer_unordered(self.session.http().options().concurrency);
        let mut rows = Vec::with_capacity(total as usize);
        while let Some(r) = sized.next().await {
            done += 1;
            rows.push(r);
            progress.push(ChildBatch::progress("reading snapshot sizes", done, total));
        }
        sort_oldest_first(&mut rows, |r| r);
        Ok(rows)
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
