//! A table's sort index: for every column, its rows in ascending order, kept up to date as
//! pages arrive (new and changed rows are merged in by binary search, never a full re-sort),
//! so a sort key costs one pass over the rows, not a sort: 100,000s of rows re-sort inside a
//! frame. The order of a column is total: its value (unknowns last), then the name
//! (naturally, empty last), the endpoint, and the row's arrival.
//!
//! Descending keeps unknowns last and equal values in name order: the ascending order with its
//! runs of equal values reversed, again one pass.

use std::cmp::Ordering;
use std::collections::HashMap;

use super::tree::{EntryId, Tree};
use crate::api::columns::{self, Column, ColumnId, Value};
use crate::api::model::Node;

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
/// keys sorted.
fn build<'a>(n: usize, row: &impl Fn(u32) -> Row<'a>, cols: &[ColumnId]) -> Vec<Vec<u32>> {
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
    cols.iter()
        .map(|&col| {
            if col == ColumnId::Name {
                return by_name.iter().map(|k| k.3).collect();
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
            keys.iter().map(|k| k.3).collect()
        })
        .collect()
}

/// Merges `fresh` rows into the ascending `order` of `col`: each found by binary search, the
/// rest copied once.
fn merge<'a>(order: &mut Vec<u32>, fresh: &[u32], row: &impl Fn(u32) -> Row<'a>, col: ColumnId) {
    let mut fresh = fresh.to_vec();
    let cmp = |a: u32, b: u32| cmp_rows(col, (a, row(a)), (b, row(b)));
    fresh.sort_unstable_by(|&a, &b| cmp(a, b));
    let mut out = Vec::with_capacity(order.len() + fresh.len());
    let mut from = 0;
    for f in fresh {
        let at = from + order[from..].partition_point(|&o| cmp(o, f) == Ordering::Less);
        out.extend_from_slice(&order[from..at]);
        out.push(f);
        from = at;
    }
    out.extend_from_slice(&order[from..]);
    *order = out;
}

/// `order` (ascending by `col`) as shown in `desc`ending direction: runs of equal known values
/// in reverse, each run in its own (name) order, then the unknown values as they were.
pub fn descending<'a>(order: &[u32], row: &impl Fn(u32) -> Row<'a>, col: ColumnId) -> Vec<u32> {
    let value = |r: u32| columns::value(row(r).0, col, row(r).1);
    let unknown_from = order.partition_point(|&r| known(&value(r)));
    let mut out = Vec::with_capacity(order.len());
    let mut end = unknown_from;
    while end > 0 {
        let last = value(order[end - 1]);
        let mut start = end - 1;
        while start > 0 && columns::compare(&value(order[start - 1]), &last) == Ordering::Equal {
            start -= 1;
        }
        out.extend_from_slice(&order[start..end]);
        end = start;
    }
    out.extend_from_slice(&order[unknown_from..]);
    out
}

/// The rows of one table (arrival order) and their ascending order per column, as of the
/// tree's `content` count `synced`.
#[derive(Default)]
pub struct SortIndex {
    rows: Vec<EntryId>,
    synced: u64,
    orders: Vec<(ColumnId, Vec<u32>)>,
}

impl SortIndex {
    /// Catches up with the tree: `current` are the table's rows now, in arrival order. Rows
    /// that are new or whose node changed since the last call are merged into every column's
    /// order; the rest keep their places.
    pub fn sync(&mut self, tree: &Tree, labels: &[&str], current: Vec<EntryId>, cols: &[Column]) {
        let row = |r: u32| -> Row {
            let e = tree.get(current[r as usize]);
            (&e.node, labels[e.endpoint])
        };
        let ids: Vec<ColumnId> = cols.iter().map(|c| c.id).collect();
        let same_cols = self.orders.iter().map(|o| o.0).eq(ids.iter().copied());
        let fresh = match same_cols {
            true => self.keep_unchanged(tree, &current),
            false => None,
        };
        match fresh {
            Some(fresh) if fresh.len() * MERGE_AT_MOST <= current.len() => {
                for (col, order) in &mut self.orders {
                    merge(order, &fresh, &row, *col);
                }
            }
            _ => {
                let built = build(current.len(), &row, &ids);
                self.orders = ids.into_iter().zip(built).collect();
            }
        }
        self.rows = current;
        self.synced = tree.content;
    }

