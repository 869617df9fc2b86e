//! Actions in the app alone: the fresh-offer check, confirmations by risk, read-only, bulk
//! marks and the audit records, with synthetic server answers (end to end runs in sim_actions).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use vnav::api::ApiError;
use vnav::api::model::*;
use vnav::app::App;
use vnav::app::Overlay;
use vnav::app::actions::{self, Risk};
use vnav::app::dialog::Dialog;
use vnav::app::event::{ApiAnswer, Effect, Event};

use crate::support::*;

fn connected(read_only: bool) -> App {
    connected_beside(&[], read_only)
}

/// The vCD of `connected`, listed first, with `others` configured after it (not connected).
fn connected_beside(others: &[&str], read_only: bool) -> App {
    let names: Vec<&str> = std::iter::once("vcd")
        .chain(others.iter().copied())
        .collect();
    let mut app = app_with(&names, read_only);
    let effects = app.start();
    let Effect::Connect { req, .. } = effects[0] else {
        panic!()
    };
    let info = EndpointInfo {
        product: Product::Vcd,
        url: "https://vcd".into(),
        user: "admin@System".into(),
        api_version: "38.0".into(),
        capabilities: vnav::api::model::Capabilities::ALL,
        instance_uuid: None,
    };
    let req = children_req(&answer(&mut app, req, 0, ApiAnswer::Connected(Ok(info))).effects);
    give_children(
        &mut app,
        req,
        vec![
            group(NodeKind::VApp, "vapp/1", "shop"),
            group(NodeKind::VApp, "vapp/2", "blog"),
        ],
    );
    key(&mut app, KeyCode::Down);
    let req = children_req(&key(&mut app, KeyCode::Enter).effects);
    give_children(
        &mut app,
        req,
        vec![
            vm("vm/1", "web-01", true),
            vm("vm/2", "web-02", true),
            vm("vm/3", "db-01", false),
        ],
    );
    key(&mut app, KeyCode::Down); // web-01
    app
}

fn offers(node: &Node) -> Vec<ActionOffer> {
    let on = node.status.label == "POWERED_ON";
    let mut v = vec![ActionOffer::new(
        ActionId::SnapshotCreate,
        format!("{}/action/createSnapshot", node.id),
    )];
    if matches!(slot(node), Some(SnapshotSlot::Taken { .. })) {
        v.push(ActionOffer::new(
            ActionId::SnapshotRevert,
            format!("{}/action/revertToCurrentSnapshot", node.id),
        ));
    }
    if on {
        v.push(ActionOffer::new(
            ActionId::PowerOff,
            format!("{}/power/action/powerOff", node.id),
        ));
        v.push(ActionOffer::new(
            ActionId::Reboot,
            format!("{}/power/action/reboot", node.id),
        ));
    } else {
        v.push(ActionOffer::new(
            ActionId::PowerOn,
            format!("{}/power/action/powerOn", node.id),
        ));
    }
    v
}

/// The test world keeps one snapshot per VM, as vCD: web-01 has a 16 GiB snapshot of
/// 2022-12-03, the others none.
fn slot(node: &Node) -> Option<SnapshotSlot> {
    (node.kind == NodeKind::Vm).then(|| match &*node.name {
        "web-01" => SnapshotSlot::Taken {
            created: parse_time("2022-12-03T10:11:12Z"),
            bytes: Some(16 << 30),
        },
        _ => SnapshotSlot::Empty,
    })
}

/// Answers every details lookup in `effects` with the node's offers; returns the new effects.
fn answer_lookups(app: &mut App, effects: Vec<Effect>) -> Vec<Effect> {
    let mut out = Vec::new();
    for e in effects {
        match e {
            Effect::Details { req, node, .. } => {
                let d = Details {
                    actions: offers(&node),
                    snapshot_slot: slot(&node),
                    copies: vec![],
                    node,
                    sections: vec![],
                    links: vec![],
                    raw: Raw {
                        format: RawFormat::Xml,
                        text: String::new(),
                    },
                };
                out.extend(answer(app, req, 0, ApiAnswer::Details(Box::new(Ok(d)))).effects);
            }
            other => out.push(other),
        }
    }
    out
}

fn invokes(effects: &[Effect]) -> Vec<(u64, String, ActionId)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Invoke {
                req, node, action, ..
            } => Some((*req, node.name.to_string(), action.id)),
            _ => None,
        })
        .collect()
}

fn task(id: &str, target: &str, state: TaskState) -> TaskInfo {
    TaskInfo {
        id: id.into(),
        operation: "Powering off".into(),
        target: Some(TaskTarget {
            kind: NodeKind::Vm,
            id: format!("vm/{target}").into(),
            name: target.into(),
        }),
        state,
        progress: Some(if state == TaskState::Success { 100 } else { 10 }),
        started: None,
        finished: None,
        error: None,
        cancel: (!state.is_terminal()).then(|| format!("{id}/action/cancel").into()),
        user: None,
    }
}

