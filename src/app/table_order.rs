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
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

mod groups;
mod natural;
mod order;

use self::groups::{Groups, grouped};
use self::natural::{natural_key, text_ranks, text_ranks_after};
use self::order::{Order, RUN};
use super::tree::{EntryId, Tree};
use crate::api::columns::{self, Column, ColumnId, Value};
use crate::api::model::{Node, NodeKind};

/// A row as the index reads it: its node and its endpoint's label.
pub type Row<'a> = (&'a Node, &'a str);

/// Reads the index's row `r` (an entry of `rows`) from the tree.
fn reader<'a>(
    rows: &'a [EntryId],
    tree: &'a Tree,
    labels: &'a [&'a str],
) -> impl Fn(u32) -> Row<'a> + Copy {
    move |r| {
        let e = tree.get(rows[r as usize]);
        (&e.node, labels[e.endpoint()])
    }
}

/// The orders a table keeps: the name order and the last two other columns sorted by (4
/// bytes a row each); sorting by another drops the least recently sorted by.
const KEEP: usize = 3;

/// Changed rows that cost about what one new row does (`SortIndex::catch_up`): most keep
/// their place (`Order::recheck`).
const CHANGED_PER_ROW: usize = 4;

/// Changed rows an order finds one by one (`Order::recheck_few`, ~20 comparisons each) rather
/// than in a pass over its rows: at most one per this many rows. (Tests find them so in
/// orders of a few dozen rows.)
#[cfg(not(test))]
const FEW: usize = 256;
#[cfg(test)]
const FEW: usize = 4;

/// More than this share of fresh rows, and the index is built anew rather than merged into.
const MERGE_AT_MOST: usize = 2;

fn known(v: &Value) -> bool {
    match v {
        Value::Text(t) | Value::State(_, t) => !t.is_empty(),
        Value::Number(n) => n.is_some(),
        Value::Time(t) => t.is_some(),
    }
}

/// Whether row `a` (arrival index and row) comes before `b` by `col`, ascending. The one
/// definition of the order; the fast paths below must agree with it (tests check).
pub fn cmp_rows(col: ColumnId, (ia, a): (u32, Row), (ib, b): (u32, Row)) -> Ordering {
    cmp_keys(&Key::of(col, ia, a), &Key::of(col, ib, b))
}

/// What `cmp_rows` reads of a row, read once (a merge sorts its new rows by these).
struct Key<'a> {
    value: Value<'a>,
    name: &'a str,
    endpoint: &'a str,
    row: u32,
}

impl<'a> Key<'a> {
    fn of(col: ColumnId, row: u32, (node, endpoint): Row<'a>) -> Key<'a> {
        Key {
            value: columns::value(node, col, endpoint),
            name: &node.name,
            endpoint,
            row,
        }
    }
}

fn cmp_keys(a: &Key, b: &Key) -> Ordering {
    (columns::compare(&a.value, &b.value))
        .then_with(|| columns::compare(&Value::Text(a.name), &Value::Text(b.name)))
        .then_with(|| columns::natural_cmp(a.endpoint, b.endpoint))
        .then(a.row.cmp(&b.row))
}

/// The order from sorted keys (unknown, primary, …, row): a run starts where (unknown,
/// primary) changes.
fn order<K: PartialEq + Copy>(col: ColumnId, keys: &[(bool, K, u32, u32)]) -> Order {
    let mut rows = Vec::with_capacity(keys.len());
    let mut known = 0;
    for (i, k) in keys.iter().enumerate() {
        let starts = i == 0 || (keys[i - 1].0, keys[i - 1].1) != (k.0, k.1);
        rows.push(if starts { k.3 | RUN } else { k.3 });
        known += usize::from(!k.0);
    }
    Order::new(col, rows, known)
}

/// The name order of the `live` rows, from scratch: names ranked among the distinct names,
/// then the keys sorted.
fn name_order<'a>(live: &[u32], row: &impl Fn(u32) -> Row<'a>) -> Order {
    let (mut names, mut endpoints) = (Vec::with_capacity(live.len()), Vec::new());
    for &r in live {
        let (node, ep) = row(r);
        names.push(node.name.as_str());
        endpoints.push(ep);
    }
    let (name_of, endpoint_of) = (text_ranks(&names), text_ranks(&endpoints));
    let mut by_name: Vec<(bool, u32, u32, u32)> = (live.iter().enumerate())
        .map(|(i, &r)| (names[i].is_empty(), name_of[i], endpoint_of[i], r))
        .collect();
    by_name.sort_unstable();
    order(ColumnId::Name, &by_name)
}

