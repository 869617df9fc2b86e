//! Issue 18, targets 2 and 4, at the App level: while listings pour rows into a table, each
//! rebuild takes as many new rows as its time budget allows (learnt from how long the last
//! ones took, read from a clock the test gives), and an endpoint's first rows are drawn as soon
//! as they land, not after the throttle that holds a big table's rebuilds back.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use vnav::api::model::{ChildBatch, Node};
use vnav::app::App;
use vnav::app::event::{ApiAnswer, Event};

use crate::app_command::{command, list_kind_reqs, rows, two_endpoints};
use crate::support::{answer, vm};

fn page(app: &mut App, req: u64, ep: usize, nodes: Vec<Node>) {
    let batch = ChildBatch {
        nodes,
        ..Default::default()
    };
    answer(app, req, ep, ApiAnswer::Children(batch));
}

/// A clock each reading of which is `cost` µs after the one before: a rebuild (read at its
/// start and its end) takes `cost`.
fn ticking(cost: &Arc<AtomicU64>) -> vnav::app::table_budget::Clock {
    let (cost, now) = (cost.clone(), Arc::new(AtomicU64::new(0)));
    Arc::new(move || {
        let c = cost.load(Ordering::Relaxed);
        Duration::from_micros(now.fetch_add(c, Ordering::Relaxed) + c)
    })
}

fn table_rows(app: &App) -> usize {
    app.table.as_ref().map_or(0, |t| t.total)
}

/// Ticks the app while it asks for one at once (rows wait for the sort index); returns the
/// rows each tick's rebuild added.
fn steps(app: &mut App, n: usize) -> Vec<usize> {
    let mut added = Vec::new();
    for _ in 0..n {
        let due = app.next_deadline().expect("rows wait: a tick is asked for");
        assert!(due <= tokio::time::Instant::now(), "at once");
        let before = table_rows(app);
        app.handle(Event::Tick);
        added.push(table_rows(app) - before);
    }
    added
}

#[tokio::test(start_paused = true)]
async fn a_rebuild_takes_the_rows_its_time_budget_allows() {
    let mut app = two_endpoints();
    let cost = Arc::new(AtomicU64::new(1_000));
    app.set_rebuild_clock(ticking(&cost));
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    let (req, ep, _) = reqs[0];
    // 60,000 distinct names in no order (7919 is prime to 60,000).
    let n = 60_000;
    let nodes = (0..n)
        .map(|i| vm(&format!("vm-{i}"), &format!("web-{}", i * 7919 % n), true))
        .collect();
    page(&mut app, req, ep, nodes);
    assert_eq!(
        table_rows(&app),
        512,
        "the first rebuild, untimed: 512 rows"
    );
    // Rebuilds of 1 ms against a budget of 6: twice the rows each time (never more at once).
    assert_eq!(steps(&mut app, 4), [1024, 2048, 4096, 8192]);
    // One of 12 ms: twice over the budget, so the next takes half as many.
    cost.store(12_000, Ordering::Relaxed);
    assert_eq!(steps(&mut app, 2), [16_384, 8192]);
    // The rest, then every row in name order.
    while table_rows(&app) < n {
        steps(&mut app, 1);
    }
    let want: Vec<String> = (0..n).map(|k| format!("web-{k}")).collect();
    assert_eq!(rows(&app), want);
}

#[tokio::test(start_paused = true)]
async fn an_endpoints_first_rows_show_at_once_while_another_pours_in() {
    let mut app = two_endpoints();
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    let (vcd, vcenter) = (reqs[0], reqs[1]);
    // The vCD's listing runs on: 25,000 rows so far, all in the table (a big one, whose
    // rebuilds wait for the throttle unless many rows wait).
    for p in 0..25 {
        let nodes = (p * 1000..(p + 1) * 1000)
            .map(|i| vm(&format!("cd-{i}"), &format!("cd-{i}"), true))
            .collect();
        page(&mut app, vcd.0, vcd.1, nodes);
    }
    while table_rows(&app) < 25_000 {
        tokio::time::advance(Duration::from_millis(300)).await;
        app.handle(Event::Tick);
    }
    // The vCenter's first page: a few rows, just after a rebuild.
    let nodes = (0..5)
        .map(|i| vm(&format!("vc-{i}"), &format!("vc-{i}"), true))
        .collect();
    page(&mut app, vcenter.0, vcenter.1, nodes);
    assert_eq!(table_rows(&app), 25_005, "drawn at once");
    assert!(rows(&app).iter().any(|r| r == "vc-0"));
}

