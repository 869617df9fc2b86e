//! A table's view of the tree (`Tree::set_view`) is laid out again only when it is set again
//! or one of its rows dies: pages landing elsewhere (300,000 rows arriving under a table's
//! roots) must not pay a pass over every row each.

use super::*;
use crate::api::model::NodeKind;

fn vm(id: &str) -> Node {
    Node::new(NodeKind::Vm, id, id)
}

#[test]
fn a_view_is_laid_out_again_only_when_set_or_a_row_dies() {
    let mut t = Tree::default();
    let root = t.add_hidden_root(0, Node::new(NodeKind::Group, "g", "g"));
    t.append_children(root, vec![vm("v0"), vm("v1"), vm("v2")]);
    let rows = t.get(root).children.clone();
    t.set_view(Some(vec![rows[2], rows[0]]));
    t.refresh_visible();
    assert_eq!(t.visible(), [rows[2], rows[0]]);
    assert_eq!(t.row_of(rows[0]), Some(1));

    // A marker in the laid-out rows stays unless they are laid out again.
    t.visible.push(EntryId::MAX);
    t.append_children(root, vec![vm("v3")]);
    t.refresh_visible();
    assert_eq!(
        t.visible().last(),
        Some(&EntryId::MAX),
        "a page landing does not lay the view out again"
    );
    t.visible.pop();

    // A row of the view dies (the listing no longer has v2): it leaves the view.
    t.merge_children(root, vec![vm("v0"), vm("v3")]);
    t.refresh_visible();
    assert_eq!(t.visible(), [rows[0]]);
    assert_eq!(t.row_of(rows[2]), None);
}
