//! One VM across products against the simulator: the vCenter tells its instance UUID, and Aria
//! Operations finds its VMs by (that UUID, moid) in bulk calls of at most 1,000 ids, with
//! health, active alert counts and a day of metrics; another vCenter's UUID with the same
//! moids finds nothing.

use vnav::api::Backend;
use vnav::api::ChildSink;
use vnav::api::model::{Node, NodeKind, VmKey};
use vnav::api::vcenter::map as vc_map;
use vnav::api::vrops::PAGE_SIZE;
use vnav::sim::{SimOptions, VropsOptions};

use crate::backends;
use crate::sim_support::sim;

async fn all_vms(b: &dyn Backend) -> Vec<Node> {
    let (sink, got) = ChildSink::collecting();
    b.children(&b.root(), &sink).await.unwrap();
    let top = got.take();
    let all = top.iter().find(|n| &*n.name == "All VMs").expect("All VMs");
    let (sink, got) = ChildSink::collecting();
    b.children(all, &sink).await.unwrap();
    got.take()
}

/// 2,500 VMs behind an Aria Operations that takes 2 calls at once, with some latency, so the
/// chunks overlap and would cross that ceiling.
async fn tight_sim() -> vnav::sim::Sim {
    sim(SimOptions {
        vms: 2500,
        latency_ms: 5,
        vrops: VropsOptions {
            max_inflight: 2,
            ..VropsOptions::default()
        },
        ..SimOptions::default()
    })
    .await
}

#[tokio::test]
async fn vcenter_vms_are_found_by_vcid_and_moid_in_calls_of_a_thousand() {
    let s = tight_sim().await;
    let vc = backends::vcenter_admin(&s);
    let info = vc.connect().await.unwrap();
    let vcid = info
        .instance_uuid
        .clone()
        .expect("the vCenter tells its instance UUID");
    let vms = all_vms(&vc).await;
    assert_eq!(vms.len(), 2500);
    let keys: Vec<VmKey> = vms
        .iter()
        .map(|n| VmKey::new(&vcid.to_ascii_uppercase(), vc_map::moid(&n.id.as_str())))
        .collect();
    let ops = backends::vrops(&s, PAGE_SIZE, 2);
    let caps = ops.connect().await.unwrap().capabilities;
    assert!(caps.insight && !caps.snapshot_sprawl);

    let before = s.vrops_request_count();
    let found = ops.vm_insight(&keys, false).await.unwrap();
    // The VM list (3 pages of 1,000), then health and alerts for 3 chunks of ≤ 1,000 ids.
    assert_eq!(s.vrops_request_count() - before, 3 + 3 + 3);
    assert_eq!(found.len(), 2500, "every VM matched");
    // Not one request turned away (the count above would hold a retry) and never above it.
    let (now, peak) = s.vrops_in_flight();
    assert_eq!(now, 0);
    assert_eq!(peak, 2, "the chunks ran side by side, up to the ceiling");
    assert!(found.iter().all(|i| i.health.is_some() && i.day.is_empty()));
    let with_alerts = found.iter().filter(|i| i.active_alerts > 0).count();
    assert!(
        (1..2500 / 5).contains(&with_alerts),
        "a few VMs have alerts: {with_alerts}"
    );
    // Matched on identity, not on names: the resource is the VM of that moid.
    let by_moid = |moid: &str| found.iter().find(|i| &*i.key.moid == moid).unwrap();
    let one = by_moid(vc_map::moid(&vms[7].id.as_str()));
    assert_eq!(one.resource.name, vms[7].name);
    assert_eq!(one.resource.kind, NodeKind::Vm);

    // The alert count agrees with the resource's own details.
    let alerted = found.iter().find(|i| i.active_alerts > 0).unwrap();
    let d = ops.details(&alerted.resource).await.unwrap();
    let listed = d
        .sections
        .iter()
        .find(|s| s.title == "Active alerts")
        .and_then(|s| s.table.as_ref())
        .map_or(0, |t| t.rows.len());
    assert_eq!(listed as u32, alerted.active_alerts);

    // Asked again, the index is not listed again.
    let before = s.vrops_request_count();
    let day = ops.vm_insight(&keys[..1], true).await.unwrap();
    assert_eq!(
        s.vrops_request_count() - before,
        3,
        "health, alerts, the day"
    );
    assert_eq!(day[0].day.len(), 4);
    assert!(day[0].day.iter().all(|x| x.points.len() >= 287));

    // Another vCenter with the same moids: none of these VMs are its.
    let other: Vec<VmKey> = keys
        .iter()
        .map(|k| VmKey::new("00000000-0000-0000-0000-00000000beef", &k.moid))
        .collect();
    assert!(ops.vm_insight(&other, false).await.unwrap().is_empty());
    // And back: a resource names its vCenter VM.
    assert_eq!(
        ops.vm_key(&one.resource).await.unwrap(),
        Some(VmKey::new(&vcid, vc_map::moid(&vms[7].id.as_str())))
    );
}

