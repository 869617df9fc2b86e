//! The flat tables the `:` commands open (`:vm`, `:host`, …, `:snapshots`): every node of one
//! kind across the connected endpoints, filtered, sorted by any column, drawn with the columns
//! `api::columns` describes. A table's rows are ordinary tree entries (under one hidden root
//! per endpoint and kind, or the snapshot view's root), shown through `Tree::set_view`: the
//! cursor, details, actions and copy work on them exactly as on tree rows.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use tokio::time::{Duration, Instant};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::App;
use super::event::{Effect, ReqId};
use super::filter;
use super::table_budget::{Clock, RebuildBudget};
use super::table_order::{BuiltOrder, Reading, SortIndex, SortJob};
use super::tree::{EndpointId, EntryId, Load};
use crate::api::columns::{self, Column, ColumnId};
use crate::api::model::{Node, NodeKind, Severity};

/// Where a table's rows come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// Every node of the table's kind, listed per endpoint (`Backend::list_kind`).
    Kind,
    /// The snapshot view's rows.
    Snapshots,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub desc: bool,
}

pub struct Table {
    pub kind: NodeKind,
    pub source: Source,
    /// Only this endpoint's rows (`:vm @label`).
    pub only: Option<EndpointId>,
    /// The text given with the command (`:vm web`): rows must match it, whatever `/` says.
    pub query: String,
    pub sort: Sort,
    /// Rows shown (after filters).
    pub shown: usize,
    /// Rows of the kind loaded, before filters.
    pub total: usize,
    /// Why an endpoint has no rows here (not connected, no such list, a failure).
    pub notes: Vec<String>,
    pub(crate) built_for: Option<u64>,
    built_at: Option<Instant>,
    /// How many of the table's roots had rows at the last build: a root's first rows are
    /// drawn at once, not after the throttle.
    rooted: usize,
    /// The tree's cursor when the table opened, to come back to.
    back_to: Option<EntryId>,
    /// Every row's place in each column's order, kept as rows arrive.
    index: SortIndex,
    /// The columns shown, name first (the config's choice for the kind).
    cols: Vec<Column>,
    /// A sort whose column's order is being built off the UI thread: the rows stay in the
    /// order they had meanwhile.
    pending: Option<PendingSort>,
    /// Rows were taken in since the view was laid out (`RebuildBudget::per_frame`): laid out
    /// before the next frame or key.
    stale_view: bool,
}

/// A column's order being built: its values read on ticks (`job`, a slice each), then sorted
/// off the UI thread (`Effect::SortOrder`), answered by `Event::SortBuilt`.
struct PendingSort {
    req: ReqId,
    column: ColumnId,
    /// The sort the rows are shown in until it lands.
    shown: Sort,
    /// While values are still to be read.
    job: Option<SortJob>,
    cancel: Arc<AtomicBool>,
}

/// Rows whose values one tick reads for a sort (~3 ms at 300,000 rows, a cache miss or two a
/// row).
const SORT_READ_SLICE: usize = 32_768;

/// Tables of at least this many rows build a column's order off the UI thread when first
/// sorted by it (`App::sort_off_ui_from`): ~3 ms on the key at 10,000 rows, ~100 ms at
/// 300,000.
pub const SORT_OFF_UI_FROM: usize = 10_000;

/// Above this many rows, a table still loading is rebuilt at most every `REBUILD_EVERY`, not
/// at every page (each rebuild passes over every row), or sooner once a rebuild's worth of new
/// rows wait (`RebuildBudget::rows`: as many as one rebuild merges in its time budget, so
/// pages landing from several endpoints never hold a key for longer than a frame). More
/// waiting: the next event (or an immediate tick) takes the next ones.
const BIG: usize = 20_000;
const REBUILD_EVERY: Duration = Duration::from_millis(250);

/// Where the sort of each kind of table is kept between runs (beside the bookmarks).
pub fn sorts_path() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "vnav")?;
    let dir = dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir());
    Some(dir.join("sorts.json"))
}

/// One kind's sort in the state file.
#[derive(Serialize, Deserialize)]
struct SavedSort {
    /// The column's key (`cpu`).
    by: String,
    #[serde(default)]
    desc: bool,
}

