//! One column's ascending order of a table's rows, kept in blocks so that rows arriving by the
//! thousand while 300,000 are in place cost what they bring: each block keeps its first row's
//! sort key (a `Fence`, owned), so placing a row is a binary search of the fences that reads
//! no tree entry, then of one block (a few entries read, not the ~18 cache misses of a search
//! over every row), and inserting it shifts one block, not a copy of the whole order.
//!
//! The name order (the one every table keeps, merged into while a listing lands) also keeps,
//! beside each block's rows, 4 bytes of each name's natural key (`Prefixes`): the in-block
//! search compares those and reads a tree entry (a cache miss) only where two are equal.
//! Another column's order does the same among a block's rows of one value (its first run,
//! known from the run marks: a state or a CPU count holds thousands of rows, ordered by
//! name), so a row landing there is placed as in the name order.

use std::cmp::Ordering;

use super::{Key, Row, cmp_keys, known, natural_key};
use crate::api::columns::{self, ColumnId, Value};

/// In an order: this row's value differs from the row before it (a run of equal values
/// starts here), so a downward sort reverses runs without comparing any value.
pub const RUN: u32 = 1 << 31;

/// Rows a block is cut to when built; one grown past twice this is split in two. (Tests cut
/// small blocks, so their few dozen rows cross many.)
#[cfg(not(test))]
const BLOCK: usize = 256;
#[cfg(test)]
const BLOCK: usize = 3;

/// A block's first row as the comparator reads it, owned: its value (a text value, or a
/// state's words, is kept in `texts`, unless the column is the name), its name and endpoint (in `texts` too: one
/// allocation), and its number.
struct Fence {
    value: Value<'static>,
    /// The name, then the text value, then the endpoint's label.
    texts: Box<str>,
    /// In a name order, the name's natural key (`natural_key`; empty in another order): a
    /// row is placed among the fences by comparing bytes, not names digit run by digit run.
    key: Box<[u8]>,
    name_end: u32,
    text_end: u32,
    row: u32,
}

impl Fence {
    fn of(col: ColumnId, r: u32, (node, endpoint): Row) -> Fence {
        let name = node.name.as_str();
        let (value, text) = match columns::value(node, col, endpoint) {
            Value::Text(t) => (Value::Text(""), if col == ColumnId::Name { "" } else { t }),
            Value::State(rank, t) => (Value::State(rank, ""), t),
            Value::Number(n) => (Value::Number(n), ""),
            Value::Time(t) => (Value::Time(t), ""),
        };
        let mut key = Vec::new();
        if col == ColumnId::Name {
            natural_key(name, &mut key);
        }
        Fence {
            value,
            texts: [name, text, endpoint].concat().into(),
            key: key.into(),
            name_end: name.len() as u32,
            text_end: (name.len() + text.len()) as u32,
            row: r,
        }
    }

    fn name(&self) -> &str {
        &self.texts[..self.name_end as usize]
    }

    /// The first row's value.
    fn value(&self, col: ColumnId) -> Value<'_> {
        let (name, text) = (self.name_end as usize, self.text_end as usize);
        match &self.value {
            Value::Text(_) if col == ColumnId::Name => Value::Text(self.name()),
            Value::Text(_) => Value::Text(&self.texts[name..text]),
            Value::State(rank, _) => Value::State(*rank, &self.texts[name..text]),
            v => v.clone(),
        }
    }

    /// `cmp`, against a row whose name's natural key is `key`: in a name order, where the
    /// two keys differ they decide, as they order names (`natural_key`); empty names, whose
    /// keys say nothing, and equal keys are compared in full.
    fn cmp_keyed(&self, col: ColumnId, r: u32, row: Row, key: &[u8]) -> Ordering {
        if !self.key.is_empty() && !key.is_empty() {
            let o = (*self.key).cmp(key);
            if o.is_ne() {
                return o;
            }
        }
        self.cmp(col, r, row)
    }

    /// This fence against row `r`, as `cmp_rows` would compare its row with `r`.
    fn cmp(&self, col: ColumnId, r: u32, (node, endpoint): Row) -> Ordering {
        let text = self.text_end as usize;
        (columns::compare(&self.value(col), &columns::value(node, col, endpoint)))
            .then_with(|| columns::compare(&Value::Text(self.name()), &Value::Text(&node.name)))
            .then_with(|| columns::natural_cmp(&self.texts[text..], endpoint))
            .then(self.row.cmp(&r))
    }
}

