//! Hedged reads: when a read that is safe to repeat has had no answer for longer than this
//! endpoint usually takes, the shared HTTP layer sends it once more and takes whichever answer
//! comes first. This file holds the policy: how long "usually" is (recent latencies per kind of
//! request), and the budget that keeps hedging from hitting a slow server twice as hard.
//!
//! The delay is p95 × `factor` of the last `WINDOW` latencies of the same kind of request,
//! clamped to `[floor, ceiling]`; the first read of a kind waits `first_delay`, and until a kind
//! has `MIN_SAMPLES` answers its slowest answer stands in for the p95. The layer sends at most
//! two copies, the second when the first copy is silent for the same delay. A latency is measured from the moment the request holds a connection slot,
//! so waiting behind the endpoint's concurrency limit never looks like a slow server.
//!
//! The budget is a token bucket per endpoint: each read adds `budget_percent`/100 of a token, a
//! hedge spends one, and the bucket holds at most `burst` (it starts full, so the first stalls
//! of a session are hedged too). Over a session, hedges are at most `burst` + `budget_percent` %
//! of the reads.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::Request;

/// How an endpoint hedges its reads. `enabled: false` sends every request once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HedgeOptions {
    pub enabled: bool,
    /// The wait before a copy while a kind of request has too little history.
    pub first_delay: Duration,
    /// Bounds of the wait derived from history.
    pub floor: Duration,
    pub ceiling: Duration,
    /// The wait is this many times the recent p95.
    pub factor: u32,
    /// Extra requests allowed, in percent of reads.
    pub budget_percent: u32,
    /// Hedges that may be spent at once (and the bucket's starting balance).
    pub burst: u32,
}

impl Default for HedgeOptions {
    fn default() -> Self {
        HedgeOptions {
            enabled: true,
            first_delay: Duration::from_secs(1),
            // Below 100 ms a loopback or LAN server's scheduling noise would look like a stall.
            floor: Duration::from_millis(100),
            // Past 5 s a copy is worth sending whatever the history says: the request timeout
            // is 30 s.
            ceiling: Duration::from_secs(5),
            factor: 3,
            budget_percent: 10,
            burst: 5,
        }
    }
}

/// Latencies kept per kind of request.
const WINDOW: usize = 128;
/// Answers of a kind needed for a p95 (fewer: the slowest counts).
const MIN_SAMPLES: usize = 8;
/// Kinds remembered per endpoint; beyond that, new kinds share one history.
const MAX_KINDS: usize = 256;

/// What hedging did on one endpoint so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HedgeStats {
    /// Reads that could have been hedged.
    pub reads: u64,
    /// Copies sent.
    pub hedges: u64,
    /// Copies that answered first.
    pub won: u64,
    /// Copies not sent because the budget was spent.
    pub denied: u64,
}

/// One endpoint's hedging state; shared by the clones of its `Http`.
pub struct Hedger {
    opts: HedgeOptions,
    history: Mutex<HashMap<String, VecDeque<Duration>>>,
    /// The budget, in hundredths of a hedge (integers, so ten reads make exactly one hedge).
    bucket: Mutex<u64>,
    reads: AtomicU64,
    hedges: AtomicU64,
    won: AtomicU64,
    denied: AtomicU64,
}