/// The vCenter's first page lands while thousands of the vCD's rows wait for the sort index
/// (they come first in the roots' order and fill a rebuild's share): its rows are drawn at
/// once all the same, not ticks later behind the vCD's.
#[tokio::test(start_paused = true)]
async fn an_endpoints_first_rows_show_at_once_while_another_has_rows_waiting() {
    let mut app = two_endpoints();
    app.set_rebuild_clock(ticking(&Arc::new(AtomicU64::new(1_000))));
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    let (vcd, vcenter) = (reqs[0], reqs[1]);
    let nodes = (0..20_000)
        .map(|i| vm(&format!("cd-{i}"), &format!("cd-{i}"), true))
        .collect();
    page(&mut app, vcd.0, vcd.1, nodes);
    assert_eq!(table_rows(&app), 512, "the vCD's rows wait");
    let nodes = (0..5)
        .map(|i| vm(&format!("vc-{i}"), &format!("vc-{i}"), true))
        .collect();
    page(&mut app, vcenter.0, vcenter.1, nodes);
    let shown = rows(&app);
    assert_eq!(
        shown.iter().filter(|r| r.starts_with("vc-")).count(),
        5,
        "drawn at once"
    );
    assert!(
        shown.len() < 20_005,
        "the vCD's rows still wait: {}",
        shown.len()
    );
    // The rest comes in on ticks, every row once.
    while table_rows(&app) < 20_005 {
        steps(&mut app, 1);
    }
    assert_eq!(rows(&app).len(), 20_005);
}

#[tokio::test(start_paused = true)]
async fn pages_landing_while_rows_wait_leave_the_next_share_to_the_tick() {
    let mut app = two_endpoints();
    app.set_rebuild_clock(ticking(&Arc::new(AtomicU64::new(1_000))));
    let reqs = list_kind_reqs(&command(&mut app, "vm"));
    let (req, ep, _) = reqs[0];
    let vms = |from: usize, to: usize| {
        (from..to)
            .map(|i| vm(&format!("vm-{i}"), &format!("web-{i}"), true))
            .collect()
    };
    page(&mut app, req, ep, vms(0, 5000));
    assert_eq!(table_rows(&app), 512);
    // More pages while rows wait: appended, no rebuild each.
    for p in 0..3 {
        page(&mut app, req, ep, vms(5000 + p * 100, 5100 + p * 100));
    }
    assert_eq!(table_rows(&app), 512, "pages merge nothing while rows wait");
    // The tick takes the next share (twice the first: 1 ms against 6).
    assert_eq!(steps(&mut app, 1), [1024]);
}

/// As the event loop runs the app (`App::lay_out_per_frame`): slices take rows into the sort
/// index without laying the view out (a layout between two frames is never seen), and the
/// frame, or a key, lays out what they took, once: the same rows a layout after every slice
/// shows.
#[tokio::test(start_paused = true)]
async fn slices_take_rows_in_and_the_next_frame_or_key_lays_them_out() {
    let open = |per_frame: bool| {
        let mut app = two_endpoints();
        if per_frame {
            app.lay_out_per_frame();
        }
        app.set_rebuild_clock(ticking(&Arc::new(AtomicU64::new(1_000))));
        let reqs = list_kind_reqs(&command(&mut app, "vm"));
        let (req, ep, _) = reqs[0];
        let n = 6_000;
        let nodes = (0..n)
            .map(|i| vm(&format!("vm-{i}"), &format!("web-{}", i * 7919 % n), true))
            .collect();
        page(&mut app, req, ep, nodes);
        app
    };
    let (mut each, mut framed) = (open(false), open(true));
    // The page's first share taken in; the frame lays it out.
    framed.before_frame();
    assert_eq!(rows(&framed), rows(&each));
    let version = framed.tree.version;
    for _ in 0..3 {
        each.handle(Event::Tick);
        assert!(framed.handle(Event::Tick).redraw, "a frame to lay them out");
    }
    assert_eq!(framed.tree.version, version, "no layout between frames");
    assert_ne!(rows(&framed), rows(&each));
    framed.before_frame();
    assert_eq!(rows(&framed), rows(&each), "laid out for the frame");
    let version = framed.tree.version;
    framed.before_frame();
    assert_eq!(framed.tree.version, version, "once");
    // A key sees the rows a frame would show.
    each.handle(Event::Tick);
    framed.handle(Event::Tick);
    crate::support::key(&mut each, crossterm::event::KeyCode::Char('j'));
    crate::support::key(&mut framed, crossterm::event::KeyCode::Char('j'));
    assert_eq!(rows(&framed), rows(&each), "laid out before the key");
    assert_eq!(framed.cursor.selected, each.cursor.selected);
}
