//! The Orchestrator (vRO) `/vco/api` server over the shared world: a generated workflow
//! catalogue in nested categories, and runs whose inputs are validated and whose SDK-object
//! inputs are the simulated vCenter's VMs and vCD's vApps. This file holds the options, the
//! shared state, request parsing, the error shape and routing.

pub mod auth;
pub mod catalogue;
pub mod categories;
pub mod executions;
pub mod history;
pub mod interaction;
pub mod logs;
pub mod values;
pub mod workflows;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::vcd;

/// Which generation the simulator imitates; it decides how clients log in and how dates and
/// list totals look.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VroVersion {
    /// vRO 7.x: Basic only, `/logs`, dates in epoch milliseconds.
    V7,
    /// vRO / Aria Orchestrator 8.x: Basic (vSphere SSO) or a bearer token from the Aria
    /// Automation identity service, `/syslogs`, ISO-8601 dates.
    #[default]
    V8,
    /// VCF 9 (embedded in VCF Automation): logs in like Cloud Director; lists may report
    /// `total` -1.
    V9,
}

impl std::str::FromStr for VroVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "7" => Ok(VroVersion::V7),
            "8" => Ok(VroVersion::V8),
            "9" => Ok(VroVersion::V9),
            _ => Err(format!("unknown Orchestrator version {s} (7, 8 or 9)")),
        }
    }
}

impl VroVersion {
    /// The user that logs in (password `DEMO_PASSWORD`): vSphere SSO's administrator on 7 and
    /// 8, Cloud Director's system administrator on 9.
    pub fn user(self) -> &'static str {
        match self {
            VroVersion::V9 => super::DEMO_USER,
            _ => super::VCENTER_USER,
        }
    }
    /// (version, build number, build date) that `/about` reports.
    fn about(self) -> (&'static str, &'static str, &'static str) {
        match self {
            VroVersion::V7 => ("7.6.0.13020602", "13020602", "2019-03-26T17:06:30Z"),
            VroVersion::V8 => ("8.18.1.24280767", "24280767", "2024-09-12T09:41:12Z"),
            VroVersion::V9 => ("9.0.0.24713962", "24713962", "2025-06-17T07:12:55Z"),
        }
    }
}

/// The vRO options of `SimOptions`.
#[derive(Clone, Debug)]
pub struct VroOptions {
    pub version: VroVersion,
    /// Workflows in the catalogue (at least the fixed library of ten).
    pub workflows: usize,
    /// Categories in the catalogue; 0 picks about one per four generated workflows.
    pub categories: usize,
}

impl Default for VroOptions {
    fn default() -> Self {
        VroOptions {
            version: VroVersion::V8,
            workflows: 45,
            categories: 0,
        }
    }
}

pub struct VroShared {
    pub vcd: Arc<vcd::Shared>,
    pub opts: VroOptions,
    /// This server's base URL (hrefs are absolute, like the real server's).
    pub base: String,
    pub catalogue: catalogue::Catalogue,
    /// Bearer and refresh tokens.
    pub sessions: Mutex<HashMap<String, auth::Session>>,
    pub runs: Mutex<executions::Runs>,
    pub requests: AtomicU64,
}

impl VroShared {
    pub fn new(vcd: Arc<vcd::Shared>, opts: VroOptions, base: String) -> Self {
        let size = catalogue::Size {
            workflows: opts.workflows,
            categories: opts.categories,
        };
        let catalogue = catalogue::Catalogue::build(&vcd.read(), vcd.opts.seed, size);
        let s = VroShared {
            runs: Mutex::new(executions::Runs::default()),
            sessions: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
            catalogue,
            base,
            vcd,
            opts,
        };
        history::record(&s);
        s
    }
    pub fn sessions(&self) -> MutexGuard<'_, HashMap<String, auth::Session>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub fn runs(&self) -> MutexGuard<'_, executions::Runs> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// `{base}/vco/api/{path}` (callers end it with `/` where the real server does).
    pub fn href(&self, path: &str) -> String {
        format!("{}/vco/api/{path}", self.base)
    }
    /// A date the way this generation writes it: epoch ms on 7, ISO-8601 on 8 and 9.
    pub fn date(&self, t: OffsetDateTime) -> Value {
        match self.opts.version {
            VroVersion::V7 => json!((t.unix_timestamp_nanos() / 1_000_000) as i64),
            _ => json!(iso(t)),
        }
    }
}

/// `2022-05-27T09:05:27.587+00:00`, the 8.x form.
pub fn iso(t: OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+00:00",
        t.year(),
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// One parsed request: path segments after `/vco/api`, query pairs, body.
pub struct Req<'a> {
    pub method: &'a Method,
    pub parts: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: &'a [u8],
    pub headers: &'a HeaderMap,
}

impl Req<'_> {
    pub fn one(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    pub fn all(&self, key: &str) -> impl Iterator<Item = &str> {
        self.query
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// A non-negative integer query parameter, or a 400 for a malformed one.
    pub fn count(&self, key: &str) -> VroResult<Option<usize>> {
        match self.one(key) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                VroError::bad_request(format!("Invalid value '{v}' for parameter '{key}'"))
            }),
        }
    }
}

/// An error in the shape `{"status","message","details"}`. No real vRO error body was
/// captured (see the fixtures' README), so this shape is the simulator's choice; clients
/// should rely on the status and show the message.
#[derive(Debug)]
pub struct VroError {
    pub status: StatusCode,
    pub message: String,
}