impl Hedger {
    pub fn new(opts: HedgeOptions) -> Hedger {
        Hedger {
            bucket: Mutex::new(opts.burst as u64 * 100),
            opts,
            history: Mutex::default(),
            reads: AtomicU64::new(0),
            hedges: AtomicU64::new(0),
            won: AtomicU64::new(0),
            denied: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.opts.enabled
    }

    pub fn stats(&self) -> HedgeStats {
        HedgeStats {
            reads: self.reads.load(Ordering::Relaxed),
            hedges: self.hedges.load(Ordering::Relaxed),
            won: self.won.load(Ordering::Relaxed),
            denied: self.denied.load(Ordering::Relaxed),
        }
    }

    /// A read is about to be sent: it earns the budget its share of a hedge.
    pub fn note_read(&self) {
        self.reads.fetch_add(1, Ordering::Relaxed);
        let mut tokens = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
        *tokens = (*tokens + self.opts.budget_percent as u64).min(self.opts.burst as u64 * 100);
    }

    /// Spends one hedge from the budget, if there is one.
    pub fn try_spend(&self) -> bool {
        let mut tokens = self.bucket.lock().unwrap_or_else(|e| e.into_inner());
        if *tokens >= 100 {
            *tokens -= 100;
            self.hedges.fetch_add(1, Ordering::Relaxed);
            true
        } else {
            self.denied.fetch_add(1, Ordering::Relaxed);
            false
        }
    }

    /// The copy answered first.
    pub fn note_won(&self) {
        self.won.fetch_add(1, Ordering::Relaxed);
    }

    /// How long a read of this kind waits for its answer before a copy is sent.
    pub fn delay(&self, kind: &str) -> Duration {
        let history = self.history.lock().unwrap_or_else(|e| e.into_inner());
        let seen = match history.get(kind) {
            Some(seen) if !seen.is_empty() => seen,
            _ => return self.opts.first_delay,
        };
        let mut sorted: Vec<Duration> = seen.iter().copied().collect();
        sorted.sort_unstable();
        // Too few answers for a p95: the slowest one stands in for it.
        let p95 = if sorted.len() < MIN_SAMPLES {
            sorted[sorted.len() - 1]
        } else {
            sorted[(sorted.len() * 95).div_ceil(100) - 1]
        };
        p95.saturating_mul(self.opts.factor)
            .clamp(self.opts.floor, self.opts.ceiling.max(self.opts.floor))
    }

    /// An answer of this kind took `took` once it had a connection slot.
    pub fn record(&self, kind: &str, took: Duration) {
        let mut history = self.history.lock().unwrap_or_else(|e| e.into_inner());
        let key = if history.contains_key(kind) || history.len() < MAX_KINDS {
            kind
        } else {
            "other"
        };
        let seen = history.entry(key.to_string()).or_default();
        if seen.len() == WINDOW {
            seen.pop_front();
        }
        seen.push_back(took);
    }
}

/// The kind of a request, for its latency history: the method, the path with its ids blurred
/// (a segment holding a digit is an id: `vm-42`, a UUID, a page number), and the `type` of a
/// query (a page of VMs and a page of orgs take different times on the same path).
pub fn kind(req: &Request) -> String {
    let url = req.url();
    let mut k = req.method().as_str().to_string();
    for segment in url.path().split('/').filter(|s| !s.is_empty()) {
        k.push('/');
        if segment.bytes().any(|b| b.is_ascii_digit()) {
            k.push('*');
        } else {
            k.push_str(segment);
        }
    }
    if let Some((_, t)) = url.query_pairs().find(|(name, _)| name == "type") {
        k.push_str("?type=");
        k.push_str(&t);
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::Method;

    fn hedger() -> Hedger {
        Hedger::new(HedgeOptions::default())
    }

    #[test]
    fn a_kind_without_history_waits_the_first_delay() {
        let h = hedger();
        assert_eq!(h.delay("GET/api/query?type=vm"), Duration::from_secs(1));
        h.record("GET/api/query?type=vm", Duration::from_millis(10));
        assert_eq!(h.delay("GET/api/query?type=vm"), Duration::from_millis(100));
        assert_eq!(h.delay("GET/api/org"), Duration::from_secs(1), "per kind");
    }

    #[test]
    fn a_short_history_counts_its_slowest_answer() {
        let h = hedger();
        for ms in [50, 400, 60] {
            h.record("k", Duration::from_millis(ms));
        }
        assert_eq!(h.delay("k"), Duration::from_millis(1200));
    }

    #[test]
    fn the_delay_is_three_times_the_p95_within_bounds() {
        let h = hedger();
        // 95 answers of 100 ms and 5 of 2 s: the p95 is 100 ms, not the outliers.
        for i in 0..100 {
            let ms = if i % 20 == 0 { 2000 } else { 100 };
            h.record("k", Duration::from_millis(ms));
        }
        assert_eq!(h.delay("k"), Duration::from_millis(300));
        for _ in 0..WINDOW {
            h.record("slow", Duration::from_secs(4));
        }
        assert_eq!(h.delay("slow"), Duration::from_secs(5), "the ceiling");
    }

    #[test]
    fn only_recent_latencies_count() {
        let h = hedger();
        for _ in 0..WINDOW {
            h.record("k", Duration::from_secs(1));
        }
        for _ in 0..WINDOW {
            h.record("k", Duration::from_millis(200));
        }
        assert_eq!(h.delay("k"), Duration::from_millis(600));
    }

    #[test]
    fn the_budget_allows_a_burst_then_ten_percent_of_reads() {
        let h = hedger();
        let spent = (0..5).filter(|_| h.try_spend()).count();
        assert_eq!(spent, 5, "the bucket starts full");
        assert!(!h.try_spend());
        let mut spent = 0;
        for _ in 0..1000 {
            h.note_read();
            if h.try_spend() {
                spent += 1;
            }
        }
        assert_eq!(spent, 100, "one hedge per ten reads");
        let s = h.stats();
        assert_eq!((s.reads, s.hedges), (1000, 5 + spent));
        assert!(s.denied >= 900);
    }

    #[test]
    fn kinds_blur_ids_and_keep_the_query_type() {
        crate::api::tls::install_crypto_provider();
        let client = reqwest::Client::new();
        let kind_of = |m: Method, u: &str| kind(&client.request(m, u).build().unwrap());
        assert_eq!(
            kind_of(
                Method::GET,
                "https://vcd/api/vApp/vm-6c1f3a2e-0b7e-4b0a-9d5e-1f2a3b4c5d6e"
            ),
            "GET/api/vApp/*"
        );
        assert_eq!(
            kind_of(
                Method::GET,
                "https://vcd/api/query?type=vm&page=3&pageSize=128"
            ),
            "GET/api/query?type=vm"
        );
        assert_ne!(
            kind_of(Method::GET, "https://vcd/api/query?type=org"),
            kind_of(Method::GET, "https://vcd/api/query?type=vm")
        );
        assert_eq!(
            kind_of(Method::POST, "https://ops/suite-api/api/resources/query"),
            "POST/suite-api/api/resources/query"
        );
    }
}
