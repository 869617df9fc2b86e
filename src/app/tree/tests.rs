use super::*;
use crate::api::model::{NodeKind, Severity, Status};

fn node(id: &str) -> Node {
    Node::new(NodeKind::Vm, id, id).expandable(true)
}

/// A whole listing of `parent`'s children in one batch, as request `req`.
fn listed(t: &mut Tree, parent: EntryId, req: u64, nodes: Vec<Node>) {
    t.start_load(parent, req);
    t.accept_batch(
        parent,
        req,
        ChildBatch {
            nodes,
            ..Default::default()
        },
    );
    t.finish_load(parent, req, Ok(()));
}

fn names(t: &Tree) -> Vec<String> {
    t.visible()
        .iter()
        .map(|&i| t.get(i).node.name.to_string())
        .collect()
}

#[test]
fn streamed_children_show_when_expanded() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root"));
    t.start_load(r, 1);
    assert!(t.accept_batch(
        r,
        1,
        ChildBatch {
            nodes: vec![node("a"), node("b")],
            ..Default::default()
        }
    ));
    assert!(!t.accept_batch(
        r,
        99,
        ChildBatch {
            nodes: vec![node("stale")],
            ..Default::default()
        }
    ));
    assert!(t.finish_load(r, 1, Ok(())));
    t.set_expanded(r, true);
    t.refresh_visible();
    assert_eq!(names(&t), ["root", "a", "b"]);
}

/// What a refresh tells the indexes over the tree (the filter's): only the children
/// whose node differs are stamped, the ones that went are in `freed_lately` (not a
/// table's), of children that stay in another order the fewest that explain it are
/// stamped with what is below them (not a table's rows), and of two children with one id
/// the shadowed one is freed, not left live outside the tree.
#[test]
fn a_refresh_stamps_what_changed_or_moved_and_logs_what_went() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root"));
    t.merge_children(r, vec![node("a"), node("b"), node("c"), node("b")]);
    let ids = t.get(r).children.to_vec();
    assert_eq!(ids.len(), 4);
    let stamped = |t: &Tree, content: u64| -> Vec<EntryId> {
        (0..t.capacity() as EntryId)
            .filter(|&id| t.is_live(id) && t.changed_since(id, content))
            .collect()
    };
    let content = t.content;
    let changed = node("c").with_status(Status::new("POWERED_OFF", Severity::Muted));
    t.merge_children(r, vec![node("a"), changed.clone(), node("b")]);
    assert_eq!(stamped(&t, content), [ids[2]], "only c's node differs");
    // The first b was shadowed by the second: freed, as the log says.
    assert!(!t.is_live(ids[1]));
    assert_eq!(t.freed_lately().1, [ids[1]]);
    assert_eq!(t.get(r).children.to_vec(), [ids[0], ids[2], ids[3]]);
    // Another order: c moved first, with its child; a and b kept their places.
    t.append_children(ids[2], vec![node("c1")]);
    let c1 = t.get(ids[2]).children[0];
    let content = t.content;
    t.merge_children(r, vec![changed.clone(), node("a"), node("b")]);
    let mut want = [ids[2], c1];
    want.sort();
    assert_eq!(stamped(&t, content), want);
    assert_eq!(t.get(r).children.to_vec(), [ids[2], ids[0], ids[3]]);
    // The same order again: nothing moved.
    let content = t.content;
    t.merge_children(r, vec![changed, node("a"), node("b")]);
    assert!(stamped(&t, content).is_empty());
    // A table's rows that go are not the drawn tree's: not logged; nor stamped when
    // listed in another order (its orders do not follow the tree's).
    let table = t.add_hidden_root(0, node("table"));
    t.merge_children(table, vec![node("x"), node("y")]);
    let content = t.content;
    t.merge_children(table, vec![node("y"), node("x")]);
    assert!(stamped(&t, content).is_empty());
    t.merge_children(table, vec![]);
    assert_eq!(t.freed_lately().1, [ids[1]]);
}

