//! A refresh matched batch by batch ends exactly as the one merge at the end did (the code
//! before issue 18's target 4, kept here as the reference): the same entries kept, in the same
//! order, with the same stamps, successors and frees, over random listings with duplicates,
//! nodes opened by id, reorders and refreshes that fail, are abandoned or asked again.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;

use super::super::{EndpointId, EntryId, Tree};
use super::moves;
use crate::api::model::{ChildBatch, Node, NodeId, NodeKind, Severity, Status};
use thin_vec::ThinVec;

/// Two lists in name order as one, stable: the staging of parts the old code did.
fn merge_by_name(old: Vec<Node>, new: Vec<Node>) -> Vec<Node> {
    let mut out = Vec::new();
    let mut new = new.into_iter().peekable();
    for o in old {
        while let Some(n) = new.next_if(|n| n.name < o.name) {
            out.push(n);
        }
        out.push(o);
    }
    out.extend(new);
    out
}

/// `merge_children_from` as it was, in one go.
fn reference_merge(t: &mut Tree, parent: EntryId, nodes: Vec<(EndpointId, Node)>) {
    t.edits += 1;
    let old = std::mem::take(&mut t.entries[parent as usize].children);
    let mut by_id: HashMap<(EndpointId, &NodeId), (EntryId, usize)> = HashMap::new();
    let mut shadowed = Vec::new();
    for (i, &c) in old.iter().enumerate() {
        let e = &t.entries[c as usize];
        shadowed.extend(by_id.insert((e.endpoint(), &e.node.id), (c, i)));
    }
    let reuse: Vec<Option<(EntryId, usize)>> = nodes
        .iter()
        .map(|(ep, node)| by_id.remove(&(*ep, &node.id)))
        .collect();
    type Placed = Vec<(EntryId, usize)>;
    let (mut opened, dropped): (Placed, Placed) = by_id
        .into_values()
        .partition(|&(c, _)| t.entries[c as usize].opened_by_id());
    opened.sort_unstable_by_key(|&(_, i)| i);
    let dropped: HashSet<EntryId> = (dropped.into_iter().chain(shadowed))
        .map(|(c, _)| c)
        .collect();
    let successor = |i: usize| {
        let next = old[i + 1..].iter().find(|c| !dropped.contains(c));
        let prev = old[..i].iter().rev().find(|c| !dropped.contains(c));
        next.or(prev).copied().unwrap_or(parent)
    };
    let went: Vec<(EntryId, EntryId)> = (old.iter().enumerate())
        .filter(|(_, c)| dropped.contains(c))
        .map(|(i, &c)| (c, successor(i)))
        .collect();
    let stay = || (reuse.iter().flatten()).chain(&opened).copied();
    let moved = match stay().map(|(_, i)| i).is_sorted() || !t.in_tree(parent) {
        true => Vec::new(),
        false => moves::moved(&stay().collect::<Vec<_>>()),
    };
    let mut kept = ThinVec::with_capacity(nodes.len());
    for ((endpoint, node), slot) in nodes.into_iter().zip(reuse) {
        match slot {
            Some((id, _)) if t.entries[id as usize].node == node => kept.push(id),
            Some((id, _)) => {
                t.entries[id as usize].node = node;
                t.content += 1;
                t.stamps[id as usize] = t.content;
                kept.push(id);
            }
            None => kept.push(t.new_child(parent, endpoint, node)),
        }
    }
    for (id, to) in went {
        t.free_subtree(id, to);
    }
    kept.extend(opened.into_iter().map(|(c, _)| c));
    t.entries[parent as usize].children = kept;
    if !moved.is_empty() {
        t.stamp_moved(moved);
    }
    t.content += 1;
    t.invalidate();
}

fn node(id: &str, name: &str, off: bool) -> Node {
    let n = Node::new(NodeKind::Vm, id, name).expandable(true);
    match off {
        true => n.with_status(Status::new("POWERED_OFF", Severity::Muted)),
        false => n,
    }
}

