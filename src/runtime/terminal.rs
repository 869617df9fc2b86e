//! Owning the terminal: raw mode and the alternate screen on the way in, and a restore that
//! runs exactly once on every way out (normal exit, error, panic, signal, suspend).

use std::io::{self, Stdout, Write, stdout};
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

static ACTIVE: AtomicBool = AtomicBool::new(false);

pub type Term = Terminal<CrosstermBackend<Stdout>>;

/// Puts `text` on the user's clipboard through the terminal (OSC 52): it works over SSH and
/// in tmux (`set -g set-clipboard on`), where no local clipboard is at hand.
pub fn copy_to_clipboard(text: &str) -> io::Result<()> {
    execute!(
        stdout(),
        crossterm::clipboard::CopyToClipboard::to_clipboard_from(text)
    )
}

/// Puts the terminal into TUI mode and installs the panic hook that undoes it.
pub fn enter() -> io::Result<Term> {
    install_panic_hook();
    activate()?;
    Terminal::new(CrosstermBackend::new(stdout()))
}

fn activate() -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(stdout(), EnterAlternateScreen, Hide, EnableMouseCapture)?;
    Ok(())
}

/// Leaves TUI mode; harmless to call twice or when never entered.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let _ = execute!(stdout(), DisableMouseCapture, LeaveAlternateScreen, Show);
        let _ = stdout().flush();
    }
}

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
    });
}

/// Ctrl-Z: give the shell its terminal back, stop, and take it again on `fg`.
pub fn suspend(term: &mut Term) -> io::Result<()> {
    restore();
    // SAFETY: raising a signal on our own process group has no memory-safety preconditions.
    unsafe {
        libc::kill(0, libc::SIGTSTP);
    }
    // Execution continues here after SIGCONT.
    activate()?;
    // Not `Terminal::clear`: it asks the terminal for the cursor position, and the answer would
    // be swallowed by the input reader, failing after a timeout. A fresh fullscreen Terminal
    // asks nothing and redraws everything on the next frame.
    execute!(stdout(), Clear(ClearType::All))?;
    *term = Terminal::new(CrosstermBackend::new(stdout()))?;
    Ok(())
}
