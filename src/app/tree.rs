//! The inventory tree: an arena of entries addressed by index, with the flattened list of
//! visible rows kept up to date on structural change so drawing a frame only touches the rows
//! on screen. Sized for 100,000+ nodes: no per-frame allocation, no cloning of the tree.

use thin_vec::ThinVec;

use crate::api::model::{ChildBatch, Health, Node};
pub use refresh::Staged;

mod chunks;
mod moves;
mod refresh;
#[cfg(test)]
#[path = "tree_view_tests.rs"]
mod view_tests;

pub type EntryId = u32;
pub type EndpointId = usize;

/// How many endpoints one process holds: an entry keeps its endpoint in 2 bytes (`Entry`).
/// Start-up and `:ctx` refuse more with a message.
pub const MAX_ENDPOINTS: usize = u16::MAX as usize + 1;

/// Where a node's children stand. An entry keeps it boxed, `NotLoaded` (every leaf) as no box
/// at all: only parents, few, pay for one (`Entry::load`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Load {
    NotLoaded,
    Loading(Loading),
    Loaded,
    Failed(String),
}

/// A children load in flight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loading {
    /// The request whose answers are accepted; answers to older requests are dropped.
    pub req: u64,
    /// A refresh: the children arrived so far, matched against the old ones, which stay
    /// until it completes (`refresh.rs`).
    pub staged: Option<Box<Staged>>,
    pub total: Option<u64>,
    /// When the request went out, to say how long a stalled one has waited.
    pub since: tokio::time::Instant,
}

impl Load {
    pub fn failed(msg: impl Into<String>) -> Load {
        Load::Failed(msg.into())
    }

    /// Waiting for `req`'s answers, asked now.
    pub fn loading(req: u64) -> Load {
        Load::Loading(Loading {
            req,
            staged: None,
            total: None,
            since: tokio::time::Instant::now(),
        })
    }
}

/// What `Entry::load` answers for an entry without a box.
static NOT_LOADED: Load = Load::NotLoaded;

/// No parent: `Entry::parent` in 4 bytes instead of an `Option`'s 8.
const NO_PARENT: EntryId = EntryId::MAX;

/// `Entry::flags`: one byte for what would take three `bool`s.
const DEAD: u8 = 1;
const MARKED: u8 = 2;
const OPENED_BY_ID: u8 = 4;
/// Made for a node a refresh listed, kept out of the tree until the refresh ends (`refresh.rs`).
const STAGED: u8 = 8;

/// Sized for 300,000 (`size_tests`): the node and 24 bytes. The endpoint in 2 bytes (read it
/// with `endpoint()`), the parent in 4 (`parent()`), the load one pointer (`load()`), three
/// flags in a byte; the depth is not kept but counted when drawn (`Tree::depth`).
#[derive(Clone, Debug)]
pub struct Entry {
    pub node: Node,
    /// One pointer (an empty one allocates nothing): most entries are leaves.
    pub children: ThinVec<EntryId>,
    /// None while not loaded (every leaf).
    load: Option<Box<Load>>,
    /// `NO_PARENT` for a root.
    parent: EntryId,
    endpoint: u16,
    pub expanded: bool,
    /// `DEAD`: the slot is on the free list. `MARKED`: private so the tree's count of marks
    /// stays right (`Tree::set_marked`). `OPENED_BY_ID`: opened where its parent's listing
    /// does not have it (`Tree::open_by_id`): a reload of the parent keeps it. `STAGED`: see
    /// the constant.
    flags: u8,
}

impl Entry {
    fn new(endpoint: EndpointId, node: Node, parent: Option<EntryId>) -> Entry {
        Entry {
            node,
            children: ThinVec::new(),
            load: None,
            parent: parent.unwrap_or(NO_PARENT),
            endpoint: packed_endpoint(endpoint),
            expanded: false,
            flags: 0,
        }
    }

    pub fn endpoint(&self) -> EndpointId {
        EndpointId::from(self.endpoint)
    }

    pub fn parent(&self) -> Option<EntryId> {
        (self.parent != NO_PARENT).then_some(self.parent)
    }

    /// Where its children stand.
    pub fn load(&self) -> &Load {
        self.load.as_deref().unwrap_or(&NOT_LOADED)
    }

    /// Replacing a refresh in flight is the tree's to do (`Tree::finish_load`, `abandon_load`,
    /// `start_load`): the entries it made for new nodes go with it.
    pub fn set_load(&mut self, load: Load) {
        debug_assert!(
            !matches!(self.load(), Load::Loading(Loading { staged: Some(s), .. }) if s.holds_entries()),
            "a refresh in flight replaced outside the tree"
        );
        self.load = match load {
            Load::NotLoaded => None,
            load => Some(Box::new(load)),
        };
    }