#[derive(Clone, Debug)]
enum End {
    Ok,
    Failed,
    Abandoned,
    /// Asked again after the batches: the listing comes whole again and completes.
    AskedAgain,
}

#[derive(Clone, Debug)]
struct Case {
    /// Old children: (id, name, powered off); ids repeat.
    old: Vec<(u8, u8, bool)>,
    /// Old children that have a loaded child, an open one, a marked one (by place).
    deep: Vec<usize>,
    /// Ids opened by id before the refresh, and one opened in the middle of it.
    opened: Vec<u8>,
    opened_during: Option<u8>,
    /// The listing, cut into batches at these places.
    new: Vec<(u8, u8, bool)>,
    cuts: Vec<usize>,
    by_name: bool,
    end: End,
    drawn: bool,
    /// The work of a slice of the ended refresh (`Tree::refresh_slice`; 0: as shipped), and
    /// whether a node is opened by id between two of its slices.
    slice: usize,
    opened_finishing: Option<u8>,
}

fn case() -> impl Strategy<Value = Case> {
    let item = || (0u8..10, 0u8..6, any::<bool>());
    (
        prop::collection::vec(item(), 1..14),
        prop::collection::vec(0usize..14, 0..4),
        prop::collection::vec(0u8..12, 0..3),
        prop::option::of(0u8..12),
        prop::collection::vec(item(), 0..16),
        prop::collection::vec(0usize..16, 0..5),
        any::<bool>(),
        prop_oneof![
            4 => Just(End::Ok),
            1 => Just(End::Failed),
            1 => Just(End::Abandoned),
            1 => Just(End::AskedAgain)
        ],
        (
            any::<bool>(),
            prop_oneof![Just(0), 1usize..8],
            prop::option::of(0u8..12),
        ),
    )
        .prop_map(
            |(old, deep, opened, opened_during, mut new, mut cuts, by_name, end, extra)| {
                let (drawn, slice, opened_finishing) = extra;
                if by_name {
                    // Parts of a list in name order never repeat a node (vCenter's are told
                    // apart as they land, `seen`): of two with one id, the first to arrive
                    // takes the old entry, which in name order need not be the first.
                    let mut seen = HashSet::new();
                    new.retain(|n| seen.insert(n.0));
                }
                cuts.retain(|&c| c <= new.len());
                cuts.push(0);
                cuts.push(new.len());
                cuts.sort_unstable();
                Case {
                    old,
                    deep,
                    opened,
                    opened_during,
                    new,
                    cuts,
                    by_name,
                    end,
                    drawn,
                    slice,
                    opened_finishing,
                }
            },
        )
}

fn id_of(i: u8) -> String {
    format!("vm-{i}")
}

fn to_node(&(i, name, off): &(u8, u8, bool)) -> Node {
    node(&id_of(i), &format!("n{name}"), off)
}

/// A tree with the case's old children under a parent (drawn or a table's root).
fn planted(c: &Case) -> (Tree, EntryId) {
    let mut t = Tree::default();
    let r = match c.drawn {
        true => t.add_root(0, node("root", "root", false)),
        false => t.add_hidden_root(0, node("table", "table", false)),
    };
    t.start_load(r, 1);
    t.accept_batch(
        r,
        1,
        ChildBatch {
            nodes: c.old.iter().map(to_node).collect(),
            ..Default::default()
        },
    );
    t.finish_load(r, 1, Ok(()));
    for &i in &c.opened {
        t.open_by_id(r, node(&id_of(i), "opened", false));
    }
    t.set_expanded(r, true);
    let kids = t.get(r).children.to_vec();
    for &d in &c.deep {
        if let Some(&k) = kids.get(d) {
            t.append_children(k, vec![node(&format!("{k}-child"), "child", false)]);
            t.set_expanded(k, true);
            t.set_marked(k, true);
        }
    }
    t.refresh_visible();
    (t, r)
}

