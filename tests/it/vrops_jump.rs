//! One VM across products in the app: two vCenters whose VMs share a moid and an Aria
//! Operations endpoint. Loaded VM rows get health dots from one bulk read, a VM's details
//! gain its health, alerts and day of metrics, and `i` jumps to its resource and back, never
//! to the other vCenter's VM of the same moid.

use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::model::{
    Capabilities, EndpointInfo, Health, Node, NodeKind, Product, Series, VmHealth, VmInsight, VmKey,
};
use vnav::app::App;
use vnav::app::event::{ApiAnswer, Effect, Event};

use crate::app_ui::details;
use crate::support::{answer, app_with, find, give_children, key, render, screen_text, toast, vm};

pub(crate) const UUID_A: &str = "aaaaaaaa-0000-0000-0000-000000000001";
pub(crate) const UUID_B: &str = "bbbbbbbb-0000-0000-0000-000000000002";

fn info(
    product: Product,
    url: &str,
    uuid: Option<&str>,
    capabilities: Capabilities,
) -> EndpointInfo {
    EndpointInfo {
        product,
        url: url.into(),
        user: "admin".into(),
        api_version: "x".into(),
        capabilities,
        instance_uuid: uuid.map(str::to_string),
    }
}

/// vc-a and vc-b (each listing a vm-42) and ops, all connected; returns the effects of the
/// listings' answers.
fn three_endpoints() -> (App, Vec<Effect>) {
    let on_b = vec![vm("vm/vm-42", "web-b", true), vm("vm/vm-7", "db-b", true)];
    three_endpoints_with(on_b)
}

/// vc-a (listing a vm-42), vc-b listing `on_b` and ops, all connected; returns the effects of
/// the listings' answers.
pub(crate) fn three_endpoints_with(on_b: Vec<Node>) -> (App, Vec<Effect>) {
    let mut app = app_with(&["vc-a", "vc-b", "ops"], false);
    let connects: Vec<(u64, usize)> = app
        .start()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Connect { req, endpoint } => Some((req, endpoint)),
            _ => None,
        })
        .collect();
    let infos = [
        info(
            Product::Vcenter,
            "https://vc-a",
            Some(UUID_A),
            Capabilities::ALL,
        ),
        info(
            Product::Vcenter,
            "https://vc-b",
            Some(UUID_B),
            Capabilities::ALL,
        ),
        info(Product::Vrops, "https://ops", None, Capabilities::MONITOR),
    ];
    let mut listings = Vec::new();
    for ((req, endpoint), i) in connects.into_iter().zip(infos) {
        let effects = answer(&mut app, req, endpoint, ApiAnswer::Connected(Ok(i))).effects;
        listings.extend(effects.into_iter().filter_map(|e| match e {
            Effect::Children { req, endpoint, .. } => Some((req, endpoint)),
            _ => None,
        }));
    }
    let mut effects = Vec::new();
    let mut on_b = Some(on_b);
    for (req, endpoint) in listings {
        let nodes = match endpoint {
            0 => vec![vm("vm/vm-42", "web-a", true)],
            1 => on_b.take().unwrap_or_default(),
            _ => vec![],
        };
        effects.extend(give_on(&mut app, req, endpoint, nodes));
    }
    (app, effects)
}

pub(crate) fn give_on(app: &mut App, req: u64, endpoint: usize, nodes: Vec<Node>) -> Vec<Effect> {
    if endpoint == 0 {
        return give_children(app, req, nodes);
    }
    let batch = vnav::api::model::ChildBatch {
        nodes,
        ..Default::default()
    };
    let mut effects = answer(app, req, endpoint, ApiAnswer::Children(batch)).effects;
    effects.extend(answer(app, req, endpoint, ApiAnswer::ChildrenDone(Ok(()))).effects);
    effects
}

fn insight_asks(effects: &[Effect]) -> Vec<(u64, usize, Vec<VmKey>, bool)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::VmInsight {
                req,
                endpoint,
                vms,
                day,
            } => Some((*req, *endpoint, vms.clone(), *day)),
            _ => None,
        })
        .collect()
}

/// The bulk health reads among `effects`: (req, endpoint, VMs asked).
pub(crate) fn dots_asks(effects: &[Effect]) -> Vec<(u64, usize, Vec<VmKey>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::VmHealth { req, endpoint, vms } => Some((*req, *endpoint, vms.clone())),
            _ => None,
        })
        .collect()
}

/// The dot of the VM at `at` in the ask.
pub(crate) fn dot(at: u32, key: &VmKey, health: Health) -> VmHealth {
    VmHealth {
        at,
        key: key.clone(),
        health,
    }
}

fn resource(id: &str, name: &str) -> Node {
    Node::new(NodeKind::Vm, id, name).expandable(true)
}

fn insight(vcid: &str, moid: &str, res: Node, health: Health, alerts: u32) -> VmInsight {
    VmInsight {
        key: VmKey::new(vcid, moid),
        resource: res,
        health: Some(health),
        active_alerts: alerts,
        day: Vec::new(),
    }
}

