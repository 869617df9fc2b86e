//! Issue 17, "Find anything" and "Tables you can sort", at the App level: the `:` command line
//! (completion, history, suggestions), flat tables across endpoints (loading, counts, columns,
//! sort), the filter over every column with n/N, and `:goto` of objects the tree has not loaded.

use crossterm::event::KeyCode;
use vnav::api::model::{Capabilities, ChildBatch, EndpointInfo, Node, NodeKind, Product, VmFacts};
use vnav::app::App;
use vnav::app::event::{ApiAnswer, Effect};

use crate::support::{
    answer, app_with, children_req, give_children, group, key, keys, screen, toast, vm,
};

/// Two endpoints, both connected, their first level listed.
pub(crate) fn two_endpoints() -> App {
    let mut app = app_with(&["vcd", "vcenter"], false);
    let starts = app.start();
    for (i, e) in starts.iter().enumerate() {
        let Effect::Connect { req, .. } = e else {
            panic!("{starts:?}")
        };
        let product = [Product::Vcd, Product::Vcenter][i];
        let info = EndpointInfo {
            product,
            url: format!("https://ep{i}"),
            user: "admin".into(),
            api_version: "1".into(),
            capabilities: Capabilities::ALL,
            instance_uuid: None,
        };
        let effects = answer(&mut app, *req, i, ApiAnswer::Connected(Ok(info))).effects;
        let req = children_req(&effects);
        let first = group(NodeKind::Group, &format!("all-vms-{i}"), "All VMs");
        answer(
            &mut app,
            req,
            i,
            ApiAnswer::Children(ChildBatch {
                nodes: vec![first],
                ..Default::default()
            }),
        );
        answer(&mut app, req, i, ApiAnswer::ChildrenDone(Ok(())));
    }
    app
}

fn typed_vm(id: &str, name: &str, cpus: u32, ip: &str, place: &str) -> Node {
    vm(id, name, true).with_facts(VmFacts {
        cpus: Some(cpus).into(),
        memory_mib: Some(1024 * cpus).into(),
        ip: ip.into(),
        place: place.into(),
        ..VmFacts::default()
    })
}

/// Runs `:line` and returns the effects.
pub(crate) fn command(app: &mut App, line: &str) -> Vec<Effect> {
    let mut effects = keys(app, ":");
    effects.extend(keys(app, line));
    effects.extend(key(app, KeyCode::Enter).effects);
    effects
}

pub(crate) fn list_kind_reqs(effects: &[Effect]) -> Vec<(u64, usize, NodeKind)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::ListKind {
                req,
                endpoint,
                kind,
            } => Some((*req, *endpoint, *kind)),
            _ => None,
        })
        .collect()
}

/// The table's rows as names, top to bottom.
pub(crate) fn rows(app: &App) -> Vec<String> {
    app.tree
        .visible()
        .iter()
        .map(|&id| app.tree.get(id).node.name.to_string())
        .collect()
}

/// `:vm` over both endpoints, answered with these VMs.
fn vm_table(app: &mut App) {
    let effects = command(app, "vm");
    let reqs = list_kind_reqs(&effects);
    assert_eq!(
        reqs.len(),
        2,
        "one listing per connected endpoint: {effects:?}"
    );
    let vcd = vec![
        typed_vm("vcd/1", "web-100", 2, "10.0.0.100", "shop"),
        typed_vm("vcd/2", "web-11", 8, "10.0.0.11", "shop"),
        typed_vm("vcd/3", "rds-102", 4, "10.0.0.12", "db"),
    ];
    let vc = vec![
        typed_vm("vc/1", "web-2", 1, "10.0.1.2", "esx-01"),
        typed_vm("vc/2", "rds-12", 16, "10.0.1.12", "esx-02"),
    ];
    for ((req, endpoint, kind), nodes) in reqs.into_iter().zip([vcd, vc]) {
        assert_eq!(kind, NodeKind::Vm);
        answer(
            app,
            req,
            endpoint,
            ApiAnswer::Children(ChildBatch {
                nodes,
                ..Default::default()
            }),
        );
        answer(app, req, endpoint, ApiAnswer::ChildrenDone(Ok(())));
    }
}

