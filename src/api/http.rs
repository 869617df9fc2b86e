//! The shared HTTP client every product uses: TLS policy, timeouts, a per-endpoint concurrency
//! limit, bounded response sizes, retries with jittered backoff for idempotent requests only,
//! and hedged reads (`super::hedge`): a read with no answer after the endpoint's usual time is
//! sent once more, and the first answer wins. It knows nothing about any product's auth:
//! callers add their own headers.

use std::error::Error as _;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::time::Duration;

use bytes::Bytes;
use rand::Rng;
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, Request};
use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

use super::error::{ApiError, ApiResult};
use super::hedge::{self, HedgeOptions, HedgeStats, Hedger};
use super::tls::{self, CertRecorder, TlsOptions};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpOptions {
    pub tls: TlsOptions,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Requests in flight to this endpoint at once. 16 by default: a walk bounded at 8 cannot
    /// page 10× faster than a sequential one (see BENCHMARKS.md), and 16 stays well under the
    /// per-client limits VMware documents (vROps 50, NSX 40). A context can set
    /// `concurrency = 8` for a fragile server.
    pub concurrency: usize,
    /// Largest response body accepted.
    pub max_body: usize,
    /// Attempts for an idempotent request (1 = no retry).
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt, with jitter.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
    /// When a slow read is sent once more (GETs and `Retry::Read` calls only).
    pub hedge: HedgeOptions,
}

impl Default for HttpOptions {
    fn default() -> Self {
        HttpOptions {
            tls: TlsOptions::default(),
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(30),
            concurrency: 16,
            max_body: 64 << 20,
            max_attempts: 4,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(10),
            hedge: HedgeOptions::default(),
        }
    }
}

/// An endpoint's base URL, checked before any connection is tried.
pub fn endpoint_url(url: &str) -> ApiResult<url::Url> {
    let parsed = url::Url::parse(url)
        .map_err(|e| ApiError::Unsupported(format!("invalid URL {url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(ApiError::Unsupported(format!(
            "invalid URL {url:?}: expected https://host"
        )));
    }
    Ok(parsed)
}

/// Whether `url` has the same origin (scheme, host and port) as the endpoint's `base`: the only
/// place a session token may go. Hrefs come from the server, and a prefix test would let
/// `https://vcd.example.com.evil.net/` or `https://vcd.example.com@evil.net/` through.
pub fn same_origin(base: &str, url: &str) -> bool {
    match (url::Url::parse(base), url::Url::parse(url)) {
        (Ok(b), Ok(u)) => b.origin() == u.origin() && u.username().is_empty(),
        _ => false,
    }
}

/// Copies of one read sent at most: one more each time the earlier ones stayed silent for the
/// hedge delay. A second copy covers the copy stalling too (1 read in 2,500 at 2 % stalls), which
/// would otherwise cost the whole request timeout.
const MAX_COPIES: usize = 2;

/// A read or one of its copies racing for the first answer (`true`: a copy).
type Racer<'a> = Pin<Box<dyn Future<Output = (bool, ApiResult<Response>)> + Send + 'a>>;

/// The longest a server's Retry-After may make a request wait.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Whether a request may be sent again after an ambiguous failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Retry {
    /// Safe to repeat (GET, or a login that creates nothing the user cares about). A GET is
    /// also hedged; anything else is not (a second login, a second DELETE is not a read).
    Idempotent,
    /// A POST that only reads (a query, a property read): repeated like `Idempotent`, and
    /// hedged like a GET.
    Read,
    /// Safe to repeat, but a 500 is the server's considered answer (vCenter maps its errors,
    /// such as a list over its cap, to 500), so only 429, 502–504 and broken connections retry.
    Transient,
    /// Never repeat blindly: the caller finds out what happened instead.
    Never,
}

/// A fully read response; any status, the caller decides what it means.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    /// May share the connection's read buffer (`Http::exchange`): read it and drop it, or
    /// copy what is kept (`to_vec`), so a kept answer does not hold the whole buffer.
    pub body: Bytes,
}

impl Response {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// Clones share the client, its connection pool and the endpoint's concurrency limit, so every
/// session of one endpoint (REST, SOAP, VI/JSON) counts against the same slots.
#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    permits: Arc<Semaphore>,
    opts: HttpOptions,
    presented: CertRecorder,
    hedger: Arc<Hedger>,
}

