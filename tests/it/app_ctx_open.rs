//! Issue 17: `:ctx NAME` opens a context of the config this vnav was not started with: the
//! runtime builds its client (password from its command, as at start-up, never shown), the
//! app adds it to the tree and connects it, each context connecting and failing on its own; a
//! context whose config gives no password asks in the UI's prompt first.

use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::app::{App, Overlay};
use vnav::cli::open_context::opener;
use vnav::runtime::driver::{Driver, screen_text};
use vnav::sim::{DEMO_PASSWORD, VCENTER_USER};

use crate::sim_support::sim_of;
use crate::support::toast;

const T: Duration = Duration::from_secs(30);

fn run(d: &mut Driver, line: &str) {
    d.key(KeyCode::Char(':'));
    d.type_str(line);
    d.key(KeyCode::Enter);
}

/// A vnav started with `-c prod` only (the simulator's vCD at `vcd`), connected, from a config
/// in `dir` that also holds the contexts `more`, which `:ctx` can open.
async fn started_with_prod(vcd: &str, dir: &std::path::Path, more: &str) -> Driver {
    let path = dir.join("config.toml");
    let prod = format!(
        r#"
[[context]]
name = "prod"
product = "vcd"
url = "{vcd}"
user = "admin@System"
password_command = "echo {DEMO_PASSWORD}"
"#
    );
    std::fs::write(&path, prod + more).unwrap();
    let cfg = vnav::config::load(&path, true).unwrap();
    let open = opener(cfg.contexts.clone());
    let prod = open("prod").unwrap();
    let mut app = App::new(vec![prod.spec], vnav::theme::Theme::default(), false);
    app.contexts = cfg.contexts.iter().map(|c| c.name.clone()).collect();
    let mut d = Driver::new(app, vec![prod.backend], None).with_opener(open);
    assert!(d.until(T, |a| a.endpoints[0].info.is_some()).await);
    d
}

#[tokio::test]
async fn ctx_opens_a_context_not_opened_at_start_and_lists_its_state() {
    let s = sim_of(20).await;
    let dir = tempfile::tempdir().unwrap();
    let more = format!(
        r#"
[[context]]
name = "lab"
product = "vcenter"
url = "{vc}"
user = "{VCENTER_USER}"
password_command = "echo {DEMO_PASSWORD}"

[[context]]
name = "down"
product = "vcd"
url = "http://127.0.0.1:1"
user = "admin@System"
password_command = "echo {DEMO_PASSWORD}"
connect_timeout_secs = 2

[[context]]
name = "asks"
product = "vcd"
url = "{vcd}"
user = "admin@System"
password_env = "VNAV_TEST_CTX_NEVER_SET"
"#,
        vcd = s.vcd_url,
        vc = s.vcenter_url,
    );
    let mut d = started_with_prod(&s.vcd_url, dir.path(), &more).await;

    run(&mut d, "ctx");
    let list = toast(&d.app);
    assert!(list.contains("prod ● connected"), "{list}");
    assert!(list.contains("lab not opened"), "{list}");

    // A context of another product, opened and connected without restarting.
    run(&mut d, "ctx lab");
    assert!(
        d.until(T, |a| a.endpoints.len() == 2
            && a.endpoints[1].info.is_some())
            .await,
        "{}",
        toast(&d.app)
    );
    assert_eq!(d.app.endpoints[1].label, "lab");
    assert_eq!(d.app.cursor.selected, Some(d.app.endpoints[1].root));
    // Its tree lists (the vCenter's datacenters).
    d.key(KeyCode::Right);
    assert!(d.until(T, |a| a.loading_count() == 0).await);
    assert!(!d.app.tree.get(d.app.endpoints[1].root).children.is_empty());

    // One that cannot be reached fails on its own; the others stay connected.
    run(&mut d, "ctx down");
    assert!(
        d.until(T, |a| a.endpoints.len() == 3 && a.loading_count() == 0)
            .await
    );
    run(&mut d, "ctx");
    let list = toast(&d.app);
    assert!(list.contains("down ✗ failed"), "{list}");
    assert!(list.contains("lab ● connected"), "{list}");
    assert!(list.contains("asks not opened"), "{list}");

    // No password in the config: the UI's prompt asks first, then it connects.
    run(&mut d, "ctx asks");
    assert!(
        d.until(T, |a| matches!(a.overlay, Some(Overlay::Password(_))))
            .await,
        "{}",
        toast(&d.app)
    );
    assert!(d.app.endpoints[3].info.is_none());
    d.type_str(DEMO_PASSWORD);
    d.key(KeyCode::Enter);
    assert!(d.until(T, |a| a.endpoints[3].info.is_some()).await);

    // Switching to an opened context adds nothing.
    run(&mut d, "ctx lab");
    d.pump();
    assert_eq!(d.app.endpoints.len(), 4);
    let text = screen_text(&d.render(120, 40));
    assert!(!text.contains(DEMO_PASSWORD), "{text}");
    d.shutdown().await;
}

/// A `password_command` runs off the UI thread: while it runs (here until the test lets it
/// finish) keys are handled and `:ctx` says the context is opening; then it opens and
/// connects. One that outlives its `password_command_timeout_secs` is stopped with a message
/// that says so, and nothing else changes.
#[tokio::test]
async fn a_slow_password_command_never_holds_the_ui() {
    let s = sim_of(20).await;
    let dir = tempfile::tempdir().unwrap();
    let gate = dir.path().join("go");
    let more = format!(
        r#"
[[context]]
name = "slow"
product = "vcenter"
url = "{vc}"
user = "{VCENTER_USER}"
password_command = "while [ ! -e '{gate}' ]; do sleep 0.05; done; echo {DEMO_PASSWORD}"

[[context]]
name = "stuck"
product = "vcenter"
url = "{vc}"
user = "{VCENTER_USER}"
password_command = "sleep 30; echo {DEMO_PASSWORD}"
password_command_timeout_secs = 1
"#,
        vc = s.vcenter_url,
        gate = gate.display(),
    );
    let mut d = started_with_prod(&s.vcd_url, dir.path(), &more).await;

    // Were the command run on the UI thread, `:ctx slow` would not come back before the gate
    // opens; so that such a vnav fails here rather than hangs, the gate opens by itself later.
    let late = gate.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_secs(5));
        let _ = std::fs::write(late, "");
    });
    run(&mut d, "ctx slow");
    d.pump();
    assert_eq!(d.app.endpoints.len(), 1, "not opened before its password");
    // The UI answers meanwhile.
    run(&mut d, "ctx");
    assert!(toast(&d.app).contains("slow opening…"), "{}", toast(&d.app));
    let text = screen_text(&d.render(120, 40));
    assert!(text.contains("slow opening…"), "{text}");

    std::fs::write(&gate, "").unwrap();
    assert!(
        d.until(T, |a| a.endpoints.len() == 2
            && a.endpoints[1].info.is_some())
            .await,
        "{}",
        toast(&d.app)
    );
    assert_eq!(d.app.endpoints[1].label, "slow");

    // A command that never answers is stopped at its timeout, with why.
    run(&mut d, "ctx stuck");
    assert!(
        d.until(T, |a| toast(a)
            .contains("password_command gave no password within 1 s"))
            .await,
        "{}",
        toast(&d.app)
    );
    assert_eq!(d.app.endpoints.len(), 2);
    run(&mut d, "ctx");
    assert!(
        toast(&d.app).contains("stuck not opened"),
        "{}",
        toast(&d.app)
    );
    let text = screen_text(&d.render(120, 40));
    assert!(!text.contains(DEMO_PASSWORD), "{text}");
    d.shutdown().await;
}
