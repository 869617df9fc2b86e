//! Filtering the tree with nucleo's matcher: fuzzy on names, and a plain (case-insensitive)
//! substring on every other column a row shows (IP, vApp/host, owner, guest OS) and its id.
//! `!text` keeps what does not match. When the query only grows, the next result is computed
//! from the previous matches instead of from every node; a search of every node runs over the
//! packed index with memchr instead of name by name (a first letter over each entry's letters
//! as bits), and the match the cursor goes to is ranked from the index too (many matches by
//! searching the column text whole), so a keystroke over 300,000 names reads no tree entry.
//! Building the index reads every entry (~50 ms at 300,000 nodes): entries only appended
//! since (pages landing) are added at its end instead (`Index::sync`), so a keystroke right
//! after pages land pays for those alone; after any other change, once the filter was
//! opened, it is built again in slices on ticks after the tree stops changing
//! (`index_slice`), so the first keystroke after a change finds it ready.

use memchr::memmem;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use tokio::time::{Duration, Instant};

use super::tree::{EntryId, Tree};
use crate::api::model::Label;

mod tail;

/// How long the tree must go unchanged before the index is built again on ticks: pages of a
/// listing land faster, so a build is not started over at each page.
const QUIET: Duration = Duration::from_millis(200);
/// Entries one tick's slice of a build indexes (~2 ms at 300,000 nodes).
const SLICE: usize = 16_384;
/// Entries appended since the last build the index takes on as a tail (`Index::sync`)
/// before a build is due again (or an eighth of the index, if more): each sync orders the
/// whole tail again.
const TAIL: usize = 16_384;

pub struct Filter {
    matcher: Matcher,
    /// Used while drawing, which only has `&App`.
    highlighter: std::cell::RefCell<(Matcher, Vec<char>)>,
    /// The query the current `matches` were computed for.
    query: String,
    /// Positions in `index` of the current matches.
    matches: Vec<u32>,
    /// The match the cursor goes to (see `best`), found with the matches.
    best: Option<EntryId>,
    /// For a `!` query, the positions it keeps (`matches` are those of the text after `!`).
    inverted: Option<Vec<u32>>,
    /// The last `apply` narrowed the one before and kept all its matches (`kept_every_match`).
    kept: bool,
    index: Index,
    /// The index's `built` count `matches` are positions in (narrowing needs the same).
    matched_in: u64,
    /// Whether the index is kept up to date on ticks: from the first time the filter opens
    /// (it costs memory, so not before).
    wanted: bool,
    /// The tree's `content` count last seen, and when it was first seen.
    seen: Option<(u64, Instant)>,
    buf: Vec<char>,
}

/// Every name in tree order, packed into one string: a scan reads memory in order instead of
/// chasing 100,000 pointers. Rebuilt when the tree's content changes.
#[derive(Default)]
struct Index {
    content: Option<u64>,
    text: String,
    /// (entry, start, end) of each name in `text`.
    spans: Vec<(EntryId, u32, u32)>,
    /// Each position's parent's position (`NO_PARENT` for a root): the rows of the matches
    /// and their ancestors are laid out from here, without reading the tree's entries.
    parents: Vec<u32>,
    /// Whether every name is ASCII: a plain word is then searched in `text` at once.
    ascii: bool,
    /// How many times each byte occurs in the names (256 counts once built): the rarest of
    /// a query's bytes is the one searched for (`names_with_subsequence`).
    name_bytes: Vec<u32>,
    /// Each entry's other columns, each between newlines, then its id after a `\x1f` (see
    /// `push_extra`), ASCII-lowercased so one memchr search finds any case; a case-sensitive
    /// query is checked again against the node. `extra_ends[i]` is where entry i's part ends.
    extra: String,
    extra_ends: Vec<u32>,
    /// Whether all of `extra` is ASCII: its lowercasing is then the one ranking folds with,
    /// and the columns of many matches are ranked by searching it whole (`best_by_passes`).
    extra_ascii: bool,
    /// Each position's characters (name, state and `extra`, case folded) as bits (`LETTER_BITS`):
    /// a first letter typed, which matches nearly every row, is answered from these 8 bytes
    /// an entry instead of a search of every text (`with_letter`).
    letters: Vec<u64>,
    /// Each position's state as drawn, an index into `state_words`: the few states every row
    /// shows are searched once each, not in each row's text ("powered on" in 300,000 rows
    /// held nearly any two letters typed, so every row was a hit to step through).
    states: Vec<u16>,
    /// The distinct states (label, its words as drawn ASCII-lowercased, their `letters`).
    state_words: Vec<(Label, String, u64)>,
    /// The lengths in bytes of the columns in `extra`, as bits (`length_bit`): a column equal
    /// to a short query is rare, and then `best_by_passes` need not search for one.
    column_lengths: u64,
    /// Builds and syncs completed: matches from an earlier one cannot be narrowed in this one
    /// (a build moves positions, a sync adds entries).
    built: u64,
    /// The tree's `edits` count at the last build: while it holds, entries were only
    /// appended since, and `sync` adds them instead of a build.
    edits: u64,
    /// Entry → its position (`NO_PARENT` when not indexed: a table's rows, a free slot).
    pos_of: Vec<u32>,
    /// Positions below this are in tree order (the last build); those from it on were
    /// appended since (`sync`) in the order found: `tail_order` gives their tree order.
    base: u32,
    /// Each base position's subtree end (the position after its last descendant): children
    /// appended under it come before that base position.
    ends: Vec<u32>,
    /// The appended positions in tree order, and each one's anchor (indexed by position -
    /// `base`): the base position it comes just before (`base` for the end).
    tail_order: Vec<u32>,
    anchors: Vec<u32>,
    /// The base positions with children appended since the build, in the order their
    /// appended children come (`order_tail`).
    hangs: Vec<u32>,
    /// A build under way, continued by `build`.
    pending: Option<Pending>,
}

/// Where a build in slices stands: the tree's `content` it reads and the entries still to
/// visit (a depth-first stack, valid while that content holds).
struct Pending {
    content: u64,
    stack: Vec<EntryId>,
}

const NO_PARENT: u32 = u32::MAX;

/// When the candidates a state or the columns did not already match are at most 1/this of
/// the index (a quarter: "on" after "o" leaves the 43,000 VMs powered off of 300,000),
/// their names and texts are read one by one (in position order, so the packed texts are
/// read forwards) rather than searched whole and merged with the rest.
const FEW_LEFT: usize = 4;

/// Where an entry's id starts in its part of `Index::extra`, after its columns.
const ID_MARK: char = '\x1f';

/// An entry's part of `Index::extra`, as typed: `\n`-led columns, a `\n` after the last (so
/// `\n{query}\n` finds a column equal to the query), then `ID_MARK` and the id's tail.
/// Queries are typed text, so a match never spans a separator (nor two entries). The state
/// as drawn ("Powered on", so `/` finds what the operator reads) is one of the columns when
/// `with_state` (the index keeps it apart: `Index::states`).
/// Returns the lengths of its columns as bits (`Index::column_lengths`).
fn push_extra(out: &mut String, node: &crate::api::model::Node, with_state: bool) -> u64 {
    let f = node.facts.as_ref();
    let cols = f.map_or([""; 4], |f| [&f.ip, &f.place, &f.owner, &f.guest_os]);
    let state = match with_state {
        true => crate::api::labels::status(node.status.label),
        false => "",
    };
    let mut lengths = 0;
    for col in cols.into_iter().chain([state]).filter(|c| !c.is_empty()) {
        out.push('\n');
        out.push_str(col);
        lengths |= length_bit(col.len());
    }
    out.push('\n');
    out.push(ID_MARK);
    node.id.with_str(|id| out.push_str(id_tail(id)));
    lengths
}

/// The bit of `Index::column_lengths` for a column of `len` bytes (the last for 63 and more).
fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

