//! A refresh of a parent's children (issue 18, target 4: rows arriving never hold a key for more
//! than a frame). The old children stay shown until the listing ends, but each batch is matched
//! against them as it lands: the old children are indexed by id a slice per batch (`OldIndex`),
//! a listed node whose id an old child has takes that entry (updated in place when it differs,
//! stamped as any change), and any other becomes an entry kept out of the tree (`STAGED`) until
//! the end. The end then only passes over a byte per old child for what went, frees those,
//! finds what moved (only when out of order, `moves`) and swaps the new children list in: a few
//! ms at 300,000 children where one merge of it all took ~250.
//!
//! What the end still has to do in proportion to the old children (index those a short listing
//! left, see which of them went, free those: ~100 ms at 300,000 for an empty listing) runs in
//! slices of `SLICE` units, one at the end and one a tick after it (`Tree::finish_slice`, due at
//! once while any is left): the old children stay shown meanwhile, but for those that went,
//! which leave as they are freed (their holders sent on as at once), and the new list is
//! swapped in by the last slice.

use std::hash::BuildHasher;

use thin_vec::ThinVec;

use super::{DEAD, EndpointId, Entry, EntryId, Load, STAGED, Tree, moves, packed_endpoint};
use crate::api::model::{Node, NodeId};

/// Old children indexed per batch at least (~0.5 ms): a listing of 300,000 in pages of 128 has
/// them all indexed after its first ~20 pages. Also the work of one slice of an ended refresh,
/// in units of an old child indexed or read (a freed one costs `FREE_COST`).
const SLICE: usize = 16 * 1024;

/// Moved children stamped at most, or an eighth of the tree if more (the room of the filter's
/// tail, `app::filter::TAIL`): past that the filter's index is built again whatever the
/// stamps say, so a refresh that moved more tells its readers to start over instead of
/// stamping 300,000 entries in one event (`freed_lately`'s epoch).
const MOVED_STAMPED: usize = 16_384;

/// A child freed costs about four indexed (its node's strings and its holders' successor).
const FREE_COST: usize = 4;

/// `Staged::list`: a listed node no old child had.
const NEW: u32 = u32::MAX;

/// `Staged::state`, per old child.
const UNMATCHED: u8 = 0;
const TAKEN: u8 = 1;
/// An earlier old child with the id of a later one: of those, the last is kept.
const SHADOWED: u8 = 2;
const KEPT_OPENED: u8 = 3;
const DROPPED: u8 = 4;

/// A refresh in flight: the listing so far, matched against the old children.
#[derive(Clone)]
pub struct Staged {
    /// The children when matching began, and where their list was (with its length, to tell
    /// when it changed under the refresh: then it starts over, see `unsnap`).
    old: Vec<EntryId>,
    snapped: Option<usize>,
    state: Vec<u8>,
    index: OldIndex,
    /// How many of `old` are in `index`: nothing is matched before all are (a later old child
    /// may shadow an earlier one), so batches wait in `waiting` meanwhile.
    indexed: usize,
    waiting: Vec<(Vec<(EndpointId, Node)>, bool)>,
    /// The listing so far, in its order: each node's entry and the old child's place it took
    /// (`NEW` for an entry of its own, `STAGED` until the end).
    list: Vec<(EntryId, u32)>,
    /// The listing ended: what is left runs in slices (`Tree::finish_slice`).
    ended: bool,
    /// Old children whose fate is settled (`TAKEN`, `KEPT_OPENED`, `DROPPED`), those opened by
    /// id that stay, and how many went.
    swept: usize,
    opened: Vec<(EntryId, usize)>,
    dropped: usize,
    /// Old children passed by the freeing of those that went, the last that stayed among
    /// them, and where the run of dropped ones being freed ends.
    freed_upto: usize,
    last_kept: Option<EntryId>,
    run_end: usize,
    /// Which children that stay moved, found a slice at a time once all are known: the
    /// longest run of old places in the listing so far, and how much of `list` it has seen.
    /// None until then, and when the listing keeps the old order (told in one pass).
    runs: Option<(moves::Runs, usize)>,
    ordered: bool,
    /// Some were freed since the children shown were last made (`show_left`).
    unshown: bool,
    /// The slots of those freed, reused only once the refresh ends: a node opened by id
    /// meanwhile takes a slot of its own, so an id names one entry while the refresh runs.
    held: Vec<EntryId>,
    /// The parent's children list as the refresh left it (the old children, less those freed
    /// so far): its length, to tell when it changed under the refresh.
    shown: usize,
}

