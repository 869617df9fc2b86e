//! Health dots on vCD VM rows: the vCD names the vCenter VM behind each (`Effect::VmBackings`,
//! read in bulk once its listing is in), and the rows whose vCenter is connected are asked
//! about by that vCenter's instance UUID and the VM's moid, as a vCenter row is.

use super::*;
use crate::api::model::{Backings, Capabilities, ChildBatch, EndpointInfo, VmHealth};
use crate::app::EndpointSpec;
use crate::app::event::{ApiAnswer, Event};
use crate::theme::Theme;

const VC_UUID: &str = "aaaaaaaa-0000-0000-0000-000000000001";

/// vcd (0), vc-a (1) and ops (2, Aria Operations) connected, the vCD able to name backings
/// when `backings`; `:vm` run with `n` vCD VMs listed (`https://vcd/api/vApp/vm-<i>`) and none
/// on vc-a. Returns the effects the vCD listing's end asked for.
fn listed(n: usize, backings: bool) -> (App, Vec<Effect>) {
    listed_before(n, backings, &[]).0
}

/// Connects not answered yet: (request, endpoint).
type Connects = Vec<(ReqId, EndpointId)>;

/// `listed`, with the endpoints in `later` not yet connected; also returns their connects.
fn listed_before(n: usize, backings: bool, later: &[EndpointId]) -> ((App, Vec<Effect>), Connects) {
    let spec = EndpointSpec::named;
    let mut app = App::new(
        vec![spec("vcd"), spec("vc-a"), spec("ops")],
        Theme::default(),
        false,
    );
    app.handle(Event::Resize(120, 40));
    let mut waiting = Vec::new();
    for e in app.start() {
        let Effect::Connect { req, endpoint } = e else {
            continue;
        };
        match later.contains(&endpoint) {
            true => waiting.push((req, endpoint)),
            false => {
                connect(&mut app, req, endpoint, backings);
            }
        }
    }
    app.run_command("vm");
    let lists = app.take_list_kinds();
    let mut asked = Vec::new();
    for (req, endpoint) in lists {
        let count = if endpoint == 0 { n } else { 0 };
        let nodes = (0..count).map(|i| vm(i, &format!("web-{i}"))).collect();
        let batch = ChildBatch {
            nodes,
            ..Default::default()
        };
        app.answered(req, endpoint, ApiAnswer::Children(batch));
        let done = app.answered(req, endpoint, ApiAnswer::ChildrenDone(Ok(())));
        if endpoint == 0 {
            asked = done;
        }
    }
    ((app, asked), waiting)
}

/// Answers endpoint `endpoint`'s connect; returns the effects.
fn connect(app: &mut App, req: ReqId, endpoint: EndpointId, backings: bool) -> Vec<Effect> {
    let (product, capabilities, url) = match endpoint {
        0 => (
            Product::Vcd,
            Capabilities {
                backings,
                ..Capabilities::ALL
            },
            "https://vcd",
        ),
        1 => (Product::Vcenter, Capabilities::ALL, "https://vc-a.example"),
        _ => (Product::Vrops, Capabilities::MONITOR, "https://ops"),
    };
    let info = EndpointInfo {
        product,
        url: url.into(),
        user: "u".into(),
        api_version: "x".into(),
        capabilities,
        instance_uuid: (endpoint == 1).then(|| VC_UUID.to_string()),
    };
    app.answered(req, endpoint, ApiAnswer::Connected(Ok(info)))
}

fn vm(i: usize, name: &str) -> Node {
    Node::new(NodeKind::Vm, format!("https://vcd/api/vApp/vm-{i}"), name)
}

/// The dot of each vCD row, by name.
fn dots(app: &App) -> Vec<(String, Option<Health>)> {
    let mut out: Vec<_> = (app.tree.visible().iter())
        .map(|&r| app.tree.get(r).node.clone())
        .map(|n| (n.name.to_string(), n.health))
        .collect();
    out.sort();
    out
}

/// VMs 0 and 1 are on vc-a (its URL written with its port, then in capitals), VM 2 on a
/// vCenter vnav does not have, VM 3 names none.
fn backings() -> Backings {
    let vcenters = [
        "https://vc-a.example:443/sdk",
        "https://VC-A.example",
        "https://vc-b.example",
    ];
    Backings {
        vcenters: (vcenters.iter())
            .map(|u| (Box::from(*u), Box::from("vc")))
            .collect(),
        vms: (0..3)
            .map(|i| {
                (
                    vm(i, "").id.as_str().into(),
                    i as u32,
                    format!("vm-1{i}").into(),
                )
            })
            .collect(),
    }
}