#[test]
fn refresh_keeps_old_children_until_done_then_merges_by_id() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root"));
    listed(&mut t, r, 1, vec![node("a"), node("b")]);
    t.set_expanded(r, true);
    let a = t.get(r).children[0];
    t.set_expanded(a, true);
    t.start_load(r, 2);
    t.accept_batch(
        r,
        2,
        ChildBatch {
            nodes: vec![node("c"), node("a")],
            ..Default::default()
        },
    );
    t.refresh_visible();
    assert_eq!(
        names(&t),
        ["root", "a", "b"],
        "old children stay during refresh"
    );
    t.finish_load(r, 2, Ok(()));
    t.refresh_visible();
    assert_eq!(names(&t), ["root", "c", "a"]);
    assert_eq!(t.get(r).children[1], a, "entry of a kept");
    assert!(t.get(a).expanded);
    assert_eq!(t.len(), 3, "b freed");
}

/// One part of a split list, in name order.
fn part(names: &[&str]) -> ChildBatch {
    ChildBatch {
        nodes: names.iter().map(|n| node(n)).collect(),
        by_name: true,
        ..Default::default()
    }
}

/// Parts of a split list, each in name order, arriving in any order: on a first load
/// and on a refresh the children end in one name order.
#[test]
fn parts_in_name_order_merge_into_one_order() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root"));
    t.set_expanded(r, true);
    for req in [1, 2] {
        t.start_load(r, req);
        t.accept_batch(r, req, part(&["b", "x", "zookeeper"]));
        t.accept_batch(r, req, part(&["a", "c", "y"]));
        t.accept_batch(r, req, part(&["a2", "zz"]));
        t.finish_load(r, req, Ok(()));
        t.refresh_visible();
        assert_eq!(
            names(&t),
            ["root", "a", "a2", "b", "c", "x", "y", "zookeeper", "zz"],
            "load {req}"
        );
    }
}

/// A table's hidden root takes parts in name order as they come: the table sorts its
/// rows, and placing each among 100,000 children by name would read ~17 entries a row.
#[test]
fn a_tables_root_keeps_parts_in_arrival_order() {
    let mut t = Tree::default();
    let r = t.add_hidden_root(0, node("VMs"));
    t.start_load(r, 1);
    t.accept_batch(r, 1, part(&["b", "x"]));
    t.accept_batch(r, 1, part(&["a", "c"]));
    t.finish_load(r, 1, Ok(()));
    let names: Vec<&str> = (t.get(r).children.iter())
        .map(|&c| t.get(c).node.name.as_str())
        .collect();
    assert_eq!(names, ["b", "x", "a", "c"]);
}

/// A node opened by id under a parent whose listing lacks it stays (same entry) when the
/// parent is listed again.
#[test]
fn a_node_opened_by_id_survives_its_parents_reload() {
    let batch = |names: &[&str]| ChildBatch {
        nodes: names.iter().map(|n| node(n)).collect(),
        ..Default::default()
    };
    let mut t = Tree::default();
    let r = t.add_root(0, node("root"));
    t.set_expanded(r, true);
    t.start_load(r, 1);
    t.accept_batch(r, 1, batch(&["dc-a", "dc-b"]));
    t.finish_load(r, 1, Ok(()));
    let vm = t.open_by_id(r, node("vm-42"));
    t.start_load(r, 2);
    t.accept_batch(r, 2, batch(&["dc-a", "dc-c"]));
    t.finish_load(r, 2, Ok(()));
    t.refresh_visible();
    assert_eq!(names(&t), ["root", "dc-a", "dc-c", "vm-42"]);
    assert_eq!(t.get(r).children.last(), Some(&vm));
}