/// The bit of `Index::letters` a byte sets, case folded: one of its own for each printable
/// ASCII character but space; space, `` ` ``, `{|}~`, controls and non-ASCII bytes share bit 0.
const LETTER_BITS: [u64; 256] = {
    let mut bits = [1u64; 256];
    let mut b = 0x21;
    while b <= 0x7e {
        let slot = match (b as u8).to_ascii_lowercase() {
            // Lower case takes the slots of upper case, which folding never leaves.
            l @ b'a'..=b'z' => l - 0x40,
            l @ 0x21..=0x5f => l - 0x20,
            _ => 0,
        };
        bits[b] = 1 << slot;
        b += 1;
    }
    bits
};

/// Positions in both lists (each ascending).
fn intersect_sorted(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut b = b.iter().copied().peekable();
    a.iter()
        .copied()
        .filter(|&x| {
            while b.next_if(|&y| y < x).is_some() {}
            b.peek() == Some(&x)
        })
        .collect()
}

impl Index {
    /// Up to date with the tree, built now if it is not (or the rest of a build in slices).
    fn refresh(&mut self, tree: &Tree) {
        self.build(tree, usize::MAX);
    }

    /// Builds towards the tree as it is, visiting at most `budget` entries; true once the
    /// index is complete for it. Entries only appended since the last build are added as a
    /// tail (`sync`); otherwise a build begun for another content starts over.
    fn build(&mut self, tree: &Tree, budget: usize) -> bool {
        if self.content == Some(tree.content) {
            return true;
        }
        if self.pending.is_none() && self.content.is_some() && self.sync(tree) {
            return true;
        }
        let mut p = match self.pending.take() {
            Some(p) if p.content == tree.content => p,
            _ => {
                self.content = None;
                self.text.clear();
                self.spans.clear();
                self.parents.clear();
                self.extra.clear();
                self.extra_ends.clear();
                self.letters.clear();
                self.name_bytes.clear();
                self.states.clear();
                self.state_words.clear();
                self.column_lengths = 0;
                self.ascii = true;
                self.extra_ascii = true;
                self.base = 0;
                self.ends.clear();
                self.tail_order.clear();
                self.anchors.clear();
                self.hangs.clear();
                // Entry → its position, for its children's `parents` (a parent first).
                self.pos_of.clear();
                self.pos_of.resize(tree.capacity(), NO_PARENT);
                Pending {
                    content: tree.content,
                    stack: tree.roots().iter().rev().copied().collect(),
                }
            }
        };
        // Tree order (depth first), as `Tree::iter_all`.
        for _ in 0..budget {
            let Some(id) = p.stack.pop() else {
                break;
            };
            let entry = tree.get(id);
            p.stack.extend(entry.children.iter().rev());
            let parent = entry
                .parent()
                .map_or(NO_PARENT, |e| self.pos_of[e as usize]);
            self.push_entry(tree, id, parent);
        }
        if !p.stack.is_empty() {
            self.pending = Some(p);
            return false;
        }
        self.content = Some(tree.content);
        self.edits = tree.edits();
        self.base = self.spans.len() as u32;
        // Each position's subtree end: descendants follow their ancestor, so one backward
        // pass carries each end up to the parent.
        self.ends = (1..=self.base).collect();
        for i in (0..self.base as usize).rev() {
            if let Some(&p) = self.parents.get(i).filter(|&&p| p != NO_PARENT) {
                self.ends[p as usize] = self.ends[p as usize].max(self.ends[i]);
            }
        }
        self.built += 1;
        true
    }

    /// Indexes entry `id` at the next position, under the position `parent`.
    fn push_entry(&mut self, tree: &Tree, id: EntryId, parent: u32) {
        let node = &tree.get(id).node;
        self.pos_of[id as usize] = self.spans.len() as u32;
        self.parents.push(parent);
        let start = self.text.len() as u32;
        self.text.push_str(&node.name);
        self.ascii &= node.name.is_ascii();
        self.name_bytes.resize(256, 0);
        for b in node.name.bytes() {
            self.name_bytes[b as usize] += 1;
        }
        self.spans.push((id, start, self.text.len() as u32));
        let from = self.extra.len();
        self.column_lengths |= push_extra(&mut self.extra, node, false);
        self.extra[from..].make_ascii_lowercase();
        self.extra_ascii &= self.extra[from..].is_ascii();
        self.extra_ends.push(self.extra.len() as u32);
        let state = self.state_of(node.status.label);
        self.states.push(state);
        let bytes = node.name.bytes().chain(self.extra[from..].bytes());
        let letters = bytes.fold(self.state_words[state as usize].2, |m, b| {
            m | LETTER_BITS[b as usize]
        });
        self.letters.push(letters);
    }

    /// `label`'s index in `state_words`, added if new (there are a handful).
    fn state_of(&mut self, label: Label) -> u16 {
        if let Some(s) = self.state_words.iter().position(|(l, _, _)| *l == label) {
            return s as u16;
        }
        let words = crate::api::labels::status(label).to_ascii_lowercase();
        self.extra_ascii &= words.is_ascii();
        let letters = words.bytes().fold(0, |m, b| m | LETTER_BITS[b as usize]);
        self.state_words.push((label, words, letters));
        (self.state_words.len() - 1) as u16
    }

    /// Whether searching all the text at once beats visiting `candidates` one by one: each
    /// visit is a cache miss, a pass over the packed text streams.
    fn many(&self, candidates: Option<&[u32]>) -> bool {
        candidates.is_none_or(|c| c.len() > self.spans.len() / 32)
    }

    fn extra(&self, i: u32) -> &[u8] {
        let start = match i {
            0 => 0,
            _ => self.extra_ends[i as usize - 1] as usize,
        };
        &self.extra.as_bytes()[start..self.extra_ends[i as usize] as usize]
    }

    /// Entry i's other columns (lowercased), without its id: what `rank_node` ranks.
    fn columns(&self, i: u32) -> impl Iterator<Item = &str> {
        let part = self.extra(i);
        let end = memchr::memchr(ID_MARK as u8, part).unwrap_or(part.len());
        // Whole characters: the separators are ASCII. Between the first and last `\n`.
        let cols = std::str::from_utf8(&part[..end]).unwrap_or("");
        let cols = cols.strip_suffix('\n').unwrap_or(cols);
        cols.split('\n').skip(1)
    }

    /// Where entry i's part of `extra` starts.
    fn part_start(&self, i: u32) -> usize {
        match i {
            0 => 0,
            _ => self.extra_ends[i as usize - 1] as usize,
        }
    }

    /// `Filter::rank_best` over many matches (positions, ascending), when names, columns and
    /// query are ASCII: the rank and position of the best ranked, the first among equals.
    /// Names are ranked one by one on bytes for an exact or prefix match (after a prefix
    /// match only an exact name can do better, which its length mostly rules out), else
    /// searched whole for one containing the query (`first_name_containing`); columns are not read match by match (a cache miss
    /// each) but found by searching `extra` whole for the query as a column (rank 0), at a
    /// column's start (1) or in one (2), only for ranks that could beat the names' best.
    fn best_by_passes(&self, matches: &[u32], query: &str) -> Option<(u8, u32)> {
        let q = query.as_bytes();
        // Exact names and names it begins, one by one (a length and a prefix compared).
        let mut best: Option<(u8, u32)> = None;
        for &i in matches {
            let bound = best.map_or(2, |(b, _)| b);
            let r = rank_ascii_or_folded(self.name_bytes(i), q, bound);
            if r < bound {
                best = Some((r, i));
                if r == 0 {
                    break;
                }
            }
        }
        // Else a name that contains it, from one pass over the names (testing each match's
        // name for it cost 10 ms at 300,000 when none does); else any: the first.
        if best.is_none() {
            best = match self.first_name_containing(matches, q) {
                Some(i) => Some((2, i)),
                None => matches.first().map(|&i| (3, i)),
            };
        }
        let lower = query.to_ascii_lowercase();
        for r in 0..3u8 {
            let (rank, pos) = best?;
            if r > rank {
                break;
            }
            // No column is as long as the query: none equals it; none as long or longer:
            // none holds it either.
            let longer = self.column_lengths & !(length_bit(q.len()) - 1);
            if r == 0 && self.column_lengths & length_bit(q.len()) == 0 || longer == 0 {
                continue;
            }
            // A column of a better rank anywhere, or of the same rank at an earlier match.
            let limit = match r == rank {
                true => self.part_start(pos),
                false => self.extra.len(),
            };
            if let Some(p) = self.first_column_hit(matches, &lower, r, limit) {
                best = Some((r, p));
            }
        }
        best
    }

