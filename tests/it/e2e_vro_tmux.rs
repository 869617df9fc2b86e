//! The real binary in tmux: `vnav --demo`, browse to an Orchestrator workflow, run it with its
//! one input typed into the form, and see the run complete in the task pane and its outputs
//! in the detail pane; run one that waits for a person, answer it from the task pane, and see
//! it complete with the answer.

use std::time::Duration;

use crate::tmux::{Tmux, available, vnav_bin};

const WAIT: Duration = Duration::from_secs(30);

/// `vnav --demo` in tmux, once the demo Orchestrator lists its root categories.
fn demo() -> Tmux {
    let t = Tmux::shell(160, 45);
    t.run(&format!("{} --demo; echo EXIT=$?", vnav_bin()));
    t.wait_for("Tenants", WAIT)
        .expect("the demo Orchestrator lists its root categories");
    t
}

/// Opens the node named `name` found by the filter (whatever the order of the endpoints); the
/// filter then goes and the cursor stays on it.
fn open(t: &Tmux, name: &str) {
    t.keys(&["/"]);
    t.text(name);
    t.keys(&["Enter", "Escape", "Enter"]);
}

/// The task pane's row of the run, once it shows.
fn run_row(screen: &str) -> Option<&str> {
    screen.lines().find(|l| {
        l.contains("Run workflow")
            && l.contains("Get virtual machines by name")
            && l.contains("demo Orchestrator")
    })
}

#[test]
fn demo_run_a_workflow_with_one_input_from_the_keys_and_see_it_complete() {
    if !available() {
        return;
    }
    let t = demo();
    open(&t, "Library");
    t.wait_for("vCenter workflows of Library", WAIT)
        .expect("Library opens");
    t.keys(&["j", "Enter"]);
    t.wait_for("Virtual Machine management workflo", WAIT)
        .expect("vCenter's categories load");
    t.keys(&["j", "Enter"]);
    t.wait_for("Basic workflows of", WAIT)
        .expect("Virtual Machine management's categories load");
    t.keys(&["j", "Enter"]);
    t.wait_for("Get virtual machines by name  2.3.8", WAIT)
        .expect("Basic's workflows load");
    t.keys(&["j"]);
    t.wait_for("Get virtual machines by name · Workflow", WAIT)
        .expect("the workflow's details");

    t.keys(&["e"]);
    let form = t
        .wait_for("Run Get virtual machines by name · safe", WAIT)
        .expect("e opens the workflow's form, safe by its name's verb");
    assert!(form.contains("Risk safe: its name begins with"), "{form}");
    assert!(form.contains("*  string"), "the mandatory input: {form}");
    // Enter with the mandatory input empty: refused at the field, nothing runs.
    t.keys(&["Enter"]);
    t.wait_for("✗ required", WAIT)
        .expect("the problem is shown at the field");
    // A safe workflow runs when its form is taken: no y/N after.
    t.text("web");
    t.keys(&["Enter"]);
    let done = t
        .wait_until(WAIT, |s| run_row(s).is_some_and(|r| r.contains("Success")))
        .unwrap_or_else(|s| panic!("the run completes in the task pane: {s}"));
    let row = run_row(&done).unwrap();
    assert!(row.contains("administrator@vsphere.l"), "started by: {row}");

    // Enter on the run: its inputs, outputs and logs in the detail pane.
    t.keys(&["Tab", "Tab", "Enter"]);
    let details = t
        .wait_until(WAIT, |s| s.contains("Outputs") && s.contains("Logs"))
        .unwrap_or_else(|s| panic!("the run's details: {s}"));
    assert!(
        details.contains("criteria  string  web")
            && details.contains("Array/VC:VirtualMachine  vm-"),
        "{details}"
    );
    t.keys(&["q"]);
    t.wait_for("EXIT=0", WAIT).expect("vnav exits with 0");
}

#[test]
fn demo_answer_a_run_waiting_for_user_interaction_from_the_keys() {
    if !available() {
        return;
    }
    let t = demo();
    open(&t, "Operations");
    t.wait_for("Approvals workflows of Operations", WAIT)
        .expect("Operations opens");
    open(&t, "Approvals");
    t.wait_for("Request maintenance window  2.", WAIT)
        .expect("Approvals' workflows load");
    t.keys(&["j"]);
    t.wait_for("Request maintenance window · Workflow", WAIT)
        .expect("the workflow's details");
    t.keys(&["e"]);
    t.wait_for("Run Request maintenance window · disruptive", WAIT)
        .expect("e opens the workflow's form");
    t.text("2026-12-24");
    t.keys(&["Tab", "Tab"]);
    t.text("patching");
    t.keys(&["Enter"]);
    t.wait_for("reason = patching?", WAIT)
        .expect("the confirmation says what it sends");
    t.keys(&["y"]);
    t.wait_for("waiting for your answer: press A", WAIT)
        .expect("the task pane says the run waits for an answer");

    // To the task pane, and answer it.
    t.keys(&["Tab", "Tab", "A"]);
    let form = t
        .wait_for("Answer Request maintenance window · disruptive", WAIT)
        .expect("A opens the form of what the run asks");
    assert!(
        form.contains("approved") && form.contains("yes/no"),
        "{form}"
    );
    t.keys(&["Space", "Tab"]);
    t.text("go ahead");
    t.keys(&["Enter"]);
    t.wait_for("with approved = Yes, comment = go", WAIT)
        .expect("the answer is confirmed first");
    t.keys(&["y"]);
    let done = t
        .wait_until(WAIT, |s| {
            s.lines()
                .any(|l| l.contains("Request maintenance window") && l.contains("Success"))
        })
        .unwrap_or_else(|s| panic!("the answered run completes in the task pane: {s}"));
    assert!(!done.contains("waiting for your answer"), "{done}");
    // Its outputs carry the answer.
    t.keys(&["Enter"]);
    let details = t
        .wait_until(WAIT, |s| s.contains("Outputs") && s.contains("go ahead"))
        .unwrap_or_else(|s| panic!("the run's outputs: {s}"));
    assert!(details.contains("approved    boolean  Yes"), "{details}");
    t.keys(&["q"]);
    t.wait_for("EXIT=0", WAIT).expect("vnav exits with 0");
}
