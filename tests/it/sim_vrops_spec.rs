//! The Aria Operations simulator's answers checked against the suite-api swagger 2.0 spec
//! (8.18.4, in tests/fixtures/vrops/specs): every endpoint the issue names answers and its body
//! has the required properties, nothing outside its definition, and the right JSON types.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vnav::sim::VropsVersion;

use crate::sim_vcenter_checker::{Checker, load_vrops};
use crate::sim_vrops_support::*;

/// Names real servers send where the spec has another (real 8.x samples in the fixtures:
/// `suite-api_resources_stats_query.json`, `suite-api_alertdefinitions_page.json`, the
/// properties query sample).
const RENAMES: &[(&str, &str)] = &[
    ("stat-list", "stats"),
    ("property-contents", "properties"),
    ("base-symptom-set", "symptoms"),
];
/// Properties real servers send with another type than the spec's: epoch-ms integers where the
/// spec says string (`suite-api_versions_current.json`, `suite-api_adapters_list.json`), and a
/// `null` description.
const LOOSE: &[&str] = &[
    "releasedDate",
    "lastHeartbeat",
    "lastCollected",
    "description",
];

struct Case {
    method: Method,
    template: &'static str,
    path: String,
    body: Option<Value>,
}

fn get(template: &'static str, path: String) -> Case {
    Case {
        method: Method::GET,
        template,
        path,
        body: None,
    }
}

fn post(template: &'static str, path: String, body: Value) -> Case {
    Case {
        method: Method::POST,
        template,
        path,
        body: Some(body),
    }
}

fn checker(spec: &Value) -> Checker<'_> {
    let mut ch = Checker::new(spec, &[]);
    ch.renames = RENAMES;
    ch.loose = LOOSE;
    ch
}