/// The batches of the listing, as the case cuts them.
fn batches(c: &Case, nodes: &[(u8, u8, bool)]) -> Vec<Vec<Node>> {
    let mut nodes: Vec<Node> = nodes.iter().map(to_node).collect();
    let mut out = Vec::new();
    for w in c.cuts.windows(2) {
        let mut part: Vec<Node> = nodes.drain(..w[1] - w[0]).collect();
        if c.by_name {
            part.sort_by(|a, b| a.name.cmp(&b.name));
        }
        out.push(part);
    }
    out
}

/// The tree as a test compares it: entries there before by id, others by what they show.
#[derive(Debug, PartialEq)]
enum Seen {
    Was(EntryId),
    Made(String, String, bool),
}

fn seen(t: &Tree, before: &HashSet<EntryId>, id: EntryId) -> Seen {
    match before.contains(&id) {
        true => Seen::Was(id),
        false => {
            let e = t.get(id);
            Seen::Made(
                e.node.id.to_string(),
                e.node.name.to_string(),
                e.opened_by_id(),
            )
        }
    }
}

#[derive(Debug, PartialEq)]
struct Outcome {
    children: Vec<(Seen, Node, bool, bool)>,
    stamped: Vec<EntryId>,
    freed: Vec<Seen>,
    successors: Vec<(EntryId, Option<Seen>)>,
    live: usize,
}

fn outcome(t: &Tree, r: EntryId, before: &HashSet<EntryId>, content: u64) -> Outcome {
    let children = (t.get(r).children.iter())
        .map(|&c| {
            let e = t.get(c);
            (
                seen(t, before, c),
                e.node.clone(),
                e.expanded,
                e.is_marked(),
            )
        })
        .collect();
    let mut stamped: Vec<EntryId> = (before.iter().copied())
        .filter(|&id| t.is_live(id) && t.changed_since(id, content))
        .collect();
    stamped.sort_unstable();
    let freed = (t.freed_lately().1.iter())
        .map(|&id| seen(t, before, id))
        .collect();
    let mut successors: Vec<_> = (before.iter())
        .map(|&id| (id, t.successor(id).map(|s| seen(t, before, s))))
        .collect();
    successors.sort_unstable_by_key(|s| s.0);
    Outcome {
        children,
        stamped,
        freed,
        successors,
        live: t.len(),
    }
}

/// Runs the ended refresh's slices (`Tree::finish_slice`) to its end, a node opened by id
/// between two of them when the case says (in `reference` too, before its merge). Meanwhile
/// the children shown are live, the old ones in their order. Answers the entries freed before
/// that node was opened (with what was below them): their holders went to a sibling that stayed without it (the
/// reference, opening it first, may send them to it).
fn finish(
    t: &mut Tree,
    reference: &mut Tree,
    r: EntryId,
    c: &Case,
    old: &[EntryId],
) -> HashSet<EntryId> {
    let mut gone_before = HashSet::new();
    let mut opened = c.opened_finishing;
    let mut slices = 0;
    while t.finish_due() {
        t.finish_slice();
        t.refresh_visible();
        let shown = t.get(r).children.to_vec();
        assert!(shown.iter().all(|&id| t.is_live(id)), "a freed child shown");
        if t.finish_due() {
            let mut rest = old.iter();
            assert!(
                (shown.iter()).all(|c| rest.any(|o| o == c) || t.get(*c).opened_by_id()),
                "the old children shown in their order"
            );
        }
        // Between two slices only: once ended, the refresh is no longer in play.
        if t.finish_due()
            && let Some(i) = opened.take()
        {
            gone_before.extend((0..t.capacity() as EntryId).filter(|&id| !t.is_live(id)));
            let n = node(&id_of(i), "opened", false);
            t.open_by_id(r, n.clone());
            reference.open_by_id(r, n);
        }
        slices += 1;
        assert!(slices < 10_000, "the slices end");
    }
    gone_before
}