/// A name order's block: for each row, 4 bytes of its name's natural key (`natural_key`)
/// after those all the block's rows shared when read (`skip`; names in a block of 256 share
/// most of theirs, e.g. `web-0\0\0\0\x0412` of `web-12001`..`web-12400`), as an integer
/// that orders like the names (`window`).
struct Prefixes {
    skip: Box<[u8]>,
    /// One a row, beside `Block::rows`; 0: unknown (a row that shares less than `skip`, or
    /// has no name): compare the rows themselves.
    of: Vec<u32>,
}

/// The bytes of `key` after `skip` (zero-padded to 4) as an integer that orders as the keys
/// do where two differ (equal ones say nothing: the bytes after, or the last bit dropped to
/// keep 0 free, may differ); 0 for a key that does not start with `skip`, or an empty one (no
/// name, which sorts last where its key would come first).
fn window(key: &[u8], skip: &[u8]) -> u32 {
    let Some(rest) = key.strip_prefix(skip).filter(|_| !key.is_empty()) else {
        return 0;
    };
    let mut w = [0u8; 4];
    let n = rest.len().min(4);
    w[..n].copy_from_slice(&rest[..n]);
    (u32::from_be_bytes(w) >> 1) + 1
}

impl Prefixes {
    /// Read for a name order's `rows` (a tree entry each): the skip is what the first and
    /// the last row's keys share, so every row between shares it too.
    fn read<'a>(rows: &[u32], room: usize, row: &impl Fn(u32) -> Row<'a>) -> Prefixes {
        let key = |r: u32, out: &mut Vec<u8>| {
            out.clear();
            natural_key(&row(r & !RUN).0.name, out);
        };
        let (mut skip, mut last, mut buf) = (Vec::new(), Vec::new(), Vec::new());
        if let (Some(&first), Some(&end)) = (rows.first(), rows.last()) {
            key(first, &mut skip);
            key(end, &mut last);
        }
        let shared = skip.iter().zip(&last).take_while(|(a, b)| a == b).count();
        skip.truncate(shared);
        // As much room as the rows have: the two grow together.
        let mut of = Vec::with_capacity(room);
        of.extend(rows.iter().map(|&r| {
            key(r, &mut buf);
            window(&buf, &skip)
        }));
        Prefixes {
            skip: skip.into(),
            of,
        }
    }

    /// A split block's half keeps the whole block's windows (`of`, its share) when its rows
    /// share no more of their keys than the whole block's did (its first and last rows' keys
    /// tell): a read would give the same skip and windows. Otherwise None, read again when
    /// next merged into (windows after the shorter skip left more ties to read rows for: a
    /// 300,000-row fill took 17 % longer than reading them again).
    fn kept<'a>(
        skip: Box<[u8]>,
        of: Vec<u32>,
        rows: &[u32],
        row: &impl Fn(u32) -> Row<'a>,
    ) -> Option<Prefixes> {
        let key = |r: u32| {
            let mut k = Vec::new();
            natural_key(&row(r & !RUN).0.name, &mut k);
            k
        };
        let (first, last) = (key(*rows.first()?), key(*rows.last()?));
        let shared = first.iter().zip(&last).take_while(|(a, b)| a == b).count();
        (shared == skip.len()).then_some(Prefixes { skip, of })
    }

    /// Whether the rows at `i` and with window `w` are known to differ in name.
    fn differ(&self, i: usize, w: u32) -> bool {
        let p = self.of[i];
        p != 0 && w != 0 && p != w
    }
}

struct Block {
    /// Row numbers, each with `RUN` when it starts a run.
    rows: Vec<u32>,
    /// The first row's key; None until the first merge reads it (an order built off the UI
    /// thread has no tree to read it from).
    fence: Option<Fence>,
    /// None until a merge places a row in the block (in another column's order: among the
    /// rows of its first run), and again after a split (each half then reads a longer skip).
    prefixes: Option<Prefixes>,
}

