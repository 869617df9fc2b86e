//! An Aria Operations suite-api session: reads the release from `/api/versions/current` to pick
//! the token header (`OpsToken` from 9.x, `vRealizeOpsToken` before), acquires a token with the
//! user's password, sends JSON requests through the shared session loop (a 401 means the token
//! expired: one new acquire, one retry) and releases the token on logout. Basic auth is never
//! used: 9.x refuses it.

use std::sync::OnceLock;

use async_trait::async_trait;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::api::error::{ApiError, ApiResult};
use crate::api::http::{Http, Response, Retry};
use crate::api::session::{self, Protocol};

/// Every path of the API lives under this prefix.
pub const API: &str = "/suite-api/api";

pub struct Session {
    inner: session::Session<Login>,
}

/// What `/api/versions/current` says about the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Release {
    /// "8.18.4", of "VMware Aria Operations 8.18.4": what the status bar says after "API"
    /// (the product is named beside it).
    pub version: String,
    /// The product's major version (8, 9), read from the release name: the `major` field is
    /// the API's version, not the product's.
    pub major: u32,
}

impl Release {
    pub fn from_json(v: &Value) -> ApiResult<Release> {
        let name = v["releaseName"]
            .as_str()
            .ok_or_else(|| ApiError::parse("versions/current without a releaseName"))?;
        let (version, major) = name
            .split_whitespace()
            .rev()
            .find_map(|w| {
                let major = w.split('.').next()?.parse::<u32>().ok();
                major.filter(|_| w.contains('.')).map(|m| (w, m))
            })
            .ok_or_else(|| ApiError::parse(format!("no version in the release name {name:?}")))?;
        Ok(Release {
            version: version.to_string(),
            major,
        })
    }

    /// The scheme of the `Authorization` header that carries the token.
    pub fn token_scheme(&self) -> &'static str {
        if self.major >= 9 {
            "OpsToken"
        } else {
            "vRealizeOpsToken"
        }
    }
}

/// How Aria Operations logs in.
struct Login {
    base: String,
    user: String,
    password: SecretString,
    release: OnceLock<Release>,
}

