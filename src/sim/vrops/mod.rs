//! The Aria Operations (vROps) suite-api server over the shared world: each resource is one of
//! the simulated vCenter's objects. This file holds the shared state, request parsing, routing,
//! the JSON and error helpers, and the in-flight ceiling middleware.

pub mod alerts;
pub mod auth;
pub mod ids;
pub mod limits;
pub mod meta;
pub mod page_json;
pub mod properties;
pub mod relationships;
pub mod resources;
pub mod stats;

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::vcd;

/// The simulated Aria Operations user (password `DEMO_PASSWORD`).
pub const VROPS_USER: &str = "admin";

/// Which release the simulator imitates: Aria Operations 8.x or VCF Operations 9.x.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VropsVersion {
    #[default]
    V8,
    V9,
}

impl std::str::FromStr for VropsVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "8" => Ok(VropsVersion::V8),
            "9" => Ok(VropsVersion::V9),
            _ => Err(format!("unknown Aria Operations version {s} (8 or 9)")),
        }
    }
}

/// The vROps options of `SimOptions`.
#[derive(Clone, Debug)]
pub struct VropsOptions {
    pub version: VropsVersion,
    /// Sliding token lifetime.
    pub token_ttl_secs: u64,
    /// Requests one client may have in flight; the excess gets 429.
    pub max_inflight: usize,
    /// The instance UUID of a second vCenter the server also collects from: its VMs are the
    /// first's again, with the same moids (as two vCenters deployed alike have) but their own
    /// resources and health, so clients must match on VCID and moid together.
    pub second_vcid: Option<String>,
}

impl Default for VropsOptions {
    fn default() -> Self {
        VropsOptions {
            version: VropsVersion::V8,
            // The real default is 6 hours.
            token_ttl_secs: 6 * 3600,
            max_inflight: 50,
            second_vcid: None,
        }
    }
}

pub struct VropsShared {
    pub vcd: Arc<vcd::Shared>,
    pub opts: VropsOptions,
    pub tokens: Mutex<HashMap<String, auth::Token>>,
    pub requests: AtomicU64,
    pub limits: limits::Limits,
    /// The vCenter simulator's base URL (the adapter instance's `VCURL`).
    pub vcenter_url: String,
    /// Wall-clock start, in ms: alert times are anchored to it so they stay put.
    pub started_ms: i64,
}

impl VropsShared {
    pub fn new(vcd: Arc<vcd::Shared>, opts: VropsOptions, vcenter_url: String) -> Self {
        VropsShared {
            limits: limits::Limits::new(opts.max_inflight),
            vcenter_url,
            started_ms: now_ms(),
            vcd,
            opts,
            tokens: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
        }
    }
    pub fn tokens(&self) -> MutexGuard<'_, HashMap<String, auth::Token>> {
        self.tokens.lock().unwrap_or_else(|e| e.into_inner())
    }
    pub fn seed(&self) -> u64 {
        self.vcd.opts.seed
    }
}

/// One parsed request: path segments after `/suite-api/api`, query pairs, body.
pub struct Req<'a> {
    pub method: &'a Method,
    pub parts: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: &'a [u8],
    pub headers: &'a HeaderMap,
}

impl Req<'_> {
    /// Every value of a repeated query parameter (`resourceId=a&resourceId=b`).
    pub fn all(&self, key: &str) -> Vec<String> {
        self.query
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.clone())
            .collect()
    }
    pub fn one(&self, key: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// An integer query parameter, or the real server's 400 for a malformed one.
    pub fn int(&self, key: &str) -> ApiResult<Option<i64>> {
        match self.one(key) {
            None => Ok(None),
            Some(v) => v.parse().map(Some).map_err(|_| {
                ApiError::bad_request(format!("Invalid value '{v}' for parameter {key}"))
            }),
        }
    }
    pub fn json(&self) -> ApiResult<Value> {
        if self.body.is_empty() {
            return Ok(json!({}));
        }
        serde_json::from_slice(self.body)
            .map_err(|e| ApiError::bad_request(format!("Malformed request body: {e}")))
    }
}

/// An error in the suite-api shape `{"message","httpStatusCode","apiErrorCode"}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: u32,
    pub message: String,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 400, message)
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, 404, message)
    }
    pub fn respond(&self) -> Response {
        error_response(self.status, self.code, &self.message)
    }
}

