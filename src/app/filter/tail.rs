//! Entries appended to the tree since the filter's index was built, taken on as a tail
//! instead of a build (~50 ms at 300,000 nodes): while `Tree::edits` holds, every indexed
//! entry keeps its place and relative order, so the new entries are indexed at the end and
//! only their tree order is kept apart (`tail_order`, `anchors`), from which matches, rows and
//! the best match are put in tree order (`in_tree_order`, `before`).

use super::{Index, NO_PARENT, TAIL};
use crate::app::tree::{EntryId, Tree};

impl Index {
    /// Adds the entries appended to the tree since the index was last up to date, when that
    /// is all that happened (`Tree::edits` unchanged: every entry indexed is where it was),
    /// at the end of the index, their tree order kept apart (`tail_order`). Costs a pass over
    /// the tree's change stamps and the appended entries, not a build (~50 ms at 300,000).
    /// False, with nothing changed, when a build is due instead (an entry changed or went, or
    /// the tail would outgrow `TAIL`).
    pub(super) fn sync(&mut self, tree: &Tree) -> bool {
        let Some(content) = self.content else {
            return false;
        };
        if self.edits != tree.edits() {
            return false;
        }
        let new: Vec<EntryId> = (0..tree.capacity() as EntryId)
            .filter(|&id| tree.changed_since(id, content))
            .collect();
        // Mostly a table's rows (not indexed) when this many: a build skips those at once.
        if new.len() > 4 * TAIL.max(self.base as usize / 8) {
            return false;
        }
        self.pos_of.resize(tree.capacity(), NO_PARENT);
        // Parents first: a reused slot can hold a child below its parent's id. Entries under
        // a table's hidden root never find an indexed parent and are left out.
        let roots = tree.roots();
        let indexed = |pos_of: &[u32], id: EntryId| pos_of[id as usize] != NO_PARENT;
        let mut order = Vec::with_capacity(new.len());
        let mut taken = vec![false; new.len()];
        let mut placed: std::collections::HashSet<EntryId> = Default::default();
        loop {
            let before = order.len();
            for (k, &id) in new.iter().enumerate() {
                if taken[k] {
                    continue;
                }
                let ready = match tree.get(id).parent() {
                    Some(p) => indexed(&self.pos_of, p) || placed.contains(&p),
                    None => roots.contains(&id),
                };
                if ready {
                    taken[k] = true;
                    placed.insert(id);
                    order.push(id);
                }
            }
            if order.len() == before {
                break;
            }
        }
        let tail = self.spans.len() - self.base as usize;
        if tail + order.len() > TAIL.max(self.base as usize / 8) {
            return false;
        }
        for &id in &order {
            let parent = tree.get(id).parent();
            let pos = parent.map_or(NO_PARENT, |p| self.pos_of[p as usize]);
            if pos < self.base {
                self.hangs.push(pos);
            }
            self.push_entry(tree, id, pos);
        }
        self.hangs
            .sort_unstable_by_key(|&p| (self.ends[p as usize], std::cmp::Reverse(p)));
        self.hangs.dedup();
        self.order_tail(tree);
        self.content = Some(tree.content);
        // Positions stay, but an earlier query's matches lack the new entries: no narrowing.
        self.built += 1;
        true
    }

    /// `tail_order` and `anchors` for the appended positions: the children appended under
    /// each base position in `hangs` come after its subtree's base positions (so before the
    /// base position `ends` gives), those of a deeper one first; each is followed by its own
    /// subtree (all appended); new roots come last.
    fn order_tail(&mut self, tree: &Tree) {
        let base = self.base;
        self.tail_order.clear();
        self.anchors.clear();
        self.anchors.resize(self.spans.len() - base as usize, 0);
        let mut stack = Vec::new();
        let roots = tree.roots();
        let hung = self.hangs.iter().map(|&p| {
            let children = &tree.get(self.spans[p as usize].0).children[..];
            (self.ends[p as usize], children)
        });
        for (anchor, siblings) in hung.chain([(base, roots)]) {
            // The appended ones are the last (only appends since the build).
            let from = siblings
                .iter()
                .rposition(|&c| self.pos_of[c as usize] < base)
                .map_or(0, |i| i + 1);
            stack.extend(siblings[from..].iter().rev());
            while let Some(id) = stack.pop() {
                let pos = self.pos_of[id as usize];
                if pos == NO_PARENT {
                    continue;
                }
                self.tail_order.push(pos);
                self.anchors[(pos - base) as usize] = anchor;
                stack.extend(tree.get(id).children.iter().rev());
            }
        }
        debug_assert_eq!(self.tail_order.len(), self.anchors.len());
    }

    /// `positions` (ascending) in tree order: as they are while nothing was appended since
    /// the build; else the appended ones among them are placed as `tail_order` says, each
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
