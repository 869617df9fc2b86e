//! `:goto` on a vCD VM places it under org › VDC › vApp (`Backend::ancestors`): the same nodes
//! for a system administrator and a tenant, in few requests (the walk up the links read four
//! documents one after another). The simulator counts them; `place.rs`'s unit test counts the
//! round trips on a paused clock.

use std::time::Instant;

use vnav::api::Backend;
use vnav::api::http::HttpOptions;
use vnav::api::model::{Node, NodeKind};
use vnav::sim::{DEMO_PASSWORD, SimOptions};

use crate::backends;
use crate::sim_support::sim;

/// (GET requests, elapsed ms) of placing `vm`, and the chain.
async fn place(
    b: &vnav::api::vcd::VcdBackend,
    s: &vnav::sim::Sim,
    vm: &Node,
) -> (u64, u128, Vec<Node>) {
    let before = s.seen().get;
    let start = Instant::now();
    let chain = b.ancestors(vm).await.expect("placed");
    let ms = start.elapsed().as_millis();
    (s.seen().get - before, ms, chain)
}

#[tokio::test]
async fn a_vcd_vm_is_placed_under_org_vdc_and_vapp() {
    let s = sim(SimOptions {
        latency_ms: 40,
        ..SimOptions::default()
    })
    .await;
    let admin = backends::vcd_admin(&s);
    admin.connect().await.unwrap();
    let tenant = backends::vcd(
        &s.vcd_url,
        "orgadmin@acme",
        DEMO_PASSWORD,
        HttpOptions::default(),
    );
    tenant.connect().await.unwrap();
    // A VM the tenant sees, found by name as `:goto` finds it.
    let found = tenant.find("web").await.unwrap();
    let vm = found
        .into_iter()
        .find(|n| n.kind == NodeKind::Vm)
        .expect("a VM");
    let by_admin = admin.find(&vm.name).await.unwrap();
    let vm_admin = by_admin
        .into_iter()
        .find(|n| n.id == vm.id)
        .expect("the same VM");
    // Found by `find`, whose records said where the VM sits: its three levels alone. A
    // backend that did not find it (a row `:vm` listed) reads the record first.
    let fresh = backends::vcd_admin(&s);
    fresh.connect().await.unwrap();
    let mut chains = Vec::new();
    for (who, b, vm, want) in [
        ("admin", &admin, &vm_admin, 3),
        ("tenant", &tenant, &vm, 3),
        ("admin, not found first", &fresh, &vm_admin, 4),
    ] {
        let (gets, ms, chain) = place(b, &s, vm).await;
        println!("{who}: {gets} GETs, {ms} ms at 40 ms a request");
        assert_eq!(gets, want, "{who}");
        let kinds: Vec<NodeKind> = chain.iter().map(|n| n.kind).collect();
        assert_eq!(
            kinds,
            [NodeKind::Org, NodeKind::Vdc, NodeKind::VApp],
            "{who}"
        );
        assert_eq!(&*chain[0].name, "acme", "{who}");
        assert_eq!(&*chain[2].name, &*vm.facts.as_ref().unwrap().place, "{who}");
        chains.push(chain);
    }
    assert!(chains.iter().all(|c| *c == chains[0]), "{chains:#?}");
}
