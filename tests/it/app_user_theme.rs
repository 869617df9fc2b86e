//! Issue 17: `:theme <name>` also loads the user's `<config dir>/themes/<name>.toml` (read by
//! the runtime, not the app), completes those names beside the built-in ones, and says what is
//! wrong with a bad file (an unknown role, a bad colour) instead of failing.

use crossterm::event::KeyCode;
use ratatui::style::Color;
use tokio::sync::mpsc;
use vnav::app::App;
use vnav::app::event::{Effect, Event};
use vnav::colour_depth::ColourDepth;
use vnav::runtime::executor::Executor;
use vnav::theme::{Role, Theme};

use crate::app_command::command;
use crate::support::*;

/// An app whose config folder holds three user themes: a good one, one with a misspelt role
/// and one with a colour that is none.
fn with_user_themes() -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let themes = dir.path().join("themes");
    std::fs::create_dir_all(&themes).unwrap();
    std::fs::write(
        themes.join("mine.toml"),
        "extends = \"default\"\n[roles]\nok = \"#00ff00\"\nselection = { bg = \"#880000\", fg = \"white\" }\n",
    )
    .unwrap();
    std::fs::write(themes.join("typo.toml"), "[roles]\nokk = \"red\"\n").unwrap();
    std::fs::write(themes.join("ugly.toml"), "[roles]\nok = \"chartreusy\"\n").unwrap();
    std::fs::write(themes.join("notes.txt"), "not a theme").unwrap();
    let mut app = app_with(&["vcd.example.com"], false);
    app.user_themes = vnav::theme::user_names(&themes);
    app.themes_dir = Some(themes);
    (app, dir)
}

/// Runs `:theme <name>` through the real executor: the effect reads the file, its event goes
/// back into the app.
fn theme(app: &mut App, name: &str) {
    let effects = command(app, &format!("theme {name}"));
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut exec = Executor::new(Vec::new(), tx, None);
    for e in effects {
        if matches!(e, Effect::LoadTheme { .. }) {
            exec.run(e);
        }
    }
    while let Ok(ev) = rx.try_recv() {
        assert!(matches!(ev, Event::ThemeLoaded { .. }), "{ev:?}");
        app.handle(ev);
    }
}

#[tokio::test(start_paused = true)]
async fn a_user_theme_file_is_completed_loaded_and_fitted_to_the_terminal() {
    let (mut app, _dir) = with_user_themes();
    assert_eq!(app.user_themes, ["mine", "typo", "ugly"]);

    // Tab completes the user's names beside the built-in ones.
    keys(&mut app, ":theme mi");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.command.text, "theme mine ");
    key(&mut app, KeyCode::Esc);

    theme(&mut app, "mine");
    assert_eq!(toast(&app), "theme mine");
    assert_eq!(app.theme.style(Role::Ok).fg, Some(Color::Rgb(0, 255, 0)));
    // What it does not set comes from the theme it extends.
    assert_eq!(
        app.theme.style(Role::Warn),
        Theme::default().style(Role::Warn)
    );

    // On a 16-colour terminal the same file gives named colours.
    app.theme = Theme::default().fitted(ColourDepth::Ansi16);
    theme(&mut app, "mine");
    assert_eq!(app.theme.style(Role::Ok).fg, Some(Color::LightGreen));
    assert_eq!(app.theme.style(Role::Selection).bg, Some(Color::Red));
}

#[tokio::test(start_paused = true)]
async fn a_bad_theme_file_says_what_is_wrong_and_keeps_the_theme() {
    let (mut app, _dir) = with_user_themes();
    let before = app.theme.style(Role::Selection);
    theme(&mut app, "typo");
    assert!(
        toast(&app).contains("unknown role \"okk\""),
        "{}",
        toast(&app)
    );
    theme(&mut app, "ugly");
    assert!(
        toast(&app).contains("unknown colour \"chartreusy\""),
        "{}",
        toast(&app)
    );
    assert_eq!(app.theme.style(Role::Selection), before);
    // A name that is no theme at all suggests the closest one, user themes included.
    theme(&mut app, "mien");
    assert_eq!(toast(&app), "no theme mien — did you mean mine?");
    // The built-in ones still load without a file.
    theme(&mut app, "nord");
    assert_eq!(app.theme.name, "nord");
}

/// Feeds a key and runs the theme effects it returns through the real executor, their answers
/// back into the app, as the runtime does.
fn key_through_runtime(app: &mut App, code: KeyCode) {
    let effects = key(app, code).effects;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut exec = Executor::new(Vec::new(), tx, None);
    for e in effects {
        if matches!(e, Effect::ListThemes { .. } | Effect::LoadTheme { .. }) {
            exec.run(e);
        }
    }
    while let Ok(ev) = rx.try_recv() {
        app.handle(ev);
    }
}

/// A theme saved into the folder while vnav runs is completed by `:theme` (the folder is
/// listed again when the command line opens) and loads; one removed is no longer offered.
#[tokio::test(start_paused = true)]
async fn a_theme_saved_while_vnav_runs_is_completed_and_loads() {
    let (mut app, dir) = with_user_themes();
    let themes = dir.path().join("themes");
    std::fs::write(
        themes.join("night.toml"),
        "extends = \"default\"\n[roles]\nok = \"#0000ff\"\n",
    )
    .unwrap();
    std::fs::remove_file(themes.join("typo.toml")).unwrap();

    key_through_runtime(&mut app, KeyCode::Char(':'));
    keys(&mut app, "theme ni");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.command.text, "theme night ");
    key(&mut app, KeyCode::Esc);
    theme(&mut app, "night");
    assert_eq!(toast(&app), "theme night");
    assert_eq!(app.theme.style(Role::Ok).fg, Some(Color::Rgb(0, 0, 255)));

    key_through_runtime(&mut app, KeyCode::Char(':'));
    keys(&mut app, "theme ty");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.command.text, "theme ty", "typo.toml is gone");
    assert_eq!(app.user_themes, ["mine", "night", "ugly"]);
}
