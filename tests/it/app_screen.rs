//! What the screen shows in the corners a first look found wrong: the cursor after its row is
//! removed, failed endpoints and long errors in the detail pane, ended tasks' progress, links,
//! the status bar on the snapshot view, and the help screen at the terminal's width.

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use vnav::api::model::*;
use vnav::app::event::{ApiAnswer, Effect, Event};

use crate::app_ui::{connected, with_vms};
use crate::support::*;

fn task(id: &str, target: &Node, state: TaskState, progress: Option<u8>) -> TaskInfo {
    TaskInfo {
        id: id.into(),
        operation: "Remove snapshot".into(),
        target: Some(TaskTarget {
            kind: target.kind,
            id: target.id.as_str().into(),
            name: target.name.as_str().into(),
        }),
        state,
        progress,
        started: None,
        finished: None,
        error: None,
        cancel: None,
        user: None,
    }
}

fn poll_req(effects: &[Effect]) -> u64 {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::PollTask { req, .. } => Some(*req),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no PollTask in {effects:?}"))
}

/// A task on `target` the server reports as running; returns the request of its first poll.
fn running_task(app: &mut vnav::app::App, target: &Node, progress: u8) -> u64 {
    let info = task("task/1", target, TaskState::Running, Some(progress));
    let out = answer(app, 999, 0, ApiAnswer::RecentTasks(Ok(vec![info])));
    poll_req(&out.effects)
}

fn selected_name(app: &vnav::app::App) -> String {
    app.selected_entry().unwrap().node.name.to_string()
}

#[tokio::test(start_paused = true)]
async fn removing_the_selected_row_moves_the_cursor_to_the_next_sibling() {
    let mut app = connected();
    with_vms(&mut app);
    assert_eq!(selected_name(&app), "web-01");
    let web = vm("vm/1", "web-01", true);
    let poll = running_task(&mut app, &web, 50);
    // The task ends: vnav reads the VM again, finds it gone, and reloads its parent, which no
    // longer lists it.
    let done = task("task/1", &web, TaskState::Success, Some(100));
    let effects = answer(&mut app, poll, 0, ApiAnswer::TaskPolled(Ok(done))).effects;
    let effects = answer_gone(&mut app, &effects, "vm/1");
    let req = children_req(&effects);
    give_children(&mut app, req, vec![vm("vm/2", "db-01", false)]);
    assert_eq!(
        selected_name(&app),
        "db-01",
        "the next sibling takes the cursor"
    );
    assert_eq!(
        app.detail.entry, app.cursor.selected,
        "details follow the cursor"
    );
    key(&mut app, KeyCode::Up);
    assert_eq!(
        selected_name(&app),
        "shop",
        "k moves from the new row, not from the top"
    );
}

