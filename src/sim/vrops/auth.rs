//! Authentication: `POST /auth/token/acquire` and `/auth/token/release`, the
//! `vRealizeOpsToken`/`OpsToken` headers with a sliding lifetime, and Basic (8.x only; 9.x
//! refuses it on every call).

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde_json::json;
use time::OffsetDateTime;
use tokio::time::{Duration, Instant};

use super::{ApiError, ApiResult, Req, VROPS_USER, VropsShared, VropsVersion, json_response};
use crate::sim::DEMO_PASSWORD;

/// The real server's code for a missing, invalid or expired token.
pub const TOKEN_INVALID: u32 = 1512;

pub struct Token {
    /// Last use; the token dies `token_ttl_secs` after it (sliding).
    pub last_used: Instant,
    /// Acquisition, for the fault-injected fixed lifetime (`--session-ttl`) all products share.
    pub issued: Instant,
}

fn token_error(scheme: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        TOKEN_INVALID,
        format!(
            "The provided token for auth scheme \"{scheme}\" is either invalid or has expired."
        ),
    )
}

fn credentials_error() -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        401,
        "Invalid username or password.",
    )
}

fn valid(user: &str, password: &str) -> bool {
    user.eq_ignore_ascii_case(VROPS_USER) && password == DEMO_PASSWORD
}

/// The suite-api's long date form: `Friday, October 3, 2025 at 11:22:44 PM Coordinated
/// Universal Time`.
pub fn human_date(t: OffsetDateTime) -> String {
    let hour12 = match t.hour() % 12 {
        0 => 12,
        h => h,
    };
    format!(
        "{}, {} {}, {} at {}:{:02}:{:02} {} Coordinated Universal Time",
        t.weekday(),
        t.month(),
        t.day(),
        t.year(),
        hour12,
        t.minute(),
        t.second(),
        if t.hour() < 12 { "AM" } else { "PM" },
    )
}

pub fn acquire(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    let body = r.json()?;
    let (Some(user), Some(password)) = (body["username"].as_str(), body["password"].as_str())
    else {
        return Err(ApiError::bad_request(
            "The request body must contain username and password.",
        ));
    };
    if !valid(user, password) {
        return Err(credentials_error());
    }
    let token = format!(
        "{}::{}",
        crate::sim::world::uuid_str(rand::random::<u128>()),
        crate::sim::world::uuid_str(rand::random::<u128>())
    );
    s.tokens().insert(
        token.clone(),
        Token {
            last_used: s.vcd.now(),
            issued: s.vcd.now(),
        },
    );
    let expires = OffsetDateTime::now_utc() + Duration::from_secs(s.opts.token_ttl_secs);
    Ok(json_response(
        StatusCode::OK,
        &json!({
            "token": token,
            "validity": (expires.unix_timestamp_nanos() / 1_000_000) as i64,
            "expiresAt": human_date(expires),
            "roles": [],
        }),
    ))
}

/// The token of an `Authorization: vRealizeOpsToken …` or `OpsToken …` header.
fn token_of(headers: &HeaderMap) -> Option<(&str, &str)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    ["vRealizeOpsToken", "OpsToken"]
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(scheme))
        .map(|s| (s, token.trim()))
}

/// Whether `token` is live now; a live token's lifetime starts again.
fn touch(s: &VropsShared, token: &str) -> bool {
    let ttl = Duration::from_secs(s.opts.token_ttl_secs);
    let fixed = s.vcd.faults.token_ttl();
    let mut tokens = s.tokens();
    let Some(t) = tokens.get_mut(token) else {
        return false;
    };
    let now = s.vcd.now();
    if now.saturating_duration_since(t.last_used) >= ttl
        || fixed.is_some_and(|f| now.saturating_duration_since(t.issued) >= f)
    {
        tokens.remove(token);
        return false;
    }
    t.last_used = now;
    true
}

/// Lets a request through with a live token, or (8.x only) valid Basic credentials.
pub fn check(s: &VropsShared, headers: &HeaderMap) -> ApiResult<()> {
    if let Some((scheme, token)) = token_of(headers) {
        return if touch(s, token) {
            Ok(())
        } else {
            Err(token_error(scheme))
        };
    }
    let basic = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        });
    let Some(encoded) = basic else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            401,
            "Authentication is required: acquire a token at /suite-api/api/auth/token/acquire.",
        ));
    };
    if s.opts.version == VropsVersion::V9 {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            401,
            "Basic authentication is not supported. Use OpsToken authentication.",
        ));
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&decoded);
    match text.split_once(':') {
        Some((user, password)) if valid(user, password) => Ok(()),
        _ => Err(credentials_error()),
    }
}

/// Ends the session of the token in the header (a Basic caller has none to end).
pub fn release(s: &VropsShared, r: &Req) -> ApiResult<Response> {
    if let Some((_, token)) = token_of(r.headers) {
        s.tokens().remove(token);
    }
    let mut resp = Response::new(axum::body::Body::empty());
    *resp.status_mut() = StatusCode::OK;
    Ok(resp)
}
