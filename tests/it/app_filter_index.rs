//! Issue 18, target 3: the tree filter's index (every name and column packed, see
//! `app::filter`) is built again on ticks once the tree stops changing, not by the first
//! keystroke after the change (~50 ms at 300,000 nodes); a keystroke right after a change takes
//! it on at the index's end (`filter/tail.rs`).

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vnav::app::App;
use vnav::app::event::Event;

use crate::app_ui::{connected, with_vms};
use crate::support::{children_req, give_children, key, keys, vm};

/// Ticks as the runtime gives them: each when the app says one is due, up to `limit`.
async fn tick_while_due(app: &mut App, limit: usize) {
    for _ in 0..limit {
        match app.next_deadline() {
            Some(d) if d <= tokio::time::Instant::now() => {
                app.handle(Event::Tick);
            }
            Some(d) => tokio::time::advance(d - tokio::time::Instant::now()).await,
            None => return,
        }
        if app.filter.engine.index_deadline(&app.tree).is_none() {
            return;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn the_filter_index_is_built_on_ticks_once_the_tree_is_quiet() {
    let mut app = connected();
    with_vms(&mut app);
    // Never filtered: no index is kept (it costs memory), none is due.
    assert_eq!(app.filter.engine.index_deadline(&app.tree), None);
    keys(&mut app, "/w");
    assert!(
        app.filter.engine.index_ready(&app.tree),
        "built by the search"
    );
    key(&mut app, KeyCode::Esc);
    // The tree changes: globex's VMs land.
    for _ in 0..10 {
        if app.selected_entry().unwrap().node.name.as_str() == "globex" {
            break;
        }
        key(&mut app, KeyCode::Down);
    }
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "globex");
    let req = children_req(&key(&mut app, KeyCode::Right).effects);
    let vms = (0..40)
        .map(|i| vm(&format!("vm/g{i}"), &format!("app-{i}"), true))
        .collect();
    give_children(&mut app, req, vms);
    assert!(!app.filter.engine.index_ready(&app.tree));
    // Not while the tree is still changing: a tick right away builds nothing.
    app.handle(Event::Tick);
    assert!(!app.filter.engine.index_ready(&app.tree));
    let due = app.filter.engine.index_deadline(&app.tree).unwrap();
    assert!(due > tokio::time::Instant::now(), "after a quiet while");
    // Once quiet, ticks build it (in slices): the next keystroke finds it ready.
    tokio::time::advance(Duration::from_millis(500)).await;
    tick_while_due(&mut app, 100).await;
    assert!(app.filter.engine.index_ready(&app.tree));
    assert_eq!(app.filter.engine.index_deadline(&app.tree), None);
    let matches = |app: &App| app.tree.filter_matches().map(<[_]>::to_vec);
    keys(&mut app, "/app-39");
    let found = matches(&app).unwrap();
    let names: Vec<&str> = (found.iter())
        .map(|&id| app.tree.get(id).node.name.as_str())
        .collect();
    assert_eq!(names, ["app-39"]);
}

/// A second letter every shown match still matches ("we" after "w": every VM's state is
/// "Powered …") keeps the rows as they are: no layout of the tree's rows again (at 300,000
/// rows, most of such a keystroke), and the same rows as the query typed afresh.
#[tokio::test(start_paused = true)]
async fn a_keystroke_that_keeps_every_match_does_not_lay_the_rows_out_again() {
    let mut app = connected();
    with_vms(&mut app);
    keys(&mut app, "/w");
    let rows = app.tree.visible().to_vec();
    let names: Vec<&str> = (app.tree.filter_matches().unwrap().iter())
        .map(|&id| app.tree.get(id).node.name.as_str())
        .collect();
    assert_eq!(names, ["web-01", "db-01"], "both by their state");
    let version = app.tree.version;
    keys(&mut app, "e");
    assert!(app.filter.engine.kept_every_match());
    assert_eq!(
        app.tree.version, version,
        "the rows were not laid out again"
    );
    assert_eq!(app.tree.visible(), rows);
    // Typed afresh, the same rows.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/we");
    assert_eq!(app.tree.visible(), rows);
    // A letter that drops a match lays the rows out.
    keys(&mut app, "b");
    assert!(!app.filter.engine.kept_every_match());
    let names: Vec<&str> = (app.tree.visible().iter())
        .map(|&id| app.tree.get(id).node.name.as_str())
        .collect();
    assert_eq!(names.last(), Some(&"web-01"));
    assert!(!names.contains(&"db-01"));
}

/// A keystroke right after VMs landed (within the quiet while, before any tick built the
/// index again) takes the new VMs on at the end of the index instead of building it whole
/// (~50 ms at 300,000 nodes): it finds them, in tree order, with their ancestors as rows.
#[tokio::test(start_paused = true)]
async fn a_keystroke_right_after_vms_land_adds_them_to_the_index() {
    let mut app = connected();
    with_vms(&mut app);
    keys(&mut app, "/w");
    key(&mut app, KeyCode::Esc);
    // globex's VMs land (after acme's in the tree), then more under acme's shop.
    while app.selected_entry().unwrap().node.name.as_str() != "globex" {
        key(&mut app, KeyCode::Down);
    }
    let req = children_req(&key(&mut app, KeyCode::Right).effects);
    let vms = (0..3)
        .map(|i| vm(&format!("vm/g{i}"), &format!("app-{i}"), true))
        .collect();
    give_children(&mut app, req, vms);
    let shop = (app.tree.iter_all())
        .find(|&id| app.tree.get(id).node.name.as_str() == "shop")
        .unwrap();
    app.tree
        .append_children(shop, vec![vm("vm/9", "app-9", false)]);
    app.handle(Event::Tick);
    assert!(
        !app.filter.engine.index_ready(&app.tree),
        "no tick built it"
    );
    keys(&mut app, "/app-");
    assert_eq!(
        app.filter.engine.index_appended(),
        4,
        "taken on, not built again"
    );
    let names = |ids: &[vnav::app::tree::EntryId]| -> Vec<String> {
        ids.iter()
            .map(|&id| app.tree.get(id).node.name.to_string())
            .collect()
    };
    let found = names(app.tree.filter_matches().unwrap());
    assert_eq!(found, ["app-9", "app-0", "app-1", "app-2"], "in tree order");
    let rows = names(app.tree.visible());
    assert_eq!(
        rows,
        [
            "vcd.example.com",
            "acme",
            "shop",
            "app-9",
            "globex",
            "app-0",
            "app-1",
            "app-2"
        ]
    );
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "app-9");
}

/// A keystroke right after a change that is not an append (a refresh that sets a VM's
/// state, inserts one before another and drops one) takes the change on without building the
/// index whole (~42 ms at 300,000 nodes): the changed VM is indexed again at the end, the one
/// that went never matches, and matches and rows are in tree order.
#[tokio::test(start_paused = true)]
async fn a_keystroke_right_after_a_refresh_takes_the_change_on_without_a_build() {
    let mut app = connected();
    with_vms(&mut app);
    keys(&mut app, "/w");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.filter.engine.index_appended(), 0);
    // The shop is refreshed: web-01 is off now, web-00 came before it, db-01 went.
    key(&mut app, KeyCode::Up);
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "shop");
    let refresh = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
    let req = children_req(&app.handle(Event::Key(refresh)).effects);
    let vms = vec![vm("vm/0", "web-00", true), vm("vm/1", "web-01", false)];
    give_children(&mut app, req, vms);
    app.handle(Event::Tick);
    assert!(
        !app.filter.engine.index_ready(&app.tree),
        "no tick built it"
    );
    // By the state it has now; db-01, off before it went, is not found.
    keys(&mut app, "/off");
    assert_eq!(
        app.filter.engine.index_appended(),
        2,
        "web-01 again and web-00 at the end, not built again"
    );
    assert_eq!(names(&app, app.tree.filter_matches().unwrap()), ["web-01"]);
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/web");
    assert_eq!(
        names(&app, app.tree.filter_matches().unwrap()),
        ["web-00", "web-01"],
        "in tree order"
    );
    assert_eq!(
        names(&app, app.tree.visible()),
        ["vcd.example.com", "acme", "shop", "web-00", "web-01"]
    );
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/db");
    assert!(app.tree.filter_matches().unwrap().is_empty());
    assert_eq!(
        app.filter.engine.index_appended(),
        2,
        "still not built again"
    );
}