/// vCenter keeps snapshots as a tree: removing the selected one (and its children) lands on its
/// parent snapshot, details and keys included.
#[tokio::test(start_paused = true)]
async fn removing_the_selected_snapshot_lands_on_its_parent() {
    let mut app = connected();
    key(&mut app, KeyCode::Down); // acme
    let req = children_req(&key(&mut app, KeyCode::Enter).effects);
    give_children(
        &mut app,
        req,
        vec![vm("vm/1", "web-01", true).expandable(true)],
    );
    key(&mut app, KeyCode::Down);
    let req = children_req(&key(&mut app, KeyCode::Enter).effects); // open web-01
    let snap = |id: &str, name: &str| Node::new(NodeKind::Snapshot, id, name).expandable(true);
    give_children(&mut app, req, vec![snap("snap/1", "before-patch")]);
    key(&mut app, KeyCode::Down);
    let req = children_req(&key(&mut app, KeyCode::Enter).effects);
    give_children(&mut app, req, vec![snap("snap/2", "after-patch")]);
    key(&mut app, KeyCode::Right); // into after-patch
    assert_eq!(selected_name(&app), "after-patch");
    let req = children_req(&key(&mut app, KeyCode::Enter).effects);
    give_children(&mut app, req, vec![snap("snap/3", "later")]);
    let target = snap("snap/2", "after-patch");
    let poll = running_task(&mut app, &target, 10);
    let done = task("task/1", &target, TaskState::Success, Some(100));
    let mut effects = answer(&mut app, poll, 0, ApiAnswer::TaskPolled(Ok(done))).effects;
    // The removed snapshot is read again and is gone: its parent's list is read again too.
    let more = answer_gone(&mut app, &effects, "snap/2");
    effects.extend(more);
    // Both the parent and the removed snapshot itself are listed again; the parent answers
    // first without it, then the removed one's own listing fails.
    let reqs: Vec<(u64, String)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Children { req, node, .. } => Some((*req, node.name.to_string())),
            _ => None,
        })
        .collect();
    let parent_req = reqs.iter().find(|(_, n)| n == "before-patch").unwrap().0;
    give_children(&mut app, parent_req, vec![]);
    for (req, name) in &reqs {
        if name == "after-patch" {
            answer(
                &mut app,
                *req,
                0,
                ApiAnswer::ChildrenDone(Err(vnav::api::ApiError::Unsupported(
                    "not a snapshot: snap/2".into(),
                ))),
            );
        }
    }
    assert_eq!(selected_name(&app), "before-patch");
    assert_eq!(app.detail.entry, app.cursor.selected);
    // Its details are fetched, for the parent, not for a deleted node.
    tokio::time::advance(Duration::from_millis(200)).await;
    let effects = app.handle(Event::Tick).effects;
    let asked: Vec<String> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Details { node, .. } => Some(node.id.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(asked, ["snap/1"]);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("before-patch · Snapshot"), "{text}");
    // Ctrl-R works on it and k goes to the row above, not to the top.
    let retry = app.handle(Event::Key(KeyEvent::new(
        KeyCode::Char('r'),
        KeyModifiers::CONTROL,
    )));
    children_req(&retry.effects);
    key(&mut app, KeyCode::Up);
    assert_eq!(selected_name(&app), "web-01");
}

/// The status bar names the endpoint of the selection; on the snapshot view, its only endpoint
/// or all of them.
#[tokio::test(start_paused = true)]
async fn the_status_bar_keeps_the_endpoint_on_the_snapshot_view() {
    let mut app = connected();
    key(&mut app, KeyCode::Home);
    assert!(app.is_all_snapshots(app.cursor.selected.unwrap()));
    let text = screen(&mut app, 100, 30);
    let status = text.lines().last().unwrap();
    assert!(
        status.contains("vCD https://vcd.example.com · admin@System"),
        "{status}"
    );
    let mut two = app_with(&["vcd-a", "vcd-b"], false);
    two.start();
    key(&mut two, KeyCode::Home);
    let text = screen(&mut two, 100, 30);
    let status = text.lines().last().unwrap();
    assert!(status.contains("all 2 endpoints"), "{status}");
}

/// A task canceled at 7 % shows 7 %, in the colour of its state, although the server reports
/// 100 for an ended task; one that failed before vnav saw it run shows no bar.
#[tokio::test(start_paused = true)]
async fn an_ended_task_shows_how_far_it_got_in_its_state_colour() {
    let mut app = connected();
    with_vms(&mut app);
    let web = vm("vm/1", "web-01", true);
    let poll = running_task(&mut app, &web, 7);
    let canceled = task("task/1", &web, TaskState::Canceled, Some(100));
    answer(&mut app, poll, 0, ApiAnswer::TaskPolled(Ok(canceled)));
    let failed = TaskInfo {
        id: "task/2".into(),
        ..task("task/2", &web, TaskState::Error, Some(100))
    };
    answer(&mut app, 998, 0, ApiAnswer::RecentTasks(Ok(vec![failed])));
    let buf = render(&mut app, 100, 30);
    let text = screen_text(&buf);
    assert!(!text.contains("100%"), "{text}");
    let (x, y) = find(&buf, "█░░░░░░░░░   7%").expect(&text);
    let warn = app.theme.severity(Severity::Warn);
    assert_eq!(
        buf[(x, y)].fg,
        warn.fg.unwrap(),
        "the bar is in the state's colour"
    );
    let canceled_row = text.lines().nth(y as usize).unwrap();
    assert!(
        canceled_row.contains("canceled") || canceled_row.contains("Canceled"),
        "{canceled_row}"
    );
}

