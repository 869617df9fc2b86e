//! The detail pane's typed sections as Aria Operations fills them: badges and alerts as tables
//! in their health colours, a day of metrics as sparklines, and rows that lead to another node
//! (Enter opens it in the tree).

use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::model::{Health, Node, NodeKind, Section, Series, Table, TableRow};
use vnav::app::Pane;
use vnav::app::event::{ApiAnswer, Effect, Event};

use crate::app_ui::{connected, details, with_vms};
use crate::support::{answer, find, key, render, screen_text};

/// Waits out the detail debounce and answers the details request with `d`.
async fn show(app: &mut vnav::app::App, d: vnav::api::model::Details) {
    tokio::time::advance(Duration::from_millis(130)).await;
    let req = details_req(&app.handle(Event::Tick).effects).expect("a details request");
    answer(app, req, 0, ApiAnswer::Details(Box::new(Ok(d))));
}

fn details_req(effects: &[Effect]) -> Option<u64> {
    effects.iter().find_map(|e| match e {
        Effect::Details { req, .. } => Some(*req),
        _ => None,
    })
}

fn row(cells: &[&str], health: Option<Health>, target: Option<Node>) -> TableRow {
    TableRow {
        cells: cells.iter().map(|c| c.to_string()).collect(),
        health,
        target: target.map(Box::new),
    }
}

fn table(columns: &[&str], rows: Vec<TableRow>) -> Option<Table> {
    Some(Table {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    })
}

#[tokio::test(start_paused = true)]
async fn badges_alerts_and_a_day_of_metrics_draw_in_their_colours() {
    let mut app = connected();
    with_vms(&mut app);
    let mut d = details("vm/1", "web-01");
    let mut badges = Section::new("Badges");
    badges.table = table(
        &["Badge", "Colour", "Score"],
        vec![
            row(&["health", "red", "12"], Some(Health::Red), None),
            row(&["risk", "orange", "60"], Some(Health::Orange), None),
            row(&["efficiency", "green", "100"], Some(Health::Green), None),
        ],
    );
    let mut day = Section::new("Last 24 h");
    // Quiet all day, flat out for the last four hours: the sparkline climbs from a low bar
    // to its highest.
    let mut cpu = vec![20.0; 240];
    cpu.extend([100.0; 48]);
    day.series.push(Series::new("CPU usage", "%", cpu));
    // A quiet VM: 5 % is not idle, so it shows the lowest bar, not blanks.
    day.series
        .push(Series::new("Memory usage", "%", vec![5.0; 288]));
    d.sections = vec![badges, day];
    show(&mut app, d).await;
    let buf = render(&mut app, 160, 45);
    let text = screen_text(&buf);
    for (word, health) in [
        ("health", Health::Red),
        ("risk", Health::Orange),
        ("efficiency", Health::Green),
    ] {
        let (x, y) = find(&buf, word).unwrap_or_else(|| panic!("{word}:\n{text}"));
        assert_eq!(
            buf[(x, y)].fg,
            app.theme.health(health).fg.unwrap(),
            "{word} in its colour"
        );
    }
    assert_ne!(
        app.theme.health(Health::Orange).fg,
        app.theme.health(Health::Red).fg
    );
    let (x, y) = find(&buf, "CPU usage").expect("the series row");
    let line: String = text.lines().nth(y as usize).unwrap().to_string();
    assert!(line.contains("100.0 %"), "latest value: {line}");
    let bars: Vec<char> = line
        .chars()
        .skip(x as usize)
        .filter(|c| "▁▂▃▄▅▆▇█".contains(*c))
        .collect();
    assert_eq!(bars.last(), Some(&'█'), "the last hours at the top: {line}");
    assert_eq!(bars.first(), Some(&'▁'), "a fifth of 100 %: {line}");
    assert!(bars.len() > 40, "the day spreads over the pane: {line}");
    let (x, y) = find(&buf, "Memory usage").expect("the quiet series");
    let line: String = text.lines().nth(y as usize).unwrap().to_string();
    let quiet: String = line
        .chars()
        .skip(x as usize)
        .skip_while(|c| *c != '%')
        .skip(1)
        .filter(|c| !c.is_whitespace() && *c != '│')
        .collect();
    assert!(
        quiet.chars().count() > 40 && quiet.chars().all(|c| c == '▁'),
        "{line}"
    );
}

