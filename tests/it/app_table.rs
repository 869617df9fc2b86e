//! Issue 17/18, tables you can sort, at the App level: the order a table shows while pages
//! arrive and rows change is the one a full sort would give (the sort index merges instead of
//! re-sorting; these tests hold it to the plain definition).

use vnav::api::columns::natural_cmp;
use vnav::api::model::{ChildBatch, Node, NodeKind, Severity, Status, VmFacts};
use vnav::app::App;
use vnav::app::event::ApiAnswer;

use crate::app_command::{command, list_kind_reqs, rows, two_endpoints};
use crate::app_detail_read::{details_req, give};
use crate::app_ui::details;
use crate::support::{answer, screen, vm};

/// A VM whose name repeats now and then, with a CPU count from a few values or none.
fn row_vm(endpoint: usize, i: usize) -> Node {
    // A fixed scramble so pages do not arrive in name order.
    let n = (i * 7919 + endpoint * 31) % 211;
    let cpus = match i % 5 {
        0 => None,
        k => Some(k as u32),
    };
    vm(&format!("ep{endpoint}/vm-{i}"), &format!("web-{n}"), true).with_facts(VmFacts {
        cpus: cpus.into(),
        ..VmFacts::default()
    })
}

/// What a full sort by CPU gives: the count (unknown last, either way), then the name
/// naturally, the endpoint, the arrival.
fn by_cpu(arrived: &[(Node, &str)], desc: bool) -> Vec<String> {
    let mut r: Vec<usize> = (0..arrived.len()).collect();
    r.sort_by(|&a, &b| {
        let (x, y) = (&arrived[a], &arrived[b]);
        let (cx, cy) = (
            x.0.facts.as_ref().and_then(|f| f.cpus.get()),
            y.0.facts.as_ref().and_then(|f| f.cpus.get()),
        );
        let by_count = match (cx, cy) {
            (Some(p), Some(q)) if desc => q.cmp(&p),
            (Some(p), Some(q)) => p.cmp(&q),
            (p, q) => q.is_some().cmp(&p.is_some()),
        };
        by_count
            .then_with(|| natural_cmp(&x.0.name, &y.0.name))
            .then_with(|| natural_cmp(x.1, y.1))
            .then(a.cmp(&b))
    });
    r.iter().map(|&i| arrived[i].0.name.to_string()).collect()
}

/// A page of `nodes` for listing `req` on endpoint `ep`.
fn one_page(app: &mut App, req: u64, ep: usize, nodes: Vec<Node>) {
    let batch = ChildBatch {
        nodes,
        ..Default::default()
    };
    answer(app, req, ep, ApiAnswer::Children(batch));
}

/// The last page of listing `req` on endpoint `ep`, then its end.
fn land(app: &mut App, req: u64, ep: usize, nodes: Vec<Node>) {
    one_page(app, req, ep, nodes);
    answer(app, req, ep, ApiAnswer::ChildrenDone(Ok(())));
}

#[tokio::test(start_paused = true)]
async fn pages_merge_into_the_sorted_table_as_a_full_sort_would() {
    let mut app = two_endpoints();
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    command(&mut app, "sort cpu");
    let labels = ["vcd", "vcenter"];
    // Rows per endpoint in arrival order: the table's ties go vcd's rows first, then vcenter's.
    let mut arrived: [Vec<Node>; 2] = Default::default();
    let all = |arrived: &[Vec<Node>; 2]| -> Vec<(Node, &str)> {
        (0..2)
            .flat_map(|e| arrived[e].iter().map(move |n| (n.clone(), labels[e])))
            .collect()
    };
    for page in 0..12 {
        for &(req, ep, _) in &reqs {
            let nodes: Vec<Node> = (page * 40..page * 40 + 40).map(|i| row_vm(ep, i)).collect();
            arrived[ep].extend(nodes.iter().cloned());
            one_page(&mut app, req, ep, nodes);
            assert_eq!(rows(&app), by_cpu(&all(&arrived), false), "page {page}");
        }
    }
    // `~` flips the direction: counts downwards, unknowns still last, ties still by name.
    crate::support::key(&mut app, crossterm::event::KeyCode::Char('~'));
    assert_eq!(rows(&app), by_cpu(&all(&arrived), true));
    // More rows while sorted downwards.
    for &(req, ep, _) in &reqs {
        let nodes: Vec<Node> = (480..530).map(|i| row_vm(ep, i)).collect();
        arrived[ep].extend(nodes.iter().cloned());
        land(&mut app, req, ep, nodes);
    }
    assert_eq!(rows(&app), by_cpu(&all(&arrived), true));
    assert_eq!(app.table.as_ref().unwrap().title(), "VMs (1,060)");
}

