//! The snapshot view: one tree root, first in the tree, whose rows are the VMs with snapshots on
//! every connected endpoint, oldest snapshot first. Each row still belongs to its own endpoint,
//! so details, expand, marks and actions work as anywhere else. Rows show as soon as an endpoint
//! has listed them; sizes fill in as they are read. An endpoint that fails or is not connected
//! leaves the others' rows in place and says why in the root's details. A VM seen through vCD
//! and through the vCenter under it (see `vclink`) is one row naming both, counted once. When
//! that vCenter is connected, the sizes of such vCD rows are read there, in bulk
//! (`Effect::SnapshotSizes`), and vCD reads one by one only the VMs of other vCenters. When the
//! view reads that vCenter's own part anyway, its layout answers size the vCD rows too: the
//! vCenter is asked only for VMs its part does not list (no layout is read twice).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use time::OffsetDateTime;

use super::App;
use super::event::{Effect, ReqId};
use super::tree::{EndpointId, EntryId, Load};
use crate::api::model::{
    Node, NodeId, NodeKind, Severity, SprawlRow, VimRef, age, bytes_text, sort_oldest_first,
};
use crate::api::vcenter::map as vc_map;
use crate::api::{ApiError, SprawlUpdate};

const ROOT_ID: &str = "vnav:snapshots";

/// A row's VM with its snapshot age and size as typed facts, so the `:snapshots` table sorts
/// by them.
fn snapshot_facts(mut vm: Node, row: &SprawlRow) -> Node {
    let f = vm.facts.get_or_insert_with(Default::default);
    f.snapshot_created = row.oldest.into();
    f.snapshot_bytes = row.bytes.into();
    if f.place.is_empty() {
        f.place = crate::api::model::intern(&row.place);
    }
    vm
}

/// Where one endpoint's part of the view stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    NotAsked,
    NotConnected,
    /// The endpoint has no snapshots to list (its capabilities say so): skipped, not failed.
    NotOffered,
    Reading,
    Read,
    Failed(String),
}

pub struct AllSnapshots {
    pub root: EntryId,
    /// The reads of the current load still out, by request.
    pending: HashMap<ReqId, EndpointId>,
    rows: Vec<(EndpointId, SprawlRow)>,
    parts: Vec<Part>,
    /// The tree entry of each row, to update a row in place when its size arrives.
    entries: HashMap<(EndpointId, NodeId), EntryId>,
    /// When each row's oldest snapshot was taken and how many it has: its age is drawn from
    /// these, never baked into the row.
    ages: HashMap<EntryId, (OffsetDateTime, u32)>,
    /// The rows changed since they were last put in the tree.
    stale: bool,
    /// Size reads asked of a vCenter for another endpoint's rows: request → (the rows'
    /// endpoint, the vCenter endpoint).
    sizing: HashMap<ReqId, (EndpointId, EndpointId)>,
    /// Rows that stand for a VM seen on two endpoints, with the label naming both (one per
    /// pair of endpoints, shared: a rebuild labels tens of thousands of rows).
    labels: HashMap<(EndpointId, NodeId), Arc<str>>,
    /// Per endpoint: its rows of the current read have arrived (so which VMs it sizes is
    /// known).
    listed: Vec<bool>,
    /// Rows (endpoint, VM id) whose size was asked of a vCenter, not to ask twice.
    asked: HashSet<(EndpointId, Box<str>)>,
    /// Where each row is in `rows`: sizes arrive 100 at a time for tens of thousands of rows,
    /// and a pass over every row per batch cost more than the reads. Rows move (a part's
    /// arrival re-sorts them), so a position is checked before use and the index rebuilt
    /// when it is found stale or lacks an id.
    row_at: HashMap<(EndpointId, NodeId), usize>,
    /// How many endpoints the rows in the tree belong to (a VM seen on two counts as its
    /// row's): the table names each row's endpoint only when there are several.
    sources: usize,
}

impl AllSnapshots {
    /// One more endpoint (a context `:ctx` opened): its part, not asked yet.
    pub fn add_endpoint(&mut self) {
        self.parts.push(Part::NotAsked);
    }