impl Http {
    pub fn new(opts: HttpOptions) -> ApiResult<Http> {
        let (tls, presented) = tls::client_config(&opts.tls)?;
        let client = reqwest::Client::builder()
            .tls_backend_preconfigured(tls)
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.request_timeout)
            .cookie_store(true)
            .pool_max_idle_per_host(opts.concurrency.max(1))
            .build()
            .map_err(|e| ApiError::Transport(format!("cannot build HTTP client: {e}")))?;
        Ok(Http {
            client,
            permits: Arc::new(Semaphore::new(opts.concurrency.max(1))),
            hedger: Arc::new(Hedger::new(opts.hedge.clone())),
            opts,
            presented,
        })
    }

    pub fn options(&self) -> &HttpOptions {
        &self.opts
    }

    /// What hedging has done on this endpoint so far.
    pub fn hedge_stats(&self) -> HedgeStats {
        self.hedger.stats()
    }

    /// The JSON document at `base` + `path` that says what a server is, read before any
    /// login (Orchestrator's `/about`, Aria Operations' `/versions/current`). Any other
    /// answer means `base` is not `what`, and the error says so.
    pub async fn identify_json(
        &self,
        base: &str,
        path: &str,
        what: &str,
    ) -> ApiResult<serde_json::Value> {
        let req = self
            .request(Method::GET, &format!("{base}{path}"))
            .header(reqwest::header::ACCEPT, "application/json")
            .build()
            .map_err(|e| ApiError::Transport(e.to_string()))?;
        let resp = self.send(req, Retry::Idempotent).await?;
        if !resp.is_success() {
            return Err(ApiError::Unsupported(format!(
                "no {what} at {base} (HTTP {} to {path})",
                resp.status
            )));
        }
        serde_json::from_slice(&resp.body)
            .map_err(|_| ApiError::Unsupported(format!("no {what} at {base}: {path} is not JSON")))
    }

    /// For building requests: `http.request(Method::GET, url).header(..).build()`.
    pub fn request(&self, method: Method, url: &str) -> reqwest::RequestBuilder {
        self.client.request(method, url)
    }

    /// Sends a request under the endpoint's concurrency limit, retrying idempotent ones on 5xx,
    /// 429 (honouring Retry-After) and broken connections, and hedging reads (a GET that may be
    /// repeated, or a `Retry::Read` POST).
    pub async fn send(&self, req: Request, retry: Retry) -> ApiResult<Response> {
        let attempts = match retry {
            Retry::Idempotent | Retry::Transient | Retry::Read => self.opts.max_attempts.max(1),
            Retry::Never => 1,
        };
        let read = match retry {
            Retry::Read => true,
            Retry::Idempotent | Retry::Transient => req.method() == Method::GET,
            Retry::Never => false,
        };
        let mut attempt = 1;
        loop {
            let this = req.try_clone().ok_or_else(|| {
                ApiError::Transport("request body cannot be replayed".to_string())
            })?;
            let result = if read && self.hedger.enabled() {
                self.send_hedged(this).await
            } else {
                let permit = self.acquire().await?;
                self.exchange_logged(&permit, this, None).await
            };
            let wait = match &result {
                Ok(resp)
                    if attempt < attempts
                        && (resp.status == 429
                            || (resp.status >= 500
                                && !(retry == Retry::Transient && resp.status == 500))) =>
                {
                    // The server's Retry-After wins over our backoff (bounded, so a silly value
                    // cannot hang a request for hours).
                    Some(
                        retry_after(&resp.headers)
                            .map(|w| w.min(MAX_RETRY_AFTER))
                            .unwrap_or_else(|| self.backoff(attempt)),
                    )
                }
                Err(e) if attempt < attempts && e.is_retryable() => Some(self.backoff(attempt)),
                _ => None,
            };
            match wait {
                Some(wait) => {
                    tracing::debug!(target: "vnav::http", method = %req.method(), url = %req.url().path(),
                        attempt, wait_ms = wait.as_millis() as u64, "retrying");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                None => return result,
            }
        }
    }

    async fn acquire(&self) -> ApiResult<SemaphorePermit<'_>> {
        self.permits
            .acquire()
            .await
            .map_err(|_| ApiError::Cancelled)
    }

    /// One read, and a copy of it each time the copies sent so far have had no answer for the
    /// endpoint's usual time (at most `MAX_COPIES`, each only if the budget allows); the first
    /// answer wins and the others are dropped (their connections close, their slots free).
    /// Every copy holds a slot of the concurrency limit, queueing for it behind requests
    /// already waiting (the semaphore is fair), and the wait starts when the first holds its
    /// slot, so queueing behind the limit is not a stall.
    async fn send_hedged(&self, req: Request) -> ApiResult<Response> {
        let kind = hedge::kind(&req);
        let mut copies = (0..MAX_COPIES)
            .map_while(|_| req.try_clone())
            .collect::<Vec<_>>();
        let permit = self.acquire().await?;
        self.hedger.note_read();
        let delay = self.hedger.delay(&kind);
        let kind = &kind;
        let mut racing: FuturesUnordered<Racer<'_>> = FuturesUnordered::new();
        racing.push(Box::pin(async move {
            (false, self.exchange_logged(&permit, req, Some(kind)).await)
        }));
        loop {
            tokio::select! {
                Some((copy, r)) = racing.next() => {
                    if copy {
                        self.hedger.note_won();
                    }
                    return r;
                }
                _ = tokio::time::sleep(delay), if !copies.is_empty() => {
                    let copy = copies.remove(0);
                    racing.push(Box::pin(async move {
                        (true, self.send_copy(copy, kind, delay).await)
                    }));
                }
            }
        }
    }

    /// A copy of a read: counted, and paid from the budget, only once it holds a slot (a copy
    /// still waiting when an answer comes was never sent); never answers when the budget is
    /// spent.
    async fn send_copy(&self, copy: Request, kind: &str, delay: Duration) -> ApiResult<Response> {
        let permit = self.acquire().await?;
        if !self.hedger.try_spend() {
            drop(permit);
            return std::future::pending().await;
        }
        tracing::debug!(target: "vnav::http", method = %copy.method(), url = %copy.url().path(),
            after_ms = delay.as_millis() as u64, "no answer yet, sending the read once more");
        self.exchange_logged(&permit, copy, Some(kind)).await
    }

    /// One exchange under a held slot, logged; a read's latency (`kind`) feeds its history.
    async fn exchange_logged(
        &self,
        _slot: &SemaphorePermit<'_>,
        req: Request,
        kind: Option<&str>,
    ) -> ApiResult<Response> {
        let method = req.method().clone();
        let url = req.url().clone();
        let started = Instant::now();
        let result = self.exchange(req).await;
        let took = started.elapsed();
        let ms = took.as_millis() as u64;
        match &result {
            Ok(resp) => {
                if let Some(kind) = kind {
                    self.hedger.record(kind, took);
                }
                tracing::info!(target: "vnav::http", %method, url = %url.path(),
                query = url.query().unwrap_or(""), status = resp.status, bytes = resp.body.len(), ms, "request")
            }
            Err(e) => {
                tracing::warn!(target: "vnav::http", %method, url = %url.path(), ms, error = %e, "request failed")
            }
        }
        result
    }

    async fn exchange(&self, req: Request) -> ApiResult<Response> {
        let url = req.url().clone();
        let mut resp = self
            .client
            .execute(req)
            .await
            .map_err(|e| self.transport_error(&url, e))?;
        let status = resp.status().as_u16();
        let headers = std::mem::take(resp.headers_mut());
        if let Some(len) = resp.content_length()
            && len as usize > self.opts.max_body
        {
            return Err(self.too_large());
        }
        // A body that comes in one chunk is kept as it came, in the connection's read buffer:
        // copied into a block of its own, each of its pages was faulted in afresh, as the
        // allocator gives freed pages back at once (13 % of a 300,000-VM listing's faults,
        // issue 18). Chunks are joined once, into a block of their total size.
        let (mut chunks, mut len) = (Vec::<Bytes>::new(), 0);
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| self.transport_error(&url, e))?
        {
            len += chunk.len();
            if len > self.opts.max_body {
                return Err(self.too_large());
            }
            chunks.push(chunk);
        }
        let body = match chunks.len() {
            0 | 1 => chunks.pop().unwrap_or_default(),
            _ => Bytes::from(chunks.concat()),
        };
        Ok(Response {
            status,
            headers,
            body,
        })
    }

    fn too_large(&self) -> ApiError {
        ApiError::Parse(format!(
            "response larger than {} MiB refused",
            self.opts.max_body >> 20
        ))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .opts
            .backoff_base
            .saturating_mul(1 << (attempt - 1).min(16));
        let capped = exp.min(self.opts.backoff_max);
        // Full jitter in [50%, 100%] so a fleet of retries does not stampede in step.
        let factor = rand::rng().random_range(0.5..=1.0);
        capped.mul_f64(factor)
    }

    /// One plain sentence naming the host once: refused, timed out, unreachable, unknown host,
    /// closed. Classified from the error's types (reqwest's flags, the `io::ErrorKind` in its
    /// source chain) rather than its text, which is a stack of library layers.
    fn transport_error(&self, url: &url::Url, e: reqwest::Error) -> ApiError {
        use std::io::ErrorKind;
        let host = url.host_str().unwrap_or("");
        let addr = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_string(),
        };
        // A TLS hello answered with plain HTTP: the common slip now that a bare host means https.
        if let Some(rustls::Error::InvalidMessage(rustls::InvalidMessage::InvalidContentType)) =
            rustls_error(&e)
        {
            return ApiError::Tls {
                message: format!(
                    "{addr} does not answer in TLS (https); if it serves plain HTTP, use \
                     http://{addr}"
                ),
            };
        }
        if let Some(tls) = tls_cause(&e) {
            let presented = self.presented.lock().ok().and_then(|g| g.clone());
            let message = match presented {
                Some(p) => format!(
                    "{host}: {tls}; the server presented subject \"{}\" with sha256 fingerprint {} \
                     (pin it with fingerprint = \"…\" in the context, or pass --insecure)",
                    p.subject, p.fingerprint
                ),
                None => format!("{host}: {tls}"),
            };
            return ApiError::Tls { message };
        }
        if e.is_timeout() {
            let within = |d: Duration| match d.subsec_millis() {
                0 => format!("{} s", d.as_secs()),
                _ => format!("{} ms", d.as_millis()),
            };
            return ApiError::Transport(if e.is_connect() {
                format!(
                    "cannot connect to {addr}: no answer within {}",
                    within(self.opts.connect_timeout)
                )
            } else {
                format!(
                    "{addr} did not answer within {}",
                    within(self.opts.request_timeout)
                )
            });
        }
        let chain = || sources(&e);
        let kind = chain().find_map(|s| s.downcast_ref::<std::io::Error>().map(|io| io.kind()));
        // hyper-util's connector reports a failed lookup with this fixed text and the resolver's
        // io::Error, whose kind is uncategorised: the text is the only mark it leaves.
        let dns = e.is_connect() && chain().any(|s| s.to_string() == "dns error");
        let innermost = chain().last().map(|s| s.to_string()).unwrap_or_default();
        let message = match kind {
            _ if dns => format!("cannot find host {host} (DNS lookup failed)"),
            Some(ErrorKind::ConnectionRefused) => {
                format!("cannot connect to {addr}: connection refused")
            }
            Some(ErrorKind::TimedOut) => format!("cannot connect to {addr}: timed out"),
            Some(ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable) => {
                format!("cannot connect to {addr}: no route to the host")
            }
            Some(
                ErrorKind::ConnectionReset
                | ErrorKind::ConnectionAborted
                | ErrorKind::BrokenPipe
                | ErrorKind::UnexpectedEof,
            ) => format!("{addr} closed the connection"),
            _ if e.is_connect() => format!("cannot connect to {addr}: {innermost}"),
            _ if innermost.is_empty() => format!("the connection to {addr} failed"),
            _ => format!("the connection to {addr} failed: {innermost}"),
        };
        ApiError::Transport(message)
    }
}

