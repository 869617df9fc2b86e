//! Filtering the tree with nucleo's matcher: fuzzy on names, and a plain (case-insensitive)
//! substring on every other column a row shows (IP, vApp/host, owner, guest OS) and its id.
//! `!text` keeps what does not match. When the query only grows, the next result is computed
//! from the previous matches instead of from every node; a search of every node runs over the
//! packed index with memchr instead of name by name (a first letter over each entry's letters
//! as bits), and the match the cursor goes to is ranked from the index too (many matches by
//! searching the column text whole), so a keystroke over 300,000 names reads no tree entry.
//! Building the index reads every entry (~50 ms at 300,000 nodes): entries appended, inserted
//! or changed since are added at its end instead, and the old positions of those that changed
//! or went are masked (`Index::sync`, `filter/tail.rs`), so a keystroke right after pages land,
//! a refresh or a state set pays for those alone (children a refresh moved among their
//! siblings count as changed). Only more changes than the tail holds need a build: once the filter was opened, it is built again in slices
//! on ticks after the tree stops changing (`index_slice`), so the first keystroke after a
//! change finds it ready. A tail grown large is folded in by such a build beside the index,
//! which answers keystrokes meanwhile.

use memchr::memmem;
use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use tokio::time::{Duration, Instant};

use super::tree::{EntryId, Tree};
use crate::api::model::Label;

mod index;
mod tail;

/// How long the tree must go unchanged before the index is built again on ticks: pages of a
/// listing land faster, so a build is not started over at each page.
const QUIET: Duration = Duration::from_millis(200);
/// Entries one tick's slice of a build indexes (~2 ms at 300,000 nodes).
const SLICE: usize = 16_384;
/// Entries appended since the last build the index takes on as a tail (`Index::sync`)
/// before a build is due again (or an eighth of the index, if more): each sync orders the
/// whole tail again.
#[cfg(not(test))]
const TAIL: usize = 16_384;
/// Small in the crate's unit tests, so the property tests' trees of tens of entries reach it
/// (a refresh that moves most children, many changes between keystrokes).
#[cfg(test)]
const TAIL: usize = 32;

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
    /// A build beside `index` while `index` answers (`index_slice`).
    next: Option<Box<Index>>,
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
    /// Each position's name's first byte, ASCII-lowercased (0 for an empty name): a name the
    /// query is or begins is looked for only where the first byte is the query's
    /// (`best_by_passes`), which most of 300,000 names rule out from this byte alone.
    heads: Vec<u8>,
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
    /// The tree's `freed_lately` epoch at the last build and how much of its log was read.
    freed: (u64, usize),
    /// Positions whose entry changed (indexed again at the end) or went since the last
    /// build, as bits: they never match (`is_masked`). `masks` counts them.
    masked: Vec<u64>,
    masks: usize,
    /// Entry → its position (`NO_PARENT` when not indexed: a table's rows, a free slot).
    pos_of: Vec<u32>,
    /// Positions below this are in tree order (the last build); those from it on were
    /// added since (`sync`) in the order found: `tail_order` gives their tree order.
    base: u32,
    /// The added positions in tree order, and each one's anchor (indexed by position -
    /// `base`): the base position it comes just before (`base` for the end).
    tail_order: Vec<u32>,
    anchors: Vec<u32>,
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
            next: None,
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
            let rest = self.index.unmasked(rest);
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
        self.refresh_index(tree);
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
                    // All names ASCII: a plain word's letters must all be the entry's.
                    if plain.is_some() && self.index.ascii && !self.index.has_letters(i, query) {
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
        // Positions whose entry changed or went since they were indexed never match.
        let out = self.index.unmasked(out);
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
        let current = self.index.content == Some(tree.content) && !self.index.crowded();
        if !self.wanted || current {
            return None;
        }
        match self.seen {
            Some((c, since)) if c == tree.content => Some(since + QUIET),
            // Changed by the event being handled: quiet from now on, maybe.
            _ => Some(Instant::now() + QUIET),
        }
    }

    /// On a tick: the tree's changes taken on, or one slice of a build, when due, so a
    /// keystroke finds the index up to date without a key paying for it. Changes the index
    /// cannot take on (`Index::sync`), or a tail and masks grown past a quarter of what it
    /// holds (`crowded`), are built into a second index in slices while the first answers
    /// keys, then swapped in (~25 MB more at 300,000 nodes while it lasts). True when it did
    /// some.
    pub fn index_slice(&mut self, tree: &Tree) -> bool {
        if self.index_deadline(tree).is_none_or(|d| d > Instant::now()) {
            return false;
        }
        if self.next.is_none() && self.index.take_on(tree) && !self.index.crowded() {
            return true;
        }
        let next = self.next.get_or_insert_default();
        if next.build(tree, SLICE) {
            self.swap_in_next();
        }
        true
    }

    /// The index up to date for a keystroke: the changes taken on when it can; else the
    /// build under way beside it finished, or a build.
    fn refresh_index(&mut self, tree: &Tree) {
        if self.index.take_on(tree) {
            return;
        }
        match &mut self.next {
            Some(next) => {
                next.refresh(tree);
                self.swap_in_next();
            }
            None => self.index.refresh(tree),
        }
    }

    /// The index built beside replaces the current one.
    fn swap_in_next(&mut self) {
        if let Some(mut next) = self.next.take() {
            // Positions differ: no narrowing from matches in the old one.
            next.built = self.index.built + 1;
            self.index = *next;
        }
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
mod props;
#[cfg(test)]
mod tests;
