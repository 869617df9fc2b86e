//! Every vCD action key, end to end as a user presses it: key → the confirm its risk asks for →
//! request → task (named in the task pane as the dialog named the action) → the tree refreshes
//! by itself to the new state → one audit line.

use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::http::HttpOptions;
use vnav::api::model::{NodeKind, TaskState};
use vnav::app::dialog::Dialog;
use vnav::app::tree::{EntryId, Load};
use vnav::app::{App, Overlay};
use vnav::audit::AuditLog;
use vnav::runtime::driver::Driver;
use vnav::sim::SimOptions;

use crate::sim_support::{confirm_as_meant, sim, vcd_app};

const WAIT: Duration = Duration::from_secs(15);

/// (key, status before, status after, typed confirm?)
const CASES: &[(char, &str, &str, bool)] = &[
    ('o', "POWERED_OFF", "POWERED_ON", false),
    ('O', "POWERED_ON", "POWERED_OFF", true),
    ('r', "POWERED_ON", "POWERED_ON", true),
    ('R', "POWERED_ON", "POWERED_ON", false),
    ('s', "POWERED_ON", "SUSPENDED", false),
    ('S', "POWERED_ON", "POWERED_OFF", false),
    ('d', "POWERED_OFF", "POWERED_ON", false),
    ('D', "POWERED_ON", "POWERED_OFF", true),
];

fn vm_rows(app: &App) -> Vec<EntryId> {
    app.tree
        .iter_all()
        .filter(|&e| app.tree.get(e).node.kind == NodeKind::Vm)
        .collect()
}

async fn setup() -> (vnav::sim::Sim, Driver, AuditLog, tempfile::TempDir) {
    let s = sim(SimOptions {
        task_seconds: 0.2,
        ..SimOptions::default()
    })
    .await;
    let (mut d, audit, dir) = vcd_app(&s, HttpOptions::default());
    // Open "All VMs" and wait for every VM.
    let group = |a: &App| {
        a.tree
            .iter_all()
            .find(|&e| &*a.tree.get(e).node.name == "All VMs")
    };
    assert!(d.until(WAIT, |a| group(a).is_some()).await);
    let g = group(&d.app).unwrap();
    d.app.select_entry(g);
    d.key(KeyCode::Char('l'));
    assert!(
        d.until(WAIT, |a| a.tree.get(g).load() == &Load::Loaded
            && vm_rows(a).len() >= 200)
            .await
    );
    (s, d, audit, dir)
}

/// Answers whatever the action opened, as a user who means it.
fn confirm(d: &mut Driver, typed: bool) {
    match &d.app.overlay {
        Some(Overlay::Dialog(Dialog::Confirm(c))) => {
            assert_eq!(
                c.expect.is_some(),
                typed,
                "{}: wrong confirm strength",
                c.summary
            );
            confirm_as_meant(d, c.expect.clone());
        }
        Some(Overlay::Dialog(Dialog::Form(f))) => {
            let replaces = f.replaces() > 0;
            d.type_str("every-action");
            d.key(KeyCode::Enter);
            // Over an existing snapshot, the form asks for the name to be typed.
            match &d.app.overlay {
                Some(Overlay::Dialog(Dialog::Confirm(c))) if replaces => {
                    confirm_as_meant(d, c.expect.clone())
                }
                other => assert!(!replaces && other.is_none(), "{other:?}"),
            }
        }
        other => panic!("expected a confirm, got {other:?}"),
    }
}

async fn act(d: &mut Driver, vm: EntryId, key: char, typed: bool) -> usize {
    let before = d.app.tasks.rows.iter().filter(|r| r.ours).count();
    d.app.select_entry(vm);
    d.key(KeyCode::Char(key));
    let dialog = d
        .until(WAIT, |a| {
            matches!(
                a.overlay,
                Some(Overlay::Dialog(Dialog::Confirm(_) | Dialog::Form(_)))
            )
        })
        .await;
    assert!(
        dialog,
        "{key}: no confirm; toast {:?}",
        d.app.toast.as_ref().map(|t| &t.text)
    );
    // What the dialog calls the action is what the task pane calls its task.
    let label = match &d.app.overlay {
        Some(Overlay::Dialog(Dialog::Confirm(c))) => c.label().0,
        Some(Overlay::Dialog(Dialog::Form(f))) => f.label.clone(),
        _ => unreachable!(),
    };
    assert_eq!(label, vnav::app::actions::by_key(key).unwrap().label);
    confirm(d, typed);
    let done = d
        .until(WAIT, |a| {
            let ours: Vec<_> = a.tasks.rows.iter().filter(|r| r.ours).collect();
            ours.len() > before && ours.iter().all(|r| r.info.state.is_terminal())
        })
        .await;
    assert!(done, "{key}: the task never ended");
    let row = d.app.tasks.rows.iter().find(|r| r.ours).unwrap();
    assert_eq!(row.info.state, TaskState::Success, "{key}: {:?}", row.info);
    assert_eq!(row.info.operation, label, "{key}: {:?}", row.info);
    let pane = vnav::runtime::driver::screen_text(&d.render(160, 45));
    assert!(
        pane.contains(&format!("{label} ")),
        "{key}: {label}\n{pane}"
    );
    before + 1
}

#[tokio::test]
async fn every_action_key_runs_to_its_new_state() {
    let (_s, mut d, audit, _dir) = setup().await;
    let mut used = Vec::new();
    let mut actions = 0;
    for &(key, from, to, typed) in CASES {
        let vm = vm_rows(&d.app)
            .into_iter()
            .find(|&e| d.app.tree.get(e).node.status.label == from && !used.contains(&e))
            .unwrap_or_else(|| panic!("no {from} VM for {key}"));
        used.push(vm);
        let id = d.app.tree.get(vm).node.id.to_string();
        actions = act(&mut d, vm, key, typed).await;
        let refreshed = d
            .until(WAIT, |a| {
                let rows = a.tree.find(0, &id);
                !rows.is_empty() && rows.iter().all(|&e| a.tree.get(e).node.status.label == to)
            })
            .await;
        assert!(refreshed, "{key}: the tree never showed {to}");
    }
    // Snapshots: create (form), revert (typed), remove all (typed) on one VM.
    let vm = vm_rows(&d.app)
        .into_iter()
        .find(|e| !used.contains(e))
        .unwrap();
    for (key, typed) in [('+', false), ('v', true), ('X', true)] {
        actions = act(&mut d, vm, key, typed).await;
    }
    let (records, bad) = audit.read(None).unwrap();
    assert_eq!(bad, 0);
    assert_eq!(records.len(), actions, "one audit line per action");
    assert!(records.iter().all(|r| r.result == "success"), "{records:?}");
    d.shutdown().await;
}
