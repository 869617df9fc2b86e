//! One session loop for every product: log in on first use, attach the credential to each
//! request (only to the endpoint's own origin), log in again once when the server says the
//! session is gone, and read a body that arrived cut short again when the call is safe to
//! repeat. Each product says how through `Protocol`; the loop itself is written once.

use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use reqwest::{Method, RequestBuilder};
use tokio::sync::{Mutex, RwLock};

use super::error::{ApiError, ApiResult};
use super::http::{Http, Response, Retry, same_origin};

/// What a product tells the session loop.
#[async_trait]
pub trait Protocol: Send + Sync {
    /// What a login yields and every request carries: a header value, or `()` when the HTTP
    /// client's cookie store holds the session.
    type Token: Clone + Send + Sync;
    /// A successful answer, decoded.
    type Answer: Send;

    /// Logs in and returns the credential.
    async fn login(&self, http: &Http) -> ApiResult<Self::Token>;

    /// Adds the credential to a request.
    fn sign(&self, req: RequestBuilder, token: &Self::Token) -> RequestBuilder;

    /// Whether this answer says the session is gone (HTTP 401, a `NotAuthenticated` fault…),
    /// so the call was not carried out and may be sent again after a new login.
    fn expired(&self, resp: &Response) -> bool;

    /// The answer as the caller wants it, or the error it carries. An unreadable body must be
    /// `ApiError::Parse`, which the loop asks again for calls that are safe to repeat.
    fn decode(&self, method: &Method, resp: Response) -> ApiResult<Self::Answer>;
}

struct Held<T> {
    token: T,
    /// Bumped on each login, so concurrent calls that all saw the session expire log in once.
    generation: u64,
}

pub struct Session<P: Protocol> {
    http: Http,
    base: String,
    protocol: P,
    held: RwLock<Option<Held<P::Token>>>,
    login_lock: Mutex<()>,
    /// Set by a logout: calls fail instead of quietly logging in again, until `login`.
    closed: AtomicBool,
}

impl<P: Protocol> Session<P> {
    /// `base` is the endpoint's URL: the only origin the credential is ever sent to.
    pub fn new(http: Http, base: &str, protocol: P) -> Self {
        Session {
            http,
            base: base.trim_end_matches('/').to_string(),
            protocol,
            held: RwLock::new(None),
            login_lock: Mutex::new(()),
            closed: AtomicBool::new(false),
        }
    }

    pub fn http(&self) -> &Http {
        &self.http
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn protocol(&self) -> &P {
        &self.protocol
    }

    pub async fn is_logged_in(&self) -> bool {
        self.held.read().await.is_some()
    }

    /// The credential held, if logged in (a logout may depend on how it was obtained).
    pub async fn token(&self) -> Option<P::Token> {
        self.held.read().await.as_ref().map(|h| h.token.clone())
    }

    /// Logs in now, replacing the session held (connect, and the user's retry).
    pub async fn login(&self) -> ApiResult<()> {
        self.closed.store(false, Ordering::Relaxed);
        let seen = self.generation().await;
        self.relogin(seen).await
    }

    /// Logs in unless a session is held.
    pub async fn ensure_login(&self) -> ApiResult<()> {
        self.current().await.map(|_| ())
    }

    /// Drops the session held without telling the server (after a logout call); calls fail
    /// from now on until the next `login`.
    pub async fn forget(&self) {
        self.closed.store(true, Ordering::Relaxed);
        *self.held.write().await = None;
    }

    async fn generation(&self) -> u64 {
        self.held.read().await.as_ref().map_or(0, |h| h.generation)
    }

    /// Logs in unless another call already did since `seen`.
    async fn relogin(&self, seen: u64) -> ApiResult<()> {
        let _one_at_a_time = self.login_lock.lock().await;
        let current = self.generation().await;
        if current > seen {
            return Ok(());
        }
        let token = self.protocol.login(&self.http).await?;
        *self.held.write().await = Some(Held {
            token,
            generation: current + 1,
        });
        Ok(())
    }

    /// The credential, logging in first when there is none; and whether that login happened
    /// now (a session that expires right after a fresh login is not tried a third time).
    async fn current(&self) -> ApiResult<(u64, P::Token, bool)> {
        if let Some(h) = self.held.read().await.as_ref() {
            return Ok((h.generation, h.token.clone(), false));
        }
        if self.closed.load(Ordering::Relaxed) {
            return Err(ApiError::Auth("logged out".into()));
        }
        self.relogin(0).await?;
        let held = self.held.read().await;
        let h = held
            .as_ref()
            .ok_or_else(|| ApiError::Auth("not logged in".into()))?;
        Ok((h.generation, h.token.clone(), true))
    }

    /// Sends `method url` with what `build` adds (headers, body), signed, and decodes the
    /// answer: one new login when the session expired, up to two more reads of a cut-short
    /// body when `retry` allows repeating the call.
    pub async fn call(
        &self,
        method: Method,
        url: &str,
        retry: Retry,
        build: impl Fn(RequestBuilder) -> RequestBuilder + Send + Sync,
    ) -> ApiResult<P::Answer> {
        self.call_then(method, url, retry, build, Ok).await
    }

    /// `call`, the decoded answer then read by `read`: a body `read` finds unreadable
    /// (`ApiError::Parse`) is asked again like one `decode` finds unreadable, so a caller can
    /// parse the bytes straight into what it keeps instead of a generic tree first.
    pub async fn call_then<T>(
        &self,
        method: Method,
        url: &str,
        retry: Retry,
        build: impl Fn(RequestBuilder) -> RequestBuilder + Send + Sync,
        read: impl Fn(P::Answer) -> ApiResult<T> + Send + Sync,
    ) -> ApiResult<T> {
        if !same_origin(&self.base, url) {
            // Hrefs come from the server; never send our credential to another host.
            return Err(ApiError::Unsupported(format!(
                "refusing to follow a link outside the endpoint: {url}"
            )));
        }
        let mut relogged = false;
        let mut garbled = 0u64;
        loop {
            let (generation, token, fresh) = self.current().await?;
            relogged |= fresh;
            let req = build(self.http.request(method.clone(), url));
            let req = self
                .protocol
                .sign(req, &token)
                .build()
                .map_err(|e| ApiError::Transport(e.to_string()))?;
            let resp = self.http.send(req, retry).await?;
            if self.protocol.expired(&resp) && !relogged {
                tracing::info!(target: "vnav::session", url = %url_path(url), "session expired, logging in again");
                self.relogin(generation).await?;
                relogged = true;
                continue;
            }
            match self.protocol.decode(&method, resp).and_then(&read) {
                Err(ApiError::Parse(e)) if retry != Retry::Never && garbled < 2 => {
                    garbled += 1;
                    tracing::warn!(target: "vnav::session", error = %e, "unreadable answer, asking again");
                    tokio::time::sleep(std::time::Duration::from_millis(200 * garbled)).await;
                }
                other => return other,
            }
        }
    }
}

/// A URL's path only, for logs (queries may hold names an operator searched for).
fn url_path(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| String::new(), |u| u.path().to_string())
}