/// "VMs", "Hosts", …: a table's title.
pub fn plural(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Vm => "VMs",
        NodeKind::VApp => "vApps",
        NodeKind::Host => "Hosts",
        NodeKind::Cluster => "Clusters",
        NodeKind::Datastore => "Datastores",
        NodeKind::Network => "Networks",
        NodeKind::Org => "Orgs",
        NodeKind::Vdc => "VDCs",
        NodeKind::Alert => "Alerts",
        NodeKind::Workflow => "Workflows",
        _ => "Rows",
    }
}

/// 3000 → "3,000".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Table {
    /// The columns this table shows, name first.
    pub fn columns(&self) -> &[Column] {
        &self.cols
    }

    /// Whether a node's health feeds what this table orders or filters by: a column it shows
    /// or its filters search (every column of its kind, `row_rank`) reads it.
    pub(crate) fn reads_health(&self) -> bool {
        (self.cols.iter().chain(columns::columns(self.kind))).any(|c| columns::reads_health(c.id))
    }

    /// Whether the rows wait for the order of the sort column, being built (the header says
    /// "sorting…"; the rows keep the order they had).
    pub fn sorting(&self) -> bool {
        self.pending.is_some()
    }

    /// The sort the rows are in: the one asked for, or the one before while its order is
    /// built.
    fn shown_sort(&self) -> Sort {
        self.pending.as_ref().map_or(self.sort, |p| p.shown)
    }

    /// The bytes the table's sort index holds (its rows and the orders built so far).
    pub fn index_bytes(&self) -> usize {
        self.index.bytes()
    }

    /// "VMs (3,000)", or "VMs (12 of 3,000)" under a filter.
    pub fn title(&self) -> String {
        let name = match self.source {
            Source::Snapshots => "VMs with snapshots",
            Source::Kind => plural(self.kind),
        };
        match self.shown == self.total {
            true => format!("{name} ({})", thousands(self.total)),
            false => format!(
                "{name} ({} of {})",
                thousands(self.shown),
                thousands(self.total)
            ),
        }
    }
}

/// How many of a table's roots have rows.
fn rooted(tree: &super::tree::Tree, roots: &[(EndpointId, EntryId)]) -> usize {
    (roots.iter())
        .filter(|(_, r)| !tree.get(*r).children.is_empty())
        .count()
}

/// How well a row answers a query, best first (see `filter::rank`), over every column it
/// shows and its id; None when nothing matches. The name also matches fuzzily.
pub fn row_rank(node: &Node, endpoint: &str, query: &str) -> Option<u8> {
    let mut best = 3u8;
    for col in columns::columns(node.kind) {
        if let Some(t) = columns::value(node, col.id, endpoint).as_text() {
            best = best.min(filter::rank(t, query));
        }
    }
    let by_id = node
        .id
        .with_str(|id| filter::rank(filter::id_tail(id), query));
    best = best.min(by_id.max(1));
    if best < 3 || filter::fuzzy_name(&node.name, query) {
        Some(best)
    } else {
        None
    }
}

/// Whether a row passes a filter text; `!text` keeps the rows that do not match.
pub fn passes(node: &Node, endpoint: &str, query: &str) -> bool {
    match query.strip_prefix('!') {
        Some(q) if !q.is_empty() => row_rank(node, endpoint, q).is_none(),
        Some(_) => true,
        None => query.is_empty() || row_rank(node, endpoint, query).is_some(),
    }
}

impl App {
    /// Each endpoint's short tag (`columns::endpoint_tags`) for a table whose rows come from
    /// more than one endpoint; none for a table of one endpoint's rows (`:vm @label`, the
    /// alerts of the one Aria Operations, the snapshots of a vCD whose vCenter twins are
    /// merged into its rows), where the tag would say the same on every row. `:vm` and
    /// `:snapshots` follow the one rule: the endpoints rows came from, not those connected.
    pub fn endpoint_tags(&self, table: &Table) -> Vec<String> {
        let several = match table.source {
            Source::Kind => table.rooted > 1,
            Source::Snapshots => self.all_snapshots.as_ref().is_some_and(|a| a.sources() > 1),
        };
        if table.only.is_some() || !several {
            return vec![];
        }
        self.every_endpoint_tag()
    }

    /// Every endpoint's short tag, by endpoint number (`columns::endpoint_tags`).
    pub fn every_endpoint_tag(&self) -> Vec<String> {
        let eps: Vec<_> = (self.endpoints.iter())
            .map(|e| (e.info.as_ref().map(|i| i.product), e.label.as_str()))
            .collect();
        columns::endpoint_tags(&eps)
    }

