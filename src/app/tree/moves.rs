//! Which children moved when a refresh lists the children that stay in another order: the
//! fewest that explain it. The rest keep their places among one another, so an index in tree
//! order (the filter's) takes the moved ones on as changes (their subtrees stamped) instead of
//! being built again whole (~45 ms at 300,000 nodes).

use super::{EntryId, Tree};

/// The children of `stay` (each with its place in the old order, listed in the new order)
/// outside one longest run whose old places increase: those kept their order among
/// themselves, the others are taken as moved. O(n log n): a refresh of 300,000 children with
/// two swapped finds those two. (A refresh finds them in slices, `Runs`.)
#[cfg(test)]
pub(super) fn moved(stay: &[(EntryId, usize)]) -> Vec<EntryId> {
    let mut runs = Runs::default();
    for &(_, at) in stay {
        runs.push(at);
    }
    runs.moved(stay.iter().map(|&(id, _)| id))
}

/// The longest run of increasing old places in a listing, found as its places come (`push`,
/// a slice at a time on a refresh's ticks, see `refresh.rs`), by patience sorting.
#[derive(Clone, Default)]
pub(super) struct Runs {
    /// `ends[k]`: the index of the smallest old place that ends a run of length k + 1 so far,
    /// and `tops[k]` that place itself: the search reads a few KB, not the listing at random
    /// (a shuffle of 300,000: ~1,100 ends, ten reads each). `prev` links each to the one
    /// before it in its run.
    ends: Vec<u32>,
    tops: Vec<usize>,
    prev: Vec<u32>,
    /// Whether every place so far came after the one before it (then nothing moved).
    sorted: bool,
}

impl Runs {
    /// Takes the next place; true when it had to search the ends (the costly case, see
    /// below).
    pub(super) fn push(&mut self, at: usize) -> bool {
        let i = self.prev.len() as u32;
        self.sorted = i == 0 || self.sorted && self.tops.last().is_some_and(|&t| t < at);
        // A refresh's order is mostly the old one: most extend the longest run so far, told
        // by its end alone instead of a search through 300,000 ends (~10 ms at the end).
        let (k, searched) = match self.tops.last() {
            Some(&top) if top < at => (self.tops.len(), false),
            _ => (self.tops.partition_point(|&top| top < at), true),
        };
        self.prev.push(match k {
            0 => u32::MAX,
            k => self.ends[k - 1],
        });
        match self.ends.get_mut(k) {
            Some(e) => {
                *e = i;
                self.tops[k] = at;
            }
            None => {
                self.ends.push(i);
                self.tops.push(at);
            }
        }
        searched
    }

    /// Whether nothing moved: every place came after the one before it.
    pub(super) fn in_order(&self) -> bool {
        self.prev.is_empty() || self.sorted
    }

    /// Of `ids` (those pushed, in the same order), the ones outside the longest run.
    pub(super) fn moved(self, ids: impl Iterator<Item = EntryId>) -> Vec<EntryId> {
        let mut kept = vec![false; self.prev.len()];
        let mut at = self.ends.last().copied().unwrap_or(u32::MAX);
        while at != u32::MAX {
            kept[at as usize] = true;
            at = self.prev[at as usize];
        }
        (ids.zip(kept))
            .filter(|&(_, k)| !k)
            .map(|(id, _)| id)
            .collect()
    }
}

impl Tree {
    /// Stamps `moved` and everything loaded below them as changed: in tree order, their
    /// subtrees now come elsewhere.
    pub(super) fn stamp_moved(&mut self, moved: Vec<EntryId>) {
        self.content += 1;
        let mut stack = moved;
        while let Some(id) = stack.pop() {
            self.stamps[id as usize] = self.content;
            stack.extend_from_slice(&self.entries[id as usize].children);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::moved;
    use proptest::prelude::*;

    fn of(order: &[usize]) -> Vec<u32> {
        let stay: Vec<(u32, usize)> = order.iter().map(|&at| (at as u32 * 10, at)).collect();
        moved(&stay)
    }

    #[test]
    fn the_fewest_moved_are_found() {
        assert!(of(&[]).is_empty());
        assert!(of(&[0, 1, 2, 5, 9]).is_empty(), "in order: none moved");
        assert_eq!(of(&[3, 1, 2, 0]), [30, 0], "two swapped");
        assert_eq!(of(&[1, 2, 0, 3]), [0], "one moved later");
        assert_eq!(of(&[1, 2, 3, 4, 0]), [0], "one moved to the end");
        assert_eq!(of(&[4, 0, 1, 2, 3]), [40], "one moved to the start");
        assert_eq!(of(&[3, 2, 1, 0]).len(), 3, "reversed: all but one");
    }

    proptest! {
        /// What is left once the moved are taken out is in the old order, and no more could
        /// stay: as many moved as a plain quadratic count of the longest increasing run says.
        #[test]
        fn what_stays_is_in_order_and_longest(order in Just((0..40).collect::<Vec<usize>>()).prop_shuffle()) {
            let gone = of(&order);
            let left: Vec<usize> = (order.iter().copied())
                .filter(|&at| !gone.contains(&(at as u32 * 10)))
                .collect();
            prop_assert!(left.is_sorted());
            let mut best = vec![1usize; order.len()];
            for i in 0..order.len() {
                for j in 0..i {
                    if order[j] < order[i] {
                        best[i] = best[i].max(best[j] + 1);
                    }
                }
            }
            prop_assert_eq!(left.len(), best.into_iter().max().unwrap_or(0));
        }
    }
}
