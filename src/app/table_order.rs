//! A table's sort index: for every column, its rows in ascending order, kept up to date as
//! pages arrive (new and changed rows are merged in by binary search, never a full re-sort),
//! so a sort key costs one pass over the rows, not a sort: 100,000s of rows re-sort inside a
//! frame. The order of a column is total: its value (unknowns last), then the name
//! (naturally, empty last), the endpoint, and the row's arrival.
//!
//! Descending keeps unknowns last and equal values in name order: the ascending order with its
//! runs of equal values reversed, again one pass. Where each run starts is kept in the order
//! (marked as it is built and merged), so neither direction reads a value: a sort key touches
//! only the index, never the 300,000 tree entries. Rows keep the number they arrived with, so
//! a page landing adds rows without renumbering the others.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::tree::{EntryId, Tree};
use crate::api::columns::{self, Column, ColumnId, Value};
use crate::api::model::{Node, NodeKind};

/// A row as the index reads it: its node and its endpoint's label.
pub type Row<'a> = (&'a Node, &'a str);

/// More than this share of fresh rows, and the index is built anew rather than merged into.
const MERGE_AT_MOST: usize = 2;

fn known(v: &Value) -> bool {
    match v {
        Value::Text(t) => !t.is_empty(),
        Value::Number(n) => n.is_some(),
        Value::Time(t) => t.is_some(),
    }
}

/// Whether row `a` (arrival index and row) comes before `b` by `col`, ascending. The one
/// definition of the order; the fast paths below must agree with it (tests check).
pub fn cmp_rows(col: ColumnId, (ia, a): (u32, Row), (ib, b): (u32, Row)) -> Ordering {
    columns::compare(
        &columns::value(a.0, col, a.1),
        &columns::value(b.0, col, b.1),
    )
    .then_with(|| columns::compare(&Value::Text(&a.0.name), &Value::Text(&b.0.name)))
    .then_with(|| columns::natural_cmp(a.1, b.1))
    .then(ia.cmp(&ib))
}

/// Every row's rank among the distinct texts of a column, in natural order: sorting the
/// distinct values (often few: states, endpoints, guest OSes) instead of every row.
fn text_ranks<'a>(n: usize, text: impl Fn(u32) -> &'a str) -> Vec<u32> {
    let mut ids: HashMap<&str, u32> = HashMap::new();
    let mut of_row = Vec::with_capacity(n);
    for r in 0..n as u32 {
        let next = ids.len() as u32;
        of_row.push(*ids.entry(text(r)).or_insert(next));
    }
    let mut distinct: Vec<(&str, u32)> = ids.into_iter().collect();
    distinct.sort_unstable_by(|a, b| columns::natural_cmp(a.0, b.0));
    let mut rank = vec![0u32; distinct.len()];
    for (i, (_, id)) in distinct.iter().enumerate() {
        rank[*id as usize] = i as u32;
    }
    of_row.iter().map(|&id| rank[id as usize]).collect()
}

/// The ascending orders of `cols` over rows `0..n`, from scratch: each row's key computed once
/// per column (an integer: numbers and times as themselves, texts as their rank), then the
/// keys sorted. Runs of equal values are marked from the keys.
fn build<'a>(n: usize, row: &impl Fn(u32) -> Row<'a>, cols: &[ColumnId]) -> Vec<Order> {
    let names = text_ranks(n, |r| &row(r).0.name);
    let endpoints = text_ranks(n, |r| row(r).1);
    let mut by_name: Vec<(bool, u32, u32, u32)> = (0..n as u32)
        .map(|r| {
            let i = r as usize;
            (row(r).0.name.is_empty(), names[i], endpoints[i], r)
        })
        .collect();
    by_name.sort_unstable();
    let mut name_rank = vec![0u32; n];
    for (pos, k) in by_name.iter().enumerate() {
        name_rank[k.3 as usize] = pos as u32;
    }
    // The order from sorted keys: a run starts where (known, primary key) changes.
    fn order<K: PartialEq + Copy>(col: ColumnId, keys: &[(bool, K, u32, u32)]) -> Order {
        let mut rows = Vec::with_capacity(keys.len());
        let mut known = 0;
        for (i, k) in keys.iter().enumerate() {
            let starts = i == 0 || (keys[i - 1].0, keys[i - 1].1) != (k.0, k.1);
            rows.push(if starts { k.3 | RUN } else { k.3 });
            known += usize::from(!k.0);
        }
        Order { col, rows, known }
    }
    cols.iter()
        .map(|&col| {
            if col == ColumnId::Name {
                return order(col, &by_name);
            }
            let mut text: Option<Vec<u32>> = None;
            let mut keys: Vec<(bool, i128, u32, u32)> = Vec::with_capacity(n);
            for r in 0..n as u32 {
                let (node, ep) = row(r);
                let v = columns::value(node, col, ep);
                let primary = match v {
                    Value::Text(_) => {
                        let ranks = text.get_or_insert_with(|| {
                            text_ranks(n, |r| match columns::value(row(r).0, col, row(r).1) {
                                Value::Text(t) => t,
                                _ => "",
                            })
                        });
                        i128::from(ranks[r as usize])
                    }
                    Value::Number(n) => i128::from(n.unwrap_or(0)),
                    Value::Time(t) => t.map_or(0, |t| t.unix_timestamp_nanos()),
                };
                keys.push((!known(&v), primary, name_rank[r as usize], r));
            }
            keys.sort_unstable();
            order(col, &keys)
        })
        .collect()
}