/// Every live entry is in the tree (or a table's root's), none left made but not placed.
fn consistent(t: &Tree, r: EntryId) {
    let mut reached = 0;
    let mut stack = vec![r];
    while let Some(id) = stack.pop() {
        reached += 1;
        assert_eq!(t.get(id).flags & super::STAGED, 0, "{id} placed but staged");
        stack.extend(t.get(id).children.iter().copied());
    }
    assert_eq!(reached, t.len(), "every live entry is reachable");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn batch_by_batch_ends_as_one_merge_did(c in case()) {
        let (mut t, r) = planted(&c);
        let (mut reference, _) = planted(&c);
        t.refresh_slice = c.slice;
        let before: HashSet<EntryId> = (0..t.capacity() as EntryId).filter(|&i| t.is_live(i)).collect();
        let old_children = t.get(r).children.to_vec();
        // Without children the listing is a first load: shown as it lands, not merged.
        prop_assume!(!old_children.is_empty());
        let content = t.content;
        // Batch by batch.
        t.take_removed();
        t.start_load(r, 2);
        let mut staged: Vec<Node> = Vec::new();
        let gone_before;
        for (k, part) in batches(&c, &c.new).into_iter().enumerate() {
            if k == 1 && let Some(i) = c.opened_during {
                let n = node(&id_of(i), "opened", false);
                t.open_by_id(r, n.clone());
                reference.open_by_id(r, n);
            }
            staged = match c.by_name {
                true => merge_by_name(staged, part.clone()),
                false => staged.into_iter().chain(part.clone()).collect(),
            };
            t.accept_batch(r, 2, ChildBatch { nodes: part, by_name: c.by_name, ..Default::default() });
            t.refresh_visible();
            // The old children stay shown till the end (those opened meanwhile after them).
            prop_assert_eq!(&t.get(r).children[..old_children.len()], &old_children[..]);
        }
        reference.take_removed();
        match c.end {
            End::Ok => {
                t.finish_load(r, 2, Ok(()));
                let old = t.get(r).children.to_vec();
                gone_before = finish(&mut t, &mut reference, r, &c, &old);
                let endpoint = reference.get(r).endpoint();
                reference_merge(&mut reference, r, staged.into_iter().map(|n| (endpoint, n)).collect());
            }
            End::Failed | End::Abandoned => {
                match c.end {
                    End::Failed => { t.finish_load(r, 2, Err("503".into())); }
                    _ => t.abandon_load(r),
                }
                // As it was, but for the nodes listed meanwhile, which may be the new ones.
                for (&id, &was) in t.get(r).children.iter().zip(reference.get(r).children.iter()) {
                    // The same entry: one that was there, or the one opened meanwhile.
                    let which = |t: &Tree, id| (before.get(&id).copied(), t.get(id).node.id.clone(), t.get(id).opened_by_id());
                    prop_assert_eq!(which(&t, id), which(&reference, was));
                    let now = &t.get(id).node;
                    prop_assert!(*now == reference.get(was).node || staged.contains(now), "{:?}", now);
                }
                prop_assert_eq!(t.get(r).children.len(), reference.get(r).children.len());
                prop_assert_eq!(t.len(), reference.len());
                consistent(&t, r);
                return Ok(());
            }
            End::AskedAgain => {
                t.start_load(r, 3);
                let again = batches(&c, &c.new);
                for part in again.iter().cloned() {
                    t.accept_batch(r, 3, ChildBatch { nodes: part, by_name: c.by_name, ..Default::default() });
                }
                t.finish_load(r, 3, Ok(()));
                let old = t.get(r).children.to_vec();
                gone_before = finish(&mut t, &mut reference, r, &c, &old);
                let endpoint = reference.get(r).endpoint();
                let mut all: Vec<Node> = Vec::new();
                for part in again {
                    all = match c.by_name {
                        true => merge_by_name(all, part),
                        false => all.into_iter().chain(part).collect(),
                    };
                }
                reference_merge(&mut reference, r, all.into_iter().map(|n| (endpoint, n)).collect());
            }
        }
        consistent(&t, r);
        let (mut got, mut want) = (outcome(&t, r, &before, content), outcome(&reference, r, &before, content));
        for o in [&mut got, &mut want] {
            o.successors.retain(|(id, _)| !gone_before.contains(id));
            // Those went first: the rest follow in their order.
            o.freed.sort_by_key(|f| !matches!(f, Seen::Was(id) if gone_before.contains(id)));
        }
        prop_assert_eq!(got, want);
    }
}