/// An index grown by many changes taken on (a tail and masks past a quarter of what it takes
/// on) is built again beside it on quiet ticks, in slices, while it answers keystrokes: a
/// keystroke in the middle neither builds nor finishes the build, and the new index replaces
/// it once built.
#[tokio::test(start_paused = true)]
async fn a_crowded_index_is_built_again_beside_it_while_it_answers() {
    let mut app = connected();
    with_vms(&mut app);
    // 20,000 VMs in the shop: more than one tick's slice of a build.
    key(&mut app, KeyCode::Up);
    let refresh = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
    let listing = |off: usize| -> Vec<vnav::api::model::Node> {
        (0..20_000)
            .map(|i| vm(&format!("vm/{i}"), &format!("vm-{i:05}"), i >= off))
            .collect()
    };
    let req = children_req(&app.handle(Event::Key(refresh)).effects);
    give_children(&mut app, req, listing(0));
    keys(&mut app, "/w");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.filter.engine.index_appended(), 0);
    // A refresh powers 2,100 of them off: taken on at the next keystroke.
    while app.selected_entry().unwrap().node.name.as_str() != "shop" {
        key(&mut app, KeyCode::Up);
    }
    let req = children_req(&app.handle(Event::Key(refresh)).effects);
    give_children(&mut app, req, listing(2_100));
    keys(&mut app, "/vm-0209");
    assert_eq!(app.filter.engine.index_appended(), 2_100);
    key(&mut app, KeyCode::Esc);
    // Quiet: a tick starts the build beside it, one slice.
    tokio::time::advance(Duration::from_millis(500)).await;
    app.handle(Event::Tick);
    assert!(
        app.filter.engine.index_deadline(&app.tree).is_some(),
        "more to build"
    );
    // A keystroke meanwhile is answered by the index as it was.
    keys(&mut app, "/vm-02099");
    assert_eq!(
        app.filter.engine.index_appended(),
        2_100,
        "not built on the key"
    );
    let found: Vec<String> = (app.tree.filter_matches().unwrap().iter())
        .map(|&id| app.tree.get(id).node.name.to_string())
        .collect();
    assert_eq!(found, ["vm-02099"]);
    key(&mut app, KeyCode::Esc);
    // The ticks finish the build and swap it in.
    tick_while_due(&mut app, 100).await;
    assert_eq!(app.filter.engine.index_deadline(&app.tree), None);
    assert_eq!(app.filter.engine.index_appended(), 0, "built again");
    keys(&mut app, "/off");
    assert_eq!(app.tree.filter_matches().unwrap().len(), 2_100);
}