impl Staged {
    pub fn new() -> Staged {
        Staged {
            old: Vec::new(),
            snapped: None,
            state: Vec::new(),
            index: OldIndex::default(),
            indexed: 0,
            waiting: Vec::new(),
            list: Vec::new(),
            ended: false,
            swept: 0,
            opened: Vec::new(),
            dropped: 0,
            freed_upto: 0,
            last_kept: None,
            run_end: 0,
            runs: None,
            ordered: false,
            unshown: false,
            held: Vec::new(),
            shown: 0,
        }
    }
}

impl Staged {
    /// Whether it made entries that only it holds (see `Tree::drop_staged`).
    pub(super) fn holds_entries(&self) -> bool {
        self.list.iter().any(|&(_, at)| at == NEW)
    }
}

impl Default for Staged {
    fn default() -> Self {
        Staged::new()
    }
}

impl std::fmt::Debug for Staged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (f.debug_struct("Staged"))
            .field("old", &self.old.len())
            .field("indexed", &self.indexed)
            .field("listed", &self.list.len())
            .finish()
    }
}

/// One refresh is only ever equal to itself.
impl PartialEq for Staged {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Eq for Staged {}

/// Old children by (endpoint, id): open addressing over their places in `Staged::old`, each
/// slot 8 bytes (a hash tag and the place), sized once for them all. 4 MB at 300,000 where a
/// map holding the ids would take ~20.
#[derive(Clone, Default)]
struct OldIndex {
    slots: Vec<(u32, u32)>,
    hasher: foldhash::fast::RandomState,
}

const EMPTY: u32 = u32::MAX;
const GONE: u32 = u32::MAX - 1;

impl OldIndex {
    fn with_room(n: usize) -> OldIndex {
        OldIndex {
            // At most two thirds full: probes stay short, and an empty slot always ends one.
            slots: vec![(0, EMPTY); (n + n / 2 + 1).next_power_of_two().max(16)],
            hasher: Default::default(),
        }
    }

    fn hash(&self, endpoint: u16, id: &NodeId) -> u64 {
        self.hasher.hash_one((endpoint, id))
    }

    /// Adds `at`; answers the place it replaces, one with the same key (`same`).
    fn insert(&mut self, hash: u64, at: u32, same: impl Fn(u32) -> bool) -> Option<u32> {
        let mask = self.slots.len() - 1;
        let tag = (hash >> 32) as u32;
        let mut i = hash as usize & mask;
        loop {
            let (t, a) = self.slots[i];
            if a == EMPTY {
                self.slots[i] = (tag, at);
                return None;
            }
            if a != GONE && t == tag && same(a) {
                self.slots[i].1 = at;
                return Some(a);
            }
            i = (i + 1) & mask;
        }
    }

    fn remove(&mut self, hash: u64, same: impl Fn(u32) -> bool) -> Option<u32> {
        let mask = self.slots.len().checked_sub(1)?;
        let tag = (hash >> 32) as u32;
        let mut i = hash as usize & mask;
        loop {
            let (t, a) = self.slots[i];
            if a == EMPTY {
                return None;
            }
            if a != GONE && t == tag && same(a) {
                self.slots[i].1 = GONE;
                return Some(a);
            }
            i = (i + 1) & mask;
        }
    }
}

impl Tree {
    /// The refresh in flight under `parent`, taken out of its load to work on.
    fn take_staged(&mut self, parent: EntryId) -> Option<Box<Staged>> {
        match self.entries[parent as usize].load.as_deref_mut() {
            Some(Load::Loading(l)) => l.staged.take(),
            _ => None,
        }
    }

    fn put_staged(&mut self, parent: EntryId, s: Box<Staged>) {
        if let Some(Load::Loading(l)) = self.entries[parent as usize].load.as_deref_mut() {
            l.staged = Some(s);
        }
    }