    /// What the view's jobs in the task pane name as their target: its name there ("Snapshots,
    /// all endpoints (oldest first)") cut both itself and the operation at 80 columns, and
    /// the operation already says what is read ("reading snapshot sizes"), the tag after the
    /// target where ("Snapshots · vCD").
    pub const TASK_TARGET: &str = "Snapshots";

    /// Whether `node` is the view's root.
    pub fn is_root(node: &Node) -> bool {
        node.kind == NodeKind::Group && node.id == ROOT_ID
    }

    pub fn root_node(endpoints: usize) -> Node {
        let name = match endpoints {
            1 => "Snapshots (oldest first)",
            _ => "Snapshots, all endpoints (oldest first)",
        };
        Node::new(NodeKind::Group, ROOT_ID, name).expandable(true)
    }

    pub fn new(root: EntryId, endpoints: usize) -> AllSnapshots {
        AllSnapshots {
            root,
            pending: HashMap::new(),
            rows: Vec::new(),
            parts: vec![Part::NotAsked; endpoints],
            entries: HashMap::new(),
            ages: HashMap::new(),
            stale: false,
            sizing: HashMap::new(),
            labels: HashMap::new(),
            listed: vec![false; endpoints],
            asked: HashSet::new(),
            row_at: HashMap::new(),
            sources: 0,
        }
    }

    /// How many endpoints the rows shown belong to.
    pub fn sources(&self) -> usize {
        self.sources
    }

    /// The position in `rows` of `endpoint`'s row for VM `id`. Rebuilds the index when it is
    /// stale, at most once while `rebuilt` is false (one batch of sizes).
    fn row_of(&mut self, endpoint: EndpointId, id: &str, rebuilt: &mut bool) -> Option<usize> {
        let key = (endpoint, NodeId::from(id));
        let here = |all: &Self, i: usize| {
            all.rows
                .get(i)
                .is_some_and(|(e, r)| *e == endpoint && r.vm.id == id)
        };
        match self.row_at.get(&key) {
            Some(&i) if here(self, i) => return Some(i),
            _ if *rebuilt => return None,
            _ => {}
        }
        *rebuilt = true;
        self.row_at = (self.rows.iter().enumerate())
            .map(|(i, (e, r))| ((*e, r.vm.id.clone()), i))
            .collect();
        self.row_at.get(&key).copied()
    }
}

impl App {
    pub fn is_all_snapshots(&self, entry: EntryId) -> bool {
        self.all_snapshots.as_ref().is_some_and(|a| a.root == entry)
    }

    /// Asks every connected endpoint for its VMs with snapshots. The rows shown stay until
    /// their endpoint answers again.
    pub(crate) fn load_all_snapshots(&mut self) {
        for endpoint in 0..self.endpoints.len() {
            self.ask_for_snapshots(endpoint);
        }
        self.show_all_snapshots();
    }

    /// After an action on one of its rows: that endpoint's part is read again (if the view
    /// was open), not every endpoint's.
    pub(crate) fn refresh_snapshots_of(&mut self, endpoint: EndpointId) {
        if self
            .all_snapshots
            .as_ref()
            .is_some_and(|a| a.parts[endpoint] != Part::NotAsked)
        {
            self.ask_for_snapshots(endpoint);
            self.show_all_snapshots();
        }
    }

    /// An endpoint that connects after the view was opened joins it.
    pub(crate) fn endpoint_connected(&mut self, endpoint: EndpointId) {
        if let Some(all) = &self.all_snapshots
            && all.parts[endpoint] == Part::NotConnected
        {
            self.ask_for_snapshots(endpoint);
            self.show_all_snapshots();
        }
    }

