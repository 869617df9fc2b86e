//! The vCenter Automation API server over the shared world: `/rest` (6.5–7.0 style, bodies in
//! `{"value": …}`) and `/api` (7.0U2+, bare bodies), sessions, routing and response helpers;
//! beside it the vim25 API, as SOAP at `/sdk` and as VI/JSON at `/sdk/vim25/` (8.0 only).

pub mod errors;
pub mod lists;
pub mod objects;
pub mod power;
pub mod query;
pub mod session;
pub mod soap;
pub mod tagging;
pub mod vijson;
pub mod vim;
pub mod vm;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use serde::Serialize;
use serde_json::{Value, json};

use self::errors::{VcError, VcResult};
use super::vcd;

/// Which vCenter release the simulator imitates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum VcenterVersion {
    /// `/rest` only; every list capped at 1000.
    V6_7,
    V7_0,
    #[default]
    V8_0,
}

impl VcenterVersion {
    pub fn has_api(self) -> bool {
        self != VcenterVersion::V6_7
    }
    pub fn label(self) -> &'static str {
        match self {
            VcenterVersion::V6_7 => "6.7",
            VcenterVersion::V7_0 => "7.0",
            VcenterVersion::V8_0 => "8.0",
        }
    }
}

impl std::str::FromStr for VcenterVersion {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "6.7" => Ok(VcenterVersion::V6_7),
            "7.0" => Ok(VcenterVersion::V7_0),
            "8.0" => Ok(VcenterVersion::V8_0),
            _ => Err(format!("unknown vCenter version {s} (6.7, 7.0 or 8.0)")),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Rest,
    Api,
}

pub struct VcShared {
    pub vcd: Arc<vcd::Shared>,
    pub version: VcenterVersion,
    pub list_cap: Option<usize>,
    pub sessions: Mutex<HashMap<String, session::Session>>,
    pub requests: AtomicU64,
    /// vim25 state (snapshot trees, tasks) that SOAP and VI/JSON share.
    pub vim: Mutex<vim::snapshots::VimState>,
    /// Events logged since start (REST power operations), for `QueryEvents`.
    pub events: vim::events::Log,
    /// Property reads with pages still to hand out (`ContinueRetrievePropertiesEx`).
    pub pages: Mutex<vim::pages::Pages>,
}

impl VcShared {
    pub fn new(vcd: Arc<vcd::Shared>) -> Self {
        VcShared {
            version: vcd.opts.vcenter_version,
            list_cap: vcd.opts.list_cap,
            sessions: Mutex::new(HashMap::new()),
            requests: AtomicU64::new(0),
            vim: Mutex::new(vim::snapshots::VimState::new(vcd.opts.seed)),
            events: Default::default(),
            pages: Default::default(),
            vcd,
        }
    }
    /// Lock order: world, then vCD tasks, then this.
    pub fn vim(&self) -> MutexGuard<'_, vim::snapshots::VimState> {
        self.vim.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// Taken alone (never while holding the world or `vim`).
    pub fn pages(&self) -> MutexGuard<'_, vim::pages::Pages> {
        self.pages.lock().unwrap_or_else(|e| e.into_inner())
    }
    /// `RetrievePropertiesEx` of `specs` for `session`: the first page, with a token when more
    /// remain (only that page's objects are computed now).
    pub fn first_page(
        &self,
        session: &str,
        specs: Vec<vim::props::FilterSpec>,
        max_objects: Option<i64>,
    ) -> Result<Option<vim::Val>, vim::Fault> {
        let Some((items, token, specs)) = self.first_items(session, specs, max_objects, false)?
        else {
            return Ok(None);
        };
        let objects = vim::props::build(self, &specs, items);
        Ok(Some(vim::pages::result(token, objects)))
    }
    /// `RetrievePropertiesEx`'s first page as objects still to render, its token and specs;
    /// `lazy` leaves all but the objects that check the paths unbuilt (for a writer that
    /// renders them straight from the world).
    pub fn first_items(
        &self,
        session: &str,
        specs: Vec<vim::props::FilterSpec>,
        max_objects: Option<i64>,
        lazy: bool,
    ) -> Result<Option<vim::pages::Next>, vim::Fault> {
        let page = vim::pages::page_size(self.vcd.opts.vim_page, max_objects);
        let items = vim::props::read(self, &specs, if lazy { 0 } else { page })?;
        let specs: Arc<[vim::props::FilterSpec]> = specs.into();
        let first = self.pages().first(session, items, specs.clone(), page);
        Ok(first.map(|(items, token)| (items, token, specs)))
    }
    /// `ContinueRetrievePropertiesEx(token)`: the next page, built now.
    pub fn next_page(&self, session: &str, token: &str) -> Result<vim::Val, vim::Fault> {
        let (items, token, specs) = self.pages().next(session, token)?;
        let objects = vim::props::build(self, &specs, items);
        Ok(vim::pages::result(token, objects))
    }
    pub fn sessions(&self) -> MutexGuard<'_, HashMap<String, session::Session>> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// One parsed request: dialect, decoded path segments after `/rest` or `/api`, query pairs.
pub struct Req<'a> {
    pub d: Dialect,
    pub method: &'a Method,
    pub parts: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: &'a [u8],
    pub headers: &'a HeaderMap,
}

impl Req<'_> {
    pub fn parts(&self) -> Vec<&str> {
        self.parts.iter().map(String::as_str).collect()
    }
    /// `?action=` (or the `/rest` spelling `~action=`).
    pub fn action(&self) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == "action" || k == "~action")
            .map(|(_, v)| v.as_str())
    }
    /// The JSON body, or an `invalid_argument` error.
    pub fn json(&self) -> VcResult<Value> {
        serde_json::from_slice(self.body)
            .map_err(|e| VcError::invalid_argument(format!("Malformed request body: {e}")))
    }
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