fn select(app: &mut App, endpoint: usize, id: &str) {
    let e = app.tree.find(endpoint, id)[0];
    app.cursor.selected = Some(e);
    // Moving the cursor onto it the way a user would is covered elsewhere; here the selection
    // is the input.
    key(app, KeyCode::Down);
    key(app, KeyCode::Up);
    while app
        .selected_entry()
        .is_none_or(|e| e.endpoint() != endpoint || e.node.id != id)
    {
        key(app, KeyCode::Down);
    }
}

#[tokio::test(start_paused = true)]
async fn health_dots_then_i_goes_to_the_resource_and_back_across_colliding_moids() {
    let (mut app, effects) = three_endpoints();
    // One bulk read per finished listing, to the Aria Operations endpoint, by VCID + moid.
    assert!(insight_asks(&effects).is_empty(), "{effects:?}");
    let asks = dots_asks(&effects);
    assert_eq!(asks.len(), 2, "{effects:?}");
    let (req_b, ep, keys) = asks.iter().find(|a| a.2.len() == 2).unwrap().clone();
    assert_eq!(ep, 2);
    assert_eq!(
        keys,
        [VmKey::new(UUID_B, "vm-42"), VmKey::new(UUID_B, "vm-7")]
    );
    let res_b = resource("res/r-b42", "web-b");
    let part = vec![dot(0, &keys[0], Health::Red)];
    answer(&mut app, req_b, 2, ApiAnswer::VmHealth(part));
    answer(&mut app, req_b, 2, ApiAnswer::VmHealthDone(Ok(())));
    let health =
        |app: &App, ep: usize, id: &str| app.tree.get(app.tree.find(ep, id)[0]).node.health;
    assert_eq!(health(&app, 1, "vm/vm-42"), Some(Health::Red));
    assert_eq!(
        health(&app, 0, "vm/vm-42"),
        None,
        "vc-a's vm-42 is another VM"
    );
    assert_eq!(health(&app, 1, "vm/vm-7"), None, "not watched: no dot");
    let buf = render(&mut app, 160, 45);
    let (x, y) = find(&buf, "web-b").unwrap();
    let dot = &buf[(x + 6, y)];
    assert_eq!(dot.symbol(), "♥", "{}", screen_text(&buf));
    assert_eq!(dot.fg, app.theme.health(Health::Red).fg.unwrap());

    // Its details gain what Aria Operations says, with a day of metrics.
    select(&mut app, 1, "vm/vm-42");
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
    let effects = answer(
        &mut app,
        req,
        1,
        ApiAnswer::Details(Box::new(Ok(details("vm/vm-42", "web-b")))),
    )
    .effects;
    let asks = insight_asks(&effects);
    assert_eq!(asks.len(), 1);
    assert_eq!(
        (asks[0].2.clone(), asks[0].3),
        (vec![VmKey::new(UUID_B, "vm-42")], true)
    );
    let mut with_day = insight(UUID_B, "vm-42", res_b.clone(), Health::Red, 3);
    with_day.day = vec![Series::new("CPU usage", "%", vec![40.0; 288])];
    answer(
        &mut app,
        asks[0].0,
        2,
        ApiAnswer::VmInsight(Ok(vec![with_day])),
    );
    let text = screen_text(&render(&mut app, 160, 45));
    assert!(text.contains("Aria Operations"), "{text}");
    assert!(text.contains("Active alerts"), "{text}");
    assert!(
        text.contains(" Red "),
        "the health in words, as the tree says it: {text}"
    );
    assert!(text.contains("web-b on ops (i goes there)"), "{text}");
    assert!(text.contains("▃▃▃▃"), "the day's sparkline: {text}");

    // i: to the resource on the Aria Operations endpoint (opened by id there).
    key(&mut app, KeyCode::Char('i'));
    let sel = app.selected_entry().unwrap();
    assert_eq!((sel.endpoint(), &*sel.node.id.as_str()), (2, "res/r-b42"));

    // i again: Aria Operations says which vCenter VM it is; vc-b's, not vc-a's.
    let effects = key(&mut app, KeyCode::Char('i')).effects;
    let req = effects
        .iter()
        .find_map(|e| match e {
            Effect::VmKey {
                req,
                endpoint: 2,
                node,
            } if node.id == res_b.id => Some(*req),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{effects:?}"));
    answer(
        &mut app,
        req,
        2,
        ApiAnswer::VmKey(Ok(Some(VmKey::new(&UUID_B.to_ascii_uppercase(), "vm-42")))),
    );
    let sel = app.selected_entry().unwrap();
    assert_eq!((sel.endpoint(), &*sel.node.id.as_str()), (1, "vm/vm-42"));
    assert_eq!(&*sel.node.name, "web-b");
}

/// Dots keep only the colour on the row: at 300,000 VMs a kept copy of what Aria Operations
/// said about each (its resource node, key and id) was ~120 MB. `i` on a dotted VM then asks
/// for that one VM (the endpoint's index of VMs is kept, so it is one small call) and goes.
#[tokio::test(start_paused = true)]
async fn health_dots_keep_no_copy_of_each_vm_and_i_asks_for_the_one() {
    let (mut app, effects) = three_endpoints();
    let (req_b, _, keys) = dots_asks(&effects)
        .into_iter()
        .find(|a| a.2.len() == 2)
        .unwrap();
    let res_b = resource("res/r-b42", "web-b");
    let dots = vec![dot(0, &keys[0], Health::Red)];
    answer(&mut app, req_b, 2, ApiAnswer::VmHealth(dots));
    let row = app.tree.find(1, "vm/vm-42")[0];
    assert_eq!(app.tree.get(row).node.health, Some(Health::Red));

    select(&mut app, 1, "vm/vm-42");
    let effects = key(&mut app, KeyCode::Char('i')).effects;
    let asks = insight_asks(&effects);
    assert_eq!(asks.len(), 1, "i asks again: {effects:?}");
    assert_eq!(
        (asks[0].1, asks[0].2.clone(), asks[0].3),
        (2, vec![VmKey::new(UUID_B, "vm-42")], false)
    );
    let found = vec![insight(UUID_B, "vm-42", res_b, Health::Red, 3)];
    answer(&mut app, asks[0].0, 2, ApiAnswer::VmInsight(Ok(found)));
    let sel = app.selected_entry().unwrap();
    assert_eq!((sel.endpoint(), &*sel.node.id.as_str()), (2, "res/r-b42"));
}

#[tokio::test(start_paused = true)]
async fn i_on_a_vm_aria_operations_does_not_watch_says_so() {
    let (mut app, _) = three_endpoints();
    select(&mut app, 0, "vm/vm-42");
    let effects = key(&mut app, KeyCode::Char('i')).effects;
    let asks = insight_asks(&effects);
    assert_eq!(asks[0].2, [VmKey::new(UUID_A, "vm-42")]);
    answer(&mut app, asks[0].0, 2, ApiAnswer::VmInsight(Ok(vec![])));
    let sel = app.selected_entry().unwrap();
    assert_eq!(
        (sel.endpoint(), &*sel.node.id.as_str()),
        (0, "vm/vm-42"),
        "stays"
    );
    let toast = toast(&app);
    assert!(toast.contains("does not watch"), "{toast}");
}

/// A vCD VM goes through the vCenter VM behind it: its dot and `i` ask by that vCenter's UUID
/// and the moid vCD names.
#[tokio::test(start_paused = true)]
async fn a_vcd_vm_goes_through_its_vcenter_vm() {
    let mut app = app_with(&["vcd", "vc-b", "ops"], false);
    let connects: Vec<(u64, usize)> = app
        .start()
        .into_iter()
        .filter_map(|e| match e {
            Effect::Connect { req, endpoint } => Some((req, endpoint)),
            _ => None,
        })
        .collect();
    let infos = [
        info(Product::Vcd, "https://vcd", None, Capabilities::ALL),
        info(
            Product::Vcenter,
            "https://vc-b",
            Some(UUID_B),
            Capabilities::ALL,
        ),
        info(Product::Vrops, "https://ops", None, Capabilities::MONITOR),
    ];
    let mut vcd_listing = None;
    for ((req, endpoint), i) in connects.into_iter().zip(infos) {
        let effects = answer(&mut app, req, endpoint, ApiAnswer::Connected(Ok(i))).effects;
        if endpoint == 0 {
            vcd_listing = effects.iter().find_map(|e| match e {
                Effect::Children { req, .. } => Some(*req),
                _ => None,
            });
        }
    }
    let mut web = vm("vcd/vm-1", "web-01", true);
    web.set_backing(Some(vnav::api::model::VimRef {
        vcenter_url: "https://vc-b:443".into(),
        vcenter_name: "vc-b".into(),
        moid: "vm-42".into(),
    }));
    let effects = give_children(&mut app, vcd_listing.unwrap(), vec![web]);
    let asks = dots_asks(&effects);
    assert_eq!(asks.len(), 1, "{effects:?}");
    assert_eq!(
        (asks[0].1, &asks[0].2),
        (2, &vec![VmKey::new(UUID_B, "vm-42")])
    );
    select(&mut app, 0, "vcd/vm-1");
    let effects = key(&mut app, KeyCode::Char('i')).effects;
    let asks = insight_asks(&effects);
    assert_eq!(asks[0].2, [VmKey::new(UUID_B, "vm-42")]);
    let res = resource("res/r-b42", "web-01");
    answer(
        &mut app,
        asks[0].0,
        2,
        ApiAnswer::VmInsight(Ok(vec![insight(UUID_B, "vm-42", res, Health::Green, 0)])),
    );
    let sel = app.selected_entry().unwrap();
    assert_eq!((sel.endpoint(), &*sel.node.id.as_str()), (2, "res/r-b42"));
}