/// An error's causes, outermost first.
fn sources<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(e.source(), |s: &&'a (dyn std::error::Error + 'static)| {
        (*s).source()
    })
}

/// The rustls error behind a failed request, looking inside io::Errors too (their `source()`
/// skips the error they wrap, and the TLS stream may wrap one io::Error in another).
fn rustls_error(e: &reqwest::Error) -> Option<&rustls::Error> {
    fn inside<'a>(s: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
        if let Some(r) = s.downcast_ref::<rustls::Error>() {
            return Some(r);
        }
        let io = s.downcast_ref::<std::io::Error>()?;
        inside(io.get_ref()?)
    }
    sources(e).find_map(inside)
}

fn tls_cause(e: &reqwest::Error) -> Option<String> {
    if let Some(r) = rustls_error(e) {
        return Some(r.to_string());
    }
    let mut source = e.source();
    while let Some(s) = source {
        // The connector may wrap the rustls error in types of its own; its words stay.
        let text = s.to_string();
        if [
            "invalid peer certificate",
            "certificate verify",
            "pinned fingerprint",
        ]
        .iter()
        .any(|m| text.contains(m))
        {
            return Some(text);
        }
        source = s.source();
    }
    None
}

/// Retry-After in seconds (the HTTP-date form is rare on these APIs and ignored).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_reads_seconds() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(
            RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
        );
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let http = Http::new(HttpOptions::default()).unwrap();
        let first = http.backoff(1);
        assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
        assert!(http.backoff(30) <= http.opts.backoff_max);
    }
}
