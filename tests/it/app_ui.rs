//! The app without a terminal or a server: events in, effects and TestBackend screens out,
//! on tokio's paused clock so spinners and debounces are deterministic.

use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::ApiError;
use vnav::api::model::*;
use vnav::app::event::{ApiAnswer, Effect, Event};
use vnav::app::keymap::KEYMAP;
use vnav::app::{Overlay, Pane};
use vnav::theme::Role;

use crate::support::*;

/// Connects the single endpoint and gives it two orgs; returns the app, the orgs expanded.
pub(crate) fn connected() -> vnav::app::App {
    let mut app = app_with(&["vcd.example.com"], false);
    let effects = app.start();
    let Effect::Connect { req, .. } = effects[0] else {
        panic!("{effects:?}")
    };
    let info = EndpointInfo {
        product: Product::Vcd,
        url: "https://vcd.example.com".into(),
        user: "admin@System".into(),
        api_version: "38.0".into(),
        capabilities: vnav::api::model::Capabilities::ALL,
        instance_uuid: None,
    };
    let effects = answer(&mut app, req, 0, ApiAnswer::Connected(Ok(info))).effects;
    let req = children_req(&effects);
    give_children(
        &mut app,
        req,
        vec![
            group(NodeKind::Org, "org/acme", "acme"),
            group(NodeKind::Org, "org/globex", "globex"),
        ],
    );
    app
}

pub(crate) fn details(id: &str, name: &str) -> Details {
    let mut general = Section::new("General");
    general.row("Name", name).row("Status", "POWERED_ON");
    let mut hw = Section::new("Hardware");
    hw.row("vCPUs", "2").row("Memory", "4096 MB");
    Details {
        node: vm(id, name, true),
        sections: vec![general, hw],
        links: vec![Link {
            rel: "power:powerOff".into(),
            media_type: String::new(),
            href: format!("{id}/power/action/powerOff"),
            name: String::new(),
        }],
        actions: vec![ActionOffer::new(
            ActionId::PowerOff,
            format!("{id}/power/action/powerOff"),
        )],
        snapshot_slot: None,
        copies: vec![("href".into(), id.to_string())],
        raw: Raw {
            format: RawFormat::Xml,
            text: format!("<Vm name=\"{name}\">\n  <Description/>\n</Vm>"),
        },
    }
}

/// Expands acme and gives it one vApp with two VMs, selecting the first VM.
pub(crate) fn with_vms(app: &mut vnav::app::App) {
    key(app, KeyCode::Down); // acme
    let req = children_req(&key(app, KeyCode::Right).effects);
    give_children(app, req, vec![group(NodeKind::VApp, "vapp/1", "shop")]);
    key(app, KeyCode::Down); // shop
    let req = children_req(&key(app, KeyCode::Enter).effects);
    give_children(
        app,
        req,
        vec![vm("vm/1", "web-01", true), vm("vm/2", "db-01", false)],
    );
    key(app, KeyCode::Down); // web-01
}

#[tokio::test(start_paused = true)]
async fn startup_connects_then_lists_orgs() {
    let mut app = connected();
    let text = screen(&mut app, 100, 30);
    insta::assert_snapshot!("startup", text);
    assert!(text.contains("vCD https://vcd.example.com · admin@System · API 38.0"));
}

#[tokio::test(start_paused = true)]
async fn expanding_shows_a_spinner_then_children_and_errors_on_the_node() {
    let mut app = connected();
    key(&mut app, KeyCode::Down);
    let req = children_req(&key(&mut app, KeyCode::Char('l')).effects);
    assert!(screen(&mut app, 100, 30).contains("acme  loading…"));
    answer(&mut app, req, 0, ApiAnswer::ChildrenDone(Err(ApiError::Server {
        status: 403,
        code: Some("ACCESS_TO_RESOURCE_IS_FORBIDDEN".into()),
        message: "Either you need some or all of the following rights [ORG_VIEW] or the target entity is invalid.".into(),
    })));
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("✗ acme  403 ACCESS_TO_RESOURCE"),
        "the row says it failed: {text}"
    );
    // The detail pane carries the server's whole message.
    let joined: String = text
        .lines()
        .map(|l| l.split('│').nth(3).unwrap_or("").trim())
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        joined.contains("Either you need some or all of the following rights [ORG_VIEW]"),
        "{text}"
    );
    // Ctrl-R retries, and a late answer to the old request is ignored.
    let retry = app.handle(Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('r'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    let new_req = children_req(&retry.effects);
    assert_ne!(new_req, req);
    give_children(
        &mut app,
        req,
        vec![group(NodeKind::Vdc, "vdc/stale", "stale")],
    );
    give_children(
        &mut app,
        new_req,
        vec![group(NodeKind::Vdc, "vdc/1", "acme-vdc")],
    );
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("acme-vdc") && !text.contains("stale"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn collapse_and_navigation_keys() {
    let mut app = connected();
    with_vms(&mut app);
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "web-01");
    key(&mut app, KeyCode::Char('h')); // web-01 is a leaf: go to parent
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "shop");
    key(&mut app, KeyCode::Left); // collapse shop
    assert!(!screen(&mut app, 100, 30).contains("web-01"));
    key(&mut app, KeyCode::End);
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "globex");
    key(&mut app, KeyCode::Home);
    assert_eq!(
        app.selected_entry().unwrap().node.name.as_str(),
        "Snapshots (oldest first)",
        "the snapshot view heads the tree"
    );
    key(&mut app, KeyCode::Down);
    assert_eq!(app.selected_entry().unwrap().node.kind, NodeKind::Endpoint);
    key(&mut app, KeyCode::PageDown);
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "globex");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Detail);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Tasks);
    key(&mut app, KeyCode::BackTab);
    assert_eq!(app.focus, Pane::Detail);
}