/// Every row's place in the name order (by row number, `rows` long): what ties in any other
/// column's order are broken by.
fn name_ranks(name: &Order, rows: usize) -> Vec<u32> {
    let mut rank = vec![0u32; rows];
    for (pos, r) in name.ascending().enumerate() {
        rank[r as usize] = pos as u32;
    }
    rank
}

/// The ascending order of `col` (not the name) over the `live` rows, from scratch: each row's
/// value read once, its key an integer (numbers and times as themselves, texts as their
/// rank), then the keys sorted, ties by `name_rank` (see `name_ranks`).
fn column_order<'a>(
    col: ColumnId,
    live: &[u32],
    row: &impl Fn(u32) -> Row<'a>,
    name_rank: &[u32],
) -> Order {
    Keys::read(col, live, row).order(col, live, name_rank)
}

/// A column's values over some rows, read once and owned, so that sorting them needs no tree
/// (it runs off the UI thread, see `SortJob`).
enum Keys {
    /// Texts packed one after another, each row's end in `ends`; for a state, each row's
    /// rank in `ranks`.
    Text {
        text: String,
        ends: Vec<u32>,
        ranks: Option<Vec<u8>>,
    },
    /// Numbers and times: (unknown, the value as an integer).
    Int(Vec<(bool, i128)>),
}

impl Keys {
    /// The values of `col` for the `live` rows.
    fn read<'a>(col: ColumnId, live: &[u32], row: &impl Fn(u32) -> Row<'a>) -> Keys {
        let value = |r: u32| {
            let (node, ep) = row(r);
            columns::value(node, col, ep)
        };
        let mut keys = Keys::like(live.first().map(|&r| value(r)), live.len());
        for &r in live {
            keys.push(Some(value(r)));
        }
        keys
    }

    /// No keys yet, for `n` values of the type of `first` (texts when there is none).
    fn like(first: Option<Value>, n: usize) -> Keys {
        match first {
            Some(Value::Number(_) | Value::Time(_)) => Keys::Int(Vec::with_capacity(n)),
            first => Keys::Text {
                text: String::new(),
                ends: Vec::with_capacity(n),
                ranks: matches!(first, Some(Value::State(..))).then(|| Vec::with_capacity(n)),
            },
        }
    }

    /// The next row's value (None: the row is gone). A column holds one type; a value of
    /// another (none does) counts as unknown.
    fn push(&mut self, v: Option<Value>) {
        match self {
            Keys::Text { text, ends, ranks } => {
                let (t, rank) = match v {
                    Some(Value::Text(t)) => (t, 0),
                    Some(Value::State(rank, t)) => (t, rank),
                    _ => ("", 0),
                };
                text.push_str(t);
                if let Some(ranks) = ranks {
                    ranks.push(rank);
                }
                ends.push(text.len() as u32);
            }
            Keys::Int(keys) => keys.push(match v {
                Some(Value::Number(n)) => (n.is_none(), i128::from(n.unwrap_or(0))),
                Some(Value::Time(t)) => (t.is_none(), t.map_or(0, |t| t.unix_timestamp_nanos())),
                _ => (true, 0),
            }),
        }
    }

    fn len(&self) -> usize {
        match self {
            Keys::Text { ends, .. } => ends.len(),
            Keys::Int(keys) => keys.len(),
        }
    }

    /// The ascending order of `col` over the `live` rows these keys were read for.
    fn order(self, col: ColumnId, live: &[u32], name_rank: &[u32]) -> Order {
        let ints: Vec<(bool, i128)> = match self {
            Keys::Int(keys) => keys,
            Keys::Text { text, ends, ranks } => {
                let texts: Vec<&str> = (0..ends.len())
                    .map(|i| {
                        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
                        &text[start..ends[i] as usize]
                    })
                    .collect();
                let ranks = text_ranks_after(&texts, ranks.as_deref().unwrap_or(&[]));
                (texts.iter().zip(ranks))
                    .map(|(t, rank)| (t.is_empty(), i128::from(rank)))
                    .collect()
            }
        };
        let mut keys: Vec<(bool, i128, u32, u32)> = (live.iter().zip(ints))
            .map(|(&r, (unknown, primary))| (unknown, primary, name_rank[r as usize], r))
            .collect();
        keys.sort_unstable();
        order(col, &keys)
    }
}