/// At 80 columns the `:vm` table has no room for the endpoint's label: a vCD VM and its
/// vCenter twin of the same name still read apart by their product's tag, the state kept,
/// and the CPU column says what it counts.
#[tokio::test(start_paused = true)]
async fn twins_on_two_endpoints_read_apart_in_a_narrow_table() {
    let mut app = two_endpoints();
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    for &(req, endpoint, _) in &reqs {
        let twin = typed_vm(&format!("{endpoint}/1"), "web-01", 2, "", "shop");
        let batch = ChildBatch {
            nodes: vec![twin],
            ..Default::default()
        };
        answer(&mut app, req, endpoint, ApiAnswer::Children(batch));
        answer(&mut app, req, endpoint, ApiAnswer::ChildrenDone(Ok(())));
    }
    let s = screen(&mut app, 80, 24);
    let twins: Vec<&str> = s.lines().filter(|l| l.starts_with("│ web-01")).collect();
    assert_eq!(twins.len(), 2, "{s}");
    assert_ne!(twins[0], twins[1], "the twins read the same:\n{s}");
    for (line, tag) in twins.iter().zip(["vCD", "vC "]) {
        assert!(
            line.contains(tag) && line.contains("Powered on"),
            "{tag}:\n{s}"
        );
    }
    let header = s.lines().find(|l| l.contains("Name▲")).expect(&s);
    assert!(header.contains("Src"), "{header}");
    // Wide enough, the endpoint's label itself, and the CPU column's unit in its header.
    let s = screen(&mut app, 200, 30);
    assert!(s.contains("Endpoint") && s.contains("vcenter"), "{s}");
    assert!(s.contains(" vCPU "), "{s}");
    // One endpoint's rows (`:vm @vcd`) need no tag.
    command(&mut app, "vm @vcd");
    let s = screen(&mut app, 80, 24);
    assert!(!s.contains("Src"), "{s}");
    // Nor a table only one endpoint has rows in (the alerts of the one Aria Operations).
    let reqs = list_kind_reqs(&command(&mut app, "host"));
    for &(req, endpoint, _) in &reqs {
        let nodes = match endpoint {
            0 => vec![Node::new(NodeKind::Host, "host/1", "esx-01")],
            _ => vec![],
        };
        let batch = ChildBatch {
            nodes,
            ..Default::default()
        };
        answer(&mut app, req, endpoint, ApiAnswer::Children(batch));
        answer(&mut app, req, endpoint, ApiAnswer::ChildrenDone(Ok(())));
    }
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("esx-01") && !s.contains("Src"), "{s}");
}

#[tokio::test(start_paused = true)]
async fn the_command_line_completes_recalls_and_suggests() {
    let mut app = two_endpoints();
    keys(&mut app, ":ho");
    assert!(app.command.open);
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.command.text, "host ");
    // Several completions: their common part, and the list to choose from.
    app.command.text = "v".into();
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.command.hint, ["vm", "vapp", "vdc"]);
    assert!(screen(&mut app, 120, 30).contains("vm  vapp  vdc"));
    key(&mut app, KeyCode::Esc);
    assert!(!app.command.open);

    command(&mut app, "hots");
    assert_eq!(toast(&app), "unknown command :hots — did you mean :host?");
    command(&mut app, "sort cpu");
    assert!(
        toast(&app).contains(":sort works in a table"),
        "{}",
        toast(&app)
    );

    // ↑ walks back through what was run, ↓ forward again to what was being typed.
    keys(&mut app, ":x");
    key(&mut app, KeyCode::Up);
    assert_eq!(app.command.text, "sort cpu");
    key(&mut app, KeyCode::Up);
    assert_eq!(app.command.text, "hots");
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    assert_eq!(app.command.text, "x");
    key(&mut app, KeyCode::Esc);

    // `:readonly` turns the global read-only mode on and off; `:q` asks to quit like q.
    command(&mut app, "readonly");
    assert!(app.read_only);
    command(&mut app, "readonly");
    assert!(!app.read_only);
    command(&mut app, "q");
    assert!(app.quit);
}