    /// Opens the table of `kind` across every connected endpoint (or `only` one), listing what
    /// is not listed yet.
    pub(crate) fn open_table(&mut self, kind: NodeKind, query: String, only: Option<EndpointId>) {
        for endpoint in 0..self.endpoints.len() {
            if only.is_some_and(|o| o != endpoint) || self.endpoints[endpoint].info.is_none() {
                continue;
            }
            self.listed_kind(endpoint, kind);
        }
        self.show_table(kind, Source::Kind, query, only);
    }

    /// The hidden root holding every `kind` of `endpoint`, listing it unless it is listed or
    /// being listed.
    pub(super) fn listed_kind(&mut self, endpoint: EndpointId, kind: NodeKind) -> EntryId {
        let root = self.table_root(endpoint, kind);
        if matches!(
            self.tree.get(root).load(),
            Load::NotLoaded | Load::Failed(_)
        ) {
            self.list_kind(root, kind);
        }
        root
    }

    /// `:snapshots`: the snapshot view's rows as a table, oldest first until sorted otherwise.
    pub(crate) fn open_snapshot_view(&mut self) {
        let Some(root) = self.all_snapshots.as_ref().map(|a| a.root) else {
            return;
        };
        if matches!(
            self.tree.get(root).load(),
            Load::NotLoaded | Load::Failed(_)
        ) {
            self.load_all_snapshots();
        }
        self.show_table(NodeKind::Vm, Source::Snapshots, String::new(), None);
    }

    fn show_table(
        &mut self,
        kind: NodeKind,
        source: Source,
        query: String,
        only: Option<EndpointId>,
    ) {
        let back_to = match &self.table {
            Some(t) => t.back_to,
            None => self.cursor.selected,
        };
        let default = match source {
            Source::Snapshots => Sort {
                column: columns::SNAPSHOT_AGE,
                desc: false,
            },
            Source::Kind => Sort {
                column: columns::NAME,
                desc: false,
            },
        };
        let cols = match source {
            Source::Snapshots => columns::SNAPSHOT_COLUMNS.to_vec(),
            Source::Kind => self.columns.of(kind).to_vec(),
        };
        // Alerts are read worst first (when the config shows their state).
        let default = match kind {
            NodeKind::Alert if cols.contains(&columns::STATE) => Sort {
                column: columns::STATE,
                desc: false,
            },
            _ => default,
        };
        // A remembered sort by a column the config no longer shows gives way to the default.
        let sort = match self.sorts.get(&(kind, source)) {
            Some(s) if cols.iter().any(|c| c.id == s.column.id) => *s,
            _ => default,
        };
        self.table = Some(Table {
            kind,
            source,
            only,
            query,
            sort,
            shown: 0,
            total: 0,
            notes: Vec::new(),
            built_for: None,
            built_at: None,
            rooted: 0,
            back_to,
            index: SortIndex::default(),
            cols,
            pending: None,
            stale_view: false,
        });
        self.focus = super::Pane::Tree;
        self.cursor.selected = None;
        self.cursor.offset = 0;
        self.rebuild_table();
        if let Some(&first) = self.tree.visible().first() {
            self.cursor.selected = Some(first);
        }
        self.selection_changed();
        self.scroll_to_selection();
    }

    /// Back to the tree, where the cursor was.
    pub(crate) fn close_table(&mut self) {
        let Some(table) = self.table.take() else {
            return;
        };
        if let Some(p) = &table.pending {
            p.cancel.store(true, Ordering::Relaxed);
        }
        self.tree.set_view(None);
        self.tree.refresh_visible();
        if let Some(b) = table.back_to.filter(|b| self.tree.row_of(*b).is_some()) {
            self.cursor.selected = Some(b);
        }
        self.keep_selection_visible();
        self.selection_changed();
    }

    /// The hidden root holding `kind`'s flat listing on `endpoint`, made on first use.
    pub(super) fn table_root(&mut self, endpoint: EndpointId, kind: NodeKind) -> EntryId {
        if let Some(&r) = self.table_roots.get(&(endpoint, kind)) {
            return r;
        }
        let node = Node::new(
            NodeKind::Group,
            format!("vnav:table:{}", kind.label()),
            plural(kind),
        )
        .expandable(true);
        let r = self.tree.add_hidden_root(endpoint, node);
        self.table_roots.insert((endpoint, kind), r);
        r
    }