impl Block {
    fn new(rows: Vec<u32>) -> Block {
        Block {
            rows,
            fence: None,
            prefixes: None,
        }
    }
}

/// `s.partition_point(pred)`, searched from the start outwards (1, 2, 4, … places, then
/// halving): a few steps where the answer is near the start, as for a run of rows in order.
fn gallop<T>(s: &[T], pred: impl Fn(&T) -> bool) -> usize {
    // Every place before `lo` is known to pass.
    let (mut lo, mut hi) = (0, 1);
    while hi <= s.len() && pred(&s[hi - 1]) {
        lo = hi;
        hi *= 2;
    }
    lo + s[lo..(hi - 1).min(s.len())].partition_point(pred)
}

/// One column's rows in ascending order.
pub struct Order {
    pub col: ColumnId,
    blocks: Vec<Block>,
    len: usize,
    /// How many rows have a known value: they come first, the unknown ones after them.
    pub known: usize,
}

impl Order {
    /// The order of `rows` (ascending, runs marked), `known` of which have a known value.
    pub fn new(col: ColumnId, rows: Vec<u32>, known: usize) -> Order {
        let len = rows.len();
        let blocks = match len <= BLOCK {
            true if len == 0 => Vec::new(),
            true => vec![Block::new(rows)],
            false => rows.chunks(BLOCK).map(|c| Block::new(c.to_vec())).collect(),
        };
        Order {
            col,
            blocks,
            len,
            known,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Bytes held: the rows (with their blocks' spare room), the fences and the prefixes.
    pub fn bytes(&self) -> usize {
        let fence = |f: &Fence| f.texts.len() + f.key.len();
        let prefixes = |p: &Prefixes| p.skip.len() + p.of.capacity() * size_of::<u32>();
        (self.blocks.iter())
            .map(|b| {
                size_of::<Block>()
                    + b.rows.capacity() * size_of::<u32>()
                    + b.fence.as_ref().map_or(0, fence)
                    + b.prefixes.as_ref().map_or(0, prefixes)
            })
            .sum()
    }

    /// The row before position (`b`, `at`), if any.
    fn before(&self, b: usize, at: usize) -> Option<u32> {
        match at {
            0 => b
                .checked_sub(1)
                .and_then(|p| self.blocks[p].rows.last().copied()),
            _ => Some(self.blocks[b].rows[at - 1]),
        }
    }

    /// Where position (`b`, `at`) is, if a row is there or in the next block's first place.
    fn at(&self, b: usize, at: usize) -> Option<(usize, usize)> {
        match at < self.blocks[b].rows.len() {
            true => Some((b, at)),
            false => (b + 1 < self.blocks.len()).then_some((b + 1, 0)),
        }
    }

    /// Merges `fresh` rows in: each placed by a binary search of the fences, then of one
    /// block (by the prefixes where they differ, in a name order), and inserted there; a run
    /// mark is set on each fresh row and on the row after it, comparing with its neighbour.
    pub fn merge<'a>(&mut self, fresh: &[u32], row: &impl Fn(u32) -> Row<'a>) {
        let col = self.col;
        let names = col == ColumnId::Name;
        let value = |r: u32| columns::value(row(r).0, col, row(r).1);
        let same = |a: u32, b: u32| columns::compare(&value(a), &value(b)) == Ordering::Equal;
        // Each new row's key read once, not at each of its comparisons. Not sorted: rows come
        // in runs already in order (a page by name, a list sorted by name), and each row's
        // block is found from the last one's (`from`), so a run costs a comparison or two a
        // row, where sorting them first cost ~18 % of a 300,000-row fill.
        let keys: Vec<Key> = (fresh.iter()).map(|&r| Key::of(col, r, row(r))).collect();
        // And its name's natural key, one after another (`ends`).
        let (mut natural, mut ends) = (Vec::new(), Vec::new());
        for key in &keys {
            natural_key(key.name, &mut natural);
            ends.push(natural.len());
        }
        let natural_of = |i: usize| match i {
            0 => &natural[..ends[0]],
            i => &natural[ends[i - 1]..ends[i]],
        };
        for b in &mut self.blocks {
            if b.fence.is_none() {
                let first = b.rows[0] & !RUN;
                b.fence = Some(Fence::of(col, first, row(first)));
            }
        }
        // The block the last row went to: a row after it in order goes there or a little
        // after, found by galloping from there; one before it, from the first block.
        let mut from = 0;
        for (i, key) in keys.into_iter().enumerate() {
            let (f, fr) = (key.row, row(key.row));
            if self.blocks.is_empty() {
                self.blocks.push(Block::new(Vec::new()));
            }
            let before = |blk: &Block| {
                (blk.fence.as_ref())
                    .is_some_and(|fence| fence.cmp_keyed(col, f, fr, natural_of(i)).is_lt())
            };
            if !before(&self.blocks[from]) {
                from = 0;
            }
            let b = (from + gallop(&self.blocks[from..], before)).saturating_sub(1);
            from = b;
            let blk = &mut self.blocks[b];
            // Another column's rows before the block's first run mark have its fence's value:
            // a row of that value goes among them (not after: the next runs' values are
            // greater), ordered by name alone.
            let run_end = match names {
                true => blk.rows.len(),
                false => (blk.rows.get(1..).unwrap_or(&[]).iter())
                    .position(|&x| x & RUN != 0)
                    .map_or(blk.rows.len(), |p| p + 1),
            };
            let by_name = names
                || (blk.fence.as_ref()).is_some_and(|fence| {
                    columns::compare(&fence.value(col), &key.value) == Ordering::Equal
                });
            if by_name && blk.prefixes.is_none() {
                blk.prefixes = Some(Prefixes::read(&blk.rows, blk.rows.capacity(), row));
            }
            let blk = &self.blocks[b];
            let w = match by_name {
                true => (blk.prefixes.as_ref()).map_or(0, |p| window(natural_of(i), &p.skip)),
                false => 0,
            };
            let differ = |at: usize| blk.prefixes.as_ref().is_some_and(|p| p.differ(at, w));
            // Names that differ are values that differ only in the name order.
            let value_differs = |at: usize| names && differ(at);
            // Among rows of the key's value, whether the next row is (another column's).
            let same_run = !names && by_name;
            // The binary search of `partition_point`, a prefix deciding where it can.
            let (mut lo, mut hi) = (0, if same_run { run_end } else { blk.rows.len() });
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let o = blk.rows[mid] & !RUN;
                let before = match differ(mid) {
                    true => blk.prefixes.as_ref().is_some_and(|p| p.of[mid] < w),
                    false => cmp_keys(&Key::of(col, o, row(o)), &key).is_lt(),
                };
                match before {
                    true => lo = mid + 1,
                    false => hi = mid,
                }
            }
            let at = lo;
            // Neighbours in this block whose prefix differs hold another value (a name
            // order), or the rows of the key's value end at `run_end` (another's): no value
            // read for those.
            let starts = match same_run && at > 0 {
                true => false,
                false => {
                    (at > 0 && value_differs(at - 1))
                        || self.before(b, at).is_none_or(|p| !same(p & !RUN, f))
                }
            };
            let next_same = match at < blk.rows.len() {
                true if same_run => Some(at < run_end),
                true if value_differs(at) => Some(false),
                _ => None,
            };
            if let Some((nb, na)) = self.at(b, at) {
                let next = &mut self.blocks[nb].rows[na];
                match next_same.unwrap_or_else(|| same(f, *next & !RUN)) {
                    true => *next &= !RUN,
                    false => *next |= RUN,
                }
            }
            let blk = &mut self.blocks[b];
            if blk.rows.len() == blk.rows.capacity() {
                // Grown by a sixteenth, not doubled: an order is 4 bytes a row, kept so.
                blk.rows.reserve_exact(blk.rows.len() / 16 + 1);
            }
            blk.rows.insert(at, if starts { f | RUN } else { f });
            if let Some(p) = &mut blk.prefixes {
                if p.of.len() == p.of.capacity() {
                    p.of.reserve_exact(p.of.len() / 16 + 1);
                }
                p.of.insert(at, w);
            }
            if at == 0 {
                self.blocks[b].fence = Some(Fence::of(col, f, fr));
            }
            self.len += 1;
            self.known += usize::from(known(&value(f)));
            if self.blocks[b].rows.len() > 2 * BLOCK {
                let mut second = self.blocks[b].rows.split_off(BLOCK);
                second.shrink_to_fit();
                let first = second[0] & !RUN;
                let fence = Some(Fence::of(col, first, row(first)));
                // The first half gives back the room it grew to (twice what it holds), or its
                // prefixes, read as roomy as its rows, would take that twice.
                self.blocks[b].rows.shrink_to_fit();
                let (kept, second_kept) = match self.blocks[b].prefixes.take() {
                    Some(mut p) => {
                        let second_of = p.of.split_off(BLOCK);
                        p.of.shrink_to_fit();
                        let skip = p.skip.clone();
                        (
                            Prefixes::kept(p.skip, p.of, &self.blocks[b].rows, row),
                            Prefixes::kept(skip, second_of, &second, row),
                        )
                    }
                    None => (None, None),
                };
                self.blocks[b].prefixes = kept;
                self.blocks.insert(
                    b + 1,
                    Block {
                        rows: second,
                        fence,
                        prefixes: second_kept,
                    },
                );
            }
        }
    }

    /// Of the rows `changed` marks (their nodes changed since they were placed), keeps in
    /// place those still in order, and gives back the others, to be removed and merged
    /// again. A pass over the rows' numbers, reading only the changed rows and their
    /// nearest unchanged neighbours: a changed node whose key did not move (a health dot, a
    /// status that is not the column) costs a comparison or two, not a merge.
    ///
    /// Each run of changed rows between two unchanged ones stays if it is in order between
    /// them (the unchanged rows around kept and moved runs are as ordered as before, so the
    /// whole order stays sorted); its run marks, and the next row's, are set anew.
    pub fn recheck<'a>(&mut self, changed: &[bool], row: &impl Fn(u32) -> Row<'a>) -> Vec<u32> {
        let mut moving = Vec::new();
        let mut before: Option<u32> = None;
        // The changed rows since the last unchanged one: block, place, whether its value
        // was known (among the first `known`).
        let mut run: Vec<(usize, usize, bool)> = Vec::new();
        let (mut place, mut known) = (0, 0);
        for b in 0..self.blocks.len() {
            for i in 0..self.blocks[b].rows.len() {
                let r = self.blocks[b].rows[i] & !RUN;
                place += 1;
                if changed[r as usize] {
                    run.push((b, i, place <= self.known));
                    continue;
                }
                known += usize::from(place <= self.known);
                if !run.is_empty() {
                    known += self.settle(&run, before, Some((b, i)), row, &mut moving);
                    run.clear();
                }
                before = Some(r);
            }
        }
        if !run.is_empty() {
            known += self.settle(&run, before, None, row, &mut moving);
        }
        // Rows moving count as known until removed (as `remove` counts them), merged again
        // with their values of now.
        self.known = known;
        moving
    }

