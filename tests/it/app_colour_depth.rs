//! Issue 17: 16-colour terminals (`TERM=linux`, `screen`, an old SSH console). The theme
//! fitted to 16 colours puts only named colours on the screen, never an RGB or 256-palette
//! escape, and the selection still stands out; a `:theme` switch keeps the depth.

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use vnav::api::ApiError;
use vnav::app::event::ApiAnswer;
use vnav::colour_depth::ColourDepth;
use vnav::theme::{Role, Theme};

use crate::app_ui::{connected, with_vms};
use crate::support::*;

fn named(c: Color) -> bool {
    !matches!(c, Color::Rgb(..) | Color::Indexed(_))
}

/// A screen with the tree, a selected VM, an error toast, a failed task and the status bar.
fn busy_screen(theme: Theme) -> Buffer {
    let mut app = connected();
    app.theme = theme;
    with_vms(&mut app);
    let failed = ApiError::Transport("connection reset".into());
    answer(&mut app, 4242, 0, ApiAnswer::RecentTasks(Err(failed)));
    key(&mut app, KeyCode::Char('?'));
    key(&mut app, KeyCode::Esc);
    render(&mut app, 100, 30)
}

#[tokio::test(start_paused = true)]
async fn sixteen_colours_leave_only_named_colours_and_a_visible_selection() {
    let theme = Theme::default().fitted(ColourDepth::Ansi16);
    let buf = busy_screen(theme.clone());
    for cell in buf.content() {
        assert!(named(cell.fg), "{:?} fg {:?}", cell.symbol(), cell.fg);
        assert!(named(cell.bg), "{:?} bg {:?}", cell.symbol(), cell.bg);
    }
    // The selected row (web-01) still stands out from its neighbour (db-01).
    let style_of = |name: &str| {
        let lines: Vec<String> = (0..30)
            .map(|y| (0..100).map(|x| buf[(x, y)].symbol()).collect())
            .collect();
        let (y, line) = lines
            .iter()
            .enumerate()
            .find(|(_, l)| l.contains(name))
            .unwrap_or_else(|| panic!("{name} not on screen"));
        let x = line[..line.find(name).unwrap()].chars().count();
        let cell = &buf[(x as u16, y as u16)];
        (cell.bg, cell.modifier)
    };
    assert_ne!(style_of("web-01 "), style_of("db-01 "));

    // The unfocused selection's dark grey background falls on black in 16 colours: it
    // becomes the mono theme's underline instead of vanishing.
    let unfocused = theme.style(Role::SelectionUnfocused);
    assert_eq!(unfocused.bg, None);
    assert!(unfocused.add_modifier.contains(Modifier::UNDERLINED));

    // The same screen in truecolor does use RGB: the check above can fail.
    let buf = busy_screen(Theme::default());
    assert!(buf.content().iter().any(|c| !named(c.fg) || !named(c.bg)));
}

#[tokio::test(start_paused = true)]
async fn two_hundred_fifty_six_colours_use_the_palette_not_rgb() {
    let buf = busy_screen(Theme::default().fitted(ColourDepth::Ansi256));
    let mut palette = 0;
    for cell in buf.content() {
        for c in [cell.fg, cell.bg] {
            assert!(!matches!(c, Color::Rgb(..)), "{:?} {c:?}", cell.symbol());
            palette += usize::from(matches!(c, Color::Indexed(_)));
        }
    }
    assert!(
        palette > 0,
        "the theme's RGB colours became palette colours"
    );
}

#[tokio::test(start_paused = true)]
async fn a_theme_switch_keeps_the_terminals_colours() {
    let mut app = connected();
    app.theme = Theme::default().fitted(ColourDepth::Ansi16);
    app.run_command("theme nord");
    assert_eq!(app.theme.depth(), ColourDepth::Ansi16);
    with_vms(&mut app);
    let buf = render(&mut app, 100, 30);
    assert!(buf.content().iter().all(|c| named(c.fg) && named(c.bg)));
    // Nord is all RGB: unfitted, it would not pass.
    assert!(
        Theme::load("nord", None)
            .unwrap()
            .fitted(ColourDepth::TrueColour)
            .style(Role::Selection)
            .bg
            .is_some_and(|c| !named(c))
    );
}
