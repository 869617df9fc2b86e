//! Fault injection for the simulator: one middleware layer, in front of routing, that delays,
//! refuses (503), rate-limits (429), drops, truncates, stalls or slows requests from a seeded
//! rng, and counts what it sees (per method and path, and how many are in flight at once) so
//! tests can tell a read that was sent twice from a write that must never be.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokio::time::{Duration, Instant};

use super::clock::Clock;

/// What goes wrong, and how often. `Default` is a healthy server.
#[derive(Clone, Debug, PartialEq)]
pub struct Faults {
    /// Extra delay, uniform in `0..=jitter_ms`, on top of `SimOptions::latency_ms`.
    pub jitter_ms: u64,
    /// Fraction of requests answered 503 without being processed.
    pub error_rate: f64,
    /// Requests per second allowed (token bucket); the excess gets 429 + `Retry-After: 1`.
    pub rate_limit: Option<u32>,
    /// Fraction of requests processed, then cut off mid-body (connection reset).
    pub drop_rate: f64,
    /// Fraction of requests processed, then answered with a body cut short (malformed).
    pub truncate_rate: f64,
    /// Fraction of requests never answered.
    pub stall_rate: f64,
    /// Fraction of requests answered `slow_ms` late (but answered).
    pub slow_rate: f64,
    /// How late a slow answer is, in milliseconds.
    pub slow_ms: u64,
    /// Sessions expire this long after login (then 401).
    pub token_ttl_secs: Option<u64>,
    pub seed: u64,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            jitter_ms: 0,
            error_rate: 0.0,
            rate_limit: None,
            drop_rate: 0.0,
            truncate_rate: 0.0,
            stall_rate: 0.0,
            slow_rate: 0.0,
            // Long enough to be a problem (the UI shows it), short of any request timeout.
            slow_ms: 2000,
            token_ttl_secs: None,
            seed: 0,
        }
    }
}

impl Faults {
    pub fn is_none(&self) -> bool {
        *self
            == Faults {
                seed: self.seed,
                ..Faults::default()
            }
    }
}

/// How many requests each fault has hit so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FaultCounts {
    pub errors: u64,
    pub rate_limited: u64,
    pub dropped: u64,
    pub truncated: u64,
    pub stalled: u64,
    pub slowed: u64,
}

/// What the servers have seen: requests per method, and the most in flight at once (a request
/// is in flight from the moment it reaches the server until it is answered or its client goes
/// away).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeenCounts {
    pub total: u64,
    pub get: u64,
    pub post: u64,
    pub put: u64,
    pub delete: u64,
    pub in_flight: usize,
    pub peak_in_flight: usize,
}

struct Inner {
    faults: Faults,
    rng: ChaCha8Rng,
    tokens: f64,
    refilled: Instant,
}

/// Fault settings, counters and the clock shared by every server of one simulator.
pub struct FaultState {
    /// The simulator's time (the rate limiter refills by it; tokens and tasks age by it).
    pub clock: Clock,
    latency_ms: u64,
    inner: Mutex<Inner>,
    errors: AtomicU64,
    rate_limited: AtomicU64,
    dropped: AtomicU64,
    truncated: AtomicU64,
    stalled: AtomicU64,
    slowed: AtomicU64,
    /// Requests seen per (method, path).
    seen: Mutex<HashMap<(String, String), u64>>,
    /// Requests the handler itself answered, per (method, path, status): a request refused
    /// by an injected fault or stalled never reached it, so a test can tell "sent" from
    /// "could have acted".
    answered: Mutex<HashMap<(String, String, u16), u64>>,
    in_flight: AtomicUsize,
    peak_in_flight: AtomicUsize,
    closed: tokio::sync::watch::Sender<bool>,
}

/// Which error dialect the server speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Vcd,
    Vcenter,
    Vrops,
    Vro,
}

enum Verdict {
    Pass,
    Refuse,
    Limit,
    Drop,
    Truncate(f64),
    Stall,
    Slow,
}