    pub fn is_marked(&self) -> bool {
        self.flags & MARKED != 0
    }

    fn is_dead(&self) -> bool {
        self.flags & DEAD != 0
    }

    fn opened_by_id(&self) -> bool {
        self.flags & OPENED_BY_ID != 0
    }

    fn set_flag(&mut self, flag: u8, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }
}

/// Entries `Tree::freed_lately` remembers (256 KB at most): more frees than this between two
/// reads mean a big change, after which a reader starts over.
const FREED_LOG: usize = 1 << 16;

/// Entries `Tree::touched_since` remembers (256 KB at most): when full, the older half goes,
/// and a reader further behind than that starts over.
const TOUCHED_LOG: usize = 1 << 16;

/// An endpoint as an entry keeps it. The app never opens more than `MAX_ENDPOINTS`.
fn packed_endpoint(endpoint: EndpointId) -> u16 {
    u16::try_from(endpoint).expect("at most MAX_ENDPOINTS endpoints (start-up and :ctx check)")
}

#[derive(Default)]
pub struct Tree {
    entries: chunks::Chunks<Entry>,
    free: Vec<EntryId>,
    roots: Vec<EntryId>,
    /// Rows shown in the tree pane, top to bottom.
    visible: Vec<EntryId>,
    /// The rows a view showed before the current one, kept as the next one's buffer.
    spare: Vec<EntryId>,
    /// Entry → its row in `visible` (u32::MAX when hidden); not kept for a view (see
    /// `row_hint`).
    row_of: Vec<u32>,
    /// A view's row last found by `row_of`: a view is handed over whole at each rebuild of a
    /// table (300,000 rows), so its rows are not mapped one by one; the few lookups an event
    /// makes (the cursor's row, mostly) scan for the entry, starting with the row found last.
    row_hint: std::sync::atomic::AtomicUsize,
    /// When set, only these entries (plus their ancestors) are visible, in tree order.
    filter: Option<Vec<EntryId>>,
    /// The `content` count at which `filter` was known to be in tree order (see
    /// `set_filter_in_tree_order`): while it holds, the rows are laid out from the matches and
    /// their ancestors instead of a walk of the whole tree.
    filter_ordered: Option<u64>,
    /// The rows `filter` shows, laid out by the caller's index (see `set_filter_rows`): used
    /// once, by the layout that follows, while `filter_ordered` holds.
    filter_rows: Option<Vec<EntryId>>,
    /// When set, exactly these rows are visible, in this order, instead of the tree (a `:`
    /// table: its rows are entries under hidden roots, see `add_hidden_root`). The rows move
    /// into `visible` when laid out (what is left here is empty).
    view: Option<Vec<EntryId>>,
    dirty: bool,
    marked: usize,
    /// Bumped on every change that can alter what the tree pane shows.
    pub version: u64,
    /// Bumped when entries are added, removed or their nodes replaced (not on expand, filter
    /// or marks), so indexes over names know when to rebuild.
    pub content: u64,
    /// Bumped by every change to entries but children appended (`edits`).
    edits: u64,
    /// The entries `get_mut` handed out lately, oldest first (`touched_since`), and how many
    /// older ones were dropped from the front.
    touched: Vec<EntryId>,
    touched_dropped: u64,
    /// Entries of the drawn tree freed lately, and how many times this log was emptied
    /// because it was full (`freed_lately`).
    freed_log: Vec<EntryId>,
    freed_epoch: u64,
    /// Removed entry → the nearest entry that survived it (next sibling, else previous, else
    /// parent), so whoever held the removed id (the cursor) can move there. Drained by
    /// `take_removed`; slots are reused, so an id is only meaningful until then.
    removed: std::collections::HashMap<EntryId, EntryId>,
    /// Entry → the `content` count when its node was last set or possibly changed, or it
    /// moved (`changed_since`), so a table's sort index re-keys only the rows that changed
    /// and the filter's index takes on only the entries that changed or moved.
    stamps: Vec<u64>,
    /// Entries freed so far, and the count when the view was set and last laid out: a view's
    /// rows move only when it is set again or one of them dies, not when entries are added
    /// elsewhere (pages landing under a table's roots), so those skip the pass over its rows.
    freed: u64,
    view_set: u64,
    view_laid: Option<u64>,
    /// Entries opened through `set_expanded` (few: what the user opened), so opening a node
    /// none of whose children is open splices its child list as it is, without reading each
    /// child's entry (300,000 of them under an "All VMs" group).
    open: std::collections::HashSet<EntryId>,
    /// Parents whose refresh's listing ended with work left (`refresh.rs`, `finish_slice`).
    finishing: Vec<EntryId>,
    /// The work of a slice of an ended refresh (0: `refresh::SLICE`); tests make it small.
    refresh_slice: usize,
}

