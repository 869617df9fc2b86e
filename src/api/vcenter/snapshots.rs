//! vCenter snapshots through the vim API: a VM's snapshots as its children in the tree, the
//! snapshot section of its details, snapshot actions as vim Tasks in the task pane, and the
//! snapshot sprawl across all VMs.

use std::collections::HashMap;

use futures::{StreamExt, stream};

use super::VcenterBackend;
use super::map;
use super::vim::{Call, Snapshot};
use crate::api::backend::{ChildSink, SprawlSink};
use crate::api::error::{ApiError, ApiResult};
use crate::api::model::{
    ActionId, ActionOffer, ActionParams, Details, Node, NodeKind, Raw, RawFormat, Section,
    Severity, SprawlRow, Status, TaskInfo, TaskTarget, bytes_text, parse_time, sort_oldest_first,
};

/// Snapshot node ids: `snapshot/<vm moid>/<snapshot moid>`.
pub fn node_id(vm: &str, snapshot: &str) -> String {
    format!("snapshot/{vm}/{snapshot}")
}

fn parse_id(id: &str) -> Option<(&str, &str)> {
    id.strip_prefix("snapshot/")?.split_once('/')
}

fn describe(s: &Snapshot) -> String {
    let mut parts = vec![s.created.clone()];
    if s.powered_on {
        parts.push("with memory".into());
    }
    if s.quiesced {
        parts.push("quiesced".into());
    }
    parts.join(" · ")
}

fn node(vm: &str, s: &Snapshot) -> Node {
    let indent = "· ".repeat(s.depth);
    let status = if s.current {
        Status::new("current", Severity::Ok)
    } else {
        Status::NONE
    };
    Node::new(
        NodeKind::Snapshot,
        node_id(vm, &s.moid),
        format!("{indent}{}", s.name),
    )
    .with_status(status)
    .with_summary(describe(s))
}

/// VMs whose snapshot state is read in one property read.
const BATCH: usize = 250;

/// Owned batches, so the reads can run side by side.
fn batches_of<S: AsRef<str>>(moids: impl Iterator<Item = S>) -> Vec<Vec<String>> {
    let all: Vec<String> = moids.map(|m| m.as_ref().to_string()).collect();
    all.chunks(BATCH).map(<[String]>::to_vec).collect()
}