    /// The first of `matches` (ascending) whose name contains the ASCII `query`, ignoring
    /// case: memchr finds its first byte in `text`, the name there is compared and skipped.
    fn first_name_containing(&self, matches: &[u32], query: &[u8]) -> Option<u32> {
        let text = self.text.as_bytes();
        let first = query.first()?;
        let (a, b) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
        let (mut at, mut k, mut m) = (0usize, 0usize, 0usize);
        while let Some(off) = memchr::memchr2(a, b, &text[at..]) {
            let p = at + off;
            while self.spans[k].2 as usize <= p {
                k += 1;
            }
            let end = self.spans[k].2 as usize;
            if p + query.len() > end || !text[p..p + query.len()].eq_ignore_ascii_case(query) {
                at = p + 1;
                continue;
            }
            while matches.get(m).is_some_and(|&x| (x as usize) < k) {
                m += 1;
            }
            match matches.get(m) {
                None => return None,
                Some(&x) if x as usize == k => return Some(x),
                Some(_) => at = end,
            }
        }
        None
    }

    /// The first of `matches` with a column of rank `rank` or better for the lowercased
    /// `query` (see `rank`), among the parts of `extra` before `limit` (a part's start).
    fn first_column_hit(
        &self,
        matches: &[u32],
        query: &str,
        rank: u8,
        limit: usize,
    ) -> Option<u32> {
        let needle = match rank {
            0 => format!("\n{query}\n"),
            1 => format!("\n{query}"),
            _ => query.to_string(),
        };
        let finder = memmem::Finder::new(needle.as_bytes());
        let bytes = &self.extra.as_bytes()[..limit];
        let mut at = 0;
        while let Some(off) = finder.find(&bytes[at..]) {
            let hit = at + off;
            let k = self.extra_ends.partition_point(|&e| e as usize <= hit);
            let part = self.extra(k as u32);
            let start = self.part_start(k as u32);
            // Only a column, not the id (a `\n`-led needle is never in the id).
            let in_columns =
                rank < 2 || memchr::memchr(ID_MARK as u8, part).is_some_and(|m| hit < start + m);
            if in_columns && matches.binary_search(&(k as u32)).is_ok() {
                return Some(k as u32);
            }
            at = self.extra_ends[k] as usize;
        }
        None
    }

    fn name(&self, i: u32) -> &str {
        let (_, a, b) = self.spans[i as usize];
        &self.text[a as usize..b as usize]
    }

    fn name_bytes(&self, i: u32) -> &[u8] {
        let (_, a, b) = self.spans[i as usize];
        &self.text.as_bytes()[a as usize..b as usize]
    }

    /// Positions whose name has the ASCII `needle` as a subsequence, over every name at once:
    /// memchr finds each occurrence in `text` of the needle's rarest byte (`name_bytes`: a
    /// `-` is in every name, a `p` in few), and each name holding one is tested once. Needs
    /// `ascii`.
    fn names_with_subsequence(&self, needle: &[u8], sensitive: bool) -> Vec<u32> {
        let text = self.text.as_bytes();
        let pair = |c: u8| match sensitive {
            true => (c, c),
            false => (c.to_ascii_lowercase(), c.to_ascii_uppercase()),
        };
        let count = |c: u8| {
            let (a, b) = pair(c);
            let n = |x: u8| self.name_bytes.get(x as usize).copied().unwrap_or(0);
            n(a) + if a == b { 0 } else { n(b) }
        };
        let rarest = needle.iter().copied().min_by_key(|&c| count(c));
        let (a, b) = pair(rarest.expect("a plain word is not empty"));
        let mut out = Vec::new();
        let (mut at, mut k) = (0usize, 0usize);
        while let Some(off) = memchr::memchr2(a, b, &text[at..]) {
            while self.spans[k].2 as usize <= at + off {
                k += 1;
            }
            let (_, start, end) = self.spans[k];
            if is_subsequence(&text[start as usize..end as usize], needle, sensitive) {
                out.push(k as u32);
            }
            // Once a name: the next name's bytes on.
            at = end as usize;
        }
        out
    }

    /// For a query of one character with a bit of its own (case folded) over ASCII names:
    /// the positions whose name or other columns or id hold it, from `letters` alone. None
    /// for any other query.
    fn with_letter(&self, query: &str) -> Option<Vec<u32>> {
        let &[b] = query.as_bytes() else {
            return None;
        };
        let bit = LETTER_BITS[b as usize];
        // A capital asks for its case (smart case); bit 0 is shared; `!`, `^`, … are nucleo's.
        if !self.ascii || b.is_ascii_uppercase() || bit == 1 || plain_word(query).is_none() {
            return None;
        }
        let hits = self
            .letters
            .iter()
            .enumerate()
            .filter(|(_, l)| *l & bit != 0);
        Some(hits.map(|(i, _)| i as u32).collect())
    }

    /// Positions (among `candidates`, else all) whose other columns or id contain `query`
    /// ignoring case, then those of them that contain it as the query asks (smart case).
    fn with_extra(
        &self,
        tree: &Tree,
        query: &str,
        candidates: Option<&[u32]>,
    ) -> (Vec<u32>, Vec<u32>) {
        if query.is_empty() {
            return Default::default();
        }
        // Smart case, as for names: a capital in the query makes it case-sensitive.
        let sensitive = query.chars().any(char::is_uppercase);
        if !query.is_ascii() {
            // Unicode case folding: rare, entry by entry as typed.
            let q = query.to_lowercase();
            let states: Vec<bool> = (self.state_words.iter())
                .map(|(_, w, _)| w.to_lowercase().contains(&q))
                .collect();
            let folded = |i: &u32| {
                states[self.states[*i as usize] as usize]
                    || String::from_utf8_lossy(self.extra(*i))
                        .to_lowercase()
                        .contains(&q)
            };
            let all: Vec<u32> = match candidates {
                Some(c) => c.iter().copied().filter(folded).collect(),
                None => (0..self.spans.len() as u32).filter(folded).collect(),
            };
            if !sensitive {
                return (all.clone(), all);
            }
            let lower = query.to_ascii_lowercase();
            let finder = memmem::Finder::new(lower.as_bytes());
            let states = self.states_holding(&finder);
            let hits = match candidates {
                Some(c) => c.to_vec(),
                None => (0..self.spans.len() as u32).collect(),
            };
            let hits = hits
                .into_iter()
                .filter(|&i| {
                    states[self.states[i as usize] as usize] || finder.find(self.extra(i)).is_some()
                })
                .collect();
            return (all, self.exact_case(tree, query, hits));
        }
        let lower = query.to_ascii_lowercase();
        let finder = memmem::Finder::new(lower.as_bytes());
        let states = self.states_holding(&finder);
        let in_state = |i: &u32| states[self.states[*i as usize] as usize];
        let hits: Vec<u32> = if self.many(candidates) {
            // The rows whose state holds it match whatever their text (one pass over 2 bytes a
            // row): only the others' text is searched, one by one when they are few ("we"
            // after "w": every VM is "powered ...", no text need be read).
            let (by_state, rest) = match states.contains(&true) {
                true => {
                    let (a, b): (Vec<u32>, Vec<u32>) = match candidates {
                        Some(c) => c.iter().copied().partition(in_state),
                        None => (0..self.spans.len() as u32).partition(in_state),
                    };
                    (a, Some(b))
                }
                false => (Vec::new(), None),
            };
            let by_text = match rest {
                Some(rest) if rest.len() <= self.spans.len() / FEW_LEFT => (rest.into_iter())
                    .filter(|&i| finder.find(self.extra(i)).is_some())
                    .collect(),
                _ => {
                    // One pass over the text, jumping to the next entry at each hit.
                    let bytes = self.extra.as_bytes();
                    let (mut hits, mut at, mut k) = (Vec::new(), 0usize, 0usize);
                    while let Some(off) = finder.find(&bytes[at..]) {
                        while self.extra_ends[k] as usize <= at + off {
                            k += 1;
                        }
                        hits.push(k as u32);
                        at = self.extra_ends[k] as usize;
                    }
                    match candidates {
                        // Every position a candidate (the letter before matched every row).
                        Some(c) if c.len() < self.spans.len() => intersect_sorted(c, &hits),
                        _ => hits,
                    }
                }
            };
            match by_text.is_empty() {
                true => by_state,
                false => union_sorted(&by_state, &by_text),
            }
        } else {
            let c = candidates.unwrap_or_default();
            c.iter()
                .copied()
                .filter(|i| in_state(i) || finder.find(self.extra(*i)).is_some())
                .collect()
        };
        match sensitive {
            true => (hits.clone(), self.exact_case(tree, query, hits)),
            false => (hits.clone(), hits),
        }
    }

