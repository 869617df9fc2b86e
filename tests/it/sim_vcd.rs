//! The vCD simulator over real HTTP: versions, logins, tokens, browsing by links, TLS, and the
//! generated world itself.

use reqwest::StatusCode;
use vnav::sim::{DEMO_PASSWORD, DEMO_USER, SimOptions};

use crate::sim_support::*;

#[tokio::test]
async fn versions_are_listed_without_auth() {
    let s = sim(SimOptions::default()).await;
    let r = http()
        .get(format!("{}/api/versions", s.vcd_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    for v in ["5.5", "9.0", "30.0", "36.0", "38.0", "39.0"] {
        assert!(
            body.contains(&format!("<Version>{v}</Version>")),
            "{v} missing: {body}"
        );
    }
    assert!(s.request_count() >= 1);
}

#[tokio::test]
async fn logins_legacy_and_cloudapi() {
    let s = sim(SimOptions::default()).await;
    let legacy = login_legacy(&s.vcd_url, DEMO_USER, "36.0").await;
    let session = legacy.doc("/api/session").await;
    assert_eq!(root_attr(&session, "user").as_deref(), Some("admin"));
    assert_eq!(root_attr(&session, "org").as_deref(), Some("System"));

    let modern = login(&s.vcd_url, DEMO_USER).await;
    assert!(
        modern
            .doc("/api/session")
            .await
            .contains("System Administrator")
    );
    let tenant = login(&s.vcd_url, "orgadmin@acme").await;
    assert_eq!(
        root_attr(&tenant.doc("/api/session").await, "org").as_deref(),
        Some("acme")
    );

    // Tenants cannot use the provider endpoint; wrong passwords are refused.
    let r = http()
        .post(format!("{}/cloudapi/1.0.0/sessions/provider", s.vcd_url))
        .basic_auth("orgadmin@acme", Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = http()
        .post(format!("{}/cloudapi/1.0.0/sessions/provider", s.vcd_url))
        .basic_auth(DEMO_USER, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("UNAUTHORIZED"));
    let r = http()
        .post(format!("{}/api/sessions", s.vcd_url))
        .header("accept", "application/*+xml;version=36.0")
        .basic_auth(DEMO_USER, Some("wrong"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains("<Error"));
}

#[tokio::test]
async fn legacy_login_is_gone_at_38() {
    let s = sim(SimOptions::default()).await;
    let r = http()
        .post(format!("{}/api/sessions", s.vcd_url))
        .header("accept", "application/*+xml;version=38.0")
        .basic_auth(DEMO_USER, Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(r.text().await.unwrap().contains("<Error"));
}

#[tokio::test]
async fn version_is_required() {
    let s = sim(SimOptions::default()).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    for accept in [
        None,
        Some("application/*+xml"),
        Some("application/*+xml;version=12.0"),
    ] {
        let mut req = c
            .http
            .get(format!("{}/api/org/", s.vcd_url))
            .bearer_auth(&c.token);
        if let Some(a) = accept {
            req = req.header("accept", a);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("NOT_ACCEPTABLE") && body.contains("majorErrorCode=\"406\""),
            "{body}"
        );
    }
}

#[tokio::test]
async fn tokens_are_checked_expired_and_revoked() {
    let s = sim(SimOptions::default()).await;
    let mut c = login(&s.vcd_url, DEMO_USER).await;
    assert_eq!(c.get("/api/org/").await.0, StatusCode::OK);
    let good = c.token.clone();
    c.token = "not-a-token".into();
    let (st, body) = c.get("/api/org/").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert!(body.contains("<Error"));
    let no_token = http()
        .get(format!("{}/api/org/", s.vcd_url))
        .header("accept", "application/*+xml;version=39.0")
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    c.token = good;
    s.expire_tokens();
    assert_eq!(c.get("/api/org/").await.0, StatusCode::UNAUTHORIZED);

    // Logout, both ways.
    let c = login(&s.vcd_url, DEMO_USER).await;
    assert_eq!(
        c.delete("/cloudapi/1.0.0/sessions/current").await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(c.get("/api/org/").await.0, StatusCode::UNAUTHORIZED);
    let c = login_legacy(&s.vcd_url, DEMO_USER, "36.0").await;
    let legacy = c
        .http
        .get(c.url("/api/org/"))
        .header("accept", "application/*+xml;version=36.0");
    assert_eq!(
        legacy
            .header("x-vcloud-authorization", &c.token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );
    assert_eq!(c.delete("/api/session").await, StatusCode::NO_CONTENT);
    assert_eq!(c.get("/api/org/").await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn session_links_and_browsing_by_href() {
    let s = sim(SimOptions::default()).await;
    let c = login(&s.vcd_url, DEMO_USER).await;
    let session = c.doc("/api/session").await;
    let org_list = link_of(&session, "down", "orgList+xml").expect("org list link");
    assert!(link_of(&session, "down", "query.queryList+xml").is_some());
    assert!(link_of(&session, "down", "vcloud.org+xml").is_some());
    assert_eq!(
        links(&session, "entityResolver"),
        vec![format!("{}/api/entity/", s.vcd_url)]
    );
    assert_eq!(links(&session, "remove").len(), 1);

    let list = c.doc(&org_list).await;
    let orgs = tags(&list, "Org");
    assert_eq!(orgs.len(), 4, "System and three tenants: {list}");
    let acme = orgs
        .iter()
        .find(|t| attr(t, "name").as_deref() == Some("acme"))
        .unwrap();
    let org = c.doc(&attr(acme, "href").unwrap()).await;
    assert!(org.contains("<FullName>Acme Corporation</FullName>"));
    assert!(link_of(&org, "down", "catalog+xml").is_some());
    assert!(link_of(&org, "down", "orgNetwork+xml").is_some());
    // Find a VDC with vApps, then walk down to a VM and back up.
    let mut vapp_href = None;
    for vdc in org_vdcs(&c, &org).await {
        let vdc = c.doc(&vdc).await;
        if let Some(e) = tags(&vdc, "ResourceEntity").first() {
            vapp_href = attr(e, "href");
            break;
        }
    }
    let vapp_href = vapp_href.expect("a vApp in acme");
    let vapp = c.doc(&vapp_href).await;
    assert!(["3", "4", "8", "10"].contains(&root_attr(&vapp, "status").unwrap().as_str()));
    let vm = tags(&vapp, "Vm")[0];
    let vm_doc = c.doc(&attr(vm, "href").unwrap()).await;
    assert!(
        vm_doc.contains("ovf:VirtualHardwareSection") && vm_doc.contains("<NetworkConnection ")
    );
    assert_eq!(link_of(&vm_doc, "up", "vApp+xml"), Some(vapp_href));
    let meta = c
        .doc(&link_of(&vm_doc, "down", "metadata+xml").unwrap())
        .await;
    assert!(meta.contains("<Key>owner</Key>") && meta.contains("<Key>cost-center</Key>"));
    // The entity resolver points back at the VM.
    let urn = root_attr(&vm_doc, "id").unwrap();
    let entity = c.doc(&format!("/api/entity/{urn}")).await;
    assert_eq!(
        links(&entity, "alternate"),
        vec![root_attr(&vm_doc, "href").unwrap()]
    );
    // Unknown ids are 404 with an Error body.
    let (st, body) = c
        .get("/api/vApp/vm-00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert!(body.contains("RESOURCE_NOT_FOUND"));
}

#[tokio::test]
async fn tls_latency_and_loopback_only() {
    let s = sim(SimOptions {
        tls: true,
        latency_ms: 20,
        ..SimOptions::default()
    })
    .await;
    assert!(s.vcd_url.starts_with("https://127.0.0.1:"));
    let cert = reqwest::Certificate::from_pem(s.cert_pem.as_ref().unwrap().as_bytes()).unwrap();
    let client = reqwest::Client::builder()
        .tls_certs_only([cert])
        .build()
        .unwrap();
    let r = client
        .get(format!("{}/api/versions", s.vcd_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let err = vnav::sim::start("0.0.0.0:0".parse().unwrap(), SimOptions::default())
        .await
        .err()
        .unwrap();
    assert!(err.to_string().contains("loopback"));
}

#[test]
fn worlds_are_deterministic_and_scale() {
    use vnav::sim::generate::generate;
    let a = generate(200, 7);
    let b = generate(200, 7);
    assert_eq!(
        a.vms.iter().map(|v| (&v.name, v.id)).collect::<Vec<_>>(),
        b.vms.iter().map(|v| (&v.name, v.id)).collect::<Vec<_>>()
    );
    assert_eq!((a.vms.len(), a.orgs.len()), (200, 4));
    let big = generate(100_000, 42);
    assert_eq!(big.vms.len(), 100_000);
    assert_eq!(big.orgs.len(), 21);
    let on = big
        .vms
        .iter()
        .filter(|v| v.power == vnav::sim::world::Power::On)
        .count();
    assert!((60_000..80_000).contains(&on), "{on} powered on");
}

#[test]
fn cli_flags_parse() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: vnav::sim::cli::SimArgs,
    }
    let cli = Cli::try_parse_from([
        "vnav",
        "--vms",
        "10",
        "--tls",
        "--fail-rate",
        "0.5",
        "--latency-ms",
        "5",
    ])
    .unwrap();
    let o = cli.sim.options();
    assert_eq!(
        (o.vms, o.tls, o.fail_rate, o.latency_ms, o.seed),
        (10, true, 0.5, 5, 42)
    );
    assert_eq!(cli.sim.listen.to_string(), "127.0.0.1:0");
    assert!(Cli::try_parse_from(["vnav", "--vms", "many"]).is_err());
}

/// `vnav sim` prints each product's user: the vCD line of old first (scripts read it), then one
/// `credentials <product> <user> <password>` per product, and each of them logs in.
#[tokio::test]
async fn vnav_sim_prints_credentials_for_each_product() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vnav"))
        .args(["sim", "--vms", "20"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // The simulator keeps serving after it prints: a missing line must fail, not hang.
    let mut out: Vec<String> = vec![];
    while out.len() < 9 {
        match rx.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(line) => out.push(line),
            Err(_) => {
                child.kill().unwrap();
                panic!("vnav sim printed only {out:?}");
            }
        }
    }
    let url = |product: &str| {
        out.iter()
            .find_map(|l| l.strip_prefix(&format!("{product} ")))
            .unwrap_or_else(|| panic!("no {product} URL in {out:?}"))
            .to_string()
    };
    let (vcd, vcenter, vrops, vro) = (url("vcd"), url("vcenter"), url("vrops"), url("vro"));
    assert_eq!(out[4], format!("credentials {DEMO_USER} {DEMO_PASSWORD}"));
    let words: Vec<Vec<&str>> = out[5..].iter().map(|l| l.split(' ').collect()).collect();
    assert_eq!(
        words
            .iter()
            .map(|w| (w[0], w[1], w.len()))
            .collect::<Vec<_>>(),
        [
            ("credentials", "vcd", 4),
            ("credentials", "vcenter", 4),
            ("credentials", "vrops", 4),
            ("credentials", "vro", 4)
        ],
        "{out:?}"
    );
    let login = |url: String, user: &str, password: &str| {
        http()
            .post(url)
            .header("accept", "application/json;version=39.0")
            .basic_auth(user, Some(password))
            .send()
    };
    let r = login(
        format!("{vcd}/cloudapi/1.0.0/sessions/provider"),
        words[0][2],
        words[0][3],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "vcd login with {:?}", out[5]);
    let r = login(format!("{vcenter}/api/session"), words[1][2], words[1][3])
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "vcenter login with {:?}",
        out[6]
    );
    let r = http()
        .post(format!("{vrops}/suite-api/api/auth/token/acquire"))
        .header("accept", "application/json")
        .json(&serde_json::json!({"username": words[2][2], "password": words[2][3]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "vrops login with {:?}", out[7]);
    let r = http()
        .get(format!("{vro}/vco/api/workflows?maxResult=1"))
        .header("accept", "application/json")
        .basic_auth(words[3][2], Some(words[3][3]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "vro login with {:?}", out[8]);
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Below API 33 an Org carries one vdc link per VDC; from 33 it carries a query link on
/// `orgVdc` instead (and no vdc links), which lists the same VDCs, for tenants too.
#[tokio::test]
async fn orgs_list_vdcs_through_a_query_link_from_33() {
    let s = sim(SimOptions::default()).await;
    let acme_of = |list: &str| {
        tags(list, "Org")
            .into_iter()
            .find(|t| attr(t, "name").as_deref() == Some("acme"))
            .and_then(|t| attr(t, "href"))
            .unwrap()
    };
    let old = login_legacy(&s.vcd_url, DEMO_USER, "32.0").await;
    let acme = acme_of(&old.doc("/api/org/").await);
    let org = old.doc(&acme).await;
    assert_eq!(link_of(&org, "down", "query.records+xml"), None, "{org}");
    let mut expected: Vec<String> = tags(&org, "Link")
        .into_iter()
        .filter(|t| attr(t, "type").unwrap_or_default().contains("vdc+xml"))
        .filter_map(|t| attr(t, "href"))
        .collect();
    expected.sort();
    assert!(!expected.is_empty(), "{org}");
    for c in [
        login_legacy(&s.vcd_url, DEMO_USER, "33.0").await,
        login(&s.vcd_url, DEMO_USER).await,
        login(&s.vcd_url, "orgadmin@acme").await,
    ] {
        let org = c.doc(&acme).await;
        assert_eq!(link_of(&org, "down", "vdc+xml"), None, "{org}");
        let query = link_of(&org, "down", "query.records+xml").unwrap();
        assert!(query.contains("type=orgVdc"), "{query}");
        let mut got = org_vdcs(&c, &org).await;
        got.sort();
        assert_eq!(got, expected, "at {}", c.version);
    }
}