/// A row whose node changes in place (a details read gives it a new name) moves to where the
/// new value sorts, though no listing arrived.
#[tokio::test(start_paused = true)]
async fn a_row_that_changes_moves_to_its_place() {
    let mut app: App = two_endpoints();
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    for (i, &(req, ep, _)) in reqs.iter().enumerate() {
        let nodes = (0..30)
            .map(|k| vm(&format!("ep{ep}/vm-{k}"), &format!("web-{i}{k:02}"), true))
            .collect();
        land(&mut app, req, ep, nodes);
    }
    // By name: the cursor on the first row, web-000.
    assert_eq!(rows(&app)[0], "web-000");
    assert_eq!(app.selected_entry().unwrap().node.id.as_str(), "ep0/vm-0");
    let req = details_req(&mut app).await;
    let mut d = details("ep0/vm-0", "web-000");
    d.node = vm("ep0/vm-0", "zz-renamed", true);
    give(&mut app, req, d);
    let r = rows(&app);
    assert_eq!(r.len(), 60);
    assert_eq!(r[0], "web-001", "{r:?}");
    assert_eq!(r[59], "zz-renamed", "{r:?}");
    // Downwards it comes first.
    command(&mut app, "sort name");
    assert_eq!(rows(&app)[0], "zz-renamed");
}

/// The tree under a vApp with these VMs, the cursor on the vApp.
fn tree_with_typed_vms() -> App {
    tree_with_typed_vms_named("db-primary-01")
}

/// `tree_with_typed_vms`, the second VM named `name`.
fn tree_with_typed_vms_named(name: &str) -> App {
    let mut app = crate::app_ui::connected();
    crate::support::key(&mut app, crossterm::event::KeyCode::Down); // acme
    let req = crate::support::children_req(
        &crate::support::key(&mut app, crossterm::event::KeyCode::Right).effects,
    );
    crate::support::give_children(
        &mut app,
        req,
        vec![crate::support::group(
            vnav::api::model::NodeKind::VApp,
            "vapp/1",
            "shop",
        )],
    );
    crate::support::key(&mut app, crossterm::event::KeyCode::Down); // shop
    let req = crate::support::children_req(
        &crate::support::key(&mut app, crossterm::event::KeyCode::Enter).effects,
    );
    let typed = |id: &str, name: &str, on: bool, cpus: u32, mib: u32, os: &str, ip: &str| {
        vm(id, name, on).with_facts(VmFacts {
            cpus: Some(cpus).into(),
            memory_mib: Some(mib).into(),
            guest_os: os.into(),
            ip: ip.into(),
            ..VmFacts::default()
        })
    };
    crate::support::give_children(
        &mut app,
        req,
        vec![
            typed(
                "vm/1",
                "web-01",
                true,
                2,
                4096,
                "Ubuntu Linux (64-bit)",
                "10.0.0.11",
            ),
            typed(
                "vm/2",
                name,
                false,
                16,
                65536,
                "Windows Server 2022",
                "10.0.0.200",
            ),
            typed("vm/3", "a", true, 1, 512, "Photon OS", ""),
        ],
    );
    app
}

/// Where `needle` starts on the line holding it.
fn column_of(screen: &str, needle: &str) -> usize {
    let line = screen
        .lines()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} in\n{screen}"));
    line[..line.find(needle).unwrap()].chars().count()
}

/// At 80 columns the tree pane has no room for "● Powered off" beside a vApp's VMs: it showed
/// no state at all, so a VM that was off read as one that ran. The dot stays, in its colour.
#[tokio::test(start_paused = true)]
async fn a_state_without_room_for_its_words_keeps_its_dot() {
    let mut app = tree_with_typed_vms();
    let s = crate::support::screen(&mut app, 80, 24);
    let dot = column_of(&s, "db-primary-01") + "db-primary-01".len() + 2;
    for name in ["web-01 ", "db-primary-01 ", "a "] {
        let starts = |l: &&str| l.trim_start_matches(['│', ' ']).starts_with(name);
        let line = s.lines().find(starts).expect(&s);
        assert_eq!(line.chars().nth(dot), Some('●'), "{name}:\n{s}");
    }
    assert!(!s.contains("● Powered"), "{s}");
}

/// At 80 columns a state after a long name (an alert's criticality, a vApp's power) was past
/// the pane's edge: the name gives way for it, down to 14 cells.
#[tokio::test(start_paused = true)]
async fn a_long_name_in_the_tree_gives_way_to_its_state() {
    use crossterm::event::KeyCode;
    let mut app = crate::app_ui::connected();
    crate::support::key(&mut app, KeyCode::Down); // acme
    let req = crate::support::children_req(&crate::support::key(&mut app, KeyCode::Right).effects);
    let long = "Host has CPU contention caused by overpopulation of virtual machines";
    let immediate = Status::new("IMMEDIATE", Severity::Error);
    let on = Status::new("POWERED_ON", Severity::Ok);
    let nodes = vec![
        Node::new(NodeKind::Alert, "alert/1", long).with_status(immediate),
        Node::new(NodeKind::VApp, "vapp/2", "shop").with_status(on),
    ];
    crate::support::give_children(&mut app, req, nodes);
    let s = screen(&mut app, 80, 24);
    let tree = |name: &str| -> String {
        let line = s.lines().find(|l| l.contains(name)).expect(&s);
        line.split('│').nth(1).expect(&s).to_string()
    };
    assert!(tree("Host has CPU").contains("…  ● Immediate"), "{s}");
    assert!(tree("shop").contains("shop  ● Powered on"), "{s}");
    // Wide enough, the whole name.
    let s = screen(&mut app, 200, 24);
    assert!(s.contains(&format!("{long}  ● Immediate")), "{s}");
}

