//! Unit tests of the filter: matching, ranking and the index against plain reads.

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
