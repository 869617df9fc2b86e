//! How many new rows one rebuild of a table takes while listings pour in: as many as fit in a
//! time budget, learnt from how long the last rebuilds took, rather than a fixed count. A
//! rebuild has a part that grows with the table (the pass over its rows, the view laid out
//! again) and a part that grows with the rows it merges: at 300,000 rows a fixed 512 rows a
//! rebuild meant ~600 rebuilds paying the first part each time, while a key pressed during one
//! waits for it, so each must stay well under a frame. The budget grows the count while
//! rebuilds finish early and shrinks it when one runs over.

use std::sync::Arc;
use std::time::Duration;

/// What the cost of a rebuild is read from: time since some fixed start. Tests give a clock of
/// their own (`App::set_rebuild_clock`), so the budget is checked without reading wall time.
pub type Clock = Arc<dyn Fn() -> Duration + Send + Sync>;

/// One rebuild's share of a frame: a key pressed while it runs waits for it, then for its own
/// handling and drawing (a few ms at 300,000 rows), all under 16 ms.
pub const STEP: Duration = Duration::from_millis(6);
/// New rows the first rebuild takes, before any has been timed.
const FIRST: usize = 512;
/// Never fewer than this a rebuild, however slow the machine: the table must catch up.
const FEWEST: usize = 128;
/// At most this factor more rows than the rebuild before (a quick one may have been lucky).
const GROW: f64 = 2.0;

pub struct RebuildBudget {
    rows: usize,
    clock: Clock,
    /// The rows taken in are laid out once per frame (`App::before_frame`), not after each
    /// slice: the event loop runs slices back to back until a frame is due, and a layout
    /// between two frames (1–2 ms at 300,000 rows) is never seen. Off where nothing draws
    /// frames (the `Driver`, tests stepping the app), so what the app holds is what a frame
    /// would show.
    pub per_frame: bool,
}

impl Default for RebuildBudget {
    fn default() -> Self {
        let origin = std::time::Instant::now();
        RebuildBudget::with_clock(Arc::new(move || origin.elapsed()))
    }
}

impl RebuildBudget {
    pub fn with_clock(clock: Clock) -> Self {
        RebuildBudget {
            rows: FIRST,
            clock,
            per_frame: false,
        }
    }

    /// New rows the next rebuild may take.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The clock's reading, to pass to `record` after the rebuild.
    pub fn now(&self) -> Duration {
        (self.clock)()
    }

    /// A rebuild begun at `since` is done; `left_rows` says whether it left new rows waiting
    /// (it was held to `rows`). Over the budget, the next takes proportionally fewer; under
    /// it and held back, proportionally more (at most `GROW` times as many).
    pub fn record(&mut self, since: Duration, left_rows: bool) {
        let took = self.now().saturating_sub(since).as_secs_f64();
        let step = STEP.as_secs_f64();
        let scale = if took > step {
            step / took
        } else if left_rows {
            (step / took.max(f64::MIN_POSITIVE)).min(GROW)
        } else {
            return;
        };
        self.rows = ((self.rows as f64 * scale) as usize).max(FEWEST);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    /// A clock each reading of which is `cost` µs after the one before.
    fn ticking(cost: &Arc<AtomicU64>) -> Clock {
        let (cost, now) = (cost.clone(), Arc::new(AtomicU64::new(0)));
        Arc::new(move || {
            let c = cost.load(Ordering::Relaxed);
            Duration::from_micros(now.fetch_add(c, Ordering::Relaxed) + c)
        })
    }

    #[test]
    fn rows_grow_while_rebuilds_finish_early_and_shrink_when_one_runs_over() {
        let cost = Arc::new(AtomicU64::new(1_000));
        let mut b = RebuildBudget::with_clock(ticking(&cost));
        let mut counts = Vec::new();
        for _ in 0..3 {
            let t = b.now();
            b.record(t, true);
            counts.push(b.rows());
        }
        // 1 ms against 6: doubled each time, never more.
        assert_eq!(counts, [1024, 2048, 4096]);
        // Nothing left waiting: no reason to take more.
        let t = b.now();
        b.record(t, false);
        assert_eq!(b.rows(), 4096);
        // 12 ms: over the budget twice, half the rows next time.
        cost.store(12_000, Ordering::Relaxed);
        let t = b.now();
        b.record(t, true);
        assert_eq!(b.rows(), 2048);
        // Far over, many times: never under the floor.
        cost.store(1_000_000, Ordering::Relaxed);
        for _ in 0..10 {
            let t = b.now();
            b.record(t, true);
        }
        assert_eq!(b.rows(), FEWEST);
    }
}
