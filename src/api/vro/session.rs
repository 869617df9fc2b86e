//! An Orchestrator `/vco/api` session. `GET /vco/api/about` says the generation, which decides
//! how to log in: Basic on 7.x and 8.x (vSphere SSO; checked once with a one-item read so a wrong
//! password is a login error, not a failing listing), a Cloud Director session on VCF 9
//! (`POST /cloudapi/1.0.0/sessions[/provider]` with Basic `user@org`, the token from
//! `x-vmware-vcloud-access-token`, then `Bearer`). Requests go through the shared session loop:
//! a 401 means a new login and one retry. Logout ends a VCF 9 session; Basic has none to end.

use std::sync::OnceLock;

use async_trait::async_trait;
use base64::Engine as _;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use crate::api::error::{ApiError, ApiResult};
use crate::api::http::{Http, Response, Retry};
use crate::api::session::{self, Protocol};

/// Every path of the API lives under this prefix.
pub const API: &str = "/vco/api";

/// What `/vco/api/about` says about the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct About {
    /// "8.18.1.24280767".
    pub version: String,
    /// The product's major version: 7, 8, 9.
    pub major: u32,
}

impl About {
    pub fn from_json(v: &Value) -> ApiResult<About> {
        let version = v["version"]
            .as_str()
            .ok_or_else(|| ApiError::parse("about without a version"))?;
        let major = version
            .split('.')
            .next()
            .and_then(|m| m.trim().parse().ok())
            .ok_or_else(|| ApiError::parse(format!("no major version in {version:?}")))?;
        Ok(About {
            version: version.to_string(),
            major,
        })
    }

    /// VCF 9 logs in like Cloud Director; older generations take Basic.
    pub fn cloud_login(&self) -> bool {
        self.major >= 9
    }

    /// Where an execution's logs are: `syslogs` from 8.x, `logs` before.
    pub fn logs_path(&self) -> &'static str {
        if self.major >= 8 { "syslogs" } else { "logs" }
    }
}

/// A successful answer: the JSON (Null when empty), its text, and the `Location` header (the
/// execution a POST started).
#[derive(Clone, Debug)]
pub struct Reply {
    pub json: Value,
    pub text: String,
    pub location: Option<String>,
}

/// The credential every request carries: the whole `Authorization` value (marked sensitive),
/// and whether it is a session the server can end.
#[derive(Clone)]
pub struct Auth {
    header: HeaderValue,
    session: bool,
}

struct Login {
    base: String,
    user: String,
    password: SecretString,
    about: OnceLock<About>,
}

pub struct Session {
    inner: session::Session<Login>,
}

impl Session {
    pub fn new(http: Http, base: &str, user: String, password: SecretString) -> Session {
        let base = base.trim_end_matches('/');
        let login = Login {
            base: base.to_string(),
            user,
            password,
            about: OnceLock::new(),
        };
        Session {
            inner: session::Session::new(http, base, login),
        }
    }

    pub fn base(&self) -> &str {
        self.inner.base()
    }

    pub fn user(&self) -> &str {
        &self.inner.protocol().user
    }

    /// `base + /vco/api + path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{API}{path}", self.base())
    }

    /// What the server is, once connected.
    pub fn about(&self) -> Option<&About> {
        self.inner.protocol().about.get()
    }

    /// Logs in (reading `/about` first, once) and says what the server is.
    pub async fn connect(&self) -> ApiResult<About> {
        self.inner.login().await?;
        self.about()
            .cloned()
            .ok_or_else(|| ApiError::Auth("logged in without reading /about".into()))
    }

    /// GETs an absolute URL (an href the server gave) or `API + path`, with `query`.
    pub async fn get(&self, url: &str, query: &[(&str, String)]) -> ApiResult<Reply> {
        self.call(Method::GET, url, query, None, Retry::Idempotent)
            .await
    }

    /// A write: sent once, never retried or hedged (a lost answer is the caller's to recover).
    pub async fn write(&self, method: Method, url: &str, body: Option<Value>) -> ApiResult<Reply> {
        self.call(method, url, &[], body, Retry::Never).await
    }

    async fn call(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<Value>,
        retry: Retry,
    ) -> ApiResult<Reply> {
        let full = if url.starts_with("http://") || url.starts_with("https://") {
            url.to_string()
        } else {
            self.url(url)
        };
        let mut parsed = url::Url::parse(&full)
            .map_err(|e| ApiError::Unsupported(format!("bad URL {full}: {e}")))?;
        if !query.is_empty() {
            parsed.query_pairs_mut().extend_pairs(query);
        }
        // The body may hold a secure string: it lives only in this request.
        let body = body.map(|b| zeroize::Zeroizing::new(b.to_string()));
        self.inner
            .call(method, parsed.as_str(), retry, |req| {
                let req = req.header(ACCEPT, "application/json");
                match &body {
                    Some(b) => req
                        .header(CONTENT_TYPE, "application/json")
                        .body(b.as_str().to_owned()),
                    None => req,
                }
            })
            .await
    }

    /// Ends a VCF 9 session so it does not outlive vnav; Basic holds none.
    pub async fn logout(&self) {
        match self.inner.token().await {
            Some(auth) if auth.session => {
                let url = format!("{}/cloudapi/1.0.0/sessions/current", self.base());
                if let Err(e) = self.write(Method::DELETE, &url, None).await {
                    tracing::info!(target: "vnav::vro", error = %e, "logout failed");
                }
            }
            Some(_) => {}
            None => return,
        }
        self.inner.forget().await;
    }
}

/// vCD-style users are `name@org`; a bare name is the System org's.
fn qualified_user(user: &str) -> String {
    if user.contains('@') {
        user.to_string()
    } else {
        format!("{user}@System")
    }
}