#[tokio::test(start_paused = true)]
async fn details_load_after_the_cursor_rests_and_x_shows_raw() {
    let mut app = connected();
    with_vms(&mut app);
    // Moving fast does not fire a request per row.
    assert!(app.next_deadline().is_some());
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Up);
    tokio::time::advance(Duration::from_millis(130)).await;
    let effects = app.handle(Event::Tick).effects;
    let reqs: Vec<_> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Details { req, node, .. } => Some((*req, node.name.to_string())),
            _ => None,
        })
        .collect();
    assert_eq!(reqs.len(), 1, "{effects:?}");
    assert_eq!(reqs[0].1, "web-01");
    answer(
        &mut app,
        reqs[0].0,
        0,
        ApiAnswer::Details(Box::new(Ok(details("vm/1", "web-01")))),
    );
    let text = screen(&mut app, 100, 30);
    insta::assert_snapshot!("vm_details", text);
    for s in [
        "General",
        "Hardware",
        "vCPUs",
        "4096 MB",
        "Links",
        "power:powerOff",
    ] {
        assert!(text.contains(s), "{s} missing:\n{text}");
    }
    key(&mut app, KeyCode::Char('x'));
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("<Vm name=\"web-01\">") && text.contains("[raw]"),
        "{text}"
    );
    // Coming back to a node already read shows it at once, without a details request (its
    // events, never answered here, are asked for again: see `events_app`).
    key(&mut app, KeyCode::Char('x'));
    key(&mut app, KeyCode::Down);
    let back = key(&mut app, KeyCode::Up);
    assert!(
        !back
            .effects
            .iter()
            .any(|e| matches!(e, Effect::Details { .. })),
        "{:?}",
        back.effects
    );
    assert!(screen(&mut app, 100, 30).contains("4096 MB"));
}

#[tokio::test(start_paused = true)]
async fn fuzzy_filter_highlights_and_esc_clears() {
    let mut app = connected();
    with_vms(&mut app);
    keys(&mut app, "/wb");
    let buf = render(&mut app, 100, 30);
    let text = screen_text(&buf);
    assert!(text.contains("web-01") && !text.contains("db-01"), "{text}");
    assert!(text.contains("/wb"), "filter line shown: {text}");
    // The matched characters are drawn in the theme's match style.
    let (x, y) = find(&buf, "web-01  ●").unwrap();
    let matched = app.theme.style(Role::Match);
    assert_eq!(buf[(x, y)].fg, matched.fg.unwrap());
    assert_ne!(buf[(x + 1, y)].fg, matched.fg.unwrap());
    assert_eq!(buf[(x + 2, y)].fg, matched.fg.unwrap());
    key(&mut app, KeyCode::Enter);
    assert!(!app.filter.typing && app.tree.is_filtered());
    key(&mut app, KeyCode::Esc);
    assert!(!app.tree.is_filtered());
    assert!(screen(&mut app, 100, 30).contains("db-01"));
}

#[tokio::test(start_paused = true)]
async fn help_lists_every_binding_from_the_keymap() {
    let mut app = connected();
    key(&mut app, KeyCode::Char('?'));
    assert!(matches!(app.overlay, Some(Overlay::Help { .. })));
    let mut seen = String::new();
    for _ in 0..6 {
        seen.push_str(&screen(&mut app, 120, 60));
        for _ in 0..20 {
            key(&mut app, KeyCode::Char('j'));
        }
    }
    for b in KEYMAP {
        assert!(
            seen.contains(b.description),
            "help lacks {:?}",
            b.description
        );
    }
    assert!(
        seen.contains("Power off") && seen.contains("destructive"),
        "actions listed"
    );
    key(&mut app, KeyCode::Esc);
    assert!(app.overlay.is_none());
}

