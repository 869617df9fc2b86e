//! A vCenter REST session: finds the dialect at the first login (`/api` first, `/rest` when
//! the server has no `/api`), logs in with Basic auth for a `vmware-api-session-id`, sends JSON
//! requests through the shared session loop, and turns error bodies into ApiErrors.

use std::sync::OnceLock;

use async_trait::async_trait;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, RequestBuilder};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;

use super::dialect::Dialect;
use crate::api::error::{ApiError, ApiResult};
use crate::api::http::{Http, Response, Retry};
use crate::api::identify::{self, Expected};
use crate::api::session::{self, Protocol};

const SESSION_HEADER: &str = "vmware-api-session-id";

pub struct Session {
    inner: session::Session<Login>,
}

/// How vCenter REST logs in, in the dialect the server speaks.
struct Login {
    base: String,
    user: String,
    password: SecretString,
    dialect: OnceLock<Dialect>,
}

impl Session {
    pub fn new(http: Http, base: &str, user: String, password: SecretString) -> Session {
        let base = base.trim_end_matches('/');
        let login = Login {
            base: base.to_string(),
            user,
            password,
            dialect: OnceLock::new(),
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

    pub async fn dialect(&self) -> Dialect {
        self.inner.protocol().dialect()
    }

    /// Logs in, finding the dialect on the first call.
    pub async fn connect(&self) -> ApiResult<Dialect> {
        self.inner.login().await?;
        Ok(self.inner.protocol().dialect())
    }

    /// GETs a path (starting with the dialect's prefix) and returns the unwrapped payload.
    pub async fn get(&self, path: &str) -> ApiResult<(Value, String)> {
        self.call(Method::GET, path, None, Retry::Transient, |resp| {
            self.value(&Method::GET, resp)
        })
        .await
    }

    /// GETs a path and reads the answer's bytes with `read` (told the dialect, so that it
    /// unwraps `/rest`'s `{"value": …}` itself): a big list is read straight into what is
    /// kept, with no `Value` tree built and dropped first. A `Parse` error is asked again.
    pub async fn get_with<T>(
        &self,
        path: &str,
        read: impl Fn(Dialect, &[u8]) -> ApiResult<T> + Send + Sync,
    ) -> ApiResult<T> {
        self.call(Method::GET, path, None, Retry::Transient, |resp| {
            read(self.inner.protocol().dialect(), &resp.body)
        })
        .await
    }

    /// POSTs an action; only a 401 (refused before doing anything) is sent again.
    pub async fn post(&self, path: &str, body: Option<Value>) -> ApiResult<Value> {
        let answer = self.call(Method::POST, path, body, Retry::Never, |resp| {
            self.value(&Method::POST, resp)
        });
        Ok(answer.await?.0)
    }

    /// The unwrapped payload of a successful answer, and its text.
    fn value(&self, method: &Method, resp: Response) -> ApiResult<(Value, String)> {
        let v = parse(method, &resp)?;
        Ok((self.inner.protocol().dialect().unwrap(v), resp.text()))
    }

    async fn call<T>(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        retry: Retry,
        read: impl Fn(Response) -> ApiResult<T> + Send + Sync,
    ) -> ApiResult<T> {
        let url = format!("{}{path}", self.base());
        let body = body.map(|b| b.to_string());
        let build = |req: RequestBuilder| {
            let req = req.header(ACCEPT, "application/json");
            match &body {
                Some(b) => req.header(CONTENT_TYPE, "application/json").body(b.clone()),
                None => req,
            }
        };
        self.inner.call_then(method, &url, retry, build, read).await
    }

    pub async fn logout(&self) {
        if !self.inner.is_logged_in().await {
            return;
        }
        let path = self.dialect().await.login_path();
        let answer = self.call(Method::DELETE, path, None, Retry::Idempotent, |resp| {
            self.value(&Method::DELETE, resp)
        });
        if let Err(e) = answer.await {
            tracing::info!(target: "vnav::vcenter", error = %e, "logout failed");
        }
        self.inner.forget().await;
    }
}

impl Login {
    fn dialect(&self) -> Dialect {
        self.dialect.get().copied().unwrap_or(Dialect::Api)
    }

    async fn login_with(&self, http: &Http, dialect: Dialect) -> ApiResult<HeaderValue> {
        let req = http
            .request(
                Method::POST,
                &format!("{}{}", self.base, dialect.login_path()),
            )
            .header(ACCEPT, "application/json")
            .basic_auth(&self.user, Some(self.password.expose_secret()))
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = http.send(req, Retry::Idempotent).await?;
        // A vCD or a web page here would otherwise read as a refused login or a raw body; a
        // 404/405 at /api is left to the caller, which tries /rest next.
        let may_fall_back = dialect == Dialect::Api && matches!(resp.status, 404 | 405);
        if !resp.is_success()
            && !may_fall_back
            && let Some(e) = identify::mismatch(&self.base, Expected::Vcenter, &resp)
        {
            return Err(e);
        }
        match resp.status {
            200..=299 => {}
            401 | 403 => return Err(ApiError::login_refused(&self.user, resp.status)),
            status => return Err(dialect.error(status, &resp.body)),
        }
        let body: Value = serde_json::from_slice(&resp.body)
            .map_err(|e| ApiError::parse(format!("login answer is not JSON: {e}")))?;
        let token = dialect
            .unwrap(body)
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| ApiError::Auth("login answered without a session id".into()))?;
        let mut header = HeaderValue::from_str(&token)
            .map_err(|_| ApiError::Auth("the server sent an unusable session id".into()))?;
        header.set_sensitive(true);
        Ok(header)
    }
}

#[async_trait]
impl Protocol for Login {
    type Token = HeaderValue;
    /// A successful answer, unread: each caller parses what it keeps (`Session::get`,
    /// `get_with`).
    type Answer = Response;