/// No row: an entry not in the table, or a row number whose entry has gone.
const NONE: u32 = u32::MAX;

/// The rows of one table and the ascending orders of the columns it was sorted by, as of the
/// tree's `content` count `synced`. Rows are numbered as they arrive and keep their number (the
/// last tie breaker), so a page arriving only adds rows: nothing already placed moves or is
/// renumbered.
///
/// A column's order is built the first time the table is sorted by it, and only `KEEP` are
/// kept: the name order (the default sort, and what ties in every other column are broken
/// by, so building another column sorts no names) and the last other columns sorted by. A
/// table costs its rows and those orders (4 bytes a row each), not an order per column; a
/// sort by a column whose order was dropped builds it again (a sort of every row's key).
#[derive(Default)]
pub struct SortIndex {
    /// Row number → entry (`NONE` for a row gone since it was numbered).
    rows: Vec<EntryId>,
    /// Entry → row number (`NONE`: not a row).
    number: Vec<u32>,
    /// Rows not gone.
    live: usize,
    synced: u64,
    /// The table's columns: only these can be sorted by.
    cols: Vec<ColumnId>,
    /// The orders built, the most recently sorted by last: the name order and at most
    /// `KEEP - 1` others (a grouped column has none: `groups`).
    orders: Vec<Order>,
    /// Each grouped column's rows' groups, kept as rows arrive and change whatever the sort.
    groups: Vec<Groups>,
    /// New rows were left for the next `sync`.
    behind: bool,
    /// Bumped when every row is numbered anew: a `SortJob` started before is stale.
    epoch: u64,
    /// The tree's `edits` and `touched` counts when `seen` was right: while every edit since
    /// is an entry `get_mut` handed out (`Tree::touched_since`) and none of those is a root,
    /// the roots have only had children appended, the rows to read are those after `seen`,
    /// and the rows changed are among the entries touched: no pass over 300,000 children.
    edits: Option<(u64, u64)>,
    /// A child of a root was passed over as another kind: a touched one may have become
    /// `kind` where the index does not look again (see `catch_up`).
    passed_over: bool,
    /// Per root, how many of its first children the index has taken (or passed over as
    /// another kind).
    seen: Vec<(EntryId, usize)>,
    /// The roots the index has taken rows of (`room`).
    started: Vec<EntryId>,
    /// Passes over every child made (`pass`), for tests.
    #[cfg(test)]
    passes: usize,
    /// Orders rechecked for changed rows in a pass over their rows (`Order::recheck`, not
    /// `recheck_few`), for tests.
    #[cfg(test)]
    pub(crate) rechecks: usize,
}

/// Rows a root none of whose rows the index has yet (an endpoint's first page) may take beyond
/// a sync's limit: its first rows show at once, however many rows other endpoints have
/// waiting ahead of it in the roots' order (they took the whole limit, and an endpoint's
/// first rows waited ticks behind them: issue 18, target 2).
const FIRST_ROWS: usize = 256;

/// How many new rows a sync may have taken once it is done with `root`: the limit, or past
/// it by `FIRST_ROWS` when the root is not started.
fn room(started: &[EntryId], root: EntryId, limit: usize, taken: usize) -> usize {
    match started.contains(&root) {
        true => limit,
        false => limit.max(taken.saturating_add(FIRST_ROWS)),
    }
}

/// What is needed to build one column's order off the UI thread, read from the tree on the key
/// (`SortIndex::job`): the column's values over the rows there were, owned, and the name
/// order that breaks ties. `run` builds the order (the sort: most of a first sort's cost) and
/// `SortIndex::install` puts it in, merging the rows that arrived or changed meanwhile.
pub struct SortJob {
    col: ColumnId,
    keys: Keys,
    live: Vec<u32>,
    name: Order,
    stamp: Stamp,
    cancel: Arc<AtomicBool>,
}

/// Where `SortIndex::read_keys` left a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reading {
    /// Every value read: the job can run.
    Done,
    /// Values left to read.
    More,
    /// The rows were numbered anew since the job began: it can only be dropped.
    Stale,
}