    /// Which of `state_words` hold the (lowercased) needle.
    fn states_holding(&self, finder: &memmem::Finder) -> Vec<bool> {
        (self.state_words.iter())
            .map(|(_, w, _)| finder.find(w.as_bytes()).is_some())
            .collect()
    }

    /// The lowercased index found every candidate; the node says which has the query's case.
    fn exact_case(&self, tree: &Tree, query: &str, mut hits: Vec<u32>) -> Vec<u32> {
        let mut part = String::new();
        hits.retain(|&i| {
            part.clear();
            push_extra(&mut part, &tree.get(self.spans[i as usize].0).node, true);
            part.contains(query)
        });
        hits
    }

    /// The rows the matches (positions, ascending) show as: each after those of its ancestors
    /// not shown yet, in tree order, from `parents` alone.
    fn rows(&self, matches: &[u32]) -> Vec<EntryId> {
        // Every position matched: every entry is a row, in tree order.
        if matches.len() == self.spans.len() {
            let all = self.in_tree_order(matches);
            return all.iter().map(|&i| self.spans[i as usize].0).collect();
        }
        let matches = self.in_tree_order(matches);
        let mut shown = vec![false; self.spans.len()];
        let mut rows = Vec::with_capacity(matches.len() + 16);
        let mut chain = Vec::new();
        for &m in matches.iter() {
            chain.clear();
            let mut cur = m;
            while cur != NO_PARENT && !shown[cur as usize] {
                chain.push(cur);
                cur = self.parents[cur as usize];
            }
            for &c in chain.iter().rev() {
                shown[c as usize] = true;
                rows.push(self.spans[c as usize].0);
            }
        }
        rows
    }
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            matcher: Matcher::new(Config::DEFAULT),
            highlighter: std::cell::RefCell::new((Matcher::new(Config::DEFAULT), Vec::new())),
            query: String::new(),
            matches: Vec::new(),
            best: None,
            inverted: None,
            kept: false,
            index: Index::default(),
            matched_in: 0,
            wanted: false,
            seen: None,
            buf: Vec::new(),
        }
    }
}

/// Characters that make a longer query not a narrowing of a shorter one (negation, anchors).
fn is_narrowing(old: &str, new: &str) -> bool {
    !old.is_empty()
        && new.starts_with(old)
        && !new.contains(['!', '^', '$', '\''])
        && !old.ends_with(' ')
}

/// For a plain ASCII word, whether a name matches is a subsequence test, which decides exactly
/// what nucleo's fuzzy match decides on ASCII names, at a fraction of the cost (nucleo also
/// computes a score vnav does not use: the tree keeps its own order). `Some((needle, case
/// sensitive))` when the query qualifies; smart case as in nucleo.
fn plain_word(query: &str) -> Option<(Vec<u8>, bool)> {
    let plain =
        !query.is_empty() && query.is_ascii() && !query.contains([' ', '!', '^', '$', '\'', '\\']);
    plain.then(|| {
        let sensitive = query.bytes().any(|b| b.is_ascii_uppercase());
        (query.as_bytes().to_vec(), sensitive)
    })
}

fn is_subsequence(hay: &[u8], needle: &[u8], sensitive: bool) -> bool {
    let mut want = needle.iter();
    let mut next = want.next();
    for &b in hay {
        let Some(&w) = next else { break };
        let b = if sensitive { b } else { b.to_ascii_lowercase() };
        if b == w {
            next = want.next();
        }
    }
    next.is_none()
}

/// How well `name` answers `query`, best first: the exact name (ignoring case), then a name it
/// begins, then one that contains it, then a fuzzy match. `rds-12` beats `rds-102`.
pub fn rank(name: &str, query: &str) -> u8 {
    rank_below(name, query, 3)
}

/// `rank` when only a rank below `bound` matters (the best match so far has `bound`): the
/// rank if below it, else `bound`, trying the cheap tests (equal, prefix) first.
fn rank_below(name: &str, query: &str, bound: u8) -> u8 {
    if !(name.is_ascii() && query.is_ascii()) {
        let (name, query) = (name.to_lowercase(), query.to_lowercase());
        return rank_ascii_or_folded(name.as_bytes(), query.as_bytes(), bound);
    }
    rank_ascii_or_folded(name.as_bytes(), query.as_bytes(), bound)
}

/// `rank_below` on bytes, comparing ASCII letters without case: no allocation, since it runs
/// over every match on each keystroke.
fn rank_ascii_or_folded(name: &[u8], query: &[u8], bound: u8) -> u8 {
    let r = if bound == 0 || name.eq_ignore_ascii_case(query) {
        0
    } else if bound == 1
        || name.len() >= query.len() && name[..query.len()].eq_ignore_ascii_case(query)
    {
        1
    } else if bound == 2
        || !query.is_empty()
            && name
                .windows(query.len())
                .any(|w| w.eq_ignore_ascii_case(query))
    {
        2
    } else {
        3
    };
    r.min(bound)
}

/// The part of an id that tells it apart: a vCD href's or URN's last segment (`vm-<uuid>`,
/// the uuid), a vCenter moid; not the `https://host/api/vApp/` every href shares, which
/// would match every row.
pub fn id_tail(id: &str) -> &str {
    id.rsplit(['/', ':']).find(|p| !p.is_empty()).unwrap_or(id)
}

/// The positions in either list (each ascending), ascending.
fn union_sorted(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(&&x), Some(&&y)) if x == y => {
                b.next();
                a.next()
            }
            (Some(&&x), Some(&&y)) if x < y => a.next(),
            (Some(_), Some(_)) | (None, Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, None) => break,
        };
        out.extend(next);
    }
    out
}

/// `rank` over a node's name and its other columns (IP, vApp/host, owner, guest OS): an IP
/// typed in full ranks like an exact name.
pub fn rank_node(node: &crate::api::model::Node, query: &str) -> u8 {
    let mut r = rank(&node.name, query);
    if let Some(f) = node.facts.as_ref() {
        for col in [&*f.ip, &*f.place, &*f.owner, &*f.guest_os] {
            if !col.is_empty() {
                r = r.min(rank(col, query));
            }
        }
    }
    r
}

/// Whether `query`'s characters appear in `name` in order (smart case: a capital in the query
/// makes it case-sensitive), as the tree's filter matches names.
pub fn fuzzy_name(name: &str, query: &str) -> bool {
    if let Some((needle, sensitive)) = plain_word(query)
        && name.is_ascii()
    {
        return is_subsequence(name.as_bytes(), &needle, sensitive);
    }
    let sensitive = query.chars().any(char::is_uppercase);
    let fold = |s: &str| match sensitive {
        true => s.to_string(),
        false => s.to_lowercase(),
    };
    let (name, query) = (fold(name), fold(query));
    let mut want = query.chars().filter(|c| *c != ' ').peekable();
    for c in name.chars() {
        if want.peek() == Some(&c) {
            want.next();
        }
    }
    want.peek().is_none()
}

