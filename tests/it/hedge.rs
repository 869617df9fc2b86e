//! Hedged reads (issue 15): the simulator's slow answers and request counters, and the shared
//! HTTP layer sending a stalled read once more, never a write, within its budget and its
//! concurrency limit.

use std::time::Duration;

use vnav::sim::{Faults, Sim, SimOptions};

use crate::sim_support::{http, sim};

/// Waits (yielding, no fixed sleep) until `cond` holds; fails after 10 s.
async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let waited = tokio::time::timeout(Duration::from_secs(10), async {
        while !cond() {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    })
    .await;
    assert!(waited.is_ok(), "never happened: {what}");
}

async fn quiet_sim() -> Sim {
    sim(SimOptions::default()).await
}

#[tokio::test]
async fn sim_slow_answers_arrive_and_every_request_is_counted() {
    let s = quiet_sim().await;
    s.set_faults(Faults {
        slow_rate: 1.0,
        slow_ms: 50,
        ..Faults::default()
    });
    let r = http()
        .get(format!("{}/api/versions", s.vcd_url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "a slow answer is still an answer");
    let _ = http()
        .post(format!("{}/api/sessions", s.vcd_url))
        .send()
        .await
        .unwrap();
    assert_eq!(s.fault_counts().slowed, 2);
    let seen = s.seen();
    assert_eq!((seen.total, seen.get, seen.post), (2, 1, 1), "{seen:?}");
    assert_eq!(s.seen_at("GET", "/api/versions"), 1);
    assert_eq!(s.seen_at("POST", "/api/sessions"), 1);
    assert_eq!(seen.in_flight, 0);
    assert_eq!(seen.peak_in_flight, 1);
}

#[tokio::test]
async fn sim_counts_a_stalled_request_in_flight_until_its_client_leaves() {
    let s = quiet_sim().await;
    s.set_faults(Faults {
        stall_rate: 1.0,
        ..Faults::default()
    });
    let url = format!("{}/api/versions", s.vcd_url);
    let stalled = tokio::spawn(async move { http().get(url).send().await });
    until("the request reaches the server", || s.seen().in_flight == 1).await;
    stalled.abort();
    until("the server lets the abandoned request go", || {
        s.seen().in_flight == 0
    })
    .await;
    assert_eq!(s.fault_counts().stalled, 1);
}
