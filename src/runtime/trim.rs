//! Gives the heap's freed pages back to the system after nodes arrive (or go) in bulk.
//!
//! A listing of 100,000s of VMs parses its pages on the runtime's worker threads: the page
//! texts and parse trees are freed at once, but glibc keeps the freed memory in each thread's
//! arena, interleaved with the nodes that stay, so the process stays tens of MB bigger than
//! what it holds (issue 18, BENCHMARKS "One context, a vCD and two vCenters"). `malloc_trim`
//! returns every whole free page of every arena. It runs on a blocking thread, never on the
//! event loop, and only when the tree's size moved by `STEP` since the last trim. The watcher
//! sleeps until the count changes: an idle vnav has no timer for it.

use std::time::Duration;

use tokio::sync::watch;

/// How far the number of nodes must move before freed memory is worth a trim.
const STEP: usize = 5_000;
/// After a change, how long to let more pages land before looking (one trim per burst).
const SETTLE: Duration = Duration::from_secs(2);

/// When to trim, given the tree's node counts as they are seen.
#[derive(Debug, Default)]
pub struct Due {
    at_last_trim: usize,
}

impl Due {
    /// Whether `nodes` is `STEP` or more away from the count at the last trim (which it then
    /// becomes).
    pub fn check(&mut self, nodes: usize) -> bool {
        if nodes.abs_diff(self.at_last_trim) < STEP {
            return false;
        }
        self.at_last_trim = nodes;
        true
    }
}

/// Fixes glibc's mmap threshold at 128 KiB. glibc raises it each time a big block is freed
/// (up to 32 MiB), after which page texts, node batches and sort keys come from the heap and
/// pin pages there when freed; kept fixed they are mapped and unmapped on their own.
/// Measured on 300,000 VMs before the trim existed: −38 MB (BENCHMARKS "What is left").
pub fn fix_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets a tunable of the allocator, under its own lock.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}

/// Starts the watcher; the event loop sends the tree's node count into what it returns
/// (`send_if_modified`, so an unchanged count wakes nothing).
pub fn spawn() -> watch::Sender<usize> {
    let (nodes, mut seen) = watch::channel(0);
    tokio::spawn(async move {
        let mut due = Due::default();
        while seen.changed().await.is_ok() {
            tokio::time::sleep(SETTLE).await;
            if due.check(*seen.borrow_and_update()) {
                let _ = tokio::task::spawn_blocking(give_back).await;
            }
        }
    });
    nodes
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn give_back() {
    // SAFETY: malloc_trim only walks the allocator's own free lists, under its own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Other allocators return memory on their own terms.
#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_back() {}

#[cfg(test)]
mod tests {
    use super::*;

    /// A trim follows a bulk change either way (pages arriving, a refresh dropping rows),
    /// and small changes, or none (idle), never cause one.
    #[test]
    fn a_trim_is_due_after_bulk_changes_only() {
        let mut due = Due::default();
        assert!(!due.check(0), "idle at start");
        assert!(!due.check(STEP - 1));
        assert!(due.check(STEP), "a listing's worth of nodes arrived");
        assert!(!due.check(STEP), "nothing changed since");
        assert!(!due.check(STEP + 10));
        assert!(due.check(3 * STEP));
        assert!(due.check(STEP), "a refresh dropped many");
        assert!(!due.check(STEP));
    }
}
