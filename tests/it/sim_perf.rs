//! Simulator timings at 100k VMs, printed, never asserted. Run in release:
//! `cargo test --release --test it sim_perf -- --ignored --nocapture`.

use std::time::Instant;

use vnav::sim::{DEMO_USER, SimOptions};

use crate::sim_support::*;

#[tokio::test]
#[ignore = "timing report; run explicitly in release"]
async fn hundred_thousand_vms() {
    let t = Instant::now();
    let s = sim(SimOptions {
        vms: 100_000,
        ..SimOptions::default()
    })
    .await;
    println!("start (generate + listen), 100k VMs: {:?}", t.elapsed());
    let c = login(&s.vcd_url, DEMO_USER).await;
    for (label, q) in [
        ("first page, no filter", "type=vm&pageSize=128"),
        (
            "last page, no filter (cached)",
            "type=vm&pageSize=128&page=782",
        ),
        (
            "filter name==web* + sortAsc=name",
            "type=vm&pageSize=128&filter=name==web*&sortAsc=name",
        ),
        (
            "same, page 5 (cached)",
            "type=vm&pageSize=128&filter=name==web*&sortAsc=name&page=5",
        ),
        (
            "sortDesc=memoryMB",
            "type=vm&pageSize=128&sortDesc=memoryMB",
        ),
        ("adminVM page", "type=adminVM&pageSize=128"),
        (
            "vApp status==MIXED",
            "type=vApp&pageSize=128&filter=status==MIXED",
        ),
        ("orgVdc", "type=orgVdc&pageSize=128"),
    ] {
        let t = Instant::now();
        let doc = c.doc(&format!("/api/query?{q}")).await;
        println!(
            "{label}: {:?} (total {})",
            t.elapsed(),
            root_attr(&doc, "total").unwrap()
        );
    }
    let t = Instant::now();
    let orgs = c.doc("/api/org/").await;
    let org = c.doc(&attr(tags(&orgs, "Org")[1], "href").unwrap()).await;
    let vdc = c.doc(&link_of(&org, "down", "vdc+xml").unwrap()).await;
    println!(
        "org list + org + vdc ({} vApps): {:?}",
        tags(&vdc, "ResourceEntity").len(),
        t.elapsed()
    );
}