#[tokio::test(start_paused = true)]
async fn disruptive_confirm_defaults_to_no() {
    let mut app = connected(false);
    let effects = key(&mut app, KeyCode::Char('R')).effects;
    assert!(matches!(
        app.overlay,
        Some(Overlay::Dialog(Dialog::Checking(_)))
    ));
    assert!(screen(&mut app, 100, 30).contains("asking the server what web-01 offers now"));
    answer_lookups(&mut app, effects);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("Reboot guest VM web-01?"), "{text}");
    // Enter takes the default: No. Nothing is invoked.
    let out = key(&mut app, KeyCode::Enter);
    assert!(app.overlay.is_none() && invokes(&out.effects).is_empty());
    let effects = key(&mut app, KeyCode::Char('R')).effects;
    answer_lookups(&mut app, effects);
    let out = key(&mut app, KeyCode::Char('y'));
    assert_eq!(
        invokes(&out.effects),
        vec![(
            invokes(&out.effects)[0].0,
            "web-01".into(),
            ActionId::Reboot
        )]
    );
}

#[tokio::test(start_paused = true)]
async fn destructive_needs_the_typed_name_and_a_wrong_name_does_nothing() {
    let mut app = connected(false);
    let effects = key(&mut app, KeyCode::Char('O')).effects;
    answer_lookups(&mut app, effects);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("Type web-01 to confirm"), "{text}");
    let effects = keys(&mut app, "web-02");
    let out = key(&mut app, KeyCode::Enter);
    assert!(invokes(&effects).is_empty() && invokes(&out.effects).is_empty());
    assert!(screen(&mut app, 100, 30).contains("nothing done"));
    keys(&mut app, "web-01");
    let out = key(&mut app, KeyCode::Enter);
    assert_eq!(invokes(&out.effects).len(), 1);
    assert_eq!(invokes(&out.effects)[0].2, ActionId::PowerOff);
}

#[tokio::test(start_paused = true)]
async fn an_action_the_server_does_not_offer_is_refused_with_why() {
    let mut app = connected(false);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down); // db-01, powered off
    let effects = key(&mut app, KeyCode::Char('O')).effects;
    let out = answer_lookups(&mut app, effects);
    assert!(invokes(&out).is_empty() && app.overlay.is_none());
    let toast = app.toast.as_ref().unwrap().text.clone();
    assert!(
        toast.contains("db-01: does not offer it while powered off"),
        "{toast}"
    );
}

#[tokio::test(start_paused = true)]
async fn read_only_refuses_every_changing_key_and_hides_them() {
    let mut app = connected(true);
    for k in ['o', 'O', 'r', 'R', 's', 'S', '+', 'v', 'X', 'd', 'D'] {
        let out = key(&mut app, KeyCode::Char(k));
        assert!(out.effects.is_empty(), "{k} produced {:?}", out.effects);
        assert!(app.overlay.is_none());
        assert!(
            app.toast.as_ref().unwrap().text.starts_with("read-only"),
            "{k}"
        );
    }
    // The menu shows nothing to run.
    let effects = key(&mut app, KeyCode::Char('a')).effects;
    answer_lookups(&mut app, effects);
    assert!(app.overlay.is_none());
    key(&mut app, KeyCode::Char('?'));
    let help = screen(&mut app, 120, 60);
    assert!(
        help.contains("Actions: none (read-only mode)") && !help.contains("Power off"),
        "{help}"
    );
    assert!(screen(&mut app, 100, 30).contains("READ-ONLY"));
}

#[tokio::test(start_paused = true)]
async fn the_menu_lists_only_what_is_offered() {
    let mut app = connected(false);
    let effects = key(&mut app, KeyCode::Char('a')).effects;
    answer_lookups(&mut app, effects);
    let text = screen(&mut app, 100, 30);
    for s in ["Power off", "Reboot guest", "Create snapshot"] {
        assert!(text.contains(s), "{s}: {text}");
    }
    assert!(!text.contains("Power on"), "{text}");
    key(&mut app, KeyCode::Char('R'));
    assert!(screen(&mut app, 100, 30).contains("Reboot guest VM web-01?"));
}