impl FaultState {
    pub fn new(latency_ms: u64, faults: Faults) -> Self {
        let inner = Inner {
            rng: ChaCha8Rng::seed_from_u64(faults.seed),
            tokens: faults.rate_limit.unwrap_or(0) as f64,
            refilled: Instant::now(),
            faults,
        };
        FaultState {
            clock: Clock::default(),
            latency_ms,
            inner: Mutex::new(inner),
            errors: AtomicU64::new(0),
            rate_limited: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            truncated: AtomicU64::new(0),
            stalled: AtomicU64::new(0),
            slowed: AtomicU64::new(0),
            seen: Mutex::default(),
            answered: Mutex::default(),
            in_flight: AtomicUsize::new(0),
            peak_in_flight: AtomicUsize::new(0),
            closed: tokio::sync::watch::channel(false).0,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Replaces the faults; the rng restarts from the new seed and the bucket is full again.
    pub fn set(&self, faults: Faults) {
        let mut i = self.lock();
        i.rng = ChaCha8Rng::seed_from_u64(faults.seed);
        i.tokens = faults.rate_limit.unwrap_or(0) as f64;
        i.refilled = self.clock.now();
        i.faults = faults;
    }

    pub fn token_ttl(&self) -> Option<Duration> {
        self.lock().faults.token_ttl_secs.map(Duration::from_secs)
    }

    pub fn counts(&self) -> FaultCounts {
        FaultCounts {
            errors: self.errors.load(Ordering::Relaxed),
            rate_limited: self.rate_limited.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            truncated: self.truncated.load(Ordering::Relaxed),
            stalled: self.stalled.load(Ordering::Relaxed),
            slowed: self.slowed.load(Ordering::Relaxed),
        }
    }

    /// Requests seen so far, per method, and the in-flight gauge.
    pub fn seen(&self) -> SeenCounts {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut c = SeenCounts {
            in_flight: self.in_flight.load(Ordering::Relaxed),
            peak_in_flight: self.peak_in_flight.load(Ordering::Relaxed),
            ..SeenCounts::default()
        };
        for ((method, _), n) in seen.iter() {
            c.total += n;
            match method.as_str() {
                "GET" => c.get += n,
                "POST" => c.post += n,
                "PUT" => c.put += n,
                "DELETE" => c.delete += n,
                _ => {}
            }
        }
        c
    }

    /// How many `method path` requests were seen (the path without its query).
    pub fn seen_at(&self, method: &str, path: &str) -> u64 {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        seen.get(&(method.to_string(), path.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// Every `(method, path)` seen with its count, for a test's failure message.
    pub fn seen_all(&self) -> Vec<((String, String), u64)> {
        let seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        let mut all: Vec<_> = seen.iter().map(|(k, n)| (k.clone(), *n)).collect();
        all.sort();
        all
    }

    /// Every `(method, path, status)` the handler answered, with its count.
    pub fn answered_all(&self) -> Vec<((String, String, u16), u64)> {
        let answered = self.answered.lock().unwrap_or_else(|e| e.into_inner());
        let mut all: Vec<_> = answered.iter().map(|(k, n)| (k.clone(), *n)).collect();
        all.sort();
        all
    }

    /// Runs the handler and notes its answer's status.
    async fn handle(&self, req: Request, next: Next) -> Response {
        let (method, path) = (req.method().to_string(), req.uri().path().to_string());
        let r = next.run(req).await;
        *self
            .answered
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((method, path, r.status().as_u16()))
            .or_default() += 1;
        r
    }

    /// Counts a request in; the guard counts it out when dropped (answered, or its client left
    /// and the server dropped the work).
    fn enter(&self, method: &str, path: &str) -> InFlight<'_> {
        *self
            .seen
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((method.to_string(), path.to_string()))
            .or_default() += 1;
        let now = self.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak_in_flight.fetch_max(now, Ordering::Relaxed);
        InFlight(self)
    }

    /// Releases stalled requests (the simulator is stopping).
    pub fn close(&self) {
        self.closed.send_replace(true);
    }

    /// Draws this request's delay and fate, in a fixed order so a seed replays the same run.
    fn decide(&self) -> (Duration, Verdict) {
        let mut i = self.lock();
        let f = i.faults.clone();
        let jitter = if f.jitter_ms > 0 {
            i.rng.random_range(0..=f.jitter_ms)
        } else {
            0
        };
        let delay = Duration::from_millis(self.latency_ms + jitter);
        if let Some(limit) = f.rate_limit {
            let now = self.clock.now();
            let elapsed = now.saturating_duration_since(i.refilled).as_secs_f64();
            i.refilled = now;
            i.tokens = (i.tokens + elapsed * limit as f64).min(limit as f64);
            if i.tokens < 1.0 {
                return (delay, Verdict::Limit);
            }
            i.tokens -= 1.0;
        }
        let mut roll = |rate: f64| rate > 0.0 && i.rng.random::<f64>() < rate;
        let verdict = if roll(f.error_rate) {
            Verdict::Refuse
        } else if roll(f.stall_rate) {
            Verdict::Stall
        } else if roll(f.drop_rate) {
            Verdict::Drop
        } else if roll(f.truncate_rate) {
            Verdict::Truncate(i.rng.random::<f64>())
        } else if roll(f.slow_rate) {
            // Drawn last, and only when set, so a seed replays the same run as before slow
            // answers existed.
            Verdict::Slow
        } else {
            Verdict::Pass
        };
        (delay, verdict)
    }
}

struct InFlight<'a>(&'a FaultState);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The middleware: `axum::middleware::from_fn_with_state((state, flavor), layer)`.
pub async fn layer(
    State((s, flavor)): State<(Arc<FaultState>, Flavor)>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let _in_flight = s.enter(req.method().as_str(), &path);
    let (delay, verdict) = s.decide();
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    match verdict {
        Verdict::Pass => s.handle(req, next).await,
        Verdict::Slow => {
            s.slowed.fetch_add(1, Ordering::Relaxed);
            let late = Duration::from_millis(s.lock().faults.slow_ms);
            tokio::time::sleep(late).await;
            s.handle(req, next).await
        }
        Verdict::Refuse => {
            s.errors.fetch_add(1, Ordering::Relaxed);
            error(flavor, &path, &accept, StatusCode::SERVICE_UNAVAILABLE)
        }
        Verdict::Limit => {
            s.rate_limited.fetch_add(1, Ordering::Relaxed);
            let mut r = error(flavor, &path, &accept, StatusCode::TOO_MANY_REQUESTS);
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            r
        }
        Verdict::Stall => {
            s.stalled.fetch_add(1, Ordering::Relaxed);
            let mut closed = s.closed.subscribe();
            let _ = closed.wait_for(|c| *c).await;
            error(flavor, &path, &accept, StatusCode::SERVICE_UNAVAILABLE)
        }
        Verdict::Drop => {
            let r = s.handle(req, next).await;
            s.dropped.fetch_add(1, Ordering::Relaxed);
            cut(r, None).await
        }
        Verdict::Truncate(at) => {
            let r = s.handle(req, next).await;
            s.truncated.fetch_add(1, Ordering::Relaxed);
            cut(r, Some(at)).await
        }
    }
}

/// Rebuilds a processed response with part of its body: `Some(at)` sends a well-formed
/// response with a shorter body; `None` streams half the body then fails, resetting the
/// connection.
async fn cut(r: Response, at: Option<f64>) -> Response {
    let (mut parts, body) = r.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    parts.headers.remove(header::CONTENT_LENGTH);
    match at {
        Some(at) => {
            let keep = ((bytes.len() as f64) * at) as usize;
            let keep = keep.min(bytes.len().saturating_sub(1));
            Response::from_parts(parts, Body::from(bytes.slice(..keep)))
        }
        None => {
            let full = bytes.len().max(1);
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(full + 1));
            let half = bytes.slice(..bytes.len() / 2);
            let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
                Ok(half),
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "simulated connection drop",
                )),
            ];
            Response::from_parts(parts, Body::from_stream(futures::stream::iter(chunks)))
        }
    }
}

