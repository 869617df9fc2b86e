//! Issue 17: `z` zooms the focused pane to the whole screen (and back); keys page by the
//! zoomed size.

use crossterm::event::KeyCode;

use crate::app_ui::{connected, with_vms};
use crate::support::*;

#[tokio::test(start_paused = true)]
async fn z_gives_the_focused_pane_the_screen_and_takes_it_back() {
    let mut app = connected();
    with_vms(&mut app);
    screen(&mut app, 100, 30);
    let normal = app.detail_width();
    key(&mut app, KeyCode::Tab); // the detail pane
    key(&mut app, KeyCode::Char('z'));
    let text = screen(&mut app, 100, 30);
    assert!(
        !text.contains("Inventory") && !text.contains("Tasks ·"),
        "{text}"
    );
    assert!(
        text.lines().next().unwrap().starts_with("┌ web-01 · VM"),
        "{text}"
    );
    // The pane's border spans the width, and wrapping follows it.
    assert_eq!(text.lines().next().unwrap().chars().count(), 100);
    assert_eq!(app.detail_width(), 98);
    assert!(app.detail_width() > normal);
    // Tab moves the zoom along with the focus.
    key(&mut app, KeyCode::Tab);
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("Tasks ·") && !text.contains("web-01 · VM"),
        "{text}"
    );
    key(&mut app, KeyCode::Char('z'));
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("Inventory") && text.contains("Tasks ·"),
        "{text}"
    );
    assert_eq!(app.detail_width(), normal);
}
