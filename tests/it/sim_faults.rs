//! The simulator's fault injection: each fault observable over HTTP, counted, deterministic from
//! its seed, and gone again once `set_faults` turns it off.

use std::time::Duration;

use reqwest::StatusCode;
use vnav::sim::{DEMO_USER, FaultCounts, Faults, SimOptions};

use crate::sim_support::*;
use crate::sim_vcenter_support::{D, vc_login};
use crate::sim_vrops_support::ops_login;

fn faulty(faults: Faults) -> SimOptions {
    SimOptions {
        vms: 40,
        task_seconds: 0.2,
        faults,
        ..SimOptions::default()
    }
}

async fn versions(base: &str) -> Result<(StatusCode, String), reqwest::Error> {
    let r = http().get(format!("{base}/api/versions")).send().await?;
    let st = r.status();
    Ok((st, r.text().await?))
}

#[tokio::test]
async fn error_rate_answers_503_without_processing() {
    let s = sim(opts(0.2)).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    s.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let (st, body) = versions(&s.vcd_url).await.unwrap();
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(root_attr(&body, "majorErrorCode").as_deref(), Some("503"));
    assert_eq!(
        root_attr(&body, "minorErrorCode").as_deref(),
        Some("SERVICE_UNAVAILABLE")
    );
    // cloudapi answers in JSON.
    let r = http()
        .post(format!("{}/cloudapi/1.0.0/sessions/provider", s.vcd_url))
        .basic_auth(DEMO_USER, Some(vnav::sim::DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["minorErrorCode"], "SERVICE_UNAVAILABLE");
    // An action refused with 503 must not have happened.
    let q = "/api/query?type=vm&pageSize=1&filter=status==POWERED_ON";
    let requests = s.request_count();
    let (st, _) = c
        .post(
            "/api/vApp/vm-00000000-0000-4000-8000-000000000000/power/action/powerOff",
            "",
        )
        .await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        s.request_count(),
        requests,
        "refused requests never reach routing"
    );
    assert_eq!(s.fault_counts().errors, 3);
    s.set_faults(Faults::default());
    assert_eq!(versions(&s.vcd_url).await.unwrap().0, StatusCode::OK);
    assert!(c.doc(q).await.contains("VMRecord"));
    assert!(!c.doc("/api/query?type=task").await.contains("<TaskRecord"));
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let s = sim(faulty(Faults {
        rate_limit: Some(3),
        ..Faults::default()
    }))
    .await;
    let mut statuses = vec![];
    let mut limited = None;
    for _ in 0..6 {
        let r = http()
            .get(format!("{}/api/versions", s.vcd_url))
            .send()
            .await
            .unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == StatusCode::TOO_MANY_REQUESTS && limited.is_none() {
            let retry = r.headers()["retry-after"].to_str().unwrap().to_string();
            limited = Some((retry, r.text().await.unwrap()));
        }
    }
    assert_eq!(&statuses[..3], &[200, 200, 200], "{statuses:?}");
    assert!(statuses[3..].contains(&429), "{statuses:?}");
    let (retry, body) = limited.unwrap();
    assert_eq!(retry, "1");
    assert_eq!(root_attr(&body, "majorErrorCode").as_deref(), Some("429"));
    assert!(s.fault_counts().rate_limited >= 1);
    s.advance(Duration::from_millis(1100));
    assert_eq!(versions(&s.vcd_url).await.unwrap().0, StatusCode::OK);
    s.set_faults(Faults::default());
    for _ in 0..10 {
        assert_eq!(versions(&s.vcd_url).await.unwrap().0, StatusCode::OK);
    }
}

#[tokio::test]
async fn dropped_post_still_creates_its_task() {
    let s = sim(faulty(Faults::default())).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let doc = c
        .doc("/api/query?type=vm&pageSize=1&filter=status==POWERED_ON")
        .await;
    let href = attr(tags(&doc, "VMRecord")[0], "href").unwrap();
    s.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    let sent = c
        .http
        .post(format!("{href}/power/action/powerOff"))
        .header("accept", "application/*+xml;version=39.0")
        .bearer_auth(&c.token)
        .send()
        .await;
    let outcome = match sent {
        Ok(r) => r.text().await.map(|_| ()),
        Err(e) => Err(e),
    };
    assert!(outcome.is_err(), "the connection must break mid-body");
    assert_eq!(s.fault_counts().dropped, 1);
    s.set_faults(Faults::default());
    let tasks = c.doc("/api/query?type=task").await;
    let recs = tags(&tasks, "TaskRecord");
    assert_eq!(recs.len(), 1, "{tasks}");
    assert_eq!(attr(recs[0], "name").as_deref(), Some("vmPowerOff"));
}