fn sensitive(value: &str) -> ApiResult<HeaderValue> {
    let mut header = HeaderValue::from_str(value)
        .map_err(|_| ApiError::Auth("the credential cannot be sent in a header".into()))?;
    header.set_sensitive(true);
    Ok(header)
}

impl Login {
    async fn about(&self, http: &Http) -> ApiResult<About> {
        if let Some(a) = self.about.get() {
            return Ok(a.clone());
        }
        let v = http
            .identify_json(&self.base, &format!("{API}/about"), "Orchestrator")
            .await?;
        let about = About::from_json(&v)?;
        Ok(self.about.get_or_init(|| about).clone())
    }

    /// Basic for 7.x and 8.x, checked with a one-item read.
    async fn basic(&self, http: &Http) -> ApiResult<Auth> {
        let encoded =
            zeroize::Zeroizing::new(base64::engine::general_purpose::STANDARD.encode(format!(
                "{}:{}",
                self.user,
                self.password.expose_secret()
            )));
        let header = sensitive(&format!("Basic {}", encoded.as_str()))?;
        let req = http
            .request(
                Method::GET,
                &format!("{}{API}/workflows?maxResult=1", self.base),
            )
            .header(ACCEPT, "application/json")
            .header(AUTHORIZATION, header.clone())
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = http.send(req, Retry::Idempotent).await?;
        match resp.status {
            200..=299 => Ok(Auth {
                header,
                session: false,
            }),
            401 | 403 => Err(ApiError::login_refused(&self.user, resp.status)),
            status => Err(error(status, &resp.body)),
        }
    }

    /// VCF 9: a Cloud Director session (`/sessions/provider` for the System org).
    async fn cloud(&self, http: &Http) -> ApiResult<Auth> {
        let user = qualified_user(&self.user);
        let org = user.rsplit_once('@').map_or("System", |(_, o)| o);
        let path = if org.eq_ignore_ascii_case("system") {
            "/cloudapi/1.0.0/sessions/provider"
        } else {
            "/cloudapi/1.0.0/sessions"
        };
        let req = http
            .request(Method::POST, &format!("{}{path}", self.base))
            .header(ACCEPT, "application/json;version=40.0")
            .basic_auth(&user, Some(self.password.expose_secret()))
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = http.send(req, Retry::Idempotent).await?;
        match resp.status {
            200..=299 => {}
            401 | 403 => return Err(ApiError::login_refused(&user, resp.status)),
            status => return Err(error(status, &resp.body)),
        }
        let token = resp
            .header("x-vmware-vcloud-access-token")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::Auth("login answered without an access token".into()))?;
        Ok(Auth {
            header: sensitive(&format!("Bearer {token}"))?,
            session: true,
        })
    }
}

#[async_trait]
impl Protocol for Login {
    type Token = Auth;
    type Answer = Reply;

    async fn login(&self, http: &Http) -> ApiResult<Auth> {
        if self.about(http).await?.cloud_login() {
            self.cloud(http).await
        } else {
            self.basic(http).await
        }
    }

    fn sign(&self, req: RequestBuilder, auth: &Auth) -> RequestBuilder {
        req.header(AUTHORIZATION, auth.header.clone())
    }

    fn expired(&self, resp: &Response) -> bool {
        resp.status == 401
    }

    fn decode(&self, method: &Method, resp: Response) -> ApiResult<Reply> {
        match resp.status {
            200..=299 => {
                let location = resp.header("location").map(str::to_string);
                if resp.body.iter().all(u8::is_ascii_whitespace) {
                    if *method == Method::GET {
                        return Err(ApiError::parse("empty body"));
                    }
                    return Ok(Reply {
                        json: Value::Null,
                        text: String::new(),
                        location,
                    });
                }
                let json = serde_json::from_slice(&resp.body)
                    .map_err(|e| ApiError::parse(format!("malformed JSON: {e}")))?;
                Ok(Reply {
                    json,
                    text: resp.text(),
                    location,
                })
            }
            401 => Err(ApiError::Auth(error(401, &resp.body).to_string())),
            status => Err(error(status, &resp.body)),
        }
    }
}

/// The server's own words from an error body (`{"status","message","details"}`; no real
/// body was captured, so only `message` is relied on).
pub fn error(status: u16, body: &[u8]) -> ApiError {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let message = v["message"]
        .as_str()
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}"));
    ApiError::Server {
        status,
        code: None,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn about_says_the_generation() {
        let a = About::from_json(&json!({"version": "7.6.0.13020602"})).unwrap();
        assert_eq!(a.major, 7);
        assert!(!a.cloud_login());
        assert_eq!(a.logs_path(), "logs");
        let a = About::from_json(&json!({"version": "8.18.1.24280767"})).unwrap();
        assert_eq!((a.cloud_login(), a.logs_path()), (false, "syslogs"));
        let a = About::from_json(&json!({"version": "9.0.0.24713962"})).unwrap();
        assert!(a.cloud_login());
        assert!(About::from_json(&json!({"version": "latest"})).is_err());
        assert!(About::from_json(&json!({})).is_err());
    }

    #[test]
    fn users_default_to_the_system_org_and_errors_keep_the_message() {
        assert_eq!(qualified_user("admin"), "admin@System");
        assert_eq!(qualified_user("ops@Tenant"), "ops@Tenant");
        let e = error(
            400,
            br#"{"status":400,"message":"Input parameter 'vm' is mandatory"}"#,
        );
        assert_eq!(e.to_string(), "400: Input parameter 'vm' is mandatory");
        assert_eq!(error(502, b"<html>").to_string(), "502: HTTP 502");
    }
}