/// In an order: this row's value differs from the row before it (a run of equal values
/// starts here), so a downward sort reverses runs without comparing any value.
const RUN: u32 = 1 << 31;
/// No row: an entry not in the table, or a row number whose entry has gone.
const NONE: u32 = u32::MAX;

/// One column's rows in ascending order.
struct Order {
    col: ColumnId,
    /// Row numbers, ascending by the column, each with `RUN` when it starts a run.
    rows: Vec<u32>,
    /// How many rows have a known value: they come first, the unknown ones after them.
    known: usize,
}

impl Order {
    /// Merges `fresh` rows in: each placed by binary search, the rest copied once; a run
    /// mark is set on each fresh row and on the row after it, comparing with its neighbour.
    fn merge<'a>(&mut self, fresh: &[u32], row: &impl Fn(u32) -> Row<'a>) {
        let col = self.col;
        let cmp = |a: u32, b: u32| cmp_rows(col, (a, row(a)), (b, row(b)));
        let value = |r: u32| columns::value(row(r).0, col, row(r).1);
        let same = |a: u32, b: u32| columns::compare(&value(a), &value(b)) == Ordering::Equal;
        let mut fresh = fresh.to_vec();
        fresh.sort_unstable_by(|&a, &b| cmp(a, b));
        let mut out: Vec<u32> = Vec::with_capacity(self.rows.len() + fresh.len());
        // The first row of a copied stretch may now follow a fresh row.
        let copy = |out: &mut Vec<u32>, part: &[u32]| {
            let Some(&first) = part.first() else {
                return;
            };
            let starts = out.last().is_none_or(|&p| !same(p & !RUN, first & !RUN));
            out.push(if starts { first | RUN } else { first & !RUN });
            out.extend_from_slice(&part[1..]);
        };
        let mut from = 0;
        for f in fresh {
            let at = from + self.rows[from..].partition_point(|&o| cmp(o & !RUN, f).is_lt());
            copy(&mut out, &self.rows[from..at]);
            let starts = out.last().is_none_or(|&p| !same(p & !RUN, f));
            out.push(if starts { f | RUN } else { f });
            self.known += usize::from(known(&value(f)));
            from = at;
        }
        copy(&mut out, &self.rows[from..]);
        self.rows = out;
    }

    /// Drops the rows `out` marks; a run mark on a dropped row moves to the next kept one.
    fn remove(&mut self, out: &[bool]) {
        let (mut carry, mut at, mut known) = (false, 0, 0);
        let was_known = self.known;
        self.rows.retain_mut(|x| {
            let is_known = at < was_known;
            at += 1;
            if out[(*x & !RUN) as usize] {
                carry |= *x & RUN != 0;
                return false;
            }
            if std::mem::take(&mut carry) {
                *x |= RUN;
            }
            known += usize::from(is_known);
            true
        });
        self.known = known;
    }

    /// Row numbers downwards: runs of equal known values in reverse, each run in its own
    /// (name) order, then the unknown values as they were.
    fn descending(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.rows.len());
        let mut end = self.known;
        for i in (0..self.known).rev() {
            if i == 0 || self.rows[i] & RUN != 0 {
                out.extend(self.rows[i..end].iter().map(|x| x & !RUN));
                end = i;
            }
        }
        out.extend(self.rows[self.known..].iter().map(|x| x & !RUN));
        out
    }

    fn ascending(&self) -> impl Iterator<Item = u32> + '_ {
        self.rows.iter().map(|x| x & !RUN)
    }
}

