//! The tree's changes since the filter's index was built, taken on without a build (~50 ms
//! at 300,000 nodes): entries appended, inserted or changed are indexed again at the end (the
//! tail), entries that changed or went have their old position masked (never matching), and
//! the tail's tree order is kept apart (`tail_order`, `anchors`), from which matches, rows and
//! the best match are put in tree order (`in_tree_order`, `before`). This holds as the
//! entries left at their positions keep their order: children a refresh moved among their
//! siblings are stamped as changed, with their subtrees (`Tree::changed_since`).

use super::{Index, NO_PARENT, TAIL};
use crate::app::tree::{EntryId, Tree};

impl Index {
    /// Takes on the tree's changes since the index was last up to date: the old positions of
    /// entries freed since (`Tree::freed_lately`) or changed (`Tree::changed_since`: a node
    /// replaced, a state set, a slot reused) are masked, and every changed or new entry of the
    /// drawn tree is indexed at the end, its tree order kept apart (`order_tail`). Costs a pass
    /// over the tree's change stamps and the tail, not a build. False, when a build is due
    /// instead: more went than the tree remembers, or the tail and masks would outgrow `TAIL`
    /// (or an eighth of the index: a refresh that moved most of 300,000 children, say).
    pub(super) fn sync(&mut self, tree: &Tree) -> bool {
        let ok = self.take_on_changes(tree);
        if !ok {
            // Maybe half taken on: only a build makes it whole again.
            self.content = None;
        }
        ok
    }

    fn take_on_changes(&mut self, tree: &Tree) -> bool {
        let Some(content) = self.content else {
            return false;
        };
        let (epoch, freed) = tree.freed_lately();
        if self.freed.0 != epoch || freed.len() < self.freed.1 {
            return false;
        }
        let new: Vec<EntryId> = (0..tree.capacity() as EntryId)
            .filter(|&id| tree.changed_since(id, content))
            .collect();
        let room = TAIL.max(self.base as usize / 8);
        // Mostly a table's rows (not indexed) when this many: a build skips those at once.
        if new.len() > 4 * room {
            return false;
        }
        self.pos_of.resize(tree.capacity(), NO_PARENT);
        // What went or changed no longer answers where it was.
        for &id in freed[self.freed.1..].iter().chain(&new) {
            let pos = std::mem::replace(&mut self.pos_of[id as usize], NO_PARENT);
            if pos != NO_PARENT {
                self.mask(pos);
            }
        }
        self.freed.1 = freed.len();
        // Parents first: a reused slot can hold a child below its parent's id. Entries under
        // a table's hidden root never find an indexed parent and are left out, and freed ones
        // are not live.
        let roots = tree.roots();
        let indexed = |pos_of: &[u32], id: EntryId| pos_of[id as usize] != NO_PARENT;
        let mut new: Vec<EntryId> = new.into_iter().filter(|&id| tree.is_live(id)).collect();
        let mut order = Vec::with_capacity(new.len());
        let mut placed: std::collections::HashSet<EntryId> = Default::default();
        loop {
            let before = order.len();
            new.retain(|&id| {
                let ready = match tree.get(id).parent() {
                    Some(p) => indexed(&self.pos_of, p) || placed.contains(&p),
                    None => roots.contains(&id),
                };
                if ready {
                    placed.insert(id);
                    order.push(id);
                }
                !ready
            });
            if order.len() == before {
                break;
            }
        }
        let tail = self.spans.len() - self.base as usize;
        if tail + order.len() + self.masks > room {
            return false;
        }
        for &id in &order {
            let parent = tree.get(id).parent();
            let pos = parent.map_or(NO_PARENT, |p| self.pos_of[p as usize]);
            self.push_entry(tree, id, pos);
        }
        if !self.order_tail(tree) {
            return false;
        }
        self.content = Some(tree.content);
        // Positions stay, but an earlier query's matches lack the new entries: no narrowing.
        self.built += 1;
        true
    }

    /// Up to date with the tree, taking its changes on if needed (`sync`); false when only a
    /// build can be (or one is under way).
    pub(super) fn take_on(&mut self, tree: &Tree) -> bool {
        self.content == Some(tree.content)
            || self.pending.is_none() && self.content.is_some() && self.sync(tree)
    }

    /// Whether the tail and the masks have grown past a quarter of what `sync` allows: each
    /// sync orders the tail again, so a build (beside the index, on quiet ticks) folds them in.
    pub(super) fn crowded(&self) -> bool {
        let tail = self.spans.len() - self.base as usize;
        (tail + self.masks) * 4 > TAIL.max(self.base as usize / 8)
    }

    /// Position `pos` never matches again (its entry changed or went).
    fn mask(&mut self, pos: u32) {
        let (word, bit) = (pos as usize / 64, 1u64 << (pos % 64));
        if self.masked.len() <= word {
            self.masked.resize(word + 1, 0);
        }
        if self.masked[word] & bit == 0 {
            self.masked[word] |= bit;
            self.masks += 1;
        }
    }

    /// Whether position `pos`'s entry changed or went since it was indexed there.
    pub(super) fn is_masked(&self, pos: u32) -> bool {
        (self.masked.get(pos as usize / 64)).is_some_and(|w| w & (1 << (pos % 64)) != 0)
    }

