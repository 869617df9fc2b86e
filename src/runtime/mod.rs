//! The async event loop: terminal input, API answers and timers all arrive on one channel; the
//! app handles them; the executor runs the effects; the screen is drawn only when something
//! changed, after draining what is pending, at most ~60 times a second. Until a frame is due,
//! the app's background work (a big table taking its rows in, a sort's values read, the
//! filter's index built) runs in short slices, with what arrives handled between them.

pub mod driver;
pub mod executor;
mod hangup;
pub mod headless;
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

/// Where the loop draws: the terminal, or a test buffer (`headless`) for benchmarks of what
/// the user sees.
pub trait Screen {
    fn draw(&mut self, app: &App) -> std::io::Result<()>;
    /// Ctrl-Z: hand the terminal back until the shell continues us.
    fn suspend(&mut self) -> std::io::Result<()>;
    fn copy(&mut self, text: &str) -> std::io::Result<()>;
    /// Whether the loop is done after this frame (a benchmark's end; the terminal: never).
    fn finished(&mut self, _app: &App) -> bool {
        false
    }
}

impl Screen for terminal::Term {
    fn draw(&mut self, app: &App) -> std::io::Result<()> {
        terminal::Term::draw(self, |f| crate::views::draw(app, f)).map(|_| ())
    }

    fn suspend(&mut self) -> std::io::Result<()> {
        terminal::suspend(self)
    }

    fn copy(&mut self, text: &str) -> std::io::Result<()> {
        terminal::copy_to_clipboard(text)
    }
}

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
    hangup::spawn_watch(tx.clone());
    start(&mut app, &mut exec);
    let result = event_loop(&mut app, &mut exec, &mut rx, &mut term).await;
    terminal::restore();
    exec.shutdown().await;
    result
}

/// The app's first effects (connecting its endpoints) run.
fn start(app: &mut App, exec: &mut Executor) {
    app.now = time::OffsetDateTime::now_utc();
    for e in app.start() {
        exec.run(e);
    }
}

async fn event_loop(
    app: &mut App,
    exec: &mut Executor,
    rx: &mut mpsc::UnboundedReceiver<Event>,
    term: &mut impl Screen,
) -> std::io::Result<()> {
    let mut dirty = true;
    let mut last_draw = Instant::now() - FRAME;
    app.lay_out_per_frame();
    loop {
        if dirty {
            // Cap the frame rate: let more events pile up rather than draw twice in a frame.
            // The time until the frame goes to background work that is due: one slice a frame
            // left the core idle two thirds of the time while 300,000 rows took 2–6 s to
            // reach a table after they had all arrived.
            let next_frame = last_draw + FRAME;
            // The deadline first: work due "now" is due at the moment it was asked.
            while slice_now(app.next_deadline(), Instant::now(), next_frame) {
                if let Control::Quit = drain(app, exec, rx, &mut dirty, term)? {
                    return Ok(());
                }
                if step(app, exec, Event::Tick, &mut dirty, term)? == Control::Quit {
                    return Ok(());
                }
                // The answers' tasks share the runtime's threads.
                tokio::task::yield_now().await;
            }
            if Instant::now() < next_frame {
                tokio::time::sleep_until(next_frame).await;
            }
            if let Control::Quit = drain(app, exec, rx, &mut dirty, term)? {
                return Ok(());
            }
            // The rows taken in since the last frame, laid out once for this one.
            app.before_frame();
            term.draw(app)?;
            if term.finished(app) {
                return Ok(());
            }
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

/// Whether, at `now`, a slice of the app's background work runs before the frame due at
/// `frame`: when the app has work due (`due`, its next deadline) and the frame is not yet.
fn slice_now(due: Option<Instant>, now: Instant, frame: Instant) -> bool {
    now < frame && due.is_some_and(|d| d <= now)
}

/// Handles everything already waiting in the channel.
fn drain(
    app: &mut App,
    exec: &mut Executor,
    rx: &mut mpsc::UnboundedReceiver<Event>,
    dirty: &mut bool,
    term: &mut impl Screen,
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
    term: &mut impl Screen,
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
                term.suspend()?;
                *dirty = true;
            }
            Control::Copy(text) => term.copy(&text)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_due_runs_in_slices_until_the_frame_is_due() {
        let now = Instant::now();
        let frame = now + FRAME;
        assert!(
            slice_now(Some(now), now, frame),
            "due work runs before the frame"
        );
        assert!(slice_now(Some(now - FRAME), now, frame), "overdue too");
        assert!(
            !slice_now(None, now, frame),
            "nothing due: wait for the frame"
        );
        let later = Some(now + Duration::from_millis(5));
        assert!(!slice_now(later, now, frame), "due later: not yet");
        assert!(
            !slice_now(Some(now), frame, frame),
            "the frame first, when it is due"
        );
    }
}