#[tokio::test(start_paused = true)]
async fn bulk_on_marks_summarises_runs_each_once_bounded_and_audits_each() {
    let mut app = connected(false);
    // Mark web-01 and web-02 in shop, then expand blog and mark its VMs.
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char(' ')); // db-01 too (powered off: will be skipped)
    key(&mut app, KeyCode::Down); // blog
    let req = children_req(&key(&mut app, KeyCode::Enter).effects);
    let vms: Vec<Node> = (4..=8)
        .map(|i| vm(&format!("vm/{i}"), &format!("blog-{i}"), true))
        .collect();
    give_children(&mut app, req, vms);
    key(&mut app, KeyCode::Down);
    for _ in 0..5 {
        key(&mut app, KeyCode::Char(' ')); // marks and moves down
    }
    assert_eq!(app.tree.marked_count(), 8);
    assert!(screen(&mut app, 100, 30).contains("8 marked"));
    let effects = key(&mut app, KeyCode::Char('O')).effects;
    answer_lookups(&mut app, effects);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("Power off 7 VMs in 2 vApps?"), "{text}");
    assert!(
        text.contains("1 skipped") && text.contains("db-01"),
        "{text}"
    );
    keys(&mut app, "7");
    let first = invokes(&key(&mut app, KeyCode::Enter).effects);
    assert_eq!(first.len(), 4, "bounded: four at a time");
    let mut started: Vec<String> = first.iter().map(|i| i.1.clone()).collect();
    let mut pending = first;
    let mut audits = Vec::new();
    let mut n = 0;
    while let Some((req, name, _)) = pending.pop() {
        n += 1;
        let out = answer(
            &mut app,
            req,
            0,
            ApiAnswer::Invoked(Ok(task(&format!("task/{n}"), &name, TaskState::Success))),
        );
        for (r, nm, _) in invokes(&out.effects) {
            started.push(nm.clone());
            pending.push((r, nm, ActionId::PowerOff));
        }
        audits.extend(out.effects.into_iter().filter_map(|e| match e {
            Effect::Audit(a) => Some(a),
            _ => None,
        }));
    }
    started.sort();
    let mut expected: Vec<String> = ["web-01", "web-02"]
        .iter()
        .map(|s| s.to_string())
        .chain((4..=8).map(|i| format!("blog-{i}")))
        .collect();
    expected.sort();
    assert_eq!(started, expected, "each target exactly once");
    assert_eq!(audits.len(), 7, "one audit line per action");
    assert!(
        audits
            .iter()
            .all(|a| a.result == "success" && a.action == "Power off" && a.user == "admin@System")
    );
}

#[tokio::test(start_paused = true)]
async fn cancelled_dialogs_and_failed_invocations_audit_correctly() {
    let mut app = connected(false);
    let effects = key(&mut app, KeyCode::Char('O')).effects;
    answer_lookups(&mut app, effects);
    let out = key(&mut app, KeyCode::Esc);
    assert!(
        out.effects
            .iter()
            .all(|e| !matches!(e, Effect::Audit(_) | Effect::Invoke { .. }))
    );
    // A refused invocation is audited once with the server's reason.
    let effects = key(&mut app, KeyCode::Char('R')).effects;
    answer_lookups(&mut app, effects);
    let inv = invokes(&key(&mut app, KeyCode::Char('y')).effects);
    let err = ApiError::Server {
        status: 409,
        code: Some("BUSY_ENTITY".into()),
        message: "The entity web-01 is busy completing an operation.".into(),
    };
    let out = answer(&mut app, inv[0].0, 0, ApiAnswer::Invoked(Err(err)));
    let audits: Vec<_> = out
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Audit(a) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(audits.len(), 1);
    assert!(audits[0].result.contains("busy completing"));
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .contains("busy completing an operation")
    );
    // An audit log that cannot be written blocks the action and says so.
    let effects = key(&mut app, KeyCode::Char('R')).effects;
    answer_lookups(&mut app, effects);
    let inv = invokes(&key(&mut app, KeyCode::Char('y')).effects);
    answer(
        &mut app,
        inv[0].0,
        0,
        ApiAnswer::AuditFailed("audit log: cannot open /x: Permission denied".into()),
    );
    let toast = &app.toast.as_ref().unwrap().text;
    assert!(
        toast.contains("NOT started") && toast.contains("Permission denied"),
        "{toast}"
    );
}