    /// A batch of a refresh: matched against the old children once they are all indexed (a
    /// slice of them per batch), waiting till then.
    pub(super) fn stage_batch(&mut self, parent: EntryId, nodes: Vec<Node>, by_name: bool) {
        let Some(mut s) = self.take_staged(parent) else {
            return;
        };
        let endpoint = self.entries[parent as usize].endpoint();
        let len = nodes.len();
        s.waiting
            .push((nodes.into_iter().map(|n| (endpoint, n)).collect(), by_name));
        self.snap(parent, &mut s);
        let upto = s.indexed + SLICE.max(4 * len);
        self.index_old(&mut s, upto);
        if s.indexed == s.old.len() {
            self.place_waiting(parent, &mut s);
        }
        self.put_staged(parent, s);
    }

    /// Makes sure `s` matches against the parent's children as they are now: taken when the
    /// first batch comes, and again when they changed since (a node opened by id meanwhile).
    fn snap(&mut self, parent: EntryId, s: &mut Staged) {
        let children = &self.entries[parent as usize].children;
        let at = children.as_ptr() as usize;
        if s.snapped == Some(at) && children.len() == s.shown {
            return;
        }
        if s.snapped.is_some() {
            self.unsnap(s);
        }
        let children = &self.entries[parent as usize].children;
        s.old = children.to_vec();
        s.snapped = Some(children.as_ptr() as usize);
        s.shown = s.old.len();
        s.state = vec![UNMATCHED; s.old.len()];
        s.index = OldIndex::with_room(s.old.len());
        s.indexed = 0;
        s.swept = 0;
        s.opened.clear();
        s.dropped = 0;
        s.freed_upto = 0;
        s.last_kept = None;
        s.run_end = 0;
        s.runs = None;
        s.ordered = false;
        s.unshown = false;
    }

    /// Undoes the matching so far, its nodes back to waiting in the order listed: the old
    /// children changed under the refresh (rare: a node opened by id, a merge from elsewhere),
    /// so places in them no longer hold. One pass over what was listed.
    fn unsnap(&mut self, s: &mut Staged) {
        let mut listed = Vec::with_capacity(s.list.len());
        for (id, at) in std::mem::take(&mut s.list) {
            let e = &mut self.entries[id as usize];
            let node = match at {
                NEW => {
                    let kind = e.node.kind;
                    std::mem::replace(&mut e.node, Node::new(kind, "", ""))
                }
                _ => e.node.clone(),
            };
            listed.push((e.endpoint(), node));
            if at == NEW {
                self.free_staged_entry(id);
            }
        }
        s.waiting.insert(0, (listed, false));
        s.snapped = None;
    }

    /// Indexes the old children up to `upto`.
    fn index_old(&self, s: &mut Staged, upto: usize) {
        let upto = upto.min(s.old.len());
        let entries = &self.entries;
        let old = &s.old;
        for at in s.indexed..upto {
            let e = &entries[old[at] as usize];
            let hash = s.index.hash(e.endpoint, &e.node.id);
            let same = |o: u32| {
                let other = &entries[old[o as usize] as usize];
                other.endpoint == e.endpoint && other.node.id == e.node.id
            };
            if let Some(shadowed) = s.index.insert(hash, at as u32, same) {
                s.state[shadowed as usize] = SHADOWED;
            }
        }
        s.indexed = s.indexed.max(upto);
    }

    fn place_waiting(&mut self, parent: EntryId, s: &mut Staged) {
        for (nodes, by_name) in std::mem::take(&mut s.waiting) {
            self.place(parent, s, nodes, by_name);
        }
    }