    pub(super) fn list_kind(&mut self, root: EntryId, kind: NodeKind) {
        let req = self.req();
        self.tree.start_load(root, req);
        self.stop_loading(root);
        self.loading.insert(req, root);
        self.effects.push(Effect::ListKind {
            req,
            endpoint: self.tree.get(root).endpoint(),
            kind,
        });
    }

    /// Whether an entry is a table's hidden root (its children load with `ListKind`).
    pub(crate) fn table_kind_of(&self, entry: EntryId) -> Option<NodeKind> {
        self.table_roots
            .iter()
            .find(|(_, r)| **r == entry)
            .map(|((_, k), _)| *k)
    }

    /// Reloads a table's listing (Ctrl-R on a table's hidden root).
    pub(crate) fn reload_table_root(&mut self, root: EntryId) -> bool {
        match self.table_kind_of(root) {
            Some(kind) => {
                self.list_kind(root, kind);
                true
            }
            None => false,
        }
    }

    /// After the tree's content changed: the table's rows again (throttled for big tables
    /// still loading). Only answers and ticks bring rows in: a key never waits for a merge
    /// (`from_key`), it works on the rows the index has. While rows wait over what one rebuild
    /// takes, only ticks take the next share (`tick`): pages landing meanwhile are appended
    /// to the tree and wait, so a burst of them (three endpoints pouring in) costs one rebuild
    /// per tick, not one per page.
    pub(crate) fn table_changed(&mut self, from_key: bool, tick: bool) {
        if from_key && self.table.as_ref().is_some_and(|t| t.built_for.is_some()) {
            return;
        }
        let Some(t) = &self.table else {
            return;
        };
        let behind = t.index.behind();
        if t.built_for == Some(self.tree.content) && !behind {
            return;
        }
        // Only the table's own listings count: a tree node loading elsewhere must not hold
        // the table back.
        let loading = self
            .loading
            .values()
            .any(|e| self.table_roots.values().any(|r| r == e));
        let roots = self.table_rows_roots();
        let listed = roots.iter().map(|(_, r)| self.tree.get(*r).children.len());
        let waiting = listed.sum::<usize>().saturating_sub(t.index.len());
        // An endpoint's first rows show at once, whatever the others have listed.
        let first_rows = rooted(&self.tree, &roots) > t.rooted;
        if behind && !tick && !first_rows {
            return;
        }
        if loading
            && t.total > BIG
            && t.built_at.is_some_and(|at| at.elapsed() < REBUILD_EVERY)
            && !behind
            && !first_rows
            && waiting < self.table_budget.rows()
        {
            return;
        }
        if self.table_budget.per_frame {
            self.lay_out_table(true, false);
            return;
        }
        let at_top = self.at_top();
        self.rebuild_table();
        self.table_laid_out(at_top);
    }

    /// Whether the cursor is on the table's first row (or none): it stays there as rows
    /// arrive in order.
    fn at_top(&self) -> bool {
        (self.cursor.selected)
            .and_then(|s| self.tree.row_of(s))
            .is_none_or(|r| r == 0)
    }

    /// Before a frame is drawn or a key handled: the rows taken in since the table was last
    /// laid out (`RebuildBudget::per_frame`), laid out, once.
    pub fn before_frame(&mut self) {
        if !self.table.as_ref().is_some_and(|t| t.stale_view) {
            return;
        }
        let at_top = self.at_top();
        self.lay_out_table(false, true);
        self.table_laid_out(at_top);
    }

    /// Whether rows taken in wait for a frame to be laid out (it must be drawn).
    pub(crate) fn table_view_stale(&self) -> bool {
        self.table.as_ref().is_some_and(|t| t.stale_view)
    }

    /// After the rows were laid out anew: the cursor kept on the first row if it was there,
    /// and on screen.
    fn table_laid_out(&mut self, at_top: bool) {
        match self.tree.visible().first() {
            Some(&first) if at_top && self.cursor.selected != Some(first) => {
                self.cursor.selected = Some(first);
                self.selection_changed();
            }
            _ => {}
        }
        self.keep_selection_visible();
    }