/// A successful read: wrapped in `{"value": …}` for `/rest`, bare for `/api`.
pub fn ok(d: Dialect, v: Value) -> Response {
    match d {
        Dialect::Rest => json_response(StatusCode::OK, &json!({ "value": v })),
        Dialect::Api => json_response(StatusCode::OK, &v),
    }
}

/// `ok` of a typed answer, written without a `Value` in between.
pub fn ok_typed<T: Serialize>(d: Dialect, v: &T) -> Response {
    let body = match d {
        Dialect::Rest => serde_json::to_vec(&Wrapped { value: v }),
        Dialect::Api => serde_json::to_vec(v),
    };
    let mut r = Response::new(Body::from(body.unwrap_or_default()));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// `/rest`'s wrapping of a payload.
#[derive(Serialize)]
struct Wrapped<T> {
    value: T,
}

/// A successful action without result: 200 and no body in `/rest`, 204 in `/api`.
pub fn done(d: Dialect) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = match d {
        Dialect::Rest => StatusCode::OK,
        Dialect::Api => StatusCode::NO_CONTENT,
    };
    r
}

/// A map keyed by device key: an object in `/api`, a `[{"key", "value"}]` list in `/rest`.
pub fn keyed(d: Dialect, entries: Vec<(String, Value)>) -> Value {
    match d {
        Dialect::Api => Value::Object(entries.into_iter().collect()),
        Dialect::Rest => Value::Array(
            entries
                .into_iter()
                .map(|(k, v)| json!({"key": k, "value": v}))
                .collect(),
        ),
    }
}

/// A query string's `key=value` pairs, decoded, in order (keys may repeat).
pub fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect()
}

/// Decodes `%XX` escapes (and `+` as a space in query strings); bad escapes stay as they are.
pub fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' if plus_is_space => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub async fn handle(
    State(s): State<Arc<VcShared>>,
    method: Method,
    uri: axum::http::Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    s.vcd.settle(s.vcd.now());
    let path = uri.path();
    if path == "/sdk" || path == "/sdk/" {
        return soap::handle(&s, &method, &headers, &body);
    }
    if let Some(rest) = path.strip_prefix("/sdk/vim25/") {
        if s.version != VcenterVersion::V8_0 {
            // VI/JSON came with 8.0U1; 7.0 answers an empty 404.
            let mut r = Response::new(Body::empty());
            *r.status_mut() = StatusCode::NOT_FOUND;
            return r;
        }
        return vijson::handle(&s, &method, rest, &headers, &body);
    }
    let (d, rest) = if let Some(r) = path.strip_prefix("/rest/") {
        (Dialect::Rest, r)
    } else if let Some(r) = path.strip_prefix("/api/")
        && s.version.has_api()
    {
        (Dialect::Api, r)
    } else {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::NOT_FOUND;
        return r;
    };
    let query = query_pairs(uri.query());
    let req = Req {
        d,
        method: &method,
        parts: rest
            .trim_end_matches('/')
            .split('/')
            .map(|p| percent_decode(p, false))
            .collect(),
        query,
        body: &body,
        headers: &headers,
    };
    route(&s, &req).unwrap_or_else(|e| e.respond(d))
}

fn route(s: &VcShared, r: &Req) -> VcResult<Response> {
    let parts = r.parts();
    let session_path = match r.d {
        Dialect::Rest => parts == ["com", "vmware", "cis", "session"],
        Dialect::Api => parts == ["session"],
    };
    if session_path {
        return session::handle(s, r);
    }
    if !session::authenticated(s, r.headers) {
        return Err(VcError::unauthenticated());
    }
    let get = *r.method == Method::GET;
    let post = *r.method == Method::POST;
    let tagging = match (r.d, parts.as_slice()) {
        (Dialect::Rest, ["com", "vmware", "cis", "tagging", rest @ ..]) => Some(rest),
        (Dialect::Api, ["cis", "tagging", rest @ ..]) => Some(rest),
        _ => None,
    };
    if let Some(rest) = tagging {
        return tagging::route(s, r, rest);
    }
    match (parts.as_slice(), get, post) {
        (["vcenter", kind], true, _) => lists::list(s, r, kind),
        (["vcenter", "vm", vm], true, _) => vm::get(s, r, vm),
        (["vcenter", "vm", vm, "power"], true, _) => power::get(s, r, vm),
        (["vcenter", "vm", vm, "power"], _, true) if r.d == Dialect::Api => {
            power::act(s, r, vm, r.action().unwrap_or(""))
        }
        (["vcenter", "vm", vm, "power", op], _, true) if r.d == Dialect::Rest => {
            power::act(s, r, vm, op)
        }
        (["vcenter", "vm", vm, "guest", "identity"], true, _) => vm::identity(s, r, vm),
        (["vcenter", "vm", vm, "guest", "networking", "interfaces"], true, _) => {
            vm::interfaces(s, r, vm)
        }
        (["vcenter", "vm", vm, "guest", "power"], true, _) => power::guest_get(s, r, vm),
        (["vcenter", "vm", vm, "guest", "power"], _, true) => {
            power::guest_act(s, r, vm, r.action().unwrap_or(""))
        }
        (["vcenter", kind, id], true, _) => objects::get(s, r, kind, id),
        _ => Err(VcError::no_operation(&format!("/{}", parts.join("/")))),
    }
}
