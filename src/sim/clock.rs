//! The simulator's "now": real time plus an offset that only moves forward. Token expiry, task
//! progress and the rate limiter all read it, so tests call `Sim::advance` instead of sleeping.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::time::{Duration, Instant};

#[derive(Default)]
pub struct Clock {
    /// Microseconds added to the real time so far.
    offset_us: AtomicU64,
}

impl Clock {
    pub fn now(&self) -> Instant {
        Instant::now() + Duration::from_micros(self.offset_us.load(Ordering::Relaxed))
    }

    /// Moves the simulator's time forward by `by`, for every server at once.
    pub fn advance(&self, by: Duration) {
        let us = u64::try_from(by.as_micros()).unwrap_or(u64::MAX);
        self.offset_us.fetch_add(us, Ordering::Relaxed);
    }
}