/// Which state of the index a job's order describes.
#[derive(Clone, Copy, Debug)]
struct Stamp {
    epoch: u64,
    /// The rows numbered then (later ones are new to the order).
    rows: usize,
    /// The tree's `content` count then (rows whose node changed since are placed again).
    content: u64,
}

impl std::fmt::Debug for SortJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SortJob({:?}, {} rows)", self.col, self.live.len())
    }
}

impl SortJob {
    /// Stops the job at its next step (another sort superseded it): `run` gives None.
    pub fn canceller(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }

    /// Builds the order (a blocking sort: run it off the UI thread); None when cancelled.
    pub fn run(self) -> Option<BuiltOrder> {
        let cancelled = || self.cancel.load(AtomicOrdering::Relaxed);
        if cancelled() {
            return None;
        }
        assert_eq!(self.keys.len(), self.live.len(), "every value read first");
        let rows = self.stamp.rows;
        let ranks = name_ranks(&self.name, rows);
        let order = self.keys.order(self.col, &self.live, &ranks);
        (!cancelled()).then_some(BuiltOrder {
            order,
            stamp: self.stamp,
        })
    }
}

/// A column's order a `SortJob` built, for `SortIndex::install`.
pub struct BuiltOrder {
    order: Order,
    stamp: Stamp,
}

impl std::fmt::Debug for BuiltOrder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "BuiltOrder({:?}, {} rows)",
            self.order.col,
            self.order.len()
        )
    }
}

impl BuiltOrder {
    pub fn column(&self) -> ColumnId {
        self.order.col
    }
}