/// The snapshot view's parent takes its children from several endpoints in one go: a child is
/// the same when its endpoint and id are.
#[test]
fn children_from_several_endpoints_are_told_apart_by_endpoint() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("all", "all", false));
    t.merge_children_from(
        r,
        vec![(0, node("vm-1", "a", false)), (1, node("vm-1", "a", false))],
    );
    let [a, b] = t.get(r).children[..] else {
        panic!("two children")
    };
    t.merge_children_from(
        r,
        vec![(1, node("vm-1", "a", true)), (0, node("vm-1", "a", false))],
    );
    assert_eq!(t.get(r).children.to_vec(), [b, a]);
    assert_eq!(t.get(b).endpoint(), 1);
    assert!(t.get(b).node != t.get(a).node, "endpoint 1's node updated");
}

/// A node listed by a refresh but not yet placed is no one's to find (a task's target, `:goto`)
/// before the refresh ends.
#[test]
fn a_listed_node_joins_the_tree_when_the_refresh_ends() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root", "root", false));
    let batch = |ids: &[&str]| ChildBatch {
        nodes: ids.iter().map(|i| node(i, i, false)).collect(),
        ..Default::default()
    };
    t.start_load(r, 1);
    t.accept_batch(r, 1, batch(&["vm-1"]));
    t.finish_load(r, 1, Ok(()));
    t.start_load(r, 2);
    t.accept_batch(r, 2, batch(&["vm-1", "vm-2"]));
    assert!(t.find(0, "vm-2").is_empty());
    assert_eq!(t.get(r).children.len(), 1);
    t.finish_load(r, 2, Ok(()));
    assert_eq!(t.find(0, "vm-2").len(), 1);
    assert_eq!(t.get(r).children.len(), 2);
}

/// A listed node that differs shows as its batch lands (stamped, for the indexes that take it
/// on), the children staying as they were till the end: the end has nothing left to compare.
#[test]
fn a_changed_node_is_updated_as_its_batch_lands() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root", "root", false));
    t.start_load(r, 1);
    let nodes = vec![node("vm-1", "a", false), node("vm-2", "b", false)];
    let batch = |nodes: Vec<Node>| ChildBatch {
        nodes,
        ..Default::default()
    };
    t.accept_batch(r, 1, batch(nodes));
    t.finish_load(r, 1, Ok(()));
    let kids = t.get(r).children.to_vec();
    let content = t.content;
    t.start_load(r, 2);
    let off = node("vm-2", "b", true);
    t.accept_batch(r, 2, batch(vec![off.clone(), node("vm-3", "c", false)]));
    assert_eq!(t.get(kids[1]).node, off);
    assert!(t.changed_since(kids[1], content));
    assert!(!t.changed_since(kids[0], content));
    assert_eq!(t.get(r).children.to_vec(), kids);
    t.finish_load(r, 2, Ok(()));
    assert_eq!(t.get(r).children[0], kids[1]);
    assert_eq!(t.successor(kids[0]), Some(kids[1]));
}