impl Tree {
    pub fn get(&self, id: EntryId) -> &Entry {
        &self.entries[id as usize]
    }

    /// Whether `id` still names an entry (answers may arrive for removed ones).
    pub fn is_live(&self, id: EntryId) -> bool {
        self.entries.get(id as usize).is_some_and(|e| !e.is_dead())
    }

    pub fn get_mut(&mut self, id: EntryId) -> &mut Entry {
        self.version += 1;
        self.content += 1;
        self.edits += 1;
        self.stamps[id as usize] = self.content;
        if self.touched.len() == TOUCHED_LOG {
            self.touched.drain(..TOUCHED_LOG / 2);
            self.touched_dropped += TOUCHED_LOG as u64 / 2;
        }
        self.touched.push(id);
        &mut self.entries[id as usize]
    }

    pub fn roots(&self) -> &[EntryId] {
        &self.roots
    }

    /// Live entries (for counts and filtering).
    pub fn len(&self) -> usize {
        self.entries.len() - self.free.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn alloc(&mut self, entry: Entry) -> EntryId {
        self.content += 1;
        if let Some(id) = self.free.pop() {
            self.entries[id as usize] = entry;
            self.stamps[id as usize] = self.content;
            id
        } else {
            self.entries.push(entry);
            self.stamps.push(self.content);
            (self.entries.len() - 1) as EntryId
        }
    }

    /// Bumped by every change to the tree's entries but children appended (a node set or
    /// replaced, an entry freed, children reordered): while it holds, every parent has the
    /// children it had then, in the same places, and maybe more after them, so a table's index
    /// reads only those (`SortIndex::sync`).
    pub fn edits(&self) -> u64 {
        self.edits
    }

    /// How many entries `get_mut` has handed out so far (each bumps `edits` too).
    pub fn touched(&self) -> u64 {
        self.touched_dropped + self.touched.len() as u64
    }

    /// The entries `get_mut` handed out since `touched()` was `at`, if every edit since was
    /// one of those: then the tree changed only in those entries (their nodes, or their
    /// children if they are parents) and by children appended, so an index over some
    /// parents' children finds what changed here, not in a pass over them all. None when
    /// other edits happened (children merged, reordered or freed) or the log no longer
    /// reaches back to `at`.
    pub fn touched_since(&self, at: u64, edits: u64) -> Option<&[EntryId]> {
        let from = at.checked_sub(self.touched_dropped)?;
        let only_these = self.edits.checked_sub(edits)? == self.touched().checked_sub(at)?;
        only_these.then(|| &self.touched[from as usize..])
    }

    /// The entries of the drawn tree (not of a table's hidden root) freed lately, oldest
    /// first, with the log's epoch: the log is emptied when full (`FREED_LOG`) and the epoch
    /// bumped, so a reader holding an older epoch has missed some and must start over.
    pub fn freed_lately(&self) -> (u64, &[EntryId]) {
        (self.freed_epoch, &self.freed_log)
    }

    /// Whether the entry's node may have changed (or the slot was reused), or it moved among
    /// its siblings in the drawn tree (or was below one that did: `merge_children`), since the
    /// tree's `content` count was `content`. Every entry of the drawn tree that is neither
    /// changed nor freed (`freed_lately`) since then keeps its place among the others, which an
    /// index in tree order needs (the filter's, `app::filter`).
    pub fn changed_since(&self, id: EntryId, content: u64) -> bool {
        self.stamps[id as usize] > content
    }

    pub fn add_root(&mut self, endpoint: EndpointId, node: Node) -> EntryId {
        let id = self.alloc(Entry::new(endpoint, node, None));
        self.roots.push(id);
        self.invalidate();
        id
    }

    /// A root that is not drawn in the tree nor searched by its filter: it holds the flat
    /// listing of one kind on one endpoint for a table. Its entries work like any other
    /// (details, actions, copy).
    pub fn add_hidden_root(&mut self, endpoint: EndpointId, node: Node) -> EntryId {
        self.alloc(Entry::new(endpoint, node, None))
    }

    /// Slots in the arena, live or free: entry ids are below this.
    pub fn capacity(&self) -> usize {
        self.entries.len()
    }

    /// Whether an entry is a table's root (`add_hidden_root`).
    fn is_hidden_root(&self, id: EntryId) -> bool {
        (self.entries.get(id as usize)).is_some_and(|e| e.parent().is_none())
            && !self.roots.contains(&id)
    }

    /// Whether an entry belongs to the drawn tree (not to a hidden root's listing).
    pub fn in_tree(&self, id: EntryId) -> bool {
        let mut cur = id;
        while let Some(p) = self.entries[cur as usize].parent() {
            cur = p;
        }
        self.roots.contains(&cur)
    }

    /// How many ancestors an entry has (a root: 0), for indenting its row: counted, not kept,
    /// as only rows on screen need it.
    pub fn depth(&self, id: EntryId) -> usize {
        std::iter::successors(self.entries[id as usize].parent(), |&p| {
            self.entries[p as usize].parent()
        })
        .count()
    }

    /// Shows exactly `rows`, in this order, instead of the tree (None: the tree again).
    pub fn set_view(&mut self, rows: Option<Vec<EntryId>>) {
        self.view = rows;
        self.view_set = self.freed;
        self.view_laid = None;
        self.invalidate();
    }

    /// An empty buffer for the next view's rows, with the room the last one shown had: a view
    /// set every frame reuses it rather than faulting in fresh pages each time.
    pub fn spare_rows(&mut self) -> Vec<EntryId> {
        let mut rows = std::mem::take(&mut self.spare);
        rows.clear();
        rows
    }

    pub fn has_view(&self) -> bool {
        self.view.is_some()
    }

    fn new_child(&mut self, parent: EntryId, endpoint: EndpointId, node: Node) -> EntryId {
        self.alloc(Entry::new(endpoint, node, Some(parent)))
    }

    /// Appends children as they stream in (first load: shown at once).
    pub fn append_children(&mut self, parent: EntryId, nodes: Vec<Node>) {
        let endpoint = self.entries[parent as usize].endpoint();
        let mut ids = Vec::with_capacity(nodes.len());
        for node in nodes {
            ids.push(self.new_child(parent, endpoint, node));
        }
        self.entries[parent as usize].children.extend(ids);
        self.invalidate();
    }

    /// Adds `node` under `parent` although the parent's listing does not have it (a VM reached
    /// from another product, say); reloading the parent keeps it.
    pub fn open_by_id(&mut self, parent: EntryId, node: Node) -> EntryId {
        let endpoint = self.entries[parent as usize].endpoint();
        let id = self.new_child(parent, endpoint, node);
        self.entries[id as usize].set_flag(OPENED_BY_ID, true);
        self.entries[parent as usize].children.push(id);
        self.invalidate();
        id
    }

    /// Adds children (in name order) among those already there (in name order), by name.
    fn merge_in_by_name(&mut self, parent: EntryId, nodes: Vec<Node>) {
        let endpoint = self.entries[parent as usize].endpoint();
        let new: Vec<EntryId> = nodes
            .into_iter()
            .map(|n| self.new_child(parent, endpoint, n))
            .collect();
        self.edits += 1;
        let old = std::mem::take(&mut self.entries[parent as usize].children);
        let name = |id: EntryId| &self.entries[id as usize].node.name;
        // Each new child placed by binary search, the old ones between copied as they are: a
        // part of 100 VMs landing among 100,000 reads ~1,700 entries, not 100,000.
        let mut merged = ThinVec::with_capacity(old.len() + new.len());
        let mut from = 0;
        for n in new {
            // After the old children of the same name, as a refresh's parts (`refresh.rs`).
            let at = from + old[from..].partition_point(|&o| name(n) >= name(o));
            merged.extend_from_slice(&old[from..at]);
            merged.push(n);
            from = at;
        }
        merged.extend_from_slice(&old[from..]);
        self.entries[parent as usize].children = merged;
        self.invalidate();
    }

    /// Frees an entry and everything below it; their holders are sent to `successor`.
    fn free_subtree(&mut self, id: EntryId, successor: EntryId) {
        self.content += 1;
        self.edits += 1;
        let logged = self.in_tree(id);
        let mut stack = vec![id];
        let mut refreshes = Vec::new();
        while let Some(i) = stack.pop() {
            if logged {
                if self.freed_log.len() == FREED_LOG {
                    self.freed_log.clear();
                    self.freed_epoch += 1;
                }
                self.freed_log.push(i);
            }
            self.removed.insert(i, successor);
            self.freed += 1;
            self.open.remove(&i);
            let e = &mut self.entries[i as usize];
            stack.extend(std::mem::take(&mut e.children));
            if let Some(Load::Loading(l)) = e.load.as_deref_mut() {
                refreshes.extend(l.staged.take());
            }
            if e.is_marked() {
                self.marked -= 1;
            }
            e.flags = DEAD;
            e.node = Node::new(e.node.kind, "", "");
            self.free.push(i);
        }
        for s in refreshes {
            self.drop_staged(&s);
        }
    }

    /// Applies one streamed batch of children for request `req`. Returns false if stale.
    pub fn accept_batch(&mut self, parent: EntryId, req: u64, batch: ChildBatch) -> bool {
        // A table's hidden root keeps its rows in arrival order: the table sorts them, and
        // placing each by name among 100,000 would read ~17 entries a row (cache misses).
        let hidden = self.is_hidden_root(parent);
        let Some(e) = self.entries.get_mut(parent as usize) else {
            return false;
        };
        let dead = e.is_dead();
        match e.load.as_deref_mut() {
            Some(Load::Loading(l)) if l.req == req && !dead => {
                if batch.total.is_some() {
                    l.total = batch.total;
                }
                match &l.staged {
                    Some(_) => self.stage_batch(parent, batch.nodes, batch.by_name),
                    None if batch.by_name && !hidden => self.merge_in_by_name(parent, batch.nodes),
                    None => self.append_children(parent, batch.nodes),
                }
                self.version += 1;
                true
            }
            _ => false,
        }
    }

    /// Marks the end of a children load. Returns false if the answer is stale.
    pub fn finish_load(&mut self, parent: EntryId, req: u64, result: Result<(), String>) -> bool {
        let Some(e) = self.entries.get_mut(parent as usize) else {
            return false;
        };
        let dead = e.is_dead();
        let staged = match e.load.as_deref_mut() {
            Some(Load::Loading(l)) if l.req == req && !dead => l.staged.take(),
            _ => return false,
        };
        match result {
            // A refresh ends in slices: loaded when the last one swaps its listing in.
            Ok(()) => match staged {
                Some(s) => {
                    self.end_staged(parent, s);
                }
                None => e.set_load(Load::Loaded),
            },
            Err(msg) => {
                e.set_load(Load::failed(msg));
                if let Some(s) = staged {
                    self.drop_staged(&s);
                }
            }
        }
        self.invalidate();
        true
    }

    /// Gives up a load before it completes: a refresh keeps the children it had, a first load
    /// drops what arrived so far, to start over on the next expand.
    pub fn abandon_load(&mut self, id: EntryId) {
        let e = &mut self.entries[id as usize];
        let Some(Load::Loading(l)) = e.load.as_deref_mut() else {
            return;
        };
        if let Some(s) = l.staged.take() {
            e.set_load(Load::Loaded);
            self.drop_staged(&s);
        } else {
            e.set_load(Load::NotLoaded);
            for c in std::mem::take(&mut e.children) {
                self.free_subtree(c, id);
            }
        }
        self.invalidate();
    }

    /// Starts (re)loading children; a refresh keeps showing the old children meanwhile.
    pub fn start_load(&mut self, id: EntryId, req: u64) {
        // Children opened by id before the first listing (`:goto`, `b`) stay, with the cursor
        // on them, and the listing merges in around them, as on a refresh.
        let opened = self.entries[id as usize]
            .children
            .iter()
            .any(|&c| self.entries[c as usize].opened_by_id());
        let e = &mut self.entries[id as usize];
        // A refresh asked for again before the last one ended (a bulk action's tasks each
        // reload the same parent) is still a refresh: the children, their marks and the cursor
        // on one of them stay until the new list says otherwise.
        let refresh = match e.load() {
            Load::Loaded => !e.children.is_empty(),
            Load::Loading(l) => l.staged.is_some(),
            _ => opened,
        };
        // What the last one listed goes: the new one lists it all again (of one that ended and
        // was still freeing what went, what is left stays till then).
        if let Some(Load::Loading(l)) = e.load.as_deref_mut()
            && let Some(s) = l.staged.take()
        {
            self.drop_staged(&s);
            self.finishing.retain(|&p| p != id);
        }
        let e = &mut self.entries[id as usize];
        if !refresh {
            let old = std::mem::take(&mut e.children);
            for c in old {
                self.free_subtree(c, id);
            }
        }
        self.entries[id as usize].set_load(Load::Loading(Loading {
            req,
            staged: refresh.then(Box::default),
            total: None,
            since: tokio::time::Instant::now(),
        }));
        self.invalidate();
    }

    /// Where an entry removed since the last `take_removed` went: the surviving entry nearest to
    /// it, following later removals of that one too. None if it was not removed.
    pub fn successor(&self, id: EntryId) -> Option<EntryId> {
        let mut cur = *self.removed.get(&id)?;
        // Bounded: a slot freed, reused and freed again in one batch could otherwise loop.
        for _ in 0..self.removed.len() {
            match self.removed.get(&cur) {
                Some(&next) if next != cur => cur = next,
                _ => break,
            }
        }
        Some(cur)
    }

    /// Forgets the removals seen so far (after the holders of removed ids have moved).
    pub fn take_removed(&mut self) {
        self.removed.clear();
    }

    /// Opens or closes `id`: the one way `Entry::expanded` changes, which keeps `open` right.
    pub fn set_expanded(&mut self, id: EntryId, expanded: bool) {
        if self.entries[id as usize].expanded != expanded {
            self.entries[id as usize].expanded = expanded;
            if expanded {
                self.open.insert(id);
            } else {
                self.open.remove(&id);
            }
            self.version += 1;
            if !self.splice_rows(id, expanded) {
                self.invalidate();
            }
        }
    }

    /// Opening or closing `id` in a laid-out plain tree: inserts or removes only the rows of
    /// its subtree at its row and renumbers the rows after it (a memmove and a pass over
    /// `u32`s), instead of walking the whole tree again. False when a full layout is needed
    /// (pending changes, a filter or a view).
    fn splice_rows(&mut self, id: EntryId, expanded: bool) -> bool {
        if self.dirty || self.view.is_some() || self.filter.is_some() {
            return false;
        }
        let Some(row) = self.row_of(id) else {
            // Under a closed ancestor: no row changes either way.
            return true;
        };
        if self.row_of.len() < self.entries.len() {
            self.row_of.resize(self.entries.len(), u32::MAX);
        }
        let at = row + 1;
        if expanded && !self.has_open_child(id) {
            let children = &self.entries[id as usize].children;
            debug_assert!(
                children.iter().all(|&c| !self.entries[c as usize].expanded),
                "an entry opened without set_expanded"
            );
            self.visible.splice(at..at, children.iter().copied());
        } else if expanded {
            let mut rows = Vec::new();
            let mut stack: Vec<EntryId> = self.entries[id as usize]
                .children
                .iter()
                .rev()
                .copied()
                .collect();
            while let Some(c) = stack.pop() {
                rows.push(c);
                let e = &self.entries[c as usize];
                if e.expanded {
                    stack.extend(e.children.iter().rev());
                }
            }
            self.visible.splice(at..at, rows);
        } else {
            let Some(end) = self.end_of_rows(id) else {
                return false;
            };
            for &c in &self.visible[at..end] {
                self.row_of[c as usize] = u32::MAX;
            }
            self.visible.drain(at..end);
        }
        for (r, &c) in self.visible.iter().enumerate().skip(at) {
            self.row_of[c as usize] = r as u32;
        }
        true
    }

    /// Whether a child of `id` is open; asks the few open entries rather than the children
    /// when they are fewer (conservative either way: true when unsure).
    fn has_open_child(&self, id: EntryId) -> bool {
        let children = &self.entries[id as usize].children;
        if self.open.len() < children.len() {
            self.open
                .iter()
                .any(|&o| self.entries[o as usize].parent() == Some(id))
        } else {
            children.iter().any(|&c| self.entries[c as usize].expanded)
        }
    }

    /// The row just past the rows under the visible entry `id`: that of the next sibling of
    /// `id` or of its nearest ancestor that has one (visible, as their parents are open).
    fn end_of_rows(&self, id: EntryId) -> Option<usize> {
        let mut cur = id;
        loop {
            let parent = self.entries[cur as usize].parent();
            let siblings: &[EntryId] = match parent {
                Some(p) => &self.entries[p as usize].children,
                None => &self.roots,
            };
            let i = siblings.iter().position(|&s| s == cur)?;
            if let Some(&next) = siblings.get(i + 1) {
                return self.row_of(next);
            }
            match parent {
                Some(p) => cur = p,
                None => return Some(self.visible.len()),
            }
        }
    }

    /// Restricts the visible rows to `matches` and their ancestors (None = no filter).
    pub fn set_filter(&mut self, matches: Option<Vec<EntryId>>) {
        self.filter = matches;
        self.filter_ordered = None;
        self.filter_rows = None;
        self.invalidate();
    }

    /// `set_filter` for matches known to be in the tree's current order (the filter's name
    /// index is): the rows are then laid out from the matches and their ancestors alone, so a
    /// keystroke costs the matches, not the tree.
    pub fn set_filter_in_tree_order(&mut self, matches: Vec<EntryId>) {
        self.filter = Some(matches);
        self.filter_ordered = Some(self.content);
        self.filter_rows = None;
        self.invalidate();
    }

    /// `set_filter_in_tree_order` with the rows already laid out (the matches and their
    /// ancestors in tree order, from the filter's index, for the tree as it is now): the next
    /// layout copies them instead of reading each match's entry for its parent.
    pub fn set_filter_rows(&mut self, matches: Vec<EntryId>, rows: Vec<EntryId>) {
        self.set_filter_in_tree_order(matches);
        self.filter_rows = Some(rows);
    }

    /// The entries the filter matched, in tree order (None without a filter).
    pub fn filter_matches(&self) -> Option<&[EntryId]> {
        self.filter.as_deref()
    }

    pub fn is_filtered(&self) -> bool {
        self.filter.is_some()
    }

    pub fn invalidate(&mut self) {
        self.dirty = true;
        self.version += 1;
    }

    /// Recomputes the visible rows if the structure changed since the last call.
    pub fn refresh_visible(&mut self) {
        if !self.dirty {
            return;
        }
        self.dirty = false;
        if let Some(rows) = &mut self.view {
            // Rows are live when the view is set: only a free since then can have killed one.
            let check = match self.view_laid.replace(self.freed) {
                None => {
                    // The rows shown until now are the next view's buffer (`spare_rows`).
                    let shown = std::mem::take(rows);
                    self.spare = std::mem::replace(&mut self.visible, shown);
                    self.freed != self.view_set
                }
                Some(laid) => laid != self.freed,
            };
            if check {
                let entries = &self.entries;
                self.visible.retain(|&id| !entries[id as usize].is_dead());
            }
            return;
        }
        self.visible.clear();
        self.row_of.clear();
        self.row_of.resize(self.entries.len(), u32::MAX);
        match self.filter.take() {
            None => {
                // Children of a node none of whose children is open are its rows as they are:
                // copied, not read entry by entry (see `open`).
                let open_parents: std::collections::HashSet<EntryId> = self
                    .open
                    .iter()
                    .filter_map(|&o| self.entries[o as usize].parent())
                    .collect();
                let mut stack: Vec<EntryId> = self.roots.iter().rev().copied().collect();
                while let Some(id) = stack.pop() {
                    self.row_of[id as usize] = self.visible.len() as u32;
                    self.visible.push(id);
                    let e = &self.entries[id as usize];
                    if !e.expanded {
                        continue;
                    }
                    if open_parents.contains(&id) {
                        stack.extend(e.children.iter().rev());
                        continue;
                    }
                    debug_assert!(
                        e.children
                            .iter()
                            .all(|&c| !self.entries[c as usize].expanded),
                        "an entry opened without set_expanded"
                    );
                    for &c in &e.children {
                        self.row_of[c as usize] = self.visible.len() as u32;
                        self.visible.push(c);
                    }
                }
            }
            Some(matches) if self.filter_ordered == Some(self.content) => {
                match self.filter_rows.take() {
                    Some(rows) => {
                        for (r, &id) in rows.iter().enumerate() {
                            self.row_of[id as usize] = r as u32;
                        }
                        self.visible = rows;
                    }
                    None => self.lay_out_ordered_matches(&matches),
                }
                self.filter = Some(matches);
            }
            Some(matches) => {
                // Mark matches and their ancestors, then walk the whole tree once in order.
                let mut keep = vec![false; self.entries.len()];
                for &m in &matches {
                    let mut cur = Some(m);
                    while let Some(c) = cur {
                        if keep[c as usize] || self.entries[c as usize].is_dead() {
                            break;
                        }
                        keep[c as usize] = true;
                        cur = self.entries[c as usize].parent();
                    }
                }
                let mut stack: Vec<EntryId> = self.roots.iter().rev().copied().collect();
                while let Some(id) = stack.pop() {
                    if !keep[id as usize] {
                        continue;
                    }
                    self.row_of[id as usize] = self.visible.len() as u32;
                    self.visible.push(id);
                    stack.extend(self.entries[id as usize].children.iter().rev());
                }
                self.filter = Some(matches);
            }
        }
    }

    /// Rows for matches in tree (depth-first) order: each match after those of its ancestors
    /// not laid out yet. An ancestor comes before its descendants in that order, so whatever
    /// was laid out before a match's missing ancestors also comes before them in the tree.
    fn lay_out_ordered_matches(&mut self, matches: &[EntryId]) {
        let mut chain = Vec::new();
        for &m in matches {
            chain.clear();
            let mut cur = m;
            let shown = loop {
                let e = &self.entries[cur as usize];
                if e.is_dead() {
                    break false;
                }
                if self.row_of[cur as usize] != u32::MAX {
                    break true;
                }
                chain.push(cur);
                match e.parent() {
                    Some(p) => cur = p,
                    // Only the drawn tree: not a table's hidden roots.
                    None => break self.roots.contains(&cur),
                }
            };
            if shown {
                for &c in chain.iter().rev() {
                    self.row_of[c as usize] = self.visible.len() as u32;
                    self.visible.push(c);
                }
            }
        }
    }

    pub fn visible(&self) -> &[EntryId] {
        &self.visible
    }

    pub fn row_of(&self, id: EntryId) -> Option<usize> {
        use std::sync::atomic::Ordering::Relaxed;
        if self.view.is_some() {
            let hint = self.row_hint.load(Relaxed);
            if self.visible.get(hint) == Some(&id) {
                return Some(hint);
            }
            let row = self.visible.iter().position(|&v| v == id)?;
            self.row_hint.store(row, Relaxed);
            return Some(row);
        }
        self.row_of
            .get(id as usize)
            .filter(|&&r| r != u32::MAX)
            .map(|&r| r as usize)
    }

    /// Live entries in tree order (depth first), loaded or not, expanded or not.
    pub fn iter_all(&self) -> impl Iterator<Item = EntryId> + '_ {
        let mut stack: Vec<EntryId> = self.roots.iter().rev().copied().collect();
        std::iter::from_fn(move || {
            let id = stack.pop()?;
            stack.extend(self.entries[id as usize].children.iter().rev());
            Some(id)
        })
    }

