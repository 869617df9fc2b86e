//! The async event loop: terminal input, API answers and timers all arrive on one channel; the
//! app handles them; the executor runs the effects; the screen is drawn only when something
//! changed, after draining what is pending, at most ~60 times a second.

pub mod driver;
pub mod executor;
pub mod terminal;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::api::Backend;
use crate::app::App;
use crate::app::event::Event;
use crate::audit::AuditLog;
use executor::{Control, Executor, Reopen};

const FRAME: Duration = Duration::from_millis(16);
/// Events handled per frame at most, so a flood of answers cannot starve drawing.
const MAX_BATCH: usize = 4096;

/// Runs the interactive UI until the user quits or a signal asks us to stop.
pub async fn run_tui(
    mut app: App,
    backends: Vec<Arc<dyn Backend>>,
    audit: Option<AuditLog>,
    reopen: Vec<Option<Reopen>>,
    opener: Option<executor::Opener>,
) -> std::io::Result<()> {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut exec = Executor::new(backends, tx.clone(), audit)
        .with_reopen(reopen)
        .with_opener(opener);
    let mut term = terminal::enter()?;
    let size = term.size()?;
    app.size = (size.width, size.height);
    spawn_input(tx.clone());
    spawn_signals(tx.clone());
    app.now = time::OffsetDateTime::now_utc();
    for e in app.start() {
        exec.run(e);
    }
    let result = event_loop(&mut app, &mut exec, &mut rx, &mut term).await;
    terminal::restore();
    exec.shutdown().await;
    result
}

async fn event_loop(
    app: &mut App,
    exec: &mut Executor,
    rx: &mut mpsc::UnboundedReceiver<Event>,
    term: &mut terminal::Term,
) -> std::io::Result<()> {
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    loop {
        if dirty {
            // Cap the frame rate: let more events pile up rather than draw twice in a frame.
            let next_frame = last_draw + FRAME;
            if Instant::now() < next_frame {
                tokio::time::sleep_until(next_frame).await;
            }
            if let Control::Quit = drain(app, exec, rx, &mut dirty, term)? {
                return Ok(());
            }
            term.draw(|f| crate::views::draw(app, f))?;
            last_draw = Instant::now();
            dirty = false;
        }
        let event = match app.next_deadline() {
            Some(deadline) => tokio::select! {
                ev = rx.recv() => ev,
                _ = tokio::time::sleep_until(deadline) => Some(Event::Tick),
            },
            None => rx.recv().await,
        };
        let Some(event) = event else {
            return Ok(());
        };
        match step(app, exec, event, &mut dirty, term)? {
            Control::Quit => return Ok(()),
            _ => continue,
        }
    }
}

/// Handles everything already waiting in the channel.
fn drain(
    app: &mut App,
    exec: &mut Executor,
    rx: &mut mpsc::UnboundedReceiver<Event>,
    dirty: &mut bool,
    term: &mut terminal::Term,
) -> std::io::Result<Control> {
    for _ in 0..MAX_BATCH {
        let Ok(event) = rx.try_recv() else { break };
        if step(app, exec, event, dirty, term)? == Control::Quit {
            return Ok(Control::Quit);
        }
    }
    Ok(Control::Continue)
}

fn step(
    app: &mut App,
    exec: &mut Executor,
    event: Event,
    dirty: &mut bool,
    term: &mut terminal::Term,
) -> std::io::Result<Control> {
    // The app's only clock: set before each event, so a long session's ages and durations
    // stay true.
    app.now = time::OffsetDateTime::now_utc();
    let outcome = app.handle(event);
    *dirty |= outcome.redraw;
    for effect in outcome.effects {
        match exec.run(effect) {
            Control::Quit => return Ok(Control::Quit),
            Control::Suspend => {
                terminal::suspend(term)?;
                *dirty = true;
            }
            Control::Copy(text) => terminal::copy_to_clipboard(&text)?,
            Control::Continue => {}
        }
    }
    Ok(Control::Continue)
}

fn spawn_input(tx: mpsc::UnboundedSender<Event>) {
    tokio::spawn(async move {
        let mut events = EventStream::new();
        while let Some(ev) = events.next().await {
            let ev = match ev {
                Ok(TermEvent::Key(k)) => Event::Key(k),
                Ok(TermEvent::Mouse(m)) => Event::Mouse(m),
                Ok(TermEvent::Resize(w, h)) => Event::Resize(w, h),
                Ok(_) => continue,
                // The terminal went away (SSH dropped): quit like SIGHUP would.
                Err(_) => Event::Terminate,
            };
            if tx.send(ev).is_err() {
                break;
            }
        }
    });
}

/// SIGTERM, SIGHUP and SIGINT end the session cleanly through the normal quit path.
fn spawn_signals(tx: mpsc::UnboundedSender<Event>) {
    use tokio::signal::unix::{SignalKind, signal};
    for kind in [
        SignalKind::terminate(),
        SignalKind::hangup(),
        SignalKind::interrupt(),
    ] {
        let tx = tx.clone();
        let Ok(mut sig) = signal(kind) else { continue };
        tokio::spawn(async move {
            if sig.recv().await.is_some() {
                let _ = tx.send(Event::Terminate);
            }
        });
    }
}
