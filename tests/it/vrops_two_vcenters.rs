//! Two vCenters whose moids collide, watched by one Aria Operations, end to end: the app lists
//! each vCenter's VMs from its own simulator and every VM row gets the health of its own
//! resource, matched on the vCenter's instance UUID and the moid together, never the moid alone.

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::KeyCode;
use vnav::api::Backend;
use vnav::api::http::HttpOptions;
use vnav::api::model::{Health, NodeKind, VmKey};
use vnav::api::vcenter::map as vc_map;
use vnav::api::vrops::PAGE_SIZE;
use vnav::app::tree::{EntryId, Load};
use vnav::app::{App, EndpointSpec};
use vnav::runtime::driver::Driver;
use vnav::sim::{SimOptions, VropsOptions};
use vnav::theme::Theme;

use crate::backends;
use crate::sim_support::sim;

const T: Duration = Duration::from_secs(30);
const VMS: usize = 120;

/// The VM rows under endpoint `ep`'s "All VMs", once listed, by moid.
fn vm_rows(app: &App, ep: usize) -> Vec<(String, Option<Health>)> {
    let Some(all) = child_named(app, ep, "All VMs") else {
        return Vec::new();
    };
    app.tree
        .get(all)
        .children
        .iter()
        .map(|&c| app.tree.get(c).node.clone())
        .filter(|n| n.kind == NodeKind::Vm)
        .map(|n| (vc_map::moid(&n.id.as_str()).to_string(), n.health))
        .collect()
}

/// Endpoint `ep`'s row (the first root may be the snapshot view's).
fn root(app: &App, ep: usize) -> Option<EntryId> {
    app.tree.roots().iter().copied().find(|&r| {
        let e = app.tree.get(r);
        e.endpoint() == ep && e.node.kind == NodeKind::Endpoint
    })
}

fn child_named(app: &App, ep: usize, name: &str) -> Option<EntryId> {
    let root = root(app, ep)?;
    app.tree
        .get(root)
        .children
        .iter()
        .copied()
        .find(|&c| &*app.tree.get(c).node.name == name)
}

/// Opens endpoint `ep` and its "All VMs" group, as a user would.
async fn open_all_vms(d: &mut Driver, ep: usize) {
    let root = root(&d.app, ep).expect("the endpoint's row");
    if d.app.tree.get(root).children.is_empty() {
        d.app.cursor.selected = Some(root);
        d.key(KeyCode::Enter);
        assert!(
            d.until(T, |a| child_named(a, ep, "All VMs").is_some())
                .await
        );
    }
    d.app.cursor.selected = child_named(&d.app, ep, "All VMs");
    d.key(KeyCode::Enter);
    assert!(
        d.until(T, |a| {
            let all = child_named(a, ep, "All VMs").unwrap();
            a.tree.get(all).load() == &Load::Loaded && vm_rows(a, ep).len() == VMS
        })
        .await
    );
}

#[tokio::test]
async fn each_vcenters_vm_gets_its_own_health_across_colliding_moids() {
    // The second vCenter: another world (another seed), the same moids (vm-1000…).
    let b = sim(SimOptions {
        vms: VMS,
        seed: 7,
        ..SimOptions::default()
    })
    .await;
    let vc_b = backends::vcenter_admin(&b);
    let uuid_b = vc_b.connect().await.unwrap().instance_uuid.unwrap();
    // The first vCenter, and the Aria Operations that watches both.
    let a = sim(SimOptions {
        vms: VMS,
        vrops: VropsOptions {
            second_vcid: Some(uuid_b.clone()),
            ..VropsOptions::default()
        },
        ..SimOptions::default()
    })
    .await;
    let vc_a = backends::vcenter_admin(&a);
    let uuid_a = vc_a.connect().await.unwrap().instance_uuid.unwrap();
    assert_ne!(uuid_a.to_lowercase(), uuid_b.to_lowercase());
    let ops = backends::vrops(&a, PAGE_SIZE, HttpOptions::default().concurrency);

    // What Aria Operations says of every VM of both vCenters (the expected colours).
    ops.connect().await.unwrap();
    let moids: Vec<String> = (0..VMS).map(|i| format!("vm-{}", 1000 + i)).collect();
    let keys: Vec<VmKey> = [&uuid_a, &uuid_b]
        .iter()
        .flat_map(|u| moids.iter().map(|m| VmKey::new(u, m)))
        .collect();
    let rated = ops.vm_insight(&keys, false).await.unwrap();
    assert_eq!(rated.len(), 2 * VMS, "both vCenters' VMs are watched");
    let of = |uuid: &str, moid: &str| {
        rated
            .iter()
            .find(|i| i.key == VmKey::new(uuid, moid))
            .unwrap()
    };
    // Colliding moids, distinct resources; some VMs of the first vCenter are not green while
    // their namesakes in the second are.
    let differs: Vec<&String> = moids
        .iter()
        .filter(|m| of(&uuid_a, m).health != of(&uuid_b, m).health)
        .collect();
    assert!(!differs.is_empty(), "a moid whose two VMs differ in health");
    for m in &moids {
        assert_ne!(of(&uuid_a, m).resource.id, of(&uuid_b, m).resource.id);
    }

    let endpoints: Vec<(&str, Arc<dyn Backend>)> = vec![
        ("vc-a", Arc::new(vc_a)),
        ("vc-b", Arc::new(vc_b)),
        ("ops", Arc::new(ops)),
    ];
    let specs = endpoints
        .iter()
        .map(|(label, b)| EndpointSpec {
            label: label.to_string(),
            root: b.root(),
            insecure: false,
            read_only: false,
        })
        .collect();
    let app = App::new(specs, Theme::default(), false);
    let mut d = Driver::new(app, endpoints.into_iter().map(|(_, b)| b).collect(), None);
    assert!(
        d.until(T, |app| app.endpoints.iter().all(|e| e.info.is_some()))
            .await
    );
    for (ep, uuid) in [(0, &uuid_a), (1, &uuid_b)] {
        open_all_vms(&mut d, ep).await;
        // The dots come after the rows (a row never waits for them).
        assert!(
            d.until(T, |a| vm_rows(a, ep).iter().all(|(_, h)| h.is_some()))
                .await,
            "health dots on vCenter {ep}"
        );
        for (moid, health) in vm_rows(&d.app, ep) {
            assert_eq!(
                health,
                of(uuid, &moid).health,
                "vCenter {ep} {moid}: its own resource's health"
            );
        }
    }
    d.shutdown().await;
}
