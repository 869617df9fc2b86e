//! The real server's limits: pages of at most 10,000, at most 10,000 ids a call, and a ceiling
//! on requests in flight per client (429 beyond it) and in all (503), with counters for tests.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Value, json};

use super::{ApiError, ApiResult, Req, VropsShared, error_response};

pub const MAX_PAGE_SIZE: i64 = 10_000;
pub const MAX_IDS: usize = 10_000;
pub const DEFAULT_PAGE_SIZE: i64 = 1000;
/// The whole server's ceiling (about 300 on a real node).
pub const MAX_INFLIGHT_TOTAL: usize = 300;

/// A 0-based page of a stable list.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub page: usize,
    pub size: usize,
}

impl Page {
    pub fn of(r: &Req) -> ApiResult<Page> {
        let page = r.int("page")?.unwrap_or(0);
        let size = r.int("pageSize")?.unwrap_or(DEFAULT_PAGE_SIZE);
        if page < 0 {
            return Err(ApiError::bad_request("page must be 0 or more"));
        }
        if !(1..=MAX_PAGE_SIZE).contains(&size) {
            return Err(ApiError::bad_request(format!(
                "Page size must be between 1 and {MAX_PAGE_SIZE}, found {size}."
            )));
        }
        Ok(Page {
            page: page as usize,
            size: size as usize,
        })
    }

    pub fn slice<'a, T>(&self, all: &'a [T]) -> &'a [T] {
        let start = self.page.saturating_mul(self.size).min(all.len());
        let end = start.saturating_add(self.size).min(all.len());
        &all[start..end]
    }

    pub fn info(&self, total: usize) -> Value {
        json!({"totalCount": total, "page": self.page, "pageSize": self.size})
    }

    /// `current`, `first`, `last` and, where they exist, `next` and `previous`.
    pub fn links(&self, path: &str, total: usize) -> Value {
        let last = total.saturating_sub(1) / self.size;
        let href = |p: usize| format!("{path}?page={p}&pageSize={}", self.size);
        let mut links = vec![
            json!({"href": href(self.page), "rel": "SELF", "name": "current"}),
            json!({"href": href(0), "rel": "RELATED", "name": "first"}),
            json!({"href": href(last), "rel": "RELATED", "name": "last"}),
        ];
        if self.page < last {
            links.push(json!({"href": href(self.page + 1), "rel": "NEXT", "name": "next"}));
        }
        if self.page > 0 && self.page <= last {
            links.push(json!({"href": href(self.page - 1), "rel": "PREVIOUS", "name": "previous"}));
        }
        Value::Array(links)
    }
}

/// Refuses a bad `page`/`pageSize` on any call, paged or not, like the real server.
pub fn check_paging(r: &Req) -> ApiResult<()> {
    if r.one("page").is_some() || r.one("pageSize").is_some() {
        Page::of(r)?;
    }
    check_ids(r.all("resourceId").len())
}

pub fn check_ids(n: usize) -> ApiResult<()> {
    if n > MAX_IDS {
        return Err(ApiError::bad_request(format!(
            "At most {MAX_IDS} resource ids are allowed in one request, found {n}."
        )));
    }
    Ok(())
}

/// Requests in flight, per client (its `Authorization` header) and in all.
pub struct Limits {
    pub max_per_client: usize,
    per_client: Mutex<HashMap<String, usize>>,
    pub total: AtomicUsize,
    pub peak: AtomicUsize,
}

impl Limits {
    pub fn new(max_per_client: usize) -> Self {
        Limits {
            max_per_client,
            per_client: Mutex::new(HashMap::new()),
            total: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// Takes a slot for `client`, or says which status refuses the request.
    fn enter(&self, client: &str) -> Result<(), StatusCode> {
        let mut map = self.per_client.lock().unwrap_or_else(|e| e.into_inner());
        let mine = map.entry(client.to_string()).or_insert(0);
        if *mine >= self.max_per_client {
            return Err(StatusCode::TOO_MANY_REQUESTS);
        }
        if self.total.load(Ordering::Relaxed) >= MAX_INFLIGHT_TOTAL {
            return Err(StatusCode::SERVICE_UNAVAILABLE);
        }
        *mine += 1;
        let now = self.total.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
        Ok(())
    }

    fn leave(&self, client: &str) {
        let mut map = self.per_client.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = map.get_mut(client) {
            *n -= 1;
            if *n == 0 {
                map.remove(client);
            }
        }
        self.total.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Gives the slot back however the request ends (answered, dropped or cancelled).
struct Slot<'a>(&'a Limits, String);

impl Drop for Slot<'_> {
    fn drop(&mut self) {
        self.0.leave(&self.1);
    }
}

/// The middleware, outermost so that requests waiting on injected latency count as in flight.
pub async fn layer(State(s): State<Arc<VropsShared>>, req: Request, next: Next) -> Response {
    s.requests.fetch_add(1, Ordering::Relaxed);
    let client = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    if let Err(status) = s.limits.enter(&client) {
        let message = if status == StatusCode::TOO_MANY_REQUESTS {
            format!(
                "Too many concurrent requests: at most {} per client.",
                s.limits.max_per_client
            )
        } else {
            "The server is busy: too many concurrent requests.".to_string()
        };
        let mut r = error_response(status, status.as_u16() as u32, &message);
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    }
    let _slot = Slot(&s.limits, client);
    next.run(req).await
}
