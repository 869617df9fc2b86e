//! Property tests: the index's every path (letters, states, tails, narrowing) agrees with each
//! node read plainly.

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

/// Changes a node of `t` as the app does (`how`): 0 sets its state, 1 renames it, 2 removes
/// it (its parent's listing without it), 3 refreshes its parent with it renamed and a new
/// node before it, 4 refreshes its parent with the children in reverse order (all but one
/// moved: more than the tail holds under the unit tests' `TAIL` for 18 or more), 5
/// refreshes its parent with nothing changed, 6 refreshes its parent with it moved last, 7
/// with it swapped with the first child (a few moved, with what is below them). A root is
/// only ever set or renamed.
fn edit(t: &mut Tree, id: EntryId, how: u8, name: &str) {
    let Some(parent) = t.get(id).parent().filter(|_| how >= 2) else {
        let node = &mut t.get_mut(id).node;
        match how % 2 {
            0 => {
                let state = ["POWERED_OFF", "SUSPENDED", "POWERED_ON"][name.len() % 3];
                node.status = Status::new(state, Severity::Ok);
            }
            _ => node.name = name.into(),
        }
        return;
    };
    let siblings = t.get(parent).children.to_vec();
    let mut nodes: Vec<Node> = Vec::new();
    for &c in &siblings {
        let node = t.get(c).node.clone();
        match how {
            2 if c == id => {}
            3 if c == id => {
                let new = format!("https://r/api/vApp/new-{name}");
                nodes.push(Node::new(NodeKind::Vm, new, name));
                let mut renamed = node;
                renamed.name = format!("{name}x").into();
                nodes.push(renamed);
            }
            _ => nodes.push(node),
        }
    }
    let at = siblings
        .iter()
        .position(|&c| c == id)
        .expect("a child of its parent");
    match how {
        4 => nodes.reverse(),
        6 => {
            let moved = nodes.remove(at);
            nodes.push(moved);
        }
        7 => nodes.swap(0, at),
        _ => {}
    }
    t.merge_children(parent, nodes);
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
        // A name that holds the query at its end, its rarest byte found before that too.
        (
            vec![vm("wzzb", None, "1"), vm("bbwbxwb", None, "2")],
            "wb",
            "bbwbxwb",
        ),
        (
            vec![vm("w-b", None, "1"), vm("b-wb", None, "2")],
            "wb",
            "b-wb",
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
        edits in prop::collection::vec((0u8..8, 0usize..80, "[a-dA-D0-9é]{1,6}"), 0..6),
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
            // Changes that are not appends before each keystroke (a state set, a rename, a
            // removal, refreshes, reorders), taken on as masks and a tail, or by a build (more
            // moved than the tail holds).
            let here = edits.iter().enumerate().filter(|(i, _)| i % ends.len() == k);
            for (_, (how, at, name)) in here {
                let all: Vec<EntryId> = t.iter_all().collect();
                if !all.is_empty() {
                    edit(&mut t, all[at % all.len()], *how, name);
                }
            }
            if k == midway && let Some((what, name, at)) = &change {
                let all: Vec<EntryId> = t.iter_all().collect();
                let mut sliced = 0;
                let mut again = *what == 2;
                // What 2: children reversed (a build, with more than the tail holds), and one
                // arrives after its first slice.
                let mut first = true;
                loop {
                    let target = all[at % all.len()];
                    let go = *what == 1 || *what == 2 && std::mem::take(&mut first);
                    match go {
                        true if *what == 1 => edit(&mut t, target, 2, name),
                        true => edit(&mut t, target, 4, name),
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
            // Every other keystroke, a slice of a build beside the index (as quiet ticks make
            // it for a crowded index), swapped in when complete: the changes before the next
            // keystrokes restart it, or make the keystroke finish it.
            if k % 2 == 1 {
                let next = f.next.get_or_insert_default();
                if next.build(&t, slice) {
                    f.swap_in_next();
                }
            }
            let before = std::mem::replace(&mut got, f.apply(&t, &query[..end]));
            // Said to keep every match: the previous matches, rows and all.
            if f.kept_every_match() {
                prop_assert_eq!(&got, &before);
            }
            // An index grown by appends, masked and added to by changes, answers as one
            // built whole.
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