#[tokio::test(start_paused = true)]
async fn vm_table_spans_endpoints_with_typed_columns_and_sorts_every_way() {
    let mut app = two_endpoints();
    vm_table(&mut app);
    let table = app.table.as_ref().expect("a table");
    assert_eq!(table.title(), "VMs (5)");
    // Names sort naturally: web-2 before web-11 before web-100.
    assert_eq!(
        rows(&app),
        ["rds-12", "rds-102", "web-2", "web-11", "web-100"]
    );
    let s = screen(&mut app, 240, 30);
    assert!(s.contains("VMs (5) · sorted by Name ▲"), "{s}");
    for cell in [
        "Endpoint",
        "vApp/host",
        "CPU",
        "Memory",
        "vcenter",
        "esx-02",
        "16 GiB",
    ] {
        assert!(s.contains(cell), "{cell} in\n{s}");
    }
    // The cursor is on a row of the table, which the detail pane and actions work on.
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "rds-12");

    command(&mut app, "sort cpu");
    assert_eq!(
        rows(&app),
        ["web-2", "web-100", "rds-102", "web-11", "rds-12"]
    );
    command(&mut app, "sort cpu");
    assert_eq!(
        rows(&app),
        ["rds-12", "web-11", "rds-102", "web-100", "web-2"]
    );
    key(&mut app, KeyCode::Char('~'));
    assert_eq!(rows(&app)[0], "web-2");
    // `>` sorts by the next column (Memory after CPU), ascending.
    key(&mut app, KeyCode::Char('>'));
    assert_eq!(app.table.as_ref().unwrap().sort.column.key, "memory");
    command(&mut app, "sort mem");
    command(&mut app, "sort nosuch");
    assert!(toast(&app).starts_with("no column nosuch"));

    // Esc goes back to the tree; the kind keeps its sort the next time.
    key(&mut app, KeyCode::Esc);
    assert!(app.table.is_none());
    assert!(!app.tree.has_view());
    let effects = command(&mut app, "vm");
    assert!(
        list_kind_reqs(&effects).is_empty(),
        "already listed: {effects:?}"
    );
    assert_eq!(app.table.as_ref().unwrap().sort.column.key, "memory");
    assert!(app.table.as_ref().unwrap().sort.desc);

    // `:vm web @vcenter`: a pre-filter and one endpoint.
    command(&mut app, "vm web @vcenter");
    assert_eq!(rows(&app), ["web-2"]);
    assert_eq!(app.table.as_ref().unwrap().title(), "VMs (1 of 2)");
}

#[tokio::test(start_paused = true)]
async fn the_filter_matches_every_column_best_first_and_n_steps_through() {
    let mut app = two_endpoints();
    vm_table(&mut app);
    // By IP: a column other than the name.
    keys(&mut app, "/10.0.1.12");
    assert_eq!(rows(&app), ["rds-12"]);
    key(&mut app, KeyCode::Esc); // clears the filter while typing; the table stays
    assert!(app.table.is_some());
    assert_eq!(rows(&app).len(), 5);
    // `rds-12` before `rds-102`: exact before fuzzy, whatever the sort puts first.
    command(&mut app, "sort cpu");
    keys(&mut app, "/rds-12");
    key(&mut app, KeyCode::Enter);
    assert_eq!(rows(&app), ["rds-102", "rds-12"]);
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "rds-12");
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(
        app.selected_entry().unwrap().node.name.as_str(),
        "rds-102",
        "wraps"
    );
    key(&mut app, KeyCode::Char('N'));
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "rds-12");
    // `/!web`: what does not match.
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/!web");
    key(&mut app, KeyCode::Enter);
    assert_eq!(rows(&app).len(), 2);
    assert!(rows(&app).iter().all(|n| n.starts_with("rds")));
    // Esc clears the filter, a second Esc leaves the table for the tree.
    key(&mut app, KeyCode::Esc);
    assert_eq!(rows(&app).len(), 5);
    key(&mut app, KeyCode::Esc);
    assert!(app.table.is_none());
}

/// The filter line offers the same keys in a table and the tree: while typing, Enter and Esc
/// (`n` is a letter of the query then, not "next"); once kept, n/N and Esc.
#[tokio::test(start_paused = true)]
async fn the_filter_line_offers_the_keys_that_work_now_in_the_table_and_the_tree() {
    let mut app = two_endpoints();
    vm_table(&mut app);
    let line = |app: &mut App| {
        let s = screen(app, 80, 24);
        let l = s.lines().find(|l| l.contains("│/")).map(str::to_string);
        l.unwrap_or_else(|| panic!("no filter line:\n{s}"))
    };
    for in_table in [true, false] {
        keys(&mut app, "/web");
        let typing = line(&mut app);
        assert!(typing.contains("Enter keeps · Esc clears"), "{typing}");
        assert!(!typing.contains("n/N"), "{typing}");
        key(&mut app, KeyCode::Enter);
        let kept = line(&mut app);
        assert!(kept.contains("n/N next/prev · Esc clears"), "{kept}");
        assert_eq!(app.table.is_some(), in_table);
        // Out of the table, to the tree's filter.
        key(&mut app, KeyCode::Esc);
        key(&mut app, KeyCode::Esc);
    }
}