    /// `recheck` for a few changed rows, without a pass over the others: each is found by a
    /// search for its key of now (the fences, then its block) and kept if it sits between its
    /// neighbours, its run mark and the next row's set anew. False, and the order untouched,
    /// when one is not found there (its key moved, or the search crossed a fence or another
    /// changed row that moved): `recheck` then. A changed node whose key did not move (a
    /// status the column does not read) costs ~20 comparisons, not a pass over 300,000 rows.
    ///
    /// Rows are never moved, so each pair of neighbours either did not change (in order as
    /// before) or holds a changed row checked against both of its neighbours: the whole order
    /// is as sorted as `recheck` would leave it.
    pub fn recheck_few<'a>(&mut self, changed: &[u32], row: &impl Fn(u32) -> Row<'a>) -> bool {
        let col = self.col;
        for b in &mut self.blocks {
            if b.fence.is_none() {
                let first = b.rows[0] & !RUN;
                b.fence = Some(Fence::of(col, first, row(first)));
            }
        }
        let key = |r: u32| Key::of(col, r, row(r));
        let mut found = Vec::with_capacity(changed.len());
        for &r in changed {
            let (k, fr) = (key(r), row(r));
            let past = self.blocks.partition_point(|blk| {
                (blk.fence.as_ref()).is_some_and(|fence| fence.cmp(col, r, fr).is_lt())
            });
            let b = past.saturating_sub(1);
            let Some(blk) = self.blocks.get(b) else {
                return false;
            };
            let i = (blk.rows).partition_point(|&x| cmp_keys(&key(x & !RUN), &k).is_lt());
            let Some((b, i)) = self.at(b, i) else {
                return false;
            };
            let before = self.before(b, i).map(|p| key(p & !RUN));
            let after = self
                .at(b, i + 1)
                .map(|(nb, ni)| key(self.blocks[nb].rows[ni] & !RUN));
            let placed = self.blocks[b].rows[i] & !RUN == r
                && before.as_ref().is_none_or(|p| cmp_keys(p, &k).is_lt())
                && after.as_ref().is_none_or(|n| cmp_keys(&k, n).is_lt());
            if !placed {
                return false;
            }
            found.push((b, i, known(&k.value)));
        }
        // Kept. The known values still come first: each changed row was known if it sat
        // among the first `known`, and is known now as its value says.
        let mut start = Vec::with_capacity(self.blocks.len());
        let mut place = 0;
        for blk in &self.blocks {
            start.push(place);
            place += blk.rows.len();
        }
        let was_known = self.known;
        for &(b, i, is_known) in &found {
            self.known = self.known + usize::from(is_known) - usize::from(start[b] + i < was_known);
        }
        // The marks from the values of now (a changed neighbour's too: both are read now).
        let value = |r: u32| columns::value(row(r).0, col, row(r).1);
        let differs = |a: u32, b: u32| columns::compare(&value(a), &value(b)).is_ne();
        for &(b, i, _) in &found {
            let r = self.blocks[b].rows[i] & !RUN;
            let starts = self.before(b, i).is_none_or(|p| differs(p & !RUN, r));
            let next = self.at(b, i + 1);
            let blk = &mut self.blocks[b];
            blk.rows[i] = if starts { r | RUN } else { r };
            // The prefix and the fence read the node as it was.
            if let Some(p) = &mut blk.prefixes {
                p.of[i] = 0;
            }
            if i == 0 {
                blk.fence = None;
            }
            if let Some((nb, ni)) = next {
                let n = self.blocks[nb].rows[ni];
                self.blocks[nb].rows[ni] = match differs(r, n & !RUN) {
                    true => n | RUN,
                    false => n & !RUN,
                };
            }
        }
        true
    }

    /// One run of changed rows (`recheck`), between the unchanged rows `before` and `after`
    /// (at that place), kept or given to `moving`; how many of its rows count as known.
    fn settle<'a>(
        &mut self,
        run: &[(usize, usize, bool)],
        before: Option<u32>,
        after: Option<(usize, usize)>,
        row: &impl Fn(u32) -> Row<'a>,
        moving: &mut Vec<u32>,
    ) -> usize {
        let col = self.col;
        let at = |b: usize, i: usize| self.blocks[b].rows[i] & !RUN;
        let rows: Vec<u32> = (before.into_iter())
            .chain(run.iter().map(|&(b, i, _)| at(b, i)))
            .chain(after.map(|(b, i)| at(b, i)))
            .collect();
        let keys: Vec<Key> = rows.iter().map(|&r| Key::of(col, r, row(r))).collect();
        if !keys.windows(2).all(|w| cmp_keys(&w[0], &w[1]).is_lt()) {
            moving.extend(run.iter().map(|&(b, i, _)| at(b, i)));
            return run.iter().filter(|&&(_, _, k)| k).count();
        }
        // Kept: the marks from the values of now.
        let differs =
            |k: usize| k == 0 || columns::compare(&keys[k - 1].value, &keys[k].value).is_ne();
        let from = usize::from(before.is_some());
        for (j, &(b, i, _)) in run.iter().enumerate() {
            let blk = &mut self.blocks[b];
            blk.rows[i] = match differs(from + j) {
                true => blk.rows[i] | RUN,
                false => blk.rows[i] & !RUN,
            };
            // The prefix and the fence read the node as it was.
            if let Some(p) = &mut blk.prefixes {
                p.of[i] = 0;
            }
            if i == 0 {
                blk.fence = None;
            }
        }
        if let Some((b, i)) = after {
            let next = &mut self.blocks[b].rows[i];
            *next = match differs(keys.len() - 1) {
                true => *next | RUN,
                false => *next & !RUN,
            };
        }
        keys[from..from + run.len()]
            .iter()
            .filter(|k| known(&k.value))
            .count()
    }

    /// Drops the rows `out` marks; a run mark on a dropped row moves to the next kept one.
    /// Each block keeps its place, its prefixes (the rows left share the skip all shared)
    /// and its fence unless its first row went: a pass over the rows' numbers, no tree entry
    /// read, so rows changing by the thousand (merged again after) cost what they bring, not
    /// a new read of every block's fence and prefixes (~256 cache misses a block).
    pub fn remove(&mut self, out: &[bool]) {
        let (mut carry, mut at, mut known) = (false, 0, 0);
        let was_known = self.known;
        for b in &mut self.blocks {
            let first = b.rows.first().map(|&x| x & !RUN);
            let mut kept = 0;
            for i in 0..b.rows.len() {
                let mut x = b.rows[i];
                let is_known = at < was_known;
                at += 1;
                if out[(x & !RUN) as usize] {
                    carry |= x & RUN != 0;
                    continue;
                }
                if std::mem::take(&mut carry) {
                    x |= RUN;
                }
                known += usize::from(is_known);
                b.rows[kept] = x;
                if let Some(p) = &mut b.prefixes {
                    p.of[kept] = p.of[i];
                }
                kept += 1;
            }
            b.rows.truncate(kept);
            if let Some(p) = &mut b.prefixes {
                p.of.truncate(kept);
            }
            if b.rows.first().map(|&x| x & !RUN) != first {
                b.fence = None;
            }
        }
        self.blocks.retain(|b| !b.rows.is_empty());
        self.len = self.blocks.iter().map(|b| b.rows.len()).sum();
        self.known = known;
    }

    /// Whether every run mark and the count of known values are right (tests).
    #[cfg(test)]
    pub fn marks_right<'a>(&self, row: &impl Fn(u32) -> Row<'a>) -> bool {
        let rows = self.flat();
        let value = |r: u32| columns::value(row(r & !RUN).0, self.col, row(r & !RUN).1);
        let marks = (rows.iter().enumerate()).all(|(i, &r)| {
            let differs = i == 0 || columns::compare(&value(rows[i - 1]), &value(r)).is_ne();
            differs == (r & RUN != 0)
        });
        let known_rows = rows.iter().filter(|&&r| known(&value(r))).count();
        marks && known_rows == self.known
    }

    /// The rows with their marks, one after another.
    fn flat(&self) -> Vec<u32> {
        let mut rows = Vec::with_capacity(self.len);
        for b in &self.blocks {
            rows.extend_from_slice(&b.rows);
        }
        rows
    }

    /// Row numbers downwards: runs of equal known values in reverse, each run in its own
    /// (name) order, then the unknown values as they were.
    pub fn descending(&self) -> Vec<u32> {
        let rows = self.flat();
        let mut out = Vec::with_capacity(rows.len());
        let mut end = self.known;
        for i in (0..self.known).rev() {
            if i == 0 || rows[i] & RUN != 0 {
                out.extend(rows[i..end].iter().map(|x| x & !RUN));
                end = i;
            }
        }
        out.extend(rows[self.known..].iter().map(|x| x & !RUN));
        out
    }

    pub fn ascending(&self) -> impl Iterator<Item = u32> + Clone + '_ {
        (self.blocks.iter()).flat_map(|b| b.rows.iter().map(|x| x & !RUN))
    }
}