/// A parent that goes while its refresh is in flight (its own parent listed again without it)
/// takes the entries made for that refresh's new nodes with it: none is left live outside the
/// tree.
#[test]
fn a_parent_that_goes_mid_refresh_takes_its_staged_entries() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root", "root", false));
    t.merge_children(r, vec![node("folder", "f", false)]);
    let folder = t.get(r).children[0];
    let batch = |ids: &[&str]| ChildBatch {
        nodes: ids.iter().map(|i| node(i, i, false)).collect(),
        ..Default::default()
    };
    t.start_load(folder, 1);
    t.accept_batch(folder, 1, batch(&["vm-1"]));
    t.finish_load(folder, 1, Ok(()));
    t.start_load(folder, 2);
    t.accept_batch(folder, 2, batch(&["vm-1", "vm-2", "vm-3"]));
    assert_eq!(t.len(), 5, "root, folder, vm-1 and two staged");
    t.merge_children(r, vec![]);
    assert_eq!(t.len(), 1);
    consistent(&t, r);
    assert!(
        !t.accept_batch(folder, 2, batch(&["vm-4"])),
        "its answers are stale"
    );
}

/// A refresh that moves more children than the filter's tail takes on (most of 40,000,
/// reversed) does not stamp each: the filter would build its index again anyway, so the tree
/// tells readers in tree order to start over (`freed_lately`'s epoch), in one step.
#[test]
fn a_refresh_that_moves_most_of_many_children_tells_readers_to_start_over() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root", "root", false));
    let vms: Vec<Node> = (0..40_000)
        .map(|i| node(&format!("vm-{i}"), &format!("n{i}"), false))
        .collect();
    t.merge_children(r, vms.clone());
    let (epoch, content) = (t.freed_lately().0, t.content);
    // Two swapped: stamped, as before.
    let mut two = vms.clone();
    two.swap(1, 30_000);
    t.merge_children(r, two.clone());
    assert_eq!(t.freed_lately().0, epoch);
    let stamped = |t: &Tree, content: u64| {
        (t.get(r).children.iter())
            .filter(|&&c| t.changed_since(c, content))
            .count()
    };
    assert_eq!(stamped(&t, content), 2, "the two moved");
    let content = t.content;
    two.reverse();
    t.merge_children(r, two);
    assert_eq!(t.freed_lately().0, epoch + 1, "readers start over");
    assert_eq!(stamped(&t, content), 0, "none stamped one by one");
    let names: Vec<&str> = (t.get(r).children.iter())
        .map(|&c| t.get(c).node.name.as_str())
        .collect();
    assert_eq!(names[..2], ["n39999", "n39998"]);
}

/// An ended refresh that has much to free does it in slices (`Tree::finish_slice`): the old
/// children that went leave as they are freed, in their order, none freed twice, the parent
/// loading until the last slice swaps the listing in.
#[test]
fn an_ended_refresh_frees_what_went_in_slices() {
    let mut t = Tree::default();
    let r = t.add_root(0, node("root", "root", false));
    let vms: Vec<Node> = (0..40_000)
        .map(|i| node(&format!("vm-{i}"), &format!("n{i}"), false))
        .collect();
    let batch = |nodes: Vec<Node>| ChildBatch {
        nodes,
        ..Default::default()
    };
    t.start_load(r, 1);
    t.accept_batch(r, 1, batch(vms.clone()));
    t.finish_load(r, 1, Ok(()));
    let old = t.get(r).children.to_vec();
    t.start_load(r, 2);
    t.accept_batch(r, 2, batch(vec![vms[39_999].clone()]));
    t.finish_load(r, 2, Ok(()));
    let mut slices = 0;
    let mut shown = t.get(r).children.len();
    assert!(shown > 20_000, "most still shown: {shown}");
    while t.finish_due() {
        assert!(matches!(t.get(r).load(), super::super::Load::Loading(_)));
        t.finish_slice();
        slices += 1;
        let now = t.get(r).children.len();
        assert!(now <= shown && now >= 1);
        // Those that went go from the front: the rest shown as they were.
        assert_eq!(t.get(r).children[..], old[old.len() - now..]);
        shown = now;
    }
    assert!(slices >= 5, "{slices}");
    assert_eq!(t.get(r).children[..], [old[39_999]]);
    assert_eq!(t.get(r).load(), &super::super::Load::Loaded);
    assert_eq!(t.len(), 2);
    assert_eq!(t.successor(old[0]), Some(old[39_999]));
}