#[tokio::test(start_paused = true)]
async fn n_and_shift_n_step_through_tree_matches_skipping_their_parents() {
    let mut app = two_endpoints();
    key(&mut app, KeyCode::Down); // vcd's All VMs
    let mut all = None;
    for &id in app.tree.visible() {
        if app.tree.get(id).node.name.as_str() == "All VMs" {
            all = Some(id);
            break;
        }
    }
    let all = all.unwrap();
    app.cursor.selected = Some(all);
    let effects = key(&mut app, KeyCode::Enter).effects;
    let req = children_req(&effects);
    give_children(
        &mut app,
        req,
        vec![
            vm("a", "db-01", true),
            typed_vm("b", "web-01", 2, "10.9.9.9", "shop"),
            vm("c", "db-02", true),
        ],
    );
    keys(&mut app, "/db");
    key(&mut app, KeyCode::Enter);
    let name = |a: &App| a.selected_entry().unwrap().node.name.to_string();
    assert_eq!(name(&app), "db-01");
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(name(&app), "db-02");
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(
        name(&app),
        "db-01",
        "wraps around, past the group and endpoint rows"
    );
    key(&mut app, KeyCode::Char('N'));
    assert_eq!(name(&app), "db-02");

    // The tree's filter reads every column too: an IP finds its VM, `!` inverts.
    let vms = |a: &App| -> Vec<String> {
        a.tree
            .visible()
            .iter()
            .map(|&id| &a.tree.get(id).node)
            .filter(|n| n.kind == NodeKind::Vm)
            .map(|n| n.name.to_string())
            .collect()
    };
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/10.9.9.9");
    assert_eq!(vms(&app), ["web-01"]);
    assert_eq!(name(&app), "web-01");
    key(&mut app, KeyCode::Esc);
    keys(&mut app, "/!db");
    key(&mut app, KeyCode::Enter);
    assert_eq!(vms(&app), ["web-01"]);
    assert!(
        app.tree.visible().len() > 1,
        "the endpoints and groups still show"
    );
}

#[tokio::test(start_paused = true)]
async fn goto_asks_the_servers_for_what_is_not_loaded_and_opens_it() {
    let mut app = two_endpoints();
    // Nothing under All VMs is loaded: the servers are asked.
    let effects = command(&mut app, "goto 10.0.1.12");
    let finds: Vec<(u64, usize)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Find {
                req,
                endpoint,
                text,
            } => {
                assert_eq!(text, "10.0.1.12");
                Some((*req, *endpoint))
            }
            _ => None,
        })
        .collect();
    assert_eq!(finds.len(), 2, "{effects:?}");
    let found = typed_vm("vc/2", "rds-12", 16, "10.0.1.12", "esx-02");
    answer(&mut app, finds[0].0, 0, ApiAnswer::Found(Ok(vec![])));
    assert!(
        app.selected_entry().unwrap().node.kind != NodeKind::Vm,
        "waits for both"
    );
    answer(&mut app, finds[1].0, 1, ApiAnswer::Found(Ok(vec![found])));
    let e = app.selected_entry().unwrap();
    assert_eq!((e.node.name.as_str(), e.endpoint()), ("rds-12", 1));
    assert_eq!(
        app.tree.path(app.cursor.selected.unwrap()),
        ["vcenter", "All VMs", "rds-12"]
    );
    assert!(
        app.tree.row_of(app.cursor.selected.unwrap()).is_some(),
        "shown in the tree"
    );

    // Loaded now: the second goto needs no server, by name and any case.
    key(&mut app, KeyCode::Home);
    let effects = command(&mut app, "goto RDS-12");
    assert!(!effects.iter().any(|e| matches!(e, Effect::Find { .. })));
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "rds-12");

    // `f` opens the command line at goto; nothing found says so.
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(app.command.text, "goto ");
    keys(&mut app, "nothing-like-it");
    let effects = key(&mut app, KeyCode::Enter).effects;
    for e in effects {
        if let Effect::Find { req, endpoint, .. } = e {
            answer(&mut app, req, endpoint, ApiAnswer::Found(Ok(vec![])));
        }
    }
    assert_eq!(toast(&app), "nothing matches nothing-like-it");
}

