//! Health dots landing on a `:vm` table (`App::place_health`): on a table that orders and
//! filters by nothing the health feeds, a dot is a redraw and costs the table nothing (no
//! sync, no recheck, the rows as they were); on one sorted by a column that reads the health
//! (`columns::HEALTH`, for tests), the rows follow the dots.

use super::*;
use crate::api::model::{Capabilities, ChildBatch, EndpointInfo, Health, Product, VmHealth, VmKey};
use crate::app::EndpointSpec;
use crate::app::event::{ApiAnswer, ApiEvent, Event};
use crate::theme::Theme;

const UUIDS: [&str; 2] = [
    "aaaaaaaa-0000-0000-0000-000000000001",
    "bbbbbbbb-0000-0000-0000-000000000002",
];

/// The colour Aria Operations gives the VM of number `i`.
fn colour(i: usize) -> Health {
    [Health::Green, Health::Red, Health::Yellow, Health::Orange][i * 7 % 4]
}

/// vc-a and vc-b (`n` VMs each, `web-<i>`) and ops (Aria Operations), connected, and `:vm`
/// over them listed; with `health`, the table also shows `columns::HEALTH`. Returns the
/// health reads asked: (req, endpoint, VMs).
fn listed(n: usize, health: bool) -> (App, Vec<(ReqId, EndpointId, Vec<VmKey>)>) {
    let spec = EndpointSpec::named;
    let specs = vec![spec("vc-a"), spec("vc-b"), spec("ops")];
    let mut app = App::new(specs, Theme::default(), false);
    app.handle(Event::Resize(120, 40));
    for e in app.start() {
        let Effect::Connect { req, endpoint } = e else {
            continue;
        };
        let (product, capabilities) = match endpoint {
            2 => (Product::Vrops, Capabilities::MONITOR),
            _ => (Product::Vcenter, Capabilities::ALL),
        };
        let info = EndpointInfo {
            product,
            url: format!("https://ep{endpoint}"),
            user: "u".into(),
            api_version: "x".into(),
            capabilities,
            instance_uuid: UUIDS.get(endpoint).map(|u| u.to_string()),
        };
        app.answered(req, endpoint, ApiAnswer::Connected(Ok(info)));
    }
    app.run_command("vm");
    if health {
        app.table.as_mut().unwrap().cols.push(columns::HEALTH);
    }
    let lists = app.take_list_kinds();
    let mut asks = Vec::new();
    for (req, endpoint) in lists {
        let count = if endpoint < 2 { n } else { 0 };
        // Names in another order than the VMs' numbers, so the dots land scattered.
        let nodes = (0..count)
            .map(|i| Node::new(NodeKind::Vm, format!("vm/vm-{i}"), format!("web-{}", n - i)))
            .collect();
        let batch = ChildBatch {
            nodes,
            ..Default::default()
        };
        app.answered(req, endpoint, ApiAnswer::Children(batch));
        let done = app.answered(req, endpoint, ApiAnswer::ChildrenDone(Ok(())));
        asks.extend(done.into_iter().filter_map(|e| match e {
            Effect::VmHealth { req, endpoint, vms } => Some((req, endpoint, vms)),
            _ => None,
        }));
    }
    assert_eq!(app.tree.visible().len(), 2 * n);
    assert_eq!(asks.len(), 2, "one health read per vCenter");
    (app, asks)
}

/// The dots of the VMs at `range` of an ask.
fn part(vms: &[VmKey], range: std::ops::Range<usize>) -> ApiAnswer {
    let dots = range
        .map(|at| VmHealth {
            at: at as u32,
            key: vms[at].clone(),
            health: colour(vms[at].moid["vm-".len()..].parse().unwrap()),
        })
        .collect();
    ApiAnswer::VmHealth(dots)
}