    /// The hidden roots whose children are the table's rows, in endpoint order (so rows are
    /// numbered in the same order at every build: ties keep it).
    fn table_rows_roots(&self) -> Vec<(EndpointId, EntryId)> {
        let Some(t) = &self.table else {
            return Vec::new();
        };
        let mut roots: Vec<(EndpointId, EntryId)> = match t.source {
            Source::Snapshots => self.all_snapshots.iter().map(|a| (0, a.root)).collect(),
            Source::Kind => self
                .table_roots
                .iter()
                .filter(|((e, k), _)| *k == t.kind && t.only.is_none_or(|o| o == *e))
                .map(|((e, _), r)| (*e, *r))
                .collect(),
        };
        roots.sort_unstable();
        roots
    }

    /// The entries under the table's roots, filtered and sorted, into the tree's view.
    pub(crate) fn rebuild_table(&mut self) {
        self.lay_out_table(true, true);
    }

    /// A new sort or filter: the rows the index has, sorted and filtered again; rows that
    /// arrived since wait for the next answer or tick (a key never pays for merging them).
    pub(crate) fn resort_table(&mut self) {
        self.lay_out_table(false, true);
    }

    /// Rows taken in are laid out once per frame (`before_frame`), not after each slice: the
    /// event loop's choice, which calls `before_frame` before drawing.
    pub fn lay_out_per_frame(&mut self) {
        self.table_budget.per_frame = true;
    }

    /// The clock a table rebuild's cost is read from (tests give one: see `table_budget`).
    pub fn set_rebuild_clock(&mut self, clock: Clock) {
        let per_frame = self.table_budget.per_frame;
        self.table_budget = RebuildBudget::with_clock(clock);
        self.table_budget.per_frame = per_frame;
    }

    /// The table's view from its index, caught up with the tree first when `sync` (or when it
    /// never was); without `view`, only caught up, the view left for `before_frame`.
    fn lay_out_table(&mut self, sync: bool, view: bool) {
        let started = self.table_budget.now();
        let roots = self.table_rows_roots();
        let rooted = rooted(&self.tree, &roots);
        let Some(t) = &self.table else {
            return;
        };
        // Why an endpoint in scope has no rows here: not connected, or its listing failed or
        // does not exist there (Aria Operations has no vApps).
        let notes: Vec<(String, bool)> = match t.source {
            Source::Snapshots => Vec::new(),
            Source::Kind => (0..self.endpoints.len())
                .filter(|e| t.only.is_none_or(|o| o == *e))
                .filter_map(|e| {
                    let label = &self.endpoints[e].label;
                    if self.endpoints[e].info.is_none() {
                        return Some((format!("{label}: not connected"), false));
                    }
                    let root = self.table_roots.get(&(e, t.kind))?;
                    match self.tree.get(*root).load() {
                        Load::Failed(m) => Some((format!("{label}: {m}"), false)),
                        // A product without such objects is not a failure: said only when
                        // no endpoint has any (`:workflows` with no Orchestrator connected).
                        Load::Loaded if self.kind_absent.contains(root) => {
                            Some((format!("{label}: none there"), true))
                        }
                        _ => None,
                    }
                })
                .collect(),
        };
        let labels: Vec<&str> = self.endpoints.iter().map(|e| e.label.as_str()).collect();
        let roots: Vec<EntryId> = roots.into_iter().map(|(_, r)| r).collect();
        let Some(t) = &mut self.table else {
            return;
        };
        // A new sort or filter on rows that did not change reads the index as it is.
        let sync = t.built_for.is_none() || sync;
        let merged = sync && (t.built_for != Some(self.tree.content) || t.index.behind());
        if merged {
            let limit = self.table_budget.rows();
            t.index
                .sync(&self.tree, &labels, &roots, t.kind, &t.cols, limit);
        }
        if !view {
            t.index
                .prepare(&self.tree, &labels, t.shown_sort().column.id);
            t.stale_view = true;
            t.built_for = Some(self.tree.content);
            t.built_at = Some(Instant::now());
            t.rooted = rooted;
            if merged {
                let left_rows = t.index.behind();
                self.table_budget.record(started, left_rows);
            }
            return;
        }
        t.stale_view = false;
        let total = t.index.len();
        let sort = t.shown_sort();
        let mut rows = self.tree.spare_rows();
        (t.index).sorted_into(&self.tree, &labels, sort.column.id, sort.desc, &mut rows);
        let typed = &self.filter.query;
        if !t.query.is_empty() || !typed.is_empty() {
            let tree = &self.tree;
            rows.retain(|&c| {
                let (node, label) = (&tree.get(c).node, labels[tree.get(c).endpoint()]);
                passes(node, label, &t.query) && passes(node, label, typed)
            });
        }
        let content = self.tree.content;
        let shown = rows.len();
        self.tree.set_view(Some(rows));
        self.tree.refresh_visible();
        if let Some(t) = &mut self.table {
            t.notes = notes
                .into_iter()
                .filter(|(_, absent)| total == 0 || !absent)
                .map(|(note, _)| note)
                .collect();
            t.total = total;
            t.shown = shown;
            if sync {
                t.built_for = Some(content);
                t.built_at = Some(Instant::now());
                t.rooted = rooted;
            }
            if merged {
                let left_rows = t.index.behind();
                self.table_budget.record(started, left_rows);
            }
        }
    }