/// At 80 columns the help screen wraps its long lines instead of cutting them at the edge.
#[tokio::test(start_paused = true)]
async fn help_wraps_long_lines_at_the_terminal_edge() {
    let mut app = connected();
    key(&mut app, KeyCode::Char('?'));
    let mut seen = String::new();
    for _ in 0..8 {
        seen.push_str(&screen(&mut app, 80, 24));
        for _ in 0..15 {
            key(&mut app, KeyCode::Char('j'));
        }
    }
    let seen = seen.replace('│', " ");
    let words: Vec<&str> = seen.split_whitespace().collect();
    for a in app.visible_actions() {
        let kinds: Vec<&str> = a.kinds.iter().map(|k| k.label()).collect();
        let full = format!(
            "{} — {} [{}; {}]",
            a.label,
            a.description,
            a.risk.label(),
            kinds.join(", ")
        );
        for w in full.split_whitespace() {
            assert!(words.contains(&w), "{w:?} of {full:?} is cut:\n{seen}");
        }
    }
}

const TLS_ADVICE: &str = "vcd.example.com: invalid peer certificate: UnknownIssuer; the server \
    presented subject \"CN=vnav simulator\" with sha256 fingerprint \
    AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89 \
    (pin it with fingerprint = \"…\" in the context, or pass --insecure)";

/// The detail pane's rows (border and other panes cut off), trimmed.
fn detail_rows(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split('│').nth(3))
        .map(|l| l.trim().to_string())
        .collect()
}

fn squeezed(s: &str) -> String {
    s.split_whitespace().collect()
}

/// An endpoint that fails to connect is described at once (it is the selected row from the
/// start), with its whole error wrapped in the detail pane.
#[tokio::test(start_paused = true)]
async fn a_failed_connection_shows_its_whole_error_in_the_detail_pane() {
    let mut app = app_with(&["vcd.example.com"], false);
    let effects = app.start();
    let Effect::Connect { req, .. } = effects[0] else {
        panic!("{effects:?}")
    };
    let tls = vnav::api::ApiError::Tls {
        message: TLS_ADVICE.into(),
    };
    answer(&mut app, req, 0, ApiAnswer::Connected(Err(tls)));
    let text = screen(&mut app, 160, 45);
    assert!(
        text.contains("vcd.example.com · Endpoint"),
        "titled: {text}"
    );
    // Wrapped: the text is all there, in order, whatever the line breaks.
    let shown = squeezed(&detail_rows(&text).join(" "));
    let whole = format!("✗ Connecting failed: TLS: {TLS_ADVICE} (Ctrl-R retries)");
    assert!(
        shown.contains(&squeezed(&whole)),
        "the whole error, wrapped:\n{text}"
    );
}

/// At 80×24 the same error is longer than the pane: it wraps and scrolls, nothing is lost.
#[tokio::test(start_paused = true)]
async fn a_long_error_in_the_detail_pane_wraps_and_scrolls() {
    let mut app = app_with(&["vcd.example.com"], false);
    let effects = app.start();
    let Effect::Connect { req, .. } = effects[0] else {
        panic!("{effects:?}")
    };
    let long = format!("{TLS_ADVICE}. {TLS_ADVICE}");
    let tls = vnav::api::ApiError::Tls {
        message: long.clone(),
    };
    answer(&mut app, req, 0, ApiAnswer::Connected(Err(tls)));
    let first = screen(&mut app, 80, 24);
    assert!(first.contains("Connecting failed"), "{first}");
    key(&mut app, KeyCode::Tab);
    // Each j shows one more row at the bottom.
    let mut seen = detail_rows(&first);
    let mut last = first;
    for _ in 0..40 {
        key(&mut app, KeyCode::Char('j'));
        let text = screen(&mut app, 80, 24);
        if text == last {
            break;
        }
        seen.push(detail_rows(&text).last().unwrap().clone());
        last = text;
    }
    assert!(!last.contains("Connecting failed"), "it scrolled:\n{last}");
    assert!(last.contains("Children"), "down to the end:\n{last}");
    let whole = format!("✗ Connecting failed: TLS: {long} (Ctrl-R retries)");
    assert!(
        squeezed(&seen.join(" ")).contains(&squeezed(&whole)),
        "never shown whole:\n{}",
        seen.join("\n")
    );
}

