//! The Aria Operations simulator: auth (8 vs 9, both token headers, sliding expiry), paging,
//! the page-size, id-count and in-flight limits, and resources that are the vCenter's objects
//! (same moids, same VM count, power changes seen at once).

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use vnav::sim::inventory::vm_moid;
use vnav::sim::world::{Power, uuid_str};
use vnav::sim::{DEMO_PASSWORD, Faults, VROPS_USER, VropsOptions, VropsVersion};

use crate::sim_support::http;
use crate::sim_vcenter_support::{D, vc_login};
use crate::sim_vrops_support::*;

fn basic(base: &str) -> Ops {
    use base64::Engine as _;
    let creds =
        base64::engine::general_purpose::STANDARD.encode(format!("{VROPS_USER}:{DEMO_PASSWORD}"));
    Ops {
        http: http(),
        base: base.into(),
        auth: format!("Basic {creds}"),
    }
}

#[tokio::test]
async fn version_8_takes_basic_and_both_token_headers() {
    let s = ops_sim(VropsVersion::V8, 50).await;
    for scheme in ["vRealizeOpsToken", "OpsToken"] {
        let c = ops_login(&s.vrops_url, scheme).await;
        c.ok("/resources?pageSize=1").await;
    }
    let v = basic(&s.vrops_url).ok("/resources?pageSize=1").await;
    assert_eq!(v["pageInfo"]["pageSize"], 1);
    let v = basic(&s.vrops_url).ok("/versions/current").await;
    assert_eq!(v["releaseName"], "VMware Aria Operations 8.18.4");
    // Wrong password, no credentials, an unknown token: 401 in the real error shape.
    let mut wrong = basic(&s.vrops_url);
    wrong.auth = "Basic YWRtaW46bm9wZQ==".into();
    let (st, v) = wrong.get("/resources").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, 401);
    wrong.auth = "OpsToken not-a-token".into();
    let (st, v) = wrong.get("/alerts").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_error(&v, 401);
    assert_eq!(v["apiErrorCode"], 1512);
    let r = http()
        .post(format!("{}/suite-api/api/auth/token/acquire", s.vrops_url))
        .json(&json!({"username": VROPS_USER, "password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn version_9_refuses_basic_on_every_call() {
    let s = ops_sim(VropsVersion::V9, 50).await;
    let b = basic(&s.vrops_url);
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    let vm = c
        .ok("/resources?resourceKind=VirtualMachine&pageSize=1")
        .await["resourceList"][0]["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    for path in [
        "/adapterkinds".to_string(),
        "/resources".to_string(),
        format!("/resources/{vm}"),
        format!("/resources/{vm}/stats/latest"),
        "/alerts".to_string(),
        "/alertdefinitions".to_string(),
    ] {
        let (st, v) = b.get(&path).await;
        assert_eq!(st, StatusCode::UNAUTHORIZED, "{path}");
        assert_error(&v, 401);
        c.ok(&path).await;
    }
    let (st, _) = b
        .post(
            "/resources/query",
            json!({"resourceKind": ["VirtualMachine"]}),
        )
        .await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    // The old header name still works on 9.
    ops_login(&s.vrops_url, "vRealizeOpsToken")
        .await
        .ok("/resources?pageSize=1")
        .await;
    let v = c.ok("/versions/current").await;
    assert!(v["releaseName"].as_str().unwrap().contains("9.0"), "{v}");
}

#[tokio::test]
async fn tokens_slide_then_expire_with_the_real_401_and_release_ends_them() {
    let s = ops_sim_with(
        20,
        VropsOptions {
            token_ttl_secs: 60,
            ..VropsOptions::default()
        },
    )
    .await;
    let c = ops_login(&s.vrops_url, "vRealizeOpsToken").await;
    c.ok("/resources?pageSize=1").await;
    // 59 s idle, used, 59 s idle again: alive, because each use restarts the lifetime.
    s.advance(Duration::from_secs(59));
    c.ok("/resources?pageSize=1").await;
    s.advance(Duration::from_secs(59));
    c.ok("/resources?pageSize=1").await;
    s.advance(Duration::from_secs(61));
    let (st, v) = c.get("/resources?pageSize=1").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(v["apiErrorCode"], 1512, "{v}");
    assert_eq!(v["httpStatusCode"], 401);
    assert!(
        v["message"].as_str().unwrap().contains("vRealizeOpsToken"),
        "{v}"
    );
    // A new token works; released, it is dead.
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    let (st, _) = c
        .call(reqwest::Method::POST, "/auth/token/release", None)
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, v) = c.get("/resources").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
    assert_eq!(v["apiErrorCode"], 1512);
    assert!(s.live_tokens().is_empty() || !s.live_tokens().iter().any(|t| c.auth.ends_with(t)));
}

#[tokio::test]
async fn pages_are_zero_based_stable_and_complete() {
    let s = ops_sim(VropsVersion::V8, 120).await;
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    // 0 pages: nothing matches.
    let v = c.ok("/resources?name=no-such-vm-anywhere").await;
    assert_eq!(v["pageInfo"]["totalCount"], 0);
    assert_eq!(v["resourceList"].as_array().unwrap().len(), 0);
    // 1 page.
    let one = c
        .ok("/resources?resourceKind=VirtualMachine&pageSize=1000")
        .await;
    assert_eq!(one["pageInfo"]["totalCount"], 120);
    let all: Vec<Value> = one["resourceList"].as_array().unwrap().clone();
    assert_eq!(all.len(), 120);
    // N pages, read last page first: the same resources in the same order, no repeats.
    let mut pages = vec![];
    for p in (0..5).rev() {
        let v = c
            .ok(&format!(
                "/resources?resourceKind=VirtualMachine&page={p}&pageSize=25"
            ))
            .await;
        assert_eq!(v["pageInfo"]["page"], p);
        assert_eq!(v["pageInfo"]["totalCount"], 120);
        pages.push((p, v["resourceList"].as_array().unwrap().clone()));
    }
    pages.sort_by_key(|(p, _)| *p);
    let ids = |l: &[Value]| -> Vec<String> {
        l.iter()
            .map(|r| r["identifier"].as_str().unwrap().to_string())
            .collect()
    };
    let paged: Vec<String> = pages.iter().flat_map(|(_, l)| ids(l)).collect();
    assert_eq!(paged, ids(&all));
    assert_eq!(pages[4].1.len(), 20);
    // Past the end: empty, not an error.
    let v = c
        .ok("/resources?resourceKind=VirtualMachine&page=9&pageSize=25")
        .await;
    assert!(v["resourceList"].as_array().unwrap().is_empty());
    // The POST form pages the same way.
    let v = c
        .ok_post(
            "/resources/query?page=1&pageSize=25",
            json!({"adapterKind": ["VMWARE"], "resourceKind": ["VirtualMachine"]}),
        )
        .await;
    assert_eq!(ids(v["resourceList"].as_array().unwrap()), paged[25..50]);
}

#[tokio::test]
async fn page_size_and_id_count_over_ten_thousand_are_refused() {
    let s = ops_sim(VropsVersion::V8, 20).await;
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    c.ok("/resources?pageSize=10000").await;
    for path in ["/resources?pageSize=10001", "/alerts?pageSize=20000"] {
        let (st, v) = c.get(path).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{path}");
        assert_error(&v, 400);
    }
    let ids: Vec<String> = (0..10_001)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    let (st, v) = c
        .post(
            "/resources/stats/latest/query",
            json!({"resourceId": ids, "statKey": ["cpu|usage_average"]}),
        )
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    assert_error(&v, 400);
    let (st, _) = c.post("/resources/query", json!({"resourceId": ids})).await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    // 10,000 is allowed (unknown ids are skipped).
    let v = c
        .ok_post(
            "/resources/stats/latest/query",
            json!({"resourceId": &ids[..10_000], "statKey": ["cpu|usage_average"]}),
        )
        .await;
    assert_eq!(v["values"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn requests_over_the_in_flight_ceiling_get_429() {
    let s = ops_sim_with(
        20,
        VropsOptions {
            max_inflight: 3,
            ..VropsOptions::default()
        },
    )
    .await;
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    // Hold three requests in the server: every request stalls until the simulator stops.
    s.set_faults(Faults {
        stall_rate: 1.0,
        ..Faults::default()
    });
    let held: Vec<_> = (0..3)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.get("/resources").await })
        })
        .collect();
    // Bounded, so a ceiling that missed held requests fails instead of hanging.
    tokio::time::timeout(Duration::from_secs(20), async {
        while s.vrops_in_flight().0 < 3 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("three requests held in flight");
    let before = s.vrops_request_count();
    s.set_faults(Faults::default());
    let (st, v) = c.get("/resources?pageSize=1").await;
    assert_eq!(st, StatusCode::TOO_MANY_REQUESTS, "{v}");
    assert_error(&v, 429);
    assert_eq!(
        s.vrops_request_count(),
        before + 1,
        "refused requests are counted"
    );
    // Another client is not held back by this one's requests.
    ops_login(&s.vrops_url, "OpsToken")
        .await
        .ok("/resources?pageSize=1")
        .await;
    // The three held, plus the other client's: the refused fourth never got in.
    assert_eq!(s.vrops_in_flight().1, 4, "peak in flight");
    for h in held {
        h.abort();
    }
}

#[tokio::test]
async fn resources_are_the_vcenter_objects_with_its_moids_and_uuid() {
    let s = ops_sim(VropsVersion::V8, 300).await;
    let w = vnav::sim::generate::generate(300, 42);
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    let vms = c.all_of("VirtualMachine", 128).await;
    assert_eq!(vms.len(), w.vms.len());
    // The vCenter simulator's instance UUID is the VCID of every resource.
    let vcid = uuid_str(w.vcenter);
    let vc = vc_login(&s.vcenter_url, D::Api).await;
    let (_, list) = vc.get("/vcenter/vm").await;
    let vc_moids: std::collections::BTreeSet<String> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["vm"].as_str().unwrap().to_string())
        .collect();
    let ops_moids: std::collections::BTreeSet<String> = vms
        .iter()
        .map(|r| identifier(r, "VMEntityObjectID").unwrap())
        .collect();
    assert_eq!(ops_moids, vc_moids);
    for (i, r) in vms.iter().enumerate() {
        assert_eq!(identifier(r, "VMEntityVCID").unwrap(), vcid);
        assert_eq!(
            identifier(r, "VMEntityObjectID").unwrap(),
            vm_moid(&w, i as u32)
        );
        assert_eq!(
            identifier(r, "VMEntityInstanceUUID").unwrap(),
            uuid_str(w.vms[i].id)
        );
        assert_eq!(r["resourceKey"]["name"], w.vms[i].name.as_str());
    }
    // The vCenter's instance UUID as its vim ServiceContent serves it.
    let soap = http()
        .post(format!("{}/sdk", s.vcenter_url))
        .header("content-type", "text/xml")
        .header("soapaction", "urn:vim25/8.0.2.0")
        .body(
            r#"<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><RetrieveServiceContent xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></RetrieveServiceContent></soapenv:Body></soapenv:Envelope>"#,
        )
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        soap.contains(&format!("<instanceUuid>{vcid}</instanceUuid>")),
        "{soap}"
    );
    // Hosts, clusters, datacenters and datastores by moid.
    for (kind, moids) in [
        (
            "HostSystem",
            w.vc.hosts
                .iter()
                .map(|h| h.moid.clone())
                .collect::<Vec<_>>(),
        ),
        (
            "ClusterComputeResource",
            w.vc.clusters.iter().map(|h| h.moid.clone()).collect(),
        ),
        (
            "Datacenter",
            w.vc.datacenters.iter().map(|h| h.moid.clone()).collect(),
        ),
        (
            "Datastore",
            w.vc.datastores.iter().map(|h| h.moid.clone()).collect(),
        ),
    ] {
        let got: Vec<String> = c
            .all_of(kind, 1000)
            .await
            .iter()
            .map(|r| identifier(r, "VMEntityObjectID").unwrap())
            .collect();
        assert_eq!(got, moids, "{kind}");
    }
    let adapters = c.all_of("VMwareAdapter%20Instance", 10).await;
    assert_eq!(adapters.len(), 1);
    // One resource by id, and an unknown id: 404 in the real shape.
    let id = vms[7]["identifier"].as_str().unwrap();
    assert_eq!(c.ok(&format!("/resources/{id}")).await, vms[7]);
    let (st, v) = c
        .get("/resources/00000000-0000-4000-8000-000000000000")
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&v, 404);
    // Filters: name (substring), repeated resourceId.
    let name = w.vms[3].name.clone();
    let v = c
        .ok(&format!(
            "/resources?resourceKind=VirtualMachine&name={name}"
        ))
        .await;
    assert!(
        v["resourceList"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["resourceKey"]["name"] == name.as_str())
    );
    let (a, b) = (
        vms[1]["identifier"].as_str().unwrap(),
        vms[2]["identifier"].as_str().unwrap(),
    );
    let v = c
        .ok(&format!("/resources?resourceId={a}&resourceId={b}"))
        .await;
    assert_eq!(v["pageInfo"]["totalCount"], 2);
}

