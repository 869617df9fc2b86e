//! The filter's packed index of the tree: built (whole or in slices), kept up to date, and
//! searched (letters, states, names, columns) without reading tree entries.

use super::*;

impl Index {
    /// Up to date with the tree, built now if it is not (or the rest of a build in slices).
    pub(super) fn refresh(&mut self, tree: &Tree) {
        self.build(tree, usize::MAX);
    }

    /// Builds towards the tree as it is, visiting at most `budget` entries; true once the
    /// index is complete for it. Entries only appended since the last build are added as a
    /// tail (`sync`); otherwise a build begun for another content starts over.
    pub(super) fn build(&mut self, tree: &Tree, budget: usize) -> bool {
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
                self.heads.clear();
                self.name_bytes.clear();
                self.states.clear();
                self.state_words.clear();
                self.column_lengths = 0;
                self.ascii = true;
                self.extra_ascii = true;
                self.base = 0;
                self.masked.clear();
                self.masks = 0;
                self.tail_order.clear();
                self.anchors.clear();
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
        let (epoch, log) = tree.freed_lately();
        self.freed = (epoch, log.len());
        self.base = self.spans.len() as u32;
        self.built += 1;
        true
    }

    /// Indexes entry `id` at the next position, under the position `parent`.
    pub(super) fn push_entry(&mut self, tree: &Tree, id: EntryId, parent: u32) {
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
        let head = node.name.as_bytes().first().copied().unwrap_or(0);
        self.heads.push(head.to_ascii_lowercase());
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
    pub(super) fn state_of(&mut self, label: Label) -> u16 {
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
    pub(super) fn many(&self, candidates: Option<&[u32]>) -> bool {
        candidates.is_none_or(|c| c.len() > self.spans.len() / 32)
    }

    pub(super) fn extra(&self, i: u32) -> &[u8] {
        let start = match i {
            0 => 0,
            _ => self.extra_ends[i as usize - 1] as usize,
        };
        &self.extra.as_bytes()[start..self.extra_ends[i as usize] as usize]
    }

    /// Entry i's other columns (lowercased), without its id: what `rank_node` ranks.
    pub(super) fn columns(&self, i: u32) -> impl Iterator<Item = &str> {
        let part = self.extra(i);
        let end = memchr::memchr(ID_MARK as u8, part).unwrap_or(part.len());
        // Whole characters: the separators are ASCII. Between the first and last `\n`.
        let cols = std::str::from_utf8(&part[..end]).unwrap_or("");
        let cols = cols.strip_suffix('\n').unwrap_or(cols);
        cols.split('\n').skip(1)
    }

    /// Where entry i's part of `extra` starts.
    pub(super) fn part_start(&self, i: u32) -> usize {
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
    pub(super) fn best_by_passes(&self, matches: &[u32], query: &str) -> Option<(u8, u32)> {
        let q = query.as_bytes();
        // Exact names and names it begins, one by one (a length and a prefix compared), among
        // those whose first byte is the query's.
        let head = q.first().map_or(0, u8::to_ascii_lowercase);
        let mut best: Option<(u8, u32)> = None;
        for &i in matches {
            if head != 0 && self.heads[i as usize] != head {
                continue;
            }
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
    /// case: memchr finds the query's rarest byte in `text` (`name_bytes`: an `o` is in many
    /// names, an `n` in few), the name there is compared and skipped.
    pub(super) fn first_name_containing(&self, matches: &[u32], query: &[u8]) -> Option<u32> {
        let text = self.text.as_bytes();
        let count = |c: u8| {
            let n = |x: u8| self.name_bytes.get(x as usize).copied().unwrap_or(0);
            let (a, b) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
            n(a) + if a == b { 0 } else { n(b) }
        };
        let (j, &rare) = query.iter().enumerate().min_by_key(|&(_, &c)| count(c))?;
        let (a, b) = (rare.to_ascii_lowercase(), rare.to_ascii_uppercase());
        let (mut at, mut k, mut m) = (0usize, 0usize, 0usize);
        while let Some(off) = memchr::memchr2(a, b, &text[at..]) {
            let p = at + off;
            while self.spans[k].2 as usize <= p {
                k += 1;
            }
            let (_, start, end) = self.spans[k];
            let from = p.wrapping_sub(j);
            let fits = p >= j && from >= start as usize && from + query.len() <= end as usize;
            if !fits || !text[from..from + query.len()].eq_ignore_ascii_case(query) {
                at = p + 1;
                continue;
            }
            while matches.get(m).is_some_and(|&x| (x as usize) < k) {
                m += 1;
            }
            match matches.get(m) {
                None => return None,
                Some(&x) if x as usize == k => return Some(x),
                Some(_) => at = end as usize,
            }
        }
        None
    }

    /// The first of `matches` with a column of rank `rank` or better for the lowercased
    /// `query` (see `rank`), among the parts of `extra` before `limit` (a part's start).
    pub(super) fn first_column_hit(
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

    pub(super) fn name(&self, i: u32) -> &str {
        let (_, a, b) = self.spans[i as usize];
        &self.text[a as usize..b as usize]
    }

    pub(super) fn name_bytes(&self, i: u32) -> &[u8] {
        let (_, a, b) = self.spans[i as usize];
        &self.text.as_bytes()[a as usize..b as usize]
    }

    /// Positions whose name has the ASCII `needle` as a subsequence, over every name at once:
    /// memchr finds each occurrence in `text` of the needle's rarest byte (`name_bytes`: a
    /// `-` is in every name, a `p` in few), and each name holding one is tested once. Needs
    /// `ascii`.
    pub(super) fn names_with_subsequence(&self, needle: &[u8], sensitive: bool) -> Vec<u32> {
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
    pub(super) fn with_letter(&self, query: &str) -> Option<Vec<u32>> {
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
        Some(self.unmasked(hits.map(|(i, _)| i as u32).collect()))
    }

    /// Whether position `i`'s name, columns, id and state hold every character of the
    /// ASCII `query` (case folded), from its `letters`: what a match by name or text needs.
    pub(super) fn has_letters(&self, i: u32, query: &str) -> bool {
        let want = (query.bytes()).fold(0, |m, b| m | LETTER_BITS[b as usize]);
        self.letters[i as usize] & want == want
    }

    /// Positions (among `candidates`, else all) whose other columns or id contain `query`
    /// ignoring case, then those of them that contain it as the query asks (smart case).
    pub(super) fn with_extra(
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
                // Only where the entry has every letter of the query (8 bytes an entry, not its
                // text: "on" after "o" leaves the VMs powered off, and most have no "n").
                Some(rest) if rest.len() <= self.spans.len() / FEW_LEFT => (rest.into_iter())
                    .filter(|&i| {
                        self.has_letters(i, &lower) && finder.find(self.extra(i)).is_some()
                    })
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
            match (by_state.is_empty(), by_text.is_empty()) {
                (_, true) => by_state,
                (true, false) => by_text,
                (false, false) => union_sorted(&by_state, &by_text),
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
    pub(super) fn states_holding(&self, finder: &memmem::Finder) -> Vec<bool> {
        (self.state_words.iter())
            .map(|(_, w, _)| finder.find(w.as_bytes()).is_some())
            .collect()
    }

    /// The lowercased index found every candidate; the node says which has the query's case.
    pub(super) fn exact_case(&self, tree: &Tree, query: &str, mut hits: Vec<u32>) -> Vec<u32> {
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
    pub(super) fn rows(&self, matches: &[u32]) -> Vec<EntryId> {
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
                cur = self.parent_of(cur);
            }
            for &c in chain.iter().rev() {
                shown[c as usize] = true;
                rows.push(self.spans[c as usize].0);
            }
        }
        rows
    }
}