    /// Matches listed nodes (all old children indexed) and adds them to the listing: after it,
    /// or among it by name (`by_name`: a part of a list in name order).
    fn place(
        &mut self,
        parent: EntryId,
        s: &mut Staged,
        nodes: Vec<(EndpointId, Node)>,
        by_name: bool,
    ) {
        let mut placed = Vec::with_capacity(nodes.len());
        for (endpoint, node) in nodes {
            let ep = packed_endpoint(endpoint);
            let hash = s.index.hash(ep, &node.id);
            let (entries, old) = (&self.entries, &s.old);
            let same = |o: u32| {
                let e = &entries[old[o as usize] as usize];
                e.endpoint == ep && e.node.id == node.id
            };
            match s.index.remove(hash, same) {
                Some(at) => {
                    let id = s.old[at as usize];
                    s.state[at as usize] = TAKEN;
                    // Only a node that differs is stamped (`get_mut`, which tells a table's
                    // order which rows to place again): a refresh of 300,000 VMs of which a
                    // few changed leaves the others' indexes as they are.
                    if self.entries[id as usize].node != node {
                        self.get_mut(id).node = node;
                    }
                    placed.push((id, at));
                }
                None => {
                    let mut e = Entry::new(endpoint, node, Some(parent));
                    e.flags = STAGED;
                    let id = self.alloc(e);
                    // Not in the tree yet: no index takes it on before the end stamps it.
                    self.stamps[id as usize] = 0;
                    placed.push((id, NEW));
                }
            }
        }
        if !by_name {
            s.list.extend(placed);
            return;
        }
        // Each placed by binary search after the ones of the same name, the listing between
        // copied as it is (as `merge_in_by_name`).
        let list = std::mem::take(&mut s.list);
        let name = |id: EntryId| &self.entries[id as usize].node.name;
        let mut merged = Vec::with_capacity(list.len() + placed.len());
        let mut from = 0;
        for p in placed {
            let at = from + list[from..].partition_point(|&(o, _)| name(p.0) >= name(o));
            merged.extend_from_slice(&list[from..at]);
            merged.push(p);
            from = at;
        }
        merged.extend_from_slice(&list[from..]);
        s.list = merged;
    }

    /// Frees an entry made for a listed node before it joined the tree: nobody holds it, no
    /// index has it.
    fn free_staged_entry(&mut self, id: EntryId) {
        let e = &mut self.entries[id as usize];
        e.flags = DEAD;
        e.node = Node::new(e.node.kind, "", "");
        e.set_load(Load::NotLoaded);
        self.free.push(id);
    }

    /// Ends a refresh that did not complete (failed, abandoned, asked again, its parent gone):
    /// the old children stay as they are (those listed meanwhile with their new nodes), the
    /// entries made for new nodes go.
    pub(super) fn drop_staged(&mut self, s: &Staged) {
        for &(id, at) in &s.list {
            if at == NEW {
                self.free_staged_entry(id);
            }
        }
        self.free.extend_from_slice(&s.held);
    }

    /// Ends a refresh that completed, in one go: what was not listed goes (nodes opened by id
    /// stay, after the others), and the listing becomes the children.
    pub(super) fn finish_staged(&mut self, parent: EntryId, mut s: Box<Staged>) {
        s.ended = true;
        let done = self.finish_some(parent, &mut s, usize::MAX);
        debug_assert!(done, "an unbounded slice ends the refresh");
    }

    /// Ends a refresh whose listing completed: a slice of what is left now, the rest on ticks
    /// (`finish_slice`). True when it ended in this slice.
    pub(super) fn end_staged(&mut self, parent: EntryId, mut s: Box<Staged>) -> bool {
        s.ended = true;
        if self.finish_some(parent, &mut s, self.slice()) {
            self.entries[parent as usize].set_load(Load::Loaded);
            return true;
        }
        self.put_staged(parent, s);
        if !self.finishing.contains(&parent) {
            self.finishing.push(parent);
        }
        false
    }

    fn slice(&self) -> usize {
        match self.refresh_slice {
            0 => SLICE,
            n => n,
        }
    }

    /// Whether an ended refresh has work left (`finish_slice` is due).
    pub fn finish_due(&self) -> bool {
        !self.finishing.is_empty()
    }

