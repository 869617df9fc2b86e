//! Work nobody waits for stops: a refresh, a collapse or a new selection abandons the job it
//! superseded, so the endpoint's connection slots go to the request that is wanted now.

use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::http::HttpOptions;
use vnav::api::model::ChildBatch;
use vnav::app::App;
use vnav::app::event::{ApiAnswer, Effect};
use vnav::app::tree::{EntryId, Load};
use vnav::sim::SimOptions;

use crate::sim_support::{sim, vcd_app};
use crate::support::*;

fn named(app: &App, name: &str) -> EntryId {
    app.tree
        .iter_all()
        .find(|&id| &*app.tree.get(id).node.name == name)
        .unwrap_or_else(|| panic!("no {name} in the tree"))
}

fn abandoned(effects: &[Effect]) -> Vec<u64> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Abandon { req } => Some(*req),
            _ => None,
        })
        .collect()
}

/// A refresh in the middle of a long walk: the old walk sends no further request (what was
/// already in flight may land), so the whole refresh costs one walk, not two competing ones.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_mid_walk_stops_the_old_walk() {
    let vms = 20_000;
    let s = sim(SimOptions {
        vms,
        latency_ms: 20,
        ..SimOptions::default()
    })
    .await;
    let http = HttpOptions::default();
    let slots = http.concurrency as u64;
    let (mut d, _audit, _dir) = vcd_app(&s, http);
    assert!(d.until(Duration::from_secs(20), |a| a.tree.len() > 3).await);
    let all = named(&d.app, "All VMs");
    d.app.select_entry(all);
    d.key(KeyCode::Char('l'));
    let quarter = vms / 4;
    assert!(
        d.until(Duration::from_secs(60), |a| a.tree.get(all).children.len()
            >= quarter)
            .await
    );
    let before = s.request_count();
    d.ctrl('r');
    assert!(
        d.until(Duration::from_secs(60), |a| *a.tree.get(all).load()
            == Load::Loaded)
            .await,
        "the refreshed listing completes"
    );
    assert!(d.app.tree.get(all).children.len() >= vms);
    let pages = (vms as u64).div_ceil(128);
    let spent = s.request_count() - before;
    eprintln!("REPORT refresh mid-walk: {spent} requests after the refresh, one walk is {pages}");
    // One fresh walk, plus at most the old walk's requests already in flight.
    assert!(
        spent <= pages + slots,
        "{spent} requests after the refresh; one walk is {pages}"
    );
    d.shutdown().await;
}

/// Connects the one endpoint and starts listing its first level; returns that request.
fn connecting(app: &mut App) -> u64 {
    children_req(&connect_first(app))
}

/// Closing a node whose children are still arriving abandons the listing; opening it again
/// starts over rather than showing half a list as if it were whole.
#[test]
fn collapsing_a_loading_node_abandons_its_listing() {
    let mut app = app_with(&["vcd"], false);
    let req = connecting(&mut app);
    let root = app.endpoints[0].root;
    answer(
        &mut app,
        req,
        0,
        ApiAnswer::Children(ChildBatch {
            nodes: vec![vm("vm-1", "web-1", true)],
            ..Default::default()
        }),
    );
    app.select_entry(root);
    let effects = key(&mut app, KeyCode::Char('h')).effects;
    assert_eq!(abandoned(&effects), [req]);
    assert_eq!(*app.tree.get(root).load(), Load::NotLoaded);
    assert!(app.tree.get(root).children.is_empty());
    assert_eq!(app.loading_count(), 0);
    // Late answers of the abandoned listing change nothing.
    let late = answer(&mut app, req, 0, ApiAnswer::ChildrenDone(Ok(())));
    assert!(!late.redraw);
    // Opening it again lists it afresh.
    let again = key(&mut app, KeyCode::Char('l')).effects;
    assert_ne!(children_req(&again), req);
}

/// A refresh abandons the listing it replaces, and nothing else.
#[test]
fn a_refresh_abandons_the_listing_it_replaces() {
    let mut app = app_with(&["vcd"], false);
    let req = connecting(&mut app);
    app.select_entry(app.endpoints[0].root);
    let effects = app.handle(vnav::app::event::Event::Key(
        crossterm::event::KeyEvent::new(
            KeyCode::Char('r'),
            crossterm::event::KeyModifiers::CONTROL,
        ),
    ));
    assert_eq!(abandoned(&effects.effects), [req]);
    assert_ne!(children_req(&effects.effects), req);
}

/// Moving on while a detail read is in flight abandons that read.
#[tokio::test(start_paused = true)]
async fn a_new_selection_abandons_the_detail_read_in_flight() {
    let mut app = app_with(&["vcd"], false);
    let req = connecting(&mut app);
    give_children(
        &mut app,
        req,
        vec![vm("vm-1", "web-1", true), vm("vm-2", "web-2", true)],
    );
    app.select_entry(named(&app, "web-1"));
    tokio::time::advance(Duration::from_millis(500)).await;
    let effects = app.handle(vnav::app::event::Event::Tick).effects;
    let details = effects
        .iter()
        .find_map(|e| match e {
            Effect::Details { req, .. } => Some(*req),
            _ => None,
        })
        .expect("a detail read");
    let effects = key(&mut app, KeyCode::Char('j')).effects;
    assert_eq!(abandoned(&effects), [details]);
}
