//! Issue 17: back and forward through visited nodes (`[` / `]`, Backspace) and bookmarks
//! (`m` + letter, `'` + letter) kept per context in the state directory.

use crossterm::event::KeyCode;
use vnav::api::model::*;
use vnav::app::event::Effect;
use vnav::app::history::{Bookmark, parse};

use crate::app_detail_read::{details_req, give};
use crate::app_ui::{connected, details, with_vms};
use crate::support::*;

fn selected_name(app: &vnav::app::App) -> String {
    app.selected_entry().unwrap().node.name.to_string()
}

/// Rests on the selected VM until its details are read: a visit.
async fn read(app: &mut vnav::app::App, id: &str) {
    let req = details_req(app).await;
    let name = selected_name(app);
    give(app, req, details(id, &name));
}

#[tokio::test(start_paused = true)]
async fn brackets_and_backspace_walk_back_and_forth_through_visited_nodes() {
    let mut app = connected();
    with_vms(&mut app);
    read(&mut app, "vm/1").await; // web-01
    key(&mut app, KeyCode::Down);
    read(&mut app, "vm/2").await; // db-01
    key(&mut app, KeyCode::Char('['));
    assert_eq!(selected_name(&app), "web-01");
    key(&mut app, KeyCode::Char(']'));
    assert_eq!(selected_name(&app), "db-01");
    key(&mut app, KeyCode::Backspace);
    assert_eq!(selected_name(&app), "web-01");
    // Arriving through the history is no new visit: forward still leads to db-01.
    key(&mut app, KeyCode::Char(']'));
    assert_eq!(selected_name(&app), "db-01");
    key(&mut app, KeyCode::Char(']'));
    assert_eq!(selected_name(&app), "db-01", "nothing further forward");
}

#[tokio::test(start_paused = true)]
async fn m_sets_a_bookmark_saved_per_context_and_quote_goes_back_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bookmarks.json");
    let mut app = connected();
    app.bookmarks.path = Some(path.clone());
    with_vms(&mut app);
    key(&mut app, KeyCode::Down); // db-01
    let effects = keys(&mut app, "ma");
    let text = effects
        .iter()
        .find_map(|e| match e {
            Effect::WriteState { path: p, text } if *p == path => Some(text.clone()),
            _ => None,
        })
        .unwrap_or_else(|| panic!("bookmarks not written: {effects:?}"));
    let file = parse(&text).unwrap();
    assert_eq!(
        file["vcd.example.com"][&'a'],
        Bookmark {
            id: "vm/2".into(),
            name: "db-01".into(),
            kind: NodeKind::Vm
        }
    );
    key(&mut app, KeyCode::Home);
    assert_ne!(selected_name(&app), "db-01");
    keys(&mut app, "'a");
    assert_eq!(selected_name(&app), "db-01");
    // An unknown letter says so and moves nothing.
    keys(&mut app, "'q");
    assert_eq!(selected_name(&app), "db-01");
    assert!(app.toast.as_ref().unwrap().text.contains("no bookmark 'q"));
}

#[tokio::test(start_paused = true)]
async fn a_bookmark_of_a_node_not_loaded_yet_opens_it_and_reads_its_details() {
    let mut app = connected();
    let text = r#"{"vcd.example.com": {"b": {"id": "vm/9", "name": "far-away", "kind": "Vm"}}}"#;
    app.bookmarks.file = parse(text).unwrap();
    keys(&mut app, "'b");
    assert_eq!(selected_name(&app), "far-away");
    let req = details_req(&mut app).await;
    assert!(req > 0);
}

/// Issue 17: a key rebound in the config does the work, the old one no longer does, and `?`
/// shows the binding in force.
#[tokio::test(start_paused = true)]
async fn a_rebound_key_works_and_help_shows_it() {
    let mut app = connected();
    let keys_cfg = [("back".to_string(), vec!["-".to_string()])].into();
    app.keymap = vnav::app::keymap::Keymap::with_overrides(&keys_cfg).unwrap();
    with_vms(&mut app);
    read(&mut app, "vm/1").await;
    key(&mut app, KeyCode::Down);
    read(&mut app, "vm/2").await;
    key(&mut app, KeyCode::Char('['));
    assert_eq!(selected_name(&app), "db-01", "[ is no longer back");
    key(&mut app, KeyCode::Char('-'));
    assert_eq!(selected_name(&app), "web-01");
    key(&mut app, KeyCode::Char('?'));
    let text = screen(&mut app, 120, 60);
    let line = text
        .lines()
        .find(|l| l.contains("back to the node visited before"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("  -  ") && !line.contains('['), "{line}");
}