impl SortIndex {
    /// Catches up with the tree: the table's rows are the children of `roots` that are
    /// `kind`s. Rows that are new or whose node changed since the last call are merged into
    /// the orders built; the rest keep their places. Cost: the children appended and the
    /// entries touched since (a pass over the roots' child ids only after other edits), for
    /// rows changed a search each (`Order::recheck_few`) or, when many changed or one moved,
    /// a pass over each order's row numbers (`Order::recheck`), plus the merge (the new rows
    /// placed by binary search).
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
        let same_cols = self.cols.iter().copied().eq(cols.iter().map(|c| c.id));
        let had = self.live;
        self.behind = false;
        if !same_cols {
            self.cols = cols.iter().map(|c| c.id).collect();
            self.groups = (self.cols.iter().copied())
                .filter(|&c| grouped(c))
                .map(Groups::new)
                .collect();
            self.number_all(tree, labels, roots, kind, usize::MAX);
        } else {
            let started = self.started.clone();
            if !self.catch_up(tree, labels, roots, kind, limit) {
                // Numbered anew: the roots whose first rows that catch-up took have none yet.
                self.started = started;
                self.number_all(tree, labels, roots, kind, had.saturating_add(limit));
            }
        }
        self.synced = tree.content;
    }

    /// Numbers the new rows and merges them (and the changed ones) in; false when so much
    /// changed that a new build is cheaper. Changed rows take their share of `limit` first:
    /// a sync's cost is what it merges, whether rows arrived or changed.
    fn catch_up(
        &mut self,
        tree: &Tree,
        labels: &[&str],
        roots: &[EntryId],
        kind: NodeKind,
        limit: usize,
    ) -> bool {
        let (mut new, mut changed) = (Vec::new(), Vec::new());
        let mut found = Vec::new();
        let seen = match self.touched(tree, roots, kind) {
            Some(touched) => {
                // Only children appended and the touched entries changed: those of them
                // that are rows are the rows changed, and the new rows are after `seen`.
                changed.extend(
                    (touched.iter())
                        .filter_map(|&c| self.number.get(c as usize).copied())
                        .filter(|&r| {
                            r != NONE && tree.changed_since(self.rows[r as usize], self.synced)
                        }),
                );
                changed.sort_unstable();
                changed.dedup();
                // A changed row costs a comparison or two where its key did not move, a
                // merge where it did: a share of the limit.
                let limit = limit.saturating_sub(changed.len() / CHANGED_PER_ROW);
                self.append(tree, kind, limit, &mut new);
                self.live
            }
            None => self.pass(tree, roots, kind, limit, &mut new, &mut changed, &mut found),
        };
        self.edits = Some((tree.edits(), tree.touched()));
        // Rows gone: those the pass did not find under the roots, and changed ones whose
        // slot now holds another kind.
        let mut gone = Vec::new();
        if seen != self.live {
            gone.resize(self.rows.len(), false);
            for (r, id) in self.rows.iter_mut().enumerate() {
                if *id != NONE && !found[r] {
                    gone[r] = true;
                    self.number[*id as usize] = NONE;
                    *id = NONE;
                    self.live -= 1;
                }
            }
        }
        changed.retain(|&r| {
            let id = self.rows[r as usize];
            let stays = id != NONE && tree.get(id).node.kind == kind;
            if !stays && id != NONE {
                // Still a child, of another kind now: passed over from here on.
                self.passed_over = true;
                self.number[id as usize] = NONE;
                self.rows[r as usize] = NONE;
                self.live -= 1;
                gone.resize(self.rows.len(), false);
                gone[r as usize] = true;
            }
            stays
        });
        if self.number.len() < tree.capacity() {
            self.number.resize(tree.capacity(), NONE);
        }
        let mut arrived = Vec::with_capacity(new.len());
        for c in new {
            self.number[c as usize] = self.rows.len() as u32;
            arrived.push(self.rows.len() as u32);
            self.rows.push(c);
            self.live += 1;
        }
        if (arrived.len() + changed.len()) * MERGE_AT_MOST > self.live {
            return false;
        }
        // Which rows changed, by number: read by a pass over an order's rows, made only when
        // one takes it (not for a few changed rows, `Order::recheck_few`).
        let mut is_changed: Option<Vec<bool>> = None;
        let rows = &self.rows;
        let row = reader(rows, tree, labels);
        for g in &mut self.groups {
            let gone = (gone.iter().enumerate()).filter_map(|(r, &out)| out.then_some(r as u32));
            for r in gone.chain(changed.iter().copied()) {
                g.leave(r);
            }
            for &r in changed.iter().chain(&arrived) {
                let (node, ep) = row(r);
                g.set(r, columns::value(node, g.col, ep));
            }
        }
        for o in &mut self.orders {
            if !gone.is_empty() {
                o.remove(&gone);
            }
            // Changed rows still in order stay; the others leave and are merged again.
            let few = changed.len() * FEW <= o.len();
            let mut fresh = match changed.is_empty() {
                true => Vec::new(),
                false if few && o.recheck_few(&changed, &row) => Vec::new(),
                false => {
                    #[cfg(test)]
                    {
                        self.rechecks += 1;
                    }
                    let is_changed = is_changed.get_or_insert_with(|| {
                        let mut flags = vec![false; rows.len()];
                        for &r in &changed {
                            flags[r as usize] = true;
                        }
                        flags
                    });
                    o.recheck(is_changed, &row)
                }
            };
            if !fresh.is_empty() {
                let mut out = vec![false; rows.len()];
                for &r in &fresh {
                    out[r as usize] = true;
                }
                o.remove(&out);
            }
            fresh.extend_from_slice(&arrived);
            o.merge(&fresh, &row);
        }
        true
    }

    /// The entries touched since the last catch-up (`Tree::touched_since`), when the roots
    /// have only had children appended since: none of them is a root (whose children may
    /// have been edited in place), each root has at least the children seen, and none is a
    /// child passed over as another kind that is now `kind`.
    fn touched<'t>(
        &self,
        tree: &'t Tree,
        roots: &[EntryId],
        kind: NodeKind,
    ) -> Option<&'t [EntryId]> {
        let (edits, at) = self.edits?;
        let touched = tree.touched_since(at, edits)?;
        let same_roots = self.seen.len() == roots.len()
            && (self.seen.iter().zip(roots))
                .all(|(&(r, n), &root)| r == root && tree.get(root).children.len() >= n);
        let kept_kind = |c: EntryId| {
            let e = tree.get(c);
            let numbered = self.number.get(c as usize).is_some_and(|&r| r != NONE);
            numbered || e.node.kind != kind || e.parent().is_none_or(|p| !roots.contains(&p))
        };
        let clean = same_roots
            && !touched.iter().any(|c| roots.contains(c))
            && (!self.passed_over || touched.iter().all(|&c| kept_kind(c)));
        clean.then_some(touched)
    }

    /// Takes up to `limit` new rows among the roots' children after those seen (more for a
    /// root not started: `room`).
    fn append(&mut self, tree: &Tree, kind: NodeKind, limit: usize, new: &mut Vec<EntryId>) {
        for (root, from) in &mut self.seen {
            let children = &tree.get(*root).children;
            let (room, had) = (room(&self.started, *root, limit, new.len()), new.len());
            for &c in &children[*from..] {
                if new.len() >= room {
                    self.behind = true;
                    break;
                }
                let numbered = self.number.get(c as usize).is_some_and(|&r| r != NONE);
                if !numbered {
                    match tree.get(c).node.kind == kind {
                        true => new.push(c),
                        false => self.passed_over = true,
                    }
                }
                *from += 1;
            }
            if new.len() > had && !self.started.contains(root) {
                self.started.push(*root);
            }
        }
    }

    /// A pass over every child of the roots (after an edit the touched entries do not
    /// explain): the rows changed since the last sync, the rows still there (`found`, by
    /// row number; returns how many) and up to `limit` new ones.
    #[allow(clippy::too_many_arguments)]
    fn pass(
        &mut self,
        tree: &Tree,
        roots: &[EntryId],
        kind: NodeKind,
        limit: usize,
        new: &mut Vec<EntryId>,
        changed: &mut Vec<u32>,
        found: &mut Vec<bool>,
    ) -> usize {
        let mut seen = 0;
        #[cfg(test)]
        {
            self.passes += 1;
        }
        found.resize(self.rows.len(), false);
        self.seen.clear();
        self.passed_over = false;
        for &root in roots {
            let mut taken = None;
            let (room, had, was) = (room(&self.started, root, limit, new.len()), new.len(), seen);
            for (i, &c) in tree.get(root).children.iter().enumerate() {
                match self.number.get(c as usize).copied().filter(|&r| r != NONE) {
                    Some(r) => {
                        seen += 1;
                        found[r as usize] = true;
                        if tree.changed_since(c, self.synced) {
                            changed.push(r);
                        }
                    }
                    // Over the limit, the rows waiting are not read (an entry read each
                    // is a cache miss, thousands of them while a listing outruns the
                    // table).
                    None if new.len() >= room => {
                        self.behind = true;
                        taken.get_or_insert(i);
                    }
                    None if tree.get(c).node.kind == kind => new.push(c),
                    None => self.passed_over = true,
                }
            }
            let all = tree.get(root).children.len();
            self.seen.push((root, taken.unwrap_or(all)));
            if (new.len() > had || seen > was) && !self.started.contains(&root) {
                self.started.push(root);
            }
        }
        seen
    }

    /// Every row numbered anew in the roots' order; the orders are built again when sorted by.
    fn number_all(
        &mut self,
        tree: &Tree,
        labels: &[&str],
        roots: &[EntryId],
        kind: NodeKind,
        limit: usize,
    ) {
        // The rows each root has in the index now: numbered anew, none of them leaves because
        // the roots before it filled the limit (an endpoint's first rows, taken while the
        // others had none, vanished when theirs came: issue 18, target 2).
        let mut kept = vec![0usize; roots.len()];
        for &id in self
            .rows
            .iter()
            .filter(|&&id| id != NONE && tree.is_live(id))
        {
            if let Some(at) = tree
                .get(id)
                .parent()
                .and_then(|p| roots.iter().position(|&r| r == p))
            {
                kept[at] += 1;
            }
        }
        let (mut rows, mut started) = (Vec::new(), Vec::new());
        self.behind = false;
        for (&root, kept) in roots.iter().zip(kept) {
            let had = rows.len();
            let room = room(&self.started, root, limit, had).max(had.saturating_add(kept));
            let mut kids = (tree.get(root).children.iter().copied())
                .filter(|&c| tree.get(c).node.kind == kind);
            rows.extend(kids.by_ref().take(room.saturating_sub(had)));
            self.behind |= kids.next().is_some();
            if rows.len() > had {
                started.push(root);
            }
        }
        (self.rows, self.started) = (rows, started);
        self.number.clear();
        self.number.resize(tree.capacity(), NONE);
        // Which children were taken is not kept: the next sync reads them all.
        self.edits = None;
        for (r, &id) in self.rows.iter().enumerate() {
            self.number[id as usize] = r as u32;
        }
        self.live = self.rows.len();
        self.orders.clear();
        let row = reader(&self.rows, tree, labels);
        for g in &mut self.groups {
            *g = Groups::new(g.col);
            g.reserve(self.rows.len());
            for r in 0..self.rows.len() as u32 {
                let (node, ep) = row(r);
                g.set(r, columns::value(node, g.col, ep));
            }
        }
        self.epoch += 1;
    }

    /// Builds `col`'s order over the rows there are (and the name order first, when there is
    /// none), then drops the least recently sorted by over `KEEP`.
    fn add_order(&mut self, tree: &Tree, labels: &[&str], col: ColumnId) {
        let rows = &self.rows;
        let row = reader(rows, tree, labels);
        let live: Vec<u32> = (0..rows.len() as u32)
            .filter(|&r| rows[r as usize] != NONE)
            .collect();
        if !self.orders.iter().any(|o| o.col == ColumnId::Name) {
            self.orders.push(name_order(&live, &row));
        }
        if col != ColumnId::Name && !grouped(col) {
            let name = self.orders.iter().find(|o| o.col == ColumnId::Name);
            let ranks = name_ranks(name.expect("just built"), rows.len());
            let order = column_order(col, &live, &row, &ranks);
            self.orders.push(order);
        }
        self.keep_at_most();
    }

    /// Builds what a sort by `col` reads that is missing (the name order, and `col`'s order
    /// unless it is grouped), so a layout after this only reads: orders dropped when every row
    /// was numbered anew are built in the sync that dropped them, not by the next frame's
    /// layout (a sort of every row taken since, inside a frame).
    pub fn prepare(&mut self, tree: &Tree, labels: &[&str], col: ColumnId) {
        let has = |c: ColumnId| self.orders.iter().any(|o| o.col == c);
        if !self.cols.contains(&col) || self.rows.is_empty() {
            return;
        }
        if !has(ColumnId::Name) || (!grouped(col) && !has(col)) {
            self.add_order(tree, labels, col);
        }
    }

    /// Whether sorting by `col` must first build its order (over a table with rows and a
    /// name order): a sort of every row's key, which `job` takes off the UI thread.
    pub fn must_build(&self, col: ColumnId) -> bool {
        let has = |c: ColumnId| self.orders.iter().any(|o| o.col == c);
        self.cols.contains(&col) && !grouped(col) && !has(col) && has(ColumnId::Name)
    }

    /// The job building `col`'s order (see `must_build`) over the rows the index has, with
    /// no value read yet: `read_keys` reads them (a pass over the rows, a cache miss or two
    /// each: ~30 ms at 300,000 rows, so in slices), `SortJob::run` sorts them.
    pub fn job(&self, tree: &Tree, labels: &[&str], col: ColumnId) -> SortJob {
        let rows = &self.rows;
        let live: Vec<u32> = (0..rows.len() as u32)
            .filter(|&r| rows[r as usize] != NONE)
            .collect();
        let first = live.first().map(|&r| {
            let e = tree.get(rows[r as usize]);
            columns::value(&e.node, col, labels[e.endpoint()])
        });
        let name = self.orders.iter().find(|o| o.col == ColumnId::Name);
        SortJob {
            col,
            keys: Keys::like(first, live.len()),
            live,
            name: name.expect("must_build: there is a name order").clone(),
            // Rows changed after this are placed again by `install`, whenever their value
            // was read.
            stamp: Stamp {
                epoch: self.epoch,
                rows: rows.len(),
                content: tree.content,
            },
            cancel: Arc::default(),
        }
    }

    /// Reads the values of up to `budget` more of the job's rows from the tree as it is now
    /// (rows gone meanwhile count as unknown: `install` drops them).
    pub fn read_keys(
        &self,
        job: &mut SortJob,
        tree: &Tree,
        labels: &[&str],
        budget: usize,
    ) -> Reading {
        if job.stamp.epoch != self.epoch {
            return Reading::Stale;
        }
        let from = job.keys.len();
        let to = job.live.len().min(from.saturating_add(budget));
        for &r in &job.live[from..to] {
            let value = (self.rows.get(r as usize).copied())
                .filter(|&id| id != NONE && tree.is_live(id))
                .map(|id| {
                    let e = tree.get(id);
                    columns::value(&e.node, job.col, labels[e.endpoint()])
                });
            job.keys.push(value);
        }
        match to == job.live.len() {
            true => Reading::Done,
            false => Reading::More,
        }
    }

    /// Puts in an order a job built, as the most recently sorted by: rows gone since the job
    /// read them leave it, rows that arrived or changed since are merged in (each placed by
    /// binary search, as pages are). False when it no longer fits: every row was numbered
    /// anew since, or so many rows arrived that a new build is cheaper than the merge.
    pub fn install(&mut self, tree: &Tree, labels: &[&str], built: BuiltOrder) -> bool {
        let BuiltOrder { mut order, stamp } = built;
        if stamp.epoch != self.epoch || !self.cols.contains(&order.col) {
            return false;
        }
        if self.orders.iter().any(|o| o.col == order.col) {
            return true;
        }
        // Rows gone since leave; rows whose node changed since leave too and are merged
        // again with their values of now, so every row left has the value it was sorted by.
        let changed = tree.content != stamp.content;
        let (mut out, mut fresh) = (vec![false; self.rows.len()], Vec::new());
        for (r, &id) in self.rows[..stamp.rows].iter().enumerate() {
            // A row freed since (the index has yet to see it go) has no value to place.
            if id == NONE || !tree.is_live(id) {
                out[r] = true;
            } else if changed && tree.changed_since(id, stamp.content) {
                out[r] = true;
                fresh.push(r as u32);
            }
        }
        let arrived = stamp.rows as u32..self.rows.len() as u32;
        fresh.extend(arrived.filter(|&r| {
            let id = self.rows[r as usize];
            id != NONE && tree.is_live(id)
        }));
        if fresh.len() * MERGE_AT_MOST > self.live {
            return false;
        }
        let rows = &self.rows;
        let row = reader(rows, tree, labels);
        if out.contains(&true) {
            order.remove(&out);
        }
        order.merge(&fresh, &row);
        self.orders.push(order);
        self.keep_at_most();
        true
    }

    /// The least recently sorted by go first, over `KEEP` (the name order stays).
    fn keep_at_most(&mut self) {
        while self.orders.len() > KEEP {
            let old = self.orders.iter().position(|o| o.col != ColumnId::Name);
            self.orders.remove(old.expect("more than the name order"));
        }
    }

    /// How many rows the table has.
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Whether the last `sync` left new rows out (over its limit): sync again.
    pub fn behind(&self) -> bool {
        self.behind
    }

    /// The bytes the index holds: its rows, the entry → row map and the orders built.
    pub fn bytes(&self) -> usize {
        let orders: usize = self.orders.iter().map(Order::bytes).sum();
        let groups: usize = self.groups.iter().map(Groups::bytes).sum();
        (self.rows.capacity() + self.number.capacity()) * size_of::<u32>() + orders + groups
    }

    /// Every row, sorted by `col` in that direction (one of the synced columns; another
    /// gives the rows unsorted), written over `out`: a table laid out each frame reuses the
    /// last frame's buffer instead of faulting in a fresh one (1.2 MB at 300,000 rows; the
    /// allocator gives freed pages back at once). Reads the order only, no value, once
    /// built: the first sort by a column builds its order (a sort of every row's key).
    pub fn sorted_into(
        &mut self,
        tree: &Tree,
        labels: &[&str],
        col: ColumnId,
        desc: bool,
        out: &mut Vec<EntryId>,
    ) {
        out.clear();
        if !self.cols.contains(&col) {
            out.extend(self.rows.iter().copied().filter(|&id| id != NONE));
            return;
        }
        if let Some(g) = self.groups.iter().position(|g| g.col == col) {
            if !self.orders.iter().any(|o| o.col == ColumnId::Name) {
                self.add_order(tree, labels, ColumnId::Name);
            }
            let name = self.orders.iter().find(|o| o.col == ColumnId::Name);
            let name = name.expect("just built");
            let entry = |r: u32| self.rows[r as usize];
            self.groups[g].rows(name.ascending(), name.len(), desc, entry, out);
            return;
        }
        match self.orders.iter().position(|o| o.col == col) {
            // The most recently sorted by last: the others go first when one must.
            Some(i) => {
                let o = self.orders.remove(i);
                self.orders.push(o);
            }
            None => self.add_order(tree, labels, col),
        }
        let order = self.orders.last().expect("built");
        let entry = |r: u32| self.rows[r as usize];
        match desc {
            false => out.extend(order.ascending().map(entry)),
            true => out.extend(order.descending().into_iter().map(entry)),
        }
    }
}

#[cfg(test)]
mod tests;
