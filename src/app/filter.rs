//! Fuzzy filtering of the tree's names with nucleo's matcher. When the query only grows, the
//! next result is computed from the previous matches instead of from every node, which keeps a
//! keystroke over 100,000 names within budget.

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::tree::{EntryId, Tree};

pub struct Filter {
    matcher: Matcher,
    /// Used while drawing, which only has `&App`.
    highlighter: std::cell::RefCell<(Matcher, Vec<char>)>,
    /// The query the current `matches` were computed for.
    query: String,
    matches: Vec<EntryId>,
    buf: Vec<char>,
}

impl Default for Filter {
    fn default() -> Self {
        Filter {
            matcher: Matcher::new(Config::DEFAULT),
            highlighter: std::cell::RefCell::new((Matcher::new(Config::DEFAULT), Vec::new())),
            query: String::new(),
            matches: Vec::new(),
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

impl Filter {
    /// Matches `query` against every live node name; returns the matching entries in tree order.
    pub fn apply(&mut self, tree: &Tree, query: &str) -> &[EntryId] {
        let pattern = Pattern::parse(query, CaseMatching::Smart, Normalization::Smart);
        let incremental = is_narrowing(&self.query, query);
        let candidates: Vec<EntryId> = if incremental {
            std::mem::take(&mut self.matches)
        } else {
            tree.iter_all().collect()
        };
        let mut out = Vec::with_capacity(if incremental { candidates.len() } else { 256 });
        for id in candidates {
            let name = &tree.get(id).node.name;
            let hay = Utf32Str::new(name, &mut self.buf);
            if pattern.score(hay, &mut self.matcher).is_some() {
                out.push(id);
            }
        }
        self.matches = out;
        self.query = query.to_string();
        &self.matches
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

    fn tree(names: &[&str]) -> Tree {
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

    fn names(t: &Tree, ids: &[EntryId]) -> Vec<String> {
        ids.iter()
            .map(|&i| t.get(i).node.name.to_string())
            .collect()
    }

    #[test]
    fn fuzzy_matches_and_narrows_incrementally() {
        let t = tree(&["web-01", "web-02", "db-01", "wiki"]);
        let mut f = Filter::default();
        assert_eq!(names(&t, f.apply(&t, "w")), ["web-01", "web-02", "wiki"]);
        assert_eq!(names(&t, f.apply(&t, "wb")), ["web-01", "web-02"]);
        assert_eq!(names(&t, f.apply(&t, "wb2")), ["web-02"]);
        // Deleting a character widens again (not incremental).
        assert_eq!(names(&t, f.apply(&t, "wb")), ["web-01", "web-02"]);
        assert_eq!(names(&t, f.apply(&t, "!web")), ["root", "db-01", "wiki"]);
    }

    #[test]
    fn smart_case_and_highlights() {
        let t = tree(&["Web-01", "web-02"]);
        let mut f = Filter::default();
        assert_eq!(f.apply(&t, "W").len(), 1);
        assert_eq!(f.highlights("wb", "web-02"), vec![0, 2]);
    }

    #[test]
    fn narrowing_rules() {
        assert!(is_narrowing("we", "web"));
        assert!(!is_narrowing("", "w"));
        assert!(!is_narrowing("web", "we"));
        assert!(!is_narrowing("web", "web$"));
    }
}
