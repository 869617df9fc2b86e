//! Helpers for the vCenter simulator tests: start a simulator with a given vCenter release, log
//! in with either dialect, and send JSON requests (plain reqwest + serde_json, nothing of vnav's).

#![allow(dead_code)]

use reqwest::{Method, StatusCode};
use serde_json::Value;
use vnav::sim::{DEMO_PASSWORD, Sim, SimOptions, VCENTER_USER, VcenterVersion};

use crate::sim_support::{http, sim};

/// A response body as JSON, an empty one as `null`; `what` names the request in a panic.
pub fn json_or_null(what: &str, text: &str) -> Value {
    if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{what}: {e}: {text}"))
    }
}

pub async fn vc_sim(version: VcenterVersion, vms: usize, list_cap: Option<usize>) -> Sim {
    sim(SimOptions {
        vms,
        vcenter_version: version,
        list_cap,
        task_seconds: 0.3,
        ..SimOptions::default()
    })
    .await
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum D {
    Rest,
    Api,
}

pub struct Vc {
    pub http: reqwest::Client,
    pub base: String,
    pub sid: String,
    pub d: D,
}

/// Logs in with Basic auth; panics unless the login answers like the real server.
pub async fn vc_login(base: &str, d: D) -> Vc {
    let http = http();
    let path = match d {
        D::Rest => "/rest/com/vmware/cis/session",
        D::Api => "/api/session",
    };
    let r = http
        .post(format!("{base}{path}"))
        .basic_auth(VCENTER_USER, Some(DEMO_PASSWORD))
        .send()
        .await
        .unwrap();
    let want = match d {
        D::Rest => StatusCode::OK,
        D::Api => StatusCode::CREATED,
    };
    assert_eq!(r.status(), want);
    let v: Value = r.json().await.unwrap();
    let sid = match d {
        D::Rest => v["value"].as_str().expect("{\"value\": id}"),
        D::Api => v.as_str().expect("bare JSON string"),
    }
    .to_string();
    assert_eq!(sid.len(), 32);
    Vc {
        http,
        base: base.into(),
        sid,
        d,
    }
}

impl Vc {
    pub fn prefix(&self) -> &'static str {
        match self.d {
            D::Rest => "/rest",
            D::Api => "/api",
        }
    }
    /// Sends `method path` (path after the dialect prefix) and returns status and JSON body
    /// (`Null` for an empty body).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{}{path}", self.base, self.prefix()))
            .header("vmware-api-session-id", &self.sid);
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
    pub async fn post(&self, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.call(Method::POST, path, body).await
    }
    /// GET that must succeed; unwraps `{"value": …}` in `/rest`.
    pub async fn value(&self, path: &str) -> Value {
        let (st, v) = self.get(path).await;
        assert_eq!(st, StatusCode::OK, "GET {path}: {v}");
        self.unwrap(v)
    }
    pub fn unwrap(&self, v: Value) -> Value {
        match self.d {
            D::Rest => {
                let obj = v.as_object().expect("rest bodies are objects");
                assert_eq!(obj.len(), 1, "rest body has only value: {v}");
                obj["value"].clone()
            }
            D::Api => v,
        }
    }
    /// A list's ids under `key` (e.g. `vm`), in order.
    pub async fn ids(&self, path: &str, key: &str) -> Vec<String> {
        self.value(path)
            .await
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x[key].as_str().unwrap().to_string())
            .collect()
    }
    /// A filter query in this dialect: `[("names", "a"), ("names", "b")]` becomes
    /// `?names=a&names=b` or `?filter.names.1=a&filter.names.2=b`.
    pub fn filter(&self, pairs: &[(&str, &str)]) -> String {
        let mut out = vec![];
        let mut count = std::collections::HashMap::new();
        for (k, v) in pairs {
            let n = count.entry(*k).or_insert(0);
            *n += 1;
            let v = v.replace(' ', "%20");
            out.push(match self.d {
                D::Api => format!("{k}={v}"),
                D::Rest => format!("filter.{k}.{n}={v}"),
            });
        }
        if out.is_empty() {
            String::new()
        } else {
            format!("?{}", out.join("&"))
        }
    }
}

/// The error type of an error body in either dialect, lower-case (`not_found`).
pub fn error_kind(v: &Value) -> String {
    if let Some(t) = v["type"].as_str() {
        t.trim_start_matches("com.vmware.vapi.std.errors.")
            .to_string()
    } else {
        v["error_type"].as_str().unwrap_or("?").to_lowercase()
    }
}

/// The first message of an error body in either dialect.
pub fn error_message(v: &Value) -> Value {
    if v.get("value").is_some() {
        v["value"]["messages"][0].clone()
    } else {
        v["messages"][0].clone()
    }
}