#[tokio::test]
async fn a_vm_powered_off_through_vcenter_shows_powered_off_in_vrops() {
    let s = ops_sim(VropsVersion::V8, 100).await;
    let w = vnav::sim::generate::generate(100, 42);
    let v = w.vms.iter().position(|v| v.power == Power::On).unwrap() as u32;
    let moid = vm_moid(&w, v);
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    let res = &c
        .ok(&format!(
            "/resources?resourceKind=VirtualMachine&name={}",
            w.vms[v as usize].name
        ))
        .await["resourceList"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| identifier(r, "VMEntityObjectID").as_deref() == Some(moid.as_str()))
        .unwrap()
        .clone();
    let id = res["identifier"].as_str().unwrap().to_string();
    let power = |p: Value| {
        p["property"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == "summary|runtime|powerState")
            .unwrap()["value"]
            .clone()
    };
    let cpu = |v: Value| {
        v["values"][0]["stat-list"]["stat"][0]["data"][0]
            .as_f64()
            .unwrap()
    };
    assert_eq!(
        power(c.ok(&format!("/resources/{id}/properties")).await),
        "Powered On"
    );
    let latest = format!("/resources/{id}/stats/latest?statKey=cpu%7Cusage_average");
    assert!(cpu(c.ok(&latest).await) > 0.0);
    let vc = vc_login(&s.vcenter_url, D::Api).await;
    let (st, _) = vc
        .post(&format!("/vcenter/vm/{moid}/power?action=stop"), None)
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    assert_eq!(
        power(c.ok(&format!("/resources/{id}/properties")).await),
        "Powered Off"
    );
    assert_eq!(cpu(c.ok(&latest).await), 0.0);
}

