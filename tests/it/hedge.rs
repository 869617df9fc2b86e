//! Hedged reads (issue 15): the simulator's slow answers and request counters, and the shared
//! HTTP layer sending a stalled read once more, never a write, within its budget and its
//! concurrency limit.

use std::time::Duration;

use reqwest::Method;
use vnav::api::ApiResult;
use vnav::api::hedge::HedgeOptions;
use vnav::api::http::{Http, HttpOptions, Response, Retry};
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

/// An endpoint's HTTP layer that hedges quickly (the tests' server answers in microseconds).
fn client(concurrency: usize, hedge: HedgeOptions) -> Http {
    vnav::api::tls::install_crypto_provider();
    Http::new(HttpOptions {
        concurrency,
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
        hedge,
        ..HttpOptions::default()
    })
    .unwrap()
}

fn quick_hedge() -> HedgeOptions {
    HedgeOptions {
        first_delay: Duration::from_millis(50),
        floor: Duration::from_millis(20),
        ..HedgeOptions::default()
    }
}

fn get(http: &Http, url: &str) -> reqwest::Request {
    http.request(Method::GET, url).build().unwrap()
}

/// Sends `req` in the background while every request stalls; once the server holds it, the
/// server turns healthy, so only a second copy of the request can be answered.
async fn stalled_then_healthy(
    s: &Sim,
    http: &Http,
    req: reqwest::Request,
    retry: Retry,
) -> tokio::task::JoinHandle<ApiResult<Response>> {
    s.set_faults(Faults {
        stall_rate: 1.0,
        ..Faults::default()
    });
    let h = http.clone();
    let sent = tokio::spawn(async move { h.send(req, retry).await });
    until("the server holds the request", || {
        s.fault_counts().stalled == 1
    })
    .await;
    s.set_faults(Faults::default());
    sent
}

#[tokio::test]
async fn a_stalled_read_is_hedged_and_answered() {
    let s = quiet_sim().await;
    let http = client(4, quick_hedge());
    let url = format!("{}/api/versions", s.vcd_url);
    let sent = stalled_then_healthy(&s, &http, get(&http, &url), Retry::Idempotent).await;
    let resp = tokio::time::timeout(Duration::from_secs(10), sent)
        .await
        .expect("answered by the copy, long before the 30 s request timeout")
        .unwrap()
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(s.seen_at("GET", "/api/versions"), 2, "sent once more");
    let stats = http.hedge_stats();
    assert_eq!((stats.hedges, stats.won), (1, 1), "{stats:?}");
    until("the stalled first copy is let go", || {
        s.seen().in_flight == 0
    })
    .await;
}

/// The copy stalls too: one more copy after the same delay answers, instead of the request
/// timeout.
#[tokio::test]
async fn a_read_whose_copy_stalls_too_gets_a_second_copy() {
    let s = quiet_sim().await;
    let http = client(4, quick_hedge());
    let url = format!("{}/api/versions", s.vcd_url);
    s.set_faults(Faults {
        stall_rate: 1.0,
        ..Faults::default()
    });
    let h = http.clone();
    let req = get(&http, &url);
    let sent = tokio::spawn(async move { h.send(req, Retry::Idempotent).await });
    until("the read and its first copy both stall", || {
        s.fault_counts().stalled == 2
    })
    .await;
    s.set_faults(Faults::default());
    let resp = tokio::time::timeout(Duration::from_secs(10), sent)
        .await
        .expect("answered by the second copy")
        .unwrap()
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(s.seen_at("GET", "/api/versions"), 3);
    let stats = http.hedge_stats();
    assert_eq!((stats.hedges, stats.won), (2, 1), "{stats:?}");
}

/// A POST the caller marks as a read (Aria Operations' `…/query`, vCenter's property reads) is
/// hedged like a GET.
#[tokio::test]
async fn a_read_only_post_is_hedged() {
    let s = quiet_sim().await;
    let http = client(4, quick_hedge());
    let url = format!("{}/suite-api/api/resources/query", s.vrops_url);
    let req = http
        .request(Method::POST, &url)
        .header("content-type", "application/json")
        .body("{}")
        .build()
        .unwrap();
    let sent = stalled_then_healthy(&s, &http, req, Retry::Read).await;
    let resp = tokio::time::timeout(Duration::from_secs(10), sent)
        .await
        .expect("answered by the copy")
        .unwrap()
        .unwrap();
    assert_eq!(resp.status, 401, "answered (without a token: refused)");
    assert_eq!(s.seen_at("POST", "/suite-api/api/resources/query"), 2);
    assert_eq!(http.hedge_stats().won, 1);
}