    /// A slice of the ended refreshes' work (see the module), one parent's at a time: the
    /// parent whose refresh ended in it, its children swapped in.
    pub fn finish_slice(&mut self) -> Option<EntryId> {
        while let Some(&parent) = self.finishing.first() {
            let s = match self.entries[parent as usize].load.as_deref_mut() {
                Some(Load::Loading(l)) if l.staged.as_ref().is_some_and(|s| s.ended) => {
                    l.staged.take()
                }
                // Asked again, abandoned, or the parent went: nothing left to end here.
                _ => None,
            };
            let Some(mut s) = s else {
                self.finishing.remove(0);
                continue;
            };
            if self.finish_some(parent, &mut s, self.slice()) {
                self.finishing.remove(0);
                self.entries[parent as usize].set_load(Load::Loaded);
                return Some(parent);
            }
            self.put_staged(parent, s);
            return None;
        }
        None
    }

    /// Works on an ended refresh for about `budget` units (see `SLICE`); true when it ended:
    /// the parent loaded, its children the listing's.
    fn finish_some(&mut self, parent: EntryId, s: &mut Staged, budget: usize) -> bool {
        let mut budget = budget;
        self.snap(parent, s);
        if s.indexed < s.old.len() {
            let from = s.indexed;
            self.index_old(s, s.indexed.saturating_add(budget));
            budget -= s.indexed - from;
            if s.indexed < s.old.len() {
                return false;
            }
        }
        self.place_waiting(parent, s);
        // Nodes opened by id stay when the listing no longer has them (see `open_by_id`),
        // after the others in their old order.
        let n = s.old.len();
        while s.swept < n && budget > 0 {
            let at = s.swept;
            s.swept += 1;
            s.state[at] = match s.state[at] {
                // A byte read: only the others cost an entry read.
                TAKEN => continue,
                UNMATCHED if self.entries[s.old[at] as usize].opened_by_id() => {
                    s.opened.push((s.old[at], at));
                    KEPT_OPENED
                }
                _ => {
                    s.dropped += 1;
                    DROPPED
                }
            };
            budget -= 1;
        }
        if s.swept < n {
            return false;
        }
        if !self.free_dropped(parent, s, &mut budget) {
            return false;
        }
        // The swap costs a pass over the new children and their layout: a slice of its own
        // when this one did much already.
        if !self.order(parent, s, &mut budget) || budget < self.slice() / 2 {
            self.show_left(parent, s);
            return false;
        }
        self.end_refresh(parent, s);
        true
    }

    /// Finds which children that stay moved, as far as `budget` goes: nothing to find when
    /// the listing keeps their old order (one pass over it, as most refreshes do) or the
    /// parent is a table's root (its orders do not follow the tree's). True when found.
    fn order(&self, parent: EntryId, s: &mut Staged, budget: &mut usize) -> bool {
        if s.ordered {
            return true;
        }
        if s.runs.is_none() {
            let stay = (s.list.iter().filter(|&&(_, at)| at != NEW))
                .map(|&(_, at)| at as usize)
                .chain(s.opened.iter().map(|&(_, at)| at));
            if stay.is_sorted() || !self.in_tree(parent) {
                s.ordered = true;
                return true;
            }
            s.runs = Some(Default::default());
        }
        let Some((runs, seen)) = &mut s.runs else {
            return true;
        };
        while *seen < s.list.len() && *budget > 0 {
            let at = s.list[*seen].1;
            *seen += 1;
            if at != NEW && runs.push(at as usize) {
                *budget -= 1;
            }
        }
        if *seen < s.list.len() {
            return false;
        }
        for &(_, at) in &s.opened {
            runs.push(at);
        }
        s.ordered = true;
        true
    }

    /// Frees the old children that went, in their order, as far as `budget` goes: each one's
    /// holders go to the nearest sibling that stays in the old order (next first, then
    /// previous), else the parent. Those freed leave the children shown meanwhile. True when
    /// none is left.
    fn free_dropped(&mut self, parent: EntryId, s: &mut Staged, budget: &mut usize) -> bool {
        if s.dropped == 0 {
            return true;
        }
        let n = s.old.len();
        let mut freed = 0;
        while s.freed_upto < n && *budget > 0 {
            let at = s.freed_upto;
            s.freed_upto += 1;
            if s.state[at] != DROPPED {
                s.last_kept = Some(s.old[at]);
                continue;
            }
            if s.run_end <= at {
                s.run_end = at
                    + s.state[at..]
                        .iter()
                        .take_while(|&&st| st == DROPPED)
                        .count();
            }
            let to = (s.old.get(s.run_end).copied())
                .or(s.last_kept)
                .unwrap_or(parent);
            let slots = self.free.len();
            self.free_subtree(s.old[at], to);
            s.held.extend(self.free.drain(slots..));
            freed += 1;
            *budget = budget.saturating_sub(FREE_COST);
        }
        s.dropped -= freed;
        s.unshown |= freed > 0;
        if s.dropped > 0 {
            self.show_left(parent, s);
        }
        s.dropped == 0
    }