#[tokio::test(start_paused = true)]
async fn running_tasks_poll_with_backoff_and_refresh_their_target_when_done() {
    let mut app = connected(false);
    let effects = key(&mut app, KeyCode::Char('O')).effects;
    answer_lookups(&mut app, effects);
    keys(&mut app, "web-01");
    let inv = invokes(&key(&mut app, KeyCode::Enter).effects);
    let out = answer(
        &mut app,
        inv[0].0,
        0,
        ApiAnswer::Invoked(Ok(task("task/1", "1", TaskState::Running))),
    );
    let poll = |effects: &[Effect]| {
        effects.iter().find_map(|e| match e {
            Effect::PollTask { req, delay, .. } => Some((*req, *delay)),
            _ => None,
        })
    };
    let (req, delay) = poll(&out.effects).expect("polls the new task");
    assert_eq!(delay.as_millis(), 500);
    // The server says "Powering off"; the pane says it as the menu and the confirmation did,
    // polls after included.
    let said = |app: &mut App| {
        let s = screen(app, 100, 30);
        s.contains("Power off  ") && !s.contains("Powering off")
    };
    assert!(said(&mut app), "{}", screen(&mut app, 100, 30));
    let out = answer(
        &mut app,
        req,
        0,
        ApiAnswer::TaskPolled(Ok(task("task/1", "1", TaskState::Running))),
    );
    assert!(said(&mut app), "{}", screen(&mut app, 100, 30));
    let (req, delay2) = poll(&out.effects).unwrap();
    assert!(delay2 > delay);
    let out = answer(
        &mut app,
        req,
        0,
        ApiAnswer::TaskPolled(Ok(task("task/1", "1", TaskState::Success))),
    );
    assert!(poll(&out.effects).is_none(), "no poll after the end");
    // Issue 17: the changed VM and its vApp are read again, one request each; no list is
    // (the vApp may hold thousands of VMs).
    let reloads: Vec<&Effect> = out
        .effects
        .iter()
        .filter(|e| matches!(e, Effect::Children { .. }))
        .collect();
    assert!(reloads.is_empty(), "{reloads:?}");
    let rereads: Vec<(u64, String)> = out
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Details { req, node, .. } => Some((*req, node.name.to_string())),
            _ => None,
        })
        .collect();
    let names: Vec<&str> = rereads.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names, ["web-01", "shop"]);
    // Its answer updates the row.
    let off = Details {
        node: vm("vm/1", "web-01", false),
        sections: Vec::new(),
        links: Vec::new(),
        actions: Vec::new(),
        snapshot_slot: None,
        copies: Vec::new(),
        raw: Raw {
            format: RawFormat::Xml,
            text: String::new(),
        },
    };
    let out2 = answer(
        &mut app,
        rereads[0].0,
        0,
        ApiAnswer::Details(Box::new(Ok(off))),
    );
    assert!(out2.redraw);
    let row = app.tree.find(0, "vm/1")[0];
    assert_eq!(&*app.tree.get(row).node.status.label, "POWERED_OFF");
    assert_eq!(
        out.effects
            .iter()
            .filter(|e| matches!(e, Effect::Audit(_)))
            .count(),
        1
    );
    assert!(app.toast.as_ref().unwrap().text.starts_with('✓'));
}

#[tokio::test(start_paused = true)]
async fn cancel_asks_first_and_enter_shows_a_failure_in_full() {
    let mut app = connected(false);
    answer(&mut app, 999, 0, ApiAnswer::RecentTasks(Ok(vec![
        task("task/9", "2", TaskState::Running),
        TaskInfo { error: Some("The operation failed because no suitable resource was found. Out of memory on host esx-07".into()), ..task("task/8", "3", TaskState::Error) },
    ])));
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Tab);
    // The running one is on top (newest first as the server listed them).
    let out = key(&mut app, KeyCode::Char('c'));
    assert!(out.effects.is_empty());
    assert!(screen(&mut app, 100, 30).contains("Cancel \"Powering off\" on 2?"));
    let out = key(&mut app, KeyCode::Char('y'));
    assert!(
        out.effects
            .iter()
            .any(|e| matches!(e, Effect::CancelTask { .. }))
    );
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    let text = screen(&mut app, 120, 30);
    assert!(
        text.contains("Powering off 3: error") && text.contains("memory on host esx-07"),
        "{text}"
    );
}