/// `:goto` opens a VM under a group never listed; listing the group later (an action's
/// refresh) keeps that entry, once, instead of dropping it and the cursor on it.
#[test]
fn a_node_opened_before_the_first_listing_is_kept_once() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("all"));
    t.set_expanded(r, true);
    let vm = t.open_by_id(r, node("vm-2"));
    t.start_load(r, 1);
    let nodes = ["vm-1", "vm-2", "vm-3"].iter().map(|n| node(n)).collect();
    t.accept_batch(
        r,
        1,
        ChildBatch {
            nodes,
            ..Default::default()
        },
    );
    t.finish_load(r, 1, Ok(()));
    t.refresh_visible();
    assert_eq!(names(&t), ["all", "vm-1", "vm-2", "vm-3"]);
    // The same entry (the cursor's), not a new one in a reused slot.
    assert_eq!(t.get(vm).node.id, "vm-2");
    assert_eq!(t.successor(vm), None, "never removed");
}

#[test]
fn filter_shows_matches_with_ancestors_in_tree_order() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root"));
    listed(&mut t, r, 1, vec![node("a"), node("b"), node("c")]);
    let c = t.get(r).children[2];
    let a = t.get(r).children[0];
    t.set_filter(Some(vec![c, a]));
    t.refresh_visible();
    assert_eq!(
        names(&t),
        ["root", "a", "c"],
        "collapsed parents open while filtering"
    );
    t.set_filter(None);
    t.refresh_visible();
    assert_eq!(names(&t), ["root"]);
}

#[test]
fn a_removed_entry_hands_over_to_next_sibling_else_previous_else_parent() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root"));
    listed(&mut t, r, 1, vec![node("a"), node("b"), node("c")]);
    let [a, b, c] = t.get(r).children[..] else {
        panic!()
    };
    listed(&mut t, b, 2, vec![node("b1")]);
    let b1 = t.get(b).children[0];
    t.merge_children(r, vec![node("a"), node("c")]);
    assert_eq!(t.successor(b), Some(c), "next sibling");
    assert_eq!(t.successor(b1), Some(c), "what was below it too");
    assert_eq!(t.successor(a), None, "not removed");
    t.take_removed();
    t.merge_children(r, vec![node("a")]);
    assert_eq!(t.successor(c), Some(a), "previous when it was the last");
    t.merge_children(r, vec![]);
    assert_eq!(t.successor(a), Some(r), "the parent when none is left");
    assert_eq!(t.successor(c), Some(r), "followed through later removals");
}

#[test]
fn failed_load_records_message_and_stale_finish_is_ignored() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root"));
    t.start_load(r, 5);
    assert!(!t.finish_load(r, 4, Ok(())));
    assert!(t.finish_load(r, 5, Err("403 forbidden".into())));
    assert_eq!(*t.get(r).load(), Load::failed("403 forbidden"));
}

/// A health dot is redrawn but is no change of content: nothing stamped or logged as
/// touched, so the indexes over the tree have nothing to take on; the same dot again is no
/// change at all.
#[test]
fn a_health_dot_is_redrawn_but_changes_no_content() {
    use crate::api::model::Health;
    let mut t = Tree::default();
    let r = t.add_root(0, node("root"));
    t.merge_children(r, vec![node("a"), node("b")]);
    let b = t.get(r).children[1];
    let (content, version) = (t.content, t.version);
    let (edits, touched) = (t.edits(), t.touched());
    assert!(t.set_health(b, Some(Health::Red)));
    assert_eq!(t.get(b).node.health, Some(Health::Red));
    assert!(t.version > version, "drawn again");
    assert_eq!(
        (t.content, t.edits(), t.touched()),
        (content, edits, touched)
    );
    assert!(!t.changed_since(b, content));
    assert_eq!(t.touched_since(touched, edits), Some(&[][..]));
    let version = t.version;
    assert!(!t.set_health(b, Some(Health::Red)));
    assert_eq!(t.version, version, "the same dot: nothing to draw");
}