/// At 160 columns "k8s-master-… ♥" gave its last letters to a guest OS column, itself cut:
/// past the state, a column fits beside the whole name or is left out.
#[tokio::test(start_paused = true)]
async fn only_the_state_cuts_a_long_name_in_the_tree() {
    let long = "db-primary-01-long";
    let mut app = tree_with_typed_vms_named(long);
    for width in 80..=200 {
        let s = crate::support::screen(&mut app, width, 24);
        let line = s.lines().find(|l| l.contains("db-primary-01")).expect(&s);
        let tree = line.split('│').nth(1).expect(&s);
        let state = tree.find('●').expect(&s);
        let cut = !tree.contains(long);
        let beside = tree[state..].trim_end().contains("  ");
        assert!(!(cut && beside), "{width}:\n{s}");
    }
}

/// At 100 columns a vApp's VMs read "● Powered on  4": a CPU count with no room for its unit,
/// last on the row, where nothing says what it counts. It is left out instead.
#[tokio::test(start_paused = true)]
async fn a_cpu_count_is_never_bare_and_last_in_the_tree() {
    let mut app = tree_with_typed_vms();
    for width in 90..=110 {
        let s = crate::support::screen(&mut app, width, 24);
        let line = s.lines().find(|l| l.contains("db-primary-01")).expect(&s);
        let tree = line.split('│').nth(1).expect(&s).trim_end();
        assert!(
            !tree.ends_with(|c: char| c.is_ascii_digit()),
            "{width}:\n{s}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn sibling_vms_in_the_tree_line_up_as_columns() {
    let mut app = tree_with_typed_vms();
    let s = crate::support::screen(&mut app, 120, 30);
    // Each column starts at the same place on every VM row.
    let state = column_of(&s, "● Powered on");
    assert_eq!(column_of(&s, "● Powered off"), state, "\n{s}");
    assert_eq!(
        column_of(&s, "4 GiB"),
        column_of(&s, "64 GiB"),
        "memory lines up:\n{s}"
    );
    // The name column is as wide as the longest name on screen, no wider.
    assert_eq!(
        state - column_of(&s, "db-primary-01"),
        "db-primary-01".len() + 2,
        "\n{s}"
    );
    // The summary the rows had gives way to the columns.
    assert!(!s.contains("2 vCPU · 4 GiB"), "{s}");
    insta::assert_snapshot!("tree_columns_120x30", s);
    // The tree pane zoomed to the whole width (`z`) has room for the guest OS and the IP.
    crate::support::key(&mut app, crossterm::event::KeyCode::Char('z'));
    let s = crate::support::screen(&mut app, 120, 30);
    assert_eq!(column_of(&s, "Ubuntu"), column_of(&s, "Windows"), "\n{s}");
    assert_eq!(
        column_of(&s, "10.0.0.11"),
        column_of(&s, "10.0.0.200"),
        "\n{s}"
    );
    assert_eq!(column_of(&s, "4 GiB"), column_of(&s, "64 GiB"), "\n{s}");
    crate::support::key(&mut app, crossterm::event::KeyCode::Char('z'));

    // At 60 columns the tree pane keeps the name and the state; what does not fit is dropped,
    // nothing is cut mid-column.
    let s = crate::support::screen(&mut app, 60, 20);
    let state = column_of(&s, "● Powered on");
    assert_eq!(column_of(&s, "● Powered off"), state, "\n{s}");
    assert!(s.contains("db-primary-01"), "{s}");
    assert!(!s.contains("10.0.0.200"), "IP dropped at 60 columns:\n{s}");
    insta::assert_snapshot!("tree_columns_60x20", s);
}

#[tokio::test(start_paused = true)]
async fn the_config_chooses_and_orders_a_kinds_columns() {
    let cfg: vnav::config::ConfigFile =
        toml::from_str("[columns]\nvm = [\"ip\", \"cpu\", \"state\"]\n").unwrap();
    let mut app = two_endpoints();
    app.columns = vnav::api::columns::Choice::from_config(&cfg.columns).unwrap();
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    let vms = |ep: usize| {
        (0..3)
            .map(|i| {
                vm(&format!("ep{ep}/vm-{i}"), &format!("web-{ep}{i}"), true).with_facts(VmFacts {
                    cpus: Some(2).into(),
                    memory_mib: Some(4096).into(),
                    ip: format!("10.0.{ep}.{i}").into(),
                    ..VmFacts::default()
                })
            })
            .collect()
    };
    for &(req, ep, _) in &reqs {
        let batch = ChildBatch {
            nodes: vms(ep),
            ..Default::default()
        };
        answer(&mut app, req, ep, ApiAnswer::Children(batch));
        answer(&mut app, req, ep, ApiAnswer::ChildrenDone(Ok(())));
    }
    let s = crate::support::screen(&mut app, 160, 30);
    let header = s.lines().find(|l| l.contains("Name▲")).expect(&s);
    let at = |t: &str| header.find(t).unwrap_or_else(|| panic!("{t} in {header}"));
    assert!(at("Name") < at("IP") && at("IP") < at("CPU") && at("CPU") < at("State"));
    for gone in ["Memory", "Endpoint", "Guest OS"] {
        assert!(!header.contains(gone), "{gone} in {header}");
    }
    // `:sort` takes only the columns shown.
    command(&mut app, "sort memory");
    assert!(
        app.toast
            .as_ref()
            .unwrap()
            .text
            .starts_with("no column memory")
    );

    // A column or kind vnav does not know is an error that says what it knows.
    let bad = |text: &str| {
        let cfg: vnav::config::ConfigFile = toml::from_str(text).unwrap();
        vnav::api::columns::Choice::from_config(&cfg.columns).unwrap_err()
    };
    let e = bad("[columns]\nvm = [\"name\", \"colour\"]\n");
    assert!(
        e.contains("no column \"colour\"") && e.contains("one of name, state, endpoint"),
        "{e}"
    );
    let e = bad("[columns]\nvmz = [\"name\"]\n");
    assert!(
        e.contains("vmz: no such kind (one of vm, vapp, host"),
        "{e}"
    );
    let e = bad("[columns]\nhost = [\"cpu\"]\n");
    assert!(e.contains("one of name, state, endpoint, summary"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn each_kinds_sort_is_kept_between_runs() {
    let path = std::env::temp_dir().join("vnav-test-sorts.json");
    let mut app = two_endpoints();
    app.sorts_path = Some(path.clone());
    command(&mut app, "vm");
    command(&mut app, "sort cpu");
    let effects = command(&mut app, "sort cpu");
    let text = effects
        .iter()
        .find_map(|e| match e {
            vnav::app::event::Effect::WriteState { path: p, text } if *p == path => {
                Some(text.clone())
            }
            _ => None,
        })
        .unwrap_or_else(|| panic!("no write of the sorts: {effects:?}"));

    // The next run reads it back: `:vm` opens sorted by CPU, downwards.
    let mut next = two_endpoints();
    next.load_sorts(&text).unwrap();
    command(&mut next, "vm");
    let sort = next.table.as_ref().unwrap().sort;
    assert_eq!((sort.column.key, sort.desc), ("cpu", true));
    // A damaged file says so; kinds or columns vnav does not know are skipped.
    assert!(
        next.load_sorts("{")
            .unwrap_err()
            .contains("sorts file unreadable")
    );
    next.load_sorts(r#"{"widgets": {"by": "x"}, "vm": {"by": "nosuch"}}"#)
        .unwrap();
}

/// Issue 18, arrivals: one answer far bigger than a rebuild may take (5,000 rows) is merged
/// into the sort index in bounded steps, so no single event holds a key for long: the page
/// shows its first rows at once, keys meanwhile merge nothing (they work on the rows the index
/// has), the app asks for an immediate tick while rows wait, and the ticks bring the rest in,
/// ending in the order a full sort gives.
#[tokio::test(start_paused = true)]
async fn a_flood_of_rows_lands_in_bounded_steps_and_ends_fully_sorted() {
    let mut app = two_endpoints();
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    command(&mut app, "sort cpu");
    let (req, ep, _) = reqs[0];
    let nodes: Vec<Node> = (0..5_000).map(|i| row_vm(ep, i)).collect();
    let arrived: Vec<(Node, &str)> = nodes.iter().map(|n| (n.clone(), "vcd")).collect();
    one_page(&mut app, req, ep, nodes);
    let shown = rows(&app).len();
    assert!(
        0 < shown && shown < 5_000,
        "the first rebuild takes a bounded share: {shown}"
    );
    // A key meanwhile works on the rows the index has: it never pays for merging more.
    crate::support::key(&mut app, crossterm::event::KeyCode::Char('j'));
    crate::support::key(&mut app, crossterm::event::KeyCode::Char('~'));
    assert_eq!(rows(&app).len(), shown, "keys merge nothing");
    crate::support::key(&mut app, crossterm::event::KeyCode::Char('~'));
    let mut ticks = 0;
    while rows(&app).len() < 5_000 {
        let due = app
            .next_deadline()
            .expect("a tick is asked for while rows wait");
        assert!(
            due <= tokio::time::Instant::now(),
            "at once, not after a throttle"
        );
        app.handle(vnav::app::event::Event::Tick);
        ticks += 1;
        assert!(ticks < 100, "ticks make progress");
    }
    assert_eq!(rows(&app), by_cpu(&arrived, false));
    assert_eq!(app.table.as_ref().unwrap().title(), "VMs (5,000)");
}

/// States read as an operator says them ("Powered on", not `POWERED_ON`) in a table and in the
/// tree, `:sort state` orders by those words, and both filters find rows by them; the node
/// keeps the API's word (the raw view and `vnav dump` write it).
#[tokio::test(start_paused = true)]
async fn states_read_as_words_sort_and_filter_by_them() {
    use vnav::api::model::{Severity, Status};
    let mut app = two_endpoints();
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    let states = [
        ("web-1", "POWERED_ON"),
        ("web-2", "SUSPENDED"),
        ("web-3", "POWERED_OFF"),
        ("web-4", "RESOLVED"),
        ("web-5", "poweredOn"),
    ];
    for (k, &(req, ep, _)) in reqs.iter().enumerate() {
        let nodes = states
            .iter()
            .filter(|(name, _)| (name.ends_with('5')) == (k == 1))
            .map(|(name, state)| {
                vm(&format!("ep{ep}/{name}"), name, true)
                    .with_status(Status::new(*state, Severity::Neutral))
            })
            .collect();
        land(&mut app, req, ep, nodes);
    }
    let s = crate::support::screen(&mut app, 120, 30);
    for words in ["Powered on", "Suspended", "Powered off", "Resolved"] {
        assert!(s.contains(words), "{words}:\n{s}");
    }
    assert!(!s.contains("POWERED_") && !s.contains("poweredOn"), "{s}");

    // By the words shown: "Powered off" < "Powered on" (both spellings) < "Resolved" < …
    command(&mut app, "sort state");
    assert_eq!(rows(&app), ["web-3", "web-1", "web-5", "web-4", "web-2"]);

    // `/powered off` (the words, with their space) finds the one powered off.
    crate::support::keys(&mut app, "/powered off");
    crate::support::key(&mut app, crossterm::event::KeyCode::Enter);
    assert_eq!(rows(&app), ["web-3"]);
    let node = &app.selected_entry().unwrap().node;
    assert_eq!(
        node.status.label, "POWERED_OFF",
        "the node keeps the API's word"
    );
}

/// The tree's `/` filter matches a row's state in words, as it shows it.
#[tokio::test(start_paused = true)]
async fn the_tree_filter_matches_states_in_words() {
    let mut app = tree_with_typed_vms();
    crate::support::keys(&mut app, "/powered off");
    let shown: Vec<String> = rows(&app)
        .into_iter()
        .filter(|n| ["web-01", "db-primary-01", "a"].contains(&n.as_str()))
        .collect();
    assert_eq!(shown, ["db-primary-01"]);
}

/// Issue 18, target 1: a table's sort index holds its rows and the orders it was last sorted
/// by (the name order and the last two other columns), not an order for each of its columns; and a
/// column sorted by again after its order was dropped sorts as a full sort would.
#[tokio::test(start_paused = true)]
async fn a_table_keeps_only_the_orders_it_was_sorted_by() {
    let mut app = two_endpoints();
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    let (req, ep, _) = reqs[0];
    let n = 400;
    let nodes: Vec<Node> = (0..n).map(|i| row_vm(ep, i)).collect();
    let arrived: Vec<(Node, &str)> = nodes.iter().map(|n| (n.clone(), "vcd")).collect();
    one_page(&mut app, req, ep, nodes);
    assert_eq!(rows(&app).len(), n);
    let keys: Vec<&str> = (app.table.as_ref().unwrap().columns().iter())
        .map(|c| c.key)
        .collect();
    assert!(keys.len() > 4, "{keys:?}");
    for key in &keys {
        command(&mut app, &format!("sort {key}"));
    }
    command(&mut app, "sort cpu");
    assert_eq!(
        rows(&app),
        by_cpu(&arrived, false),
        "built again when sorted by again"
    );
    // Rows (row → entry, and entry → row over every tree entry), three orders and the
    // State column's groups, 4 bytes each, with room for vectors grown by doubling (and the
    // few states' words); an order per column would be 4 × 11 B a row.
    let (bytes, entries) = (
        app.table.as_ref().unwrap().index_bytes(),
        app.tree.capacity(),
    );
    assert!(
        bytes <= 4 * (entries + 2 * n + 4 * n) + 256,
        "{bytes} B for {n} rows, {entries} entries and {} columns",
        keys.len()
    );
    assert!(keys.len() >= 8, "{keys:?}");
}

/// The `Effect::SortOrder`s among `effects`: (request, the job).
fn sort_jobs(
    effects: Vec<vnav::app::event::Effect>,
) -> Vec<(u64, vnav::app::table_order::SortJob)> {
    effects
        .into_iter()
        .filter_map(|e| match e {
            vnav::app::event::Effect::SortOrder { req, job } => Some((req, job)),
            _ => None,
        })
        .collect()
}

/// The effects of the ticks due now, as the runtime gives them (a sort's values are read on
/// ticks before its job goes off the UI).
fn ticks(app: &mut App) -> Vec<vnav::app::event::Effect> {
    let mut effects = Vec::new();
    for _ in 0..100 {
        match app.next_deadline() {
            Some(d) if d <= tokio::time::Instant::now() => {
                effects.extend(app.handle(vnav::app::event::Event::Tick).effects)
            }
            _ => break,
        }
    }
    effects
}

/// `:sort <key>`, then the ticks due: the jobs asked for.
fn sort_by(app: &mut App, key: &str) -> Vec<(u64, vnav::app::table_order::SortJob)> {
    let mut effects = command(app, &format!("sort {key}"));
    effects.extend(ticks(app));
    sort_jobs(effects)
}

/// What the runtime does with a `SortOrder`: the job run (on a blocking thread there), its
/// order handed back.
fn built(app: &mut App, req: u64, job: vnav::app::table_order::SortJob) -> vnav::app::Outcome {
    let built = job.run();
    app.handle(vnav::app::event::Event::SortBuilt { req, built })
}

/// `:vm` over 400 VMs on vcd, sorted by name, with orders built off the UI from 100 rows.
fn big_table() -> (App, u64, Vec<(Node, &'static str)>) {
    let mut app = two_endpoints();
    app.sort_off_ui_from = 100;
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    let (req, ep, _) = reqs[0];
    let nodes: Vec<Node> = (0..400).map(|i| row_vm(ep, i)).collect();
    let arrived = nodes.iter().map(|n| (n.clone(), "vcd")).collect();
    one_page(&mut app, req, ep, nodes);
    (app, req, arrived)
}

/// Issue 18, target 3: the first sort of a big table by a column whose order is not kept
/// answers at once (the rows stay in their order, the header says "sorting…") and asks for
/// the order to be built off the UI; when it lands, the rows are sorted by it.
#[tokio::test(start_paused = true)]
async fn a_first_sort_answers_at_once_and_sorts_when_its_order_lands() {
    let (mut app, _, arrived) = big_table();
    let by_name = rows(&app);
    assert!(
        sort_jobs(command(&mut app, "sort cpu")).is_empty(),
        "values read on ticks"
    );
    assert_eq!(rows(&app), by_name, "the rows keep their order meanwhile");
    assert!(app.table.as_ref().unwrap().sorting());
    let mut jobs = sort_jobs(ticks(&mut app));
    assert_eq!(jobs.len(), 1, "one order to build");
    assert_eq!(rows(&app), by_name, "still, until it lands");
    let s = crate::support::screen(&mut app, 120, 20);
    assert!(s.contains("sorted by vCPU ▲ sorting…"), "{s}");
    // `~` meanwhile: the same order serves both directions, nothing more to build.
    assert!(
        sort_jobs(crate::support::key(&mut app, crossterm::event::KeyCode::Char('~')).effects)
            .is_empty()
    );
    let (req, job) = jobs.remove(0);
    assert!(built(&mut app, req, job).redraw);
    assert_eq!(rows(&app), by_cpu(&arrived, true));
    let s = crate::support::screen(&mut app, 120, 20);
    assert!(
        s.contains("sorted by vCPU ▼") && !s.contains("sorting…"),
        "{s}"
    );
    // Kept: sorting by it again is immediate.
    command(&mut app, "sort name");
    assert!(sort_by(&mut app, "cpu").is_empty());
    assert!(!app.table.as_ref().unwrap().sorting());
    assert_eq!(rows(&app), by_cpu(&arrived, false));
}

/// Issue 18, target 3: a sort key that starts an order's build leaves the rows as they are
/// shown without laying the view out again (300,000 rows, on caches pages landing emptied,
/// were most of such a key's time), and so does `~` while it is built.
#[tokio::test(start_paused = true)]
async fn a_sort_waiting_for_its_order_does_not_lay_the_rows_out_again() {
    let (mut app, _, _) = big_table();
    // The State order is the name order grouped, always there: no build, sorted at once.
    assert!(sort_by(&mut app, "state").is_empty());
    assert!(!app.table.as_ref().unwrap().sorting());
    let by_state = rows(&app);
    let version = app.tree.version;
    // The column after State has an order to build.
    let out = crate::support::key(&mut app, crossterm::event::KeyCode::Char('>'));
    assert!(out.redraw, "the header says sorting…");
    assert!(app.table.as_ref().unwrap().sorting());
    assert_eq!(app.tree.version, version, "the view was laid out again");
    crate::support::key(&mut app, crossterm::event::KeyCode::Char('~'));
    assert_eq!(app.tree.version, version, "the view was laid out again");
    assert_eq!(rows(&app), by_state);
    // A sort by a kept column shows at once, cancelling the build.
    command(&mut app, "sort name");
    assert!(!app.table.as_ref().unwrap().sorting());
    assert_ne!(app.tree.version, version);
}

/// A sort superseded by another key is dropped: its order, landing late, changes nothing; the
/// later sort's order sorts the rows.
#[tokio::test(start_paused = true)]
async fn an_order_landing_after_another_sort_is_ignored() {
    let (mut app, _, arrived) = big_table();
    let by_name = rows(&app);
    let (cpu_req, cpu_job) = sort_by(&mut app, "cpu").remove(0);
    let cpu = cpu_job.run();
    assert!(cpu.is_some());
    let (mem_req, mem_job) = sort_by(&mut app, "memory").remove(0);
    let out = app.handle(vnav::app::event::Event::SortBuilt {
        req: cpu_req,
        built: cpu,
    });
    assert!(!out.redraw);
    assert_eq!(rows(&app), by_name, "still as before, waiting for Memory");
    assert!(app.table.as_ref().unwrap().sorting());
    built(&mut app, mem_req, mem_job);
    assert!(!app.table.as_ref().unwrap().sorting());
    // No memory in these rows: by name, as a full sort gives.
    assert_eq!(rows(&app).len(), arrived.len());
    assert_eq!(rows(&app), by_name);
    // Sorting back to a column kept cancels a build in flight.
    let (_, job) = sort_by(&mut app, "cpu").remove(0);
    command(&mut app, "sort name");
    assert!(!app.table.as_ref().unwrap().sorting());
    assert!(job.run().is_none(), "cancelled");
}

/// Rows that arrive and change while the order is built end in it, placed as a full sort
/// places them.
#[tokio::test(start_paused = true)]
async fn rows_arriving_during_the_build_end_fully_sorted() {
    let (mut app, req, mut arrived) = big_table();
    let (sort_req, job) = sort_by(&mut app, "cpu").remove(0);
    let nodes: Vec<Node> = (400..480).map(|i| row_vm(0, i)).collect();
    arrived.extend(nodes.iter().map(|n| (n.clone(), "vcd")));
    land(&mut app, req, 0, nodes);
    assert_eq!(rows(&app).len(), 480, "the new rows shown meanwhile");
    assert!(app.table.as_ref().unwrap().sorting());
    built(&mut app, sort_req, job);
    assert_eq!(rows(&app), by_cpu(&arrived, false));
}

/// `:kind`, answered on the first endpoint with `rows` (name, status label, severity), each
/// about esx-01 (its summary).
fn open(app: &mut App, kind: NodeKind, rows: &[(&str, &str, Severity)]) {
    let name = vnav::api::columns::kind_name(kind).unwrap();
    let reqs = list_kind_reqs(&command(app, name));
    let nodes = (rows.iter())
        .map(|(name, label, severity)| {
            Node::new(kind, format!("ep0/{name}"), *name)
                .with_status(Status::new(*label, *severity))
                .with_summary("esx-01 · health")
        })
        .collect();
    land(app, reqs[0].0, reqs[0].1, nodes);
}

/// `:alerts` lists the most severe first, and `:sort state` orders any table's states worst
/// first (errors, warnings, work in progress, healthy, the rest), each by its words after that.
#[tokio::test(start_paused = true)]
async fn alerts_open_most_severe_first_and_states_sort_worst_first() {
    let mut app = two_endpoints();
    let alerts = [
        ("a", "INFORMATION", Severity::Neutral),
        ("b", "WARNING", Severity::Warn),
        ("c", "IMMEDIATE", Severity::Error),
        ("d", "CRITICAL", Severity::Error),
    ];
    open(&mut app, NodeKind::Alert, &alerts);
    assert_eq!(
        rows(&app),
        ["d", "c", "b", "a"],
        "Critical, Immediate, Warning, Information"
    );
    command(&mut app, "sort name");
    assert_eq!(rows(&app), ["a", "b", "c", "d"]);
    command(&mut app, "sort state");
    assert_eq!(rows(&app), ["d", "c", "b", "a"]);
    command(&mut app, "sort state");
    assert_eq!(
        rows(&app),
        ["a", "b", "c", "d"],
        "descending: the least severe first"
    );

    // VMs: a failed one before a suspended one, before those running, before those off.
    let vms = [
        ("web-1", "POWERED_OFF", Severity::Muted),
        ("web-2", "POWERED_ON", Severity::Ok),
        ("web-3", "SUSPENDED", Severity::Warn),
        ("web-4", "FAILED_CREATION", Severity::Error),
    ];
    open(&mut app, NodeKind::Vm, &vms);
    command(&mut app, "sort state");
    assert_eq!(rows(&app), ["web-4", "web-3", "web-2", "web-1"]);
}

/// `:alerts` over a long alert name (a critical one) and a short one (a warning).
fn long_and_short_alerts() -> App {
    let mut app = two_endpoints();
    let name = "Virtual machine has chronic high CPU workload leading to CPU stress";
    let alerts = [
        (name, "CRITICAL", Severity::Error),
        ("VMware Tools is not running", "WARNING", Severity::Warn),
    ];
    open(&mut app, NodeKind::Alert, &alerts);
    app
}

/// At 100 columns `:alerts`, sorted by state, showed names and states and no resource: the
/// kept state took its room. The name gives down for it, and the state is as wide as its words
/// ("Critical" in 8 cells, not 12), so the resource reads whole.
#[tokio::test(start_paused = true)]
async fn alerts_at_100_columns_show_name_state_and_resource() {
    let mut app = long_and_short_alerts();
    let s = screen(&mut app, 100, 30);
    let row = (s.lines())
        .find(|l| l.contains("Critical"))
        .unwrap_or_else(|| panic!("{s}"));
    assert!(
        row.contains("Virtual machine") && row.contains("esx-01 · health"),
        "{s}"
    );
    assert!(s.contains("State▲ ") && s.contains("Summary"), "{s}");
}

/// A table's title never names a column the pane has no room for: the sort column is the last
/// to give way. At 80 columns `:alerts` (sorted by state) used to show names and resources
/// under "sorted by State"; sorted by name it still shows the resource beside the name.
#[tokio::test(start_paused = true)]
async fn the_sort_column_stays_on_screen_at_80_columns() {
    let mut app = long_and_short_alerts();
    for width in [80, 100] {
        let s = screen(&mut app, width, 24);
        assert!(s.contains("State▲") && s.contains("Critical"), "{s}");
    }
    command(&mut app, "sort name");
    let s = screen(&mut app, 80, 24);
    assert!(s.contains("Name▲") && s.contains("esx-01 · h"), "{s}");
    // VMs sorted by memory show the memory, which 80 columns otherwise drop.
    let vms = [("web-1", "POWERED_ON", Severity::Ok)];
    open(&mut app, NodeKind::Vm, &vms);
    let s = screen(&mut app, 80, 24);
    assert!(!s.contains("Memory"), "{s}");
    command(&mut app, "sort memory");
    let s = screen(&mut app, 80, 24);
    assert!(
        s.contains("Memory▲") && s.contains("sorted by Memory"),
        "{s}"
    );
}

/// At 80 columns a host listed by vCD and by vCenter (one long name) read apart: the name
/// gives down for the state and the endpoint's tag, where the summary took the room and the
/// twins read the same.
#[tokio::test(start_paused = true)]
async fn twins_with_long_names_read_apart_at_80_columns() {
    let mut app = two_endpoints();
    let reqs = list_kind_reqs(&command(&mut app, "host"));
    for (req, ep, _) in reqs {
        let host = Node::new(
            NodeKind::Host,
            format!("ep{ep}/h1"),
            "esx-ams01-01.sim.local",
        )
        .with_summary("3 VMs");
        land(&mut app, req, ep, vec![host]);
    }
    let s = screen(&mut app, 80, 24);
    let rows: Vec<&str> = s
        .lines()
        .filter(|l| l.contains("│ esx-ams01-01.si"))
        .collect();
    assert_eq!(rows.len(), 2, "{s}");
    // By the endpoint's tag, or its whole label where an empty state leaves the room.
    let says = |tag: &str, label: &str| {
        rows.iter()
            .any(|r| r.contains(&format!(" {tag} ")) || r.contains(&format!(" {label} ")))
    };
    assert!(says("vCD", "vcd") && says("vC", "vcenter"), "{s}");
}

/// A column no row on screen fills gives way: datastores have no state, and at 120 columns
/// the empty State column took the room their free space needed.
#[tokio::test(start_paused = true)]
async fn a_column_empty_on_every_row_gives_way_to_one_that_says_something() {
    let mut app = two_endpoints();
    let reqs = list_kind_reqs(&command(&mut app, "datastore"));
    for &(req, ep, _) in &reqs {
        let stores = (0..3)
            .map(|i| {
                Node::new(
                    NodeKind::Datastore,
                    format!("ep{ep}/ds-{i}"),
                    format!("ds-{ep}{i}"),
                )
                .with_summary(format!("{i}.5 TiB free of 7.0 TiB"))
            })
            .collect();
        land(&mut app, req, ep, stores);
    }
    let s = crate::support::screen(&mut app, 120, 30);
    let header = s.lines().find(|l| l.contains("Name▲")).expect(&s);
    assert!(
        header.contains("Summary") && !header.contains("State"),
        "{s}"
    );
    assert!(s.contains("1.5 TiB free"), "{s}");
    // A state on any row on screen keeps the column.
    let reqs = list_kind_reqs(&command(&mut app, "host"));
    for &(req, ep, _) in &reqs {
        let hosts = (0..3)
            .map(|i| {
                let host = Node::new(
                    NodeKind::Host,
                    format!("ep{ep}/h-{i}"),
                    format!("esx-{ep}{i}"),
                );
                match i {
                    0 => host.with_status(Status::new("connected", Severity::Ok)),
                    _ => host,
                }
            })
            .collect();
        land(&mut app, req, ep, hosts);
    }
    let s = crate::support::screen(&mut app, 120, 30);
    let header = s.lines().find(|l| l.contains("Name▲")).expect(&s);
    assert!(header.contains("State"), "{s}");
}