    /// `positions` without the masked ones.
    pub(super) fn unmasked(&self, mut positions: Vec<u32>) -> Vec<u32> {
        if self.masks > 0 {
            positions.retain(|&p| !self.is_masked(p));
        }
        positions
    }

    /// Position `pos`'s parent's position: where its parent is indexed now (a parent that
    /// changed was indexed again at the end; its children keep the old position).
    pub(super) fn parent_of(&self, pos: u32) -> u32 {
        let p = self.parents[pos as usize];
        match p != NO_PARENT && self.is_masked(p) {
            true => self.pos_of[self.spans[p as usize].0 as usize],
            false => p,
        }
    }

    /// `tail_order` and `anchors` for the tail's live positions, from the tree as it is: each
    /// comes just before the base position after the nearest base entry before it in tree
    /// order (its predecessor, or that one's, …: a run of tail entries between two base ones
    /// shares the anchor and is ordered by its distance from the first). False if an entry
    /// before one is not indexed (which a build sets right).
    fn order_tail(&mut self, tree: &Tree) -> bool {
        let base = self.base;
        let len = self.spans.len() - base as usize;
        let live = || (base..self.spans.len() as u32).filter(|&t| !self.is_masked(t));
        // Each tail entry's predecessor in tree order (None: the first root), found by one
        // pass from the end over the children of each parent that has some in the tail.
        let mut under: std::collections::HashMap<Option<EntryId>, usize> = Default::default();
        for t in live() {
            *under
                .entry(tree.get(self.spans[t as usize].0).parent())
                .or_default() += 1;
        }
        let last_below = |mut id: EntryId| {
            while let Some(&c) = tree.get(id).children.last() {
                id = c;
            }
            id
        };
        let mut prev: Vec<Option<EntryId>> = vec![None; len];
        for (parent, mut left) in under {
            let siblings = match parent {
                Some(p) => &tree.get(p).children[..],
                None => tree.roots(),
            };
            for (i, &c) in siblings.iter().enumerate().rev() {
                let pos = self.pos_of[c as usize];
                if pos == NO_PARENT || pos < base {
                    continue;
                }
                prev[(pos - base) as usize] = match i {
                    0 => parent,
                    _ => Some(last_below(siblings[i - 1])),
                };
                left -= 1;
                if left == 0 {
                    break;
                }
            }
        }
        // (anchor, distance from the base entry before) of each, following predecessors.
        const UNSET: (u32, u32) = (u32::MAX, 0);
        let mut key = vec![UNSET; len];
        let mut chain = Vec::new();
        for t in live() {
            chain.clear();
            let mut cur = t;
            let (anchor, mut next) = loop {
                let k = key[(cur - base) as usize];
                if k != UNSET {
                    break (k.0, k.1 + 1);
                }
                chain.push(cur);
                let Some(p) = prev[(cur - base) as usize] else {
                    break (0, 0);
                };
                match self.pos_of[p as usize] {
                    NO_PARENT => return false,
                    pos if pos < base => break (pos + 1, 0),
                    pos => cur = pos,
                }
            };
            for &c in chain.iter().rev() {
                key[(c - base) as usize] = (anchor, next);
                next += 1;
            }
        }
        self.tail_order = live().collect();
        self.tail_order
            .sort_unstable_by_key(|&t| key[(t - base) as usize]);
        self.anchors = key.into_iter().map(|(a, _)| a).collect();
        true
    }

    /// `positions` (ascending) in tree order: as they are while nothing was added since
    /// the build; else the added ones among them are placed as `tail_order` says, each
    /// before the first base position its anchor is not above.
    pub(super) fn in_tree_order<'a>(&self, positions: &'a [u32]) -> std::borrow::Cow<'a, [u32]> {
        let base = self.base;
        let cut = positions.partition_point(|&p| p < base);
        if cut == positions.len() {
            return std::borrow::Cow::Borrowed(positions);
        }
        let mut wanted = vec![false; self.spans.len() - base as usize];
        for &p in &positions[cut..] {
            wanted[(p - base) as usize] = true;
        }
        let mut out = Vec::with_capacity(positions.len());
        let mut before = positions[..cut].iter().copied().peekable();
        for &t in &self.tail_order {
            if wanted[(t - base) as usize] {
                let anchor = self.anchors[(t - base) as usize];
                while let Some(p) = before.next_if(|&p| p < anchor) {
                    out.push(p);
                }
                out.push(t);
            }
        }
        out.extend(before);
        std::borrow::Cow::Owned(out)
    }

    /// Whether position `a` comes before `b` in tree order.
    pub(super) fn before(&self, a: u32, b: u32) -> bool {
        let anchor = |t: u32| self.anchors[(t - self.base) as usize];
        match (a < self.base, b < self.base) {
            (true, true) => a < b,
            (true, false) => a < anchor(b),
            (false, true) => anchor(a) <= b,
            (false, false) => {
                let rank = |t: u32| self.tail_order.iter().position(|&x| x == t);
                rank(a) < rank(b)
            }
        }
    }
}
