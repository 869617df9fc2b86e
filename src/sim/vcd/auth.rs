//! Versions list, logins (legacy `/api/sessions` and cloudapi), token checks, the Session
//! document and logout.

use std::fmt::Write as _;

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::Response;
use base64::Engine as _;

use super::errors::VcdError;
use super::xml::{DECL, VCLOUD_NS, empty, esc, json, json_str, link, respond};
use super::{Ctx, Shared, User, VERSIONS};
use crate::sim::DEMO_PASSWORD;
use crate::sim::world::uuid_str;

pub fn major(version: &str) -> u32 {
    version
        .split('.')
        .next()
        .and_then(|m| m.parse().ok())
        .unwrap_or(0)
}

pub fn versions(s: &Shared) -> Response {
    let mut out = String::from(DECL);
    out.push_str("<SupportedVersions xmlns=\"http://www.vmware.com/vcloud/versions\">\n");
    for v in VERSIONS {
        let login = if major(v) >= 38 {
            "/cloudapi/1.0.0/sessions"
        } else {
            "/api/sessions"
        };
        let deprecated = major(v) < 33;
        let _ = writeln!(
            out,
            "<VersionInfo deprecated=\"{deprecated}\"><Version>{v}</Version><LoginUrl>{}{login}</LoginUrl></VersionInfo>",
            s.base
        );
    }
    out.push_str("</SupportedVersions>\n");
    respond(StatusCode::OK, "versions", "", out)
        .map_media("application/vnd.vmware.vcloud.versions+xml")
}

/// Small extension so `versions` can carry its own media type outside the vcloud family.
trait MapMedia {
    fn map_media(self, ct: &'static str) -> Self;
}
impl MapMedia for Response {
    fn map_media(mut self, ct: &'static str) -> Self {
        self.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static(ct),
        );
        self
    }
}

/// Checks Basic `user@org:password`; `None` for anything malformed or wrong.
fn basic_user(s: &Shared, headers: &HeaderMap) -> Option<User> {
    let value = headers.get("authorization")?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (login, password) = text.split_once(':')?;
    let (name, org) = login.rsplit_once('@')?;
    if password != DEMO_PASSWORD {
        return None;
    }
    let w = s.read();
    let (i, o) = w
        .orgs
        .iter()
        .enumerate()
        .find(|(_, o)| o.name.eq_ignore_ascii_case(org))?;
    let ok = if o.system {
        name == "admin"
    } else {
        name == "orgadmin"
    };
    ok.then_some(User { org: i as u32 })
}

fn new_token(s: &Shared, user: User) -> String {
    let token = format!(
        "{:032x}{:032x}",
        rand::random::<u128>(),
        rand::random::<u128>()
    );
    s.sessions().insert(token.clone(), (user, s.now()));
    token
}

fn token(headers: &HeaderMap) -> Option<&str> {
    if let Some(v) = headers.get("authorization").and_then(|v| v.to_str().ok())
        && let Some(t) = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    {
        return Some(t.trim());
    }
    headers
        .get("x-vcloud-authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
}

/// The token's user, unless the token is unknown or older than the fault-injected TTL.
pub fn authenticate(s: &Shared, headers: &HeaderMap) -> Option<User> {
    let t = token(headers)?;
    let ttl = s.faults.token_ttl();
    let mut sessions = s.sessions();
    let (user, issued) = *sessions.get(t)?;
    if ttl.is_some_and(|ttl| s.now().saturating_duration_since(issued) >= ttl) {
        sessions.remove(t);
        return None;
    }
    Some(user)
}

pub fn logout(s: &Shared, headers: &HeaderMap) -> Response {
    if let Some(t) = token(headers) {
        s.sessions().remove(t);
    }
    empty(StatusCode::NO_CONTENT)
}

fn with_tokens(mut r: Response, token: &str) -> Response {
    if let Ok(v) = HeaderValue::from_str(token) {
        r.headers_mut().insert("x-vcloud-authorization", v.clone());
        r.headers_mut().insert("x-vmware-vcloud-access-token", v);
    }
    r
}

pub fn legacy_login(s: &Shared, method: &Method, version: &str, headers: &HeaderMap) -> Response {
    if *method != Method::POST {
        return VcdError::method_not_allowed().respond(version);
    }
    if major(version) >= 38 {
        // Removed in API 38.0 (vCD 10.5): the endpoint no longer exists.
        return VcdError::not_found("/api/sessions").respond(version);
    }
    let Some(user) = basic_user(s, headers) else {
        return VcdError::unauthorized("Invalid credentials").respond(version);
    };
    let token = new_token(s, user);
    with_tokens(session_response(s, user, version), &token)
}

fn user_name(user: User) -> &'static str {
    if user.is_system() {
        "admin"
    } else {
        "orgadmin"
    }
}

