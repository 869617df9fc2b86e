//! Noticing that the terminal went away when no SIGHUP says so.
//!
//! A hung-up terminal reads as end of file, and crossterm's reader then spins on `read() = 0`
//! without ever reporting it (crossterm-rs/crossterm#793, still so in 0.29). The kernel's
//! SIGHUP covers the usual ways (SSH dropping, tmux killing the pane), but it goes only to the
//! terminal's own session: a vnav started under `setsid`, or by a parent that does not pass
//! the signal on, would spin on a core for good. `poll` asked for no events still reports a
//! hang-up, so one thread sleeps on that and nothing else.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};

use tokio::sync::mpsc;

use crate::app::event::Event;

/// Sends `Event::Terminate` once the terminal vnav reads its keys from hangs up.
pub fn spawn_watch(tx: mpsc::UnboundedSender<Event>) {
    let Some(tty) = Tty::open() else { return };
    let _ = std::thread::Builder::new()
        .name("tty-hangup".into())
        .spawn(move || {
            if wait_for_hangup(tty.fd()) {
                let _ = tx.send(Event::Terminate);
            }
        });
}

/// The terminal crossterm reads: standard input when it is one, else `/dev/tty`.
enum Tty {
    Stdin,
    Opened(OwnedFd),
}

impl Tty {
    fn open() -> Option<Tty> {
        // SAFETY: isatty only reads the descriptor's type.
        if unsafe { libc::isatty(libc::STDIN_FILENO) } == 1 {
            return Some(Tty::Stdin);
        }
        let file = std::fs::File::open("/dev/tty").ok()?;
        Some(Tty::Opened(file.into()))
    }

    fn fd(&self) -> RawFd {
        match self {
            Tty::Stdin => libc::STDIN_FILENO,
            Tty::Opened(fd) => fd.as_raw_fd(),
        }
    }
}

/// Blocks until `fd` hangs up (true) or cannot be watched (false).
fn wait_for_hangup(fd: RawFd) -> bool {
    let mut watched = libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    };
    loop {
        // SAFETY: one valid pollfd, owned by this frame, for the call's duration.
        let ready = unsafe { libc::poll(&mut watched, 1, -1) };
        if ready < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return false;
        }
        if watched.revents & libc::POLLNVAL != 0 {
            return false;
        }
        if watched.revents & (libc::POLLHUP | libc::POLLERR) != 0 {
            return true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_pipe_reads_as_a_hangup() {
        let mut fds = [0; 2];
        // SAFETY: two ints for pipe() to fill.
        assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
        let (read, write) = (fds[0], fds[1]);
        let watcher = std::thread::spawn(move || wait_for_hangup(read));
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(!watcher.is_finished(), "an open pipe is no hang-up");
        // SAFETY: closing the write end we own.
        unsafe { libc::close(write) };
        assert!(watcher.join().unwrap());
        // SAFETY: closing the read end we own.
        unsafe { libc::close(read) };
    }
}