/// Writes (and logins, which repeat but are not reads) are never hedged: a stalled one waits for
/// its timeout and the server sees it once.
#[tokio::test]
async fn a_write_is_never_sent_twice() {
    let s = quiet_sim().await;
    vnav::api::tls::install_crypto_provider();
    let http = Http::new(HttpOptions {
        request_timeout: Duration::from_millis(600),
        max_attempts: 1,
        hedge: quick_hedge(),
        ..HttpOptions::default()
    })
    .unwrap();
    let url = format!("{}/api/vApp/vm-1/power/action/powerOff", s.vcd_url);
    for (i, retry) in [Retry::Never, Retry::Idempotent].into_iter().enumerate() {
        let req = http.request(Method::POST, &url).build().unwrap();
        s.set_faults(Faults {
            stall_rate: 1.0,
            ..Faults::default()
        });
        let result = http.send(req, retry).await;
        assert!(result.is_err(), "{retry:?}: timed out");
        assert_eq!(
            s.seen_at("POST", "/api/vApp/vm-1/power/action/powerOff"),
            i as u64 + 1,
            "{retry:?}: sent once"
        );
    }
    let url = format!("{}/api/vApp/vm-1", s.vcd_url);
    let req = http.request(Method::DELETE, &url).build().unwrap();
    assert!(http.send(req, Retry::Idempotent).await.is_err());
    assert_eq!(s.seen_at("DELETE", "/api/vApp/vm-1"), 1);
    let stats = http.hedge_stats();
    assert_eq!((stats.reads, stats.hedges), (0, 0), "{stats:?}");
}

/// On a server where every answer is late, hedging stays within its budget: a burst, then one
/// copy per ten reads.
#[tokio::test]
async fn the_budget_caps_extra_requests() {
    let s = quiet_sim().await;
    s.set_faults(Faults {
        slow_rate: 1.0,
        slow_ms: 120,
        ..Faults::default()
    });
    let hedge = HedgeOptions {
        first_delay: Duration::from_millis(10),
        floor: Duration::from_millis(10),
        ceiling: Duration::from_millis(10),
        burst: 2,
        budget_percent: 10,
        ..HedgeOptions::default()
    };
    let http = client(16, hedge);
    let url = format!("{}/api/versions", s.vcd_url);
    let reads = 60u64;
    // In waves of 10 under a limit of 16: every copy gets a slot at once and reaches the server.
    for _ in 0..reads / 10 {
        let wave = (0..10).map(|_| http.send(get(&http, &url), Retry::Idempotent));
        for r in futures::future::join_all(wave).await {
            assert_eq!(r.unwrap().status, 200);
        }
    }
    let stats = http.hedge_stats();
    assert_eq!(stats.reads, reads);
    assert!(
        stats.hedges >= 2 && stats.hedges <= 2 + reads / 10,
        "a burst of 2, then 10 %: {stats:?}"
    );
    assert!(stats.denied > 0, "the budget said no: {stats:?}");
    assert_eq!(
        s.seen().total,
        reads + stats.hedges,
        "every extra request counted"
    );
}

/// Copies wait for a slot like any request: the server never sees more in flight than the
/// endpoint's limit, however many reads are slow or stalled.
#[tokio::test]
async fn hedging_never_exceeds_the_concurrency_limit() {
    let s = quiet_sim().await;
    s.set_faults(Faults {
        slow_rate: 0.4,
        slow_ms: 80,
        stall_rate: 0.05,
        seed: 9,
        ..Faults::default()
    });
    let hedge = HedgeOptions {
        first_delay: Duration::from_millis(20),
        floor: Duration::from_millis(20),
        burst: 1000,
        budget_percent: 100,
        ..HedgeOptions::default()
    };
    vnav::api::tls::install_crypto_provider();
    let http = Http::new(HttpOptions {
        concurrency: 4,
        request_timeout: Duration::from_secs(2),
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
        max_attempts: 6,
        hedge,
        ..HttpOptions::default()
    })
    .unwrap();
    let url = format!("{}/api/versions", s.vcd_url);
    let all = (0..80).map(|_| http.send(get(&http, &url), Retry::Idempotent));
    for r in futures::future::join_all(all).await {
        assert_eq!(r.unwrap().status, 200);
    }
    let stats = http.hedge_stats();
    assert!(stats.hedges > 0, "reads were hedged: {stats:?}");
    let seen = s.seen();
    assert!(seen.peak_in_flight <= 4, "limit 4 kept: {seen:?}");
    assert!(seen.peak_in_flight >= 3, "the limit was reached: {seen:?}");
}