/// The match the cursor goes to while the user types: the best ranked, the first in tree order
/// among equals. Reads each match's entry: `Filter::best` gives the same from the index.
pub fn best(tree: &Tree, matches: &[EntryId], query: &str) -> Option<EntryId> {
    let mut best: Option<(u8, EntryId)> = None;
    for &id in matches {
        let r = rank_node(&tree.get(id).node, query);
        if best.is_none_or(|(b, _)| r < b) {
            best = Some((r, id));
            if r == 0 {
                break;
            }
        }
    }
    best.map(|(_, id)| id)
}

impl Filter {
    /// Matches `query` against every live node (see the module doc); returns the matching
    /// entries in tree order. `!text` returns those that `text` does not match.
    pub fn apply(&mut self, tree: &Tree, query: &str) -> Vec<EntryId> {
        self.inverted = None;
        self.kept = false;
        if let Some(rest) = query.strip_prefix('!').filter(|r| !r.is_empty()) {
            self.apply_plain(tree, rest);
            self.kept = false;
            // Not a narrowing of anything: the next query starts afresh.
            self.query.clear();
            // Both in index order: the complement is one merge.
            let mut hits = self.matches.iter().copied().peekable();
            let rest: Vec<u32> = (0..self.index.spans.len() as u32)
                .filter(|&i| hits.next_if_eq(&i).is_none())
                .collect();
            // A name or column ranks before others only if it contains the query, `!` and
            // all: without a `!` anywhere, every one ranks alike and the first is the best.
            let bang = |s: &str| memchr::memchr(b'!', s.as_bytes()).is_some();
            self.best = match bang(&self.index.text) || bang(&self.index.extra) {
                true => self.rank_best(&rest, query, None),
                false => (self.index.in_tree_order(&rest).first())
                    .map(|&i| self.index.spans[i as usize].0),
            };
            let out = self.entries(&rest);
            self.inverted = Some(rest);
            return out;
        }
        self.apply_plain(tree, query)
    }

    /// Whether the last `apply` narrowed the one before it and kept every match it had: its
    /// rows are then those already laid out (a second letter every row still matches: no
    /// 300,000-row layout again).
    pub fn kept_every_match(&self) -> bool {
        self.kept
    }

    /// The match the cursor goes to, for the last `apply`: as `best` would say, ranked from
    /// the index.
    pub fn best(&self) -> Option<EntryId> {
        self.best
    }

    /// The rows the last `apply`'s matches show as in the tree: each with its ancestors, in
    /// tree order (see `Tree::set_filter_rows`).
    pub fn rows(&self) -> Vec<EntryId> {
        self.index
            .rows(self.inverted.as_deref().unwrap_or(&self.matches))
    }

    /// The entries at `positions` (ascending), in tree order.
    fn entries(&self, positions: &[u32]) -> Vec<EntryId> {
        (self.index.in_tree_order(positions).iter())
            .map(|&i| self.index.spans[i as usize].0)
            .collect()
    }

    fn apply_plain(&mut self, tree: &Tree, query: &str) -> Vec<EntryId> {
        self.wanted = true;
        // A changed tree invalidates the previous matches' positions.
        self.index.refresh(tree);
        let same = self.matched_in == self.index.built;
        self.matched_in = self.index.built;
        let incremental = same && is_narrowing(&self.query, query);
        let candidates = incremental.then(|| std::mem::take(&mut self.matches));
        self.kept = false;
        if let Some(out) = self.index.with_letter(query) {
            self.best = self.rank_best(&out, query, None);
            self.matches = out;
            self.query = query.to_string();
            return self.entries(&self.matches);
        }
        let (folded, by_extra) = self.index.with_extra(tree, query, candidates.as_deref());
        let plain = plain_word(query);
        let all = self.index.spans.len();
        // by_extra is among the candidates: those it does not hold are what names decide.
        let tried = candidates.as_ref().map_or(all, Vec::len);
        let left = tried - by_extra.len();
        let out = match &plain {
            // Every candidate found by its columns (a state every row shows): names need no
            // search.
            _ if left == 0 => by_extra,
            // Names searched all at once, unless few candidates are left for them (they are
            // then read one by one below, the others skipped).
            Some((needle, sensitive))
                if self.index.ascii
                    && self.index.many(candidates.as_deref())
                    && left > all / FEW_LEFT =>
            {
                let by_name = self.index.names_with_subsequence(needle, *sensitive);
                let by_name = match &candidates {
                    Some(c) if c.len() < self.index.spans.len() => intersect_sorted(c, &by_name),
                    _ => by_name,
                };
                union_sorted(&by_extra, &by_name)
            }
            _ => {
                let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
                let mut extra = by_extra.iter().copied().peekable();
                let all = 0..self.index.spans.len() as u32;
                let candidates: Box<dyn Iterator<Item = u32>> = match &candidates {
                    Some(c) => Box::new(c.iter().copied()),
                    None => Box::new(all),
                };
                let mut out = Vec::new();
                for i in candidates {
                    if extra.next_if_eq(&i).is_some() {
                        out.push(i);
                        continue;
                    }
                    let name = self.index.name(i);
                    let hit = match &plain {
                        Some((needle, sensitive)) if name.is_ascii() => {
                            is_subsequence(name.as_bytes(), needle, *sensitive)
                        }
                        _ => {
                            let hay = Utf32Str::new(name, &mut self.buf);
                            pattern.score(hay, &mut self.matcher).is_some()
                        }
                    };
                    if hit {
                        out.push(i);
                    }
                }
                out
            }
        };
        // A column can rank before a fuzzy match only by containing the query (ignoring
        // case), so only those found so are read; for a query with non-ASCII letters, all.
        let cols = query.is_ascii().then_some(&folded[..]);
        self.best = self.rank_best(&out, query, cols);
        // Narrowed to as many: the same matches, so the same rows.
        self.kept = incremental && out.len() == tried;
        self.matches = out;
        self.query = query.to_string();
        self.entries(&self.matches)
    }

    /// `best` over the positions `matches`, from the index: each match is ranked only as far
    /// as it could beat the best so far (after a prefix match, only an exact one can, which
    /// a name's length alone mostly rules out). Columns are ranked only for the positions in
    /// `cols` (ascending) when given.
    /// Positions appended since the build (`Index::sync`) are ranked apart, in tree order,
    /// and win a tie only by coming first in it.
    fn rank_best(&self, matches: &[u32], query: &str, cols: Option<&[u32]>) -> Option<EntryId> {
        let ix = &self.index;
        let cut = matches.partition_point(|&p| p < ix.base);
        let mut best = self.rank_in_order(&matches[..cut], query, cols);
        if cut < matches.len() {
            let tail = ix.in_tree_order(&matches[cut..]);
            let t = self.rank_in_order(&tail, query, None);
            best = match (best, t) {
                (Some(b), Some(t)) if t.0 < b.0 || t.0 == b.0 && ix.before(t.1, b.1) => Some(t),
                (b, t) => b.or(t),
            };
        }
        best.map(|(_, i)| ix.spans[i as usize].0)
    }