    /// Drops the rows that are gone or changed from every order, renumbering the rest to
    /// their place in `current`; returns the rows of `current` to merge in, or None when
    /// the rows kept changed their relative order (then only a new build is right).
    fn keep_unchanged(&mut self, tree: &Tree, current: &[EntryId]) -> Option<Vec<u32>> {
        let changed = |id: EntryId| tree.changed_since(id, self.synced);
        if current.starts_with(&self.rows) && !self.rows.iter().any(|&id| changed(id)) {
            return Some((self.rows.len() as u32..current.len() as u32).collect());
        }
        let mut place = vec![u32::MAX; tree.capacity()];
        for (i, &id) in current.iter().enumerate() {
            place[id as usize] = i as u32;
        }
        let mut renumber = vec![u32::MAX; self.rows.len()];
        let mut kept = vec![false; current.len()];
        let mut last = None;
        for (r, &id) in self.rows.iter().enumerate() {
            let to = place[id as usize];
            if to == u32::MAX || changed(id) {
                continue;
            }
            if last.is_some_and(|l| l > to) {
                return None;
            }
            last = Some(to);
            renumber[r] = to;
            kept[to as usize] = true;
        }
        for (_, order) in &mut self.orders {
            order.retain_mut(|r| {
                *r = renumber[*r as usize];
                *r != u32::MAX
            });
        }
        Some(
            (0..current.len() as u32)
                .filter(|&r| !kept[r as usize])
                .collect(),
        )
    }

    /// Every row, sorted by `col` in that direction (`col` must be one of the synced columns).
    pub fn sorted(&self, tree: &Tree, labels: &[&str], col: ColumnId, desc: bool) -> Vec<EntryId> {
        let Some((_, order)) = self.orders.iter().find(|o| o.0 == col) else {
            return self.rows.clone();
        };
        let ids = |rows: &[u32]| rows.iter().map(|&r| self.rows[r as usize]).collect();
        match desc {
            false => ids(order),
            true => {
                let row = |r: u32| -> Row {
                    let e = tree.get(self.rows[r as usize]);
                    (&e.node, labels[e.endpoint])
                };
                ids(&descending(order, &row, col))
            }
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

    proptest! {
        #[test]
        fn built_and_merged_orders_equal_the_comparator(rows in arb_rows(), split in 0usize..60) {
            let split = split.min(rows.len());
            let row = |i: u32| (&rows[i as usize].0, rows[i as usize].1);
            let built = build(rows.len(), &row, &COLS);
            let first = build(split, &row, &COLS);
            let fresh: Vec<u32> = (split as u32..rows.len() as u32).collect();
            for (i, &col) in COLS.iter().enumerate() {
                let want = reference(&rows, col);
                prop_assert_eq!(&built[i], &want, "built {:?}", col);
                let mut merged = first[i].clone();
                merge(&mut merged, &fresh, &row, col);
                prop_assert_eq!(&merged, &want, "merged {:?}", col);
                // Descending: known values reversed, equal ones as ascending, unknowns last.
                let down = descending(&want, &row, col);
                let mut by_cmp: Vec<u32> = want.clone();
                by_cmp.sort_by(|&a, &b| {
                    let (va, vb) = (columns::value(row(a).0, col, row(a).1), columns::value(row(b).0, col, row(b).1));
                    match (known(&va), known(&vb)) {
                        (true, true) => columns::compare(&vb, &va),
                        _ => columns::compare(&va, &vb),
                    }
                    .then_with(|| cmp_rows(col, (a, row(a)), (b, row(b))))
                });
                prop_assert_eq!(&down, &by_cmp, "descending {:?}", col);
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
            built[0],
            [3, 1, 2, 0, 4],
            "natural, equal names by arrival, empty last"
        );
        assert_eq!(built[1], built[0], "no CPU known: by name");
        let down = descending(&built[0], &row, ColumnId::Name);
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
        let up = build(rows.len(), &row, &[ColumnId::Cpu]).remove(0);
        assert_eq!(up, [2, 0, 3, 1]);
        assert_eq!(descending(&up, &row, ColumnId::Cpu), [0, 3, 2, 1]);
    }
}