    fn ask_for_snapshots(&mut self, endpoint: EndpointId) {
        let vcenters = self.connected_vcenters();
        let connected = self.endpoints[endpoint].info.is_some();
        let offered = self.endpoints[endpoint]
            .info
            .as_ref()
            .is_none_or(|i| i.capabilities.snapshot_sprawl);
        let req = self.req();
        let Some(all) = &mut self.all_snapshots else {
            return;
        };
        // An earlier read of this endpoint is abandoned: its answers would be dropped anyway.
        all.pending.retain(|r, e| {
            let stale = *e == endpoint;
            if stale {
                self.loading.remove(r);
                self.effects.push(Effect::Abandon { req: *r });
            }
            !stale
        });
        all.sizing.retain(|r, (e, _)| {
            let stale = *e == endpoint;
            if stale {
                self.effects.push(Effect::Abandon { req: *r });
            }
            !stale
        });
        all.asked.retain(|(e, _)| *e != endpoint);
        set_listed(all, endpoint, false);
        if !connected || !offered {
            all.parts[endpoint] = match connected {
                true => Part::NotOffered,
                false => Part::NotConnected,
            };
            all.rows.retain(|(e, _)| *e != endpoint);
            all.stale = true;
            return;
        }
        all.parts[endpoint] = Part::Reading;
        all.pending.insert(req, endpoint);
        let root = all.root;
        self.tree.get_mut(root).set_load(Load::loading(req));
        self.loading.insert(req, root);
        self.effects.push(Effect::Sprawl {
            req,
            endpoint,
            vcenters,
        });
    }

    /// The vCenter VMs behind an endpoint's rows: the links are learned (one row for a VM
    /// seen on both sides), and each connected vCenter is asked for the sizes of its VMs in
    /// bulk (the endpoint's read skips them).
    fn on_backings(&mut self, endpoint: EndpointId, backings: Vec<(Box<str>, VimRef)>) {
        let Some(all) = &mut self.all_snapshots else {
            return;
        };
        let mut backings: HashMap<Box<str>, VimRef> = backings.into_iter().collect();
        for (_, r) in all.rows.iter_mut().filter(|(e, _)| *e == endpoint) {
            if let Some(b) = backings.remove(&*r.vm.id.as_str()) {
                r.vm.set_backing(Some(b));
            }
        }
        all.stale = true;
        // The links first: sizes the vCenter part reads from now on go to these rows too.
        self.show_all_snapshots();
        self.size_on_vcenters(endpoint);
        self.show_all_snapshots();
    }

    /// The sizes of `endpoint`'s rows backed by a connected vCenter, not known yet: taken
    /// from the view's own part for that vCenter when it lists the VM (now, or when its
    /// layouts arrive), else asked of the vCenter in bulk, once. While that part has not
    /// listed its rows yet, they wait: asking now would read the same layouts twice.
    fn size_on_vcenters(&mut self, endpoint: EndpointId) {
        let Some(all) = &self.all_snapshots else {
            return;
        };
        // Each vCenter part's rows (VM id → size so far), once listed.
        let mut parts: HashMap<EndpointId, Option<HashMap<&NodeId, Option<u64>>>> = HashMap::new();
        let mut copy: HashMap<Box<str>, u64> = HashMap::new();
        let mut ask: HashMap<EndpointId, Vec<_>> = HashMap::new();
        // Thousands of rows name the same few vCenters: each URL is matched (parsed) once.
        let mut vcenters: HashMap<&str, Option<EndpointId>> = HashMap::new();
        for (_, r) in all.rows.iter().filter(|(e, _)| *e == endpoint) {
            let Some(b) = r.vm.backing().filter(|_| r.bytes.is_none()) else {
                continue;
            };
            let vc = *vcenters
                .entry(&b.vcenter_url)
                .or_insert_with(|| self.vcenter_of(b));
            let Some(vc) = vc.filter(|&vc| vc != endpoint) else {
                continue;
            };
            if all.asked.contains(&(endpoint, Box::from(r.vm.id.as_str()))) {
                continue;
            }
            let reading = all.parts[vc] == Part::Reading;
            let own = parts.entry(vc).or_insert_with(|| {
                let read = matches!(all.parts[vc], Part::Reading | Part::Read);
                (read && all.listed.get(vc).copied().unwrap_or(false)).then(|| {
                    (all.rows.iter().filter(|(e, _)| *e == vc))
                        .map(|(_, r)| (&r.vm.id, r.bytes))
                        .collect()
                })
            });
            let vc_id: Box<str> = vc_map::node_id(vc_map::VM, &b.moid).into();
            match own.as_ref().map(|o| o.get(&NodeId::new(&vc_id))) {
                // The part is still listing: which VMs it sizes is not known yet.
                None if reading => {}
                Some(Some(Some(bytes))) => {
                    copy.insert(Box::from(r.vm.id.as_str()), *bytes);
                }
                // Listed there, its layout still to come.
                Some(Some(None)) if reading => {}
                _ => ask
                    .entry(vc)
                    .or_default()
                    .push((Box::from(r.vm.id.as_str()), vc_id)),
            }
        }
        if !copy.is_empty() {
            self.apply_sizes(endpoint, &copy);
        }
        let mut asks: Vec<_> = ask.into_iter().collect();
        asks.sort_by_key(|(vc, _)| *vc);
        for (vc, rows) in asks {
            let req = self.req();
            let Some(all) = &mut self.all_snapshots else {
                return;
            };
            all.sizing.insert(req, (endpoint, vc));
            let vms = rows
                .into_iter()
                .map(|(row, vc_id)| {
                    all.asked.insert((endpoint, row));
                    vc_id
                })
                .collect();
            self.effects.push(Effect::SnapshotSizes {
                req,
                endpoint: vc,
                vms,
            });
        }
    }