fn role(user: User) -> &'static str {
    if user.is_system() {
        "System Administrator"
    } else {
        "Organization Administrator"
    }
}

fn session_response(s: &Shared, user: User, version: &str) -> Response {
    let w = s.read();
    let org = &w.orgs[user.org as usize];
    let b = &s.base;
    let mut out = String::from(DECL);
    let _ = writeln!(
        out,
        "<Session xmlns=\"{VCLOUD_NS}\" user=\"{}\" org=\"{}\" userId=\"urn:vcloud:user:{}\" roles=\"{}\" \
         locationId=\"{}@sim\" href=\"{b}/api/session/\" type=\"application/vnd.vmware.vcloud.session+xml\">",
        user_name(user),
        esc(&org.name),
        uuid_str(org.admin_user),
        role(user),
        uuid_str(org.id),
    );
    link(&mut out, "down", "orgList", "", &format!("{b}/api/org/"));
    link(&mut out, "remove", "", "", &format!("{b}/api/session/"));
    link(
        &mut out,
        "down",
        "org",
        &org.name,
        &format!("{b}/api/org/{}", uuid_str(org.id)),
    );
    link(
        &mut out,
        "down",
        "query.queryList",
        "",
        &format!("{b}/api/query"),
    );
    link(
        &mut out,
        "entityResolver",
        "entity",
        "",
        &format!("{b}/api/entity/"),
    );
    out.push_str("</Session>\n");
    respond(StatusCode::OK, "session", version, out)
}

pub fn session_doc(s: &Shared, ctx: &Ctx) -> Response {
    session_response(s, ctx.user, &ctx.version)
}

pub(super) fn json_error(status: StatusCode, minor: &str, message: &str) -> Response {
    json(
        status,
        format!(
            "{{\"minorErrorCode\":{},\"message\":{}}}",
            json_str(minor),
            json_str(message)
        ),
    )
}

fn session_json(s: &Shared, user: User) -> String {
    let w = s.read();
    let org = &w.orgs[user.org as usize];
    format!(
        "{{\"id\":\"urn:vcloud:session:{}\",\"user\":{{\"name\":\"{}\",\"id\":\"urn:vcloud:user:{}\"}},\
         \"org\":{{\"name\":{},\"id\":\"urn:vcloud:org:{}\"}},\"location\":\"{}@sim\",\
         \"roles\":[\"{}\"],\"sessionIdleTimeoutMinutes\":30}}",
        uuid_str(rand::random::<u128>()),
        user_name(user),
        uuid_str(org.admin_user),
        json_str(&org.name),
        uuid_str(org.id),
        uuid_str(org.id),
        role(user)
    )
}

/// `/cloudapi/1.0.0/sessions[/provider|/current]`.
pub fn cloudapi(s: &Shared, method: &Method, rest: &str, headers: &HeaderMap) -> Response {
    match (rest.trim_end_matches('/'), method.as_str()) {
        (p @ ("1.0.0/sessions" | "1.0.0/sessions/provider"), "POST") => {
            let provider = p.ends_with("provider");
            match basic_user(s, headers) {
                Some(user) if !provider || user.is_system() => {
                    let token = new_token(s, user);
                    let body = session_json(s, user);
                    let mut r = json(StatusCode::OK, body);
                    if let Ok(v) = HeaderValue::from_str(&token) {
                        r.headers_mut().insert("x-vmware-vcloud-access-token", v);
                    }
                    r
                }
                _ => json_error(
                    StatusCode::UNAUTHORIZED,
                    "UNAUTHORIZED",
                    "Invalid credentials",
                ),
            }
        }
        ("1.0.0/sessions/current", m @ ("GET" | "DELETE")) => match authenticate(s, headers) {
            None => json_error(
                StatusCode::UNAUTHORIZED,
                "UNAUTHORIZED",
                "Missing or invalid token",
            ),
            Some(_) if m == "DELETE" => logout(s, headers),
            Some(user) => json(StatusCode::OK, session_json(s, user)),
        },
        _ => json_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "No such cloudapi resource in the simulator",
        ),
    }
}
