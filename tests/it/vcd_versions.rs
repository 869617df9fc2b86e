//! The client's version choice decides its login: legacy `/api/sessions` below 38.0, cloudapi
//! bearer tokens above; a pinned version the server lacks is refused clearly.

use vnav::api::http::HttpOptions;
use vnav::api::vcd::{VcdBackend, VcdConfig};
use vnav::api::{ApiError, Backend};
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, SimOptions};

use crate::sim_support::sim;

fn backend(url: &str) -> VcdBackend {
    VcdBackend::new(VcdConfig {
        url: url.to_string(),
        user: DEMO_USER.to_string(),
        password: DEMO_PASSWORD.to_string().into(),
        http: HttpOptions::default(),
    })
    .unwrap()
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
