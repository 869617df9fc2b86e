//! Secrets stay secret: a whole session logged at TRACE level (every crate, including the HTTP
//! stack) contains neither the password nor any token; nor do Debug output, errors, the raw view
//! or the audit log.

use std::sync::{Arc, Mutex};

use vnav::api::http::HttpOptions;
use vnav::api::model::{ActionId, ActionParams, NodeKind};
use vnav::api::vcd::{VcdBackend, VcdConfig};
use vnav::api::{Backend, ChildSink};
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, SimOptions};

use crate::backends;
use crate::sim_support::sim;
use crate::trace_log::TraceLog;

async fn children(b: &VcdBackend, node: &vnav::api::model::Node) -> Vec<vnav::api::model::Node> {
    let (sink, got) = ChildSink::collecting();
    b.children(node, &sink).await.unwrap();
    got.take()
}

// current_thread: the simulator, the client and the HTTP stack all log on this thread, so the
// thread-local subscriber sees everything.
#[tokio::test(flavor = "current_thread")]
async fn a_trace_log_of_a_whole_session_holds_no_secret() {
    let log = TraceLog::start();

    let s = sim(SimOptions {
        task_seconds: 0.2,
        ..SimOptions::default()
    })
    .await;
    let config = VcdConfig {
        url: s.vcd_url.clone(),
        user: DEMO_USER.into(),
        password: DEMO_PASSWORD.to_string().into(),
        http: HttpOptions::default(),
    };
    let mut seen = format!("{config:?}");
    let b = VcdBackend::new(config).unwrap();
    let mut tokens = Vec::new();
    b.connect().await.unwrap();
    tokens.extend(s.live_tokens());

    // Browse down to a VM, read it (raw view included), act on it, survive a re-login.
    let orgs = children(&b, &b.root()).await;
    let org = orgs
        .iter()
        .find(|n| n.kind == NodeKind::Org && &*n.name == "acme")
        .unwrap();
    let vdc = children(&b, org)
        .await
        .into_iter()
        .find(|n| n.kind == NodeKind::Vdc)
        .unwrap();
    let vapp = children(&b, &vdc).await.remove(0);
    let vm = children(&b, &vapp).await.remove(0);
    s.expire_tokens();
    let details = b.details(&vm).await.unwrap();
    tokens.extend(s.live_tokens());
    seen.push_str(&format!("{details:?}"));
    let offer = details
        .actions
        .iter()
        .find(|a| a.id == ActionId::SnapshotCreate)
        .unwrap();
    let task = b.invoke(&vm, offer, &ActionParams::None).await;
    seen.push_str(&format!("{task:?}"));
    let wrong = backends::vcd(
        &s.vcd_url,
        DEMO_USER,
        "not-the-password",
        HttpOptions::default(),
    );
    seen.push_str(&format!("{:?}", wrong.connect().await));
    b.logout().await;

    assert!(
        tokens.len() >= 2,
        "expected a login and a re-login, got {tokens:?}"
    );
    no_secret(&log, &seen, &tokens, &["not-the-password"]);
}