/// Health dots for many VMs come a part at a time, each of at most 1,000 VMs, as each is read:
/// the VM list, then one call a part (the health alone: the dots show nothing else), fewer
/// calls than the full insight for the same VMs. A VM asked twice is one id in a call and gets
/// its dot at both places; every dot names the place it was asked at and the same health the
/// full insight reads.
#[tokio::test]
async fn health_dots_come_in_parts_of_a_thousand_one_call_each() {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex};
    use vnav::api::HealthSink;
    use vnav::api::model::VmHealth;

    let s = tight_sim().await;
    let vc = backends::vcenter_admin(&s);
    let vcid = vc.connect().await.unwrap().instance_uuid.unwrap();
    let vms = all_vms(&vc).await;
    let mut keys: Vec<VmKey> = vms
        .iter()
        .map(|n| VmKey::new(&vcid, vc_map::moid(&n.id.as_str())))
        .collect();
    keys.push(keys[5].clone());
    keys.push(VmKey::new(&vcid, "vm-999999"));
    let ops = backends::vrops(&s, PAGE_SIZE, 2);
    ops.connect().await.unwrap();

    let before = s.vrops_request_count();
    let parts: Arc<Mutex<Vec<Vec<VmHealth>>>> = Arc::default();
    let got = parts.clone();
    let sink = HealthSink::new(move |part| got.lock().unwrap().push(part));
    ops.vm_health(&keys, &sink).await.unwrap();
    // The VM list (3 pages of 1,000), then 3 health calls; the full insight asks alerts too.
    assert_eq!(s.vrops_request_count() - before, 3 + 3);
    let parts = std::mem::take(&mut *parts.lock().unwrap());
    assert_eq!(parts.len(), 3);
    for p in &parts {
        let mut ids: Vec<&VmKey> = p.iter().map(|d| &d.key).collect();
        ids.sort();
        ids.dedup();
        assert!(ids.len() <= 1000, "{} VMs in one part", ids.len());
    }
    let mut at: Vec<u32> = parts.iter().flatten().map(|d| d.at).collect();
    at.sort_unstable();
    assert_eq!(
        at,
        (0..2501).collect::<Vec<u32>>(),
        "each place once, not the unknown VM"
    );
    assert!(parts.iter().flatten().all(|d| d.key == keys[d.at as usize]));
    let (now, peak) = s.vrops_in_flight();
    assert_eq!((now, peak), (0, 2), "side by side, up to the ceiling");

    let before = s.vrops_request_count();
    let full = ops.vm_insight(&keys, false).await.unwrap();
    assert_eq!(
        s.vrops_request_count() - before,
        3 + 3,
        "health and alerts, no list"
    );
    let want: HashMap<&VmKey, _> = full.iter().map(|i| (&i.key, i.health)).collect();
    for d in parts.iter().flatten() {
        assert_eq!(Some(d.health), want[&d.key], "{:?}", d.key);
    }
    let colours: std::collections::HashSet<_> = parts.iter().flatten().map(|d| d.health).collect();
    assert!(
        colours.len() > 1,
        "the simulator rates VMs apart: {colours:?}"
    );
}