    /// `:sort <column>`: by that column, ascending; the same column again reverses.
    pub(crate) fn sort_table_by(&mut self, key: &str) {
        let Some(t) = &self.table else {
            self.notify(
                ":sort works in a table (open one with :vm, :host, …)",
                Severity::Warn,
            );
            return;
        };
        let Some(column) = columns::find_in(t.columns(), key) else {
            let keys = t.columns().iter().map(|c| c.key);
            let msg = match super::command::closest(key, keys) {
                Some(c) => format!("no column {key} — did you mean {c}?"),
                None => format!("no column {key}"),
            };
            self.notify(msg, Severity::Warn);
            return;
        };
        let desc = t.sort.column.id == column.id && !t.sort.desc;
        self.set_sort(Sort { column, desc });
    }

    /// The next (or previous) column becomes the sort column, ascending.
    pub(crate) fn cycle_sort(&mut self, forward: bool) -> bool {
        let Some(t) = &self.table else {
            return false;
        };
        let cols = t.columns();
        let i = cols
            .iter()
            .position(|c| c.id == t.sort.column.id)
            .unwrap_or(0);
        let n = cols.len();
        let next = if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        };
        let column = cols[next];
        self.set_sort(Sort {
            column,
            desc: false,
        });
        true
    }

    pub(crate) fn flip_sort(&mut self) -> bool {
        let Some(t) = &self.table else {
            return false;
        };
        let sort = Sort {
            desc: !t.sort.desc,
            ..t.sort
        };
        self.set_sort(sort);
        true
    }

    /// Sorts by `sort`: at once when the index has its column's order (or the table is
    /// small); else the order is built off the UI thread (`Effect::SortOrder`), the rows keep
    /// the order they are in meanwhile, and `sort_built` shows them sorted when it lands. A
    /// build a later sort makes useless is cancelled.
    fn set_sort(&mut self, sort: Sort) {
        let Some(t) = &mut self.table else {
            return;
        };
        let shown = t.shown_sort();
        t.sort = sort;
        self.sorts.insert((t.kind, t.source), sort);
        self.save_sorts();
        let Some(t) = &mut self.table else {
            return;
        };
        let column = sort.column.id;
        if t.pending.as_ref().is_some_and(|p| p.column != column)
            && let Some(p) = t.pending.take()
        {
            p.cancel.store(true, Ordering::Relaxed);
        }
        if t.pending.is_none()
            && t.index.len() >= self.sort_off_ui_from
            && t.index.must_build(column)
        {
            self.build_order_off_ui(column, shown);
        }
        // Rows waiting for an order built off the UI thread stay as they are shown: the view
        // is the one laid out last, so the key does not lay 300,000 rows out again (on caches
        // pages landing have just emptied) only to get the same rows.
        let unmoved = (self.table.as_ref()).is_some_and(|t| {
            t.pending.is_some() && t.built_for.is_some() && t.shown_sort() == shown
        });
        if !unmoved {
            self.resort_table();
        }
        // The cursor stays on its row, wherever the row went.
        self.scroll_to_selection();
    }

    /// Starts building `column`'s order, the rows shown as `shown` meanwhile: its values are
    /// read on the next ticks (`read_sort_keys`), then sorted off the UI thread.
    fn build_order_off_ui(&mut self, column: ColumnId, shown: Sort) {
        let req = self.req();
        let labels: Vec<&str> = self.endpoints.iter().map(|e| e.label.as_str()).collect();
        let Some(t) = &mut self.table else {
            return;
        };
        let job = t.index.job(&self.tree, &labels, column);
        let cancel = job.canceller();
        t.pending = Some(PendingSort {
            req,
            column,
            shown,
            job: Some(job),
            cancel,
        });
    }

    /// When the next slice of a sort's values is due: at once while some are left.
    pub(crate) fn sort_deadline(&self) -> Option<Instant> {
        let p = self.table.as_ref()?.pending.as_ref()?;
        p.job.as_ref().map(|_| Instant::now())
    }

    /// On a tick: the next slice of a sort's values; once all are read, the job goes off the
    /// UI thread (`Effect::SortOrder`). Rows numbered anew meanwhile: begun again.
    pub(crate) fn read_sort_keys(&mut self) {
        let labels: Vec<&str> = self.endpoints.iter().map(|e| e.label.as_str()).collect();
        let Some(Table { index, pending, .. }) = &mut self.table else {
            return;
        };
        let Some(p) = pending else {
            return;
        };
        let Some(job) = &mut p.job else {
            return;
        };
        match index.read_keys(job, &self.tree, &labels, SORT_READ_SLICE) {
            Reading::More => {}
            Reading::Done => {
                let job = p.job.take().expect("reading");
                self.effects.push(Effect::SortOrder { req: p.req, job });
            }
            Reading::Stale => {
                let (column, shown) = (p.column, p.shown);
                *pending = None;
                if index.must_build(column) {
                    self.build_order_off_ui(column, shown);
                } else {
                    self.resort_table();
                }
            }
        }
    }

    /// A column's order built off the UI thread (`Effect::SortOrder`): in the index, the rows
    /// sorted by it. One a later sort superseded is dropped; one the rows outgrew while it
    /// was built (renumbered, or more arrived than a merge should take) is built again.
    pub(crate) fn sort_built(&mut self, req: ReqId, built: Option<BuiltOrder>) -> bool {
        let Some(t) = &mut self.table else {
            return false;
        };
        let Some(p) = t.pending.as_ref().filter(|p| p.req == req) else {
            return false;
        };
        let (column, shown) = (p.column, p.shown);
        let Some(built) = built else {
            // Not cancelled (that ends the wait): the build failed. The rows stay as shown.
            t.pending = None;
            t.sort = shown;
            self.notify("the sort could not be built", Severity::Error);
            return true;
        };
        let labels: Vec<&str> = self.endpoints.iter().map(|e| e.label.as_str()).collect();
        let installed = t.index.install(&self.tree, &labels, built);
        t.pending = None;
        if !installed && t.index.must_build(column) {
            self.build_order_off_ui(column, shown);
            return false;
        }
        self.resort_table();
        self.scroll_to_selection();
        true
    }

    /// The sorts as the state file keeps them: `{"vm": {"by": "cpu", "desc": true}, …}`.
    fn save_sorts(&mut self) {
        let Some(path) = self.sorts_path.clone() else {
            return;
        };
        let file: BTreeMap<&str, SavedSort> = self
            .sorts
            .iter()
            .filter_map(|((kind, source), s)| {
                let name = match source {
                    Source::Snapshots => "snapshots",
                    Source::Kind => columns::kind_name(*kind)?,
                };
                let saved = SavedSort {
                    by: s.column.key.to_string(),
                    desc: s.desc,
                };
                Some((name, saved))
            })
            .collect();
        match serde_json::to_string_pretty(&file) {
            Ok(text) => self.effects.push(Effect::WriteState { path, text }),
            Err(e) => self.notify(format!("sorts not saved: {e}"), Severity::Error),
        }
    }

    /// The sorts kept by an earlier run (`save_sorts`' text). Kinds and columns vnav no longer
    /// knows are skipped; a damaged file is an error saying why.
    pub fn load_sorts(&mut self, text: &str) -> Result<(), String> {
        let file: BTreeMap<String, SavedSort> =
            serde_json::from_str(text).map_err(|e| format!("sorts file unreadable: {e}"))?;
        for (name, saved) in file {
            let (kind, source, cols) = match name.as_str() {
                "snapshots" => (NodeKind::Vm, Source::Snapshots, columns::SNAPSHOT_COLUMNS),
                n => match columns::kind_named(n) {
                    Some(k) => (k, Source::Kind, columns::columns(k)),
                    None => continue,
                },
            };
            if let Some(&column) = cols.iter().find(|c| c.key == saved.by) {
                let desc = saved.desc;
                self.sorts.insert((kind, source), Sort { column, desc });
            }
        }
        Ok(())
    }

    /// While the user types a filter in a table: the cursor to the best row (an exact value
    /// before a prefix before a part before a fuzzy name), the first among equals.
    pub(crate) fn select_best_row(&mut self) {
        let query = self.filter.query.trim_start_matches('!');
        if query.is_empty() || self.filter.query.starts_with('!') {
            return;
        }
        fn label(app: &App, id: EntryId) -> &str {
            &app.endpoints[app.tree.get(id).endpoint()].label
        }
        let mut best: Option<(u8, EntryId)> = None;
        for &id in self.tree.visible() {
            let r = row_rank(&self.tree.get(id).node, label(self, id), query).unwrap_or(4);
            if best.is_none_or(|(b, _)| r < b) {
                best = Some((r, id));
            }
        }
        if let Some((_, id)) = best
            && self.cursor.selected != Some(id)
        {
            self.cursor.selected = Some(id);
            self.selection_changed();
            self.scroll_to_selection();
        }
    }

    /// `n` / `N`: the cursor to the next (previous) row the filter matched, wrapping around; in
    /// the tree, ancestors shown only to place a match are skipped.
    pub(crate) fn step_match(&mut self, forward: bool) -> bool {
        if self.filter.query.is_empty() {
            self.notify("no filter: / to set one, then n / N", Severity::Neutral);
            return true;
        }
        // Rows of the matches, in order: every row of a table, the matches' own rows in the tree.
        let rows: Vec<usize> = match (&self.table, self.tree.filter_matches()) {
            (Some(_), _) => (0..self.tree.visible().len()).collect(),
            (None, Some(m)) => {
                let mut r: Vec<usize> = m.iter().filter_map(|&id| self.tree.row_of(id)).collect();
                r.sort_unstable();
                r
            }
            (None, None) => Vec::new(),
        };
        let (Some(&first), Some(&last)) = (rows.first(), rows.last()) else {
            return false;
        };
        let row = self.cursor.selected.and_then(|s| self.tree.row_of(s));
        let target = match (row, forward) {
            (None, true) => first,
            (None, false) => last,
            (Some(r), true) => rows.iter().copied().find(|&x| x > r).unwrap_or(first),
            (Some(r), false) => rows.iter().rev().copied().find(|&x| x < r).unwrap_or(last),
        };
        let id = self.tree.visible()[target];
        if self.cursor.selected == Some(id) {
            return false;
        }
        self.cursor.selected = Some(id);
        self.selection_changed();
        self.scroll_to_selection();
        true
    }

    /// When a throttled table must be rebuilt (rows arrived since the last build).
    pub(crate) fn table_deadline(&self) -> Option<Instant> {
        let t = self.table.as_ref()?;
        if t.index.behind() {
            return Some(Instant::now());
        }
        (t.built_for != Some(self.tree.content)).then_some(t.built_at? + REBUILD_EVERY)
    }

    /// The column a table sorts by, and whether downwards (for the header).
    pub fn table_sort(&self) -> Option<(ColumnId, bool)> {
        self.table.as_ref().map(|t| (t.sort.column.id, t.sort.desc))
    }
}

