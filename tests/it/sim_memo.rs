//! The simulator's memo (`SimOptions::memo`, the listing bench's `-- offload`): a repeated GET
//! is answered with its first answer's bytes and still counted; what changes state is not
//! remembered, and neither is an error.

use reqwest::StatusCode;
use vnav::sim::inventory::vm_moid;
use vnav::sim::world::Power;
use vnav::sim::{SimOptions, VcenterVersion};

use crate::sim_support::sim;
use crate::sim_vcenter_support::*;

async fn power_state_read_twice_around_a_stop(memo: bool) -> (String, String, u64) {
    let s = sim(SimOptions {
        vms: 300,
        vcenter_version: VcenterVersion::V8_0,
        memo,
        ..SimOptions::default()
    })
    .await;
    let w = vnav::sim::generate::generate(300, 42);
    let v = w.vms.iter().position(|v| v.power == Power::On).unwrap() as u32;
    let vm = vm_moid(&w, v);
    let api = vc_login(&s.vcenter_url, D::Api).await;
    let before_reads = s.vcenter_request_count();
    let first = api.value(&format!("/vcenter/vm/{vm}/power")).await;
    let (st, _) = api
        .post(&format!("/vcenter/vm/{vm}/power?action=stop"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let second = api.value(&format!("/vcenter/vm/{vm}/power")).await;
    // A missing VM is an error each time: never remembered, so never a 200.
    for _ in 0..2 {
        let (st, _) = api.get("/vcenter/vm/vm-999999/power").await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    let counted = s.vcenter_request_count() - before_reads;
    (
        first["state"].to_string(),
        second["state"].to_string(),
        counted,
    )
}

#[tokio::test]
async fn a_repeated_get_is_answered_from_the_first_and_counted() {
    let (first, second, counted) = power_state_read_twice_around_a_stop(true).await;
    assert_eq!(first, "\"POWERED_ON\"");
    // The stop went through (a POST is never remembered), the second read is the first's bytes.
    assert_eq!(second, first);
    assert_eq!(
        counted, 5,
        "two reads, the stop and two misses, each counted once"
    );
}

#[tokio::test]
async fn without_memo_the_second_read_sees_the_stop() {
    let (first, second, counted) = power_state_read_twice_around_a_stop(false).await;
    assert_eq!(
        (first.as_str(), second.as_str()),
        ("\"POWERED_ON\"", "\"POWERED_OFF\"")
    );
    assert_eq!(counted, 5);
}