#[test]
fn vcd_rows_are_dotted_through_the_vcenter_vms_behind_them() {
    let (mut app, asked) = listed(4, true);
    let [
        Effect::VmBackings {
            req,
            endpoint: 0,
            within: None,
        },
    ] = asked[..]
    else {
        panic!("one read of every VM's backing, and no health yet: {asked:?}");
    };
    let out = app.answered(req, 0, ApiAnswer::VmBackings(Ok(backings())));
    let [
        Effect::VmHealth {
            req,
            endpoint: 2,
            ref vms,
        },
    ] = out[..]
    else {
        panic!("one health read from Aria Operations: {out:?}");
    };
    let keys: Vec<(&str, &str)> = vms.iter().map(|k| (&*k.vcid, &*k.moid)).collect();
    assert_eq!(keys, [(VC_UUID, "vm-10"), (VC_UUID, "vm-11")]);
    let answer = (0..2)
        .map(|at| VmHealth {
            at,
            key: vms[at as usize].clone(),
            health: [Health::Red, Health::Green][at as usize],
        })
        .collect();
    app.answered(req, 2, ApiAnswer::VmHealth(answer));
    assert_eq!(
        dots(&app),
        [
            ("web-0".into(), Some(Health::Red)),
            ("web-1".into(), Some(Health::Green)),
            ("web-2".into(), None),
            ("web-3".into(), None),
        ]
    );
}

/// A row that holds another VM by the time its dot comes (its slot reused) is left undotted:
/// the vCD row's key is not kept on it, so the dot is matched on the id it had when asked.
#[test]
fn a_dot_for_a_row_that_changed_meanwhile_is_dropped() {
    let (mut app, asked) = listed(2, true);
    let [Effect::VmBackings { req, .. }] = asked[..] else {
        panic!("{asked:?}");
    };
    let out = app.answered(req, 0, ApiAnswer::VmBackings(Ok(backings())));
    let [Effect::VmHealth { req, ref vms, .. }] = out[..] else {
        panic!("{out:?}");
    };
    let vms = vms.clone();
    let row = (app.tree.visible().iter().copied())
        .find(|&r| &*app.tree.get(r).node.name == "web-1")
        .unwrap();
    app.tree.get_mut(row).node = vm(7, "web-7");
    let answer = (0..2)
        .map(|at| VmHealth {
            at,
            key: vms[at as usize].clone(),
            health: Health::Red,
        })
        .collect();
    app.answered(req, 2, ApiAnswer::VmHealth(answer));
    assert_eq!(
        dots(&app),
        [("web-0".into(), Some(Health::Red)), ("web-7".into(), None)]
    );
}

/// A vCD that cannot name backings (a tenant's session) is not asked.
#[test]
fn a_tenant_vcd_is_not_asked_for_backings() {
    let (_, asked) = listed(2, false);
    assert!(asked.is_empty(), "{asked:?}");
}

/// A failed read leaves the rows as they were, with nothing on screen: dots are extras.
#[test]
fn a_failed_backings_read_leaves_the_rows_undotted() {
    let (mut app, asked) = listed(2, true);
    let [Effect::VmBackings { req, .. }] = asked[..] else {
        panic!("{asked:?}");
    };
    let gone = ApiError::Unsupported("no".into());
    let out = app.answered(req, 0, ApiAnswer::VmBackings(Err(gone)));
    assert!(out.is_empty(), "{out:?}");
    assert!(dots(&app).iter().all(|(_, h)| h.is_none()));
}

/// Aria Operations, or the vCenter behind the vCD, connecting after the listing ended: the rows
/// listed before are asked about then (not only when listed again).
#[test]
fn rows_listed_before_a_late_endpoint_connects_are_asked_about_then() {
    for late in [1, 2] {
        let ((mut app, asked), waiting) = listed_before(2, true, &[late]);
        assert!(asked.is_empty(), "nothing to ask without {late}: {asked:?}");
        let [(req, endpoint)] = waiting[..] else {
            panic!("{waiting:?}");
        };
        let out = connect(&mut app, req, endpoint, true);
        let backings: Vec<_> = (out.iter())
            .filter(|e| matches!(e, Effect::VmBackings { endpoint: 0, .. }))
            .collect();
        assert_eq!(
            backings.len(),
            1,
            "the vCD's rows, once {late} connected: {out:?}"
        );
    }
}

/// Another endpoint connecting while the rows' read runs leaves that read alone.
#[test]
fn a_read_running_is_not_asked_again_when_another_endpoint_connects() {
    let ((mut app, asked), _) = listed_before(2, true, &[]);
    assert_eq!(asked.len(), 1, "{asked:?}");
    // vc-a connects again (as after a reconnect) while the vCD's backings are read.
    let req = app.req();
    app.loading.insert(req, app.tree.roots()[1]);
    let out = connect(&mut app, req, 1, true);
    assert!(
        !out.iter().any(|e| matches!(e, Effect::VmBackings { .. })),
        "{out:?}"
    );
}