/// A fault answer in the dialect the path speaks.
fn error(flavor: Flavor, path: &str, accept: &str, status: StatusCode) -> Response {
    let (minor, message) = if status == StatusCode::TOO_MANY_REQUESTS {
        ("TOO_MANY_REQUESTS", "Rate limit exceeded, retry later.")
    } else {
        (
            "SERVICE_UNAVAILABLE",
            "The service is temporarily unavailable.",
        )
    };
    let (ct, body) = match flavor {
        Flavor::Vcd if path.starts_with("/cloudapi") => (
            "application/json".to_string(),
            serde_json::json!({"minorErrorCode": minor, "message": message}).to_string(),
        ),
        Flavor::Vcd => {
            let version = crate::sim::vcd::version_in(accept).unwrap_or_default();
            let ct = if version.is_empty() {
                "application/vnd.vmware.vcloud.error+xml".to_string()
            } else {
                format!("application/vnd.vmware.vcloud.error+xml;version={version}")
            };
            let body = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error xmlns=\"http://www.vmware.com/vcloud/v1.5\" \
                 majorErrorCode=\"{}\" minorErrorCode=\"{minor}\" message=\"{message}\"/>\n",
                status.as_u16()
            );
            (ct, body)
        }
        Flavor::Vrops => (
            "application/json".to_string(),
            serde_json::json!({
                "message": message,
                "httpStatusCode": status.as_u16(),
                "apiErrorCode": status.as_u16(),
            })
            .to_string(),
        ),
        Flavor::Vro => (
            "application/json".to_string(),
            serde_json::json!({
                "status": status.as_u16(),
                "message": message,
                "details": message,
            })
            .to_string(),
        ),
        Flavor::Vcenter if path.starts_with("/sdk") => {
            let kind = if status == StatusCode::TOO_MANY_REQUESTS {
                "RequestCanceled"
            } else {
                "HostCommunication"
            };
            let f = crate::sim::vcenter::vim::Fault::new(kind, message);
            let mut r = if path.starts_with("/sdk/vim25/") {
                crate::sim::vcenter::vijson::fault(&f)
            } else {
                crate::sim::vcenter::soap::vim_fault(&f)
            };
            *r.status_mut() = status;
            return r;
        }
        Flavor::Vcenter => {
            let kind = if status == StatusCode::TOO_MANY_REQUESTS {
                "resource_busy"
            } else {
                "service_unavailable"
            };
            let messages = serde_json::json!([{
                "args": [],
                "default_message": message,
                "id": format!("com.vmware.vapi.std.errors.{kind}"),
            }]);
            let body = if path.starts_with("/rest") {
                serde_json::json!({
                    "type": format!("com.vmware.vapi.std.errors.{kind}"),
                    "value": {"messages": messages},
                })
            } else {
                serde_json::json!({"error_type": kind.to_uppercase(), "messages": messages})
            };
            ("application/json".to_string(), body.to_string())
        }
    };
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    if let Ok(v) = HeaderValue::from_str(&ct) {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}