/// The table's rows as drawn: (name, endpoint).
fn rows(app: &App) -> Vec<(String, usize)> {
    (app.tree.visible().iter())
        .map(|&r| {
            (
                app.tree.get(r).node.name.to_string(),
                app.tree.get(r).endpoint(),
            )
        })
        .collect()
}

/// Dots on a table sorted by name: each part lands as a redraw and nothing more. The tree's
/// content does not change, so the table neither syncs its index nor rechecks an order,
/// and its rows stay as they were, each with its dot.
#[test]
fn dots_on_a_table_sorted_by_name_leave_its_order_alone() {
    let (mut app, asks) = listed(30, false);
    let before = rows(&app);
    let t = app.table.as_ref().unwrap();
    let (built_for, rechecks) = (t.built_for, t.index.rechecks);
    let content = app.tree.content;
    for (req, endpoint, vms) in &asks {
        for from in (0..vms.len()).step_by(7) {
            let range = from..(from + 7).min(vms.len());
            let out = app.handle(Event::Api(ApiEvent {
                req: *req,
                endpoint: *endpoint,
                result: part(vms, range),
            }));
            assert!(out.redraw, "a dot is drawn");
            app.before_frame();
        }
    }
    let t = app.table.as_ref().unwrap();
    assert_eq!(app.tree.content, content, "no change of content");
    assert_eq!(t.built_for, built_for, "the table not laid out again");
    assert_eq!(t.index.rechecks, rechecks, "no order rechecked");
    assert_eq!(rows(&app), before, "the rows as they were");
    let dotted = (app.tree.visible().iter())
        .filter(|&&r| app.tree.get(r).node.health.is_some())
        .count();
    assert_eq!(dotted, 60, "every row has its dot");
}

/// Sorted by a column the health feeds, the rows follow the dots as they land, a few at a
/// time (each part a change the index rechecks and merges), and when one changes colour.
#[test]
fn dots_reorder_a_table_sorted_by_a_column_they_feed() {
    let (mut app, asks) = listed(30, true);
    app.sort_table_by("health");
    app.before_frame();
    assert!(app.table.as_ref().unwrap().reads_health());
    // The column's value, unknowns last.
    let rank = |node: &Node| match columns::value(node, ColumnId::Health, "") {
        columns::Value::Number(n) => (n.is_none(), n),
        v => panic!("{v:?}"),
    };
    let want = |app: &App| -> Vec<(String, usize)> {
        let mut r: Vec<((bool, Option<u64>), String, usize)> = (app.tree.visible().iter())
            .map(|&r| {
                let e = app.tree.get(r);
                (rank(&e.node), e.node.name.to_string(), e.endpoint())
            })
            .collect();
        r.sort_by(|a, b| {
            (a.0.cmp(&b.0))
                .then_with(|| columns::natural_cmp(&a.1, &b.1))
                .then(a.2.cmp(&b.2))
        });
        r.into_iter().map(|(_, n, e)| (n, e)).collect()
    };
    let rechecks = app.table.as_ref().unwrap().index.rechecks;
    for (req, endpoint, vms) in &asks {
        for from in (0..vms.len()).step_by(3) {
            let range = from..(from + 3).min(vms.len());
            app.answered(*req, *endpoint, part(vms, range));
            app.before_frame();
            assert_eq!(rows(&app), want(&app), "after the dots of {from}..");
        }
    }
    let t = app.table.as_ref().unwrap();
    assert!(
        t.index.rechecks > rechecks,
        "the dots were changes the order rechecked"
    );
    let first = (app.tree.visible().iter())
        .map(|&r| app.tree.get(r).node.health)
        .next();
    assert_eq!(first, Some(Some(Health::Red)), "worst first");
    // One VM's details say another colour: it moves.
    let e = app.tree.visible()[0];
    app.place_health(e, Some(Health::Green));
    app.handle(Event::Tick);
    app.before_frame();
    assert_eq!(rows(&app), want(&app));
    assert_ne!(app.tree.visible()[0], e);
}