    /// `rank_best` over positions in tree order (ascending when many): the best's rank and
    /// position.
    fn rank_in_order(
        &self,
        matches: &[u32],
        query: &str,
        cols: Option<&[u32]>,
    ) -> Option<(u8, u32)> {
        let ix = &self.index;
        let passes = ix.ascii
            && ix.extra_ascii
            && query.is_ascii()
            && !query.is_empty()
            && !query.contains(['\n', ID_MARK])
            && ix.many(Some(matches))
            && matches.last().is_some_and(|&l| l < ix.base);
        if passes {
            return ix.best_by_passes(matches, query);
        }
        let bytes = (self.index.ascii && query.is_ascii()).then_some(query.as_bytes());
        let mut cols = cols.map(|c| c.iter().copied().peekable());
        let mut best: Option<(u8, u32)> = None;
        for &i in matches {
            let bound = best.map_or(3, |(b, _)| b);
            let mut r = match bytes {
                Some(q) => rank_ascii_or_folded(self.index.name_bytes(i), q, bound),
                None => rank_below(self.index.name(i), query, bound),
            };
            let read_cols = match &mut cols {
                Some(c) => {
                    while c.next_if(|&p| p < i).is_some() {}
                    c.peek() == Some(&i)
                }
                None => true,
            };
            if read_cols {
                for col in self.index.columns(i) {
                    r = r.min(rank_below(col, query, r));
                }
            }
            if best.is_none() || r < bound {
                best = Some((r, i));
                if r == 0 {
                    break;
                }
            }
        }
        best
    }

    /// The filter opened: from now on its index is kept up to date on ticks.
    pub fn want_index(&mut self) {
        self.wanted = true;
    }

    /// After each event: notes when the tree's content last changed.
    pub fn observe(&mut self, tree: &Tree) {
        if self.seen.is_none_or(|(c, _)| c != tree.content) {
            self.seen = Some((tree.content, Instant::now()));
        }
    }

    /// When the next slice of the index's build is due (see `index_slice`): None while it is
    /// up to date or not wanted; once the tree has not changed for `QUIET`, then at once until
    /// it is built.
    pub fn index_deadline(&self, tree: &Tree) -> Option<Instant> {
        if !self.wanted || self.index.content == Some(tree.content) {
            return None;
        }
        match self.seen {
            Some((c, since)) if c == tree.content => Some(since + QUIET),
            // Changed by the event being handled: quiet from now on, maybe.
            _ => Some(Instant::now() + QUIET),
        }
    }

    /// On a tick: one slice of the index's build when due, so a keystroke finds it built
    /// without a key paying for it. True when it did some.
    pub fn index_slice(&mut self, tree: &Tree) -> bool {
        if self.index_deadline(tree).is_none_or(|d| d > Instant::now()) {
            return false;
        }
        self.index.build(tree, SLICE);
        true
    }

    /// How many entries the index took on as appended since it was last built (`sync`).
    pub fn index_appended(&self) -> usize {
        self.index.spans.len() - self.index.base as usize
    }

    /// Whether the index is up to date with the tree (a keystroke then reads no entry).
    pub fn index_ready(&self, tree: &Tree) -> bool {
        self.index.content == Some(tree.content)
    }

    pub fn reset(&mut self) {
        self.kept = false;
        self.query.clear();
        self.matches.clear();
        self.inverted = None;
        self.best = None;
    }

    /// Char positions in `name` that match `query`, for highlighting (visible rows only).
    pub fn highlights(&self, query: &str, name: &str) -> Vec<u32> {
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let mut indices = Vec::new();
        let mut guard = self.highlighter.borrow_mut();
        let (matcher, buf) = &mut *guard;
        let hay = Utf32Str::new(name, buf);
        pattern.indices(hay, matcher, &mut indices);
        indices.sort_unstable();
        indices.dedup();
        indices
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::model::{ChildBatch, Node, NodeKind};

    pub(super) fn tree(names: &[&str]) -> Tree {
        let mut t = Tree::default();
        let r = t.add_root(0, Node::new(NodeKind::Endpoint, "r", "root"));
        t.start_load(r, 1);
        let nodes = names
            .iter()
            .map(|n| Node::new(NodeKind::Vm, *n, *n))
            .collect();
        t.accept_batch(
            r,
            1,
            ChildBatch {
                nodes,
                ..Default::default()
            },
        );
        t
    }

    pub(super) fn names(t: &Tree, ids: &[EntryId]) -> Vec<String> {
        ids.iter()
            .map(|&i| t.get(i).node.name.to_string())
            .collect()
    }

    #[test]
    fn fuzzy_matches_and_narrows_incrementally() {
        let t = tree(&["web-01", "web-02", "db-01", "wiki"]);
        let mut f = Filter::default();
        assert_eq!(names(&t, &f.apply(&t, "w")), ["web-01", "web-02", "wiki"]);
        assert_eq!(names(&t, &f.apply(&t, "wb")), ["web-01", "web-02"]);
        assert_eq!(names(&t, &f.apply(&t, "wb2")), ["web-02"]);
        // Deleting a character widens again (not incremental).
        assert_eq!(names(&t, &f.apply(&t, "wb")), ["web-01", "web-02"]);
        assert_eq!(names(&t, &f.apply(&t, "!web")), ["root", "db-01", "wiki"]);
    }

    /// Names that arrive while the user types are searched too.
    #[test]
    fn a_changed_tree_is_scanned_again() {
        let mut t = tree(&["web-01"]);
        let mut f = Filter::default();
        assert_eq!(names(&t, &f.apply(&t, "w")), ["web-01"]);
        let root = t.roots()[0];
        t.append_children(root, vec![Node::new(NodeKind::Vm, "x", "web-77")]);
        assert_eq!(names(&t, &f.apply(&t, "we")), ["web-01", "web-77"]);
    }

    #[test]
    fn smart_case_and_highlights() {
        let t = tree(&["Web-01", "web-02"]);
        let mut f = Filter::default();
        assert_eq!(f.apply(&t, "W").len(), 1);
        assert_eq!(f.highlights("wb", "web-02"), vec![0, 2]);
    }

    /// The fast path decides exactly what nucleo decides.
    #[test]
    fn plain_words_agree_with_nucleo() {
        let hay = [
            "web-prod-01",
            "WEB-02",
            "db_Prod",
            "k8s-worker-17",
            "a",
            "",
            "webweb",
            "w-e-b",
            "Web-Prod",
            "café-01",
            "mq.stg",
        ];
        let queries = [
            "w", "web", "wP", "Web", "prod1", "k8s17", "b-", "W", "eb0", "mq.s", "cafe",
        ];
        let mut m = Matcher::new(Config::DEFAULT);
        let mut buf = Vec::new();
        for q in queries {
            let p = Pattern::parse(q, CaseMatching::Smart, Normalization::Smart);
            let (needle, sensitive) = plain_word(q).unwrap();
            for n in hay.iter().filter(|n| n.is_ascii()) {
                let nucleo = p.score(Utf32Str::new(n, &mut buf), &mut m).is_some();
                assert_eq!(
                    is_subsequence(n.as_bytes(), &needle, sensitive),
                    nucleo,
                    "{q:?} on {n:?}"
                );
            }
        }
        assert!(plain_word("!web").is_none() && plain_word("a b").is_none());
        // Non-ASCII names go through nucleo, which normalizes é to e.
        let t = tree(&["café-01", "db"]);
        assert_eq!(names(&t, &Filter::default().apply(&t, "cafe")), ["café-01"]);
    }

    /// The cursor goes to the exact name before names that merely match.
    #[test]
    fn exact_and_prefix_matches_rank_before_fuzzy_ones() {
        let t = tree(&["rds-102", "rds-120", "db-rds-12", "rds-12", "RDS-12-old"]);
        let mut f = Filter::default();
        let matches = f.apply(&t, "rds-12");
        let name = |id: Option<EntryId>| id.map(|i| t.get(i).node.name.to_string());
        assert_eq!(
            name(best(&t, &matches, "rds-12")).as_deref(),
            Some("rds-12")
        );
        assert_eq!(
            name(best(&t, &matches, "rds-12-")).as_deref(),
            Some("RDS-12-old")
        );
        let matches = f.apply(&t, "db-");
        assert_eq!(
            name(best(&t, &matches, "db-")).as_deref(),
            Some("db-rds-12")
        );
        assert_eq!(rank("rds-102", "rds-12"), 3);
        assert_eq!(rank("xrds-12", "rds-12"), 2);
    }

    #[test]
    fn narrowing_rules() {
        assert!(is_narrowing("we", "web"));
        assert!(!is_narrowing("", "w"));
        assert!(!is_narrowing("web", "we"));
        assert!(!is_narrowing("web", "web$"));
    }
}

#[cfg(test)]
mod props {
    use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
    use nucleo_matcher::{Config, Matcher, Utf32Str};
    use proptest::prelude::*;