    /// All live entries showing the node with this id on this endpoint.
    pub fn find(&self, endpoint: EndpointId, node_id: &str) -> Vec<EntryId> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.flags & (DEAD | STAGED) == 0)
            .filter(|(_, e)| e.endpoint() == endpoint && e.node.id == *node_id)
            .map(|(i, _)| i as EntryId)
            .collect()
    }

    pub fn set_marked(&mut self, id: EntryId, on: bool) {
        let e = &mut self.entries[id as usize];
        if e.is_marked() != on {
            e.set_flag(MARKED, on);
            if on {
                self.marked += 1;
            } else {
                self.marked -= 1;
            }
            self.version += 1;
        }
    }

    /// A health dot on an entry's node, as a change only the drawn row reads: redrawn
    /// (`version`), but not a change of content (`content`, the stamps, the touched log), so
    /// no index over the tree (a table's order and rows, the filter's) has it to take on. For
    /// a node no column of the open table reads the health of (`App::place_health`). False
    /// when it had that health already.
    pub fn set_health(&mut self, id: EntryId, health: Option<Health>) -> bool {
        let node = &mut self.entries[id as usize].node;
        let changed = node.health != health;
        node.health = health;
        self.version += u64::from(changed);
        changed
    }

    pub fn marked_count(&self) -> usize {
        self.marked
    }

    pub fn marked(&self) -> Vec<EntryId> {
        self.iter_all()
            .filter(|&id| self.entries[id as usize].is_marked())
            .collect()
    }

    /// The path of names from the root to this entry, for messages ("vcd › Org › VDC").
    pub fn path(&self, id: EntryId) -> Vec<&str> {
        let mut names = Vec::new();
        let mut cur = Some(id);
        while let Some(c) = cur {
            let e = &self.entries[c as usize];
            names.push(&*e.node.name);
            cur = e.parent();
        }
        names.reverse();
        names
    }
}

#[cfg(test)]
mod size_tests {
    /// Every node of the tree carries an `Entry`: its load is one pointer, null for a leaf,
    /// children one pointer, the parent 4 bytes, the endpoint 2 and its flags 2, the depth
    /// not kept, so an entry is the node plus 24 bytes (40 with the load inline, an optional
    /// parent and a depth; 48 with a `usize` endpoint, 72 before that).
    #[test]
    fn an_entry_costs_the_node_and_little_more() {
        assert_eq!(
            std::mem::size_of::<super::Entry>(),
            std::mem::size_of::<crate::api::model::Node>() + 24
        );
        assert_eq!(std::mem::size_of::<super::Entry>(), 144);
    }
}

#[cfg(test)]
mod tests;
