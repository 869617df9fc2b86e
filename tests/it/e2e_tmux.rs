//! The real binary in tmux, as a user runs it: `vnav --demo`, keys in, screen out; and the
//! terminal left usable after quitting or being killed.

use std::time::Duration;

use crate::tmux::{Tmux, available, vnav_bin};

const WAIT: Duration = Duration::from_secs(20);

/// The VM whose details are open: the detail pane title reads `NAME · VM`.
fn selected_vm(screen: &str) -> Option<String> {
    screen.lines().find_map(|line| {
        let (_, rest) = line.split_once("┐┌ ")?;
        let (name, _) = rest.split_once(" · VM ")?;
        Some(name.to_string())
    })
}

/// The status shown on the tree row of `name`, in the words vnav shows ("Powered on").
fn row_status(screen: &str, name: &str) -> Option<&'static str> {
    // The tree row: the name, maybe its health, then its status (the detail title also
    // names the VM).
    let row = format!(" {name} ");
    screen
        .lines()
        .filter(|l| l.contains(&row))
        .find_map(|line| {
            ["Powered on", "Powered off", "Suspended"]
                .into_iter()
                .find(|s| line.contains(s))
        })
}

fn open_first_vm(t: &Tmux) -> String {
    t.run(&format!("{} --demo; echo EXIT=$?", vnav_bin()));
    t.wait_for("acme", WAIT)
        .expect("the demo tree shows its orgs");
    // All VMs, System, acme: open acme, its first VDC, its first vApp, its first VM.
    t.keys(&["j", "j", "j", "Enter"]);
    t.wait_for("VDC", WAIT).expect("acme's VDCs load");
    t.keys(&["j", "Enter"]);
    t.wait_for("VMs", WAIT).expect("the VDC's vApps load");
    t.keys(&["j", "Enter"]);
    t.wait_for("vCPU · ", WAIT).expect("the vApp's VMs load");
    t.keys(&["j"]);
    let screen = t
        .wait_until(WAIT, |s| {
            s.contains("VMware Tools") && selected_vm(s).is_some()
        })
        .expect("VM details, its summary first");
    assert!(screen.contains("Guest OS"), "{screen}");
    assert_eq!(
        t.pane_flag("#{mouse_any_flag}"),
        "1",
        "vnav takes the mouse"
    );
    selected_vm(&screen).unwrap()
}