    use super::tests::{names, tree};
    use super::*;
    use crate::api::model::{ChildBatch, Node, NodeKind, Severity, Status, VmFacts, intern};

    /// VMs under one root: (name, IP and owner when it has facts, id tail).
    /// Each VM also has a state, drawn from its id's length (none for some).
    fn tree_of(list: &[(String, Option<String>, String)]) -> Tree {
        let mut t = Tree::default();
        let r = t.add_root(0, Node::new(NodeKind::Endpoint, "https://r/api/r", "root"));
        t.start_load(r, 1);
        let states = ["", "POWERED_ON", "POWERED_OFF", "SUSPENDED", "poweredOn"];
        let nodes = list
            .iter()
            .map(|(name, col, id)| {
                let state = Status::new(states[id.len() % states.len()], Severity::Ok);
                let node = Node::new(NodeKind::Vm, format!("https://r/api/vApp/{id}"), name)
                    .with_status(state);
                match col {
                    Some(c) => node.with_facts(VmFacts {
                        ip: c.as_str().into(),
                        owner: intern(&c.to_lowercase()),
                        ..Default::default()
                    }),
                    None => node,
                }
            })
            .collect::<Vec<Node>>();
        // Some under the first VM, for rows with ancestors between the root and a match.
        let (top, below) = nodes.split_at(nodes.len().div_ceil(2));
        let batch = ChildBatch {
            nodes: top.to_vec(),
            ..Default::default()
        };
        t.accept_batch(r, 1, batch);
        if let Some(&first) = t.get(r).children.first() {
            t.append_children(first, below.to_vec());
        }
        t
    }

    /// What the filter means, read off one node as the user sees it (nucleo on the name, a
    /// substring of the columns or id, smart case; `!` inverts), with no index.
    fn plain_match(t: &Tree, id: EntryId, query: &str) -> bool {
        if let Some(rest) = query.strip_prefix('!').filter(|r| !r.is_empty()) {
            return !matches_plainly(t, id, rest);
        }
        matches_plainly(t, id, query)
    }

    /// `plain_match` without `!` (a `!` further in is nucleo's).
    fn matches_plainly(t: &Tree, id: EntryId, query: &str) -> bool {
        let node = &t.get(id).node;
        let sensitive = query.chars().any(char::is_uppercase);
        let f = node.facts.as_ref();
        let cols = f.map_or([""; 4], |f| [&f.ip, &f.place, &f.owner, &f.guest_os]);
        let id = node.id.as_str();
        let state = crate::api::labels::status(node.status.label);
        let in_cols = cols
            .into_iter()
            .chain([state, id_tail(&id)])
            .any(|c| match sensitive {
                true => c.contains(query),
                false => c.to_lowercase().contains(&query.to_lowercase()),
            });
        let p = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let mut buf = Vec::new();
        let by_name = p
            .score(
                Utf32Str::new(&node.name, &mut buf),
                &mut Matcher::new(Config::DEFAULT),
            )
            .is_some();
        in_cols || by_name
    }

    /// A query of one character is answered from each entry's letters (`with_letter`): the
    /// same matches and best match as a plain reading of each node, for every printable
    /// character, over names, columns and ids of both cases and of every printable character.
    #[test]
    fn a_first_letter_is_answered_from_the_letters() {
        let printable: String = (0x20u8..0x7f).map(char::from).collect();
        let list: Vec<(String, Option<String>, String)> = (0..96)
            .map(|i| {
                let at = |k: usize| &printable[(i * k) % 95..][..1];
                let name = format!("{}{}x", at(7), at(3));
                let col = (i % 3 > 0).then(|| format!("{}{}", at(11), at(5)));
                (name, col, format!("{}{}", at(13), i % 10))
            })
            .collect();
        let t = tree_of(&list);
        for c in printable.chars() {
            let query = c.to_string();
            let mut f = Filter::default();
            let got = f.apply(&t, &query);
            let want: Vec<EntryId> = (t.iter_all())
                .filter(|&id| plain_match(&t, id, &query))
                .collect();
            assert_eq!(got, want, "{query:?}");
            assert_eq!(f.best(), best(&t, &want, &query), "{query:?}");
        }
        // Answered from the letters for a lower-case letter, a digit and `-` alike.
        let mut f = Filter::default();
        f.apply(&t, "a");
        for q in ["a", "7", "-", "_", "@"] {
            assert!(f.index.with_letter(q).is_some(), "{q}");
        }
        for q in ["A", " ", "!", "^", "$", "'", "\\", "ab", "é"] {
            assert!(f.index.with_letter(q).is_none(), "{q}");
        }
    }

    /// A query every row matches by its columns or id (a state every VM shows, typed one
    /// letter at a time) skips the name search and the merges: the same matches, best match
    /// and rows as a plain reading of the tree.
    #[test]
    fn a_query_every_row_matches_by_its_columns() {
        let mut t = Tree::default();
        let r = t.add_root(0, Node::new(NodeKind::Endpoint, "https://r/api/ab", "root"));
        t.start_load(r, 1);
        let nodes = ["web-1", "ab", "db-2", "xa"]
            .iter()
            .enumerate()
            .map(|(i, n)| Node::new(NodeKind::Vm, format!("https://r/api/vApp/ab{i}"), *n))
            .collect();
        t.accept_batch(
            r,
            1,
            ChildBatch {
                nodes,
                ..Default::default()
            },
        );
        let mut f = Filter::default();
        for query in ["a", "ab", "ab1", "a", "b", "ab"] {
            let got = f.apply(&t, query);
            let want: Vec<EntryId> = (t.iter_all())
                .filter(|&id| plain_match(&t, id, query))
                .collect();
            assert_eq!(got, want, "{query}");
            assert_eq!(f.best(), best(&t, &want, query), "{query}");
            let rows = f.rows();
            t.set_filter(Some(got));
            t.refresh_visible();
            assert_eq!(&rows[..], t.visible(), "{query}");
        }
        assert_eq!(f.matches.len(), f.index.spans.len(), "every row matched");
    }

    /// A query most rows match through their state ("we": "Powered on") is answered from
    /// the states, the few other rows' texts and names read one by one: the same matches,
    /// best match and rows as a plain reading of the tree, whichever rows are left over.
    #[test]
    fn rows_matched_by_their_state_need_no_text_search() {
        for odd in [0usize, 1, 5, 63] {
            let list: Vec<(String, Option<String>, String)> = (0..64)
                .map(|i| {
                    let name = format!("{}-{i}", ["web", "db", "we"][i % 3]);
                    let col = (i % 4 == 0).then(|| "we.x".to_string());
                    // The id's length picks the state (`tree_of`): 5 bytes none, 1 on.
                    let id = match i < odd {
                        true => format!("{}bcde", ["a", "b"][i % 2]),
                        false => ["a", "b"][i % 2].to_string(),
                    };
                    (name, col, id)
                })
                .collect();
            let mut t = tree_of(&list);
            let mut f = Filter::default();
            for query in ["w", "we", "web", "we", "wer"] {
                let got = f.apply(&t, query);
                let want: Vec<EntryId> = (t.iter_all())
                    .filter(|&id| plain_match(&t, id, query))
                    .collect();
                assert_eq!(got, want, "{query} with {odd} left");
                assert_eq!(f.best(), best(&t, &want, query), "{query}");
                let rows = f.rows();
                t.set_filter(Some(got));
                t.refresh_visible();
                assert_eq!(&rows[..], t.visible(), "{query}");
            }
        }
    }