/// A bulk action's tasks each reload their parent; with or without a filter the cursor and the
/// marks stay where they were (issue 12, item 5).
#[tokio::test(start_paused = true)]
async fn bulk_action_keeps_cursor_and_marks_with_or_without_a_filter() {
    for filtered in [false, true] {
        let mut app = connected(false);
        key(&mut app, KeyCode::Char(' ')); // web-01, moves to web-02
        key(&mut app, KeyCode::Char(' ')); // web-02, moves to db-01
        key(&mut app, KeyCode::Up); // back on web-02
        if filtered {
            keys(&mut app, "/web");
            key(&mut app, KeyCode::Enter);
        }
        let cursor = app.cursor.selected;
        assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "web-02");
        let effects = key(&mut app, KeyCode::Char('O')).effects;
        answer_lookups(&mut app, effects);
        keys(&mut app, "2");
        let inv = invokes(&key(&mut app, KeyCode::Enter).effects);
        assert_eq!(inv.len(), 2);
        // Both tasks end, and both VMs are gone when read again, before the reloads of their
        // vApp answer: two reloads of shop.
        let mut reloads = Vec::new();
        for (n, (req, name, _)) in inv.iter().enumerate() {
            let done = task(&format!("task/{n}"), name, TaskState::Success);
            let out = answer(&mut app, *req, 0, ApiAnswer::Invoked(Ok(done)));
            let target = out
                .effects
                .iter()
                .find_map(|e| match e {
                    Effect::Details { node, .. } if node.kind == NodeKind::Vm => {
                        Some(node.id.to_string())
                    }
                    _ => None,
                })
                .unwrap_or_else(|| panic!("no re-read of the VM: {:?}", out.effects));
            reloads.push(children_req(&answer_gone(&mut app, &out.effects, &target)));
        }
        for req in reloads {
            give_children(
                &mut app,
                req,
                vec![
                    vm("vm/1", "web-01", false),
                    vm("vm/2", "web-02", false),
                    vm("vm/3", "db-01", false),
                ],
            );
        }
        let label = if filtered { "filtered" } else { "unfiltered" };
        assert_eq!(app.cursor.selected, cursor, "{label}: the cursor stays");
        assert_eq!(app.tree.marked_count(), 2, "{label}: the marks stay");
        let text = screen(&mut app, 100, 30);
        assert!(text.contains("2 marked"), "{label}: {text}");
        assert_eq!(
            app.selected_entry().unwrap().node.status.label,
            "POWERED_OFF",
            "{label}: the row shows the new state"
        );
        key(&mut app, KeyCode::Char('u'));
        assert_eq!(app.tree.marked_count(), 0, "{label}: u clears them");
    }
}

/// The text inside the dialog box whose title starts with `title`, its rows joined by spaces
/// and runs of spaces collapsed, so a wrapped sentence reads as one; panics if it is not shown.
fn dialog_text(buf: &Buffer, title: &str) -> String {
    let (x0, y0) = find(buf, &format!("┌ {title}"))
        .unwrap_or_else(|| panic!("no dialog {title}:\n{}", screen_text(buf)));
    // As wide as its top border: forms are wider than other dialogs.
    let w = (x0 + 1..buf.area.width)
        .find(|&x| buf[(x, y0)].symbol() == "┐")
        .map_or(buf.area.width - x0, |x| x - x0 + 1);
    let mut rows = Vec::new();
    for y in y0 + 1..buf.area.height {
        if buf[(x0, y)].symbol() == "└" {
            break;
        }
        rows.push(
            (x0 + 1..x0 + w - 1)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>(),
        );
    }
    rows.join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn ctrl_c(app: &mut App) -> vnav::app::Outcome {
    app.handle(Event::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )))
}

/// Issue 12 item 1: vCD keeps one snapshot per VM, so a new one replaces it. The form says so
/// before anything runs, and Enter then wants the VM's name typed.
#[tokio::test(start_paused = true)]
async fn a_new_snapshot_over_an_existing_one_says_what_it_replaces_and_wants_the_name() {
    let mut app = connected(false); // web-01: a 16 GiB snapshot of 2022-12-03
    let effects = key(&mut app, KeyCode::Char('+')).effects;
    answer_lookups(&mut app, effects);
    for (w, h) in [(80, 24), (160, 45)] {
        let text = dialog_text(&render(&mut app, w, h), "Create snapshot · destructive");
        assert!(
            text.contains("replaces the snapshot of 2022-12-03")
                && text.contains("16.0 GiB")
                && text.contains("deletes this VM's existing snapshot"),
            "{w}x{h}: {text}"
        );
    }
    let out = key(&mut app, KeyCode::Enter);
    assert!(invokes(&out.effects).is_empty(), "Enter alone runs nothing");
    let Some(Overlay::Dialog(Dialog::Confirm(c))) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(
        (c.expect.as_deref(), c.risk()),
        (Some("web-01"), Risk::Destructive)
    );
    let text = dialog_text(&render(&mut app, 80, 24), "Create snapshot · destructive");
    assert!(
        text.contains("lose its existing snapshot") && text.contains("Type web-01 to confirm"),
        "{text}"
    );
    // y is not an answer here; only the name is.
    let out = key(&mut app, KeyCode::Char('y'));
    let out2 = key(&mut app, KeyCode::Enter);
    assert!(invokes(&out.effects).is_empty() && invokes(&out2.effects).is_empty());
    keys(&mut app, "web-01");
    let out = key(&mut app, KeyCode::Enter);
    let inv = invokes(&out.effects);
    assert_eq!(inv.len(), 1);
    assert_eq!((&*inv[0].1, inv[0].2), ("web-01", ActionId::SnapshotCreate));

    // A VM without a snapshot loses nothing: the form alone takes it.
    key(&mut app, KeyCode::Down); // web-02
    let effects = key(&mut app, KeyCode::Char('+')).effects;
    answer_lookups(&mut app, effects);
    let text = dialog_text(&render(&mut app, 80, 24), "Create snapshot");
    assert!(!text.contains("replaces the snapshot"), "{text}");
    assert_eq!(invokes(&key(&mut app, KeyCode::Enter).effects).len(), 1);
}