/// The same for vCenter: REST session, the vim session (VI/JSON on 8.0, SOAP on 7.0), VM details
/// with snapshots, a snapshot task, an expired session and a refused password.
#[tokio::test(flavor = "current_thread")]
async fn a_trace_log_of_a_vcenter_session_holds_no_secret() {
    use vnav::api::vcenter::VcenterConfig;
    use vnav::sim::{VCENTER_USER, VcenterVersion};
    let log = TraceLog::start();
    let mut seen = String::new();
    let mut tokens = Vec::new();
    for version in [VcenterVersion::V8_0, VcenterVersion::V7_0] {
        let s = sim(SimOptions {
            task_seconds: 0.2,
            vcenter_version: version,
            ..SimOptions::default()
        })
        .await;
        let config = |password: &str| VcenterConfig {
            url: s.vcenter_url.clone(),
            user: VCENTER_USER.into(),
            password: password.to_string().into(),
            http: HttpOptions::default(),
        };
        seen.push_str(&format!("{:?}", config(DEMO_PASSWORD)));
        let b = backends::vcenter_admin(&s);
        b.connect().await.unwrap();
        let rows = b
            .snapshot_sprawl(&vnav::api::SprawlSink::ignore())
            .await
            .unwrap();
        let vm = &rows[0].vm;
        let details = b.details(vm).await.unwrap();
        tokens.extend(s.live_tokens());
        s.expire_tokens();
        let offer = details
            .actions
            .iter()
            .find(|a| a.id == ActionId::SnapshotCreate)
            .unwrap();
        let task = b.invoke(vm, offer, &ActionParams::None).await.unwrap();
        seen.push_str(&format!("{details:?}{task:?}"));
        tokens.extend(s.live_tokens());
        let wrong = backends::vcenter(
            &s.vcenter_url,
            VCENTER_USER,
            "not-the-password",
            HttpOptions::default(),
        );
        seen.push_str(&format!("{:?}", wrong.connect().await));
        b.logout().await;
    }
    assert!(tokens.len() >= 4, "REST and vim sessions: {tokens:?}");
    no_secret(&log, &seen, &tokens, &["not-the-password"]);
}

fn no_secret(log: &TraceLog, seen: &str, tokens: &[String], passwords: &[&str]) {
    let log = log.text();
    assert!(
        log.contains("request"),
        "the log captured the requests:\n{log}"
    );
    for (what, text) in [("trace log", log.as_str()), ("debug output", seen)] {
        for p in std::iter::once(DEMO_PASSWORD).chain(passwords.iter().copied()) {
            assert!(!text.contains(p), "{what} contains the password {p}");
        }
        for t in tokens {
            assert!(!text.contains(t.as_str()), "{what} contains token {t}");
        }
    }
}

/// An href that merely starts with the endpoint's URL (`http://localhost:PORT@other-host/…`, or
/// `https://vcd.example.com.evil.net/…`) is another origin: the token is never sent there.
#[tokio::test]
async fn a_look_alike_href_never_receives_the_token() {
    let s = sim(SimOptions::default()).await;
    // A trap server that records every request it gets.
    let trap = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let trap_addr = trap.local_addr().unwrap();
    let hits = Arc::new(Mutex::new(0usize));
    let counted = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut conn, _)) = trap.accept().await {
            *counted.lock().unwrap() += 1;
            use tokio::io::AsyncWriteExt;
            let _ = conn
                .write_all(b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n")
                .await;
        }
    });
    // `localhost:PORT` is the simulator; as a prefix it also begins the look-alike href below.
    let port = s.vcd_url.rsplit(':').next().unwrap();
    let base = format!("http://localhost:{port}");
    let b = backends::vcd(&base, DEMO_USER, DEMO_PASSWORD, HttpOptions::default());
    b.connect().await.expect("connect");
    let look_alike = format!("{base}@{trap_addr}/api/vApp/vm-1");
    let node = vnav::api::model::Node::new(NodeKind::Vm, look_alike, "vm");
    let err = b
        .details(&node)
        .await
        .expect_err("another origin is refused");
    assert!(err.to_string().contains("outside the endpoint"), "{err}");
    assert_eq!(
        *hits.lock().unwrap(),
        0,
        "the look-alike host was contacted"
    );

    assert!(vnav::api::http::same_origin(
        "https://vcd.example.com",
        "https://vcd.example.com:443/api/org"
    ));
    for other in [
        "https://vcd.example.com.evil.net/api/org",
        "https://vcd.example.com@evil.net/api/org",
        "http://vcd.example.com/api/org",
        "https://vcd.example.com:8443/api/org",
        "/api/org",
    ] {
        assert!(
            !vnav::api::http::same_origin("https://vcd.example.com", other),
            "{other}"
        );
    }
}
