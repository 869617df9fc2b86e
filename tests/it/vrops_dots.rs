//! Health dots read in parts: a listing's VM rows are asked for in one bulk read whose answer
//! comes a part (≤ 1,000 VMs) at a time, each placed as it lands, so neither the client nor the
//! app holds every VM's answer at once. Parts land in any order; a part that comes after its
//! rows were listed again, or after the listing they belong to went away, is dropped; an error
//! says how far the dots got and leaves those placed.

use crossterm::event::KeyCode;
use vnav::api::ApiError;
use vnav::api::model::{Health, Node, VmKey};
use vnav::app::App;
use vnav::app::event::{ApiAnswer, Effect};

use crate::support::{answer, find, key, render, screen_text, toast, vm};
use crate::vrops_jump::{UUID_B, dot, dots_asks, give_on, three_endpoints_with};

const N: usize = 2500;

fn vms_b(n: usize) -> Vec<Node> {
    (0..n)
        .map(|i| vm(&format!("vm/vm-{i}"), &format!("b-{i:04}"), true))
        .collect()
}

/// The colour Aria Operations gives the VM at `at` in these tests.
fn colour(at: usize) -> Health {
    [Health::Green, Health::Yellow, Health::Orange, Health::Red][at % 4]
}

/// vc-b's rows with a dot, and whether each has the colour its place was given.
fn dotted(app: &App) -> (usize, bool) {
    let rows: Vec<_> = (0..N)
        .filter_map(|i| app.tree.find(1, &format!("vm/vm-{i}")).first().copied())
        .map(|e| app.tree.get(e).node.clone())
        .collect();
    let with = rows.iter().filter(|n| n.health.is_some()).count();
    let right = rows.iter().all(|n| {
        let at: usize = n.id.as_str()["vm/vm-".len()..].parse().unwrap();
        n.health.is_none_or(|h| h == colour(at))
    });
    (with, right)
}

fn root_of(app: &App, endpoint: usize) -> u32 {
    let roots = app.tree.roots().iter().copied();
    roots
        .filter(|&r| app.tree.get(r).endpoint() == endpoint)
        .find(|&r| app.tree.get(r).parent().is_none())
        .unwrap()
}

/// vc-b's ask: (req, its keys).
fn ask_b(effects: &[Effect]) -> (u64, Vec<VmKey>) {
    let asks = dots_asks(effects);
    let (req, ep, keys) = asks
        .into_iter()
        .find(|a| a.2.first().is_some_and(|k| k.vcid.as_str() == UUID_B))
        .unwrap_or_else(|| panic!("no dots asked for vc-b: {effects:?}"));
    assert_eq!(ep, 2, "asked of Aria Operations");
    (req, keys)
}

/// The dots of the VMs at `range` in the ask.
fn part(keys: &[VmKey], range: std::ops::Range<usize>) -> ApiAnswer {
    let dots = range
        .map(|at| dot(at as u32, &keys[at], colour(at)))
        .collect();
    ApiAnswer::VmHealth(dots)
}

#[tokio::test(start_paused = true)]
async fn dots_arriving_in_parts_all_land_in_any_order() {
    let (mut app, effects) = three_endpoints_with(vms_b(N));
    let (req, keys) = ask_b(&effects);
    assert_eq!(keys.len(), N, "one read for the listing's every VM");
    assert_eq!(keys[7], VmKey::new(UUID_B, "vm-7"));
    // The last part first: each is placed as it lands, whatever the order.
    assert!(answer(&mut app, req, 2, part(&keys, 2000..N)).redraw);
    assert_eq!(dotted(&app), (500, true));
    answer(&mut app, req, 2, part(&keys, 0..1000));
    assert_eq!(dotted(&app), (1500, true));
    answer(&mut app, req, 2, part(&keys, 1000..2000));
    assert_eq!(dotted(&app), (N, true));
    let effects = answer(&mut app, req, 2, ApiAnswer::VmHealthDone(Ok(()))).effects;
    assert!(dots_asks(&effects).is_empty(), "not asked again");
    assert!(toast(&app).is_empty(), "{}", toast(&app));
    let buf = render(&mut app, 160, 45);
    let (x, y) = find(&buf, "b-0003").unwrap();
    let cell = &buf[(x + 7, y)];
    assert_eq!(cell.symbol(), "♥", "{}", screen_text(&buf));
    assert_eq!(cell.fg, app.theme.health(Health::Red).fg.unwrap());
}

/// An error in one part: the parts placed before it stay, and a message says how far the dots
/// got and why they stopped. Nothing of that read is placed after it.
#[tokio::test(start_paused = true)]
async fn an_error_in_one_part_keeps_the_dots_placed_and_says_why() {
    let (mut app, effects) = three_endpoints_with(vms_b(N));
    let (req, keys) = ask_b(&effects);
    answer(&mut app, req, 2, part(&keys, 0..1000));
    let failed = ApiError::Server {
        status: 503,
        code: None,
        message: "Service Unavailable".into(),
    };
    let shown = failed.to_string();
    assert!(answer(&mut app, req, 2, ApiAnswer::VmHealthDone(Err(failed))).redraw);
    assert_eq!(dotted(&app), (1000, true), "the first part stays");
    let toast = toast(&app);
    assert!(
        toast.contains("ops: health dots stopped after 1000 of 2500 VMs"),
        "{toast}"
    );
    assert!(toast.contains(&shown), "{toast}");
    assert!(!answer(&mut app, req, 2, part(&keys, 1000..2000)).redraw);
    assert_eq!(dotted(&app), (1000, true));
}

