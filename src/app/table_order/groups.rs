//! The State column's order without an order of its own: rows of one state are in name order
//! (the tie breaker), so the State order is the name order grouped by state. A state is one of
//! a few interned labels, so each row keeps only its group (4 bytes), set as it arrives or
//! changes: no merge, no name compared, where a kept order merged every row a second time by
//! (state, name), which doubled a State-sorted table's fill (issue 18, targets 2 and 4). And
//! the order is always there: a sort by State needs no build, on the key or off the UI thread.

use std::collections::HashMap;

use crate::api::columns::{self, ColumnId, Value};

/// Whether `col`'s order is the name order grouped (`Groups`) rather than an `Order`: its
/// values are few (a state's words), so grouping costs a pass, never a sort.
pub fn grouped(col: ColumnId) -> bool {
    col == ColumnId::State
}

/// Every row's group (its value) in one grouped column.
pub struct Groups {
    pub col: ColumnId,
    /// Row number → group (rows gone keep theirs: the name order no longer holds them).
    of: Vec<u32>,
    /// Group → its value (a state's rank and words).
    values: Vec<(u8, Box<str>)>,
    /// Per rank, its words → group (a state's words give its rank, but the comparator reads
    /// both: so does the lookup).
    ids: Vec<HashMap<Box<str>, u32>>,
    /// Group → its place among the values, ascending (unknown last): set again when a group
    /// is added.
    place: Vec<u32>,
    /// Group → its rows (live ones: a row gone or changed leaves its group), so laying the
    /// rows out is one pass over the name order, not a count first.
    count: Vec<usize>,
}

impl Groups {
    pub fn new(col: ColumnId) -> Groups {
        Groups {
            col,
            of: Vec::new(),
            values: Vec::new(),
            ids: Vec::new(),
            place: Vec::new(),
            count: Vec::new(),
        }
    }

    /// Room for `rows` rows in all (a table numbered anew).
    pub fn reserve(&mut self, rows: usize) {
        self.of.reserve_exact(rows.saturating_sub(self.of.len()));
    }

    /// Row `r` (one `set` before) is gone, or is about to be set again.
    pub fn leave(&mut self, r: u32) {
        if let Some(&g) = self.of.get(r as usize) {
            self.count[g as usize] = self.count[g as usize].saturating_sub(1);
        }
    }

    /// Row `r`'s value is `v`: a new row, or one whose node changed (after `leave`).
    pub fn set(&mut self, r: u32, v: Value) {
        let (rank, text) = match v {
            Value::State(rank, t) => (rank, t),
            Value::Text(t) => (0, t),
            // Not a grouped column's type: unknown.
            _ => (0, ""),
        };
        // Unknown whatever its rank: one group, as the comparator has them equal.
        let rank = if text.is_empty() { 0 } else { rank };
        let g = match self.ids.get(rank as usize).and_then(|ids| ids.get(text)) {
            Some(&g) => g,
            None => self.add(rank, text),
        };
        let r = r as usize;
        if self.of.len() <= r {
            // Grown by a sixteenth, not doubled: 4 bytes a row, kept so (as an order is).
            if self.of.capacity() <= r {
                self.of
                    .reserve_exact(r + 1 - self.of.len() + self.of.len() / 16);
            }
            self.of.resize(r + 1, 0);
        }
        self.of[r] = g;
        self.count[g as usize] += 1;
    }

    /// A new group: the places set again (a sort of the few values).
    fn add(&mut self, rank: u8, text: &str) -> u32 {
        let g = self.values.len() as u32;
        self.values.push((rank, text.into()));
        self.count.push(0);
        if self.ids.len() <= rank as usize {
            self.ids.resize_with(rank as usize + 1, HashMap::new);
        }
        self.ids[rank as usize].insert(text.into(), g);
        let value = |g: u32| {
            let (rank, t) = &self.values[g as usize];
            Value::State(*rank, t)
        };
        let mut by_value: Vec<u32> = (0..self.values.len() as u32).collect();
        by_value.sort_by(|&a, &b| columns::compare(&value(a), &value(b)));
        self.place = vec![0; by_value.len()];
        for (p, &g) in by_value.iter().enumerate() {
            self.place[g as usize] = p as u32;
        }
        g
    }

    /// Whether group `g` is an unknown value (none: it goes last both ways).
    fn unknown(&self, g: usize) -> bool {
        self.values[g].1.is_empty()
    }

    /// The rows of the name order `by_name` (`len` of them), grouped by value, ascending or
    /// downwards, each as `entry` gives it; unknowns last either way, each group in name
    /// order. One pass over the name order, each row put in its group's place (the groups
    /// counted first only if the counts kept disagree with the rows: they never should).
    pub fn rows<T: Copy + Default>(
        &self,
        by_name: impl Iterator<Item = u32> + Clone,
        len: usize,
        desc: bool,
        entry: impl Fn(u32) -> T,
        out: &mut Vec<T>,
    ) {
        let mut count = self.count.clone();
        if count.iter().sum::<usize>() != len {
            debug_assert!(false, "the groups' counts drifted from the rows");
            count.iter_mut().for_each(|c| *c = 0);
            for r in by_name.clone() {
                count[self.of[r as usize] as usize] += 1;
            }
        }
        let mut groups: Vec<usize> = (0..self.values.len()).collect();
        groups.sort_by(|&a, &b| {
            let (pa, pb) = (self.place[a], self.place[b]);
            match (self.unknown(a), self.unknown(b), desc) {
                (false, false, true) => pb.cmp(&pa),
                (ua, ub, _) => ua.cmp(&ub).then(pa.cmp(&pb)),
            }
        });
        let mut start = vec![0usize; self.values.len()];
        let mut at = 0;
        for g in groups {
            start[g] = at;
            at += count[g];
        }
        out.clear();
        out.resize(at, T::default());
        for r in by_name {
            let g = self.of[r as usize] as usize;
            out[start[g]] = entry(r);
            start[g] += 1;
        }
    }

    /// Bytes held: a group a row, and the few values.
    pub fn bytes(&self) -> usize {
        let values: usize = self.values.iter().map(|(_, t)| 2 * t.len() + 32).sum();
        self.of.capacity() * size_of::<u32>() + values
    }
}
