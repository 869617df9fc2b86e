//! vCenter snapshots through the vim API: a VM's snapshots as its children in the tree, the
//! snapshot section of its details, snapshot actions as vim Tasks in the task pane, and the
//! snapshot sprawl across all VMs.

use std::collections::HashMap;

use futures::stream::FuturesUnordered;
use futures::{StreamExt, stream};

use super::VcenterBackend;
use super::map;
use super::vim::{Call, Snapshot};
use crate::api::backend::{ChildSink, SprawlSink};
use crate::api::error::{ApiError, ApiResult};
use crate::api::labels;
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

/// VMs whose snapshot state is read in one property read: the page a vCenter answers at once
/// (100 objects), so a batch is one round trip; batches of 250 took three in a row.
const BATCH: usize = 100;

/// Owned batches, so the reads can run side by side.
fn batches_of<S: AsRef<str>>(moids: impl Iterator<Item = S>) -> Vec<Vec<String>> {
    let all: Vec<String> = moids.map(|m| m.as_ref().to_string()).collect();
    all.chunks(BATCH).map(<[String]>::to_vec).collect()
}

/// Moids gathered until a batch is full (or the last one is asked for anyway).
#[derive(Default)]
struct Gather(Vec<String>);

impl Gather {
    fn add(&mut self, moid: String) -> Option<Vec<String>> {
        self.0.push(moid);
        (self.0.len() >= BATCH).then(|| std::mem::take(&mut self.0))
    }
    fn rest(&mut self) -> Option<Vec<String>> {
        (!self.0.is_empty()).then(|| std::mem::take(&mut self.0))
    }
}

/// Sets the sizes read on the rows they belong to; what the sink is told of them.
fn sized_rows(
    rows: &mut [SprawlRow],
    at: &HashMap<String, usize>,
    read: Vec<(String, u64)>,
) -> Vec<(Box<str>, u64)> {
    let mut out = Vec::with_capacity(read.len());
    for (moid, bytes) in read {
        if let Some(&i) = at.get(&moid) {
            rows[i].bytes = Some(bytes);
            out.push((rows[i].vm.id.as_str().into(), bytes));
        }
    }
    out
}

impl VcenterBackend {
    /// Every VM with snapshots, oldest first, with how many, how old and how big. Lists the VMs
    /// over REST (splitting under the cap), reads their snapshot trees in batches, sends those
    /// rows on, then the sizes from the file layouts of the VMs that have snapshots. The three
    /// overlap: a batch of snapshot trees is read as soon as the listing has its VMs, a batch
    /// of layouts as soon as the trees have named its VMs; sizes read before the rows are sent
    /// follow them at once. Run one after the other, each stage's tail left the endpoint's
    /// slots half idle (issue 18: 100,000 VMs).
    pub(super) async fn sprawl(&self, sink: &SprawlSink) -> ApiResult<Vec<SprawlRow>> {
        let http = self.session.http();
        let (tx, mut listed) = tokio::sync::mpsc::unbounded_channel::<Vec<Node>>();
        // The collector (and with it the sender) is dropped when the listing ends, which
        // closes the channel: `listed` then says every VM has been received.
        let listing = async move {
            let collector = ChildSink::new(move |batch| {
                let _ = tx.send(batch.nodes);
            });
            super::lists::stream_vms(&self.session, Vec::new(), self.width(), &collector).await
        };
        let mut listing = std::pin::pin!(listing);
        let (mut listing_done, mut listed_all) = (false, false);
        let count =
            |chunk: Vec<String>| async move { self.vim.snapshot_counts(http, &chunk).await };
        let size = |chunk: Vec<String>| async move { self.vim.snapshot_sizes(http, &chunk).await };
        let (mut counts, mut sizes) = (FuturesUnordered::new(), FuturesUnordered::new());
        let (mut to_count, mut to_size) = (Gather::default(), Gather::default());
        let mut vms: HashMap<String, Node> = HashMap::new();
        let mut rows: Vec<SprawlRow> = Vec::new();
        // Sizes read before the rows were sent, and where each row is once they are.
        let mut early: Vec<(String, u64)> = Vec::new();
        let mut at: Option<HashMap<String, usize>> = None;
        let (mut counted, mut asked) = (0, 0);
        let (mut sized, mut asked_sizes) = (0, 0);
        loop {
            tokio::select! {
                done = &mut listing, if !listing_done => {
                    done?;
                    listing_done = true;
                }
                nodes = listed.recv(), if !listed_all => match nodes {
                    Some(nodes) => {
                        for n in nodes {
                            let moid = map::moid(&n.id.as_str()).to_string();
                            if let Some(chunk) = to_count.add(moid.clone()) {
                                counts.push(count(chunk));
                                asked += 1;
                            }
                            vms.insert(moid, n);
                        }
                    }
                    None => {
                        listed_all = true;
                        if let Some(chunk) = to_count.rest() {
                            counts.push(count(chunk));
                            asked += 1;
                        }
                    }
                },
                Some(found) = counts.next(), if !counts.is_empty() => {
                    for (moid, count, oldest) in found? {
                        let Some(vm) = vms.get(&moid) else { continue };
                        rows.push(SprawlRow {
                            vm: vm.clone(),
                            count: count as u32,
                            oldest: parse_time(&oldest),
                            bytes: None,
                            place: "".into(),
                        });
                        if let Some(chunk) = to_size.add(moid) {
                            sizes.push(size(chunk));
                            asked_sizes += 1;
                        }
                    }
                    counted += 1;
                    sink.progress("reading snapshots", counted, asked);
                }
                Some(read) = sizes.next(), if !sizes.is_empty() => {
                    let read = read?;
                    match &at {
                        Some(at) => sink.sizes(sized_rows(&mut rows, at, read)),
                        None => early.extend(read),
                    }
                    sized += 1;
                    if at.is_some() {
                        sink.progress("reading snapshot sizes", sized, asked_sizes);
                    }
                }
                else => break,
            }
            if listing_done && listed_all && counts.is_empty() && at.is_none() {
                // Every tree is read: the rows, oldest first, then what is known of sizes.
                sort_oldest_first(&mut rows, |r| r);
                sink.rows(&rows);
                let index: HashMap<String, usize> = rows
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (map::moid(&r.vm.id.as_str()).to_string(), i))
                    .collect();
                if let Some(chunk) = to_size.rest() {
                    sizes.push(size(chunk));
                    asked_sizes += 1;
                }
                if !early.is_empty() {
                    sink.sizes(sized_rows(&mut rows, &index, std::mem::take(&mut early)));
                }
                at = Some(index);
                if asked_sizes > 0 {
                    sink.progress("reading snapshot sizes", sized, asked_sizes);
                }
            }
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
            .row("Created", labels::value(s.created.as_str()))
            .row("With memory", labels::yes_no(s.powered_on))
            .row("Quiesced", labels::yes_no(s.quiesced))
            .row("Current", labels::yes_no(s.current))
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
