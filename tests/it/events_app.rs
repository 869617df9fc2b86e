//! The detail pane's Events section (issue 17): read in a request of its own once the details
//! are in, drawn as a table newest first with user and time, a failure shown in the section,
//! nothing for a product that records none, and the read dropped when the selection moves.

use crossterm::event::KeyCode;
use time::macros::datetime;
use vnav::api::ApiError;
use vnav::api::model::*;
use vnav::app::event::{ApiAnswer, Effect};

use crate::app_detail_read::details_req;
use crate::app_ui::{connected, details, with_vms};
use crate::support::*;

fn event(at: time::OffsetDateTime, user: &str, text: &str, health: Option<Health>) -> ObjectEvent {
    ObjectEvent {
        time: Some(at),
        user: Some(user.into()),
        text: text.into(),
        health,
    }
}

/// The events request the details' answer fired, for `id`.
fn events_req(effects: &[Effect], id: &str) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Events { req, node, .. } if &*node.id.as_str() == id => Some(*req),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no events request for {id}: {effects:?}"))
}

/// web-01's details given; returns the events request they fired.
async fn shown(app: &mut vnav::app::App) -> u64 {
    with_vms(app);
    let req = details_req(app).await;
    let out = answer(
        app,
        req,
        0,
        ApiAnswer::Details(Box::new(Ok(details("vm/1", "web-01")))),
    );
    events_req(&out.effects, "vm/1")
}

#[tokio::test(start_paused = true)]
async fn events_arrive_after_the_details_as_a_table_newest_first() {
    let mut app = connected();
    let req = shown(&mut app).await;
    // The rest of the details do not wait for the events.
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("4096 MB"), "{text}");
    assert!(text.contains("reading…"), "{text}");
    let events = vec![
        event(
            datetime!(2026-12-06 09:00:05 UTC),
            "alice",
            "Power off: success",
            None,
        ),
        event(
            datetime!(2026-12-06 11:30:00 UTC),
            "bob",
            "Create snapshot: error — disk full",
            Some(Health::Red),
        ),
    ];
    let out = answer(&mut app, req, 0, ApiAnswer::Events(Ok(events)));
    assert!(out.redraw);
    let buf = render(&mut app, 120, 40);
    let text = screen_text(&buf);
    assert!(!text.contains("reading…"), "{text}");
    let line = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no {needle:?} in\n{text}"))
    };
    let (head, newer, older) = (
        line("Time (UTC)"),
        line("2026-12-06 11:30:00"),
        line("2026-12-06 09:00:05"),
    );
    assert!(head < newer && newer < older, "newest first:\n{text}");
    assert!(text.lines().nth(newer).unwrap().contains("bob"), "{text}");
    assert!(text.lines().nth(older).unwrap().contains("alice"), "{text}");
    assert!(text.contains("disk full"), "{text}");
    // The failure in the theme's red.
    let (x, y) = find(&buf, "2026-12-06 11:30:00").unwrap();
    assert_eq!(buf[(x, y)].fg, app.theme.health(Health::Red).fg.unwrap());
}

#[tokio::test(start_paused = true)]
async fn a_failed_read_shows_in_the_section_and_a_product_without_events_shows_none() {
    let mut app = connected();
    let req = shown(&mut app).await;
    answer(
        &mut app,
        req,
        0,
        ApiAnswer::Events(Err(ApiError::Transport("connection reset".into()))),
    );
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("Events"), "{text}");
    assert!(text.contains("✗ "), "{text}");
    assert!(text.contains("connection reset"), "{text}");
    assert!(text.contains("4096 MB"), "the rest stays: {text}");

    // db-01 on a product that records no events: no section at all.
    key(&mut app, KeyCode::Down);
    let req = details_req(&mut app).await;
    let out = answer(
        &mut app,
        req,
        0,
        ApiAnswer::Details(Box::new(Ok(details("vm/2", "db-01")))),
    );
    let req = events_req(&out.effects, "vm/2");
    answer(
        &mut app,
        req,
        0,
        ApiAnswer::Events(Err(ApiError::Unsupported("no events".into()))),
    );
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("db-01"), "{text}");
    assert!(!text.contains("Events"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn moving_on_abandons_the_read_and_coming_back_asks_again() {
    let mut app = connected();
    let req = shown(&mut app).await;
    let out = key(&mut app, KeyCode::Down);
    assert!(
        out.effects
            .iter()
            .any(|e| matches!(e, Effect::Abandon { req: r } if *r == req)),
        "{:?}",
        out.effects
    );
    // A late answer for web-01 changes nothing.
    assert!(!answer(&mut app, req, 0, ApiAnswer::Events(Ok(vec![]))).redraw);
    // Back on web-01: its details come from the cache, its events are asked for again.
    let out = key(&mut app, KeyCode::Up);
    let again = events_req(&out.effects, "vm/1");
    assert_ne!(again, req);
    answer(
        &mut app,
        again,
        0,
        ApiAnswer::Events(Ok(vec![event(
            datetime!(2026-12-06 10:00 UTC),
            "carol",
            "Power on: success",
            None,
        )])),
    );
    let text = screen(&mut app, 120, 40);
    assert!(text.contains("carol"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn no_events_read_as_a_sentence_where_keys_start() {
    let mut app = connected();
    let req = shown(&mut app).await;
    answer(&mut app, req, 0, ApiAnswer::Events(Ok(Vec::new())));
    let text = screen(&mut app, 120, 40);
    let line = text
        .lines()
        .find(|l| l.contains("No events recorded."))
        .unwrap_or_else(|| panic!("{text}"));
    // At the keys' indent (two in from the pane's edge), not in the value column.
    let key = text
        .lines()
        .find(|l| l.contains("4096 MB"))
        .unwrap_or_else(|| panic!("{text}"));
    let at = |l: &str, s: &str| l[..l.find(s).unwrap()].chars().count();
    assert_eq!(at(line, "No events"), at(key, "Memory"), "{text}");
}
