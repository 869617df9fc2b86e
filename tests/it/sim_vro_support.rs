//! Helpers for the Orchestrator simulator tests: start a simulator of a vRO generation, log in
//! the way that generation wants, and send `/vco/api` requests (plain reqwest + serde_json,
//! nothing of vnav's client).

#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use vnav::sim::{DEMO_PASSWORD, Sim, SimOptions, VroOptions, VroVersion};

use crate::sim_support::{http, sim};
use crate::sim_vcenter_support::json_or_null;

pub async fn vro_sim(version: VroVersion) -> Sim {
    vro_sim_with(
        SimOptions::default(),
        VroOptions {
            version,
            ..VroOptions::default()
        },
    )
    .await
}

/// A simulator with 100 VMs, 30-second tasks (runs stay running until a test advances the
/// clock) and these vRO options.
pub async fn vro_sim_with(base: SimOptions, vro: VroOptions) -> Sim {
    sim(SimOptions {
        vms: 100,
        task_seconds: 30.0,
        vro,
        ..base
    })
    .await
}

/// A `/vco/api` client: base URL and the whole `Authorization` header value.
#[derive(Clone)]
pub struct Vro {
    pub http: reqwest::Client,
    pub base: String,
    pub auth: String,
}

pub fn basic_header(user: &str, password: &str) -> String {
    use base64::Engine as _;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
    )
}

/// A Basic-auth client (7 and 8).
pub fn vro_basic(s: &Sim) -> Vro {
    Vro {
        http: http(),
        base: s.vro_url.clone(),
        auth: basic_header(s.vro_user(), DEMO_PASSWORD),
    }
}

/// 8.x bearer: identity-service login for a refresh token, then the IaaS login for the token.
pub async fn vro_bearer_8(s: &Sim) -> Vro {
    let h = http();
    let r = h
        .post(format!(
            "{}/csp/gateway/am/api/login?access_token",
            s.vro_url
        ))
        .json(&json!({"username": s.vro_user(), "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let refresh = r.json::<Value>().await.unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    let r = h
        .post(format!("{}/iaas/api/login", s.vro_url))
        .json(&json!({"refreshToken": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["tokenType"], "Bearer");
    Vro {
        http: h,
        base: s.vro_url.clone(),
        auth: format!("Bearer {}", v["token"].as_str().unwrap()),
    }
}

/// 9 (VCF): a Cloud Director provider login, then `Bearer` with the access token.
pub async fn vro_bearer_9(s: &Sim) -> Vro {
    let h = http();
    let r = h
        .post(format!("{}/cloudapi/1.0.0/sessions/provider", s.vro_url))
        .header("accept", "application/json;version=40.0")
        .basic_auth(s.vro_user(), Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let token = r.headers()["x-vmware-vcloud-access-token"]
        .to_str()
        .unwrap()
        .to_string();
    Vro {
        http: h,
        base: s.vro_url.clone(),
        auth: format!("Bearer {token}"),
    }
}

impl Vro {
    /// Sends `method {url}` (a path below `/vco/api`, or an absolute href) with `accept`; returns
    /// status, headers and JSON body (`Null` if empty).
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<Value>,
        accept: &str,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let url = if url.starts_with("http") {
            url.to_string()
        } else {
            format!("{}/vco/api{url}", self.base)
        };
        let mut req = self
            .http
            .request(method, &url)
            .header("accept", accept)
            .header("authorization", &self.auth);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let (st, headers) = (r.status(), r.headers().clone());
        (st, headers, json_or_null(&url, &r.text().await.unwrap()))
    }
    pub async fn get(&self, url: &str) -> (StatusCode, Value) {
        let (st, _, v) = self.send(Method::GET, url, None, "application/json").await;
        (st, v)
    }
    /// GET that must answer 200.
    pub async fn ok(&self, url: &str) -> Value {
        let (st, v) = self.get(url).await;
        assert_eq!(st, StatusCode::OK, "GET {url}: {v}");
        v
    }
    /// Starts a run of `wf` with `parameters`; returns status, `Location` and body.
    pub async fn run(&self, wf: &str, parameters: Value) -> (StatusCode, Option<String>, Value) {
        let (st, h, v) = self
            .send(
                Method::POST,
                &format!("/workflows/{wf}/executions"),
                Some(json!({"parameters": parameters})),
                "application/json",
            )
            .await;
        let location = h.get("location").map(|l| l.to_str().unwrap().to_string());
        (st, location, v)
    }
    /// A run that must be accepted; returns its `Location`.
    pub async fn started(&self, wf: &str, parameters: Value) -> String {
        let (st, location, v) = self.run(wf, parameters).await;
        assert_eq!(st, StatusCode::ACCEPTED, "{v}");
        location.expect("a Location header")
    }
}

/// A typed input parameter `{"name","type","value"}`.
pub fn param(name: &str, ty: &str, value: Value) -> Value {
    json!({"name": name, "type": ty, "value": value})
}

pub fn string(v: &str) -> Value {
    json!({"string": {"value": v}})
}

/// `name → value` of the `{name,value}` attribute pairs of a `down` link.
pub fn attr(link: &Value, name: &str) -> Option<String> {
    link["attributes"]
        .as_array()?
        .iter()
        .find(|a| a["name"] == name)
        .and_then(|a| a["value"].as_str().map(str::to_string))
}

/// The `down` links of a list or a category.
pub fn downs(v: &Value) -> Vec<Value> {
    let links = if v["link"].is_array() {
        &v["link"]
    } else {
        &v["relations"]["link"]
    };
    links
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["rel"] == "down")
        .cloned()
        .collect()
}

/// An error body in the simulator's vRO shape, with this status.
pub fn assert_error(v: &Value, status: u16) {
    assert_eq!(v["status"], status, "{v}");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
}