/// The rows of one table and their ascending order per column, as of the tree's `content`
/// count `synced`. Rows are numbered as they arrive and keep their number (the last tie
/// breaker), so a page arriving only adds rows: nothing already placed moves or is renumbered.
#[derive(Default)]
pub struct SortIndex {
    /// Row number → entry (`NONE` for a row gone since it was numbered).
    rows: Vec<EntryId>,
    /// Entry → row number (`NONE`: not a row).
    number: Vec<u32>,
    /// Rows not gone.
    live: usize,
    synced: u64,
    orders: Vec<Order>,
    /// New rows were left for the next `sync`.
    behind: bool,
}

impl SortIndex {
    /// Catches up with the tree: the table's rows are the children of `roots` that are
    /// `kind`s. Rows that are new or whose node changed since the last call are merged into
    /// every column's order; the rest keep their places. Cost: a pass over the roots' child
    /// ids, plus the merge (the new rows placed by binary search, each order copied once).
    /// At most `limit` new rows are taken (see `behind`), so one call's work stays bounded
    /// while 300,000 rows pour in; new columns take every row at once.
    pub fn sync(
        &mut self,
        tree: &Tree,
        labels: &[&str],
        roots: &[EntryId],
        kind: NodeKind,
        cols: &[Column],
        limit: usize,
    ) {
        let ids: Vec<ColumnId> = cols.iter().map(|c| c.id).collect();
        let same_cols = self.orders.iter().map(|o| o.col).eq(ids.iter().copied());
        let had = self.live;
        self.behind = false;
        if !same_cols {
            self.build_all(tree, labels, roots, kind, &ids, usize::MAX);
        } else if !self.catch_up(tree, labels, roots, kind, limit) {
            self.build_all(tree, labels, roots, kind, &ids, had.saturating_add(limit));
        }
        self.synced = tree.content;
    }

    /// Numbers the new rows and merges them (and the changed ones) in; false when so much
    /// changed that a new build is cheaper.
    fn catch_up(
        &mut self,
        tree: &Tree,
        labels: &[&str],
        roots: &[EntryId],
        kind: NodeKind,
        limit: usize,
    ) -> bool {
        let (mut seen, mut new, mut changed) = (0, Vec::new(), Vec::new());
        for &root in roots {
            for &c in &tree.get(root).children {
                match self.number.get(c as usize).copied().filter(|&r| r != NONE) {
                    Some(r) => {
                        seen += 1;
                        if tree.changed_since(c, self.synced) {
                            changed.push(r);
                        }
                    }
                    None if tree.get(c).node.kind != kind => {}
                    None if new.len() < limit => new.push(c),
                    None => self.behind = true,
                }
            }
        }
        let mut out = vec![
            false;
            if changed.is_empty() && seen == self.live {
                0
            } else {
                self.rows.len()
            }
        ];
        for &r in &changed {
            out[r as usize] = true;
        }
        if seen != self.live {
            // Some rows are no longer there: those not found under the roots.
            let mut found = vec![false; self.rows.len()];
            for &root in roots {
                for &c in &tree.get(root).children {
                    if let Some(&r) = self.number.get(c as usize).filter(|&&r| r != NONE) {
                        found[r as usize] = true;
                    }
                }
            }
            for (r, id) in self.rows.iter_mut().enumerate() {
                if *id != NONE && !found[r] {
                    out[r] = true;
                    self.number[*id as usize] = NONE;
                    *id = NONE;
                    self.live -= 1;
                }
            }
        }
        // A changed row whose slot now holds another kind is gone too.
        changed.retain(|&r| {
            let id = self.rows[r as usize];
            let stays = id != NONE && tree.get(id).node.kind == kind;
            if !stays && id != NONE {
                self.number[id as usize] = NONE;
                self.rows[r as usize] = NONE;
                self.live -= 1;
            }
            stays
        });
        let mut fresh = changed;
        if self.number.len() < tree.capacity() {
            self.number.resize(tree.capacity(), NONE);
        }
        for c in new {
            self.number[c as usize] = self.rows.len() as u32;
            fresh.push(self.rows.len() as u32);
            self.rows.push(c);
            self.live += 1;
        }
        if fresh.len() * MERGE_AT_MOST > self.live {
            return false;
        }
        let rows = &self.rows;
        let row = |r: u32| -> Row {
            let e = tree.get(rows[r as usize]);
            (&e.node, labels[e.endpoint])
        };
        for o in &mut self.orders {
            if !out.is_empty() {
                o.remove(&out);
            }
            o.merge(&fresh, &row);
        }
        true
    }

