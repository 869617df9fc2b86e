//! Logging in, by generation: 7 takes Basic; 8 takes Basic or a bearer token from the Aria
//! Automation identity service (`POST /csp/gateway/am/api/login?access_token` gives a refresh
//! token, `POST /iaas/api/login` turns it into a bearer token); 9 logs in like Cloud Director
//! (`POST /cloudapi/1.0.0/sessions/provider`, token in `x-vmware-vcloud-access-token`) and
//! refuses Basic, and ends a session with `DELETE /cloudapi/1.0.0/sessions/current` (204).
//! Tokens die `--session-ttl` seconds after they were issued.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::{VroError, VroResult, VroShared, VroVersion, json_response};
use crate::sim::DEMO_PASSWORD;
use crate::sim::world::uuid_str;

pub struct Session {
    pub issued: Instant,
    /// Who logged in (a run's `started-by`).
    pub user: String,
    /// A refresh token (8.x identity service) only buys a bearer token; it is not one.
    pub refresh: bool,
}

fn unauthorized(message: &str) -> VroError {
    VroError::new(StatusCode::UNAUTHORIZED, message)
}

fn new_token() -> String {
    uuid_str(rand::random::<u128>()).replace('-', "")
}

/// `user:password` of a Basic header, if there is one.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&decoded).into_owned();
    let (u, p) = text.split_once(':')?;
    Some((u.to_string(), p.to_string()))
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("Bearer")
        .then_some(token.trim())
}

fn valid(s: &VroShared, user: &str, password: &str) -> bool {
    user.eq_ignore_ascii_case(s.opts.version.user()) && password == DEMO_PASSWORD
}

fn issue(s: &VroShared, user: &str, refresh: bool) -> String {
    let token = new_token();
    s.sessions().insert(
        token.clone(),
        Session {
            issued: s.vcd.now(),
            user: user.to_string(),
            refresh,
        },
    );
    token
}

/// The login endpoints that live outside `/vco/api`, or `None` for any other path.
pub fn login_route(
    s: &VroShared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Option<VroResult<Response>> {
    let path = path.trim_end_matches('/');
    let v = s.opts.version;
    if path == "/cloudapi/1.0.0/sessions/current" {
        return Some(match (method, v) {
            (&Method::DELETE, VroVersion::V9) => logout(s, headers),
            (_, VroVersion::V9) => Err(VroError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("{method} is not supported on {path}"),
            )),
            _ => Err(VroError::not_found(format!(
                "No such path on this Orchestrator generation: {path}"
            ))),
        });
    }
    let known = matches!(
        path,
        "/cloudapi/1.0.0/sessions"
            | "/cloudapi/1.0.0/sessions/provider"
            | "/csp/gateway/am/api/login"
            | "/iaas/api/login"
    );
    if !known {
        return None;
    }
    if *method != Method::POST {
        return Some(Err(VroError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            format!("{method} is not supported on {path}"),
        )));
    }
    Some(match (path, v) {
        ("/cloudapi/1.0.0/sessions/provider", VroVersion::V9) => cloud_login(s, headers),
        ("/cloudapi/1.0.0/sessions", VroVersion::V9) => Err(unauthorized(
            "The System organization's users log in at /cloudapi/1.0.0/sessions/provider.",
        )),
        ("/csp/gateway/am/api/login", VroVersion::V8) => identity_login(s, body),
        ("/iaas/api/login", VroVersion::V8) => iaas_login(s, body),
        _ => Err(VroError::not_found(format!(
            "No such path on this Orchestrator generation: {path}"
        ))),
    })
}

fn body_json(body: &[u8]) -> VroResult<Value> {
    serde_json::from_slice(body)
        .map_err(|e| VroError::bad_request(format!("Malformed request body: {e}")))
}

fn identity_login(s: &VroShared, body: &[u8]) -> VroResult<Response> {
    let b = body_json(body)?;
    let (Some(user), Some(password)) = (b["username"].as_str(), b["password"].as_str()) else {
        return Err(VroError::bad_request("username and password are required"));
    };
    if !valid(s, user, password) {
        return Err(unauthorized("Invalid username or password."));
    }
    let refresh = issue(s, user, true);
    Ok(json_response(
        StatusCode::OK,
        &json!({"refresh_token": refresh}),
    ))
}