impl Clone for Order {
    /// A copy without the fences (read again at its first merge).
    fn clone(&self) -> Order {
        Order::new(self.col, self.flat(), self.known)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::{Node, NodeKind};
    use proptest::prelude::*;

    /// Rows changing by the thousand leave and are merged again: a removal keeps every block
    /// whose first row stays as it was read (fence and prefixes), so the merge after reads
    /// no block anew.
    #[test]
    fn a_removal_keeps_what_the_blocks_read() {
        let nodes: Vec<Node> = (0..12)
            .map(|i| Node::new(NodeKind::Vm, format!("vm/{i}"), format!("web-{i:02}")))
            .collect();
        let row = |r: u32| (&nodes[r as usize], "vcd");
        let mut order = Order::new(ColumnId::Name, Vec::new(), 0);
        order.merge(&(0..12).collect::<Vec<u32>>(), &row);
        let read = |o: &Order| -> Vec<(bool, bool)> {
            (o.blocks.iter())
                .map(|b| (b.fence.is_some(), b.prefixes.is_some()))
                .collect()
        };
        let before = read(&order);
        assert!(
            before.iter().all(|&(f, _)| f),
            "every fence read by the merge"
        );
        // Not a block's first row: every block keeps what it read.
        let firsts: Vec<u32> = order.blocks.iter().map(|b| b.rows[0] & !RUN).collect();
        let out: Vec<bool> = (0..12)
            .map(|r| r % 2 == 1 && !firsts.contains(&r))
            .collect();
        order.remove(&out);
        assert_eq!(read(&order), before);
        let kept: Vec<u32> = (0..12).filter(|&r| !out[r as usize]).collect();
        assert_eq!(order.ascending().collect::<Vec<_>>(), kept);
        assert_eq!(order.len(), kept.len());
    }

    /// Rows whose node changed but whose key did not move stay where they are, their marks
    /// set from the values of now; one that moved is given back to be merged again.
    #[test]
    fn a_recheck_keeps_changed_rows_still_in_order() {
        let mut nodes: Vec<Node> = ["a", "b", "c", "d", "e"]
            .iter()
            .map(|n| Node::new(NodeKind::Vm, format!("vm/{n}"), *n))
            .collect();
        let order = |nodes: &[Node]| {
            let row = |r: u32| (&nodes[r as usize], "vcd");
            let mut o = Order::new(ColumnId::Name, Vec::new(), 0);
            o.merge(&[0, 1, 2, 3, 4], &row);
            o
        };
        let mut o = order(&nodes);
        // b renamed within its place, d renamed past e.
        nodes[1].name = "bb".into();
        nodes[3].name = "f".into();
        let row = |r: u32| (&nodes[r as usize], "vcd");
        let changed = [false, true, false, true, false];
        assert_eq!(o.recheck(&changed, &row), [3]);
        o.remove(&[false, false, false, true, false]);
        o.merge(&[3], &row);
        assert_eq!(o.ascending().collect::<Vec<_>>(), [0, 1, 2, 4, 3]);
        assert!(o.marks_right(&row));
    }

    /// Galloping finds what a binary search finds, wherever the answer is.
    #[test]
    fn gallop_finds_the_partition_point() {
        for len in 0..40 {
            for passing in 0..=len {
                let s: Vec<bool> = (0..len).map(|i| i < passing).collect();
                assert_eq!(gallop(&s, |&p| p), passing, "{passing} of {len}");
            }
        }
    }

    proptest! {
        /// Two names' windows after any skip both keys start with: where they differ they
        /// order the names as the comparator does; an empty name (last, its key first) has
        /// none.
        #[test]
        fn windows_order_names_as_the_comparator_does(
            stem in "(vm-prod-web-|web-|db-prod-)?[0-9]{0,3}",
            a in "[0-9aAbB.é-]{0,8}",
            b in "[0-9aAbB.é-]{0,8}",
            cut in 0usize..40,
        ) {
            let (a, b) = (format!("{stem}{a}"), format!("{stem}{b}"));
            let (mut ka, mut kb) = (Vec::new(), Vec::new());
            natural_key(&a, &mut ka);
            natural_key(&b, &mut kb);
            let shared = ka.iter().zip(&kb).take_while(|(x, y)| x == y).count();
            let skip = &ka[..cut.min(shared)];
            let (wa, wb) = (window(&ka, skip), window(&kb, skip));
            prop_assert_eq!(wa == 0, a.is_empty());
            prop_assert_eq!(wb == 0, b.is_empty());
            let want = columns::compare(&Value::Text(&a), &Value::Text(&b));
            if wa != 0 && wb != 0 && wa != wb {
                prop_assert_eq!(wa.cmp(&wb), want, "{:?} {:?} after {} bytes", a, b, skip.len());
            }
            // A key that does not start with the skip has no window.
            let other = [skip, b"\xff"].concat();
            prop_assert_eq!(window(&ka, &other), 0);
        }
    }
}
