//! The TUI's event loop drawing into a test buffer instead of the terminal: benchmarks of what
//! a user sees (how soon rows show on screen, how many frames it took) run the same loop, with
//! the same pacing, as `vnav` itself. The `Driver` handles events without frames.

use std::sync::Arc;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc::{self, UnboundedReceiver, UnboundedSender};

use super::Screen;
use super::executor::Executor;
use crate::api::Backend;
use crate::app::App;
use crate::app::event::Event;

/// Called after every frame with the app and a way to send it events (keys): true ends the loop.
type Done = Box<dyn FnMut(&App, &UnboundedSender<Event>) -> bool + Send>;

pub struct Headless {
    term: Terminal<TestBackend>,
    done: Done,
    tx: UnboundedSender<Event>,
    rx: Option<UnboundedReceiver<Event>>,
}

impl Headless {
    /// A `w`×`h` screen; after each frame `done` sees the app (and may send it keys); the loop
    /// ends after the first frame for which it says so.
    pub fn new(
        w: u16,
        h: u16,
        done: impl FnMut(&App, &UnboundedSender<Event>) -> bool + Send + 'static,
    ) -> Headless {
        let (tx, rx) = mpsc::unbounded_channel();
        Headless {
            term: Terminal::new(TestBackend::new(w, h)).expect("a test backend never fails"),
            done: Box::new(done),
            tx,
            rx: Some(rx),
        }
    }

    /// The last frame drawn.
    pub fn buffer(&self) -> &ratatui::buffer::Buffer {
        self.term.backend().buffer()
    }
}

impl Screen for Headless {
    fn draw(&mut self, app: &App) -> std::io::Result<()> {
        let Ok(_) = self.term.draw(|f| crate::views::draw(app, f));
        Ok(())
    }

    fn suspend(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    /// The clipboard is the terminal's (OSC 52): a test screen has none.
    fn copy(&mut self, _text: &str) -> std::io::Result<()> {
        Ok(())
    }

    fn finished(&mut self, app: &App) -> bool {
        (self.done)(app, &self.tx)
    }
}

/// Runs `app` on `backends` as `run_tui` does, drawing on `screen`, until the screen is done
/// or the app quits; gives the app back. A screen runs once.
pub async fn run(
    mut app: App,
    backends: Vec<Arc<dyn Backend>>,
    screen: &mut Headless,
) -> std::io::Result<App> {
    let mut rx = (screen.rx.take()).ok_or_else(|| std::io::Error::other("a screen runs once"))?;
    let mut exec = Executor::new(backends, screen.tx.clone(), None);
    let area = screen.buffer().area;
    app.size = (area.width, area.height);
    super::start(&mut app, &mut exec);
    let result = super::event_loop(&mut app, &mut exec, &mut rx, screen).await;
    exec.shutdown().await;
    result.map(|()| app)
}
