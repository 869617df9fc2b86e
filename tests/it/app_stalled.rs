//! A read that stalls, seen by the user (issue 15): after two seconds the detail pane and the
//! tree row say how long it has waited, and Ctrl-R sends it again at once.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vnav::app::App;
use vnav::app::event::{Effect, Event};

use crate::app_ui::{connected, with_vms};
use crate::support::{children_req, key, screen};

fn ctrl_r(app: &mut App) -> Vec<Effect> {
    app.handle(Event::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::CONTROL,
    )))
    .effects
}

/// Lets `by` pass on the paused clock, then ticks as the runtime would.
async fn wait(app: &mut App, by: Duration) -> Vec<Effect> {
    tokio::time::advance(by).await;
    app.handle(Event::Tick).effects
}

fn details_req(effects: &[Effect]) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::Details { req, .. } => Some(*req),
        _ => None,
    })
}

fn abandoned(effects: &[Effect], req: u64) -> bool {
    effects
        .iter()
        .any(|e| matches!(e, Effect::Abandon { req: r } if *r == req))
}

#[tokio::test(start_paused = true)]
async fn a_stalled_detail_read_shows_its_wait_and_ctrl_r_sends_it_again_at_once() {
    let mut app = connected();
    with_vms(&mut app); // the cursor rests on web-01
    let first = details_req(&wait(&mut app, Duration::from_millis(130)).await)
        .expect("the detail read goes out once the cursor rests");
    wait(&mut app, Duration::from_secs(1)).await;
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("loading…") && !text.contains("loading… 1 s"),
        "a short wait is just a spinner:\n{text}"
    );
    wait(&mut app, Duration::from_secs(3)).await;
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("loading… 4 s (Ctrl-R retries)"),
        "the wait is shown:\n{text}"
    );
    assert!(app.next_deadline().is_some(), "ticks keep the count going");

    let effects = ctrl_r(&mut app);
    let again = details_req(&effects).expect("read again at once, without a tick");
    assert_ne!(again, first);
    assert!(
        abandoned(&effects, first),
        "the stalled read is dropped: {effects:?}"
    );
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("loading…") && !text.contains(" s (Ctrl-R retries)"),
        "the count starts over:\n{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_stalled_expand_shows_its_wait_and_ctrl_r_lists_again() {
    let mut app = connected();
    key(&mut app, KeyCode::Down); // acme
    let first = children_req(&key(&mut app, KeyCode::Right).effects);
    wait(&mut app, Duration::from_millis(1500)).await;
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("acme  loading…") && !text.contains("loading… 1 s"),
        "{text}"
    );
    wait(&mut app, Duration::from_millis(1600)).await;
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("acme  loading… 3 s"), "{text}");

    let effects = ctrl_r(&mut app);
    let again = children_req(&effects);
    assert_ne!(again, first);
    assert!(abandoned(&effects, first), "{effects:?}");
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("acme  loading…") && !text.contains("loading… 3 s"),
        "{text}"
    );
}