fn iaas_login(s: &VroShared, body: &[u8]) -> VroResult<Response> {
    let b = body_json(body)?;
    let Some(refresh) = b["refreshToken"].as_str() else {
        return Err(VroError::bad_request("refreshToken is required"));
    };
    let user = match live(s, refresh) {
        Some((user, true)) => user,
        _ => return Err(unauthorized("Invalid or expired refresh token.")),
    };
    let token = issue(s, &user, false);
    Ok(json_response(
        StatusCode::OK,
        &json!({"tokenType": "Bearer", "token": token}),
    ))
}

fn cloud_login(s: &VroShared, headers: &HeaderMap) -> VroResult<Response> {
    let Some((login, password)) = basic(headers) else {
        return Err(unauthorized("Basic credentials user@org are required."));
    };
    if !valid(s, &login, &password) {
        return Err(unauthorized("Invalid username or password."));
    }
    let (name, org) = login.rsplit_once('@').unwrap_or((&login, "System"));
    let token = issue(s, name, false);
    let mut r = json_response(
        StatusCode::OK,
        &json!({
            "id": format!("urn:vcloud:session:{}", uuid_str(rand::random::<u128>())),
            "site": {"name": "vcf-automation", "id": "urn:vcloud:site:00000000-0000-4000-8000-000000000001"},
            "user": {"name": name, "id": "urn:vcloud:user:00000000-0000-4000-8000-000000000002"},
            "org": {"name": org, "id": "urn:vcloud:org:00000000-0000-4000-8000-000000000003"},
            "operatingOrg": {"name": org, "id": "urn:vcloud:org:00000000-0000-4000-8000-000000000003"},
            "location": "vcf-automation",
            "roles": ["System Administrator"],
            "roleRefs": [],
            "sessionIdleTimeoutMinutes": 30,
        }),
    );
    if let Ok(v) = HeaderValue::from_str(&token) {
        r.headers_mut().insert("x-vmware-vcloud-access-token", v);
    }
    Ok(r)
}

/// `DELETE /cloudapi/1.0.0/sessions/current`: the bearer's session ends (204); its token is
/// refused from then on.
fn logout(s: &VroShared, headers: &HeaderMap) -> VroResult<Response> {
    let Some(token) = bearer(headers) else {
        return Err(unauthorized("Authentication is required."));
    };
    if live(s, token).is_none() {
        return Err(unauthorized("The bearer token is invalid or has expired."));
    }
    s.sessions().remove(token);
    Ok(super::empty(StatusCode::NO_CONTENT))
}

/// (user, is a refresh token) of a live token; an expired one is forgotten.
fn live(s: &VroShared, token: &str) -> Option<(String, bool)> {
    let ttl = s.vcd.faults.token_ttl();
    let now = s.vcd.now();
    let mut sessions = s.sessions();
    let t = sessions.get(token)?;
    if ttl.is_some_and(|ttl| now.saturating_duration_since(t.issued) >= ttl) {
        sessions.remove(token);
        return None;
    }
    Some((t.user.clone(), t.refresh))
}

/// Lets a `/vco/api` request through as the returned user, by the generation's rules.
pub fn check(s: &VroShared, headers: &HeaderMap) -> VroResult<String> {
    let v = s.opts.version;
    if let Some(token) = bearer(headers) {
        if v == VroVersion::V7 {
            return Err(unauthorized(
                "Bearer tokens are not supported; use Basic authentication.",
            ));
        }
        return match live(s, token) {
            Some((user, false)) => Ok(user),
            _ => Err(unauthorized("The bearer token is invalid or has expired.")),
        };
    }
    let Some((user, password)) = basic(headers) else {
        return Err(unauthorized("Authentication is required."));
    };
    if v == VroVersion::V9 {
        return Err(unauthorized(
            "Basic authentication is not supported; log in at /cloudapi/1.0.0/sessions/provider.",
        ));
    }
    if valid(s, &user, &password) {
        Ok(user)
    } else {
        Err(unauthorized("Invalid username or password."))
    }
}
