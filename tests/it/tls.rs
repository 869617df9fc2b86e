//! TLS policy against the simulator's self-signed HTTPS: refused by default with the presented
//! certificate's subject and fingerprint in the message; accepted when pinned by that
//! fingerprint, when its CA file is given, or with --insecure.

use vnav::api::http::HttpOptions;
use vnav::api::tls::TlsOptions;
use vnav::api::vcd::VcdBackend;
use vnav::api::{ApiError, Backend};
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, Sim, SimOptions};

use crate::backends;
use crate::sim_support::sim;

fn backend(s: &Sim, tls: TlsOptions) -> VcdBackend {
    let http = HttpOptions {
        tls,
        ..HttpOptions::default()
    };
    backends::vcd(&s.vcd_url, DEMO_USER, DEMO_PASSWORD, http)
}

#[tokio::test]
async fn verification_is_on_and_explains_itself_then_pinning_ca_and_insecure_work() {
    let s = sim(SimOptions {
        tls: true,
        ..SimOptions::default()
    })
    .await;
    assert!(s.vcd_url.starts_with("https://"));

    let err = backend(&s, TlsOptions::default())
        .connect()
        .await
        .unwrap_err();
    let ApiError::Tls { message } = err else {
        panic!("expected a TLS error, got {err:?}");
    };
    assert!(
        message.contains("subject") && message.contains("fingerprint"),
        "{message}"
    );
    // The fingerprint the message shows is the one to pin.
    let fp = message
        .split("fingerprint ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("a fingerprint in the message")
        .to_string();
    let pinned = TlsOptions {
        fingerprint: Some(fp.clone()),
        ..TlsOptions::default()
    };
    backend(&s, pinned)
        .connect()
        .await
        .expect("pinned by fingerprint");

    let wrong = TlsOptions {
        fingerprint: Some(fp.replace(|c: char| c.is_ascii_hexdigit(), "0")),
        ..TlsOptions::default()
    };
    let refused = backend(&s, wrong).connect().await;
    assert!(matches!(refused, Err(ApiError::Tls { .. })), "{refused:?}");

    let dir = tempfile::tempdir().unwrap();
    let ca = dir.path().join("sim.pem");
    std::fs::write(&ca, s.cert_pem.as_deref().unwrap()).unwrap();
    let with_ca = TlsOptions {
        ca_file: Some(ca),
        ..TlsOptions::default()
    };
    backend(&s, with_ca)
        .connect()
        .await
        .expect("trusted through its CA file");

    let insecure = TlsOptions {
        insecure: true,
        ..TlsOptions::default()
    };
    backend(&s, insecure).connect().await.expect("--insecure");
}