/// Two endpoints answering a `:goto` equally well (a host both a vCenter and Aria Operations
/// name): the one configured first wins, whichever answered first.
#[tokio::test(start_paused = true)]
async fn goto_of_a_name_two_endpoints_know_lands_on_the_one_configured_first() {
    let mut app = two_endpoints();
    let finds: Vec<(u64, usize)> = command(&mut app, "goto esx-07")
        .iter()
        .filter_map(|e| match e {
            Effect::Find { req, endpoint, .. } => Some((*req, *endpoint)),
            _ => None,
        })
        .collect();
    let host = |id: &str| Node::new(NodeKind::Host, id, "esx-07.example.com");
    answer(
        &mut app,
        finds[1].0,
        1,
        ApiAnswer::Found(Ok(vec![host("host/host-7")])),
    );
    answer(
        &mut app,
        finds[0].0,
        0,
        ApiAnswer::Found(Ok(vec![host("https://vcd/api/admin/extension/host/7")])),
    );
    let e = app.selected_entry().unwrap();
    assert_eq!(
        (e.node.name.as_str(), e.endpoint()),
        ("esx-07.example.com", 0)
    );
}

/// A big table still loading is rebuilt at most every 250 ms, but its last rows always show
/// once its own listings end, whatever else the tree is still loading.
#[tokio::test(start_paused = true)]
async fn a_big_table_shows_every_row_when_its_listings_end() {
    let mut app = two_endpoints();
    // A tree listing that stays open throughout: the first endpoint's, refreshed.
    let pending = key(&mut app, KeyCode::F(5)).effects;
    assert!(pending.iter().any(|e| matches!(e, Effect::Children { .. })));
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    let (req, ep, _) = reqs[0];
    for part in 0..4 {
        let nodes = (part * 10_000..(part + 1) * 10_000)
            .map(|i| vm(&format!("vm/{i}"), &format!("web-{i}"), true))
            .collect();
        answer(
            &mut app,
            req,
            ep,
            ApiAnswer::Children(ChildBatch {
                nodes,
                ..Default::default()
            }),
        );
    }
    for (req, ep, _) in reqs {
        answer(&mut app, req, ep, ApiAnswer::ChildrenDone(Ok(())));
    }
    // Rows beyond what one rebuild merges come in on ticks asked for at once, as the runtime
    // gives them.
    let mut ticks = 0;
    while app
        .next_deadline()
        .is_some_and(|d| d <= tokio::time::Instant::now())
    {
        app.handle(vnav::app::event::Event::Tick);
        ticks += 1;
        assert!(ticks < 1_000, "ticks make progress");
    }
    assert_eq!(app.tree.visible().len(), 40_000);
    assert_eq!(app.table.as_ref().unwrap().title(), "VMs (40,000)");
}

/// `:snapshots` is the snapshot view as a table: oldest first, sortable by size and endpoint.
#[tokio::test(start_paused = true)]
async fn the_snapshot_table_sorts_by_age_size_and_endpoint() {
    use vnav::api::model::{SprawlRow, parse_time};
    let mut app = two_endpoints();
    let effects = command(&mut app, "snapshots");
    let reqs: Vec<(u64, usize)> = effects
        .iter()
        .filter_map(|e| match e {
            Effect::Sprawl { req, endpoint, .. } => Some((*req, *endpoint)),
            _ => None,
        })
        .collect();
    assert_eq!(reqs.len(), 2, "{effects:?}");
    let row = |id: &str, name: &str, when: &str, gib: u64| SprawlRow {
        vm: vm(id, name, true),
        count: 1,
        oldest: parse_time(when),
        bytes: Some(gib << 30),
        place: "".into(),
    };
    let sprawl = [
        vec![row("a", "old-small", "2024-01-01T00:00:00Z", 1)],
        vec![
            row("b", "new-big", "2026-11-01T00:00:00Z", 40),
            row("c", "mid", "2025-06-01T00:00:00Z", 8),
        ],
    ];
    for ((req, ep), part) in reqs.into_iter().zip(sprawl) {
        answer(&mut app, req, ep, ApiAnswer::Sprawl(Ok(part)));
    }
    assert_eq!(
        app.table.as_ref().unwrap().title(),
        "VMs with snapshots (3)"
    );
    assert_eq!(rows(&app), ["old-small", "mid", "new-big"]);
    let s = screen(&mut app, 200, 30);
    assert!(s.contains("Snapshot▲") && s.contains("40.0 GiB"), "{s}");
    // A snapshot years old reads whole ("1070 days old"), not cut to "1070 days o…".
    for width in [120, 160] {
        let s = screen(&mut app, width, 40);
        let line = s
            .lines()
            .find(|l| l.contains("old-small") && l.contains("GiB"))
            .unwrap_or_else(|| panic!("{s}"));
        assert!(line.contains(" days old "), "{width}: {line}");
    }
    command(&mut app, "sort size");
    assert_eq!(rows(&app), ["old-small", "mid", "new-big"]);
    command(&mut app, "sort size");
    assert_eq!(rows(&app), ["new-big", "mid", "old-small"]);
    command(&mut app, "sort endpoint");
    assert_eq!(rows(&app)[0], "old-small", "vcd before vcenter");
}