    /// Once a vCenter part has listed its rows (or ended): the other endpoints' rows behind
    /// it take their sizes from it, or ask for the VMs it does not list.
    fn vcenter_part_moved(&mut self, vc: EndpointId) {
        for endpoint in 0..self.endpoints.len() {
            if endpoint != vc {
                self.size_on_vcenters(endpoint);
            }
        }
    }

    /// Sizes a vCenter part read for its own rows go to the rows of the VMs behind which
    /// they sit on other endpoints (vCD), when those have no size yet.
    fn forward_sizes(&mut self, vc: EndpointId, sizes: &HashMap<Box<str>, u64>) {
        let mut to: HashMap<EndpointId, HashMap<Box<str>, u64>> = HashMap::new();
        for (id, &b) in sizes {
            if let Some(other) = self.same_vm(vc, id) {
                to.entry(other.endpoint)
                    .or_default()
                    .insert(other.id.clone(), b);
            }
        }
        for (endpoint, sizes) in to {
            if endpoint != vc {
                self.apply_sizes(endpoint, &sizes);
            }
        }
    }

    /// Sizes a vCenter read for the rows of the vCD behind which its VMs sit: they go to
    /// those rows (the links were learned with the backings).
    pub(crate) fn on_snapshot_sizes(
        &mut self,
        req: ReqId,
        vc: EndpointId,
        result: Result<Vec<(Box<str>, u64)>, ApiError>,
    ) -> bool {
        let Some(all) = &mut self.all_snapshots else {
            return false;
        };
        let Some((endpoint, _)) = all.sizing.remove(&req) else {
            return false;
        };
        match result {
            Ok(sizes) => {
                let sizes: HashMap<Box<str>, u64> = sizes
                    .into_iter()
                    .filter_map(|(id, b)| {
                        let other = self.same_vm(vc, &id)?;
                        (other.endpoint == endpoint).then(|| (other.id.clone(), b))
                    })
                    .collect();
                self.apply_sizes(endpoint, &sizes);
            }
            Err(e) => {
                let label = &self.endpoints[vc].label;
                self.notify(format!("{label}: snapshot sizes: {e}"), Severity::Warn);
            }
        }
        self.show_all_snapshots();
        true
    }

    /// Puts sizes (by VM node id) on an endpoint's rows and on their tree entries.
    fn apply_sizes(&mut self, endpoint: EndpointId, sizes: &HashMap<Box<str>, u64>) {
        let Some(all) = &mut self.all_snapshots else {
            return;
        };
        let mut changed = Vec::new();
        let mut rebuilt = false;
        for (id, &b) in sizes {
            let Some(i) = all.row_of(endpoint, id, &mut rebuilt) else {
                continue;
            };
            let r = &mut all.rows[i].1;
            r.bytes = Some(b);
            let key = (endpoint, r.vm.id.clone());
            if let Some(&entry) = all.entries.get(&key) {
                let label = all.labels.get(&key).map(|l| &**l);
                let label = label.or(row_label(&self.endpoints, endpoint));
                changed.push((entry, r.summary(label)));
            }
        }
        for (entry, summary) in changed {
            let node = &mut self.tree.get_mut(entry).node;
            node.set_summary(summary);
            let b = sizes.get(&*node.id.as_str()).copied();
            node.facts
                .get_or_insert_with(Default::default)
                .snapshot_bytes = b.into();
        }
    }

