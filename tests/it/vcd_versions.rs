//! The client's version choice decides its login: legacy `/api/sessions` below 38.0, cloudapi
//! bearer tokens above; a pinned version the server lacks is refused clearly.

use vnav::api::http::HttpOptions;
use vnav::api::vcd::VcdBackend;
use vnav::api::{ApiError, Backend};
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, SimOptions};

use crate::backends;
use crate::sim_support::sim;

fn backend(url: &str) -> VcdBackend {
    backends::vcd(url, DEMO_USER, DEMO_PASSWORD, HttpOptions::default())
}

#[tokio::test]
async fn pinned_31_logs_in_the_legacy_way_and_renews_on_401() {
    let s = sim(SimOptions::default()).await;
    let b = backend(&s.vcd_url).with_api_version("31.0");
    let info = b.connect().await.expect("legacy login at 31.0");
    assert_eq!(info.api_version, "31.0");
    assert_eq!(info.user, "admin@System");
    let root = b.root();
    let before = s.request_count();
    s.expire_tokens();
    // The session is gone server-side; the next call logs in again (legacy) and succeeds.
    let details = b.details(&root).await.expect("details after re-login");
    assert!(!details.sections.is_empty());
    // versions are not fetched again: the retry is the call, a login, and the call again.
    assert_eq!(s.request_count() - before, 3);
}

#[tokio::test]
async fn a_version_the_server_lacks_is_refused_clearly() {
    let s = sim(SimOptions::default()).await;
    let err = backend(&s.vcd_url)
        .with_api_version("41.0")
        .connect()
        .await
        .unwrap_err();
    match err {
        ApiError::Unsupported(msg) => {
            assert!(msg.contains("41.0") && msg.contains("39.0"), "{msg}")
        }
        other => panic!("expected Unsupported, got {other:?}"),
    }
}

#[tokio::test]
async fn logout_ends_the_session() {
    let s = sim(SimOptions::default()).await;
    let b = backend(&s.vcd_url);
    b.connect().await.unwrap();
    b.logout().await;
    // Logged out: no token at all, so the client refuses before sending anything.
    let before = s.request_count();
    assert!(matches!(b.details(&b.root()).await, Err(ApiError::Auth(_))));
    assert_eq!(s.request_count(), before);
}

/// An Org's VDCs come from its vdc links below API 33 and from its `orgVdc` query link from 33,
/// where the simulator, like a real server, no longer sends vdc links: the same VDC rows
/// (name, href, status, summary) either way.
#[tokio::test]
async fn an_orgs_vdcs_come_from_its_query_link_from_33() {
    use std::sync::{Arc, Mutex};
    use vnav::api::backend::ChildSink;
    use vnav::api::model::{Node, NodeKind};
    async fn vdcs(b: &VcdBackend) -> Vec<String> {
        let got = Arc::new(Mutex::new(vec![]));
        let g = got.clone();
        let sink = ChildSink::new(move |batch: vnav::api::model::ChildBatch| {
            g.lock().unwrap().extend(batch.nodes)
        });
        b.children(&b.root(), &sink).await.unwrap();
        let acme: Node = got
            .lock()
            .unwrap()
            .drain(..)
            .find(|n| &*n.name == "acme")
            .unwrap();
        b.children(&acme, &sink).await.unwrap();
        let nodes = got.lock().unwrap();
        nodes
            .iter()
            .filter(|n| n.kind == NodeKind::Vdc)
            .map(|n| {
                format!(
                    "{} {} {:?} {:?}",
                    n.name,
                    n.id,
                    n.status,
                    n.stored_summary()
                )
            })
            .collect()
    }
    let s = sim(SimOptions::default()).await;
    let old = backend(&s.vcd_url).with_api_version("32.0");
    old.connect().await.unwrap();
    let expected = vdcs(&old).await;
    assert!(!expected.is_empty());
    for version in ["33.0", "36.0", "39.0"] {
        let b = backend(&s.vcd_url).with_api_version(version);
        b.connect().await.unwrap();
        assert_eq!(vdcs(&b).await, expected, "at {version}");
    }
}