impl Session {
    pub fn new(http: Http, base: &str, user: String, password: SecretString) -> Session {
        let base = base.trim_end_matches('/');
        let login = Login {
            base: base.to_string(),
            user,
            password,
            release: OnceLock::new(),
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

    pub fn http(&self) -> &Http {
        self.inner.http()
    }

    /// Acquires a token (reading the release first, once) and says what the server is.
    pub async fn connect(&self) -> ApiResult<Release> {
        self.inner.login().await?;
        self.inner
            .protocol()
            .release
            .get()
            .cloned()
            .ok_or_else(|| ApiError::Auth("logged in without reading the release".into()))
    }

    /// GETs `API + path` with `query` and returns the JSON and its text.
    pub async fn get(&self, path: &str, query: &[(&str, String)]) -> ApiResult<(Value, String)> {
        value(self.get_body(path, query).await?)
    }

    /// GETs `API + path` with `query` and returns the body, known to be whole JSON, for the
    /// caller to decode into its own types (a listing page: see `wire`).
    pub async fn get_body(&self, path: &str, query: &[(&str, String)]) -> ApiResult<Vec<u8>> {
        self.call(Method::GET, path, query, None, Retry::Idempotent)
            .await
    }

    /// POSTs a query (a read: safe to repeat) with a JSON body.
    pub async fn query(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: Value,
    ) -> ApiResult<(Value, String)> {
        value(self.query_body(path, query, body).await?)
    }

    /// `query`, returning the answer's body undecoded (like `get_body`).
    pub async fn query_body(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: Value,
    ) -> ApiResult<Vec<u8>> {
        // Only reads: the shared layer may hedge it like a GET.
        self.call(Method::POST, path, query, Some(body), Retry::Read)
            .await
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
        retry: Retry,
    ) -> ApiResult<Vec<u8>> {
        let mut url = url::Url::parse(&format!("{}{API}{path}", self.base()))
            .map_err(|e| ApiError::Unsupported(format!("bad URL for {path}: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let body = body.map(|b| b.to_string());
        self.inner
            .call(method, url.as_str(), retry, |req| {
                let req = req.header(ACCEPT, "application/json");
                match &body {
                    Some(b) => req.header(CONTENT_TYPE, "application/json").body(b.clone()),
                    None => req,
                }
            })
            .await
    }

    /// Releases the token so it does not outlive vnav on the server.
    pub async fn logout(&self) {
        if !self.inner.is_logged_in().await {
            return;
        }
        if let Err(e) = self
            .call(
                Method::POST,
                "/auth/token/release",
                &[],
                None,
                Retry::Idempotent,
            )
            .await
        {
            tracing::info!(target: "vnav::vrops", error = %e, "token release failed");
        }
        self.inner.forget().await;
    }
}

impl Login {
    async fn release(&self, http: &Http) -> ApiResult<Release> {
        if let Some(r) = self.release.get() {
            return Ok(r.clone());
        }
        let v = http
            .identify_json(
                &self.base,
                &format!("{API}/versions/current"),
                "Aria Operations suite-api",
            )
            .await?;
        let release = Release::from_json(&v)?;
        Ok(self.release.get_or_init(|| release).clone())
    }
}

#[async_trait]
impl Protocol for Login {
    type Token = HeaderValue;
    /// The body of a success, checked to be whole JSON (empty after a POST), so a body cut
    /// short is asked again here whatever type the caller decodes it into.
    type Answer = Vec<u8>;

    async fn login(&self, http: &Http) -> ApiResult<HeaderValue> {
        let release = self.release(http).await?;
        let body = json!({
            "username": self.user,
            "password": self.password.expose_secret(),
        });
        let req = http
            .request(
                Method::POST,
                &format!("{}{API}/auth/token/acquire", self.base),
            )
            .header(ACCEPT, "application/json")
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string())
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = http.send(req, Retry::Idempotent).await?;
        match resp.status {
            200..=299 => {}
            401 | 403 => return Err(ApiError::login_refused(&self.user, resp.status)),
            status => return Err(error(status, &resp.body)),
        }
        let v: Value = serde_json::from_slice(&resp.body)
            .map_err(|e| ApiError::parse(format!("token answer is not JSON: {e}")))?;
        let token = v["token"]
            .as_str()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| ApiError::Auth("the token answer holds no token".into()))?;
        let mut header = HeaderValue::from_str(&format!("{} {token}", release.token_scheme()))
            .map_err(|_| ApiError::Auth("the server sent an unusable token".into()))?;
        header.set_sensitive(true);
        Ok(header)
    }

    fn sign(&self, req: RequestBuilder, token: &HeaderValue) -> RequestBuilder {
        req.header(AUTHORIZATION, token.clone())
    }

    fn expired(&self, resp: &Response) -> bool {
        resp.status == 401
    }

    fn decode(&self, method: &Method, resp: Response) -> ApiResult<Vec<u8>> {
        match resp.status {
            200..=299 => {
                if resp.body.iter().all(u8::is_ascii_whitespace) {
                    if *method == Method::GET {
                        return Err(ApiError::parse("empty body"));
                    }
                    return Ok(Vec::new());
                }
                // Checked without building anything; the caller decodes what it keeps.
                serde_json::from_slice::<serde::de::IgnoredAny>(&resp.body)
                    .map_err(|e| ApiError::parse(format!("malformed JSON: {e}")))?;
                Ok(resp.body.into())
            }
            401 => Err(ApiError::Auth(error(401, &resp.body).to_string())),
            status => Err(error(status, &resp.body)),
        }
    }
}

/// A body `decode` accepted, as JSON and its text (`Null` and "" when a POST answered nothing).
fn value(body: Vec<u8>) -> ApiResult<(Value, String)> {
    if body.is_empty() {
        return Ok((Value::Null, String::new()));
    }
    let v = serde_json::from_slice(&body)
        .map_err(|e| ApiError::parse(format!("malformed JSON: {e}")))?;
    let text = String::from_utf8(body)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    Ok((v, text))
}

/// The server's own words from an error body `{"message","httpStatusCode","apiErrorCode"}`.
pub fn error(status: u16, body: &[u8]) -> ApiError {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let message = v["message"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("HTTP {status}"));
    let code = v["apiErrorCode"]
        .as_u64()
        .map(|c| c.to_string())
        .or_else(|| v["apiErrorCode"].as_str().map(str::to_string));
    ApiError::Server {
        status,
        code,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> Value {
        let path = format!(
            "{}/tests/fixtures/vrops/samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_release_picks_the_token_header() {
        let r = Release::from_json(&sample("suite-api_versions_current.json")).unwrap();
        assert_eq!((r.major, r.version.as_str()), (8, "8.18.4"));
        assert_eq!(r.token_scheme(), "vRealizeOpsToken");
        let nine = json!({"releaseName": "VMware Cloud Foundation Operations 9.0.1", "major": 1});
        assert_eq!(
            Release::from_json(&nine).unwrap().token_scheme(),
            "OpsToken"
        );
        assert!(Release::from_json(&json!({"releaseName": "Operations"})).is_err());
    }

    #[test]
    fn a_real_token_answer_and_error_body_read() {
        let v = sample("suite-api_auth_token_acquire.json");
        assert!(v["token"].as_str().is_some_and(|t| !t.is_empty()));
        let e = error(
            401,
            br#"{"message":"Token has expired","httpStatusCode":401,"apiErrorCode":1512}"#,
        );
        assert_eq!(e.to_string(), "401 1512: Token has expired");
        assert_eq!(error(502, b"<html>").to_string(), "502: HTTP 502");
    }
}