/// A VM seen only in a closed table (its rows hang under hidden roots) is opened in the tree
/// by goto, not selected where nobody can see it.
#[tokio::test(start_paused = true)]
async fn goto_of_a_vm_only_a_closed_table_holds_lands_in_the_tree() {
    let mut app = two_endpoints();
    vm_table(&mut app);
    command(&mut app, "tree");
    command(&mut app, "goto 10.0.1.12");
    let id = app.cursor.selected.unwrap();
    assert_eq!(app.tree.get(id).node.name.as_str(), "rds-12");
    assert!(app.tree.in_tree(id), "not a hidden table row");
    assert_eq!(app.tree.path(id), ["vcenter", "All VMs", "rds-12"]);
    assert!(app.tree.row_of(id).is_some(), "shown in the tree");
}

#[tokio::test(start_paused = true)]
async fn ctx_lists_the_contexts_and_goes_to_one_connecting_it() {
    let mut app = crate::support::app_with(&["vcd", "vcenter"], false);
    app.contexts = vec!["vcd".into(), "vcenter".into(), "lab".into()];
    let starts = app.start();
    let reqs: Vec<u64> = starts
        .iter()
        .map(|e| match e {
            Effect::Connect { req, .. } => *req,
            _ => panic!("{starts:?}"),
        })
        .collect();
    let info = EndpointInfo {
        product: Product::Vcd,
        url: "https://ep0".into(),
        user: "admin".into(),
        api_version: "1".into(),
        capabilities: Capabilities::ALL,
        instance_uuid: None,
    };
    answer(&mut app, reqs[0], 0, ApiAnswer::Connected(Ok(info)));
    let refused = vnav::api::ApiError::Transport("connection refused".into());
    answer(&mut app, reqs[1], 1, ApiAnswer::Connected(Err(refused)));

    command(&mut app, "ctx");
    assert_eq!(
        toast(&app),
        "contexts: vcd ● connected · vcenter ✗ failed · lab not opened (:ctx lab)"
    );
    // Tab completes context names.
    keys(&mut app, ":ctx vc");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.command.text, "ctx vc");
    assert_eq!(app.command.hint, ["vcd", "vcenter"]);
    keys(&mut app, "e");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.command.text, "ctx vcenter ");
    key(&mut app, KeyCode::Esc);

    // Going to the failed one from a table: the table closes, the cursor is on its endpoint,
    // and it connects again.
    command(&mut app, "vm");
    assert!(app.table.is_some());
    let effects = command(&mut app, "ctx vcenter");
    assert!(app.table.is_none());
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "vcenter");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Connect { endpoint: 1, .. })),
        "{effects:?}"
    );
    assert_eq!(toast(&app), "vcenter: connecting");
    // The connected one: no new login.
    let effects = command(&mut app, "ctx vcd");
    assert!(!effects.iter().any(|e| matches!(e, Effect::Connect { .. })));
    assert_eq!(app.selected_entry().unwrap().node.name.as_str(), "vcd");

    // A context not opened at start: the runtime is asked to open it (`app_ctx_open`).
    let effects = command(&mut app, "ctx lab");
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::OpenContext { name } if name == "lab")),
        "{effects:?}"
    );
    assert_eq!(toast(&app), "lab: opening…");
    command(&mut app, "ctx");
    assert!(toast(&app).ends_with("lab opening…"), "{}", toast(&app));
    command(&mut app, "ctx vcentr");
    assert_eq!(toast(&app), "no context vcentr — did you mean vcenter?");
}

