//! Issue 17: `NO_COLOR` — the theme without colours leaves no coloured cell on the screen,
//! while the cursor and errors still stand out by weight and reverse.

use crossterm::event::KeyCode;
use ratatui::style::{Color, Modifier};
use vnav::api::ApiError;
use vnav::app::event::ApiAnswer;

use crate::app_ui::{connected, with_vms};
use crate::support::*;

#[tokio::test(start_paused = true)]
async fn without_colour_no_cell_has_a_colour_and_the_cursor_still_shows() {
    let mut app = connected();
    app.theme = app.theme.without_colour();
    with_vms(&mut app);
    // An error toast and a failed task, to have every kind of emphasis on screen.
    let failed = ApiError::Transport("connection reset".into());
    answer(&mut app, 4242, 0, ApiAnswer::RecentTasks(Err(failed)));
    key(&mut app, KeyCode::Char('?'));
    key(&mut app, KeyCode::Esc);
    let buf = render(&mut app, 100, 30);
    let mut reversed = 0;
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset, "{:?} has a colour", cell.symbol());
        assert_eq!(
            cell.bg,
            Color::Reset,
            "{:?} has a background",
            cell.symbol()
        );
        reversed += usize::from(cell.modifier.contains(Modifier::REVERSED));
    }
    assert!(
        reversed > 0,
        "the cursor and status bar show by reverse video"
    );
    // The coloured theme did colour cells: the check above can fail.
    let mut coloured = connected();
    with_vms(&mut coloured);
    let buf = render(&mut coloured, 100, 30);
    assert!(buf.content().iter().any(|c| c.fg != Color::Reset));
}
