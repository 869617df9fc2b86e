//! A TRACE log of everything this thread does (every crate, the HTTP stack included), for the
//! tests that prove no secret reaches a log.
//!
//! The subscriber is the thread's default, but tracing caches each call site's interest for
//! the whole process, and while only one dispatcher is registered it asks the *calling*
//! thread's default: a sibling test without a subscriber that reaches a call site first
//! caches "never", and the event is then dropped here too (seen as an empty capture under
//! load). A second, always-interested dispatcher held for the capture's life makes tracing
//! ask every registered dispatcher instead, so the capture sees every event of its thread.

use std::io::Write;
use std::sync::{Arc, Mutex};

use tracing::Dispatch;
use tracing::subscriber::DefaultGuard;

pub struct TraceLog {
    buf: Buf,
    _guard: DefaultGuard,
    _anchor: Dispatch,
}

#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn trace_subscriber(buf: Buf) -> impl tracing::Subscriber + Send + Sync {
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || buf.clone())
        .with_ansi(false)
        .finish()
}

impl TraceLog {
    /// Captures from now until dropped.
    pub fn start() -> TraceLog {
        let anchor = Dispatch::new(trace_subscriber(Buf::default()));
        let buf = Buf::default();
        let guard = tracing::subscriber::set_default(trace_subscriber(buf.clone()));
        // Interest cached before both were registered is asked again.
        tracing::callsite::rebuild_interest_cache();
        TraceLog {
            buf,
            _guard: guard,
            _anchor: anchor,
        }
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.buf.0.lock().unwrap()).into_owned()
    }
}