#[tokio::test]
async fn truncated_bodies_are_malformed_but_well_framed() {
    let s = sim(faulty(Faults::default())).await;
    let (_, full) = versions(&s.vcd_url).await.unwrap();
    s.set_faults(Faults {
        truncate_rate: 1.0,
        seed: 7,
        ..Faults::default()
    });
    for _ in 0..5 {
        let r = http()
            .get(format!("{}/api/versions", s.vcd_url))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let len: usize = r.headers()["content-length"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        let body = r.text().await.unwrap();
        assert_eq!(body.len(), len);
        assert!(body.len() < full.len() && full.starts_with(&body));
        assert!(!body.contains("</SupportedVersions>"));
    }
    let r = http()
        .post(format!("{}/cloudapi/1.0.0/sessions/provider", s.vcd_url))
        .basic_auth(DEMO_USER, Some(vnav::sim::DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let text = r.text().await.unwrap();
    assert!(
        serde_json::from_str::<serde_json::Value>(&text).is_err(),
        "{text}"
    );
    assert_eq!(s.fault_counts().truncated, 6);
    s.set_faults(Faults::default());
    assert_eq!(versions(&s.vcd_url).await.unwrap().1, full);
}

#[tokio::test]
async fn stalled_requests_time_out_then_recover() {
    let s = sim(faulty(Faults {
        stall_rate: 1.0,
        ..Faults::default()
    }))
    .await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = client
        .get(format!("{}/api/versions", s.vcd_url))
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(s.fault_counts().stalled, 1);
    s.set_faults(Faults::default());
    let r = client
        .get(format!("{}/api/versions", s.vcd_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn tokens_expire_after_the_ttl() {
    let s = sim(faulty(Faults {
        token_ttl_secs: Some(1),
        ..Faults::default()
    }))
    .await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    assert_eq!(c.get("/api/session").await.0, StatusCode::OK);
    s.advance(Duration::from_millis(1100));
    let (st, body) = c.get("/api/session").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED, "{body}");
    let c = login(&s.vcd_url, DEMO_USER).await;
    assert_eq!(c.get("/api/session").await.0, StatusCode::OK);
    s.set_faults(Faults::default());
    s.advance(Duration::from_millis(1100));
    assert_eq!(c.get("/api/session").await.0, StatusCode::OK);
}

/// One clock for every server: moving it past the fixed token lifetime expires vCD, vCenter and
/// Aria Operations sessions alike, and not a moment before.
#[tokio::test]
async fn advancing_the_clock_expires_every_servers_tokens() {
    let s = sim(faulty(Faults {
        token_ttl_secs: Some(60),
        ..Faults::default()
    }))
    .await;
    let vcd = login(&s.vcd_url, DEMO_USER).await;
    let vc = vc_login(&s.vcenter_url, D::Api).await;
    let ops = ops_login(&s.vrops_url, "OpsToken").await;
    s.advance(Duration::from_secs(59));
    let statuses = [
        vcd.get("/api/session").await.0,
        vc.get("/vcenter/vm").await.0,
        ops.get("/resources?pageSize=1").await.0,
    ];
    assert_eq!(statuses, [StatusCode::OK; 3]);
    s.advance(Duration::from_secs(2));
    let statuses = [
        vcd.get("/api/session").await.0,
        vc.get("/vcenter/vm").await.0,
        ops.get("/resources?pageSize=1").await.0,
    ];
    assert_eq!(statuses, [StatusCode::UNAUTHORIZED; 3]);
}

async fn statuses(faults: Faults) -> (Vec<u16>, FaultCounts) {
    let s = sim(faulty(faults)).await;
    let mut out = vec![];
    for _ in 0..30 {
        out.push(versions(&s.vcd_url).await.unwrap().0.as_u16());
    }
    (out, s.fault_counts())
}

#[tokio::test]
async fn faults_replay_from_their_seed_with_jitter() {
    let f = Faults {
        error_rate: 0.5,
        jitter_ms: 5,
        seed: 3,
        ..Faults::default()
    };
    let (a, ca) = statuses(f.clone()).await;
    let (b, cb) = statuses(f.clone()).await;
    assert_eq!(a, b);
    assert_eq!(ca, cb);
    assert!(a.contains(&503) && a.contains(&200), "{a:?}");
    assert_eq!(ca.errors as usize, a.iter().filter(|s| **s == 503).count());
    let (c, _) = statuses(Faults { seed: 4, ..f }).await;
    assert_ne!(a, c);
}

#[test]
fn fault_flags_parse() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: vnav::sim::cli::SimArgs,
    }
    let cli = Cli::try_parse_from([
        "vnav",
        "--jitter-ms",
        "20",
        "--error-rate",
        "0.1",
        "--rate-limit",
        "50",
        "--drop-rate",
        "0.01",
        "--truncate-rate",
        "0.02",
        "--stall-rate",
        "0.03",
        "--slow-rate",
        "0.04",
        "--slow-ms",
        "700",
        "--session-ttl",
        "60",
    ])
    .unwrap();
    let f = cli.sim.options().faults;
    assert_eq!(
        f,
        Faults {
            jitter_ms: 20,
            error_rate: 0.1,
            rate_limit: Some(50),
            drop_rate: 0.01,
            truncate_rate: 0.02,
            stall_rate: 0.03,
            slow_rate: 0.04,
            slow_ms: 700,
            token_ttl_secs: Some(60),
            seed: 42,
        }
    );
    let none = Cli::try_parse_from(["vnav"]).unwrap().sim.options().faults;
    assert_eq!(
        none,
        Faults {
            seed: 42,
            ..Faults::default()
        }
    );
}
