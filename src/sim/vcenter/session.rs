//! vCenter sessions: Basic login at `/rest/com/vmware/cis/session` or `/api/session`, the
//! `vmware-api-session-id` header, session info, logout, and expiry (fault-injected TTL).

use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde_json::{Value, json};
use time::OffsetDateTime;
use tokio::time::Instant;

use super::errors::{VcError, VcResult};
use super::{Dialect, Req, VcShared, done, json_response, ok};
use crate::sim::{DEMO_PASSWORD, VCENTER_USER};

pub struct Session {
    pub issued: Instant,
    pub created: OffsetDateTime,
    pub last: OffsetDateTime,
}

const HEADER: &str = "vmware-api-session-id";

fn basic_ok(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return false;
    };
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    let text = String::from_utf8_lossy(&decoded);
    match text.split_once(':') {
        Some((user, password)) => {
            user.eq_ignore_ascii_case(VCENTER_USER) && password == DEMO_PASSWORD
        }
        None => false,
    }
}

fn session_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// Whether the request carries a live session; refreshes its last-access time.
pub fn authenticated(s: &VcShared, headers: &HeaderMap) -> bool {
    session_id(headers).is_some_and(|id| alive(s, id))
}

/// Starts a session (REST or SOAP share them) and returns its id.
pub fn open(s: &VcShared) -> String {
    let id = format!("{:032x}", rand::random::<u128>());
    let now = OffsetDateTime::now_utc();
    s.sessions().insert(
        id.clone(),
        Session {
            issued: s.vcd.now(),
            created: now,
            last: now,
        },
    );
    id
}

/// Whether session `id` exists and has not outlived the fault-injected TTL.
pub fn alive(s: &VcShared, id: &str) -> bool {
    let ttl = s.vcd.faults.token_ttl();
    let mut sessions = s.sessions();
    let Some(sess) = sessions.get_mut(id) else {
        return false;
    };
    if ttl.is_some_and(|ttl| s.vcd.now().saturating_duration_since(sess.issued) >= ttl) {
        sessions.remove(id);
        return false;
    }
    sess.last = OffsetDateTime::now_utc();
    true
}

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn info(s: &VcShared, id: &str) -> Option<Value> {
    let sessions = s.sessions();
    let sess = sessions.get(id)?;
    Some(json!({
        "user": "VSPHERE.LOCAL\\Administrator",
        "created_time": rfc3339(sess.created),
        "last_accessed_time": rfc3339(sess.last),
    }))
}

/// `POST` logs in (or, with `~action=get` in `/rest`, reads the session), `GET` reads it in
/// `/api`, `DELETE` logs out.
pub fn handle(s: &VcShared, r: &Req) -> VcResult<Response> {
    let get = match (r.d, r.method) {
        (Dialect::Api, &Method::GET) => true,
        (Dialect::Rest, &Method::POST) => r.action() == Some("get"),
        _ => false,
    };
    if get || *r.method == Method::DELETE {
        if !authenticated(s, r.headers) {
            return Err(VcError::unauthenticated());
        }
        let id = session_id(r.headers).unwrap_or_default().to_string();
        if get {
            let v = info(s, &id).ok_or_else(VcError::unauthenticated)?;
            return Ok(ok(r.d, v));
        }
        s.sessions().remove(&id);
        return Ok(done(r.d));
    }
    if *r.method != Method::POST {
        return Err(VcError::no_operation("session"));
    }
    if !basic_ok(r.headers) {
        return Err(VcError::unauthenticated());
    }
    let id = open(s);
    Ok(match r.d {
        Dialect::Rest => ok(r.d, Value::String(id)),
        Dialect::Api => json_response(StatusCode::CREATED, &Value::String(id)),
    })
}