/// Bulk `n`: the VMs that have a snapshot are listed as "replaces …" and the count is typed.
#[tokio::test(start_paused = true)]
async fn a_bulk_new_snapshot_lists_the_snapshots_it_replaces() {
    let mut app = connected(false);
    keys(&mut app, "   "); // web-01, web-02, db-01
    let effects = key(&mut app, KeyCode::Char('+')).effects;
    answer_lookups(&mut app, effects);
    let text = dialog_text(&render(&mut app, 80, 24), "Create snapshot · destructive");
    assert!(
        text.contains("3 targets: 3 will run, 1 replaces a snapshot")
            && text.contains(
                "web-01 VM · Powered on · vApp shop replaces the snapshot of 2022-12-03 ("
            )
            && text.contains("days old, 16.0 GiB)")
            && text.contains("web-02")
            && text.contains("db-01"),
        "{text}"
    );
    key(&mut app, KeyCode::Enter);
    let Some(Overlay::Dialog(Dialog::Confirm(c))) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(c.expect.as_deref(), Some("3"));
    assert!(
        c.summary.contains("losing 1 existing snapshot"),
        "{}",
        c.summary
    );
    keys(&mut app, "3");
    let inv = invokes(&key(&mut app, KeyCode::Enter).effects);
    assert_eq!(inv.len(), 3);
}

/// Issue 12 item 3: a bulk confirmation lists every marked node, also those the filter hides,
/// and says which are skipped and why.
#[tokio::test(start_paused = true)]
async fn a_bulk_confirm_lists_its_targets_even_hidden_ones_and_the_skipped() {
    let mut app = connected(false);
    keys(&mut app, "   "); // web-01, web-02, db-01
    keys(&mut app, "/web");
    key(&mut app, KeyCode::Enter);
    assert!(
        !screen(&mut app, 80, 24).contains("db-01"),
        "the filter hides db-01"
    );
    let effects = key(&mut app, KeyCode::Char('O')).effects;
    answer_lookups(&mut app, effects);
    for (w, h) in [(80, 24), (160, 45)] {
        let text = dialog_text(&render(&mut app, w, h), "Power off · destructive");
        for part in [
            "Power off 2 VMs in 1 vApp?",
            "3 targets: 2 will run, 1 skipped, 1 hidden by the filter",
            "db-01 VM · Powered off · vApp shop · hidden by the filter skipped: does not offer it while powered off",
            "web-01 VM · Powered on · vApp shop",
            "web-02 VM · Powered on · vApp shop",
            "Type 2 to confirm",
        ] {
            assert!(text.contains(part), "{w}x{h}: {part}: {text}");
        }
    }
}

/// A long list shows what fits, says how many more, and scrolls; the answer stays on screen.
#[tokio::test(start_paused = true)]
async fn a_long_bulk_confirm_shows_how_many_more_and_scrolls() {
    let mut app = connected(false);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down); // blog
    let req = children_req(&key(&mut app, KeyCode::Enter).effects);
    let vms = (1..=40)
        .map(|i| vm(&format!("vm/b{i}"), &format!("blog-{i:02}"), true))
        .collect();
    give_children(&mut app, req, vms);
    key(&mut app, KeyCode::Down);
    for _ in 0..40 {
        key(&mut app, KeyCode::Char(' '));
    }
    let effects = key(&mut app, KeyCode::Char('R')).effects;
    answer_lookups(&mut app, effects);
    let text = dialog_text(&render(&mut app, 80, 24), "Reboot guest · disruptive");
    assert!(
        text.contains("40 targets: 40 will run")
            && text.contains("blog-01")
            && text.contains("more (↑/↓ scroll)")
            && text.contains("no (default"),
        "{text}"
    );
    let more = |t: &str| -> usize {
        let at = t.find(" more (").unwrap();
        t[..at].rsplit(' ').next().unwrap().parse().unwrap()
    };
    let hidden = more(&text);
    assert!(hidden > 20, "{text}");
    key(&mut app, KeyCode::Down);
    let text = dialog_text(&render(&mut app, 80, 24), "Reboot guest · disruptive");
    assert!(
        text.contains("↑ 1 above") && !text.contains("blog-01 ") && text.contains("blog-02"),
        "{text}"
    );
    // Everything fits at 160x45 with room to spare? No: 40 rows do not; fewer are hidden.
    let text = dialog_text(&render(&mut app, 160, 45), "Reboot guest · disruptive");
    assert!(more(&text) < hidden, "{text}");
    let out = key(&mut app, KeyCode::Char('y'));
    assert_eq!(invokes(&out.effects).len(), 4, "bounded: four at a time");
}