    /// Many matches are ranked by searching the index's column texts whole
    /// (`best_by_passes`), not match by match: a column equal to the query anywhere beats a
    /// name it begins, a column it begins beats a fuzzy name, and the id is no column.
    #[test]
    fn many_matches_are_ranked_from_the_column_text_searched_whole() {
        let vm = |name: &str, col: Option<&str>, id: &str| {
            (name.to_string(), col.map(str::to_string), id.to_string())
        };
        let cases = [
            (
                vec![
                    vm("axw", None, "1"),
                    vm("wa", None, "2"),
                    vm("b", Some("W"), "3"),
                ],
                "w",
                "b",
            ),
            (
                vec![
                    vm("wzzb", None, "1"),
                    vm("k", Some("wbc"), "2"),
                    vm("x", Some("awb"), "3"),
                ],
                "wb",
                "k",
            ),
            (
                vec![vm("x", Some("awb"), "1"), vm("wzzb", None, "2")],
                "wb",
                "x",
            ),
            (
                vec![vm("zz", Some("q"), "w1"), vm("xwx", None, "5")],
                "w",
                "xwx",
            ),
            (
                vec![vm("zz", Some("q"), "w1"), vm("wwz", None, "5")],
                "w",
                "wwz",
            ),
        ];
        for (list, query, want) in cases {
            let t = tree_of(&list);
            let mut f = Filter::default();
            let matches = f.apply(&t, query);
            assert!(f.index.many(Some(&f.matches)), "{query}: the passes' case");
            let got = f.best().map(|i| t.get(i).node.name.to_string());
            assert_eq!(got.as_deref(), Some(want), "{query} over {list:?}");
            assert_eq!(f.best(), best(&t, &matches, query), "{query}");
        }
    }

    proptest! {
        /// The subsequence fast path decides exactly what nucleo decides, for any plain word
        /// over any ASCII name.
        #[test]
        fn fast_path_agrees_with_nucleo(query in "[a-zA-Z0-9._-]{1,6}", name in "[ -~]{0,20}") {
            let (needle, sensitive) = plain_word(&query).expect("a plain word");
            let p = Pattern::parse(&query, CaseMatching::Smart, Normalization::Smart);
            let mut buf = Vec::new();
            let nucleo = p.score(Utf32Str::new(&name, &mut buf), &mut Matcher::new(Config::DEFAULT)).is_some();
            prop_assert_eq!(is_subsequence(name.as_bytes(), &needle, sensitive), nucleo);
        }

        /// Every path of the engine (the search of every name at once, narrowing, columns
        /// through the lowercased index, `!`) decides what a plain reading of each node decides,
        /// and its best match is `best`'s, over names, ids and columns of any case. Midway
        /// through the typing the tree may change (a VM arrives, or one goes) and the index be
        /// built again in slices, as ticks do (a slice at a time, the tree changing again after
        /// the first slice now and then, which starts the build over), before the rest is typed.
        #[test]
        fn the_engine_agrees_with_each_node_read_plainly(
            list in prop::collection::vec(
                ("[a-dA-D0-9é!-]{0,8}", prop::option::of("[a-dA-D.0-9!]{0,6}"), "[a-dA-D0-9]{0,4}"),
                0..40,
            ),
            query in "!?[a-dA-D0-9é.!oweP-]{1,5}",
            unicode in any::<bool>(),
            change in prop::option::of((0u8..3, "[a-dA-D0-9]{1,6}", 0usize..40)),
            slice in 1usize..12,
            appends in prop::collection::vec(("[a-dA-D0-9é]{1,6}", 0usize..80, 0u8..5), 0..6),
        ) {
            // Names all ASCII half of the time: the search over every name at once needs it.
            let mut list = list;
            if !unicode {
                list.iter_mut().for_each(|(name, _, _)| *name = name.replace('é', "e"));
            }
            let mut t = tree_of(&list);
            let mut f = Filter::default();
            let ends: Vec<usize> = query.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
            let midway = ends.len() / 2;
            // A table's root: rows appended under it are not the tree's.
            let hidden = t.add_hidden_root(0, Node::new(NodeKind::Group, "t", "table"));
            // Typed one character at a time, as the user does.
            let mut got = Vec::new();
            for (k, &end) in ends.iter().enumerate() {
                // Entries appended before each keystroke (under any entry, one appended just
                // before, a new root or a table's root), taken on by the index as a tail.
                let here = appends.iter().enumerate().filter(|(i, _)| i % ends.len() == k);
                for (_, (name, at, how)) in here {
                    let all: Vec<EntryId> = t.iter_all().collect();
                    let node = Node::new(NodeKind::Vm, format!("https://r/api/vApp/{name}"), name.as_str())
                        .with_status(Status::new("POWERED_ON", Severity::Ok));
                    match how {
                        0 => { t.add_root(0, node); }
                        1 => t.append_children(hidden, vec![node]),
                        _ => t.append_children(all[at % all.len()], vec![node.clone(), node]),
                    }
                }
                if k == midway && let Some((what, name, at)) = &change {
                    let all: Vec<EntryId> = t.iter_all().collect();
                    let mut sliced = 0;
                    let mut again = *what == 2;
                    // What 2: a VM goes, and one arrives after the first slice of the build.
                    let mut first = true;
                    loop {
                        let target = all[at % all.len()];
                        let remove = *what == 1 || *what == 2 && std::mem::take(&mut first);
                        match remove {
                            true if all.len() > 1 && !t.roots().contains(&target) => {
                                let p = t.get(target).parent().unwrap();
                                t.get_mut(p).children.retain(|&c| c != target);
                            }
                            _ => t.append_children(target, vec![Node::new(NodeKind::Vm, format!("https://r/api/vApp/{name}"), name.as_str())]),
                        }
                        // Slices until built; after the first, maybe one more change.
                        while !f.index.build(&t, slice) {
                            sliced += 1;
                            if std::mem::take(&mut again) {
                                break;
                            }
                        }
                        if f.index_ready(&t) {
                            break;
                        }
                    }
                    prop_assert!(f.index_ready(&t), "built after {} slices", sliced);
                }
                let before = std::mem::replace(&mut got, f.apply(&t, &query[..end]));
                // Said to keep every match: the previous matches, rows and all.
                if f.kept_every_match() {
                    prop_assert_eq!(&got, &before);
                }
                // An index grown by appends answers as one built whole.
                let mut whole = Filter::default();
                prop_assert_eq!(&whole.apply(&t, &query[..end]), &got, "{}", &query[..end]);
                prop_assert_eq!(whole.best(), f.best());
                prop_assert_eq!(whole.rows(), f.rows());
            }
            let want: Vec<EntryId> = t.iter_all().filter(|&id| plain_match(&t, id, &query)).collect();
            prop_assert_eq!(&got, &want);
            prop_assert_eq!(f.best(), best(&t, &want, &query));
            let fresh = Filter::default().apply(&t, &query);
            prop_assert_eq!(&fresh, &want);
            // The rows laid out from the index are those a walk of the tree gives.
            let rows = f.rows();
            t.set_filter(Some(got));
            t.refresh_visible();
            prop_assert_eq!(&rows[..], t.visible());
        }

        /// Typing a query one character at a time (the incremental path) finds what typing it
        /// in one go finds, whatever the names and the query.
        #[test]
        fn typing_matches_a_fresh_search(
            list in prop::collection::vec("[a-eA-E0-9-]{0,8}", 0..40),
            query in "[a-eA-E0-9!^$' -]{1,6}",
        ) {
            let refs: Vec<&str> = list.iter().map(String::as_str).collect();
            let t = tree(&refs);
            let mut typed = Filter::default();
            let mut last = Vec::new();
            for end in query.char_indices().map(|(i, c)| i + c.len_utf8()) {
                last = typed.apply(&t, &query[..end]);
            }
            let fresh = Filter::default().apply(&t, &query);
            prop_assert_eq!(names(&t, &last), names(&t, &fresh));
        }
    }
}