fn quit_and_check_shell(t: &Tmux) {
    t.keys(&["q"]);
    t.wait_for("EXIT=0", WAIT).expect("vnav exits with 0");
    assert_eq!(t.pane_flag("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(t.pane_flag("#{cursor_flag}"), "1", "cursor visible");
    assert_eq!(t.pane_flag("#{mouse_any_flag}"), "0", "mouse reporting off");
}

#[test]
fn demo_browse_to_a_vm_and_power_it_through_the_keys() {
    if !available() {
        return;
    }
    let t = Tmux::shell(110, 32);
    t.run("true");
    let vm = open_first_vm(&t);
    let screen = t.screen();
    let mut confirmed = 1;
    if row_status(&screen, &vm) != Some("Powered on") {
        confirmed += 1;
        t.keys(&["o"]);
        t.wait_for("y yes", WAIT).expect("a y/N confirm");
        t.keys(&["y"]);
        t.wait_until(WAIT, |s| row_status(s, &vm) == Some("Powered on"))
            .expect("the VM row turns Powered on by itself");
    }
    // Power off is destructive: the name must be typed.
    t.keys(&["O"]);
    t.wait_for("to confirm", WAIT)
        .expect("a typed-name confirm");
    t.text(&vm);
    t.keys(&["Enter"]);
    t.wait_until(WAIT, |s| {
        row_status(s, &vm) == Some("Powered off")
            && s.lines()
                .any(|l| l.contains("Success") && l.contains("Power off"))
    })
    .expect("the task succeeds and the VM row turns Powered off");
    quit_and_check_shell(&t);
    // Exactly the confirmed actions are in the audit log.
    t.run(&format!(
        "{} audit; echo AUDIT=$({0} audit | grep -c success)",
        vnav_bin()
    ));
    t.wait_for(&format!("AUDIT={confirmed}"), WAIT)
        .expect("one audit line per action");
}

/// The left pane's part of a screen line.
fn tree_part(line: &str) -> &str {
    line.split("││").next().unwrap_or(line)
}

#[test]
fn demo_takes_a_vcenter_snapshot_through_the_keys() {
    if !available() {
        return;
    }
    let t = Tmux::shell(120, 36);
    t.run("true");
    t.run(&format!("{} --demo; echo EXIT=$?", vnav_bin()));
    t.wait_for("dc-ams", WAIT)
        .expect("the vCenter's datacenters");
    // The snapshot view heads the tree; open it and go down to its first VM, which the demo's
    // vCD and vCenter both hold: one row, whose details name the vCenter VM.
    t.keys(&["Home", "Enter"]);
    t.wait_until(WAIT, |s| {
        s.lines().any(|l| tree_part(l).contains(" days old"))
    })
    .expect("the VMs with snapshots");
    t.keys(&["j"]);
    let screen = t
        .wait_until(WAIT, |s| {
            s.contains("b goes there") && selected_vm(s).is_some()
        })
        .expect("a vCD VM's details naming its vCenter VM");
    let vm = selected_vm(&screen).unwrap();
    // b: to that VM in vCenter (the status bar names the selected row's endpoint).
    t.keys(&["b"]);
    let screen = t
        .wait_until(WAIT, |s| {
            s.contains("VMware Tools")
                && selected_vm(s).as_deref() == Some(vm.as_str())
                && s.lines().last().is_some_and(|l| l.starts_with(" vCenter "))
        })
        .expect("the same VM's details, read from vCenter");
    assert!(screen.contains("on demo vCD (b goes there)"), "{screen}");
    t.keys(&["+"]);
    t.wait_for("Create snapshot", WAIT)
        .expect("the snapshot form");
    t.text("from-tmux");
    t.keys(&["Enter"]);
    t.wait_until(WAIT, |s| {
        s.lines()
            .any(|l| l.contains("Success") && l.contains("Create snapshot") && l.contains(&vm))
    })
    .expect("the vim task succeeds in the task pane");
    // Open the VM: its snapshots are its children in the tree, the new one among them. The VM
    // was opened last under its vCenter, so they are the tree's last rows: G shows them.
    t.keys(&["Enter"]);
    let shown = |s: &str| s.lines().any(|l| tree_part(l).contains("from-tmux"));
    let mut seen = false;
    for _ in 0..40 {
        t.keys(&["G"]);
        if t.wait_until(Duration::from_millis(500), shown).is_ok() {
            seen = true;
            break;
        }
    }
    assert!(
        seen,
        "the new snapshot in the VM's snapshot list: {}",
        t.screen()
    );
    quit_and_check_shell(&t);
}

#[test]
fn sigterm_leaves_a_usable_shell() {
    killed_by("-TERM");
}

/// What a dropped SSH session sends.
#[test]
fn sighup_leaves_a_usable_shell() {
    killed_by("-HUP");
}

/// A terminal that goes away with no SIGHUP reaching vnav (here vnav runs in a session of its
/// own, so the kernel's SIGHUP goes to the shell's session only) still ends vnav, instead of
/// leaving it spinning on a core.
#[test]
fn a_terminal_gone_without_a_sighup_ends_vnav() {
    if !available() {
        return;
    }
    let t = Tmux::shell(100, 30);
    let pidfile = t.home.path().join("vnav.pid");
    t.run(&format!(
        "setsid -w sh -c 'echo $$ > {}; exec {} --demo'",
        pidfile.display(),
        vnav_bin()
    ));
    t.wait_for("acme", WAIT).expect("vnav is up");
    let pid = std::fs::read_to_string(&pidfile).expect("the pid file");
    let pid = pid.trim().to_string();
    // Killing the server closes the pane's terminal.
    drop(t);
    let gone = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            // A zombie is gone too: nobody may be left to reap it.
            .map_or(true, |stat| {
                stat.rsplit(") ").next().is_some_and(|s| s.starts_with('Z'))
            })
    };
    let end = std::time::Instant::now() + WAIT;
    while !gone() && std::time::Instant::now() < end {
        std::thread::sleep(Duration::from_millis(100));
    }
    let ended = gone();
    if !ended {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status();
    }
    assert!(ended, "vnav still runs after its terminal went away");
}

fn killed_by(signal: &str) {
    if !available() {
        return;
    }
    let t = Tmux::shell(100, 30);
    t.run(&format!("{} --demo; echo EXIT=$?", vnav_bin()));
    t.wait_for("acme", WAIT).expect("vnav is up");
    assert_eq!(t.pane_flag("#{alternate_on}"), "1");
    let shell: u32 = t.pane_flag("#{pane_pid}").parse().unwrap();
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
        .expect("the shell's children");
    let pid = children
        .split_whitespace()
        .next()
        .expect("vnav runs under the shell");
    let status = std::process::Command::new("kill")
        .args([signal, pid])
        .status()
        .unwrap();
    assert!(status.success());
    t.wait_for("EXIT=", WAIT).expect("vnav exits on the signal");
    assert_eq!(t.pane_flag("#{alternate_on}"), "0", "alternate screen left");
    assert_eq!(t.pane_flag("#{cursor_flag}"), "1", "cursor visible");
    // The quotes keep the marker out of the echoed command line.
    t.run("stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e icanon | sort | tr '\\n' +; echo 'MO''DES'");
    let screen = t.wait_for("MODES", WAIT).unwrap();
    assert!(
        screen.contains("echo+icanon+MODES"),
        "terminal left in raw mode:\n{screen}"
    );
}

#[test]
fn too_small_terminal_says_so() {
    if !available() {
        return;
    }
    let t = Tmux::shell(60, 16);
    t.run(&format!("{} --demo; echo EXIT=$?", vnav_bin()));
    t.wait_for("too small", WAIT)
        .expect("a clear message below 60×20");
    t.keys(&["q"]);
    t.wait_for("EXIT=0", WAIT).unwrap();
}

#[test]
fn ctrl_z_suspends_to_the_shell_and_fg_resumes() {
    if !available() {
        return;
    }
    let t = Tmux::shell(100, 30);
    // Alone on its line: a stopped job would end a `;` list at once.
    t.run(&format!("{} --demo", vnav_bin()));
    t.wait_for("acme", WAIT).expect("vnav is up");
    t.keys(&["C-z"]);
    t.wait_for("Stopped", WAIT)
        .expect("the shell reports the job stopped");
    assert_eq!(
        t.pane_flag("#{alternate_on}"),
        "0",
        "alternate screen left while stopped"
    );
    assert_eq!(
        t.pane_flag("#{cursor_flag}"),
        "1",
        "cursor visible while stopped"
    );
    t.run("fg");
    t.wait_until(WAIT, |s| s.contains("acme") && s.contains("Inventory"))
        .expect("the UI is back after fg");
    assert_eq!(t.pane_flag("#{alternate_on}"), "1");
    t.keys(&["q"]);
    t.wait_until(WAIT, |s| !s.contains("Inventory"))
        .expect("vnav quits");
    t.run("echo EXIT=$?");
    t.wait_for("EXIT=0", WAIT)
        .expect("vnav still quits cleanly");
}

/// The first IPv4 address on the detail pane's network adapter rows.
fn adapter_ip(screen: &str) -> Option<String> {
    screen
        .lines()
        .filter(|l| l.contains("IP of NIC"))
        .flat_map(|l| l.split_whitespace())
        .find(|part| part.parse::<std::net::Ipv4Addr>().is_ok())
        .map(str::to_string)
}

/// Issue 17: a VM found by its IP with `:goto` in a fresh session (nothing of it loaded), then
/// powered off from where goto put the cursor.
#[test]
fn demo_goto_a_vm_by_ip_and_power_it_off() {
    if !available() {
        return;
    }
    let t = Tmux::shell(120, 36);
    t.run("true");
    // A VM and its IP, read as a user would: from its details.
    let vm = open_first_vm(&t);
    let screen = t
        .wait_until(WAIT, |s| adapter_ip(s).is_some())
        .expect("the VM's details show its IP");
    let ip = adapter_ip(&screen).unwrap();
    quit_and_check_shell(&t);

    // A new session over the same demo world: goto straight from the start.
    t.run(&format!("{} --demo; echo EXIT=$?", vnav_bin()));
    t.wait_for("acme", WAIT).expect("the demo tree");
    t.keys(&[":"]);
    t.text(&format!("goto {ip}"));
    t.keys(&["Enter"]);
    t.wait_until(WAIT, |s| {
        selected_vm(s).as_deref() == Some(vm.as_str()) && s.contains("IP of NIC")
    })
    .expect("goto by IP lands on the VM and shows its details");
    if row_status(&t.screen(), &vm) != Some("Powered on") {
        t.keys(&["o"]);
        t.wait_for("y yes", WAIT).expect("a y/N confirm");
        t.keys(&["y"]);
        t.wait_until(WAIT, |s| row_status(s, &vm) == Some("Powered on"))
            .expect("the VM row turns Powered on");
    }
    t.keys(&["O"]);
    t.wait_for("to confirm", WAIT)
        .expect("a typed-name confirm");
    t.text(&vm);
    t.keys(&["Enter"]);
    t.wait_until(WAIT, |s| row_status(s, &vm) == Some("Powered off"))
        .expect("the VM found by IP is powered off");
    quit_and_check_shell(&t);
}
