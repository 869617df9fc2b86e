//! Runs the app without a terminal: the same executor and event handling as the TUI loop, for
//! integration tests, the soak test and benchmarks. Screens are rendered on demand into a
//! ratatui `TestBackend`.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::api::Backend;
use crate::app::App;
use crate::app::event::Event;
use crate::audit::AuditLog;

use super::executor::{Control, Executor, Reopen};

pub struct Driver {
    pub app: App,
    exec: Executor,
    rx: mpsc::UnboundedReceiver<Event>,
    /// Events handled so far (for tests that count work).
    pub handled: u64,
    /// The longest the app took to handle one event: how long the UI was unresponsive.
    pub max_handle: Duration,
    /// What the app put on the clipboard, oldest first (the TUI writes it to the terminal).
    pub copied: Vec<String>,
    /// When paced (`paced`), the last frame: a table's view is laid out once a frame.
    frame: Option<Instant>,
}

impl Driver {
    pub fn new(app: App, backends: Vec<Arc<dyn Backend>>, audit: Option<AuditLog>) -> Driver {
        Driver::with_reopen(app, backends, audit, Vec::new())
    }

    /// A driver whose endpoints can take a new password (see `Executor::with_reopen`).
    pub fn with_reopen(
        mut app: App,
        backends: Vec<Arc<dyn Backend>>,
        audit: Option<AuditLog>,
        reopen: Vec<Option<Reopen>>,
    ) -> Driver {
        let (tx, rx) = mpsc::unbounded_channel();
        let mut exec = Executor::new(backends, tx, audit).with_reopen(reopen);
        super::start(&mut app, &mut exec);
        Driver {
            app,
            exec,
            rx,
            handled: 0,
            max_handle: Duration::ZERO,
            copied: Vec::new(),
            frame: None,
        }
    }

    /// Lays a table's view out once a frame, as the TUI does (`App::lay_out_per_frame`), not
    /// after each slice: for benches of what a user's vnav spends while rows land.
    pub fn paced(mut self) -> Driver {
        self.app.lay_out_per_frame();
        self.frame = Some(Instant::now());
        self
    }

    /// When paced and a frame is due, the view laid out as before a frame.
    fn frame_if_due(&mut self) {
        if let Some(last) = self.frame
            && Instant::now() >= last + super::FRAME
        {
            self.app.before_frame();
            self.frame = Some(Instant::now());
        }
    }

    /// Lets `:ctx` open config contexts not opened at start (see `Executor::with_opener`).
    pub fn with_opener(mut self, opener: super::executor::Opener) -> Driver {
        self.exec.set_opener(Some(opener));
        self
    }

    /// Feeds one event and runs the effects it produced. Returns whether a redraw was asked.
    pub fn send(&mut self, event: Event) -> bool {
        self.handled += 1;
        let started = std::time::Instant::now();
        self.app.now = time::OffsetDateTime::now_utc();
        let outcome = self.app.handle(event);
        self.max_handle = self.max_handle.max(started.elapsed());
        for e in outcome.effects {
            if let Control::Copy(text) = self.exec.run(e) {
                self.copied.push(text);
            }
        }
        outcome.redraw
    }

    pub fn key(&mut self, code: KeyCode) -> bool {
        self.send(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)))
    }

    pub fn ctrl(&mut self, c: char) -> bool {
        self.send(Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::CONTROL,
        )))
    }

    /// Types each character as a key press.
    pub fn type_str(&mut self, s: &str) {
        for c in s.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    /// Handles answers and timer ticks until `done` holds; false on timeout.
    pub async fn until(&mut self, timeout: Duration, mut done: impl FnMut(&App) -> bool) -> bool {
        let end = Instant::now() + timeout;
        loop {
            while let Ok(ev) = self.rx.try_recv() {
                self.send(ev);
            }
            self.frame_if_due();
            if done(&self.app) {
                return true;
            }
            let now = Instant::now();
            if now >= end {
                return false;
            }
            let frame = self.frame.map_or(end, |last| last + super::FRAME);
            let wake = self
                .app
                .next_deadline()
                .map_or(end, |d| d.min(end))
                .min(frame);
            tokio::select! {
                ev = self.rx.recv() => match ev {
                    Some(ev) => { self.send(ev); }
                    None => return done(&self.app),
                },
                _ = tokio::time::sleep_until(wake) => {
                    if self.app.next_deadline().is_some_and(|d| d <= Instant::now()) {
                        self.send(Event::Tick);
                    }
                }
            }
        }
    }

    /// Handles whatever is already queued, without waiting.
    pub fn pump(&mut self) {
        while let Ok(ev) = self.rx.try_recv() {
            self.send(ev);
        }
    }

    /// Draws the current state on a `w`×`h` test terminal.
    pub fn render(&mut self, w: u16, h: u16) -> Buffer {
        self.send(Event::Resize(w, h));
        if self.frame.is_some() {
            self.app.before_frame();
        }
        let mut term = Terminal::new(TestBackend::new(w, h)).expect("test backend");
        term.draw(|f| crate::views::draw(&self.app, f))
            .expect("draw on test backend");
        term.backend().buffer().clone()
    }

    pub fn in_flight(&self) -> usize {
        self.exec.in_flight()
    }

    pub async fn shutdown(self) {
        self.exec.shutdown().await;
    }
}

/// The text of a rendered screen, one line per row, trailing spaces trimmed.
pub fn screen_text(buf: &Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