/// Issue 12 item 2: `q` with tasks still running asks first; a second Ctrl-C or SIGTERM leave.
#[tokio::test(start_paused = true)]
async fn quitting_with_tasks_running_asks_first() {
    // Nothing running: q quits at once.
    let mut idle = connected(false);
    key(&mut idle, KeyCode::Char('q'));
    assert!(idle.quit);

    let running = || {
        let mut app = connected(false);
        let effects = key(&mut app, KeyCode::Char('R')).effects;
        answer_lookups(&mut app, effects);
        let inv = invokes(&key(&mut app, KeyCode::Char('y')).effects);
        let task = TaskInfo {
            operation: "Rebooting".into(),
            ..task("task/1", "1", TaskState::Running)
        };
        answer(&mut app, inv[0].0, 0, ApiAnswer::Invoked(Ok(task)));
        app
    };
    let mut app = running();
    let out = key(&mut app, KeyCode::Char('q'));
    assert!(!app.quit && !out.effects.iter().any(|e| matches!(e, Effect::Quit)));
    for (w, h) in [(80, 24), (160, 45)] {
        let text = dialog_text(&render(&mut app, w, h), "Quit");
        assert!(
            text.contains("1 task still running — quit anyway?")
                && text.contains("still running when vnav exited")
                && text.contains("no (default"),
            "{w}x{h}: {text}"
        );
    }
    key(&mut app, KeyCode::Enter); // the default: No
    assert!(!app.quit && app.overlay.is_none());
    key(&mut app, KeyCode::Char('q'));
    let out = key(&mut app, KeyCode::Char('y'));
    assert!(app.quit && out.effects.iter().any(|e| matches!(e, Effect::Quit)));
    let audits: Vec<_> = out
        .effects
        .iter()
        .filter_map(|e| match e {
            Effect::Audit(a) => Some(a.result.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(audits, ["still running when vnav exited"]);

    // Ctrl-C asks too; a second Ctrl-C leaves.
    let mut app = running();
    ctrl_c(&mut app);
    assert!(!app.quit && matches!(app.overlay, Some(Overlay::Dialog(Dialog::Quit))));
    ctrl_c(&mut app);
    assert!(app.quit);

    // SIGTERM (or a lost terminal) leaves at once, with the same audit line.
    let mut app = running();
    let out = app.handle(Event::Terminate);
    assert!(app.quit && out.effects.iter().any(|e| matches!(e, Effect::Audit(_))));
}

/// Issue 12 item 15: confirm texts wrap inside the dialog, which grows to hold them, at 80x24
/// and 160x45; the revert text is a whole sentence.
#[tokio::test(start_paused = true)]
async fn confirm_texts_wrap_and_are_never_cut() {
    let revert = actions::spec(ActionId::SnapshotRevert).description;
    assert!(revert.ends_with("since it was taken"), "{revert}");
    let mut app = connected(false); // web-01 has a snapshot
    let effects = key(&mut app, KeyCode::Char('v')).effects;
    answer_lookups(&mut app, effects);
    for (w, h) in [(80, 24), (160, 45)] {
        let text = dialog_text(&render(&mut app, w, h), "Revert to snapshot · destructive");
        assert!(
            text.contains(revert) && text.contains("Enter confirms · Esc cancels"),
            "{w}x{h}: {text}"
        );
    }
    key(&mut app, KeyCode::Esc);
    // A VM whose long name wraps the summary, the prompt and the error of a wrong answer.
    for _ in 0..3 {
        key(&mut app, KeyCode::Down); // blog
    }
    let req = children_req(&key(&mut app, KeyCode::Enter).effects);
    let long = "customer-portal-frontend-production-blue-green-canary-07";
    give_children(&mut app, req, vec![vm("vm/long", long, true)]);
    key(&mut app, KeyCode::Down);
    assert_eq!(&*app.selected_entry().unwrap().node.name, long);
    let effects = key(&mut app, KeyCode::Char('O')).effects;
    answer_lookups(&mut app, effects);
    keys(
        &mut app,
        "customer-portal-frontend-production-blue-green-canary-7",
    );
    key(&mut app, KeyCode::Enter);
    for (w, h) in [(80, 24), (160, 45)] {
        let text = dialog_text(&render(&mut app, w, h), "Power off · destructive");
        for part in [
            format!("Power off VM {long}?"),
            "hard power off (like pulling the plug)".to_string(),
            format!("Type {long} to confirm:"),
            "Enter confirms · Esc cancels".to_string(),
            format!("does not match \"{long}\": nothing done. Esc cancels."),
        ] {
            assert!(text.contains(&part), "{w}x{h}: {part}: {text}");
        }
    }
}

/// Through the `a` menu too, the confirmation lists every mark, with the one whose check
/// failed as skipped and why.
#[tokio::test(start_paused = true)]
async fn the_menu_path_lists_the_marks_whose_check_failed() {
    let mut app = connected(false);
    keys(&mut app, "  "); // web-01, web-02
    let effects = key(&mut app, KeyCode::Char('a')).effects;
    let mut rest = Vec::new();
    for e in effects {
        match e {
            Effect::Details { req, node, .. } if &*node.name == "web-02" => {
                let err = ApiError::Server {
                    status: 503,
                    code: None,
                    message: "Service Unavailable".into(),
                };
                answer(&mut app, req, 0, ApiAnswer::Details(Box::new(Err(err))));
            }
            other => rest.push(other),
        }
    }
    answer_lookups(&mut app, rest);
    assert!(matches!(
        app.overlay,
        Some(Overlay::Dialog(Dialog::Menu { .. }))
    ));
    key(&mut app, KeyCode::Char('R'));
    let text = dialog_text(&render(&mut app, 80, 24), "Reboot guest · disruptive");
    assert!(
        text.contains("2 targets: 1 will run, 1 skipped")
            && text.contains("web-02 VM · Powered on · vApp shop skipped: could not be checked:")
            && text.contains("Service Unavailable")
            && text.contains("✓ web-01"),
        "{text}"
    );
    let out = key(&mut app, KeyCode::Char('y'));
    assert_eq!(invokes(&out.effects).len(), 1);
}

/// Two actions that end up following one task (an action whose answer was lost looks for the
/// new task of its VM, which another action may have started) keep an audit line each.
#[tokio::test(start_paused = true)]
async fn two_actions_on_one_task_are_each_audited() {
    let mut app = connected(false);
    let audits = |effects: &[Effect]| {
        effects
            .iter()
            .filter(|e| matches!(e, Effect::Audit(_)))
            .count()
    };
    let mut polls = Vec::new();
    for _ in 0..2 {
        let effects = key(&mut app, KeyCode::Char('O')).effects;
        answer_lookups(&mut app, effects);
        keys(&mut app, "web-01");
        let inv = invokes(&key(&mut app, KeyCode::Enter).effects);
        let out = answer(
            &mut app,
            inv[0].0,
            0,
            ApiAnswer::Invoked(Ok(task("task/1", "1", TaskState::Running))),
        );
        assert_eq!(audits(&out.effects), 0);
        polls.extend(out.effects.into_iter().filter_map(|e| match e {
            Effect::PollTask { req, .. } => Some(req),
            _ => None,
        }));
    }
    let ended = polls
        .into_iter()
        .map(|req| {
            let out = answer(
                &mut app,
                req,
                0,
                ApiAnswer::TaskPolled(Ok(task("task/1", "1", TaskState::Success))),
            );
            audits(&out.effects)
        })
        .sum::<usize>();
    assert_eq!(ended, 2, "one audit line per confirmed action");
    assert_eq!(app.invocations.unfinished(), (0, 0));
}

/// "Power on VM db-01?" is not followed by "power on": a description that only says the
/// label again is not repeated; one that says more is ("like pulling the plug").
#[tokio::test(start_paused = true)]
async fn a_confirm_does_not_say_its_label_twice() {
    let mut app = connected(false);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down); // db-01, powered off
    let effects = key(&mut app, KeyCode::Char('o')).effects;
    answer_lookups(&mut app, effects);
    let text = dialog_text(&render(&mut app, 100, 30), "Power on");
    assert_eq!(
        text,
        "Power on VM db-01? y yes N no (default: Enter, Esc or any other key)"
    );
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Up); // web-01, powered on
    let effects = key(&mut app, KeyCode::Char('O')).effects;
    answer_lookups(&mut app, effects);
    let text = dialog_text(&render(&mut app, 100, 30), "Power off");
    assert!(text.contains("like pulling the plug"), "{text}");
}

/// With several endpoints a VM's name is often on two of them (a vCD VM and its vCenter VM):
/// the question says which one it acts on.
#[tokio::test(start_paused = true)]
async fn a_confirm_names_the_endpoint_when_there_are_several() {
    let mut app = connected_beside(&["vcenter"], false);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down); // db-01, powered off
    let effects = key(&mut app, KeyCode::Char('o')).effects;
    answer_lookups(&mut app, effects);
    let text = dialog_text(&render(&mut app, 100, 30), "Power on");
    assert!(text.starts_with("Power on VM db-01 on vcd?"), "{text}");
}