/// A keystroke right after a refresh whose listing orders the children that stay otherwise
/// (vCenter's lists have no set order; a vCD page's order changes with a rename) takes on
/// only the children that moved, as changes, instead of building the index whole (~45 ms at
/// 300,000 nodes): the others keep their places, and matches and rows come in the new order.
#[tokio::test(start_paused = true)]
async fn a_keystroke_right_after_a_refresh_that_reorders_takes_on_what_moved() {
    let mut app = connected();
    with_vms(&mut app);
    let refresh = KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL);
    let refresh_shop = |app: &mut App, order: [(&str, &str); 4]| {
        while app.selected_entry().unwrap().node.name.as_str() != "shop" {
            key(app, KeyCode::Up);
        }
        let req = children_req(&app.handle(Event::Key(refresh)).effects);
        let vms = order.iter().map(|(id, name)| vm(id, name, true)).collect();
        give_children(app, req, vms);
        app.handle(Event::Tick);
    };
    let (web1, db1, web2, web3) = (
        ("vm/1", "web-01"),
        ("vm/2", "db-01"),
        ("vm/3", "web-02"),
        ("vm/4", "web-03"),
    );
    refresh_shop(&mut app, [web1, db1, web2, web3]);
    keys(&mut app, "/w");
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.filter.engine.index_appended(), 0, "built");
    // web-01 comes back third: it alone moved.
    refresh_shop(&mut app, [db1, web2, web1, web3]);
    assert!(
        !app.filter.engine.index_ready(&app.tree),
        "no tick built it"
    );
    keys(&mut app, "/web");
    assert_eq!(
        app.filter.engine.index_appended(),
        1,
        "web-01 again at the end, not built again"
    );
    assert_eq!(
        names(&app, app.tree.filter_matches().unwrap()),
        ["web-02", "web-01", "web-03"],
        "in the new tree order"
    );
    assert_eq!(
        names(&app, app.tree.visible()),
        [
            "vcd.example.com",
            "acme",
            "shop",
            "web-02",
            "web-01",
            "web-03"
        ]
    );
    key(&mut app, KeyCode::Esc);
    // Reversed: all but one moved, still fewer than the tail holds.
    refresh_shop(&mut app, [web3, web1, web2, db1]);
    keys(&mut app, "/web");
    assert_eq!(app.filter.engine.index_appended(), 4);
    assert_eq!(
        names(&app, app.tree.filter_matches().unwrap()),
        ["web-03", "web-01", "web-02"]
    );
}

/// The names of `ids`, in that order.
fn names(app: &App, ids: &[vnav::app::tree::EntryId]) -> Vec<String> {
    ids.iter()
        .map(|&id| app.tree.get(id).node.name.to_string())
        .collect()
}