pub fn error_response(status: StatusCode, code: u32, message: &str) -> Response {
    json_response(
        status,
        &json!({"message": message, "httpStatusCode": status.as_u16(), "apiErrorCode": code}),
    )
}

pub fn json_response(status: StatusCode, v: &Value) -> Response {
    let mut r = Response::new(Body::from(v.to_string()));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

pub fn ok(v: Value) -> ApiResult<Response> {
    Ok(json_response(StatusCode::OK, &v))
}

/// A 200 with `v` serialised straight from its type (no `Value` tree in between).
pub fn ok_typed<T: serde::Serialize>(v: &T) -> ApiResult<Response> {
    let body = serde_json::to_vec(v)
        .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, 500, format!("JSON: {e}")))?;
    ok_bytes(body)
}

/// A 200 whose body is JSON already written.
pub fn ok_bytes(body: Vec<u8>) -> ApiResult<Response> {
    let mut r = Response::new(Body::from(body));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Ok(r)
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

/// Milliseconds since the epoch, the suite-api's timestamp unit.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

pub async fn handle(
    State(s): State<Arc<VropsShared>>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.vcd.settle(s.vcd.now());
    let Some(rest) = uri.path().strip_prefix("/suite-api/api/") else {
        return ApiError::not_found(format!("No such path: {}", uri.path())).respond();
    };
    if !accepts_json(&headers) {
        return error_response(
            StatusCode::NOT_ACCEPTABLE,
            406,
            "The simulator answers application/json only.",
        );
    }
    let pct = super::vcenter::percent_decode;
    let query = super::vcenter::query_pairs(uri.query());
    let req = Req {
        method: &method,
        parts: rest
            .trim_end_matches('/')
            .split('/')
            .map(|p| pct(p, false))
            .collect(),
        query,
        body: &body,
        headers: &headers,
    };
    route(&s, &req).unwrap_or_else(|e| e.respond())
}

fn route(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    let parts: Vec<&str> = r.parts.iter().map(String::as_str).collect();
    let get = *r.method == Method::GET;
    let post = *r.method == Method::POST;
    match (parts.as_slice(), get, post) {
        (["auth", "token", "acquire"], _, true) => return auth::acquire(s, r),
        (["versions", "current"], true, _) => return meta::version(s),
        _ => {}
    }
    auth::check(s, r.headers)?;
    limits::check_paging(r)?;
    match (parts.as_slice(), get, post) {
        (["auth", "token", "release"], _, true) => auth::release(s, r),
        (["adapterkinds"], true, _) => meta::adapter_kinds(r),
        (["adapterkinds", key, "resourcekinds"], true, _) => meta::resource_kinds(key),
        (["adapters"], true, _) => meta::adapters(s, r),
        (["resources"], true, _) => resources::list(s, r),
        (["resources", "query"], _, true) => resources::query(s, r),
        (["resources", "bulk", "relationships"], _, true) => relationships::bulk(s, r),
        (["resources", "stats", "latest", "query"], _, true) => stats::latest_query(s, r),
        (["resources", "stats", "query"], _, true) => stats::query(s, r),
        (["resources", "properties", "latest", "query"], _, true) => properties::query(s, r),
        (["resources", id], true, _) => resources::get(s, id),
        (["resources", id, "relationships"], true, _) => relationships::get(s, r, id),
        (["resources", id, "stats", "latest"], true, _) => stats::latest(s, r, id),
        (["resources", id, "stats"], true, _) => stats::series(s, r, id),
        (["resources", id, "statkeys"], true, _) => stats::keys(s, id),
        (["resources", id, "properties"], true, _) => properties::get(s, id),
        (["alerts"], true, _) => alerts::list(s, r),
        (["alerts", "query"], _, true) => alerts::query(s, r),
        (["alerts", id], true, _) => alerts::get(s, id),
        (["alertdefinitions"], true, _) => alerts::definitions(r),
        (["symptomdefinitions"], true, _) => alerts::symptom_definitions(r),
        (["recommendations"], true, _) => alerts::recommendations(r),
        _ => Err(ApiError::not_found(format!(
            "No such operation: {} /suite-api/api/{}",
            r.method,
            parts.join("/")
        ))),
    }
}