    /// Rows listed, or sizes read, by an endpoint still reading.
    pub(crate) fn on_sprawl_update(&mut self, req: ReqId, update: SprawlUpdate) -> bool {
        let Some(all) = &mut self.all_snapshots else {
            return false;
        };
        let Some(&endpoint) = all.pending.get(&req) else {
            return false;
        };
        match update {
            SprawlUpdate::Rows(rows) => {
                all.rows.retain(|(e, _)| *e != endpoint);
                all.rows.extend(rows.into_iter().map(|r| (endpoint, r)));
                sort_oldest_first(&mut all.rows, |(_, r)| r);
                all.stale = true;
                set_listed(all, endpoint, true);
                self.show_all_snapshots();
                self.vcenter_part_moved(endpoint);
                self.show_all_snapshots();
            }
            SprawlUpdate::Sizes(sizes) => {
                let sizes: HashMap<Box<str>, u64> = sizes.into_iter().collect();
                self.apply_sizes(endpoint, &sizes);
                self.forward_sizes(endpoint, &sizes);
            }
            SprawlUpdate::Backings(backings) => self.on_backings(endpoint, backings),
            SprawlUpdate::Progress(p) => {
                let root = all.root;
                self.listing_progress(req, root, endpoint, &p);
            }
        }
        true
    }

    pub(crate) fn on_sprawl(
        &mut self,
        req: ReqId,
        result: Result<Vec<SprawlRow>, ApiError>,
    ) -> bool {
        let Some(all) = &mut self.all_snapshots else {
            return false;
        };
        let Some(endpoint) = all.pending.remove(&req) else {
            return false;
        };
        self.loading.remove(&req);
        let error = match result {
            Ok(mut rows) => {
                all.parts[endpoint] = Part::Read;
                // Sizes a vCenter read for these rows are not in the endpoint's answer.
                let known: HashMap<&NodeId, u64> = all
                    .rows
                    .iter()
                    .filter(|(e, _)| *e == endpoint)
                    .filter_map(|(_, r)| Some((&r.vm.id, r.bytes?)))
                    .collect();
                for r in rows.iter_mut().filter(|r| r.bytes.is_none()) {
                    r.bytes = known.get(&r.vm.id).copied();
                }
                // Usually the rows and sizes already sent: then there is nothing to redraw.
                let shown = all
                    .rows
                    .iter()
                    .filter(|(e, _)| *e == endpoint)
                    .map(|(_, r)| r);
                if !shown.eq(rows.iter()) {
                    all.rows.retain(|(e, _)| *e != endpoint);
                    all.rows.extend(rows.into_iter().map(|r| (endpoint, r)));
                    sort_oldest_first(&mut all.rows, |(_, r)| r);
                    all.stale = true;
                }
                None
            }
            Err(e) => {
                all.parts[endpoint] = Part::Failed(e.to_string());
                all.rows.retain(|(e, _)| *e != endpoint);
                all.stale = true;
                Some(e.to_string())
            }
        };
        self.listing_done(req, endpoint, error.clone());
        if let Some(msg) = error {
            let label = &self.endpoints[endpoint].label;
            self.notify(format!("{label}: snapshots: {msg}"), Severity::Error);
        }
        if let Some(all) = &mut self.all_snapshots {
            set_listed(all, endpoint, true);
        }
        self.show_all_snapshots();
        self.vcenter_part_moved(endpoint);
        self.show_all_snapshots();
        true
    }

