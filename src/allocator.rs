//! The allocator vnav ships with, as one macro: the binary declares it, and so do the benches
//! that time the app, its clients and the simulator, so they measure what a user runs (the
//! listing bench had kept glibc's malloc after the binary moved to jemalloc, issue 18).
//!
//! jemalloc, set to give freed pages back to the system at once (`dirty_decay_ms:0`, and no
//! lazily freed state, `muzzy_decay_ms:0`). A listing of 300,000 VMs frees its page texts and
//! parse trees between the nodes that stay; glibc kept that memory (it needed `malloc_trim` after
//! bulk arrivals and a fixed mmap threshold) and peaked ~55 MB higher while the pages landed
//! (BENCHMARKS "One context, a vCD and two vCenters"). `_RJEM_MALLOC_CONF` overrides these at
//! run time, to measure other settings.

#[cfg(not(target_env = "msvc"))]
pub use tikv_jemallocator;

/// Declares the shipped allocator as the program's global allocator.
#[macro_export]
macro_rules! shipped_allocator {
    () => {
        #[cfg(not(target_env = "msvc"))]
        #[global_allocator]
        static ALLOCATOR: $crate::allocator::tikv_jemallocator::Jemalloc =
            $crate::allocator::tikv_jemallocator::Jemalloc;

        #[cfg(not(target_env = "msvc"))]
        #[unsafe(export_name = "_rjem_malloc_conf")]
        static MALLOC_CONF: Option<&'static std::ffi::c_char> =
            // SAFETY: a pointer to a NUL-terminated static string, as jemalloc reads `malloc_conf`.
            Some(unsafe { &*c"dirty_decay_ms:0,muzzy_decay_ms:0".as_ptr() });
    };
}