    /// Those freed leave what is shown, the rest of the old children staying as they were:
    /// after a slice that freed some and does not end the refresh (one that does swaps the
    /// listing in at once).
    fn show_left(&mut self, parent: EntryId, s: &mut Staged) {
        if !std::mem::take(&mut s.unshown) {
            return;
        }
        let (state, upto) = (&s.state, s.freed_upto);
        let shown: ThinVec<EntryId> = (s.old.iter().enumerate())
            .filter(|&(at, _)| at >= upto || state[at] != DROPPED)
            .map(|(_, &c)| c)
            .collect();
        s.shown = shown.len();
        s.snapped = Some(shown.as_ptr() as usize);
        self.entries[parent as usize].children = shown;
        self.invalidate();
    }

    fn end_refresh(&mut self, parent: EntryId, s: &mut Staged) {
        self.edits += 1;
        let list = std::mem::take(&mut s.list);
        let opened = std::mem::take(&mut s.opened);
        self.free.append(&mut s.held);
        // The children that stay keep their order unless the listing's differs: then the
        // fewest that explain the new order are taken as moved, and in the drawn tree stamped
        // with what is below them (`stamp_moved`), so the filter's index takes them on as
        // changes. A table's rows are not stamped: its orders do not follow the tree's.
        let moved = match s.runs.take() {
            Some((runs, _)) if !runs.in_order() => {
                let stay = (list.iter().filter(|&&(_, at)| at != NEW)).map(|&(id, _)| id);
                runs.moved(stay.chain(opened.iter().map(|&(id, _)| id)))
            }
            _ => Vec::new(),
        };
        // The new entries join the tree now: stamped now, for the indexes that take them on.
        self.content += 1;
        for &(id, at) in &list {
            if at == NEW {
                self.entries[id as usize].flags &= !STAGED;
                self.stamps[id as usize] = self.content;
            }
        }
        let mut kept = ThinVec::with_capacity(list.len() + opened.len());
        kept.extend(list.iter().map(|&(id, _)| id));
        kept.extend(opened.into_iter().map(|(c, _)| c));
        self.entries[parent as usize].children = kept;
        if moved.len() > MOVED_STAMPED.max(self.len() / 8) {
            self.freed_log.clear();
            self.freed_epoch += 1;
        } else if !moved.is_empty() {
            self.stamp_moved(moved);
        }
        // Children may have moved among themselves: whatever counts on the tree's order
        // since the last `content` looks again.
        self.content += 1;
        self.invalidate();
    }

    /// Replaces children after a refresh, keeping the entries (and their expansion, marks and
    /// loaded subtrees) of children whose id is unchanged.
    pub fn merge_children(&mut self, parent: EntryId, nodes: Vec<Node>) {
        let endpoint = self.entries[parent as usize].endpoint();
        self.merge_children_from(parent, nodes.into_iter().map(|n| (endpoint, n)).collect());
    }

    /// `merge_children` for a parent whose children come from several endpoints (the snapshot
    /// view across all of them): a child is the same when its endpoint and id are. In one
    /// go, as a streamed refresh's end would be (`finish_staged`).
    pub fn merge_children_from(&mut self, parent: EntryId, nodes: Vec<(EndpointId, Node)>) {
        // A refresh in flight here started from children about to change: it matches again
        // against the new ones.
        if let Some(mut s) = self.take_staged(parent) {
            if s.snapped.is_some() {
                self.unsnap(&mut s);
            }
            self.put_staged(parent, s);
        }
        let mut s = Staged::new();
        s.waiting.push((nodes, false));
        self.finish_staged(parent, Box::new(s));
    }
}

#[cfg(test)]
#[path = "refresh_tests.rs"]
mod tests;