    /// The first login finds the dialect: `/api` (7.0U2+), else `/rest` (6.5–7.0U1).
    async fn login(&self, http: &Http) -> ApiResult<HeaderValue> {
        if let Some(&dialect) = self.dialect.get() {
            return self.login_with(http, dialect).await;
        }
        let (dialect, token) = match self.login_with(http, Dialect::Api).await {
            Ok(token) => (Dialect::Api, token),
            Err(ApiError::Server {
                status: 404 | 405, ..
            }) => match self.login_with(http, Dialect::Rest).await {
                Ok(token) => (Dialect::Rest, token),
                Err(ApiError::Server {
                    status: 404 | 405, ..
                }) => {
                    let paths = "/api/session or /rest/com/vmware/cis/session";
                    return Err(identify::no_api(&self.base, Expected::Vcenter, paths));
                }
                Err(e) => return Err(e),
            },
            Err(e) => return Err(e),
        };
        let _ = self.dialect.set(dialect);
        Ok(token)
    }

    fn sign(&self, req: RequestBuilder, token: &HeaderValue) -> RequestBuilder {
        req.header(SESSION_HEADER, token.clone())
    }

    fn expired(&self, resp: &Response) -> bool {
        resp.status == 401
    }

    fn decode(&self, _: &Method, resp: Response) -> ApiResult<Response> {
        let dialect = self.dialect();
        match resp.status {
            200..=299 => Ok(resp),
            401 => Err(ApiError::Auth(dialect.error(401, &resp.body).to_string())),
            status => Err(dialect.error(status, &resp.body)),
        }
    }
}

/// The JSON of a successful answer; an empty body (204, power operations) is `null`, but a
/// read always has a body.
fn parse(method: &Method, resp: &Response) -> ApiResult<Value> {
    if resp.body.iter().all(u8::is_ascii_whitespace) {
        if *method == Method::GET {
            return Err(ApiError::parse("empty body"));
        }
        return Ok(Value::Null);
    }
    serde_json::from_slice(&resp.body).map_err(|e| ApiError::parse(format!("malformed JSON: {e}")))
}