#[tokio::test(start_paused = true)]
async fn enter_on_a_related_row_selects_that_node_in_the_tree() {
    let mut app = connected();
    with_vms(&mut app);
    let host = Node::new(NodeKind::Host, "res/host-1", "esx-01").expandable(true);
    // Already in the tree: selected where it is, not added again.
    let sibling = Node::new(NodeKind::Vm, "vm/2", "db-01");
    let mut d = details("vm/1", "web-01");
    let mut parents = Section::new("Parents");
    parents.table = table(
        &["Health", "Kind", "Name"],
        vec![
            row(
                &["green", "HostSystem", "esx-01"],
                Some(Health::Green),
                Some(host.clone()),
            ),
            row(&["", "", "not navigable"], None, None),
            row(
                &["yellow", "VirtualMachine", "db-01"],
                Some(Health::Yellow),
                Some(sibling),
            ),
        ],
    );
    d.sections.push(parents);
    show(&mut app, d).await;
    key(&mut app, KeyCode::Tab);
    assert_eq!(app.focus, Pane::Detail);
    // The first row that leads somewhere is picked and drawn selected.
    assert_eq!(app.detail_targets().len(), 2);
    let buf = render(&mut app, 160, 45);
    let (x, y) = find(&buf, "esx-01").unwrap();
    assert_eq!(
        buf[(x, y)].bg,
        app.theme.style(vnav::theme::Role::Selection).bg.unwrap()
    );

    // n skips the row that leads nowhere.
    key(&mut app, KeyCode::Char('n'));
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.focus, Pane::Tree);
    let sel = app.selected_entry().unwrap();
    assert_eq!((&*sel.node.id.as_str(), &*sel.node.name), ("vm/2", "db-01"));
    assert_eq!(app.tree.find(0, "vm/2").len(), 1, "not added twice");

    // Back on web-01 (cached), N wraps to the host, which the tree does not have yet.
    key(&mut app, KeyCode::Up);
    assert_eq!(&*app.selected_entry().unwrap().node.name, "web-01");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char('N'));
    key(&mut app, KeyCode::Char('N'));
    key(&mut app, KeyCode::Enter);
    let sel = app.selected_entry().unwrap();
    assert_eq!(sel.node, host);
    assert_eq!(app.tree.find(0, "res/host-1").len(), 1);
    // Its details load like any selection's.
    tokio::time::advance(Duration::from_millis(130)).await;
    let effects = app.handle(Event::Tick).effects;
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Details { node, .. } if node.id == host.id)),
        "{effects:?}"
    );
}

/// An alert row's long name is cut at its column, so its description and recommendation
/// start where their headings do instead of being pushed off the pane.
#[tokio::test(start_paused = true)]
async fn long_alert_cells_are_cut_so_the_next_columns_stay_in_view() {
    let mut app = connected();
    with_vms(&mut app);
    let mut d = details("vm/1", "web-01");
    let mut alerts = Section::new("Active alerts");
    let long = "Host has CPU contention caused by overpopulation of virtual machines";
    alerts.table = table(
        &[
            "Criticality",
            "Age",
            "Alert",
            "Description",
            "Recommendation",
        ],
        vec![row(
            &[
                "immediate",
                "2 h",
                long,
                "VMs wait for CPU",
                "Add hosts to the cluster",
            ],
            Some(Health::Orange),
            None,
        )],
    );
    d.sections = vec![alerts];
    show(&mut app, d).await;
    let buf = render(&mut app, 220, 45);
    let text = screen_text(&buf);
    let (heading, _) = find(&buf, "Description").expect("the heading");
    let (cell, y) = find(&buf, "VMs wait for CPU").unwrap_or_else(|| panic!("{text}"));
    assert_eq!(cell, heading, "the description under its heading:\n{text}");
    let (rec_heading, _) = find(&buf, "Recommendation").expect("the heading");
    let (rec, _) = find(&buf, "Add ho").unwrap_or_else(|| panic!("{text}"));
    assert_eq!(
        rec, rec_heading,
        "the recommendation under its heading:\n{text}"
    );
    let line = text.lines().nth(y as usize).unwrap();
    assert!(!line.contains(long), "cut at its column: {line}");
    assert!(line.contains("caused by overp…"), "{line}");
}