#[tokio::test(start_paused = true)]
async fn a_small_terminal_gets_a_clear_message() {
    let mut app = connected();
    let text = screen(&mut app, 59, 20);
    assert!(text.contains("Terminal too small: 59×20"), "{text}");
    assert!(text.contains("60×20"), "{text}");
    let text = screen(&mut app, 80, 24);
    assert!(text.contains("Inventory") && !text.contains("too small"));
    // Issue 17: 60×20 works, the tree and tasks without the detail pane, which Tab skips.
    with_vms(&mut app);
    let text = screen(&mut app, 60, 20);
    assert!(
        text.contains("Inventory") && text.contains("web-01") && text.contains("Tasks"),
        "{text}"
    );
    assert!(
        !text.contains("too small") && !text.contains("· VM "),
        "{text}"
    );
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Tasks);
}

#[tokio::test(start_paused = true)]
async fn idle_means_no_timer_and_no_redraw() {
    let mut app = connected();
    screen(&mut app, 100, 30);
    // The root is selected and described locally: nothing loads, spins or is due.
    assert_eq!(app.next_deadline(), None);
    let mut redraws = 0;
    for _ in 0..50 {
        tokio::time::advance(Duration::from_millis(100)).await;
        redraws += usize::from(app.handle(Event::Tick).redraw);
    }
    assert_eq!(redraws, 0);
}

#[tokio::test(start_paused = true)]
async fn q_quits() {
    let mut app = connected();
    let out = key(&mut app, KeyCode::Char('q'));
    assert!(app.quit);
    assert!(out.effects.iter().any(|e| matches!(e, Effect::Quit)));
}

/// Typing a filter puts the cursor on the best match: the exact name before names that only
/// begin with it or match it loosely, wherever it stands in the tree.
#[test]
fn the_filter_puts_the_cursor_on_the_exact_name_first() {
    let mut app = app_with(&["vcd.example.com"], false);
    let effects = connect_first(&mut app);
    give_children(
        &mut app,
        children_req(&effects),
        vec![
            vm("vm/1", "rds-102", true),
            vm("vm/2", "rds-120", true),
            vm("vm/3", "rds-12", true),
        ],
    );
    key(&mut app, KeyCode::Char('/'));
    keys(&mut app, "rds-1");
    assert_eq!(&*app.selected_entry().unwrap().node.name, "rds-102");
    keys(&mut app, "2");
    assert_eq!(&*app.selected_entry().unwrap().node.name, "rds-12");
    // A match as good as the best keeps the cursor where it is.
    key(&mut app, KeyCode::Backspace);
    assert_eq!(&*app.selected_entry().unwrap().node.name, "rds-12");
}

/// A filter that finds nothing says it read only what is loaded, and where the rest is found.
#[test]
fn a_filter_without_match_points_to_goto_for_what_is_not_loaded() {
    let mut app = app_with(&["vcd.example.com"], false);
    let effects = connect_first(&mut app);
    give_children(
        &mut app,
        children_req(&effects),
        vec![vm("vm/1", "web-01", true)],
    );
    key(&mut app, KeyCode::Char('/'));
    keys(&mut app, "Power off");
    let text = screen(&mut app, 100, 20);
    assert!(text.contains("no match among the loaded nodes"), "{text}");
    assert!(text.contains(":goto asks the servers"), "{text}");
}

/// A notice is read whole on a 120-column terminal: the API version, then the URL, then the
/// counts give way to it, and come back when it is gone.
#[tokio::test(start_paused = true)]
async fn a_long_notice_reads_whole_and_the_endpoint_gives_way() {
    let mut app = connected();
    app.handle(Event::Resize(120, 40));
    let text = "Run: 3 nodes are marked, but a workflow runs from its own form, one at a time";
    app.notify(text, Severity::Warn);
    let screen = screen(&mut app, 120, 40);
    let bar = screen.lines().last().unwrap();
    assert!(bar.contains(text), "{bar}");
    assert!(bar.contains("vCD") && bar.contains("admin@System"), "{bar}");
    app.toast = None;
    let screen = crate::support::screen(&mut app, 120, 40);
    let bar = screen.lines().last().unwrap();
    assert!(
        bar.contains("https://vcd.example.com") && bar.contains("API 38.0"),
        "{bar}"
    );
    assert!(bar.contains("? help · q quit"), "{bar}");
}

/// A notice reads whole at 80 columns: the status bar's user gives way to it, after the URL
/// and the counts, leaving the product (of this one, "… did you mean @d" showed).
#[tokio::test(start_paused = true)]
async fn a_notice_reads_whole_at_80_columns() {
    let mut app = crate::app_tasks_pane::two_hosts();
    let notice = "no endpoint @vcsa-02 (did you mean @vcsa-01.corp.example.com?)";
    app.toast = Some(vnav::app::Toast {
        text: notice.into(),
        severity: vnav::api::model::Severity::Warn,
        until: tokio::time::Instant::now() + std::time::Duration::from_secs(5),
    });
    let text = screen(&mut app, 80, 24);
    let status = text.lines().last().unwrap();
    assert!(status.contains(notice), "{status}");
    assert!(status.starts_with(" vCD │"), "{status}");
}
