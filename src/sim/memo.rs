//! Answers a repeated GET from the bytes of its first answer, for the listing bench's
//! `-- offload` run (issue 18, target 2): real servers run on machines of their own, while the
//! bench's simulators share vnav's two cores, so this measures vnav with the servers' work
//! taken off those cores. It sits inside the fault layer, so every request still waits its
//! latency and is counted. Never on outside the bench (`SimOptions::memo`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

pub struct Memo {
    answers: Mutex<HashMap<String, (HeaderMap, Bytes)>>,
    /// Counts a remembered answer as the product's handler counts the requests it serves.
    count: Arc<dyn Fn() + Send + Sync>,
}

impl Memo {
    pub fn new(count: Arc<dyn Fn() + Send + Sync>) -> Memo {
        Memo {
            answers: Mutex::default(),
            count,
        }
    }
}

pub async fn layer(State(memo): State<Arc<Memo>>, req: Request, next: Next) -> Response {
    if req.method() != Method::GET {
        return next.run(req).await;
    }
    let key = req.uri().to_string();
    let known = memo
        .answers
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .cloned();
    if let Some((headers, body)) = known {
        (memo.count)();
        let mut answer = Response::new(Body::from(body));
        *answer.headers_mut() = headers;
        return answer;
    }
    let answer = next.run(req).await;
    if answer.status() != StatusCode::OK {
        return answer;
    }
    let (parts, body) = answer.into_parts();
    let Ok(body) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let mut answers = memo.answers.lock().unwrap_or_else(|e| e.into_inner());
    answers.insert(key, (parts.headers.clone(), body.clone()));
    Response::from_parts(parts, Body::from(body))
}