#[tokio::test(start_paused = true)]
async fn theme_switches_live_completes_names_and_keeps_no_color() {
    use vnav::theme::{Role, Theme};
    let mut app = two_endpoints();
    keys(&mut app, ":theme l");
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.command.text, "theme light ");
    key(&mut app, KeyCode::Enter);
    let light = Theme::load("light", None).unwrap();
    assert_eq!(app.theme.name, light.name);
    // The next frame is drawn with it.
    let buf = crate::support::render(&mut app, 100, 30);
    let cursor = (0..100)
        .flat_map(|x| (0..30).map(move |y| (x, y)))
        .any(|(x, y)| buf[(x, y)].bg == light.style(Role::Selection).bg.unwrap());
    assert!(cursor, "the selection bar in the light theme's colour");

    command(&mut app, "theme nrod");
    assert_eq!(toast(&app), "no theme nrod — did you mean nord?");
    assert_eq!(app.theme.name, light.name);

    // Under NO_COLOR, a new theme stays without colour.
    app.theme = Theme::default().without_colour();
    command(&mut app, "theme nord");
    assert!(app.theme.name.ends_with("(NO_COLOR)"), "{}", app.theme.name);
    assert_eq!(app.theme.style(Role::Selection).bg, None);
}

/// `:workflows` over endpoints where only one product has workflows: the others list none
/// without a complaint; only when no endpoint has any does the table say where it looked.
#[test]
fn a_kind_only_one_product_has_lists_no_failure_for_the_others() {
    use vnav::api::ApiError;
    let table = |app: &mut App, found: bool| {
        let reqs = list_kind_reqs(&command(app, "workflows"));
        assert_eq!(reqs.len(), 2, "{reqs:?}");
        for (req, endpoint, _) in reqs {
            let result = if endpoint == 1 && found {
                let wf = group(NodeKind::Workflow, "wf/1", "Restart app tier");
                answer(
                    app,
                    req,
                    endpoint,
                    ApiAnswer::Children(ChildBatch {
                        nodes: vec![wf],
                        ..Default::default()
                    }),
                );
                Ok(())
            } else {
                Err(ApiError::Unsupported("no Workflow list here".into()))
            };
            answer(app, req, endpoint, ApiAnswer::ChildrenDone(result));
        }
    };
    let mut app = two_endpoints();
    table(&mut app, true);
    let t = app.table.as_ref().expect("a table");
    assert_eq!((t.total, t.notes.clone()), (1, vec![]));
    assert_eq!(rows(&app), ["Restart app tier"]);
    assert!(screen(&mut app, 100, 20).contains("Workflows (1)"));
    assert!(
        app.tasks.rows.iter().all(|r| r.info.error.is_none()),
        "no failed listing in the task pane"
    );

    let mut app = two_endpoints();
    table(&mut app, false);
    let t = app.table.as_ref().expect("a table");
    assert_eq!(t.total, 0);
    assert_eq!(t.notes.len(), 2, "{:?}", t.notes);
    assert!(
        t.notes.iter().all(|n| n.ends_with("none there")),
        "{:?}",
        t.notes
    );
}

/// A tree entry keeps its endpoint in 2 bytes: a context opened past the last endpoint that
/// fits is refused with a message, never a panic.
#[test]
fn a_context_past_the_endpoints_an_entry_can_name_is_refused() {
    use vnav::app::EndpointSpec;
    use vnav::app::event::Event;
    use vnav::app::tree::MAX_ENDPOINTS;
    let names: Vec<String> = (0..MAX_ENDPOINTS).map(|i| format!("ep{i}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut app = app_with(&names, false);
    let spec = EndpointSpec {
        label: "one-more".into(),
        root: Node::new(NodeKind::Endpoint, "https://one-more", "one-more"),
        insecure: false,
        read_only: false,
    };
    app.handle(Event::ContextOpened {
        name: "one-more".into(),
        endpoint: MAX_ENDPOINTS,
        result: Ok((spec, None)),
    });
    assert_eq!(app.endpoints.len(), MAX_ENDPOINTS);
    let toast = toast(&app);
    assert!(toast.contains("at most 65536 endpoints"), "{toast}");
}