impl VcenterBackend {
    /// Every VM with snapshots, oldest first, with how many, how old and how big. Lists the VMs
    /// over REST (splitting under the cap), reads their snapshot trees in batches, sends those
    /// rows on, then reads the file layout of the VMs that have snapshots, batch by batch.
    pub(super) async fn sprawl(&self, sink: &SprawlSink) -> ApiResult<Vec<SprawlRow>> {
        let (collector, found) = ChildSink::collecting();
        super::lists::stream_vms(&self.session, Vec::new(), self.width(), &collector).await?;
        let vms: HashMap<String, Node> = found
            .take()
            .into_iter()
            .map(|n| (map::moid(&n.id.as_str()).to_string(), n))
            .collect();
        let http = self.session.http();
        let chunks = batches_of(vms.keys());
        let total = chunks.len() as u64;
        let mut batches = stream::iter(chunks)
            .map(|chunk| async move { self.vim.snapshot_counts(http, &chunk).await })
            .buffered(self.width());
        let (mut rows, mut done) = (Vec::new(), 0);
        while let Some(counts) = batches.next().await {
            for (moid, count, oldest) in counts? {
                rows.extend(vms.get(&moid).map(|vm| SprawlRow {
                    vm: vm.clone(),
                    count: count as u32,
                    oldest: parse_time(&oldest),
                    bytes: None,
                    place: "".into(),
                }));
            }
            done += 1;
            sink.progress("reading snapshots", done, total);
        }
        sort_oldest_first(&mut rows, |r| r);
        sink.rows(&rows);

        let at: HashMap<String, usize> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| (map::moid(&r.vm.id.as_str()).to_string(), i))
            .collect();
        let chunks = batches_of(at.keys());
        let total = chunks.len() as u64;
        let mut batches = stream::iter(chunks)
            .map(|chunk| async move { self.vim.snapshot_sizes(http, &chunk).await })
            .buffered(self.width());
        let mut done = 0;
        while let Some(sizes) = batches.next().await {
            let mut read = Vec::new();
            for (moid, bytes) in sizes? {
                if let Some(&i) = at.get(&moid) {
                    rows[i].bytes = Some(bytes);
                    read.push((rows[i].vm.id.as_str().into(), bytes));
                }
            }
            sink.sizes(read);
            done += 1;
            sink.progress("reading snapshot sizes", done, total);
        }
        Ok(rows)
    }

    /// Bytes the snapshots of these VMs (node ids) hold, from their file layouts read in
    /// batches side by side: what vCD asks of the vCenter behind its VMs.
    pub(super) async fn sizes(&self, vms: &[Box<str>]) -> ApiResult<Vec<(Box<str>, u64)>> {
        let http = self.session.http();
        let chunks = batches_of(vms.iter().map(|id| map::moid(id)));
        let mut batches = stream::iter(chunks)
            .map(|chunk| async move { self.vim.snapshot_sizes(http, &chunk).await })
            .buffer_unordered(self.width());
        let mut out = Vec::with_capacity(vms.len());
        while let Some(sizes) = batches.next().await {
            out.extend(
                sizes?
                    .into_iter()
                    .map(|(moid, b)| (map::node_id(map::VM, &moid).into(), b)),
            );
        }
        Ok(out)
    }

    /// Bytes the VM's snapshots hold, from its file layout (None if the server gave none).
    pub async fn snapshot_size(&self, vm_node: &Node) -> ApiResult<Option<u64>> {
        let id = vm_node.id.as_str();
        let moid = [map::moid(&id)];
        let sizes = self.vim.snapshot_sizes(self.session.http(), &moid).await?;
        Ok(sizes.first().map(|(_, b)| *b))
    }

    pub(super) async fn snapshot_nodes(&self, vm_node: &Node) -> ApiResult<Vec<Node>> {
        let id = vm_node.id.as_str();
        let vm = map::moid(&id);
        let list = self.vim.snapshots(self.session.http(), vm).await?;
        Ok(list.iter().map(|s| node(vm, s)).collect())
    }

    /// The snapshot section and actions added to a VM's details.
    pub(super) async fn snapshot_part(&self, vm_node: &Node) -> (Section, Vec<ActionOffer>) {
        let mut section = Section::new("Snapshots");
        let offer = |id| ActionOffer::new(id, vm_node.id.clone());
        let mut actions = vec![offer(ActionId::SnapshotCreate)];
        match self
            .vim
            .snapshots(self.session.http(), map::moid(&vm_node.id.as_str()))
            .await
        {
            Ok(list) if list.is_empty() => {
                section.row("Snapshots", "none");
            }
            Ok(list) => {
                for s in &list {
                    let mark = if s.current { " (current)" } else { "" };
                    section.row(
                        format!("{}{}{mark}", "  ".repeat(s.depth), s.name),
                        describe(s),
                    );
                }
                let size = match self.snapshot_size(vm_node).await {
                    Ok(bytes) => bytes.map(bytes_text).unwrap_or_default(),
                    Err(e) => format!("unavailable: {e}"),
                };
                section.row("Total size", size);
                if let Ok(protocol) = self.vim.protocol(self.session.http()).await {
                    section.row("Read over", protocol);
                }
                actions.push(offer(ActionId::SnapshotRevert));
                actions.push(offer(ActionId::SnapshotRemoveAll));
            }
            Err(e) => {
                section.row("unavailable", e.to_string());
                actions.clear();
            }
        }
        (section, actions)
    }

    pub(super) async fn snapshot_details(&self, node: &Node) -> ApiResult<Details> {
        let id = node.id.as_str();
        let (vm, moid) = parse_id(&id)
            .ok_or_else(|| ApiError::Unsupported(format!("not a snapshot: {}", node.id)))?;
        let list = self.vim.snapshots(self.session.http(), vm).await?;
        let at = list
            .iter()
            .position(|s| s.moid == moid)
            .ok_or_else(|| ApiError::Server {
                status: 404,
                code: Some("ManagedObjectNotFound".into()),
                message: format!("snapshot {moid} no longer exists"),
            })?;
        let s = &list[at];
        // Depth-first: the snapshots taken from this one follow it, one level deeper or more.
        let children = list[at + 1..]
            .iter()
            .take_while(|c| c.depth > s.depth)
            .count();
        let mut section = Section::new("Snapshot");
        section
            .row("Name", s.name.as_str())
            .row("Description", s.description.as_str())
            .row("Created", s.created.as_str())
            .row("With memory", s.powered_on.to_string())
            .row("Quiesced", s.quiesced.to_string())
            .row("Current", s.current.to_string())
            .row("Taken from it", children.to_string())
            .row("Id", s.moid.as_str());
        let offer = |id| ActionOffer::new(id, node.id.clone());
        Ok(Details {
            node: self::node(vm, s),
            sections: vec![section],
            links: Vec::new(),
            actions: [
                ActionId::SnapshotRevert,
                ActionId::SnapshotRemove,
                ActionId::SnapshotRemoveTree,
            ]
            .into_iter()
            .filter(|id| *id != ActionId::SnapshotRemoveTree || children > 0)
            .map(offer)
            .collect(),
            snapshot_slot: None,
            copies: vec![("moid".into(), s.moid.clone())],
            raw: Raw {
                format: RawFormat::Xml,
                text: String::new(),
            },
        })
    }

    /// Starts a snapshot action; the answer is the vim Task that carries it out.
    pub(super) async fn snapshot_invoke(
        &self,
        node: &Node,
        action: &ActionOffer,
        params: &ActionParams,
    ) -> ApiResult<TaskInfo> {
        let on_snapshot = parse_id(&action.href);
        let vm = on_snapshot.map_or(map::moid(&action.href), |(vm, _)| vm);
        let call = match (action.id, on_snapshot) {
            (ActionId::SnapshotCreate, None) => match params {
                ActionParams::Snapshot {
                    name,
                    description,
                    memory,
                    quiesce,
                } => Call::CreateSnapshot {
                    vm,
                    name,
                    description,
                    memory: *memory,
                    quiesce: *quiesce,
                },
                _ => Call::CreateSnapshot {
                    vm,
                    name: "vnav",
                    description: "",
                    memory: false,
                    quiesce: false,
                },
            },
            (ActionId::SnapshotRevert, None) => Call::RevertToCurrent { vm },
            (ActionId::SnapshotRevert, Some((_, snapshot))) => Call::RevertTo { snapshot },
            (ActionId::SnapshotRemove, Some((_, snapshot))) => Call::Remove {
                snapshot,
                children: false,
            },
            (ActionId::SnapshotRemoveTree, Some((_, snapshot))) => Call::Remove {
                snapshot,
                children: true,
            },
            (ActionId::SnapshotRemoveAll, None) => Call::RemoveAll { vm },
            (other, _) => {
                return Err(ApiError::Unsupported(format!(
                    "{other:?} is not offered on {}",
                    node.name
                )));
            }
        };
        let target = TaskTarget {
            kind: node.kind,
            id: node.id.as_str().into(),
            name: node.name.as_str().into(),
        };
        self.vim.start(self.session.http(), call, target).await
    }
}
