//! Helpers for the Aria Operations simulator tests: start a simulator with given vROps options,
//! acquire a token, and send suite-api requests (plain reqwest + serde_json, nothing of vnav's).

#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vnav::sim::{DEMO_PASSWORD, Sim, SimOptions, VROPS_USER, VropsOptions, VropsVersion};

use crate::sim_support::{http, sim};
use crate::sim_vcenter_support::json_or_null;

pub async fn ops_sim(version: VropsVersion, vms: usize) -> Sim {
    ops_sim_with(
        vms,
        VropsOptions {
            version,
            ..VropsOptions::default()
        },
    )
    .await
}

pub async fn ops_sim_with(vms: usize, vrops: VropsOptions) -> Sim {
    sim(SimOptions {
        vms,
        task_seconds: 0.3,
        vrops,
        ..SimOptions::default()
    })
    .await
}

/// A suite-api client: base URL and the whole `Authorization` header value.
#[derive(Clone)]
pub struct Ops {
    pub http: reqwest::Client,
    pub base: String,
    pub auth: String,
}

/// Acquires a token; panics unless the answer has the real shape.
pub async fn acquire(base: &str) -> String {
    let r = http()
        .post(format!("{base}/suite-api/api/auth/token/acquire"))
        .header("accept", "application/json")
        .json(&json!({"username": VROPS_USER, "password": DEMO_PASSWORD, "authSource": "local"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    for k in ["token", "validity", "expiresAt", "roles"] {
        assert!(!v[k].is_null(), "{k} missing in {v}");
    }
    v["token"].as_str().unwrap().to_string()
}

/// A client with a fresh token sent under `scheme` (`vRealizeOpsToken` or `OpsToken`).
pub async fn ops_login(base: &str, scheme: &str) -> Ops {
    let token = acquire(base).await;
    Ops {
        http: http(),
        base: base.into(),
        auth: format!("{scheme} {token}"),
    }
}

impl Ops {
    /// Sends `method /suite-api/api{path}` and returns status and JSON body (`Null` if empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}/suite-api/api{path}", self.base))
            .header("accept", "application/json")
            .header("authorization", &self.auth);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let st = r.status();
        (st, json_or_null(path, &r.text().await.unwrap()))
    }
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(body)).await
    }
    /// GET that must answer 200.
    pub async fn ok(&self, path: &str) -> Value {
        let (st, v) = self.get(path).await;
        assert_eq!(st, StatusCode::OK, "GET {path}: {v}");
        v
    }
    /// POST that must answer 200.
    pub async fn ok_post(&self, path: &str, body: Value) -> Value {
        let (st, v) = self.post(path, body).await;
        assert_eq!(st, StatusCode::OK, "POST {path}: {v}");
        v
    }
    /// Every resource of a kind, paging through `pageSize`.
    pub async fn all_of(&self, kind: &str, page_size: usize) -> Vec<Value> {
        let mut out = vec![];
        for page in 0.. {
            let v = self
                .ok(&format!(
                    "/resources?resourceKind={kind}&page={page}&pageSize={page_size}"
                ))
                .await;
            let list = v["resourceList"].as_array().unwrap().clone();
            let total = v["pageInfo"]["totalCount"].as_u64().unwrap() as usize;
            out.extend(list);
            if out.len() >= total || page > 10_000 {
                break;
            }
        }
        out
    }
}

/// The value of identifier `name` of a resource.
pub fn identifier(res: &Value, name: &str) -> Option<String> {
    res["resourceKey"]["resourceIdentifiers"]
        .as_array()?
        .iter()
        .find(|i| i["identifierType"]["name"] == name)
        .and_then(|i| i["value"].as_str().map(str::to_string))
}

/// An error body in the suite-api shape, with this status.
pub fn assert_error(v: &Value, status: u16) {
    assert_eq!(v["httpStatusCode"], status, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert!(v["apiErrorCode"].is_u64(), "{v}");
}
