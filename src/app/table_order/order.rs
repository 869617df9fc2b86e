//! One column's ascending order of a table's rows, kept in blocks so that rows arriving by the
//! thousand while 300,000 are in place cost what they bring: each block keeps its first row's
//! sort key (a `Fence`, owned), so placing a row is a binary search of the fences that reads
//! no tree entry, then of one block (a few entries read, not the ~18 cache misses of a search
//! over every row), and inserting it shifts one block, not a copy of the whole order.

use std::cmp::Ordering;

use super::{Key, Row, cmp_keys, known};
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
        Fence {
            value,
            texts: [name, text, endpoint].concat().into(),
            name_end: name.len() as u32,
            text_end: (name.len() + text.len()) as u32,
            row: r,
        }
    }

    fn name(&self) -> &str {
        &self.texts[..self.name_end as usize]
    }

    /// This fence against row `r`, as `cmp_rows` would compare its row with `r`.
    fn cmp(&self, col: ColumnId, r: u32, (node, endpoint): Row) -> Ordering {
        let (name, text) = (self.name_end as usize, self.text_end as usize);
        let mine = match &self.value {
            Value::Text(_) if col == ColumnId::Name => Value::Text(self.name()),
            Value::Text(_) => Value::Text(&self.texts[name..text]),
            Value::State(rank, _) => Value::State(*rank, &self.texts[name..text]),
            v => v.clone(),
        };
        (columns::compare(&mine, &columns::value(node, col, endpoint)))
            .then_with(|| columns::compare(&Value::Text(self.name()), &Value::Text(&node.name)))
            .then_with(|| columns::natural_cmp(&self.texts[text..], endpoint))
            .then(self.row.cmp(&r))
    }
}

struct Block {
    /// Row numbers, each with `RUN` when it starts a run.
    rows: Vec<u32>,
    /// The first row's key; None until the first merge reads it (an order built off the UI
    /// thread has no tree to read it from).
    fence: Option<Fence>,
}

impl Block {
    fn new(rows: Vec<u32>) -> Block {
        Block { rows, fence: None }
    }
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

    /// Bytes held: the rows (with their blocks' spare room) and the fences.
    pub fn bytes(&self) -> usize {
        let fence = |f: &Fence| f.texts.len();
        (self.blocks.iter())
            .map(|b| {
                size_of::<Block>()
                    + b.rows.capacity() * size_of::<u32>()
                    + b.fence.as_ref().map_or(0, fence)
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
    /// block, and inserted there; a run mark is set on each fresh row and on the row after it,
    /// comparing with its neighbour.
    pub fn merge<'a>(&mut self, fresh: &[u32], row: &impl Fn(u32) -> Row<'a>) {
        let col = self.col;
        let value = |r: u32| columns::value(row(r).0, col, row(r).1);
        let same = |a: u32, b: u32| columns::compare(&value(a), &value(b)) == Ordering::Equal;
        // Each new row's key read once, not at each of its comparisons.
        let mut keys: Vec<Key> = (fresh.iter()).map(|&r| Key::of(col, r, row(r))).collect();
        keys.sort_unstable_by(cmp_keys);
        for b in &mut self.blocks {
            if b.fence.is_none() {
                let first = b.rows[0] & !RUN;
                b.fence = Some(Fence::of(col, first, row(first)));
            }
        }
        // Fresh rows ascend: each goes at or after the block the one before went to.
        let mut from = 0;
        for key in keys {
            let (f, fr) = (key.row, row(key.row));
            if self.blocks.is_empty() {
                self.blocks.push(Block::new(Vec::new()));
            }
            let past = self.blocks[from..].partition_point(|blk| {
                (blk.fence.as_ref()).is_some_and(|fence| fence.cmp(col, f, fr).is_lt())
            });
            let b = (from + past).saturating_sub(1);
            from = b;
            let rows = &self.blocks[b].rows;
            let at = rows.partition_point(|&o| {
                let o = o & !RUN;
                cmp_keys(&Key::of(col, o, row(o)), &key).is_lt()
            });
            let starts = self.before(b, at).is_none_or(|p| !same(p & !RUN, f));
            if let Some((nb, na)) = self.at(b, at) {
                let next = &mut self.blocks[nb].rows[na];
                match same(f, *next & !RUN) {
                    true => *next &= !RUN,
                    false => *next |= RUN,
                }
            }
            let rows = &mut self.blocks[b].rows;
            if rows.len() == rows.capacity() {
                // Grown by a sixteenth, not doubled: an order is 4 bytes a row, kept so.
                rows.reserve_exact(rows.len() / 16 + 1);
            }
            rows.insert(at, if starts { f | RUN } else { f });
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
                self.blocks.insert(
                    b + 1,
                    Block {
                        rows: second,
                        fence,
                    },
                );
            }
        }
    }

    /// Drops the rows `out` marks; a run mark on a dropped row moves to the next kept one.
    /// (Rare: rows gone or changed. The blocks are cut again and their fences read anew.)
    pub fn remove(&mut self, out: &[bool]) {
        let (mut carry, mut at, mut known) = (false, 0, 0);
        let was_known = self.known;
        let mut rows = self.flat();
        rows.retain_mut(|x| {
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
        *self = Order::new(self.col, rows, known);
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

    pub fn ascending(&self) -> impl Iterator<Item = u32> + '_ {
        (self.blocks.iter()).flat_map(|b| b.rows.iter().map(|x| x & !RUN))
    }
}

impl Clone for Order {
    /// A copy without the fences (read again at its first merge).
    fn clone(&self) -> Order {
        Order::new(self.col, self.flat(), self.known)
    }
}
