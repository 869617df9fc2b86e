//! A vCenter REST session: finds the dialect once (`/api` first, `/rest` when the server has
//! no `/api`), logs in with Basic auth for a `vmware-api-session-id`, sends JSON requests, logs
//! in again once on 401, and turns error bodies into ApiErrors.

use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderValue};
use secrecy::{ExposeSecret, SecretString};
use serde_json::Value;
use tokio::sync::{Mutex, RwLock};

use super::dialect::Dialect;
use crate::api::error::{ApiError, ApiResult};
use crate::api::http::{Http, Response, Retry};
use crate::api::identify::{self, Expected};

const SESSION_HEADER: &str = "vmware-api-session-id";

struct Auth {
    token: HeaderValue,
    generation: u64,
}

pub struct Session {
    http: Http,
    base: String,
    user: String,
    password: SecretString,
    dialect: RwLock<Option<Dialect>>,
    auth: RwLock<Option<Auth>>,
    login_lock: Mutex<()>,
}

impl Session {
    pub fn new(http: Http, base: &str, user: String, password: SecretString) -> Session {
        Session {
            http,
            base: base.trim_end_matches('/').to_string(),
            user,
            password,
            dialect: RwLock::new(None),
            auth: RwLock::new(None),
            login_lock: Mutex::new(()),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn user(&self) -> &str {
        &self.user
    }

    pub fn http(&self) -> &Http {
        &self.http
    }

    pub async fn dialect(&self) -> Dialect {
        self.dialect.read().await.unwrap_or(Dialect::Api)
    }

    /// Logs in, finding the dialect on the first call.
    pub async fn connect(&self) -> ApiResult<Dialect> {
        if self.dialect.read().await.is_none() {
            let found = match self.login_with(Dialect::Api).await {
                Ok(token) => (Dialect::Api, token),
                // No /api on this server (6.5–7.0U1): the older dialect.
                Err(ApiError::Server {
                    status: 404 | 405, ..
                }) => match self.login_with(Dialect::Rest).await {
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
            *self.dialect.write().await = Some(found.0);
            *self.auth.write().await = Some(Auth {
                token: found.1,
                generation: 1,
            });
            return Ok(found.0);
        }
        self.login(0).await?;
        Ok(self.dialect().await)
    }

    async fn login(&self, seen_generation: u64) -> ApiResult<()> {
        let _guard = self.login_lock.lock().await;
        let current = self.auth.read().await.as_ref().map_or(0, |a| a.generation);
        if current > seen_generation {
            return Ok(());
        }
        let token = self.login_with(self.dialect().await).await?;
        *self.auth.write().await = Some(Auth {
            token,
            generation: current + 1,
        });
        Ok(())
    }

    async fn login_with(&self, dialect: Dialect) -> ApiResult<HeaderValue> {
        let req = self
            .http
            .request(
                Method::POST,
                &format!("{}{}", self.base, dialect.login_path()),
            )
            .header(ACCEPT, "application/json")
            .basic_auth(&self.user, Some(self.password.expose_secret()))
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = self.http.send(req, Retry::Idempotent).await?;
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

    /// GETs a path (starting with the dialect's prefix) and returns the unwrapped payload.
    pub async fn get(&self, path: &str) -> ApiResult<(Value, String)> {
        self.call(Method::GET, path, None, Retry::Transient).await
    }

    /// POSTs an action; only a 401 (refused before doing anything) is sent again.
    pub async fn post(&self, path: &str, body: Option<Value>) -> ApiResult<Value> {
        Ok(self.call(Method::POST, path, body, Retry::Never).await?.0)
    }

    async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        retry: Retry,
    ) -> ApiResult<(Value, String)> {
        let dialect = self.dialect().await;
        let mut relogged = false;
        let mut garbled = 0;
        loop {
            let (generation, resp) = self
                .send(method.clone(), path, body.as_ref(), retry)
                .await?;
            match resp.status {
                401 if !relogged => {
                    tracing::info!(target: "vnav::vcenter", "401 from the server, logging in again");
                    self.login(generation).await?;
                    relogged = true;
                }
                401 => return Err(ApiError::Auth(dialect.error(401, &resp.body).to_string())),
                200..=299 => match parse(&method, &resp) {
                    Ok(v) => return Ok((dialect.unwrap(v), resp.text())),
                    Err(e) if retry != Retry::Never && garbled < 2 => {
                        garbled += 1;
                        tracing::warn!(target: "vnav::vcenter", error = %e, "unreadable body, reading again");
                        tokio::time::sleep(std::time::Duration::from_millis(200 * garbled)).await;
                    }
                    Err(e) => return Err(e),
                },
                status => return Err(dialect.error(status, &resp.body)),
            }
        }
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        retry: Retry,
    ) -> ApiResult<(u64, Response)> {
        let (generation, token) = {
            let guard = self.auth.read().await;
            let auth = guard
                .as_ref()
                .ok_or_else(|| ApiError::Auth("not logged in".into()))?;
            (auth.generation, auth.token.clone())
        };
        let mut req = self
            .http
            .request(method, &format!("{}{path}", self.base))
            .header(ACCEPT, "application/json")
            .header(SESSION_HEADER, token);
        if let Some(body) = body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let req = req
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        Ok((generation, self.http.send(req, retry).await?))
    }

    pub async fn logout(&self) {
        if self.auth.read().await.is_none() {
            return;
        }
        let path = self.dialect().await.login_path();
        if let Err(e) = self
            .call(Method::DELETE, path, None, Retry::Idempotent)
            .await
        {
            tracing::info!(target: "vnav::vcenter", error = %e, "logout failed");
        }
        *self.auth.write().await = None;
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