    /// Every row numbered anew in the roots' order, every order built from scratch.
    fn build_all(
        &mut self,
        tree: &Tree,
        labels: &[&str],
        roots: &[EntryId],
        kind: NodeKind,
        ids: &[ColumnId],
        limit: usize,
    ) {
        let mut rows = roots
            .iter()
            .flat_map(|&r| tree.get(r).children.iter().copied())
            .filter(|&c| tree.get(c).node.kind == kind);
        self.rows = rows.by_ref().take(limit).collect();
        self.behind = rows.next().is_some();
        self.number.clear();
        self.number.resize(tree.capacity(), NONE);
        for (r, &id) in self.rows.iter().enumerate() {
            self.number[id as usize] = r as u32;
        }
        self.live = self.rows.len();
        let rows = &self.rows;
        let row = |r: u32| -> Row {
            let e = tree.get(rows[r as usize]);
            (&e.node, labels[e.endpoint])
        };
        self.orders = build(rows.len(), &row, ids);
    }

    /// How many rows the table has.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether the last `sync` left new rows out (over its limit): sync again.
    pub fn behind(&self) -> bool {
        self.behind
    }

    /// Every row, sorted by `col` in that direction (`col` must be one of the synced
    /// columns). Reads the order only: no value is looked at.
    pub fn sorted(&self, col: ColumnId, desc: bool) -> Vec<EntryId> {
        let Some(order) = self.orders.iter().find(|o| o.col == col) else {
            return self.rows.iter().copied().filter(|&id| id != NONE).collect();
        };
        let entry = |r: u32| self.rows[r as usize];
        match desc {
            false => order.ascending().map(entry).collect(),
            true => order.descending().into_iter().map(entry).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::{NodeKind, Status, VmFacts};
    use proptest::prelude::*;

    fn node(name: &str, state: &'static str, cpus: Option<u32>, ip: &str) -> Node {
        Node::new(NodeKind::Vm, format!("vm/{name}"), name)
            .with_status(Status::new(state, crate::api::model::Severity::Ok))
            .with_facts(VmFacts {
                cpus,
                ip: ip.into(),
                ..VmFacts::default()
            })
    }

    const COLS: [ColumnId; 5] = [
        ColumnId::Name,
        ColumnId::State,
        ColumnId::Cpu,
        ColumnId::Ip,
        ColumnId::Endpoint,
    ];

    /// The order by the one comparator, for reference.
    fn reference(rows: &[(Node, &str)], col: ColumnId) -> Vec<u32> {
        let mut r: Vec<u32> = (0..rows.len() as u32).collect();
        let row = |i: u32| (&rows[i as usize].0, rows[i as usize].1);
        r.sort_by(|&a, &b| cmp_rows(col, (a, row(a)), (b, row(b))));
        r
    }

    fn arb_rows() -> impl Strategy<Value = Vec<(Node, &'static str)>> {
        let name = prop::sample::select(vec![
            "web-1", "web-11", "web-100", "Web-2", "web-02", "db", "", "web-11", "a10", "a9",
        ]);
        let state = prop::sample::select(vec!["POWERED_ON", "POWERED_OFF", ""]);
        let cpus = prop::option::of(0u32..4);
        let ip = prop::sample::select(vec!["10.0.0.9", "10.0.0.10", "", "10.0.0.9"]);
        let ep = prop::sample::select(vec!["vcd", "vcenter"]);
        prop::collection::vec((name, state, cpus, ip, ep), 0..60).prop_map(|v| {
            v.into_iter()
                .map(|(n, s, c, i, e)| (node(n, s, c, i), e))
                .collect()
        })
    }

    /// Downwards by the one comparator: known values reversed, equal ones as ascending,
    /// unknowns last.
    fn reference_down(rows: &[(Node, &str)], col: ColumnId, up: &[u32]) -> Vec<u32> {
        let row = |i: u32| (&rows[i as usize].0, rows[i as usize].1);
        let value = |r: u32| columns::value(row(r).0, col, row(r).1);
        let mut down = up.to_vec();
        down.sort_by(|&a, &b| {
            let (va, vb) = (value(a), value(b));
            match (known(&va), known(&vb)) {
                (true, true) => columns::compare(&vb, &va),
                _ => columns::compare(&va, &vb),
            }
            .then_with(|| cmp_rows(col, (a, row(a)), (b, row(b))))
        });
        down
    }

    fn up(o: &Order) -> Vec<u32> {
        o.ascending().collect()
    }

    proptest! {
        #[test]
        fn built_merged_and_thinned_orders_equal_the_comparator(
            rows in arb_rows(),
            split in 0usize..60,
            drop in prop::collection::vec(any::<bool>(), 60),
        ) {
            let split = split.min(rows.len());
            let row = |i: u32| (&rows[i as usize].0, rows[i as usize].1);
            let built = build(rows.len(), &row, &COLS);
            let mut merged = build(split, &row, &COLS);
            let fresh: Vec<u32> = (split as u32..rows.len() as u32).collect();
            let out = &drop[..rows.len()];
            for (i, &col) in COLS.iter().enumerate() {
                let want = reference(&rows, col);
                let want_down = reference_down(&rows, col, &want);
                prop_assert_eq!(&up(&built[i]), &want, "built {:?}", col);
                prop_assert_eq!(&built[i].descending(), &want_down, "built, down {:?}", col);
                merged[i].merge(&fresh, &row);
                prop_assert_eq!(&up(&merged[i]), &want, "merged {:?}", col);
                prop_assert_eq!(&merged[i].descending(), &want_down, "merged, down {:?}", col);
                // Rows gone (or changed, then merged back in) keep every mark right.
                let mut thinned = build(rows.len(), &row, &[col]).remove(0);
                thinned.remove(out);
                let kept = |v: &[u32]| -> Vec<u32> {
                    v.iter().copied().filter(|&r| !out[r as usize]).collect()
                };
                prop_assert_eq!(&up(&thinned), &kept(&want), "thinned {:?}", col);
                prop_assert_eq!(&thinned.descending(), &kept(&want_down), "thinned, down {:?}", col);
                let back: Vec<u32> = (0..rows.len() as u32).filter(|&r| out[r as usize]).collect();
                thinned.merge(&back, &row);
                prop_assert_eq!(&thinned.descending(), &want_down, "merged back, down {:?}", col);
            }
        }
    }

    #[test]
    fn names_sort_naturally_and_ties_keep_arrival() {
        let rows = [
            (node("web-100", "", None, ""), "vcd"),
            (node("web-11", "", None, ""), "vcd"),
            (node("web-11", "", None, ""), "vcd"),
            (node("Web-2", "", None, ""), "vcd"),
            (node("", "", None, ""), "vcd"),
        ];
        let row = |i: u32| (&rows[i as usize].0, rows[i as usize].1);
        let built = build(rows.len(), &row, &[ColumnId::Name, ColumnId::Cpu]);
        assert_eq!(
            up(&built[0]),
            [3, 1, 2, 0, 4],
            "natural, equal names by arrival, empty last"
        );
        assert_eq!(up(&built[1]), up(&built[0]), "no CPU known: by name");
        let down = built[0].descending();
        assert_eq!(
            down,
            [0, 1, 2, 3, 4],
            "reversed runs keep ties in arrival order"
        );
    }

    #[test]
    fn unknown_values_go_last_both_ways() {
        let rows = [
            (node("a", "", Some(4), ""), "vcd"),
            (node("b", "", None, ""), "vcd"),
            (node("c", "", Some(2), ""), "vcd"),
            (node("d", "", Some(4), ""), "vcd"),
        ];
        let row = |i: u32| (&rows[i as usize].0, rows[i as usize].1);
        let cpu = build(rows.len(), &row, &[ColumnId::Cpu]).remove(0);
        assert_eq!(up(&cpu), [2, 0, 3, 1]);
        assert_eq!(cpu.descending(), [0, 3, 2, 1]);
    }
}