#[test]
fn vnav_sim_prints_the_vrops_url_and_its_credentials() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vnav"))
        .args([
            "sim",
            "--vms",
            "20",
            "--vrops-version",
            "9",
            "--vrops-max-inflight",
            "7",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = vec![];
    while !seen
        .iter()
        .any(|l: &String| l.starts_with("credentials vrops "))
        && seen.len() < 10
    {
        seen.push(lines.next().unwrap().unwrap());
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let url = seen
        .iter()
        .position(|l| l.starts_with("vrops http://127.0.0.1:"));
    let creds = seen
        .iter()
        .position(|l| l == &format!("credentials vrops {VROPS_USER} {DEMO_PASSWORD}"));
    let first_creds = seen.iter().position(|l| l.starts_with("credentials "));
    assert!(url.is_some() && creds.is_some(), "{seen:?}");
    // URLs first, then the credentials, the vCD one first.
    assert!(url < first_creds && first_creds < creds, "{seen:?}");
}

#[test]
fn vrops_flags_reach_the_options() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        sim: vnav::sim::cli::SimArgs,
    }
    let o = Cli::try_parse_from([
        "vnav",
        "--vrops-version",
        "9",
        "--vrops-token-ttl",
        "30",
        "--vrops-max-inflight",
        "4",
    ])
    .unwrap()
    .sim
    .options();
    assert_eq!(o.vrops.version, VropsVersion::V9);
    assert_eq!((o.vrops.token_ttl_secs, o.vrops.max_inflight), (30, 4));
    let o = Cli::try_parse_from(["vnav"]).unwrap().sim.options();
    assert_eq!(o.vrops.version, VropsVersion::V8);
    assert_eq!(
        (o.vrops.token_ttl_secs, o.vrops.max_inflight),
        (6 * 3600, 50)
    );
    assert!(Cli::try_parse_from(["vnav", "--vrops-version", "7"]).is_err());
}