pub type VroResult<T> = Result<T, VroError>;

impl VroError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        VroError {
            status,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, message)
    }
    pub fn respond(&self) -> Response {
        let mut r = json_response(
            self.status,
            &json!({
                "status": self.status.as_u16(),
                "message": self.message,
                "details": format!("{}: {}", self.status.canonical_reason().unwrap_or("Error"), self.message),
            }),
        );
        if self.status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"vco\""),
            );
        }
        r
    }
}

pub fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = Response::new(Body::from(v.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    r
}

pub fn ok(v: Value) -> VroResult<Response> {
    Ok(json_response(StatusCode::OK, &v))
}

pub fn empty(status: StatusCode) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    r
}

/// `{"link":[…],"total":N}`; VCF 9 reports -1 for the total.
pub fn list(s: &VroShared, links: Vec<Value>, total: usize) -> Value {
    let total = if s.opts.version == VroVersion::V9 {
        -1
    } else {
        total as i64
    };
    json!({"link": links, "total": total})
}

/// A `down` link whose item is described by `{name,value}` attribute pairs.
pub fn down(href: String, attributes: &[(&str, String)]) -> Value {
    let attributes: Vec<Value> = attributes
        .iter()
        .map(|(k, v)| json!({"value": v, "name": k}))
        .collect();
    json!({"attributes": attributes, "href": href, "rel": "down"})
}

/// A page of `items` by `startIndex` and `maxResult` (no `maxResult`: everything from the start).
pub fn page<T>(r: &Req, items: &[T]) -> VroResult<std::ops::Range<usize>> {
    let start = r.count("startIndex")?.unwrap_or(0).min(items.len());
    let max = r.count("maxResult")?.unwrap_or(usize::MAX);
    Ok(start..start.saturating_add(max).min(items.len()))
}

/// Whether the client takes JSON: `application/json`, `*/*`, `application/*` or no Accept.
fn accepts_json(headers: &HeaderMap) -> bool {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    accept.split(',').any(|a| {
        let t = a.split(';').next().unwrap_or("").trim();
        t.is_empty() || t == "*/*" || t == "application/*" || t.ends_with("json")
    })
}

pub async fn handle(
    State(s): State<Arc<VroShared>>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    s.vcd.settle(s.vcd.now());
    let path = uri.path();
    if !accepts_json(&headers) {
        return VroError::new(
            StatusCode::NOT_ACCEPTABLE,
            "The simulator answers application/json only.",
        )
        .respond();
    }
    if let Some(r) = auth::login_route(&s, &method, path, &headers, &body) {
        return r.unwrap_or_else(|e| e.respond());
    }
    let Some(rest) = path.strip_prefix("/vco/api/") else {
        return VroError::not_found(format!("No such path: {path}")).respond();
    };
    let pct = super::vcenter::percent_decode;
    let req = Req {
        method: &method,
        parts: rest
            .trim_end_matches('/')
            .split('/')
            .map(|p| pct(p, false))
            .collect(),
        query: super::vcenter::query_pairs(uri.query()),
        body: &body,
        headers: &headers,
    };
    route(&s, &req).unwrap_or_else(|e| e.respond())
}

fn about(s: &VroShared) -> VroResult<Response> {
    let (version, build, date) = s.opts.version.about();
    ok(json!({
        "version": version,
        "build-number": build,
        "build-date": date,
        "api-version": "2.0",
    }))
}

fn route(s: &VroShared, r: &Req) -> VroResult<Response> {
    let parts: Vec<&str> = r.parts.iter().map(String::as_str).collect();
    let m = r.method;
    if let (["about"], &Method::GET) = (parts.as_slice(), m) {
        return about(s);
    }
    let user = auth::check(s, r.headers)?;
    let v7 = s.opts.version == VroVersion::V7;
    match (parts.as_slice(), m) {
        (["categories"], &Method::GET) => categories::list(s, r),
        (["categories", id], &Method::GET) => categories::get(s, id),
        (["catalog", "System", "WorkflowCategory", id], &Method::GET) => categories::get(s, id),
        (["workflows"], &Method::GET) => workflows::list(s, r),
        (["workflows", id], &Method::GET) => workflows::get(s, id),
        (["workflows", id, "presentation"], &Method::GET) => workflows::presentation(s, id),
        (["workflows", id, "executions"], &Method::GET) => executions::list(s, r, id),
        (["workflows", id, "executions"], &Method::POST) => executions::start(s, r, id, &user),
        (["workflows", id, "executions", eid], &Method::GET) => executions::get(s, id, eid),
        (["workflows", id, "executions", eid, "state"], &Method::GET) => {
            executions::state(s, id, eid)
        }
        (["workflows", id, "executions", eid, "state"], &Method::DELETE) => {
            executions::cancel(s, id, eid)
        }
        (["workflows", id, "executions", eid, "interaction"], &Method::GET) => {
            interaction::get(s, id, eid)
        }
        (["workflows", id, "executions", eid, "interaction"], &Method::POST) => {
            interaction::answer(s, r, id, eid, &user)
        }
        (["workflows", id, "executions", eid, "logs"], &Method::GET) if v7 => {
            logs::get(s, id, eid, false)
        }
        (["workflows", id, "executions", eid, "syslogs"], &Method::GET) if !v7 => {
            logs::get(s, id, eid, true)
        }
        _ => Err(VroError::not_found(format!(
            "No such operation: {m} /vco/api/{}",
            parts.join("/")
        ))),
    }
}
