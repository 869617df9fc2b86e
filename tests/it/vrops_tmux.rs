//! The real binary in tmux: from an Aria Operations alert to its VM, `i` to the vCenter VM
//! with its health, alert count and day of metrics, `i` back, and Enter on its alert.

use std::time::Duration;

use crate::tmux::{Tmux, available, vnav_bin};

const WAIT: Duration = Duration::from_secs(30);

/// The title of the detail pane: `NAME · KIND`.
fn detail_title(screen: &str) -> Option<String> {
    screen.lines().find_map(|line| {
        let (_, rest) = line.split_once("┐┌ ")?;
        Some(rest.split(" ─").next()?.trim().to_string())
    })
}

/// Moves the cursor up until the detail pane shows the row named `name`.
fn up_to(t: &Tmux, name: &str) {
    let at = |s: &str| detail_title(s).is_some_and(|d| d.starts_with(&format!("{name} ·")));
    for _ in 0..40 {
        let before = detail_title(&t.screen());
        if at(&t.screen()) {
            return;
        }
        t.keys(&["k"]);
        let _ = t.wait_until(WAIT, |s| detail_title(s) != before);
    }
    panic!("no row {name} above: {}", t.screen());
}

#[test]
fn a_vms_health_then_its_alert_through_the_keys() {
    if !available() {
        return;
    }
    let t = Tmux::shell(160, 45);
    t.run(&format!("{} --demo; echo EXIT=$?", vnav_bin()));
    t.wait_for("active, most critical first", WAIT)
        .expect("the demo's Aria Operations");
    // Open Alerts (up from the bottom, under the demo's other endpoints) and find a VM's alert.
    t.keys(&["G"]);
    up_to(&t, "Alerts");
    t.keys(&["Enter"]);
    t.wait_for("Virtual machine has", WAIT)
        .expect("the active alerts list");
    t.keys(&["/"]);
    t.text("chronic high CPU");
    t.keys(&["Enter"]);
    let screen = t
        .wait_for("Alerted resource", WAIT)
        .expect("the alert's details");
    let alert = detail_title(&screen).unwrap();
    assert!(alert.ends_with("· Alert"), "{alert}");
    // The alerted resource: Tab to the details, Enter on its row.
    t.keys(&["Tab", "Enter"]);
    let screen = t
        .wait_until(WAIT, |s| {
            detail_title(s).is_some_and(|d| d.ends_with("· VM")) && s.contains("Badges")
        })
        .expect("the VM resource's details");
    let vm = detail_title(&screen).unwrap().replace(" · VM", "");
    // i: the same VM in vCenter, with what Aria Operations says about it.
    t.keys(&["i"]);
    let screen = t
        .wait_for("(i goes there)", WAIT)
        .unwrap_or_else(|s| panic!("the vCenter VM with its health:\n{s}"));
    assert!(screen.contains("Guest OS"), "vCenter's details: {screen}");
    assert_eq!(detail_title(&screen), Some(format!("{vm} · VM")));
    let alerts_line = screen
        .lines()
        .find(|l| l.contains("Active alerts"))
        .unwrap_or_else(|| panic!("{screen}"));
    assert!(
        !alerts_line.contains("Active alerts      0"),
        "{alerts_line}"
    );
    assert!(screen.contains("CPU usage"), "the day's metrics: {screen}");
    // i back to the resource, Tab, Enter on its first alert.
    t.keys(&["i"]);
    t.wait_until(WAIT, |s| s.contains("Badges") && s.contains("Criticality"))
        .expect("the resource with its alerts table");
    t.keys(&["Tab", "Enter"]);
    let screen = t
        .wait_until(WAIT, |s| {
            detail_title(s).is_some_and(|d| d.ends_with("· Alert")) && s.contains("Definition")
        })
        .expect("an alert of the VM");
    assert!(screen.contains(&vm), "the alert is about {vm}: {screen}");
    t.keys(&["q"]);
    t.wait_for("EXIT=0", WAIT).expect("vnav exits with 0");
}
