//! Filtering the tree with nucleo's matcher: fuzzy on names, and a plain (case-insensitive)
//! substring on every other column a row shows (IP, vApp/host, owner, guest OS) and its id.
//! `!text` keeps what does not match. When the query only grows, the next result is computed
//! from the previous matches instead of from every node, which keeps a keystroke over 100,000
//! names within budget.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::tree::{EntryId, Tree};

pub struct Filter {
    matcher: Matcher,
    /// Used while drawing, which only has `&App`.
    highlighter: std::cell::RefCell<(Matcher, Vec<char>)>,
    /// The query the current `matches` were computed for.
    query: String,
    /// Positions in `index` of the current matches.
    matches: Vec<u32>,
    index: Index,
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
    /// Each entry's other columns and id, separated by newlines; `extra_ends[i]`
    /// is where entry i's part ends.
    extra: String,
    extra_ends: Vec<u32>,
}

impl Index {
    fn refresh(&mut self, tree: &Tree) -> bool {
        if self.content == Some(tree.content) {
            return false;
        }
        self.text.clear();
        self.spans.clear();
        self.extra.clear();
        self.extra_ends.clear();
        for id in tree.iter_all() {
            let node = &tree.get(id).node;
            let start = self.text.len() as u32;
            self.text.push_str(&node.name);
            self.spans.push((id, start, self.text.len() as u32));
            let f = node.facts.as_ref();
            let cols = f.map_or([""; 4], |f| [&f.ip, &f.place, &f.owner, &f.guest_os]);
            for part in cols {
                if !part.is_empty() {
                    self.extra.push('\n');
                    self.extra.push_str(part);
                }
            }
            node.id.with_str(|id| {
                let tail = id_tail(id);
                if !tail.is_empty() {
                    self.extra.push('\n');
                    self.extra.push_str(tail);
                }
            });
            self.extra_ends.push(self.extra.len() as u32);
        }
        self.content = Some(tree.content);
        true
    }

    fn extra(&self, i: u32) -> &str {
        let start = match i {
            0 => 0,
            _ => self.extra_ends[i as usize - 1] as usize,
        };
        &self.extra[start..self.extra_ends[i as usize] as usize]
    }

    fn name(&self, i: u32) -> &str {
        let (_, a, b) = self.spans[i as usize];
        &self.text[a as usize..b as usize]
    }
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            matcher: Matcher::new(Config::DEFAULT),
            highlighter: std::cell::RefCell::new((Matcher::new(Config::DEFAULT), Vec::new())),
            query: String::new(),
            matches: Vec::new(),
            index: Index::default(),
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
    if !(name.is_ascii() && query.is_ascii()) {
        let (name, query) = (name.to_lowercase(), query.to_lowercase());
        return rank_ascii_or_folded(name.as_bytes(), query.as_bytes());
    }
    rank_ascii_or_folded(name.as_bytes(), query.as_bytes())
}

/// `rank` on bytes, comparing ASCII letters without case: no allocation, since it runs over
/// every match on each keystroke.
fn rank_ascii_or_folded(name: &[u8], query: &[u8]) -> u8 {
    if name.eq_ignore_ascii_case(query) {
        0
    } else if name.len() >= query.len() && name[..query.len()].eq_ignore_ascii_case(query) {
        1
    } else if !query.is_empty()
        && name
            .windows(query.len())
            .any(|w| w.eq_ignore_ascii_case(query))
    {
        2
    } else {
        3
    }
}

/// The part of an id that tells it apart: a vCD href's or URN's last segment (`vm-<uuid>`,
/// the uuid), a vCenter moid; not the `https://host/api/vApp/` every href shares, which
/// would match every row.
pub fn id_tail(id: &str) -> &str {
    id.rsplit(['/', ':']).find(|p| !p.is_empty()).unwrap_or(id)
}

/// Whether `hay` contains `needle`, ignoring ASCII case unless `sensitive`.
fn contains(hay: &str, needle: &str, sensitive: bool) -> bool {
    if sensitive {
        return hay.contains(needle);
    }
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    if !needle.is_ascii() {
        return hay.to_lowercase().contains(&needle.to_lowercase());
    }
    n.len() <= h.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
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
/// among equals.
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
        if let Some(rest) = query.strip_prefix('!').filter(|r| !r.is_empty()) {
            let hits: std::collections::HashSet<EntryId> =
                self.apply_plain(tree, rest).into_iter().collect();
            // Not a narrowing of anything: the next query starts afresh.
            self.query.clear();
            return self
                .index
                .spans
                .iter()
                .map(|s| s.0)
                .filter(|id| !hits.contains(id))
                .collect();
        }
        self.apply_plain(tree, query)
    }

    fn apply_plain(&mut self, tree: &Tree, query: &str) -> Vec<EntryId> {
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        // A changed tree invalidates the previous matches' positions.
        let rebuilt = self.index.refresh(tree);
        let incremental = !rebuilt && is_narrowing(&self.query, query);
        let candidates: Vec<u32> = if incremental {
            std::mem::take(&mut self.matches)
        } else {
            (0..self.index.spans.len() as u32).collect()
        };
        let mut out = Vec::with_capacity(if incremental { candidates.len() } else { 256 });
        let plain = plain_word(query);
        // Smart case, as for names: a capital in the query makes it case-sensitive.
        let sensitive = query.chars().any(char::is_uppercase);
        for i in candidates {
            if !query.is_empty() && contains(self.index.extra(i), query, sensitive) {
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
        self.matches = out;
        self.query = query.to_string();
        self.matches
            .iter()
            .map(|&i| self.index.spans[i as usize].0)
            .collect()
    }

    pub fn reset(&mut self) {
        self.query.clear();
        self.matches.clear();
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
