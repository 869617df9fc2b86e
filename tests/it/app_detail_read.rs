//! Issue 17, details an operator reads at a glance: where the entity sits, values wrapped
//! instead of cut off, known fields kept while a read is on its way, and `/` in the raw view.

use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::model::*;
use vnav::app::event::{ApiAnswer, Effect, Event};
use vnav::app::{DetailState, Pane};

use crate::app_ui::{connected, details, with_vms};
use crate::support::*;

/// Lets the debounce pass and returns the details request it fires.
pub(crate) async fn details_req(app: &mut vnav::app::App) -> u64 {
    tokio::time::advance(Duration::from_millis(130)).await;
    let effects = app.handle(Event::Tick).effects;
    effects
        .iter()
        .find_map(|e| match e {
            Effect::Details { req, .. } => Some(*req),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no details request: {effects:?}"))
}

pub(crate) fn give(app: &mut vnav::app::App, req: u64, d: Details) {
    answer(app, req, 0, ApiAnswer::Details(Box::new(Ok(d))));
}

#[tokio::test(start_paused = true)]
async fn the_path_comes_first_and_long_values_wrap_instead_of_being_cut() {
    let mut app = connected();
    with_vms(&mut app);
    let req = details_req(&mut app).await;
    let mut d = details("vm/1", "web-01");
    let long = "a note that is far too long for the detail pane to hold on one line, \
                so it goes on below its key instead of being cut at the border END";
    d.sections[0].row("Annotation", long);
    give(&mut app, req, d);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("Path"), "{text}");
    assert!(text.contains("Org acme / vApp shop"), "{text}");
    // Every word arrives on screen, the last one too.
    assert!(text.contains("border END"), "{text}");
}

/// At 80 columns a vCD id or an Aria Operations resource id is wider than the pane: it breaks
/// between its parts (the urn's prefix, the UUID's groups), never mid-group; one that fits
/// stays on one line.
#[tokio::test(start_paused = true)]
async fn long_ids_wrap_between_their_parts() {
    let mut app = connected();
    with_vms(&mut app);
    let req = details_req(&mut app).await;
    let mut d = details("vm/1", "web-01");
    let (urn, uuid) = (
        "urn:vcloud:vm:7aaf88b6-a0fc-45b3-8454-f9b6c0b13e4e",
        "7aaf88b6-a0fc-45b3-8454-f9b6c0b13e4e",
    );
    d.sections[0].row("Id", urn).row("Resource id", uuid);
    give(&mut app, req, d);
    let text = screen(&mut app, 80, 24);
    let lines: Vec<Vec<char>> = text.lines().map(|l| l.chars().collect()).collect();
    // The lines of the value keyed `key`: from its line, under the value's column, until the
    // next key.
    let value_lines = |key: &str| -> Vec<String> {
        let cut = |l: &[char], from: usize| -> String {
            let s: String = l[from..].iter().collect();
            s.split('│').next().unwrap().trim().to_string()
        };
        let at = (lines.iter())
            .position(|l| cut(l, 38).starts_with(&format!("{key} ")))
            .expect(key);
        let key_x = 38 + lines[at][38..].iter().position(|c| *c != ' ').unwrap();
        let col = key_x
            + key.len()
            + (lines[at][key_x + key.len()..].iter())
                .position(|c| *c != ' ')
                .unwrap();
        let mut out = vec![cut(&lines[at], col)];
        for l in &lines[at + 1..] {
            if cut(l, 38) != cut(l, col) || cut(l, col).is_empty() {
                break;
            }
            out.push(cut(l, col));
        }
        out
    };
    for (key, value) in [("Id", urn), ("Resource id", uuid)] {
        let shown = value_lines(key);
        assert_eq!(shown.concat(), value, "{text}");
        assert!(shown.len() > 1, "{text}");
        for l in &shown[..shown.len() - 1] {
            assert!(l.ends_with([':', '-']), "{l:?} in\n{text}");
        }
    }
    // Wide enough, each on one line.
    let text = screen(&mut app, 160, 30);
    assert!(text.contains(urn) && text.contains(uuid), "{text}");
}

/// Orchestrator states a category's or workflow's place itself: the tree's path
/// ("Category Library / Category vCenter") would say it twice.
#[tokio::test(start_paused = true)]
async fn a_place_the_server_states_is_not_repeated_from_the_tree() {
    let mut app = connected();
    with_vms(&mut app);
    let req = details_req(&mut app).await;
    let mut d = details("vm/1", "web-01");
    d.sections[0].row("Category", "Library/vCenter/Basic");
    give(&mut app, req, d);
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("Library/vCenter/Basic"), "{text}");
    assert!(!text.contains("Org acme / vApp shop"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn while_details_load_the_rows_known_fields_show_and_a_reread_keeps_the_old_ones() {
    let mut app = connected();
    with_vms(&mut app);
    // Not read yet: the tree's own fields, not a blank pane.
    let text = screen(&mut app, 100, 30);
    assert!(text.contains("Known so far"), "{text}");
    assert!(text.contains("2 vCPU · 4 GiB"), "{text}");
    let req = details_req(&mut app).await;
    give(&mut app, req, details("vm/1", "web-01"));
    assert!(screen(&mut app, 100, 30).contains("4096 MB"));
    // A refresh reads it again: the old details stay, marked as updating, until the answer.
    let out = app.handle(Event::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('r'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    assert!(out.redraw);
    // Ctrl-R reads at once (no debounce: a stalled read is retried right away).
    let req = out
        .effects
        .iter()
        .find_map(|e| match e {
            Effect::Details { req, .. } => Some(*req),
            _ => None,
        })
        .expect("Ctrl-R reads the details again at once");
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("4096 MB") && text.contains("updating"),
        "{text}"
    );
    assert!(matches!(app.detail.state, DetailState::Loaded(_)));
    let mut newer = details("vm/1", "web-01");
    newer.sections[1].rows[1].1 = "8192 MB".into();
    give(&mut app, req, newer);
    let text = screen(&mut app, 100, 30);
    assert!(
        text.contains("8192 MB") && !text.contains("updating"),
        "{text}"
    );
}

#[tokio::test(start_paused = true)]
async fn slash_in_the_detail_pane_searches_the_raw_view_and_n_steps_through_matches() {
    let mut app = connected();
    with_vms(&mut app);
    let req = details_req(&mut app).await;
    let mut d = details("vm/1", "web-01");
    let mut raw = String::from("<Vm name=\"web-01\">\n");
    for i in 0..60 {
        raw.push_str(&format!("  <Item n=\"{i}\"/>\n"));
        if i == 30 || i == 50 {
            raw.push_str("  <IpAddress>10.1.2.3</IpAddress>\n");
        }
    }
    raw.push_str("</Vm>");
    d.raw.text = raw;
    give(&mut app, req, d);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Detail);
    keys(&mut app, "/ipaddr");
    assert!(app.detail.raw, "searching shows the raw view");
    // The first match is on top, the searched words tinted.
    let buf = render(&mut app, 100, 30);
    let text = screen_text(&buf);
    assert!(text.contains("/ipaddr (2 lines)"), "{text}");
    assert!(
        text.lines().nth(1).unwrap().contains("<IpAddress>"),
        "{text}"
    );
    let (x, y) = find(&buf, "IpAddr").unwrap();
    assert_eq!(
        buf[(x, y)].fg,
        app.theme.style(vnav::theme::Role::Match).fg.unwrap()
    );
    key(&mut app, KeyCode::Enter);
    let at_first = app.detail.scroll;
    key(&mut app, KeyCode::Char('n'));
    assert!(app.detail.scroll > at_first, "n goes to the second match");
    key(&mut app, KeyCode::Char('N'));
    assert_eq!(app.detail.scroll, at_first, "N comes back");
    // Esc while typing drops the search; the raw view stays.
    keys(&mut app, "/zzz");
    key(&mut app, KeyCode::Esc);
    assert!(app.detail.search.is_empty() && !app.detail.searching);
}

/// Nested places of one kind (Orchestrator categories, vCenter folders) name their kind once:
/// "Org acme / Folder infra / linux", not "… / Folder infra / Folder linux".
#[tokio::test(start_paused = true)]
async fn a_path_names_a_kind_once_for_a_run_of_it() {
    let mut app = connected();
    key(&mut app, KeyCode::Down); // acme
    let req = children_req(&key(&mut app, KeyCode::Right).effects);
    give_children(&mut app, req, vec![group(NodeKind::Folder, "f/1", "infra")]);
    key(&mut app, KeyCode::Down);
    let req = children_req(&key(&mut app, KeyCode::Right).effects);
    give_children(&mut app, req, vec![group(NodeKind::Folder, "f/2", "linux")]);
    key(&mut app, KeyCode::Down);
    let req = children_req(&key(&mut app, KeyCode::Right).effects);
    give_children(&mut app, req, vec![vm("vm/1", "web-01", true)]);
    key(&mut app, KeyCode::Down); // web-01
    let req = details_req(&mut app).await;
    give(&mut app, req, details("vm/1", "web-01"));
    let text = screen(&mut app, 120, 30);
    assert!(text.contains("Org acme / Folder infra / linux"), "{text}");
}

/// A vCD VM's links: hrefs on its own server read as paths (the server said once, in the
/// title), a path too long for the pane goes on under itself after a `/`, never cut at the
/// border; a link to another server keeps its whole href.
#[tokio::test(start_paused = true)]
async fn links_read_as_whole_paths_wrapped_not_cut_at_the_border() {
    let mut app = connected();
    with_vms(&mut app);
    let req = details_req(&mut app).await;
    let href = "https://vcd.example.com/api/vApp/vm-676d0099-c0b4-4b8e-9e0e-6f9b1c2d3e4f";
    let mut d = details("vm/1", "web-01");
    d.node = vm(href, "web-01", true);
    let link = |rel: &str, href: String| Link {
        rel: rel.into(),
        media_type: "application/vnd.vmware.vcloud.createSnapshotParams+xml".into(),
        href,
        name: String::new(),
    };
    d.links = vec![
        link("snapshot:create", format!("{href}/action/createSnapshot")),
        link("alternate", "https://vc.example.com/sdk".into()),
    ];
    give(&mut app, req, d);
    for (w, h) in [(80, 40), (120, 40), (160, 45)] {
        let text = screen(&mut app, w, h);
        assert!(
            text.contains("Links (paths on https://vcd.example.com)"),
            "{text}"
        );
        // The link's lines inside the detail pane, after the type column, put back together.
        let pane: Vec<&str> = text.lines().filter_map(|l| l.split('│').nth(3)).collect();
        let first = pane
            .iter()
            .position(|l| l.contains("snapshot:create"))
            .unwrap_or_else(|| panic!("{text}"));
        // Beside the type, or (narrower, at 80 and 120 columns) under the rel and type.
        let at = pane[first].find("/api/");
        let mut whole = String::new();
        for (i, l) in pane[first..].iter().enumerate() {
            let part = match at {
                Some(at) => l.get(at..).unwrap_or("").trim_end(),
                None if i == 0 => continue,
                None => l.trim(),
            };
            let rel_column = at.map_or("", |at| &l[..at]);
            if part.is_empty() || l.contains("alternate") || !rel_column.trim().is_empty() && i > 0
            {
                break;
            }
            whole.push_str(part);
        }
        assert_eq!(
            whole, "/api/vApp/vm-676d0099-c0b4-4b8e-9e0e-6f9b1c2d3e4f/action/createSnapshot",
            "{w}x{h}:\n{text}"
        );
        // Another server's href keeps its server.
        assert!(text.contains("https://vc.example.com/"), "{text}");
    }
}

/// A name longer than the pane's border (an alert's definition) is cut with "…" so the kind
/// after it stays in the title, instead of the corner cutting the name mid-word.
#[tokio::test(start_paused = true)]
async fn a_long_name_in_the_pane_title_is_cut_so_its_kind_stays() {
    let mut app = connected();
    key(&mut app, KeyCode::Down); // acme
    let req = children_req(&key(&mut app, KeyCode::Right).effects);
    let long = "Host has CPU contention caused by overpopulation of virtual machines";
    give_children(&mut app, req, vec![vm("vm/9", long, true)]);
    key(&mut app, KeyCode::Down);
    let req = details_req(&mut app).await;
    give(&mut app, req, details("vm/9", long));
    let text = screen(&mut app, 120, 40);
    let top = text.lines().next().unwrap();
    assert!(top.contains("… · VM ─"), "{top}");
    assert!(top.starts_with('┌') && top.ends_with('┐'), "{top}");
    let wide = screen(&mut app, 200, 45);
    assert!(wide.contains(&format!(" {long} · VM ─")), "{wide}");
}