/// The user lists vc-b again while its dots are read: the read is stopped (no more requests),
/// a part still on its way is dropped, and the new listing asks for the rows without a dot,
/// not for those already dotted. A part of the old read landing after the new listing (its
/// places now other rows, slots reused) is dropped too.
#[tokio::test(start_paused = true)]
async fn a_part_after_the_rows_were_listed_again_is_dropped() {
    let (mut app, effects) = three_endpoints_with(vms_b(N));
    let (req, keys) = ask_b(&effects);
    answer(&mut app, req, 2, part(&keys, 0..1000));
    let root_b = root_of(&app, 1);
    app.select_entry(root_b);
    let effects = key(&mut app, KeyCode::F(5)).effects;
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Abandon { req: r } if *r == req)),
        "the read is stopped: {effects:?}"
    );
    let relist = crate::support::children_req_on(&effects, 1);
    assert!(!answer(&mut app, req, 2, part(&keys, 1000..2000)).redraw);
    assert_eq!(dotted(&app), (1000, true), "the late part is dropped");

    // The new list: the first 100 VMs are gone, 100 others came.
    let mut again = vms_b(N);
    again.drain(..100);
    again.extend((N..N + 100).map(|i| vm(&format!("vm/vm-{i}"), &format!("b-{i:04}"), true)));
    let effects = give_on(&mut app, relist, 1, again);
    let (req2, keys2) = ask_b(&effects);
    assert_ne!(req2, req);
    let rows: Vec<Node> = (app.tree.get(root_b).children.iter())
        .map(|&c| app.tree.get(c).node.clone())
        .collect();
    assert_eq!(rows.len(), N);
    let kept = rows.iter().filter(|n| n.health.is_some()).count();
    assert_eq!(keys2.len() + kept, N, "asked for every row without a dot");
    let asked_dotted = rows.iter().filter(|n| {
        let moid = &n.id.as_str()["vm/".len()..];
        n.health.is_some() && keys2.contains(&VmKey::new(UUID_B, moid))
    });
    assert_eq!(asked_dotted.count(), 0, "not for those with one");
    // The old read's parts, whatever they name, place nothing now.
    let before = app.tree.version;
    assert!(!answer(&mut app, req, 2, part(&keys, 2000..N)).redraw);
    assert_eq!(app.tree.version, before);
    let after = (app.tree.get(root_b).children.iter())
        .filter(|&&c| app.tree.get(c).node.health.is_some())
        .count();
    assert_eq!(after, kept);
    assert!(dotted(&app).1);
}

/// The rows' listing went away (its entry freed, its slot reused) before a part came: the part
/// is dropped and the read stopped; no row that took a freed slot gets a dot.
#[tokio::test(start_paused = true)]
async fn a_part_after_its_listing_went_away_is_dropped() {
    use vnav::api::model::NodeKind;
    let (mut app, effects) = three_endpoints_with(vec![crate::support::group(
        NodeKind::Folder,
        "group-v1",
        "Discovered",
    )]);
    let on_b = |a: &(u64, usize, Vec<VmKey>)| a.2.iter().any(|k| k.vcid.as_str() == UUID_B);
    assert!(!dots_asks(&effects).iter().any(on_b), "no VM rows yet");
    let folder = app.tree.find(1, "group-v1")[0];
    app.select_entry(folder);
    let effects = key(&mut app, KeyCode::Enter).effects;
    let listing = crate::support::children_req_on(&effects, 1);
    let effects = give_on(&mut app, listing, 1, vms_b(N));
    let (req, keys) = ask_b(&effects);
    answer(&mut app, req, 2, part(&keys, 0..1000));
    assert_eq!(dotted(&app).0, 1000);

    // vc-b listed again without that folder: it and its rows are freed, and the VMs come
    // straight under the endpoint (reusing their slots).
    let root_b = root_of(&app, 1);
    app.select_entry(root_b);
    let effects = key(&mut app, KeyCode::F(5)).effects;
    let relist = crate::support::children_req_on(&effects, 1);
    let effects = give_on(&mut app, relist, 1, vms_b(N));
    assert!(!app.tree.is_live(folder) || app.tree.find(1, "group-v1").is_empty());
    let (req2, _) = ask_b(&effects);
    assert_ne!(req2, req);
    let out = answer(&mut app, req, 2, part(&keys, 1000..2000));
    assert!(!out.redraw);
    assert_eq!(
        dotted(&app),
        (0, true),
        "the new rows have none of the old read's dots"
    );
}

/// `:vm` shows each VM's health right after its name, in its colour, as the tree does: the
/// dots read for a table's rows are seen where the rows are.
#[tokio::test(start_paused = true)]
async fn the_vm_table_shows_each_rows_health_after_its_name() {
    let (mut app, _) = three_endpoints_with(vms_b(8));
    let mut effects = crate::support::keys(&mut app, ":vm");
    effects.extend(key(&mut app, KeyCode::Enter).effects);
    let mut asks = Vec::new();
    for e in effects {
        if let Effect::ListKind { req, endpoint, .. } = e {
            let nodes = if endpoint == 1 { vms_b(8) } else { Vec::new() };
            asks.extend(dots_asks(&give_on(&mut app, req, endpoint, nodes)));
        }
    }
    let (req, _, keys) = asks
        .into_iter()
        .find(|a| a.2.len() == 8)
        .expect("vc-b's rows asked");
    answer(&mut app, req, 2, part(&keys, 0..8));
    let buf = render(&mut app, 160, 45);
    assert!(screen_text(&buf).contains("VMs ("), "{}", screen_text(&buf));
    let (x, y) = find(&buf, "b-0003 ").unwrap();
    let cell = &buf[(x + 7, y)];
    assert_eq!(cell.symbol(), "♥", "{}", screen_text(&buf));
    assert_eq!(cell.fg, app.theme.health(colour(3)).fg.unwrap());
}