    /// Puts the rows read so far under the root (when they changed), and marks the load
    /// finished once every endpoint has answered: failed only if nothing could be read at all.
    fn show_all_snapshots(&mut self) {
        let Some(all) = &mut self.all_snapshots else {
            return;
        };
        let root = all.root;
        if std::mem::take(&mut all.stale) {
            // The rows are lent out while the links are learned (no copy of each row's VM),
            // and each vCenter URL they name is matched once, not once per row.
            let rows = std::mem::take(&mut all.rows);
            let mut vcenters: HashMap<&str, Option<EndpointId>> = HashMap::new();
            for (e, r) in &rows {
                let Some(b) = r.vm.backing() else {
                    continue;
                };
                let vc = *vcenters
                    .entry(&b.vcenter_url)
                    .or_insert_with(|| self.vcenter_of(b));
                if let Some(vc) = vc {
                    self.learn_link_to(*e, &r.vm, vc);
                }
            }
            drop(vcenters);
            if let Some(all) = &mut self.all_snapshots {
                all.rows = rows;
            }
            let twins = self.snapshot_twins();
            let Some(all) = &self.all_snapshots else {
                return;
            };
            let mut labels = HashMap::new();
            let mut pairs: HashMap<(EndpointId, EndpointId), Arc<str>> = HashMap::new();
            let nodes: Vec<(EndpointId, Node)> = all
                .rows
                .iter()
                .filter(|(e, r)| !twins.contains(&(*e, r.vm.id.clone())))
                .map(|(e, r)| {
                    let both = self
                        .same_vm(*e, &r.vm.id.as_str())
                        .filter(|o| twins.contains(&(o.endpoint, NodeId::new(&o.id))))
                        .map(|o| {
                            let pair = pairs.entry((*e, o.endpoint)).or_insert_with(|| {
                                let names = (&self.endpoints[*e], &self.endpoints[o.endpoint]);
                                format!("{} + {}", names.0.label, names.1.label).into()
                            });
                            pair.clone()
                        });
                    if let Some(both) = &both {
                        labels.insert((*e, r.vm.id.clone()), both.clone());
                    }
                    let label = both.as_deref().or(row_label(&self.endpoints, *e));
                    (
                        *e,
                        snapshot_facts(r.vm.clone(), r).with_summary(r.summary(label)),
                    )
                })
                .collect();
            let mut from = vec![false; self.endpoints.len()];
            nodes.iter().for_each(|(e, _)| from[*e] = true);
            let sources = from.iter().filter(|&&f| f).count();
            self.tree.merge_children_from(root, nodes);
            let entries: HashMap<(EndpointId, NodeId), EntryId> = self
                .tree
                .get(root)
                .children
                .iter()
                .map(|&c| {
                    let e = self.tree.get(c);
                    ((e.endpoint(), e.node.id.clone()), c)
                })
                .collect();
            if let Some(all) = &mut self.all_snapshots {
                all.ages = all
                    .rows
                    .iter()
                    .filter_map(|(e, r)| {
                        let entry = entries.get(&(*e, r.vm.id.clone()))?;
                        Some((*entry, (r.oldest?, r.count)))
                    })
                    .collect();
                all.entries = entries;
                all.labels = labels;
                all.sources = sources;
            }
            if self.tree.is_filtered() {
                self.apply_filter();
            }
            self.keep_selection_visible();
        }
        let Some(all) = &self.all_snapshots else {
            return;
        };
        if all.pending.is_empty() && all.sizing.is_empty() {
            let read_any = all.parts.contains(&Part::Read);
            let failure = all
                .parts
                .iter()
                .zip(&self.endpoints)
                .filter_map(|(p, ep)| match p {
                    Part::Failed(m) => Some(format!("{}: {m}", ep.label)),
                    Part::NotConnected => Some(format!("{}: not connected", ep.label)),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .join("; ");
            let load = if read_any || failure.is_empty() {
                Load::Loaded
            } else {
                Load::failed(failure)
            };
            self.tree.get_mut(root).set_load(load);
        }
    }

    /// What the tree shows after a row's name: for a snapshot view row, its age as of `now`
    /// in front of the summary; for any other row, the summary.
    pub fn row_summary(&self, entry: EntryId) -> Cow<'_, str> {
        let summary = self.tree.get(entry).node.summary();
        let age = self.all_snapshots.as_ref().and_then(|a| a.ages.get(&entry));
        match age {
            Some(&(oldest, count)) => {
                let age = SprawlRow::age_text(oldest, count, self.now);
                Cow::Owned(format!("{age} · {summary}"))
            }
            None => summary,
        }
    }

    /// For the root's details: per endpoint, what it holds or why it is missing.
    pub fn all_snapshots_report(&self) -> Vec<(String, String)> {
        let Some(all) = &self.all_snapshots else {
            return Vec::new();
        };
        let mut out: Vec<(String, String)> = Vec::new();
        for (i, ep) in self.endpoints.iter().enumerate() {
            let text = match &all.parts[i] {
                Part::NotAsked => "not read yet (Enter reads)".to_string(),
                Part::NotConnected => "not connected; Ctrl-R here once it is".to_string(),
                Part::NotOffered => "has no snapshots (not a VM platform)".to_string(),
                Part::Reading => "reading…".to_string(),
                Part::Failed(m) => format!("failed: {m}"),
                Part::Read => describe(
                    all.rows.iter().filter(|(e, _)| *e == i).map(|(_, r)| r),
                    self.now,
                ),
            };
            out.push((ep.label.clone(), text));
        }
        if all.parts.iter().filter(|p| **p == Part::Read).count() > 1 {
            let twins = self.snapshot_twins();
            let once = all
                .rows
                .iter()
                .filter(|(e, r)| !twins.contains(&(*e, r.vm.id.clone())));
            let mut text = describe(once.map(|(_, r)| r), self.now);
            if !twins.is_empty() {
                let n = twins.len();
                let s = if n == 1 { "" } else { "s" };
                text.push_str(&format!(
                    "; {n} VM{s} seen through both vCD and vCenter, counted once"
                ));
            }
            out.push(("All".into(), text));
        }
        out
    }

    /// The vCenter rows of the view whose VM is also a vCD row (the same VM, linked by vCD's
    /// reference to it): shown and counted as that vCD row.
    fn snapshot_twins(&self) -> HashSet<(EndpointId, NodeId)> {
        let Some(all) = &self.all_snapshots else {
            return HashSet::new();
        };
        let listed: HashSet<(EndpointId, &NodeId)> =
            all.rows.iter().map(|(e, r)| (*e, &r.vm.id)).collect();
        all.rows
            .iter()
            .filter(|(_, r)| r.vm.backing().is_some())
            .filter_map(|(e, r)| self.same_vm(*e, &r.vm.id.as_str()))
            .map(|o| (o.endpoint, NodeId::new(&o.id)))
            .filter(|(e, id)| listed.contains(&(*e, id)))
            .collect()
    }
}

/// Whether an endpoint's rows of the current read have arrived; endpoints added after the
/// view was made (`:ctx`) grow the list.
fn set_listed(all: &mut AllSnapshots, endpoint: EndpointId, listed: bool) {
    if all.listed.len() <= endpoint {
        all.listed.resize(endpoint + 1, false);
    }
    all.listed[endpoint] = listed;
}

/// A row names its endpoint when there are several.
fn row_label(endpoints: &[super::Endpoint], endpoint: EndpointId) -> Option<&str> {
    (endpoints.len() > 1).then(|| endpoints[endpoint].label.as_str())
}

/// "12 VMs, 15 snapshots, 48.2 GiB, oldest 412 days old" (size marked when some are unknown).
fn describe<'a>(rows: impl Iterator<Item = &'a SprawlRow>, now: OffsetDateTime) -> String {
    let (mut vms, mut snaps, mut bytes, mut unknown) = (0, 0u64, 0u64, false);
    let mut oldest = None;
    for r in rows {
        vms += 1;
        snaps += u64::from(r.count);
        match r.bytes {
            Some(b) => bytes += b,
            None => unknown = true,
        }
        if r.oldest.is_some() && (oldest.is_none() || r.oldest < oldest) {
            oldest = r.oldest;
        }
    }
    if vms == 0 {
        return "no VM has a snapshot".into();
    }
    let mut text = format!(
        "{vms} VM{}, {snaps} snapshot{}",
        if vms == 1 { "" } else { "s" },
        if snaps == 1 { "" } else { "s" }
    );
    if bytes > 0 || !unknown {
        let more = if unknown { "at least " } else { "" };
        text.push_str(&format!(", {more}{}", bytes_text(bytes)));
    }
    if let Some(t) = oldest {
        text.push_str(&format!(", oldest {}", age(t, now)));
    }
    text
}
