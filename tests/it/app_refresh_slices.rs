//! Issue 18, target 4: a refresh whose listing ends with much left to do (a listing far shorter
//! than the children it replaces: VMs deleted, a filter on the server) does the rest in slices
//! on ticks, due at once, so no single event frees 300,000 children. The old children stay
//! shown until each goes, the cursor on one that went follows it, and the last slice swaps the
//! listing in.

use crossterm::event::KeyCode;
use vnav::app::App;
use vnav::app::event::Event;
use vnav::app::tree::{EntryId, Load};

use crate::app_ui::connected;
use crate::support::{children_req, give_children, key, vm};

/// More than one slice of work (`refresh.rs`: 16,384 units, a freed child four).
const VMS: usize = 40_000;

/// globex, selected, with `VMS` VMs listed under it.
fn globex_with_vms(app: &mut App) -> EntryId {
    key(app, KeyCode::Down);
    key(app, KeyCode::Down);
    let globex = app.cursor.selected.unwrap();
    assert_eq!(app.tree.get(globex).node.name.as_str(), "globex");
    let req = children_req(&key(app, KeyCode::Right).effects);
    let vms = (0..VMS)
        .map(|i| vm(&format!("vm/{i}"), &format!("app-{i:05}"), true))
        .collect();
    give_children(app, req, vms);
    assert_eq!(app.tree.get(globex).children.len(), VMS);
    globex
}

/// Ticks while the app has work due now, as the runtime runs them before a frame; checks that
/// every child shown meanwhile is live and that the old ones keep their order.
fn ticks_while_due(app: &mut App, parent: EntryId, old: &[EntryId]) -> usize {
    let mut ticks = 0;
    while app
        .next_deadline()
        .is_some_and(|d| d <= tokio::time::Instant::now())
    {
        app.handle(Event::Tick);
        ticks += 1;
        let shown = &app.tree.get(parent).children;
        assert!(shown.iter().all(|&c| app.tree.is_live(c)));
        let mut rest = old.iter();
        assert!(
            shown.iter().all(|c| rest.any(|o| o == c)),
            "in the old order"
        );
        assert!(ticks < 1_000, "the slices end");
    }
    ticks
}

#[tokio::test(start_paused = true)]
async fn a_listing_far_shorter_than_the_children_ends_in_slices_on_ticks() {
    let mut app = connected();
    let globex = globex_with_vms(&mut app);
    let old = app.tree.get(globex).children.to_vec();
    let refresh = key(&mut app, KeyCode::F(5));
    let req = children_req(&refresh.effects);
    // The cursor on a VM that goes, far from the one that stays.
    let gone = old[VMS - 10];
    app.select_entry(gone);
    give_children(&mut app, req, vec![vm("vm/7", "app-00007", true)]);
    // The listing ended, the rest is due: the old children are still there, most of them.
    assert!(
        app.tree.get(globex).children.len() > VMS / 2,
        "not all freed in the event that ended the listing"
    );
    assert!(matches!(app.tree.get(globex).load(), Load::Loading(_)));
    assert!(
        app.next_deadline()
            .is_some_and(|d| d <= tokio::time::Instant::now())
    );
    let ticks = ticks_while_due(&mut app, globex, &old);
    assert!(ticks > 1, "in slices: {ticks}");
    assert_eq!(app.tree.get(globex).children[..], [old[7]]);
    assert_eq!(app.tree.get(globex).load(), &Load::Loaded);
    assert_eq!(
        app.tree.len(),
        4 + 1,
        "endpoint, two orgs, globex's one VM and the snapshot view"
    );
    assert_eq!(
        app.cursor.selected,
        Some(old[7]),
        "from the VM that went to the nearest that stayed"
    );
}

#[tokio::test(start_paused = true)]
async fn an_empty_listing_ends_in_slices_and_a_refresh_asked_meanwhile_keeps_what_is_left() {
    let mut app = connected();
    let globex = globex_with_vms(&mut app);
    let old = app.tree.get(globex).children.to_vec();
    let req = children_req(&key(&mut app, KeyCode::F(5)).effects);
    give_children(&mut app, req, Vec::new());
    assert!(!app.tree.get(globex).children.is_empty());
    // A tick or two, then asked again: what is left stays shown, listed again.
    app.handle(Event::Tick);
    let left = app.tree.get(globex).children.to_vec();
    assert!(!left.is_empty() && left.len() <= VMS);
    app.select_entry(globex);
    let req = children_req(&key(&mut app, KeyCode::F(5)).effects);
    assert_eq!(app.tree.get(globex).children[..], left[..]);
    assert!(
        ticks_while_due(&mut app, globex, &old) == 0,
        "nothing due till it ends"
    );
    give_children(&mut app, req, Vec::new());
    ticks_while_due(&mut app, globex, &old);
    assert!(app.tree.get(globex).children.is_empty());
    assert_eq!(app.tree.get(globex).load(), &Load::Loaded);
    assert_eq!(app.cursor.selected, Some(globex));
}