async fn check_version(version: VropsVersion) -> usize {
    let spec = load_vrops();
    let s = ops_sim(version, 300).await;
    let c = ops_login(&s.vrops_url, "OpsToken").await;
    let vms = c
        .ok("/resources?resourceKind=VirtualMachine&pageSize=300")
        .await;
    let vm = vms["resourceList"][0]["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    let vm2 = vms["resourceList"][1]["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    let host = c.ok("/resources?resourceKind=HostSystem&pageSize=1").await["resourceList"][0]
        ["identifier"]
        .as_str()
        .unwrap()
        .to_string();
    let alerts = c.ok("/alerts?pageSize=1").await;
    let alert = alerts["alerts"][0]["alertId"]
        .as_str()
        .expect("an alert")
        .to_string();
    let ids = json!([vm, vm2, host]);
    let cases = vec![
        get("/api/versions/current", "/versions/current".into()),
        get("/api/adapterkinds", "/adapterkinds".into()),
        get(
            "/api/adapterkinds/{key}/resourcekinds",
            "/adapterkinds/VMWARE/resourcekinds".into(),
        ),
        get("/api/adapters", "/adapters?adapterKindKey=VMWARE".into()),
        get("/api/resources", "/resources?page=1&pageSize=50".into()),
        get(
            "/api/resources",
            format!("/resources?resourceId={vm}&resourceId={host}"),
        ),
        post(
            "/api/resources/query",
            "/resources/query?page=0&pageSize=10".into(),
            json!({"adapterKind": ["VMWARE"], "resourceKind": ["VirtualMachine"], "name": ["a"]}),
        ),
        get("/api/resources/{id}", format!("/resources/{vm}")),
        get("/api/resources/{id}", format!("/resources/{host}")),
        get(
            "/api/resources/{id}/relationships",
            format!("/resources/{vm}/relationships?relationshipType=PARENT"),
        ),
        get(
            "/api/resources/{id}/relationships",
            format!("/resources/{host}/relationships?relationshipType=CHILD"),
        ),
        post(
            "/api/resources/bulk/relationships",
            "/resources/bulk/relationships".into(),
            json!({"relationshipType": "ANCESTOR", "resourceIds": ids, "hierarchyDepth": 3}),
        ),
        get(
            "/api/resources/{id}/stats/latest",
            format!("/resources/{vm}/stats/latest"),
        ),
        post(
            "/api/resources/stats/latest/query",
            "/resources/stats/latest/query".into(),
            json!({"resourceId": ids, "statKey": ["cpu|usage_average", "badge|health"]}),
        ),
        get(
            "/api/resources/{id}/stats",
            format!(
                "/resources/{vm}/stats?statKey=cpu%7Cusage_average&rollUpType=AVG&intervalType=HOURS&intervalQuantifier=1"
            ),
        ),
        post(
            "/api/resources/stats/query",
            "/resources/stats/query".into(),
            json!({"resourceId": ids, "statKey": ["mem|usage_average", "badge|risk"],
                   "rollUpType": "MAX", "intervalType": "MINUTES", "intervalQuantifier": 5}),
        ),
        get(
            "/api/resources/{id}/statkeys",
            format!("/resources/{vm}/statkeys"),
        ),
        get(
            "/api/resources/{id}/properties",
            format!("/resources/{vm}/properties"),
        ),
        post(
            "/api/resources/properties/latest/query",
            "/resources/properties/latest/query".into(),
            json!({"resourceIds": ids, "propertyKeys": ["summary|runtime|powerState", "summary|parentCluster"]}),
        ),
        get(
            "/api/alerts",
            "/alerts?activeOnly=true&page=0&pageSize=20".into(),
        ),
        get("/api/alerts", format!("/alerts?resourceId={vm}")),
        post(
            "/api/alerts/query",
            "/alerts/query?pageSize=50".into(),
            json!({"compositeOperator": "AND", "activeOnly": true,
                   "alertCriticality": ["CRITICAL", "IMMEDIATE"],
                   "resource-query": {"adapterKind": ["VMWARE"], "resourceKind": ["VirtualMachine"]}}),
        ),
        get("/api/alerts/{id}", format!("/alerts/{alert}")),
        get(
            "/api/alertdefinitions",
            "/alertdefinitions?adapterKind=VMWARE".into(),
        ),
        get("/api/recommendations", "/recommendations".into()),
    ];
    let mut checked = 0;
    for k in cases {
        let op = &spec["paths"][k.template][k.method.as_str().to_lowercase()];
        assert!(!op.is_null(), "{} {} not in the spec", k.method, k.template);
        let schema = &op["responses"]["200"]["schema"];
        assert!(
            !schema.is_null(),
            "{} {}: no 200 schema",
            k.method,
            k.template
        );
        let (st, v) = c.call(k.method.clone(), &k.path, k.body.clone()).await;
        assert_eq!(st, StatusCode::OK, "{} {}: {v}", k.method, k.path);
        let mut ch = checker(spec);
        ch.check(
            schema,
            &v,
            &format!("{version:?} {} {}", k.method, k.template),
        );
        assert!(ch.errors.is_empty(), "{}", ch.errors.join("\n"));
        checked += 1;
    }
    // The acquire answer matches `auth-token`.
    let r = reqwest::Client::new()
        .post(format!("{}/suite-api/api/auth/token/acquire", s.vrops_url))
        .json(&json!({"username": vnav::sim::VROPS_USER, "password": vnav::sim::DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    let schema = &spec["paths"]["/api/auth/token/acquire"]["post"]["responses"]["200"]["schema"];
    let mut ch = checker(spec);
    ch.check(schema, &v, "acquire");
    assert!(ch.errors.is_empty(), "{}", ch.errors.join("\n"));
    checked + 1
}

#[tokio::test]
async fn every_endpoint_answers_and_matches_the_suite_api_spec() {
    assert!(check_version(VropsVersion::V8).await >= 26);
    assert!(check_version(VropsVersion::V9).await >= 26);
}

/// The real samples the simulator imitates pass the same checker (so the renames and loose
/// types above are the real server's, not the simulator's own).
#[test]
fn the_real_samples_pass_the_checker_with_the_same_allowances() {
    let spec = load_vrops();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/vrops/samples");
    for (file, path, method) in [
        (
            "suite-api_auth_token_acquire.json",
            "/api/auth/token/acquire",
            "post",
        ),
        (
            "suite-api_versions_current.json",
            "/api/versions/current",
            "get",
        ),
        ("suite-api_resource_get.json", "/api/resources/{id}", "get"),
        (
            "suite-api_resources_stats_query.json",
            "/api/resources/stats/query",
            "post",
        ),
        (
            "suite-api_alertdefinitions_page.json",
            "/api/alertdefinitions",
            "get",
        ),
    ] {
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let schema = &spec["paths"][path][method]["responses"]["200"]["schema"];
        let mut ch = checker(spec);
        ch.check(schema, &v, file);
        // Real 8.x sends `intervalUnit: {"quantifier": 1}` without the required intervalType
        // (the simulator sends both).
        ch.errors
            .retain(|e| !e.ends_with("intervalUnit: required intervalType missing"));
        assert!(ch.errors.is_empty(), "{}", ch.errors.join("\n"));
    }
    // Without the allowances the checker does catch the differences.
    let text = std::fs::read_to_string(dir.join("suite-api_resources_stats_query.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let schema = &spec["paths"]["/api/resources/stats/query"]["post"]["responses"]["200"]["schema"];
    let mut ch = Checker::new(spec, &[]);
    ch.check(schema, &v, "strict");
    assert!(
        ch.errors
            .iter()
            .any(|e| e.contains("stat-list is not in the definition")),
        "{:?}",
        ch.errors
    );
}
