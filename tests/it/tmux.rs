//! Driving the real binary in tmux, as a user would: send keys, read the screen.
//! Each session gets its own tmux server socket and its own HOME/XDG dirs.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Tmux {
    socket: PathBuf,
    pub home: tempfile::TempDir,
}

/// Whether tmux exists; without it the tests skip with a notice, except under CI.
pub fn available() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "tmux is required under CI (install it: apt-get install tmux)"
        );
        eprintln!("NOTICE: tmux not installed; skipping the tmux end-to-end test");
    }
    ok
}

impl Tmux {
    /// Starts an interactive shell in a `w`×`h` window; run commands with `run`.
    pub fn shell(w: u16, h: u16) -> Tmux {
        let home = tempfile::tempdir().unwrap();
        let socket = home.path().join("tmux.sock");
        let t = Tmux { socket, home };
        let status = t
            .cmd()
            .args([
                "new-session",
                "-d",
                "-s",
                "vnav",
                "-x",
                &w.to_string(),
                "-y",
                &h.to_string(),
            ])
            .args(["env", "-i"])
            .arg(format!("HOME={}", t.home.path().display()))
            .arg(format!(
                "XDG_STATE_HOME={}",
                t.home.path().join("state").display()
            ))
            .arg(format!(
                "XDG_CONFIG_HOME={}",
                t.home.path().join("config").display()
            ))
            .arg(format!(
                "PATH={}",
                std::env::var("PATH").unwrap_or_default()
            ))
            .args([
                "TERM=xterm-256color",
                "LANG=C.UTF-8",
                "PS1=$ ",
                "bash",
                "--norc",
                "--noprofile",
                "-i",
            ])
            .status()
            .expect("tmux runs");
        assert!(status.success(), "tmux new-session failed");
        t.cmd()
            .args(["set-option", "-t", "vnav", "status", "off"])
            .status()
            .unwrap();
        // capture-pane trims trailing spaces, so the prompt reads "$".
        t.wait_until(Duration::from_secs(10), |s| s.trim_end().ends_with('$'))
            .expect("shell prompt");
        t
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-S").arg(&self.socket);
        c
    }

    /// Types a command line and presses Enter.
    pub fn run(&self, line: &str) {
        self.cmd()
            .args(["send-keys", "-t", "vnav", "-l", line])
            .status()
            .unwrap();
        self.keys(&["Enter"]);
    }

    /// tmux key names: "j", "Enter", "Right", "Escape", "C-c", …
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.cmd()
                .args(["send-keys", "-t", "vnav", k])
                .status()
                .unwrap();
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Literal text.
    pub fn text(&self, s: &str) {
        self.cmd()
            .args(["send-keys", "-t", "vnav", "-l", s])
            .status()
            .unwrap();
        std::thread::sleep(Duration::from_millis(60));
    }

    pub fn screen(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", "vnav"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A tmux format value for the pane, e.g. `#{alternate_on}` or `#{cursor_flag}`.
    pub fn pane_flag(&self, format: &str) -> String {
        let out = self
            .cmd()
            .args(["display-message", "-p", "-t", "vnav", format])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Waits until the screen contains `needle`; Err(screen) on timeout.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> Result<String, String> {
        self.wait_until(timeout, |s| s.contains(needle))
    }

    pub fn wait_until(
        &self,
        timeout: Duration,
        mut ok: impl FnMut(&str) -> bool,
    ) -> Result<String, String> {
        let end = Instant::now() + timeout;
        loop {
            let s = self.screen();
            if ok(&s) {
                return Ok(s);
            }
            if Instant::now() > end {
                return Err(s);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").status();
    }
}

pub fn vnav_bin() -> &'static str {
    env!("CARGO_BIN_EXE_vnav")
}