#[cfg(test)]
#[path = "table_dots_tests.rs"]
mod dots_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::VmFacts;

    fn vm(name: &str, ip: &str, cpus: Option<u32>) -> Node {
        Node::new(NodeKind::Vm, format!("vm/{name}"), name).with_facts(VmFacts {
            ip: ip.into(),
            cpus: cpus.into(),
            ..VmFacts::default()
        })
    }

    #[test]
    fn rows_match_any_column_best_first_and_invert() {
        let a = vm("rds-102", "10.0.0.12", None);
        let b = vm("rds-12", "10.0.0.99", None);
        assert_eq!(row_rank(&b, "vcd", "rds-12"), Some(0));
        assert_eq!(row_rank(&a, "vcd", "rds-12"), Some(3), "fuzzy only");
        assert_eq!(row_rank(&a, "vcd", "10.0.0.12"), Some(0), "by IP");
        assert_eq!(row_rank(&a, "vcd", "nomatch"), None);
        assert!(!passes(&a, "vcd", "!rds-12") && passes(&b, "vcd", "!102"));
        assert!(
            passes(&a, "vcenter", "vcenter"),
            "the endpoint column counts"
        );
    }

    #[test]
    fn counts_read_well() {
        assert_eq!(thousands(3000), "3,000");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(12), "12");
    }
}