#[tokio::test]
async fn injected_faults_answer_in_the_suite_api_error_shape() {
    let s = ops_sim(VropsVersion::V8, 20).await;
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    s.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let (st, v) = c.get("/resources").await;
    assert_eq!(st, StatusCode::SERVICE_UNAVAILABLE);
    assert_error(&v, 503);
    s.set_faults(Faults {
        rate_limit: Some(1),
        ..Faults::default()
    });
    let mut limited = None;
    for _ in 0..5 {
        let (st, v) = c.get("/resources?pageSize=1").await;
        if st == StatusCode::TOO_MANY_REQUESTS {
            limited = Some(v);
            break;
        }
    }
    assert_error(&limited.expect("rate limited"), 429);
    assert!(s.fault_counts().errors >= 1 && s.fault_counts().rate_limited >= 1);
}

#[tokio::test]
async fn json_for_application_json_and_any_accept_and_xml_is_refused() {
    let s = ops_sim(VropsVersion::V8, 20).await;
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    for accept in [
        "application/json",
        "*/*",
        "application/json, text/plain, */*",
    ] {
        let r = c
            .http
            .get(format!(
                "{}/suite-api/api/resources?pageSize=1",
                s.vrops_url
            ))
            .header("accept", accept)
            .header("authorization", &c.auth)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{accept}");
        assert_eq!(r.headers()["content-type"], "application/json", "{accept}");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["pageInfo"]["pageSize"], 1);
    }
    let r = c
        .http
        .get(format!("{}/suite-api/api/resources", s.vrops_url))
        .header("accept", "application/xml")
        .header("authorization", &c.auth)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);
    assert_error(&r.json().await.unwrap(), 406);
    // Unknown operations: 404 in the same shape.
    let (st, v) = c.get("/no/such/thing").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_error(&v, 404);
}

#[tokio::test]
async fn the_shared_session_faults_end_vrops_tokens_too() {
    let s = ops_sim(VropsVersion::V8, 20).await;
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    c.ok("/resources?pageSize=1").await;
    s.expire_tokens();
    let (st, v) = c.get("/resources?pageSize=1").await;
    assert_eq!(
        (st, &v["apiErrorCode"]),
        (StatusCode::UNAUTHORIZED, &json!(1512))
    );
    // `--session-ttl`: a fixed lifetime from acquisition, whatever the use.
    s.set_faults(Faults {
        token_ttl_secs: Some(120),
        ..Faults::default()
    });
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    s.advance(Duration::from_secs(100));
    c.ok("/resources?pageSize=1").await;
    s.advance(Duration::from_secs(30));
    let (st, _) = c.get("/resources?pageSize=1").await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}
