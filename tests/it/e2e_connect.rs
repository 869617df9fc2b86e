//! Connection errors and the password re-prompt in the real binary, in tmux: what the user
//! reads for a refused port and a wrong typed password, and logging in with the right one.

use std::time::Duration;

use vnav::sim::{DEMO_PASSWORD, DEMO_USER};

use crate::tmux::{Tmux, available, vnav_bin};

const WAIT: Duration = Duration::from_secs(20);

#[test]
fn a_wrong_typed_password_is_asked_again_in_the_ui() {
    if !available() {
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let s = rt.block_on(crate::sim_support::sim_of(20));
    let t = Tmux::shell(120, 32);
    t.run(&format!(
        "{} --url {} --user {DEMO_USER}; echo EXIT=$?",
        vnav_bin(),
        s.vcd_url
    ));
    t.wait_for("Password for admin@System", WAIT)
        .expect("the terminal prompt");
    t.text("not-it");
    t.keys(&["Enter"]);
    let screen = t
        .wait_for("again", WAIT)
        .expect("the password dialog after the refused login");
    assert!(
        screen.contains("login refused for admin@System")
            && screen.contains("(password from the prompt)"),
        "{screen}"
    );
    t.text(DEMO_PASSWORD);
    let screen = t.wait_for("•••••••••", WAIT).expect("masked input");
    assert!(!screen.contains(DEMO_PASSWORD), "{screen}");
    t.keys(&["Enter"]);
    t.wait_for("All VMs", WAIT)
        .expect("connected with the typed password");
    t.keys(&["q"]);
    t.wait_for("EXIT=0", WAIT).expect("vnav exits with 0");
}

#[test]
fn a_refused_port_reads_as_one_sentence() {
    if !available() {
        return;
    }
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let t = Tmux::shell(160, 30);
    t.run(&format!(
        "VNAV_PASSWORD=x {} --url 127.0.0.1:{port} --user x; echo EXIT=$?",
        vnav_bin()
    ));
    let screen = t
        .wait_for("connection refused", WAIT)
        .expect("the refused connection said");
    let status = screen.lines().last().unwrap_or("");
    assert!(
        status.ends_with(&format!(
            "│ cannot connect to 127.0.0.1:{port}: connection refused"
        )),
        "{screen}"
    );
    t.keys(&["q"]);
    t.wait_for("EXIT=0", WAIT).expect("vnav exits with 0");
}
