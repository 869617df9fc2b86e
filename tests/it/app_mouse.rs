//! Issue 17: the mouse — a click selects a tree row (and opens or closes a selected one),
//! focuses the pane under it; the wheel scrolls the pane under the pointer; with a dialog open
//! a click does nothing.

use crossterm::event::{KeyCode, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use vnav::app::Pane;
use vnav::app::event::Event;

use crate::app_ui::{connected, with_vms};
use crate::support::*;

fn mouse(app: &mut vnav::app::App, kind: MouseEventKind, column: u16, row: u16) -> bool {
    app.handle(Event::Mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }))
    .redraw
}

fn name(app: &vnav::app::App) -> String {
    app.selected_entry().unwrap().node.name.to_string()
}

#[tokio::test(start_paused = true)]
async fn clicks_select_and_focus_and_the_wheel_scrolls() {
    let mut app = connected();
    with_vms(&mut app);
    let text = screen(&mut app, 100, 30);
    let y = text
        .lines()
        .position(|l| l.contains("db-01"))
        .unwrap_or_else(|| panic!("{text}")) as u16;
    let click = MouseEventKind::Down(MouseButton::Left);
    assert!(mouse(&mut app, click, 10, y));
    assert_eq!(name(&app), "db-01");
    // A click on the selected row opens it: shop closes and opens again.
    let shop = text.lines().position(|l| l.contains("shop")).unwrap() as u16;
    mouse(&mut app, click, 10, shop);
    assert_eq!(name(&app), "shop");
    let open = app.tree.get(app.cursor.selected.unwrap()).expanded;
    mouse(&mut app, click, 10, shop);
    assert_ne!(app.tree.get(app.cursor.selected.unwrap()).expanded, open);
    // The detail pane and the task pane take the focus when clicked.
    mouse(&mut app, click, 70, 5);
    assert_eq!(app.focus, Pane::Detail);
    mouse(&mut app, click, 10, 27);
    assert_eq!(app.focus, Pane::Tasks);
    // The wheel over the tree moves through it without taking the focus.
    key(&mut app, KeyCode::Home);
    let before = app.cursor.selected;
    mouse(&mut app, MouseEventKind::ScrollDown, 10, 5);
    assert_ne!(app.cursor.selected, before);
    assert_eq!(app.focus, Pane::Tasks);
    // With the help open, a click changes nothing.
    key(&mut app, KeyCode::Char('?'));
    let sel = app.cursor.selected;
    assert!(!mouse(&mut app, click, 10, y));
    assert_eq!(app.cursor.selected, sel);
}