/// Link values start in one column, whatever the length of the rel and the type, and a link
/// without a type has no stray space.
#[tokio::test(start_paused = true)]
async fn links_line_up_in_columns() {
    let mut app = connected();
    with_vms(&mut app);
    tokio::time::advance(Duration::from_millis(130)).await;
    let req = app
        .handle(Event::Tick)
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Details { req, .. } => Some(*req),
            _ => None,
        })
        .unwrap();
    let mut d = crate::app_ui::details("vm/1", "web-01");
    let link = |rel: &str, t: &str, href: &str| Link {
        rel: rel.into(),
        media_type: t.into(),
        href: href.into(),
        name: String::new(),
    };
    d.links = vec![
        link("up", "application/vnd.vmware.vcloud.vApp+xml", "VAPP-HREF"),
        link(
            "snapshot:create",
            "application/vnd.vmware.vcloud.createSnapshotParams+xml",
            "SNAP-HREF",
        ),
        link("power:powerOff", "", "POWER-HREF"),
        link("edit", "application/vnd.vmware.vcloud.vm+xml", "EDIT-HREF"),
    ];
    answer(&mut app, req, 0, ApiAnswer::Details(Box::new(Ok(d))));
    let buf = render(&mut app, 160, 45);
    let text = screen_text(&buf);
    let cols: Vec<u16> = ["VAPP-HREF", "SNAP-HREF", "POWER-HREF", "EDIT-HREF"]
        .iter()
        .map(|h| {
            find(&buf, h)
                .unwrap_or_else(|| panic!("{h} missing:\n{text}"))
                .0
        })
        .collect();
    assert!(cols.iter().all(|&c| c == cols[0]), "{cols:?}\n{text}");
    let (x, y) = find(&buf, "power:powerOff").unwrap();
    let (rel_x, _) = find(&buf, "snapshot:create").unwrap();
    assert_eq!(x, rel_x, "rels in one column");
    let row = text.lines().nth(y as usize).unwrap();
    assert!(row.contains("power:powerOff"), "{row}");
}

/// The snapshot view's own "Children" line belongs to its General section, not under the
/// per-endpoint table.
#[tokio::test(start_paused = true)]
async fn the_snapshot_view_lists_its_children_in_its_own_section() {
    let mut app = connected();
    key(&mut app, KeyCode::Home);
    let text = screen(&mut app, 160, 45);
    let line_of = |s: &str| {
        text.lines()
            .position(|l| l.contains(s))
            .unwrap_or_else(|| panic!("{s} missing:\n{text}"))
    };
    assert!(line_of("Children") < line_of("Endpoints"), "{text}");
    assert!(line_of("Kind") < line_of("Children"), "{text}");
}

/// A failed read of an entity's details wraps too, instead of running off the pane's edge.
#[tokio::test(start_paused = true)]
async fn a_failed_detail_read_wraps_in_the_pane() {
    let mut app = connected();
    with_vms(&mut app);
    tokio::time::advance(Duration::from_millis(130)).await;
    let req = app
        .handle(Event::Tick)
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Details { req, .. } => Some(*req),
            _ => None,
        })
        .unwrap();
    let tls = vnav::api::ApiError::Tls {
        message: TLS_ADVICE.into(),
    };
    answer(&mut app, req, 0, ApiAnswer::Details(Box::new(Err(tls))));
    let text = screen(&mut app, 80, 24);
    let shown = squeezed(&detail_rows(&text).join(" "));
    assert!(
        shown.contains(&squeezed(&format!("✗ TLS: {TLS_ADVICE}"))),
        "{text}"
    );
}
